"""Approximate majority: `majority-am4`, `majority-am3` (hand-designed) and `majority-learned`.

The inputs A and B race to consensus from A0, B0 ~ U[0, 1]; read out at t = 200. The
networks, the training and the card's metrics are in `crnzoo.tasks.majority`.
"""

from __future__ import annotations

import functools

from .._registry import ZooEntry, register
from ..solvers.config import SolverConfig
from ..tasks import majority as task
from ._papers import AAE, MORDVINTSEV


def _catalytic(k_min: float | None) -> dict:
    """The `catalytic` builder's config over A, B, C (inputs A, B)."""
    return {"species": list(task.SPECIES), "fixed": [], "roles": list(task.ROLES), "k_min": k_min, "train_x0": False}


_majority = functools.partial(
    ZooEntry,
    t1=task.T_END,
    solver=SolverConfig("tsit5", rtol=1e-7, atol=1e-9),
    roles=dict(zip(task.SPECIES, task.ROLES)),
)


def _hand_designed(name: str, system: str, network, builder: str, config: dict, species: tuple[str, ...]) -> ZooEntry:
    """A hand-designed approximate majority of Angluin et al. (`network()` builds it) over `species`."""
    return _majority(
        name=name,
        system=f"Approximate majority, {system}: the larger of A, B takes all",
        task=task.ApproximateMajority(network),
        builder=builder,
        config=config,
        roles=dict(zip(species, task.ROLES)),
        paper=AAE,
        section="protocol of Angluin et al.; catalytic form as learned in Mordvintsev et al. 2023 §4.3",
        protocol="A0, B0 ~ U[0, 1], third species 0; read out at t = 200 (default x0 = (0.6, 0.4, 0))",
        training=f"hand-designed: {AAE} (python scripts/make_reference.py)",
    )


_AM3_CONFIG = {"species": list(task.AM3_SPECIES), "reactions": task.AM3_LISTING, "roles": list(task.ROLES)}
register(_hand_designed("majority-am4", "catalytic form (4 reactions)", task.am4, "catalytic", _catalytic(None), task.SPECIES))
register(_hand_designed("majority-am3", "classic 3-reaction form", task.am3, "mass_action", _AM3_CONFIG, task.AM3_SPECIES))
register(
    _majority(
        name="majority-learned",
        system="Approximate majority learned from data: the larger of A, B takes all; sparsified it is majority-am4",
        task=task.LearnedMajority(),
        builder="catalytic",
        config=_catalytic(task.K_MIN),
        paper=MORDVINTSEV,
        section=f"§4.3, Fig. 5 (single-chamber winner-takes-all); reference network: {AAE}",
        k_report=task.K_MIN,
        protocol=(
            "A0, B0 ~ U[0, 1], C0 = 0; read out at t = 200 (default x0 = (0.6, 0.4, 0)). The shipped dynamics are "
            "the network sparsified at k_min = 0.05 (straight-through tensor, `k_min` in the config). Trained: L2 at T = 200 on "
            "x(T)/(A0 + B0) vs (1, 0, 0) or (0, 1, 0); dense warm-up, then straight-through at 0.05 with the entropy "
            "regulariser; logits kept symmetric under A ↔ B (card.json: training_phases, training_task)"
        ),
        training="python scripts/train_majority.py majority-learned",
        seed=task.SEED,
        train_config=task.TRAIN,
    )
)
