"""Search, verify and publish the 3-bit analogue-to-digital converter (`adc-3bit`).

    python scripts/train_adc.py [adc-3bit] [--seed S] [--steps N] [--weights DIR]

Tunes the 27 rates of the hand-designed cascade by derivative-free random search (600 tied +
600 free iterations, seed 0: the settings on the card; `--steps` sets both counts), measures
every card metric with full settings (8 bin centres and 1,000 random levels at least 0.02 from a
bin edge) and writes weights/adc-3bit/ (checkpoint, card.json, reactions.txt and adc.png, a
picture like the paper's Fig. 9). About 4 minutes on 2 CPU cores.

The same cascade with its rates learned by gradients is `scripts/train_adc_gradient.py`.
"""

import sys

from crnzoo.publish import script_main

if __name__ == "__main__":
    sys.exit(script_main("adc", doc=__doc__))
