"""A 3-bit analogue-to-digital converter (Mordvintsev et al. 2023, App. B.1, Fig. 9).

Inputs: x ∈ [0, 1] and its complement 1 − x, species X and Xc, held by the experimenter
(they act only as catalysts). Outputs: three dual-rail bits (B2_hi, B2_lo), (B1_hi, B1_lo),
(B0_hi, B0_lo) that spell floor(8x) (clipped to 7) in binary, B2 the most significant.
Three auxiliary species. A bit is 1 iff hi ≥ 1 − ε and lo ≤ ε, 0 iff the reverse (ε = 0.1).

Choices where the paper gives none (`../shared/reference/paper-targets.md` §A.6): every
output pair starts at (0.5, 0.5), the auxiliary species at 0; T = 400; read-out at T.

The shipped network (`adc-3bit`) is not learned by gradients: it is a hand-designed cascade
of approximate-majority bits (`CASCADE_REACTIONS`) whose rates a derivative-free random
search tuned (`fit_cascade`, settings `SearchConfig`). `ADCTask` is its zoo behaviour:
the search, the metrics, `--inputs` levels and the picture like the paper's Fig. 9.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..crn import CatalyticCRN
from ..solve import Schedule, SolverConfig, simulate
from .base import ZooTask


INPUTS = ("X", "Xc")
OUTPUTS = ("B2_hi", "B2_lo", "B1_hi", "B1_lo", "B0_hi", "B0_lo")
AUX = ("U", "V", "W")
SPECIES = INPUTS + OUTPUTS + AUX
ROLES = ("input",) * 2 + ("output",) * 6 + ("auxiliary",) * 3
K_MIN = 0.1  # every rate of the cascade is >= 0.1 and every other reaction exactly absent
N_BITS = 3
T_END = 400.0
EPS = 0.1
EVAL_SOLVER = SolverConfig("tsit5", rtol=1e-8, atol=1e-10, max_steps=200_000)


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


def code(x) -> np.ndarray:
    """floor(8x) clipped to 0..7 as bits (B2, B1, B0), shape (..., 3)."""
    k = np.clip(np.floor(np.asarray(x, dtype=np.float64) * 2**N_BITS), 0, 2**N_BITS - 1).astype(int)
    return np.stack([(k >> b) & 1 for b in range(N_BITS - 1, -1, -1)], axis=-1)


def default_x0(x: float = 0.5) -> np.ndarray:
    """Inputs (x, 1 − x), every output pair (0.5, 0.5), auxiliary species 0."""
    return np.array([x, 1.0 - x] + [0.5] * (2 * N_BITS) + [0.0] * len(AUX))


def states_for(xs, template=None) -> np.ndarray:
    """Initial states for input levels `xs` (the template's other species), shape (len(xs), N)."""
    xs = np.asarray(xs, dtype=np.float64).reshape(-1)
    base = default_x0() if template is None else np.asarray(template, dtype=np.float64)
    x0 = np.broadcast_to(base, (xs.size, base.size)).copy()
    x0[:, 0], x0[:, 1] = xs, 1.0 - xs
    return x0


def bin_centres() -> np.ndarray:
    return (np.arange(2**N_BITS) + 0.5) / 2**N_BITS


def away_from_edges(n: int, margin: float, rng: np.random.Generator) -> np.ndarray:
    """`n` draws of x ~ U[0, 1] conditioned on being at least `margin` from every interior bin edge."""
    out = []
    edges = np.arange(1, 2**N_BITS) / 2**N_BITS
    while len(out) < n:
        x = rng.uniform(0.0, 1.0, size=2 * n)
        ok = np.min(np.abs(x[:, None] - edges[None]), axis=1) >= margin
        out.extend(x[ok].tolist())
    return np.asarray(out[:n])


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


# ---- a cascade of approximate-majority bits (the architecture `adc-3bit` ships) ----------------------

# Each bit is the catalytic approximate majority of Angluin et al. (hi + lo -> blank, blank + hi -> 2 hi,
# …) with its own blank (U, V, W: the three auxiliary species). The blank resolves towards hi when
# catalysed by X and towards lo when catalysed by Xc and by the more significant bits' hi rails, with
# rates in the ratios of a flash converter (threshold of bit 1: 1/4 + B2/2; of bit 0: 1/8 + B1/4 + B2/2).
# While a more significant bit is undecided its blank resets the less significant bits to their blanks.
CASCADE_REACTIONS = (
    # (input, catalyst, output), grouped as the tied parameters of `cascade_tied`
    ("B2_hi", "B2_lo", "U"), ("B2_lo", "B2_hi", "U"), ("U", "B2_hi", "B2_hi"), ("U", "B2_lo", "B2_lo"),  # am2
    ("B1_hi", "B1_lo", "V"), ("B1_lo", "B1_hi", "V"), ("V", "B1_hi", "B1_hi"), ("V", "B1_lo", "B1_lo"),  # am1
    ("B0_hi", "B0_lo", "W"), ("B0_lo", "B0_hi", "W"), ("W", "B0_hi", "B0_hi"), ("W", "B0_lo", "B0_lo"),  # am0
    ("U", "X", "B2_hi"), ("U", "Xc", "B2_lo"),  # b2, b2
    ("V", "X", "B1_hi"), ("V", "Xc", "B1_lo"), ("V", "B2_hi", "B1_lo"),  # 3 b1, b1, 2 b1
    ("W", "X", "B0_hi"), ("W", "Xc", "B0_lo"), ("W", "B1_hi", "B0_lo"), ("W", "B2_hi", "B0_lo"),  # 7 b0, b0, 2 b0, 4 b0
    ("B1_hi", "U", "V"), ("B1_lo", "U", "V"),  # r1: reset bit 1 while bit 2 is undecided
    ("B0_hi", "U", "W"), ("B0_lo", "U", "W"), ("B0_hi", "V", "W"), ("B0_lo", "V", "W"),  # r0
)
TIED_START = (1.0, 0.5, 0.2, 0.5, 0.25, 0.1, 1.0, 1.0)  # am2 am1 am0 b2 b1 b0 r1 r0
TIED_UPPER = (1.0, 1.0, 1.0, 1.0, 1 / 3, 1 / 7, 1.0, 1.0)


def cascade_tied(theta) -> np.ndarray:
    """The 27 cascade rates from the 8 tied parameters (am2, am1, am0, b2, b1, b0, r1, r0)."""
    am2, am1, am0, b2, b1, b0, r1, r0 = (float(v) for v in theta)
    return np.array([am2] * 4 + [am1] * 4 + [am0] * 4 + [b2, b2, 3 * b1, b1, 2 * b1, 7 * b0, b0, 2 * b0, 4 * b0] + [r1] * 2 + [r0] * 4)


def cascade_model(rates, k_min: float | None = K_MIN) -> CatalyticCRN:
    """The converter with the 27 cascade reactions at `rates` (every other reaction exactly absent)."""
    table = dict(zip(CASCADE_REACTIONS, map(float, rates)))
    return CatalyticCRN.from_rates(SPECIES, table, default_x0(), fixed=(0, 1), k_min=k_min, roles=ROLES)


def search_grid(n: int = 200, margin: float = 0.015) -> np.ndarray:
    """The search's training levels: the 8 bin centres and an even grid at least `margin` from an edge."""
    xs = np.linspace(0.5 / n, 1 - 0.5 / n, n)
    edges = np.arange(1, 2**N_BITS) / 2**N_BITS
    xs = xs[np.min(np.abs(xs[:, None] - edges), axis=1) >= margin]
    return np.concatenate([bin_centres(), xs])


def grid_score(model, xs) -> tuple[float, float]:
    """(fraction of levels with all bits right, mean read-out margin clipped to [−1, 0.1])."""
    try:
        o = final_outputs(model, xs)
    except Exception:
        return (-1.0, -1.0)
    want = code(xs)
    ok = np.all(decode_bits(o) == want, axis=1)
    o = o.reshape(-1, N_BITS, 2)
    on, off = np.where(want == 1, o[..., 0], o[..., 1]), np.where(want == 1, o[..., 1], o[..., 0])
    return float(ok.mean()), float(np.mean(np.clip(np.minimum(on - (1 - EPS), EPS - off).min(axis=1), -1.0, EPS)))


def random_search(score, start, lower, upper, iters: int, sigma: float, seed: int, log=None, n_perturb: int | None = None, stop=None):
    """(1+1) random search in log space: a candidate replaces the incumbent when its score is ≥.

    Each candidate multiplies every parameter (or `n_perturb` random ones) by exp(sigma·N(0, 1)).
    `stop(score) -> bool` ends the search early (nothing left to improve). Returns
    (parameters, score, iterations run).
    """
    rng = np.random.default_rng(seed)
    theta = np.clip(np.asarray(start, dtype=np.float64), lower, upper)
    best = score(theta)
    for it in range(iters):
        if stop is not None and stop(best):
            return theta, best, it
        step = sigma * rng.normal(size=theta.size)
        if n_perturb is not None:
            step[rng.permutation(theta.size)[n_perturb:]] = 0.0
        cand = np.clip(theta * np.exp(step), lower, upper)
        s = score(cand)
        if s >= best:
            theta, best = cand, s
            if log:
                log(f"search step {it}: grid accuracy {best[0]:.4f}, mean margin {best[1]:.4f}")
    return theta, best, iters


def fit_cascade(search: SearchConfig, seed: int, iters: tuple[int, int], log=None):
    """Tune the cascade's rates by random search (no gradients): first the 8 tied parameters, then
    all 27 rates, `search.free_perturbed_per_step` at a time (each within `search.rate_bounds`,
    rows summing to ≤ 1), maximising the read-outs right on `search_grid()` (ties broken by the
    mean margin); `iters` iterations of each stage. Returns (model, rates, grid score)."""
    xs = search_grid()
    k_min, k_max = search.rate_bounds

    def score_rates(rates):
        try:
            m = cascade_model(rates, k_min)
        except ValueError:  # some row's rates sum above 1
            return (-1.0, -1.0)
        return grid_score(m, xs)

    tied, _, _ = random_search(lambda th: score_rates(cascade_tied(th)), TIED_START, k_min, TIED_UPPER, iters[0], search.tied_sigma, seed, log)
    rates, best, _ = random_search(
        score_rates, cascade_tied(tied), k_min, k_max, iters[1], search.free_sigma, seed + 1, log, n_perturb=search.free_perturbed_per_step
    )
    return cascade_model(rates, k_min), rates, best


def final_outputs(model, xs, t_end: float = T_END, solver=EVAL_SOLVER) -> np.ndarray:
    """The six outputs at `t_end` for each input level (adaptive solve), shape (len(xs), 6)."""
    x0 = states_for(xs, np.asarray(model.x0))
    traj = simulate(model, np.array([0.0, t_end]), x0, solver=solver, name="adc-3bit")
    idx = [model.species.index(s) for s in OUTPUTS]
    return traj.final[:, idx]


def decode_bits(outs, eps: float = EPS) -> np.ndarray:
    """Per bit: 1, 0, or −1 (not a valid dual-rail value), shape (..., 3)."""
    o = np.asarray(outs).reshape(outs.shape[:-1] + (N_BITS, 2))
    hi, lo = o[..., 0], o[..., 1]
    return np.where((hi >= 1 - eps) & (lo <= eps), 1, np.where((hi <= eps) & (lo >= 1 - eps), 0, -1))


def adc_metrics(model, n_random: int = 1000, margin: float = 0.02, seed: int = 0, t_end: float = T_END) -> dict[str, float]:
    """Bin centres decoded correctly (of 8), and the fraction of `n_random` draws ≥ `margin`
    from a bin edge decoded correctly (all three bits, ε = 0.1)."""
    xs_c = bin_centres()
    xs_r = away_from_edges(n_random, margin, np.random.default_rng(seed))
    outs = final_outputs(model, np.concatenate([xs_c, xs_r]), t_end)
    ok = np.all(decode_bits(outs) == code(np.concatenate([xs_c, xs_r])), axis=-1)
    o = outs.reshape(-1, N_BITS, 2)
    want = code(np.concatenate([xs_c, xs_r]))
    on = np.where(want == 1, o[..., 0], o[..., 1])
    off = np.where(want == 1, o[..., 1], o[..., 0])
    m = np.minimum(on - (1 - EPS), EPS - off)
    return {
        "centres_correct": float(ok[: xs_c.size].sum()),
        "random_accuracy": float(ok[xs_c.size :].mean()),
        "margin_centres": float(m[: xs_c.size].min()),
    }


def draw_figure(model, path, times=(0.0, 100.0, 200.0, 300.0, 400.0), title: str = "") -> Path:
    """A picture like the paper's Fig. 9: one panel per time, rows = the 8 bin-centre inputs,
    columns = species, colour = concentration."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs = bin_centres()
    traj = simulate(model, np.asarray(times), states_for(xs, np.asarray(model.x0)), solver=EVAL_SOLVER, name="adc-3bit")
    fig, axes = plt.subplots(1, len(times), figsize=(2.6 * len(times), 3.4), sharey=True)
    for j, (ax, t) in enumerate(zip(axes, times)):
        im = ax.imshow(traj.ys[:, j, :], vmin=0, vmax=1, cmap="viridis", aspect="auto")
        ax.set_title(f"t = {t:g}", fontsize=9)
        ax.set_xticks(range(len(model.species)))
        ax.set_xticklabels(model.species, rotation=90, fontsize=7)
        if j == 0:
            ax.set_yticks(range(len(xs)))
            ax.set_yticklabels([f"row {i}: x = {x:.4g}" for i, x in enumerate(xs)], fontsize=7)
        else:
            ax.tick_params(labelleft=False)
    fig.colorbar(im, ax=list(axes), shrink=0.8, label="concentration")
    if title:
        fig.suptitle(title, fontsize=10)
    path = Path(path)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path


class ADCTask(ZooTask):
    """The 3-bit converter `adc-3bit`: the cascade (`cascade_model`) with rates from the
    random search `search` (`fit`). `evaluate(fast=True)` tests 200 random levels instead of
    1,000; `inputs("0.3,0.8", hold)` holds X = x, Xc = 1 − x at each level; `artifacts` draws
    `adc.png` (species over time for the 8 bin-centre inputs, like Fig. 9)."""

    metrics = METRICS
    figure = "adc.png"

    def __init__(self, search: SearchConfig):
        self.search = search

    @staticmethod
    def config() -> dict:
        """The `catalytic` builder's config (the card's `config`)."""
        return {"species": list(SPECIES), "fixed": [0, 1], "roles": list(ROLES), "k_min": K_MIN, "train_x0": False}

    def make(self) -> CatalyticCRN:
        """The cascade at its starting rates (before the search)."""
        return cascade_model(cascade_tied(TIED_START), K_MIN)

    def fit(self, seed=None, steps=None, run_dir=None, progress=True):
        """Run the rate search (`steps` overrides both iteration counts); returns (model, card extras)."""
        seed = self.search.seed if seed is None else int(seed)
        iters = (self.search.tied_iters, self.search.free_iters) if steps is None else (int(steps), int(steps))
        model, rates, best = fit_cascade(self.search, seed, iters, log=print if progress else None)
        return model, {
            "training_result": {
                "seed": seed,
                "iterations": list(iters),
                "grid_accuracy": best[0],
                "grid_mean_margin": best[1],
                "rates": {f"{a} —{c}→ {b}": float(k) for (a, c, b), k in zip(CASCADE_REACTIONS, rates)},
                "gradient_training": "from random logits it did not learn (best: the top bit only, 0/8 bin centres); "
                "see crnzoo/models/adc.py",
            }
        }

    def evaluate(self, model, fast: bool = False) -> dict[str, float]:
        out = adc_metrics(model, n_random=200 if fast else 1000)
        out["reactions_k0.1"] = float(model.reaction_count(K_MIN))
        return out

    def stochastic_check(self, model, omega, runs, seed=0, *, t1=None, schedule=None, method=None):
        """The code at finite counts: run i converts the bin centre i mod 8 (inputs held at x,
        1 − x); it passes when all three bits decode (ε = 0.1) to `code(x)` at t = 400."""
        from ..ssa import ssa_simulate
        from ..ssa.robustness import StochasticCheck

        xs = bin_centres()[np.arange(runs) % 2**N_BITS]
        res = ssa_simulate(model, np.array([0.0, T_END]), omega, runs, seed=seed, x0=states_for(xs, np.asarray(model.x0)), method=method or "direct")
        got = decode_bits(res.conc[:, -1][:, [model.species.index(s) for s in OUTPUTS]])
        want = code(xs)
        reasons = []
        for r in range(runs):
            bad = np.nonzero(got[r] != want[r])[0]
            reasons.append(None if not bad.size else f"bit B{N_BITS - 1 - bad[0]} at x = {xs[r]:.4g} {'invalid' if got[r, bad[0]] < 0 else 'wrong'}")
        return StochasticCheck.from_reasons(reasons, method or "direct")

    def inputs(self, text: str, hold: float) -> Schedule:
        """X = x and Xc = 1 − x held at each level of `text` ("0.3,0.7,0.1"; each in [0, 1]) for
        `hold` time units in turn. The cascade latches (its bits are set once, by consuming
        its fuel), so the converter is reset to its initial state at each new level: each
        level is a fresh conversion, read at the end of its hold."""
        if not (hold > 0 and np.isfinite(hold)):
            raise ValueError(f"the hold time must be a positive number, got {hold}")
        usage = f"give input levels x in [0, 1] separated by commas, e.g. 0.3,0.7; got {text!r}"
        try:
            xs = np.asarray([float(t) for t in str(text).replace(";", ",").split(",") if t.strip()])
        except ValueError:
            raise ValueError(usage) from None
        if not xs.size or not np.all((xs >= 0.0) & (xs <= 1.0)):
            raise ValueError(usage)
        return Schedule.hold(INPUTS, np.stack([xs, 1.0 - xs], axis=1), float(hold), reset=True)

    def artifacts(self, model, directory: Path, card: Mapping[str, Any] | None = None) -> dict:
        """`adc.png`: a picture like the paper's Fig. 9."""
        title = "adc-3bit: species (columns) for the 8 bin-centre inputs (rows) over time, as in Fig. 9"
        draw_figure(model, Path(directory) / self.figure, title=title)
        return {"figures": [self.figure]}

    # ---- fine-tuning on a user's converter (`_adc_finetune`) ----

    def retarget(self, spec):
        """The converter of `bits=N` and/or `thresholds=t1,...` (`crnzoo.tasks._adc_finetune`)."""
        from ._adc_finetune import ADCTargetTask, parse

        import sys

        module = sys.modules[__name__]
        return ADCTargetTask(parse(spec, module), module)

    def finetune(self, model, spec, steps=None, seed=0, lr=None, train_config=None, progress=True):
        """Random search over the cascade's rates from the shipped ones (`_adc_finetune`)."""
        from ._adc_finetune import DEFAULT_STEPS

        return self.retarget(spec).tune(model, DEFAULT_STEPS if steps is None else steps, seed, progress)
