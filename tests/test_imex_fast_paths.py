"""The IMEX step's fast paths (flattened reactions, slice-based annihilation) give the same
field and the same gradient as the plain formulation they replace."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from crnzoo.spatial import Grid
from crnzoo.spatial.hopfield import init
from crnzoo.spatial.imex import FastPairs, diffusion_factor, imex_step

jax.config.update("jax_enable_x64", True)


def _scatter_annihilate(y, ia, ib):
    m = jnp.minimum(y[..., ia], y[..., ib])
    return y.at[..., ia].add(-m).at[..., ib].add(-m)


@pytest.mark.parametrize(
    "ia, ib",
    [
        (np.arange(4), np.arange(4) + 4),  # dual-rail blocks: slices
        (np.arange(4) + 4, np.arange(4)),  # the same, minus block first
        (np.array([0, 2, 5]), np.array([1, 3, 7])),  # interleaved: scatter path
        (np.array([0, 1]), np.array([1, 2])),  # a species in two pairs: applied in order
    ],
)
def test_fast_pairs_match_the_scatter_formulation(ia, ib):
    y = jax.random.uniform(jax.random.PRNGKey(1), (2, 5, 6, 8))
    fp = FastPairs(ia, ib)
    assert (fp._runs() is not None) == (len(ia) == 4)
    got, want = fp.annihilate(y), _scatter_annihilate(y, ia, ib)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-15)
    if fp._runs() is not None:  # to completion: one of each pair is 0
        assert float(jnp.max(jnp.minimum(got[..., ia], got[..., ib]))) == 0.0
    v = jax.random.normal(jax.random.PRNGKey(2), y.shape)
    g1 = jax.vjp(fp.annihilate, y)[1](v)[0]
    g2 = jax.vjp(lambda z: _scatter_annihilate(z, ia, ib), y)[1](v)[0]
    np.testing.assert_allclose(g1, g2, rtol=0, atol=1e-15)


def test_flattened_step_matches_the_field_step_and_its_gradient():
    """A Hopfield step on the (H·W, S) view equals the same RK4 + diffusion + annihilation
    written on the 3-D field, value and parameter gradient."""
    grid = Grid((6, 5))
    model = init(4, jax.random.PRNGKey(0))
    x = jax.random.uniform(jax.random.PRNGKey(3), (6, 5, 8))
    n = 4

    def plain(m):
        lm = m.for_solver()
        fac = diffusion_factor(grid, lm.diffusion_constants(), 0.1)
        r, dt = lm.slow_rhs, 0.1
        k1 = r(0, x)
        k2 = r(0, x + dt / 2 * k1)
        k3 = r(0, x + dt / 2 * k2)
        k4 = r(0, x + dt * k3)
        y = jnp.maximum(x + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4), 0.0)
        y = grid.inverse(grid.forward(y) * fac)
        return jnp.sum(_scatter_annihilate(y, np.arange(n), np.arange(n) + n) ** 2)

    def fast(m):
        lm = m.for_solver()
        fac = diffusion_factor(grid, lm.diffusion_constants(), 0.1)
        y = imex_step(x, 0.1, lm.slow_rhs, fac, grid, "rk4", FastPairs(np.arange(n), np.arange(n) + n), True)
        return jnp.sum(y**2)

    v1, g1 = jax.value_and_grad(plain)(model)
    v2, g2 = jax.value_and_grad(fast)(model)
    np.testing.assert_allclose(v1, v2, rtol=1e-13)
    for a, b in zip(jax.tree_util.tree_leaves(g1), jax.tree_util.tree_leaves(g2)):
        np.testing.assert_allclose(a, b, rtol=1e-11, atol=1e-14)
