"""The catalytic reaction tensor of Mordvintsev, Randazzo, Niklasson (2023).

N species; logits `W[c, a, b]` (catalyst c, input a, output b). `P = softmax_b(W)` and
`T = P − I`, so each reaction `a —c→ b` (i.e. `a + c -> b + c`) has rate
`T[c, a, b] ∈ [0, 1]` and the dynamics are

    dx_b/dt = Σ_{a,c} x_a x_c T[c, a, b].

Rows of T sum to zero (mass is conserved), the diagonal is ≤ 0, off-diagonal ≥ 0.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

from .._registry import register_builder
from ..network import Reaction, ReactionNetwork
from ..sparsity import entropy, informational_energy, l1, sparsify, straight_through
from .base import CRNModel


class CatalyticCRN(CRNModel):
    """A CRN whose every reaction is catalytic, `X + C -> Y + C`, with a softmax tensor.

    **Fields:**

    - `logits`: W, shape (N, N, N), indexed (catalyst, input, output). `-inf` entries
      give rate exactly 0 (used by hand-designed networks).
    - `x0`: default initial concentrations, shape (N,).
    - `species`: names, length N.
    - `fixed`: indices of species whose amount never changes (inputs and controls): they
      act only as catalysts; every reaction consuming or producing them is masked out.
    - `k_min`: when set, the forward dynamics use the straight-through sparsified tensor
      `T + stop_gradient(T^kmin − T)` (sparsified training).
    - `roles`: role of each species (`input`, `output`, `auxiliary`, `fuel`, `control`).
    - `train_x0`: whether training updates `x0`.
    - `x0_total`: when set (and `train_x0`), `project()` keeps `x0 >= 0` summing to this.
    - `hard_sparsity`: with `k_min`, use T^kmin itself (gradients only through kept
      entries) instead of the straight-through estimator.
    """

    logits: Float[Array, "N N N"]
    x0: Float[Array, " N"]
    species: tuple[str, ...] = eqx.field(static=True)
    fixed: tuple[int, ...] = eqx.field(static=True, default=())
    k_min: float | None = eqx.field(static=True, default=None)
    roles: tuple[str, ...] | None = eqx.field(static=True, default=None)
    train_x0: bool = eqx.field(static=True, default=False)
    x0_total: float | None = eqx.field(static=True, default=None)
    hard_sparsity: bool = eqx.field(static=True, default=False)

    @property
    def held_species(self) -> tuple[str, ...]:
        """The `fixed` species by name (catalysts only: never consumed or produced)."""
        return tuple(self.species[i] for i in self.fixed)

    def __check_init__(self):
        n = len(self.species)
        if self.logits.shape != (n, n, n):
            raise ValueError(f"logits must have shape {(n, n, n)} for {n} species, got {self.logits.shape}")
        if self.x0.shape != (n,):
            raise ValueError(f"x0 must have shape {(n,)}, got {self.x0.shape}")
        if any(not 0 <= i < n for i in self.fixed):
            raise ValueError(f"fixed species indices {self.fixed} out of range for {n} species")

    # ---- construction -----------------------------------------------------------------
    @classmethod
    def from_rates(
        cls,
        species: tuple[str, ...],
        rates: dict[tuple[str, str, str], float],
        x0,
        **kwargs,
    ) -> "CatalyticCRN":
        """Build from explicit rates `{(input, catalyst, output): k}` with every row sum ≤ 1.

        Unlisted reactions get rate exactly 0 (logit −inf).
        """
        n = len(species)
        idx = {s: i for i, s in enumerate(species)}
        P = np.zeros((n, n, n))
        for (a, c, b), k in rates.items():
            if a == b:
                raise ValueError(f"reaction {a} —{c}→ {b} changes nothing")
            P[idx[c], idx[a], idx[b]] += k
        stay = 1.0 - P.sum(-1)
        if (stay < -1e-12).any():
            c, a = np.argwhere(stay < -1e-12)[0]
            raise ValueError(f"rates out of input {species[a]} with catalyst {species[c]} sum above 1")
        P[np.arange(n)[:, None], np.arange(n)[None, :], np.arange(n)[None, :]] = np.clip(stay, 0.0, 1.0)
        with np.errstate(divide="ignore"):
            W = np.log(P)
        return cls(jnp.asarray(W), jnp.asarray(x0, dtype=jnp.float64), tuple(species), **kwargs)

    # ---- tensors ------------------------------------------------------------------------
    @property
    def n(self) -> int:
        return len(self.species)

    def _output_mask(self) -> np.ndarray:
        """True where output b may be produced: never a fixed species, unless b == a."""
        n = self.n
        mask = np.ones((n, n, n), dtype=bool)
        for s in self.fixed:
            mask[:, :, s] = False
            mask[:, s, s] = True
        return mask

    def probabilities(self) -> Float[Array, "N N N"]:
        """P = softmax over outputs of the masked logits; rows for fixed inputs are one-hot."""
        W = jnp.where(self._output_mask(), self.logits, -jnp.inf)
        P = jax.nn.softmax(W, axis=-1)
        if self.fixed:
            rows = np.zeros((1, self.n, 1), dtype=bool)
            rows[0, list(self.fixed), 0] = True
            P = jnp.where(rows, jnp.eye(self.n, dtype=P.dtype)[None], P)
        return P

    def tensor(self) -> Float[Array, "N N N"]:
        """T = P − I, indexed (catalyst, input, output)."""
        return self.probabilities() - jnp.eye(self.n, dtype=self.logits.dtype)

    def dynamics_tensor(self) -> Float[Array, "N N N"]:
        """The tensor the forward dynamics use (straight-through sparsified when `k_min` is set)."""
        T = self.tensor()
        if self.k_min is None:
            return T
        return sparsify(T, self.k_min) if self.hard_sparsity else straight_through(T, self.k_min)

    def rhs(self, t, x, args=None):
        return tensor_rhs(self.dynamics_tensor(), x)

    def for_solver(self) -> "TensorKinetics":
        return TensorKinetics(self.dynamics_tensor(), self.species, self.x0)

    # ---- listing ------------------------------------------------------------------------
    def network(self, k_min: float = 0.0, name: str = "crn") -> ReactionNetwork:
        T = np.asarray(self.dynamics_tensor(), dtype=np.float64)
        if k_min > 0:
            T = np.asarray(sparsify(jnp.asarray(T), k_min))
        reactions = []
        for c, a, b in zip(*np.nonzero(T > 0)):
            if a == b:
                continue
            A, C, B = self.species[a], self.species[c], self.species[b]
            reactants, products = Counter({A: 1}), Counter({B: 1})
            reactants[C] += 1
            products[C] += 1
            reactions.append(Reaction(dict(reactants), dict(products), float(T[c, a, b])))
        roles = dict(zip(self.species, self.roles)) if self.roles else {}
        x0 = np.asarray(self.x0, dtype=np.float64)
        return ReactionNetwork(self.species, tuple(reactions), dict(zip(self.species, x0)), name, roles)

    # ---- training hooks -------------------------------------------------------------------
    def trainable(self):
        spec = jax.tree_util.tree_map(lambda _: False, self)
        return eqx.tree_at(lambda m: (m.logits, m.x0), spec, (True, self.train_x0))

    def project(self) -> "CatalyticCRN":
        if not (self.train_x0 and self.x0_total is not None):
            return self
        x0 = jnp.clip(self.x0, 0.0, None)
        x0 = x0 * (self.x0_total / jnp.maximum(jnp.sum(x0), 1e-12))
        return eqx.tree_at(lambda m: m.x0, self, x0)

    def regularisers(self) -> dict[str, jax.Array]:
        P = self.probabilities()
        return {"l1": l1(P - jnp.eye(self.n, dtype=P.dtype)), "entropy": entropy(P), "energy": informational_energy(P)}

    def with_sparsity(self, k_min: float, straight_through: bool = True) -> "CatalyticCRN":
        return dataclasses.replace(self, k_min=float(k_min), hard_sparsity=not straight_through)

    def reaction_count(self, k_min: float = 0.0) -> int:
        """Number of reactions with rate above `k_min` (after sparsification at `k_min`)."""
        T = np.asarray(self.dynamics_tensor())
        if k_min > 0:
            T = np.asarray(sparsify(jnp.asarray(T), k_min))
        off = T > 0
        off[:, np.arange(self.n), np.arange(self.n)] = False
        return int(off.sum())


def tensor_rhs(T: Float[Array, "N N N"], x: Float[Array, "*batch N"]) -> Float[Array, "*batch N"]:
    """dx_b/dt = Σ_{a,c} x_a x_c T[c, a, b], as one matrix product over the pairs (c, a)."""
    n = T.shape[-1]
    pairs = (x[..., :, None] * x[..., None, :]).reshape(x.shape[:-1] + (n * n,))
    return pairs @ T.reshape(n * n, n).astype(x.dtype)


class TensorKinetics(CRNModel):
    """The dynamics of a `CatalyticCRN` with its tensor T precomputed (see `CRNModel.for_solver`)."""

    T: Float[Array, "N N N"]
    species: tuple[str, ...] = eqx.field(static=True)
    x0: Float[Array, " N"]

    def rhs(self, t, x, args=None):
        return tensor_rhs(self.T, x)

    def network(self, k_min: float = 0.0, name: str = "crn") -> ReactionNetwork:  # pragma: no cover
        raise NotImplementedError("TensorKinetics is a solver-side view; call network() on the CatalyticCRN")


@register_builder("catalytic")
def build_catalytic(config) -> CatalyticCRN:
    """A template `CatalyticCRN` (zero logits) from a card's config: `species`, optional
    `fixed`, `k_min`, `roles`, `train_x0`, `x0_total`."""
    n = len(config["species"])
    return CatalyticCRN(
        jnp.zeros((n, n, n)),
        jnp.zeros(n),
        tuple(config["species"]),
        fixed=tuple(config.get("fixed", ())),
        k_min=config.get("k_min"),
        roles=tuple(config["roles"]) if config.get("roles") else None,
        train_x0=bool(config.get("train_x0", False)),
        x0_total=config.get("x0_total"),
    )
