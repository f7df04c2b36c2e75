"""Multi-chamber winner-takes-all on a ring (Mordvintsev et al. 2023, §5.1, Table 1).

Each chamber i starts with A_i ~ U[0.01, 0.9], E_i = 1 − A_i, other species 0. A run is
correct at threshold θ when only the chamber with the largest A_0 ends with A above θ.
Thresholds are chosen on an evaluation set and accuracy is reported on a test set.
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from ..crn import CRNModel, MembraneRing
from ..solve import SolverConfig, integrate, simulate


def sample_rings(n: int, n_chambers: int, seed: int, n_species: int = 5, low: float = 0.01, high: float = 0.9):
    """`n` ring states (n, n_chambers, n_species): A ~ U[low, high], E = 1 − A, rest 0."""
    rng = np.random.default_rng(seed)
    x = np.zeros((n, n_chambers, n_species))
    a = rng.uniform(low, high, size=(n, n_chambers))
    x[..., 0] = a
    x[..., -1] = 1.0 - a
    return x


def margins(model, x0: np.ndarray, t_end: float, solver: SolverConfig | None = None):
    """(winner's final A, largest loser's final A) for each ring in `x0`."""
    final = simulate(model, np.array([0.0, t_end]), x0, solver=solver).final[..., 0]
    win = np.argmax(x0[..., 0], axis=1)
    rows = np.arange(len(x0))
    w = final[rows, win]
    loser = final.copy()
    loser[rows, win] = -np.inf
    return w, loser.max(axis=1)


def accuracy_at(w: np.ndarray, l: np.ndarray, theta: float) -> float:
    """Fraction of runs with the winner above θ and every loser at or below it."""
    return float(np.mean((w > theta) & (l <= theta)))


def best_threshold(w: np.ndarray, l: np.ndarray) -> tuple[float, float]:
    """The θ maximising accuracy on (w, l) and that accuracy.

    A run is correct for θ in [l, w). The count of correct runs is a step function of θ
    that changes only at observed values; θ is the midpoint of the best step.
    """
    valid = l < w
    ls, ws = np.sort(l[valid]), np.sort(w[valid])
    points = np.unique(np.concatenate([ls, ws]))
    if points.size == 0:
        return 0.0, 0.0
    count = np.searchsorted(ls, points, side="right") - np.searchsorted(ws, points, side="right")
    i = int(np.argmax(count))
    upper = points[i + 1] if i + 1 < points.size else points[i]
    return float(0.5 * (points[i] + upper)), float(count[i] / len(w))


def ring_table(
    model,
    chambers=range(2, 9),
    n_eval: int = 10_000,
    n_test: int = 10_000,
    t_end: float = 200.0,
    seed: int = 0,
    solver: SolverConfig | None = None,
) -> dict[str, float]:
    """Table 1: best eval threshold and test accuracy per chamber count, plus one shared θ."""
    out, all_eval, all_test = {}, [], []
    for n in chambers:
        we, le = margins(model, sample_rings(n_eval, n, seed + 2 * n), t_end, solver)
        wt, lt = margins(model, sample_rings(n_test, n, seed + 2 * n + 1), t_end, solver)
        theta, _ = best_threshold(we, le)
        out[f"threshold_n{n}"] = theta
        out[f"test_accuracy_n{n}"] = accuracy_at(wt, lt, theta)
        all_eval.append((we, le))
        all_test.append((wt, lt))
    we, le = (np.concatenate(a) for a in zip(*all_eval))
    theta, _ = best_threshold(we, le)
    wt, lt = (np.concatenate(a) for a in zip(*all_test))
    out["threshold_all"] = theta
    out["test_accuracy_all"] = accuracy_at(wt, lt, theta)
    return out


# ---- training: the squared hinge loss of Mordvintsev et al. 2023, eq. 3 and §5.1 ----------------


def squared_hinge(x, y, low: float, high: float):
    """Eq. 3: max(0, 1 − s·y)² with s = (2x − low − high)/(high − low) and y = ±1.

    Zero once a +1 target is above `high` or a −1 target below `low`.
    """
    s = (2.0 * x - low - high) / (high - low)
    return jnp.maximum(0.0, 1.0 - s * y) ** 2


def sparse_diffusion(D, k_min: float):
    """Straight-through sparsified permeabilities: D^kmin (entries below `k_min` set to 0)
    forward, the identity backward (as `crnzoo.sparsity.straight_through` for tensors)."""
    return D + jax.lax.stop_gradient(jnp.where(D >= k_min, D, 0.0) - D)


class SparseDiffusionRing(CRNModel):
    """A `MembraneRing` whose permeabilities are straight-through sparsified at `k_min`.

    Training-side view only (its `rhs` is the ring's with D replaced by D^kmin): sparsified
    training of a ring must also remove small permeabilities, because they act over long
    times (paper-targets A.8: giving A or C a permeability of 1e-5 in the App. C.2 network
    makes 3-chamber rings fail by t = 200), and because `MembraneRing.network(k_min)` leaves
    out transport with D <= k_min, which a listing of the dense ring would then silently
    differ from. After training, the
    ring's own logits are set to −inf where D < k_min (`bake_sparse_diffusion`), so the
    shipped `MembraneRing` has exactly these dynamics.
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

    def for_solver(self):
        inner = self.ring.for_solver() if hasattr(self.ring, "for_solver") else self.ring
        return SparseDiffusionRing(inner, self.k_min)

    def rhs(self, t, x, args=None):
        n = x.shape[-2]
        D = sparse_diffusion(self.ring.diffusion(), self.k_min).astype(x.dtype)
        if n == 1:
            transport = jnp.zeros_like(x)
        elif n == 2:
            transport = jnp.flip(x, axis=-2) - x
        else:
            transport = jnp.roll(x, 1, axis=-2) + jnp.roll(x, -1, axis=-2) - 2 * x
        return self.ring.chemistry.rhs(t, x, args) + transport * D

    def network(self, k_min: float = 0.0, name: str = "crn"):  # pragma: no cover
        raise NotImplementedError("SparseDiffusionRing is a training-side view; bake it and call network() on the ring")


def bake_sparse_diffusion(ring: MembraneRing, k_min: float) -> MembraneRing:
    """The ring with every permeability below `k_min` set to exactly 0 (logit −inf)."""
    V = jnp.where(ring.diffusion() >= k_min, ring.diffusion_logits, -jnp.inf)
    return eqx.tree_at(lambda m: m.diffusion_logits, ring, V)


class RingTask:
    """Multi-chamber winner-takes-all as a `crnzoo.train.Task` (§5.1).

    Batches: rings of `n_chambers` chambers with A ~ U[low, high], E = 1 − A, B = C = D = 0.
    Loss: the squared hinge (eq. 3, bounds `low`/`high`) on A in every chamber — target +1
    in the chamber with the largest A0, −1 elsewhere — averaged over every fixed solver
    step at or after `start_fraction`·`t_end` ("all steps after the first 1/3").
    `k_diffusion`: straight-through sparsify the permeabilities at this threshold.
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
    ):
        self.n_chambers, self.t_end, self.low, self.high = n_chambers, float(t_end), low, high
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
        return loss, {"ok": ok}


def ring_tables(
    model,
    chambers=range(2, 9),
    n_eval: int = 10_000,
    n_test: int = 10_000,
    t_ends=(200.0,),
    seed: int = 0,
    solver: SolverConfig | None = None,
) -> dict[float, dict[str, float]]:
    """`ring_table` at several read-out times from one solve per ring set: `{t_end: table}`.

    Same rings (seeds) and thresholds rule as `ring_table`; each time gets its own
    thresholds, chosen on the eval rings at that time.
    """
    t_ends = tuple(float(t) for t in t_ends)
    ts = np.array([0.0, *t_ends])
    per_t = {t: ({}, [], []) for t in t_ends}

    def read(x0):
        final = simulate(model, ts, x0, solver=solver).ys[:, 1:, :, 0]  # (rings, times, chambers)
        win = np.argmax(x0[..., 0], axis=1)
        rows = np.arange(len(x0))
        out = []
        for j in range(len(t_ends)):
            a = final[:, j].copy()
            w = a[rows, win]
            a[rows, win] = -np.inf
            out.append((w, a.max(axis=1)))
        return out

    for n in chambers:
        evals = read(sample_rings(n_eval, n, seed + 2 * n))
        tests = read(sample_rings(n_test, n, seed + 2 * n + 1))
        for t, (we, le), (wt, lt) in zip(t_ends, evals, tests):
            out, all_eval, all_test = per_t[t]
            theta, _ = best_threshold(we, le)
            out[f"threshold_n{n}"] = theta
            out[f"test_accuracy_n{n}"] = accuracy_at(wt, lt, theta)
            all_eval.append((we, le))
            all_test.append((wt, lt))
    result = {}
    for t, (out, all_eval, all_test) in per_t.items():
        we, le = (np.concatenate(a) for a in zip(*all_eval))
        theta, _ = best_threshold(we, le)
        wt, lt = (np.concatenate(a) for a in zip(*all_test))
        out["threshold_all"] = theta
        out["test_accuracy_all"] = accuracy_at(wt, lt, theta)
        result[t] = out
    return result
