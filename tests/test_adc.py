"""The 3-bit analogue-to-digital converter (`adc-3bit`) and its task `crnzoo.tasks.adc`."""

from __future__ import annotations

import matplotlib.image as plt_image
import numpy as np
import pytest

from crnzoo import zoo
from crnzoo.tasks import adc


def test_adc_encoding_and_sampling():
    np.testing.assert_array_equal(adc.code([0.0, 0.13, 0.49, 0.5, 0.99, 1.0]), [[0, 0, 0], [0, 0, 1], [0, 1, 1], [1, 0, 0], [1, 1, 1], [1, 1, 1]])
    xs = adc.away_from_edges(500, 0.02, np.random.default_rng(0))
    edges = np.arange(1, 8) / 8
    assert xs.shape == (500,) and np.min(np.abs(xs[:, None] - edges)) >= 0.02
    np.testing.assert_array_equal(adc.decode_bits(np.array([[0.95, 0.05, 0.05, 0.95, 0.5, 0.5]])), [[1, 0, -1]])


def test_inputs_hold_each_level_and_its_complement():
    task = zoo.entry("adc-3bit").task
    s = task.inputs("0.3, 0.8;1", 100)
    assert s.switch_times == (100.0, 200.0)
    assert s.levels["X"] == (0.3, 0.8, 1.0) and s.levels["Xc"] == pytest.approx((0.7, 0.2, 0.0))
    for text, hold in (("1.5", 100), ("a", 100), (" ", 100), ("0.3", -1)):
        with pytest.raises(ValueError, match="input levels|hold time"):
            task.inputs(text, hold)


def test_shipped_converter_is_the_cascade():
    """The checkpoint is the 27-reaction cascade at the searched rates written on its card."""
    model = zoo.load("adc-3bit")
    card = zoo.card("adc-3bit")
    assert model.fixed == (0, 1)
    rates = [card["training_result"]["rates"][f"{a} —{c}→ {b}"] for a, c, b in adc.CASCADE_REACTIONS]
    again = adc.cascade_model(rates)
    np.testing.assert_allclose(np.asarray(again.dynamics_tensor()), np.asarray(model.dynamics_tensor()), atol=1e-12)
    assert model.reaction_count(adc.K_MIN) == len(adc.CASCADE_REACTIONS) == card["reactions"]["at_k_report"]


def test_artifacts_redraw_the_shipped_figure(tmp_path):
    """The shipped figure is exactly what the task's `artifacts` draws from the checkpoint."""
    e = zoo.entry("adc-3bit")
    fields = e.task.artifacts(zoo.load("adc-3bit"), tmp_path)
    assert fields == {"figures": ["adc.png"]} == {"figures": zoo.card("adc-3bit")["figures"]}
    new = plt_image.imread(tmp_path / "adc.png")
    shipped = plt_image.imread(zoo.checkpoint_dir("adc-3bit") / "adc.png")
    np.testing.assert_allclose(new, shipped, atol=1e-6)


def test_search_runs_and_scores_on_its_grid():
    """A few iterations of the rate search (what scripts/train_adc.py runs with --steps 2)."""
    model, extra = zoo.entry("adc-3bit").task.fit(seed=0, steps=2, progress=False)
    result = extra["training_result"]
    assert result["iterations"] == [2, 2] and result["seed"] == 0 and len(result["rates"]) == 27
    rates = np.array(list(result["rates"].values()))
    assert np.all((rates >= adc.K_MIN - 1e-12) & (rates <= 1.0))
    assert adc.grid_score(model, adc.search_grid()) == pytest.approx((result["grid_accuracy"], result["grid_mean_margin"]))
