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
`scripts/train_seven_segment.py` trains and publishes it and draws the 16 decoded displays
next to its card.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from ..crn import CatalyticCRN
from ..solve import SolverConfig
from ..tasks import pruning
from ..tasks import seven_segment as seg
from ..train import TrainConfig, train
from .._legacy import ZooEntry, register


MORDVINTSEV = "Mordvintsev, Randazzo, Niklasson (2023), Differentiable Programming of Chemical Reaction Networks"
K_MIN = 0.01
K_PAPER = 0.1
ROLES = ("input",) * 5 + ("output",) * 7 + ("auxiliary",) * 4
TRAIN = TrainConfig(steps=1500, batch_size=16, lr=0.05, seed=0, sparsify="straight_through", k_min=K_MIN, reg={"l1": 1.0})
TRAIN_DT = 1.0
DIAG = 3.0  # initial logits W ~ N(0, 1) + DIAG on every "no reaction" entry W[c, a, a]
PRUNE_MARGIN = 0.02
FIGURE = "digits.png"


def config() -> dict:
    return {"species": list(seg.SPECIES), "fixed": [], "roles": list(ROLES), "k_min": K_MIN, "train_x0": False}


def default_x0() -> np.ndarray:
    """Digit 0 ("0000"): every bit input at `low`, Xm = 1 − 4·low, outputs and auxiliaries 0."""
    return seg.initial_states()[0]


def init(seed: int = 0) -> CatalyticCRN:
    """Untrained logits W ~ N(0, 1) + 3·I (each row starts mostly "no reaction": slow, unmixed dynamics)."""
    n = len(seg.SPECIES)
    W = jax.random.normal(jax.random.PRNGKey(seed), (n, n, n), dtype=jnp.float64) + DIAG * jnp.eye(n)[None]
    return CatalyticCRN(W, jnp.asarray(default_x0()), seg.SPECIES, roles=ROLES)


def prune_decoder(model, margin: float = PRUNE_MARGIN, log=None):
    """Greedy pruning: drop reactions (smallest rate first) while all 112 segments stay right at T
    and over the last half, with the end margin ≥ `margin`."""

    def accept(candidate) -> bool:
        try:
            r = seg.segment_metrics(candidate)
        except Exception:
            return False
        return r["segments_end"] == 112 and r["segments_last_half"] == 112 and r["margin_end"] >= margin

    return pruning.prune(model, accept, K_MIN, log)


def fit(seed: int | None = None, steps: int | None = None, run_dir=None, progress: bool = True):
    """Train from scratch (sparsified at k_min = 0.01, fixed-step RK4 with dt = 1), then prune."""
    import time

    started = time.perf_counter()
    cfg = dataclasses.replace(TRAIN, seed=TRAIN.seed if seed is None else int(seed), steps=TRAIN.steps if steps is None else int(steps))
    model, history = train(init(cfg.seed), seg.SevenSegmentTask(dt=TRAIN_DT), cfg, run_dir=run_dir, progress=progress, desc="seven-segment")
    model = model.with_sparsity(K_MIN)
    before = model.reaction_count(K_MIN)
    ok = seg.segment_metrics(model)
    removed = []
    if ok["segments_end"] == 112 and ok["segments_last_half"] == 112:
        model, removed = prune_decoder(model, log=print if progress else None)
    extra = {
        "training_result": {
            "steps": cfg.steps,
            "seed": cfg.seed,
            "init": f"W ~ N(0, 1) + {DIAG:g} on the diagonal W[c, a, a]",
            "loss_first": history.loss[0],
            "loss_last_mean_20": float(np.mean(history.loss[-20:])),
            "train_solver": f"fixed-step RK4, dt = {TRAIN_DT}",
            "reactions_after_training": before,
            "pruning": f"greedy, smallest rate first, keeping 112/112 segments at T and over [100, 200] with margin >= {PRUNE_MARGIN}",
            "pruned": len(removed),
            "reactions_after_pruning": model.reaction_count(K_MIN),
        },
        "training_wall_s": round(time.perf_counter() - started, 1),
    }
    return model, extra


def evaluate(model, fast: bool = False) -> dict[str, float]:
    out = seg.segment_metrics(model)
    out["reactions_k0.1"] = float(model.reaction_count(K_PAPER))
    out["segments_end_k0.1_only"] = seg.segment_metrics(model.with_sparsity(K_PAPER))["segments_end"]
    return out


METRICS = {
    "segments_end": ("segments (of 16 digits × 7 = 112) on the right side of (low + high)/2 at T = 200", "112 (perfect fit)", ">= 112", 0.0),
    "segments_last_half": (
        "segments right at every one of 101 saved times on [100, 200] (the loss window)",
        "112 (perfect fit)",
        ">= 112",
        0.0,
    ),
    "digits_end": ("digits with all 7 segments right at T = 200", 16, ">= 16", 0.0),
    "margin_end": ("worst signed distance of a segment from the threshold 0.07 at T = 200 (> 0: all right)", None, "> 0", 1e-6),
    "reactions_k0.1": (
        "reactions with rate > 0.1 (the shipped dynamics also use the slower listed reactions down to 0.01)",
        "not reported",
        None,
        0.0,
    ),
    "segments_end_k0.1_only": (
        "segments right at T = 200 when only the reactions with rate > 0.1 are kept (T^0.1): the slow reactions matter",
        None,
        None,
        0.0,
    ),
}

register(
    ZooEntry(
        name="seven-segment",
        system="Seven-segment display decoder: 4 input bits (hexadecimal digit 0–F) light the right segments a–g",
        family="seven_segment",
        builder="catalytic",
        config=config(),
        make=lambda: init(TRAIN.seed),
        evaluate=evaluate,
        metrics=METRICS,
        paper=MORDVINTSEV,
        section="§4.2, Fig. 4",
        t1=seg.T_END,
        solver=SolverConfig("tsit5", rtol=1e-9, atol=1e-11, max_steps=100_000),
        k_report=K_MIN,  # the listing that IS the dynamics; the count at 0.1 is a metric
        roles=dict(zip(seg.SPECIES, ROLES)),
        protocol=(
            f"bits X3 X2 X1 X0 (most significant first) start at low = {seg.LOW} for 0 and high = {seg.HIGH} for 1, "
            "Xm = 1 − their sum (total mass 1); inputs are ordinary species (consumed); outputs Sa–Sg and auxiliary "
            "H1–H4 start at 0. Read-out: segment lit iff its output > (low + high)/2 = "
            f"{(seg.LOW + seg.HIGH) / 2:g}, at T = {seg.T_END:g} and over [100, 200]. Loss: squared hinge (eq. 3) "
            "over the latter half. Default x0: digit 0. Try another digit: crnzoo simulate seven-segment --x0 "
            f"'X3={seg.HIGH},X2={seg.LOW},X1={seg.HIGH},X0={seg.LOW},Xm={1 - 2 * seg.HIGH - 2 * seg.LOW:g}' (digit A)"
        ),
        training="python scripts/train_seven_segment.py",
        seed=TRAIN.seed,
        time_units="dimensionless",
        fit=lambda seed=None, steps=None, run_dir=None, progress=True: fit(seed, steps, run_dir, progress),
        train_config=TRAIN,
    )
)
