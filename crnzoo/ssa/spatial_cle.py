"""Reaction noise on the card's own reaction-diffusion step: a stated approximation for the
spatial entries (gray-scott-*, hopfield-turing-small), whose patterns are grown with a step
(spectral or implicit 5-point diffusion, relu-clamped RK4 reactions, fast annihilations applied
to completion) that no neighbour-hopping RDME (`crnzoo.ssa.spatial.rdme_tau`) reproduces.

Model: every grid cell is a well-mixed compartment holding Ω molecules per unit of
concentration. Each step of length dt is the card's own IMEX step (`crnzoo.spatial.imex.
imex_step`, with the card's `diffuse_first`, `clamp` and fast reactions) whose reaction update
carries the chemical Langevin equation's reaction noise in every cell:

    RK4(x) → max(RK4(x) + Σ_r ν_r · sqrt(a_r(x)·dt / Ω) · ξ_r, 0),   ξ_r ~ N(0, 1) independent,

a_r(x) = k_r Π_s x_s^{R_rs} the mass-action flux of slow reaction r in concentration units at
the state the reaction update starts from (so the noise has the variance of Poisson(a_r·Ω·dt)
firings, divided by Ω²). Reactions with the same net change ν are drawn as one group (a sum
of independent normals is one normal with the summed variance: exact in distribution), so a
Hopfield network's 2,112 slow reactions cost 128 draws per cell and step. What is kept: the
reaction noise of every slow reaction. What is neglected, stated: diffusion noise (molecules
hopping between cells, variance ∝ 1/Ω as well), the Poisson skewness (O(1/sqrt(a·Ω·dt)) per
cell and step), the falling factorials (O(1/Ω)), and the noise of the fast reactions the card
applies to completion (x⁺ + x⁻ → ∅ stays deterministic: both drop by their minimum). Its
large-Ω limit is exactly the card's deterministic field (the noise vanishes as Ω^(-1/2)), which
is the point: the check measures the card's model.

Vectorised over (runs, H, W); cost ~ one deterministic grow per run plus one normal draw per
reaction group, cell and step.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from ..spatial.capabilities import HasFastReactions
from ..spatial.grid import Grid
from ..spatial.imex import (
    FastPairs,
    _reaction_fn,
    diffusion_factor,
    imex_step,
    local_model,
    reaction_update,
)
from .simulate import SSAError, _network, check_omega


@dataclasses.dataclass(frozen=True)
class NoiseTables:
    """The slow reactions of a model, grouped for the reaction noise (state order throughout).

    - `complexes` (C, m): species indices of each distinct reactant complex, padded with S
      (a column of ones), m the largest molecularity.
    - `rates` (C, G): summed rate constants of the reactions of complex c in group g.
    - `change` (G, S): the net change ν of each group (reactions with equal ν share a group).
    - `n_slow`, `n_fast`: slow reactions kept; fast reactions (applied to completion) left out.
    """

    complexes: np.ndarray
    rates: np.ndarray
    change: np.ndarray
    n_slow: int
    n_fast: int

    def flux(self, x):
        """Group fluxes Σ_{r∈g} a_r(x), shape (..., G), from states x (..., S) (negatives read as 0)."""
        xp = jnp.concatenate([jnp.maximum(x, 0.0), jnp.ones(x.shape[:-1] + (1,), x.dtype)], axis=-1)
        mono = xp[..., self.complexes[:, 0]]
        for j in range(1, self.complexes.shape[1]):  # a product of m gathers: no (..., C, m) intermediate
            mono = mono * xp[..., self.complexes[:, j]]
        return mono @ jnp.asarray(self.rates, x.dtype)

    def drift(self, x):
        """Σ_g flux_g ν_g: the deterministic reaction rate these tables stand for, shape (..., S)."""
        return self.flux(x) @ jnp.asarray(self.change, x.dtype)


def noise_tables(model) -> NoiseTables:
    """`NoiseTables` of `model`'s listing (`model.network(0)`) without its fast reactions, checked
    against the model's own slow kinetics at a random state (`SSAError` when they differ)."""
    net, held, _ = _network(model)
    if held:
        raise SSAError(f"held species ({', '.join(held)}) are not supported here")
    lm = local_model(model)
    flat = tuple(model.flat_species(model.state_shape))
    pos = {s: i for i, s in enumerate(flat)}
    fast = set()
    if isinstance(lm, HasFastReactions):
        ia, ib = lm.fast_pairs()
        fast = {frozenset(((flat[a], 1), (flat[b], 1))) for a, b in zip(np.asarray(ia), np.asarray(ib))}
    S, m = len(flat), max([1] + [r.molecularity for r in net.reactions])
    complexes, groups, triples, n_fast = {}, {}, [], 0
    for r in net.reactions:
        if not r.products and frozenset(r.reactants.items()) in fast:
            n_fast += 1
            continue
        nu = np.zeros(S, np.int64)
        for s, n in r.products.items():
            nu[pos[s]] += n
        for s, n in r.reactants.items():
            nu[pos[s]] -= n
        if not nu.any() or r.rate == 0:
            continue
        idx = tuple(sorted(pos[s] for s, n in r.reactants.items() for _ in range(n)))
        c = complexes.setdefault(idx + (S,) * (m - len(idx)), len(complexes))
        g = groups.setdefault(tuple(nu), len(groups))
        triples.append((c, g, r.rate))
    rates = np.zeros((len(complexes), len(groups)))
    for c, g, k in triples:
        rates[c, g] += k
    tables = NoiseTables(np.array(list(complexes), np.int64).reshape(-1, m), rates,
                         np.array(list(groups), np.float64).reshape(-1, S), len(triples), n_fast)
    x = jnp.asarray(np.random.default_rng(0).uniform(0.1, 1.0, S))
    want = np.asarray(_reaction_fn(lm)(0.0, x))
    got = np.asarray(tables.drift(x))
    if not np.allclose(got, want, rtol=1e-9, atol=1e-12 * max(1.0, float(np.abs(want).max()))):
        raise SSAError(f"{type(model).__name__}: its listing's slow reactions do not reproduce its reaction rates "
                       f"(largest difference {np.abs(got - want).max():.3g}); reaction noise cannot be added to it")
    return tables


NOISES = ("gauss", "poisson")


def noisy_grow(model, x0, omega: float, t1: float, dt: float, *, grid: Grid, seed: int = 0, method: str = "rk4",
               clamp: bool = False, diffuse_first: bool = False, fast: bool = True, noise: str = "gauss"):
    """Fields (runs, H, W, S) at `t1`: the card's IMEX step (`imex_step` with `method`, `clamp`,
    `diffuse_first` and, with `fast`, the model's fast reactions to completion, as
    `crnzoo.spatial.simulate_field`) with reaction noise at Ω molecules per unit concentration
    per grid cell (module docstring). `x0` (runs, H, W, S): initial fields in concentration units.
    `noise`: "gauss" (the chemical Langevin equation) or "poisson" (the same variance with the
    Poisson skewness kept: (Poisson(a_g·Ω·dt) − a_g·Ω·dt)/Ω per group; ~8× slower on CPU)."""
    omega = check_omega(omega)
    if noise not in NOISES:
        raise SSAError(f"noise must be one of {', '.join(NOISES)}, got {noise!r}")
    x0 = jnp.asarray(x0, dtype=jnp.float64)
    if x0.ndim != 4:
        raise SSAError(f"x0 must have shape (runs, H, W, S), got {tuple(x0.shape)}")
    n = int(round(t1 / dt))
    if n < 1 or abs(n * dt - t1) > 1e-9 * max(1.0, t1):
        raise SSAError(f"t1 ({t1}) must be a positive whole number of steps dt ({dt})")
    tables = noise_tables(model)
    change = jnp.asarray(tables.change)
    lm = local_model(model)
    react = reaction_update(lm, method, dt)
    factor = diffusion_factor(grid, lm.diffusion_constants(), dt, x0.dtype)
    pairs = lm.fast_pairs() if fast and isinstance(lm, HasFastReactions) else None
    fastp = None if pairs is None else FastPairs(np.asarray(pairs[0]), np.asarray(pairs[1]))
    key = jax.random.PRNGKey(seed)

    def step(x, i):
        def increment(xf):
            a = tables.flux(xf)  # (runs, H·W, G)
            k = jax.random.fold_in(key, i)
            if noise == "poisson":
                lam = a * (omega * dt)
                return ((jax.random.poisson(k, lam, a.shape).astype(a.dtype) - lam) / omega) @ change
            return (jnp.sqrt(a * (dt / omega)) * jax.random.normal(k, a.shape, a.dtype)) @ change

        return imex_step(x, dt, react, factor, grid, method, fastp, clamp, i * dt, diffuse_first, increment), None

    return jax.jit(lambda x: jax.lax.scan(step, x, jnp.arange(n))[0])(x0)
