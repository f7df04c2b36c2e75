"""Multi-chamber winner-takes-all on a ring of membranes (Mordvintsev et al. 2023, §5.1, Table 1).

Five species A..E per chamber (A: output, E: input, B, C, D auxiliary), a `CatalyticCRN` in
every chamber of a `MembraneRing`. Only the chamber that starts with the most A must keep
A. Three tasks share the read-out (`crnzoo.tasks._wta_ring_table`, Table 1 on 2..8 chambers)
and the training loss (`crnzoo.tasks._wta_ring_loss`, eq. 3 and the losers' growth-rate term):

- `PaperRing`: `wta-ring-paper`, the paper's learned network transcribed from App. C.2
  (48 reactions; only B diffuses, D_B = 1), read at t = 200;
- `LearnedRing`: `wta-ring`, the same task learned here from a random start (see its `fit`),
  read at t = 100, 200 and 400, with `wta-ring-paper`'s values side by side in every description;
- `StableRing`: `wta-ring-paper-stable`, the App. C.2 network fine-tuned (wta-ring's last
  phase) so that its decisions hold to t = 400; read as `wta-ring`.

All concentrations and times are dimensionless.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from .._registry import Metric
from ..crn import CatalyticCRN, MembraneRing
from ..crn.diffusion import SparseDiffusionRing
from ..solve import SolverConfig
from ..train import TrainConfig, train
from ._wta_ring_finetune import RingFinetune
from ._wta_ring_loss import RingTask
from ._wta_ring_table import ring_tables
from .base import ZooTask


SPECIES = ("A", "B", "C", "D", "E")
ROLES = ("output", "auxiliary", "auxiliary", "auxiliary", "input")
DEFAULT_A = (0.3, 0.5, 0.8, 0.4, 0.2)  # A in each of the default 5 chambers (E = 1 − A)
CHAMBERS = tuple(range(2, 9))
# Table 1 of the paper: test accuracy (%) and the threshold chosen on the eval set.
TABLE1 = {2: 99.97, 3: 100.00, 4: 99.88, 5: 99.68, 6: 98.87, 7: 97.63, 8: 95.36}
TABLE1_THETA = {2: 0.21, 3: 0.31, 4: 0.36, 5: 0.52, 6: 1.04, 7: 1.19, 8: 1.5}
TABLE1_ALL, TABLE1_THETA_ALL = 0.9727, 0.31  # one threshold shared by n = 2..8


def default_x0(a=DEFAULT_A) -> np.ndarray:
    """The ring state (len(a) chambers, 5 species) with A = `a`, E = 1 − A, B = C = D = 0."""
    a = np.asarray(a)
    x0 = np.zeros((len(a), len(SPECIES)))
    x0[:, 0], x0[:, -1] = a, 1.0 - a
    return x0


# ---- wta-ring-paper: the network of App. C.2 ------------------------------------------------------

# App. C.2, grouped by catalyst: "input->output rate" (input —rate, catalyst→ output).
C2 = {
    "A": "A->C .006; B->A .794; B->C .205; C->A .001; D->A .004; D->B .043; D->C .005; D->E .109; "
    "E->A .013; E->B .068; E->C .002; E->D .008",
    "B": "A->C .291; C->A .002; D->B .036; E->B 1.000",
    "C": "A->C .001; B->A .700; B->C .297; C->A .135; D->A .001; D->B .093; D->E .859; E->A .023; "
    "E->C .396; E->D .005",
    "D": "A->B .012; A->C .002; A->D .004; A->E .980; B->D .002; C->B .319; C->D .086; C->E .560; "
    "E->B .118; E->D .467",
    "E": "A->B .008; A->C .003; A->D .015; A->E .066; C->A .034; C->B .009; C->D .002; D->B .002; "
    "E->A .001; E->B .082; E->C .002; E->D .439",
}


def c2_rates() -> dict[tuple[str, str, str], float]:
    """The App. C.2 listing as `{(input, catalyst, output): rate}` (48 reactions)."""
    rates = {}
    for cat, text in C2.items():
        for item in text.split(";"):
            pair, k = item.split()
            a, b = pair.split("->")
            rates[(a, cat, b)] = float(k)
    return rates


def _paper_metrics() -> dict[str, tuple]:
    out = {}
    for n in CHAMBERS:
        out[f"test_accuracy_n{n}"] = (
            f"test accuracy, ring of {n} chambers, at t = 200 with the best eval threshold (10,000 eval + 10,000 test rings)",
            TABLE1[n] / 100,
            f">= {(TABLE1[n] - 2.0) / 100:.4f}",
            2e-4,
        )
        out[f"threshold_n{n}"] = (f"best eval threshold on A, {n} chambers", TABLE1_THETA[n], None, 1e-3)
    out["test_accuracy_all"] = ("test accuracy over n = 2..8 with one shared threshold", TABLE1_ALL, ">= 0.95", 2e-4)
    out["threshold_all"] = ("shared threshold", TABLE1_THETA_ALL, None, 1e-3)
    return out


class PaperRing(RingFinetune, ZooTask):
    """`wta-ring-paper`: Table 1 of the App. C.2 network, A read at t = 200."""

    trained = False
    metrics = _paper_metrics()
    ft_name, ft_t_read = "wta-ring-paper", 200.0

    def make(self) -> MembraneRing:
        """App. C.2 chemistry on a ring of 5 chambers (`DEFAULT_A`); D_B = 1, every other D exactly 0."""
        chem = CatalyticCRN.from_rates(SPECIES, c2_rates(), np.zeros(5), roles=ROLES)
        V = jnp.array([-jnp.inf, jnp.inf, -jnp.inf, -jnp.inf, -jnp.inf])
        return MembraneRing(chem, V, jnp.asarray(default_x0()))

    def evaluate(self, model, fast: bool = False) -> dict[str, float]:
        """10,000 eval + 10,000 test rings per chamber count, A read at t = 200, Tsit5 rtol 1e-7
        (fast: the first 1,000 of each, rtol 1e-5, as `LearnedRing.evaluate`; the same accuracies)."""
        n = 1_000 if fast else 10_000
        solver = SolverConfig("tsit5", rtol=1e-5, atol=1e-7) if fast else None
        return ring_tables(model, CHAMBERS, n_eval=n, n_test=n, t_ends=(200.0,), seed=0, solver=solver)[200.0]


# What `PaperRing.evaluate` measures on wta-ring-paper with full settings (its card's values;
# `crnzoo verify wta-ring-paper` recomputes them, tests/test_wta_ring.py checks they agree):
# written once here so that wta-ring's card can show them next to its own.
PAPER_MEASURED = {
    "test_accuracy_n2": 1.0,
    "threshold_n2": 0.1668738873990604,
    "test_accuracy_n3": 1.0,
    "threshold_n3": 0.18377605607770658,
    "test_accuracy_n4": 0.9978,
    "threshold_n4": 0.8522779760825585,
    "test_accuracy_n5": 0.9924,
    "threshold_n5": 1.0107792575015286,
    "test_accuracy_n6": 0.9862,
    "threshold_n6": 1.4383562783636439,
    "test_accuracy_n7": 0.9725,
    "threshold_n7": 1.602169400444434,
    "test_accuracy_n8": 0.9533,
    "threshold_n8": 1.8375938082213397,
    "test_accuracy_all": 0.9762857142857143,
    "threshold_all": 0.3125326142349304,
}


# ---- wta-ring: learned here ---------------------------------------------------------------------

K_MIN = 1e-3  # sparsification of the tensor and of the permeabilities, in training and as shipped
T_TRAIN = 100.0
T_EXTEND = 200.0
T_SETTLE = 400.0
SETTLE_START = 0.25  # the third phase's loss starts at SETTLE_START·T_SETTLE = t 100
DT = 0.5
T_EVAL = 100.0  # Table 1 read-out (the horizon of the first phase)
T_HOLD = 200.0  # second read-out: does the decision hold? (wta-ring-paper's card reads A here)
T_LATE = 400.0  # third read-out: the last phase's horizon
GROWTH_WEIGHT = 10.0  # RingTask's losers' growth-rate term, in the second and third phases
GROWTH_MARGIN = 0.02  # per time unit
N_TRAIN = 5
SEED = 0
TRAIN = TrainConfig(steps=1400, lr=0.02, lr_end=2e-3, seed=SEED, sparsify="straight_through", k_min=K_MIN, checkpoint_every=100)
EXTEND = dataclasses.replace(TRAIN, steps=1000, lr=1e-2, lr_end=1e-3)
SETTLE = dataclasses.replace(TRAIN, steps=300, lr=3e-3, lr_end=3e-4)
INIT_NOISE, INIT_STAY, INIT_V = 0.5, 4.0, 0.0

# What the shipped weights keep (test accuracy, fraction): the fast measurement (1,000 + 1,000
# rings) of the trained checkpoint less 1 point, rounded down to 0.5 points (the full 10,000-ring
# measurement of a sibling network differed from its fast one by up to 0.6 points). Not the
# paper's values: where the model falls short, the card shows both.
PROMISES = {  # read-out time: (per number of chambers, shared threshold)
    T_EVAL: ({2: 0.965, 3: 0.985, 4: 0.980, 5: 0.980, 6: 0.985, 7: 0.945, 8: 0.955}, 0.920),
    T_HOLD: ({2: 0.985, 3: 0.990, 4: 0.985, 5: 0.985, 6: 0.985, 7: 0.965, 8: 0.970}, 0.970),
    T_LATE: ({2: 0.990, 3: 0.990, 4: 0.990, 5: 0.985, 6: 0.985, 7: 0.975, 8: 0.980}, 0.980),
}

INIT_SENSITIVITY = (
    "the solution depends on the initial tensor. With this recipe (no growth-rate term in the first phase; python "
    "scripts/train_wta_ring.py wta-ring --seed S; fast measurement, 1,000 + 1,000 rings): seeds 0 (this card) and 1 both "
    "leave the all-mixing plateau in the first phase and hold their decisions from t = 200 to t = 400. Seed 1 (B, C and "
    "D diffusing): t = 100 97.0 / 98.7 / 98.7 / 99.0 / 98.7 / 96.1 / 95.5 % (shared 95.8), t = 200 99.8 / 100 / 99.9 / "
    "99.6 / 99.1 / 97.1 / 95.8 % (98.7), t = 400 the same with n = 2 at 100 % (98.8): short of Table 1 − 0.3 pp for "
    "n = 7 (97.1). With the term from the first step (round 8's recipe) seeds 1, 2, 3 of 5 stayed on the plateau. "
    "More seeds: this card's paper_miss note"
)


def _learned_metrics(promises: dict[float, tuple[dict[int, float], float]]) -> dict[str, tuple]:
    """Card metrics of a ring read at t = T_EVAL, T_HOLD and T_LATE; `promises[t]` = (per n, shared
    threshold). Each description names wta-ring-paper's value (`PAPER_MEASURED`)."""

    def ref(key: str) -> str:
        return f"; wta-ring-paper (App. C.2 network, read at t = 200): {PAPER_MEASURED[key]:.4g}"

    def accuracy(description: str, paper: float, promise: float) -> tuple:
        return (description, paper, f">= {promise:.4f}", 2e-4)

    out = {}
    promise, promise_all = promises[T_EVAL]
    for n in CHAMBERS:
        out[f"test_accuracy_n{n}"] = accuracy(
            f"test accuracy, ring of {n} chambers, A read at t = {T_EVAL:g} with the best eval threshold "
            f"(10,000 eval + 10,000 test rings){ref(f'test_accuracy_n{n}')}",
            TABLE1[n] / 100,
            promise[n],
        )
        out[f"threshold_n{n}"] = (f"best eval threshold on A at t = {T_EVAL:g}, {n} chambers{ref(f'threshold_n{n}')}", TABLE1_THETA[n], None, 1e-3)
    out["test_accuracy_all"] = accuracy(
        f"test accuracy over n = 2..8 with one shared threshold, t = {T_EVAL:g}{ref('test_accuracy_all')}", TABLE1_ALL, promise_all
    )
    out["threshold_all"] = (f"shared threshold at t = {T_EVAL:g}{ref('threshold_all')}", TABLE1_THETA_ALL, None, 1e-3)
    for t_read in (T_HOLD, T_LATE):
        promise, promise_all = promises[t_read]
        for n in CHAMBERS:
            out[f"test_accuracy_n{n}_t{t_read:g}"] = accuracy(
                f"the same test accuracy with A read at t = {t_read:g} (threshold chosen on eval at t = {t_read:g}): does the "
                f"decision hold?{ref(f'test_accuracy_n{n}')}",
                TABLE1[n] / 100,
                promise[n],
            )
        out[f"test_accuracy_all_t{t_read:g}"] = accuracy(
            f"shared-threshold test accuracy, n = 2..8, A read at t = {t_read:g}{ref('test_accuracy_all')}", TABLE1_ALL, promise_all
        )
    return out


class FastCheckError(RuntimeError):
    """A freshly trained `wta-ring` breaks a promise under the test suite's fast measurement."""


def _ring_task(t_end: float, growth_weight: float, start_fraction: float = 1.0 / 3.0) -> RingTask:
    """wta-ring's training task at horizon `t_end`: 5 chambers, dt = 0.5, sparsified transport,
    the squared hinge after `start_fraction`·`t_end`, the losers' growth-rate term × `growth_weight`."""
    return RingTask(
        n_chambers=N_TRAIN, t_end=t_end, dt=DT, low=0.01, high=0.9, k_diffusion=K_MIN, start_fraction=start_fraction,
        growth_weight=growth_weight, growth_margin=GROWTH_MARGIN,
    )


class LearnedRing(RingFinetune, ZooTask):
    """`wta-ring`: the ring winner-takes-all trained here on 5 chambers, evaluated on 2..8.

    Training (`fit`): squared hinge loss (eq. 3, low = 0.01, high = 0.9) on A in every
    chamber at every fixed solver step after a fraction of the horizon, straight-through
    sparsified at k_min for the tensor *and* the permeabilities. From the second phase on, a
    stability term the paper does not have: the losers' per-capita growth rate of A must stay
    below −GROWTH_MARGIN at those steps (`RingTask`, weight GROWTH_WEIGHT). Without it the
    decision is lost after the horizon by a takeover: a loser's inhibitor turns into the shared
    messenger and its A regrows (2-chamber accuracy 1 % at t = 400; the App. C.2 network does
    the same). Three horizons, because the paper gives none:

    1. T = 100 (the horizon paper-targets A.8 proposes), `TRAIN`, no growth term: learns the
       winner-takes-all (with the term from the start, most seeds stay on the all-mixing plateau);
    2. T = 200 (`EXTEND`, loss on [66.7, 200]), the growth term switched on;
    3. T = 400 (`SETTLE`, loss on [100, 400]): the decisions must be made by t = 100 and hold
       to t = 400, which 5-chamber rings at T = 200 never show.

    The card reads A at t = 100 for the Table 1 metrics and again at t = 200 (`*_t200`, where
    `wta-ring-paper`'s card reads it) and t = 400 (`*_t400`). The shipped model has `k_min` in
    its chemistry's config and every permeability below k_min set to exactly 0, so its
    dynamics are exactly the listed network.
    """

    metrics = _learned_metrics(PROMISES)
    ft_name, ft_t_read, ft_k_min, ft_growth_weight = "wta-ring", T_EVAL, K_MIN, GROWTH_WEIGHT

    def make(self, seed: int = SEED) -> MembraneRing:
        """W = INIT_STAY·[a = b] + INIT_NOISE·N(0, 1) (slow chemistry: each chamber keeps its
        input long enough for gradients to see it), V = INIT_V for every species (D = 0.5)."""
        key_w, _ = jax.random.split(jax.random.PRNGKey(seed))
        W = INIT_NOISE * jax.random.normal(key_w, (5, 5, 5), dtype=jnp.float64) + INIT_STAY * jnp.eye(5)[None]
        chem = CatalyticCRN(W, jnp.zeros(5), SPECIES, roles=ROLES)
        return MembraneRing(chem, jnp.full(5, INIT_V), jnp.asarray(default_x0()))

    def evaluate(self, model, fast: bool = False) -> dict[str, float]:
        """Table 1 at t = T_EVAL, and the same at t = T_HOLD and T_LATE (keys suffixed `_t200`, `_t400`).

        Full: 10,000 eval + 10,000 test rings per chamber count, Tsit5 rtol 1e-7 (the card's
        solver). Fast (the test suite): the first 1,000 of each, rtol 1e-5 (same accuracies
        on the shipped model; most of the remaining time is compiling one solve per n).
        """
        n = 1_000 if fast else 10_000
        solver = SolverConfig("tsit5", rtol=1e-5, atol=1e-7) if fast else None
        tables = ring_tables(model, CHAMBERS, n_eval=n, n_test=n, t_ends=(T_EVAL, T_HOLD, T_LATE), seed=0, solver=solver)
        out = dict(tables[T_EVAL])
        for t_read in (T_HOLD, T_LATE):
            out.update({f"{k}_t{t_read:g}": v for k, v in tables[t_read].items()})
        return out

    def phases(self, seed: int, steps: int | None) -> list[tuple[float, float, float, TrainConfig]]:
        """The training phases as (horizon T, loss from this fraction of T, growth weight, config);
        `steps` overrides the first phase's step count, phase i uses seed `seed` + i."""
        first = dataclasses.replace(TRAIN, seed=seed, steps=TRAIN.steps if steps is None else int(steps))
        return [
            (T_TRAIN, 1.0 / 3.0, 0.0, first),
            (T_EXTEND, 1.0 / 3.0, GROWTH_WEIGHT, dataclasses.replace(EXTEND, seed=seed + 1)),
            (T_SETTLE, SETTLE_START, GROWTH_WEIGHT, dataclasses.replace(SETTLE, seed=seed + 2)),
        ]

    def training_text(self) -> str:
        """The card's `training_task`: what `fit` trains on, in words."""
        return (
            f"{N_TRAIN} chambers; A ~ U[0.01, 0.9], E = 1 − A, B = C = D = 0; squared hinge (eq. 3, low 0.01, high 0.9) on A, "
            f"target high in the chamber with the largest A0 and low elsewhere, averaged over every solver step after the "
            f"first third of the horizon (the first quarter at T = {T_SETTLE:g}); from the second phase on plus "
            f"{GROWTH_WEIGHT:g} × the mean over the losers of relu(g + {GROWTH_MARGIN:g})², g = (dA/dt)/A the loser's "
            f"per-capita growth rate (not in the paper: without it a loser's A regrows after the horizon); horizons "
            f"T = {T_TRAIN:g} (paper-targets A.8's proposal; the paper gives none), T = {T_EXTEND:g}, T = {T_SETTLE:g}; "
            f"fixed-step Tsit5, dt = {DT:g}; straight-through sparsification at k_min = {K_MIN:g} of the tensor and of the "
            f"permeabilities; init W = {INIT_STAY:g}·[a = b] + {INIT_NOISE:g}·N(0, 1), V = {INIT_V:g}"
        )

    init_sensitivity = INIT_SENSITIVITY

    def fit(self, seed: int | None = None, steps: int | None = None, run_dir: Path | None = None, progress: bool = True):
        """Train (5 chambers) through `phases` from `make(seed)`; returns `(shipped ring, card extras)`.

        With `run_dir`, the phases checkpoint under it (`t100/`, `t200/`, `t400/`) and resume.
        The trained ring must also keep every promise under the test suite's fast measurement
        (`evaluate(fast=True)`, what `crnzoo verify --fast` checks); otherwise `fit` raises
        `FastCheckError`.
        """
        started = time.perf_counter()
        seed = SEED if seed is None else seed
        run = Path(run_dir) if run_dir is not None else None
        model, record = self.make(seed), []
        for t_end, start, growth, cfg in self.phases(seed, steps):
            tag = f"t{t_end:g}"
            model, h = train(model, _ring_task(t_end, growth, start), cfg, run_dir=run / tag if run else None, progress=progress, desc=f"{self.ft_name} T={t_end:g}")
            record.append((t_end, start, growth, cfg, h))
        baked = SparseDiffusionRing(model, K_MIN).baked()
        shipped = MembraneRing(baked.chemistry.with_sparsity(K_MIN), baked.diffusion_logits, baked.x0)
        trained_s = time.perf_counter() - started
        fast = self.evaluate(shipped, fast=True)
        broken = [k for k, (_, _, promise, _) in self.metrics.items() if not Metric(fast[k], "", None, promise).holds(fast[k])]
        if broken:
            raise FastCheckError(f"the trained {self.ft_name} breaks promises under the fast measurement: " + ", ".join(f"{k} = {fast[k]:.4f}" for k in broken))
        extra = {
            "training_phases": [
                {
                    "phase": f"T = {t_end:g}",
                    "loss_from_t": round(start * t_end, 1),
                    "growth_weight": growth,
                    "config": cfg.to_dict(),
                    "final_loss": float(np.mean(h.loss[-50:])),
                }
                for t_end, start, growth, cfg, h in record
            ],
            "training_task": self.training_text(),
            "evaluation": (
                f"Table 1 metrics read A at t = {T_EVAL:g}, the horizon the network was trained to decide by; the *_t200 metrics "
                f"read it at t = {T_HOLD:g}, where wta-ring-paper's card reads it, the *_t400 metrics at t = {T_LATE:g}; "
                f"adaptive Tsit5 rtol 1e-7, one solve per ring set saving the three times"
            ),
            "diffusion": {s: float(d) for s, d in zip(SPECIES, np.asarray(shipped.diffusion()))},
            "training_wall_s": round(trained_s, 1),
            "optimisation_s": round(sum(r[-1].seconds for r in record), 1),
            "init_sensitivity": self.init_sensitivity,
            "wta_ring_paper_measured": dict(PAPER_MEASURED),
            "fast_check_s": round(time.perf_counter() - started - trained_s, 1),
        }
        return shipped, extra



# ---- wta-ring-paper-stable: the App. C.2 network, fine-tuned to hold its decisions -----------------

OPEN_BELOW = 3.0  # absent reactions start this far (in logits) below the smallest App. C.2 logit
OPEN_V = 8.0  # permeability logits of the start: D_B = sigmoid(8) = 0.9997, every other D = sigmoid(−8) = 3.4e-4
STABLE_PROMISES = {  # the fast measurement of the seed-0 fine-tune less 1 point, rounded down to 0.5 (as wta-ring's)
    T_EVAL: ({2: 0.985, 3: 0.990, 4: 0.985, 5: 0.980, 6: 0.980, 7: 0.950, 8: 0.935}, 0.945),
    T_HOLD: ({2: 0.990, 3: 0.990, 4: 0.985, 5: 0.980, 6: 0.980, 7: 0.950, 8: 0.930}, 0.950),
    T_LATE: ({2: 0.990, 3: 0.990, 4: 0.985, 5: 0.980, 6: 0.980, 7: 0.950, 8: 0.930}, 0.955),
}


def open_c2() -> MembraneRing:
    """The App. C.2 network as a trainable start: every absent reaction at a logit `OPEN_BELOW`
    under the smallest listed one (rate ≈ 5e-5, under k_min, so the sparsified start is the
    48-reaction network) and finite permeability logits ±`OPEN_V` (D_B 0.9997, the others 3.4e-4,
    under k_min): the optimiser may add reactions and open membranes, and nothing is pinned."""
    paper = PaperRing().make()
    W = np.asarray(paper.chemistry.logits)
    W = np.where(np.isinf(W), W[np.isfinite(W)].min() - OPEN_BELOW, W)
    V = np.where(np.asarray(paper.diffusion_logits) > 0, OPEN_V, -OPEN_V)
    chem = CatalyticCRN(jnp.asarray(W), jnp.zeros(5), SPECIES, roles=ROLES)
    return MembraneRing(chem, jnp.asarray(V), jnp.asarray(default_x0()))


class StableRing(LearnedRing):
    """`wta-ring-paper-stable`: the App. C.2 network (`wta-ring-paper`) fine-tuned on 5-chamber
    rings so that its decisions hold to t = 400.

    The App. C.2 network decides by t = 100 and holds to t = 200, but small rings are taken over
    later (2-chamber accuracy 19 % at t = 400: a loser's inhibitor D turns into the messenger B).
    One phase from `open_c2()`: `SETTLE` (T = 400, the squared hinge and the losers'
    growth-rate term after t = 100), as wta-ring's third phase. Read out as wta-ring (t = 100,
    200, 400).
    """

    metrics = _learned_metrics(STABLE_PROMISES)
    ft_name = "wta-ring-paper-stable"
    init_sensitivity = (
        "the start does not depend on the seed (the App. C.2 network); the seed draws the training rings. Fine-tunes with "
        "other seeds: this card's paper_miss note"
    )

    def make(self, seed: int = SEED) -> MembraneRing:
        """`open_c2()`: the start does not depend on the seed (the seed draws the training rings)."""
        return open_c2()

    def phases(self, seed: int, steps: int | None) -> list[tuple[float, float, float, TrainConfig]]:
        """One phase: `SETTLE` at T = T_SETTLE, loss after t = 100 (`steps` overrides its step count)."""
        cfg = dataclasses.replace(SETTLE, seed=seed, steps=SETTLE.steps if steps is None else int(steps))
        return [(T_SETTLE, SETTLE_START, GROWTH_WEIGHT, cfg)]

    def training_text(self) -> str:
        return (
            f"from the App. C.2 network (wta-ring-paper; absent reactions at rate ≈ 5e-5 and permeabilities D_B 0.9997, the "
            f"others 3.4e-4, all trainable): {N_TRAIN} chambers; A ~ U[0.01, 0.9], E = 1 − A, B = C = D = 0; squared hinge "
            f"(eq. 3, low 0.01, high 0.9) on A at every solver step after t = {SETTLE_START * T_SETTLE:g} of a T = {T_SETTLE:g} "
            f"horizon, plus {GROWTH_WEIGHT:g} × the mean over the losers of relu(g + {GROWTH_MARGIN:g})², g = (dA/dt)/A the "
            f"loser's per-capita growth rate (wta-ring's third phase); fixed-step Tsit5, dt = {DT:g}; straight-through "
            f"sparsification at k_min = {K_MIN:g} of the tensor and of the permeabilities"
        )
