"""The Gray-Scott CRN (Lee, Buse, Winfree, DNA 31, 2025, §5.2): a reaction-diffusion module.

U + 2V → 3V at 1, V → ∅ at F + k, ∅ → U at F, U → ∅ at F, with D_U = 0.2, D_V = 0.1
(grid-spacing² per time unit). The zoo's textures and their training are in
`crnzoo.tasks.gray_scott`.
"""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, Float

from .._registry import register_builder
from ..crn.base import CRNModel
from ..network import Reaction, ReactionNetwork
from .capabilities import HasDiffusion


SPECIES = ("U", "V")
DIFFUSION = (0.2, 0.1)


class GrayScott(CRNModel, HasDiffusion):
    """The Gray-Scott CRN with feed rate `F` and kill rate `k` (dimensionless, per time unit).

    **Fields:**

    - `F`, `k`: scalar arrays (trainable).
    - `diffusion`: (D_U, D_V), grid-cells² per time unit (static).

    State: (..., 2) = (U, V); default x0 = (1, 0), the unreacted medium. `rhs` is the
    well-mixed kinetics, `diffusion_constants()` the per-species D, `network()` the four
    reactions.
    """

    F: Float[Array, ""]
    k: Float[Array, ""]
    diffusion: tuple[float, float] = eqx.field(static=True, default=DIFFUSION)

    @property
    def species(self) -> tuple[str, ...]:
        return SPECIES

    @property
    def x0(self):
        return jnp.array([1.0, 0.0])

    def diffusion_constants(self):
        return jnp.asarray(self.diffusion)

    def rhs(self, t, x, args=None):
        U, V = x[..., 0], x[..., 1]
        F, k = jnp.asarray(self.F, x.dtype), jnp.asarray(self.k, x.dtype)
        uvv = U * V * V
        return jnp.stack([-uvv - F * U + F, uvv - (F + k) * V], axis=-1)

    def project(self) -> "GrayScott":
        return eqx.tree_at(lambda m: (m.F, m.k), self, (jnp.clip(self.F, 1e-6, None), jnp.clip(self.k, 1e-6, None)))

    def network(self, k_min: float = 0.0, name: str = "gray_scott") -> ReactionNetwork:
        F, k = float(self.F), float(self.k)
        reactions = [
            Reaction({"U": 1, "V": 2}, {"V": 3}, 1.0),
            Reaction({"V": 1}, {}, F + k),
            Reaction({}, {"U": 1}, F),
            Reaction({"U": 1}, {}, F),
        ]
        reactions = [r for r in reactions if r.rate > k_min]
        return ReactionNetwork(SPECIES, tuple(reactions), {"U": 1.0, "V": 0.0}, name, {"U": "output", "V": "output"})


@register_builder("gray_scott")
def build_gray_scott(config) -> GrayScott:
    """A template `GrayScott` from a card's config: `diffusion` (D_U, D_V)."""
    return GrayScott(jnp.asarray(0.0), jnp.asarray(0.0), tuple(float(d) for d in config["diffusion"]))
