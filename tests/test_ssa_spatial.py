"""Tau-leaping of the reaction-diffusion master equation (`crnzoo.ssa.spatial`)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from crnzoo.spatial import GrayScott, Grid, simulate_field
from crnzoo.ssa import SSAError
from crnzoo.ssa.spatial import binomial, poisson, rdme_tau


def _field(n=8, seed=0):
    rng = np.random.default_rng(seed)
    return np.stack([1.0 - 0.5 * rng.random((n, n)), 0.5 * rng.random((n, n))], axis=-1)


def test_samplers_match_their_moments():
    key = jax.random.PRNGKey(0)
    for lam in (0.4, 6.0, 40.0):
        x = np.asarray(poisson(key, jnp.full(100_000, lam)))
        assert abs(x.mean() - lam) < 5 * np.sqrt(lam / x.size) and abs(x.var() / lam - 1) < 0.05
    for n, p in ((4, 0.3), (30, 0.8), (2000, 0.4)):
        x = np.asarray(binomial(key, jnp.full(100_000, float(n)), jnp.full(100_000, p)))
        assert x.min() >= 0 and x.max() <= n
        assert abs(x.mean() - n * p) < 5 * np.sqrt(n * p * (1 - p) / x.size) and abs(x.var() / (n * p * (1 - p)) - 1) < 0.05


@pytest.mark.slow
def test_counts_stay_whole_and_non_negative_and_u_plus_v_is_conserved():
    model = GrayScott(jnp.asarray(0.0), jnp.asarray(0.0))  # only U + 2V -> 3V and diffusion: U + V conserved
    x0 = _field()
    _, f = rdme_tau(model, x0, 10.0, 0.25, 30.0, 1, seed=1)  # the same compiled loop as the next test
    n = f * 30.0
    assert np.allclose(n, np.rint(n)) and n.min() >= 0
    assert np.all(n.sum(axis=(-3, -2, -1)) == np.rint(x0 * 30.0).sum())


@pytest.mark.slow
def test_large_omega_follows_the_deterministic_solve():
    model = GrayScott(jnp.asarray(0.04), jnp.asarray(0.06))
    x0 = _field()
    _, f = rdme_tau(model, x0, 10.0, 0.25, 1e6, 1, seed=2)
    det = np.asarray(simulate_field(model, jnp.asarray(x0), 10.0, 0.25, grid=Grid((8, 8)), method="euler", diffuse_first=True).final)
    assert np.sqrt(np.mean((f[-1, 0] - det) ** 2)) < 0.01


@pytest.mark.parametrize(("kw", "match"), [({"dt": 2.0}, "too large for the hop leap"), ({"runs": 0}, "runs"),
                                           ({"omega": -1.0}, "mega")])
def test_bad_input_is_an_ssa_error(kw, match):
    args = {"t1": 4.0, "dt": 0.5, "omega": 10.0, "runs": 1} | kw
    with pytest.raises((SSAError, ValueError), match=match):
        rdme_tau(GrayScott(jnp.asarray(0.04), jnp.asarray(0.06)), _field(), **args)
