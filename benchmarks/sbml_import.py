"""Benchmark: load and compile an SBML model, crnzoo's importer vs libroadrunner.

    PYTHONPATH=$PWD python benchmarks/sbml_import.py --n 3 16

The models are the random dimerisation networks of `benchmarks/dimerization.py` (n monomers,
2 n^2 reactions: n = 3 gives 18 reactions, n = 16 gives 512, n = 40 gives 3,200), written by
`crnzoo.export.to_sbml` to a file. For each backend, in this process:

- crnzoo: `crnzoo.load(path)` (libsbml parse, MathML -> JAX source, exec) = "load"; then the
  first `crnzoo.simulate` (t = 0..1, 2 points, Tsit5; includes JAX tracing and XLA compile) =
  "ready" is load + that first call; "sim" = the median of 3 later calls.
- libroadrunner: `roadrunner.RoadRunner(path)` (parse + LLVM compile) = "load"; the first
  `simulate(0, 1, 2)` added = "ready"; "sim" likewise.

"cold" runs the smallest model in a fresh Python process: from interpreter start through
`import crnzoo`, load and the first simulate (what a user waits for at the command line).
Ratios are crnzoo / roadrunner (below 1x: crnzoo is faster); "(CPU)" is this process's CPU
seconds over the same span. crnzoo's first simulate runs the compiled solve its size class
shares (`crnzoo.sbml.program`), compiled here for the first time (an empty cache directory,
`CRNZOO_CACHE_DIR`); the "cold" process then finds its program there. No assertions on timings.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import roadrunner

import crnzoo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dimerization import dimer_crn

TS = np.linspace(0.0, 1.0, 2)


def _crnzoo(path: str) -> tuple[float, float, float, float]:
    t, c = time.perf_counter(), time.process_time()
    model = crnzoo.load(path)
    load = time.perf_counter() - t
    crnzoo.simulate(model, TS)
    ready, ready_cpu = time.perf_counter() - t, time.process_time() - c
    sims = []
    for _ in range(3):
        s = time.perf_counter()
        crnzoo.simulate(model, TS)
        sims.append(time.perf_counter() - s)
    return load, ready, statistics.median(sims), ready_cpu


def _roadrunner(path: str) -> tuple[float, float, float, float]:
    t, c = time.perf_counter(), time.process_time()
    rr = roadrunner.RoadRunner(path)
    load = time.perf_counter() - t
    rr.simulate(0.0, 1.0, 2)
    ready, ready_cpu = time.perf_counter() - t, time.process_time() - c
    sims = []
    for _ in range(3):
        rr.reset()
        s = time.perf_counter()
        rr.simulate(0.0, 1.0, 2)
        sims.append(time.perf_counter() - s)
    return load, ready, statistics.median(sims), ready_cpu


COLD = (
    "import time; t0 = time.perf_counter(); import crnzoo; t1 = time.perf_counter(); "
    "m = crnzoo.load({path!r}); t2 = time.perf_counter(); crnzoo.simulate(m, t1=1.0, n_save=2); "
    "t3 = time.perf_counter(); print(t1 - t0, t2 - t1, t3 - t2)"
)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, nargs="+", default=[3, 16], help="dimerisation sizes (2 n^2 reactions)")
    args = ap.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CRNZOO_CACHE_DIR"] = str(Path(tmp) / "cache")  # every compile here is a first one
        paths = {}
        for n in args.n:
            net = dimer_crn(n).network(0.0, name=f"dimer{n}")
            paths[n] = str(Path(tmp) / f"dimer{n}.xml")
            crnzoo.export.export(net, "sbml", path=paths[n])
            c = _crnzoo(paths[n])
            r = _roadrunner(paths[n])
            rows.append((n, net.n_species, net.n_reactions, c, r))
            print(f"n={n}: crnzoo load/ready/sim {c[0]:.2f}/{c[1]:.2f}/{c[2]:.4f} s; roadrunner {r[0]:.2f}/{r[1]:.2f}/{r[2]:.4f} s", flush=True)
        small = paths[min(args.n)]
        out = subprocess.run([sys.executable, "-c", COLD.format(path=small)], capture_output=True, text=True, check=True)
        imp, load, first = map(float, out.stdout.split())
    print("\n| model | species | reactions | crnzoo load | crnzoo ready (CPU) | roadrunner load | roadrunner ready (CPU) | ready ratio (CPU) | crnzoo sim | roadrunner sim |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for n, ns, nr, c, r in rows:
        print(f"| dimer n={n} | {ns} | {nr} | {c[0]:.2f} s | {c[1]:.2f} s ({c[3]:.2f} s) | {r[0]:.2f} s | {r[1]:.2f} s ({r[3]:.2f} s) | "
              f"{c[1] / r[1]:.2f}x ({c[3] / r[3]:.2f}x) | {c[2] * 1e3:.1f} ms | {r[2] * 1e3:.1f} ms |")
    print(f"\ncold, dimer n={min(args.n)} in a fresh process: import crnzoo {imp:.2f} s + load {load:.2f} s + first simulate {first:.2f} s "
          f"= {imp + load + first:.2f} s (ready after import: {load + first:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
