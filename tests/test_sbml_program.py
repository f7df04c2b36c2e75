"""The compiled solve SBML models of one size class share (`crnzoo.sbml.program`) and the
rational form of kinetic laws it reads (`crnzoo.sbml.rational`)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import crnzoo
from crnzoo.sbml import from_sbml
from crnzoo.sbml import program as prog
from crnzoo.sbml.rational import ONE, law_rational

M = 'xmlns="http://www.w3.org/1998/Math/MathML"'


def _sbml(laws: list[str], n_species: int = 4, extra_rules: str = "") -> str:
    """A chain S0 -> S1 -> ... with the given kinetic laws (MathML bodies, `X` the reactant)."""
    species = "".join(f'<species id="S{i}" compartment="c" initialConcentration="{1.0 + i}" hasOnlySubstanceUnits="false" '
                      'boundaryCondition="false" constant="false"/>' for i in range(n_species))
    rx = []
    for j, law in enumerate(laws):
        a, b = f"S{j % n_species}", f"S{(j + 1) % n_species}"
        rx.append(f'<reaction id="r{j}" reversible="false"><listOfReactants><speciesReference species="{a}" stoichiometry="1" '
                  f'constant="true"/></listOfReactants><listOfProducts><speciesReference species="{b}" stoichiometry="1" '
                  f'constant="true"/></listOfProducts><kineticLaw><math {M}>{law.replace("X", a)}</math></kineticLaw></reaction>')
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2"><model id="m">
<listOfCompartments><compartment id="c" size="2" constant="true"/></listOfCompartments>
<listOfSpecies>{species}</listOfSpecies>
<listOfParameters><parameter id="V" value="1.5" constant="true"/><parameter id="K" value="0.5" constant="true"/>
<parameter id="k" value="0.7" constant="true"/><parameter id="q" value="1" constant="false"/></listOfParameters>
<listOfRules>{extra_rules}</listOfRules>
<listOfReactions>{"".join(rx)}</listOfReactions></model></sbml>"""


MASS = "<apply><times/><ci>k</ci><ci>X</ci></apply>"
MM = "<apply><divide/><apply><times/><ci>V</ci><ci>X</ci></apply><apply><plus/><ci>K</ci><ci>X</ci></apply></apply>"
EXP = "<apply><times/><ci>k</ci><apply><exp/><ci>X</ci></apply></apply>"


def test_michaelis_menten_is_a_ratio_of_polynomials():
    m = from_sbml(_sbml([MM]))
    num, den = law_rational(m.spec, 0)
    p, s = m.spec.params.index("V"), m.spec.state.index("S0")
    assert num == {((p,), (s,)): 1.0}
    assert den == {((m.spec.params.index("K"),), ()): 1.0, ((), (s,)): 1.0}
    num, den = law_rational(from_sbml(_sbml([MASS])).spec, 0)
    assert den == {ONE: 1.0} and len(num) == 1


def test_models_needing_their_own_program_say_why():
    assert "not a rational function" in prog.plan(from_sbml(_sbml([MASS, EXP])))


def test_rate_rules_time_and_assignment_rules_are_read_in_the_same_form():
    """dq/dt = k t becomes a pseudo-reaction (a monomial with the time); a law reading an
    assignment rule w = V S0 has the rule inlined."""
    rules = (f'<rateRule variable="q"><math {M}><apply><times/><ci>k</ci><csymbol encoding="text" '
             f'definitionURL="http://www.sbml.org/sbml/symbols/time">t</csymbol></apply></math></rateRule>'
             f'<assignmentRule variable="w"><math {M}><apply><times/><ci>V</ci><ci>S0</ci></apply></math></assignmentRule>')
    m = from_sbml(_sbml(["<apply><times/><ci>w</ci><ci>X</ci></apply>"], extra_rules=rules)
                  .replace('<parameter id="q" value="1" constant="false"/>', '<parameter id="q" value="1" constant="false"/>'
                           '<parameter id="w" constant="false"/>'))
    pl = prog.plan(m)
    assert not isinstance(pl, str), pl
    assert len(pl.den_one) == 2  # the reaction and the rate rule
    s0, v = m.spec.state.index("S0"), m.spec.params.index("V")
    assert sorted(zip(pl.P, pl.Q)) == sorted([((v,), (s0, s0)), ((m.spec.params.index("k"),), (-1,))])


def test_different_models_of_one_size_class_share_one_program():
    a, b = from_sbml(_sbml([MM, MASS, MM, MASS])), from_sbml(_sbml([MASS] * 3, n_species=5))
    assert prog.plan(a).sizes(11) == prog.plan(b).sizes(11)


def _reference(model, ts):
    f = model.static.compiled.rhs_np
    p = np.asarray(model.params)
    sol = solve_ivp(lambda t, y: f(t, y, p), (ts[0], ts[-1]), np.asarray(model.x0), t_eval=ts, rtol=1e-11, atol=1e-13, method="LSODA")
    return sol.y.T


def test_a_new_model_reuses_the_program_another_model_compiled(tmp_path, monkeypatch):
    """Model A compiles the program of its size class and keeps it in the cache directory; a
    fresh start (the in-process memo cleared) simulates a different model B of the same class
    from that file, without tracing anything; both match an independent solve."""
    monkeypatch.setenv("CRNZOO_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("CRNZOO_NO_CACHE", raising=False)
    prog._program.cache_clear()
    a, b = from_sbml(_sbml([MM, MASS, MM, MASS])), from_sbml(_sbml([MASS, MM, MM], n_species=5))
    ts = np.linspace(0.0, 3.0, 7)
    ya = crnzoo.simulate(a, ts).ys
    assert len(list((tmp_path / "sbml-programs").glob("*.exe"))) == 1
    prog._program.cache_clear()

    def no_trace(*args):
        raise AssertionError("the program was traced again instead of loaded")

    monkeypatch.setattr(prog, "_solve_fn", no_trace)
    yb = crnzoo.simulate(b, ts).ys
    prog._program.cache_clear()
    np.testing.assert_allclose(ya, _reference(a, ts), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(yb, _reference(b, ts), rtol=1e-5, atol=1e-7)


@pytest.mark.slow
def test_shared_program_matches_the_models_own_program(monkeypatch):
    """The padded program takes the same steps as the model's own compiled solve (tolerances
    scaled so the RMS norm over the padding equals the model's own)."""
    from crnzoo.solve import _run

    monkeypatch.setenv("CRNZOO_NO_CACHE", "1")
    m = from_sbml(_sbml([MM, MASS, MM, MASS, MM]))
    ts = np.linspace(0.0, 5.0, 11)
    shared = crnzoo.simulate(m, ts).ys
    import jax.numpy as jnp

    from crnzoo.solvers.config import SolverConfig

    own = np.asarray(_run(m, jnp.asarray(m.x0)[None], ts, 0.0, SolverConfig(), (), None, None, "joint")[0])[:, 0]
    np.testing.assert_allclose(shared, own, rtol=1e-12, atol=1e-14)


def test_with_the_cache_off_nothing_is_written(tmp_path, monkeypatch):
    """CRNZOO_NO_CACHE: the program is compiled and run in this process only (a stand-in solve
    here, so no Diffrax compile)."""
    monkeypatch.setenv("CRNZOO_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("CRNZOO_NO_CACHE", "1")
    monkeypatch.setattr(prog, "_solve_fn", lambda sizes, solver, steps: (lambda y, *rest: (y, 0, 0)))
    prog._program.cache_clear()
    sizes = (16, 64, 32, 128, 4, 4, 64, 16)
    try:
        out = prog._program(sizes, "tsit5", 10)(*(np.zeros(s.shape, s.dtype) for s in prog._shapes(sizes)))
    finally:
        prog._program.cache_clear()
    assert np.asarray(out[0]).shape == (16,) and not any(tmp_path.iterdir())


def test_a_program_written_after_a_jax_cache_hit_runs_in_a_new_process(tmp_path):
    """The kept program is compiled afresh even when JAX's persistent cache holds its XLA part
    (e.g. crnzoo's copy was evicted): an executable taken from that cache serialises without
    its kernels, and every later process failed with 'Function … not found'."""
    import os
    import subprocess
    import sys

    xml = tmp_path / "am4.xml"
    env = {**os.environ, "CRNZOO_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": os.pathsep.join(sys.path)}
    cli = [sys.executable, "-m", "crnzoo.cli"]
    assert subprocess.run([*cli, "export", "majority-am4", "--format", "sbml", "-o", str(xml)], env=env).returncode == 0
    run = [*cli, "simulate", str(xml), "--t1", "5", "--points", "3"]
    first = subprocess.run(run, env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr[-500:]
    kept = list((tmp_path / "cache").rglob("*.exe"))
    assert kept, "the shared program was not kept"
    for f in kept:  # crnzoo's copy gone, JAX's persistent cache still full
        f.unlink()
    for _ in range(2):  # recompiled and kept; then loaded from the kept file
        again = subprocess.run(run, env=env, capture_output=True, text=True)
        assert again.returncode == 0, again.stderr[-500:]
        assert again.stdout.splitlines()[-1] == first.stdout.splitlines()[-1]
    assert list((tmp_path / "cache").rglob("*.exe"))
