"""Benchmark: d(loss)/d(rate constants) through a solve, crnzoo vs finite differences with
libroadrunner and scipy (anchor benchmark (c), ../shared/reference/anchor-benchmarks.md).

Workload: random dimerisation with unordered pairs, n monomers M_i and dimers D_ij (i <= j):
M_i + M_j -> D_ij (k1_ij), D_ij -> M_i + M_j (k2_ij); n = 30: S = 495 species, R = 930
rates. Rates and x0 ~ U(0, 1) (seed 0). loss(k) = mean_s (x_s(t1; k) - target_s)^2 with
t1 = 10, target = the same network at other random rates (seed 1).

- crnzoo: `jax.value_and_grad` of the loss through `crnzoo.solve.integrate` (Tsit5,
  rtol 1e-6, atol 1e-9, `RecursiveCheckpointAdjoint()`, the training default: Diffrax's
  log(max_steps) checkpoints; a row with 1,024 checkpoints shows that more is slower) on the
  generic `MassActionCRN`: by default (a large, sparse network) its stoichiometry product is
  the gathered `crnzoo.sparse.SparsePattern`; rows with the dense product (`sparse=False`)
  and with a scatter-add (`SparseMassAction` below, the previous pass's form) compare.
  Timed as best of `--repeats` interleaved calls after compilation, wall and CPU.
- scipy: forward finite differences, R + 1 LSODA solves (`solve_ivp`, same tolerances,
  h = 1e-4 relative), timed on `--fd-entries` rates and extrapolated to R + 1 solves.
- libroadrunner: the same finite differences with CVODE Adams (`stiff=False`, its fast
  mode here) on crnzoo's SBML export; setup (SBML load) reported separately.
- Error: relative L2 error of each gradient (on the entries it computed) against a tight
  reference: crnzoo's gradient with Dopri8 at rtol 1e-12, atol 1e-14.

    python benchmarks/gradient.py [--n 30] [--repeats 5] [--fd-entries 40] [--no-rr]
"""

from __future__ import annotations

import argparse
import json
import os
import time

import crnzoo  # noqa: F401  (float64)
import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from crnzoo.crn.base import CRNModel
from crnzoo.crn.mass_action import MassActionCRN
from crnzoo.network import MassAction, Reaction, ReactionNetwork
from crnzoo.solve import SolverConfig, integrate

RTOL, ATOL, T1 = 1e-6, 1e-9, 10.0


def dimer_network(n: int, seed: int) -> ReactionNetwork:
    """Unordered-pair dimerisation: n + n(n+1)/2 species, n(n+1) reactions."""
    rng = np.random.default_rng(seed)
    mono = [f"M{i}" for i in range(n)]
    pairs = [(i, j) for i in range(n) for j in range(i, n)]
    dim = [f"D{i}_{j}" for i, j in pairs]
    k1, k2 = rng.uniform(0, 1, len(pairs)), rng.uniform(0, 1, len(pairs))
    reactions = []
    for (i, j), d, a, b in zip(pairs, dim, k1, k2):
        left = {mono[i]: 2} if i == j else {mono[i]: 1, mono[j]: 1}
        reactions += [Reaction(left, {d: 1}, float(a)), Reaction({d: 1}, left, float(b))]
    species = tuple(mono + dim)
    x0 = rng.uniform(0, 1, len(species))
    return ReactionNetwork(species, tuple(reactions), dict(zip(species, x0)), f"dimer{n}")


class SparseMassAction(CRNModel):
    """The same mass-action kinetics as `MassActionCRN`, with the stoichiometry applied as
    a scatter-add over (reaction, species, change) triples instead of a dense product."""

    rates: jax.Array
    x0: jax.Array
    reactant_index: jax.Array
    rxn: jax.Array
    spc: jax.Array
    change: jax.Array
    species: tuple = eqx.field(static=True)

    @classmethod
    def of(cls, m: MassActionCRN) -> "SparseMassAction":
        N = np.asarray(m.kinetics.net_change)
        r, s = np.nonzero(N)
        return cls(m.kinetics.rates, m.x0, m.kinetics.reactant_index, jnp.asarray(r), jnp.asarray(s),
                   jnp.asarray(N[r, s]), m.species)

    def rhs(self, t, x, args=None):
        ext = jnp.concatenate([x, jnp.ones(x.shape[:-1] + (1,), x.dtype)], axis=-1)
        flux = self.rates * jnp.prod(ext[..., self.reactant_index], axis=-1)
        contrib = flux[..., self.rxn] * self.change
        return jnp.zeros_like(x).at[..., self.spc].add(contrib)

    def network(self, k_min: float = 0.0, name: str = "crn"):  # pragma: no cover
        raise NotImplementedError


def with_rates(model, rates):
    if isinstance(model, MassActionCRN):
        return eqx.tree_at(lambda m: m.kinetics.rates, model, rates)
    return eqx.tree_at(lambda m: m.rates, model, rates)


def make_grad(model, target, cfg, adjoint=None):
    ts, t0 = jnp.asarray([T1]), jnp.asarray(0.0)
    extra = {} if adjoint is None else {"adjoint": adjoint}
    y0 = model.x0[None]

    @jax.jit
    def value_and_grad(rates):
        def loss(k):
            _, y1, ok, *_ = integrate(with_rates(model, k), y0, ts, t0, cfg, **extra)
            return jnp.mean((y1[0] - target) ** 2)

        return jax.value_and_grad(loss)(rates)

    return value_and_grad


def best_of(fn, repeats):
    best, out = float("inf"), None
    for _ in range(repeats):
        t = time.perf_counter()
        out = jax.block_until_ready(fn())
        best = min(best, time.perf_counter() - t)
    return best, out


def numpy_rhs(network):
    ma = network.mass_action()
    idx, N = np.asarray(ma.reactant_index), np.asarray(ma.net_change)
    import scipy.sparse as sp

    Ns = sp.csr_matrix(N.T)
    ext = np.ones(network.n_species + 1)

    def make(k):
        def rhs(t, x):
            ext[:-1] = x
            return Ns @ (k * ext[idx].prod(axis=1))

        return rhs

    return make


def fd_loss_grad(loss_of, k, entries, h=1e-4):
    """Forward differences of `loss_of(k)` in the rate entries `entries`: (gradient entries, s per solve)."""
    t = time.perf_counter()
    base = loss_of(k)
    g = np.empty(len(entries))
    for n_, j in enumerate(entries):
        kp = k.copy()
        dk = h * max(abs(k[j]), 1e-8)
        kp[j] += dk
        g[n_] = (loss_of(kp) - base) / dk
    return g, (time.perf_counter() - t) / (len(entries) + 1)


def rel_err(g, ref):
    return float(np.linalg.norm(np.asarray(g) - ref) / np.linalg.norm(ref))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=30)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--fd-entries", type=int, default=40, help="rates differenced per FD backend (time extrapolated to all)")
    p.add_argument("--no-rr", action="store_true", help="skip libroadrunner (its SBML load takes 20-100 s at n = 30)")
    p.add_argument("--json")
    a = p.parse_args(argv)

    net = dimer_network(a.n, 0)
    model = MassActionCRN.from_network(net)  # large and sparse: the gathered product (crnzoo.sparse)
    dense = eqx.tree_at(lambda m: m.kinetics, model, MassAction.from_network(net, sparse=False))
    sparse = SparseMassAction.of(dense)
    other = MassActionCRN.from_network(dimer_network(a.n, 1))
    target = integrate(other, model.x0[None], jnp.asarray([T1]), jnp.asarray(0.0), SolverConfig("dopri8", rtol=1e-12, atol=1e-14))[1][0]
    k = np.asarray(model.kinetics.rates)
    S, R = net.n_species, net.n_reactions
    print(f"dimerisation n = {a.n}: {S} species, {R} rates, t1 = {T1:g}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    tight = SolverConfig("dopri8", rtol=1e-12, atol=1e-14, max_steps=100_000)
    t = time.perf_counter()
    _, ref = jax.block_until_ready(make_grad(sparse, target, tight)(jnp.asarray(k)))
    ref = np.asarray(ref)
    print(f"reference gradient (Dopri8 rtol 1e-12): {time.perf_counter() - t:.1f} s incl. compile; |g| = {np.linalg.norm(ref):.3e}")

    cfg = SolverConfig("tsit5", rtol=RTOL, atol=ATOL, max_steps=100_000)
    many = diffrax.RecursiveCheckpointAdjoint(checkpoints=1024)  # more checkpoints: measured slower here
    variants = {
        "crnzoo MassActionCRN default (gathered sparse product, chosen automatically), integrate() default adjoint": make_grad(model, target, cfg),
        "crnzoo MassActionCRN, dense stoichiometry product (sparse=False)": make_grad(dense, target, cfg),
        "crnzoo same kinetics, scatter-add stoichiometry (previous pass's SparseMassAction)": make_grad(sparse, target, cfg),
        "crnzoo default, RecursiveCheckpointAdjoint(checkpoints=1024)": make_grad(model, target, cfg, many),
    }
    fwd = {
        "forward loss only, default (gathered)": jax.jit(lambda r: integrate(with_rates(model, r), model.x0[None], jnp.asarray([T1]), jnp.asarray(0.0), cfg)[1]),
        "forward loss only, dense": jax.jit(lambda r: integrate(with_rates(dense, r), model.x0[None], jnp.asarray([T1]), jnp.asarray(0.0), cfg)[1]),
        "forward loss only, scatter-add": jax.jit(lambda r: integrate(with_rates(sparse, r), model.x0[None], jnp.asarray([T1]), jnp.asarray(0.0), cfg)[1]),
    }
    rows, compile_s, outs = [], {}, {}
    kj = jnp.asarray(k)
    for name, f in {**variants, **fwd}.items():
        t = time.perf_counter()
        outs[name] = jax.block_until_ready(f(kj))
        compile_s[name] = time.perf_counter() - t
    best = {name: float("inf") for name in {**variants, **fwd}}
    cpu = dict(best)
    for _ in range(a.repeats):
        for name, f in {**variants, **fwd}.items():
            c = time.process_time()
            s, _ = best_of(lambda: f(kj), 1)
            best[name], cpu[name] = min(best[name], s), min(cpu[name], time.process_time() - c)
    for name in variants:
        rows.append(dict(method=name, per_grad=best[name], cpu=cpu[name], compile=compile_s[name] - best[name], err=rel_err(outs[name][1], ref)))
    for name in fwd:
        rows.append(dict(method=name, per_grad=best[name], cpu=cpu[name], compile=compile_s[name] - best[name], err=None))

    entries = np.random.default_rng(2).choice(R, size=min(a.fd_entries, R), replace=False)
    from scipy.integrate import solve_ivp

    make_rhs = numpy_rhs(net)
    x0 = np.asarray(model.x0)
    tgt = np.asarray(target)

    def scipy_loss(kk):
        sol = solve_ivp(make_rhs(kk), (0.0, T1), x0, method="LSODA", rtol=RTOL, atol=ATOL)
        return float(np.mean((sol.y[:, -1] - tgt) ** 2))

    c = time.process_time()
    g, per = fd_loss_grad(scipy_loss, k, entries)
    per_cpu = (time.process_time() - c) / (len(entries) + 1)
    rows.append(dict(method=f"scipy LSODA forward differences ({R + 1} solves)", per_grad=per * (R + 1), cpu=per_cpu * (R + 1), compile=0.0,
                     err=rel_err(g, ref[entries]), how=f"{len(entries)} entries timed, x{(R + 1) / (len(entries) + 1):.1f}"))
    print(f"  scipy FD: {per * 1e3:.1f} ms per solve", flush=True)

    if not a.no_rr:
        import roadrunner

        import crnzoo.export

        t = time.perf_counter()
        rr = roadrunner.RoadRunner(crnzoo.export.to_sbml(net))
        load = time.perf_counter() - t
        rr.integrator.relative_tolerance, rr.integrator.absolute_tolerance, rr.integrator.stiff = RTOL, ATOL, False
        pids = list(rr.model.getGlobalParameterIds())
        cols = [list(rr.timeCourseSelections).index(f"[{s}]") for s in net.species]
        # crnzoo's export names each rate parameter after its reaction, in order
        assert len(pids) == R, (len(pids), R)

        def rr_loss(kk):
            rr.reset()
            rr.model.setGlobalParameterValues(kk)
            res = rr.simulate(0.0, T1, 2)
            return float(np.mean((np.asarray(res[-1, cols]) - tgt) ** 2))

        c = time.process_time()
        g, per = fd_loss_grad(rr_loss, k, entries)
        per_cpu = (time.process_time() - c) / (len(entries) + 1)
        rows.append(dict(method=f"libroadrunner CVODE Adams forward differences ({R + 1} solves)", per_grad=per * (R + 1), cpu=per_cpu * (R + 1),
                         compile=load, err=rel_err(g, ref[entries]), how=f"{len(entries)} entries timed, x{(R + 1) / (len(entries) + 1):.1f}; setup = SBML load"))
        print(f"  roadrunner FD: {per * 1e3:.1f} ms per solve, load {load:.1f} s", flush=True)

    print(f"\n| method | time per gradient, wall s | CPU s | compile / setup (s) | rel. error vs reference |")
    print("|---|---|---|---|---|")
    for r in rows:
        err = "-" if r["err"] is None else f"{r['err']:.1e}"
        print(f"| {r['method']} | {r['per_grad']:.4g} | {r['cpu']:.4g} | {r['compile']:.2f} | {err} |" + (f" {r['how']}" if r.get("how") else ""))
    best_crn = min((r for r in rows if r["method"].startswith("crnzoo")), key=lambda r: r["per_grad"])
    print(f"\nbest crnzoo gradient: {best_crn['per_grad'] * 1e3:.1f} ms wall ({best_crn['cpu'] * 1e3:.1f} ms CPU), error {best_crn['err']:.1e} "
          f"(target <= 20 ms, <= 1e-6: {'met' if best_crn['per_grad'] <= 0.02 and best_crn['err'] <= 1e-6 else 'NOT met'}); "
          f"load average {os.getloadavg()[0]:.1f}")
    for r in rows:
        if not r["method"].startswith(("crnzoo", "forward")):
            print(f"  {r['method']}: {r['per_grad'] / best_crn['per_grad']:.0f}x slower than crnzoo's best")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(dict(n=a.n, S=S, R=R, rows=rows, load=os.getloadavg()), f, indent=1)


if __name__ == "__main__":
    main()
