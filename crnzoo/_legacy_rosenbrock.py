"""A stiff-safe, adaptive, linearly implicit solver for mass-action models with a cheap diagonal.

`DiagonalRosenbrock` is the two-stage Rosenbrock-W method ROS2 of Verwer, Spee, Blom and
Hundsdorfer (SIAM J. Sci. Comput. 20, 1999), γ = 1 + 1/√2:

    (I − γhA) k1 = f(y0)
    (I − γhA) k2 = f(y0 + h k1) − 2 k1
    y1 = y0 + (3/2) h k1 + (1/2) h k2

ROS2 is second order for *any* matrix A (a W-method), and L-stable when A is the Jacobian.
Here A = −diag(D(y0)), with D a model's per-capita destruction rate
(`IndexedCRN.destruction_rate`): every linear solve is an elementwise division, so a step
costs two right-hand sides and one D, whatever the state size, and stiff decay modes
(a species consumed fast by an abundant partner, such as P + SG -> S in the DNA
winner-take-all network) do not limit the step. The embedded first-order solution
y0 + h k1 gives the error estimate y1 − (y0 + h k1) = h (k1 + k2) / 2 for the PID controller.

`solve(...)` is a pure, jittable, differentiable Diffrax solve (like `crnzoo.solve.integrate`)
for models that provide `destruction_rate(x)`; `final_states(...)` solves a large batch in
chunks. Units are the model's (time and concentration as its rates are written).
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .solvers.config import SimulationError, worst_member_rms as _worst_member_rms
from .solvers.rosenbrock import DiagonalRosenbrock


GAMMA = 1.0 + 1.0 / math.sqrt(2.0)


class _Field(eqx.Module):
    model: Any

    def __call__(self, t, y, args):
        return self.model.rhs(t, y)


@eqx.filter_jit
def solve(
    model,
    y0,
    ts,
    rtol: float = 1e-5,
    atol: float = 1e-6,
    max_steps: int = 100_000,
    dt: float | None = None,
    adjoint: diffrax.AbstractAdjoint = diffrax.RecursiveCheckpointAdjoint(),
):
    """Solve `model` from the batch of states `y0` (leading axis) over save times `ts` (ts[0] = start).

    Adaptive (PID on the worst member's RMS error) unless a fixed step `dt` is given.
    Returns `(ys, ok, num_steps)` with `ys` of shape (T, batch, N). Never raises.
    """
    m = model.for_solver()
    if dt is None:
        controller = diffrax.PIDController(rtol=rtol, atol=atol, pcoeff=0.0, icoeff=1.0, norm=_worst_member_rms)
    else:
        controller = diffrax.ConstantStepSize()
    sol = diffrax.diffeqsolve(
        diffrax.ODETerm(_Field(m)),
        DiagonalRosenbrock(m),
        t0=ts[0],
        t1=ts[-1],
        dt0=dt,
        y0=y0,
        saveat=diffrax.SaveAt(ts=ts),
        stepsize_controller=controller,
        max_steps=max_steps,
        adjoint=adjoint,
        throw=False,
    )
    ok = (sol.result == diffrax.RESULTS.successful) & jnp.all(jnp.isfinite(sol.ys))
    return sol.ys, ok, sol.stats["num_accepted_steps"]


def final_states(model, y0, t1: float, rtol: float = 1e-5, atol: float = 1e-6, chunk: int | None = None, max_steps: int = 100_000, name: str = "model"):
    """States at `t1` of every member of the batch `y0` (B, N), solved in chunks of `chunk`
    members (one step controller each; None: one system). Raises `SimulationError` on failure.

    Returns `(y1 (B, N) numpy, total accepted steps)`.
    """
    y0 = jnp.asarray(y0)
    b = y0.shape[0]
    chunk = b if chunk is None else min(int(chunk), b)
    ts = jnp.asarray([0.0, float(t1)])
    outs, steps = [], 0
    for s in range(0, b, chunk):
        part = y0[s : s + chunk]
        pad = chunk - part.shape[0]
        if pad:
            part = jnp.concatenate([part, jnp.broadcast_to(part[-1:], (pad,) + part.shape[1:])])
        ys, ok, n = solve(model, part, ts, rtol, atol, max_steps)
        if not bool(ok):
            raise SimulationError(f"simulation of {name} failed before t={t1:g} (DiagonalRosenbrock, rtol {rtol:g}, max_steps {max_steps})")
        outs.append(np.asarray(ys[-1])[: chunk - pad])
        steps += int(n)
    return np.concatenate(outs, axis=0), steps


def euler_final(model, y0, t1: float, dt: float, clamp: bool = True):
    """Fixed-step explicit Euler to `t1` (the reference implementation's integrator: relu-clamped
    when `clamp`), as one `lax.scan`. Returns the final states (jax array)."""
    m = model.for_solver()
    n = int(round(t1 / dt))

    @jax.jit
    def run(y):
        def step(y, _):
            y = y + dt * m.rhs(0.0, y)
            return (jnp.maximum(y, 0.0) if clamp else y), None

        return jax.lax.scan(step, y, None, length=n)[0]

    return run(jnp.asarray(y0))
