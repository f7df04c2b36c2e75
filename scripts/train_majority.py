"""Train and publish `majority-learned` (Mordvintsev et al. 2023, §4.3) to weights/.

    python scripts/train_majority.py majority-learned            # seed 0, the card's settings
    python scripts/train_majority.py --run-dir runs/majority     # resumable

A dense warm-up (500 Adam steps), then straight-through sparsified training at
k_min = 0.05 with the entropy regulariser (1,000 steps; `--steps` overrides this phase);
see `crnzoo.tasks.majority.LearnedMajority`. Every card metric is then measured with full
settings (10,000 draws), weights/majority-learned/ is replaced atomically and
MODEL_CARDS.md regenerated. About 3 minutes on 2 CPU cores.
"""

import sys

from crnzoo.publish import script_main

if __name__ == "__main__":
    sys.exit(script_main("majority", doc=__doc__))
