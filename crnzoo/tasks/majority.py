"""Approximate majority (single-chamber winner-takes-all): inputs A and B race to consensus.

Task: A0, B0 ~ U[0, 1] (other species 0); at time T the initially larger input must
hold the consensus.
"""

from __future__ import annotations

import numpy as np

from ..solve import SolverConfig, simulate


def sample(n: int, seed: int, n_species: int, a: int = 0, b: int = 1) -> np.ndarray:
    """`n` initial states with x[a], x[b] ~ U[0, 1] and every other species 0."""
    rng = np.random.default_rng(seed)
    x = np.zeros((n, n_species))
    x[:, [a, b]] = rng.uniform(0.0, 1.0, size=(n, 2))
    return x


def consensus_accuracy(
    model,
    n: int = 10_000,
    seed: int = 0,
    t_end: float = 200.0,
    inputs: tuple[str, str] = ("A", "B"),
    share: float = 0.9,
    min_gap: float = 0.05,
    solver: SolverConfig | None = None,
) -> dict[str, float]:
    """Fraction of random initial conditions whose larger input wins.

    Winning means: at `t_end` the species of the initially larger input holds more than
    `share` of the total mass. Reported over all `n` draws (`accuracy`) and over those with
    |A0 − B0| > `min_gap` (`accuracy_gap`).
    """
    a, b = (model.species.index(s) for s in inputs)
    x0 = sample(n, seed, len(model.species), a, b)
    final = simulate(model, np.array([0.0, t_end]), x0, solver=solver).final
    winner = np.where(x0[:, a] > x0[:, b], a, b)
    total = final.sum(axis=1)
    ok = final[np.arange(n), winner] > share * total
    gap = np.abs(x0[:, a] - x0[:, b]) > min_gap
    return {"accuracy": float(ok.mean()), "accuracy_gap": float(ok[gap].mean())}
