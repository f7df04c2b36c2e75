"""Many random initialisations trained as one module: the seed-stack trainer.

Training a small CRN from many random starts and shipping the best is how the learned
oscillators and waveforms are made (Mordvintsev et al. 2023 train 40 seeds per target).
Here the seeds run in one jitted, vmapped optimisation through `crnzoo.train.train`,
which is reused unchanged:

- `SeedStack`: S independent models of identical structure stacked on a leading axis; it
  implements the training hooks (`trainable`, `project`, `with_sparsity`, `regularisers`,
  `reaction_count`) member by member.
- `StackTask`: every member on the same batch of a `crnzoo.train.Task`; the loss is the
  mean of the members' losses. Each member's gradient is clipped to global norm
  `TrainConfig.clip` on its own (`clip_member_grad`), so seeds never couple (Adam is
  element-wise; the trainer's own global clip then never binds).
- `train_stack`: `crnzoo.train.train` on a stack with per-member clipping.
- `stack_of`, `simulate_members`: stack trained models again and solve them all at once
  (adaptive solves, for scoring every member); `spread`: the summary of a per-seed score.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from . import sharding
from .solve import integrate
from .solvers.config import SolverConfig
from .train import TrainConfig, train


@jax.custom_vjp
def clip_member_grad(tree, max_norm):
    """Identity forward; backward, the cotangent of `tree` is clipped to global norm `max_norm`."""
    return tree


def _clip_fwd(tree, max_norm):
    return tree, max_norm


def _clip_bwd(max_norm, g):
    leaves = jax.tree_util.tree_leaves(g)
    norm = jnp.sqrt(sum(jnp.sum(x**2) for x in leaves))
    scale = jnp.minimum(1.0, max_norm / jnp.maximum(norm, 1e-30))
    return jax.tree_util.tree_map(lambda x: x * scale, g), jnp.zeros_like(max_norm)


clip_member_grad.defvjp(_clip_fwd, _clip_bwd)


class SeedStack(eqx.Module):
    """`size` independent models (identical structure) stacked on a leading axis.

    Implements the training hooks `crnzoo.train.train` calls, each member by member
    (`project`, `with_sparsity`, regularisers as the mean over members), so one call of
    `train` optimises every seed at once.
    """

    models: eqx.Module

    @classmethod
    def init(cls, make: Callable[[jax.Array], eqx.Module], key: jax.Array, size: int) -> "SeedStack":
        """Member i is `make(k_i)` with `k_i` the i-th key of `jax.random.split(key, size)`."""
        return cls(sharding.shard_batch(eqx.filter_vmap(make)(jax.random.split(key, size))))  # seeds over the local devices

    @property
    def size(self) -> int:
        return int(jax.tree_util.tree_leaves(self.models)[0].shape[0])

    def member(self, i: int):
        """Member `i` as an ordinary (unstacked) model."""
        return jax.tree_util.tree_map(lambda x: x[i] if eqx.is_array(x) else x, self.models)

    def members(self) -> list:
        return [self.member(i) for i in range(self.size)]

    def trainable(self):
        return SeedStack(self.models.trainable())

    def project(self) -> "SeedStack":
        return SeedStack(eqx.filter_vmap(lambda m: m.project())(self.models))

    def with_sparsity(self, k_min: float, straight_through: bool = True) -> "SeedStack":
        return SeedStack(eqx.filter_vmap(lambda m: m.with_sparsity(k_min, straight_through))(self.models))

    def regularisers(self) -> dict:
        regs = eqx.filter_vmap(lambda m: m.regularisers())(self.models)
        return {k: jnp.mean(v) for k, v in regs.items()}

    def reaction_count(self, k_min: float = 0.0) -> int:
        """Median over members (shown on the progress bar)."""
        return int(np.median([m.reaction_count(k_min) for m in self.members()]))


@dataclasses.dataclass(frozen=True, eq=False)
class StackTask:
    """Every member of a `SeedStack` on the same batch of `task`; loss = mean over members.

    Each member's gradient is clipped to global norm `clip` separately (the mean divides
    by the member count, so the clip threshold is divided by it too).
    """

    task: object
    clip: float = 1.0

    def batch(self, key, size):
        return self.task.batch(key, size)

    def loss(self, stack: SeedStack, batch):
        n = stack.size

        def one(model):
            diff, static = eqx.partition(model, eqx.is_inexact_array)
            diff = clip_member_grad(diff, jnp.asarray(self.clip / n))
            return self.task.loss(eqx.combine(diff, static), batch)

        losses, aux = eqx.filter_vmap(one)(stack.models)
        return jnp.mean(losses), {"ok": jnp.all(aux["ok"]), "worst": jnp.max(losses), "best": jnp.min(losses)}


def train_stack(stack: SeedStack, task, config: TrainConfig, run_dir=None, progress: bool = True, desc: str = "train"):
    """`crnzoo.train.train` on a `SeedStack` with per-member clipping at `config.clip`."""
    return train(stack, StackTask(task, config.clip), config, run_dir=run_dir, progress=progress, desc=desc)


def stack_of(models: list) -> eqx.Module:
    """Models of identical structure stacked on a leading axis (the inverse of `SeedStack.members`)."""
    arrays = [eqx.filter(m, eqx.is_array) for m in models]
    static = eqx.partition(models[0], eqx.is_array)[1]
    return eqx.combine(jax.tree_util.tree_map(lambda *xs: jnp.stack(xs), *arrays), static)


def simulate_members(models, ts, solver: SolverConfig, index: int | None = None, values=None):
    """Adaptive solves of stacked models (one vmapped solve) at times `ts`.

    Each member starts from its own `x0`; with `index`/`values`, one run per value with
    species `index` set to it. Returns `ys` of shape (S, T, B, N) and per-member success.
    """
    vals = None if values is None else jnp.asarray(values, dtype=jnp.float64)

    def one(m):
        y0 = m.x0[None]
        if vals is not None:
            y0 = jnp.broadcast_to(m.x0, (vals.shape[0], m.x0.shape[0])).at[:, index].set(vals)
        ys, _, ok, *_ = integrate(m, y0, jnp.asarray(ts), jnp.asarray(float(ts[0])), solver)
        return ys, ok

    ys, ok = eqx.filter_vmap(one)(models)
    return np.asarray(ys), np.asarray(ok)


def spread(values) -> dict:
    """`{"median", "min", "max"}` of a per-seed score."""
    v = np.asarray(values, dtype=float)
    return {"median": float(np.median(v)), "min": float(np.min(v)), "max": float(np.max(v))}
