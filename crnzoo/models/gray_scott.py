"""Gray-Scott reaction-diffusion textures: `gray-scott-kappa`, `gray-scott-lambda`, `gray-scott-delta`.

Lee, Buse, Winfree (DNA 31, 2025), §5.2. The CRN (`crnzoo.spatial.GrayScott`) with D_U = 0.2,
D_V = 0.1 on a 101×101 periodic grid grows Pearson's textures from a seeded uniform state;
given a target texture, (F, k) are learned back by gradient descent through short
simulations started from the target (`crnzoo.tasks.gray_scott`). Each entry is the best of
10 restarts on a circle of radius 0.015 around the target (F, k).
"""

from __future__ import annotations

from .._registry import ZooEntry, register
from ..spatial.gray_scott import DIFFUSION
from ..tasks import gray_scott as gs
from ._papers import LEE


def _entry(texture: str) -> ZooEntry:
    name = f"gray-scott-{texture}"
    tF, tk = gs.TARGETS[texture]
    return ZooEntry(
        name=name,
        system=f"Gray-Scott reaction-diffusion CRN whose (F, k) were learned from Pearson's {gs.GREEK[texture]} texture "
        f"(target F = {tF}, k = {tk})",
        task=gs.GrayScottTask(texture),
        builder="gray_scott",
        config={"diffusion": list(DIFFUSION)},
        paper=LEE,
        section="§5.2 (Gray-Scott texture matching), Fig. 5",
        t1=gs.T_GROW,  # well-mixed solves use the default solver; the grid uses crnzoo.spatial (see protocol)
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
        training=f"python scripts/train_gray_scott.py {name}",
        seed=gs.SEED,
        time_units="dimensionless (one IMEX step = 1)",
        train_config=gs.TRAIN,
    )


for _texture in ("kappa", "lambda", "delta"):
    register(_entry(_texture))
