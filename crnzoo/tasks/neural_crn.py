"""Neural CRN tasks: datasets (regenerated from fixed seeds), chemical training, metrics, figures.

Nagipogu & Reif, "Neural CRNs" (arXiv 2409.00034 v2), §3–4 and SI; set-ups as in the
authors' code (NeuralCRNGen). Datasets are drawn with `numpy.random.default_rng(seed)`;
the exact Julia datasets cannot be reproduced, so the numbers compare like for like only
in distribution. Iris is read at run time from `../shared/data/iris/iris.csv` (never copied).

Chemical training = `crnzoo.neural.circuit.run_epoch`: SGD with batch 1, one pass over the
shuffled training list per epoch; the loss of a sample is ½‖ŷ − y‖² measured at the end of
its N1 stage (before its update), as in the reference code.
"""

from __future__ import annotations

import csv
import dataclasses
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..data import require
from ..neural.circuit import NeuralSpec, one_pot_finish, run_epoch

IRIS_CSV = "iris/iris.csv"  # in the shared data folder (`crnzoo.data`)


@dataclasses.dataclass(frozen=True)
class Dataset:
    """Features (n, n_features), targets (n, n_out) and, for classifiers, labels (n,) ints."""

    x: np.ndarray
    y: np.ndarray
    labels: np.ndarray | None = None


@dataclasses.dataclass(frozen=True)
class TaskData:
    """Train/validation sets, an optional test grid, and how to classify outputs."""

    train: Dataset
    val: Dataset
    grid: Dataset | None = None
    kind: str = "regression"  # or "binary" (ŷ > threshold is ON) or "multiclass" (argmax)
    threshold: float = 0.0
    grid_shape: tuple[int, int] | None = None
    grid_box: tuple[float, float, float, float] | None = None


# ---- datasets ---------------------------------------------------------------------------------


def _regression(fn: Callable, lo: float, hi: float, sigma: float, n_train: int, n_val: int, seed: int) -> TaskData:
    rng = np.random.default_rng(seed)

    def draw(n):
        x = rng.uniform(lo, hi, (n, 2))
        return Dataset(x, (fn(x) + rng.normal(0.0, sigma, n))[:, None])

    return TaskData(draw(n_train), draw(n_val))


def linreg2d(seed: int = 0, n_train: int = 40, n_val: int = 100, bias: bool = True) -> TaskData:
    """LinReg2D: x ~ U(1, 5)², y = x1 + 2x2 + 1 + N(0, 0.4) (`bias=False`: without the + 1)."""
    c = 1.0 if bias else 0.0
    return _regression(lambda x: x[:, 0] + 2 * x[:, 1] + c, 1.0, 5.0, 0.4, n_train, n_val, seed)


def nonlinreg2d(seed: int = 0, n_train: int = 100, n_val: int = 100) -> TaskData:
    """NonLinReg2D: x ~ U(0.5, 2)², y = x1·x2 + x2² + N(0, 0.1)."""
    return _regression(lambda x: x[:, 0] * x[:, 1] + x[:, 1] ** 2, 0.5, 2.0, 0.1, n_train, n_val, seed)


def sinreg(seed: int = 0, n_train: int = 50, n_val: int = 100) -> TaskData:
    """SinReg: x ~ U(0.5, 2)², y = sin(x1) + x2² + N(0, 0.1) (SI S5.2)."""
    return _regression(lambda x: np.sin(x[:, 0]) + x[:, 1] ** 2, 0.5, 2.0, 0.1, n_train, n_val, seed)


def _balanced(rng, n: int, sample: Callable, label: Callable) -> tuple[np.ndarray, np.ndarray]:
    """n points, ceil(n/2) ON and floor(n/2) OFF, by rejection sampling (shuffled)."""
    want = {1: (n + 1) // 2, 0: n // 2}
    xs, ls = [], []
    while want[0] or want[1]:
        x = sample(rng)
        lab = label(x)
        if lab is not None and want[lab]:
            want[lab] -= 1
            xs.append(x)
            ls.append(lab)
    order = rng.permutation(n)
    return np.array(xs)[order], np.array(ls)[order]


def _binary(rng, n, sample, label, y_on) -> Dataset:
    x, lab = _balanced(rng, n, sample, label)
    return Dataset(x, (lab * y_on)[:, None].astype(np.float64), lab)


def _grid(lo, hi, m, label, y_on) -> Dataset:
    g = np.linspace(lo, hi, m)
    x = np.stack(np.meshgrid(g, g, indexing="xy"), -1).reshape(-1, 2)
    lab = np.array([label(p) for p in x])
    return Dataset(x, (lab * y_on)[:, None].astype(np.float64), lab)


def linear2d(seed: int = 0, n_train: int = 101, n_val: int = 101, grid: int = 60) -> TaskData:
    """Linear2D: x ~ U(0, 2)², ON iff x1 + 2x2 > 2 (y_ON 4, y_OFF 0, ON iff ŷ > 2); balanced."""
    rng = np.random.default_rng(seed)
    label = lambda x: int(x[0] + 2 * x[1] > 2)  # noqa: E731
    sample = lambda r: r.uniform(0.0, 2.0, 2)  # noqa: E731
    return TaskData(
        _binary(rng, n_train, sample, label, 4.0),
        _binary(rng, n_val, sample, label, 4.0),
        _grid(0.0, 2.0, grid, label, 4.0),
        "binary",
        2.0,
        (grid, grid),
        (0.0, 2.0, 0.0, 2.0),
    )


def rings2d(seed: int = 0, n_train: int = 101, n_val: int = 201, grid: int = 60) -> TaskData:
    """Rings2D: x ~ U(−1, 1)²; OFF if ‖x‖ <= 0.45, ON if 0.5 <= ‖x‖ <= 1 (others rejected);
    y_ON 1, y_OFF 0, ON iff ŷ > 0.5; balanced. The grid (for the picture) keeps the points of
    either class."""
    rng = np.random.default_rng(seed)

    def label(x):
        r = float(np.hypot(x[0], x[1]))
        return 0 if r <= 0.45 else (1 if 0.5 <= r <= 1.0 else None)

    sample = lambda r: r.uniform(-1.0, 1.0, 2)  # noqa: E731
    return TaskData(
        _binary(rng, n_train, sample, label, 1.0),
        _binary(rng, n_val, sample, label, 1.0),
        None,
        "binary",
        0.5,
        (grid, grid),
        (-1.0, 1.0, -1.0, 1.0),
    )


def xor2d(seed: int = 0, n_train: int = 101, n_val: int = 31, grid: int = 40) -> TaskData:
    """XOR2D: x ~ U(0, 1)², ON iff exactly one x_i > 0.5 (y_ON 1, ON iff ŷ > 0.5); balanced;
    test = the 40×40 grid on [0, 1]²."""
    rng = np.random.default_rng(seed)
    label = lambda x: int((x[0] > 0.5) != (x[1] > 0.5))  # noqa: E731
    sample = lambda r: r.uniform(0.0, 1.0, 2)  # noqa: E731
    return TaskData(
        _binary(rng, n_train, sample, label, 1.0),
        _binary(rng, n_val, sample, label, 1.0),
        _grid(0.0, 1.0, grid, label, 1.0),
        "binary",
        0.5,
        (grid, grid),
        (0.0, 1.0, 0.0, 1.0),
    )


def read_iris(path: Path | str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Fisher's Iris from the shared CSV (header `150,4,...`; rows: 4 features, class 0/1/2)."""
    if path is None:
        path = require(IRIS_CSV, "Iris data")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Iris data not found at {path}")
    rows = list(csv.reader(path.read_text().splitlines()))[1:]
    data = np.array([[float(v) for v in r] for r in rows if r])
    return data[:, :4], data[:, 4].astype(int)


def iris(seed: int = 0, path: Path | str | None = None, n_train: int = 120) -> TaskData:
    """Iris: shuffled 120/30 split, min-max normalised with the training statistics, one-hot targets."""
    x, lab = read_iris(path)
    order = np.random.default_rng(seed).permutation(len(x))
    x, lab = x[order], lab[order]
    lo, hi = x[:n_train].min(0), x[:n_train].max(0)
    x = (x - lo) / (hi - lo)
    onehot = np.eye(3)[lab]
    return TaskData(Dataset(x[:n_train], onehot[:n_train], lab[:n_train]), Dataset(x[n_train:], onehot[n_train:], lab[n_train:]), kind="multiclass")


# ---- metrics ------------------------------------------------------------------------------------


def classify(data: TaskData, yhat: np.ndarray) -> np.ndarray:
    if data.kind == "multiclass":
        return np.argmax(yhat, axis=-1)
    return (yhat[..., 0] > data.threshold).astype(int)


def metrics(model, data: TaskData, grid: bool = True) -> dict[str, float]:
    """Validation loss (mean ½‖ŷ − y‖²), and for classifiers accuracies on the validation set and grid."""
    out = {}
    yhat = model.predict(data.val.x)
    out["val_loss"] = float(np.mean(0.5 * np.sum((yhat - data.val.y) ** 2, -1)))
    yt = model.predict(data.train.x)
    out["train_loss"] = float(np.mean(0.5 * np.sum((yt - data.train.y) ** 2, -1)))
    if data.kind != "regression":
        out["val_accuracy"] = float(np.mean(classify(data, yhat) == data.val.labels))
        if grid and data.grid is not None:
            out["grid_accuracy"] = float(np.mean(classify(data, model.predict(data.grid.x)) == data.grid.labels))
    return out


# ---- chemical training ---------------------------------------------------------------------------


@dataclasses.dataclass
class History:
    """Per-epoch curves: mean training loss during the epoch, validation loss/accuracy before it."""

    train_loss: list[float] = dataclasses.field(default_factory=list)
    val_loss: list[float] = dataclasses.field(default_factory=list)
    val_accuracy: list[float] = dataclasses.field(default_factory=list)
    wall_s: float = 0.0

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def chemical_train(model, data: TaskData, epochs: int, seed: int, mode: str = "staged", progress: bool = True):
    """Run `epochs` passes of chemical learning (shuffled with `seed`); returns (model, History).

    Validation is measured before each epoch and after the last one (so the curves have
    epochs + 1 points), by running N1 on the validation inputs.
    """
    import equinox as eqx
    import jax.numpy as jnp
    from tqdm import tqdm

    spec: NeuralSpec = model.spec
    rng = np.random.default_rng(seed)
    hist = History()
    started = time.perf_counter()
    theta = jnp.asarray(model.theta)
    xs_all = spec.pad_inputs(data.train.x)
    pot = None

    def validate(th):
        m = eqx.tree_at(lambda mm: mm.theta, model, jnp.asarray(th))
        yhat = m.predict(data.val.x)
        hist.val_loss.append(float(np.mean(0.5 * np.sum((yhat - data.val.y) ** 2, -1))))
        if data.kind != "regression":
            hist.val_accuracy.append(float(np.mean(classify(data, yhat) == data.val.labels)))

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


# ---- figures --------------------------------------------------------------------------------------


def draw_curves(hist: History, path: Path, title: str, reference: str = "") -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = 2 if hist.val_accuracy else 1
    import textwrap

    fig, axes = plt.subplots(1, n, figsize=(max(7.0, 5.0 * n), 4.2), squeeze=False)
    ax = axes[0, 0]
    ax.plot(range(1, len(hist.train_loss) + 1), hist.train_loss, "o-", ms=3, label="train (during epoch)")
    ax.plot(range(0, len(hist.val_loss)), hist.val_loss, "s-", ms=3, label="validation (epoch 0: untrained)")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean ½(ŷ − y)²")
    ax.set_yscale("log")
    ax.legend()
    if hist.val_accuracy:
        ax = axes[0, 1]
        ax.plot(range(0, len(hist.val_accuracy)), hist.val_accuracy, "s-", ms=3, color="C2")
        ax.set_xlabel("epoch")
        ax.set_ylabel("validation accuracy")
        ax.set_ylim(0, 1.02)
    fig.suptitle("\n".join([title] + textwrap.wrap(reference, 110)), fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)


def draw_boundary(model, data: TaskData, path: Path, title: str) -> Path:
    """ŷ over a grid of the input box, the decision boundary, and the validation points."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x0, x1, y0, y1 = data.grid_box
    m = 80
    gx, gy = np.meshgrid(np.linspace(x0, x1, m), np.linspace(y0, y1, m))
    pts = np.stack([gx.ravel(), gy.ravel()], -1)
    yhat = model.predict(pts)[:, 0].reshape(m, m)
    fig, ax = plt.subplots(figsize=(5, 4.4))
    im = ax.contourf(gx, gy, yhat, levels=30, cmap="coolwarm")
    ax.contour(gx, gy, yhat, levels=[data.threshold], colors="k", linewidths=1.5)
    fig.colorbar(im, ax=ax, label="ŷ = Σ z_i(T)")
    v = data.val
    pred = classify(data, model.predict(v.x))
    ok = pred == v.labels
    ax.scatter(v.x[ok, 0], v.x[ok, 1], c=v.labels[ok], cmap="bwr", edgecolors="k", s=18, vmin=0, vmax=1)
    ax.scatter(v.x[~ok, 0], v.x[~ok, 1], marker="x", c="k", s=30, label="misclassified")
    ax.set_title(title, fontsize=9)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)


def read_csv_data(path: Path | str, n_features: int, n_out: int = 1) -> Dataset:
    """A user's CSV of `n_features` input columns then `n_out` target columns (an optional
    header line of non-numbers is skipped). Errors name the line."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no CSV file at {path}")
    rows = []
    want = n_features + n_out
    lines = path.read_text().splitlines()
    for lineno, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in line.split(",")]
        if lineno == 1 and not rows and all(_not_number(c) for c in cells):
            continue  # a header
        if len(cells) != want:
            raise ValueError(f"{path}:{lineno}: expected {want} columns ({n_features} inputs, {n_out} target), got {len(cells)}")
        try:
            vals = [float(c) for c in cells]
        except ValueError:
            bad = next(c for c in cells if _not_number(c))
            raise ValueError(f"{path}:{lineno}: {bad!r} is not a number") from None
        if not all(np.isfinite(vals)):
            raise ValueError(f"{path}:{lineno}: values must be finite")
        if any(v < 0 for v in vals[n_features:]):
            raise ValueError(f"{path}:{lineno}: targets must be >= 0 (the target species Y is single-rail)")
        rows.append(vals)
    if not rows:
        raise ValueError(f"{path}: no data rows")
    a = np.array(rows)
    return Dataset(a[:, :n_features], a[:, n_features:])


def _not_number(c: str) -> bool:
    try:
        float(c)
        return False
    except ValueError:
        return True
