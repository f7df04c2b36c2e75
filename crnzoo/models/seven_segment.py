"""Learned seven-segment display decoder: `seven-segment`.

Mordvintsev, Randazzo, Niklasson (2023), §4.2, Fig. 4. A `CatalyticCRN` with N = 16: five
inputs (four bits at low/high plus the mass balance Xm), seven outputs Sa–Sg (segments
a–g of the hexadecimal digit) and four auxiliary species starting at 0.

Sparsified training at k_min = 0.01 (straight-through), then greedy pruning while all 112
segments stay right; shipped with `k_min = 0.01` in its config, so the shipped dynamics are
exactly the reactions in `reactions.txt` (listed at k_report = 0.01). Training at
k_min = 0.1 did not solve the task here (78–99 of 112 segments in 10 runs with varied seeds,
learning rates, L1 weights and initial logits; annealing a
solved network from 0.01 to 0.1 lost it): this decoder needs slow reactions, so the card
also reports the count with rate > 0.1 and what those alone do.
`scripts/train_seven_segment.py` trains and publishes it with the picture of the 16 decoded
displays next to its card; the task is `crnzoo.tasks.seven_segment`.
"""

from __future__ import annotations

from .._registry import ZooEntry, register
from ..tasks.seven_segment import EVAL_SOLVER, HIGH, K_MIN, LOW, ROLES, SPECIES, T_END, SevenSegmentTask
from ..train import TrainConfig
from ._papers import MORDVINTSEV


TRAIN = TrainConfig(steps=1500, batch_size=16, lr=0.05, seed=0, sparsify="straight_through", k_min=K_MIN, reg={"l1": 1.0})

register(
    ZooEntry(
        name="seven-segment",
        system="Seven-segment display decoder: 4 input bits (hexadecimal digit 0–F) light the right segments a–g",
        task=SevenSegmentTask(TRAIN),
        builder="catalytic",
        config=SevenSegmentTask.config(),
        paper=MORDVINTSEV,
        section="§4.2, Fig. 4",
        t1=T_END,
        solver=EVAL_SOLVER,
        k_report=K_MIN,  # the listing that IS the dynamics; the count at 0.1 is a metric
        roles=dict(zip(SPECIES, ROLES)),
        protocol=(
            f"bits X3 X2 X1 X0 (most significant first) start at low = {LOW} for 0 and high = {HIGH} for 1, "
            "Xm = 1 − their sum (total mass 1); inputs are ordinary species (consumed); outputs Sa–Sg and auxiliary "
            "H1–H4 start at 0. Read-out: segment lit iff its output > (low + high)/2 = "
            f"{(LOW + HIGH) / 2:g}, at T = {T_END:g} and over [100, 200]. Loss: squared hinge (eq. 3) "
            "over the latter half. Default x0: digit 0. Try another digit: crnzoo simulate seven-segment --x0 "
            f"'X3={HIGH},X2={LOW},X1={HIGH},X0={LOW},Xm={1 - 2 * HIGH - 2 * LOW:g}' (digit A)"
        ),
        training="python scripts/train_seven_segment.py seven-segment",
        seed=TRAIN.seed,
        train_config=TRAIN,
    )
)
