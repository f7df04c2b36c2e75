"""The SBML Test Suite's stochastic (DSMTS) cases through SBML import + crnzoo's exact SSA."""

from __future__ import annotations

import numpy as np
import pytest

from crnzoo.data import data_dir

ROOT = data_dir() / "sbml-test-suite" / "stochastic"
needs_suite = pytest.mark.skipif(not ROOT.is_dir(), reason=f"the SBML Test Suite's stochastic cases are not at {ROOT} (shared data)")

# the time-course cases without events or rules (the others use events, rate rules or the distrib package)
PLAIN = ["00001", "00002", "00004", "00005", "00007", "00008", "00010", "00011", "00013", "00014", "00016", "00017",
         "00020", "00022", "00023", "00025", "00026", "00031", "00034", "00035", "00037", "00038"]


def test_judge_counts_excursions():
    from crnzoo.ssa.dsmts import judge

    mu, sigma = np.array([[0.0], [10.0], [20.0]]), np.array([[0.0], [2.0], [2.0]])
    exact = np.array([[True], [False], [False]])
    ok = judge(mu.copy(), sigma**2, mu, sigma, 10_000, exact)
    assert ok[:2] == (0, 0)
    # a mean off by 0.1 sd is 10 standard errors at n = 10,000; a variance 20 % high is Y = 14
    bad = judge(mu + 0.1 * sigma, 1.2 * sigma**2, mu, sigma, 10_000, exact)
    assert bad[:2] == (2, 2)
    # a sigma = 0 point whose runs are not all at mu counts in both
    assert judge(mu.copy(), sigma**2, mu, sigma, 10_000, ~exact)[:2] == (1, 1)


@needs_suite
@pytest.mark.parametrize("case", ["00001", "00031"])
def test_small_cases_pass_with_fewer_runs(case):
    """Birth-death (a law in amounts) and dimerisation (a law written for counts, k1·P·(P−1)/2)."""
    from crnzoo.ssa.dsmts import run_case

    r = run_case(ROOT / case, runs=1000, seed=1)
    if case != "00031":
        assert r.status == "pass", r
    # 00031's 102 points (P and P2 at 51 times, near equilibrium from t ≈ 10) move together, so
    # "at most 1 Z_t excursion" fails for a correct simulator at about 1 seed in 8 (measured over
    # 16 seeds at 1,000 and at 10,000 runs: 2-3 fails for the lockstep kernel and for the
    # per-lane kernel alike); the size of the worst deviation is the check here
    assert r.z_max < 4 and r.y_max < 6, r


@needs_suite
def test_cases_with_events_or_distributions_are_refused_by_name():
    from crnzoo.ssa.dsmts import run_case

    assert "events" in run_case(ROOT / "00028", runs=10).reason
    assert "distrib" in run_case(ROOT / "00040", runs=10).reason


def test_sbml_ssa_refuses_non_integer_stoichiometry():
    from crnzoo.sbml import from_sbml
    from crnzoo.ssa import SSAError
    from crnzoo.ssa.sbml import sbml_ssa

    sbml = """<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2"><model id="m">
<listOfCompartments><compartment id="c" size="1" constant="true"/></listOfCompartments>
<listOfSpecies><species id="A" compartment="c" initialAmount="10" hasOnlySubstanceUnits="true" boundaryCondition="false" constant="false"/>
<species id="B" compartment="c" initialAmount="0" hasOnlySubstanceUnits="true" boundaryCondition="false" constant="false"/></listOfSpecies>
<listOfParameters><parameter id="k" value="1" constant="true"/></listOfParameters>
<listOfReactions><reaction id="r" reversible="false">
<listOfReactants><speciesReference species="A" stoichiometry="1" constant="true"/></listOfReactants>
<listOfProducts><speciesReference species="B" stoichiometry="0.5" constant="true"/></listOfProducts>
<kineticLaw><math xmlns="http://www.w3.org/1998/Math/MathML"><apply><times/><ci>k</ci><ci>A</ci></apply></math></kineticLaw>
</reaction></listOfReactions></model></sbml>"""
    with pytest.raises(SSAError, match="stoichiometry 0.5 of B is not a whole number"):
        sbml_ssa(from_sbml(sbml), [0.0, 1.0], 10)


@pytest.mark.slow
@needs_suite
@pytest.mark.parametrize("case", PLAIN)
def test_every_plain_case_passes_with_10000_runs(case):
    """The suite's test at 10,000 runs. Its excursion counts fail a correct simulator now and
    then (00004 at 2 of 24 seeds, 00031 at 2-3 of 16, measured): a case fails here only when two
    independent samples (seeds 0 and 1) both fail, which for a correct simulator has a chance of
    about 1 in 100 per case rather than 1 in 10."""
    from crnzoo.ssa.dsmts import run_case

    r = run_case(ROOT / case, runs=10_000, seed=0)
    if r.status != "pass":
        r = run_case(ROOT / case, runs=10_000, seed=1)
    assert r.status == "pass", r
