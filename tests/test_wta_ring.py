"""Ring winner-takes-all: Table 1's read-out, the training loss, sparsified transport, the App. C.2
network and what the shipped `wta-ring*` weights keep.

No training here: `scripts/train_wta_ring.py` writes the weights of `wta-ring` and `wta-ring-paper-stable`.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import crnzoo
from crnzoo import zoo
from crnzoo.crn import CatalyticCRN, MembraneRing
from crnzoo.crn.diffusion import SparseDiffusionRing
from crnzoo.export.text import from_txt
from crnzoo.tasks import wta_ring
from crnzoo.tasks._wta_ring_loss import squared_hinge
from crnzoo.tasks._wta_ring_table import accuracy_at, best_threshold, sample_rings

TIGHT = crnzoo.SolverConfig("tsit5", rtol=1e-10, atol=1e-12)


LEARNED = ["wta-ring", "wta-ring-paper-stable"]  # trained by scripts/train_wta_ring.py, read at t = 100, 200, 400


@pytest.mark.parametrize("name", ["wta-ring-paper", *LEARNED])
def test_entry_is_the_card(name):
    """Family, command and metric templates of the registered entry are what its card says
    (wta-ring's descriptions included, which quote wta-ring-paper's values)."""
    e, card = zoo.entry(name), zoo.card(name)
    assert e.family == card["family"] == "wta_ring"
    assert e.training == card["training"]["command"]
    assert {k: (m["description"], m["paper"], m["promise"], m["tolerance"]) for k, m in card["metrics"].items()} == dict(e.metrics)


def test_paper_network_make_is_the_shipped_model():
    e = zoo.entry("wta-ring-paper")
    assert not e.task.trained
    made, shipped = e.task.make(), zoo.load("wta-ring-paper")
    assert jax.tree_util.tree_structure(made) == jax.tree_util.tree_structure(shipped)
    for a, b in zip(jax.tree_util.tree_leaves(made), jax.tree_util.tree_leaves(shipped)):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert len(wta_ring.c2_rates()) == 48


# ---- Table 1's read-out ---------------------------------------------------------------------------


def test_rings_start_with_a_and_e_summing_to_one():
    x = sample_rings(100, 4, seed=3)
    assert x.shape == (100, 4, 5)
    assert np.all((x[..., 0] >= 0.01) & (x[..., 0] <= 0.9))
    np.testing.assert_allclose(x.sum(-1), 1.0)
    np.testing.assert_array_equal(x[..., 1:4], 0.0)
    np.testing.assert_array_equal(sample_rings(100, 4, seed=3), x)


def test_best_threshold_is_the_middle_of_the_best_step():
    w = np.array([0.9, 0.8, 0.7, 0.2])  # winners' A
    l = np.array([0.1, 0.3, 0.4, 0.5])  # largest loser's A; the last run is lost for every θ
    theta, acc = best_threshold(w, l)
    assert theta == pytest.approx(0.55) and acc == pytest.approx(0.75)  # θ in [0.4, 0.7): 3 of 4 correct
    assert accuracy_at(w, l, theta) == acc
    assert accuracy_at(w, l, 0.85) == 0.25


# ---- training ---------------------------------------------------------------------------------------


def test_squared_hinge_is_equation_3():
    low, high = 0.01, 0.9
    x = jnp.array([high, low, 0.5 * (low + high), 1.5, 0.0])
    np.testing.assert_allclose(np.asarray(squared_hinge(x, 1.0, low, high)), [0, 4, 1, 0, (1 + (low + high) / (high - low)) ** 2], atol=1e-12)
    np.testing.assert_allclose(np.asarray(squared_hinge(x, -1.0, low, high)), [4, 0, 1, (1 + (3 - low - high) / (high - low)) ** 2, 0], atol=1e-12)


def test_ring_task_batches_and_loss():
    task = wta_ring.RingTask(n_chambers=5, t_end=30.0, dt=0.5)
    x = np.asarray(task.batch(jax.random.PRNGKey(0), 16))
    assert x.shape == (16, 5, 5)
    assert np.all((x[..., 0] >= 0.01) & (x[..., 0] <= 0.9))
    np.testing.assert_allclose(x.sum(-1), 1.0)
    np.testing.assert_array_equal(x[..., 1:4], 0.0)
    assert float(task.ts[0]) == pytest.approx(10.0) and float(task.ts[-1]) == 30.0 and np.allclose(np.diff(task.ts), 0.5)
    paper, aux = task.loss(wta_ring.PaperRing().make(), jnp.asarray(x))
    idle = MembraneRing(CatalyticCRN.from_rates(tuple("ABCDE"), {}, np.zeros(5)), jnp.full(5, -jnp.inf), jnp.zeros((5, 5)))
    idle_loss, _ = task.loss(idle, jnp.asarray(x))
    assert bool(aux["ok"]) and float(paper) < 0.5 * float(idle_loss)


class _ExponentialA(MembraneRing):
    """dA/dt = rate · A in every chamber, nothing else moves (a ring for the growth term)."""

    rate: jax.Array

    def rhs(self, t, x, args=None):
        return jnp.zeros_like(x).at[..., 0].set(self.rate * x[..., 0])


def test_ring_task_growth_term_penalises_a_loser_whose_a_regrows():
    """The stability term: zero when every loser's A decays faster than the margin, positive
    and differentiable when a loser's A grows; absent with growth_weight = 0."""
    x = jnp.asarray(wta_ring.default_x0((0.2, 0.6, 0.3, 0.4)))[None]  # winner: chamber 1
    idle = CatalyticCRN.from_rates(tuple("ABCDE"), {}, np.zeros(5))

    def loss(task, rate):
        return task.loss(_ExponentialA(idle, jnp.full(5, -jnp.inf), x[0], jnp.asarray(rate)), x)[0]

    kw = {"n_chambers": 4, "t_end": 6.0, "dt": 0.5, "start_fraction": 0.5}
    plain = wta_ring.RingTask(**kw)
    weighted = wta_ring.RingTask(**kw, growth_weight=10.0, growth_margin=0.02)
    for rate in (-0.5, -0.03):  # decays faster than the margin: no penalty
        assert float(loss(weighted, rate)) == pytest.approx(float(loss(plain, rate)), abs=1e-12)
    extra = float(loss(weighted, 0.1)) - float(loss(plain, 0.1))
    assert extra == pytest.approx(10.0 * (0.1 + 0.02) ** 2, rel=1e-4)  # g = 0.1 in every loser at every step
    grad = jax.grad(lambda r: loss(weighted, r) - loss(plain, r))(0.1)
    assert float(grad) == pytest.approx(20.0 * (0.1 + 0.02), rel=1e-3)
    with pytest.raises(ValueError, match="growth_weight"):
        wta_ring.RingTask(growth_weight=-1.0)


def test_sparse_diffusion_is_straight_through_and_baking_keeps_the_dynamics():
    chem = CatalyticCRN(jax.random.normal(jax.random.PRNGKey(4), (5, 5, 5)), jnp.zeros(5), tuple("ABCDE"))
    V = jnp.array([-9.0, 2.0, -1.0, -8.0, 0.0])  # D ≈ 1.2e-4, 0.88, 0.27, 3.4e-4, 0.5
    ring = MembraneRing(chem, V, jnp.zeros((4, 5)))
    view = SparseDiffusionRing(ring, 1e-3)
    baked = view.baked()
    np.testing.assert_array_equal(np.asarray(baked.diffusion())[[0, 3]], 0.0)
    np.testing.assert_array_equal(np.asarray(baked.diffusion())[[1, 2, 4]], np.asarray(ring.diffusion())[[1, 2, 4]])
    x = np.random.default_rng(1).uniform(0, 1, (3, 4, 5))
    np.testing.assert_allclose(np.asarray(view.rhs(0, x)), np.asarray(baked.rhs(0, x)), atol=1e-15)
    np.testing.assert_allclose(np.asarray(view.for_solver().rhs(0, x)), np.asarray(baked.rhs(0, x)), atol=1e-15)
    g = jax.grad(lambda V: jnp.sum(SparseDiffusionRing(MembraneRing(chem, V, jnp.zeros((4, 5))), 1e-3).rhs(0, x) ** 2))(V)
    assert np.all(np.asarray(g)[[0, 3]] != 0)  # gradients still reach the removed permeabilities


# ---- wta-ring: shipped weights ------------------------------------------------------------------


@pytest.mark.parametrize("name", LEARNED)
def test_learned_ring_shipped_dynamics_are_the_listed_network(name):
    ring = zoo.load(name)
    k = zoo.entry(name).k_report
    assert ring.chemistry.k_min == pytest.approx(wta_ring.K_MIN) == k
    D = np.asarray(ring.diffusion())
    assert np.all((D == 0) | (D > k)), D  # no permeability the listing would leave out
    card = zoo.card(name)
    assert card["diffusion"] == dict(zip("ABCDE", D.tolist()))
    assert card["training"]["command"] == f"python scripts/train_wta_ring.py {name}" and card["training"]["seed"] == 0
    phases = zoo.entry(name).task.phases(0, None)
    assert [p["config"] for p in card["training_phases"]] == [cfg.to_dict() for *_, cfg in phases]
    assert [p["growth_weight"] for p in card["training_phases"]] == [g for _, _, g, _ in phases]


def test_learned_ring_phases():
    """wta-ring: three phases from its random start, the growth term from the second; the stable
    entry: wta-ring's third phase alone (seed = the run's)."""
    phases = wta_ring.LearnedRing().phases(0, None)
    assert [cfg.to_dict() for *_, cfg in phases] == [wta_ring.TRAIN.to_dict(), {**wta_ring.EXTEND.to_dict(), "seed": 1}, {**wta_ring.SETTLE.to_dict(), "seed": 2}]
    assert [g for _, _, g, _ in phases] == [0.0, wta_ring.GROWTH_WEIGHT, wta_ring.GROWTH_WEIGHT]
    assert wta_ring.LearnedRing().phases(3, 10)[0][3].steps == 10
    (t_end, start, growth, cfg), = wta_ring.StableRing().phases(5, None)
    assert (t_end, start * t_end, growth) == (wta_ring.T_SETTLE, 100.0, wta_ring.GROWTH_WEIGHT)
    assert cfg.to_dict() == {**wta_ring.SETTLE.to_dict(), "seed": 5}


def test_stable_start_is_the_paper_network_sparsified():
    """open_c2(): every App. C.2 reaction at its rate, every other one below k_min (so the
    sparsified start is the paper's network) but trainable; D_B ≈ 1, the others below k_min."""
    start, paper = wta_ring.open_c2(), wta_ring.PaperRing().make()
    assert np.all(np.isfinite(np.asarray(start.chemistry.logits))) and np.all(np.isfinite(np.asarray(start.diffusion_logits)))
    T = np.asarray(start.chemistry.tensor())
    T_paper = np.asarray(paper.chemistry.tensor())
    off = ~np.eye(5, dtype=bool)[None].repeat(5, 0)
    listed = off & (T_paper > 0)
    assert listed.sum() == 48
    np.testing.assert_allclose(T[listed], T_paper[listed], rtol=1e-3)
    assert np.all(T[off & ~listed] < wta_ring.K_MIN)
    D = np.asarray(start.diffusion())
    assert D[1] > 0.999 and np.all(np.delete(D, 1) < wta_ring.K_MIN)


def test_wta_ring_listing_reproduces_the_model():
    """weights/wta-ring/reactions.txt (5 chambers) through the generic engine gives the model's read-out."""
    ring = zoo.load("wta-ring")
    listing = from_txt((zoo.checkpoint_dir("wta-ring") / "reactions.txt").read_text())
    assert listing.n_reactions == ring.network(zoo.entry("wta-ring").k_report).n_reactions
    x0 = sample_rings(16, 5, seed=11)
    ts = np.array([0.0, wta_ring.T_EVAL])
    mine = crnzoo.simulate(ring, ts, x0, solver=TIGHT).final  # (16, 5 chambers, 5 species)
    flat = x0.reshape(16, -1)
    exact = crnzoo.simulate(ring.network(wta_ring.K_MIN), ts, flat, solver=TIGHT).final.reshape(mine.shape)
    listed = crnzoo.simulate(listing, ts, flat, solver=TIGHT).final.reshape(mine.shape)
    assert list(listing.species) == [f"{s}_{i}" for i in range(5) for s in "ABCDE"]
    np.testing.assert_allclose(exact, mine, atol=1e-7)
    np.testing.assert_allclose(listed[..., 0], mine[..., 0], atol=1e-3)  # rates printed to 6 digits
    theta = zoo.card("wta-ring")["metrics"]["threshold_n5"]["value"]
    np.testing.assert_array_equal(listed[..., 0] > theta, mine[..., 0] > theta)


def test_wta_ring_card_shows_the_paper_network_side_by_side():
    """The constants wta-ring's card quotes are wta-ring-paper's measured card values."""
    paper = {k: m["value"] for k, m in zoo.card("wta-ring-paper")["metrics"].items()}
    assert wta_ring.PAPER_MEASURED == paper
    card = zoo.card("wta-ring")
    assert card["wta_ring_paper_measured"] == paper
    for n in range(2, 9):
        m = card["metrics"][f"test_accuracy_n{n}"]
        assert m["description"].endswith(f"wta-ring-paper (App. C.2 network, read at t = 200): {paper[f'test_accuracy_n{n}']:.4g}")
        assert m["paper"] == pytest.approx({2: 0.9997, 3: 1.0, 4: 0.9988, 5: 0.9968, 6: 0.9887, 7: 0.9763, 8: 0.9536}[n])
        assert zoo.Metric(**m).holds(m["value"])
