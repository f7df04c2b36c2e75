"""A large network in a batch: dimerisation n = 40 (1,640 species, 3,200 reactions, the
indexed form of `dimerization.py`), 256 random initial states (x0 ~ U(0, 1), seed 3), t = 0..1,
Tsit5 at rtol 1e-8 / atol 1e-10 as in `dimerization.py`.

Rows: crnzoo `simulate()` joint (the default: one system, worst-member error norm, batches
up to 1024 are one chunk), `batch="vmap"`, the generic `MassActionCRN` of the same network
(its listing; the gathered sparse stoichiometry product, `crnzoo.sparse`), and a Python loop of the jitted single-member
solve (`--loop-members` of them, extrapolated), each best of `--repeats`, with the max
relative error over `--check` members against Dopri8 at rtol 1e-13. libroadrunner is not
re-run here: its SBML load alone is 107 s at n = 40 (`dimerization.md`), and its per-member
CVODE time is taken from that table (same network, same tolerances; a different process).

    python benchmarks/dimer_batch.py [--n 40] [--batch 256] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import time

import crnzoo  # noqa: F401
import jax
import numpy as np

from crnzoo.crn.mass_action import MassActionCRN
from crnzoo.solve import SolverConfig, simulate
from dimerization import REF, SOLVER, dimer_crn


CPU = {}


def best_of(fn, repeats):
    """(best wall s, last output); the best CPU s (this process, all threads) -> CPU["last"]."""
    best, cpu, out = float("inf"), float("inf"), None
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        out = jax.block_until_ready(fn())
        best, cpu = min(best, time.perf_counter() - t), min(cpu, time.process_time() - c)
    CPU["last"] = cpu
    return best, out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=40)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--loop-members", type=int, default=16)
    p.add_argument("--check", type=int, default=8)
    p.add_argument("--json")
    a = p.parse_args(argv)
    crn = dimer_crn(a.n)
    S = int(np.prod(np.asarray(crn.x0).shape))
    x0 = np.random.default_rng(3).uniform(0, 1, (a.batch, S))
    ts = np.array([0.0, 1.0])
    ref = simulate(crn, ts, x0[: a.check], solver=REF).final
    generic = MassActionCRN.from_network(crn.network())  # large and sparse: the gathered product (crnzoo.sparse)
    d = float(np.max(np.abs(np.asarray(generic.rhs(0.0, x0[:2])) - np.asarray(crn.rhs(0.0, x0[:2].reshape((2,) + crn.x0.shape))).reshape(2, -1))))
    print(f"generic MassActionCRN: sparse product {generic.kinetics.pattern is not None}; max |rhs - indexed rhs| {d:.1e}")
    rows = {}
    for name, fn in {
        "simulate() joint (default)": lambda: simulate(crn, ts, x0, solver=SOLVER).final,
        'simulate(batch="vmap")': lambda: simulate(crn, ts, x0, solver=SOLVER, batch="vmap").final,
        "generic MassActionCRN (gathered sparse product), simulate() joint": lambda: simulate(generic, ts, x0, solver=SOLVER).final,
    }.items():
        t = time.perf_counter()
        fn()
        first = time.perf_counter() - t
        run, out = best_of(fn, a.repeats)
        err = float(np.max(np.abs(out[: a.check] - ref) / np.abs(ref)))
        rows[name] = dict(run=run, cpu=CPU["last"], compile=first - run, err=err)
        print(f"  {name}: {run:.3f} s", flush=True)
    one = lambda i: simulate(crn, ts, x0[i], solver=SOLVER).final  # noqa: E731
    one(0)
    m = min(a.loop_members, a.batch)
    run, _ = best_of(lambda: [one(i) for i in range(m)], a.repeats)
    loop_out = np.stack([one(i) for i in range(a.check)])
    rows["loop of the jitted single solve"] = dict(run=run * a.batch / m, cpu=CPU["last"] * a.batch / m, compile=0.0,
                                                   err=float(np.max(np.abs(loop_out - ref) / np.abs(ref))), how=f"{m} members, x{a.batch / m:g}")
    print(f"\ndimerisation n = {a.n} ({S} species), batch {a.batch}, t = 0..1, Tsit5 rtol 1e-8 atol 1e-10; best of {a.repeats}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("| method | batch run, wall s | CPU s | per member ms (wall) | compile s | max rel err (first members) |")
    print("|---|---|---|---|---|---|")
    for name, r in rows.items():
        print(f"| {name} | {r['run']:.3f} | {r['cpu']:.3f} | {r['run'] / a.batch * 1e3:.2f} | {r['compile']:.1f} | {r['err']:.1e} |" + (f" {r['how']}" if r.get("how") else ""))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(dict(n=a.n, batch=a.batch, rows=rows, load=os.getloadavg()), f, indent=1)


if __name__ == "__main__":
    main()
