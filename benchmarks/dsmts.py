"""Run the SBML Test Suite's stochastic (DSMTS) cases through SBML import + crnzoo's exact SSA.

    PYTHONPATH=$PWD CRNZOO_DATA=/work/shared/data python benchmarks/dsmts.py [--runs 10000] [--cases 00001,00031]
        [--md table.md] [--jsonl out.jsonl]

Each case: import `NNNNN-sbml-l3v2.xml` (`crnzoo.ssa.dsmts.load_case_model`), simulate `--runs`
exact Gillespie sample paths (`crnzoo.ssa.sbml.sbml_ssa`: each kinetic law is the reaction's
propensity, species as the model's math reads them), and judge with the suite's z-score
tests (`crnzoo.ssa.dsmts`: Z_t in meanRange, Y_t in sdRange at every output time; a case
passes with at most 1 Z_t and 2 Y_t excursions). Models the SSA does not run (events, rate
rules, the `distrib` package, ...) are reported as unsupported with the reason. Prints a
Markdown table and the totals beside the suite's expectation for a correct simulator.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from pathlib import Path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", help="the suite's stochastic folder (default: CRNZOO_DATA/sbml-test-suite/stochastic)")
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cases", help="comma list of case numbers (default: all)")
    ap.add_argument("--md", help="also write the table here (Markdown)")
    ap.add_argument("--jsonl", help="write one JSON line per case here")
    args = ap.parse_args(argv)
    if args.runs < 2:
        print("dsmts: --runs must be >= 2", file=sys.stderr)
        return 2
    import crnzoo  # noqa: F401  (64-bit mode)
    from crnzoo.ssa.dsmts import cases, run_case

    root = Path(args.root or Path(os.environ.get("CRNZOO_DATA", "data")) / "sbml-test-suite" / "stochastic")
    if not root.is_dir():
        print(f"dsmts: no DSMTS cases at {root}", file=sys.stderr)
        return 2
    folders = cases(root)
    if args.cases:
        want = {c.strip().zfill(5) for c in args.cases.split(",")}
        folders = [f for f in folders if f.name in want]
    started = time.perf_counter()
    results = []
    lines = ["| case | synopsis | status | Z_t out | Y_t out | max abs Z | max abs Y | points | s |", "|---|---|---|---|---|---|---|---|---|"]
    for f in folders:
        r = run_case(f, args.runs, args.seed)
        results.append(r)
        if r.status == "unsupported":
            row = f"| {r.case} | {r.synopsis} | unsupported: {r.reason} | | | | | | {r.seconds:.1f} |"
        else:
            row = (f"| {r.case} | {r.synopsis} | {r.status} | {r.z_out} | {r.y_out} | {r.z_max:.2f} | {r.y_max:.2f} | "
                   f"{r.points} | {r.seconds:.1f} |")
        lines.append(row)
        print(row, flush=True)
        if args.jsonl:
            with open(args.jsonl, "a") as fh:
                fh.write(json.dumps(dataclasses.asdict(r)) + "\n")
    run = [r for r in results if r.status != "unsupported"]
    npass = sum(r.status == "pass" for r in run)
    zs, ys, pts = sum(r.z_out for r in run), sum(r.y_out for r in run), sum(r.points for r in run)
    total = [
        "",
        f"{len(results)} cases, {args.runs} runs each: {npass} pass, {len(run) - npass} fail, {len(results) - len(run)} unsupported "
        f"({time.perf_counter() - started:.0f} s).",
        f"Excursions over the {len(run)} cases run ({pts} time points x variables): {zs} Z_t and {ys} Y_t "
        "(the suite expects about 2-3 Z_t and 5-6 Y_t from a correct simulator over its 39 time-course cases).",
    ]
    print("\n".join(total))
    if args.md:
        Path(args.md).write_text("\n".join(lines + total) + "\n")
    return 0 if npass == len(run) else 1


if __name__ == "__main__":
    raise SystemExit(main())
