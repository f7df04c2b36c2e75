"""Fine-tuning recipe shared by the sparsified catalytic families (gates, seven-segment decoder).

`tune_and_prune` starts from the PRETRAINED model (never from scratch), trains it with the
entry's sparsified settings on the new target, keeps the result only when the new target's
check (`accept`) holds, then prunes reactions the check does not need (`crnzoo.pruning`).
When the check fails it restarts from the pretrained point with the next seed (another batch
order) and its logits jittered by `jitter` (standard normal noise times `jitter`), up to
`restarts` attempts; the attempt with the lowest final loss is returned when none passes.
With `check_every`, an attempt stops at the first multiple of that many steps whose model
passes the check (`_train_until`): fine-tuning takes the steps it needs, up to `steps`.
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


def _train_until(start, task, cfg: TrainConfig, accept, check_every: int | None, progress: bool, desc: str):
    """Train `start` for `cfg.steps` steps; with `check_every` (and a constant learning rate),
    in chunks of that many steps, stopping at the first chunk whose sparsified model `accept`s.
    The chunks resume one run (`train`'s run directory: the same Adam state and batches), so a
    run that never stops early is the unchunked run. Returns `(sparsified model, history, accepted)`."""
    if not check_every or cfg.lr_end is not None or check_every >= cfg.steps:
        tuned, history = train(start, task, cfg, progress=progress, desc=desc)
        tuned = tuned.with_sparsity(cfg.k_min)
        return tuned, history, bool(accept(tuned))
    import tempfile

    with tempfile.TemporaryDirectory(prefix="crnzoo-finetune-") as run_dir:
        done = 0
        while True:
            done = min(done + int(check_every), cfg.steps)
            tuned, history = train(start, task, dataclasses.replace(cfg, steps=done, checkpoint_every=int(check_every)), run_dir=run_dir, progress=progress, desc=desc)
            tuned = tuned.with_sparsity(cfg.k_min)
            ok = bool(accept(tuned))
            if ok or done >= cfg.steps:
                return tuned, history, ok


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
    check_every: int | None = None,
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
            tuned, history, ok = _train_until(start, task, cfg, accept, check_every, progress, f"{desc} (attempt {attempt + 1})")
        except TrainingError as err:  # a diverged attempt counts as a failed one
            error = err
            continue
        final = float(np.mean(history.loss[-10:]))
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
        "steps": len(history.loss),
        **({"steps_budget": config.steps} if len(history.loss) < config.steps else {}),
        "attempts": attempt + 1,
        "kept_attempt": kept,
        "accepted": ok,
        "initial_loss": float(history.loss[0]),
        "final_loss": final,
        "reactions_after_training": int(before),
        "pruned": len(removed),
        "reactions_after_pruning": int(tuned.reaction_count(config.k_min)),
    }

