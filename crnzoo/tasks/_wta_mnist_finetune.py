"""Fine-tuning a `wta-mnist-*` classifier on a user's classes.

Targets (the command line's `--target`):

- `classes=7,9` (or `7,9`): a subset (2 or 3 digits, in the order given) of the shared MNIST
  7/8/9 set (`_wta_mnist_data.load_mnist789`: 5,000 training and 900 test images per digit);
- a `.npz` file of the user's own images: `images` (B, H, W) and `labels` (B,) with 2 or 3
  distinct labels (the network has 3 output classes), optionally `test_images` /
  `test_labels` (otherwise a fixed split: `np.random.default_rng(0)` permutes the images,
  the last 30 % are the test set). Images of shape (B, 10, 10) or (B, 100) with values 0/1
  are the network's input as they are; any other (B, H, W) image goes through the shared
  MNIST pipeline (scaled to uint8, 12×12 bicubic resize, top-20 pixels, central 10×10).
  The labels' sorted values are classes 0, 1(, 2); with two classes the third output's
  weights are 0 and it never wins.

Fine-tuning (`tune`): the starting weights are the pretrained ones where they mean
something — for a subset of 7/8/9, the base entry's columns for those digits — and otherwise
(new digits) the average training digit of each new class (the `wta-mnist-avg` recipe),
pruned to the base entry's support size (`keep` per class) when the entry is sparse. Then
`steps` Adam steps through the full network (adaptive DiagonalRosenbrock to 10 h, rtol 1e-3,
batches of `BATCH` images) with the entry's loss (superiority, with column normalisation;
or, for the accreg entry, cross-entropy on softmax(F / 10 nM)), ReLU-projected and kept on
the starting support.

Scored (`ClassSubsetTask`) as the cards are, on the held-out test images: Sim Acc (argmax of
F over the target's classes at 10 h, full CRN simulation; fast: the first 600 at rtol 1e-4),
WTA Acc, mean SUP, non-zero weights, and `sim_acc_average_digit`, the Sim Acc of a freshly
computed average-digit matrix for the same classes (the baseline beside it). Promise: Sim Acc
≥ `accuracy` (a `,accuracy=0.9` suffix; default 0.8).
"""

from __future__ import annotations

import dataclasses
import re
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax

from ..crn.wta_mnist import N_CLASSES, N_PIXELS, weights_of, wta_crn
from ._wta_mnist_data import DIGITS, Dataset, binarise, load_mnist789
from ._wta_mnist_train import T_END, average_digit, f_at, keep_largest, project
from .base import ZooTask

BATCH = 100
DEFAULT_STEPS = 10
DEFAULT_ACCURACY = 0.8
FAST_IMAGES = 600


def _network_input(images) -> np.ndarray:
    """Binary (B, 100) network inputs from a user's images (see the module)."""
    x = np.asarray(images)
    if x.ndim == 2 and x.shape[1] == N_PIXELS or x.ndim == 3 and x.shape[1:] == (10, 10):
        x = x.reshape(len(x), N_PIXELS).astype(np.float64)
        if not np.all((x == 0) | (x == 1)):
            raise ValueError("10×10 images are taken as the network's binary input: their values must be 0 or 1")
        return x
    if x.ndim != 3 or min(x.shape[1:]) < 4:
        raise ValueError(f"images must have shape (count, height, width); got {x.shape}")
    x = x.astype(np.float64)
    if not np.all(np.isfinite(x)) or x.min() < 0:
        raise ValueError("image values must be finite and >= 0")
    top = x.reshape(len(x), -1).max(axis=1)
    u8 = np.round(255.0 * x / np.maximum(top, 1e-12)[:, None, None]).astype(np.uint8)
    return binarise(u8)


def parse(spec) -> tuple[str, tuple, float]:
    """("mnist", digits, accuracy) or ("npz", path, accuracy); ValueError naming what is wrong."""
    text = str(spec).strip()
    accuracy = DEFAULT_ACCURACY
    m = re.fullmatch(r"(.*?),accuracy=([0-9.eE+-]+)", text.replace(" ", ""))
    if m:
        text = m.group(1)
        try:
            accuracy = float(m.group(2))
        except ValueError:
            accuracy = float("nan")
        if not 0 < accuracy <= 1:
            raise ValueError(f"accuracy must be in (0, 1]; got {m.group(2)!r}")
    if text.lower().endswith(".npz") or Path(text).is_file():
        if not Path(text).is_file():
            raise ValueError(f"{text}: no such .npz file")
        return "npz", text, accuracy
    m = re.fullmatch(r"(?:classes=)?([0-9](?:,[0-9])+)", text.replace(" ", "").lower())
    if not m:
        raise ValueError(f"a wta-mnist target is classes=D1,D2[,D3] (digits of the shared MNIST 7/8/9) or a .npz of images and labels; got {spec!r}")
    digits = tuple(int(d) for d in m.group(1).split(","))
    if len(set(digits)) != len(digits) or not set(digits) <= set(DIGITS):
        raise ValueError(f"classes {digits}: the shared MNIST holds the digits 7, 8, 9 only (2 or 3 distinct ones), or give a .npz of your own")
    return "mnist", digits, accuracy


def load_npz(path) -> tuple[Dataset, tuple]:
    """The user's data set and its class labels (sorted)."""
    try:
        with np.load(path, allow_pickle=False) as d:
            arrays = {k: d[k] for k in d.files}
    except (OSError, ValueError) as err:
        raise ValueError(f"{path}: not a readable .npz ({err})") from None
    for key in ("images", "labels"):
        if key not in arrays:
            raise ValueError(f"{path}: missing array {key!r} (it needs images and labels; test_images/test_labels optional)")
    x, y = _network_input(arrays["images"]), np.asarray(arrays["labels"]).reshape(-1)
    if len(y) != len(x):
        raise ValueError(f"{path}: {len(x)} images but {len(y)} labels")
    classes = tuple(int(c) for c in np.unique(y))
    if not 2 <= len(classes) <= N_CLASSES:
        raise ValueError(f"{path}: the labels hold {len(classes)} classes; the network has {N_CLASSES} outputs (2 or 3 classes)")
    if "test_images" in arrays and "test_labels" in arrays:
        tx, ty = _network_input(arrays["test_images"]), np.asarray(arrays["test_labels"]).reshape(-1)
        if set(np.unique(ty)) - set(classes):
            raise ValueError(f"{path}: test_labels hold classes absent from labels")
    else:
        p = np.random.default_rng(0).permutation(len(y))
        cut = int(round(0.7 * len(y)))
        x, y, tx, ty = x[p[:cut]], y[p[:cut]], x[p[cut:]], y[p[cut:]]
    index = {c: i for i, c in enumerate(classes)}
    relabel = np.vectorize(index.__getitem__)
    return Dataset(x, relabel(y), tx, relabel(ty), str(path)), classes


def subset(data: Dataset, digits) -> Dataset:
    """The shared 7/8/9 set restricted to `digits`, relabelled 0, 1(, 2) in that order."""
    cols = [DIGITS.index(d) for d in digits]

    def pick(x, y):
        keep = np.isin(y, cols)
        return x[keep], np.array([cols.index(v) for v in y[keep]])

    return Dataset(*pick(data.train_x, data.train_y), *pick(data.test_x, data.test_y), data.source + f" digits {digits}")


def padded_average(data: Dataset, k: int) -> np.ndarray:
    """The average-digit matrix of `k` classes in the first k columns, zeros after."""
    w = np.stack([data.train_x[data.train_y == c].mean(axis=0) for c in range(k)], axis=1)
    w = w / np.maximum(w.sum(axis=0, keepdims=True), 1e-12)
    return np.concatenate([w, np.zeros((N_PIXELS, N_CLASSES - k))], axis=1)


class ClassSubsetTask(ZooTask):
    """A wta-mnist classifier on the target's classes (see the module)."""

    def __init__(self, spec, base: str, eval_solver, fast_solver, fluorescence, scores):
        self.kind, self.what, self.accuracy = parse(spec)
        self.base, self._solvers, self._fl, self._scores = base, (eval_solver, fast_solver), fluorescence, scores
        if self.kind == "npz":
            self._data, self.classes = load_npz(self.what)
            self.target_text = f"{Path(self.what).name} (classes {', '.join(map(str, self.classes))})"
        else:
            self._data, self.classes = None, self.what
            self.target_text = f"the MNIST digits {', '.join(map(str, self.classes))}"
        self.k = len(self.classes)
        self.target_name = f"DNA winner-take-all classifier of {', '.join(map(str, self.classes))}"
        n = "the held-out test images"
        self.metrics = {
            "sim_acc": (f"Sim Acc: fraction of {n} whose argmax F (over the {self.k} target classes) at 10 h is the label (full CRN simulation; --fast: the first {FAST_IMAGES} at rtol 1e-4)", None, f">= {self.accuracy:g}", 2e-3),
            "wta_acc": (f"WTA Acc: accuracy of the ideal winner-take-all argmax(x·w) on {n}", None, None, 1e-9),
            "mean_sup": ("mean SUP: F_correct − Σ F_wrong at 10 h in nM over the test images (--fast: the first 600)", None, None, 0.05),
            "nonzero_weights": ("non-zero entries of the 100 × 3 weight matrix", None, None, 0.0),
            "sim_acc_average_digit": ("Sim Acc, the same way, of a freshly computed average-digit matrix of the same classes (the baseline)", None, None, 2e-3),
            "test_images": ("held-out test images", None, None, 0.0),
        }

    def data(self) -> Dataset:
        if self._data is None:
            self._data = subset(load_mnist789(), self.what)
        return self._data

    def make(self):
        return wta_crn(padded_average(self.data(), self.k))

    def _sim_acc(self, crn, fast: bool):
        d = self.data()
        x, y = (d.test_x[:FAST_IMAGES], d.test_y[:FAST_IMAGES]) if fast else (d.test_x, d.test_y)
        F = self._fl(crn, x, solver=self._solvers[1 if fast else 0], chunk=min(len(x), 900))[:, : self.k]
        return F, y

    def evaluate(self, model, fast: bool = False) -> dict[str, float]:
        d = self.data()
        w = weights_of(model)
        F, y = self._sim_acc(model, fast)
        padded = np.concatenate([F, np.zeros((len(F), N_CLASSES - self.k))], axis=1)  # an unused output reads 0
        out = self._scores(padded, y, w[:, : self.k], d.test_x, d.test_y)
        Fa, _ = self._sim_acc(self.make(), fast)
        out["sim_acc_average_digit"] = float(np.mean(np.argmax(Fa, axis=1) == y))
        out["test_images"] = float(len(y))
        return out

    def start(self, model, keep: int | None) -> tuple[np.ndarray, str]:
        """Starting weights (see the module) and how they were chosen."""
        if self.kind == "mnist":
            w0 = weights_of(model)[:, [DIGITS.index(d) for d in self.classes]]
            w0 = np.concatenate([w0, np.zeros((N_PIXELS, N_CLASSES - self.k))], axis=1)
            return w0, f"the pretrained columns of digits {self.classes}"
        w0 = padded_average(self.data(), self.k)
        if keep:
            w0 = w0 * keep_largest(w0, keep)
            w0 = w0 / np.maximum(w0.sum(axis=0, keepdims=True), 1e-12)
        return w0, "the average training digit of each new class" + (f", its {keep} largest weights per class" if keep else "")

    def tune(self, model, steps: int, seed: int, lr, config, keep: int | None, progress: bool):
        """Adam through the network from `start` (see the module); returns (model, card fields)."""
        started = time.perf_counter()
        d = self.data()
        w0, how = self.start(model, keep)
        loss_kind = getattr(config, "loss", "sup")
        f_scale = getattr(config, "f_scale", 1.0)
        lr = float(lr or getattr(config, "lr", 1e-3))
        normalise = loss_kind == "sup"
        mask = jnp.asarray((w0 > 0).astype(np.float64))
        solver = dataclasses.replace(config.solver() if config is not None else _default_solver(), max_steps=20_000)
        crn = wta_crn(w0)
        k = self.k
        opt = optax.adam(lr)

        def loss_fn(w, x, y):
            F, ok = f_at(crn, w, x, T_END, solver)
            F = F[:, :k]
            onehot = jax.nn.one_hot(y, k)
            if loss_kind == "sup":
                return -jnp.mean(jnp.sum(F * (2 * onehot - 1), axis=1)), ok
            return -jnp.mean(jnp.sum(onehot * jax.nn.log_softmax(F / f_scale, axis=1), axis=1)), ok

        @jax.jit
        def update(w, state, x, y):
            (l, ok), g = jax.value_and_grad(loss_fn, has_aux=True)(w, x, y)
            upd, state = opt.update(g, state, w)
            w2 = project(optax.apply_updates(w, upd), normalise, mask)
            return jnp.where(ok, w2, w), state, l, ok

        rng = np.random.default_rng(seed)
        w, state = jnp.asarray(w0), opt.init(jnp.asarray(w0))
        losses, failed = [], 0
        for i in range(int(steps)):
            idx = rng.choice(len(d.train_y), size=min(BATCH, len(d.train_y)), replace=False)
            w, state, l, ok = update(w, state, jnp.asarray(d.train_x[idx]), jnp.asarray(d.train_y[idx]))
            losses.append(float(l))
            failed += int(not bool(ok))
            if progress:
                print(f"finetune step {i}: loss {float(l):.5g}", flush=True)
        w = np.asarray(w, dtype=np.float64)
        return wta_crn(w), {
            "steps": int(steps),
            "method": f"from {how}, Adam through the network ({loss_kind} loss)",
            "initial_loss": losses[0] if losses else None,
            "final_loss": losses[-1] if losses else None,
            "failed_solves": failed,
            "train_images": int(len(d.train_y)),
            "optimisation_s": round(time.perf_counter() - started, 1),
        }


def _default_solver():
    from ._wta_mnist_train import WeightTrainConfig

    return WeightTrainConfig().solver()
