"""`crnzoo.sbml.tsit5`: Diffrax's Tsit5 + PID controller as one while loop (the SBML size-class
programs' solver), checked against Diffrax itself step for step."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from crnzoo.sbml.tsit5 import solve


def _vdp(t, y, mu):  # Van der Pol: steps grow and shrink, some are rejected
    return jnp.stack([y[1], mu * (1 - y[0] ** 2) * y[1] - y[0]])


@pytest.mark.slow  # Diffrax's compile: ~6 s
def test_same_steps_and_values_as_diffrax():
    import diffrax

    y0, ts, mu = jnp.array([2.0, 0.0]), jnp.linspace(0.0, 12.0, 25), jnp.asarray(4.0)
    tol = (1e-8, 1e-10, 0.0, 1.0)
    ys, code, steps = jax.jit(lambda y0, ts, mu: solve(_vdp, y0, ts, mu, *map(jnp.asarray, tol), 4096))(y0, ts, mu)
    ctrl = diffrax.PIDController(rtol=tol[0], atol=tol[1], pcoeff=jnp.asarray(tol[2]), icoeff=jnp.asarray(tol[3]))
    sol = diffrax.diffeqsolve(diffrax.ODETerm(_vdp), diffrax.Tsit5(), t0=ts[0], t1=ts[-1], dt0=None, y0=y0, args=mu,
                              saveat=diffrax.SaveAt(ts=ts), stepsize_controller=ctrl, max_steps=4096)
    assert int(code) == 0 and int(steps) == int(sol.stats["num_accepted_steps"]) > 50
    assert int(sol.stats["num_rejected_steps"]) > 0  # the comparison covers rejected steps
    np.testing.assert_allclose(np.asarray(ys), np.asarray(sol.ys), rtol=1e-11, atol=1e-12)


def test_step_budget_and_a_stage_outside_the_domain():
    """SBML case 00269's law ceiling(4 y)! / 25: a first step of 0.01 grows until a stage
    reaches y < 0, where the factorial is inf; that step is rejected and shrunk."""
    f = lambda t, y, a: -jnp.exp(jax.scipy.special.gammaln(jnp.ceil(4 * y) + 1.0)) / 25
    ts = jnp.linspace(0.0, 2.0, 11)
    ys, code, _ = jax.jit(lambda y0: solve(f, y0, ts, None, 1e-10, 1e-14, 0.0, 1.0, 4096))(jnp.array([1.0]))
    assert int(code) == 0
    corners = np.cumsum([0.0, 0.25 / 0.96, 0.25 / 0.24, 10.0])  # rates 24/25, 6/25, 2/25
    exact = np.interp(np.asarray(ts), corners, [1.0, 0.75, 0.5, 0.5 - 0.8])
    np.testing.assert_allclose(np.asarray(ys)[:, 0], exact, atol=1e-6)
    ys, code, steps = jax.jit(lambda y0: solve(f, y0, ts, None, 1e-10, 1e-14, 0.0, 1.0, 3))(jnp.array([1.0]))
    assert int(code) == 1 and int(steps) <= 3 and np.isinf(np.asarray(ys)[-1]).all()  # out of steps: unreached times are inf
