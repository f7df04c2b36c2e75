"""The Neural ODE reference for the gradient invariant: what the G species must hold after N3.

The learning circuit computes ∂L/∂θ chemically; these functions compute the same gradient of
the per-sample loss L = ½‖W z(T) − y‖² by `jax.grad` through a Diffrax solve of the Neural
ODE dz/dt = f_θ(z, x), z(0) = x (not through the CRN), and the first-order variant's
T·(∂f/∂θ)ᵀa. Used by the tests and by the cards' `gradient_invariant`.
"""

from __future__ import annotations

import functools

import diffrax
import jax
import jax.numpy as jnp

from ._spec import NeuralSpec


def neural_ode_final(spec: NeuralSpec, theta, x, rtol: float = 1e-10, atol: float = 1e-12):
    """z(T) of dz/dt = f_θ(z, x), z(0) = x (Tsit5, differentiable in θ)."""
    sol = diffrax.diffeqsolve(
        diffrax.ODETerm(lambda t, z, args: spec.f(z, args, x)),
        diffrax.Tsit5(),
        0.0,
        spec.T,
        spec.T / 32,
        jnp.asarray(x),
        args=jnp.asarray(theta),
        stepsize_controller=diffrax.PIDController(rtol=rtol, atol=atol),
        saveat=diffrax.SaveAt(t1=True),
        adjoint=diffrax.RecursiveCheckpointAdjoint(),
        max_steps=100_000,
    )
    return sol.ys[-1]


def neural_ode_loss(spec: NeuralSpec, theta, x, y):
    """½‖W z(T) − y‖² (or its one-sided form, `NeuralSpec.sample_loss`) with z(T) from `neural_ode_final`."""
    yhat = jnp.asarray(spec.readout_matrix()) @ neural_ode_final(spec, theta, x)
    return spec.sample_loss(yhat, y)


@functools.partial(jax.jit, static_argnums=0)
def neural_ode_value_and_grad(spec: NeuralSpec, theta, x, y):
    """(loss, jax.grad of `neural_ode_loss` with respect to θ), compiled once per spec."""
    return jax.value_and_grad(neural_ode_loss, argnums=1)(spec, jnp.asarray(theta), jnp.asarray(x), jnp.asarray(y))


def neural_ode_grad(spec: NeuralSpec, theta, x, y):
    """jax.grad of `neural_ode_loss` with respect to θ (through the Diffrax solve)."""
    return neural_ode_value_and_grad(spec, theta, x, y)[1]


def first_order_grad(spec: NeuralSpec, theta, x, y):
    """The first-order variant's gradient: T·(∂f/∂θ)ᵀ a with a = Wᵀ(ŷ − y) (one-sided loss: Wᵀ ∂L/∂ŷ)
    held constant (z^b = z(T))."""
    x = jnp.asarray(x)
    zT = neural_ode_final(spec, theta, x)
    W = jnp.asarray(spec.readout_matrix())
    a = W.T @ (W @ zT - y) if spec.one_sided is None else W.T @ jax.grad(spec.sample_loss)(W @ zT, jnp.asarray(y))
    jac = jax.jacobian(lambda th: spec.f(zT, th, x))(jnp.asarray(theta))  # (d, n_params)
    return spec.T * (a @ jac)
