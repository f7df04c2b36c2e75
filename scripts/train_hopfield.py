"""Train and publish the Hopfield reaction-diffusion network that grows Turing's portrait.

    python scripts/train_hopfield.py [hopfield-turing-small | hopfield-turing-medium] [--steps N] [--weights DIR] [--note TEXT]

The small configuration (`crnzoo.tasks.hopfield.SMALL`: N = 32 neurons, 48×48 grid, dt 0.1,
t_grow 12.5, 600 steps, float32 training) from random parameters (seed 0); the parameters of
the lowest loss are published to weights/hopfield-turing-small/ with the card's metrics
measured in float64 and growth.png (target | grown | growth sequence). About 20 minutes on
2 CPU cores. `hopfield-turing-medium` (`MEDIUM`: N = 64, 64×64, 16 steps of the split update,
4,000 steps, seed 0) takes about 53 minutes on 2 CPU cores. The paper's configuration (N = 256,
100×100) is `scripts/hopfield_full.py`.
"""

import sys

from crnzoo.publish import script_main

if __name__ == "__main__":
    sys.exit(script_main("hopfield", doc=__doc__))
