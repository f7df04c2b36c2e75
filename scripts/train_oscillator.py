"""Train and publish the controllable oscillators (Mordvintsev et al. 2023 App. B.2).

    python scripts/train_oscillator.py                        # oscillator-frequency and oscillator-amplitude
    python scripts/train_oscillator.py oscillator-frequency   # reproduces that entry's card
    python scripts/train_oscillator.py oscillator-amplitude --weights /tmp/w --note "my laptop"

- oscillator-frequency: a control species U (catalyst only) is held at u ∈ [0.5, 2]; A must
  follow 0.25 + 0.25 sin(2π u t / 20). Batches of 8 control levels; 4000 phase-locked steps,
  then 1500 phase-free steps (~9 min on 2 shared CPU cores).
- oscillator-amplitude: A(0) = a ∈ [0.2, 0.6]; A must follow a (0.5 + 0.5 cos(2π t / 20)).
  Batches of 8 amplitudes; 4500 steps (~7.5 min).

The defaults are the cards': seed 0, 8 initialisations trained at once (one vmapped Adam run,
crnzoo.multiseed), sparsified straight-through at k_min = 1e-3 with fixed-step Tsit5 (dt = 0.5).
Each member is scored with adaptive solves and the best is written to weights/<name>/ with the
seed spread and wall times on its card; MODEL_CARDS.md is regenerated. The hand-designed
three-phase-oscillator is written by scripts/make_reference.py.
"""

import sys

from crnzoo.publish import script_main

if __name__ == "__main__":
    sys.exit(script_main("oscillator", doc=__doc__))
