"""Weight matrices of the winner-take-all classifiers: the average digit, pruning, and gradient
training through the simulated network (`WeightTrainConfig`, `train`).

A weight matrix w is 100 × 3 (pixels × classes), dimensionless and ≥ 0; the network holds it
as W = 100·w nM (`crnzoo.crn.wta_mnist`).
"""

from __future__ import annotations

import dataclasses
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
from tqdm import tqdm

from ..crn.indexed import IndexedCRN
from ..crn.wta_mnist import N_CLASSES, N_PIXELS, RESTORATION, initial_states, with_weights, wta_crn
from ..solve import integrate
from ..solvers.config import SolverConfig
from ._wta_mnist_data import Dataset

T_END = 10.0  # hours: the class is read at 10 h


def average_digit(images, labels) -> np.ndarray:
    """Per-class mean image, each column normalised to sum 1 (100 × 3)."""
    w = np.stack([np.asarray(images)[np.asarray(labels) == c].mean(axis=0) for c in range(N_CLASSES)], axis=1)
    return w / w.sum(axis=0, keepdims=True)


def keep_largest(w, keep: int) -> np.ndarray:
    """The mask (0/1, like `w`) of the `keep` largest non-zero weights per class (column)."""
    w = np.asarray(w)
    mask = np.zeros_like(w)
    for c in range(w.shape[1]):
        mask[np.argsort(-w[:, c], kind="stable")[:keep], c] = 1.0
    return mask * (w > 0)


def pruned(w, keep: int = 20) -> np.ndarray:
    """Keep the `keep` largest weights per class (column), renormalised to sum 1."""
    w = np.asarray(w, dtype=np.float64)
    out = w * keep_largest(w, keep)
    return out / out.sum(axis=0, keepdims=True)


def project(w, normalise: bool, mask=None):
    """ReLU projection (and column normalisation); `mask` zeroes weights outside a support."""
    w = jax.nn.relu(w)
    if mask is not None:
        w = w * mask
    if normalise:
        w = w / jnp.maximum(w.sum(axis=0, keepdims=True), 1e-12)
    return w


@dataclasses.dataclass(frozen=True)
class WeightTrainConfig:
    """Gradient training of a weight matrix through the ICRN simulated to `horizon` hours
    (written on the trained cards as `training.config`).

    `loss`: "sup" (−mean(F_correct − Σ F_wrong), then ReLU projection and column
    normalisation after every step) or "accreg" (mean cross-entropy of softmax(F / f_scale)
    + reg·Σ√w, ReLU projection only). Adam on w (learning rate `lr`, no gradient clipping);
    every training solve is an adaptive `DiagonalRosenbrock` solve at `rtol`/`atol` (nM) to
    `horizon` hours, differentiated by recursive checkpointing; minibatches of `batch` images
    drawn with `seed`, `epochs` passes over the training set. `prune`: after training,
    `(keep, epochs)` stages: keep only the `keep` largest weights per class, then train
    `epochs` more epochs on that support without the regulariser. `init`: "uniform" (1/100)
    or "average" (the average digit).
    """

    loss: str = "sup"
    horizon: float = T_END
    rtol: float = 1e-3
    atol: float = 1e-2
    epochs: int = 2
    batch: int = 500
    lr: float = 1e-3
    reg: float = 0.0
    f_scale: float = 1.0
    init: str = "uniform"
    prune: tuple = ()
    seed: int = 0

    def __post_init__(self):
        if self.loss not in ("sup", "accreg"):
            raise ValueError(f"unknown loss {self.loss!r}; choose 'sup' or 'accreg'")
        if self.init not in ("uniform", "average"):
            raise ValueError(f"unknown init {self.init!r}; choose 'uniform' or 'average'")

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def solver(self) -> SolverConfig:
        """The training solves' settings (at most 20,000 steps each)."""
        return SolverConfig("rosenbrock", rtol=self.rtol, atol=self.atol, max_steps=20_000)

    def initial_weights(self, data: Dataset) -> np.ndarray:
        """The weight matrix training starts from (`init`)."""
        if self.init == "average":
            return average_digit(data.train_x, data.train_y)
        return np.full((N_PIXELS, N_CLASSES), 1.0 / N_PIXELS)


def f_at(crn: IndexedCRN, w, images, horizon: float, solver: SolverConfig):
    """F (B, 3) in nM at `horizon` hours for weights `w` (differentiable in w) and a success flag."""
    m = with_weights(crn, w)
    _, y1, ok, _, _, _ = integrate(m, initial_states(crn, images, w), jnp.asarray([0.0, horizon]), jnp.asarray(0.0), solver)
    return m.unpack(y1)["F"], ok


def train(data: Dataset, config: WeightTrainConfig, restoration: str = RESTORATION, progress: bool = True):
    """Train a weight matrix; returns (w, history of per-epoch dicts).

    A step whose solve fails keeps the previous weights (counted as `failed_solves`).
    """
    rng = np.random.default_rng(config.seed)
    n = len(data.train_y)
    w = jnp.asarray(config.initial_weights(data))
    crn = wta_crn(np.asarray(w), restoration)
    normalise = config.loss == "sup"
    solver = config.solver()
    opt = optax.adam(config.lr)

    def loss_fn(w, x, y, reg):
        F, ok = f_at(crn, w, x, config.horizon, solver)
        onehot = jax.nn.one_hot(y, N_CLASSES)
        if config.loss == "sup":
            main = -jnp.mean(jnp.sum(F * (2 * onehot - 1), axis=1))
        else:
            main = -jnp.mean(jnp.sum(onehot * jax.nn.log_softmax(F / config.f_scale, axis=1), axis=1))
            main = main + reg * jnp.sum(jnp.sqrt(jnp.abs(w) + 1e-8))
        return main, ok

    @jax.jit
    def update(w, state, x, y, reg, mask):
        (l, ok), g = jax.value_and_grad(loss_fn, has_aux=True)(w, x, y, reg)
        upd, state = opt.update(g, state, w)
        w2 = project(optax.apply_updates(w, upd), normalise, mask)
        return jnp.where(ok, w2, w), state, l, ok

    steps = max(n // config.batch, 1)
    history = []
    started = time.perf_counter()
    total = (config.epochs + sum(e for _, e in config.prune)) * steps
    bar = tqdm(total=total, disable=not progress, desc=f"wta-mnist {config.loss}")
    phases = [("train", config.epochs, config.reg, 0)] + [(f"keep {k}", e, 0.0, k) for k, e in config.prune]
    mask = jnp.ones((N_PIXELS, N_CLASSES))
    for phase, epochs, reg, keep in phases:
        if keep:
            mask = jnp.asarray(keep_largest(w, keep))
            w = project(w, normalise, mask)
        state = opt.init(w)
        for epoch in range(epochs):
            perm = rng.permutation(n)
            losses, failed = [], 0
            for s in range(steps):
                idx = perm[s * config.batch : (s + 1) * config.batch]
                w, state, l, ok = update(w, state, jnp.asarray(data.train_x[idx]), jnp.asarray(data.train_y[idx]), reg, mask)
                losses.append(float(l))
                failed += int(not bool(ok))
                bar.update(1)
                bar.set_postfix(loss=f"{float(l):.4g}", nonzero=int(jnp.sum(w > 0)))
            history.append(
                {
                    "phase": phase,
                    "epoch": epoch + 1,
                    "mean_loss": float(np.mean(losses)),
                    "failed_solves": failed,
                    "nonzero": int(jnp.sum(w > 0)),
                    "wall_s": round(time.perf_counter() - started, 1),
                }
            )
    bar.close()
    w = np.asarray(project(w, normalise, mask))
    return w, history
