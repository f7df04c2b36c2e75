"""Every SBML Test Suite model the shared program takes (`crnzoo.sbml.program`), simulated through it.

    PYTHONPATH=$PWD CRNZOO_DATA=/work/shared/data python benchmarks/sbml_program_check.py [--cases 00001,00002]

For each semantic case whose model `plan` accepts: `crnzoo.sbml.program.trajectory` with Tsit5
at the suite runner's tolerances (rtol 1e-10, atol 1e-14), at the case's output times, compared
with the case's results at its own absolute and relative tolerances. Prints one line per case
and the counts. (The suite runner, `sbml_test_suite.py`, keeps its own shared solve; this checks
the path `crnzoo simulate` and `crnzoo.simulate` take.)
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

import numpy as np

from crnzoo.data import data_dir
from crnzoo.sbml import load_sbml
from crnzoo.sbml.program import plan, trajectory
from crnzoo.sbml.suite import SOLVERS, _compare, _split, read_settings


def check(folder: Path) -> tuple[str, str] | None:
    """("pass" | "fail", reason) of one case, None when the shared program does not take it."""
    name = folder.name
    try:
        model = load_sbml(folder / f"{name}-sbml-l3v2.xml")
    except Exception:  # refused by the importer (or no file): not this check's business
        return None
    if isinstance(plan(model), str):
        return None
    settings = read_settings(folder / f"{name}-settings.txt")
    header = (folder / f"{name}-results.csv").read_text().splitlines()[0].split(",")
    expected = np.genfromtxt(folder / f"{name}-results.csv", delimiter=",", skip_header=1, ndmin=2)
    ts = expected[:, 0]
    if ts[-1] <= ts[0]:
        return None
    try:
        traj = trajectory(model, ts, SOLVERS[0])
        got = model.values(ts, traj.ys, [h.strip() for h in header[1:]], set(_split(settings.get("amount", ""))))
        ok, why = _compare(expected[:, 1:], got, float(settings["absolute"]), float(settings["relative"]))
    except Exception as e:  # a refusal (e.g. a negative initial value) or a failed solve
        ok, why = False, f"{type(e).__name__}: {e}"[:200]
    return ("pass" if ok else "fail"), why


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", help="a comma list of case numbers (default: all)")
    args = ap.parse_args(argv)
    root = Path(data_dir()) / "sbml-test-suite" / "semantic"
    if not root.is_dir():
        print(f"no SBML Test Suite at {root}", file=sys.stderr)
        return 2
    only = {c.strip().zfill(5) for c in args.cases.split(",")} if args.cases else None
    counts = collections.Counter()
    started = time.process_time()
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and (only is None or p.name in only)):
        r = check(folder)
        if r is None:
            continue
        counts[r[0]] += 1
        print(f"{folder.name} {r[0]} {r[1]}", flush=True)
    print(f"\n{sum(counts.values())} cases through the shared program: {counts['pass']} pass, {counts['fail']} fail "
          f"({time.process_time() - started:.0f} s CPU)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
