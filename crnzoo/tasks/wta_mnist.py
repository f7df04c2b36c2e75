"""The DNA winner-take-all MNIST 7/8/9 classifiers: scoring, weight matrices, training, lab tables.

Lee, Buse, Winfree (DNA 31, 2025), §5.1 and appendix B, after Cherry & Qian (Nature 2018).
The network is `crnzoo.crn.wta_mnist` (nM, hours); the data pipeline is
`_wta_mnist_data` (binarised 10×10 digits 7, 8, 9 as classes 0, 1, 2); the weight
matrices and their gradient training are `_wta_mnist_train`.

A classifier is scored on the 2,700 test images, each simulated to 10 h with the adaptive
third-order `DiagonalRosenbrock3` (ROS34PW2, `SolverConfig("rosenbrock3")`, rtol 1e-8, atol
1e-7 nM, chunks of 900 images with one step controller each); its class is argmax F. That
setting is accurate: on the first test images its F differ from scipy LSODA at rtol 1e-10 by
1.4e-5 nM (`benchmarks/wta_accuracy.py`), where the second-order `DiagonalRosenbrock` at the same
tolerances (the previous card solver) was 2.2e-3 nM off and took six times longer, and the first
cards' setting (ROS2 at rtol 1e-5, atol 1e-4) about 1 nM (mean SUP 0.82 nM off, over the
metric's 0.05 nM tolerance). Training keeps its fast setting (rtol 1e-3,
`WeightTrainConfig`): it only needs gradients, and every figure is measured at this one.

- Sim Acc: the fraction classified correctly; mean SUP: F_correct − Σ F_wrong in nM;
- WTA Acc: the accuracy of the ideal winner-take-all argmax(x·w); the non-zero weights.

`fast` scoring simulates the same 2,700 images at rtol 1e-4 (atol 1e-3 nM): about five times
cheaper, and the same statistic (a subset is not: the first 600 images score 0.830 on
wta-mnist-avg, whose 2,700 score 0.8374 against a promise of 0.8324).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jax.numpy as jnp
import numpy as np

from ..crn.indexed import IndexedCRN
from ..crn.wta_mnist import N_CLASSES, W_SCALE, initial_states, weights_of, wta_crn
from ..data import data_path
from ..solve import simulate
from ..solvers.config import SolverConfig
from ._wta_mnist_data import DIGITS, load_mnist789
from ._wta_mnist_data import MNIST as MNIST
from ._wta_mnist_sparse import SparseSearchConfig, sparse_search
from ._wta_mnist_train import T_END, WeightTrainConfig, average_digit, pruned, train
from .base import ZooTask


EVAL_SOLVER = SolverConfig("rosenbrock3", rtol=1e-8, atol=1e-7, max_steps=200_000)  # nM-scale states: atol 1e-7 nM
FAST_SOLVER = dataclasses.replace(EVAL_SOLVER, rtol=1e-4, atol=1e-3)
EVAL_CHUNK = 900  # images per jointly solved system
WEIGHT_TABLE = "weights.csv"
RESTORATION_NOTE = "YF[k] (free index, as in the reference code; the paper's figures come from this form)"


def fluorescence(crn: IndexedCRN, images, t1: float = T_END, solver: SolverConfig = EVAL_SOLVER, chunk: int = EVAL_CHUNK) -> np.ndarray:
    """F (B, 3) in nM at `t1` hours for each image (B, 100), solved in chunks of `chunk` images."""
    traj = simulate(crn, np.array([0.0, t1]), initial_states(crn, images), solver=solver, chunk=chunk, name="wta-mnist")
    return np.asarray(crn.unpack(jnp.asarray(traj.final))["F"])


def sup(F, labels) -> np.ndarray:
    """Superiority per image: F_correct − Σ F_wrong (nM)."""
    F = np.asarray(F)
    onehot = np.eye(N_CLASSES)[np.asarray(labels)]
    return np.sum(F * (2 * onehot - 1), axis=1)


def wta_accuracy(w, images, labels) -> float:
    """Accuracy of the ideal winner-take-all: argmax of x·w."""
    return float(np.mean(np.argmax(np.asarray(images) @ np.asarray(w), axis=1) == np.asarray(labels)))


def scores(F, labels, w, images, image_labels) -> dict[str, float]:
    """The card metrics: Sim Acc and mean SUP of fluorescences `F` against `labels`, WTA Acc of
    weights `w` on `images` (labelled `image_labels`), and the number of non-zero weights."""
    return {
        "sim_acc": float(np.mean(np.argmax(F, axis=1) == np.asarray(labels))),
        "wta_acc": wta_accuracy(w, images, image_labels),
        "mean_sup": float(np.mean(sup(F, labels))),
        "nonzero_weights": float(np.count_nonzero(w > 0)),
    }


def weight_table(w, path=None, digits=DIGITS) -> str:
    """A CSV a lab can order strands from: one row per non-zero weight (pixel, row, column of the
    10×10 image, class digit, weight, W concentration in nM, weight-fuel XF share in nM)."""
    w = np.asarray(w, dtype=np.float64)
    lines = ["pixel,row,col,class_digit,weight,W_nM,XF_pixel_total_nM"]
    xf = 2.0 * W_SCALE * w.sum(axis=1)
    for i in range(w.shape[0]):
        for j in range(w.shape[1]):
            if w[i, j] > 0:
                lines.append(f"{i},{i // 10},{i % 10},{digits[j]},{w[i, j]:.8g},{W_SCALE * w[i, j]:.6g},{xf[i]:.6g}")
    text = "\n".join(lines) + "\n"
    if path is not None:
        Path(path).write_text(text)
    return text


def _metric_templates(paper: tuple, promises: Mapping[str, str], solver: SolverConfig = EVAL_SOLVER) -> dict[str, tuple]:
    sim, wta, mean_sup, nonzero = paper
    return {
        "sim_acc": (
            "Sim Acc: fraction of the 2,700 test images (900 per digit) whose argmax F at 10 h is the label "
            + f"(adaptive {'DiagonalRosenbrock3, ROS34PW2' if solver.solver == 'rosenbrock3' else 'DiagonalRosenbrock'}, rtol {solver.rtol:g}, "
            f"atol {solver.atol:g} nM; --fast: at rtol {FAST_SOLVER.rtol:g})",
            sim, promises.get("sim_acc"), 2e-3,
        ),
        "wta_acc": ("WTA Acc: accuracy of the ideal winner-take-all argmax(x·w) on the 2,700 test images", wta, promises.get("wta_acc"), 1e-9),
        "mean_sup": ("mean SUP: F_correct − Σ F_wrong at 10 h in nM, averaged over the test images (--fast: at the loose tolerance)", mean_sup, promises.get("mean_sup"), 0.05),
        "nonzero_weights": ("non-zero entries of the 100 × 3 weight matrix", nonzero, promises.get("nonzero_weights"), 0.0),
    }


class WtaMnistTask(ZooTask):
    """A winner-take-all MNIST 7/8/9 classifier entry `name`.

    - `paper`: the paper's (Sim Acc, WTA Acc, mean SUP, non-zero weights); `promises`: metric ->
      promise such as `">= 0.82"`.
    - The weight matrix: the average training digit, pruned to its `keep` largest weights per
      class when `keep` is given; or, with `train_config`, trained by gradient descent through
      the network (`fit`), or with a `SparseSearchConfig` searched on the ideal readout
      (`_wta_mnist_sparse`), and then `reference` (a weight matrix `.npy` in the shared data folder,
      the reference code's own) is scored the same way and recorded on the card.

    Every entry is published by `scripts/train_wta_mnist.py` with its lab weight table
    `weights.csv` next to the card (`artifacts`).
    """

    def stochastic_check(self, model, omega, runs, seed=0, *, t1=None, schedule=None, method=None):
        """The classifier at Ω: run r simulates test image r mod 60 (the first 60 of the card's
        2,700) and keeps the function when its class is the card ODE's for that image
        (`_wta_mnist_ssa.ImageAgreement`; p ≥ 0.95 bounds the accuracy to within 0.05 of the
        ODE's). Exact SSA unless `method` says otherwise. Solves the 60 ODEs on every call:
        build one `ImageAgreement` to reuse them."""
        from ._wta_mnist_ssa import ImageAgreement

        return ImageAgreement(model, self.solver, t1=t1)(model, omega, runs, seed, schedule=schedule, method=method)

    def __init__(
        self,
        name: str,
        paper: tuple,
        promises: Mapping[str, str],
        keep: int | None = None,
        train_config: WeightTrainConfig | None = None,
        reference: str | None = None,
        solver: SolverConfig = EVAL_SOLVER,
    ):
        self.name, self.keep, self.train_config, self.reference = name, keep, train_config, reference
        self.solver = solver  # the card's solver: every Sim Acc and mean SUP figure is measured with it
        self.metrics = _metric_templates(paper, promises, solver)

    def evaluate(self, model, fast: bool = False) -> dict[str, float]:
        """Sim Acc, mean SUP, WTA Acc and the non-zero weights on the 2,700 shared MNIST test
        images (fast: the same images, simulated at `FAST_SOLVER`'s loose tolerance)."""
        data = load_mnist789()
        F = fluorescence(model, data.test_x, solver=FAST_SOLVER if fast else self.solver)
        return scores(F, data.test_y, weights_of(model), data.test_x, data.test_y)

    def make(self) -> IndexedCRN:
        """The network with the average digit (pruned to `keep`), or, for a trained entry, with
        the weights its training starts from."""
        data = load_mnist789()
        if self.train_config is not None:
            return wta_crn(self.train_config.initial_weights(data))
        w = average_digit(data.train_x, data.train_y)
        return wta_crn(w if self.keep is None else pruned(w, self.keep))

    def fit(self, seed=None, steps=None, run_dir=None, progress: bool = True) -> tuple[IndexedCRN, dict]:
        """The entry's weight matrix (trained: `steps` epochs instead of the configured ones, a
        different `seed`; no resumable checkpoints, `run_dir` is ignored) and its card extras."""
        notes = {
            "restoration_fuel": RESTORATION_NOTE,
            "export_hint": f"crnzoo export {self.name} --format sbml --scale 1nM,1h writes the concrete network in nM and seconds",
        }
        if self.train_config is None:
            return self.make(), notes
        config = self.train_config
        if seed is not None:
            config = dataclasses.replace(config, seed=int(seed))
        sparse = isinstance(config, SparseSearchConfig)
        if steps is not None:
            config = dataclasses.replace(config, **{"rounds" if sparse else "epochs": int(steps)})
        started = time.perf_counter()
        w, history = (sparse_search if sparse else train)(load_mnist789(), config, progress=progress)
        extra = {"training_history": history, "training_wall_s": round(time.perf_counter() - started, 1), **notes}
        ref = self.reference_comparison()
        if ref:
            extra["reference_matrix"] = ref
        return wta_crn(w), extra

    def reference_comparison(self) -> dict | None:
        """The reference code's weight matrix scored like this entry (None without one or its file)."""
        path = data_path(self.reference) if self.reference else None
        if path is None or not path.is_file():
            return None
        m = self.evaluate(wta_crn(np.load(path).astype(np.float64)), fast=False)
        return {"file": f"../shared/data/{self.reference}", "metrics_with_this_simulator": m}

    def artifacts(self, model, directory: Path, card: Mapping[str, Any] | None = None) -> dict[str, str]:
        """Write the lab weight table `weights.csv`; the card names it as `weight_table`."""
        weight_table(weights_of(model), Path(directory) / WEIGHT_TABLE)
        return {"weight_table": WEIGHT_TABLE}


    # ---- fine-tuning on a user's classes (`_wta_mnist_finetune`) ----

    def retarget(self, spec):
        """The task of `classes=7,9` (shared MNIST) or a user's `.npz` (`_wta_mnist_finetune`)."""
        from ._wta_mnist_finetune import ClassSubsetTask

        return ClassSubsetTask(spec, self.name, EVAL_SOLVER, FAST_SOLVER, fluorescence, scores)

    def finetune(self, model, spec, steps=None, seed=0, lr=None, train_config=None, progress=True):
        """Adam through the network from the pretrained (or average-digit) weights, on the entry's support size."""
        from ._wta_mnist_finetune import DEFAULT_STEPS

        config = self.train_config
        if isinstance(config, SparseSearchConfig):  # tuned through the network like the other trained entries
            keep, config = -(-config.keep // N_CLASSES), config.finetune_config()
        else:
            keep = self.keep or (config.prune[-1][0] if config is not None and config.prune else None)
        task = self.retarget(spec)
        return task.tune(model, DEFAULT_STEPS if steps is None else steps, seed, lr, config, keep, progress)
