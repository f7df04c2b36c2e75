"""The wta-mnist cards' figures come from an accurate solve.

The card solver's fluorescences agree with a much tighter solve well inside the card's
mean-SUP tolerance (0.05 nM), and the shipped cards were measured with that solver.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from crnzoo import zoo
from crnzoo.tasks.wta_mnist import EVAL_SOLVER, fluorescence, sup

NAMES = ("wta-mnist-avg", "wta-mnist-pruned", "wta-mnist-sup", "wta-mnist-accreg")


@pytest.mark.parametrize("name", NAMES)
def test_each_entry_states_the_solver_its_card_was_measured_with(name):
    card = json.loads((zoo.checkpoint_dir(name) / "card.json").read_text())
    assert card["solver"] == zoo.entry(name).solver.to_dict()
    assert card["solver"] == EVAL_SOLVER.to_dict() and card["solver"]["rtol"] <= 1e-8
    # re-measured after the solver change (`remeasured`), or trained since with the card solver
    assert ("remeasured" in card or "training_history" in card) and set(card["paper_comparison"]) <= set(card["metrics"])
    assert f"rtol {EVAL_SOLVER.rtol:g}" in card["metrics"]["sim_acc"]["description"]


@pytest.mark.slow
def test_card_solver_agrees_with_a_tighter_solve(shared_data):
    from crnzoo.tasks._wta_mnist_data import load_mnist789

    data = load_mnist789()
    x, y = data.test_x[:12], data.test_y[:12]
    model = zoo.load("wta-mnist-sup")
    F = fluorescence(model, x, solver=EVAL_SOLVER, chunk=len(x))
    ref = fluorescence(model, x, solver=dataclasses.replace(EVAL_SOLVER, rtol=1e-10, atol=1e-9), chunk=len(x))
    tolerance = zoo.card("wta-mnist-sup")["metrics"]["mean_sup"]["tolerance"]
    assert abs(np.mean(sup(F, y)) - np.mean(sup(ref, y))) < tolerance / 5
    assert np.array_equal(F.argmax(1), ref.argmax(1))
    assert np.abs(F - ref).max() < 0.05  # nM
