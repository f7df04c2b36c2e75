"""The robustness section of the spatial cards (gray-scott-*, hopfield-turing-*) under a stated
approximation: reaction noise (chemical Langevin, per grid cell) on the card's own deterministic step
(`crnzoo.ssa.spatial_cle`; diffusion noise neglected; fast annihilations stay deterministic).

    PYTHONPATH=$PWD CRNZOO_DATA=/work/shared/data nice -n 10 python scripts/robustness_spatial.py \
        NAME ... [--runs R] [--omega-max W] [--factor F] [--patience 1] [--n N] [--t1 T] [--budget 1800]

The function is the entry's own (`task.stochastic_reference`: its deterministic side, built once
per entry; `.check(model, Ω)`: the runs with noise at Ω):
- gray-scott-*: the card's texture metric; run r grows the card's fresh-noise field of seed 1 + r
  and keeps the function when its texture loss is at most the worst loss of the same fields grown
  deterministically (a texture is random in its details: the yardstick is the seed-to-seed
  spread; `crnzoo.tasks._gray_scott_ssa`). Measured first with 2x the seed-1 value: at Ω = 10⁴
  only 2 of 8 runs passed, losses 0.0048-0.11 against 0.0092 (the noise acts as a new seed).
- hopfield-turing-*: the card's promise, image loss <= 0.03, for portraits grown from the
  card's seed (`crnzoo.tasks._hopfield_ssa`).
Defaults (--runs, --omega-max, --factor) are the task's `robustness_defaults`. The walk is
`smallest_omega` (Ω = omega_max, omega_max/factor, ...; stops after --patience Ω with p̂ < 0.95),
cut short before a check that would pass --budget. Writes weights/<name>/robustness.json
(card.json is not touched). The lab statement's unit: `crnzoo.ssa.report.unit_nM` (50 nM for
these dimensionless cards) or --unit.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from robustness_cards import _write  # noqa: E402


def measure(name: str, runs: int | None = None, omega_max: float | None = None, factor: float | None = None, patience: int = 1,
            n: int | None = None, t1: float | None = None, budget: float = 1800.0, unit: str | None = None) -> dict:
    """The robustness of one spatial entry (see the module docstring); the JSON's content."""
    from crnzoo import zoo
    from crnzoo.ssa.report import unit_nM as per_unit_nM
    from crnzoo.ssa.robustness import smallest_omega

    started = time.perf_counter()
    e, card, model = zoo.entry(name), zoo.card(name), zoo.load(name)
    task = e.task
    if not hasattr(task, "stochastic_reference"):
        raise ValueError(f"{name} has no reaction-noise check (its task has no stochastic_reference): use scripts/robustness_cards.py")
    own = task.robustness_defaults
    runs, omega_max, factor = runs or own["runs"], omega_max or own["omega_max"], factor or own["factor"]
    unit_nM = per_unit_nM(card, unit)
    ref = task.stochastic_reference(model, runs, n=n, t1=t1)
    print(f"  {name}: {ref.summary()} ({time.perf_counter() - started:.0f} s)", flush=True)
    spent = []

    def check(omega):
        if spent and time.perf_counter() - started + spent[-1] > budget:
            raise TimeoutError(f"one more check (~{spent[-1]:.0f} s) would pass the budget of {budget:g} s")
        t = time.perf_counter()
        result, loss = ref.check(model, omega)
        spent.append(time.perf_counter() - t)
        print(f"  {name} Ω = {omega:g}: {result.passed}/{runs}, losses {sorted(round(float(v), 4) for v in loss)} "
              f"({spent[-1]:.0f} s, {spent[-1] / runs:.2f} s per run)", flush=True)
        return result

    done = []
    status, note = "measured", None
    try:
        r = smallest_omega(check, omega_max=omega_max, factor=factor, patience=patience, progress=lambda o, c: done.append((o, c)))
    except TimeoutError as err:
        if not done:
            raise
        r = smallest_omega(lambda o: dict(done)[o], omega_max=omega_max, factor=factor, omega_floor=done[-1][0], patience=patience)
        status, note = "incomplete", f"walk stopped: {err}"
    if r.omega_min is None:
        status = "does not hold"
    per = task.omega_per
    return {"name": name, "unit_nM": unit_nM, "runs": runs, "status": status, **r.to_dict(unit_nM), "statement": r.statement(unit_nM, per),
            "wall_s": time.perf_counter() - started, "wall_s_per_run": sum(spent) / (runs * len(spent)) if spent else None,
            "approximation": ref.approximation, "function": ref.function(),
            "note": "; ".join(x for x in (f"Omega is per {per} (spacing 1); {runs} runs per Omega", note) if x)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="+")
    ap.add_argument("--runs", type=int, help="runs per Ω (default: the task's, 8 for gray-scott, 20 for hopfield)")
    ap.add_argument("--omega-max", type=float, help="first Ω of the walk (default: the task's)")
    ap.add_argument("--factor", type=float, help="ratio between tried Ω (default: the task's)")
    ap.add_argument("--patience", type=int, default=1, help="Ω with p̂ < 0.95 in a row before the walk stops")
    ap.add_argument("--n", type=int, help="grid side (default: the card's)")
    ap.add_argument("--t1", type=float, help="growth time (default: the card's)")
    ap.add_argument("--budget", type=float, default=1800.0, help="seconds per entry")
    ap.add_argument("--unit", help="1 concentration unit, for the lab statement (default: 50nM for these dimensionless cards)")
    ap.add_argument("--dry-run", action="store_true", help="print the result, write nothing")
    args = ap.parse_args(argv)
    bad = [f for f, v in (("--runs", args.runs), ("--omega-max", args.omega_max), ("--n", args.n), ("--t1", args.t1)) if v is not None and not v > 0]
    if bad or args.budget <= 0 or args.patience < 1 or (args.factor is not None and not args.factor > 1):
        print(f"robustness_spatial: {', '.join(bad) or '--budget, --patience or --factor'} out of range "
              "(positive numbers; --factor > 1, --patience >= 1)", file=sys.stderr)
        return 2
    from crnzoo import zoo
    from crnzoo._registry import checkpoint_dir
    from crnzoo.ssa.report import unit_nM

    command = "scripts/robustness_spatial.py " + " ".join(argv if argv is not None else sys.argv[1:])
    for name in args.names:
        try:
            task = zoo.entry(name).task
            unit_nM(zoo.card(name), args.unit)
        except (KeyError, ValueError) as err:
            print(f"robustness_spatial: {name}: {err}", file=sys.stderr)
            return 2
        if not hasattr(task, "stochastic_reference"):
            print(f"robustness_spatial: {name} is not a spatial entry with a reaction-noise check (use scripts/robustness_cards.py)", file=sys.stderr)
            return 2
    for name in args.names:
        out = measure(name, args.runs, args.omega_max, args.factor, args.patience, args.n, args.t1, args.budget, args.unit)
        out["command"] = command.strip()
        if args.dry_run:
            print(json.dumps(out, indent=1))
        else:
            _write(checkpoint_dir(name) / "robustness.json", out)
        print(f"{name}: {out['status']}: {out['statement']} ({out['wall_s']:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
