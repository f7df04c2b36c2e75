"""Learned reusable dual-rail logic gates: `gate-and`, `gate-or`, `gate-xor`.

Mordvintsev, Randazzo, Niklasson (2023), §4.1 (after Cardelli, Kwiatkowska, Whitby 2018).
Each gate is a `CatalyticCRN` whose inputs X_hi, X_lo, Y_hi, Y_lo are `fixed` (they act
only as catalysts: every reaction consuming or producing them is masked out), with
outputs Z_hi, Z_lo and 3 / 3 / 4 auxiliary species (N = 9 / 9 / 10). Trained sparsified
(straight-through at k_min = 0.1) and shipped with `k_min = 0.1` in its config, so the
shipped dynamics are exactly the reactions in `reactions.txt`.

`scripts/train_gate.py` trains and publishes all three; the task, schedules and read-out
checks are in `crnzoo.tasks.gate`.
"""

from __future__ import annotations

from functools import partial

from .._registry import ZooEntry, register
from ..tasks.gate import AUX_NAMES, K_MIN, VERIFY_SOLVER, GateTask
from ..train import TrainConfig
from ._papers import MORDVINTSEV


# kind: (truth table, auxiliary species, paper's reaction count at rate > 0.1, Cardelli et al. 2018's count)
GATES = {
    "and": ("0001", 3, 20, 7),
    "or": ("0111", 3, 16, 7),
    "xor": ("0110", 4, 14, 12),
}
# Training settings per gate (the paper gives none; chosen here, written on every card).
_train = partial(TrainConfig, batch_size=32, lr=0.05, sparsify="straight_through", k_min=K_MIN, reg={"l1": 1.0})
TRAIN = {"and": _train(steps=600, seed=0), "or": _train(steps=600, seed=0), "xor": _train(steps=1200, seed=1)}

Gate = partial(
    ZooEntry,
    builder="catalytic",
    paper=MORDVINTSEV,
    section="§4.1 (dual-rail gates, Fig. 3); hand-designed comparison: Cardelli, Kwiatkowska, Whitby 2018",
    t1=800.0,
    solver=VERIFY_SOLVER,
    k_report=K_MIN,
)


def protocol(n_aux: int) -> str:
    aux = ", ".join(AUX_NAMES[:n_aux])
    return (
        "dual rail: inputs X_hi, X_lo, Y_hi, Y_lo held at 1 / 0 by the experimenter (fixed catalysts, never "
        f"consumed or produced); outputs start (Z_hi, Z_lo) = (0, 1); auxiliary {aux} start at {1 / n_aux:.4g} each. "
        "A value is 1 iff hi >= 0.9 and lo <= 0.1, 0 iff the reverse. Training: the 108 sequences of 4 input states "
        "(no repeated neighbour; every ordered transition) switching at t = 200, 400, 600, T = 800; L1 loss on "
        "(Z_hi, Z_lo) over the 100 time units before each switch and before T. Read-out 1e-3 before each switch. "
        "Default schedule: 00, 01, 11, 10 held 200 each."
    )


for kind, (truth, n_aux, paper, cardelli) in GATES.items():
    task = GateTask(truth, n_aux, TRAIN[kind], f"{paper} (learned); Cardelli et al. 2018 hand design: {cardelli}")
    register(
        Gate(
            name=f"gate-{kind}",
            system=f"Reusable dual-rail {kind.upper()} gate (truth table {truth} for XY = 00, 01, 10, 11); "
            "the output follows any sequence of input switches",
            task=task,
            config=task.config(),
            schedule=task.inputs("00,01,11,10", 200.0),
            roles=dict(zip(task.species, task.roles)),
            protocol=protocol(n_aux),
            training=f"python scripts/train_gate.py gate-{kind}",
            seed=TRAIN[kind].seed,
            train_config=TRAIN[kind],
        )
    )
