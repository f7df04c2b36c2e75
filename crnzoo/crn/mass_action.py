"""A CRN given directly as a reaction listing, with trainable rate constants."""

from __future__ import annotations

import dataclasses

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

from .._registry import register_builder
from ..network import MassAction, Reaction, ReactionNetwork, parse_reactions
from .base import CRNModel


class MassActionCRN(CRNModel):
    """Mass-action kinetics of a fixed reaction listing; the rate constants are parameters.

    **Fields:**

    - `kinetics`: the vectorised `MassAction` right-hand side (holds `rates`).
    - `x0`: default initial concentrations, shape (N,).
    - `species`: names, length N.
    - `equations`: each reaction as `(reactants, products)` tuples of `(name, count)`.
    - `roles`: role of each species, or None.
    """

    kinetics: MassAction
    x0: Float[Array, " N"]
    species: tuple[str, ...] = eqx.field(static=True)
    equations: tuple = eqx.field(static=True)
    roles: tuple[str, ...] | None = eqx.field(static=True, default=None)

    @classmethod
    def from_network(cls, network: ReactionNetwork) -> "MassActionCRN":
        eqs = tuple((tuple(r.reactants.items()), tuple(r.products.items())) for r in network.reactions)
        roles = tuple(network.roles.get(s, "auxiliary") for s in network.species) if network.roles else None
        return cls(
            MassAction.from_network(network),
            jnp.asarray(network.initial_state()),
            network.species,
            eqs,
            roles,
        )

    @classmethod
    def from_text(cls, listing: str, species, x0, roles=None) -> "MassActionCRN":
        """Build from a plain listing (`A + B -> 2U  k=1` per line), species order and x0."""
        net = parse_reactions(listing, species)
        net = dataclasses.replace(
            net,
            initial=dict(zip(species, map(float, x0))),
            roles=dict(zip(species, roles)) if roles else {},
        )
        return cls.from_network(net)

    def trainable(self):
        spec = jax.tree_util.tree_map(lambda _: False, self)
        return eqx.tree_at(lambda m: m.kinetics.rates, spec, True)

    def project(self) -> "MassActionCRN":
        return eqx.tree_at(lambda m: m.kinetics.rates, self, jnp.clip(self.kinetics.rates, 0.0, None))

    def regularisers(self):
        return {"l1": jnp.mean(jnp.abs(self.kinetics.rates))}

    def rhs(self, t, x, args=None):
        return self.kinetics.rhs(t, x, args)

    def network(self, k_min: float = 0.0, name: str = "crn") -> ReactionNetwork:
        rates = np.asarray(self.kinetics.rates, dtype=np.float64)
        reactions = tuple(
            Reaction(dict(re), dict(pr), float(k)) for (re, pr), k in zip(self.equations, rates) if k > k_min
        )
        roles = dict(zip(self.species, self.roles)) if self.roles else {}
        x0 = np.asarray(self.x0, dtype=np.float64)
        return ReactionNetwork(self.species, reactions, dict(zip(self.species, x0)), name, roles)


@register_builder("mass_action")
def build_mass_action(config) -> MassActionCRN:
    """A template `MassActionCRN` from a card's config: `reactions` (listing text), `species`, `roles`."""
    species = config["species"]
    return MassActionCRN.from_text(config["reactions"], species, [0.0] * len(species), config.get("roles"))
