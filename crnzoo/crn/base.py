"""The interface every zoo model implements."""

from __future__ import annotations

import abc

import equinox as eqx
import jax

from ..network import ReactionNetwork


class CRNModel(eqx.Module):
    """An Equinox module whose parameters describe a chemical reaction network.

    **Interface:**

    - `species`: species names along the last axis of the state.
    - `x0`: the default initial state (concentrations, dimensionless), shape `state_shape`.
    - `rhs(t, x, args)`: mass-action dx/dt for a state `x` of shape `(*batch, *state_shape)`.
    - `network(k_min)`: the explicit listing with every reaction of rate > `k_min`.
      Simulating `network(0.0)` with `MassAction` reproduces `rhs` (to round-off).

    Training hooks (used by `crnzoo.train`): `trainable()`, `project()`,
    `regularisers()`, `with_sparsity(k_min)`, `reaction_count(k_min)`.
    """

    # Subclasses provide `species: tuple[str, ...]` and `x0` as fields or properties.

    @abc.abstractmethod
    def rhs(self, t, x, args=None):
        """dx/dt at time `t` (dimensionless) and state `x`."""

    @abc.abstractmethod
    def network(self, k_min: float = 0.0, name: str = "crn") -> ReactionNetwork:
        """The reaction listing at threshold `k_min`."""

    @property
    def state_shape(self) -> tuple[int, ...]:
        return tuple(self.x0.shape)

    def accepts_state_shape(self, shape: tuple[int, ...]) -> bool:
        """Whether a (possibly batched) state of this shape fits the model."""
        nd = len(self.state_shape)
        return len(shape) >= nd and tuple(shape[len(shape) - nd :]) == self.state_shape

    def flat_species(self, state_shape: tuple[int, ...] | None = None) -> tuple[str, ...]:
        """Species names of a flattened state, as the listing and CSV exports name them."""
        return self.species

    @property
    def held_species(self) -> tuple[str, ...]:
        """Species whose amount the experimenter sets and the reactions never change (catalytic
        inputs). Exports write them as SBML boundary species. Default: none."""
        return ()

    def for_solver(self) -> "CRNModel":
        """A module with the same `rhs`, its parameters' derived quantities precomputed.

        Solvers call this once per solve (not per right-hand-side evaluation), so, e.g., a
        softmax over logits is computed once. Differentiable like `rhs`. Default: `self`.
        """
        return self

    # ---- training hooks ---------------------------------------------------------------------
    def trainable(self):
        """A pytree of bools like `self`: which leaves training updates (default: float arrays)."""
        return jax.tree_util.tree_map(eqx.is_inexact_array, self)

    def project(self) -> "CRNModel":
        """The nearest model satisfying the parameters' constraints (applied after each step)."""
        return self

    def regularisers(self) -> dict[str, jax.Array]:
        """Named sparsity regularisers of the parameters (weights are chosen per task)."""
        return {}

    def with_sparsity(self, k_min: float, straight_through: bool = True) -> "CRNModel":
        """This model with its forward dynamics sparsified at `k_min` (identity if unsupported)."""
        return self

    def reaction_count(self, k_min: float = 0.0) -> int:
        """Number of reactions with rate above `k_min`."""
        return self.network(k_min).n_reactions


class HasDestructionRate(eqx.Module):
    """Capability: a per-species destruction rate, the diagonal a linearly implicit solver uses.

    `destruction_rate(x)` returns D(x) >= 0 shaped like `x` (1/time) such that every
    consumption term of species i in `rhs` is D_i(x)·x_i. `SolverConfig("rosenbrock")`
    (`crnzoo.solvers.DiagonalRosenbrock`) needs it on the module `for_solver()` returns.
    """

    @abc.abstractmethod
    def destruction_rate(self, x) -> jax.Array:
        """Per-capita destruction rate of every species at state `x` (1/time)."""
