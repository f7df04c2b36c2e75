"""Neural CRN entries (`ncrn-*`): chemical training, card metrics, fine-tuning on a CSV, figures.

Nagipogu & Reif, "Neural CRNs" (arXiv 2409.00034 v2), §3–4 and SI. Each entry is a
`crnzoo.neural.NeuralCRN` whose checkpoint holds the parameter concentrations θ reached by
**chemical training**: SGD with batch 1, one pass over the shuffled training list per epoch,
each sample's update made by the circuit's own reactions (`crnzoo.neural.run_epoch`; the
loss of a sample is ½‖ŷ − y‖² at the end of its N1 stage, before its update, as in the
reference code). The dataset is regenerated from the card's seed (`_ncrn_data`).
Concentrations and time are dimensionless.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from tqdm import tqdm

from ..neural import NeuralCRN, NeuralSpec, build_circuit, first_order_grad, neural_ode_grad, one_pot_finish, one_pot_state, one_pot_step_fn, run_epoch, staged_step_fn
from ._ncrn_data import TaskData, classify, read_csv_data
from ._ncrn_data import (  # the datasets, for the entries
    IRIS_CSV as IRIS_CSV,
    iris as iris,
    linear2d as linear2d,
    linreg2d as linreg2d,
    linreg2d_unbiased as linreg2d_unbiased,
    nonlinreg2d as nonlinreg2d,
    rings2d as rings2d,
    sinreg as sinreg,
    xor2d as xor2d,
)
from ._ncrn_figures import draw_boundary, draw_curves
from .base import ZooTask

CURVES = "curves.png"
BOUNDARY = "boundary.png"


def loss_metrics(paper, promise, what: str = "validation") -> dict[str, tuple]:
    """The two loss metrics of every entry: `val_loss` (with the paper's value and a promise) and `train_loss`."""
    return {
        "val_loss": (f"mean ½(ŷ − y)² on the {what} set (N1 inference from the checkpoint)", paper, promise, 1e-6),
        "train_loss": ("mean ½(ŷ − y)² on the training set after training", None, None, 1e-6),
    }


@dataclasses.dataclass(frozen=True)
class ChemicalLearning:
    """How an entry learns (the card's training config): its circuit `spec`, the initial θ
    (`theta_init`: "uniform:lo,hi" | "absnormal:mu,sd" | "normal:mu,sd", sd divided by √d when
    it ends in "/sqrtd"; drawn with seed + 1000), `epochs`, `seed` (data, θ0 and shuffling)
    and `mode` ("staged" or "one-pot")."""

    spec: NeuralSpec
    theta_init: str
    epochs: int
    seed: int = 0
    mode: str = "staged"

    def theta0(self) -> np.ndarray:
        kind, args = self.theta_init.split(":")
        scaled = args.endswith("/sqrtd")
        a, b = (float(v) for v in args.replace("/sqrtd", "").split(","))
        rng = np.random.default_rng(self.seed + 1000)
        n = self.spec.n_params
        if kind == "uniform":
            th = rng.uniform(a, b, n)
        elif kind == "absnormal":
            th = np.abs(rng.normal(a, b, n))
        else:
            th = rng.normal(a, b, n)
        return th / np.sqrt(self.spec.d) if scaled else th

    def to_dict(self) -> dict:
        s = self.spec
        return {
            "mode": self.mode,
            "epochs": self.epochs,
            "T": s.T,
            "eta": s.eta,
            "seed": self.seed,
            "theta_init": self.theta_init,
            "batch": 1,
            "rate_law_convention": s.convention,
            "fast_rate": s.fast_rate,
        }


# ---- measuring and training -------------------------------------------------------------------


def mean_loss(yhat: np.ndarray, y: np.ndarray) -> float:
    """Mean over samples of ½‖ŷ − y‖²."""
    return float(np.mean(0.5 * np.sum((yhat - y) ** 2, -1)))


def accuracy(data: TaskData, yhat: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of outputs ŷ classified as their `labels`."""
    return float(np.mean(classify(data, yhat) == labels))


def measure(model, data: TaskData) -> dict[str, float]:
    """Validation and training loss, and for classifiers accuracies on the validation set and grid."""
    yhat = model.predict(data.val.x)
    out = {"val_loss": mean_loss(yhat, data.val.y), "train_loss": mean_loss(model.predict(data.train.x), data.train.y)}
    if data.kind != "regression":
        out["val_accuracy"] = accuracy(data, yhat, data.val.labels)
        if data.grid is not None:
            out["grid_accuracy"] = accuracy(data, model.predict(data.grid.x), data.grid.labels)
    return out


@dataclasses.dataclass
class History:
    """Per-epoch curves: mean training loss during the epoch, validation loss/accuracy before it."""

    train_loss: list[float] = dataclasses.field(default_factory=list)
    val_loss: list[float] = dataclasses.field(default_factory=list)
    val_accuracy: list[float] = dataclasses.field(default_factory=list)
    wall_s: float = 0.0

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def chemical_train(model: NeuralCRN, data: TaskData, epochs: int, seed: int, mode: str = "staged", progress: bool = True):
    """Run `epochs` passes of chemical learning (shuffled with `seed`); returns (model, History).

    Validation is measured before each epoch and after the last one (so the curves have
    epochs + 1 points), by running N1 on the validation inputs.
    """
    spec = model.spec
    rng = np.random.default_rng(seed)
    hist = History()
    started = time.perf_counter()
    theta = jnp.asarray(model.theta)
    xs_all = spec.pad_inputs(data.train.x)
    pot = None

    def validate(th):
        yhat = eqx.tree_at(lambda m: m.theta, model, jnp.asarray(th)).predict(data.val.x)
        hist.val_loss.append(mean_loss(yhat, data.val.y))
        if data.kind != "regression":
            hist.val_accuracy.append(accuracy(data, yhat, data.val.labels))

    bar = tqdm(range(epochs), desc=f"chemical learning ({mode})", unit="epoch", disable=not progress)
    for _ in bar:
        validate(theta)
        order = rng.permutation(len(xs_all))
        if mode == "staged":
            theta, losses, _ = run_epoch(spec, theta, xs_all[order], data.train.y[order], "staged")
        else:
            pot, losses, _ = run_epoch(spec, theta, xs_all[order], data.train.y[order], "one-pot", pot=pot)
            theta = one_pot_finish(spec, pot)  # θ as the pot holds it after this epoch's last update
        if not np.all(np.isfinite(losses)):
            raise FloatingPointError("chemical training diverged (non-finite loss)")
        hist.train_loss.append(float(np.mean(losses)))
        bar.set_postfix(train=f"{hist.train_loss[-1]:.4f}", val=f"{hist.val_loss[-1]:.4f}")
    validate(theta)
    hist.wall_s = round(time.perf_counter() - started, 1)
    return eqx.tree_at(lambda m: m.theta, model, jnp.asarray(theta)), hist


def circuit_summary(spec: NeuralSpec) -> dict:
    """Species and reaction counts of the learning circuit, per stage (the card's `circuit`)."""
    c = build_circuit(spec)
    return {
        "species": len(c.species),
        "reactions_per_stage": c.counts(),
        "species_per_stage": c.stage_species(),
        "max_molecularity_without_clock": c.molecularity(),
        "clock_gating": "each reaction runs in its stage's clock phase (N1, N4, flush: C1; N2, N3: C2); "
        "network(clocks=True) writes the clock as a catalyst of each reaction (molecularity + 1)",
        "rate_law_convention": spec.convention
        + (
            " (the ODE as written: 2Z -> Z at k has flux k·Z²)"
            if spec.convention == "paper"
            else " (Catalyst's n! factor, as the authors' code: f = θx − ½z⊙z; the listing's rates are the Catalyst rates divided by n!)"
        ),
    }


def gradient_check(spec: NeuralSpec, data: TaskData, theta) -> dict:
    """The gradient invariant at θ on the first validation sample: relative error of the G
    species after N3 against jax.grad through a Diffrax solve, staged and one-pot (κ and 10κ)."""
    x = jnp.asarray(spec.pad_inputs(data.val.x[:1])[0])
    y = jnp.asarray(data.val.y[0])
    th = jnp.asarray(theta)
    ref = neural_ode_grad(spec, th, x, y) if spec.order == "full" else first_order_grad(spec, th, x, y)
    norm = float(jnp.linalg.norm(ref))
    _, (_, _, g) = jax.jit(staged_step_fn(spec, (1e-10, 1e-12)))(th, x, y)
    out = {"sample": "first validation sample", "grad_norm": norm, "staged_rel_error": float(jnp.linalg.norm(g - ref)) / norm}
    for kappa in (spec.fast_rate, 10 * spec.fast_rate):
        sp = dataclasses.replace(spec, fast_rate=kappa)
        _, (_, _, g1) = jax.jit(one_pot_step_fn(sp, (1e-9, 1e-11)))(one_pot_state(sp, th), x, y)
        out[f"one_pot_rel_error_kappa_{kappa:g}"] = float(jnp.linalg.norm(g1 - ref)) / norm
    return out


class NeuralCRNTask(ZooTask):
    """A Neural CRN entry's behaviour.

    - `name`: the entry (figure titles); `dataset(seed) -> TaskData`: its data.
    - `learning`: the chemical training settings (and the circuit's spec).
    - `metrics`: the card's metrics (`loss_metrics` plus accuracies for classifiers).
    - `reference`: the authors' result this entry compares with (card and curves figure).
    - `default_input`: the features of the model's default state `x0`.
    - `one_pot`: also train in one-pot mode from the same θ0 and record it on the card.

    `finetune(model, csv_path, epochs)` continues chemical learning on a user's CSV.
    """

    exact_fast = True  # evaluation has no smaller sample: fast values equal the card's
    finetune_steps = 5  # epochs of chemical learning on a user's CSV

    def __init__(
        self,
        name: str,
        dataset: Callable[[int], TaskData],
        learning: ChemicalLearning,
        metrics: Mapping[str, tuple],
        reference: str,
        default_input: tuple[float, ...],
        one_pot: bool = False,
    ):
        self.name, self.dataset, self.learning, self.metrics = name, dataset, learning, metrics
        self.reference, self.default_input, self.one_pot = reference, tuple(default_input), one_pot

    def with_seed(self, seed: int) -> "NeuralCRNTask":
        """The same task with another seed (data, θ0 and shuffling)."""
        learning = dataclasses.replace(self.learning, seed=int(seed))
        return NeuralCRNTask(self.name, self.dataset, learning, self.metrics, self.reference, self.default_input, self.one_pot)

    @property
    def spec(self) -> NeuralSpec:
        return self.learning.spec

    def data(self) -> TaskData:
        """The dataset regenerated from the card's seed (the one the checkpoint is verified on)."""
        return self.dataset(self.learning.seed)

    def config(self) -> dict:
        """The card's config (builder `neural_crn`)."""
        return {"spec": self.spec.to_dict(), "default_input": list(self.default_input)}

    def make(self) -> NeuralCRN:
        return NeuralCRN(jnp.asarray(self.learning.theta0()), self.spec, self.default_input)

    def evaluate(self, model, fast: bool = False) -> dict[str, float]:
        values = measure(model, self.data())
        if "val_accuracy_loss_minimiser" in self.metrics:  # ncrn-linear2d: what the data and the loss allow
            from ._ncrn_ceiling import ceiling_metrics

            values.update(ceiling_metrics(self.spec, self.data()))
        return {k: values[k] for k in self.metrics}

    def fit(self, seed=None, steps=None, run_dir=None, progress=True) -> tuple[NeuralCRN, dict]:
        """Chemical training from θ0 (`steps`: epochs); card extras: the circuit's sizes, θ0 and
        θ, the curves, the gradient invariant at θ and, with `one_pot`, the one-pot run."""
        task = self if seed is None else self.with_seed(seed)
        learning, data = task.learning, task.data()
        epochs = steps or learning.epochs
        trained, hist = chemical_train(task.make(), data, epochs, learning.seed, learning.mode, progress)
        extra = {
            "circuit": circuit_summary(self.spec),
            "training_result": {
                "theta_initial": [float(v) for v in learning.theta0()],
                "theta_final": [float(v) for v in np.asarray(trained.theta)],
                "history": hist.to_dict(),
                "reference": self.reference,
                "dataset": (self.dataset.__doc__ or "").strip().split("\n")[0],
                "sizes": {"train": len(data.train.x), "val": len(data.val.x), "grid": None if data.grid is None else len(data.grid.x)},
            },
            "training_wall_s": hist.wall_s,
            "gradient_invariant": gradient_check(self.spec, data, trained.theta),
        }
        if self.one_pot:
            extra["one_pot"] = task.one_pot_run(epochs, progress)
        return trained, extra

    def one_pot_run(self, epochs: int, progress: bool = True) -> dict:
        """Train the same circuit from the same θ0 in one-pot mode; its metrics and wall time."""
        data = self.data()
        tuned, hist = chemical_train(self.make(), data, epochs, self.learning.seed, "one-pot", progress)
        return {
            "mode": f"one-pot (single clock-gated mass-action simulation; fast rate κ = {self.spec.fast_rate:g}, phases of length T = {self.spec.T:g})",
            "epochs": epochs,
            "metrics": measure(tuned, data),
            "history": hist.to_dict(),
            "wall_s": hist.wall_s,
        }

    def finetune(self, model, spec, steps=None, seed=0, lr=None, train_config=None, progress=True) -> tuple[NeuralCRN, dict]:
        """Continue chemical learning of `model` on the CSV at `spec` (input columns then target
        columns) for `steps` epochs (default 5), shuffled with `seed`. Returns the tuned model and
        card fields: `steps` = `epochs`, `rows`, and the CSV's mean loss before (`initial_loss`)
        and after (`final_loss`)."""
        if lr is not None:
            raise ValueError("chemical learning's step size is the circuit's η (part of the model): it takes no --lr")
        epochs = self.finetune_steps if steps is None else int(steps)
        rows = read_csv_data(spec, model.spec.n_features, model.spec.n_out)
        data = TaskData(rows, rows)
        before = measure(model, data)["val_loss"]
        tuned, _ = chemical_train(model, data, epochs, seed, self.learning.mode, progress)
        after = measure(tuned, data)["val_loss"]
        return tuned, {"steps": epochs, "epochs": epochs, "rows": len(rows.x), "initial_loss": before, "final_loss": after}

    def retarget(self, spec) -> "CSVTargetTask":
        """The task of a user's CSV (`read_csv_data`: this circuit's input columns, then its
        target columns): the loss on the CSV and how it compares with predicting the mean."""
        return CSVTargetTask(spec, self.spec)

    def artifacts(self, model, directory: Path, card: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """`curves.png` (from the card's training history, when the card being published has
        one) and, for 2-D classifiers, `boundary.png`; returns `{"figures": [...]}`."""
        directory, figures = Path(directory), []
        history = ((card or {}).get("training_result") or {}).get("history")
        if history:
            seed = card["training"]["seed"]
            label = "train (during epoch)" if self.spec.one_sided is None else "train: one-sided loss (during epoch)"
            draw_curves(history, directory / CURVES, f"{self.name}: chemical learning ({self.learning.mode}), seed {seed}", self.reference, label)
            figures.append(CURVES)
        data = self.data()
        if data.grid_box:
            draw_boundary(model, data, directory / BOUNDARY, f"{self.name}: ŷ over the inputs, boundary ŷ = {data.threshold:g}")
            figures.append(BOUNDARY)
        return {"figures": figures} if figures else {}

    def roles(self) -> dict[str, str]:
        return dict(build_circuit(self.spec).roles)

    def protocol(self) -> str:
        """The card's protocol: inference (stage N1), learning phases, default input."""
        s = self.spec
        if s.readout == "sum":
            readout = "Σ_i z_i(T)"
        else:
            first = 1 if s.readout == "first" else s.d - s.n_out + 1
            readout = f"(z_{first}(T), …, z_{first + s.n_out - 1}(T)), the class is the argmax"
        return (
            f"inference = stage N1: parameters P hold θ, X = Z(0) = x (features {list(range(1, s.n_features + 1))} "
            f"then {s.d - s.n_features} pad(s) of {s.pad:g}), clock C1 on; run to t = T = {s.T:g}; "
            f"ŷ = {readout}. Learning: N2/N3 in phase C2 "
            f"(Y = y loaded{' with the one-hot label Yon, Yoff: one-sided loss, ON iff y > %g' % s.one_sided if s.one_sided is not None else ''}), N4 + flush in phase C1; fast reactions at κ = {s.fast_rate:g}. Default x0: x = {list(self.default_input)}"
        )


class CSVTargetTask(ZooTask):
    """A Neural CRN scored on a user's CSV (inputs then targets, `read_csv_data`): the mean
    loss ½‖ŷ − y‖² on its rows, and that loss over the loss of always predicting the CSV's
    mean target (promise < 1: the circuit explains some of the targets)."""

    exact_fast = True

    def __init__(self, path, spec: NeuralSpec):
        self.path, self.spec = str(path), spec
        self.rows = read_csv_data(path, spec.n_features, spec.n_out)
        self.target_name = f"Neural CRN ({spec.n_features} inputs → {spec.n_out} output{'s' if spec.n_out > 1 else ''})"
        self.target_text = f"{Path(self.path).name} ({len(self.rows.x)} rows)"
        self.metrics = {
            "csv_loss": ("mean ½(ŷ − y)² over the rows of the user's CSV (N1 inference from the checkpoint)", None, None, 1e-6),
            "csv_loss_vs_mean": ("csv_loss / the loss of predicting the CSV's mean target for every row (< 1: better than a constant)", None, "< 1", 1e-6),
        }

    def make(self):
        raise NotImplementedError("a CSV target has no model of its own: fine-tune a zoo entry")

    def evaluate(self, model, fast: bool = False) -> dict[str, float]:
        y = self.rows.y
        loss = mean_loss(np.asarray(model.predict(self.rows.x)), y)
        baseline = mean_loss(np.broadcast_to(y.mean(0), y.shape), y)
        ratio = loss / baseline if baseline > 0 else (0.0 if loss == 0 else float("inf"))  # constant targets
        return {"csv_loss": loss, "csv_loss_vs_mean": ratio}
