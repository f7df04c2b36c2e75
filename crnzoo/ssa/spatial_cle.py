"""Reaction noise on the card's own reaction-diffusion step: a stated approximation for the
spatial entries (gray-scott-*), whose textures are grown with the spectral Laplacian that no
neighbour-hopping RDME (`crnzoo.ssa.spatial.rdme_tau`) reproduces.

Model: every grid cell is a well-mixed compartment holding Ω molecules per unit of
concentration. Each step of length dt is the card's own IMEX step (`crnzoo.spatial.imex.
imex_step`: implicit spectral diffusion first, then the relu-clamped RK4 reaction update) plus
the chemical Langevin equation's reaction noise in every cell:

    x ← max(RK4(x) + Σ_r ν_r · sqrt(a_r(x)·dt / Ω) · ξ_r, 0),   ξ_r ~ N(0, 1) independent,

a_r(x) = k_r Π_s x_s^{R_rs} the mass-action flux of reaction r in concentration units at the
state before the reaction update (so the noise has the variance of Poisson(a_r·Ω·dt) firings,
divided by Ω²). What is neglected, stated: diffusion noise (molecules hopping between cells,
variance ∝ 1/Ω as well), the Poisson skewness (O(1/sqrt(a·Ω·dt)) per cell and step) and the
falling factorials (O(1/Ω)). Its large-Ω limit is exactly the card's deterministic texture
(the noise vanishes as Ω^(-1/2)), which is the point: the check measures the card's model.

Vectorised over (runs, H, W); cost ~ one deterministic grow per run plus one normal draw per
reaction, cell and step (`benchmarks`: measured in `scripts/robustness_cards.py`'s log).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from ..spatial.grid import Grid
from ..spatial.imex import _reaction_fn, diffusion_factor, local_model
from .simulate import SSAError, _network, check_omega


def _tables(model):
    """(rates k (R,), reactant orders (R, S), net change (R, S)) in the model's state order."""
    net, held, _ = _network(model)
    if held:
        raise SSAError(f"held species ({', '.join(held)}) are not supported here")
    flat = tuple(model.flat_species(model.state_shape))
    order = [net.species.index(s) for s in flat]
    R, N = net.stoichiometry()
    return np.asarray(net.rates(), np.float64), np.asarray(R, np.float64)[:, order], np.asarray(N, np.float64)[:, order]


def noisy_grow(model, x0, omega: float, t1: float, dt: float, *, grid: Grid, seed: int = 0):
    """Fields (runs, H, W, S) at `t1`: the card's step (implicit spectral diffusion first, then
    the relu-clamped RK4 reaction update, as `crnzoo.tasks.gray_scott.grow`) with reaction noise
    at Ω (module docstring). `x0` (runs, H, W, S): initial fields in concentration units."""
    omega = check_omega(omega)
    x0 = jnp.asarray(x0, dtype=jnp.float64)
    if x0.ndim != 4:
        raise SSAError(f"x0 must have shape (runs, H, W, S), got {tuple(x0.shape)}")
    n = int(round(t1 / dt))
    if n < 1 or abs(n * dt - t1) > 1e-9 * max(1.0, t1):
        raise SSAError(f"t1 ({t1}) must be a positive whole number of steps dt ({dt})")
    k, R, N = (jnp.asarray(v) for v in _tables(model))
    lm = local_model(model)
    react = _reaction_fn(lm)
    factor = diffusion_factor(grid, lm.diffusion_constants(), dt, x0.dtype)
    runs, H, W, S = x0.shape

    def step(x, i):
        x = grid.inverse(grid.forward(x) * factor).astype(x.dtype)  # diffusion first, as the card
        xf = x.reshape(runs, H * W, S)
        k1 = react(0.0, xf)
        k2 = react(0.0, xf + dt / 2 * k1)
        k3 = react(0.0, xf + dt / 2 * k2)
        k4 = react(0.0, xf + dt * k3)
        y = xf + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        a = k * jnp.prod(jnp.where(R > 0, jnp.maximum(xf[..., None, :], 0.0) ** R, 1.0), axis=-1)  # (runs, H·W, R)
        xi = jax.random.normal(jax.random.fold_in(key, i), a.shape, a.dtype)
        y = y + (jnp.sqrt(a * (dt / omega)) * xi) @ N
        return jnp.maximum(y, 0.0).reshape(runs, H, W, S), None

    key = jax.random.PRNGKey(seed)
    return jax.jit(lambda x: jax.lax.scan(step, x, jnp.arange(n))[0])(x0)
