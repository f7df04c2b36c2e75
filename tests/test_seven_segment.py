"""The seven-segment display decoder (`seven-segment`) and its task `crnzoo.tasks.seven_segment`."""

from __future__ import annotations

import matplotlib.image as plt_image
import numpy as np
import pytest

from crnzoo import zoo
from crnzoo.solve import SolverConfig, simulate
from crnzoo.tasks import seven_segment


def test_seven_segment_encoding():
    x = seven_segment.initial_states()
    assert x.shape == (16, 16)
    np.testing.assert_allclose(x.sum(axis=1), 1.0)
    np.testing.assert_allclose(x[10, :4], [0.12, 0.02, 0.12, 0.02])  # "1010" -> (high, low, high, low)
    assert seven_segment.SEGMENTS[8].sum() == 7 and seven_segment.SEGMENTS[1].tolist() == [0, 1, 1, 0, 0, 0, 0]
    assert seven_segment.bits(10) == (1, 0, 1, 0) and seven_segment.DIGITS[10] == "A"
    np.testing.assert_allclose(seven_segment.scaled(np.array([0.02, 0.07, 0.12])), [-1.0, 0.0, 1.0], atol=1e-12)


def test_training_loss_matches_the_adaptive_solve():
    """The training task's fixed-step RK4 (dt = 1, as trained) gives the squared hinge of the adaptive solve."""
    model = zoo.load("seven-segment")
    task = seven_segment.SevenSegmentTraining(dt=seven_segment.TRAIN_DT)
    loss, aux = task.loss(model, task.batch(None, 16))
    assert bool(aux["ok"])
    ts = np.arange(task.steps // 2 + 1, task.steps + 1) * task.dt
    traj = simulate(model, np.concatenate([[0.0], ts]), seven_segment.initial_states(), solver=SolverConfig(rtol=1e-10, atol=1e-12))
    outs = traj.ys[:, 1:, 5:12]  # (16, S/2, 7)
    s = seven_segment.scaled(outs)
    ref = np.mean(np.maximum(0.0, 1.0 - s * (2.0 * seven_segment.SEGMENTS - 1.0)[:, None, :]) ** 2)
    assert float(loss) == pytest.approx(ref, rel=1e-3, abs=1e-5)


def test_untrained_decoder_starts_slow_and_unmixed():
    """`make()` is the card's seed-0 start: logits N(0, 1) + 3 on the diagonal, x0 = digit 0."""
    e = zoo.entry("seven-segment")
    model = e.task.make()
    assert model.species == zoo.load("seven-segment").species and model.fixed == ()
    np.testing.assert_allclose(np.asarray(model.x0), seven_segment.initial_states()[0])
    W = np.asarray(model.logits)
    diag = W[:, np.arange(16), np.arange(16)]
    assert diag.mean() > 2.5 > 0.5 > abs(W.mean() - 3.0 / 16)


def test_artifacts_redraw_the_shipped_digits(tmp_path):
    """The shipped figure is exactly what the task's `artifacts` draws from the checkpoint."""
    e = zoo.entry("seven-segment")
    fields = e.task.artifacts(zoo.load("seven-segment"), tmp_path)
    assert fields == {"figures": ["digits.png"]} == {"figures": zoo.card("seven-segment")["figures"]}
    new = plt_image.imread(tmp_path / "digits.png")
    shipped = plt_image.imread(zoo.checkpoint_dir("seven-segment") / "digits.png")
    np.testing.assert_allclose(new, shipped, atol=1e-6)


def test_first_training_loss_is_the_cards():
    """One real training step from the card's seed gives the card's first loss to the last bit."""
    model, extra = zoo.entry("seven-segment").task.fit(steps=1, progress=False)
    result = extra["training_result"]
    assert result["loss_first"] == zoo.card("seven-segment")["training_result"]["loss_first"]
    assert result["pruned"] == 0 and result["reactions_after_pruning"] == model.reaction_count(seven_segment.K_MIN)
