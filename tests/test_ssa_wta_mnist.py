"""The wta-mnist classifier at finite molecule counts (`crnzoo.tasks._wta_mnist_ssa.ImageAgreement`),
on the synthetic stand-in images (no shared data needed)."""

from __future__ import annotations

import numpy as np
import pytest

from crnzoo.crn.wta_mnist import wta_crn
from crnzoo.solve import Schedule
from crnzoo.solvers.config import SolverConfig
from crnzoo.tasks._wta_mnist_data import synthetic
from crnzoo.tasks._wta_mnist_ssa import ImageAgreement


SOLVER = SolverConfig("rosenbrock3", rtol=1e-6, atol=1e-5, max_steps=100_000)


@pytest.fixture(scope="module")
def agreement():
    """Equal weights but class 0's, 1.2x: the ODE gives class 0 to every image, by about 45 nM."""
    d = synthetic(10, seed=0)
    w = np.full((100, 3), 0.01)
    w[:, 0] *= 1.2
    model = wta_crn(w)
    return model, ImageAgreement(model, SOLVER, images=d.test_x[:6], labels=d.test_y[:6])


def test_runs_cycle_over_the_images_with_equal_weight(agreement):
    _, a = agreement
    assert a.image_of_run(14).tolist() == [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5, 0, 1]
    assert a.x0.shape == (6, a.net.n_species)
    assert np.all(a.margin >= 0) and a.ode_class.shape == (6,)


def test_a_disagreeing_run_names_its_image_and_margin(agreement):
    _, a = agreement
    won = a.ode_class.copy()
    won[2] = (won[2] + 1) % 3
    reasons = a.reasons(won)
    assert [r is None for r in reasons] == [True, True, False, True, True, True]
    assert reasons[2].startswith("image 2 (a ") and f"ODE margin {a.margin[2]:.1f} nM" in reasons[2]


def test_large_counts_agree_with_the_ode_and_few_molecules_do_not(agreement):
    """Exact SSA: at Ω = 32 per nM every run classifies as the ODE does (measured: 30/30 at 16 and
    at 256); at Ω = 1 (5 molecules per on pixel) most runs do not (measured: 9/30)."""
    model, a = agreement
    assert a.ode_class.tolist() == [0] * 6 and a.margin.min() > 30
    big = a(model, 32.0, 6, seed=1)
    assert big.method == "direct" and big.runs == 6 and big.passed == 6
    small = a(model, 1.0, 30, seed=1)
    assert small.passed < 20 and sum(small.failures.values()) == 30 - small.passed


def test_an_input_schedule_is_refused(agreement):
    model, a = agreement
    with pytest.raises(ValueError, match="no input schedule"):
        a(model, 16.0, 2, schedule=Schedule(additions=((1.0, {"X_0": 1.0}),)))


def test_the_lab_unit_is_the_cards_own_where_it_is_nM():
    from crnzoo import zoo
    from crnzoo.ssa.report import unit_nM

    assert unit_nM(zoo.card("wta-mnist-avg")) == 1.0  # a card in nM: 1 unit = 1 nM (as robustness_cards.py)
    assert unit_nM(zoo.card("gate-and")) == 50.0  # dimensionless: the documented 50 nM
    assert unit_nM(zoo.card("wta-mnist-avg"), "10nM") == 10.0  # --unit wins
