"""The Gray-Scott entries at finite counts, under a stated approximation.

Reaction noise (chemical Langevin, per grid cell) on the card's own step
(`crnzoo.ssa.spatial_cle.noisy_grow`: implicit spectral diffusion, then the relu-clamped RK4
reactions; diffusion noise, Poisson skewness and falling factorials neglected). The function
is the card's texture metric: run r starts from the fresh-noise field of seed FRESH_SEED + r
and grows the texture with the card's (F, k); it keeps the function when its texture loss
against the target's statistics is at most `tolerance` × the worst loss of the same fields
grown deterministically (a texture is random in its details, so the yardstick is the
seed-to-seed spread). Used by `GrayScottTask.stochastic_check` (`crnzoo robustness
gray-scott-*`) and `scripts/robustness_spatial.py` (the cards' robustness section).
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
    without noise to `t1` on `grid` with step `dt`; a noisy run passes when its loss is at most
    `tolerance` × the worst of `losses`."""

    x0: np.ndarray
    stats: object
    losses: np.ndarray
    grid: object
    dt: float
    t1: float
    tolerance: float = 1.0
    first_seed: int = 1  # run r grows the fresh-noise field of seed first_seed + r

    @property
    def worst(self) -> float:
        return float(np.max(self.losses))

    def check(self, model, omega: float, seed: int = 0) -> tuple[StochasticCheck, np.ndarray]:
        """`texture_check` at this yardstick's tolerance."""
        return texture_check(model, self, omega, seed, self.tolerance)

    approximation = APPROX  # what the noise keeps and neglects (a class attribute, not a field)

    def summary(self) -> str:
        return f"deterministic losses from the {len(self.losses)} fresh fields {np.round(np.sort(self.losses), 4).tolist()}"

    def function(self) -> str:
        n, runs, tol = self.x0.shape[1], len(self.losses), self.tolerance
        return (f"texture loss (the card's metric) of a texture grown with the card's (F, k) on its {n}x{n} grid to T = {self.t1:g} "
                f"from a fresh-noise field (run r: seed {self.first_seed} + r) with reaction noise at Omega molecules per unit per "
                f"grid cell is at most {tol:g} x the worst loss of the same {runs} fields grown deterministically "
                f"({self.worst:.4g}; all: {', '.join(f'{d:.4g}' for d in np.sort(self.losses))}): the texture is as close to the "
                "target as a deterministic texture from fresh noise")


def texture_check(model, ref: TextureYardstick, omega: float, seed: int = 0, tolerance: float = 1.0) -> tuple[StochasticCheck, np.ndarray]:
    """The same fields grown with reaction noise at `omega` (molecules per unit per grid cell)
    on `ref.grid` with step `ref.dt`: the check (method "cle") and every run's texture loss."""
    if not (omega > 0 and np.isfinite(omega)):
        raise ValueError(f"omega must be a positive number, got {omega}")
    fields = noisy_grow(model, ref.x0, omega, ref.t1, ref.dt, grid=ref.grid, seed=(seed + int(omega)) % 2**31, clamp=True, diffuse_first=True)
    loss = np.asarray(texture_loss(fields, ref.stats, model.F, model.k)["total"])
    limit = tolerance * ref.worst
    reasons = [None if v <= limit else "the field diverged (NaN)" if not np.isfinite(v) else
               f"texture loss > {tolerance:g} x the worst deterministic {ref.worst:.3g}" for v in loss]
    return StochasticCheck.from_reasons(reasons, "cle"), loss
