"""The Gray-Scott entries at finite counts, under a stated approximation.

Reaction noise (chemical Langevin, per grid cell) on the card's own step
(`crnzoo.ssa.spatial_cle.noisy_grow`: implicit spectral diffusion, then the relu-clamped RK4
reactions; diffusion noise, Poisson skewness and falling factorials neglected). The function
is the card's texture metric: run r starts from the fresh-noise field of seed FRESH_SEED + r
and grows the texture with the card's (F, k); it keeps the function when its texture loss
against the target's statistics is at most `tolerance` × the worst loss of the same fields
grown deterministically (a texture is random in its details, so the yardstick is the
seed-to-seed spread). Used by `GrayScottTask.stochastic_check` (`crnzoo robustness
gray-scott-*`) and `scripts/robustness_gray_scott.py` (the cards' robustness section).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..ssa.robustness import StochasticCheck
from ..ssa.spatial_cle import noisy_grow
from ._gray_scott_texture import texture_loss

APPROX = ("reaction noise only: the card's own step (implicit spectral diffusion, then the relu-clamped RK4 reaction "
          "update, dt = 1) plus chemical Langevin noise sum_r nu_r sqrt(a_r dt / Omega) xi_r per grid cell and step "
          "(crnzoo.ssa.spatial_cle); neglected: diffusion noise (molecules hopping between cells), Poisson skewness and "
          "falling factorials; its noise-free limit equals the card's deterministic texture to 1e-13")


@dataclasses.dataclass(frozen=True)
class TextureYardstick:
    """The deterministic side of the check (`gray_scott.yardstick` builds it): `x0` (runs, n,
    n, 2) fresh fields, the target's texture `stats`, `losses` (runs,) of the fields grown
    without noise to `t1` on `grid` with step `dt`."""

    x0: np.ndarray
    stats: object
    losses: np.ndarray
    grid: object
    dt: float
    t1: float

    @property
    def worst(self) -> float:
        return float(np.max(self.losses))


def texture_check(model, ref: TextureYardstick, omega: float, seed: int = 0, tolerance: float = 1.0) -> tuple[StochasticCheck, np.ndarray]:
    """The same fields grown with reaction noise at `omega` (molecules per unit per grid cell)
    on `ref.grid` with step `ref.dt`: the check (method "cle") and every run's texture loss."""
    if not (omega > 0 and np.isfinite(omega)):
        raise ValueError(f"omega must be a positive number, got {omega}")
    fields = noisy_grow(model, ref.x0, omega, ref.t1, ref.dt, grid=ref.grid, seed=(seed + int(omega)) % 2**31)
    loss = np.asarray(texture_loss(fields, ref.stats, model.F, model.k)["total"])
    limit = tolerance * ref.worst
    reasons = [None if v <= limit else "the field diverged (NaN)" if not np.isfinite(v) else
               f"texture loss > {tolerance:g} x the worst deterministic {ref.worst:.3g}" for v in loss]
    return StochasticCheck.from_reasons(reasons, "cle"), loss
