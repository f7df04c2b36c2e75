"""Cold start of `crnzoo simulate model.xml` for a 20-reaction SBML model, against libroadrunner.

    PYTHONPATH=$PWD python benchmarks/sbml_cold_start.py [--repeats 3] [--points 101]

Model A: 20 reactions over 8 species in a compartment of size 2 (Michaelis–Menten with a
competitive inhibitor, reversible mass action, Hill n = 2). Model B, a different network of
the same size class: the dimerisation network n = 3 of `benchmarks/dimerization.py` (12
species, 18 mass-action reactions), exported by `crnzoo.export`. Every crnzoo figure is one
fresh `python -m crnzoo.cli simulate A.xml --t1 10 --points P` process, from interpreter start
to exit (import, SBML read, solve, output), with its own cache directory (XDG_CACHE_HOME):

- (a) empty cache;
- (b) a fresh cache that one run of model B filled (a model never seen, same size class);
- (c) model A again (the cache its own run filled).

libroadrunner: a fresh process timing `RoadRunner(A.xml)` + the first `simulate(0, 10, P)` in
that process (its "load + first simulate"), and the whole process (interpreter, `import
roadrunner` and all). CPU = user + sys of the child (what moves least on a shared machine);
each figure is the median of `--repeats`. The same (a)/(b)/(c) are also timed in
the Python API: `crnzoo.load(file)` + the first `crnzoo.simulate` after the imports (with
`crnzoo.enable_compilation_cache()`), which compares with roadrunner's figure. Ratios are crnzoo / roadrunner. No assertions.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import libsbml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))


def model_a(path: Path) -> None:
    """Write model A (see the module docstring) as SBML L3V2."""
    doc = libsbml.SBMLDocument(3, 2)
    m = doc.createModel()
    m.setId("mm20")
    c = m.createCompartment()
    c.setId("cell"), c.setSize(2.0), c.setConstant(True)
    inits = {"S1": 10, "S2": 0, "S3": 0, "S4": 1, "S5": 0, "S6": 2, "E": 1, "I": 0.5}
    for sid, x in inits.items():
        s = m.createSpecies()
        s.setId(sid), s.setCompartment("cell"), s.setInitialConcentration(x)
        s.setHasOnlySubstanceUnits(False), s.setBoundaryCondition(False), s.setConstant(False)
    for pid, v in {"Vm": 1.2, "Km": 0.5, "Ki": 0.3, "kf": 0.7, "kr": 0.2}.items():
        p = m.createParameter()
        p.setId(pid), p.setValue(v), p.setConstant(True)
    for i in range(20):
        a, b = f"S{i % 6 + 1}", f"S{(i + 1) % 6 + 1}"
        law = (f"cell*Vm*E*{a}/(Km + {a})/(1 + I/Ki)", f"cell*(kf*{a} - kr*{b})", f"cell*Vm*{a}^2/(Km^2 + {a}^2)")[i % 3]
        r = m.createReaction()
        r.setId(f"J{i}"), r.setReversible(i % 3 == 1)
        for side, sid in ((r.createReactant(), a), (r.createProduct(), b)):
            side.setSpecies(sid), side.setStoichiometry(1.0), side.setConstant(True)
        if i % 3 == 0:
            for mod in ("E", "I"):
                r.createModifier().setSpecies(mod)
        r.createKineticLaw().setMath(libsbml.parseL3Formula(law))
    libsbml.writeSBMLToFile(doc, str(path))


def model_b(path: Path) -> None:
    """Write model B: the dimerisation network n = 3 (crnzoo's SBML export)."""
    import crnzoo.export
    from dimerization import dimer_crn

    crnzoo.export.export(dimer_crn(3).network(0.0, name="dimer3"), "sbml", path=str(path))


def _child(cmd: list[str], env: dict) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed: {r.stderr.strip().splitlines()[-1]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), r.stdout


def crnzoo_run(path: Path, cache: Path, points: int) -> tuple[float, float]:
    """(wall s, CPU s) of one `crnzoo simulate` process with `cache` as XDG_CACHE_HOME."""
    env = dict(os.environ, XDG_CACHE_HOME=str(cache), PYTHONPATH=str(ROOT))
    for k in ("CRNZOO_CACHE_DIR", "CRNZOO_NO_CACHE", "JAX_COMPILATION_CACHE_DIR"):
        env.pop(k, None)
    wall, cpu, _ = _child([sys.executable, "-m", "crnzoo.cli", "simulate", str(path), "--t1", "10", "--points", str(points)], env)
    return wall, cpu


API = ("import time; t0 = time.perf_counter(); c0 = time.process_time(); import crnzoo; crnzoo.enable_compilation_cache(); "
       "import crnzoo.sbml, crnzoo.solve; t1 = time.perf_counter(); c1 = time.process_time(); m = crnzoo.load({path!r}); "
       "crnzoo.simulate(m, t1=10.0, n_save={points}); t2 = time.perf_counter(); c2 = time.process_time(); print(t2 - t1, c2 - c1)")


def api_run(path: Path, cache: Path, points: int) -> tuple[float, float]:
    """(wall, CPU) of `crnzoo.load(file)` + the first `crnzoo.simulate`, after the imports, in a fresh process."""
    env = dict(os.environ, XDG_CACHE_HOME=str(cache), PYTHONPATH=str(ROOT))
    for k in ("CRNZOO_CACHE_DIR", "CRNZOO_NO_CACHE", "JAX_COMPILATION_CACHE_DIR"):
        env.pop(k, None)
    _, _, out = _child([sys.executable, "-c", API.format(path=str(path), points=points)], env)
    w, c = map(float, out.split())
    return w, c


RR = ("import time, resource; t0 = time.perf_counter(); c0 = time.process_time(); import roadrunner; "
      "t1 = time.perf_counter(); c1 = time.process_time(); rr = roadrunner.RoadRunner({path!r}); rr.simulate(0, 10, {points}); "
      "t2 = time.perf_counter(); c2 = time.process_time(); print(t2 - t1, c2 - c1)")


def roadrunner_run(path: Path, points: int) -> tuple[float, float, float, float]:
    """(load+first simulate wall, CPU; whole process wall, CPU) of libroadrunner, fresh process."""
    wall, cpu, out = _child([sys.executable, "-c", RR.format(path=str(path), points=points)], dict(os.environ))
    w, c = map(float, out.split())
    return w, c, wall, cpu


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--points", type=int, default=101)
    args = ap.parse_args(argv)
    from crnzoo.sbml import load_sbml
    from crnzoo.sbml.program import plan

    rows: dict[str, list[tuple[float, float]]] = {"a": [], "b": [], "c": [], "a_api": [], "b_api": [], "c_api": []}
    rr = []
    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp) / "mm20.xml", Path(tmp) / "dimer3.xml"
        model_a(a)
        model_b(b)
        sa, sb = plan(load_sbml(a)).sizes(args.points), plan(load_sbml(b)).sizes(args.points)
        print(f"size class (N, P, R, M, A, B, E, T): A {sa}, B {sb}{'' if sa == sb else ' (NOT the same class)'}")
        for i in range(args.repeats):
            cache = Path(tmp) / f"cache{i}"
            rows["a"].append(crnzoo_run(a, cache, args.points))
            rows["c"].append(crnzoo_run(a, cache, args.points))
            cache_b = Path(tmp) / f"cacheb{i}"
            crnzoo_run(b, cache_b, args.points)
            rows["b"].append(crnzoo_run(a, cache_b, args.points))
            api, api_b = Path(tmp) / f"api{i}", Path(tmp) / f"apib{i}"
            rows["a_api"].append(api_run(a, api, args.points))
            rows["c_api"].append(api_run(a, api, args.points))
            api_run(b, api_b, args.points)
            rows["b_api"].append(api_run(a, api_b, args.points))
            rr.append(roadrunner_run(a, args.points))
            print(f"repeat {i}: a {rows['a'][-1][1]:.2f}, b {rows['b'][-1][1]:.2f}, c {rows['c'][-1][1]:.2f}, "
                  f"roadrunner {rr[-1][1]:.2f} / {rr[-1][3]:.2f} s CPU", flush=True)
    med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in rows.items()}
    rr_w, rr_c = statistics.median(r[0] for r in rr), statistics.median(r[1] for r in rr)
    rr_pw, rr_pc = statistics.median(r[2] for r in rr), statistics.median(r[3] for r in rr)
    print(f"\nmedian of {args.repeats}; every crnzoo row is a whole fresh `crnzoo simulate` process (import, read, solve, output)\n")
    print("| run | wall s | CPU s | CPU vs roadrunner load+first simulate | CPU vs roadrunner whole process |")
    print("|---|---|---|---|---|")
    labels = {"a": "(a) crnzoo, empty cache", "b": "(b) crnzoo, cache filled by a different model (B) of the same size class",
              "c": "(c) crnzoo, the same model again"}
    for k in "abc":
        w, c = med[k]
        print(f"| {labels[k]} | {w:.2f} | {c:.2f} | {c / rr_c:.1f}x | {c / rr_pc:.2f}x |")
    for k in "abc":
        w, c = med[k + "_api"]
        print(f"| {labels[k][:3]} `crnzoo.load(file)` + first `crnzoo.simulate`, after the imports, in its process | {w:.2f} | {c:.2f} | "
              f"{c / rr_c:.1f}x | |")
    print(f"| libroadrunner: RoadRunner(file) + first simulate, in its process | {rr_w:.2f} | {rr_c:.2f} | 1x | |")
    print(f"| libroadrunner: the whole process (interpreter, import roadrunner, load, simulate) | {rr_pw:.2f} | {rr_pc:.2f} | | 1x |")
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
