"""Profile of the majority-am4 ensemble solve (issue 18, part 1): where the time goes and
which knob moves it, every variant timed interleaved with the others in one process
(best of `--repeats` rounds, so background load hurts all of them alike), each with its
error against Dopri8 at rtol 1e-12, and the libroadrunner CVODE BDF loop on a prefix of
the batch (per-system time x n) for the ratio.

Variants (all Diffrax, final state only, t = 0..t1, n members):
- `default`: crnzoo `simulate()` as shipped: Tsit5, rtol 1e-6 / atol 1e-9, PID on the
  worst member's RMS, joint solve in chunks of 1024.
- `one system`: the same without chunks (one controller for the whole batch).
- `rms norm`: Diffrax's default norm (RMS over the whole chunk) instead of the worst member's.
- `no checkpoint`: `DirectAdjoint` instead of `RecursiveCheckpointAdjoint` (forward only).
- `dopri5`, `bosh3`: other embedded pairs at the same tolerances.
- `float32`: the whole solve in single precision (rtol 1e-6 is near its limit).
- `fixed Tsit5 / RK4, N steps`: constant steps, no error control, N = --fixed-steps.
- `per-step floor`: one member, same steps: the time of a step's bookkeeping alone.

    python benchmarks/ensemble_profile.py [--n 10000] [--repeats 5] [--rr-members 300]
"""

from __future__ import annotations

import argparse
import json
import os
import time

import crnzoo  # noqa: F401  (float64)
import diffrax
import optimistix
import jax
import jax.numpy as jnp
import numpy as np

import crnzoo.export
import crnzoo.zoo
from crnzoo.solve import SolverConfig, simulate
from crnzoo.solvers.config import worst_member_rms
from crnzoo.tasks.majority import sample

RTOL, ATOL = 1e-6, 1e-9


def make_solver(model, t1, solver="tsit5", norm=worst_member_rms, adjoint=None, dt=None, chunk=1024,
                dtype=jnp.float64, rtol=RTOL, atol=ATOL, elementwise=False):
    """A jitted final-state solve of a batch, chunked like `simulate` (chunk None: one system).
    `elementwise`: the catalytic right-hand side as a broadcast multiply and sum over the N^2
    pairs (one fused loop) instead of the (batch, N^2) @ (N^2, N) product."""
    m = model.for_solver()
    if elementwise:
        T = m.T.reshape(-1, m.T.shape[-1])

        def f(t, y, args):
            n = y.shape[-1]
            pairs = (y[..., :, None] * y[..., None, :]).reshape(y.shape[:-1] + (n * n,))
            return jnp.sum(pairs[..., :, None] * T.astype(y.dtype), axis=-2)
    else:
        def f(t, y, args):
            return m.rhs(t, y).astype(y.dtype)
    term = diffrax.ODETerm(f)
    cls = {"tsit5": diffrax.Tsit5, "dopri5": diffrax.Dopri5, "bosh3": diffrax.Bosh3}.get(solver)
    ctrl = diffrax.ConstantStepSize() if dt else diffrax.PIDController(rtol=rtol, atol=atol, norm=norm)
    stepper = _rk4() if solver == "rk4" else cls()
    adjoint = adjoint or diffrax.RecursiveCheckpointAdjoint()

    def one(y):
        sol = diffrax.diffeqsolve(term, stepper, 0.0, t1, dt, y, saveat=diffrax.SaveAt(t1=True),
                                  stepsize_controller=ctrl, max_steps=100_000, adjoint=adjoint, throw=False)
        return sol.ys[-1], sol.stats["num_accepted_steps"]

    @jax.jit
    def run(y0):
        y0 = y0.astype(dtype)
        if chunk is None or y0.shape[0] <= chunk:
            return one(y0)
        b = y0.shape[0]
        k = -(-b // chunk)
        yp = jnp.concatenate([y0, jnp.broadcast_to(y0[-1:], (k * chunk - b,) + y0.shape[1:])])
        y1, steps = jax.lax.map(one, yp.reshape((k, chunk) + y0.shape[1:]))
        return y1.reshape((-1,) + y0.shape[1:])[:b], jnp.max(steps)

    return run


def _rk4():
    """Classical RK4 as a Diffrax Runge-Kutta tableau (no error estimate: fixed steps only)."""
    tab = diffrax.ButcherTableau(
        c=np.array([0.5, 0.5, 1.0]),
        b_sol=np.array([1 / 6, 1 / 3, 1 / 3, 1 / 6]),
        b_error=np.zeros(4),
        a_lower=(np.array([0.5]), np.array([0.0, 0.5]), np.array([0.0, 0.0, 1.0])),
    )

    class RK4(diffrax.AbstractERK):
        tableau = tab
        interpolation_cls = diffrax.ThirdOrderHermitePolynomialInterpolation.from_k

        def order(self, terms):
            return 4

    return RK4()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=10_000)
    p.add_argument("--t1", type=float, default=200.0)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--fixed-steps", type=int, nargs="+", default=[200, 400])
    p.add_argument("--rr-members", type=int, default=300, help="roadrunner BDF loop on this prefix (0: skip)")
    p.add_argument("--only", nargs="+", help="run only the variants whose names contain one of these words")
    p.add_argument("--json")
    a = p.parse_args(argv)

    model = crnzoo.zoo.load("majority-am4")
    x0 = jnp.asarray(sample(a.n, seed=0, n_species=3))
    ref = simulate(model, np.array([0.0, a.t1]), np.asarray(x0),
                   solver=SolverConfig("dopri8", rtol=1e-12, atol=1e-14, max_steps=100000)).final

    variants = {
        "default (simulate, Tsit5, chunks of 1024)": None,
        "one system (no chunks)": make_solver(model, a.t1, chunk=None),
        "chunks of 1024 (same as default, raw jit)": make_solver(model, a.t1),
        "chunks of 256": make_solver(model, a.t1, chunk=256),
        "rms norm over the chunk": make_solver(model, a.t1, norm=optimistix.rms_norm),
        "no checkpoint (DirectAdjoint)": make_solver(model, a.t1, adjoint=diffrax.DirectAdjoint()),
        "dopri5": make_solver(model, a.t1, solver="dopri5"),
        "bosh3": make_solver(model, a.t1, solver="bosh3"),
        "float32": make_solver(model, a.t1, dtype=jnp.float32),
        "elementwise rhs (no dot)": make_solver(model, a.t1, elementwise=True),
        "elementwise rhs + rms norm + DirectAdjoint": make_solver(model, a.t1, elementwise=True, norm=optimistix.rms_norm,
                                                                  adjoint=diffrax.DirectAdjoint()),
    }
    for n_steps in a.fixed_steps:
        variants[f"fixed Tsit5, {n_steps} steps"] = make_solver(model, a.t1, dt=a.t1 / n_steps)
        variants[f"fixed RK4, {n_steps} steps"] = make_solver(model, a.t1, solver="rk4", dt=a.t1 / n_steps)
    if a.only:
        variants = {k: v for k, v in variants.items() if k.startswith("default") or any(w in k for w in a.only)}
    floor = make_solver(model, a.t1, chunk=None)

    def call(name):
        if variants[name] is None:
            return simulate(model, np.array([0.0, a.t1]), np.asarray(x0), solver=SolverConfig("tsit5", rtol=RTOL, atol=ATOL)).final, None
        y1, steps = variants[name](x0)
        return np.asarray(y1), int(steps)

    out, compile_s = {}, {}
    for name in variants:  # compile + first result
        t = time.perf_counter()
        out[name] = call(name)
        compile_s[name] = time.perf_counter() - t
    best = {name: float("inf") for name in variants}
    for _ in range(a.repeats):  # interleaved rounds
        for name in variants:
            t = time.perf_counter()
            call(name)
            best[name] = min(best[name], time.perf_counter() - t)
    _, steps1 = floor(x0[:1])
    t_floor = min(_timeit(lambda: floor(x0[:1])) for _ in range(a.repeats))

    rr_per = None
    if a.rr_members:
        import roadrunner

        network = model.network(0.0, name="majority_am4")
        rr = roadrunner.RoadRunner(crnzoo.export.to_sbml(network))
        rr.integrator.relative_tolerance, rr.integrator.absolute_tolerance, rr.integrator.stiff = RTOL, ATOL, True
        ids = list(rr.model.getFloatingSpeciesIds())
        to_rr = [network.species.index(s) for s in ids]
        cols = [list(rr.timeCourseSelections).index(f"[{s}]") for s in network.species]
        xs = np.asarray(x0)[: a.rr_members]

        def loop():
            res = np.empty_like(xs)
            for i in range(len(xs)):
                rr.reset()
                rr.model.setFloatingSpeciesConcentrations(xs[i, to_rr])
                res[i] = rr.simulate(0.0, a.t1, 2)[-1, cols]
            return res

        rr_out = loop()
        rr_per = min(_timeit(loop) for _ in range(a.repeats)) / len(xs)
        rr_err = float(np.max(np.abs(rr_out - ref[: len(xs)])))

    base = best["default (simulate, Tsit5, chunks of 1024)"]
    print(f"majority-am4, n = {a.n}, t1 = {a.t1:g}, rtol {RTOL:g} atol {ATOL:g}; best of {a.repeats} interleaved rounds; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("| variant | run s (best) | x default | steps (max over chunks) | max abs err vs ref | compile+first s |")
    print("|---|---|---|---|---|---|")
    rows = []
    for name in variants:
        y1, steps = out[name]
        err = float(np.max(np.abs(y1 - ref)))
        rows.append(dict(variant=name, run=best[name], steps=steps, err=err, compile=compile_s[name]))
        print(f"| {name} | {best[name]:.3f} | {best[name] / base:.2f} | {steps if steps is not None else '-'} | {err:.1e} | {compile_s[name]:.2f} |")
    print(f"per-step floor: one member, {int(steps1)} steps in {t_floor * 1e3:.2f} ms = {t_floor / int(steps1) * 1e6:.1f} us per step")
    if rr_per is not None:
        rr_n = rr_per * a.n
        print(f"libroadrunner CVODE BDF loop: {rr_per * 1e6:.0f} us per member (best of {a.repeats} on {a.rr_members}) "
              f"-> {rr_n:.2f} s for n = {a.n}, max abs err {rr_err:.1e}")
        for r in rows:
            r["vs_rr_bdf"] = rr_n / r["run"]
        print("speed-up over the roadrunner BDF loop: " + "; ".join(f"{r['variant']}: {r['vs_rr_bdf']:.1f}x" for r in rows))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(dict(n=a.n, rows=rows, rr_per_member=rr_per, floor_per_step=t_floor / int(steps1),
                           load=os.getloadavg()), f, indent=1)


def _timeit(fn):
    t = time.perf_counter()
    jax.block_until_ready(fn())
    return time.perf_counter() - t


if __name__ == "__main__":
    main()
