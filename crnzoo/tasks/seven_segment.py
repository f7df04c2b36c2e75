"""Seven-segment display decoding (Mordvintsev et al. 2023, §4.2, Fig. 4).

Four input chemicals X3, X2, X1, X0 carry the bits of a hexadecimal digit d (X3 the most
significant): `low` for 0, `high` for 1, so "1010" is (high, low, high, low). A fifth input
Xm = 1 − (X3 + X2 + X1 + X0) keeps the total mass at 1. Inputs are ordinary species
(consumed by the network; no target on their final values). Seven outputs Sa … Sg (the
segments a–g of the digit's display) and the auxiliary species start at 0.

Loss: the squared hinge of the paper's eq. (3) on the outputs over the latter half of
the run: s = (2x − low − high)/(high − low), loss = max(0, 1 − s·y)², y = +1 for a lit
segment and −1 for a dark one. Read-out: a segment is lit iff its output exceeds
(low + high)/2.

Defaults (the paper gives none; `../shared/reference/paper-targets.md` §A.5 proposes them):
low = 0.02, high = 0.12 (digit 8 lights all 7 segments: 7·high ≤ 1), T = 200.
`SevenSegmentTask` is the zoo behaviour of `seven-segment`: training (sparsified at
k_min = 0.01, then greedy pruning), its metrics and the picture of the 16 decoded displays.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ..crn import CatalyticCRN
from ..crn.catalytic import tensor_rhs
from ..pruning import train_and_prune
from ..solve import SolverConfig, simulate
from ..solvers import rk4_trajectory
from ..train import TrainConfig
from ._finetune import tune_and_prune
from .base import ZooTask


INPUTS = ("X3", "X2", "X1", "X0", "Xm")
OUTPUTS = ("Sa", "Sb", "Sc", "Sd", "Se", "Sf", "Sg")
AUX = ("H1", "H2", "H3", "H4")
SPECIES = INPUTS + OUTPUTS + AUX
LOW, HIGH, T_END = 0.02, 0.12, 200.0
DIGITS = "0123456789AbCdEF"
# Segments a b c d e f g of each hexadecimal digit 0–F (the usual display glyphs).
SEGMENTS = np.array(
    [
        [int(c) for c in row]
        for row in (
            "1111110", "0110000", "1101101", "1111001", "0110011", "1011011", "1011111", "1110000",
            "1111111", "1111011", "1110111", "0011111", "1001110", "0111101", "1001111", "1000111",
        )
    ],
    dtype=np.int64,
)
EVAL_SOLVER = SolverConfig("tsit5", rtol=1e-9, atol=1e-11, max_steps=100_000)
ROLES = ("input",) * 5 + ("output",) * 7 + ("auxiliary",) * 4
K_MIN = 0.01  # sparsified training threshold, kept in the shipped config: the listing at 0.01 is the dynamics
K_PAPER = 0.1  # the paper's threshold, at which the card also counts reactions
TRAIN_DT = 1.0
DIAG = 3.0  # initial logits W ~ N(0, 1) + DIAG on every "no reaction" entry W[c, a, a]
PRUNE_MARGIN = 0.02
FIGURE = "digits.png"


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


def bits(d: int) -> tuple[int, int, int, int]:
    """The 4 bits of digit `d`, most significant first."""
    return tuple((int(d) >> k) & 1 for k in (3, 2, 1, 0))


def initial_states(low: float = LOW, high: float = HIGH, n_species: int = len(SPECIES)) -> np.ndarray:
    """The 16 initial states (digit 0..15): bit inputs at low/high, Xm = 1 − their sum, the rest 0."""
    x = np.zeros((16, n_species))
    for d in range(16):
        x[d, :4] = [high if b else low for b in bits(d)]
        x[d, 4] = 1.0 - x[d, :4].sum()
    return x


def scaled(x, low: float = LOW, high: float = HIGH):
    """TranslateAndScale(x) = (2x − low − high)/(high − low)."""
    return (2.0 * x - low - high) / (high - low)


class SevenSegmentTraining:
    """The paper's seven-segment task as a `crnzoo.train.Task`: every batch is the 16 digits.

    Fixed-step RK4 (the paper's App. A.1 solver, `crnzoo.solvers.rk4_trajectory`) with step
    `dt` over [0, `t_end`]; the total mass is 1 and every rate ≤ 1, so the Jacobian's
    eigenvalues are below 2 and dt = 1 keeps RK4 (stable to 2.78) stable. The loss is the
    mean squared hinge over digits, segments and the steps in the latter half.
    """

    def __init__(self, low: float = LOW, high: float = HIGH, t_end: float = T_END, dt: float = 0.5, segments=SEGMENTS):
        self.low, self.high, self.t_end, self.dt = float(low), float(high), float(t_end), float(dt)
        self.steps = int(round(t_end / dt))
        self.x0 = jnp.asarray(initial_states(low, high))
        self.y = jnp.asarray(2.0 * np.asarray(segments) - 1.0)  # (16, 7) in ±1
        self.outs = np.arange(5, 12)

    def batch(self, key, size: int):
        return self.x0

    def loss(self, model, x0):
        T = model.dynamics_tensor()
        y, outs = rk4_trajectory(lambda y: tensor_rhs(T, y), x0, self.dt, self.steps, lambda y: y[:, self.outs])
        late = outs[self.steps // 2 :]  # (S/2, 16, 7)
        s = scaled(late, self.low, self.high)
        loss = jnp.mean(jnp.maximum(0.0, 1.0 - s * self.y[None]) ** 2)
        return loss, {"ok": jnp.all(jnp.isfinite(y))}


def segment_readout(model, low: float = LOW, high: float = HIGH, t_end: float = T_END, n_late: int = 101, solver=EVAL_SOLVER):
    """Simulate the 16 digits (adaptive solve); returns (outputs on [t_end/2, t_end], times).

    Outputs have shape (16, n_late, 7).
    """
    ts = np.concatenate([[0.0], np.linspace(t_end / 2, t_end, n_late)])
    traj = simulate(model, ts, initial_states(low, high, len(model.species)), solver=solver, name="seven-segment")
    outs = [model.species.index(s) for s in OUTPUTS]
    return traj.ys[:, 1:, :][..., outs], ts[1:]


def segment_metrics(model, low: float = LOW, high: float = HIGH, t_end: float = T_END, segments=SEGMENTS) -> dict[str, float]:
    """Segments correct at the end and at every saved time of the latter half, digits fully right,
    margin; `segments` is the glyph table (16 × 7 bits, default the usual display glyphs)."""
    segments = np.asarray(segments)
    outs, _ = segment_readout(model, low, high, t_end)
    theta = 0.5 * (low + high)
    lit = outs > theta
    want = segments[:, None, :].astype(bool)
    end_ok = lit[:, -1, :] == want[:, 0, :]
    half_ok = np.all(lit == want, axis=1)
    y = 2.0 * segments - 1.0
    margin = np.min((outs[:, -1, :] - theta) * y)
    return {
        "segments_end": float(end_ok.sum()),
        "segments_last_half": float(half_ok.sum()),
        "digits_end": float(np.all(end_ok, axis=1).sum()),
        "margin_end": float(margin),
    }


def draw_digits(outs_end: np.ndarray, path, low: float = LOW, high: float = HIGH, title: str = "") -> Path:
    """A PNG of the 16 decoded displays: each segment lit (dark red) iff its output > (low+high)/2,
    with its concentration printed small; below each display the intended digit."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Polygon

    theta = 0.5 * (low + high)
    # Segment polygons in a 1 × 2 box: (x, y) of a horizontal or vertical bar.
    w, L = 0.16, 0.8

    def bar(x, y, horizontal):
        if horizontal:
            pts = [(x, y), (x + w / 2, y + w / 2), (x + L - w / 2, y + w / 2), (x + L, y), (x + L - w / 2, y - w / 2), (x + w / 2, y - w / 2)]
        else:
            pts = [(x, y), (x + w / 2, y + w / 2), (x + w / 2, y + L - w / 2), (x, y + L), (x - w / 2, y + L - w / 2), (x - w / 2, y + w / 2)]
        return pts

    place = {
        0: (0.1, 1.8, True), 1: (0.9, 1.0, False), 2: (0.9, 0.2, False), 3: (0.1, 0.2, True),
        4: (0.1, 0.2, False), 5: (0.1, 1.0, False), 6: (0.1, 1.0, True),
    }
    fig, axes = plt.subplots(2, 8, figsize=(10, 3.6))
    for d, ax in enumerate(axes.reshape(-1)):
        for k in range(7):
            x, y, h = place[k]
            on = outs_end[d, k] > theta
            wrong = on != bool(SEGMENTS[d, k])
            face = "#c0392b" if on else "#eeeeee"
            ax.add_patch(Polygon(bar(x, y, h), closed=True, facecolor=face, edgecolor="#2980b9" if wrong else "0.7", lw=2 if wrong else 0.6))
        ax.set_xlim(-0.2, 1.2)
        ax.set_ylim(-0.1, 2.1)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(f"{''.join(map(str, bits(d)))} → {DIGITS[d]}", fontsize=9)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


FINETUNE_CHECK = 100  # fine-tuning checks the new glyphs every this many steps and stops once they hold


class SevenSegmentTask(ZooTask):
    """The seven-segment decoder `seven-segment`: a `CatalyticCRN` on `SPECIES` (N = 16, no
    fixed species) trained with `train_config` (straight-through at k_min = 0.01), then pruned.

    `evaluate` always simulates all 16 digits with the card's settings (`exact_fast`);
    `artifacts` draws the 16 decoded displays (`digits.png`).
    """

    metrics = METRICS
    exact_fast = True

    def __init__(self, train_config: TrainConfig):
        self.train_config = train_config

    @staticmethod
    def config() -> dict:
        """The `catalytic` builder's config (the card's `config`)."""
        return {"species": list(SPECIES), "fixed": [], "roles": list(ROLES), "k_min": K_MIN, "train_x0": False}

    @staticmethod
    def init(seed: int = 0) -> CatalyticCRN:
        """Untrained logits W ~ N(0, 1) + 3·I (each row starts mostly "no reaction": slow, unmixed
        dynamics); x0 is digit 0 ("0000")."""
        n = len(SPECIES)
        W = jax.random.normal(jax.random.PRNGKey(seed), (n, n, n), dtype=jnp.float64) + DIAG * jnp.eye(n)[None]
        return CatalyticCRN(W, jnp.asarray(initial_states()[0]), SPECIES, roles=ROLES)

    def make(self) -> CatalyticCRN:
        return self.init(self.train_config.seed)

    finetune_steps = 800  # a budget: the font2 retarget left 111/112 segments over the last half after 300 steps, 112/112 after 800

    def retarget(self, spec) -> "GlyphTask":
        """The decoder's task for the glyph table in the CSV `spec` (`read_glyphs`)."""
        return GlyphTask(self.train_config, read_glyphs(spec), Path(str(spec)).name)

    def finetune(self, model, spec, steps=None, seed=0, lr=None, train_config=None, progress=True):
        """Retarget the pretrained decoder to a glyph table: sparsified training from its weights
        (RK4, dt = 1), kept when 112/112 segments are right with margin ≥ `PRUNE_MARGIN`, then
        pruned under that check; up to 3 restarts (`tasks._finetune.tune_and_prune`). Training
        stops at the first multiple of `FINETUNE_CHECK` steps that passes the check."""
        new = self.retarget(spec)
        task = SevenSegmentTraining(dt=TRAIN_DT, segments=new.segments)
        return tune_and_prune(model, task, self.train_config, new.accept, steps or self.finetune_steps, seed, lr, progress=progress, desc="seven-segment", check_every=FINETUNE_CHECK)

    @staticmethod
    def accept(candidate, margin: float = PRUNE_MARGIN) -> bool:
        """Whether all 112 segments stay right at T and over the last half, with the end margin
        ≥ `margin` (pruning keeps a removal only then)."""
        try:
            r = segment_metrics(candidate)
        except Exception:  # a failed solve rejects the candidate
            return False
        return r["segments_end"] == 112 and r["segments_last_half"] == 112 and r["margin_end"] >= margin

    @staticmethod
    def solved(model) -> bool:
        """All 112 segments right at T and over the last half (pruning starts only then)."""
        r = segment_metrics(model)
        return r["segments_end"] == 112 and r["segments_last_half"] == 112

    def fit(self, seed=None, steps=None, run_dir=None, progress=True):
        """Train from scratch (sparsified at k_min = 0.01, fixed-step RK4 with dt = 1), then prune."""
        r = train_and_prune(
            self.init, SevenSegmentTraining(dt=TRAIN_DT), self.train_config, self.accept, seed, steps, run_dir, progress, "seven-segment", self.solved
        )
        return r.model, {
            "training_result": {
                "steps": r.config.steps,
                "seed": r.config.seed,
                "init": f"W ~ N(0, 1) + {DIAG:g} on the diagonal W[c, a, a]",
                "loss_first": r.history.loss[0],
                "loss_last_mean_20": float(np.mean(r.history.loss[-20:])),
                "train_solver": f"fixed-step RK4, dt = {TRAIN_DT}",
                "reactions_after_training": r.reactions_after_training,
                "pruning": f"greedy, smallest rate first, keeping 112/112 segments at T and over [100, 200] with margin >= {PRUNE_MARGIN}",
                "pruned": len(r.removed),
                "reactions_after_pruning": r.model.reaction_count(K_MIN),
            }
        }

    def stochastic_check(self, model, omega, runs, seed=0, *, t1=None, schedule=None, method=None):
        """The display at finite counts: run i shows digit i mod 16; it passes when every segment
        at t = 200 is lit (> (LOW + HIGH)/2) exactly as in the ODE read-out of the shipped model."""
        from ..ssa import ssa_simulate
        from ..ssa.robustness import StochasticCheck

        theta = 0.5 * (LOW + HIGH)
        outs = [model.species.index(s) for s in OUTPUTS]
        ode, _ = segment_readout(model, n_late=2)  # saves t = 100 and 200
        want = ode[:, -1, :] > theta  # (16, 7)
        digits = np.arange(runs) % 16
        x0 = initial_states(LOW, HIGH, len(model.species))[digits]
        res = ssa_simulate(model, np.array([0.0, T_END]), omega, runs, seed=seed, x0=x0, method=method or "direct")
        lit = res.conc[:, -1][:, outs] > theta
        reasons = []
        for r, d in enumerate(digits):
            bad = np.nonzero(lit[r] != want[d])[0]
            reasons.append(None if not bad.size else f"digit {DIGITS[d]}: segment {OUTPUTS[bad[0]]} {'lit' if lit[r, bad[0]] else 'dark'}")
        return StochasticCheck.from_reasons(reasons, method or "direct")

    def evaluate(self, model, fast: bool = False) -> dict[str, float]:
        out = segment_metrics(model)
        out["reactions_k0.1"] = float(model.reaction_count(K_PAPER))
        out["segments_end_k0.1_only"] = segment_metrics(model.with_sparsity(K_PAPER))["segments_end"]
        return out

    def artifacts(self, model, directory: Path, card: Mapping[str, Any] | None = None) -> dict:
        """`digits.png`: the 16 decoded displays at T."""
        outs, _ = segment_readout(model)
        title = f"seven-segment: the 16 decoded displays at T = {T_END:g} (lit: output > {(LOW + HIGH) / 2:g})"
        draw_digits(outs[:, -1, :], Path(directory) / FIGURE, title=title)
        return {"figures": [FIGURE]}


# ---- fine-tuning on a user's glyph table ------------------------------------------------------


def read_glyphs(spec) -> np.ndarray:
    """A glyph table: a CSV file of 16 rows `digit,abcdefg` (digit 0–F, each once; segments as
    7 bits a..g, e.g. `7,1110010`; a header row is optional). Returns (16, 7) bits in digit order.
    Raises ValueError naming the file and row."""
    import csv

    path = Path(str(spec))
    if not path.is_file():
        raise ValueError(f"a seven-segment target is a CSV file of 16 rows digit,abcdefg; no file at {spec}")
    table: dict[int, list[int]] = {}
    with path.open(newline="") as f:
        for i, row in enumerate(csv.reader(f), 1):
            cells = [c.strip() for c in row if c.strip()]
            if not cells or cells[0].startswith("#") or (i == 1 and not cells[0].isalnum()) or (i == 1 and cells[0].lower() == "digit"):
                continue
            if len(cells) != 2 or len(cells[1]) != 7 or set(cells[1]) - {"0", "1"}:
                raise ValueError(f"{path}:{i}: expected digit,abcdefg with 7 bits (e.g. 7,1110010), got {','.join(cells)}")
            try:
                d = int(cells[0], 16)
            except ValueError:
                raise ValueError(f"{path}:{i}: {cells[0]!r} is not a hexadecimal digit 0–F") from None
            if not 0 <= d < 16 or d in table:
                raise ValueError(f"{path}:{i}: digit {cells[0]} is out of 0–F or given twice")
            table[d] = [int(c) for c in cells[1]]
    if len(table) != 16:
        raise ValueError(f"{path}: a glyph table has 16 rows (digits 0–F); got {len(table)}")
    return np.asarray([table[d] for d in range(16)], dtype=np.int64)


class GlyphTask(SevenSegmentTask):
    """The decoder's task for another glyph table `segments` (16 × 7 bits): the same metrics
    (112/112 segments at T and over the last half, 16 digits, margin) on the new table."""

    def __init__(self, train_config: TrainConfig, segments: np.ndarray, label: str):
        super().__init__(train_config)
        self.segments = np.asarray(segments)
        self.target_name, self.target_text = "seven-segment decoder", f"glyph table {label}"
        self.metrics = {k: (d, None, p, t) for k, (d, _, p, t) in METRICS.items()}

    def accept(self, candidate, margin: float = PRUNE_MARGIN) -> bool:
        try:
            r = segment_metrics(candidate, segments=self.segments)
        except Exception:  # a failed solve rejects the candidate
            return False
        return r["segments_end"] == 112 and r["segments_last_half"] == 112 and r["margin_end"] >= margin

    def evaluate(self, model, fast: bool = False) -> dict[str, float]:
        out = segment_metrics(model, segments=self.segments)
        out["reactions_k0.1"] = float(model.reaction_count(K_PAPER))
        out["segments_end_k0.1_only"] = segment_metrics(model.with_sparsity(K_PAPER), segments=self.segments)["segments_end"]
        return out

