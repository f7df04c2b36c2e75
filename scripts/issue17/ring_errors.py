"""Issue-17 probe (round 8): where a wta-ring network's wrong decisions come from.

    python scripts/issue17/ring_errors.py [MODEL.eqx | NAME]     # default: the shipped wta-ring

MODEL.eqx: a wta-ring saved with equinox; NAME: a shipped ring entry (e.g. wta-ring-paper-stable).
2,000 rings (seed 3) of 2, 5, 7 and 8 chambers, A read at t = 100 and 400: the argmax accuracy,
the median gap between the two largest A0 where the argmax is wrong, how far (in chambers) the
wrong winner sits from the right one, the winner's A and the largest loser A where it is right.
"""
import sys
from pathlib import Path

import equinox as eqx
import numpy as np

from crnzoo import list_models, load
from crnzoo.solve import SolverConfig, simulate
from crnzoo.tasks._wta_ring_table import sample_rings

arg = sys.argv[1] if len(sys.argv) == 2 else "wta-ring"
if len(sys.argv) > 2 or not (Path(arg).is_file() or (arg.startswith("wta-ring") and arg in list_models())):
    print(f"ring_errors: expected at most one MODEL.eqx file (a wta-ring saved with equinox) or ring entry; got {sys.argv[1:]}", file=sys.stderr)
    sys.exit(2)
m = eqx.tree_deserialise_leaves(arg, load("wta-ring")) if Path(arg).is_file() else load(arg)
for n in (2, 5, 7, 8):
    x0 = sample_rings(2000, n, seed=3)
    a0 = x0[..., 0]; win = a0.argmax(1)
    srt = np.sort(a0, 1); gap = srt[:, -1] - srt[:, -2]
    ys = np.asarray(simulate(m, np.array([0, 100, 200, 400.0]), x0, solver=SolverConfig("tsit5", rtol=1e-5, atol=1e-7)).ys[..., 0])
    for j, t in ((1, 100), (3, 400)):
        A = ys[:, j]
        am = A.argmax(1) == win
        wA = A[np.arange(len(A)), win]
        lmax = np.where(np.arange(n)[None] == win[:, None], -1, A).max(1)
        # distance of the wrong argmax from the true winner
        d = np.minimum((A.argmax(1) - win) % n, (win - A.argmax(1)) % n)
        print(f"n={n} t={t}: argmax acc {am.mean():.4f}; wrong-argmax gap median {np.median(gap[~am]) if (~am).any() else 0:.4f} (all {np.median(gap):.4f}); wrong dist {np.bincount(d[~am], minlength=n//2+1)}; winner A med {np.median(wA):.3f} min {wA.min():.3f}; max loser A at correct: 99pct {np.quantile(lmax[am], .99):.3f} max {lmax[am].max():.3f}")
