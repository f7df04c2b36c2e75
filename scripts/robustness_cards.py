"""The robustness section of every card: `weights/<name>/robustness.json`, shown by `crnzoo info`
and in MODEL_CARDS.md (`crnzoo.cards`). card.json is not touched.

    PYTHONPATH=$PWD CRNZOO_DATA=/work/shared/data nice -n 10 python scripts/robustness_cards.py [NAME ...]
        [--runs 100] [--budget 600] [--unit 50nM]

For each entry (cheapest first) it runs the entry's own function check (`task.stochastic_check`,
as `crnzoo robustness NAME`) on `--runs` stochastic sample paths at Ω = Ω_max, Ω_max/2, ...
(`crnzoo.ssa.robustness.smallest_omega`: smallest Ω with p̂ ≥ 0.95, Clopper-Pearson 95 %
interval of the threshold, what fails first below it) and writes the result with the lab
statement (volume at 1 unit = `--unit`; by default 1 nM for a card in nM, else 50 nM: `crnzoo.ssa.report.unit_nM`,
as `crnzoo robustness`). Exact SSA
(direct method) where a check fits in the entry's time budget, the entry's approximate method
(tau-leaping) where the task says so or an exact run needs too many steps. Where nothing can be
measured, the JSON says why, with the measured reason:

- the task has no stochastic check — `status: "not tested"`;
- the reaction listing the SSA simulates does not reproduce the model's own ODE (measured:
  the largest final-state difference at t1) — `status: "not tested"`;
- one check at the smallest useful Ω would take longer than `--budget` (measured on a probe
  of a few runs) — `status: "incomplete"` with the Ω tried.

The spatial entries (a task with `stochastic_reference`: gray-scott-*, hopfield-turing-*) are
measured by `scripts/robustness_spatial.py`'s `measure` (reaction noise per grid cell, the task's
own runs and walk unless --runs / --omega-max are given).

Every number comes from a run of this script; `wall_s` and `command` are recorded.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

# Ω_max and patience (consecutive misses before the walk stops) per entry, from the previous
# pass's measurements (closing note of issue 14); entries not listed start at 4096.
PLAN = {
    "majority-am3": (128, 2), "majority-am4": (512, 2), "majority-learned": (512, 2),
    "gate-and": (256, 1), "gate-or": (256, 1), "gate-xor": (512, 1),
    "three-phase-oscillator": (2048, 2), "adc-3bit": (1024, 1),
    "waveform-peaks": (8192, 2), "oscillator-amplitude": (8192, 1), "seven-segment": (8192, 1),
    "waveform-square": (8192, 1), "oscillator-frequency": (8192, 1), "wta-ring": (8192, 1), "wta-ring-paper": (8192, 1),
    "wta-mnist-avg": (1024, 1), "wta-mnist-sup": (1024, 1), "wta-mnist-accreg": (1024, 1), "wta-mnist-pruned": (1024, 1),
}
TAU_ERROR = ("checks marked 'tau' ran adaptive tau-leaping (Cao, Gillespie & Petzold 2006, eps = 0.03, exact steps "
             "below 10 expected firings), not the exact SSA: measured against the exact method on majority-am4 at "
             "Omega = 100,000, means off by -0.19 % to +0.5 % and sds within 2.3 % (crnzoo.ssa.simulate)")
LISTING_TOL = 1e-3  # largest |model ODE − listing ODE| at t1 (concentration) for the listing to stand for the model


def _write(path: Path, data: dict) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".robustness-", suffix=".json")
    with os.fdopen(fd, "w") as fh:
        fh.write(json.dumps(data, indent=1) + "\n")
    os.replace(tmp, path)


class _Entry:
    """An entry whose task's stochastic check is replaced."""

    def __init__(self, entry, check, method: str = "direct"):
        self.name, self.family = entry.name, entry.family
        self.task = type("Task", (), {"stochastic_check": staticmethod(check), "stochastic_method": method})()


def listing_gap(model, t1: float, schedule=None) -> float:
    """Largest |final state of the model's ODE − final state of its listing's ODE| at t1 (the
    card's input schedule applied to both)."""
    from crnzoo.solve import simulate
    from crnzoo.ssa.simulate import _network

    net, _, _ = _network(model)
    a = simulate(model, np.array([0.0, t1]), schedule=schedule)
    b = simulate(net, np.array([0.0, t1]), schedule=schedule)
    flat = list(a.flat_species)
    return float(np.max(np.abs(a.final.reshape(-1)[[flat.index(s) for s in net.species]] - b.final.reshape(-1))))


class _OverBudget(Exception):
    pass


def measure(name: str, runs: int, budget: float, unit: str | None, seed: int = 0, method: str | None = None) -> dict:
    from crnzoo import zoo
    from crnzoo.solve import Schedule
    from crnzoo.solvers.config import SimulationError
    from crnzoo.ssa import SSAError
    from crnzoo.ssa.report import unit_nM as per_unit_nM
    from crnzoo.ssa.robustness import smallest_omega

    started = time.perf_counter()
    e, card, model = zoo.entry(name), zoo.card(name), zoo.load(name)
    unit_nM = per_unit_nM(card, unit)
    base = {"name": name, "unit_nM": unit_nM, "runs": runs, "level": 0.95, "confidence": 0.95}
    schedule = Schedule.from_dict(card.get("schedule"))
    method = method or e.task.stochastic_method
    if e.family == "wta_mnist":  # the task's check, with its 60 ODE classes solved once (exact SSA: 15-30x faster than tau here)
        from crnzoo.tasks._wta_mnist_ssa import ImageAgreement

        agree = ImageAgreement(model, e.task.solver, t1=card["t1"])
        e = _Entry(e, agree, method)
        base["function"] = ("a run simulates test image r mod 60 (the first 60 of the card's 2,700) and keeps the function when its "
                            "class (argmax F at t1) is the card ODE's for that image; p >= 0.95 bounds the stochastic accuracy on "
                            f"those images to within 0.05 of the ODE's ({agree.summary()})")
    # 1. does the task check anything stochastic at all? (tiny probe, also compiles)
    try:
        e.task.stochastic_check(model, 16.0, 2, seed, t1=card["t1"], schedule=schedule, method=method)
    except (ValueError, SSAError) as err:
        if not isinstance(err, SimulationError):
            return {**base, "status": "not tested", "reason": str(err), "wall_s": time.perf_counter() - started}
    except SimulationError:
        pass
    # 2. the listing the SSA runs must be the model's own dynamics
    try:
        gap = listing_gap(model, card["t1"], schedule)
    except SSAError as err:
        return {**base, "status": "not tested", "reason": str(err), "wall_s": time.perf_counter() - started}
    if not gap <= LISTING_TOL:
        return {**base, "status": "not tested", "listing_gap": gap, "wall_s": time.perf_counter() - started,
                "reason": (f"the reaction listing the SSA simulates (model.network(0)) does not reproduce the model's own ODE "
                           f"(final states at t1 = {card['t1']:g} differ by up to {gap:.3g}): a stochastic check against the ODE "
                           "would fail at every Ω, so no Ω is reported")}
    omega_max, patience = PLAN.get(name, (4096, 1))
    spent: list[tuple[float, float]] = []  # (Ω, seconds) per check
    used = {"method": method}

    def probe(omega) -> float:
        """Predicted seconds of one check of `runs` runs at Ω: 4 runs twice (the first call
        compiles, the second is run time only); falls back to tau-leaping where an exact run
        needs too many steps."""
        times = []
        for _ in range(2):
            t = time.perf_counter()
            try:
                e.task.stochastic_check(model, omega, 4, seed, t1=card["t1"], schedule=schedule, method=used["method"])
            except SimulationError:
                used["method"] = "tau"
                e.task.stochastic_check(model, omega, 4, seed, t1=card["t1"], schedule=schedule, method="tau")
            times.append(time.perf_counter() - t)
        return max(times[0] - times[1], 0.0) + times[1] * runs / 4

    # the walk costs about twice its first check (cost ∝ Ω): start at the largest Ω that fits
    start, predicted = float(omega_max), probe(float(omega_max))
    start_note = None
    while 2.2 * predicted > budget and start > 1:
        start_note = (f"walk started at Ω = {start / 2:g}: one check of {runs} runs at Ω = {start:g} ({used['method']}) "
                      f"was predicted at ~{predicted:.0f} s from a measured probe, past this entry's budget of {budget:g} s")
        start /= 2
        if used["method"] != method:  # an exact run may fit at the smaller Ω
            used["method"] = method
            predicted = probe(start)
        else:
            predicted /= 2
    spent: list[tuple[float, float]] = [(start, predicted)]  # (Ω, seconds) per check

    def check(omega):
        elapsed = time.perf_counter() - started
        o, s_ = spent[-1]
        predicted = s_ * omega / o  # cost ∝ Ω (firings per run), from the last check
        if elapsed + predicted > budget:
            raise _OverBudget(f"one check of {runs} runs at Ω = {omega:g} ({used['method']}) would take ~{predicted:.0f} s "
                              f"(measured), past this entry's budget of {budget:g} s (spent {elapsed:.0f} s)")
        t = time.perf_counter()
        try:
            c = e.task.stochastic_check(model, omega, runs, seed, t1=card["t1"], schedule=schedule, method=used["method"])
        except SimulationError:
            used["method"] = "tau"
            c = e.task.stochastic_check(model, omega, runs, seed, t1=card["t1"], schedule=schedule, method="tau")
        spent.append((omega, time.perf_counter() - t))
        return c

    done = []

    def show(omega, c):
        done.append((omega, c))
        lo, hi = c.interval()
        print(f"  {name} Ω = {omega:<8g} {c.passed}/{c.runs} (95% CI {lo:.3f}..{hi:.3f}, {c.method}) "
              + "; ".join(f"{k}: {v}" for k, v in list(c.failures.items())[:2]), flush=True)

    try:
        r = smallest_omega(check, omega_max=start, factor=2.0, patience=patience, progress=show)
        status, note = ("measured" if r.omega_min is not None else "does not hold"), None
    except _OverBudget as err:
        if not done:
            return {**base, "status": "incomplete", "reason": "; ".join(x for x in (start_note, str(err)) if x), "wall_s": time.perf_counter() - started}
        # the walk so far, as if it had stopped here
        r = smallest_omega(lambda o: dict(done)[o], omega_max=start, factor=2.0, omega_floor=done[-1][0], patience=patience)
        status, note = "incomplete", f"walk stopped: {err}"
    out = {**base, "status": status, **r.to_dict(unit_nM), "statement": r.statement(unit_nM),
           "wall_s": time.perf_counter() - started, "listing_gap": gap}
    if "tau" in out.get("methods", ()):
        out["approximation"] = TAU_ERROR
    note = "; ".join(x for x in (start_note, note) if x)
    if note:
        out["note"] = note
    return out


def cost_key(name: str) -> float:
    from crnzoo import zoo

    c = zoo.card(name)
    return c["reactions"]["dense"] * c["t1"] * PLAN.get(name, (4096, 1))[0]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help="entries (default: all, cheapest first)")
    ap.add_argument("--runs", type=int, help="runs per Ω (default 100; spatial entries: their task's)")
    ap.add_argument("--budget", type=float, default=600.0, help="seconds per entry")
    ap.add_argument("--unit", help="1 dimensionless concentration unit, for the lab statement (default: 1 nM for a card in nM, else 50nM)")
    ap.add_argument("--omega-max", type=float, help="first Ω of the walk (default: the entry's PLAN value)")
    ap.add_argument("--method", choices=("direct", "tau"),
                    help="exact direct SSA or approximate tau-leaping (its error: crnzoo.ssa.simulate) for every check (default: the entry's)")
    ap.add_argument("--not-run", metavar="REASON", help="measure nothing: record the named entries as not measured, for REASON")
    args = ap.parse_args(argv)
    if (args.runs is not None and args.runs < 1) or args.budget <= 0:
        print("robustness_cards: --runs and --budget must be positive", file=sys.stderr)
        return 2
    from crnzoo import zoo
    from crnzoo._registry import checkpoint_dir
    from crnzoo.export.scale import Scale

    if args.unit is not None:
        try:
            Scale.parse(args.unit)
        except ValueError as e:
            print(f"robustness_cards: --unit: {e}", file=sys.stderr)
            return 2
    names = args.names or sorted(zoo.list_models(), key=cost_key)
    command = "scripts/robustness_cards.py " + " ".join(argv if argv is not None else sys.argv[1:])
    for name in names:
        print(f"{name}: ...", flush=True)
        if args.not_run:
            out = {"name": name, "status": "not tested", "reason": args.not_run, "runs": args.runs or 100, "wall_s": 0.0}
        elif hasattr(zoo.entry(name).task, "stochastic_reference"):  # spatial: reaction noise per grid cell, its own walk
            from robustness_spatial import measure as measure_spatial

            out = measure_spatial(name, args.runs, args.omega_max, budget=args.budget, unit=args.unit)
        else:
            if args.omega_max:
                PLAN[name] = (args.omega_max, PLAN.get(name, (4096, 1))[1])
            out = measure(name, args.runs or 100, args.budget, args.unit, method=args.method)
        out["command"] = command.strip()
        _write(checkpoint_dir(name) / "robustness.json", out)
        print(f"{name}: {out['status']}: {out.get('statement') or out.get('reason')} ({out['wall_s']:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
