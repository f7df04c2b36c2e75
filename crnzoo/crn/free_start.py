"""`FreeStart`: a catalytic CRN trained together with part of its initial state.

Used to train the controllable oscillators (Mordvintsev et al. 2023 App. B.2): the
initial concentrations of the auxiliary species are learned, while the others (a control
level U, or the amplitude-carrying A) are set per batch member by the training task.
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .base import CRNModel
from .catalytic import CatalyticCRN


class FreeStart(CRNModel):
    """A catalytic CRN whose initial concentrations of species `free` are trained.

    They stay >= 0 and sum to `total` (dimensionless concentration; `project`); the other
    entries of `x0` are set by the task per batch member. The shipped model is `crn`
    (its config has `train_x0 = False`: fine-tuning leaves x0 alone).
    """

    crn: CatalyticCRN
    free: tuple[int, ...] = eqx.field(static=True)
    total: float = eqx.field(static=True, default=1.0)

    @property
    def species(self):
        return self.crn.species

    @property
    def x0(self):
        return self.crn.x0

    def rhs(self, t, x, args=None):
        return self.crn.rhs(t, x, args)

    def network(self, k_min: float = 0.0, name: str = "crn"):
        return self.crn.network(k_min, name)

    def trainable(self):
        spec = jax.tree_util.tree_map(lambda _: False, self)
        return eqx.tree_at(lambda m: (m.crn.logits, m.crn.x0), spec, (True, True))

    def project(self) -> "FreeStart":
        idx = np.asarray(self.free)
        v = jnp.clip(self.crn.x0[idx], 0.0, None)
        v = v * (self.total / jnp.maximum(jnp.sum(v), 1e-12))
        return eqx.tree_at(lambda m: m.crn.x0, self, self.crn.x0.at[idx].set(v))

    def regularisers(self):
        return self.crn.regularisers()

    def with_sparsity(self, k_min: float, straight_through: bool = True) -> "FreeStart":
        return FreeStart(self.crn.with_sparsity(k_min, straight_through), self.free, self.total)

    def reaction_count(self, k_min: float = 0.0) -> int:
        return self.crn.reaction_count(k_min)
