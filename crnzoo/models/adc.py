"""3-bit analogue-to-digital converter: `adc-3bit`.

Mordvintsev, Randazzo, Niklasson (2023), App. B.1, Fig. 9. A `CatalyticCRN` with N = 11:
inputs X = x and Xc = 1 − x (fixed: catalysts only, held by the experimenter), three
dual-rail output bits spelling floor(8x) and three auxiliary species.

How it was made (differs from the paper, which learned it by gradient descent): gradient
training from random logits did not learn this converter here (sparsified training at
k_min = 0.1 and 0.01, with and without a most-significant-bit-first curriculum: at best the
top bit; 0 of 8 bin centres), and gradient steps from a working network made it worse (its
read-outs are digital, so the loss is flat between cliffs). The shipped network is a
hand-designed architecture — a cascade of catalytic approximate-majority bits, each with
its own blank species as the auxiliary, biased by X and Xc and by the more significant bits
like a flash converter, reset while a more significant bit is undecided
(`crnzoo.tasks.adc.CASCADE_REACTIONS`) — whose 27 rates were tuned by a derivative-free
random search (`crnzoo.tasks.adc.fit_cascade`) on a grid of input levels. Every rate is
≥ 0.1 and every other reaction is exactly absent, so the listing at k_min = 0.1 is the
dynamics. `scripts/train_adc.py` runs the search, publishes the model and draws a picture
like the paper's Fig. 9 next to its card.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..solve import SolverConfig
from ..tasks import adc
from .._legacy import ZooEntry, register


MORDVINTSEV = "Mordvintsev, Randazzo, Niklasson (2023), Differentiable Programming of Chemical Reaction Networks"
K_MIN = 0.1
ROLES = ("input",) * 2 + ("output",) * 6 + ("auxiliary",) * 3
FIGURE = "adc.png"


@dataclasses.dataclass(frozen=True)
class SearchConfig:
    """The derivative-free rate search that made `adc-3bit` (written on its card)."""

    method: str = "(1+1) random search in log space over the cascade's rates (no gradients)"
    seed: int = 0
    tied_iters: int = 600
    tied_sigma: float = 0.3
    free_iters: int = 600
    free_sigma: float = 0.3
    free_perturbed_per_step: int = 2
    rate_bounds: tuple = (K_MIN, 1.0)
    objective: str = (
        "fraction of levels with all 3 bits right at T = 400 (eps = 0.1), ties broken by the mean margin, "
        "on the 8 bin centres + an even grid of 200 levels minus those within 0.015 of a bin edge"
    )

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


SEARCH = SearchConfig()


def config() -> dict:
    return {"species": list(adc.SPECIES), "fixed": [0, 1], "roles": list(ROLES), "k_min": K_MIN, "train_x0": False}


def make():
    """The cascade at its starting rates (before the search)."""
    return adc.cascade_model(adc.cascade_tied(adc.TIED_START), K_MIN)


def fit(seed: int | None = None, steps: int | None = None, run_dir=None, progress: bool = True):
    """Run the rate search (`steps` overrides both iteration counts); returns (model, card extras)."""
    import time

    started = time.perf_counter()
    seed = SEARCH.seed if seed is None else int(seed)
    iters = (SEARCH.tied_iters, SEARCH.free_iters) if steps is None else (int(steps), int(steps))
    model, rates, best = adc.fit_cascade(seed, iters, K_MIN, log=print if progress else None)
    extra = {
        "training_result": {
            "seed": seed,
            "iterations": list(iters),
            "grid_accuracy": best[0],
            "grid_mean_margin": best[1],
            "rates": {f"{a} —{c}→ {b}": float(k) for (a, c, b), k in zip(adc.CASCADE_REACTIONS, rates)},
            "gradient_training": "from random logits it did not learn (best: the top bit only, 0/8 bin centres); "
            "see crnzoo/models/adc.py",
        },
        "training_wall_s": round(time.perf_counter() - started, 1),
    }
    return model, extra


def evaluate(model, fast: bool = False) -> dict[str, float]:
    out = adc.adc_metrics(model, n_random=200 if fast else 1000)
    out["reactions_k0.1"] = float(model.reaction_count(K_MIN))
    return out


METRICS = {
    "centres_correct": ("bin centres x = (k + 0.5)/8 whose 3 bits all read correctly at T = 400 (ε = 0.1)", "8 (Fig. 9: correct map)", ">= 8", 0.0),
    "random_accuracy": (
        "fraction of 1,000 random x (seed 0) at least 0.02 from a bin edge whose 3 bits all read correctly at T = 400",
        "not reported (Fig. 9 shows the 8 levels)",
        ">= 1",
        1e-9,
    ),
    "margin_centres": ("worst read-out margin min(on − 0.9, 0.1 − off) over the bin centres (> 0: inside the ε box)", None, "> 0", 1e-5),
    "reactions_k0.1": ("reactions with rate > 0.1 (the shipped dynamics are exactly these)", "not reported", None, 0.0),
}

register(
    ZooEntry(
        name="adc-3bit",
        system="3-bit analogue-to-digital converter: input level x in [0, 1] -> floor(8x) on three dual-rail output bits "
        "(hand-designed cascade of approximate-majority bits; rates found by random search, not gradients)",
        family="adc",
        builder="catalytic",
        config=config(),
        make=make,
        evaluate=evaluate,
        metrics=METRICS,
        paper=MORDVINTSEV,
        section="App. B.1, Fig. 9",
        t1=adc.T_END,
        solver=SolverConfig("tsit5", rtol=1e-8, atol=1e-10, max_steps=200_000),
        k_report=K_MIN,
        roles=dict(zip(adc.SPECIES, ROLES)),
        protocol=(
            "inputs X = x and Xc = 1 − x held by the experimenter (fixed catalysts); every output pair "
            "(B2_hi, B2_lo), (B1_hi, B1_lo), (B0_hi, B0_lo) starts at (0.5, 0.5), auxiliary U, V, W at 0; "
            "read the bits at T = 400 (bit 1 iff hi >= 0.9 and lo <= 0.1, 0 iff the reverse); B2 is the most "
            "significant. Architecture: a cascade of approximate-majority bits (hand-designed); rates tuned by random "
            "search. Default x0: x = 0.5. Other levels: crnzoo simulate adc-3bit --inputs 0.3 --hold 400 (each level "
            "is read from where the previous one left the outputs; the card's test always starts from (0.5, 0.5))"
        ),
        training="python scripts/train_adc.py",
        seed=SEARCH.seed,
        fit=lambda seed=None, steps=None, run_dir=None, progress=True: fit(seed, steps, run_dir, progress),
        train_config=SEARCH,
        inputs=adc.input_schedule,
    )
)
