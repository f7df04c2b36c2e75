"""The Rings2D entries' d = 6 learning circuits (issue 17): the shipped cards run the registry's
circuits, reach the paper's figures, and their G species still equal jax.grad after N3."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from crnzoo import neural as C
from crnzoo import zoo
from crnzoo.models import ncrn as m

RINGS = {"ncrn-rings2d": (m.RINGS_CUBIC, 0.935), "ncrn-rings2d-quadratic": (m.RINGS_QUADRATIC, 0.822)}


@pytest.mark.parametrize("name", sorted(RINGS))
def test_card_runs_the_registry_circuit_and_meets_the_paper(name):
    spec, paper = RINGS[name]
    card = zoo.card(name)
    assert C.NeuralSpec.from_dict(card["config"]["spec"]) == spec
    assert spec.d == 6 and len(card["training_result"]["theta_final"]) == 36
    assert card["metrics"]["val_accuracy"]["value"] >= paper
    assert card["metrics"]["val_accuracy"]["promise"] == f">= {paper}"


@pytest.mark.slow
@pytest.mark.parametrize("name, bound", [("ncrn-rings2d", 1e-6), ("ncrn-rings2d-quadratic", 2e-2)])
def test_gradient_invariant_at_the_shipped_theta(name, bound):
    """After N3 the G species equal jax.grad of ½(ŷ − y)² through a Diffrax solve of the Neural
    ODE (the quadratic circuit's rail-wise z|z| is exact only as κ -> ∞: κ 1000 here)."""
    spec = RINGS[name][0]
    theta = jnp.asarray(zoo.card(name)["training_result"]["theta_final"])
    rng = np.random.default_rng(5)
    for _ in range(2):
        x = jnp.asarray(spec.pad_inputs(rng.uniform(-1, 1, 2)))
        y = jnp.asarray([float(rng.integers(0, 2))])
        _, (_, _, g) = jax.jit(C.staged_step_fn(spec, (1e-10, 1e-12)))(theta, x, y)
        ref = C.neural_ode_grad(spec, theta, x, y)
        assert float(jnp.linalg.norm(g - ref) / jnp.linalg.norm(ref)) < bound
