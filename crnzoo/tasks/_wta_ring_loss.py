"""The training loss of the ring winner-takes-all (Mordvintsev et al. 2023, eq. 3 and §5.1):
`squared_hinge` and `RingTask`, used by every `wta-ring*` entry's `fit` and fine-tuning.

All concentrations and times are dimensionless.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from ..crn.diffusion import SparseDiffusionRing
from ..solve import SolverConfig, integrate


def squared_hinge(x, y, low: float, high: float):
    """Eq. 3: max(0, 1 − s·y)² with s = (2x − low − high)/(high − low) and y = ±1.

    Zero once a +1 target is above `high` or a −1 target below `low`.
    """
    s = (2.0 * x - low - high) / (high - low)
    return jnp.maximum(0.0, 1.0 - s * y) ** 2


class RingTask:
    """Multi-chamber winner-takes-all as a `crnzoo.train.Task` (§5.1).

    Batches: rings of `n_chambers` chambers with A ~ U[low, high], E = 1 − A, B = C = D = 0.
    Loss: the squared hinge (eq. 3, bounds `low`/`high`) on A in every chamber — target +1
    in the chamber with the largest A0, −1 elsewhere — averaged over every fixed solver
    step at or after `start_fraction`·`t_end` ("all steps after the first 1/3").
    `k_diffusion`: straight-through sparsify the permeabilities at this threshold
    (`SparseDiffusionRing`).
    `growth_weight` > 0 adds a stability term at the same steps: `growth_weight` times the mean
    over the losers of relu(g + `growth_margin`)², where g = (dA/dt)/A is a loser's per-capita
    growth rate of A (per time unit). A suppressed loser whose A would regrow (g > −margin) is
    penalised even while its A is still below `low`, so the decision holds after the horizon.
    """

    def __init__(
        self,
        n_chambers: int = 5,
        t_end: float = 100.0,
        dt: float = 0.5,
        low: float = 0.01,
        high: float = 0.9,
        start_fraction: float = 1.0 / 3.0,
        k_diffusion: float | None = None,
        solver: str = "tsit5",
        n_species: int = 5,
        growth_weight: float = 0.0,
        growth_margin: float = 0.02,
    ):
        if growth_weight < 0:
            raise ValueError(f"growth_weight must be >= 0, got {growth_weight}")
        self.n_chambers, self.t_end, self.low, self.high = n_chambers, float(t_end), low, high
        self.growth_weight, self.growth_margin = float(growth_weight), float(growth_margin)
        self.k_diffusion, self.n_species = k_diffusion, n_species
        steps = int(round(t_end / dt))
        grid = np.linspace(0.0, t_end, steps + 1)
        self.ts = jnp.asarray(grid[grid >= start_fraction * t_end - 1e-9])
        self.solver = SolverConfig(solver, dt=dt, max_steps=steps + 8)

    def batch(self, key, size: int):
        a = jax.random.uniform(key, (size, self.n_chambers), jnp.float64, self.low, self.high)
        x = jnp.zeros((size, self.n_chambers, self.n_species), jnp.float64)
        return x.at[..., 0].set(a).at[..., -1].set(1.0 - a)

    def loss(self, model, x0):
        if self.k_diffusion is not None:
            model = SparseDiffusionRing(model, self.k_diffusion)
        ys, _, ok, *_ = integrate(model, x0, self.ts, jnp.array(0.0), self.solver)
        winner = jnp.argmax(x0[..., 0], axis=-1)
        y = jnp.where(jnp.arange(self.n_chambers)[None, :] == winner[:, None], 1.0, -1.0)
        loss = jnp.mean(squared_hinge(ys[..., 0], y[None], self.low, self.high))
        if self.growth_weight > 0:
            loser = jnp.broadcast_to((y < 0)[None], ys.shape[:-1])
            g = model.rhs(0.0, ys)[..., 0] / (ys[..., 0] + 1e-6)
            growth = jnp.where(loser, jax.nn.relu(g + self.growth_margin) ** 2, 0.0)
            loss = loss + self.growth_weight * jnp.sum(growth) / jnp.sum(loser)
        return loss, {"ok": ok}
