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

`DiagonalRosenbrock3` is the four-stage, third-order Rosenbrock-W method ROS34PW2 of Rang and
Angermann (BIT Numer. Math. 45, 2005) with the same diagonal A: third order for any A (a
W-method), L-stable with the exact Jacobian, stiffly accurate, with an embedded second-order
solution for the error estimate. A step costs four right-hand sides and one D; at tight
tolerances (rtol ≤ 1e-6) its third order takes far fewer steps than ROS2.

`crnzoo.solve` uses them for `SolverConfig("rosenbrock")` and `SolverConfig("rosenbrock3")` on
models with `HasDestructionRate`.
`euler_final` is the reference implementation's fixed-step Euler, kept for benchmarks.
Units are the model's (time and concentration as its rates are written).
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import diffrax
import jax
import jax.numpy as jnp


GAMMA = 1.0 + 1.0 / math.sqrt(2.0)


class _DiagonalW(diffrax.AbstractAdaptiveSolver):
    """What the diagonal Rosenbrock-W solvers share: the model whose destruction rate gives A,
    no solver state, linear interpolation between steps, and the method's order (`ORDER`)."""

    model: Any
    term_structure: ClassVar = diffrax.AbstractTerm
    interpolation_cls: ClassVar = diffrax.LocalLinearInterpolation
    ORDER: ClassVar[int] = 2

    def order(self, terms):
        return self.ORDER

    def error_order(self, terms):
        return self.ORDER

    def init(self, terms, t0, t1, y0, args):
        return None

    def func(self, terms, t0, y0, args):
        return terms.vf(t0, y0, args)


class DiagonalRosenbrock(_DiagonalW):
    """ROS2 with A = −diag(model.destruction_rate(y)) (see the module docstring).

    **Fields:** `model`: any object with `destruction_rate(y) -> D >= 0` shaped like `y`.
    """

    ORDER: ClassVar[int] = 2

    def step(self, terms, t0, t1, y0, args, solver_state, made_jump):
        del solver_state, made_jump
        h = t1 - t0
        den = 1.0 + (GAMMA * h) * self.model.destruction_rate(y0)
        k1 = terms.vf(t0, y0, args) / den
        k2 = (terms.vf(t1, y0 + h * k1, args) - 2.0 * k1) / den
        y1 = y0 + h * (1.5 * k1 + 0.5 * k2)
        err = 0.5 * h * (k1 + k2)
        return y1, err, dict(y0=y0, y1=y1), None, diffrax.RESULTS.successful


# ROS34PW2 (Rang & Angermann 2005, Table 4): W k_i = h f(y0 + Σ_j α_ij k_j) + h A Σ_j γ_ij k_j,
# W = I − γ h A; y1 = y0 + Σ b_i k_i; the embedded solution uses b̂.
_PW2_GAMMA = 0.435866521508459
_PW2_ALPHA = ((), (0.87173304301691801,), (0.84457060015369423, -0.11299064236484185), (0.0, 0.0, 1.0))
_PW2_GAMMAS = ((), (-0.87173304301691801,), (-0.90338057013044082, 0.054180672388095326), (0.24212380706095346, -1.2232505839045147, 0.54526025533510214))
_PW2_B = (0.24212380706095346, -1.2232505839045147, 1.5452602553351020, 0.435866521508459)
_PW2_BHAT = (0.37810903145819369, -0.096042292212423178, 0.5, 0.2179332607542295)


class DiagonalRosenbrock3(_DiagonalW):
    """ROS34PW2 with A = −diag(model.destruction_rate(y)) (see the module docstring).

    **Fields:** `model`: any object with `destruction_rate(y) -> D >= 0` shaped like `y`.
    """

    ORDER: ClassVar[int] = 3

    def step(self, terms, t0, t1, y0, args, solver_state, made_jump):
        del solver_state, made_jump
        h = t1 - t0
        hD = h * self.model.destruction_rate(y0)
        den = 1.0 + _PW2_GAMMA * hD
        ks = []
        for alpha, gamma in zip(_PW2_ALPHA, _PW2_GAMMAS):
            u, g = y0, 0.0
            for a, gm, k in zip(alpha, gamma, ks):
                if a:
                    u = u + a * k
                g = g + gm * k
            ks.append((h * terms.vf(t0 + sum(alpha) * h, u, args) - hD * g) / den)
        y1 = y0 + sum(b * k for b, k in zip(_PW2_B, ks))
        err = sum((b - bh) * k for b, bh, k in zip(_PW2_B, _PW2_BHAT, ks))
        return y1, err, dict(y0=y0, y1=y1), None, diffrax.RESULTS.successful


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
