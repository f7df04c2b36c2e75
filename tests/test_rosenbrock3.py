"""`DiagonalRosenbrock3` (ROS34PW2): third order whatever the diagonal A (a W-method), and the
stiff WTA-MNIST solve agrees with the second-order solver at a tighter tolerance."""

import dataclasses

import diffrax
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from crnzoo.solve import SolverConfig, simulate
from crnzoo.solvers.rosenbrock import DiagonalRosenbrock, DiagonalRosenbrock3

jax.config.update("jax_enable_x64", True)


class _Diagonal:
    def __init__(self, rate):
        self.rate = rate

    def destruction_rate(self, y):
        return self.rate(y)


def _f(t, y, args):
    return jnp.array([-2 * y[0] * y[1] + 0.3 * jnp.sin(t), y[0] * y[1] - 0.5 * y[1] + 0.1 * y[2], 0.5 * y[1] - 0.1 * y[2] * y[0]])


Y0 = jnp.array([1.0, 0.7, 0.2])


def _final(solver, n):
    return diffrax.diffeqsolve(diffrax.ODETerm(_f), solver, 0.0, 2.0, 2.0 / n, Y0, max_steps=10_000).ys[-1]


@pytest.mark.parametrize(
    "rate",
    [lambda y: jnp.zeros(3), lambda y: jnp.array([3.0, 1.0 + y[0] ** 2, 10.0])],
    ids=["A=0", "A arbitrary"],
)
def test_third_order_for_any_diagonal(rate):
    ref = diffrax.diffeqsolve(
        diffrax.ODETerm(_f), diffrax.Dopri8(), 0.0, 2.0, 1e-3, Y0, stepsize_controller=diffrax.PIDController(rtol=1e-13, atol=1e-13), max_steps=100_000
    ).ys[-1]
    m = _Diagonal(rate)
    e3 = [float(jnp.max(jnp.abs(_final(DiagonalRosenbrock3(m), n) - ref))) for n in (80, 160, 320)]
    e2 = [float(jnp.max(jnp.abs(_final(DiagonalRosenbrock(m), n) - ref))) for n in (80, 160, 320)]
    order3 = np.log2(e3[1] / e3[2])
    assert 2.6 < order3 < 3.4, e3
    assert e3[-1] < e2[-1] / 10, (e3, e2)


@pytest.mark.slow
def test_wta_mnist_solve_matches_a_tight_second_order_solve(shared_data):
    """Four images of the shipped wta-mnist-avg network: ROS34PW2 at the card tolerance agrees
    with ROS2 at rtol 1e-10 to 1e-3 nM (F ranges up to ~100 nM)."""
    import crnzoo
    from crnzoo.tasks.wta_mnist import EVAL_SOLVER, fluorescence
    from crnzoo.tasks._wta_mnist_data import load_mnist789

    model = crnzoo.load("wta-mnist-avg")
    x = load_mnist789().test_x[:4]
    F3 = fluorescence(model, x, solver=dataclasses.replace(EVAL_SOLVER, solver="rosenbrock3"), chunk=4)
    F2 = fluorescence(model, x, solver=SolverConfig("rosenbrock", rtol=1e-10, atol=1e-9, max_steps=1_000_000), chunk=4)
    assert np.max(np.abs(F3 - F2)) < 1e-3


def test_rosenbrock3_needs_a_destruction_rate():
    import crnzoo

    with pytest.raises(ValueError, match="rosenbrock3.*destruction rate"):
        simulate(crnzoo.load("gate-and"), np.linspace(0, 1, 3), solver=SolverConfig("rosenbrock3"))
