"""Learn the 3-bit converter's rates by gradient descent and publish `adc-3bit-gradient` (issue 17).

    python scripts/train_adc_gradient.py [adc-3bit-gradient] [--seed S] [--steps N] [--weights DIR]

The cascade architecture of adc-3bit (hand-designed), started at its flash-converter rate
ratios; Adam on the 27 rates' logits, 150 steps of 32 random levels, squared hinge loss on
the six output rails at t = 100..400 (`crnzoo/tasks/adc_gradient.py`). Every card metric is
measured with full settings (8 bin centres, 1,000 random levels) and weights/adc-3bit-gradient/
written with adc.png. About 2 minutes of training on 2 busy CPU cores.
"""

import sys

from crnzoo.publish import script_main

if __name__ == "__main__":
    sys.exit(script_main("adc_gradient", doc=__doc__))
