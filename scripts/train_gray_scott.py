"""Learn Gray-Scott (F, k) from Pearson's textures and publish gray-scott-kappa/-lambda/-delta.

    python scripts/train_gray_scott.py [gray-scott-kappa ...] [--steps N] [--weights DIR] [--note TEXT]

For each texture (`crnzoo.tasks.gray_scott`): grow the target at the target (F, k) (101×101,
T = 5,000, seed 0); run 10 restarts on a circle of radius 0.015 around the target (vmapped),
100 optimiser steps each (`--steps`), every step simulating 10 time units from the target
texture with the current (F, k) and scoring it with the filter-bank texture loss. The (F, k)
of the lowest loss is published to weights/gray-scott-<texture>/ with every card metric
measured at full settings and texture.png next to the card; the card counts the restarts
that end within 0.001 of the target. About 3 minutes of training per texture on 2 busy CPU
cores.
"""

import sys

from crnzoo.publish import script_main

if __name__ == "__main__":
    sys.exit(script_main("gray_scott", doc=__doc__))
