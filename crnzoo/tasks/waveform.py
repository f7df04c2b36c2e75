"""Waveform targets, losses and metrics for the oscillator family.

Mordvintsev et al. 2023 §3 (waveform matching) and App. B.2 (dynamically controllable
oscillators); the paper gives no numbers for these systems, so every target below is the
proposal of `../shared/reference/paper-targets.md` §A.2–A.3:

- `square_wave`: 0 ↔ 0.5, period 25, duty 0.5, starting high, on [0, t_max = 100].
- `three_peaks`: Gaussian bumps at t = 15, 45, 75 with heights 0.6, 0.4, 0.2 and σ = 4.
- frequency control: x0(t) = 0.25 + 0.25·sin(2π f t) with f = u / 20, u ∈ [0.5, 2].
- amplitude control: x0(t) = a·(0.5 + 0.5·cos(2π t / 20)), a = x0(0).

Losses (`WaveformTask`, `FrequencyTask`, `AmplitudeTask`) follow `crnzoo.train.Task`: they
solve with `crnzoo.solve.integrate` (fixed steps in training) and return
`(loss, {"ok": ...})`. Metrics (`waveform_mse`, `keeps_oscillating`, `frequency`,
`amplitude`) work on NumPy trajectories from adaptive solves.
"""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from ..solve import SolverConfig, integrate
from . import oscillation


T_MAX = 100.0
N_T = 200
TRAIN_SOLVER = SolverConfig("tsit5", dt=0.5, max_steps=4096)


# ---- targets -------------------------------------------------------------------------------


def square_wave(t, low: float = 0.0, high: float = 0.5, period: float = 25.0, duty: float = 0.5):
    """`high` for the first `duty` of each period (starting at t = 0), else `low`."""
    t = np.asarray(t, dtype=np.float64)
    return np.where(np.mod(t, period) < duty * period, high, low)


def three_peaks(t, centres=(15.0, 45.0, 75.0), heights=(0.6, 0.4, 0.2), sigma: float = 4.0):
    """A sum of Gaussian bumps of decreasing height."""
    t = np.asarray(t, dtype=np.float64)[..., None]
    c, h = np.asarray(centres), np.asarray(heights)
    return np.sum(h * np.exp(-0.5 * ((t - c) / sigma) ** 2), axis=-1)


TARGETS = {"square": square_wave, "peaks": three_peaks}
TARGET_TEXT = {
    "square": "square wave 0 ↔ 0.5, period 25, duty 0.5 (high first)",
    "peaks": "three Gaussian peaks at t = 15, 45, 75, heights 0.6 / 0.4 / 0.2, σ = 4",
}


def train_grid(t_max: float = T_MAX, n: int = N_T) -> np.ndarray:
    """The `n` evenly spaced loss times on [0, t_max] (both ends included)."""
    return np.linspace(0.0, t_max, n)


def target_amplitude(values) -> float:
    """Half the peak-to-peak range of a target."""
    return oscillation.amplitude(np.asarray(values))


def read_csv(path) -> tuple[np.ndarray, np.ndarray]:
    """Read a user's waveform: two columns `t,value` (a header row is optional).

    Rows are sorted by time; times must be ≥ 0, finite and distinct, values finite.
    Raises `ValueError` naming the problem.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no waveform file at {path}")
    rows = []
    with path.open(newline="") as f:
        for i, row in enumerate(csv.reader(f), 1):
            cells = [c.strip() for c in row if c.strip()]
            if not cells or cells[0].startswith("#"):
                continue
            if len(cells) != 2:
                raise ValueError(f"{path}:{i}: expected two columns t,value, got {len(cells)}")
            try:
                rows.append((float(cells[0]), float(cells[1])))
            except ValueError:
                if rows or i > 1:
                    raise ValueError(f"{path}:{i}: not numbers: {','.join(cells)}") from None
                continue  # header
    if len(rows) < 2:
        raise ValueError(f"{path}: a waveform needs at least two rows of t,value")
    data = np.asarray(sorted(rows), dtype=np.float64)
    t, v = data[:, 0], data[:, 1]
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(v))):
        raise ValueError(f"{path}: times and values must be finite")
    if t[0] < 0 or np.any(np.diff(t) <= 0):
        raise ValueError(f"{path}: times must be >= 0 and distinct")
    return t, v


# ---- losses ---------------------------------------------------------------------------------


def _solve(model, y0, ts, solver):
    ys, _, ok, *_ = integrate(model, y0, jnp.asarray(ts), jnp.asarray(0.0, ts.dtype), solver)
    return ys, ok


@dataclasses.dataclass(frozen=True, eq=False)
class WaveformTask:
    """Match species `index` of a model started from its own `x0` to a sampled target.

    Loss: mean squared error on the sample times (Mordvintsev et al. 2023 §3, L_f).
    `batch` ignores its key: the target is one fixed waveform.
    """

    ts: np.ndarray
    target: np.ndarray
    solver: SolverConfig = TRAIN_SOLVER
    index: int = 0

    @classmethod
    def named(cls, name: str, t_max: float = T_MAX, n: int = N_T, **kw) -> "WaveformTask":
        ts = train_grid(t_max, n)
        return cls(ts, TARGETS[name](ts), **kw)

    @classmethod
    def from_csv(cls, path, **kw) -> "WaveformTask":
        t, v = read_csv(path)
        return cls(t, v, **kw)

    def batch(self, key, size):
        return jnp.asarray(self.target)

    def loss(self, model, target):
        ys, ok = _solve(model, model.x0[None], jnp.asarray(self.ts), self.solver)
        err = ys[:, 0, self.index] - target
        return jnp.mean(err**2), {"ok": ok}


@dataclasses.dataclass(frozen=True, eq=False)
class FrequencyTask:
    """Frequency control: species `index` should follow mean + amp·sin(2π u t / period0 + φ).

    Each batch member draws a control level u (stratified over [u_min, u_max]; species
    `control` of the initial state is set to u and never changes, being a catalyst only).
    The loss is the mean squared error on the `n` loss times in [0, t_max] that are
    ≥ `t_skip`, from the model's own `x0`:

    - `phase_free=False`: against the target with φ = 0 (phase locked at t = 0);
    - `phase_free=True`: against the target with the best phase φ for that member, in
      closed form: mean(d²) − 2·amp·|(mean(d sin ωt), mean(d cos ωt))| + amp²/2 with
      d = x − mean. An oscillation at the right frequency but another phase is not
      penalised, so a slightly-off frequency is never worse than no oscillation.
    """

    control: int
    u_min: float = 0.5
    u_max: float = 2.0
    period0: float = 20.0
    mean: float = 0.25
    amp: float = 0.25
    t_max: float = T_MAX
    n: int = N_T
    t_skip: float = 0.0
    phase_free: bool = False
    solver: SolverConfig = TRAIN_SOLVER
    index: int = 0

    def target(self, u, ts):
        return self.mean + self.amp * jnp.sin(2 * jnp.pi * jnp.asarray(u)[..., None] * ts / self.period0)

    def batch(self, key, size):
        # Stratified draws: every batch covers the whole control range.
        edges = jnp.linspace(self.u_min, self.u_max, size + 1)
        return edges[:-1] + (edges[1:] - edges[:-1]) * jax.random.uniform(key, (size,))

    def loss(self, model, u):
        grid = train_grid(self.t_max, self.n)
        ts = jnp.asarray(grid)
        y0 = jnp.broadcast_to(model.x0, (u.shape[0], model.x0.shape[0])).at[:, self.control].set(u)
        ys, ok = _solve(model, y0, ts, self.solver)
        keep = np.nonzero(grid >= self.t_skip)[0]
        x = ys[keep, :, self.index].T  # (batch, times)
        t = ts[keep]
        if not self.phase_free:
            return jnp.mean((x - self.target(u, t)) ** 2), {"ok": ok}
        d = x - self.mean
        w = 2 * jnp.pi * u[:, None] * t / self.period0
        r = jnp.sqrt(jnp.mean(d * jnp.sin(w), axis=1) ** 2 + jnp.mean(d * jnp.cos(w), axis=1) ** 2 + 1e-12)
        return jnp.mean(jnp.mean(d**2, axis=1) - 2 * self.amp * r + 0.5 * self.amp**2), {"ok": ok}


@dataclasses.dataclass(frozen=True, eq=False)
class AmplitudeTask:
    """Amplitude control: species `index` should follow a·(0.5 + 0.5·cos(2π t / period)).

    Each batch member draws a ~ U[a_min, a_max] and starts from the model's `x0` with
    species `index` set to a, so the amplitude is carried by the initial concentration.
    """

    a_min: float = 0.2
    a_max: float = 0.6
    period: float = 20.0
    t_max: float = T_MAX
    n: int = N_T
    solver: SolverConfig = TRAIN_SOLVER
    index: int = 0

    def target(self, a, ts):
        return jnp.asarray(a)[..., None] * (0.5 + 0.5 * jnp.cos(2 * jnp.pi * ts / self.period))

    def batch(self, key, size):
        edges = jnp.linspace(self.a_min, self.a_max, size + 1)
        return edges[:-1] + (edges[1:] - edges[:-1]) * jax.random.uniform(key, (size,))

    def loss(self, model, a):
        ts = jnp.asarray(train_grid(self.t_max, self.n))
        y0 = jnp.broadcast_to(model.x0, (a.shape[0], model.x0.shape[0])).at[:, self.index].set(a)
        ys, ok = _solve(model, y0, ts, self.solver)
        err = ys[:, :, self.index] - self.target(a, ts).T
        return jnp.mean(err**2), {"ok": ok}


# ---- metrics --------------------------------------------------------------------------------


def waveform_mse(x: np.ndarray, target: np.ndarray) -> float:
    """Mean squared error between a sampled signal and its target."""
    return float(np.mean((np.asarray(x) - np.asarray(target)) ** 2))


def keeps_oscillating(ts: np.ndarray, x: np.ndarray, t_max: float, target_amp: float, frac: float = 0.25) -> bool:
    """Whether `x` still oscillates after the training horizon.

    True when, on [t_max, 2·t_max], `x` crosses its mean upwards at least twice and its
    half peak-to-peak range on the last half of that window, [1.5·t_max, 2·t_max], is at
    least `frac` × the target's half peak-to-peak range.
    """
    ts, x = np.asarray(ts), np.asarray(x)
    win = (ts >= t_max) & (ts <= 2 * t_max)
    late = (ts >= 1.5 * t_max) & (ts <= 2 * t_max)
    crossings = oscillation.upward_crossings(ts[win], x[win]).size
    return bool(crossings >= 2 and oscillation.amplitude(x[late]) >= frac * target_amp)


def frequency(ts: np.ndarray, x: np.ndarray, t_from: float = 0.0, t_to: float | None = None, min_amplitude: float = 0.0) -> float:
    """Oscillation frequency of `x` on [t_from, t_to]: 1 / mean time between upward crossings
    of the signal's mean on that window.

    Returns 0.0 (no oscillation) with fewer than two crossings, or when the half
    peak-to-peak range on the last half of the window is below `min_amplitude` (a damped
    oscillation that has died out, whose crossings are round-off).
    """
    ts, x = np.asarray(ts), np.asarray(x)
    t_to = ts[-1] if t_to is None else t_to
    keep = (ts >= t_from) & (ts <= t_to)
    late = (ts >= 0.5 * (t_from + t_to)) & (ts <= t_to)
    if min_amplitude > 0 and oscillation.amplitude(x[late]) < min_amplitude:
        return 0.0
    p = oscillation.period(ts[keep], x[keep])
    return float(1.0 / p) if np.isfinite(p) and p > 0 else 0.0


def amplitude(ts: np.ndarray, x: np.ndarray, t_from: float = 0.0, t_to: float | None = None) -> float:
    """Half peak-to-peak range of `x` on [t_from, t_to]."""
    ts, x = np.asarray(ts), np.asarray(x)
    keep = (ts >= t_from) & (ts <= (ts[-1] if t_to is None else t_to))
    return oscillation.amplitude(x[keep])
