"""Reaction noise on the card's own Gray-Scott step (`crnzoo.ssa.spatial_cle.noisy_grow`)."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

from crnzoo.spatial import GrayScott
from crnzoo.ssa import SSAError
from crnzoo.ssa.spatial_cle import noisy_grow
from crnzoo.tasks.gray_scott import grid, grow, seed_field


N, T1 = 16, 20.0
CARD = {"clamp": True, "diffuse_first": True}  # the gray-scott card's step


@pytest.fixture(scope="module")
def case():
    model = GrayScott(jnp.asarray(0.034), jnp.asarray(0.063))
    x0 = np.asarray(seed_field(1, N))
    return model, x0, np.asarray(grow(model, 1, T1, N).final)


def test_the_noise_free_limit_is_the_cards_texture(case):
    model, x0, det = case
    z = np.asarray(noisy_grow(model, np.stack([x0, x0]), 1e30, T1, 1.0, grid=grid(N), **CARD))
    assert np.abs(z - det[None]).max() < 1e-10


def test_noise_shrinks_as_omega_grows(case):
    """The spread between runs (same start, different noise) falls about as Ω^(-1/2)."""
    model, x0, det = case
    spread = []
    for omega in (1e2, 1e4):
        z = np.asarray(noisy_grow(model, np.stack([x0] * 4), omega, T1, 1.0, grid=grid(N), seed=3, **CARD))
        assert np.all(z >= 0)
        spread.append(float(np.std(z - det[None])))
    assert spread[0] > 0 and 4 < spread[0] / spread[1] < 25  # 10 expected


def test_bad_input_is_refused(case):
    model, x0, _ = case
    with pytest.raises(SSAError, match="omega"):
        noisy_grow(model, x0[None], 0.0, T1, 1.0, grid=grid(N), **CARD)
    with pytest.raises(SSAError, match="shape"):
        noisy_grow(model, x0, 1e3, T1, 1.0, grid=grid(N), **CARD)
    with pytest.raises(SSAError, match="whole number"):
        noisy_grow(model, x0[None], 1e3, 20.5, 1.0, grid=grid(N), **CARD)


def test_the_card_names_the_approximation():
    from crnzoo import cards

    rob = {"status": "measured", "level": 0.95, "omega_min": 1000.0, "omega_interval": [100.0, None], "unit_nM": 50.0, "volume_fl": 33.2,
           "methods": ["cle"], "checks": [{"omega": 1000.0, "passed": 8, "runs": 8}]}
    text = "\n".join(cards.robustness_summary(rob))
    assert "chemical Langevin reaction noise" in text and "tau-leaping" not in text


def test_the_card_states_the_function_checked():
    from crnzoo import cards

    rob = {"status": "measured", "level": 0.95, "omega_min": 256.0, "omega_interval": [128.0, None], "unit_nM": 1.0, "volume_fl": 425.0,
           "methods": ["direct"], "checks": [{"omega": 256.0, "passed": 115, "runs": 120}], "function": "a run simulates test image r mod 60"}
    assert "the function checked: a run simulates test image r mod 60" in cards.robustness_summary(rob)


def test_gray_scott_task_check_runs_the_reaction_noise_approximation():
    import numpy as np

    from crnzoo import zoo

    e, model = zoo.entry("gray-scott-kappa"), zoo.load("gray-scott-kappa")
    ref = e.task.stochastic_reference(model, 2, n=32, t1=20.0)  # what `crnzoo robustness` builds once
    check, loss = ref.check(model, 1e12)  # noise ~1e-6 of the fields: the deterministic losses back
    assert check.method == "cle" and check.runs == 2
    np.testing.assert_allclose(loss, ref.losses, rtol=1e-3)
    coarse, loss = ref.check(model, 10.0)  # 10 molecules per unit per cell: the noise swamps the texture
    assert coarse.passed == 0 and np.all(loss > 10 * ref.worst)
    assert e.task.stochastic_method == "cle" and e.task.omega_per == "grid cell"
    assert "32x32 grid to T = 20" in ref.function() and "diffusion noise" in ref.approximation
