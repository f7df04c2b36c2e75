"""Figures of a Neural CRN card: training curves (`curves.png`) and a 2-D classifier's
decision boundary (`boundary.png`)."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from ._ncrn_data import TaskData, classify


def _pyplot():
    """matplotlib's pyplot with the file-only Agg backend (imported only when drawing)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def draw_curves(hist: Mapping[str, list[float]], path: Path, title: str, reference: str = "", train_label: str = "train (during epoch)") -> Path:
    """Training and validation loss per epoch (and validation accuracy, for classifiers); `train_label`:
    the legend of the training curve (the loss the circuit trains)."""
    plt = _pyplot()
    train, val, acc = hist["train_loss"], hist["val_loss"], hist["val_accuracy"]
    n = 2 if acc else 1

    fig, axes = plt.subplots(1, n, figsize=(max(7.0, 5.0 * n), 4.2), squeeze=False)
    ax = axes[0, 0]
    ax.plot(range(1, len(train) + 1), train, "o-", ms=3, label=train_label)
    ax.plot(range(0, len(val)), val, "s-", ms=3, label="validation (epoch 0: untrained)")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean ½(ŷ − y)²")
    ax.set_yscale("log")
    ax.legend()
    if acc:
        ax = axes[0, 1]
        ax.plot(range(0, len(acc)), acc, "s-", ms=3, color="C2")
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
    plt = _pyplot()

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
