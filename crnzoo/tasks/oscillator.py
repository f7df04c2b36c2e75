"""The oscillator family: chemical oscillators, hand-designed and learned to be controlled.

Mordvintsev, Randazzo, Niklasson (2023). Time and concentration are dimensionless.

- `ThreePhaseTask` (`three-phase-oscillator`, §1.1, Fig. 1, Listing 1): the hand-designed
  rock-paper-scissors oscillator A —B→ B, B —C→ C, C —A→ A; scored on mass conservation,
  period and sustained amplitude.
- `FrequencyTask` (`oscillator-frequency`, App. B.2, Fig. 10): A oscillates at f = u / 20
  for a catalyst-only control U held at u ∈ [0.5, 2].
- `AmplitudeTask` (`oscillator-amplitude`, App. B.2, Fig. 11): A oscillates with amplitude
  A(0) / 2, period 20.

The learned ones train 8 random initialisations at once (`crnzoo.multiseed`), straight-
through sparsified at k_min = 1e-3 with fixed-step Tsit5 (dt = 0.5), and ship the member
with the smallest control error; their losses, settings and sweeps are in
`_oscillator_control.py`.
"""

from __future__ import annotations

import dataclasses
import time

import jax
import numpy as np

from ..crn import CatalyticCRN
from ..multiseed import SeedStack, spread, stack_of, train_stack
from ..solve import simulate
from ..solvers.config import SolverConfig
from . import _oscillation as osc
from . import _oscillator_control as ctl
from ._oscillator_retarget import PERIOD0, FrequencyMapTask, parse_period, rescaled
from ._oscillator_targets import AmplitudeMapTask, ThreePhasePeriodTask, parse_amplitude, parse_three_phase
from .base import ZooTask


# ---- the hand-designed three-phase oscillator -------------------------------------------------

THREE_PHASE_SPECIES = ("A", "B", "C")
THREE_PHASE_ROLES = ("output", "auxiliary", "auxiliary")


class ThreePhaseTask(ZooTask):
    """A, B, C rise and fall in turn forever; measured on [0, 30] with tight tolerances."""

    trained = False
    exact_fast = True
    metrics = {
        "mass_drift": ("max |ΣX(t) − ΣX(0)| on t ∈ [0, 30]", "0 (mass conserved)", "<= 1e-8", 1e-9),
        "period": ("mean time between upward mean-crossings of A on [0, 30]", "sustained oscillation (Fig. 1d), no number", "> 0", 1e-4),
        "amplitude_late": ("half peak-to-peak of A on t ∈ [15, 30] (sustained, not damped)", None, ">= 0.2", 1e-6),
    }

    def make(self) -> CatalyticCRN:
        """A —B→ B, B —C→ C, C —A→ A, all k = 1; x0 = (0.8, 0.1, 0.1)."""
        rates = {("A", "B", "B"): 1.0, ("B", "C", "C"): 1.0, ("C", "A", "A"): 1.0}
        return CatalyticCRN.from_rates(THREE_PHASE_SPECIES, rates, [0.8, 0.1, 0.1], roles=THREE_PHASE_ROLES)

    def evaluate(self, model, fast: bool = False) -> dict[str, float]:
        traj = simulate(model, np.linspace(0.0, 30.0, 3001), solver=SolverConfig(rtol=1e-10, atol=1e-12))
        a = traj.ys[:, 0]
        return {
            "mass_drift": osc.mass_drift(traj.ys),
            "period": osc.period(traj.ts, a),
            "amplitude_late": osc.amplitude(traj.ts, a, 15.0),
        }

    def stochastic_check(self, model, omega, runs, seed=0, *, t1=None, schedule=None, method=None):
        """Persistence at finite counts: A's half peak-to-peak on [15, 30] ≥ 0.2 (the card's promise)."""
        from ..ssa.checks import persistence

        return persistence(model, omega, runs, seed, t1=30.0, species="A", t_from=15.0, min_amplitude=0.2, method=method or "direct")

    def retarget(self, spec) -> ThreePhasePeriodTask:
        """The task of a new period (`"period=30"`; `_oscillator_targets`)."""
        return ThreePhasePeriodTask(parse_three_phase(spec))

    def finetune(self, model, spec, steps=None, seed=0, lr=None, train_config=None, progress=True):
        """The exact retarget to the period (no gradient step; `_oscillator_targets`)."""
        tuned, out = self.retarget(spec).tune(model)
        return tuned, {**out, "initial_loss": None, "final_loss": None}


# ---- learned, controllable oscillators ------------------------------------------------------


def _train_members(init, seed: int, seeds: int, stages, run_dir, progress: bool):
    """Train `seeds` initialisations `init(k_i)` through `stages` of `(subdir, loss, config,
    desc)`; returns the members as shipped catalytic CRNs (config set later), the training
    histories and the wall time."""
    started = time.perf_counter()
    stack = SeedStack.init(init, jax.random.PRNGKey(seed), seeds)
    histories = []
    for subdir, loss, config, desc in stages:
        folder = run_dir if subdir is None or run_dir is None else f"{run_dir}/{subdir}"
        stack, history = train_stack(stack, loss, config, folder, progress, desc)
        histories.append(history)
    return [m.crn for m in stack.members()], histories, time.perf_counter() - started


def _seed_spread(seed: int, seeds: int, free: str, best: int, selection: str, key: str, err) -> dict:
    """The card's `seed_spread`: every member's error `key`, and which member is shipped."""
    return {
        "seeds": seeds,
        "init": f"member i of jax.random.split(PRNGKey({seed}), {seeds}); logits ~ N(0, {ctl.INIT_SCALE}²), {free} ~ Dirichlet(1)",
        "shipped_member": best,
        "selection": selection,
        key: {**spread(np.where(np.isfinite(err), err, 1e9)), "per_seed": [float(f"{e:.4g}") for e in err]},
        "members_within_10pct": int(np.sum(err <= 0.1)),
    }


class _ControlledTask(ZooTask):
    """A learned controllable oscillator: `seeds` initialisations trained by `fit`, the best
    shipped; `evaluate` is deterministic (ignores `fast`)."""

    exact_fast = True

    def __init__(self, seeds: int = ctl.SEEDS):
        self.seeds = seeds

    def stochastic_check(self, model, omega, runs, seed=0, *, t1, schedule=None, method=None):
        """Persistence at finite counts (with the card's schedule): A's half peak-to-peak on the
        second half of [0, t1] ≥ half the ODE's."""
        from ..ssa.checks import persistence

        return persistence(model, omega, runs, seed, t1=t1, species="A", t_from=t1 / 2, schedule=schedule, method=method or "direct")


def _config(base, steps: int | None, seed: int):
    return dataclasses.replace(base, steps=base.steps if steps is None else int(steps), seed=seed)


FREQ_METRICS = {
    "freq_rel_error_max": (
        "max over u ∈ {0.5, 0.625, …, 2} (13 levels, U held) of |f_measured / (u/20) − 1|; f_measured = 1 / mean time "
        f"between upward mean-crossings of A on [{ctl.FREQ_SKIP:g}, {ctl.FREQ_T1:g}], 0 (error 1) if A's half peak-to-peak on "
        f"the last half of that window is below {ctl.FREQ_MIN_AMP:g}. Target ≤ 0.1 (paper-targets §A.3 PROPOSED)",
        "qualitative (Fig. 10)",
        "<= 0.1",
        1e-4,
    ),
    "freq_rel_error_mean": ("mean of the same relative errors over the 13 levels", None, None, 1e-4),
    **{
        f"freq_u{u:g}": (f"measured frequency of A with U held at {u:g} (target {u / 20:g})", None, None, 1e-5)
        for u in ctl.FREQ_U
    },
    "mse_sweep": ("MSE of A against 0.25 + 0.25 sin(2π u t/20) on the 200 loss times in [0, 100], mean over the 13 levels (phase locked at t = 0)", None, None, 1e-6),
    "amplitude_mean": ("half peak-to-peak of A on [100, 200], mean over the 13 levels (target 0.25)", None, None, 1e-5),
    "amplitude_late_min": (
        "smallest half peak-to-peak of A on [150, 200] over the 13 levels (target 0.25; a small value means the "
        "oscillation at that level is damped and dies out past the training horizon)",
        None,
        None,
        1e-5,
    ),
    "sustained_levels": (
        f"how many of the 13 levels keep a half peak-to-peak of A ≥ {ctl.FREQ_SUSTAIN:g} on [150, 200]", None, None, 0.0
    ),
    "sustained_u_max": ("the largest of those levels (2 = the whole range is sustained)", None, None, 0.0),
    "switch_freq_before": (
        f"default schedule (U = {ctl.FREQ_LEVELS[0]:g}, switched to {ctl.FREQ_LEVELS[1]:g} at t = {ctl.FREQ_SWITCH:g}): frequency on "
        f"[{ctl.FREQ_SKIP:g}, {ctl.FREQ_SWITCH:g}] (target {ctl.FREQ_LEVELS[0] / 20:g})",
        "frequency follows the input mid-run (Fig. 10)",
        None,
        1e-5,
    ),
    "switch_freq_after": (
        f"the same run: frequency on [{ctl.FREQ_SWITCH + ctl.FREQ_SKIP:g}, {ctl.FREQ_T1:g}] (target {ctl.FREQ_LEVELS[1] / 20:g})",
        "frequency follows the input mid-run (Fig. 10)",
        None,
        1e-5,
    ),
    "switch_rel_error_max": ("max relative error of the two switch-run frequencies", None, "<= 0.1", 1e-4),
    "reactions_at_1e-3": ("reactions with rate ≥ 1e-3", "graph shows rates > 0.1", None, 0.0),
    "control_drift": ("max |U(t) − scheduled level| in the switch run (U only catalyses)", "0", "<= 1e-12", 1e-12),
}


class FrequencyTask(_ControlledTask):
    """A of a 5-species CRN oscillates at f = U / 20 while a catalyst-only control U is held
    at u ∈ [0.5, 2]; switching U mid-run switches the frequency.

    `config` (the shipped model's), `roles`, `t1`, `schedule` (the default run, which
    `evaluate` measures) and `train` (stage 1 of `fit`) are the entry's card data too.
    """

    metrics = FREQ_METRICS
    config, t1, schedule, train = ctl.FREQ_CONFIG, ctl.FREQ_T1, ctl.FREQ_SCHEDULE, ctl.FREQ_TRAIN
    roles = dict(zip(ctl.FREQ_SPECIES, ctl.FREQ_ROLES))

    def evaluate(self, model: CatalyticCRN, fast: bool = False) -> dict[str, float]:
        u_levels = ctl.FREQ_U
        ts, ys, freqs, _ = ctl.frequency_sweep(stack_of([model]))
        rel = ctl.frequency_errors(freqs[0])
        out = {"freq_rel_error_max": float(np.max(rel)), "freq_rel_error_mean": float(np.mean(rel))}
        for u, f in zip(u_levels, freqs[0]):
            out[f"freq_u{u:g}"] = float(f)
        # Phase-locked training loss on [0, 100] over the sweep (adaptive solve).
        out["mse_sweep"] = ctl.sweep_mse(ts, ys, u_levels, ctl.FREQ_LOSS.target)
        out["amplitude_mean"] = float(np.mean([osc.amplitude(ts, ys[0, :, j, 0], 100.0, ctl.FREQ_T1) for j in range(len(u_levels))]))
        late = np.array([osc.amplitude(ts, ys[0, :, j, 0], 150.0, ctl.FREQ_T1) for j in range(len(u_levels))])
        out["amplitude_late_min"] = float(np.min(late))
        sustained = [u for u, a in zip(u_levels, late) if a >= ctl.FREQ_SUSTAIN]
        out["sustained_levels"] = float(len(sustained))
        out["sustained_u_max"] = float(max(sustained)) if sustained else 0.0
        # Mid-run switch of U (the card's default schedule).
        tsw = np.linspace(0.0, ctl.FREQ_T1, int(ctl.FREQ_T1 * 10) + 1)
        tr = simulate(model, tsw, schedule=self.schedule, solver=osc.EVAL_SOLVER)
        f_before = osc.frequency(tsw, tr.ys[:, 0], ctl.FREQ_SKIP, ctl.FREQ_SWITCH, ctl.FREQ_MIN_AMP)
        f_after = osc.frequency(tsw, tr.ys[:, 0], ctl.FREQ_SWITCH + ctl.FREQ_SKIP, ctl.FREQ_T1, ctl.FREQ_MIN_AMP)
        out["switch_freq_before"] = f_before
        out["switch_freq_after"] = f_after
        levels = ctl.FREQ_LEVELS
        out["switch_rel_error_max"] = float(max(abs(f_before / (levels[0] / 20) - 1), abs(f_after / (levels[1] / 20) - 1)))
        out["reactions_at_1e-3"] = float(model.reaction_count(osc.K_MIN))
        out["control_drift"] = float(np.max(np.abs(tr.ys[:, 5] - np.where(tsw < ctl.FREQ_SWITCH, *levels))))
        return out

    def make(self) -> CatalyticCRN:
        """The initialisation of seed 0 (untrained)."""
        return ctl.frequency_init(jax.random.PRNGKey(0)).crn

    def retarget(self, spec) -> FrequencyMapTask:
        """The task of the frequency map f = U / P (`"U/40"`, `"period=40"`; `_oscillator_retarget`)."""
        return FrequencyMapTask(parse_period(spec))

    def finetune(self, model, spec, steps=None, seed=0, lr=None, train_config=None, progress=True):
        """Retarget by rescaling time: every rate times s = 20 / P (exact for mass action, no
        gradient step); the sparsification threshold scales with it, so no reaction is lost."""
        s = PERIOD0 / parse_period(spec)
        k_min = osc.K_MIN * s
        tuned = dataclasses.replace(rescaled(model, s), k_min=k_min)
        return tuned, {"steps": 0, "method": f"every rate × {s:g} (time rescaled)", "rate_factor": s, "initial_loss": None,
                       "final_loss": None, "config": {**self.config, "k_min": k_min}, "k_report": k_min}

    def fit(self, seed=None, steps=None, run_dir=None, progress=True):
        """Train `seeds` initialisations on batches over u; ship the one with the smallest max frequency error.

        Stage 1 (`FREQ_TRAIN`, `steps`): phase-locked MSE from t = 0, which gives a gradient
        towards oscillating at all. Stage 2 (`FREQ_STAGE2`, 1500 steps per 4000 of stage 1):
        phase-free MSE on [20, 100], which stops penalising a phase drift more than a flat
        line (the phase-locked optimum at the fast end of the range is to stop oscillating).
        """
        seed = 0 if seed is None else seed
        config = _config(self.train, steps, seed)
        config2 = dataclasses.replace(ctl.FREQ_STAGE2, steps=max(1, config.steps * ctl.FREQ_STAGE2.steps // ctl.FREQ_TRAIN.steps), seed=seed + 1)
        name = f"oscillator-frequency ×{self.seeds}"
        stages = (
            ("phase-locked", ctl.FREQ_LOSS, config, f"{name} (1/2)"),
            ("phase-free", ctl.FREQ_LOSS_FREE, config2, f"{name} (2/2)"),
        )
        crns, (history, history2), train_s = _train_members(ctl.frequency_init, seed, self.seeds, stages, run_dir, progress)
        models = [osc.shipped(m, self.config) for m in crns]
        _, _, freqs, ok = ctl.frequency_sweep(stack_of(models))
        err = np.where(ok, np.max(ctl.frequency_errors(freqs), axis=1), np.inf)
        best = int(np.argmin(err))
        return models[best], {
            "seed_spread": _seed_spread(seed, self.seeds, "x0(A..E)", best, "smallest freq_rel_error_max", "freq_rel_error_max", err),
            "training_history": {
                "stage1_final_mean_loss": history.loss[-1] if history.loss else None,
                "stage2_final_mean_loss": history2.loss[-1] if history2.loss else None,
                "steps": [len(history.loss), len(history2.loss)],
            },
            "training_stage2": {
                "loss": f"phase-free MSE on [{ctl.FREQ_SKIP_LOSS:g}, 100] (best phase per batch member, closed form)",
                "config": config2.to_dict(),
            },
            "training_only_wall_s": round(train_s, 1),
        }


AMP_METRICS = {
    "amp_rel_error_max": (
        "max over a = A(0) ∈ {0.2, 0.25, …, 0.6} (9 levels) of |half peak-to-peak of A on "
        f"[{ctl.AMP_WINDOW[0]:g}, {ctl.AMP_WINDOW[1]:g}] / (a/2) − 1|. Target ≤ 0.1 (paper-targets §A.3 PROPOSED)",
        "qualitative (Fig. 11)",
        "<= 0.1",
        1e-4,
    ),
    "amp_rel_error_mean": ("mean of the same relative errors over the 9 levels", None, None, 1e-4),
    "amp_rel_error_max_late": (f"the same on [{ctl.AMP_WINDOW[1]:g}, {ctl.AMP_T1:g}] (past the training horizon)", None, None, 1e-4),
    "period_rel_error_max": (
        f"max over the 9 levels of |period of A on [{ctl.AMP_WINDOW[0]:g}, {ctl.AMP_WINDOW[1]:g}] / 20 − 1|", None, None, 1e-4
    ),
    "mse_sweep": ("MSE of A against a·(0.5 + 0.5 cos(2π t/20)) on the 200 loss times in [0, 100], mean over the 9 levels", None, None, 1e-6),
    "addition_amp_before": (
        f"default run (A(0) = {ctl.AMP_DEFAULT:g}, {ctl.AMP_ADD:g} of A added at t = {ctl.AMP_ADD_T:g}): half peak-to-peak of A on "
        f"[{ctl.AMP_WINDOW[0]:g}, {ctl.AMP_ADD_T:g}) (target {ctl.AMP_DEFAULT / 2:g})",
        "amplitude follows additions mid-run (Fig. 11)",
        None,
        1e-5,
    ),
    "addition_amp_after": (
        f"the same run on [{ctl.AMP_ADD_T + ctl.AMP_WINDOW[0]:g}, {ctl.AMP_T1:g}] (target {(ctl.AMP_DEFAULT + ctl.AMP_ADD) / 2:g})",
        "amplitude follows additions mid-run (Fig. 11)",
        None,
        1e-5,
    ),
    "addition_rel_error_max": ("max relative error of the two addition-run amplitudes", None, None, 1e-4),
    "reactions_at_1e-3": ("reactions with rate ≥ 1e-3", "graph shows rates > 0.1", None, 0.0),
}


class AmplitudeTask(_ControlledTask):
    """A of a 5-species CRN oscillates as a·(0.5 + 0.5 cos(2π t / 20)) with a = A(0) ∈ [0.2, 0.6];
    adding A mid-run raises the amplitude. `config`, `roles`, `t1`, `schedule`, `train`: as
    for `FrequencyTask`."""

    metrics = AMP_METRICS
    config, t1, schedule, train = ctl.AMP_CONFIG, ctl.AMP_T1, ctl.AMP_SCHEDULE, ctl.AMP_TRAIN
    roles = dict(zip(ctl.AMP_SPECIES, ctl.AMP_ROLES))

    def evaluate(self, model: CatalyticCRN, fast: bool = False) -> dict[str, float]:
        ts, ys, amp, late, per, _ = ctl.amplitude_sweep(stack_of([model]))
        rel, rel_late = ctl.amplitude_errors(amp[0]), ctl.amplitude_errors(late[0])
        per_rel = np.abs(per[0] / ctl.AMP_LOSS.period - 1.0)
        out = {
            "amp_rel_error_max": float(np.max(rel)),
            "amp_rel_error_mean": float(np.mean(rel)),
            "amp_rel_error_max_late": float(np.max(rel_late)),
            "period_rel_error_max": float(np.max(np.where(np.isfinite(per_rel), per_rel, np.inf))),
            "mse_sweep": ctl.sweep_mse(ts, ys, ctl.AMP_A, ctl.AMP_LOSS.target),
        }
        tsa = np.linspace(0.0, ctl.AMP_T1, int(ctl.AMP_T1 * 10) + 1)
        tr = simulate(model, tsa, schedule=self.schedule, solver=osc.EVAL_SOLVER)
        a0 = float(model.x0[0])
        before = osc.amplitude(tsa, tr.ys[:, 0], *ctl.AMP_BEFORE)
        after = osc.amplitude(tsa, tr.ys[:, 0], ctl.AMP_ADD_T + ctl.AMP_WINDOW[0], ctl.AMP_T1)
        out["addition_amp_before"] = before
        out["addition_amp_after"] = after
        out["addition_rel_error_max"] = float(max(abs(before / (0.5 * a0) - 1), abs(after / (0.5 * (a0 + ctl.AMP_ADD)) - 1)))
        out["reactions_at_1e-3"] = float(model.reaction_count(osc.K_MIN))
        return out

    def make(self) -> CatalyticCRN:
        """The initialisation of seed 0 (untrained)."""
        return ctl.amplitude_init(jax.random.PRNGKey(0)).crn

    finetune_steps = 0  # the exact rescaling reaches the map; --steps N adds gradient steps

    def retarget(self, spec) -> AmplitudeMapTask:
        """The task of an amplitude map (`"range=0.4:1.2[,period=40]"`; `_oscillator_targets`)."""
        return AmplitudeMapTask(*parse_amplitude(spec))

    def finetune(self, model, spec, steps=None, seed=0, lr=None, train_config=None, progress=True):
        """Exact rescaling to the new range and period, then `steps` Adam steps (`_oscillator_targets`)."""
        tuned, out = self.retarget(spec).tune(model, self.finetune_steps if steps is None else steps, seed, lr, train_config, progress)
        return tuned, {**out, "config": {**self.config, "k_min": out["k_report"]}}

    def fit(self, seed=None, steps=None, run_dir=None, progress=True):
        """Train `seeds` initialisations on batches over a = A(0); ship the smallest max amplitude error."""
        seed = 0 if seed is None else seed
        config = _config(self.train, steps, seed)
        stages = ((None, ctl.AMP_LOSS, config, f"oscillator-amplitude ×{self.seeds}"),)
        crns, (history,), train_s = _train_members(ctl.amplitude_init, seed, self.seeds, stages, run_dir, progress)
        models = [osc.shipped(m, self.config) for m in crns]
        _, _, amp, _, per, ok = ctl.amplitude_sweep(stack_of(models))
        err = np.max(ctl.amplitude_errors(amp), axis=1)
        per_err = np.max(np.abs(per / ctl.AMP_LOSS.period - 1.0), axis=1)
        best = int(np.argmin(np.where(ok & np.isfinite(per_err), np.maximum(err, per_err), np.inf)))
        selection = "smallest max(amp_rel_error_max, period_rel_error_max)"
        return models[best], {
            "seed_spread": _seed_spread(seed, self.seeds, "x0(B..E)", best, selection, "amp_rel_error_max", err),
            "training_history": {"final_mean_loss": history.loss[-1] if history.loss else None, "steps": len(history.loss)},
            "training_only_wall_s": round(train_s, 1),
        }
