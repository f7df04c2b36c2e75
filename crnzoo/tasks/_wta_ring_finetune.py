"""Fine-tuning `wta-ring` / `wta-ring-paper` on new ring sizes (numbers of chambers).

Target (the command line's `--target`): `chambers=9,10` (or a range `chambers=9:12`), each
ring size 2..32, optionally `accuracy=0.9` (the test accuracy every listed size must reach;
default 0.9) and `t=T` (the read-out time; default the entry's own: 100 for wta-ring, 200 for
wta-ring-paper).

Scored like the cards' Table 1 (`RingSizesTask`, `_wta_ring_table.ring_tables`): per size
n, the best threshold on A chosen on 5,000 evaluation rings and the test accuracy at that
threshold on 5,000 test rings (fast: 1,000 + 1,000), and the same with one threshold shared
by all the listed sizes. (The shipped cards use 10,000 + 10,000 on seven sizes; fewer here to
keep a fine-tune within minutes; the seeds are the cards'.)

Fine-tuning (`tune`) continues the entry's own training from the shipped weights: the
squared hinge loss of eq. 3 on A in every chamber (`_wta_ring_loss.RingTask`, every solver step
after the first third of the horizon, with the entry's losers' growth-rate term: wta-ring's, none for
wta-ring-paper; fixed step `dt_for(n)`), on rings of each listed size in turn (`steps` split
between them, the largest last), Adam at `lr` (default 1e-3; 3e-3, the entry's second-phase
rate, lost accuracy on 10 chambers), straight-through sparsified at wta-ring's k_min for the
learned entry. The tuned model is kept only when its shared-threshold accuracy on validation
rings (1,000 per size, seeds the card's sets do not use) is at least the pretrained one's;
otherwise the pretrained model is returned and the card says so (`kept`).
"""

from __future__ import annotations

import dataclasses
import re

from ..crn import MembraneRing
from ..crn.diffusion import SparseDiffusionRing
from ..solve import SolverConfig
from ..train import TrainConfig, train
from ._wta_ring_loss import RingTask
from ._wta_ring_table import ring_tables
from .base import ZooTask

N_FULL, N_FAST = 5_000, 1_000
DEFAULT_STEPS = 60
LR = 1e-3
N_VALID, VALID_SEED = 1_000, 10_000


def dt_for(n: int) -> float:
    """The fixed training step: 0.5 as the entries were trained (5 chambers); 0.25 above 5
    chambers, where the winner gathers more A and the fixed-step solve at 0.5 diverges."""
    return 0.5 if n <= 5 else 0.25


def parse(spec, t_default: float) -> tuple[tuple[int, ...], float, float]:
    """(ring sizes, accuracy floor, read-out time) of a `chambers=...` target."""
    usage = f"a wta-ring target is chambers=N1,N2,... or chambers=LO:HI (2..32 chambers)[,accuracy=0.9][,t=100]; got {spec!r}"
    text = str(spec).replace(" ", "").lower()
    m = re.fullmatch(r"chambers=([0-9,:]+?)(?:,accuracy=([0-9.eE+-]+))?(?:,t=([0-9.eE+-]+))?", text)
    if not m:
        raise ValueError(usage)
    sizes_text, acc, t = m.groups()
    try:
        if ":" in sizes_text:
            lo, hi = (int(v) for v in sizes_text.split(":"))
            sizes = tuple(range(lo, hi + 1))
        else:
            sizes = tuple(int(v) for v in sizes_text.split(",") if v)
        accuracy = float(acc) if acc else 0.9
        t_read = float(t) if t else t_default
    except ValueError:
        raise ValueError(usage) from None
    if not sizes or any(not 2 <= n <= 32 for n in sizes) or len(set(sizes)) != len(sizes):
        raise ValueError(f"ring sizes must be distinct numbers of chambers from 2 to 32; got {sizes_text!r}")
    if not 0 < accuracy <= 1:
        raise ValueError(f"accuracy must be in (0, 1]; got {acc}")
    if not 0 < t_read <= 1000:
        raise ValueError(f"the read-out time t must be in (0, 1000]; got {t}")
    return tuple(sorted(sizes)), accuracy, t_read


class RingSizesTask(ZooTask):
    """Winner-takes-all on rings of `sizes` chambers, read at `t_read` (see the module)."""

    def __init__(self, base: str, sizes, accuracy: float, t_read: float, growth_weight: float = 0.0):
        self.growth_weight = float(growth_weight)  # the entry's own losers' growth-rate term (0: none)
        self.base, self.sizes, self.accuracy, self.t_read = base, tuple(sizes), float(accuracy), float(t_read)
        listed = ", ".join(map(str, self.sizes))
        self.target_name = f"ring winner-takes-all on {listed} chambers"
        self.target_text = f"rings of {listed} chambers (accuracy ≥ {self.accuracy:g} at t = {self.t_read:g})"
        self.metrics = {}
        for n in self.sizes:
            self.metrics[f"test_accuracy_n{n}"] = (
                f"test accuracy, ring of {n} chambers, A read at t = {self.t_read:g} with the best eval threshold ({N_FULL:,} eval + {N_FULL:,} test rings)",
                None, f">= {self.accuracy:.4f}", 2e-4,
            )
            self.metrics[f"threshold_n{n}"] = (f"best eval threshold on A at t = {self.t_read:g}, {n} chambers", None, None, 1e-3)
        self.metrics["test_accuracy_all"] = (f"test accuracy over n = {listed} with one shared threshold", None, None, 2e-4)
        self.metrics["threshold_all"] = ("shared threshold", None, None, 1e-3)

    def make(self):
        raise NotImplementedError(f"a ring-size target has no model of its own: fine-tune {self.base}")

    def evaluate(self, model, fast: bool = False) -> dict[str, float]:
        n = N_FAST if fast else N_FULL
        solver = SolverConfig("tsit5", rtol=1e-5, atol=1e-7) if fast else SolverConfig("tsit5", rtol=1e-7, atol=1e-9)
        return ring_tables(model, self.sizes, n_eval=n, n_test=n, t_ends=(self.t_read,), seed=0, solver=solver)[self.t_read]

    def validation(self, model) -> float:
        """Shared-threshold accuracy on `N_VALID` rings per size drawn with seeds the card's
        eval and test sets do not use (`VALID_SEED`): how `tune` chooses between the pretrained
        and the tuned model without looking at the test rings."""
        solver = SolverConfig("tsit5", rtol=1e-5, atol=1e-7)
        return float(ring_tables(model, self.sizes, n_eval=N_VALID, n_test=N_VALID, t_ends=(self.t_read,), seed=VALID_SEED, solver=solver)[self.t_read]["test_accuracy_all"])

    def tune(self, model, steps: int, seed: int, lr, k_min, progress: bool):
        """The entry's loss on each listed size in turn, from the shipped weights (see the module)."""
        steps = int(steps)
        share = [steps // len(self.sizes) + (i < steps % len(self.sizes)) for i in range(len(self.sizes))][::-1]
        cfg = TrainConfig(steps=1, lr=float(lr or LR), seed=seed, batch_size=16, clip=1.0,
                          sparsify="straight_through" if k_min else None, k_min=k_min or 0.0, checkpoint_every=10**9)
        losses, current = [], model
        for i, (n, k) in enumerate(zip(self.sizes, share)):
            if not k:
                continue
            task = RingTask(n_chambers=n, t_end=self.t_read, dt=dt_for(n), low=0.01, high=0.9, k_diffusion=k_min, growth_weight=self.growth_weight)
            current, history = train(current, task, dataclasses.replace(cfg, steps=k, seed=seed + i), progress=progress, desc=f"finetune {n} chambers")
            losses.append((history.loss[0], history.loss[-1]))
        if k_min:
            baked = SparseDiffusionRing(current, k_min).baked()
            current = MembraneRing(baked.chemistry.with_sparsity(k_min), baked.diffusion_logits, baked.x0)
        before, after = self.validation(model), self.validation(current)
        kept = "tuned" if after >= before else "pretrained (the tuned model was worse on the validation rings)"
        if after < before:
            current = model
        return current, {
            "validation_accuracy_pretrained": before,
            "validation_accuracy_tuned": after,
            "kept": kept,
            "steps": steps,
            "steps_per_size": dict(zip(map(str, self.sizes), share)),
            "method": "squared hinge loss on each ring size in turn",
            "initial_loss": float(losses[0][0]) if losses else None,
            "final_loss": float(losses[-1][1]) if losses else None,
        }


class RingFinetune:
    """The fine-tuning methods of the ring entries (mixed into `PaperRing` and `LearnedRing`, hence `StableRing`):
    `ft_name` names the entry, `ft_t_read` its read-out time, `ft_k_min` its sparsification,
    `ft_growth_weight` its training's losers' growth-rate term (`_wta_ring_loss.RingTask`)."""

    ft_name: str = "wta-ring"
    ft_t_read: float = 100.0
    ft_k_min: float | None = None
    ft_growth_weight: float = 0.0
    finetune_steps = DEFAULT_STEPS

    def retarget(self, spec) -> RingSizesTask:
        """The task of new ring sizes (`chambers=9,10[,accuracy=0.9][,t=100]`)."""
        return RingSizesTask(self.ft_name, *parse(spec, self.ft_t_read), growth_weight=self.ft_growth_weight)

    def finetune(self, model, spec, steps=None, seed=0, lr=None, train_config=None, progress=True):
        """The entry's hinge loss on the new sizes, from the shipped weights (see the module)."""
        steps = self.finetune_steps if steps is None else steps
        return self.retarget(spec).tune(model, steps, seed, lr, self.ft_k_min, progress)
