"""Issue-17 measurement (round 11): how fast a ring network decides against how finely it resolves.

    python scripts/issue17/ring_frontier.py [NAME | MODEL.eqx ...]   # default: the three ring entries

NAME: a shipped ring entry; MODEL.eqx: a ring saved with equinox by scripts/issue17/ring_recipes.py.
For 2,000 rings per n = 2, 5, 8 (seed 3, A ~ U[0.01, 0.9], E = 1 − A; Tsit5 rtol 1e-7, A saved
every 5 time units to t = 400), per network:

- speed: the first saved time at which 99 % of n-rings are *decided* (the chamber with the largest
  A0 has the largest A and every other chamber's A is below a tenth of it), n = 2 and 5;
- resolution: the argmax accuracy (the chamber with the largest A0 has the largest A) of 5-rings at
  t = 400, and the smallest gap between the two largest A0 below which it is wrong in half the
  5-rings (gap quantiles of the wrong ones: median);
- range: the fraction of 8-rings in which a second chamber keeps more than half the winner's A at t = 400.

Table 1 − 0.3 pp at t = 100 needs, with per-n thresholds, about: 2-rings decided by t = 100 and
5-ring argmax accuracy ≥ 99.38 % (every wrong argmax is a wrong decision).
"""
import os
import signal
import sys
from pathlib import Path

import equinox as eqx
import numpy as np

from crnzoo import list_models, load
from crnzoo.tasks._wta_ring_table import sample_rings
from crnzoo.solve import simulate

args = sys.argv[1:] or ["wta-ring-paper", "wta-ring", "wta-ring-paper-stable"]
bad = [a for a in args if not (a.endswith(".eqx") and Path(a).is_file()) and not (a.startswith("wta-ring") and a in list_models())]
if bad:
    print(f"ring_frontier: not a ring entry or a saved ring (.eqx file): {', '.join(bad)}", file=sys.stderr)
    sys.exit(2)
ts = np.arange(0.0, 400.0 + 1e-9, 5.0)
signal.signal(signal.SIGINT, lambda *_: (print("ring_frontier: interrupted (it writes nothing)", file=sys.stderr), os._exit(130)))


def first_time(ok: np.ndarray) -> str:
    """The first saved time at which at least 99 % of rings satisfy `ok` (rings, times) and every later one does too."""
    frac = ok.mean(0)
    good = frac >= 0.99
    later = np.flip(np.cumprod(np.flip(good)))  # true from the first time after which it stays true
    return f"{ts[int(np.argmax(later))]:g}" if later.any() else "> 400"


for arg in args:
    model = eqx.tree_deserialise_leaves(arg, load("wta-ring")) if arg.endswith(".eqx") else load(arg)
    row = {}
    for n in (2, 5, 8):
        x0 = sample_rings(2000, n, seed=3)
        A = np.asarray(simulate(model, ts, x0).ys[..., 0])  # (rings, times, chambers)
        win = x0[..., 0].argmax(-1)
        rows = np.arange(len(x0))
        wA = A[rows, :, win]  # (rings, times)
        lose = A.copy()
        lose[rows, :, win] = -np.inf
        lmax = lose.max(-1)
        right = A.argmax(-1) == win[:, None]
        if n in (2, 5):
            row[f"decided n={n} by t"] = first_time(right & (lmax < 0.1 * wA))
        if n == 5:
            srt = np.sort(x0[..., 0], 1)
            gap = srt[:, -1] - srt[:, -2]
            wrong = ~right[:, -1]
            row["5-ring argmax acc at 400"] = f"{100 * right[:, -1].mean():.2f} %"
            row["median A0 gap where wrong"] = f"{np.median(gap[wrong]):.4f}" if wrong.any() else "-"
            row["5-ring argmax acc at 100"] = f"{100 * right[:, ts.searchsorted(100.0)].mean():.2f} %"
        if n == 8:
            row["8-rings with a loser above half the winner at 400"] = f"{100 * np.mean(lmax[:, -1] > 0.5 * wA[:, -1]):.2f} %"
    print(f"{Path(arg).stem if arg.endswith('.eqx') else arg}: " + "; ".join(f"{k} {v}" for k, v in row.items()), flush=True)
