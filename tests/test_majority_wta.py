"""Learned majority and ring winner-takes-all: losses, invariants, and the shipped weights' promises.

No training here: the scripts (`scripts/train_majority.py`, `scripts/train_wta_ring.py`)
write the weights; these tests check the task code and what the shipped checkpoints keep.
"""

from __future__ import annotations

import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import crnzoo
from crnzoo import zoo
from crnzoo.crn import CatalyticCRN, MembraneRing
from crnzoo.export.text import from_txt
from crnzoo.models import majority as maj_family
from crnzoo.models import wta_ring as wta_family
from crnzoo.models.reference import make_am3, make_am4, make_wta_ring_paper
from crnzoo.tasks import majority, wta


TIGHT = crnzoo.SolverConfig("tsit5", rtol=1e-10, atol=1e-12)


# ---- majority: task ------------------------------------------------------------------------------


def test_antithetic_batches_hold_each_draw_and_its_mirror():
    task = majority.ConsensusTask(dt=0.4)
    x = np.asarray(task.batch(jax.random.PRNGKey(0), 8))
    assert x.shape == (8, 3) and np.all(x[:, 2] == 0) and np.all((x >= 0) & (x <= 1))
    np.testing.assert_array_equal(x[4:, :2], x[:4, 1::-1])


def test_consensus_loss_is_small_for_approximate_majority_and_large_for_a_network_that_does_nothing():
    task = majority.ConsensusTask(dt=0.4)
    x = task.batch(jax.random.PRNGKey(1), 64)
    am4_loss, aux = task.loss(make_am4(), x)
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
    am4 = make_am4().network()
    same = majority.compare_reaction_sets(am4, am4)
    assert same["same_set"] == 1.0 and not same["missing"] and not same["extra"]
    assert set(same["rates"].values()) == {1.0}
    other = majority.compare_reaction_sets(make_am3().network(), am4)
    assert other["same_set"] == 0.0 and len(other["missing"]) == 4 and len(other["extra"]) == 3


# ---- majority-learned: shipped weights -------------------------------------------------------


def test_majority_learned_is_majority_am4_with_rates_near_one():
    model = zoo.load("majority-learned")
    assert model.k_min == pytest.approx(0.05)
    net = model.network(0.0)  # the shipped dynamics: already the sparsified network
    assert majority.compare_reaction_sets(net, make_am4().network())["same_set"] == 1.0
    assert net.n_reactions == 4 and all(abs(r.rate - 1.0) <= 0.05 for r in net.reactions)
    rates = maj_family.am4_rates(model)
    assert set(rates) == {maj_family.rate_key(*r) for r in maj_family.AM4}
    # symmetric under exchanging A and B
    W = np.asarray(model.logits)
    np.testing.assert_array_equal(W, W[[1, 0, 2]][:, [1, 0, 2]][:, :, [1, 0, 2]])
    card = zoo.card("majority-learned")
    assert card["metrics"]["same_reaction_set_as_am4"]["value"] == 1.0
    assert card["training"]["command"] == "python scripts/train_majority.py" and card["training"]["seed"] == 0
    assert card["training"]["config"]["sparsify"] == "straight_through" and card["training"]["config"]["k_min"] == 0.05
    assert card["script_wall_s"] < 20 * 60


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


# ---- ring winner-takes-all: task --------------------------------------------------------------


def test_squared_hinge_is_equation_3():
    low, high = 0.01, 0.9
    x = jnp.array([high, low, 0.5 * (low + high), 1.5, 0.0])
    np.testing.assert_allclose(np.asarray(wta.squared_hinge(x, 1.0, low, high)), [0, 4, 1, 0, (1 + (low + high) / (high - low)) ** 2], atol=1e-12)
    np.testing.assert_allclose(np.asarray(wta.squared_hinge(x, -1.0, low, high)), [4, 0, 1, (1 + (3 - low - high) / (high - low)) ** 2, 0], atol=1e-12)


def test_ring_task_batches_and_loss():
    task = wta.RingTask(n_chambers=5, t_end=30.0, dt=0.5)
    x = np.asarray(task.batch(jax.random.PRNGKey(0), 16))
    assert x.shape == (16, 5, 5)
    assert np.all((x[..., 0] >= 0.01) & (x[..., 0] <= 0.9))
    np.testing.assert_allclose(x.sum(-1), 1.0)
    np.testing.assert_array_equal(x[..., 1:4], 0.0)
    assert float(task.ts[0]) == pytest.approx(10.0) and float(task.ts[-1]) == 30.0 and np.allclose(np.diff(task.ts), 0.5)
    paper, aux = task.loss(make_wta_ring_paper(), jnp.asarray(x))
    idle = MembraneRing(CatalyticCRN.from_rates(tuple("ABCDE"), {}, np.zeros(5)), jnp.full(5, -jnp.inf), jnp.zeros((5, 5)))
    idle_loss, _ = task.loss(idle, jnp.asarray(x))
    assert bool(aux["ok"]) and 0 <= float(paper) < float(idle_loss)


def test_sparse_diffusion_is_straight_through_and_baking_keeps_the_dynamics():
    chem = CatalyticCRN(jax.random.normal(jax.random.PRNGKey(4), (5, 5, 5)), jnp.zeros(5), tuple("ABCDE"))
    V = jnp.array([-9.0, 2.0, -1.0, -8.0, 0.0])  # D ≈ 1.2e-4, 0.88, 0.27, 3.4e-4, 0.5
    ring = MembraneRing(chem, V, jnp.zeros((4, 5)))
    view = wta.SparseDiffusionRing(ring, 1e-3)
    baked = wta.bake_sparse_diffusion(ring, 1e-3)
    np.testing.assert_array_equal(np.asarray(baked.diffusion())[[0, 3]], 0.0)
    np.testing.assert_array_equal(np.asarray(baked.diffusion())[[1, 2, 4]], np.asarray(ring.diffusion())[[1, 2, 4]])
    x = np.random.default_rng(1).uniform(0, 1, (3, 4, 5))
    np.testing.assert_allclose(np.asarray(view.rhs(0, x)), np.asarray(baked.rhs(0, x)), atol=1e-15)
    g = jax.grad(lambda V: jnp.sum(wta.SparseDiffusionRing(MembraneRing(chem, V, jnp.zeros((4, 5))), 1e-3).rhs(0, x) ** 2))(V)
    assert np.all(np.asarray(g)[[0, 3]] != 0)  # gradients still reach the removed permeabilities


# ---- wta-ring: shipped weights ------------------------------------------------------------------


def test_wta_ring_shipped_dynamics_are_the_listed_network():
    ring = zoo.load("wta-ring")
    k = zoo.entry("wta-ring").k_report
    assert ring.chemistry.k_min == pytest.approx(wta_family.K_MIN) == k
    D = np.asarray(ring.diffusion())
    assert np.all((D == 0) | (D > k)), D  # no permeability the listing would leave out
    card = zoo.card("wta-ring")
    assert card["training"]["command"] == "python scripts/train_wta_ring.py" and card["training"]["seed"] == 0
    assert card["training"]["config"]["sparsify"] == "straight_through"
    assert card["script_wall_s"] < 20 * 60


def test_wta_ring_listing_reproduces_the_model():
    """weights/wta-ring/reactions.txt (5 chambers) through the generic engine gives the model's read-out."""
    ring = zoo.load("wta-ring")
    listing = from_txt((zoo.checkpoint_dir("wta-ring") / "reactions.txt").read_text())
    assert listing.n_reactions == ring.network(zoo.entry("wta-ring").k_report).n_reactions
    x0 = wta.sample_rings(16, 5, seed=11)
    t = wta_family.T_EVAL
    ts = np.array([0.0, t])
    mine = crnzoo.simulate(ring, ts, x0, solver=TIGHT).final  # (16, 5 chambers, 5 species)
    flat = x0.reshape(16, -1)
    exact = crnzoo.simulate(ring.network(wta_family.K_MIN), ts, flat, solver=TIGHT).final.reshape(mine.shape)
    listed = crnzoo.simulate(listing, ts, flat, solver=TIGHT).final.reshape(mine.shape)
    assert list(listing.species) == [f"{s}_{i}" for i in range(5) for s in "ABCDE"]
    np.testing.assert_allclose(exact, mine, atol=1e-7)
    np.testing.assert_allclose(listed[..., 0], mine[..., 0], atol=1e-3)  # rates printed to 6 digits
    theta = zoo.card("wta-ring")["metrics"]["threshold_n5"]["value"]
    np.testing.assert_array_equal(listed[..., 0] > theta, mine[..., 0] > theta)


def test_wta_ring_card_shows_the_paper_network_side_by_side():
    card = zoo.card("wta-ring")
    ref = json.loads((zoo.checkpoint_dir("wta-ring-paper") / "card.json").read_text())["metrics"]
    assert card["wta_ring_paper_measured"] == {k: m["value"] for k, m in ref.items()}
    for n in range(2, 9):
        m = card["metrics"][f"test_accuracy_n{n}"]
        assert "wta-ring-paper" in m["description"] and f"{ref[f'test_accuracy_n{n}']['value']:.4g}" in m["description"]
        assert m["paper"] == pytest.approx({2: 0.9997, 3: 1.0, 4: 0.9988, 5: 0.9968, 6: 0.9887, 7: 0.9763, 8: 0.9536}[n])
        assert zoo.Metric(**m).holds(m["value"])
