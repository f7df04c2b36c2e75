"""Benchmark: the zoo's `majority-am4` on n random initial conditions, crnzoo vs libroadrunner vs scipy.

Workload (as anchor benchmark (a), on the zoo's catalytic approximate-majority network):
A0, B0 ~ U[0, 1], C0 = 0 (`crnzoo.tasks.majority.sample(n, seed=0, n_species=3)`), solved
from t = 0 to t1; only the final state is kept. All solvers run at rtol 1e-6, atol 1e-9.

- crnzoo: `simulate(...)` as a user calls it: the batch solved jointly in chunks of 1024
  members (the default; each chunk one system with one step-size controller over its worst
  member), the whole batch as ONE system (`chunk=None`, also timed through the raw jitted
  `integrate`), and `batch="vmap"`. Compile time = first call minus the median of the
  later calls; run time = median of `--repeats` calls after that.
- Equal accuracy: roadrunner's default BDF is ~1000x less accurate than crnzoo at the same
  nominal tolerance, so two more rows compare at matched error: crnzoo loosened
  (rtol 1e-4, atol 1e-7) and roadrunner BDF tightened (rtol 1e-9, atol 1e-12).
- libroadrunner: the SBML that crnzoo exports, CVODE BDF (`stiff=True`, roadrunner's
  default) and CVODE Adams (`stiff=False`), looped over members with reset(), set the
  species' concentrations, simulate(0, t1, 2), keep the last row.
- scipy: `solve_ivp` LSODA with a numpy right-hand side built from `network.mass_action()`.

Looped backends: a warm-up on a small prefix estimates the per-system time; if
`--repeats` passes over all n would take longer than `--budget` seconds, the passes run
on a prefix and the run time is extrapolated linearly to n (the "how timed" column says so).

Accuracy: max abs error of the final state against diffrax Dopri8 at rtol 1e-12, atol 1e-14
(crnzoo `simulate`, joint), over the members each backend actually ran.

    python benchmarks/majority_am4.py [--n 10000] [--t1 200] [--repeats 3] [--budget 60] [--json PATH]

Run it on an otherwise idle machine: timings here move by 2x with background load.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time

import crnzoo  # noqa: F401  (enables float64)
import jax
import libsbml  # noqa: F401  (imported up front so the export time below excludes it)
import jax.numpy as jnp
import numpy as np
import roadrunner
import scipy
from scipy.integrate import solve_ivp

import crnzoo.export
import crnzoo.zoo
from crnzoo.solve import SolverConfig, integrate, simulate
from crnzoo.tasks.majority import sample

RTOL, ATOL = 1e-6, 1e-9
MODEL = "majority-am4"


CPU = {}  # CPU seconds (this process, all threads) of the last _median_time call, key "last"


def _median_time(fn, repeats):
    """(median wall seconds of `repeats` calls of fn, last result); the median CPU seconds
    go to CPU["last"] (the machine is shared: CPU time is the comparison that holds)."""
    times, cpus, out = [], [], None
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    CPU["last"] = statistics.median(cpus)
    return statistics.median(times), out


def _timed_loop(solve_prefix, n, repeats, budget, probe=200):
    """Time a per-member Python loop `solve_prefix(m) -> finals of the first m members`.

    A warm-up pass over `probe` members estimates the per-system time; the timed passes
    cover all n members if `repeats` of them fit in `budget` s, else a prefix, and the
    median is extrapolated linearly to n.
    """
    probe = min(probe, n)
    t = time.perf_counter()
    solve_prefix(probe)
    per = (time.perf_counter() - t) / probe
    m = n if per * n * repeats <= budget else max(probe, min(n, int(budget / (per * repeats))))
    run, finals = _median_time(lambda: solve_prefix(m), repeats)
    CPU["last"] *= n / m
    how = f"loop, median of {repeats}"
    if m < n:
        how += f" on first {m}, extrap. x{n / m:.3g}"
    return run * n / m, finals, m, how


# ---- crnzoo ------------------------------------------------------------------------------


def bench_crnzoo_joint(model, x0, t1, repeats, cfg):
    y0, ts, t0 = jnp.asarray(x0), jnp.asarray([0.0, t1]), jnp.asarray(0.0)

    def call():
        return jax.block_until_ready(integrate(model, y0, ts, t0, cfg))

    t = time.perf_counter()
    call()
    first = time.perf_counter() - t
    run, (_, y1, ok, steps, _, _) = _median_time(call, repeats)
    assert bool(ok), "crnzoo joint solve failed"
    return dict(setup=first - run, run=run, finals=np.asarray(y1), steps=int(steps), cpu=CPU["last"])


def bench_crnzoo_simulate(model, x0, t1, repeats, cfg, batch, chunk=1024):
    ts = np.array([0.0, t1])

    def call():
        return simulate(model, ts, x0, solver=cfg, batch=batch, chunk=chunk, name=MODEL).final  # numpy: synchronous

    t = time.perf_counter()
    call()
    first = time.perf_counter() - t
    run, finals = _median_time(call, repeats)
    return dict(setup=first - run, run=run, finals=finals, cpu=CPU["last"])


def bench_crnzoo_rk4(network, x0, t1, repeats, steps):
    """`crnzoo.ensemble.RK4Ensemble`: the explicit fixed-step choice for this model."""
    from crnzoo.ensemble import RK4Ensemble

    solver = RK4Ensemble(network, t1, steps)
    t = time.perf_counter()
    solver(x0)
    first = time.perf_counter() - t
    run, res = _median_time(lambda: solver(x0), repeats)
    return dict(setup=first - run, run=run, finals=res.final, cpu=CPU["last"], estimate=res.error_estimate)


def vmap_step_counts(model, x0, t1, cfg):
    """Accepted steps of each member when solved independently (the vmap path, untimed)."""
    ts, t0 = jnp.asarray([0.0, t1]), jnp.asarray(0.0)
    f = jax.jit(jax.vmap(lambda y: integrate(model, y[None], ts, t0, cfg)[3]))
    return np.asarray(f(jnp.asarray(x0)))


def reference(model, x0, t1):
    """Dopri8 at rtol 1e-12 of the members `x0` (the benchmark passes a prefix for large n)."""
    cfg = SolverConfig("dopri8", rtol=1e-12, atol=1e-14, max_steps=100000)
    t = time.perf_counter()
    finals = simulate(model, np.array([0.0, t1]), x0, solver=cfg, name=MODEL).final
    return finals, time.perf_counter() - t


# ---- libroadrunner -----------------------------------------------------------------------


def roadrunner_setup(network):
    t = time.perf_counter()
    sbml = crnzoo.export.to_sbml(network)
    build = time.perf_counter() - t
    t = time.perf_counter()
    rr = roadrunner.RoadRunner(sbml)
    load = time.perf_counter() - t
    # exported species ids are the network's species names; roadrunner may order them differently
    ids = list(rr.model.getFloatingSpeciesIds())
    to_rr = [network.species.index(s) for s in ids]
    cols = [list(rr.timeCourseSelections).index(f"[{s}]") for s in network.species]
    return rr, to_rr, cols, build, load


def bench_roadrunner(rr, to_rr, cols, x0, t1, repeats, budget, stiff, rtol=RTOL, atol=ATOL):
    integ = rr.integrator
    integ.relative_tolerance, integ.absolute_tolerance, integ.stiff = rtol, atol, stiff

    def solve_prefix(m):
        out = np.empty((m, x0.shape[1]))
        for i in range(m):
            rr.reset()
            rr.model.setFloatingSpeciesConcentrations(x0[i, to_rr])
            res = rr.simulate(0.0, t1, 2)
            out[i] = res[-1, cols]
        return out

    return _timed_loop(solve_prefix, len(x0), repeats, budget)


# ---- scipy -------------------------------------------------------------------------------


def numpy_rhs(network):
    ma = network.mass_action()
    k, idx, N = np.asarray(ma.rates), np.asarray(ma.reactant_index), np.asarray(ma.net_change)
    ext = np.ones(network.n_species + 1)

    def rhs(t, x):
        ext[:-1] = x
        return (k * ext[idx].prod(axis=1)) @ N

    return rhs


def bench_scipy(network, x0, t1, repeats, budget, method="LSODA"):
    rhs = numpy_rhs(network)

    def solve_prefix(m):
        out = np.empty((m, x0.shape[1]))
        for i in range(m):
            sol = solve_ivp(rhs, (0.0, t1), x0[i], method=method, rtol=RTOL, atol=ATOL)
            assert sol.success, sol.message
            out[i] = sol.y[:, -1]
        return out

    return _timed_loop(solve_prefix, len(x0), repeats, budget)


# ---- report ------------------------------------------------------------------------------


def _fmt_s(s):
    return "-" if s is None else f"{s:.3g}"


def print_table(rows, n):
    bdf_row = next(r for r in rows if r["method"].startswith("CVODE BDF"))
    bdf, bdf_cpu = bdf_row["run_s"], bdf_row["cpu_s"]
    head = ["backend", "method", "setup / compile (s)", f"run, n={n}: wall s", "CPU s", "per system (us, wall)",
            "vs RR BDF, wall", "vs RR BDF, CPU", "max abs err vs ref", "how timed"]
    body = [[r["backend"], r["method"], r["setup"], _fmt_s(r["run_s"]), _fmt_s(r["cpu_s"]), f"{r['run_s'] / n * 1e6:.3g}",
             f"{r['run_s'] / bdf:.3g}x", f"{r['cpu_s'] / bdf_cpu:.3g}x", f"{r['max_abs_err']:.1e} ({r['members_checked']})",
             r["how"]]
            for r in rows]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for b in body:
        print("| " + " | ".join(b) + " |")
    print("(vs RR = this backend's run time / roadrunner's; below 1x is faster than roadrunner)")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=10_000, help="number of initial conditions")
    p.add_argument("--t1", type=float, default=200.0, help="end time")
    p.add_argument("--repeats", type=int, default=3, help="timed repeats (median reported)")
    p.add_argument("--budget", type=float, default=60.0, help="seconds of timed passes per looped backend")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    p.add_argument("--rk4-steps", type=int, default=200, help="fixed RK4 steps of the crnzoo.ensemble row (0 skips it)")
    p.add_argument("--ref-members", type=int, default=None,
                   help="errors over the first M members only (the Dopri8 reference of 10^6 members does not fit here)")
    p.add_argument("--skip", default="", help="comma list of rows to skip: one,vmap,loose,adams,tight,scipy")
    a = p.parse_args(argv)
    skip = set(filter(None, a.skip.split(",")))
    t_start = time.perf_counter()

    model = crnzoo.zoo.load(MODEL)
    network = model.network(0.0, name="majority_am4")
    x0 = sample(a.n, seed=0, n_species=3)
    cfg = SolverConfig("tsit5", rtol=RTOL, atol=ATOL)
    print(f"{MODEL}: {network.n_species} species, {network.n_reactions} reactions; n={a.n}, t1={a.t1:g}, "
          f"rtol={RTOL:g}, atol={ATOL:g}")
    print(f"python {platform.python_version()}, jax {jax.__version__} ({jax.default_backend()}), "
          f"libroadrunner {roadrunner.__version__}, scipy {scipy.__version__}")
    # The model's own vector field and the exported network's mass-action ODE must agree.
    drhs = float(jnp.max(jnp.abs(model.rhs(0.0, jnp.asarray(x0)) - network.mass_action().rhs(0.0, jnp.asarray(x0)))))
    print(f"max |model rhs - exported network rhs| over the batch: {drhs:.1e}")

    rows = []

    def add(backend, method, setup, run_s, finals, how, extra=None):
        m = min(len(finals), len(ref))
        err = float(np.max(np.abs(finals[:m] - ref[:m])))
        rows.append(dict(backend=backend, method=method, setup=setup, run_s=run_s, cpu_s=CPU["last"], max_abs_err=err,
                         members_checked=m, how=how, **(extra or {})))
        print(f"  done: {backend} {method}: run {run_s:.3g} s ({time.perf_counter() - t_start:.0f} s elapsed)", flush=True)

    ref, ref_s = reference(model, x0[: a.ref_members], a.t1)
    print(f"reference: Dopri8 rtol 1e-12 atol 1e-14, joint, {ref_s:.1f} s (incl. compile)", flush=True)

    s = bench_crnzoo_simulate(model, x0, a.t1, a.repeats, cfg, "joint")
    add("crnzoo", "Tsit5 simulate(), joint in chunks of 1024 (default)", f"compile {s['setup']:.2f}", s["run"],
        s["finals"], f"median of {a.repeats}; incl. validation + host copy")
    if a.rk4_steps:
        r4 = bench_crnzoo_rk4(network, x0, a.t1, a.repeats, a.rk4_steps)
        add("crnzoo", f"RK4Ensemble, {a.rk4_steps} fixed RK4 steps (explicit per-model choice, crnzoo.ensemble)",
            f"compile {r4['setup']:.2f}", r4["run"], r4["finals"],
            f"median of {a.repeats}; incl. its 64-member half-step check (estimate {r4['estimate']:.1e})",
            dict(error_estimate=r4["estimate"]))
    if "one" not in skip:
        one = bench_crnzoo_simulate(model, x0, a.t1, a.repeats, cfg, "joint", chunk=None)
        add("crnzoo", "Tsit5 simulate(chunk=None), one joint system", f"compile {one['setup']:.2f}", one["run"],
            one["finals"], f"median of {a.repeats}")
        j = bench_crnzoo_joint(model, x0, a.t1, a.repeats, cfg)
        add("crnzoo", "Tsit5 integrate() jit, one joint system", "(same compile)", j["run"], j["finals"],
            f"median of {a.repeats}; {j['steps']} joint steps", dict(steps=j["steps"]))
    if "vmap" not in skip:
        v = bench_crnzoo_simulate(model, x0, a.t1, a.repeats, cfg, "vmap")
        steps = vmap_step_counts(model, x0, a.t1, cfg)
        add("crnzoo", 'Tsit5 simulate(batch="vmap")', f"compile {v['setup']:.2f}", v["run"], v["finals"],
            f"median of {a.repeats}; steps max {steps.max()} (median {int(np.median(steps))})",
            dict(steps_max=int(steps.max()), steps_median=float(np.median(steps))))
    if "loose" not in skip:
        loose = SolverConfig("tsit5", rtol=1e-4, atol=1e-7)
        l = bench_crnzoo_simulate(model, x0, a.t1, a.repeats, loose, "joint")
        add("crnzoo", "Tsit5 simulate() at rtol 1e-4, atol 1e-7 (matched accuracy)", f"compile {l['setup']:.2f}",
            l["run"], l["finals"], f"median of {a.repeats}")

    rr, to_rr, cols, build, load = roadrunner_setup(network)
    setup = f"{build:.3f} export + {load:.3f} load"
    for stiff, method in ((True, "CVODE BDF (default)"), (False, "CVODE Adams")):
        if stiff or "adams" not in skip:
            run_s, finals, m, how = bench_roadrunner(rr, to_rr, cols, x0, a.t1, a.repeats, a.budget, stiff)
            add("roadrunner", method, setup if stiff else "(same model)", run_s, finals, how)

    if "tight" not in skip:
        run_s, finals, m, how = bench_roadrunner(rr, to_rr, cols, x0, a.t1, a.repeats, a.budget, True, 1e-9, 1e-12)
        add("roadrunner", "CVODE BDF at rtol 1e-9, atol 1e-12 (matched accuracy)", "(same model)", run_s, finals, how)

    if "scipy" not in skip:
        run_s, finals, m, how = bench_scipy(network, x0, a.t1, a.repeats, a.budget)
        add("scipy", "solve_ivp LSODA", "-", run_s, finals, how)

    order = {"roadrunner": 0, "scipy": 1, "crnzoo": 2}
    rows.sort(key=lambda r: order[r["backend"]])
    print()
    print_table(rows, a.n)
    by = {r["method"]: r for r in rows}
    bdf = by["CVODE BDF (default)"]
    crn = by["Tsit5 simulate(), joint in chunks of 1024 (default)"]
    speedup = bdf["run_s"] / crn["run_s"]
    met = speedup >= 10 and crn["run_s"] <= 0.4
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"\ncrnzoo simulate() vs roadrunner CVODE BDF loop, same nominal tolerance: {speedup:.1f}x faster "
          f"(crnzoo {crn['run_s']:.3f} s, error {crn['max_abs_err']:.1e}; roadrunner error {bdf['max_abs_err']:.1e})")
    tight = by.get("CVODE BDF at rtol 1e-9, atol 1e-12 (matched accuracy)")
    loose_row = by.get("Tsit5 simulate() at rtol 1e-4, atol 1e-7 (matched accuracy)")
    if tight and loose_row:
        print(f"at equal accuracy: roadrunner BDF tightened to error {tight['max_abs_err']:.1e} takes {tight['run_s']:.3g} s, "
              f"{tight['run_s'] / crn['run_s']:.1f}x crnzoo's {crn['run_s']:.3g} s (error {crn['max_abs_err']:.1e}); "
              f"crnzoo loosened to error {loose_row['max_abs_err']:.1e} takes {loose_row['run_s']:.3g} s, "
              f"{bdf['run_s'] / loose_row['run_s']:.1f}x faster than roadrunner's default (error {bdf['max_abs_err']:.1e})")
    print(f"target (>= 10x faster than the roadrunner loop, crnzoo <= 0.4 s): "
          f"{'met' if met else 'NOT met'} at the same nominal tolerance")
    print(f"by CPU seconds: simulate() {bdf['cpu_s'] / crn['cpu_s']:.1f}x roadrunner BDF's")
    r4 = next((r for r in rows if r["method"].startswith("RK4Ensemble")), None)
    if r4:
        ok = r4["max_abs_err"] < bdf["max_abs_err"]
        print(f"explicit fixed-step choice (RK4Ensemble): {bdf['run_s'] / r4['run_s']:.1f}x roadrunner BDF by wall, "
              f"{bdf['cpu_s'] / r4['cpu_s']:.1f}x by CPU; error {r4['max_abs_err']:.1e} "
              f"({'smaller' if ok else 'NOT smaller'} than roadrunner's {bdf['max_abs_err']:.1e}); issue target >= 20x: "
              f"{'met' if ok and min(bdf['run_s'] / r4['run_s'], bdf['cpu_s'] / r4['cpu_s']) >= 20 else 'NOT met'}")
    print(f"total wall time {time.perf_counter() - t_start:.0f} s")

    if a.json:
        meta = dict(model=MODEL, n=a.n, t1=a.t1, rtol=RTOL, atol=ATOL, repeats=a.repeats, budget=a.budget,
                    python=platform.python_version(), jax=jax.__version__, roadrunner=roadrunner.__version__,
                    scipy=scipy.__version__, speedup_vs_rr_bdf=speedup, target_met=met)
        with open(a.json, "w") as f:
            json.dump(dict(meta=meta, rows=rows), f, indent=2)


if __name__ == "__main__":
    main()
