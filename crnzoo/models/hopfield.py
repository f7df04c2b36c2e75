"""Hopfield reaction-diffusion network that grows Alan Turing's portrait: `hopfield-turing-small`.

Lee, Buse, Winfree (DNA 31, 2025), §5.3, Fig. 6. N dual-rail neurons in every cell of a 2-D
grid (`crnzoo.spatial.HopfieldRD`); the first three are the R, G, B channels of the image.
The target, seed pattern, loss and training are in `crnzoo.tasks.hopfield`; the paper's
configuration (N = 256, 100×100 grid) is measured by `scripts/hopfield_full.py`.
"""

from __future__ import annotations

from .._registry import ZooEntry, register
from ..spatial.hopfield import N_VISIBLE, species_names
from ..tasks import hopfield as hp
from ._papers import LEE


NAME = "hopfield-turing-small"
_c = hp.SMALL

register(
    ZooEntry(
        name=NAME,
        system=f"Hopfield reaction-diffusion network of {_c.n_neurons} dual-rail neurons that grows Alan Turing's portrait "
        f"on a {_c.grid}×{_c.grid} grid (small configuration)",
        task=hp.HopfieldTask(NAME, _c),
        builder="hopfield_rd",
        config={"n_neurons": _c.n_neurons, "grid": _c.grid, "dt": _c.dt, "t_grow": _c.t_grow},
        paper=LEE,
        section="§5.3 (Hopfield reaction-diffusion network), Fig. 6",
        t1=_c.t_grow,  # well-mixed solves use the default solver; the grid uses crnzoo.spatial (see protocol)
        roles={s: ("output" if (i % _c.n_neurons) < N_VISIBLE else "auxiliary") for i, s in enumerate(species_names(_c.n_neurons))},
        protocol=(
            f"{_c.grid}×{_c.grid} periodic grid (spacing 1, 5-point Laplacian); initial field: three overlapping Gaussian "
            "splotches of Xp_0 (R), Xp_1 (G), Xp_2 (B) (peak 1, σ = grid/8, centres 120° apart at radius grid/8; the "
            "reference's seed is not published), all other species 0; IMEX steps dt = 0.1 (relu-clamped RK4 reactions, "
            "implicit diffusion, annihilation Xp_i + Xn_i → ∅ applied to completion after each step) to t = 12.5; image = "
            "(Xp − Xn) of neurons 0..2. Target: ../shared/data/icrn/Hopfield_data_github/Turing.jpg, centre square crop, "
            f"box-downsampled to {_c.grid}×{_c.grid}, circular mask (read at evaluation; not shipped). Diffusion is not a "
            "reaction: D = exp(log_diff_p / log_diff_n) per species; the listing gives the annihilation at rate 1000. "
            f"Picture {hp.FIGURE} next to the card: target, grown image and the growth sequence (as Fig. 6C)"
        ),
        training=f"python scripts/train_hopfield.py {NAME}",
        seed=_c.seed,
        time_units="dimensionless",
        train_config=_c,
        data=(hp.TARGET,),
    )
)
