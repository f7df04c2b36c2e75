"""Greedy pruning of a trained `CatalyticCRN`: drop reactions one at a time while a check holds.

Sparsified training (straight-through at k_min) leaves every reaction with rate ≥ k_min in
the dynamics; many are not needed. `prune` tries the reactions from the smallest rate up:
it sets the reaction's logit to `PRUNED` (its rate becomes ~e^-30 ≈ 1e-13, far below any
threshold), keeps the change when the reaction count at `k_min` falls and `accept(model)`
still holds, and passes over the reactions again until none can go. (Do not train after
pruning: Adam's normalised steps move even vanishing-gradient logits and regrow reactions.)
`train_and_prune` is the whole recipe of the learned gates and the seven-segment decoder.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import equinox as eqx
import numpy as np

from .train import History, TrainConfig, train


PRUNED = -30.0


def reactions(model, k_min: float) -> list[tuple[float, int, int, int]]:
    """`(rate, catalyst, input, output)` of every reaction above `k_min`, smallest rate first."""
    T = np.asarray(model.with_sparsity(k_min).dynamics_tensor())
    out = [(float(T[c, a, b]), int(c), int(a), int(b)) for c, a, b in zip(*np.nonzero(T > 0)) if a != b]
    return sorted(out)


def without(model, c: int, a: int, b: int):
    """`model` with reaction a —c→ b pruned (its logit set to `PRUNED`)."""
    return eqx.tree_at(lambda m: m.logits, model, model.logits.at[c, a, b].set(PRUNED))


def prune(model, accept: Callable[[object], bool], k_min: float, log: Callable[[str], None] | None = None):
    """Greedily remove reactions while `accept(model)` holds; returns (model, removed equations).

    Passes over the reactions from the smallest rate up, removing each one whose removal
    lowers the count at `k_min` and keeps `accept` true; repeats until a pass removes
    nothing. `accept` gets the candidate (with the model's own `k_min` setting) and
    returns True to keep the removal; it should return False when the candidate's solve fails.
    """
    removed = []
    changed = True
    while changed:
        changed = False
        for rate, c, a, b in reactions(model, k_min):
            n0 = model.reaction_count(k_min)
            cand = without(model, c, a, b)
            if float(cand.with_sparsity(k_min).dynamics_tensor()[c, a, b]) > 0 or cand.reaction_count(k_min) >= n0:
                continue  # already gone, or the row's freed rate lifted another entry above k_min
            if accept(cand):
                s = model.species
                text = f"{s[a]} —{s[c]}→ {s[b]} (k = {rate:.3g})"
                removed.append(text)
                if log:
                    log(f"pruned {text}: {cand.reaction_count(k_min)} reactions left")
                model, changed = cand, True
    return model, removed


@dataclasses.dataclass(frozen=True)
class TrainedAndPruned:
    """What `train_and_prune` made: the pruned `model` (with k_min = `config.k_min`), the
    training `config` used (seed and steps filled in), its loss `history`, the reaction count
    at k_min after training and the `removed` reactions (as equations)."""

    model: Any
    config: TrainConfig
    history: History
    reactions_after_training: int
    removed: list[str]


def train_and_prune(
    init: Callable[[int], Any],
    task,
    config: TrainConfig,
    accept: Callable[[Any], bool],
    seed: int | None = None,
    steps: int | None = None,
    run_dir: Path | None = None,
    progress: bool = True,
    desc: str = "train",
    prune_if: Callable[[Any], bool] = lambda model: True,
) -> TrainedAndPruned:
    """Sparsified training of `init(seed)` on `task` (`crnzoo.train.train` with `config`,
    its `seed` and `steps` unless given), then `prune` at `config.k_min` while `accept`
    holds — only when `prune_if(trained model)`."""
    config = dataclasses.replace(config, seed=config.seed if seed is None else int(seed), steps=config.steps if steps is None else int(steps))
    model, history = train(init(config.seed), task, config, run_dir=run_dir, progress=progress, desc=desc)
    model = model.with_sparsity(config.k_min)
    before = model.reaction_count(config.k_min)
    removed: list[str] = []
    if prune_if(model):
        model, removed = prune(model, accept, config.k_min, print if progress else None)
    return TrainedAndPruned(model, config, history, before, removed)
