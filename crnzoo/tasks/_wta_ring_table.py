"""Table 1 of Mordvintsev et al. 2023 (§5.1): how well a ring of chambers picks its winner.

Each chamber i starts with A_i ~ U[0.01, 0.9], E_i = 1 − A_i, other species 0. A run is
correct at threshold θ when only the chamber with the largest A_0 ends with A above θ.
Thresholds are chosen on an evaluation set and accuracy is reported on a test set, per
chamber count and with one threshold shared by all chamber counts. Dimensionless units.
"""

from __future__ import annotations

import numpy as np

from ..solve import SolverConfig, simulate


def sample_rings(n: int, n_chambers: int, seed: int, n_species: int = 5, low: float = 0.01, high: float = 0.9) -> np.ndarray:
    """`n` ring states (n, n_chambers, n_species): A ~ U[low, high], E = 1 − A, rest 0."""
    rng = np.random.default_rng(seed)
    x = np.zeros((n, n_chambers, n_species))
    a = rng.uniform(low, high, size=(n, n_chambers))
    x[..., 0] = a
    x[..., -1] = 1.0 - a
    return x


def accuracy_at(w: np.ndarray, l: np.ndarray, theta: float) -> float:
    """Fraction of runs with the winner's A above θ and every loser's at or below it."""
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


def ring_tables(
    model,
    chambers=range(2, 9),
    n_eval: int = 10_000,
    n_test: int = 10_000,
    t_ends=(200.0,),
    seed: int = 0,
    solver: SolverConfig | None = None,
) -> dict[float, dict[str, float]]:
    """Table 1 at each read-out time of `t_ends`, from one solve per ring set: `{t_end: table}`.

    A table holds, per chamber count n, `threshold_n{n}` (best θ on `n_eval` rings, seed
    `seed + 2n`) and `test_accuracy_n{n}` (at that θ on `n_test` rings, seed `seed + 2n + 1`),
    then `threshold_all` / `test_accuracy_all` with one θ for every n. Each time gets its
    own thresholds, chosen on the eval rings at that time.
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
