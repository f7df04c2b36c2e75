"""What a linear Neural CRN classifier's data set and training loss allow (issue 17, `ncrn-linear2d`).

The minimal linear circuit (f = θ⊙x, diagonal θ ≥ 0 on single-rail P, no bias, no
nonlinearity, read-out ŷ = Σ_i z_i(T), z(0) = x) computes exactly ŷ = Σ_i (1 + T·θ_i)·x_i, so
the paper's training loss ½(ŷ − y)² is a non-negative least-squares problem in θ whose exact
minimiser `scipy.optimize.nnls` gives. The metrics here set our trained accuracy beside

- the Bayes-optimal accuracy of the validation set: Linear2D's labels are a deterministic
  function of x (ON iff x1 + 2x2 > 2, no label noise), so it is 1, and the circuit's family
  contains that boundary (θ = (0, 1/T)): accuracy 1 is reachable by the model class;
- the accuracy of the exact minimiser of the training loss on the training set: the ceiling
  of any training, chemical or not, that minimises the paper's loss on this training set;
- the smallest distance of a validation point from the true boundary (with no noise, no
  point is "within noise" of it);
- the accuracy of the minimiser of the one-sided loss (`NeuralSpec.one_sided`: ON samples are
  not penalised above their label), when the circuit trains that loss: convex in θ, minimised
  by L-BFGS-B under θ ≥ 0.
All quantities are dimensionless.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize, nnls

from ..neural import NeuralSpec
from ._ncrn_data import TaskData, classify


def _linear_minimal(spec: NeuralSpec) -> None:
    if not (spec.theta == "diag" and spec.power == 0 and spec.bias == 0.0 and spec.readout == "sum" and spec.d == spec.n_features and not spec.p_dual):
        raise ValueError("the loss ceiling is exact only for the minimal linear circuit (diagonal θ ≥ 0, no bias, pads or nonlinearity, sum read-out)")


def loss_minimiser(spec: NeuralSpec, data: TaskData) -> np.ndarray:
    """θ ≥ 0 minimising the mean ½(ŷ − y)² on the training set (ŷ = Σ (1 + Tθ_i) x_i)."""
    _linear_minimal(spec)
    x, y = data.train.x, data.train.y[:, 0]
    theta, _ = nnls(spec.T * x, y - x.sum(axis=1))
    return theta


def one_sided_minimiser(spec: NeuralSpec, data: TaskData) -> np.ndarray:
    """θ ≥ 0 minimising the mean one-sided loss on the training set (ON: ½ min(ŷ − y, 0)²,
    OFF: ½ max(ŷ − y, 0)², ON iff y > φ = `spec.one_sided`)."""
    _linear_minimal(spec)
    if spec.one_sided is None:
        raise ValueError("this circuit trains the squared loss (one_sided is None)")
    x, y = data.train.x, data.train.y[:, 0]
    on = y > spec.one_sided

    def loss(th):
        r = x.sum(axis=1) + spec.T * x @ th - y
        r = np.where(on, np.minimum(r, 0.0), np.maximum(r, 0.0))
        return 0.5 * np.mean(r**2), spec.T * (x.T @ r) / len(r)

    res = minimize(loss, np.full(spec.d, 0.5), jac=True, method="L-BFGS-B", bounds=[(0.0, None)] * spec.d, options={"ftol": 1e-15, "gtol": 1e-12})
    return res.x


def ceiling_metrics(spec: NeuralSpec, data: TaskData, boundary=(1.0, 2.0, 2.0)) -> dict[str, float]:
    """Bayes-optimal validation accuracy, the loss minimiser's validation and grid accuracy,
    and the smallest distance of a validation point from the boundary k1·x1 + k2·x2 = c."""
    theta = loss_minimiser(spec, data)

    def acc(ds):
        yhat = (ds.x.sum(axis=1) + spec.T * ds.x @ theta)[:, None]
        return float(np.mean(classify(data, yhat) == ds.labels))

    k1, k2, c = boundary
    truth = (k1 * data.val.x[:, 0] + k2 * data.val.x[:, 1] > c).astype(int)
    distance = np.abs(k1 * data.val.x[:, 0] + k2 * data.val.x[:, 1] - c) / np.hypot(k1, k2)
    out = {}
    if spec.one_sided is not None:
        th1 = one_sided_minimiser(spec, data)
        yhat = (data.val.x.sum(axis=1) + spec.T * data.val.x @ th1)[:, None]
        out["val_accuracy_one_sided_minimiser"] = float(np.mean(classify(data, yhat) == data.val.labels))
    return out | {
        "val_accuracy_bayes": float(np.mean(truth == data.val.labels)),
        "val_accuracy_loss_minimiser": acc(data.val),
        "grid_accuracy_loss_minimiser": acc(data.grid) if data.grid is not None else float("nan"),
        "val_distance_min": float(distance.min()),
    }
