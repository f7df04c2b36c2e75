"""The generic trainer: it learns, resumes, stops cleanly on NaN, and sparsifies."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from crnzoo import MassActionCRN, Reaction, ReactionNetwork
from crnzoo.crn import CatalyticCRN
from crnzoo.solve import SolverConfig, integrate
from crnzoo.train import TrainConfig, TrainingError, finetune, train


SOLVER = SolverConfig("tsit5", rtol=1e-8, atol=1e-10, max_steps=512)


def decay(rate=0.5):
    net = ReactionNetwork(("A", "B"), (Reaction({"A": 1}, {"B": 1}, rate),), {"A": 1.0})
    return MassActionCRN.from_network(net)


class DecayTask:
    """Fit A(1) = exp(-k_target) from random A(0): the rate must become k_target."""

    def __init__(self, k_target=2.0, poison=False):
        self.k_target, self.poison = k_target, poison

    def batch(self, key, size):
        a0 = jax.random.uniform(key, (size,), minval=0.5, maxval=1.5)
        return jnp.stack([a0, jnp.zeros_like(a0)], axis=1)

    def loss(self, model, y0):
        ts = jnp.array([1.0])
        ys, _, ok, *_ = integrate(model, y0, ts, jnp.array(0.0), SOLVER)
        target = y0[:, 0] * jnp.exp(-self.k_target)
        loss = jnp.mean((ys[0, :, 0] - target) ** 2)
        if self.poison:
            loss = loss * jnp.nan
        return loss, {"ok": ok}


CONFIG = TrainConfig(steps=150, batch_size=8, lr=0.1, seed=1)


def test_training_recovers_a_rate_constant():
    model, history = train(decay(), DecayTask(), CONFIG, progress=False)
    assert float(model.kinetics.rates[0]) == pytest.approx(2.0, abs=0.05)
    assert history.loss[-1] < 1e-2 * history.loss[0]


def test_stopped_run_resumes_to_the_same_result(tmp_path):
    full, _ = train(decay(), DecayTask(), TrainConfig(steps=40, batch_size=8, lr=0.1, seed=1), progress=False)
    run = tmp_path / "run"
    train(decay(), DecayTask(), TrainConfig(steps=20, batch_size=8, lr=0.1, seed=1), run_dir=run, progress=False)
    with pytest.raises(TrainingError, match="another configuration"):
        train(decay(), DecayTask(), TrainConfig(steps=40, batch_size=8, lr=0.2, seed=1), run_dir=run, progress=False)
    resumed, hist = train(decay(), DecayTask(), TrainConfig(steps=40, batch_size=8, lr=0.1, seed=1), run_dir=run, progress=False)
    np.testing.assert_allclose(np.asarray(resumed.kinetics.rates), np.asarray(full.kinetics.rates), rtol=1e-10)
    assert len(hist.loss) == 40


def test_nan_loss_stops_with_a_clear_error():
    with pytest.raises(TrainingError, match="step 0.*NaN"):
        train(decay(), DecayTask(poison=True), CONFIG, progress=False)


def test_finetune_moves_a_pretrained_model_to_a_new_target():
    model, _ = finetune(decay(2.0), DecayTask(k_target=1.0), steps=150, batch_size=8, lr=0.1, progress=False)
    assert float(model.kinetics.rates[0]) == pytest.approx(1.0, abs=0.05)


def test_catalytic_hooks():
    m = CatalyticCRN(jnp.zeros((3, 3, 3)), jnp.array([0.5, 0.7, 0.1]), ("A", "B", "C"), train_x0=True, x0_total=1.0)
    spec = m.trainable()
    assert spec.logits is True and spec.x0 is True
    p = m.project()
    assert float(jnp.sum(p.x0)) == pytest.approx(1.0)
    assert set(m.regularisers()) == {"l1", "entropy", "energy"}
    s = m.with_sparsity(0.4)
    assert s.k_min == 0.4 and s.reaction_count(0.4) == 0 and m.reaction_count() == 18
    fixed_x0 = CatalyticCRN(jnp.zeros((3, 3, 3)), jnp.ones(3), ("A", "B", "C"))
    assert fixed_x0.trainable().x0 is False
