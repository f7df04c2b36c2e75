"""Hopfield reaction-diffusion network: listing vs rhs, dual rail, fast annihilation, target, errors."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from crnzoo.data import data_path
from crnzoo.network import MassAction
from crnzoo.spatial import Grid, HopfieldRD, SpatialMemoryError, check_memory, simulate_field
from crnzoo.spatial.hopfield import FAST_RATE, from_reference, init
from crnzoo.tasks import hopfield as hp


def _model(n=5, seed=0):
    return init(n, jax.random.PRNGKey(seed))


def test_network_enumerates_the_reactions_and_reproduces_rhs():
    m = _model(5)
    net = m.network(0.0)
    n = 5
    # each W entry gives exactly one of the two sign reactions (W != 0 almost surely)
    assert net.n_reactions == 2 * n * n + 2 * n + n
    assert net.max_molecularity == 3
    assert sum(r.rate == FAST_RATE for r in net.reactions) == n
    x = jax.random.uniform(jax.random.PRNGKey(1), (7, 2 * n))
    np.testing.assert_allclose(np.asarray(MassAction.from_network(net).rhs(0.0, x)), np.asarray(m.rhs(0.0, x)), rtol=1e-10, atol=1e-10)
    # dual rail: slow dynamics of x = x+ - x- are the signed weighted sums minus degradation
    xp, xn = x[:, :n], x[:, n:]
    d = m.slow_rhs(0.0, x)
    np.testing.assert_allclose(np.asarray(d[:, :n] - d[:, n:]), np.asarray(xp @ m.Wp + xn @ m.Wn - m.deg_p * xp**3 + m.deg_n * xn**3), atol=1e-12)
    assert m.network(0.1).n_reactions < net.n_reactions


def test_spatial_growth_annihilates_to_completion_and_is_differentiable():
    m = _model(4)
    x0 = hp.seed_field(12, 4)
    x0 = x0.at[..., 4:7].set(0.3)  # both rails present at the start
    out = simulate_field(m, x0, 0.5, 0.1, grid=Grid((12, 12)), clamp=True, negative_tol=1e-6)
    f = np.asarray(out.final)
    assert np.all(np.minimum(f[..., :4], f[..., 4:]) <= 1e-12)
    target = jnp.asarray(hp.load_target(12)) if data_path(hp.TARGET).is_file() else jnp.full((12, 12, 3), 0.5)

    def loss(w):
        mm = HopfieldRD(w, m.Wn, m.deg_p, m.deg_n, m.log_diff_p, m.log_diff_n)
        o = simulate_field(mm, x0, 0.5, 0.1, grid=Grid((12, 12)), clamp=True, check=False, save_every=1)
        return hp.image_loss(o.final, target)

    g = jax.jit(jax.grad(loss))(m.Wp)
    assert g.shape == m.Wp.shape and bool(jnp.all(jnp.isfinite(g))) and float(jnp.abs(g).max()) > 0


def test_seed_and_target(shared_data):
    x0 = np.asarray(hp.seed_field(16, 6))
    assert x0.shape == (16, 16, 12)
    assert x0[..., :3].max() <= 1.0 and x0[..., :3].min() > 0 and np.all(x0[..., 3:] == 0)
    t = hp.load_target(24)
    assert t.shape == (24, 24, 3) and 0 <= t.min() and t.max() <= 1 and t.mean() > 0.05
    assert np.all(t[0, 0] == 0)  # outside the circular mask


def test_bad_target_and_memory_errors(tmp_path):
    with pytest.raises(hp.TargetImageError, match="not found"):
        hp.load_target(16, tmp_path / "missing.jpg")
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not an image")
    with pytest.raises(hp.TargetImageError, match="cannot read"):
        hp.load_target(16, bad)
    with pytest.raises(SpatialMemoryError, match="needs about"):
        check_memory((4096, 4096, 2 * 4096), 125, 25, grad=True)
    with pytest.raises(ValueError, match="square"):
        HopfieldRD(jnp.zeros((4, 4)), jnp.zeros((4, 3)), *([jnp.zeros(4)] * 4))


def test_short_training_lowers_the_loss(shared_data):
    cfg = dataclasses.replace(hp.SMALL, n_neurons=4, grid=12, t_grow=1.0, save_every=5, lr=1e-2)
    _, hist = hp.train(cfg, progress=False, steps=8)
    assert hist["steps_run"] == 8
    assert hist["best_loss"] < hist["losses"][0]


def test_training_backs_off_after_a_non_finite_loss(shared_data, monkeypatch):
    """A non-finite loss (a growth outside the explicit step's stability region) sends training
    back to the best parameters, with the optimiser state before that step and half the step
    size; the returned parameters are the best finite ones."""
    cfg = dataclasses.replace(hp.SMALL, n_neurons=4, grid=12, t_grow=1.0, save_every=5, lr=1e-2, lr_end=1e-2)
    w0 = float(init(4, jax.random.PRNGKey(0)).Wp[0, 0])
    real_loss, real_simulate, seen = hp.image_loss, hp.simulate_field, {}

    def simulate(m, *a, **k):
        seen["m"] = m
        return real_simulate(m, *a, **k)

    def image_loss(field, target):  # a cliff: NaN once Wp[0, 0] has moved 2.5 Adam steps from its start
        return jnp.where(jnp.abs(seen["m"].Wp[0, 0] - w0) > 2.5e-2, jnp.nan, real_loss(field, target))

    monkeypatch.setattr(hp, "simulate_field", simulate)
    monkeypatch.setattr(hp, "image_loss", image_loss)
    best, hist = hp.train(cfg, progress=False, steps=12)
    losses = hist["losses"]
    assert hist["backtracks"] and np.all(np.isfinite(losses)) and hist["steps_run"] == len(losses) == 12 - len(hist["backtracks"])
    assert abs(float(best.Wp[0, 0]) - w0) <= 2.5e-2 and hist["best_loss"] == losses.min()
    k = hist["backtracks"][0]  # the step after the first back-off grows the best parameters again
    assert losses[k] == losses[:k].min()


def test_reference_parameters_load_and_grow():
    path = data_path(hp.REFERENCE_PARAMS)
    if not path.is_file():
        pytest.skip(f"reference parameters not found at {path}")
    m = from_reference(path)
    assert m.n_neurons == 256
    D = np.asarray(m.diffusion_constants())
    assert D.shape == (512,) and np.all(D > 0) and D.max() < 2
    out = hp.grow(m, 16, t1=0.5)
    assert np.all(np.isfinite(np.asarray(out.final)))


def test_task_fit_and_artifacts(shared_data, tmp_path):
    """The task's `fit` returns a float64 model and the card's training fields; `artifacts`
    writes growth.png (eight panels side by side) and names it."""
    cfg = dataclasses.replace(hp.SMALL, n_neurons=4, grid=12, t_grow=1.0, save_every=5, lr=1e-2)
    task = hp.HopfieldTask("tiny", cfg)
    model, extra = task.fit(seed=1, steps=3, progress=False)
    assert model.Wp.dtype == jnp.float64 and model.n_neurons == 4
    assert not np.allclose(np.asarray(model.Wp), np.asarray(init(4, jax.random.PRNGKey(0)).Wp))  # seed 1 was used
    assert extra["training_config"]["steps"] == extra["training_result"]["steps_run"] == 3
    assert extra["training_config"]["seed"] == 1
    assert extra["memory"]["estimate_bytes"] > 0 and extra["training_wall_s"] >= 0
    values = task.evaluate(model)
    assert set(values) == set(task.metrics)
    assert values["reactions_dense"] == model.network(0.0).n_reactions
    assert values["loss"] == pytest.approx(10 ** values["log10_loss"])
    from PIL import Image

    assert task.artifacts(model, tmp_path) == {"figures": [hp.FIGURE]}
    with Image.open(tmp_path / hp.FIGURE) as im:
        assert im.format == "PNG" and im.size[0] > 3 * im.size[1]  # target | grown | 6 frames, side by side


def test_capabilities_are_declared():
    from crnzoo.spatial import HasDiffusion, HasFastReactions

    m = _model(3)
    k = m.for_solver()
    assert isinstance(m, HasDiffusion) and isinstance(m, HasFastReactions)
    assert isinstance(k, HasDiffusion) and isinstance(k, HasFastReactions)
    np.testing.assert_allclose(np.asarray(k.diffusion_constants()), np.exp(np.concatenate([m.log_diff_p, m.log_diff_n])))
    ia, ib = k.fast_pairs()
    assert list(ia) == [0, 1, 2] and list(ib) == [3, 4, 5]
