"""Sparsification of catalytic reaction tensors and the papers' sparsity regularisers.

All functions act on a reaction tensor `T[c, a, b]` (catalyst, input, output) whose
rows `T[c, a, :]` sum to zero, with `T[c, a, a] <= 0` and off-diagonal entries >= 0,
or on the row-stochastic `P = T + I` it came from (Mordvintsev et al. 2023, §2.1).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float


def sparsify(T: Float[Array, "N N N"], k_min: float) -> Float[Array, "N N N"]:
    """`T^kmin`: zero the off-diagonal entries below `k_min`, then re-balance the diagonal.

    The result still has rows summing to zero, so mass stays conserved.
    """
    n = T.shape[-1]
    eye = jnp.eye(n, dtype=bool)
    off = jnp.where(eye, 0.0, T)
    off = jnp.where(off >= k_min, off, 0.0)
    return off - jnp.eye(n, dtype=T.dtype) * off.sum(-1, keepdims=True)


def straight_through(T: Float[Array, "N N N"], k_min: float) -> Float[Array, "N N N"]:
    """`T + stop_gradient(T^kmin − T)`: the sparsified tensor forward, dense gradients backward."""
    return T + jax.lax.stop_gradient(sparsify(T, k_min) - T)


def l1(T: Float[Array, "N N N"]) -> Float[Array, ""]:
    """L1 regulariser, mean |T| over all N³ entries."""
    return jnp.mean(jnp.abs(T))


def entropy(P: Float[Array, "N N N"]) -> Float[Array, ""]:
    """Entropy regulariser, −mean(P log P) over all N³ entries (0 log 0 = 0)."""
    return -jnp.mean(jnp.where(P > 0, P * jnp.log(jnp.where(P > 0, P, 1.0)), 0.0))


def informational_energy(P: Float[Array, "N N N"]) -> Float[Array, ""]:
    """Informational-energy regulariser, −mean(P²); minimising it favours one-hot rows."""
    return -jnp.mean(P**2)
