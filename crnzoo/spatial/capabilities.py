"""Capabilities a module may have for the reaction-diffusion solver (`isinstance` checks, as
`crnzoo.crn.base.HasDestructionRate` for the Rosenbrock solver).

The solver asks them of the module a model's `for_solver()` returns.
"""

from __future__ import annotations

import abc
from typing import Callable

import equinox as eqx
import jax
import numpy as np


class HasDiffusion(eqx.Module):
    """Capability: a diffusion constant per species (the default of `simulate_field`)."""

    @abc.abstractmethod
    def diffusion_constants(self) -> jax.Array:
        """D per species, shape (S,), in grid-spacing² per time unit."""


class HasFastReactions(eqx.Module):
    """Capability: fast pairwise annihilations x_a + x_b → ∅, applied to completion after each
    IMEX step (both drop by their minimum) instead of being integrated.

    `rhs` includes them at a finite rate (the listing's); `slow_rhs` is `rhs` without them,
    what the step integrates explicitly.
    """

    @abc.abstractmethod
    def slow_rhs(self, t, x, args=None) -> jax.Array:
        """dx/dt without the fast reactions."""

    @abc.abstractmethod
    def fast_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """(ia, ib): index arrays of the annihilating species pairs."""


class HasSplitFlow(eqx.Module):
    """Capability: an unconditionally stable update of the slow local reactions over a step dt,
    built from sub-flows the module solves exactly (operator splitting), for `simulate_field`'s
    method "split"."""

    @abc.abstractmethod
    def split_flow(self, dt: float) -> Callable[[jax.Array], jax.Array]:
        """x(t) ↦ x(t + dt) of `slow_rhs` by splitting (x: (..., S)); the map is built once per solve."""
