"""Issue-17 measurement (round 10): are a ring entry's decisions the same at t = 100, 200 and 400?

    python scripts/issue17/ring_agreement.py [NAME ...]     # default: wta-ring-paper wta-ring wta-ring-paper-stable

For 2,000 test rings per n = 2..8 (seed 3, A ~ U[0.01, 0.9], E = 1 − A), the fraction whose
winning chamber (largest A) at t = 200 and at t = 400 is the one at t = 100, and the argmax
accuracy (winner = the chamber with the largest A0) at each time. Tsit5 rtol 1e-7.
"""
import sys

import numpy as np

from crnzoo import list_models, load
from crnzoo.solve import simulate
from crnzoo.tasks._wta_ring_table import sample_rings

names = sys.argv[1:] or ["wta-ring-paper", "wta-ring", "wta-ring-paper-stable"]
unknown = [n for n in names if n not in list_models() or not n.startswith("wta-ring")]
if unknown:
    print(f"ring_agreement: not a ring entry: {', '.join(unknown)}", file=sys.stderr)
    sys.exit(2)
ts = np.array([0.0, 100.0, 200.0, 400.0])
for name in names:
    model = load(name)
    same200, same400, acc = [], [], []
    for n in range(2, 9):
        x0 = sample_rings(2000, n, seed=3)
        A = np.asarray(simulate(model, ts, x0).ys[..., 0])  # (rings, times, chambers)
        pick = A[:, 1:].argmax(-1)  # winner at t = 100, 200, 400
        same200.append(np.mean(pick[:, 1] == pick[:, 0]))
        same400.append(np.mean(pick[:, 2] == pick[:, 0]))
        acc.append(np.mean(pick == x0[..., 0].argmax(-1)[:, None], axis=0))
    pct = lambda v: " / ".join(f"{100 * x:.2f}" for x in v)  # noqa: E731
    print(f"{name}: same winner at t = 200 as at 100: {pct(same200)}; at t = 400: {pct(same400)}")
    for j, t in enumerate((100, 200, 400)):
        print(f"{name}: argmax accuracy at t = {t}: {pct([a[j] for a in acc])}")
