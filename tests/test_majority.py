"""Approximate majority: the task's loss and invariants, the hand-designed networks and what
the shipped `majority-*` weights keep.

No training here: `scripts/train_majority.py` writes the weights of `majority-learned`.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import crnzoo
from crnzoo import zoo
from crnzoo.crn import CatalyticCRN
from crnzoo.export.text import from_txt
from crnzoo.tasks import majority


TIGHT = crnzoo.SolverConfig("tsit5", rtol=1e-10, atol=1e-12)
NAMES = ["majority-am3", "majority-am4", "majority-learned"]


@pytest.mark.parametrize("name", NAMES)
def test_entry_is_the_card(name):
    """Family, command and metric templates of the registered entry are what its card says."""
    e, card = zoo.entry(name), zoo.card(name)
    assert e.family == card["family"] == "majority"
    assert e.training == card["training"]["command"]
    assert {k: (m["description"], m["paper"], m["promise"], m["tolerance"]) for k, m in card["metrics"].items()} == dict(e.metrics)


@pytest.mark.parametrize("name", ["majority-am3", "majority-am4"])
def test_hand_designed_make_is_the_shipped_model(name):
    e = zoo.entry(name)
    assert not e.task.trained
    made, shipped = e.task.make(), zoo.load(name)
    assert jax.tree_util.tree_structure(made) == jax.tree_util.tree_structure(shipped)
    for a, b in zip(jax.tree_util.tree_leaves(made), jax.tree_util.tree_leaves(shipped)):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


# ---- the task ------------------------------------------------------------------------------------


def test_antithetic_batches_hold_each_draw_and_its_mirror():
    task = majority.ConsensusTask(dt=0.4)
    x = np.asarray(task.batch(jax.random.PRNGKey(0), 8))
    assert x.shape == (8, 3) and np.all(x[:, 2] == 0) and np.all((x >= 0) & (x <= 1))
    np.testing.assert_array_equal(x[4:, :2], x[:4, 1::-1])


def test_consensus_loss_is_small_for_approximate_majority_and_large_for_a_network_that_does_nothing():
    task = majority.ConsensusTask(dt=0.4)
    x = task.batch(jax.random.PRNGKey(1), 64)
    am4_loss, aux = task.loss(majority.am4(), x)
    idle = CatalyticCRN.from_rates(("A", "B", "C"), {}, [0.6, 0.4, 0.0])
    idle_loss, _ = task.loss(idle, x)
    assert bool(aux["ok"])
    assert float(am4_loss) < 1e-3 < 0.1 < float(idle_loss)
    # the target is the consensus as a fraction of the conserved mass A0 + B0, C -> 0
    target = np.asarray(task.target(x))
    assert np.all(target.sum(1) == 1) and np.all(target[:, 2] == 0)
    np.testing.assert_array_equal(target[:, 0], np.asarray(x[:, 0] > x[:, 1], dtype=float))


def test_mirror_symmetric_dynamics_commute_with_exchanging_the_inputs():
    W = jax.random.normal(jax.random.PRNGKey(2), (3, 3, 3))
    m = majority.mirror_symmetric(CatalyticCRN(W, jnp.zeros(3), ("A", "B", "C")))
    x = np.random.default_rng(0).uniform(0, 1, (6, 3))
    swap = [1, 0, 2]
    np.testing.assert_allclose(np.asarray(m.rhs(0, x[:, swap]))[:, swap], np.asarray(m.rhs(0, x)), atol=1e-14)
    again = majority.mirror_symmetric(m)
    np.testing.assert_array_equal(np.asarray(again.logits), np.asarray(m.logits))
    # the loss depends on the symmetric part only: the gradient is itself symmetric
    task = majority.ConsensusTask(dt=0.4, symmetric=True)
    g = jax.grad(lambda W: task.loss(CatalyticCRN(W, jnp.zeros(3), ("A", "B", "C")), task.batch(jax.random.PRNGKey(3), 8))[0])(W)
    np.testing.assert_allclose(np.asarray(g), np.asarray(g)[swap][:, swap][:, :, swap], atol=1e-12)


def test_reaction_set_comparison():
    am4 = majority.am4().network()
    same = majority.compare_reaction_sets(am4, am4)
    assert same["same_set"] == 1.0 and not same["missing"] and not same["extra"]
    assert set(same["rates"].values()) == {1.0}
    other = majority.compare_reaction_sets(majority.am3().network(), am4)
    assert other["same_set"] == 0.0 and len(other["missing"]) == 4 and len(other["extra"]) == 3


def test_learned_start_is_symmetric_and_keeps_its_inputs():
    model = zoo.entry("majority-learned").task.make()
    W = np.asarray(model.logits)
    np.testing.assert_array_equal(W, W[[1, 0, 2]][:, [1, 0, 2]][:, :, [1, 0, 2]])
    T = np.asarray(model.tensor())
    assert np.all(np.diagonal(T, axis1=1, axis2=2) > -0.1)  # every row keeps its input with probability > 0.9


# ---- majority-learned: shipped weights -------------------------------------------------------


def test_majority_learned_is_majority_am4_with_rates_near_one():
    model = zoo.load("majority-learned")
    assert model.k_min == pytest.approx(0.05)
    net = model.network(0.0)  # the shipped dynamics: already the sparsified network
    assert majority.compare_reaction_sets(net, majority.am4().network())["same_set"] == 1.0
    assert net.n_reactions == 4 and all(abs(r.rate - 1.0) <= 0.05 for r in net.reactions)
    rates = majority.am4_rates(model)
    assert set(rates) == {"rate_A_B_C", "rate_B_A_C", "rate_C_A_A", "rate_C_B_B"}
    assert all(abs(k - 1.0) <= 0.05 for k in rates.values())
    # symmetric under exchanging A and B
    W = np.asarray(model.logits)
    np.testing.assert_array_equal(W, W[[1, 0, 2]][:, [1, 0, 2]][:, :, [1, 0, 2]])
    card = zoo.card("majority-learned")
    assert card["metrics"]["same_reaction_set_as_am4"]["value"] == 1.0
    assert card["training"]["command"] == "python scripts/train_majority.py majority-learned" and card["training"]["seed"] == 0
    assert card["training"]["config"] == majority.TRAIN.to_dict()
    assert [p["config"] for p in card["training_phases"]] == [majority.WARMUP.to_dict(), majority.TRAIN.to_dict()]


def test_majority_learned_listing_reproduces_the_model():
    """weights/majority-learned/reactions.txt through the generic mass-action engine = the model."""
    model = zoo.load("majority-learned")
    listing = from_txt((zoo.checkpoint_dir("majority-learned") / "reactions.txt").read_text())
    assert listing.n_reactions == model.network(0.05).n_reactions == 4
    x0 = majority.sample(64, 7, 3)
    x0 = x0[np.abs(x0[:, 0] - x0[:, 1]) > 0.05]
    ts = np.array([0.0, 50.0, 200.0])
    mine = crnzoo.simulate(model, ts, x0, solver=TIGHT).ys
    exact = crnzoo.simulate(model.network(0.05), ts, x0, solver=TIGHT).ys
    listed = crnzoo.simulate(listing, ts, x0, solver=TIGHT).ys
    np.testing.assert_allclose(exact, mine, atol=1e-8)
    np.testing.assert_allclose(listed, mine, atol=1e-4)  # rates printed to 6 digits
    winner = np.where(x0[:, 0] > x0[:, 1], 0, 1)
    assert np.all(np.argmax(listed[:, -1, :2], 1) == winner)
