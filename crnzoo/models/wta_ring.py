"""Multi-chamber winner-takes-all on a ring of membranes: `wta-ring-paper` (App. C.2), `wta-ring` (learned here)
and `wta-ring-paper-stable` (App. C.2 fine-tuned to hold its decisions).

Per chamber A ~ U[0.01, 0.9], E = 1 − A; only the chamber with the most A must keep A.
The App. C.2 network, the training and Table 1's metrics are in `crnzoo.tasks.wta_ring`.
"""

from __future__ import annotations

import functools

from .._registry import ZooEntry, register
from ..solvers.config import SolverConfig
from ..tasks import wta_ring as task
from ._papers import MORDVINTSEV


def _ring(k_min: float | None) -> dict:
    """The `ring` builder's config: 5 chambers of a catalytic chemistry over A..E."""
    chemistry = {"species": list(task.SPECIES), "fixed": [], "roles": list(task.ROLES), "k_min": k_min, "train_x0": False}
    return {"chemistry": {"builder": "catalytic", "config": chemistry}, "n_chambers": 5}


_wta_ring = functools.partial(
    ZooEntry,
    builder="ring",
    paper=MORDVINTSEV,
    solver=SolverConfig("tsit5", rtol=1e-7, atol=1e-9),
    roles=dict(zip(task.SPECIES, task.ROLES)),
)
_DEFAULT_X0 = f"Default x0: A = {task.DEFAULT_A} on 5 chambers"

register(
    _wta_ring(
        name="wta-ring-paper",
        system="Multi-chamber winner-takes-all on a ring of membranes: only the chamber with the most A keeps A",
        task=task.PaperRing(),
        config=_ring(None),
        section="§5.1, Table 1, App. C.2 (reaction list)",
        t1=200.0,
        protocol=(
            "per chamber A ~ U[0.01, 0.9], E = 1 − A, B = C = D = 0; read A at t = 200; only B diffuses (D_B = 1). "
            + _DEFAULT_X0
        ),
        training=f"hand-designed: learned network transcribed from {MORDVINTSEV}, App. C.2 (python scripts/make_reference.py)",
    )
)
# The learned entries: sparsified at task.K_MIN, Table 1 read at t = 100 and again at 200 and 400.
_learned_ring = functools.partial(_wta_ring, config=_ring(task.K_MIN), t1=task.T_EVAL, k_report=task.K_MIN, seed=task.SEED)
_READ_OUT = (
    f"per chamber A ~ U[0.01, 0.9], E = 1 − A, B = C = D = 0; read A at t = {task.T_EVAL:g} (Table 1 metrics) and at "
    f"t = {task.T_HOLD:g} and {task.T_LATE:g} (*_t200, *_t400: does the decision hold?); "
)

register(
    _learned_ring(
        name="wta-ring",
        system="Multi-chamber winner-takes-all on a ring of membranes, learned here: only the chamber with the most A keeps A",
        task=task.LearnedRing(),
        section="§5.1, eq. 3–4, Table 1 (trained here; compare wta-ring-paper, App. C.2)",
        protocol=(
            f"{_READ_OUT}trained on 5 chambers only (horizons {task.T_TRAIN:g}, {task.T_EXTEND:g} and {task.T_SETTLE:g}), "
            f"evaluated on 2..8. {_DEFAULT_X0}"
        ),
        training="python scripts/train_wta_ring.py wta-ring",
        train_config=task.TRAIN,
    )
)
register(
    _learned_ring(
        name="wta-ring-paper-stable",
        system="Multi-chamber winner-takes-all on a ring of membranes: the App. C.2 network fine-tuned so that its decisions hold",
        task=task.StableRing(),
        section="§5.1, Table 1, App. C.2 (the paper's network, fine-tuned here; compare wta-ring-paper and wta-ring)",
        protocol=(
            f"{_READ_OUT}fine-tuned on 5 chambers only (horizon {task.T_SETTLE:g}) from the App. C.2 network, evaluated on "
            f"2..8. {_DEFAULT_X0}"
        ),
        training="python scripts/train_wta_ring.py wta-ring-paper-stable",
        train_config=task.SETTLE,
    )
)
