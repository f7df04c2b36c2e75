"""What the oscillator and waveform families share: measurements of oscillating signals and
the settings of the learned 5-species catalytic oscillators (Mordvintsev et al. 2023 §3,
App. B.2).

Time and concentration are dimensionless throughout.

- Measurements (NumPy, on trajectories from adaptive solves): `mass_drift`,
  `upward_crossings`, `period`, `half_range`, `amplitude`, `frequency`, `keeps_oscillating`, `mse`.
- Learned oscillators: the loss grid (`train_grid`: 200 times on [0, 100]), the fixed-step
  training solver and the adaptive evaluation solver, the sparsification threshold
  `K_MIN`, the optimiser settings `TRAIN`, and the catalytic helpers (`random_logits`, `catalytic_config`, `shipped`, `dense`).
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from ..crn import CatalyticCRN
from ..solve import integrate
from ..solvers.config import SolverConfig
from ..train import TrainConfig


K_MIN = 1e-3  # straight-through sparsification threshold; the shipped dynamics are sparsified at it
T_MAX = 100.0  # training horizon
N_T = 200  # loss times on [0, T_MAX]
TRAIN_SOLVER = SolverConfig("tsit5", dt=0.5, max_steps=4096)
EVAL_SOLVER = SolverConfig("tsit5", rtol=1e-8, atol=1e-10, max_steps=65536)
# Optimiser settings of the learned oscillators (the waveform entries' own; the controlled
# oscillators derive theirs): Adam 3e-2 → 1e-3, per-member clip 1, straight-through at K_MIN.
TRAIN = TrainConfig(
    steps=3000,
    batch_size=1,
    lr=3e-2,
    lr_end=1e-3,
    clip=1.0,
    seed=0,
    sparsify="straight_through",
    k_min=K_MIN,
    reg={"entropy": 1e-3},
    checkpoint_every=500,
)


# ---- measurements ---------------------------------------------------------------------------


def mass_drift(ys: np.ndarray) -> float:
    """Largest |Σx(t) − Σx(0)| over a trajectory `ys` of shape (T, N)."""
    total = ys.reshape(ys.shape[0], -1).sum(axis=1)
    return float(np.max(np.abs(total - total[0])))


def upward_crossings(ts: np.ndarray, signal: np.ndarray, level: float | None = None) -> np.ndarray:
    """Times (linearly interpolated) at which `signal` rises through `level` (default: its mean)."""
    level = float(np.mean(signal)) if level is None else level
    s = signal - level
    i = np.nonzero((s[:-1] < 0) & (s[1:] >= 0))[0]
    frac = -s[i] / (s[i + 1] - s[i])
    return ts[i] + frac * (ts[i + 1] - ts[i])


def period(ts: np.ndarray, signal: np.ndarray) -> float:
    """Mean time between upward mean-crossings (NaN if fewer than two)."""
    c = upward_crossings(ts, signal)
    return float(np.mean(np.diff(c))) if c.size >= 2 else float("nan")


def half_range(signal) -> float:
    """Half the peak-to-peak range of `signal`."""
    signal = np.asarray(signal)
    return float(0.5 * (np.max(signal) - np.min(signal)))


def amplitude(ts: np.ndarray, x: np.ndarray, t_from: float = 0.0, t_to: float | None = None) -> float:
    """Half peak-to-peak range of `x` on [t_from, t_to] (default: to the end)."""
    ts, x = np.asarray(ts), np.asarray(x)
    keep = (ts >= t_from) & (ts <= (ts[-1] if t_to is None else t_to))
    return half_range(x[keep])


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
    if min_amplitude > 0 and half_range(x[late]) < min_amplitude:
        return 0.0
    p = period(ts[keep], x[keep])
    return float(1.0 / p) if np.isfinite(p) and p > 0 else 0.0


def keeps_oscillating(ts: np.ndarray, x: np.ndarray, t_max: float, target_amp: float, frac: float = 0.25) -> bool:
    """Whether `x` still oscillates after the training horizon.

    True when, on [t_max, 2·t_max], `x` crosses its mean upwards at least twice and its
    half peak-to-peak range on the last half of that window, [1.5·t_max, 2·t_max], is at
    least `frac` × the target's half peak-to-peak range.
    """
    ts, x = np.asarray(ts), np.asarray(x)
    win = (ts >= t_max) & (ts <= 2 * t_max)
    late = (ts >= 1.5 * t_max) & (ts <= 2 * t_max)
    crossings = upward_crossings(ts[win], x[win]).size
    return bool(crossings >= 2 and half_range(x[late]) >= frac * target_amp)


def mse(x, target) -> float:
    """Mean squared error between a sampled signal and its target."""
    return float(np.mean((np.asarray(x) - np.asarray(target)) ** 2))


# ---- learned catalytic oscillators ----------------------------------------------------------


def train_grid(t_max: float = T_MAX, n: int = N_T) -> np.ndarray:
    """The `n` evenly spaced loss times on [0, t_max] (both ends included)."""
    return np.linspace(0.0, t_max, n)


def solve(model, y0, ts, solver: SolverConfig):
    """`(ys, ok)`: `model` from the batch of states `y0` (B, N), observed at `ts` from t = 0."""
    ys, _, ok, *_ = integrate(model, y0, jnp.asarray(ts), jnp.asarray(0.0, ts.dtype), solver)
    return ys, ok


def random_logits(key, n: int, scale: float):
    """A random initial tensor W ~ N(0, scale²) of shape (n, n, n)."""
    return scale * jax.random.normal(key, (n, n, n))


def catalytic_config(species, roles, fixed=(), train_x0: bool = False, x0_total: float | None = None) -> dict:
    """The card config (`catalytic` builder) of a learned oscillator: sparsified at `K_MIN`."""
    return {
        "species": list(species),
        "fixed": list(fixed),
        "roles": list(roles),
        "k_min": K_MIN,
        "train_x0": train_x0,
        "x0_total": x0_total,
    }


def shipped(crn: CatalyticCRN, config: dict) -> CatalyticCRN:
    """`crn` with exactly the registered config's static fields (k_min set: sparsified dynamics)."""
    return CatalyticCRN(
        jnp.asarray(crn.logits, dtype=jnp.float64),
        jnp.asarray(crn.x0, dtype=jnp.float64),
        tuple(config["species"]),
        fixed=tuple(config["fixed"]),
        k_min=config["k_min"],
        roles=tuple(config["roles"]),
        train_x0=config["train_x0"],
        x0_total=config["x0_total"],
    )


def dense(model: CatalyticCRN) -> CatalyticCRN:
    """The same parameters without sparsification (the dense tensor T)."""
    return dataclasses.replace(model, k_min=None, hard_sparsity=False)
