"""Gray-Scott CRN and texture task: listing vs rhs, seed, texture loss, gradients, restarts."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from crnzoo.network import MassAction
from crnzoo.spatial import GrayScott, simulate_field
from crnzoo.tasks import _gray_scott_texture as tx
from crnzoo.tasks import gray_scott as gs


def test_network_matches_rhs():
    m = GrayScott(jnp.asarray(0.037), jnp.asarray(0.06))
    net = m.network(0.0)
    assert net.n_reactions == 4 and net.max_molecularity == 3
    rates = sorted(r.rate for r in net.reactions)
    np.testing.assert_allclose(rates, sorted([1.0, 0.097, 0.037, 0.037]))
    x = jax.random.uniform(jax.random.PRNGKey(0), (5, 2))
    np.testing.assert_allclose(np.asarray(MassAction.from_network(net).rhs(0.0, x)), np.asarray(m.rhs(0.0, x)), atol=1e-14)
    np.testing.assert_allclose(np.asarray(m.diffusion_constants()), [0.2, 0.1])
    assert m.network(0.05).n_reactions == 2


def test_seed_field_and_restarts():
    x = np.asarray(gs.seed_field(0, 21))
    assert x.shape == (21, 21, 2)
    assert np.all(x[9:12, 9:12, 1] >= 1.0) and np.all(x[0, :, 1] <= gs.NOISE)
    assert np.all((x[..., 0] >= 1.0) & (x[..., 0] <= 1.0 + gs.NOISE))
    starts = gs.restart_starts("kappa")
    assert starts.shape == (10, 2)
    np.testing.assert_allclose(np.hypot(starts[:, 0] - 0.037, starts[:, 1] - 0.06), 0.015)


def test_texture_loss_separates_textures():
    kap = GrayScott(jnp.asarray(0.037), jnp.asarray(0.06))
    dlt = GrayScott(jnp.asarray(0.034), jnp.asarray(0.063))
    a = gs.grow(kap, 0, 1500.0, 48).final
    b = gs.grow(kap, 1, 1500.0, 48).final  # same texture, fresh noise
    c = gs.grow(dlt, 0, 1500.0, 48).final  # another texture
    st = tx.texture_stats(a)
    terms = tx.texture_loss(a, st, 0.037, 0.06)
    same = float(terms["total"] - terms["wells"])
    fresh = float(tx.texture_loss(b, st, 0.037, 0.06)["total"])
    other = float(tx.texture_loss(c, st, 0.034, 0.063)["total"])
    assert same < 1e-10
    assert fresh < other
    # parameter wells: ≈ 0 inside, ≈ 100 outside the admissible box
    assert float(tx.texture_loss(a, st, 0.037, 0.06)["wells"]) < 1e-6
    assert float(tx.texture_loss(a, st, 0.037, 0.1)["wells"]) > 99


def test_gradient_of_the_short_simulation_loss():
    target = gs.grow(GrayScott(jnp.asarray(0.037), jnp.asarray(0.06)), 0, 600.0, 24).final
    st = tx.texture_stats(target)

    @jax.jit
    def loss(p):
        out = simulate_field(GrayScott(p[0], p[1]), target, 20.0, 1.0, clamp=True, save_every=5, check=False)
        return tx.texture_loss(out.final, st, p[0], p[1])["total"]

    p = jnp.array([0.045, 0.06])
    g = jax.grad(loss)(p)
    assert bool(jnp.all(jnp.isfinite(g)))
    eps = 1e-6
    fd = (loss(p + jnp.array([eps, 0.0])) - loss(p - jnp.array([eps, 0.0]))) / (2 * eps)
    np.testing.assert_allclose(float(g[0]), float(fd), rtol=1e-4)
    assert float(loss(p)) > float(loss(jnp.array([0.037, 0.06])))


def test_fit_texture_keeps_the_best_of_the_restarts():
    """A 2-step, 3-restart fit on a small target: the result is the (F, k) of the lowest loss
    seen, and a restart started at the target itself scores lower than one far from it."""
    target = gs.grow(GrayScott(jnp.asarray(0.037), jnp.asarray(0.06)), 0, 1500.0, 48).final
    cfg = dataclasses.replace(gs.TRAIN, restarts=3, steps=2, segment=10.0, save_every=5)
    res = gs.fit_texture("kappa", cfg, progress=False, target=target)
    h, losses = res["param_history"], res["loss_history"]
    assert h.shape == (3, 3, 2) and losses.shape == (3, 3)
    assert res["best_loss"] == losses.min()
    np.testing.assert_array_equal([res["F"], res["k"]], h[res["best_step"], res["best_restart"]])
    np.testing.assert_allclose(h[0], gs.restart_starts("kappa", cfg.radius, 3), rtol=1e-6)  # float32 starts
    np.testing.assert_array_equal(res["restart_final"], h[-1])  # each restart's end, counted on the card


def test_card_counts_the_restarts_that_reach_the_target():
    """Issue 17: every published gray-scott card says how many of its 10 restarts end within 0.001."""
    from crnzoo import zoo

    for texture in gs.TARGETS:
        tr = zoo.card(f"gray-scott-{texture}")["training_result"]
        tF, tk = gs.TARGETS[texture]
        final = [r["final"] for r in tr["restarts"]]
        assert tr["restarts_within_0.001"]["final"] == sum(max(abs(F - tF), abs(k - tk)) <= 1e-3 for F, k in final)
        assert tr["restarts_within_0.001"]["final"] >= 8


def test_task_metrics_and_model():
    task = gs.GrayScottTask("delta")
    m = task.make()
    assert (float(m.F), float(m.k)) == gs.TARGETS["delta"]
    assert set(task.metrics) == {"F", "k", "F_error", "k_error", "texture_loss_grown", "texture_loss_grown_at_target"}
    assert task.metrics["F_error"][2] == "<= 0.001"
    from crnzoo.spatial import HasDiffusion, HasFastReactions

    assert isinstance(m, HasDiffusion) and not isinstance(m, HasFastReactions)
