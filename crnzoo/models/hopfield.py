"""Hopfield reaction-diffusion networks that grow Alan Turing's portrait: `hopfield-turing-small`,
`hopfield-turing-medium`.

Lee, Buse, Winfree (DNA 31, 2025), §5.3, Fig. 6. N dual-rail neurons in every cell of a 2-D
grid (`crnzoo.spatial.HopfieldRD`); the first three are the R, G, B channels of the image.
The target, seed pattern, loss, the configurations and training are in `crnzoo.tasks.hopfield`;
the paper's configuration (N = 256, 100×100 grid) is measured by `scripts/hopfield_full.py`.
"""

from __future__ import annotations

from .._registry import ZooEntry, register
from ..spatial.hopfield import N_VISIBLE, species_names
from ..tasks import hopfield as hp
from ._papers import LEE


def _step_text(c: hp.HopfieldConfig) -> str:
    n = round(c.t_grow / c.dt)
    return f"dt = {c.dt:g}" if abs(c.dt - round(c.dt, 6)) < 1e-12 else f"dt = {c.t_grow:g}/{n} ≈ {c.dt:.4g} ({n} steps)"


_METHOD_TEXT = {
    "rk4": "relu-clamped RK4 reactions",
    "split": "reactions by Strang splitting into exactly solved flows: degradation for dt/2, the linear production "
    "x ↦ x·exp(dt M) for dt, degradation for dt/2 (stable at any dt, non-negative without a clamp)",
}


def _register(name: str, c: hp.HopfieldConfig, label: str) -> None:
    register(
        ZooEntry(
            name=name,
            system=f"Hopfield reaction-diffusion network of {c.n_neurons} dual-rail neurons that grows Alan Turing's portrait "
            f"on a {c.grid}×{c.grid} grid ({label})",
            task=hp.HopfieldTask(name, c),
            builder="hopfield_rd",
            config={"n_neurons": c.n_neurons, "grid": c.grid, "dt": c.dt, "t_grow": c.t_grow, **({"method": c.method} if c.method != "rk4" else {})},
            paper=LEE,
            section="§5.3 (Hopfield reaction-diffusion network), Fig. 6",
            t1=c.t_grow,  # well-mixed solves use the default solver; the grid uses crnzoo.spatial (see protocol)
            roles={s: ("output" if (i % c.n_neurons) < N_VISIBLE else "auxiliary") for i, s in enumerate(species_names(c.n_neurons))},
            protocol=(
                f"{c.grid}×{c.grid} periodic grid (spacing 1, 5-point Laplacian); initial field: three overlapping Gaussian "
                "splotches of Xp_0 (R), Xp_1 (G), Xp_2 (B) (peak 1, σ = grid/8, centres 120° apart at radius grid/8; the "
                f"reference's seed is not published), all other species 0; IMEX steps {_step_text(c)} ({_METHOD_TEXT[c.method]}, "
                "implicit diffusion, annihilation Xp_i + Xn_i → ∅ applied to completion after each step) to "
                f"t = {c.t_grow:g}; image = (Xp − Xn) of neurons 0..2. Target: ../shared/data/icrn/Hopfield_data_github/"
                f"Turing.jpg, centre square crop, box-downsampled to {c.grid}×{c.grid}, circular mask (read at evaluation; "
                "not shipped). Diffusion is not a reaction: D = exp(log_diff_p / log_diff_n) per species; the listing gives "
                f"the annihilation at rate 1000. Picture {hp.FIGURE} next to the card: target, grown image and the growth "
                "sequence (as Fig. 6C)"
            ),
            training=f"python scripts/train_hopfield.py {name}",
            seed=c.seed,
            time_units="dimensionless",
            train_config=c,
            data=(hp.TARGET,),
        )
    )


_register("hopfield-turing-small", hp.SMALL, "small configuration")
_register("hopfield-turing-medium", hp.MEDIUM, "medium configuration: 16 split IMEX steps")
