"""Neural CRN datasets (regenerated from fixed seeds) and a user's CSV of inputs and targets.

Nagipogu & Reif, "Neural CRNs" (arXiv 2409.00034 v2), §3–4 and SI; set-ups as in the
authors' code (NeuralCRNGen). Datasets are drawn with `numpy.random.default_rng(seed)`;
the exact Julia datasets cannot be reproduced, so the numbers compare like for like only
in distribution. Iris is read at run time from the shared data folder (`crnzoo.data`,
never copied). Features, targets and outputs are dimensionless concentrations.
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..data import require

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
    grid_box: tuple[float, float, float, float] | None = None  # a 2-D classifier's input box (x1 lo, hi, x2 lo, hi)


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


def linreg2d_unbiased(seed: int = 0) -> TaskData:
    """LinReg2D without the bias: x ~ U(1, 5)², y = x1 + 2x2 + N(0, 0.4)."""
    return linreg2d(seed, bias=False)


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


def _classifier(seed, lo, hi, label, y_on, n_train, n_val, grid: int | None) -> TaskData:
    """A balanced binary task on x ~ U(lo, hi)² (ON iff ŷ > y_ON / 2), with a grid×grid test grid (None: none)."""
    rng = np.random.default_rng(seed)
    sample = lambda r: r.uniform(lo, hi, 2)  # noqa: E731
    return TaskData(
        _binary(rng, n_train, sample, label, y_on),
        _binary(rng, n_val, sample, label, y_on),
        _grid(lo, hi, grid, label, y_on) if grid else None,
        "binary",
        y_on / 2,
        (lo, hi, lo, hi),
    )


def linear2d(seed: int = 0, n_train: int = 101, n_val: int = 101, grid: int = 60) -> TaskData:
    """Linear2D: x ~ U(0, 2)², ON iff x1 + 2x2 > 2 (y_ON 4, y_OFF 0, ON iff ŷ > 2); balanced."""
    return _classifier(seed, 0.0, 2.0, lambda x: int(x[0] + 2 * x[1] > 2), 4.0, n_train, n_val, grid)


def _ring_label(x) -> int | None:
    r = float(np.hypot(x[0], x[1]))
    return 0 if r <= 0.45 else (1 if 0.5 <= r <= 1.0 else None)


def rings2d(seed: int = 0, n_train: int = 101, n_val: int = 201) -> TaskData:
    """Rings2D: x ~ U(−1, 1)²; OFF if ‖x‖ <= 0.45, ON if 0.5 <= ‖x‖ <= 1 (others rejected);
    y_ON 1, y_OFF 0, ON iff ŷ > 0.5; balanced. No test grid (the picture's grid box only)."""
    return _classifier(seed, -1.0, 1.0, _ring_label, 1.0, n_train, n_val, None)


def xor2d(seed: int = 0, n_train: int = 101, n_val: int = 31, grid: int = 40) -> TaskData:
    """XOR2D: x ~ U(0, 1)², ON iff exactly one x_i > 0.5 (y_ON 1, ON iff ŷ > 0.5); balanced;
    test = the 40×40 grid on [0, 1]²."""
    return _classifier(seed, 0.0, 1.0, lambda x: int((x[0] > 0.5) != (x[1] > 0.5)), 1.0, n_train, n_val, grid)


def classify(data: TaskData, yhat: np.ndarray) -> np.ndarray:
    """Class labels of outputs ŷ (n, n_out): argmax, or ON iff ŷ > the task's threshold."""
    if data.kind == "multiclass":
        return np.argmax(yhat, axis=-1)
    return (yhat[..., 0] > data.threshold).astype(int)


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
