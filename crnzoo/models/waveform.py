"""The waveform family's entries (card data; behaviour in `crnzoo/tasks/waveform.py`).

`waveform-square` and `waveform-peaks`: Mordvintsev et al. 2023 §3, Fig. 2, App. A Figs. 7–8.
"""

from __future__ import annotations

import functools

from .._registry import ZooEntry, register
from ..tasks import _oscillation as osc
from ..tasks import waveform as wf
from ._papers import MORDVINTSEV


entry = functools.partial(
    ZooEntry,
    builder="catalytic",
    config=wf.CONFIG,
    paper=MORDVINTSEV,
    section="§3 Waveform matching, Fig. 2, App. A Figs. 7–8; targets from paper-targets §A.2 (PROPOSED)",
    t1=200.0,
    solver=osc.EVAL_SOLVER,
    k_report=osc.K_MIN,
    roles=dict(zip(wf.SPECIES, wf.ROLES)),
    seed=0,
    train_config=wf.TRAIN,
)


def protocol(wave: str) -> str:
    return (
        f"target on A: {wf.TARGET_TEXT[wave]}; loss = MSE on 200 evenly spaced times in [0, 100] (both ends); "
        "trained: tensor and x0 (x0 ≥ 0, Σx0 = 1), fixed-step Tsit5 dt = 0.5, straight-through sparsification "
        f"at k_min = 1e-3, {wf.SEEDS} random initialisations (best shipped); evaluated with adaptive solves "
        "on [0, 200]. Default x0 = the learned one"
    )


register(
    entry(
        name="waveform-square",
        system="Learned 5-species CRN whose A follows a square wave 0 ↔ 0.5 (period 25) on [0, 100] and beyond",
        task=wf.WaveformTask("square", csv_target=True),
        protocol=protocol("square"),
        training="python scripts/train_waveform.py waveform-square",
    )
)

register(
    entry(
        name="waveform-peaks",
        system="Learned 5-species CRN whose A follows three Gaussian peaks of decreasing height on [0, 100]",
        task=wf.WaveformTask("peaks"),
        protocol=protocol("peaks"),
        training="python scripts/train_waveform.py waveform-peaks",
    )
)
