"""Learned multi-chamber winner-takes-all on a ring (Mordvintsev et al. 2023, §5.1): `wta-ring`.

Five species A..E per chamber (A: output, E: input, B, C, D auxiliary), a `CatalyticCRN`
in every chamber of a `MembraneRing` whose permeabilities D = sigmoid(V) are shared by
all membranes and trained with the tensor. Trained with 5 chambers only; evaluated on
2..8 chambers as Table 1 (threshold chosen on 10,000 eval rings, accuracy on 10,000
test rings, plus one shared threshold), side by side with `wta-ring-paper` (the paper's
own network, App. C.2).

Training (`fit`, `scripts/train_wta_ring.py`): squared hinge loss (eq. 3, low = 0.01,
high = 0.9) on A in every chamber at every fixed solver step after the first third of the
horizon, straight-through sparsified at k_min for the tensor *and* the permeabilities
(`crnzoo.tasks.wta.RingTask`). Two horizons, because the paper gives none:

1. T = 100 (the horizon paper-targets A.8 proposes), `TRAIN`: learns the winner-takes-all;
   on its own the decision holds only to about t = 100 (by t = 200 the losers' A regrows
   in small rings: 2-chamber accuracy ≈ 35 %);
2. T = 200 (`EXTEND`, loss on [66.7, 200]): a short continuation at a lower learning rate
   that keeps the t = 100 accuracy and makes the decision hold longer.

The card reads A at t = 100 for the Table 1 metrics (the horizon the network learned to
decide by; the paper gives none) and again at t = 200 (`*_t200`), where `wta-ring-paper`'s
card reads it; that network's values are printed next to each metric.

The shipped model has `k_min` in its chemistry's config and every permeability below
k_min set to exactly 0, so its dynamics are exactly the listed network.
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from ..crn import CatalyticCRN, MembraneRing
from ..solve import SolverConfig
from ..tasks import wta
from ..train import TrainConfig, train
from .._legacy import ZooEntry, register
from .._registry import checkpoint_dir
from .reference import MORDVINTSEV, WTA_DEFAULT_A, WTA_ROLES, WTA_SPECIES, _TABLE1, _TABLE1_THETA


NAME = "wta-ring"
REFERENCE = "wta-ring-paper"
K_MIN = 1e-3
T_TRAIN = 100.0
T_EXTEND = 200.0
DT = 0.5
T_EVAL = 100.0  # Table 1 read-out (the horizon of the first phase)
T_HOLD = 200.0  # second read-out: does the decision hold? (wta-ring-paper's card reads A here)
N_TRAIN = 5
CHAMBERS = tuple(range(2, 9))
SEED = 0
TRAIN = TrainConfig(
    steps=1400,
    batch_size=64,
    lr=0.02,
    lr_end=2e-3,
    seed=SEED,
    sparsify="straight_through",
    k_min=K_MIN,
    reg={},
    checkpoint_every=100,
)
EXTEND = TrainConfig(
    steps=500,
    batch_size=64,
    lr=3e-3,
    lr_end=3e-4,
    seed=SEED,
    sparsify="straight_through",
    k_min=K_MIN,
    reg={},
    checkpoint_every=100,
)
INIT_NOISE, INIT_STAY, INIT_V = 0.5, 4.0, 0.0
COMMAND = "python scripts/train_wta_ring.py"

# What the shipped weights keep (test accuracy, fraction): the lower of the full (10,000)
# and fast (1,000) measurements of the shipped checkpoint, less 0.3 points, rounded down to
# 0.5 points. Not the paper's values: where the model falls short, the card shows both.
PROMISE = {2: 0.995, 3: 0.990, 4: 0.990, 5: 0.985, 6: 0.975, 7: 0.945, 8: 0.915}
PROMISE_ALL = 0.940
PROMISE_HOLD = {2: 0.945, 3: 0.750, 4: 0.885, 5: 0.990, 6: 0.980, 7: 0.965, 8: 0.965}
PROMISE_HOLD_ALL = 0.910

INIT_SENSITIVITY = (
    "the solution depends on the initial tensor: with this recipe (V = 0), 2 of 5 initialisations tried in development "
    "reached the B-diffusion solution shipped here (T = 100 loss < 0.05), 2 settled on a solution where E diffuses "
    "(loss ≈ 0.12, 5-chamber accuracy ≈ 93 %, losers' A not suppressed) and 1 stayed on the all-mixing plateau "
    "(loss 0.64) for 600 steps; with V = −3 all 4 tries settled on E diffusion. Seed 0 (this card) reaches the B solution"
)


def chemistry_config() -> dict:
    return {"species": list(WTA_SPECIES), "fixed": [], "roles": list(WTA_ROLES), "k_min": K_MIN, "train_x0": False}


def config() -> dict:
    return {"chemistry": {"builder": "catalytic", "config": chemistry_config()}, "n_chambers": N_TRAIN}


def default_x0() -> np.ndarray:
    a = np.asarray(WTA_DEFAULT_A)
    x0 = np.zeros((len(a), len(WTA_SPECIES)))
    x0[:, 0], x0[:, -1] = a, 1.0 - a
    return x0


def task(t_end: float = T_TRAIN) -> wta.RingTask:
    return wta.RingTask(n_chambers=N_TRAIN, t_end=t_end, dt=DT, low=0.01, high=0.9, k_diffusion=K_MIN)


def init_model(seed: int = SEED) -> MembraneRing:
    """W = INIT_STAY·[a = b] + INIT_NOISE·N(0, 1) (slow chemistry: each chamber keeps its
    input long enough for gradients to see it), V = INIT_V for every species (D = 0.5)."""
    key_w, _ = jax.random.split(jax.random.PRNGKey(seed))
    W = INIT_NOISE * jax.random.normal(key_w, (5, 5, 5), dtype=jnp.float64) + INIT_STAY * jnp.eye(5)[None]
    chem = CatalyticCRN(W, jnp.zeros(5), WTA_SPECIES, roles=WTA_ROLES)
    return MembraneRing(chem, jnp.full(5, INIT_V), jnp.asarray(default_x0()))


def ship(ring: MembraneRing) -> MembraneRing:
    """The trained ring as shipped: chemistry sparsified at K_MIN (in its config), D < K_MIN set to 0."""
    ring = wta.bake_sparse_diffusion(ring, K_MIN)
    return MembraneRing(ring.chemistry.with_sparsity(K_MIN), ring.diffusion_logits, ring.x0)


def reference_values() -> dict[str, float] | None:
    """The measured metrics of `wta-ring-paper`, read from its shipped card (None if absent)."""
    path = checkpoint_dir(REFERENCE) / "card.json"
    if not path.is_file():
        return None
    return {k: float(m["value"]) for k, m in json.loads(path.read_text())["metrics"].items()}


def fit(seed: int = SEED, steps: int | None = None, run_dir=None, progress: bool = True):
    """Train from scratch (5 chambers): T = 100, then T = 200; returns `(shipped ring, card extras)`.

    `steps` overrides the first (T = 100) phase's step count. With `run_dir`, both phases
    checkpoint under it (`t100/`, `t200/`) and resume.
    """
    started = time.perf_counter()
    cfg1 = dataclasses.replace(TRAIN, seed=seed, steps=TRAIN.steps if steps is None else int(steps))
    cfg2 = dataclasses.replace(EXTEND, seed=seed + 1)
    run = Path(run_dir) if run_dir is not None else None
    model, h1 = train(init_model(seed), task(T_TRAIN), cfg1, run_dir=run / "t100" if run else None, progress=progress, desc=f"{NAME} T=100")
    model, h2 = train(model, task(T_EXTEND), cfg2, run_dir=run / "t200" if run else None, progress=progress, desc=f"{NAME} T=200")
    shipped = ship(model)
    extra = {
        "training_phases": [
            {"phase": f"T = {T_TRAIN:g}", "config": cfg1.to_dict(), "final_loss": float(np.mean(h1.loss[-50:]))},
            {"phase": f"T = {T_EXTEND:g}", "config": cfg2.to_dict(), "final_loss": float(np.mean(h2.loss[-50:]))},
        ],
        "training_task": (
            f"{N_TRAIN} chambers; A ~ U[0.01, 0.9], E = 1 − A, B = C = D = 0; squared hinge (eq. 3, low 0.01, high 0.9) on A, "
            f"target high in the chamber with the largest A0 and low elsewhere, averaged over every solver step after the "
            f"first third of the horizon; horizon T = {T_TRAIN:g} (paper-targets A.8's proposal; the paper gives none), then "
            f"T = {T_EXTEND:g} so that the decision holds to t = {T_HOLD:g}; fixed-step Tsit5, dt = {DT:g}; straight-through "
            f"sparsification at k_min = {K_MIN:g} of the tensor and of the permeabilities; init W = {INIT_STAY:g}·[a = b] + "
            f"{INIT_NOISE:g}·N(0, 1), V = {INIT_V:g}"
        ),
        "evaluation": (
            f"Table 1 metrics read A at t = {T_EVAL:g}, the horizon the network was trained to decide by; the *_t200 metrics "
            f"read it at t = {T_HOLD:g}, where wta-ring-paper's card reads it (paper-targets A.8: that network's accuracy at "
            f"T = 100 is within 0.1 point of T = 200); adaptive Tsit5 rtol 1e-7, one solve per ring set saving both times"
        ),
        "diffusion": {s: float(d) for s, d in zip(WTA_SPECIES, np.asarray(shipped.diffusion()))},
        "training_wall_s": round(time.perf_counter() - started, 1),
        "optimisation_s": round(h1.seconds + h2.seconds, 1),
    }
    extra["init_sensitivity"] = INIT_SENSITIVITY
    ref = reference_values()
    if ref is not None:
        extra["wta_ring_paper_measured"] = ref
    return shipped, extra


# ---- evaluation ----------------------------------------------------------------------------


def evaluate(model, fast: bool = False) -> dict[str, float]:
    """Table 1 at t = T_EVAL, and the same at t = T_HOLD (keys suffixed `_t200`).

    Full: 10,000 eval + 10,000 test rings per chamber count, Tsit5 rtol 1e-7 (the card's
    solver). Fast (the test suite): the first 1,000 of each, rtol 1e-5 (same accuracies
    on the shipped model; most of the remaining time is compiling one solve per n).
    """
    n = 1_000 if fast else 10_000
    solver = SolverConfig("tsit5", rtol=1e-5, atol=1e-7) if fast else None
    tables = wta.ring_tables(model, CHAMBERS, n_eval=n, n_test=n, t_ends=(T_EVAL, T_HOLD), seed=0, solver=solver)
    out = dict(tables[T_EVAL])
    out.update({f"{k}_t{T_HOLD:g}": v for k, v in tables[T_HOLD].items()})
    return out


def metric_templates(reference: dict[str, float] | None = None) -> dict[str, tuple]:
    """Card metrics; with `reference` (wta-ring-paper's measured values) each description
    names that network's value of the same metric, for a side-by-side table."""

    def ref(key: str) -> str:
        if reference is None or key not in reference:
            return ""
        return f"; {REFERENCE} (App. C.2 network, read at t = 200): {reference[key]:.4g}"

    hold = f"t{T_HOLD:g}"
    out = {}
    for n in CHAMBERS:
        out[f"test_accuracy_n{n}"] = (
            f"test accuracy, ring of {n} chambers, A read at t = {T_EVAL:g} with the best eval threshold "
            f"(10,000 eval + 10,000 test rings){ref(f'test_accuracy_n{n}')}",
            _TABLE1[n] / 100,
            f">= {PROMISE[n]:.4f}",
            2e-4,
        )
        out[f"threshold_n{n}"] = (f"best eval threshold on A at t = {T_EVAL:g}, {n} chambers{ref(f'threshold_n{n}')}", _TABLE1_THETA[n], None, 1e-3)
    out["test_accuracy_all"] = (
        f"test accuracy over n = 2..8 with one shared threshold, t = {T_EVAL:g}{ref('test_accuracy_all')}",
        0.9727,
        f">= {PROMISE_ALL:.4f}",
        2e-4,
    )
    out["threshold_all"] = (f"shared threshold at t = {T_EVAL:g}{ref('threshold_all')}", 0.31, None, 1e-3)
    for n in CHAMBERS:
        out[f"test_accuracy_n{n}_{hold}"] = (
            f"the same test accuracy with A read at t = {T_HOLD:g} (threshold chosen on eval at t = {T_HOLD:g}): does the "
            f"decision hold?{ref(f'test_accuracy_n{n}')}",
            None,
            f">= {PROMISE_HOLD[n]:.4f}",
            2e-4,
        )
    out[f"test_accuracy_all_{hold}"] = (
        f"shared-threshold test accuracy, n = 2..8, A read at t = {T_HOLD:g}{ref('test_accuracy_all')}",
        None,
        f">= {PROMISE_HOLD_ALL:.4f}",
        2e-4,
    )
    return out


def entry_with_reference() -> ZooEntry:
    """The registered entry with wta-ring-paper's measured values in the metric descriptions
    (read from its card now: what `scripts/train_wta_ring.py` publishes)."""
    return dataclasses.replace(ENTRY, metrics=metric_templates(reference_values()))


ENTRY = register(
    ZooEntry(
        name=NAME,
        system="Multi-chamber winner-takes-all on a ring of membranes, learned here: only the chamber with the most A keeps A",
        family="wta_ring",
        builder="ring",
        config=config(),
        make=init_model,
        evaluate=evaluate,
        metrics=metric_templates(),
        paper=MORDVINTSEV,
        section="§5.1, eq. 3–4, Table 1 (trained here; compare wta-ring-paper, App. C.2)",
        t1=T_EVAL,
        solver=SolverConfig("tsit5", rtol=1e-7, atol=1e-9),
        k_report=K_MIN,
        roles=dict(zip(WTA_SPECIES, WTA_ROLES)),
        protocol=(
            f"per chamber A ~ U[0.01, 0.9], E = 1 − A, B = C = D = 0; read A at t = {T_EVAL:g} (Table 1 metrics) and at "
            f"t = {T_HOLD:g} (*_t200: does the decision hold?); trained on 5 chambers only (horizon {T_TRAIN:g}, then "
            f"{T_EXTEND:g}), evaluated on 2..8. Default x0: A = {WTA_DEFAULT_A} on 5 chambers"
        ),
        training=COMMAND,
        seed=SEED,
        fit=fit,
        train_config=TRAIN,
    )
)
