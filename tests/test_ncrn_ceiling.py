"""The ceiling metrics of ncrn-linear2d (issue 17): what the data set and the paper's loss allow."""

import dataclasses

import numpy as np
import pytest

from crnzoo import zoo
from crnzoo.tasks._ncrn_ceiling import ceiling_metrics, loss_minimiser
from crnzoo.tasks._ncrn_data import linear2d


def test_loss_minimiser_is_the_minimum_of_the_training_loss():
    e = zoo.entry("ncrn-linear2d")
    spec, data = e.task.spec, linear2d(0)
    theta = loss_minimiser(spec, data)
    x, y = data.train.x, data.train.y[:, 0]

    def loss(th):
        return np.mean(0.5 * (x.sum(1) + spec.T * x @ th - y) ** 2)

    assert np.all(theta >= 0)
    rng = np.random.default_rng(0)
    for _ in range(50):  # no feasible θ nearby does better
        assert loss(theta) <= loss(np.maximum(theta + rng.normal(0, 0.05, 2), 0)) + 1e-12
    # the chemically trained θ of the card is no better than the exact minimiser
    card = zoo.card("ncrn-linear2d")
    trained = np.asarray(card["training_result"]["theta_final"])
    assert loss(theta) <= loss(trained)


def test_ceiling_metrics_of_linear2d():
    e = zoo.entry("ncrn-linear2d")
    m = ceiling_metrics(e.task.spec, linear2d(0))
    assert m["val_accuracy_bayes"] == 1.0  # noise-free labels
    assert 0.9 < m["val_accuracy_loss_minimiser"] < 1.0
    assert m["val_distance_min"] > 0
    # with the true boundary's θ = (0, 1/T) the circuit classifies every validation point
    spec, data = e.task.spec, linear2d(0)
    yhat = data.val.x.sum(1) + spec.T * data.val.x @ np.array([0.0, 1.0 / spec.T])
    assert np.all((yhat > 2).astype(int) == data.val.labels)


def test_ceiling_refuses_other_circuits():
    spec = dataclasses.replace(zoo.entry("ncrn-linear2d").task.spec, bias=0.1)
    with pytest.raises(ValueError, match="minimal linear circuit"):
        loss_minimiser(spec, linear2d(0))
