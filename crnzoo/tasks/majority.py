"""Approximate majority (single-chamber winner-takes-all): inputs A and B race to consensus.

Task: A0, B0 ~ U[0, 1] (the third species 0); at t = 200 the initially larger input must
hold the consensus. Two tasks share it:

- `ApproximateMajority`: the hand-designed networks of Angluin, Aspnes, Eisenstat (2008),
  `majority-am4` (catalytic form, `am4`) and `majority-am3` (classic three reactions, `am3`);
- `LearnedMajority`: `majority-learned`, a `CatalyticCRN` over A, B and one auxiliary C
  trained from data (Mordvintsev et al. 2023, §4.3; see its `fit`), whose card measures
  how close it came to `am4`.

All concentrations and times are dimensionless.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from ..crn import CatalyticCRN, CRNModel, MassActionCRN
from ..network import Reaction
from ..solve import SolverConfig, integrate, simulate
from ..train import TrainConfig, train
from ._majority_bias import BiasFinetune
from .base import ZooTask


T_END = 200.0  # read-out time of every card metric
SPECIES = ("A", "B", "C")  # am4 and majority-learned; am3 calls its auxiliary U
AM3_SPECIES = ("A", "B", "U")
ROLES = ("input", "input", "auxiliary")
X0 = (0.6, 0.4, 0.0)  # every entry's default initial state

# ---- the hand-designed networks (Angluin, Aspnes, Eisenstat 2008) ------------------------------

# Catalytic form, (input, catalyst, output): A —B→ C, B —A→ C, C —A→ A, C —B→ B, all k = 1.
AM4_RATES = {("A", "B", "C"): 1.0, ("B", "A", "C"): 1.0, ("C", "A", "A"): 1.0, ("C", "B", "B"): 1.0}
AM3_LISTING = "A + B -> 2U  k=1\nA + U -> 2A  k=1\nB + U -> 2B  k=1\n"


def am4() -> CatalyticCRN:
    """`majority-am4`: the catalytic approximate majority (`AM4_RATES`); x0 = (0.6, 0.4, 0)."""
    return CatalyticCRN.from_rates(SPECIES, AM4_RATES, list(X0), roles=ROLES)


def am3() -> MassActionCRN:
    """`majority-am3`: A + B → 2U, A + U → 2A, B + U → 2B, all k = 1; x0 = (0.6, 0.4, 0)."""
    return MassActionCRN.from_text(AM3_LISTING, AM3_SPECIES, list(X0), ROLES)


# ---- the card's read-out ---------------------------------------------------------------------------


def sample(n: int, seed: int, n_species: int, a: int = 0, b: int = 1) -> np.ndarray:
    """`n` initial states with x[a], x[b] ~ U[0, 1] and every other species 0."""
    rng = np.random.default_rng(seed)
    x = np.zeros((n, n_species))
    x[:, [a, b]] = rng.uniform(0.0, 1.0, size=(n, 2))
    return x


def consensus_accuracy(
    model,
    n: int = 10_000,
    seed: int = 0,
    t_end: float = T_END,
    inputs: tuple[str, str] = ("A", "B"),
    share: float = 0.9,
    min_gap: float = 0.05,
    solver: SolverConfig | None = None,
    bias: float = 0.0,
) -> dict[str, float]:
    """Fraction of random initial conditions whose larger input wins.

    Winning means: at `t_end` the species of the initially larger input holds more than
    `share` of the total mass. Reported over all `n` draws (`accuracy`) and over those with
    |A0 − B0| > `min_gap` (`accuracy_gap`). With `bias` b, A must exceed B by the factor 1 + b
    to win (A wins iff A0 > (1 + b)·B0; the gap is then |A0 − (1 + b)·B0|).
    """
    a, b = (model.species.index(s) for s in inputs)
    x0 = sample(n, seed, len(model.species), a, b)
    final = simulate(model, np.array([0.0, t_end]), x0, solver=solver).final
    winner = np.where(x0[:, a] > (1.0 + bias) * x0[:, b], a, b)
    total = final.sum(axis=1)
    ok = final[np.arange(n), winner] > share * total
    gap = np.abs(x0[:, a] - (1.0 + bias) * x0[:, b]) > min_gap
    return {"accuracy": float(ok.mean()), "accuracy_gap": float(ok[gap].mean())}


def _accuracy(model, fast: bool) -> dict[str, float]:
    """The card's accuracy metrics: 10,000 draws (fast: 1,000), seed 0, read out at t = 200."""
    return consensus_accuracy(model, n=1_000 if fast else 10_000, seed=0, t_end=T_END)


def stochastic_consensus(model, omega: float, runs: int, seed: int = 0, method: str = "direct", inputs=("A", "B"), min_gap: float = 0.05):
    """`consensus_accuracy` at finite counts: one draw A0, B0 ~ U[0, 1] with |A0 − B0| > `min_gap`
    per run (the card's `accuracy_gap` draws), one sample path each; a run passes when the
    initially larger input holds > 90% of the molecules at t = 200."""
    from ..ssa import ssa_simulate
    from ..ssa.robustness import StochasticCheck

    a, b = (model.species.index(s) for s in inputs)
    x0 = sample(4 * runs + 64, seed, len(model.species), a, b)
    x0 = x0[np.abs(x0[:, a] - x0[:, b]) > min_gap][:runs]
    final = ssa_simulate(model, np.array([0.0, T_END]), omega, runs, seed=seed, x0=x0, method=method).final
    win, lose = np.where(x0[:, a] > x0[:, b], a, b), np.where(x0[:, a] > x0[:, b], b, a)
    total = np.maximum(final.sum(axis=1), 1)
    ok = final[np.arange(runs), win] > 0.9 * total
    minority = final[np.arange(runs), lose] > 0.9 * total
    return StochasticCheck.from_reasons(
        [None if k else ("the minority input won" if m else "no consensus by t=200") for k, m in zip(ok, minority)], method
    )


ACCURACY = "fraction of 10,000 draws A0, B0 ~ U[0,1] (seed 0) whose larger input holds > 90% of the mass at t = 200"
GAP = "the same, over draws with |A0 − B0| > 0.05"


class ApproximateMajority(BiasFinetune, ZooTask):
    """A hand-designed approximate majority (`network()` builds it): its consensus accuracy."""

    trained = False
    metrics = {
        "accuracy": (ACCURACY, "ODE limit: the larger input always wins (d(A−B)/dt ∝ (A−B))", ">= 0.99", 2e-4),
        "accuracy_gap": (GAP, None, ">= 0.999", 2e-4),
    }

    def __init__(self, network: Callable[[], CRNModel]):
        self.network = network

    def make(self) -> CRNModel:
        return self.network()

    finetune_lr = 0.01  # bias targets: lr 0.05 (the training's start) diverged over 1000 steps

    def retarget(self, spec) -> "BiasedMajority":
        return BiasedMajority(spec)

    def target(self, spec) -> "ConsensusTask":
        return BiasedMajority(spec).training()

    def evaluate(self, model, fast: bool = False) -> dict[str, float]:
        return _accuracy(model, fast)

    def stochastic_check(self, model, omega, runs, seed=0, *, t1=None, schedule=None, method=None):
        """Consensus at finite counts (`stochastic_consensus`)."""
        return stochastic_consensus(model, omega, runs, seed, method or "direct", inputs=(model.species[0], model.species[1]))


# ---- training: the L2 consensus loss of Mordvintsev et al. 2023, §4.3 --------------------------


class ConsensusTask:
    """Approximate majority as a `crnzoo.train.Task` (Mordvintsev et al. 2023, §4.3).

    Batches: A0, B0 ~ U[0, 1] (every other species 0). Loss: L2 at `t_end` between the
    state as a fraction of the conserved total mass m = A0 + B0 and the consensus
    (A, B, aux…) = (1, 0, 0…) if A0 > B0 else (0, 1, 0…). The paper's target
    "(A, B) = (1, 0)" is read in units of m (its Fig. 5 plots (A − B)/(A0 + B0)): catalytic
    networks conserve mass, so an unnormalised (1, 0) is unreachable whenever m ≠ 1 and
    would reward parking mass in the auxiliary species. Auxiliary species enter with target
    0: at consensus all the mass sits in the winner.

    The solve uses fixed steps of `dt` (`SolverConfig(solver, dt=dt)`), as the paper's RK4.
    Rates are at most 1 and the total mass at most 2, so the Jacobian's norm is at most 8:
    `dt = 0.4` keeps fixed-step Tsit5 stable for every network the tensor can express
    (`dt = 1` diverges even for `majority-am4`). With `antithetic`, every batch holds
    each draw and its mirror image (A0 and B0 swapped), so the batch is symmetric like
    the task. With `symmetric`, the loss sees the model through `mirror_symmetric` (the
    mean of its logits and their image under exchanging the two inputs), so training only
    moves the symmetric part of the logits; a symmetric start stays exactly symmetric.
    """

    def __init__(
        self,
        n_species: int = 3,
        t_end: float = T_END,
        dt: float = 0.4,
        inputs: tuple[int, int] = (0, 1),
        solver: str = "tsit5",
        antithetic: bool = True,
        symmetric: bool = False,
        bias: float = 0.0,
    ):
        self.n_species, self.t_end, self.inputs, self.antithetic = n_species, float(t_end), tuple(inputs), antithetic
        self.symmetric, self.bias = symmetric, float(bias)  # A wins iff A0 > (1 + bias)·B0
        self.solver = SolverConfig(solver, dt=dt, max_steps=int(round(t_end / dt)) + 8)

    def batch(self, key, size: int):
        a, b = self.inputs
        if self.antithetic:
            half = jax.random.uniform(key, ((size + 1) // 2, 2), dtype=jnp.float64)
            ab = jnp.concatenate([half, half[:, ::-1]])[:size]
        else:
            ab = jax.random.uniform(key, (size, 2), dtype=jnp.float64)
        x = jnp.zeros((size, self.n_species), jnp.float64)
        return x.at[:, a].set(ab[:, 0]).at[:, b].set(ab[:, 1])

    def target(self, x0):
        """The consensus state as fractions of the total mass: one-hot on the larger input."""
        a, b = self.inputs
        winner = jnp.where(x0[:, a] > (1.0 + self.bias) * x0[:, b], a, b)
        return jnp.eye(self.n_species, dtype=x0.dtype)[winner]

    def loss(self, model, x0):
        a, b = self.inputs
        if self.symmetric:
            model = mirror_symmetric(model, self.inputs)
        _, y1, ok, *_ = integrate(model, x0, jnp.array([self.t_end]), jnp.array(0.0), self.solver)
        mass = x0[:, a] + x0[:, b]
        frac = y1 / mass[:, None]
        loss = jnp.mean(jnp.sum((frac - self.target(x0)) ** 2, axis=-1))
        return loss, {"ok": ok}


def mirror_symmetric(model: CatalyticCRN, inputs: tuple[int, int] = (0, 1)) -> CatalyticCRN:
    """A `CatalyticCRN` with logits averaged with their mirror image (inputs exchanged).

    The result's dynamics commute with exchanging the inputs: a draw and its mirror image
    end in mirror-image states. Differentiable; the identity on symmetric logits.
    """
    perm = np.arange(model.n)
    a, b = inputs
    perm[a], perm[b] = b, a
    W = model.logits
    mirrored = W[perm][:, perm][:, :, perm]
    return eqx.tree_at(lambda m: m.logits, model, 0.5 * (W + mirrored))


# ---- comparison of a learned network with a reference listing ------------------------------------


def reaction_key(reaction) -> tuple:
    """A reaction's identity without its rate: (sorted reactants, sorted products)."""
    return (tuple(sorted(reaction.reactants.items())), tuple(sorted(reaction.products.items())))


def compare_reaction_sets(network, reference) -> dict[str, object]:
    """How `network` differs from `reference` (two `ReactionNetwork`s over the same species).

    Returns `same_set` (1.0 when both list exactly the same reactions, rates aside),
    `rates` (each reference reaction's equation -> its rate in `network`, 0 when absent),
    `missing` and `extra` (equations present in only one of them).
    """
    mine = {reaction_key(r): r for r in network.reactions}
    ref = {reaction_key(r): r for r in reference.reactions}
    return {
        "same_set": float(set(mine) == set(ref)),
        "rates": {r.equation(): (mine[k].rate if k in mine else 0.0) for k, r in ref.items()},
        "missing": sorted(r.equation() for k, r in ref.items() if k not in mine),
        "extra": sorted(r.equation() for k, r in mine.items() if k not in ref),
    }


# ---- majority-learned -------------------------------------------------------------------------------

K_MIN = 0.05  # sparsification threshold of training, of the shipped dynamics and of the card's listing
DT = 0.4
SEED = 0
# Dense warm-up, then straight-through sparsified training with the entropy regulariser.
WARMUP = TrainConfig(steps=500, lr=0.05, seed=SEED, checkpoint_every=100)
TRAIN = dataclasses.replace(WARMUP, steps=1000, lr_end=1e-3, sparsify="straight_through", k_min=K_MIN, reg={"entropy": 0.01})
INIT_NOISE, INIT_STAY = 0.3, 5.0


def rate_key(a: str, c: str, b: str) -> str:
    """The card metric naming the rate of a —c→ b."""
    return f"rate_{a}_{c}_{b}"


def am4_rates(model, k_min: float = K_MIN) -> dict[str, float]:
    """Rate of each `majority-am4` reaction in `model.network(k_min)` (0 when absent)."""
    rates = {reaction_key(r): r.rate for r in model.network(k_min).reactions}
    out = {}
    for a, c, b in AM4_RATES:
        r = Reaction(dict(Counter([a, c])), dict(Counter([b, c])), 1.0)
        out[rate_key(a, c, b)] = float(rates.get(reaction_key(r), 0.0))
    return out


def _learned_metrics() -> dict[str, tuple]:
    out = {
        "accuracy": (ACCURACY, "not reported (Fig. 5a: near-ties can converge wrongly)", ">= 0.99", 2e-4),
        "accuracy_gap": (GAP, None, ">= 0.99", 2e-4),
    }
    for a, c, b in AM4_RATES:
        out[rate_key(a, c, b)] = (
            f"rate of {a} —{c}→ {b} ({a} + {c} -> {b} + {c}) in the network at k_min = 0.05 (0 if absent; ≤ 1 by "
            "construction); majority-am4 has 1",
            1.0,
            ">= 0.95",
            1e-9,
        )
    out["max_rate_deviation"] = ("max |k − 1| over the four majority-am4 reactions", 0.0, "<= 0.05", 1e-9)
    out["same_reaction_set_as_am4"] = (
        "1 if the network at k_min = 0.05 lists exactly the reactions of majority-am4 (rates aside), else 0",
        1.0,
        "== 1",
        0.0,
    )
    out["reactions_at_k_report"] = ("number of reactions with rate > 0.05", 4.0, "== 4", 0.0)
    return out


class LearnedMajority(BiasFinetune, ZooTask):
    """`majority-learned`: approximate majority learned from data, compared with `am4`.

    Training (`fit`): L2 at T = 200 towards the consensus (`ConsensusTask`), in two phases:

    1. a dense warm-up (`WARMUP`): from a "do nothing" start (each row of the tensor keeps
       its input with probability ≈ 0.98) a straight-through run at k_min = 0.05 sees
       exactly zero dynamics and, by the task's symmetry, exactly zero gradient on the cross
       reactions, so it cannot leave that saddle; the dense warm-up finds the
       approximate-majority structure;
    2. straight-through sparsified training at k_min = 0.05 with the entropy regulariser
       (`TRAIN`), which drives the four kept rates to 1.

    Both phases see the model through `mirror_symmetric`, so the learned network treats A
    and B alike: without it, Adam's noise makes the two halves drift apart by ~10 %, which
    at small rates decides near-ties by bias and stalls training (loss 0.07–0.2 instead of
    3e-5). The shipped model is the symmetric one with `k_min = 0.05`, so its dynamics are
    exactly the sparsified four-reaction network.
    """

    metrics = _learned_metrics()

    finetune_lr = 0.01  # bias targets: lr 0.05 (the training's start) diverged over 1000 steps

    def retarget(self, spec) -> "BiasedMajority":
        return BiasedMajority(spec)

    def target(self, spec) -> "ConsensusTask":
        return BiasedMajority(spec).training()

    def make(self, seed: int = SEED) -> CatalyticCRN:
        """Logits W = INIT_STAY·[a = b] + INIT_NOISE·N(0, 1), made symmetric in A ↔ B; no sparsity."""
        W = INIT_NOISE * jax.random.normal(jax.random.PRNGKey(seed), (3, 3, 3), dtype=jnp.float64)
        W = W + INIT_STAY * jnp.eye(3)[None]
        return mirror_symmetric(CatalyticCRN(W, jnp.array(X0), SPECIES, roles=ROLES))

    def fit(self, seed: int | None = None, steps: int | None = None, run_dir: Path | None = None, progress: bool = True):
        """Train from scratch: dense warm-up, then straight-through at k_min = 0.05.

        `steps` overrides the sparsified phase's step count (the warm-up keeps its own).
        With `run_dir`, both phases checkpoint under it (`warmup/`, `sparse/`) and resume.
        Returns `(model, card extras)`: the shipped model (symmetric, `k_min = 0.05`).
        """
        started = time.perf_counter()
        seed = SEED if seed is None else seed
        task = ConsensusTask(n_species=3, t_end=T_END, dt=DT, symmetric=True)
        warm_cfg = dataclasses.replace(WARMUP, seed=seed)
        sparse_cfg = dataclasses.replace(TRAIN, seed=seed, steps=TRAIN.steps if steps is None else int(steps))
        run = Path(run_dir) if run_dir is not None else None
        model, h1 = train(self.make(seed), task, warm_cfg, run_dir=run / "warmup" if run else None, progress=progress, desc="majority-learned warm-up")
        model, h2 = train(model, task, sparse_cfg, run_dir=run / "sparse" if run else None, progress=progress, desc="majority-learned sparse")
        trained = mirror_symmetric(model)
        dropped = np.asarray(trained.tensor()).copy()
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
        return trained.with_sparsity(K_MIN), extra

    def evaluate(self, model, fast: bool = False) -> dict[str, float]:
        out = _accuracy(model, fast)
        rates = am4_rates(model)
        out.update(rates)
        out["max_rate_deviation"] = max(abs(k - 1.0) for k in rates.values())
        out["same_reaction_set_as_am4"] = compare_reaction_sets(model.network(K_MIN), am4().network(0.0))["same_set"]
        out["reactions_at_k_report"] = float(model.network(K_MIN).n_reactions)
        return out

    def stochastic_check(self, model, omega, runs, seed=0, *, t1=None, schedule=None, method=None):
        """Consensus at finite counts (`stochastic_consensus`)."""
        return stochastic_consensus(model, omega, runs, seed, method or "direct")


# ---- fine-tuning on a bias ----------------------------------------------------------------------------


def parse_bias(spec) -> float:
    """A bias target: `"0.1"` or `"bias=0.1"` — A must exceed B by the factor 1.1 to win; in [-0.5, 1].

    The margin is relative because a network of bimolecular reactions is homogeneous: scaling
    the initial state only rescales time, so its winner depends on A0/B0 alone and an absolute
    margin (A0 > B0 + b) is out of reach of every such network."""
    text = str(spec).strip().lower().removeprefix("bias=").strip()
    try:
        bias = float(text)
    except ValueError:
        raise ValueError(f"a majority target is a bias b (A wins iff A0 > (1 + b)·B0), e.g. 0.1 or bias=0.1; got {spec!r}") from None
    if not (np.isfinite(bias) and -0.5 <= bias <= 1.0):
        raise ValueError(f"the bias must be a finite number in [-0.5, 1] (A wins iff A0 > (1 + b)·B0); got {spec!r}")
    return bias


class BiasedMajority(ZooTask):
    """Approximate majority with a bias b: A must exceed B by the factor 1 + b (A0 > (1 + b)·B0),
    read out at t = 200 on 10,000 draws A0, B0 ~ U[0, 1] (fast: 1,000), seed 0."""

    exact_fast = False

    def __init__(self, spec):
        self.bias = parse_bias(spec)
        self.target_name = f"biased approximate majority (A wins iff A0 > {1 + self.bias:g}·B0)"
        self.target_text = f"bias {self.bias:g}"
        self.metrics = {
            "accuracy": (f"{ACCURACY}, the winner being A iff A0 > {1 + self.bias:g}·B0", None, ">= 0.95", 2e-4),
            "accuracy_gap": (f"the same over draws with |A0 − {1 + self.bias:g}·B0| > 0.05", None, ">= 0.99", 2e-4),
        }

    def training(self) -> ConsensusTask:
        """The consensus loss with the biased winner (fixed-step Tsit5, dt = 0.4)."""
        return ConsensusTask(n_species=3, t_end=T_END, dt=DT, bias=self.bias)

    def make(self):
        raise NotImplementedError("a bias target has no model of its own: fine-tune a majority entry")

    def evaluate(self, model, fast: bool = False) -> dict[str, float]:
        return consensus_accuracy(model, n=1_000 if fast else 10_000, seed=0, t_end=T_END, inputs=tuple(model.species[:2]), bias=self.bias)
