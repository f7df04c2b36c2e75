"""Train, prune, verify and publish the seven-segment display decoder (`seven-segment`).

    python scripts/train_seven_segment.py [seven-segment] [--seed S] [--steps N] [--weights DIR]

Trains from random logits (sparsified training at k_min = 0.01, 1,500 steps, seed 0: the
settings on the card), prunes reactions the read-outs do not need, measures every card metric
with full settings and writes weights/seven-segment/ (checkpoint, card.json, reactions.txt and
digits.png, the 16 decoded displays). About 45 s on 2 CPU cores.
"""

import sys

from crnzoo.publish import script_main

if __name__ == "__main__":
    sys.exit(script_main("seven_segment", doc=__doc__))
