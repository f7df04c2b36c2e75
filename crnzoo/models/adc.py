"""3-bit analogue-to-digital converter: `adc-3bit`.

Mordvintsev, Randazzo, Niklasson (2023), App. B.1, Fig. 9. A `CatalyticCRN` with N = 11:
inputs X = x and Xc = 1 − x (fixed: catalysts only, held by the experimenter), three
dual-rail output bits spelling floor(8x) and three auxiliary species.

How it was made (differs from the paper, which learned it by gradient descent): gradient
training from random logits did not learn this converter here (sparsified training at
k_min = 0.1 and 0.01, with and without a most-significant-bit-first curriculum: at best the
top bit; 0 of 8 bin centres), and gradient steps from a working network made it worse (its
read-outs are digital, so the loss is flat between cliffs). The shipped network is a
hand-designed architecture — a cascade of catalytic approximate-majority bits, each with
its own blank species as the auxiliary, biased by X and Xc and by the more significant bits
like a flash converter, reset while a more significant bit is undecided
(`crnzoo.tasks.adc.CASCADE_REACTIONS`) — whose 27 rates were tuned by a derivative-free
random search (`crnzoo.tasks.adc.fit_cascade`) on a grid of input levels. Every rate is
≥ 0.1 and every other reaction is exactly absent, so the listing at k_min = 0.1 is the
dynamics. `scripts/train_adc.py` runs the search and publishes the model with a picture
like the paper's Fig. 9 next to its card.

`adc-3bit-gradient` (`crnzoo/models/adc_gradient.py`) is the same cascade with its 27 rates
learned by gradient descent instead of the random search.
"""

from __future__ import annotations

from .._registry import ZooEntry, register
from ..tasks.adc import EVAL_SOLVER, K_MIN, ROLES, SPECIES, T_END, ADCTask, SearchConfig
from ._papers import MORDVINTSEV


SEARCH = SearchConfig()

register(
    ZooEntry(
        name="adc-3bit",
        system="3-bit analogue-to-digital converter: input level x in [0, 1] -> floor(8x) on three dual-rail output bits "
        "(hand-designed cascade of approximate-majority bits; rates found by random search, not gradients)",
        task=ADCTask(SEARCH),
        builder="catalytic",
        config=ADCTask.config(),
        paper=MORDVINTSEV,
        section="App. B.1, Fig. 9",
        t1=T_END,
        solver=EVAL_SOLVER,
        k_report=K_MIN,
        roles=dict(zip(SPECIES, ROLES)),
        protocol=(
            "inputs X = x and Xc = 1 − x held by the experimenter (fixed catalysts); every output pair "
            "(B2_hi, B2_lo), (B1_hi, B1_lo), (B0_hi, B0_lo) starts at (0.5, 0.5), auxiliary U, V, W at 0; "
            "read the bits at T = 400 (bit 1 iff hi >= 0.9 and lo <= 0.1, 0 iff the reverse); B2 is the most "
            "significant. Architecture: a cascade of approximate-majority bits (hand-designed); rates tuned by random "
            "search. Default x0: x = 0.5. Other levels: crnzoo simulate adc-3bit --inputs 0.3 --hold 400 (each level "
            "is read from where the previous one left the outputs; the card's test always starts from (0.5, 0.5))"
        ),
        training="python scripts/train_adc.py adc-3bit",
        seed=SEARCH.seed,
        train_config=SEARCH,
    )
)

