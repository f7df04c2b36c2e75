"""Gray-Scott reaction-diffusion textures: `gray-scott-kappa`, `gray-scott-lambda`, `gray-scott-delta`.

Lee, Buse, Winfree (DNA 31, 2025), §5.2. The CRN (U + 2V → 3V at 1, V → ∅ at F + k,
∅ → U at F, U → ∅ at F) with D_U = 0.2, D_V = 0.1 on a 101×101 periodic grid (spacing 1)
grows Pearson's textures from a seeded uniform state. Given a target texture, (F, k) are
learned back by gradient descent through short simulations started from the target
(`crnzoo.tasks.gray_scott`). Each entry is the best of 10 restarts on a circle of radius
0.015 around the target (F, k) (`scripts/train_gray_scott.py`).

The module `GrayScott` holds (F, k) as trainable scalars; its `rhs` is the well-mixed
kinetics, `diffusion_constants()` the per-species D, and `network()` the four reactions.
"""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, Float

from ..crn.base import CRNModel
from ..network import Reaction, ReactionNetwork
from ..solve import SolverConfig
from .._legacy import ZooEntry, register, register_builder


LEE = "Lee, Buse, Winfree (2025), Differentiable Programming of Indexed Chemical Reaction Networks and Reaction-Diffusion Systems (DNA 31)"
SPECIES = ("U", "V")
DIFFUSION = (0.2, 0.1)


class GrayScott(CRNModel):
    """The Gray-Scott CRN with feed rate `F` and kill rate `k` (dimensionless, per time unit).

    **Fields:**

    - `F`, `k`: scalar arrays (trainable).
    - `diffusion`: (D_U, D_V), grid-cells² per time unit (static).

    State: (..., 2) = (U, V); default x0 = (1, 0), the unreacted medium.
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


def build(config) -> GrayScott:
    return GrayScott(jnp.asarray(0.0), jnp.asarray(0.0), tuple(float(d) for d in config["diffusion"]))


register_builder("gray_scott", build)


def config() -> dict:
    return {"diffusion": list(DIFFUSION)}


def _entry(texture: str) -> ZooEntry:
    from ..tasks import gray_scott as gs

    name = f"gray-scott-{texture}"
    tF, tk = gs.TARGETS[texture]
    rF, rk = gs.REFERENCE_BEST[texture]
    ref_loss = gs.REFERENCE_BEST_LOSS[texture]

    def evaluate(model, fast: bool = False):
        return gs.texture_metrics(model, texture, fast)

    metrics = {
        "F": (f"learned feed rate F (target {tF})", rF, None, 1e-12),
        "k": (f"learned kill rate k (target {tk})", rk, None, 1e-12),
        "F_error": ("|F − F_target|", round(abs(rF - tF), 6), "<= 0.001", 1e-12),
        "k_error": ("|k − k_target|", round(abs(rk - tk), 6), "<= 0.001", 1e-12),
        "texture_loss_grown": (
            "texture loss (crnzoo statistic: filter-bank Gram matrices + radial power spectrum + moments; no VGG) "
            f"between the texture grown from fresh noise (seed {gs.FRESH_SEED}, T = {gs.T_GROW:g}) with the learned (F, k) "
            "and the target texture; fast verification grows it for 2,000 steps on a 64×64 grid",
            f"VGG-16 loss {ref_loss} (different statistic, at the reference's best)",
            None,
            1e-6,
        ),
        "texture_loss_grown_at_target": (
            "the same loss for a texture grown from the same fresh noise with the TARGET (F, k) (the noise floor)",
            None,
            None,
            1e-6,
        ),
    }
    return ZooEntry(
        name=name,
        system=f"Gray-Scott reaction-diffusion CRN whose (F, k) were learned from Pearson's {gs.GREEK[texture]} texture "
        f"(target F = {tF}, k = {tk})",
        family="gray_scott",
        builder="gray_scott",
        config=config(),
        make=lambda: GrayScott(jnp.asarray(tF), jnp.asarray(tk)),
        evaluate=evaluate,
        metrics=metrics,
        paper=LEE,
        section="§5.2 (Gray-Scott texture matching), Fig. 5",
        t1=gs.T_GROW,
        solver=SolverConfig(),  # well-mixed solves; the grid uses crnzoo.spatial (see protocol)
        k_report=0.0,
        roles={"U": "output", "V": "output"},
        protocol=(
            f"reaction-diffusion on a {gs.GRID}×{gs.GRID} periodic grid (spacing 1), D_U = 0.2, D_V = 0.1; steps dt = {gs.DT:g}: "
            "implicit diffusion with the spectral Laplacian, then a relu-clamped RK4 reaction step (the reference's order), "
            f"T = {gs.T_GROW:g}; start U = 1, V = 0 "
            f"with a 3×3 centre block V = 1 and {gs.NOISE}·U(0,1) noise added to both (crnzoo.tasks.gray_scott.seed_field); "
            f"the shipped (F, k) are the best of {gs.RESTARTS} restarts on a circle of radius {gs.RADIUS} around the target. "
            "Texture loss uses a fixed filter bank (no pretrained network: VGG-16 weights cannot be downloaded here). "
            f"grow: crnzoo.tasks.gray_scott.grow(model); picture {gs.FIGURE} next to the card"
        ),
        training=f"python scripts/train_gray_scott.py --texture {texture}",
        seed=gs.SEED,
        time_units="dimensionless (one IMEX step = 1)",
        train_config=gs.TRAIN,
    )


for _texture in ("kappa", "lambda", "delta"):
    register(_entry(_texture))
