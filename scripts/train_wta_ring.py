"""Train and publish `wta-ring` and `wta-ring-paper-stable` (Mordvintsev et al. 2023, §5.1, Table 1) to weights/.

    python scripts/train_wta_ring.py wta-ring                    # seed 0, the card's settings
    python scripts/train_wta_ring.py wta-ring-paper-stable       # the App. C.2 network fine-tuned (seed 0)
    python scripts/train_wta_ring.py --run-dir runs/wta-ring     # resumable

Five chambers, squared hinge loss after the first third of the horizon, straight-through
sparsified at k_min = 1e-3 (tensor and permeabilities): 1,400 Adam steps at T = 100
(`--steps` overrides this phase), then, with the losers' growth-rate term, 1,000 at T = 200
and 300 at T = 400 (loss after t = 100); see `crnzoo.tasks.wta_ring.LearnedRing`. The trained ring must keep every promise under the
test suite's fast measurement (1,000 + 1,000 rings), else nothing is published; then every
card metric is measured with full settings (n = 2..8 chambers, 10,000 eval + 10,000 test
rings each, A read at t = 100, 200 and 400), weights/wta-ring/ is replaced atomically and
MODEL_CARDS.md regenerated. About 25 minutes on 2 CPU cores.

`wta-ring-paper-stable` starts from the App. C.2 network (`crnzoo.tasks.wta_ring.open_c2`: every
absent reaction and membrane trainable, below k_min) and runs wta-ring's third phase alone (300
steps at T = 400, loss and growth-rate term after t = 100; `StableRing`); about 15 minutes.
"""

import sys

from crnzoo.publish import script_main

if __name__ == "__main__":
    sys.exit(script_main("wta_ring", doc=__doc__))
