"""Train and publish the waveform-matching models (Mordvintsev et al. 2023 §3).

    python scripts/train_waveform.py                    # waveform-square and waveform-peaks
    python scripts/train_waveform.py waveform-square    # reproduces that entry's card
    python scripts/train_waveform.py waveform-peaks --weights /tmp/w --note "my laptop"

For each target (square wave / three peaks on [0, 100]) the defaults are the cards': seed 0,
40 random initialisations trained at once (one vmapped Adam run, crnzoo.multiseed, each member
clipped on its own), 3000 steps sparsified straight-through at k_min = 1e-3 with fixed-step
Tsit5 (dt = 0.5); about 4 min per target on 2 shared CPU cores. Every member is then scored
with adaptive solves on [0, 200]; the best is written to weights/<name>/ with the seed spread
(MSE, reaction counts, how many keep oscillating) and wall times on its card, and
MODEL_CARDS.md is regenerated.
"""

import sys

from crnzoo.publish import script_main

if __name__ == "__main__":
    sys.exit(script_main("waveform", doc=__doc__))
