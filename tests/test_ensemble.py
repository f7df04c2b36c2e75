"""`crnzoo.ensemble.RK4Ensemble`: fixed-step ensembles agree with an accurate solve, estimate
their own error and refuse an unstable step."""

import numpy as np
import pytest

import crnzoo  # noqa: F401  (float64)
from crnzoo.ensemble import RK4Ensemble, polynomial_rhs
from crnzoo.network import Reaction, ReactionNetwork
from crnzoo.solve import SolverConfig, simulate
from crnzoo.solvers.config import SimulationError, StateError

# approximate majority with a dimerisation (a 2A term) and a source, to cover every term kind
NET = ReactionNetwork(
    ("A", "B", "C"),
    (
        Reaction({"A": 1, "B": 1}, {"C": 1, "B": 1}, 1.0),
        Reaction({"B": 1, "A": 1}, {"C": 1, "A": 1}, 0.9),
        Reaction({"C": 1, "A": 1}, {"A": 2}, 1.0),
        Reaction({"C": 1, "B": 1}, {"B": 2}, 1.1),
        Reaction({"A": 2}, {"C": 1}, 0.05),
        Reaction({}, {"C": 1}, 0.01),
    ),
)


def test_polynomial_rhs_equals_mass_action():
    x = np.random.default_rng(0).uniform(0, 1, (7, 3))
    np.testing.assert_allclose(np.asarray(polynomial_rhs(NET)(x.T)).T, np.asarray(NET.mass_action().rhs(0.0, x)), rtol=1e-13)


def test_final_states_match_an_accurate_solve_and_the_estimate_is_honest():
    x0 = np.random.default_rng(1).uniform(0, 1, (20, 3))
    res = RK4Ensemble(NET, 10.0, 100, check=20)(x0)
    ref = simulate(NET, np.array([0.0, 10.0]), x0, solver=SolverConfig("dopri8", rtol=1e-12, atol=1e-14)).final
    err = np.max(np.abs(res.final - ref))
    assert res.final.shape == (20, 3) and res.dt == 0.1 and err < 1e-6
    assert err / 10 < res.error_estimate < err * 10  # Richardson: within an order of the true error
    np.testing.assert_array_equal(RK4Ensemble(NET, 10.0, 100, chunk=6)(x0).final, res.final)  # chunks: same numbers


def test_unstable_step_and_bad_input_are_refused():
    with pytest.raises(SimulationError, match="stability"):
        RK4Ensemble(NET, 2000.0, 100)(np.full((2, 3), 5.0))
    with pytest.raises(StateError, match="shape"):
        RK4Ensemble(NET, 1.0, 10)(np.ones((2, 4)))
    with pytest.raises(StateError):
        RK4Ensemble(NET, 1.0, 0)
