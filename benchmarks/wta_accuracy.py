"""Benchmark: the WTA-MNIST stiff batch at equal accuracy, crnzoo's Rosenbrock vs fixed-step Euler.

`wta_mnist.py` times all 2,700 images; this script asks how accurate each side is, on a
few images (`--images`, default 8, the first test images), against an accurate reference:
scipy LSODA at rtol 1e-10, atol 1e-10 nM on each image (jitted right-hand side and dense
Jacobian of the same `IndexedCRN`), to t = 10 h.

- crnzoo: `crnzoo.tasks.wta_mnist.fluorescence`'s solve at the cards' accuracy
  (`EVAL_SOLVER`: the third-order DiagonalRosenbrock3, rtol 1e-8, atol 1e-7 nM), the same
  method looser (`--loose`, default rtol 1e-6, atol 1e-5 nM), the second-order
  DiagonalRosenbrock at the cards' tolerances (the previous card solver) and at the first
  cards' setting (rtol 1e-5, atol 1e-4 nM), the images as one joint system.
- Euler (the reference code's integrator, clamped at 0): dt = 1e-4 h (the papers') and
  smaller steps (`--euler-dts`), each as one jitted `lax.scan` over the images.

Error: max |F − F_ref| (nM) over the first `--ref-images` images and the three outputs, and max over all 830
species. Times: crnzoo best of `--repeats` calls after compilation; Euler one call (its
compile, ~1 s, included: its runs are long), wall and CPU seconds.
The ratio at equal accuracy compares crnzoo with the cheapest Euler step whose error is
at most crnzoo's (or, when none is, extrapolates Euler's first-order error, stated).

    python benchmarks/wta_accuracy.py [--images 8] [--ref-images 4] [--euler-dts 1e-4 2e-5 1e-5]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time

import crnzoo  # noqa: F401  (float64)
import jax
import jax.numpy as jnp
import numpy as np
from scipy.integrate import solve_ivp

from crnzoo.crn.wta_mnist import initial_states, wta_crn
from crnzoo.solve import SolverConfig, simulate
from crnzoo.solvers import euler_final
from crnzoo.tasks import wta_mnist as task

# The first wta-mnist cards' setting (about 1 nM off an accurate solve), kept here as a row of the table.
LEGACY_SOLVER = SolverConfig("rosenbrock", rtol=1e-5, atol=1e-4, max_steps=200_000)
from crnzoo.tasks._wta_mnist_data import load_mnist789
from crnzoo.tasks._wta_mnist_train import average_digit


def timed(fn, repeats):
    """(output, best wall s, best CPU s) of `repeats` calls after a compiling call; with
    repeats = 0 the one call is timed, compile included."""
    if repeats == 0:
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        return out, time.perf_counter() - t, time.process_time() - c
    out, wall, cpu = fn(), float("inf"), float("inf")  # first call compiles
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        wall, cpu = min(wall, time.perf_counter() - t), min(cpu, time.process_time() - c)
    return out, wall, cpu


def lsoda_reference(crn, y0, t1, rtol=1e-10, atol=1e-10):
    m = crn.for_solver()
    f = jax.jit(lambda y: m.rhs(0.0, y))
    jac = jax.jit(jax.jacfwd(lambda y: m.rhs(0.0, y)))
    out = []
    for y in np.asarray(y0):
        sol = solve_ivp(lambda t, x: np.asarray(f(x)), (0.0, t1), y, method="LSODA", rtol=rtol, atol=atol,
                        jac=lambda t, x: np.asarray(jac(x)))
        assert sol.success, sol.message
        out.append(sol.y[:, -1])
    return np.array(out)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--images", type=int, default=8, help="images timed (one joint system / one scan)")
    p.add_argument("--ref-images", type=int, default=4, help="errors on the first R of them (LSODA: ~40 s per image here)")
    p.add_argument("--euler-dts", type=float, nargs="+", default=[1e-4, 2e-5, 1e-5])
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--chunks", type=int, nargs="*", default=[4],
                   help="extra crnzoo rows at EVAL_SOLVER with the images in joint chunks of this size (own step control)")
    p.add_argument("--loose", type=float, nargs=2, default=[1e-6, 1e-5], metavar=("RTOL", "ATOL"),
                   help="an extra DiagonalRosenbrock3 row at these tolerances")
    p.add_argument("--data", default=None)
    a = p.parse_args(argv)
    d = load_mnist789(a.data)
    crn = wta_crn(average_digit(d.train_x, d.train_y))
    imgs = d.test_x[: a.images]
    y0 = np.asarray(initial_states(crn, imgs))
    t1 = task.T_END
    F = lambda y: np.asarray(crn.unpack(jnp.asarray(y))["F"])  # noqa: E731
    print(f"{a.images} images, {y0.shape[1]} species each, t1 = {t1:g} h; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    t = time.perf_counter()
    nr = min(a.ref_images, a.images)
    ref = lsoda_reference(crn, y0[:nr], t1)
    print(f"reference LSODA rtol 1e-10 atol 1e-10: {time.perf_counter() - t:.1f} s; F range {F(ref).min():.3g}..{F(ref).max():.3g} nM", flush=True)

    rows = []
    ev = task.EVAL_SOLVER
    name = {"rosenbrock3": "DiagonalRosenbrock3", "rosenbrock": "DiagonalRosenbrock"}
    crn_rows = [(f"crnzoo {name[ev.solver]}, cards' EVAL_SOLVER (rtol {ev.rtol:g}, atol {ev.atol:g} nM), one joint system", ev, None)]
    crn_rows += [(f"crnzoo {name[ev.solver]}, EVAL_SOLVER, joint chunks of {c} images", ev, c) for c in a.chunks]
    loose = dataclasses.replace(ev, solver="rosenbrock3", rtol=a.loose[0], atol=a.loose[1])
    crn_rows += [(f"crnzoo DiagonalRosenbrock3 (rtol {loose.rtol:g}, atol {loose.atol:g} nM), one joint system", loose, None)]
    crn_rows += [(f"crnzoo DiagonalRosenbrock (second order) at rtol {ev.rtol:g}, atol {ev.atol:g} nM, one joint system",
                  dataclasses.replace(ev, solver="rosenbrock"), None)]
    crn_rows += [("crnzoo DiagonalRosenbrock, legacy (rtol 1e-5, atol 1e-4 nM), one joint system", LEGACY_SOLVER, None)]
    for label, cfg, chunk in crn_rows:
        y, wall, cpu = timed(lambda: simulate(crn, np.array([0.0, t1]), y0, solver=cfg, chunk=chunk, name="wta").final, a.repeats)
        y = y[:nr]
        rows.append(dict(method=label, wall=wall, cpu=cpu, errF=float(np.max(np.abs(F(y) - F(ref)))), err=float(np.max(np.abs(y - ref)))))
        print(f"  {label}: {wall:.2f} s wall, {cpu:.2f} s CPU, max |dF| {rows[-1]['errF']:.2e} nM", flush=True)
    for dt in a.euler_dts:
        y, wall, cpu = timed(lambda: np.asarray(euler_final(crn, y0, t1, dt, clamp=True)), 0)  # incl. its ~1 s compile
        y = y[:nr]
        rows.append(dict(method=f"Euler dt = {dt:g} h ({int(round(t1 / dt)):,} steps), clamped", dt=dt, wall=wall, cpu=cpu,
                         errF=float(np.max(np.abs(F(y) - F(ref)))), err=float(np.max(np.abs(y - ref)))))
        print(f"  {rows[-1]['method']}: {wall:.2f} s wall, {cpu:.2f} s CPU, max |dF| {rows[-1]['errF']:.2e} nM", flush=True)

    print("\n| integrator | wall s | CPU s | max abs error of F vs LSODA (nM) | max abs error, all species (nM) |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['method']} | {r['wall']:.3g} | {r['cpu']:.3g} | {r['errF']:.2e} | {r['err']:.2e} |")
    eulers = [r for r in rows if "dt" in r]
    for crn_row in [r for r in rows if "EVAL_SOLVER" in r["method"] or "DiagonalRosenbrock3 (rtol" in r["method"] or "second order" in r["method"]]:
        compare(crn_row, eulers)
    print(f"load average {os.getloadavg()[0]:.1f}")


def compare(crn_row, eulers):
    print(f"\n{crn_row['method']}:")
    good = [r for r in eulers if r["errF"] <= crn_row["errF"]]
    if good:
        e = min(good, key=lambda r: r["cpu"])
        print(f"at equal or better accuracy: Euler dt = {e['dt']:g} (error {e['errF']:.2e}) takes {e['cpu'] / crn_row['cpu']:.1f}x "
              f"crnzoo's CPU time, {e['wall'] / crn_row['wall']:.1f}x its wall time (crnzoo error {crn_row['errF']:.2e})")
    else:
        e = min(eulers, key=lambda r: r["errF"])
        factor = e["errF"] / crn_row["errF"]  # first order: error ∝ dt, time ∝ 1/dt
        print(f"no Euler step here reaches crnzoo's error {crn_row['errF']:.2e} nM; Euler's best, dt = {e['dt']:g}, has "
              f"{e['errF']:.2e} ({factor:.3g}x larger). Extrapolated (first order: error ∝ dt, time ∝ 1/dt): equal accuracy "
              f"needs dt ≈ {e['dt'] / factor:.2g} h and ≈ {e['cpu'] * factor / crn_row['cpu']:.0f}x crnzoo's CPU time "
              f"(measured at dt = {e['dt']:g}: {e['cpu'] / crn_row['cpu']:.1f}x)")


if __name__ == "__main__":
    main()
