"""Issue-17 measurement: the card's full protocol (10,000 eval + 10,000 test rings per n, Tsit5 rtol 1e-7,
seed 0) at t = 100, 200 and 400 for a wta-ring checkpoint saved by ring_cut.py (or the shipped one).

    python scripts/issue17/ring_full_t400.py PATH.eqx|wta-ring [N_RINGS]
"""
import sys
import time

import equinox as eqx

from crnzoo import load
from crnzoo.tasks._wta_ring_table import ring_tables

path = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
model = load("wta-ring") if path == "wta-ring" else eqx.tree_deserialise_leaves(path, load("wta-ring"))
t0 = time.time()
tab = ring_tables(model, (2, 3, 4, 5, 6, 7, 8), n_eval=n, n_test=n, t_ends=(100.0, 200.0, 400.0), seed=0)
for t, v in tab.items():
    print(path, t, " ".join("n%d %.4f" % (k, v[f"test_accuracy_n{k}"]) for k in range(2, 9)), "all %.4f" % v["test_accuracy_all"], flush=True)
print("wall %.0f s" % (time.time() - t0))
