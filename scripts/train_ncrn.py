"""Chemically train and publish the Neural CRN entries (`ncrn-*`, crnzoo/models/ncrn.py).

    python scripts/train_ncrn.py [NAME ...] [--seed S] [--steps EPOCHS] [--weights DIR] [--note TEXT]

For each entry: regenerate its dataset from the card's seed, run chemical learning (each
training sample: N1 forward solve, N2 to completion, N3 backward solve, N4 update; staged
mode) for the card's epochs, measure every card metric from the trained parameters and
write weights/<name>/ (checkpoint, card.json, reactions.txt = the whole learning circuit,
the loss/accuracy curves curves.png and, for 2-D classifiers, the decision boundary
boundary.png). The card records the circuit's sizes, θ before and after, the training
curves, the gradient invariant at the trained θ and, for ncrn-linreg2d, ncrn-linear2d and
ncrn-sinreg, the same training in one-pot mode. Each entry takes seconds (ncrn-linreg2d)
to about an hour (ncrn-nonlinreg2d, 300 epochs) on two CPU cores.
"""

import sys

from crnzoo.publish import script_main

if __name__ == "__main__":
    sys.exit(script_main("ncrn", doc=__doc__))
