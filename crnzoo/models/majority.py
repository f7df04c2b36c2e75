"""Learned approximate majority (Mordvintsev et al. 2023, §4.3): `majority-learned`.

A `CatalyticCRN` over A, B and one auxiliary species C (C0 = 0), trained from random
A0, B0 ~ U[0, 1] with an L2 loss at T = 200 towards the consensus (see
`crnzoo.tasks.majority.ConsensusTask`). The paper reports that its sparsified network
(rates > 0.05) is exactly the catalytic approximate majority of Angluin et al.,
`majority-am4`, with every rate 1.0; this entry's card measures the same comparison.

Training (`fit`, `scripts/train_majority.py`):

1. warm-up without sparsification (`WARMUP`): from a "do nothing" start (each row of the
   tensor keeps its input with probability ≈ 0.98) a straight-through run at k_min = 0.05
   sees exactly zero dynamics and, by the task's symmetry, exactly zero gradient on the
   cross reactions, so it cannot leave that saddle; the dense warm-up finds the
   approximate-majority structure;
2. straight-through sparsified training at k_min = 0.05 with the entropy regulariser
   (`TRAIN`), which drives the four kept rates to 1.

Both phases see the model through `mirror_symmetric` (the logits averaged with their
image under exchanging A and B), so the learned network treats A and B alike: without
it, Adam's noise makes the two halves drift apart by ~10 %, which at small rates decides
near-ties by bias and stalls training (loss 0.07–0.2 instead of 3e-5). The shipped model
is the symmetric one with `k_min = 0.05` in its config, so its dynamics are exactly the
sparsified four-reaction network.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from ..crn import CatalyticCRN
from ..network import Reaction
from ..solve import SolverConfig
from ..tasks import majority
from ..train import TrainConfig, train
from .._legacy import ZooEntry, register
from .reference import AAE, MORDVINTSEV, make_am4


NAME = "majority-learned"
SPECIES = ("A", "B", "C")
ROLES = ("input", "input", "auxiliary")
K_MIN = 0.05
T_END = 200.0
DT = 0.4
SEED = 0
WARMUP = TrainConfig(steps=500, batch_size=64, lr=0.05, seed=SEED, checkpoint_every=100)
TRAIN = TrainConfig(
    steps=1000,
    batch_size=64,
    lr=0.05,
    lr_end=1e-3,
    seed=SEED,
    sparsify="straight_through",
    k_min=K_MIN,
    reg={"entropy": 0.01},
    checkpoint_every=100,
)
INIT_NOISE, INIT_STAY = 0.3, 5.0
COMMAND = "python scripts/train_majority.py"

# The four reactions of `majority-am4`, as (input, catalyst, output).
AM4 = (("A", "B", "C"), ("B", "A", "C"), ("C", "A", "A"), ("C", "B", "B"))


def rate_key(a: str, c: str, b: str) -> str:
    return f"rate_{a}_{c}_{b}"


def config() -> dict:
    return {"species": list(SPECIES), "fixed": [], "roles": list(ROLES), "k_min": K_MIN, "train_x0": False}


def task() -> majority.ConsensusTask:
    return majority.ConsensusTask(n_species=3, t_end=T_END, dt=DT, symmetric=True)


def init_model(seed: int = SEED) -> CatalyticCRN:
    """Logits W = INIT_STAY·[a = b] + INIT_NOISE·N(0, 1), made symmetric in A ↔ B; no sparsity."""
    W = INIT_NOISE * jax.random.normal(jax.random.PRNGKey(seed), (3, 3, 3), dtype=jnp.float64)
    W = W + INIT_STAY * jnp.eye(3)[None]
    model = CatalyticCRN(W, jnp.array([0.6, 0.4, 0.0]), SPECIES, roles=ROLES)
    return majority.mirror_symmetric(model)


def fit(seed: int = SEED, steps: int | None = None, run_dir=None, progress: bool = True):
    """Train from scratch: dense warm-up, then straight-through at k_min = 0.05.

    `steps` overrides the sparsified phase's step count (the warm-up keeps its own).
    With `run_dir`, both phases checkpoint under it (`warmup/`, `sparse/`) and resume.
    Returns `(model, extra)`: the shipped model (symmetric, `k_min = 0.05`) and card extras.
    """
    started = time.perf_counter()
    t = task()
    warm_cfg = dataclasses.replace(WARMUP, seed=seed)
    sparse_cfg = dataclasses.replace(TRAIN, seed=seed, steps=TRAIN.steps if steps is None else int(steps))
    run = Path(run_dir) if run_dir is not None else None
    model, h1 = train(init_model(seed), t, warm_cfg, run_dir=run / "warmup" if run else None, progress=progress, desc=f"{NAME} warm-up")
    model, h2 = train(model, t, sparse_cfg, run_dir=run / "sparse" if run else None, progress=progress, desc=f"{NAME} sparse")
    trained = majority.mirror_symmetric(model)
    shipped = trained.with_sparsity(K_MIN)
    dense = np.asarray(trained.tensor())
    dropped = dense.copy()
    dropped[:, np.arange(3), np.arange(3)] = 0.0
    dropped[dropped >= K_MIN] = 0.0
    extra = {
        "training_phases": [
            {"phase": "dense warm-up", "config": warm_cfg.to_dict(), "final_loss": float(np.mean(h1.loss[-50:]))},
            {"phase": "straight-through at k_min = 0.05", "config": sparse_cfg.to_dict(), "final_loss": float(np.mean(h2.loss[-50:]))},
        ],
        "training_task": (
            f"L2 at T = {T_END:g} of x(T)/(A0 + B0) against (1, 0, 0) if A0 > B0 else (0, 1, 0) (C's target is 0: at "
            f"consensus all the mass is in the winner); A0, B0 ~ U[0, 1], each batch holds every draw and its mirror "
            f"image; fixed-step Tsit5, dt = {DT:g}; logits kept symmetric under A ↔ B; init W = {INIT_STAY:g}·[a = b] + "
            f"{INIT_NOISE:g}·N(0, 1)"
        ),
        "largest_rate_removed_by_sparsification": float(dropped.max()),
        "training_wall_s": round(time.perf_counter() - started, 1),
        "optimisation_s": round(h1.seconds + h2.seconds, 1),
    }
    return shipped, extra


# ---- evaluation ----------------------------------------------------------------------------


def am4_rates(model, k_min: float = K_MIN) -> dict[str, float]:
    """Rate of each `majority-am4` reaction in `model.network(k_min)` (0 when absent)."""
    net = model.network(k_min)
    rates = {majority.reaction_key(r): r.rate for r in net.reactions}
    out = {}
    for a, c, b in AM4:
        r = Reaction(dict(Counter([a, c])), dict(Counter([b, c])), 1.0)
        out[rate_key(a, c, b)] = float(rates.get(majority.reaction_key(r), 0.0))
    return out


def evaluate(model, fast: bool = False) -> dict[str, float]:
    out = majority.consensus_accuracy(model, n=1_000 if fast else 10_000, seed=0, t_end=T_END)
    rates = am4_rates(model)
    out.update(rates)
    out["max_rate_deviation"] = max(abs(k - 1.0) for k in rates.values())
    cmp = majority.compare_reaction_sets(model.network(K_MIN), make_am4().network(0.0))
    out["same_reaction_set_as_am4"] = cmp["same_set"]
    out["reactions_at_k_report"] = float(model.network(K_MIN).n_reactions)
    return out


_METRICS = {
    "accuracy": (
        "fraction of 10,000 draws A0, B0 ~ U[0,1] (seed 0) whose larger input holds > 90% of the mass at t = 200",
        "not reported (Fig. 5a: near-ties can converge wrongly)",
        ">= 0.99",
        2e-4,
    ),
    "accuracy_gap": ("the same, over draws with |A0 − B0| > 0.05", None, ">= 0.99", 2e-4),
}
for _a, _c, _b in AM4:
    _METRICS[rate_key(_a, _c, _b)] = (
        f"rate of {_a} —{_c}→ {_b} ({_a} + {_c} -> {_b} + {_c}) in the network at k_min = 0.05 (0 if absent; ≤ 1 by construction); "
        "majority-am4 has 1",
        1.0,
        ">= 0.95",
        1e-9,
    )
_METRICS["max_rate_deviation"] = ("max |k − 1| over the four majority-am4 reactions", 0.0, "<= 0.05", 1e-9)
_METRICS["same_reaction_set_as_am4"] = (
    "1 if the network at k_min = 0.05 lists exactly the reactions of majority-am4 (rates aside), else 0",
    1.0,
    "== 1",
    0.0,
)
_METRICS["reactions_at_k_report"] = ("number of reactions with rate > 0.05", 4.0, "== 4", 0.0)


ENTRY = register(
    ZooEntry(
        name=NAME,
        system="Approximate majority learned from data: the larger of A, B takes all; sparsified it is majority-am4",
        family="majority",
        builder="catalytic",
        config=config(),
        make=init_model,
        evaluate=evaluate,
        metrics=_METRICS,
        paper=MORDVINTSEV,
        section=f"§4.3, Fig. 5 (single-chamber winner-takes-all); reference network: {AAE}",
        t1=T_END,
        solver=SolverConfig("tsit5", rtol=1e-7, atol=1e-9),
        k_report=K_MIN,
        roles=dict(zip(SPECIES, ROLES)),
        protocol=(
            "A0, B0 ~ U[0, 1], C0 = 0; read out at t = 200 (default x0 = (0.6, 0.4, 0)). The shipped dynamics are "
            "the network sparsified at k_min = 0.05 (straight-through tensor, `k_min` in the config). Trained: L2 at T = 200 on "
            "x(T)/(A0 + B0) vs (1, 0, 0) or (0, 1, 0); dense warm-up, then straight-through at 0.05 with the entropy "
            "regulariser; logits kept symmetric under A ↔ B (card.json: training_phases, training_task)"
        ),
        training=COMMAND,
        seed=SEED,
        fit=fit,
        train_config=TRAIN,
    )
)
