"""The generic trainer: Optax, mini-batches, sparsified training, resumable Orbax checkpoints.

A `Task` supplies batches and a loss. `train(model, task, config)` runs Adam with
global-norm gradient clipping on the model's trainable leaves (`model.trainable()`),
adds the paper's sparsity regularisers with per-task weights, supports both
sparsified-training variants of Mordvintsev et al. (§2.1):

- `"straight_through"`: the forward pass uses T + stop_gradient(T^kmin − T);
- `"sum"`: the loss is Loss(T) + Loss(T^kmin);

projects the parameters back onto their constraints after each step (`model.project()`),
shows a progress bar with the loss and the reaction count at `k_min`, and saves an Orbax
checkpoint every `checkpoint_every` steps to `run_dir` so an interrupted run resumes.
A step that produces a NaN loss or a failed solve stops the run with `TrainingError`,
keeping the last good checkpoint. `finetune` is `train` starting from a trained model.
"""

from __future__ import annotations

import dataclasses
import math
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

import equinox as eqx
import jax
import jax.numpy as jnp
import optax


class TrainingError(RuntimeError):
    """Training produced a NaN loss or a failed solve; the last good state was kept."""


class Task(Protocol):
    """What a model is trained on.

    - `batch(key, size)`: a mini-batch (any pytree of arrays) drawn with PRNG `key`.
    - `loss(model, batch)`: `(scalar loss, aux)`, where `aux` is a dict of scalars that
      holds `"ok"` (False when a solve failed) and anything worth logging.
    """

    def batch(self, key: jax.Array, size: int) -> Any: ...

    def loss(self, model, batch) -> tuple[jax.Array, Mapping[str, jax.Array]]: ...


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """Optimisation settings (written on every trained model's card).

    - `steps`, `batch_size`, `lr` (Adam), `clip` (global gradient norm), `seed`.
    - `sparsify`: None, `"straight_through"` or `"sum"`; `k_min`: its threshold.
    - `reg`: regulariser weights, keys of `model.regularisers()` (`l1`, `entropy`, `energy`).
    - `checkpoint_every`: steps between resumable checkpoints (when a `run_dir` is given).
    - `lr_end`: final learning rate of a cosine decay (None keeps `lr` constant).
    """

    steps: int = 2000
    batch_size: int = 64
    lr: float = 1e-2
    lr_end: float | None = None
    clip: float = 1.0
    seed: int = 0
    sparsify: str | None = None
    k_min: float = 0.0
    reg: Mapping[str, float] = dataclasses.field(default_factory=dict)
    checkpoint_every: int = 200

    def __post_init__(self):
        if self.sparsify not in (None, "straight_through", "sum"):
            raise ValueError(f"sparsify must be None, 'straight_through' or 'sum', got {self.sparsify!r}")
        if self.steps < 0 or self.batch_size < 1 or not self.lr > 0:
            raise ValueError("steps >= 0, batch_size >= 1 and lr > 0 are required")
        object.__setattr__(self, "reg", dict(self.reg))

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def optimizer(self) -> optax.GradientTransformation:
        schedule = self.lr if self.lr_end is None else optax.cosine_decay_schedule(self.lr, max(self.steps, 1), self.lr_end / self.lr)
        return optax.chain(optax.clip_by_global_norm(self.clip), optax.adam(schedule))


@dataclasses.dataclass
class History:
    """Per-step losses (every step) and reaction counts (at each progress update)."""

    loss: list[float] = dataclasses.field(default_factory=list)
    reactions: list[tuple[int, int]] = dataclasses.field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {"loss": self.loss, "reactions": [list(r) for r in self.reactions], "seconds": self.seconds}

    @classmethod
    def from_dict(cls, d: Mapping) -> "History":
        return cls(list(d["loss"]), [tuple(r) for r in d["reactions"]], float(d["seconds"]))


def _objective(config: TrainConfig, task: Task, static):
    def total(diff, batch):
        model = eqx.combine(diff, static)
        if config.sparsify == "straight_through":
            loss, aux = task.loss(model.with_sparsity(config.k_min, straight_through=True), batch)
        else:
            loss, aux = task.loss(model, batch)
            if config.sparsify == "sum":
                loss_s, aux_s = task.loss(model.with_sparsity(config.k_min, straight_through=False), batch)
                loss = loss + loss_s
                aux = {**aux, "ok": jnp.logical_and(aux["ok"], aux_s["ok"])}
        regs = model.regularisers()
        unknown = set(config.reg) - set(regs)
        if unknown:
            raise ValueError(f"unknown regularisers {sorted(unknown)}; this model has {sorted(regs)}")
        reg = sum((w * regs[k] for k, w in config.reg.items()), jnp.zeros(()))
        return loss + reg, {**aux, "task_loss": loss}

    return total


def train(
    model,
    task: Task,
    config: TrainConfig = TrainConfig(),
    run_dir: str | Path | None = None,
    progress: bool = True,
    desc: str = "train",
):
    """Train `model` on `task`; returns `(model, history)`.

    With `run_dir`, resumable checkpoints are written there and a run found there resumes
    from its last step (same configuration; with a constant learning rate a finished run
    may also be extended to more `steps`).
    """
    opt = config.optimizer()
    spec = model.trainable()
    diff, static = eqx.partition(model, spec)
    opt_state = opt.init(diff)
    history, start = History(), 0
    manager = _manager(run_dir) if run_dir else None
    if manager is not None and manager.latest_step() is not None:
        diff, opt_state, history, start = _restore(manager, diff, opt_state, config)
    total = _objective(config, task, static)

    @eqx.filter_jit
    def step(diff, opt_state, key):
        batch = task.batch(key, config.batch_size)
        (value, aux), grads = eqx.filter_value_and_grad(total, has_aux=True)(diff, batch)
        updates, opt_state = opt.update(grads, opt_state, diff)
        new = eqx.combine(eqx.apply_updates(diff, updates), static).project()
        new_diff, _ = eqx.partition(new, spec)
        finite = jnp.isfinite(value) & jnp.all(jnp.asarray([jnp.all(jnp.isfinite(g)) for g in jax.tree_util.tree_leaves(grads)]))
        return new_diff, opt_state, value, aux, finite

    key0 = jax.random.PRNGKey(config.seed)
    started = time.perf_counter() - history.seconds
    from tqdm import tqdm

    bar = tqdm(range(start, config.steps), initial=start, total=config.steps, desc=desc, disable=not progress, file=sys.stderr, dynamic_ncols=True)
    refresh = max(1, config.steps // 100)
    for i in bar:
        new_diff, new_state, value, aux, finite = step(diff, opt_state, jax.random.fold_in(key0, i))
        value = float(value)
        if not bool(finite) or not bool(aux["ok"]) or not math.isfinite(value):
            what = "a solve failed" if not bool(aux["ok"]) else "the loss or its gradient is NaN/inf"
            where = f"; the last good checkpoint is in {run_dir}" if manager is not None and manager.latest_step() is not None else ""
            raise TrainingError(f"training stopped at step {i}: {what}{where}")
        diff, opt_state = new_diff, new_state
        history.loss.append(value)
        if i % refresh == 0 or i == config.steps - 1:
            m = eqx.combine(diff, static)
            n = m.reaction_count(config.k_min) if config.k_min > 0 else m.reaction_count(0.0)
            history.reactions.append((i, n))
            bar.set_postfix(loss=f"{float(aux['task_loss']):.3e}", reactions=n)
        if manager is not None and ((i + 1) % config.checkpoint_every == 0 or i == config.steps - 1):
            history.seconds = time.perf_counter() - started
            _save(manager, i + 1, diff, opt_state, history, config)
    history.seconds = time.perf_counter() - started
    if manager is not None:
        manager.wait_until_finished()
        manager.close()
    return eqx.combine(diff, static), history


def finetune(model, task: Task, steps: int = 500, **overrides):
    """Continue training a (pretrained) `model` on a new `task`; returns `(model, history)`.

    `overrides` are `TrainConfig` fields (e.g. `lr=3e-3`, `sparsify="straight_through"`)
    or `run_dir` / `progress`.
    """
    run = {k: overrides.pop(k) for k in ("run_dir", "progress", "desc") if k in overrides}
    config = TrainConfig(steps=steps, **overrides)
    return train(model, task, config, **run)


# ---- resumable checkpoints ---------------------------------------------------------------------


def _manager(run_dir):
    import orbax.checkpoint as ocp

    path = Path(run_dir).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return ocp.CheckpointManager(path, options=ocp.CheckpointManagerOptions(max_to_keep=2, create=True))


def _save(manager, step, diff, opt_state, history, config):
    import orbax.checkpoint as ocp

    manager.save(
        step,
        args=ocp.args.Composite(
            params=ocp.args.StandardSave(diff),
            opt_state=ocp.args.StandardSave(opt_state),
            meta=ocp.args.JsonSave({"step": step, "history": history.to_dict(), "config": _jsonable(config.to_dict())}),
        ),
    )
    manager.wait_until_finished()


def _restore(manager, diff, opt_state, config):
    import warnings

    import orbax.checkpoint as ocp

    step = manager.latest_step()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = manager.restore(
            step,
            args=ocp.args.Composite(
                params=ocp.args.StandardRestore(diff),
                opt_state=ocp.args.StandardRestore(opt_state),
                meta=ocp.args.JsonRestore(),
            ),
        )
    if _resume_key(r.meta["config"]) != _resume_key(_jsonable(config.to_dict())):
        raise TrainingError(
            f"the run in {manager.directory} was started with another configuration; use a new run_dir or the same settings"
        )
    return r.params, r.opt_state, History.from_dict(r.meta["history"]), int(r.meta["step"])


def _resume_key(config: dict) -> dict:
    """What must agree to resume: everything but `steps` (a run may be extended) unless the
    learning-rate schedule depends on it, and `checkpoint_every`."""
    skip = {"checkpoint_every"} | ({"steps"} if config.get("lr_end") is None else set())
    return {k: v for k, v in config.items() if k not in skip}


def _jsonable(d):
    import json

    return json.loads(json.dumps(d))
