"""The "split" reaction update of the IMEX step (`HasSplitFlow`; the Hopfield network's Strang
splitting into exactly solved flows): second-order accurate, non-negative and stable at steps
where relu-clamped RK4 is not, differentiable, and refused for a model without it."""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from crnzoo.crn.mass_action import MassActionCRN
from crnzoo.network import Reaction, ReactionNetwork
from crnzoo.spatial import Grid, simulate_field
from crnzoo.spatial.hopfield import init
from crnzoo.tasks import hopfield as hp

jax.config.update("jax_enable_x64", True)


def _kinetics(n=4, seed=0, scale=1.0):
    m = init(n, jax.random.PRNGKey(seed))
    return dataclasses.replace(m, Wp=scale * m.Wp, Wn=scale * m.Wn).for_solver()


def _rk4(f, x, t1, n):
    h = t1 / n

    def step(x, _):
        k1 = f(x)
        k2 = f(x + h / 2 * k1)
        k3 = f(x + h / 2 * k2)
        k4 = f(x + h * k3)
        return x + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4), None

    return jax.lax.scan(step, x, None, length=n)[0]


def test_split_flow_is_second_order_and_non_negative():
    k = _kinetics()
    x0 = jax.random.uniform(jax.random.PRNGKey(3), (16, 8), maxval=1.5)
    t1 = 1.0
    exact = _rk4(lambda x: k.slow_rhs(0.0, x), x0, t1, 1000)
    errs = []
    for n in (4, 8, 16):
        flow = k.split_flow(t1 / n)
        x = jax.lax.fori_loop(0, n, lambda i, y, flow=flow: flow(y), x0)
        assert float(jnp.min(x)) >= 0.0
        errs.append(float(jnp.max(jnp.abs(x - exact))))
    assert errs[0] < 0.05
    assert 3.0 < errs[0] / errs[1] < 5.0 and 3.0 < errs[1] / errs[2] < 5.0  # halving dt quarters the error


def test_split_is_stable_where_clamped_rk4_is_not():
    """A large field and a step beyond RK4's bound for the cubic degradation (dt·3k x² > 2.785):
    RK4 overshoots, split decays monotonically towards the true value."""
    k = _kinetics(scale=0.0)  # degradation only: dx/dt = -x³
    x0 = jnp.full((1, 8), 3.0)
    dt = 0.5  # dt·3x² = 13.5
    truth = 3.0 / np.sqrt(1 + 2 * 9.0 * dt)
    split = float(k.split_flow(dt)(x0)[0, 0])
    assert split == pytest.approx(truth, rel=1e-12)
    rk4 = float(_rk4(lambda x: k.slow_rhs(0.0, x), x0, dt, 1)[0, 0])
    assert abs(rk4 - truth) > 1.0


def test_split_growth_is_differentiable_and_needs_the_capability():
    m = init(4, jax.random.PRNGKey(0))
    x0 = hp.seed_field(8, 4)

    def loss(w):
        mm = dataclasses.replace(m, Wp=w)
        out = simulate_field(mm, x0, 1.0, 0.5, grid=Grid((8, 8)), method="split", check=False, save_every=2)
        return jnp.sum(out.final[..., :3] ** 2)

    g = jax.grad(loss)(m.Wp)
    assert bool(jnp.all(jnp.isfinite(g))) and float(jnp.abs(g).max()) > 0
    out = hp.grow(m, 8, 1.0, 0.5, method="split")
    assert float(jnp.min(out.xs)) >= 0.0  # checked solve: no clamp needed
    net = ReactionNetwork(("A", "B"), (Reaction({"A": 1}, {"B": 1}, 1.0),), {"A": 1.0, "B": 0.0}, "ab")
    with pytest.raises(ValueError, match="split"):
        simulate_field(MassActionCRN.from_network(net), jnp.ones((4, 4, 2)), 1.0, 0.5, diffusion=jnp.ones(2), method="split")
