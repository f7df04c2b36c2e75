"""Stochastic simulation of the DSMTS dimerisation case 00031 (SBML Test Suite), three ways.

    PYTHONPATH=$PWD CRNZOO_DATA=/work/shared/data python benchmarks/ssa_dsmts31.py [--runs 10000] [--rr-runs 500]

The case's SBML (2P → P2 with propensity k1·P·(P−1)/2, P2 → 2P with k2·P2; P = 1000 at t = 0;
saves at t = 0, 1, ..., 50) is run by

- crnzoo: SBML import + `crnzoo.ssa.sbml.sbml_ssa` (exact direct method, runs as the lanes of
  one vector loop, `crnzoo.ssa._lanes`; all runs in one call after a warm-up call that compiles);
- libroadrunner's `gillespie` integrator on the same file, a Python loop over runs (`resetAll`,
  a seed per run, one `simulate(0, 50, 51)`); `--rr-runs` runs timed and extrapolated linearly;
- GillesPy2's C++ `SSACSolver` on `gillespy2.import_SBML` of the same file (all runs in one
  call; its C++ build excluded), when installed.

Each backend's result is judged by the suite's own z-score tests against the expected mean and
sd (`crnzoo.ssa.dsmts.judge`): the same statistics, or not. Ratios are run times over crnzoo's,
in one process. No timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path

import numpy as np


def cpu() -> float:
    """CPU seconds of this process and its finished children (GillesPy2's C++ solver is a child)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--rr-runs", type=int, default=500)
    ap.add_argument("--skip", default="")
    a = ap.parse_args(argv)
    skip = set(filter(None, a.skip.split(",")))
    import crnzoo  # noqa: F401
    from crnzoo.ssa.dsmts import judge, load_case_model
    from crnzoo.ssa.sbml import sbml_ssa

    folder = Path(os.environ.get("CRNZOO_DATA", "data")) / "sbml-test-suite" / "stochastic" / "00031"
    xml = folder / "00031-sbml-l3v2.xml"
    header = (folder / "00031-results.csv").read_text().splitlines()[0].split(",")
    table = np.genfromtxt(folder / "00031-results.csv", delimiter=",", skip_header=1)
    ts = table[:, 0]
    mu, sigma = (table[:, [header.index(f"{s}-{k}") for s in ("P", "P2")]] for k in ("mean", "sd"))
    rows = {}

    model = load_case_model(xml)
    t = time.perf_counter()
    sbml_ssa(model, ts, a.runs, seed=1)
    first = time.perf_counter() - t
    t, c = time.perf_counter(), cpu()
    p = sbml_ssa(model, ts, a.runs, seed=0)
    wall, used = time.perf_counter() - t, cpu() - c
    vals = p.values(model, ["P", "P2"], {"P", "P2"})
    rows["crnzoo exact (lanes)"] = (wall, used, max(first - wall, 0.0), vals, f"all {a.runs} runs, one call")

    if "roadrunner" not in skip:
        import roadrunner

        rr = roadrunner.RoadRunner(str(xml))
        rr.setIntegrator("gillespie")
        n = min(a.rr_runs, a.runs)
        out = np.empty((n, len(ts), 2))
        t, c = time.perf_counter(), cpu()
        for i in range(n):
            rr.resetAll()
            rr.getIntegrator().setValue("seed", 1000 + i)
            out[i] = np.asarray(rr.simulate(0.0, float(ts[-1]), len(ts), selections=["P", "P2"]))
        w, used = (time.perf_counter() - t) * a.runs / n, (cpu() - c) * a.runs / n
        rows["libroadrunner gillespie (loop)"] = (w, used, 0.0, out, f"{n} runs timed, x{a.runs / n:g}" if n < a.runs else "all runs")

    if "gillespy2" not in skip:
        try:
            import gillespy2
        except ImportError:
            print("GillesPy2 is not installed: skipped")
        else:
            gm, _errors = gillespy2.import_SBML(str(xml))
            gm.timespan(gillespy2.TimeSpan(ts))
            t = time.perf_counter()
            solver = gillespy2.SSACSolver(model=gm)
            build = time.perf_counter() - t
            t, c = time.perf_counter(), cpu()
            res = solver.run(number_of_trajectories=a.runs, seed=7)
            w, used = time.perf_counter() - t, cpu() - c
            out = np.stack([np.stack([traj["P"], traj["P2"]], -1) for traj in res])
            rows["GillesPy2 SSACSolver (C++)"] = (w, used, build, out, f"all {a.runs} runs, one call (C++ build {build:.1f} s excluded)")

    ref, ref_cpu = rows["crnzoo exact (lanes)"][:2]
    print(f"DSMTS 00031 (dimerisation), {a.runs} runs, t = 0..50 (51 saves); Z_t / Y_t excursions by the suite's tests")
    print("| backend | run s (wall) | CPU s | compile/build s | × crnzoo (wall) | × crnzoo (CPU) | runs judged | Z_t out | Y_t out | max abs Z | max abs Y | how |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, (w, used, c, v, how) in rows.items():
        nrun = v.shape[0]
        exact = np.all(v == mu[None], axis=0)
        zo, yo, zm, ym, _ = judge(v.mean(0), v.var(0, ddof=1), mu, sigma, nrun, exact)
        print(f"| {name} | {w:.2f} | {used:.2f} | {c:.1f} | {w / ref:.1f} | {used / ref_cpu:.1f} | {nrun} | {zo} | {yo} | {zm:.2f} | {ym:.2f} | {how} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
