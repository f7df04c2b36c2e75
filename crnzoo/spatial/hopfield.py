"""The dual-rail Hopfield reaction-diffusion network (Lee, Buse, Winfree, DNA 31, 2025, §5.3, Fig. 6).

N dual-rail neurons x_i = x_i⁺ − x_i⁻ (species `Xp_i`, `Xn_i`) in every cell of a 2-D grid:

- catalytic weighted sums: x_i⁺ → x_i⁺ + x_j⁺ at ReLU(W⁺_ij), x_i⁺ → x_i⁺ + x_j⁻ at
  ReLU(−W⁺_ij), x_i⁻ → x_i⁻ + x_j⁺ at ReLU(W⁻_ij), x_i⁻ → x_i⁻ + x_j⁻ at ReLU(−W⁻_ij);
- degradation 3x_i^± → 2x_i^± at k_deg,i^±;
- fast annihilation x_i⁺ + x_i⁻ → ∅ (instantaneous in the spatial solver; listed at rate
  `FAST_RATE` in the reaction listing);
- per-species diffusion constants D_i^± = exp(log D_i^±).

The first three neurons are the R, G, B channels of an image; the rest are hidden. The zoo's
entry (growing Turing's portrait) and its training are in `crnzoo.tasks.hopfield`.
"""

from __future__ import annotations

from pathlib import Path

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

from .._registry import register_builder
from ..crn.base import CRNModel
from ..network import Reaction, ReactionNetwork
from .capabilities import HasDiffusion, HasFastReactions, HasSplitFlow


FAST_RATE = 1000.0  # rate written for the fast annihilation in reaction listings (simulated as instantaneous)
N_VISIBLE = 3


def species_names(n: int) -> tuple[str, ...]:
    """`Xp_0..Xp_{n-1}, Xn_0..Xn_{n-1}`: the species of n dual-rail neurons."""
    return tuple(f"Xp_{i}" for i in range(n)) + tuple(f"Xn_{i}" for i in range(n))


class HopfieldKinetics(HasDiffusion, HasFastReactions, HasSplitFlow):
    """The local kinetics of a `HopfieldRD` with its derived matrices precomputed (what solvers run).

    - `M`: (2N, 2N) production matrix: dx/dt ⊃ x @ M for x = (x⁺, x⁻).
    - `deg`: (2N,) cubic degradation rates; `D`: (2N,) diffusion constants.
    """

    M: Float[Array, "S S"]
    deg: Float[Array, " S"]
    D: Float[Array, " S"]
    species: tuple[str, ...] = eqx.field(static=True)
    fast_rate: float = eqx.field(static=True, default=FAST_RATE)

    def slow_rhs(self, t, x, args=None):
        return x @ self.M.astype(x.dtype) - self.deg.astype(x.dtype) * x**3

    def rhs(self, t, x, args=None):
        n = x.shape[-1] // 2
        ann = self.fast_rate * x[..., :n] * x[..., n:]
        return self.slow_rhs(t, x, args) - jnp.concatenate([ann, ann], axis=-1)

    def fast_pairs(self):
        n = len(self.species) // 2
        return (np.arange(n), np.arange(n) + n)

    def split_flow(self, dt: float):
        """Strang splitting of the slow reactions into two exactly solved flows: degradation
        dx/dt = −k x³ for dt/2 (x ↦ x / √(1 + k x² dt)), the linear catalytic production
        dx/dt = x M for dt (x ↦ x · exp(dt M), M ≥ 0 so it stays non-negative), degradation for
        dt/2. Second order, stable for any dt, keeps x ≥ 0; one matrix product per step."""
        E = jax.scipy.linalg.expm(dt * self.M)
        deg = self.deg

        def decay(x):
            return x * jax.lax.rsqrt(1.0 + deg.astype(x.dtype) * dt * x * x)

        return lambda x: decay(decay(x) @ E.astype(x.dtype))

    def diffusion_constants(self):
        return self.D


class HopfieldRD(CRNModel, HasDiffusion, HasFastReactions):
    """A dual-rail Hopfield reaction-diffusion network of N neurons.

    **Fields:**

    - `Wp`, `Wn`: (N, N) signed weights of the x⁺ and x⁻ catalysts (row i: catalyst i, column j: product j).
    - `deg_p`, `deg_n`: (N,) degradation rates of 3x^± → 2x^± (concentration⁻² / time).
    - `log_diff_p`, `log_diff_n`: (N,) natural logarithms of the diffusion constants (cells² / time).

    State: (..., 2N) = (x⁺_0..x⁺_{N−1}, x⁻_0..x⁻_{N−1}); in space (..., H, W, 2N).
    """

    Wp: Float[Array, "N N"]
    Wn: Float[Array, "N N"]
    deg_p: Float[Array, " N"]
    deg_n: Float[Array, " N"]
    log_diff_p: Float[Array, " N"]
    log_diff_n: Float[Array, " N"]

    def __check_init__(self):
        n = self.Wp.shape[0]
        if self.Wp.shape != (n, n) or self.Wn.shape != (n, n):
            raise ValueError(f"Wp and Wn must be square and equal, got {self.Wp.shape}, {self.Wn.shape}")
        for f in (self.deg_p, self.deg_n, self.log_diff_p, self.log_diff_n):
            if f.shape != (n,):
                raise ValueError(f"per-neuron parameters must have shape ({n},), got {f.shape}")
        if n < N_VISIBLE:
            raise ValueError(f"a Hopfield image network needs at least {N_VISIBLE} neurons (RGB), got {n}")

    @property
    def n_neurons(self) -> int:
        return self.Wp.shape[0]

    @property
    def species(self) -> tuple[str, ...]:
        return species_names(self.n_neurons)

    @property
    def x0(self):
        return jnp.zeros(2 * self.n_neurons)

    def production_matrix(self):
        r = jax.nn.relu
        top = jnp.concatenate([r(self.Wp), r(-self.Wp)], axis=1)
        bottom = jnp.concatenate([r(self.Wn), r(-self.Wn)], axis=1)
        return jnp.concatenate([top, bottom], axis=0)

    def diffusion_constants(self):
        return jnp.exp(jnp.concatenate([self.log_diff_p, self.log_diff_n]))

    def for_solver(self) -> HopfieldKinetics:
        return HopfieldKinetics(
            self.production_matrix(),
            jnp.concatenate([self.deg_p, self.deg_n]),
            self.diffusion_constants(),
            self.species,
        )

    def slow_rhs(self, t, x, args=None):
        return self.for_solver().slow_rhs(t, x, args)

    def rhs(self, t, x, args=None):
        return self.for_solver().rhs(t, x, args)

    def fast_pairs(self):
        return self.for_solver().fast_pairs()

    def project(self) -> "HopfieldRD":
        return eqx.tree_at(
            lambda m: (m.deg_p, m.deg_n, m.log_diff_p, m.log_diff_n),
            self,
            (jnp.clip(self.deg_p, 0.0, None), jnp.clip(self.deg_n, 0.0, None), jnp.clip(self.log_diff_p, -12.0, 2.0), jnp.clip(self.log_diff_n, -12.0, 2.0)),
        )

    def network(self, k_min: float = 0.0, name: str = "hopfield_rd") -> ReactionNetwork:
        """Every concrete reaction with rate > k_min (diffusion is not a reaction: see `diffusion_constants`)."""
        n = self.n_neurons
        sp = self.species
        M = np.asarray(self.production_matrix(), dtype=np.float64)
        deg = np.concatenate([np.asarray(self.deg_p, np.float64), np.asarray(self.deg_n, np.float64)])
        reactions = []
        for a in range(2 * n):
            for b in range(2 * n):
                if M[a, b] > k_min:
                    prod = {sp[a]: 2} if a == b else {sp[a]: 1, sp[b]: 1}
                    reactions.append(Reaction({sp[a]: 1}, prod, float(M[a, b])))
        for a in range(2 * n):
            if deg[a] > k_min:
                reactions.append(Reaction({sp[a]: 3}, {sp[a]: 2}, float(deg[a])))
        if FAST_RATE > k_min:
            for i in range(n):
                reactions.append(Reaction({sp[i]: 1, sp[n + i]: 1}, {}, FAST_RATE, label=f"fast{i}"))
        roles = {s: ("output" if (i % n) < N_VISIBLE else "auxiliary") for i, s in enumerate(sp)}
        return ReactionNetwork(sp, tuple(reactions), {s: 0.0 for s in sp}, name, roles)


def init(n: int, key, w_scale: float | None = None, log_diff: float = -2.3) -> HopfieldRD:
    """Random initial parameters: W ~ N(0, σ²) with σ = 0.56 / √N (the reference's 256-neuron
    weights have σ ≈ 0.035), degradation 1, log D = `log_diff` ± 0.5 (uniform)."""
    k1, k2, k3, k4 = jax.random.split(key, 4)
    s = 0.56 / np.sqrt(n) if w_scale is None else w_scale
    return HopfieldRD(
        s * jax.random.normal(k1, (n, n)),
        s * jax.random.normal(k2, (n, n)),
        jnp.ones(n),
        jnp.ones(n),
        log_diff + jax.random.uniform(k3, (n,), minval=-0.5, maxval=0.5),
        log_diff + jax.random.uniform(k4, (n,), minval=-0.5, maxval=0.5),
    )


@register_builder("hopfield_rd")
def build_hopfield_rd(config) -> HopfieldRD:
    """A template `HopfieldRD` from a card's config: `n_neurons`."""
    n = int(config["n_neurons"])
    z1, zn = jnp.zeros(n), jnp.zeros((n, n))
    return HopfieldRD(zn, zn, z1, z1, z1, z1)


def from_reference(path) -> HopfieldRD:
    """The reference's trained parameters (npz with Wp, Wn, Up_deg, Un_deg, Up, Un; Up/Un = log D)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"reference parameters not found at {path}")
    d = np.load(path)
    missing = {"Wp", "Wn", "Up_deg", "Un_deg", "Up", "Un"} - set(d.files)
    if missing:
        raise ValueError(f"{path} lacks keys {', '.join(sorted(missing))}")
    a = lambda k: jnp.asarray(d[k], jnp.float64)  # noqa: E731
    return HopfieldRD(a("Wp"), a("Wn"), a("Up_deg"), a("Un_deg"), a("Up"), a("Un"))
