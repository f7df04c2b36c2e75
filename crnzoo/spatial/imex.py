"""Reaction-diffusion on a 2-D grid: any local reaction network, per-species diffusion.

A field has shape `(*batch, H, W, S)`: S species (channels last, in the model's species
order) on an H×W grid of spacing `dh`. Each species diffuses with its own constant D_s
(area / time), and the model's local mass-action kinetics run in every cell:

    ∂x_s/∂t = D_s ∇²x_s + R_s(x).

One IMEX step of size dt treats the reactions explicitly and diffusion implicitly, with the
linear solve done exactly in a Fourier (periodic) or cosine (no-flux) basis:

    (I − dt D ∇²) x_{n+1} = x_n + dt R(x_n)                          (method "euler")
    (I − dt D ∇²) x_{n+1} = RK4 step of dx/dt = R(x) from x_n         (method "rk4")
    (I − dt D ∇²) x_{n+1} = Φ_dt(x_n)                                  (method "split")

where Φ_dt is the model's own update of its reactions by exactly solved sub-flows (capability
`HasSplitFlow`; the Hopfield network's: Strang splitting of its linear production and cubic
degradation), stable for any dt and positivity-preserving, so no clamp is needed
(or, with `diffuse_first`, the implicit diffusion solve first and the reaction step on its
result: Lie splitting in the order the reference library uses), followed by the model's
fast reactions (pairwise annihilation x⁺ + x⁻ → ∅ applied to
completion: both drop by their minimum). `∇²` is the 5-point finite-difference Laplacian
(`laplacian="fd5"`, default; its implicit solve keeps concentrations non-negative) or the
pseudo-spectral −|k|² (`"spectral"`, periodic only). Everything is differentiable; steps
run in `lax.scan` segments wrapped in `jax.checkpoint`, so reverse-mode memory grows with
(number of segments + one segment's steps), not with the number of steps.

Models: a `CRNModel` (e.g. `MassActionCRN`) or a `ReactionNetwork` (as a `MassActionCRN`).
The module its `for_solver()` returns may have the capabilities of
`crnzoo.spatial.capabilities`: `HasFastReactions` (`slow_rhs` without the fast reactions,
`fast_pairs()` annihilating species index pairs) and `HasDiffusion` (`diffusion_constants()`,
the default D per species).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np

from ..crn.base import CRNModel
from ..crn.mass_action import MassActionCRN
from ..network import ReactionNetwork
from ..solvers.config import StateError
from .capabilities import HasDiffusion, HasFastReactions, HasSplitFlow
from .grid import Grid
from .memory import check_memory


METHODS = ("euler", "rk4", "split")


def local_model(model):
    """The module that solvers run for `model`: its `for_solver()` (a `ReactionNetwork` as
    a `MassActionCRN`); its `rhs` (or `slow_rhs`) gives the local kinetics."""
    if isinstance(model, ReactionNetwork):
        model = MassActionCRN.from_network(model)
    if not isinstance(model, CRNModel):
        raise TypeError(f"cannot simulate a {type(model).__name__}: give a CRNModel, MassActionCRN or ReactionNetwork")
    return model.for_solver()


def _reaction_fn(model) -> Callable:
    """The explicitly integrated reactions: all of `rhs`, or `slow_rhs` when the fast ones are applied apart."""
    return model.slow_rhs if isinstance(model, HasFastReactions) else model.rhs


def reaction_update(model, method: str, dt: float) -> Callable:
    """The `react` argument of `imex_step` for `method`: the reaction rate `react(t, x)`, or for
    "split" the model's step map `react(t, x)` = x(t + dt) (`HasSplitFlow.split_flow`, built once)."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if method != "split":
        return _reaction_fn(model)
    if not isinstance(model, HasSplitFlow):
        raise ValueError(f"method 'split' needs a model whose reactions split into exactly solved flows; {type(model).__name__} has none: use 'rk4'")
    flow = model.split_flow(dt)
    return lambda t, x: flow(x)


# ---- the step -------------------------------------------------------------------------------------


def imex_step(x, dt, react: Callable, diff_factor, grid: Grid, method: str = "rk4", fast=None, clamp: bool = False, t=0.0, diffuse_first: bool = False, noise: Callable | None = None):
    """One IMEX step of a field `x` (*batch, H, W, S).

    `react(t, x)` is the local reaction rate (for "split", the step map x(t) ↦ x(t + dt):
    `reaction_update`); `diff_factor` = 1 / (1 − dt D_s λ) on the
    transform grid (H, W', S); `fast` = `FastPairs` or None;
    `clamp` applies max(·, 0) after the reaction update (the reference's relu-clamped RK4);
    `diffuse_first` does the implicit diffusion solve before the reaction update (Lie
    splitting in the reference's order) instead of after it; `noise(xf)` (optional) is an
    increment added to the reaction update before the clamp, from the field `xf` (*batch,
    H·W, S) the reactions started from (`crnzoo.ssa.spatial_cle`: reaction noise).

    The reactions run on the field viewed as (*batch, H·W, S): the kinetics are local, and a
    2-D operand lets XLA lower the model's matrix products (and their transposes in a
    gradient) as plain GEMMs, about twice as fast in reverse mode as on the 3-D field.
    """
    if diffuse_first:
        x = grid.inverse(grid.forward(x) * diff_factor).astype(x.dtype)
    shape = x.shape
    xf = x.reshape(*shape[:-3], shape[-3] * shape[-2], shape[-1])
    if method == "euler":
        y = xf + dt * react(t, xf)
    elif method == "rk4":
        k1 = react(t, xf)
        k2 = react(t + dt / 2, xf + dt / 2 * k1)
        k3 = react(t + dt / 2, xf + dt / 2 * k2)
        k4 = react(t + dt, xf + dt * k3)
        y = xf + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    elif method == "split":
        y = react(t, xf)
    else:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if noise is not None:
        y = y + noise(xf)
    if clamp:
        y = jnp.maximum(y, 0.0)
    y = y.reshape(shape)
    if not diffuse_first:
        y = grid.inverse(grid.forward(y) * diff_factor).astype(x.dtype)
    if fast is not None:
        y = fast.annihilate(y)
    return y


@dataclasses.dataclass(frozen=True)
class FastPairs:
    """Pairwise annihilations x_a + x_b → ∅ applied to completion (both drop by their minimum).

    - `ia`, `ib`: species index arrays of the pairs (length P).

    When `ia` and `ib` are two disjoint runs of consecutive indices (the dual-rail layout
    x⁺_0..x⁺_{N−1}, x⁻_0..x⁻_{N−1}), `annihilate` works on slices and zero-padding, whose
    transposes are slices too; otherwise it uses gathers and scatter-adds, which cost several
    times more on CPU (in a gradient above all).
    """

    ia: np.ndarray
    ib: np.ndarray

    def _runs(self):
        ia, ib = np.asarray(self.ia), np.asarray(self.ib)
        p = len(ia)
        if p == 0 or len(ib) != p:
            return None
        a, b = int(ia[0]), int(ib[0])
        if not (np.array_equal(ia, a + np.arange(p)) and np.array_equal(ib, b + np.arange(p))):
            return None
        if a < b + p and b < a + p:  # overlapping runs
            return None
        return a, b, p

    def annihilate(self, y):
        runs = self._runs()
        if runs is None:
            ia, ib = np.asarray(self.ia), np.asarray(self.ib)
            m = jnp.minimum(y[..., ia], y[..., ib])
            return y.at[..., ia].add(-m).at[..., ib].add(-m)
        a, b, p = runs
        S = y.shape[-1]
        m = jnp.minimum(y[..., a : a + p], y[..., b : b + p])
        lead = [(0, 0)] * (y.ndim - 1)
        return y - jnp.pad(m, lead + [(a, S - a - p)]) - jnp.pad(m, lead + [(b, S - b - p)])


def diffusion_factor(grid: Grid, diffusion, dt: float, dtype=jnp.float64):
    """1 / (1 − dt D_s λ(k)) for every transform mode and species, shape (H, W', S)."""
    lam = jnp.asarray(grid.symbol(), dtype=dtype)
    D = jnp.asarray(diffusion, dtype=dtype)
    return 1.0 / (1.0 - dt * lam[..., None] * D)


@dataclasses.dataclass(frozen=True)
class RDSolution:
    """Saved states of a reaction-diffusion solve.

    - `ts`: save times, shape (n_save,).
    - `xs`: fields at those times, shape (*batch, n_save, H, W, S) (a JAX array).
    - `species`: species names along the last axis.
    """

    ts: np.ndarray
    xs: Any
    species: tuple[str, ...]

    @property
    def final(self):
        return self.xs[..., -1, :, :, :]


def _n_steps(t1: float, dt: float) -> int:
    if not (math.isfinite(t1) and t1 > 0 and math.isfinite(dt) and dt > 0):
        raise ValueError(f"t1 and dt must be positive (got t1={t1}, dt={dt})")
    n = round(t1 / dt)
    if abs(n * dt - t1) > 1e-9 * max(1.0, t1):
        raise ValueError(f"t1 = {t1} is not a whole number of steps dt = {dt}")
    return int(n)


def simulate_field(
    model,
    x0,
    t1: float,
    dt: float,
    *,
    grid: Grid | None = None,
    diffusion=None,
    save_every: int | None = None,
    method: str = "rk4",
    clamp: bool = False,
    fast: bool = True,
    checkpoint: bool = True,
    check: bool = True,
    negative_tol: float = 1e-8,
    diffuse_first: bool = False,
    grad: bool = False,
    memory_limit: int | None = None,
) -> RDSolution:
    """Simulate the reaction-diffusion PDE of `model` from the field `x0` to time `t1`.

    **Arguments:**

    - `model`: a `CRNModel` / `MassActionCRN` / `ReactionNetwork` (its local kinetics).
    - `x0`: initial field, shape `(*batch, H, W, S)`.
    - `t1`, `dt`: end time and step (t1 must be a whole number of steps).
    - `grid`: the `Grid` (default: periodic, spacing 1, fd5, shape from `x0`).
    - `diffusion`: D per species, shape (S,) (default: `model.diffusion_constants()`).
    - `save_every`: steps per saved state; each segment is one `jax.checkpoint`-ed scan
      (default ≈ √steps, rounded to a divisor of the step count).
    - `method`: reaction integrator `"rk4"`, `"euler"` or `"split"` (the model's exactly solved
      sub-flows, `HasSplitFlow`); `clamp`: max(·, 0) after it.
    - `diffuse_first`: solve diffusion before the reactions in each step (the reference's
      order) rather than after them (the IMEX-Euler order, default).
    - `fast`: apply the model's fast reactions (`fast_pairs()`), if it has any.
    - `check`: (outside tracing) refuse a bad `x0`, and raise `StateError` if any saved
      state is NaN or below −`negative_tol`.
    - `grad`: size the memory estimate for reverse-mode differentiation.

    **Raises:** `SpatialMemoryError` (before allocating) when the solve would not fit,
    `StateError` for bad input or a solve that leaves the non-negative orthant.
    """
    lm = local_model(model)
    species = tuple(lm.species)
    S = len(species)
    x0 = jnp.asarray(x0)
    if x0.ndim < 3 or x0.shape[-1] != S:
        raise StateError(f"a field must have shape (*batch, H, W, {S}) for species {', '.join(species)}; got {tuple(x0.shape)}")
    if not jnp.issubdtype(x0.dtype, jnp.floating):
        x0 = x0.astype(jnp.float64)
    grid = grid or Grid(x0.shape[-3:-1])
    if tuple(x0.shape[-3:-1]) != grid.shape:
        raise StateError(f"field grid {tuple(x0.shape[-3:-1])} differs from the grid {grid.shape}")
    if diffusion is None:
        if not isinstance(lm, HasDiffusion):
            raise ValueError("give diffusion constants (one per species): this model has none")
        diffusion = lm.diffusion_constants()
    diffusion = jnp.asarray(diffusion, dtype=x0.dtype)
    if diffusion.shape != (S,):
        raise ValueError(f"diffusion must have one constant per species ({S}), got shape {tuple(diffusion.shape)}")
    n = _n_steps(t1, dt)
    if save_every is None:
        save_every = max(d for d in range(1, int(math.isqrt(n)) + 1) if n % d == 0)
        if save_every < math.isqrt(n) // 4:  # awkward step count: one segment per step is wasteful
            save_every = n
    save_every = int(save_every)
    if save_every < 1 or n % save_every:
        raise ValueError(f"save_every ({save_every}) must divide the number of steps ({n})")
    concrete = not isinstance(x0, jax.core.Tracer)
    check_memory(x0.shape, n, save_every, grad, x0.dtype.itemsize, method, memory_limit)
    if check and concrete:
        xn = np.asarray(x0)
        if not np.all(np.isfinite(xn)):
            raise StateError("initial field contains NaN or inf")
        if np.any(xn < 0):
            raise StateError(f"initial field has a negative concentration ({xn.min():.4g}); concentrations must be >= 0")
    pairs = lm.fast_pairs() if fast and isinstance(lm, HasFastReactions) else None
    xs = _solve(lm, x0, diffusion, float(dt), n // save_every, save_every, grid, method, bool(clamp), pairs, bool(checkpoint), bool(diffuse_first))
    ts = np.arange(n // save_every + 1) * save_every * float(dt)
    if check and not isinstance(xs, jax.core.Tracer):
        lo = float(jnp.min(xs))
        if not math.isfinite(lo) or not bool(jnp.all(jnp.isfinite(xs))):
            raise StateError(f"the reaction-diffusion solve of {type(model).__name__} produced NaN or inf (reduce dt)")
        if lo < -negative_tol:
            raise StateError(
                f"the reaction-diffusion solve left the non-negative orthant (minimum {lo:.3g} < -{negative_tol:g}); "
                "reduce dt or use clamp=True"
            )
    return RDSolution(ts, xs, species)


def _solve(lm, x0, diffusion, dt, n_seg, seg_len, grid, method, clamp, pairs, use_checkpoint, diffuse_first=False):
    react = reaction_update(lm, method, dt)
    factor = diffusion_factor(grid, diffusion, dt, x0.dtype)
    fast = None if pairs is None else FastPairs(np.asarray(pairs[0]), np.asarray(pairs[1]))

    def segment(x, i):
        def body(y, j):
            t = (i * seg_len + j) * dt
            return imex_step(y, dt, react, factor, grid, method, fast, clamp, t, diffuse_first), None

        y, _ = jax.lax.scan(body, x, jnp.arange(seg_len))
        return y

    if use_checkpoint:
        segment = jax.checkpoint(segment)

    def outer(x, i):
        y = segment(x, i)
        return y, y

    _, ys = jax.lax.scan(outer, x0, jnp.arange(n_seg))
    xs = jnp.concatenate([x0[None], ys], axis=0)
    return jnp.moveaxis(xs, 0, x0.ndim - 3)


def mol_rhs(model, grid: Grid, diffusion):
    """The method-of-lines right-hand side f(t, x) = D ∇²x + R(x) (fd5 stencil; fast
    reactions not included) — for cross-checking the IMEX solver with an ODE solver."""
    lm = local_model(model)
    react = _reaction_fn(lm)
    D = jnp.asarray(diffusion)

    def f(t, x, args=None):
        return react(t, x) + D * grid.laplacian_of(x)

    return f
