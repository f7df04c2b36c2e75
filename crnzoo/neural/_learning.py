"""Chemical learning: what the learning circuit's reactions do to θ, one training sample at a time.

`staged` mode (the authors' code) solves N1 and N3 as separate ODE solves of their compiled
reaction networks and applies the fast stages N2/N4/flush as their completion limits (what
they reach when run to completion; `complete_fast`). `one_pot` mode is one continuous
mass-action simulation in which the clock species C1, C2 (square waves held by the
experimenter) gate the reaction sets, fast reactions run at κ (≥ 100× the slow rates) and
the experimenter loads each sample's X, Z and Y at the start of its C1 phase.

Functions compiled with `jax.jit` take the spec (and tolerances) as static arguments, so JAX
compiles them once per circuit. Concentrations and time are dimensionless.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array

from ._build import build_circuit, complete_fast
from ._model import DEFAULT_TOL, load_input, load_params, read_grad, read_output, read_params, solve_stage, stage_kinetics
from ._spec import NeuralSpec


def staged_step_fn(spec: NeuralSpec, tol=DEFAULT_TOL):
    """`step(theta, x, y) -> (theta_new, (loss, yhat, g))`: one sample in staged mode."""
    c = build_circuit(spec)
    n1 = stage_kinetics(c, c.stages["N1"])
    n3 = stage_kinetics(c, c.stages["N3"]) if c.stages["N3"] else None

    def step(theta, x, y):
        s = jnp.zeros(len(c.species)).at[c.idx("C1")].set(1.0)
        s = load_input(c, load_params(c, s, theta), x, y)
        s = solve_stage(n1, s, spec.T, tol)  # N1
        yhat = read_output(c, s)
        loss = spec.sample_loss(yhat, y)
        s = complete_fast(c, c.stages["N2"], s)  # N2
        if n3 is not None:
            s = solve_stage(n3, s, spec.T, tol)  # N3
        g = read_grad(c, s)
        s = complete_fast(c, c.stages["N4"], s)  # N4 (update)
        return read_params(c, s), (loss, yhat, g)

    return step


def one_pot_phase_fns(spec: NeuralSpec, tol=DEFAULT_TOL):
    """`(phase1, phase2)`: solves of the clock-gated one-pot dynamics over one phase of length T."""
    c = build_circuit(spec)
    kin = stage_kinetics(c, c.gated())
    i1, i2 = c.idx("C1"), c.idx("C2")

    def phase1(s):
        return solve_stage(kin, s.at[i1].set(1.0).at[i2].set(0.0), spec.T, tol)

    def phase2(s):
        return solve_stage(kin, s.at[i1].set(0.0).at[i2].set(1.0), spec.T, tol)

    return phase1, phase2


def one_pot_step_fn(spec: NeuralSpec, tol=DEFAULT_TOL):
    """`step(s, x, y) -> (s_new, (loss, yhat, g))`: the experimenter loads (x, y) into the pot,
    then one C1 phase (N4 of the previous sample, flush, N1) and one C2 phase (N2, N3)."""
    c = build_circuit(spec)
    phase1, phase2 = one_pot_phase_fns(spec, tol)

    def step(s, x, y):
        s = phase1(load_input(c, s, x, y))
        yhat = read_output(c, s)
        loss = spec.sample_loss(yhat, y)
        s = phase2(s)
        return s, (loss, yhat, read_grad(c, s))

    return step


@functools.partial(jax.jit, static_argnums=(0, 1, 2))
def _epoch(spec: NeuralSpec, mode: str, tol, carry, xs, ys):
    step = staged_step_fn(spec, tol) if mode == "staged" else one_pot_step_fn(spec, tol)
    return jax.lax.scan(lambda cr, xy: step(cr, *xy), carry, (xs, ys))


def one_pot_state(spec: NeuralSpec, theta) -> Array:
    """An empty pot holding parameters θ (clock C1 on)."""
    c = build_circuit(spec)
    s = jnp.zeros(len(c.species)).at[c.idx("C1")].set(1.0)
    return load_params(c, s, jnp.asarray(theta))


@functools.partial(jax.jit, static_argnums=(0, 1))
def _finish(spec: NeuralSpec, tol, s):
    return read_params(build_circuit(spec), one_pot_phase_fns(spec, tol)[0](s))


def one_pot_finish(spec: NeuralSpec, s, tol=DEFAULT_TOL):
    """Run the last sample's update (one more C1 phase with nothing loaded); returns θ."""
    return _finish(spec, tol, s)


def run_epoch(spec: NeuralSpec, theta, xs, ys, mode: str = "staged", tol=DEFAULT_TOL, pot=None):
    """Chemical learning over the samples (xs: (n, d) padded inputs, ys: (n, n_out)) in order.

    Staged mode returns `(theta, losses, yhats)`. One-pot mode carries the whole pot state
    `pot` (default: a fresh pot with θ) and returns `(pot, losses, yhats)`; call
    `one_pot_finish` to apply the last update and read θ.
    """
    if mode not in ("staged", "one-pot"):
        raise ValueError(f"mode must be 'staged' or 'one-pot', got {mode!r}")
    if mode == "staged":
        carry = jnp.asarray(theta)
    else:
        carry = one_pot_state(spec, theta) if pot is None else pot
    carry, (losses, yhats, _) = _epoch(spec, mode, tol, carry, jnp.asarray(xs), jnp.asarray(ys))
    return carry, np.asarray(losses), np.asarray(yhats)
