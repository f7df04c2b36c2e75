"""Learned reusable dual-rail logic gates: `gate-and`, `gate-or`, `gate-xor`.

Mordvintsev, Randazzo, Niklasson (2023), §4.1 (after Cardelli, Kwiatkowska, Whitby 2018).
Each gate is a `CatalyticCRN` whose inputs X_hi, X_lo, Y_hi, Y_lo are `fixed` (they act
only as catalysts: every reaction consuming or producing them is masked out), with
outputs Z_hi, Z_lo and 3 / 3 / 4 auxiliary species (N = 9 / 9 / 10). Trained sparsified
(straight-through at k_min = 0.1) and shipped with `k_min = 0.1` in its config, so the
shipped dynamics are exactly the reactions in `reactions.txt`.

`scripts/train_gates.py` trains and publishes all three; the task, schedules and read-out
checks are in `crnzoo.tasks.logic`.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from ..crn import CatalyticCRN
from ..solve import SolverConfig
from ..tasks import logic, pruning
from ..train import TrainConfig, train
from .._legacy import ZooEntry, register


MORDVINTSEV = "Mordvintsev, Randazzo, Niklasson (2023), Differentiable Programming of Chemical Reaction Networks"
SCRIPT = "python scripts/train_gates.py"
K_MIN = 0.1
AUX_NAMES = ("A", "B", "C", "D")

# kind: (truth table, auxiliary species, paper's reaction count at rate > 0.1, Cardelli et al. 2018's count)
GATES = {
    "and": ("0001", 3, 20, 7),
    "or": ("0111", 3, 16, 7),
    "xor": ("0110", 4, 14, 12),
}
# Training defaults per gate (the paper gives none; chosen here, written on every card).
TRAIN = {
    "and": TrainConfig(steps=600, batch_size=32, lr=0.05, seed=0, sparsify="straight_through", k_min=K_MIN, reg={"l1": 1.0}),
    "or": TrainConfig(steps=600, batch_size=32, lr=0.05, seed=0, sparsify="straight_through", k_min=K_MIN, reg={"l1": 1.0}),
    "xor": TrainConfig(steps=1200, batch_size=32, lr=0.05, seed=1, sparsify="straight_through", k_min=K_MIN, reg={"l1": 1.0}),
}
# After training, reactions are pruned greedily while all 432 read-outs of the 108 training
# sequences stay correct with at least this margin inside the ε box (see `prune_gate`).
PRUNE_MARGIN = 0.05
TRAIN_DT = 0.4
FINETUNE_DT = 0.2


def species(kind: str) -> tuple[str, ...]:
    return logic.INPUTS + logic.OUTPUTS + AUX_NAMES[: GATES[kind][1]]


def roles(kind: str) -> tuple[str, ...]:
    return ("input",) * 4 + ("output",) * 2 + ("auxiliary",) * GATES[kind][1]


def initial_state(kind: str) -> np.ndarray:
    """Inputs at "00" (X_lo = Y_lo = 1), (Z_hi, Z_lo) = (0, 1), auxiliary species sharing mass 1."""
    n_aux = GATES[kind][1]
    return np.array([0.0, 1.0, 0.0, 1.0, 0.0, 1.0] + [1.0 / n_aux] * n_aux)


def config(kind: str) -> dict:
    return {
        "species": list(species(kind)),
        "fixed": [0, 1, 2, 3],
        "roles": list(roles(kind)),
        "k_min": K_MIN,
        "train_x0": False,
    }


def init(kind: str, seed: int = 0) -> CatalyticCRN:
    """The untrained gate: logits W ~ N(0, 1) from PRNG `seed`."""
    sp = species(kind)
    n = len(sp)
    W = jax.random.normal(jax.random.PRNGKey(seed), (n, n, n), dtype=jnp.float64)
    return CatalyticCRN(W, jnp.asarray(initial_state(kind)), sp, fixed=(0, 1, 2, 3), roles=roles(kind))


def task(kind: str, truth: str | None = None) -> logic.GateTask:
    """The training task of gate `kind` (`and`, `or`, `xor`), or of another truth table on its species.

    `truth` is 4 bits for XY = 00, 01, 10, 11 (`"1110"` is NAND) or a gate name; this is
    what `crnzoo finetune gate-and --truth-table 1110` trains on. Retargeting passes through
    networks with more (and faster) reactions than a trained gate, so it solves with the
    smaller step `FINETUNE_DT`, inside RK4's stability bound for every gate tensor.
    """
    if truth is None:
        return logic.GateTask(GATES[kind][0], species(kind), initial_state(kind), dt=TRAIN_DT)
    return logic.GateTask(truth, species(kind), initial_state(kind), dt=FINETUNE_DT)


def prune_gate(kind: str, model, margin: float = PRUNE_MARGIN, log=None):
    """Greedy pruning (`crnzoo.tasks.pruning`): drop reactions, smallest rate first, while every
    read-out of the 108 training sequences (T = 800, adaptive solve) stays correct with
    margin ≥ `margin`; returns (model, removed reactions)."""
    truth = GATES[kind][0]
    seqs, ends = logic.stretched_sequences(200.0, all_sequences=True)

    def accept(candidate) -> bool:
        try:
            r = logic.readout_check(candidate, truth, seqs, ends)
        except Exception:  # a failed solve rejects the candidate
            return False
        return r["accuracy"] == 1.0 and r["margin"] >= margin

    return pruning.prune(model, accept, K_MIN, log)


def fit(kind: str, seed: int | None = None, steps: int | None = None, run_dir=None, progress: bool = True):
    """Train gate `kind` from scratch, then prune it; returns (model with k_min = 0.1, card extras).

    1. Sparsified training (straight-through at k_min = 0.1) with the gate's `TRAIN` config
       on `task(kind)` (fixed-step RK4, dt = 0.4), from logits W ~ N(0, 1) drawn with `seed`.
    2. `prune_gate`: greedy removal of reactions that the read-outs do not need.
    """
    import time

    started = time.perf_counter()
    cfg = TRAIN[kind]
    cfg = dataclasses.replace(cfg, seed=cfg.seed if seed is None else int(seed), steps=cfg.steps if steps is None else int(steps))
    model, history = train(init(kind, cfg.seed), task(kind), cfg, run_dir=run_dir, progress=progress, desc=f"gate-{kind}")
    model = model.with_sparsity(K_MIN)
    before = model.reaction_count(K_MIN)
    model, removed = prune_gate(kind, model, log=print if progress else None)
    extra = {
        "training_result": {
            "steps": cfg.steps,
            "seed": cfg.seed,
            "loss_first": history.loss[0],
            "loss_last_mean_20": float(np.mean(history.loss[-20:])),
            "train_solver": f"fixed-step RK4 on the non-input species, dt = {TRAIN_DT}",
            "reactions_after_training": before,
            "pruning": f"greedy, smallest rate first, keeping all 432 training read-outs correct with margin >= {PRUNE_MARGIN}",
            "pruned": removed,
            "reactions_after_pruning": model.reaction_count(K_MIN),
        },
        "training_wall_s": round(time.perf_counter() - started, 1),
    }
    return model, extra


# ---- evaluation -------------------------------------------------------------------------------


def evaluate(kind: str, model, fast: bool = False) -> dict[str, float]:
    """Every card metric of a gate.

    Fast (the test suite): the 4 covering sequences (all 12 transitions) instead of all 108
    are stretched, and the random run is 20,000 time units long instead of 80,000.
    """
    truth = GATES[kind][0]
    seqs, ends = logic.stretched_sequences(200.0, all_sequences=True)
    train_r = logic.readout_check(model, truth, seqs, ends)
    seqs, s_ends = logic.stretched_sequences(20_000.0, all_sequences=not fast)
    stretched = logic.readout_check(model, truth, seqs, s_ends)
    states, r_ends = logic.random_sequence(20_000.0 if fast else 80_000.0, seed=0)
    rand = logic.readout_check(model, truth, states, r_ends)
    net = model.network(K_MIN)
    listing = [logic.readout_check(net, truth, seqs, s_ends), logic.readout_check(net, truth, states, r_ends)]
    n_list = sum(r["n"] for r in listing)
    return {
        "reactions_k0.1": float(model.reaction_count(K_MIN)),
        "train_accuracy": train_r["accuracy"],
        "stretched_accuracy": stretched["accuracy"],
        "random_accuracy": rand["accuracy"],
        "random_readouts": rand["n"],
        "listing_accuracy": sum(r["accuracy"] * r["n"] for r in listing) / n_list,
        "min_margin": min(train_r["margin"], stretched["margin"], rand["margin"]),
    }


def _metrics(kind: str) -> dict[str, tuple]:
    paper, cardelli = GATES[kind][2], GATES[kind][3]
    return {
        "reactions_k0.1": (
            "reactions with rate > 0.1 (the shipped dynamics are exactly these; fewer is better)",
            f"{paper} (learned); Cardelli et al. 2018 hand design: {cardelli}",
            None,
            0.0,
        ),
        "train_accuracy": (
            "fraction of read-outs correct (ε = 0.1) 1e-3 before each switch and at T, over all 108 training "
            "sequences (4 input states, switches at 200/400/600, T = 800)",
            "all correct",
            ">= 1",
            1e-9,
        ),
        "stretched_accuracy": (
            "the same with the 108 training sequences stretched to T = 80,000 (switches every 20,000)",
            "all correct (T_eval = 100·T_train)",
            ">= 1",
            1e-9,
        ),
        "random_accuracy": (
            "fraction of read-outs correct over 80,000 time units of random input states (each differing "
            "from the last), hold times ~ U[200, 400], seed 0",
            "all correct",
            ">= 1",
            1e-9,
        ),
        "random_readouts": ("number of read-outs in that random run (switches + the end)", None, None, 0.0),
        "listing_accuracy": (
            "the exported listing (network(0.1), generic mass-action engine) on the same stretched sequences "
            "and random run: fraction of read-outs correct",
            None,
            ">= 1",
            1e-9,
        ),
        "min_margin": (
            "worst read-out margin min(on − 0.9, 0.1 − off) over the three model tests (> 0: inside the ε box)",
            None,
            "> 0",
            1e-5,
        ),
    }


def _protocol(kind: str) -> str:
    n_aux = GATES[kind][1]
    aux = ", ".join(AUX_NAMES[:n_aux])
    return (
        "dual rail: inputs X_hi, X_lo, Y_hi, Y_lo held at 1 / 0 by the experimenter (fixed catalysts, never "
        f"consumed or produced); outputs start (Z_hi, Z_lo) = (0, 1); auxiliary {aux} start at {1 / n_aux:.4g} each. "
        "A value is 1 iff hi >= 0.9 and lo <= 0.1, 0 iff the reverse. Training: the 108 sequences of 4 input states "
        "(no repeated neighbour; every ordered transition) switching at t = 200, 400, 600, T = 800; L1 loss on "
        "(Z_hi, Z_lo) over the 100 time units before each switch and before T. Read-out 1e-3 before each switch. "
        "Default schedule: 00, 01, 11, 10 held 200 each."
    )


for _kind in GATES:
    register(
        ZooEntry(
            name=f"gate-{_kind}",
            system=f"Reusable dual-rail {_kind.upper()} gate (truth table {GATES[_kind][0]} for XY = 00, 01, 10, 11); "
            "the output follows any sequence of input switches",
            family="gates",
            builder="catalytic",
            config=config(_kind),
            make=lambda k=_kind: init(k, TRAIN[k].seed),
            evaluate=lambda model, fast=False, k=_kind: evaluate(k, model, fast),
            metrics=_metrics(_kind),
            paper=MORDVINTSEV,
            section="§4.1 (dual-rail gates, Fig. 3); hand-designed comparison: Cardelli, Kwiatkowska, Whitby 2018",
            t1=800.0,
            solver=SolverConfig("tsit5", rtol=1e-8, atol=1e-10, max_steps=400_000),
            schedule=logic.input_schedule("00,01,11,10", 200.0),
            k_report=K_MIN,
            roles=dict(zip(species(_kind), roles(_kind))),
            protocol=_protocol(_kind),
            training=f"{SCRIPT} {_kind}",
            seed=TRAIN[_kind].seed,
            fit=lambda seed=None, steps=None, run_dir=None, progress=True, k=_kind: fit(k, seed, steps, run_dir, progress),
            finetune_task=lambda target, k=_kind: task(k, target),
            train_config=TRAIN[_kind],
            inputs=logic.input_schedule,
        )
    )
