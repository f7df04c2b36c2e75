"""Benchmark: random dimerization networks, crnzoo indexed vs crnzoo generic vs libroadrunner.

Workload (Lee, Buse, Winfree 2025, the dimer benchmark): for n monomers,

    M[i] + M[j] -> D[i,j]   at k1[i,j]
    D[i,j] -> M[i] + M[j]   at k2[i,j]

with M, D, k1, k2 ~ U(0, 1) (numpy `default_rng(12)`, drawn per n), n + n² species and
2n² reactions, solved from t = 0 to t = 1 (final state only).

- crnzoo indexed: `IndexedCRN.create` (two indexed reactions, einsum right-hand side),
  `simulate(crn, [0, 1])` with Tsit5, rtol 1e-8, atol 1e-10.
- crnzoo generic: the enumerated `ReactionNetwork` (`crn.network()`), simulated by the
  generic vectorised `MassAction` (gather + dense stoichiometry), same solver.
- libroadrunner: the SBML that crnzoo exports (`crnzoo.export.to_sbml`), CVODE BDF at the
  same tolerances, `simulate(0, 1, 2)`.

Setup = building the model (and, for roadrunner, writing and loading the SBML) plus
compilation: for crnzoo, the first `simulate` call minus the median of the later ones.
Simulation = median of `--repeats` calls. Error = max over species of |x − x_ref| / |x_ref|
at t = 1 against crnzoo generic with Dopri8 at rtol 1e-13, atol 1e-14 (float64).

The peer library reported, at n = 60 on a GPU against Tellurium on a CPU, setup 3,553× and
simulation 32,500× faster (its own Euler dt = 1e-3 run; ../shared/reference/icrn-peer.md).

    python benchmarks/dimerization.py [--n 5 10 ... 60] [--repeats 3] [--rr-max-n N] [--out benchmarks/]

libroadrunner's setup (SBML load and LLVM compilation) grows steeply with n (about 50 s at
n = 30 on the 2-core project machine); `--rr-max-n N` skips it above n = N ("—" in the table).

Writes `dimerization.md` (the table) and `dimerization.png` (log-log plot) to `--out`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

import crnzoo  # noqa: F401  (enables float64)
import jax
import libsbml  # noqa: F401  (imported up front so the export time below excludes it)
import numpy as np
import roadrunner

import crnzoo.export
from crnzoo.crn.indexed import IndexedCRN
from crnzoo.crn.mass_action import MassActionCRN
from crnzoo.solve import SolverConfig, simulate

RTOL, ATOL = 1e-8, 1e-10
REF = SolverConfig("dopri8", rtol=1e-13, atol=1e-14, max_steps=100_000)
SOLVER = SolverConfig("tsit5", rtol=RTOL, atol=ATOL, max_steps=100_000)
TS = np.array([0.0, 1.0])


def dimer_crn(n: int, seed: int = 12) -> IndexedCRN:
    rng = np.random.default_rng(seed)
    k1, k2 = rng.uniform(0, 1, (n, n)), rng.uniform(0, 1, (n, n))
    m0, d0 = rng.uniform(0, 1, n), rng.uniform(0, 1, (n, n))
    return IndexedCRN.create(
        sets={"n": n},
        symbols={"i": "n", "j": "n"},
        species={"M": ("n",), "D": ("n", "n")},
        reactions=[("M[i] + M[j] -> D[i,j]", "k1[i,j]"), ("D[i,j] -> M[i] + M[j]", "k2[i,j]")],
        params={"k1": k1, "k2": k2},
        x0={"M": m0, "D": d0},
    )


def _crnzoo(build, repeats):
    t = time.perf_counter()
    model = build()
    built = time.perf_counter() - t
    t = time.perf_counter()
    first = simulate(model, TS, solver=SOLVER).final
    first_t = time.perf_counter() - t
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        out = simulate(model, TS, solver=SOLVER).final
        times.append(time.perf_counter() - t)
    sim = statistics.median(times)
    del first
    return built + max(first_t - sim, 0.0), sim, out


def _roadrunner(network, repeats):
    t = time.perf_counter()
    rr = roadrunner.RoadRunner(crnzoo.export.to_sbml(network))
    integ = rr.integrator
    integ.relative_tolerance, integ.absolute_tolerance = RTOL, ATOL
    cols = [list(rr.timeCourseSelections).index(f"[{s}]") for s in network.species]
    setup = time.perf_counter() - t
    times = []
    for _ in range(repeats):
        rr.reset()
        t = time.perf_counter()
        res = rr.simulate(0.0, 1.0, 2)
        times.append(time.perf_counter() - t)
    return setup, statistics.median(times), np.asarray(res[-1, cols])


def max_rel_err(x, ref):
    return float(np.max(np.abs(np.asarray(x) - ref) / np.abs(ref)))


def run(ns, repeats, rr_max_n=None):
    rows = []
    for n in ns:
        crn = dimer_crn(n)
        t = time.perf_counter()
        net = crn.network(0.0, name=f"dimer{n}")
        enumerate_s = time.perf_counter() - t
        ref = simulate(MassActionCRN.from_network(net), TS, solver=REF).final
        s_i, r_i, x_i = _crnzoo(lambda: dimer_crn(n), repeats)
        s_g, r_g, x_g = _crnzoo(lambda: MassActionCRN.from_network(crn.network(0.0, name=f"dimer{n}")), repeats)
        if rr_max_n is None or n <= rr_max_n:
            s_r, r_r, x_r = _roadrunner(net, repeats)
        else:
            s_r, r_r, x_r = float("nan"), float("nan"), np.full(net.n_species, np.nan)
        row = dict(
            n=n, species=net.n_species, reactions=net.n_reactions, enumerate_s=enumerate_s,
            indexed_setup_s=s_i, indexed_sim_s=r_i, indexed_err=max_rel_err(x_i, ref),
            generic_setup_s=s_g, generic_sim_s=r_g, generic_err=max_rel_err(x_g, ref),
            rr_setup_s=s_r, rr_sim_s=r_r, rr_err=max_rel_err(x_r, ref),
        )
        rows.append(row)
        print(
            f"n={n:3d} ({row['species']} species, {row['reactions']} reactions): setup s indexed {s_i:.3f} generic {s_g:.3f} "
            f"roadrunner {s_r:.3f}; sim s indexed {r_i:.4f} generic {r_g:.4f} roadrunner {r_r:.4f}; "
            f"max rel err {row['indexed_err']:.1e} / {row['generic_err']:.1e} / {row['rr_err']:.1e}",
            flush=True,
        )
        jax.clear_caches()
    return rows


def _f(v, fmt):
    return "—" if v != v else format(v, fmt)


def table(rows) -> str:
    lines = [
        "| n | species | reactions | setup s: indexed / generic / roadrunner | sim s: indexed / generic / roadrunner "
        "| roadrunner ÷ indexed (setup, sim) | max rel err: indexed / generic / roadrunner |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['n']} | {r['species']} | {r['reactions']} | {r['indexed_setup_s']:.3f} / {r['generic_setup_s']:.3f} / "
            f"{_f(r['rr_setup_s'], '.3f')} | {r['indexed_sim_s']:.4f} / {r['generic_sim_s']:.4f} / {_f(r['rr_sim_s'], '.4f')} | "
            f"{_f(r['rr_setup_s'] / r['indexed_setup_s'], '.2g')}×, {_f(r['rr_sim_s'] / r['indexed_sim_s'], '.2g')}× | "
            f"{r['indexed_err']:.1e} / {r['generic_err']:.1e} / {_f(r['rr_err'], '.1e')} |"
        )
    return "\n".join(lines)


def plot(rows, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    n = [r["n"] for r in rows]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, kind in zip(axes, ("setup", "sim")):
        for key, label, style in (("indexed", "crnzoo indexed", "o-"), ("generic", "crnzoo generic", "s--"), ("rr", "libroadrunner (SBML)", "^-.")):
            ax.loglog(n, [r[f"{key}_{kind}_s"] for r in rows], style, label=label)
        ax.set_xticks(n)
        ax.set_xticklabels([str(v) for v in n])
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set_xlabel("n (monomers; n + n² species, 2n² reactions)")
        ax.set_ylabel("seconds")
        ax.set_title("setup (build + compile)" if kind == "setup" else "simulation to t = 1")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(f"random dimerization networks, CPU ({platform.processor() or platform.machine()}), rtol {RTOL:g}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, nargs="+", default=list(range(5, 65, 5)))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rr-max-n", type=int, default=None, help="skip libroadrunner above this n")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument("--replot", type=Path, default=None, help="re-render the table and plot from a saved dimerization.json")
    args = parser.parse_args()
    if args.replot:
        rows = [{k: (float("nan") if v is None else v) for k, v in r.items()} for r in json.loads(args.replot.read_text())]
        _write(rows, args.out)
        return
    print(f"jax {jax.__version__} ({jax.default_backend()}), libroadrunner {roadrunner.__version__}, python {platform.python_version()}")
    rows = run(args.n, args.repeats, args.rr_max_n)
    _write(rows, args.out)


def _write(rows, out: Path) -> None:
    text = table(rows)
    print(text)
    out.mkdir(parents=True, exist_ok=True)
    (out / "dimerization.md").write_text(
        "# Dimerization benchmark (`python benchmarks/dimerization.py`)\n\n"
        f"jax {jax.__version__} on {jax.default_backend()}, libroadrunner {roadrunner.__version__}; Tsit5 / CVODE at rtol {RTOL:g}, "
        f"atol {ATOL:g}; error against Dopri8 at rtol 1e-13. "
        f"{platform.machine()}, {os.cpu_count()} CPU cores (shared with other jobs when run on the project machine). "
        + (f"libroadrunner skipped above n = {max(r['n'] for r in rows if r['rr_setup_s'] == r['rr_setup_s'])} (--rr-max-n).\n\n" if any(r["rr_setup_s"] != r["rr_setup_s"] for r in rows) else "\n\n")
        + text + "\n"
    )
    (out / "dimerization.json").write_text(json.dumps([{k: (None if v != v else v) for k, v in r.items()} for r in rows], indent=1) + "\n")
    plot(rows, out / "dimerization.png")
    print(f"wrote {out / 'dimerization.md'} and {out / 'dimerization.png'}")


if __name__ == "__main__":
    main()
