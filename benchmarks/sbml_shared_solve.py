"""Benchmark: many SBML models, each compiling its own solve vs one shared compiled solve.

    PYTHONPATH=$PWD CRNZOO_DATA=/work/shared/data python benchmarks/sbml_shared_solve.py --cases 6

Takes the first `--cases` plain-reaction cases of the SBML Test Suite (different small models)
and, in this process, times each case's load + first simulation at the suite's output times:

- "own": `crnzoo.simulate` (the model's own JAX trace and XLA compile, what `crnzoo simulate` does);
- "shared": `crnzoo.sbml.shared.SharedSolve` (one compiled Diffrax solve per padded size, the
  model's right-hand side evaluated with numpy through host callbacks; the Test Suite runner's way).

Prints per-case seconds and the total ratio own / shared. The first shared case includes the one
compile. No assertions on timings.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=6)
    args = ap.parse_args(argv)
    import crnzoo
    from crnzoo.data import data_dir
    from crnzoo.sbml.shared import SharedSolve
    from crnzoo.sbml.suite import SOLVERS

    root = Path(data_dir()) / "sbml-test-suite"
    if not root.is_dir():
        print(f"no SBML Test Suite at {root}", file=sys.stderr)
        return 2
    names = [c for c in (root / "semantic-plain-reaction-cases.txt").read_text().split()
             if (root / "semantic" / c / f"{c}-sbml-l3v2.xml").is_file()][: args.cases]
    engine = SharedSolve()
    totals = {"own": 0.0, "shared": 0.0}
    print("| case | own (s) | shared (s) | max abs difference |")
    print("|---|---|---|---|")
    for c in names:
        folder = root / "semantic" / c
        ts = np.genfromtxt(folder / f"{c}-results.csv", delimiter=",", skip_header=1, ndmin=2)[:, 0]
        t = time.perf_counter()
        m = crnzoo.load(str(folder / f"{c}-sbml-l3v2.xml"))
        own = crnzoo.simulate(m, ts, solver=SOLVERS[0]).ys
        t_own = time.perf_counter() - t
        t = time.perf_counter()
        m = crnzoo.load(str(folder / f"{c}-sbml-l3v2.xml"))
        shared = m.simulate_events(ts, SOLVERS[0], engine)[0].ys
        t_shared = time.perf_counter() - t
        totals["own"] += t_own
        totals["shared"] += t_shared
        print(f"| {c} | {t_own:.2f} | {t_shared:.2f} | {np.max(np.abs(own - shared)):.2e} |", flush=True)
    print(f"\n{len(names)} models: own {totals['own']:.1f} s, shared {totals['shared']:.1f} s "
          f"(own / shared = {totals['own'] / totals['shared']:.1f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
