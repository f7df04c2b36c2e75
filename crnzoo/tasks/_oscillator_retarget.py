"""Retargeting `oscillator-frequency` to another frequency map f = U / P by rescaling time.

Mass action has no clock of its own: multiplying every rate constant by s multiplies every
frequency by s. The shipped oscillator follows f = U / 20, so the network with every rate
times s = 20 / P follows f = U / P exactly — at every control level, with the same amplitude
and the same response to a mid-run switch, seen on a time axis stretched by P / 20. A
`CatalyticCRN`'s rates are the off-diagonal entries of its row-stochastic tensor P (each row
sums to 1, the diagonal being "no reaction"), so the rescaled tensor keeps the diagonal's
share: P'[c, a, b] = s·P[c, a, b] (b ≠ a), P'[c, a, a] = 1 − s·Σ_b≠a P[c, a, b]. It exists
whenever every row's reaction mass times s is ≤ 1 (always for slowing down, s ≤ 1).

`FrequencyMapTask` scores the result on the card's tests with every time stretched by P/20
(sweep to 200·P/20, switch at 100·P/20); rates that fall below the sparsification threshold
k_min = 1e-3 after rescaling leave the dynamics, which is what the measured errors show.
"""

from __future__ import annotations

import re

import equinox as eqx
import jax.numpy as jnp
import numpy as np

from ..multiseed import stack_of
from ..solve import Schedule, simulate
from . import _oscillation as osc
from . import _oscillator_control as ctl
from .base import ZooTask

PERIOD0 = 20.0  # the shipped map: f = U / 20


def parse_period(spec) -> float:
    """`"U/40"`, `"f=U/40"` or `"period=40"` -> 40 (the map f = U / P)."""
    text = str(spec).strip().lower().replace(" ", "")
    m = re.fullmatch(r"(?:f=)?u/([0-9.eE+-]+)|period=([0-9.eE+-]+)", text)
    try:
        period = float(next(g for g in m.groups() if g)) if m else float("nan")
    except ValueError:
        period = float("nan")
    if not (np.isfinite(period) and period > 0):
        raise ValueError(f"a frequency-map target is f=U/P with P > 0 (e.g. U/40 or period=40); got {spec!r}")
    return period


def rescaled(model, s: float):
    """`model` with every rate multiplied by `s` (see the module); ValueError if a row would exceed 1."""
    P = np.asarray(model.probabilities())
    n = P.shape[0]
    eye = np.eye(n, dtype=bool)[None]
    off = np.where(eye, 0.0, P) * s
    stay = 1.0 - off.sum(-1)
    if stay.min() < 0:
        raise ValueError(f"cannot speed the oscillator up {s:g}×: some reaction rates would exceed 1 (the catalytic form caps them)")
    Pn = off + eye * stay[..., None]
    W = np.log(np.maximum(Pn, 1e-300))
    return eqx.tree_at(lambda m: m.logits, model, jnp.asarray(W, dtype=model.logits.dtype))


class FrequencyMapTask(ZooTask):
    """A oscillates at f = U / `period` for U held at u ∈ [0.5, 2] (13 levels), measured on the
    card's windows stretched by period / 20; the switch run switches U 0.75 -> 1.5 at half time."""

    exact_fast = True

    def __init__(self, period: float):
        self.period, self.stretch = float(period), float(period) / PERIOD0
        P, T1 = self.period, ctl.FREQ_T1 * self.stretch
        self.t1 = T1
        self.target_name = f"frequency-controlled oscillator (f = U/{P:g})"
        self.target_text = f"the frequency map f = U/{P:g}"
        self.metrics = {
            "freq_rel_error_max": (f"max over the 13 levels u of |f_measured / (u/{P:g}) − 1| on [{ctl.FREQ_SKIP * self.stretch:g}, {T1:g}]", None, "<= 0.1", 1e-4),
            "freq_rel_error_mean": ("mean of the same relative errors", None, None, 1e-4),
            **{f"freq_u{u:g}": (f"measured frequency of A with U held at {u:g} (target {u / P:g})", None, None, 1e-5) for u in ctl.FREQ_U},
            "amplitude_late_min": (f"smallest half peak-to-peak of A on [{0.75 * T1:g}, {T1:g}] over the 13 levels", None, None, 1e-5),
            "switch_rel_error_max": (f"U switched {ctl.FREQ_LEVELS[0]:g} -> {ctl.FREQ_LEVELS[1]:g} at t = {T1 / 2:g}: max relative frequency error before and after", None, "<= 0.1", 1e-4),
            "reactions_at_1e-3": ("reactions with rate ≥ 1e-3", None, None, 0.0),
            "control_drift": ("max |U(t) − scheduled level| in the switch run (U only catalyses)", "0", "<= 1e-12", 1e-12),
        }

    def make(self):
        raise NotImplementedError("a frequency map has no model of its own: fine-tune oscillator-frequency")

    def evaluate(self, model, fast: bool = False) -> dict[str, float]:
        P, T1, us = self.period, self.t1, np.asarray(ctl.FREQ_U)
        skip = ctl.FREQ_SKIP * self.stretch  # the transient is stretched too
        ts, ys, _, _ = ctl.frequency_sweep(stack_of([model]), t1=T1)
        freqs = np.array([[osc.frequency(ts, ys[0, :, j, 0], skip, T1, ctl.FREQ_MIN_AMP) for j in range(len(us))]])
        rel = np.abs(freqs[0] / (us / P) - 1.0)
        rel = np.where(np.isfinite(rel), rel, np.inf)
        out = {"freq_rel_error_max": float(np.max(rel)), "freq_rel_error_mean": float(np.mean(rel))}
        out.update({f"freq_u{u:g}": float(f) for u, f in zip(ctl.FREQ_U, freqs[0])})
        out["amplitude_late_min"] = float(min(osc.amplitude(ts, ys[0, :, j, 0], 0.75 * T1, T1) for j in range(len(us))))
        schedule = Schedule(switch_times=(T1 / 2,), levels={"U": ctl.FREQ_LEVELS})
        tsw = np.linspace(0.0, T1, int(T1 * 10) + 1)
        tr = simulate(model, tsw, schedule=schedule, solver=osc.EVAL_SOLVER)
        lo, hi = ctl.FREQ_LEVELS
        f1 = osc.frequency(tsw, tr.ys[:, 0], skip, T1 / 2, ctl.FREQ_MIN_AMP)
        f2 = osc.frequency(tsw, tr.ys[:, 0], T1 / 2 + skip, T1, ctl.FREQ_MIN_AMP)
        out["switch_rel_error_max"] = float(max(abs(f1 / (lo / P) - 1), abs(f2 / (hi / P) - 1)))
        out["reactions_at_1e-3"] = float(model.reaction_count(osc.K_MIN))
        out["control_drift"] = float(np.max(np.abs(tr.ys[:, 5] - np.where(tsw < T1 / 2, lo, hi))))
        return out
