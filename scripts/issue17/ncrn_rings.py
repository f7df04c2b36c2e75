"""Issue-17 experiment: chemical training of Rings2D classifiers with other widths, T, η, pads, f_θ.

    python scripts/issue17/ncrn_rings.py KIND [--d D] [--T T] [--eta ETA] [--pad PAD] [--alpha A] [--fast-rate K]
        [--epochs N] [--init SPEC] [--train-seed S ...] [--data-seed D] [--every K] [--json FILE]

KIND is `cubic` (f = θx − α z⊙z⊙z) or `quadratic` (rail-wise f = θx − α z|z|). Everything not given
is the d = 3 circuit the Rings2D entries shipped before issue 17 (crnzoo.models.ncrn CUBIC and
QUADRATIC, still the XOR2D entries' circuits): d 3, pad 0.2, T 0.9, η 0.5, κ 100.
The data set is the card's (data seed 0, `rings2d(0)`; `--data-seed` only to check that it is not a
lucky one); `--train-seed` changes only θ0
(drawn with seed + 1000, as the entries do) and the shuffling, so the seed spread is measured on
the same data. Training is the real staged chemical learning (`crnzoo.neural.run_epoch`: N1, N2,
N3 solves of the compiled circuit, N4 update), exactly what `scripts/train_ncrn.py` runs.
Prints the validation accuracy every K epochs, the best and the final one, and the gradient
invariant of the compiled circuit at the final θ.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time

import numpy as np

from crnzoo.models import ncrn as m
from crnzoo.neural import NeuralCRN, run_epoch
from crnzoo.tasks import ncrn as t
from crnzoo.tasks.ncrn import ChemicalLearning, accuracy, gradient_check, mean_loss

BASE = {"cubic": m.CUBIC, "quadratic": m.QUADRATIC}


def train(spec, init: str, epochs: int, seed: int, every: int, data) -> dict:
    """Staged chemical learning from θ0(seed) on `data`, shuffled with `seed`; accuracies every `every` epochs."""
    import jax.numpy as jnp

    theta = jnp.asarray(ChemicalLearning(spec, init, epochs, seed=seed).theta0())
    rng = np.random.default_rng(seed)
    xs = spec.pad_inputs(data.train.x)
    curve, started = [], time.perf_counter()

    def val(th):
        yhat = np.asarray(NeuralCRN(jnp.asarray(th), spec, (0.5, 0.5)).predict(data.val.x))
        return accuracy(data, yhat, data.val.labels), mean_loss(yhat, data.val.y)

    for ep in range(epochs):
        order = rng.permutation(len(xs))
        theta, losses, _ = run_epoch(spec, theta, xs[order], data.train.y[order], "staged")
        if not np.all(np.isfinite(losses)):
            return {"diverged_at": ep + 1, "curve": curve}
        if (ep + 1) % every == 0 or ep + 1 == epochs:
            acc, vl = val(theta)
            curve.append((ep + 1, round(acc, 4), round(vl, 5), round(float(np.mean(losses)), 5)))
            print(f"  epoch {ep + 1:4d}: val acc {acc:.4f}  val loss {vl:.5f}  train loss {np.mean(losses):.5f}", flush=True)
    acc, vl = val(theta)
    inv = gradient_check(spec, data, theta)
    return {"final_acc": acc, "final_val_loss": vl, "best_acc": max(c[1] for c in curve), "curve": curve,
            "theta": [float(v) for v in np.asarray(theta)], "staged_rel_error": inv["staged_rel_error"],
            "wall_s": round(time.perf_counter() - started, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("kind", choices=sorted(BASE))
    ap.add_argument("--d", type=int)
    ap.add_argument("--T", type=float)
    ap.add_argument("--eta", type=float)
    ap.add_argument("--pad", type=float)
    ap.add_argument("--alpha", type=float)
    ap.add_argument("--power", type=int)
    ap.add_argument("--fast-rate", type=float)
    ap.add_argument("--epochs", type=int, default=150)
    ap.add_argument("--init", default="normal:0,1/sqrtd")
    ap.add_argument("--train-seed", type=int, nargs="+", default=[0])
    ap.add_argument("--every", type=int, default=25)
    ap.add_argument("--data-seed", type=int, default=0, help="another data set (rings2d(seed)), only to check that the card's is not a lucky one")
    ap.add_argument("--json")
    a = ap.parse_args()
    over = {k: v for k, v in {"d": a.d, "T": a.T, "eta": a.eta, "pad": a.pad, "alpha": a.alpha, "power": a.power, "fast_rate": a.fast_rate}.items() if v is not None}
    spec = dataclasses.replace(BASE[a.kind], **over)
    data = t.rings2d(a.data_seed)
    print(f"data seed {a.data_seed}: {a.kind} {over} epochs {a.epochs} init {a.init}", flush=True)
    runs = {}
    for s in a.train_seed:
        print(f" train seed {s}", flush=True)
        runs[s] = train(spec, a.init, a.epochs, s, a.every, data)
        r = runs[s]
        if "final_acc" in r:
            print(f" seed {s}: final {r['final_acc']:.4f} best {r['best_acc']:.4f} grad-invariant rel err {r['staged_rel_error']:.2e} ({r['wall_s']} s)", flush=True)
        else:
            print(f" seed {s}: diverged at epoch {r['diverged_at']}", flush=True)
    if a.json:
        with open(a.json, "w") as fh:
            json.dump({"kind": a.kind, "spec": spec.to_dict(), "epochs": a.epochs, "init": a.init, "runs": runs}, fh, indent=1)


if __name__ == "__main__":
    main()
