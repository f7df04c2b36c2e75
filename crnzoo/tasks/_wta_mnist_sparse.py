"""A sparse weight matrix for the winner-take-all classifier, searched on its ideal readout.

The network's class is argmax_j F[j], and on the shipped matrices that tracks the ideal
winner-take-all argmax_j x·w[:, j] closely (the reference matrix: Sim Acc 0.8622, WTA Acc
0.8626). So the support and values of a `keep`-sparse, non-negative w are chosen on the
ideal readout alone, without simulating the network (`sparse_search`, seconds per step):

1. the softmax cross-entropy of the scores x·w (no bias, w ≥ 0) plus λ·Σw, fitted with
   L-BFGS-B over all 300 entries; λ is bisected until exactly `keep` entries are non-zero
   (on the non-negative orthant the L1 penalty is linear, so this is a smooth problem);
2. a swap search on that support: each round tries the `adds` absent entries with the most
   negative cross-entropy gradient; for each, the `removals` present entries whose zeroing
   costs least, refitting the cross-entropy (no penalty) on the swapped support; the best
   swap is taken while it lowers the loss (at most `rounds` rounds). With `seed` ≠ 0,
   `perturb` entries of the L1 support are first swapped for random absent ones (restarts);
3. one global factor: w is scaled so that the mean winning score max_j x·w over the
   training images is `winner_nM` / 100 (the network holds W = 100·w nM, so the winning
   class's signal S is about `winner_nM` nM). The factor does not change the ideal readout;
   it sets the network's operating point (its margins, mean SUP, and where the 100 nM of SG
   saturates).

Only the training images are used. Units: w dimensionless, concentrations nM.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
from scipy.optimize import minimize

from ..crn.wta_mnist import N_CLASSES, N_PIXELS
from ..solvers.config import SolverConfig
from ._wta_mnist_data import Dataset


@dataclasses.dataclass(frozen=True)
class SparseSearchConfig:
    """The sparse-support search (see the module; written on the card as `training.config`).

    `keep`: non-zero weights in all; `adds`, `removals`, `rounds`: the swap search;
    `winner_nM`: the mean winning signal the scaled matrix gives on the training images (nM);
    `perturb`: start entries replaced at random when `seed` ≠ 0; `finetune_lr`, `f_scale`:
    the settings `crnzoo finetune` uses on this entry (cross-entropy on softmax(F / f_scale nM)).
    """

    method: str = "l1-path + swaps on the ideal WTA cross-entropy"
    keep: int = 24
    adds: int = 4
    removals: int = 5
    rounds: int = 60
    winner_nM: float = 30.0
    perturb: int = 8
    seed: int = 0
    finetune_lr: float = 2e-3
    f_scale: float = 10.0

    def __post_init__(self):
        for field in ("keep", "adds", "removals", "rounds"):
            if int(getattr(self, field)) < 1:
                raise ValueError(f"{field} must be >= 1, got {getattr(self, field)!r}")
        if not self.winner_nM > 0:
            raise ValueError(f"winner_nM must be > 0 nM, got {self.winner_nM!r}")

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def solver(self) -> SolverConfig:
        """The solves of `crnzoo finetune` on this entry (the search itself simulates nothing)."""
        return SolverConfig("rosenbrock", rtol=1e-3, atol=1e-2, max_steps=20_000)

    def finetune_config(self):
        """The gradient-through-the-network settings `crnzoo finetune` uses on this entry."""
        from ._wta_mnist_train import WeightTrainConfig

        return WeightTrainConfig(loss="accreg", lr=self.finetune_lr, f_scale=self.f_scale, seed=self.seed)

    def initial_weights(self, data: Dataset) -> np.ndarray:
        """Uniform 1/100 (the search's first fit starts there)."""
        return np.full((N_PIXELS, N_CLASSES), 1.0 / N_PIXELS)


def _ce_full(flat, x, y, lam):
    """Mean cross-entropy of softmax(x·w) plus lam·Σw, and its gradient (w flattened)."""
    w = flat.reshape(N_PIXELS, N_CLASSES)
    s = x @ w
    s = s - s.max(axis=1, keepdims=True)
    p = np.exp(s)
    p /= p.sum(axis=1, keepdims=True)
    rows = np.arange(len(y))
    loss = -np.mean(np.log(p[rows, y] + 1e-300)) + lam * w.sum()
    p[rows, y] -= 1.0
    return loss, (x.T @ p / len(y) + lam).ravel()


def _ce_support(v, xs, onehot_cls, y):
    """The same loss with the weights only on a support: `xs` its pixels' columns (B, K),
    `onehot_cls` (K, 3) its classes, `v` (K,) its values."""
    s = (xs * v) @ onehot_cls
    s = s - s.max(axis=1, keepdims=True)
    p = np.exp(s)
    p /= p.sum(axis=1, keepdims=True)
    rows = np.arange(len(y))
    loss = -np.mean(np.log(p[rows, y] + 1e-300))
    p[rows, y] -= 1.0
    return loss, ((p @ onehot_cls.T) * xs).sum(axis=0) / len(y)


def fit_l1(x, y, lam: float, w0=None) -> np.ndarray:
    """Non-negative softmax regression with penalty lam·Σw over all entries (100 × 3)."""
    start = np.full(N_PIXELS * N_CLASSES, 0.1) if w0 is None else np.asarray(w0, dtype=np.float64).ravel()
    r = minimize(_ce_full, start, args=(x, y, lam), jac=True, method="L-BFGS-B",
                 bounds=[(0.0, None)] * start.size, options={"maxiter": 2000})
    return r.x.reshape(N_PIXELS, N_CLASSES)


def refit(support, x, y, w0=None) -> tuple[np.ndarray, float]:
    """Cross-entropy fit (no penalty, w ≥ 0) on `support` (a set of (pixel, class)); returns (w, loss)."""
    entries = sorted(support)
    xs = x[:, [i for i, _ in entries]]
    onehot_cls = np.eye(N_CLASSES)[[j for _, j in entries]]
    start = np.array([max(float(w0[e]), 0.05) if w0 is not None else 0.5 for e in entries])
    r = minimize(_ce_support, start, args=(xs, onehot_cls, y), jac=True, method="L-BFGS-B",
                 bounds=[(0.0, None)] * len(entries), options={"maxiter": 500})
    w = np.zeros((N_PIXELS, N_CLASSES))
    for e, v in zip(entries, r.x):
        w[e] = v
    return w, float(r.fun)


def ce_loss(w, x, y) -> float:
    """Mean cross-entropy of softmax(x·w)."""
    return float(_ce_full(np.asarray(w).ravel(), x, y, 0.0)[0])


def l1_support(x, y, keep: int, iterations: int = 40) -> set:
    """The support of exactly `keep` entries from bisecting the L1 weight λ (or the closest found)."""
    lo, hi, w, best = 0.0, 1.0, None, None
    for _ in range(iterations):
        lam = 0.5 * (lo + hi)
        w = fit_l1(x, y, lam, w)
        nz = int(np.count_nonzero(w > 1e-6))
        if best is None or abs(nz - keep) < abs(best[0] - keep) or (nz <= keep < best[0]):
            best = (nz, w.copy())
        if nz == keep:
            break
        lo, hi = (lam, hi) if nz > keep else (lo, lam)
    w = best[1]
    order = np.argsort(-w.ravel(), kind="stable")[:keep]
    return {(int(k // N_CLASSES), int(k % N_CLASSES)) for k in order if w.ravel()[k] > 0}


def swap_search(support: set, x, y, adds: int, removals: int, rounds: int, log=None):
    """Best-improvement swaps (see the module); returns (support, w, loss, swaps made)."""
    w, loss = refit(support, x, y)
    made = 0
    for r in range(rounds):
        s = x @ w
        s = s - s.max(axis=1, keepdims=True)
        p = np.exp(s)
        p /= p.sum(axis=1, keepdims=True)
        p[np.arange(len(y)), y] -= 1.0
        grad = x.T @ p / len(y)
        absent = sorted((g, (i, j)) for (i, j), g in np.ndenumerate(grad) if (i, j) not in support)
        best = (loss, None, None)
        for _, a in absent[:adds]:
            grown, _ = refit(support | {a}, x, y, w)
            cost = []
            for e in support:
                trial = grown.copy()
                trial[e] = 0.0
                cost.append((ce_loss(trial, x, y), e))
            for _, e in sorted(cost)[:removals]:
                start = grown.copy()
                start[e] = 0.0
                w2, l2 = refit((support | {a}) - {e}, x, y, start)
                if l2 < best[0] - 1e-7:
                    best = (l2, (a, e), w2)
        if best[1] is None:
            break
        loss, (a, e), w = best
        support = (support | {a}) - {e}
        made += 1
        if log is not None:
            log(r, a, e, loss, w)
    return support, w, loss, made


def sparse_search(data: Dataset, config: SparseSearchConfig, progress: bool = True):
    """The weight matrix (100 × 3, at most `config.keep` non-zeros) and a history of dicts."""
    started = time.perf_counter()
    x, y = np.asarray(data.train_x, dtype=np.float64), np.asarray(data.train_y)
    support = l1_support(x, y, config.keep)
    history = [{"phase": "l1 path", "nonzero": len(support), "wall_s": round(time.perf_counter() - started, 1)}]
    if config.seed:
        rng = np.random.default_rng(config.seed)
        present = sorted(support)
        absent = [(i, j) for i in range(N_PIXELS) for j in range(N_CLASSES) if (i, j) not in support]
        out = rng.choice(len(present), size=min(config.perturb, len(present)), replace=False)
        into = rng.choice(len(absent), size=len(out), replace=False)
        support = (support - {present[k] for k in out}) | {absent[k] for k in into}

    def log(r, a, e, loss, w):
        acc = float(np.mean(np.argmax(x @ w, axis=1) == y))
        history.append({"phase": "swap", "round": r + 1, "added": list(a), "removed": list(e), "ce": round(loss, 6),
                        "train_wta_acc": round(acc, 6), "wall_s": round(time.perf_counter() - started, 1)})
        if progress:
            print(f"swap {r + 1}: +{a} -{e} cross-entropy {loss:.5f} training WTA acc {acc:.5f} ({time.perf_counter() - started:.0f} s)", flush=True)

    support, w, loss, _ = swap_search(support, x, y, config.adds, config.removals, config.rounds, log)
    factor = config.winner_nM / 100.0 / float(np.mean(np.max(x @ w, axis=1)))
    w = w * factor
    history.append({"phase": "scale", "factor": factor, "ce": round(loss, 6), "nonzero": int(np.count_nonzero(w)),
                    "train_wta_acc": float(np.mean(np.argmax(x @ w, axis=1) == y)), "wall_s": round(time.perf_counter() - started, 1)})
    return w, history
