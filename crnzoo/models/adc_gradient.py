"""3-bit analogue-to-digital converter learned by gradients: `adc-3bit-gradient`.

Mordvintsev, Randazzo, Niklasson (2023), App. B.1, Fig. 9, where the converter is learned by
gradient descent. The architecture is `adc-3bit`'s hand-designed cascade of catalytic
approximate-majority bits (`crnzoo.tasks.adc.CASCADE_REACTIONS`); its 27 rates are learned by
Adam on a squared hinge loss over random input levels (`crnzoo.tasks.adc_gradient`), starting
from the flash-converter ratios. From uniform rates (0.3) the same training reached 2 of 8 bin
centres, so the start is part of the recipe. `scripts/train_adc_gradient.py` trains and publishes it.
"""

from __future__ import annotations

from .._registry import ZooEntry, register
from ..tasks.adc import EVAL_SOLVER, ROLES, SPECIES, T_END
from ..tasks.adc_gradient import K_REPORT, ADCGradientTask, GradConfig
from ._papers import MORDVINTSEV

GRAD = GradConfig()

register(
    ZooEntry(
        name="adc-3bit-gradient",
        system="3-bit analogue-to-digital converter: input level x in [0, 1] -> floor(8x) on three dual-rail output bits "
        "(the cascade architecture of adc-3bit, hand-designed; its 27 rates learned by gradient descent from the "
        "flash-converter ratios)",
        task=ADCGradientTask(GRAD),
        builder="catalytic",
        config=ADCGradientTask.config(),
        paper=MORDVINTSEV,
        section="App. B.1, Fig. 9",
        t1=T_END,
        solver=EVAL_SOLVER,
        k_report=K_REPORT,
        roles=dict(zip(SPECIES, ROLES)),
        protocol=(
            "as adc-3bit: inputs X = x and Xc = 1 − x held (fixed catalysts); output pairs start at (0.5, 0.5), U, V, W at 0; "
            "bits read at T = 400 (1 iff hi >= 0.9 and lo <= 0.1, 0 iff the reverse). Architecture: adc-3bit's cascade "
            "(hand-designed); rates learned by Adam on a squared hinge loss over random levels (crnzoo/tasks/adc_gradient.py); "
            "from uniform rates (0.3) the same training reached 2 of 8 bin centres, so the start is the flash-converter ratios"
        ),
        training="python scripts/train_adc_gradient.py adc-3bit-gradient",
        seed=GRAD.seed,
        train_config=GRAD,
    )
)
