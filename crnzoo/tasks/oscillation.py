"""Metrics of oscillating trajectories: period, amplitude, mass conservation."""

from __future__ import annotations

import numpy as np


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


def period(ts: np.ndarray, signal: np.ndarray, skip: float = 0.0) -> float:
    """Mean time between upward mean-crossings after time `skip` (NaN if fewer than two)."""
    keep = ts >= skip
    ts, signal = ts[keep], signal[keep]
    c = upward_crossings(ts, signal)
    return float(np.mean(np.diff(c))) if c.size >= 2 else float("nan")


def amplitude(signal: np.ndarray) -> float:
    """Half the peak-to-peak range of `signal`."""
    return float(0.5 * (np.max(signal) - np.min(signal)))
