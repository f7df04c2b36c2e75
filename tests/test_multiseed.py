"""The seed-stack trainer (crnzoo.multiseed): many initialisations trained as one module."""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from crnzoo import multiseed
from crnzoo.solvers.config import SolverConfig
from crnzoo.tasks import waveform as wf


def _tiny_loss():
    ts = np.linspace(0.0, 5.0, 11)
    return wf.WaveformLoss(ts, wf.square_wave(ts))


def _stack(n=3):
    return multiseed.SeedStack.init(wf.waveform_init, jax.random.PRNGKey(3), n)


@eqx.filter_jit
def _grad(task, model, target):
    """Gradient of `task.loss` with respect to the float arrays of `model` (a model or a stack)."""
    diff, static = eqx.partition(model, eqx.is_inexact_array)
    return eqx.filter_grad(lambda d: task.loss(eqx.combine(d, static), target)[0])(diff)


def test_stack_members_are_independent_and_clipped_one_by_one():
    task, stack = _tiny_loss(), _stack(2)
    target = jnp.asarray(task.target)
    st = multiseed.StackTask(task, clip=1e6)
    g = _grad(st, stack, target)
    for i in range(2):  # the mean over members: each member gets its own gradient / 2
        gi = _grad(task, stack.member(i), target)
        np.testing.assert_allclose(np.asarray(g.models.logits[i]) * 2, np.asarray(gi.logits), rtol=1e-8, atol=1e-14)
    # Changing member 1 leaves member 0's gradient alone.
    other = eqx.tree_at(lambda s: s.models.logits, stack, stack.models.logits.at[1].add(1.0))
    g2 = _grad(st, other, target)
    np.testing.assert_array_equal(np.asarray(g2.models.logits[0]), np.asarray(g.models.logits[0]))
    assert not np.array_equal(np.asarray(g2.models.logits[1]), np.asarray(g.models.logits[1]))
    # With a tiny clip, every member's gradient has norm clip / n on its own.
    gc = _grad(multiseed.StackTask(task, clip=1e-6), stack, target)
    for i in range(2):
        norm = np.sqrt(float(jnp.sum(gc.models.logits[i] ** 2) + jnp.sum(gc.models.x0[i] ** 2)))
        assert norm == pytest.approx(1e-6 / 2, rel=1e-6)


def test_stack_hooks_act_per_member():
    stack = _stack(4)
    shifted = eqx.tree_at(lambda s: s.models.x0, stack, stack.models.x0 * jnp.arange(1.0, 5.0)[:, None])
    proj = shifted.project()
    np.testing.assert_allclose(np.asarray(proj.models.x0.sum(-1)), 1.0, atol=1e-12)
    sparse = stack.with_sparsity(0.05)
    assert sparse.member(1).k_min == 0.05
    assert set(stack.regularisers()) == {"l1", "entropy", "energy"}
    counts = [m.reaction_count(0.05) for m in stack.members()]
    assert stack.reaction_count(0.05) == int(np.median(counts))
    assert stack.member(2).logits.shape == (5, 5, 5)


def test_stack_of_inverts_members_and_simulate_members_solves_each():
    stack = _stack(3)
    again = multiseed.stack_of(stack.members())
    np.testing.assert_array_equal(np.asarray(again.logits), np.asarray(stack.models.logits))
    ts = np.linspace(0.0, 2.0, 5)
    solver = SolverConfig("tsit5", rtol=1e-8, atol=1e-10)
    ys, ok = multiseed.simulate_members(stack.models, ts, solver, index=0, values=[0.1, 0.2])
    assert ys.shape == (3, 5, 2, 5) and ok.tolist() == [True, True, True]
    np.testing.assert_allclose(ys[:, 0, :, 0], [[0.1, 0.2]] * 3)  # species 0 set per run
    np.testing.assert_allclose(ys[1, 0, 0, 1:], np.asarray(stack.member(1).x0[1:]))  # the rest from x0
    assert multiseed.spread([3, 1, 2, 10]) == {"median": 2.5, "min": 1.0, "max": 10.0}
