"""Stochastic simulation: 10,000 sample paths of majority-am4 at Ω = 1,000.

Backends (one process; ratios are run times over crnzoo's exact direct method):

- crnzoo `direct`: `crnzoo.ssa.ssa_simulate(method="direct")`, runs as the lanes of one vector
  loop (`crnzoo.ssa._lanes`: one SplitMix64 uniform per firing, lockstep between saves, running
  lanes compacted).
- crnzoo `vmap`: the same exact law, the previous kernel: vmap of one lax.while_loop per run
  (threefry keys, two uniforms per firing).
- crnzoo `scan`: the same law as blocks of 64 masked steps (lax.scan) inside a while loop.
- crnzoo `tau`: adaptive tau-leaping (approximate; exact steps below 10 expected firings).
- libroadrunner `gillespie`: the SBML of the same network in counts (rates k·Ω^(1−m),
  initial c·Ω, volume 1), a Python loop over runs (`resetAll`, a seed per run, one
  `simulate` per save interval). Timed on a prefix of `--rr-runs` runs and extrapolated
  linearly to `--runs` ("how timed" says so).
- GillesPy2 `SSACSolver` (C++), when installed: all runs in one call, compiled once.

JAX compile time (first call minus the timed call) is reported separately. Statistics:
mean and sd of A, B and C at t = 5 (mid-race) and the fraction of runs in which A wins by
t = 200; |z| of each backend's means against crnzoo direct. No timing is asserted anywhere.

    python benchmarks/ssa.py [--runs 10000] [--omega 1000] [--rr-runs 300] [--json out.json]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import time

import numpy as np

from crnzoo import zoo
from crnzoo.export import export
from crnzoo.ssa import ssa_simulate


TS = np.array([0.0, 5.0, 200.0])


def cpu() -> float:
    """CPU seconds of this process and its finished children (GillesPy2 runs its C++ solver as a
    child): robust to other jobs on the machine, unlike wall time."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def counts_network(net, omega):
    rx = tuple(dataclasses.replace(r, rate=r.rate * omega ** (1 - r.molecularity)) for r in net.reactions)
    return dataclasses.replace(net, reactions=rx, initial={s: round(v * omega) for s, v in net.initial.items()})


def stats(counts: np.ndarray, omega: float) -> dict:
    """counts: (runs, 3 times, 3 species)."""
    c = counts / omega
    return {
        "mean_t5": c[:, 1].mean(0).tolist(),
        "sd_t5": c[:, 1].std(0, ddof=1).tolist(),
        "A_wins": float(np.mean(counts[:, 2, 0] > 0.9 * counts[:, 2].sum(1))),
        "runs": int(counts.shape[0]),
    }


CPU: dict[str, float] = {}  # backend -> CPU seconds of the timed call (process + children)


def run_crnzoo(model, omega, runs, method):
    t = time.perf_counter()
    ssa_simulate(model, TS, omega, runs, seed=1, method=method)
    first = time.perf_counter() - t
    t, c = time.perf_counter(), cpu()
    res = ssa_simulate(model, TS, omega, runs, seed=0, method=method)
    wall = time.perf_counter() - t
    CPU[f"crnzoo {method}"] = cpu() - c
    return wall, max(first - wall, 0.0), res.counts, f"all {runs} runs, one call, after a warm-up"


def run_roadrunner(net, omega, runs, prefix):
    import roadrunner

    rr = roadrunner.RoadRunner(export(counts_network(net, omega), "sbml"))
    rr.setIntegrator("gillespie")
    cols = [f"[{s}]" for s in net.species]
    n = min(prefix, runs)
    out = np.empty((n, len(TS), len(cols)))
    t, c = time.perf_counter(), cpu()
    for i in range(n):
        rr.resetAll()
        rr.getIntegrator().setValue("seed", 1000 + i)
        out[i, 0] = [rr[c] for c in cols]
        for k in range(1, len(TS)):
            out[i, k] = np.asarray(rr.simulate(float(TS[k - 1]), float(TS[k]), 2, selections=["time", *cols]))[-1, 1:]
    wall = (time.perf_counter() - t) * runs / n
    CPU["libroadrunner gillespie"] = (cpu() - c) * runs / n
    return wall, 0.0, out, f"{n} runs timed, extrapolated x{runs / n:g}" if n < runs else f"all {runs} runs"


def run_gillespy2(net, omega, runs):
    import gillespy2

    cn = counts_network(net, omega)
    m = gillespy2.Model(name="am4")
    m.add_species([gillespy2.Species(name=s, initial_value=int(cn.initial.get(s, 0)), mode="discrete") for s in cn.species])
    for j, r in enumerate(cn.reactions):
        k = gillespy2.Parameter(name=f"k{j}", expression=repr(r.rate))
        m.add_parameter(k)
        m.add_reaction(gillespy2.Reaction(name=f"r{j}", reactants=dict(r.reactants), products=dict(r.products), rate=k))
    grid = np.arange(0.0, TS[-1] + 2.5, 5.0)  # GillesPy2 needs a uniform grid: keep t = 0, 5, 200
    m.timespan(gillespy2.TimeSpan(grid))
    t = time.perf_counter()
    solver = gillespy2.SSACSolver(model=m)
    build = time.perf_counter() - t
    t, c = time.perf_counter(), cpu()
    res = solver.run(number_of_trajectories=runs, seed=7)
    wall = time.perf_counter() - t
    CPU["GillesPy2 SSACSolver"] = cpu() - c
    keep = [int(np.argmin(np.abs(grid - t))) for t in TS]
    out = np.stack([np.stack([traj[s] for s in cn.species], axis=-1)[keep] for traj in res])
    return wall, build, out, f"all {runs} runs, one call (C++ build {build:.1f} s excluded)"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=10_000)
    p.add_argument("--omega", type=float, default=1000.0)
    p.add_argument("--rr-runs", type=int, default=300, help="libroadrunner runs actually timed (extrapolated to --runs)")
    p.add_argument("--skip", default="", help="comma-separated backends to skip (vmap, scan, tau, roadrunner, gillespy2)")
    p.add_argument("--json")
    a = p.parse_args(argv)
    skip = set(filter(None, a.skip.split(",")))
    model = zoo.load("majority-am4")
    net = model.network(0.0, name="am4")
    net = dataclasses.replace(net, initial=dict(zip(net.species, np.asarray(model.x0, dtype=float))))
    rows = {}
    for method in ("direct", "vmap", "scan", "tau"):
        if method not in skip:
            rows[f"crnzoo {method}"] = run_crnzoo(model, a.omega, a.runs, method)
    if "roadrunner" not in skip:
        rows["libroadrunner gillespie"] = run_roadrunner(net, a.omega, a.runs, a.rr_runs)
    if "gillespy2" not in skip:
        try:
            rows["GillesPy2 SSACSolver"] = run_gillespy2(net, a.omega, a.runs)
        except ImportError:
            print("GillesPy2 is not installed: skipped")
    ref_wall, _, ref_counts, _ = rows["crnzoo direct"]
    ref = ref_counts[:, 1] / a.omega
    table = []
    print(f"majority-am4, Ω = {a.omega:g}, {a.runs} runs, saves at t = {', '.join(f'{t:g}' for t in TS)}")
    print(f"{'backend':<26}{'run s':>9}{'compile s':>10}{'x direct':>9}  mean A,B,C at t=5     sd A,B,C at t=5      A wins  max|z| mean  how timed")
    for name, (wall, compile_s, counts, how) in rows.items():
        s = stats(counts, a.omega)
        c = counts[:, 1] / a.omega
        z = np.abs(c.mean(0) - ref.mean(0)) / np.sqrt(c.var(0, ddof=1) / len(c) + ref.var(0, ddof=1) / len(ref) + 1e-300)
        row = {"backend": name, "run_s": wall, "compile_s": compile_s, "ratio_vs_direct": wall / ref_wall, "max_z_mean": float(z.max()), "how": how, **s}
        table.append(row)
        fmt = lambda v: ",".join(f"{x:.4f}" for x in v)  # noqa: E731
        print(f"{name:<26}{wall:>9.2f}{compile_s:>10.1f}{wall / ref_wall:>9.2f}  {fmt(s['mean_t5']):<21}{fmt(s['sd_t5']):<21}{s['A_wins']:>6.4f}  {z.max():>10.2f}  {how}")
    ref_cpu = CPU.get("crnzoo direct")
    for name, row in zip(rows, table):
        row["cpu_s"] = CPU.get(name)
        print(f"{name:<26} CPU {CPU.get(name, float('nan')):.2f} s" + (f" ({CPU[name] / ref_cpu:.1f}x crnzoo direct's CPU)" if ref_cpu and name in CPU else ""))
        if name.startswith(("libroadrunner", "GillesPy2")):
            print(f"crnzoo direct is {row['run_s'] / ref_wall:.1f}x faster than {name} (wall)")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"omega": a.omega, "runs": a.runs, "rows": table}, f, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
