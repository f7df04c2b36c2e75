"""Targets of `three-phase-oscillator` (a period) and `oscillator-amplitude` (an amplitude map).

Mass action with bimolecular (catalytic) reactions has two exact symmetries, used as the
starting point of both retargets (no training needed where they reach the target):

- time: every rate × s makes every frequency × s (`_oscillator_retarget.rescaled`; the
  catalytic form caps a rate at 1, so speeding up is possible only while rows stay ≤ 1);
- concentration: every concentration × c together with every rate × 1/c leaves the time
  course the same shape, c times taller (each rate term k·x·y scales as c²/c = c, like dx/dt).
  With the rates unchanged, concentrations × c run c times faster.

Targets (the command line's `--target`):

- three-phase-oscillator: `period=P` (or just `P`): A, B, C oscillate with period P. Slower
  than the shipped 14.86: every rate × P0/P. Faster: every concentration × P0/P (rates stay at
  their cap 1; the amplitude grows by the same factor). Scored on [0, 30·P/P0] as the card is
  on [0, 30]: mass drift, |period/P − 1| ≤ 1 %, sustained amplitude ≥ 0.2.
- oscillator-amplitude: `range=LO:HI[,period=P]`: A oscillates as a·(0.5 + 0.5 cos(2πt/P))
  with a = A(0) anywhere in [LO, HI] (the shipped map: [0.2, 0.6], P = 20). The exact start
  is concentrations × c = (LO + HI)/0.8 (the middle of the range maps to the shipped 0.4) with
  rates × (1/c)·(20/P); `--steps N` then adds N Adam steps of the amplitude loss on the new
  range (the shipped training loss, times stretched by P/20). Scored like the card on 9
  levels across [LO, HI], windows stretched by P/20, the mid-run addition scaled by c.
"""

from __future__ import annotations

import dataclasses
import re

import equinox as eqx
import jax.numpy as jnp
import numpy as np

from ..multiseed import simulate_members, stack_of
from ..solve import Schedule, simulate
from ..solvers.config import SolverConfig
from ..train import finetune as gradient_finetune
from . import _oscillation as osc
from . import _oscillator_control as ctl
from ._oscillator_retarget import rescaled
from .base import ZooTask

THREE_PHASE_PERIOD0 = 14.860064692684182  # three-phase-oscillator's card: period of A on [0, 30]
THREE_PHASE_T1 = 30.0


def _number(text: str, what: str, spec) -> float:
    try:
        v = float(text)
    except ValueError:
        v = float("nan")
    if not (np.isfinite(v) and v > 0):
        raise ValueError(f"{what} must be a positive number; got {spec!r}")
    return v


def parse_three_phase(spec) -> float:
    """`"period=30"` or `"30"` -> 30.0; ValueError otherwise."""
    text = str(spec).strip().lower().replace(" ", "")
    m = re.fullmatch(r"(?:period=)?([^=,]+)", text)
    if not m:
        raise ValueError(f"a three-phase-oscillator target is period=P (e.g. period=30); got {spec!r}")
    return _number(m.group(1), "the period P in period=P", spec)


def parse_amplitude(spec) -> tuple[float, float, float]:
    """`"range=0.4:1.2"` or `"range=0.4:1.2,period=40"` -> (lo, hi, period)."""
    usage = f"an oscillator-amplitude target is range=LO:HI[,period=P] (A(0) from LO to HI, e.g. range=0.4:1.2); got {spec!r}"
    fields = dict(item.split("=", 1) for item in str(spec).replace(" ", "").lower().split(",") if "=" in item)
    if set(fields) - {"range", "period"} or "range" not in fields or str(spec).count("=") != len(fields):
        raise ValueError(usage)
    parts = fields["range"].split(":")
    if len(parts) != 2:
        raise ValueError(usage)
    lo, hi = (_number(p, "LO and HI of range=LO:HI", spec) for p in parts)
    if not lo < hi:
        raise ValueError(f"range=LO:HI needs LO < HI; got {spec!r}")
    period = _number(fields.get("period", "20"), "the period P", spec)
    return lo, hi, period


def rescaled_exact(model, s: float):
    """`rescaled(model, s)`, with the reactions that are exactly absent (off-diagonal logit −inf) kept absent."""
    out = rescaled(model, s)
    absent = np.isneginf(np.asarray(model.logits)) & ~np.eye(len(model.species), dtype=bool)[None]  # the diagonal ("no reaction") takes the rest
    return eqx.tree_at(lambda m: m.logits, out, jnp.where(jnp.asarray(absent), -jnp.inf, out.logits))


def with_x0(model, x0):
    return eqx.tree_at(lambda m: m.x0, model, jnp.asarray(x0, dtype=model.x0.dtype))


class ThreePhasePeriodTask(ZooTask):
    """The three-phase oscillator with period `period`: the card's checks on [0, 30·P/P0]."""

    trained = False
    exact_fast = True

    def __init__(self, period: float):
        self.period = float(period)
        self.stretch = self.period / THREE_PHASE_PERIOD0
        self.t1 = THREE_PHASE_T1 * self.stretch
        self.target_name = f"three-phase oscillator (period {self.period:g})"
        self.target_text = f"the period {self.period:g}"
        self.metrics = {
            "mass_drift": (f"max |ΣX(t) − ΣX(0)| on t ∈ [0, {self.t1:.4g}]", "0 (mass conserved)", "<= 1e-8", 1e-9),
            "period": (f"mean time between upward mean-crossings of A on [0, {self.t1:.4g}] (target {self.period:g})", None, "> 0", 1e-4),
            "period_rel_error": (f"|period / {self.period:g} − 1|", None, "<= 0.01", 1e-6),
            "amplitude_late": (f"half peak-to-peak of A on t ∈ [{self.t1 / 2:.4g}, {self.t1:.4g}] (sustained, not damped)", None, ">= 0.2", 1e-6),
        }

    def make(self):
        raise NotImplementedError("a period target has no model of its own: fine-tune three-phase-oscillator")

    def evaluate(self, model, fast: bool = False) -> dict[str, float]:
        traj = simulate(model, np.linspace(0.0, self.t1, 3001), solver=SolverConfig(rtol=1e-10, atol=1e-12))
        a = traj.ys[:, 0]
        period = osc.period(traj.ts, a)
        return {
            "mass_drift": osc.mass_drift(traj.ys),
            "period": period,
            "period_rel_error": float(abs(period / self.period - 1.0)) if np.isfinite(period) else float("inf"),
            "amplitude_late": osc.amplitude(traj.ts, a, self.t1 / 2),
        }

    def tune(self, model) -> tuple[object, dict]:
        """The exact retarget (see the module): rates × s when slower, concentrations × s when faster."""
        s = THREE_PHASE_PERIOD0 / self.period
        if s <= 1.0:
            return rescaled_exact(model, s), {"steps": 0, "method": f"every rate × {s:.4g} (time rescaled)", "rate_factor": s}
        return with_x0(model, np.asarray(model.x0) * s), {"steps": 0, "method": f"every concentration × {s:.4g} (rates at their cap)", "concentration_factor": s}


@dataclasses.dataclass(frozen=True, eq=False)
class _RangeLoss(ctl.AmplitudeLoss):
    """The shipped amplitude loss on A(0) ∈ [a_min, a_max] with period `period` over t_max."""


class AmplitudeMapTask(ZooTask):
    """oscillator-amplitude on A(0) ∈ [lo, hi] with period P (see the module)."""

    exact_fast = True

    def __init__(self, lo: float, hi: float, period: float = 20.0):
        self.lo, self.hi, self.period = float(lo), float(hi), float(period)
        self.stretch = self.period / ctl.AMP_LOSS.period
        self.c = (self.lo + self.hi) / (2 * ctl.AMP_DEFAULT)
        self.levels = tuple(np.linspace(self.lo, self.hi, len(ctl.AMP_A)).round(6))
        self.window = (ctl.AMP_WINDOW[0] * self.stretch, ctl.AMP_WINDOW[1] * self.stretch)
        self.t1 = ctl.AMP_T1 * self.stretch
        self.add_t, self.add = ctl.AMP_ADD_T * self.stretch, ctl.AMP_ADD * self.c
        self.target_name = f"amplitude-controlled oscillator (A(0) ∈ [{self.lo:g}, {self.hi:g}], period {self.period:g})"
        self.target_text = f"the amplitude map A(0)/2 for A(0) in [{self.lo:g}, {self.hi:g}], period {self.period:g}"
        w = f"[{self.window[0]:g}, {self.window[1]:g}]"
        self.metrics = {
            "amp_rel_error_max": (f"max over 9 levels a = A(0) in [{self.lo:g}, {self.hi:g}] of |half peak-to-peak of A on {w} / (a/2) − 1|", None, "<= 0.1", 1e-4),
            "amp_rel_error_mean": ("mean of the same relative errors", None, None, 1e-4),
            "amp_rel_error_max_late": (f"the same on [{self.window[1]:g}, {self.t1:g}] (keeps oscillating past the window)", None, None, 1e-4),
            "period_rel_error_max": (f"max over the 9 levels of |period of A on {w} / {self.period:g} − 1|", None, "<= 0.1", 1e-4),
            "addition_rel_error_max": (
                f"A(0) = {ctl.AMP_DEFAULT * self.c:g}, {self.add:g} of A added at t = {self.add_t:g}: max relative amplitude error before and after",
                None, None, 1e-4,
            ),
            "reactions_at_1e-3": ("reactions with rate ≥ the sparsification threshold", None, None, 0.0),
        }

    def make(self):
        raise NotImplementedError("an amplitude map has no model of its own: fine-tune oscillator-amplitude")

    def evaluate(self, model, fast: bool = False) -> dict[str, float]:
        ts = np.linspace(0.0, self.t1, int(ctl.AMP_T1 * 10) + 1)
        ys, _ = simulate_members(stack_of([model]), ts, osc.EVAL_SOLVER, index=0, values=self.levels)
        ys = np.asarray(ys)[0]
        a = np.asarray(self.levels)
        amp = np.array([osc.amplitude(ts, ys[:, j, 0], *self.window) for j in range(a.size)])
        late = np.array([osc.amplitude(ts, ys[:, j, 0], self.window[1], self.t1) for j in range(a.size)])
        per = np.array([1 / max(osc.frequency(ts, ys[:, j, 0], *self.window, 0.01 * self.c), 1e-9) for j in range(a.size)])

        def rel(x, want):
            r = np.abs(x / want - 1.0)
            return np.where(np.isfinite(r), r, np.inf)

        a0 = ctl.AMP_DEFAULT * self.c
        tr = simulate(with_x0(model, np.asarray(model.x0).copy()), ts, schedule=Schedule(additions=((self.add_t, {"A": self.add}),)), solver=osc.EVAL_SOLVER)
        before = osc.amplitude(ts, tr.ys[:, 0], self.window[0], self.add_t - 1e-6)
        after = osc.amplitude(ts, tr.ys[:, 0], self.add_t + self.window[0], self.t1)
        return {
            "amp_rel_error_max": float(np.max(rel(amp, a / 2))),
            "amp_rel_error_mean": float(np.mean(rel(amp, a / 2))),
            "amp_rel_error_max_late": float(np.max(rel(late, a / 2))),
            "period_rel_error_max": float(np.max(rel(per, self.period))),
            "addition_rel_error_max": float(max(abs(before / (0.5 * a0) - 1), abs(after / (0.5 * (a0 + self.add)) - 1))),
            "reactions_at_1e-3": float(model.reaction_count(model.k_min or osc.K_MIN)),
        }

    def tune(self, model, steps: int, seed: int, lr, train_config, progress: bool):
        """The exact start, then `steps` Adam steps of the amplitude loss on [lo, hi] (none: 0)."""
        s = 1.0 / self.c * (ctl.AMP_LOSS.period / self.period)
        x0 = np.asarray(model.x0) * self.c
        x0[0] = ctl.AMP_DEFAULT * self.c
        start = with_x0(rescaled_exact(model, s), x0)
        k_min = osc.K_MIN * s
        start = dataclasses.replace(start, k_min=k_min)
        out = {"method": f"concentrations × {self.c:.4g}, rates × {s:.4g}", "rate_factor": s, "concentration_factor": self.c,
               "k_report": k_min}
        if not steps:
            return start, {"steps": 0, "initial_loss": None, "final_loss": None, **out}
        loss = _RangeLoss(a_min=self.lo, a_max=self.hi, period=self.period, t_max=osc.T_MAX * self.stretch,
                          solver=dataclasses.replace(osc.TRAIN_SOLVER, dt=0.5 * self.stretch))
        cfg = train_config.to_dict() if train_config is not None else {}
        cfg.pop("lr_end", None)
        cfg.update(steps=int(steps), seed=seed, k_min=k_min, **({"lr": lr} if lr else {"lr": 3e-3}))
        tuned, history = gradient_finetune(start, loss, **cfg, progress=progress, desc="finetune")
        out["method"] += f", then {steps} Adam steps"
        return tuned, {"steps": int(steps), "initial_loss": history.loss[0], "final_loss": history.loss[-1], **out}
