"""Fine-tuning recipe shared by the sparsified catalytic families (gates, seven-segment decoder).

`tune_and_prune` starts from the PRETRAINED model (never from scratch), trains it with the
entry's sparsified settings on the new target, keeps the result only when the new target's
check (`accept`) holds, then prunes reactions the check does not need (`crnzoo.pruning`).
When the check fails it restarts from the pretrained point with the next seed (another batch
order) and its logits jittered by `jitter` (standard normal noise times `jitter`), up to
`restarts` attempts; the attempt with the lowest final loss is returned when none passes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import equinox as eqx
import jax
import numpy as np

from ..pruning import prune
from ..train import TrainConfig, TrainingError, train


def jittered(model, seed: int, jitter: float):
    """`model` with its logits plus `jitter` · N(0, 1) noise drawn with PRNG `seed` (0: unchanged)."""
    if not jitter:
        return model
    noise = jax.random.normal(jax.random.PRNGKey(seed), model.logits.shape, dtype=model.logits.dtype)
    return eqx.tree_at(lambda m: m.logits, model, model.logits + jitter * noise)


def tune_and_prune(
    model,
    task,
    config: TrainConfig,
    accept: Callable[[Any], bool],
    steps: int | None = None,
    seed: int = 0,
    lr: float | None = None,
    restarts: int = 3,
    jitter: float = 0.5,
    progress: bool = True,
    desc: str = "finetune",
) -> tuple[Any, dict]:
    """Sparsified training of the pretrained `model` on `task` with `config` (with `steps`,
    `seed` and `lr` where given), accepted by `accept`, then pruned at `config.k_min`; restarts as the
    module says. Returns `(model, card fields)`: `steps` (per attempt), `attempts` (run), `kept_attempt`, `accepted`,
    `initial_loss`, `final_loss` (mean of the last 10 steps of the kept attempt),
    `reactions_after_training`, `pruned`."""
    config = dataclasses.replace(config, steps=int(steps or config.steps), seed=int(seed), lr=float(lr or config.lr))
    best, error = None, None
    for attempt in range(max(1, int(restarts))):
        cfg = dataclasses.replace(config, seed=config.seed + attempt)
        start = jittered(model, 1000 + cfg.seed, jitter if attempt else 0.0)
        try:
            tuned, history = train(start, task, cfg, progress=progress, desc=f"{desc} (attempt {attempt + 1})")
        except TrainingError as err:  # a diverged attempt counts as a failed one
            error = err
            continue
        tuned = tuned.with_sparsity(cfg.k_min)
        final = float(np.mean(history.loss[-10:]))
        ok = bool(accept(tuned))
        if best is None or ok or final < best[2]:
            best = (tuned, history, final, ok, attempt + 1)
        if ok:
            break
    if best is None:
        raise error
    tuned, history, final, ok, kept = best
    before = tuned.reaction_count(config.k_min)
    removed: list[str] = []
    if ok:
        tuned, removed = prune(tuned, accept, config.k_min, print if progress else None)
    return tuned, {
        "steps": config.steps,
        "attempts": attempt + 1,
        "kept_attempt": kept,
        "accepted": ok,
        "initial_loss": float(history.loss[0]),
        "final_loss": final,
        "reactions_after_training": int(before),
        "pruned": len(removed),
        "reactions_after_pruning": int(tuned.reaction_count(config.k_min)),
    }

