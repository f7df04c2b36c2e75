"""A step whose error estimate is NaN is rejected and shrunk, not repeated until `max_steps`.

Test Suite case 00269 (rate `ceiling(4 S1)! / 25`) hung the runner's shared-engine path: a
Tsit5 stage past S1 < 0 evaluates the factorial of a negative integer (inf), the error estimate
becomes NaN, Diffrax's PID controller then makes every later step size NaN, and each of the
200,000 rejected steps cost host callbacks (minutes). Error norms now read NaN as inf."""

from __future__ import annotations

import dataclasses

import jax.numpy as jnp
import numpy as np
import pytest

from crnzoo.sbml import from_sbml
from crnzoo.sbml.shared import SharedSolve
from crnzoo.sbml.suite import SOLVERS
from crnzoo.solvers.config import worst_member_rms

FACTORIAL = """<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2">
  <model id="case00269">
    <listOfCompartments><compartment id="c" size="1" constant="true"/></listOfCompartments>
    <listOfSpecies>
      <species id="S1" compartment="c" initialAmount="1" hasOnlySubstanceUnits="false" boundaryCondition="false" constant="false"/>
      <species id="S2" compartment="c" initialAmount="0" hasOnlySubstanceUnits="false" boundaryCondition="false" constant="false"/>
    </listOfSpecies>
    <listOfReactions>
      <reaction id="r" reversible="false">
        <listOfReactants><speciesReference species="S1" stoichiometry="1" constant="true"/></listOfReactants>
        <listOfProducts><speciesReference species="S2" stoichiometry="1" constant="true"/></listOfProducts>
        <kineticLaw><math xmlns="http://www.w3.org/1998/Math/MathML">
          <apply><divide/><apply><factorial/><apply><ceiling/><apply><times/><cn>4</cn><ci>S1</ci></apply></apply></apply><cn>25</cn></apply>
        </math></kineticLaw>
      </reaction>
    </listOfReactions>
  </model>
</sbml>"""


def _exact(t):
    """S1(t): rate 24/25 until S1 = 3/4, 6/25 until 1/2, then 2/25 (the suite's 00269 results)."""
    t1, t2 = 0.25 / 0.96, 0.25 / 0.96 + 0.25 / 0.24
    return np.where(t < t1, 1 - 0.96 * t, np.where(t < t2, 0.75 - 0.24 * (t - t1), 0.5 - 0.08 * (t - t2)))


def test_error_norms_read_nan_as_inf():
    assert float(worst_member_rms(jnp.array([1.0, jnp.nan]))) == np.inf
    assert float(worst_member_rms(jnp.array([[1.0, 2.0], [jnp.nan, 0.0]]))) == np.inf
    assert float(worst_member_rms(jnp.array([3.0, 4.0]))) == np.sqrt(12.5)  # finite norms unchanged
    norm = SharedSolve().view(2, 0, 0).norm
    assert float(norm(jnp.array([0.5, jnp.nan]))) == np.inf and float(norm(jnp.array([0.5, -2.0]))) == 2.0


@pytest.mark.slow  # one compile of the shared solve: ~6 s
def test_shared_engine_steps_past_a_nan_stage():
    """Tsit5 through the shared engine, with a step budget the NaN loop would exhaust (it did,
    at any budget, before the fix: 36 accepted steps, then only rejections)."""
    m = from_sbml(FACTORIAL)
    ts = np.linspace(0.0, 2.0, 51)
    config = dataclasses.replace(SOLVERS[0], max_steps=4096)
    traj, _ = m.simulate_events(ts, config, SharedSolve())
    np.testing.assert_allclose(traj.ys[:, 0], _exact(ts), atol=1e-6)
    np.testing.assert_allclose(traj.ys.sum(1), 1.0, atol=1e-9)
