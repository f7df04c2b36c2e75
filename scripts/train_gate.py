"""Train, prune, verify and publish the reusable dual-rail logic gates (`gate-and`, `gate-or`, `gate-xor`).

    python scripts/train_gate.py                 # all three
    python scripts/train_gate.py gate-xor --seed 3 --weights /tmp/w

Each gate is trained from random logits (sparsified training at k_min = 0.1 with the settings
on its card: 600 / 600 / 1200 steps, seeds 0 / 0 / 1), pruned greedily while all training
read-outs stay correct, measured with the card's full settings (stretched and random input
sequences, 80,000 time units each, and the exported listing through the generic mass-action
engine) and written to weights/gate-<kind>/ (checkpoint, card.json, reactions.txt).
About 2.5 / 2.5 / 5 minutes each on 2 CPU cores.
"""

import sys

from crnzoo.publish import script_main

if __name__ == "__main__":
    sys.exit(script_main("gate", doc=__doc__))
