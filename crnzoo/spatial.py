"""Reaction-diffusion on a 2-D grid: any local reaction network, per-species diffusion.

A field has shape `(*batch, H, W, S)`: S species (channels last, in the model's species
order) on an H×W grid of spacing `dh`. Each species diffuses with its own constant D_s
(area / time), and the model's local mass-action kinetics run in every cell:

    ∂x_s/∂t = D_s ∇²x_s + R_s(x).

One IMEX step of size dt treats the reactions explicitly and diffusion implicitly, with the
linear solve done exactly in a Fourier (periodic) or cosine (no-flux) basis:

    (I − dt D ∇²) x_{n+1} = x_n + dt R(x_n)                          (method "euler")
    (I − dt D ∇²) x_{n+1} = RK4 step of dx/dt = R(x) from x_n         (method "rk4")

(or, with `diffuse_first`, the implicit diffusion solve first and the reaction step on its
result: Lie splitting in the order the reference library uses), followed by the model's
fast reactions (pairwise annihilation x⁺ + x⁻ → ∅ applied to
completion: both drop by their minimum). `∇²` is the 5-point finite-difference Laplacian
(`laplacian="fd5"`, default; its implicit solve keeps concentrations non-negative) or the
pseudo-spectral −|k|² (`"spectral"`, periodic only). Everything is differentiable; steps
run in `lax.scan` segments wrapped in `jax.checkpoint`, so reverse-mode memory grows with
(number of segments + one segment's steps), not with the number of steps.

Models: a `CRNModel`, a `MassActionCRN`, or a `ReactionNetwork` (via `MassAction`). A model
may expose `slow_rhs(t, x, args)` (its rhs without fast reactions), `fast_pairs()` (index
arrays of annihilating species pairs) and `diffusion_constants()` (D per species); the
solver uses them when present.
"""

from __future__ import annotations

import dataclasses
import math
import os
from typing import Any, Callable

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .network import MassAction, ReactionNetwork
from .solve import StateError


BOUNDARIES = ("periodic", "no-flux")
LAPLACIANS = ("fd5", "spectral")
METHODS = ("euler", "rk4")


class SpatialMemoryError(MemoryError):
    """A reaction-diffusion solve would not fit in memory (raised before allocating)."""


@dataclasses.dataclass(frozen=True)
class Grid:
    """A 2-D grid.

    **Fields:**

    - `shape`: (H, W) cells.
    - `dh`: grid spacing (length units; diffusion constants are length² / time).
    - `boundary`: `"periodic"` (default) or `"no-flux"` (zero normal gradient; cell-centred
      mirror, diagonalised by the type-II cosine transform).
    - `laplacian`: `"fd5"` (5-point stencil, default) or `"spectral"` (−|k|², periodic only).
    """

    shape: tuple[int, int]
    dh: float = 1.0
    boundary: str = "periodic"
    laplacian: str = "fd5"

    def __post_init__(self):
        shape = tuple(int(n) for n in self.shape)
        object.__setattr__(self, "shape", shape)
        if len(shape) != 2 or min(shape) < 1:
            raise ValueError(f"a grid needs two positive sizes (H, W), got {self.shape}")
        if not (math.isfinite(self.dh) and self.dh > 0):
            raise ValueError(f"grid spacing dh must be positive, got {self.dh}")
        if self.boundary not in BOUNDARIES:
            raise ValueError(f"boundary must be one of {', '.join(BOUNDARIES)}, got {self.boundary!r}")
        if self.laplacian not in LAPLACIANS:
            raise ValueError(f"laplacian must be one of {', '.join(LAPLACIANS)}, got {self.laplacian!r}")
        if self.laplacian == "spectral" and self.boundary != "periodic":
            raise ValueError("the spectral Laplacian needs periodic boundaries; use laplacian='fd5' with no-flux")

    def symbol(self) -> np.ndarray:
        """Eigenvalues of ∇² in this grid's transform basis, shape of the transformed field (H, W')."""
        H, W = self.shape
        if self.boundary == "periodic":
            ky = np.fft.fftfreq(H) * 2 * np.pi
            kx = np.fft.rfftfreq(W) * 2 * np.pi
            if self.laplacian == "spectral":
                ly, lx = -(ky**2), -(kx**2)
            else:
                ly, lx = 2 * np.cos(ky) - 2, 2 * np.cos(kx) - 2
        else:
            ly = 2 * np.cos(np.pi * np.arange(H) / H) - 2
            lx = 2 * np.cos(np.pi * np.arange(W) / W) - 2
        return (ly[:, None] + lx[None, :]) / self.dh**2

    def forward(self, x):
        """Transform a field `(*batch, H, W, S)` to the basis in which ∇² is diagonal."""
        if self.boundary == "periodic":
            return jnp.fft.rfft2(x, axes=(-3, -2))
        return jax.scipy.fft.dctn(x, type=2, axes=(-3, -2), norm="ortho")

    def inverse(self, y):
        if self.boundary == "periodic":
            return jnp.fft.irfft2(y, s=self.shape, axes=(-3, -2))
        return jax.scipy.fft.idctn(y, type=2, axes=(-3, -2), norm="ortho")

    def laplacian_of(self, x):
        """∇²x by the stencil in real space (the method-of-lines operator; fd5 only)."""
        if self.laplacian != "fd5":
            raise ValueError("laplacian_of is defined for the fd5 stencil")
        if self.boundary == "periodic":
            nb = sum(jnp.roll(x, s, axis=a) for a in (-3, -2) for s in (1, -1))
        else:
            pad = [(0, 0)] * (x.ndim - 3) + [(1, 1), (1, 1), (0, 0)]
            xp = jnp.pad(x, pad, mode="edge")
            nb = xp[..., :-2, 1:-1, :] + xp[..., 2:, 1:-1, :] + xp[..., 1:-1, :-2, :] + xp[..., 1:-1, 2:, :]
        return (nb - 4 * x) / self.dh**2


# ---- models -> local kinetics ------------------------------------------------------------------


class _NetworkModel(eqx.Module):
    """A `ReactionNetwork` as a model (generic mass action)."""

    kinetics: MassAction
    species: tuple[str, ...] = eqx.field(static=True)

    def rhs(self, t, x, args=None):
        return self.kinetics.rhs(t, x, args)


def local_model(model):
    """The object whose `rhs` (or `slow_rhs`) gives the local kinetics of `model`."""
    if isinstance(model, ReactionNetwork):
        return _NetworkModel(model.mass_action(), model.species)
    if not hasattr(model, "rhs") or not hasattr(model, "species"):
        raise TypeError(f"cannot simulate a {type(model).__name__}: give a CRNModel, MassActionCRN or ReactionNetwork")
    return model.for_solver() if hasattr(model, "for_solver") else model


def _reaction_fn(model) -> Callable:
    return getattr(model, "slow_rhs", model.rhs)


def _fast_pairs(model):
    f = getattr(model, "fast_pairs", None)
    return None if f is None else f()


# ---- memory ---------------------------------------------------------------------------------------


def available_memory() -> int:
    """Bytes the default JAX device can still allocate (host RAM available on CPU)."""
    dev = jax.devices()[0]
    if dev.platform != "cpu":
        stats = dev.memory_stats() or {}
        if "bytes_limit" in stats:
            return int(stats["bytes_limit"] - stats.get("bytes_in_use", 0))
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES"))


def estimate_memory(field_shape, n_steps: int, save_every: int, grad: bool = False, itemsize: int = 8, method: str = "rk4") -> int:
    """Rough peak bytes of a solve: saved segment states, plus one checkpointed segment's
    per-step residuals when differentiating (`grad`), plus the step's work arrays.

    Calibrated on CPU: a 256-neuron Hopfield training step (100×100×512 float32 field,
    125 steps, segments of 25) peaked at 8.2 GiB resident; this estimate gives 7.7 GiB.
    """
    state = int(np.prod(field_shape)) * itemsize
    per_step = 15 if method == "rk4" else 6  # RK4 stages, clamp masks, transforms kept for the backward pass
    n_seg = max(n_steps // max(save_every, 1), 1)
    total = state * (n_seg + 1) + state * 16
    if grad:
        total += state * (n_seg + 1) + state * save_every * per_step
    return int(total)


def check_memory(field_shape, n_steps: int, save_every: int, grad: bool = False, itemsize: int = 8, method: str = "rk4", limit: int | None = None) -> int:
    """Raise `SpatialMemoryError` (saying how much is needed) if a solve would not fit; returns the estimate."""
    need = estimate_memory(field_shape, n_steps, save_every, grad, itemsize, method)
    have = available_memory() if limit is None else int(limit)
    if need > have:
        raise SpatialMemoryError(
            f"a reaction-diffusion {'training ' if grad else ''}solve of a field of shape {tuple(field_shape)} "
            f"({n_steps} steps, saving every {save_every}) needs about {need / 2**30:.2f} GiB but only "
            f"{have / 2**30:.2f} GiB is available; use a smaller grid, batch or species count, or fewer saved states"
        )
    return need


# ---- the step -------------------------------------------------------------------------------------


def imex_step(x, dt, react: Callable, diff_factor, grid: Grid, method: str = "rk4", fast=None, clamp: bool = False, t=0.0, diffuse_first: bool = False):
    """One IMEX step of a field `x` (*batch, H, W, S).

    `react(t, x)` is the local reaction rate; `diff_factor` = 1 / (1 − dt D_s λ) on the
    transform grid (H, W', S); `fast` = (ia, ib) annihilating species index pairs or None;
    `clamp` applies max(·, 0) after the reaction update (the reference's relu-clamped RK4);
    `diffuse_first` does the implicit diffusion solve before the reaction update (Lie
    splitting in the reference's order) instead of after it.
    """
    if diffuse_first:
        x = grid.inverse(grid.forward(x) * diff_factor).astype(x.dtype)
    if method == "euler":
        y = x + dt * react(t, x)
    elif method == "rk4":
        k1 = react(t, x)
        k2 = react(t + dt / 2, x + dt / 2 * k1)
        k3 = react(t + dt / 2, x + dt / 2 * k2)
        k4 = react(t + dt, x + dt * k3)
        y = x + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    else:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if clamp:
        y = jnp.maximum(y, 0.0)
    if not diffuse_first:
        y = grid.inverse(grid.forward(y) * diff_factor).astype(x.dtype)
    if fast is not None:
        ia, ib = fast
        m = jnp.minimum(y[..., ia], y[..., ib])
        y = y.at[..., ia].add(-m).at[..., ib].add(-m)
    return y


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
    - `method`: reaction integrator `"rk4"` or `"euler"`; `clamp`: max(·, 0) after it.
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
        if not hasattr(lm, "diffusion_constants"):
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
    pairs = _fast_pairs(lm) if fast else None
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
    react = _reaction_fn(lm)
    factor = diffusion_factor(grid, diffusion, dt, x0.dtype)
    fast = None if pairs is None else (jnp.asarray(pairs[0]), jnp.asarray(pairs[1]))

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
