"""Fixed-step classical Runge-Kutta (RK4) as one `lax.scan`: the training solver of the papers.

Training tasks that solve the same small network for many steps (the gates, the decoder, the
converter) differentiate through this loop rather than an adaptive solve: no step rejection,
a fixed memory footprint, and the papers' own discretisation.
"""

from __future__ import annotations

from collections.abc import Callable

import jax
from jaxtyping import Array, PyTree


def rk4_trajectory(f: Callable[[Array], Array], y0: Array, dt: float, steps: int, observe: Callable[[Array], PyTree] = lambda y: y):
    """Integrate the autonomous `dy/dt = f(y)` from `y0` with `steps` RK4 steps of size `dt`.

    Returns `(y_final, observed)`, where `observed` stacks `observe(y)` after each step
    (leading axis `steps`). Pure and differentiable.
    """

    def step(y, _):
        k1 = f(y)
        k2 = f(y + 0.5 * dt * k1)
        k3 = f(y + 0.5 * dt * k2)
        k4 = f(y + dt * k3)
        y = y + (dt / 6.0) * (k1 + 2 * k2 + 2 * k3 + k4)
        return y, observe(y)

    return jax.lax.scan(step, y0, None, length=steps)
