"""Chambers on a ring, separated by membranes (Mordvintsev et al. 2023, §5, eq. 4).

Each of n chambers holds the same chemistry. Chamber i exchanges every species b with
its ring neighbours M_i through membranes of permeability D_b = sigmoid(V_b):

    dx^i_b/dt = Σ_{j ∈ M_i} (x^j_b − x^i_b) D_b + reactions(x^i)_b.

For n = 2 each chamber has a single neighbour; for n = 1 there is no transport. The
number of chambers is read from the state's shape, so a ring trained with n = 5 runs
on any n.
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

from .._registry import build, register_builder
from ..network import Reaction, ReactionNetwork
from .base import CRNModel


def ring_neighbours(n: int) -> list[list[int]]:
    """Neighbour lists of a ring of `n` chambers (a set: n = 2 has one neighbour)."""
    return [sorted({(i - 1) % n, (i + 1) % n} - {i}) for i in range(n)]


def chamber_name(species: str, chamber: int) -> str:
    """Name of `species` in chamber `chamber` (0-based), e.g. `A_3`."""
    return f"{species}_{chamber}"


def ring_transport(x):
    """Σ_{j ∈ M_i} (x^j − x^i) per chamber i of a ring state `(*batch, n_chambers, N)`: the
    transport term of eq. 4 at unit permeability (none for one chamber, one neighbour for two)."""
    n = x.shape[-2]
    if n == 1:
        return jnp.zeros_like(x)
    if n == 2:
        return jnp.flip(x, axis=-2) - x
    return jnp.roll(x, 1, axis=-2) + jnp.roll(x, -1, axis=-2) - 2 * x


class MembraneRing(CRNModel):
    """A ring of identical chambers running `chemistry`, coupled by per-species diffusion.

    **Fields:**

    - `chemistry`: the well-mixed model run in every chamber (e.g. a `CatalyticCRN`).
    - `diffusion_logits`: V, shape (N,); D = sigmoid(V) per species (±inf give exactly 1 / 0).
    - `x0`: the default state, shape (n_chambers, N); evaluation may use any chamber count.

    The state has shape `(*batch, n_chambers, N)`.
    """

    chemistry: CRNModel
    diffusion_logits: Float[Array, " N"]
    x0: Float[Array, "n N"]

    def __check_init__(self):
        n = len(self.chemistry.species)
        if self.diffusion_logits.shape != (n,):
            raise ValueError(f"diffusion_logits must have shape ({n},), got {self.diffusion_logits.shape}")
        if self.x0.ndim != 2 or self.x0.shape[1] != n or self.x0.shape[0] < 1:
            raise ValueError(f"x0 must have shape (n_chambers >= 1, {n}), got {self.x0.shape}")

    @property
    def species(self) -> tuple[str, ...]:
        return self.chemistry.species

    @property
    def n_chambers(self) -> int:
        return self.x0.shape[0]

    def diffusion(self) -> Float[Array, " N"]:
        """Membrane permeabilities D = sigmoid(V), per species (per time unit)."""
        return jax.nn.sigmoid(self.diffusion_logits)

    def rhs(self, t, x, args=None):
        return self.chemistry.rhs(t, x, args) + ring_transport(x) * self.diffusion().astype(x.dtype)

    def for_solver(self) -> "MembraneRing":
        return eqx.tree_at(lambda m: m.chemistry, self, self.chemistry.for_solver())

    # ---- training hooks -------------------------------------------------------------------
    def trainable(self):
        spec = jax.tree_util.tree_map(lambda _: False, self)
        return eqx.tree_at(
            lambda m: (m.chemistry, m.diffusion_logits), spec, (self.chemistry.trainable(), True)
        )

    def project(self) -> "MembraneRing":
        return eqx.tree_at(lambda m: m.chemistry, self, self.chemistry.project())

    def regularisers(self):
        return self.chemistry.regularisers()

    def with_sparsity(self, k_min: float, straight_through: bool = True) -> "MembraneRing":
        return eqx.tree_at(lambda m: m.chemistry, self, self.chemistry.with_sparsity(k_min, straight_through))

    def accepts_state_shape(self, shape: tuple[int, ...]) -> bool:
        return len(shape) >= 2 and shape[-1] == len(self.species) and shape[-2] >= 1

    def flat_species(self, state_shape: tuple[int, ...] | None = None) -> tuple[str, ...]:
        n = self.n_chambers if state_shape is None else state_shape[-2]
        return tuple(chamber_name(s, i) for i in range(n) for s in self.species)

    def network(self, k_min: float = 0.0, name: str = "crn", n_chambers: int | None = None) -> ReactionNetwork:
        """One species per chemical per chamber (`A_3`); transport `A_3 -> A_4` at rate D_A."""
        n = self.n_chambers if n_chambers is None else n_chambers
        local = self.chemistry.network(k_min)
        reactions = []
        for i in range(n):
            ren = {s: chamber_name(s, i) for s in self.species}
            for r in local.reactions:
                reactions.append(
                    Reaction(
                        {ren[s]: c for s, c in r.reactants.items()},
                        {ren[s]: c for s, c in r.products.items()},
                        r.rate,
                    )
                )
        D = np.asarray(self.diffusion(), dtype=np.float64)
        for b, s in enumerate(self.species):
            if D[b] <= k_min or D[b] == 0:
                continue
            for i, nbrs in enumerate(ring_neighbours(n)):
                for j in nbrs:
                    reactions.append(Reaction({chamber_name(s, i): 1}, {chamber_name(s, j): 1}, float(D[b])))
        x0 = np.asarray(self.x0 if n == self.n_chambers else jnp.broadcast_to(self.chemistry.x0, (n, len(self.species))), dtype=np.float64)
        species = self.flat_species((n, len(self.species)))
        roles = {chamber_name(s, i): role for s, role in local.roles.items() for i in range(n)}
        return ReactionNetwork(species, tuple(reactions), dict(zip(species, x0.reshape(-1))), name, roles)


class SparseDiffusionRing(CRNModel):
    """A `MembraneRing` whose permeabilities are straight-through sparsified at `k_min`:
    D^kmin (every D below `k_min` set to 0) forward, the identity backward (as
    `crnzoo.sparsity.straight_through` does for tensors).

    Training-side view only (its `rhs` is the ring's with D replaced by D^kmin): sparsified
    training of a ring must also remove small permeabilities, because they act over long
    times (paper-targets A.8: giving A or C a permeability of 1e-5 in the App. C.2 network
    makes 3-chamber rings fail by t = 200), and because `MembraneRing.network(k_min)` leaves
    out transport with D <= k_min, which a listing of the dense ring would then silently
    differ from. After training, `baked()` is the ring with those permeabilities exactly 0,
    a `MembraneRing` with exactly these dynamics.
    """

    ring: MembraneRing
    k_min: float = eqx.field(static=True)

    @property
    def species(self):
        return self.ring.species

    @property
    def x0(self):
        return self.ring.x0

    def accepts_state_shape(self, shape) -> bool:
        return self.ring.accepts_state_shape(shape)

    def for_solver(self) -> "SparseDiffusionRing":
        return SparseDiffusionRing(self.ring.for_solver(), self.k_min)

    def diffusion(self) -> jax.Array:
        """Per-species permeability D^kmin (below `k_min`: 0) forward, D's gradient backward."""
        D = self.ring.diffusion()
        return D + jax.lax.stop_gradient(jnp.where(D >= self.k_min, D, 0.0) - D)

    def rhs(self, t, x, args=None):
        return self.ring.chemistry.rhs(t, x, args) + ring_transport(x) * self.diffusion().astype(x.dtype)

    def network(self, k_min: float = 0.0, name: str = "crn"):
        raise NotImplementedError("SparseDiffusionRing is a training-side view; call network() on baked()")

    def baked(self) -> MembraneRing:
        """The ring with every permeability below `k_min` set to exactly 0 (logit −inf)."""
        D = self.ring.diffusion()
        return eqx.tree_at(lambda m: m.diffusion_logits, self.ring, jnp.where(D >= self.k_min, self.ring.diffusion_logits, -jnp.inf))


@register_builder("ring")
def build_ring(config) -> MembraneRing:
    """A template `MembraneRing` from a card's config: `chemistry` (a builder and its config) and
    `n_chambers`."""
    chem = build(config["chemistry"]["builder"], config["chemistry"]["config"])
    return MembraneRing(chem, jnp.zeros(len(chem.species)), jnp.zeros((int(config["n_chambers"]), len(chem.species))))
