"""The task protocol every zoo family implements: how an entry is scored, trained and retargeted.

A `ZooEntry` holds what a card says; its `task` holds what the entry does. One `ZooTask`
subclass per family lives in `crnzoo/tasks/<family>.py` (the family's name is that module's).
The publish pipeline (`crnzoo.publish`), `crnzoo verify`, `crnzoo simulate --inputs` and
`crnzoo finetune` call only these methods, never a family by name.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..train import finetune


class NoTargetError(ValueError):
    """An entry cannot be fine-tuned on the given kind of target (or on any)."""


class ZooTask(abc.ABC):
    """Behaviour of a zoo entry.

    - `metrics`: `{metric: (description, paper value, promise, tolerance)}` — what the card
      reports; a promise such as `">= 1"` is checked on every verification.
    - `evaluate(model, fast)`: `{metric: value}` for every key of `metrics`; `fast` uses
      smaller samples (the test suite's setting). Tasks whose `evaluate` ignores `fast` set
      `exact_fast = True`: their fast values must equal the card's.
    - `make()`: the model before training (hand-designed networks: the shipped model).
    - `fit(seed, steps, run_dir, progress)`: train from scratch; returns `(model, card
      extras)`. Hand-designed entries keep the default, which returns `make()`.
    - `target(spec)`: a `crnzoo.train.Task` for fine-tuning on a user's target (`spec` is the
      text the command line passes, or an object); raises `NoTargetError` when unsupported.
    - `retarget(spec)`: the task of the same entry for the user's target (metrics and promises
      of the new target): what scores a fine-tuned model (`crnzoo.finetuning`).
    - `inputs(text, hold)`: a `Schedule` holding each input state of `text` for `hold` time
      units (`crnzoo simulate NAME --inputs`); None when the entry takes no input sequence.
    - `artifacts(model, directory, card)`: write figures or lab tables next to a card being
      published (inside the atomic save; `card` is that card, with the fit's extras such as a
      training history); returns the card fields that name them.
    - `stochastic_check(model, omega, runs, seed, t1, schedule, method)`: the entry's function
      checked on `runs` stochastic sample paths at Ω molecules per unit concentration
      (`crnzoo.ssa`); returns a `crnzoo.ssa.robustness.StochasticCheck` (runs passed, what
      failed). Default: the outputs' end values against the ODE's (`crnzoo.ssa.checks`).
    """

    metrics: Mapping[str, tuple] = {}
    exact_fast: bool = False
    trained: bool = True

    @abc.abstractmethod
    def evaluate(self, model, fast: bool = False) -> dict[str, float]:
        """Every card metric of `model`."""

    @abc.abstractmethod
    def make(self):
        """The model before training; for hand-designed entries, the shipped model itself."""

    def fit(self, seed: int | None = None, steps: int | None = None, run_dir: Path | None = None, progress: bool = True) -> tuple[Any, dict]:
        """Train from scratch; returns `(model, card extras)`. Default: `make()` (hand-designed)."""
        return self.make(), {}

    def target(self, spec) -> Any:
        """A training task for fine-tuning on the user's target `spec`."""
        raise NoTargetError("this model has no fine-tuning target type")

    # A retargeted task (`retarget`) says what its model is and what it was tuned on, for the
    # card's one-line system: "NAND gate, fine-tuned from gate-and on truth table 1110, ...".
    target_name: str = ""
    target_text: str = ""

    def retarget(self, spec) -> "ZooTask":
        """This entry's task for the user's target `spec` (the same text or path `target`
        takes): its `evaluate`, `metrics` and promises score a fine-tuned model on the NEW
        target; it sets `target_name` and `target_text`. Raises `NoTargetError` when the entry
        takes no target, ValueError (naming what is wrong) for a bad one."""
        raise NoTargetError("this model has no fine-tuning target type")

    finetune_steps: int = 300
    finetune_lr: float | None = None  # the default learning rate of fine-tuning (None: the entry's)

    def finetune(self, model, spec, steps: int | None = None, seed: int = 0, lr: float | None = None, train_config=None, progress: bool = True) -> tuple[Any, dict]:
        """Fine-tune `model` on the target `spec` for `steps` optimisation steps (default
        `finetune_steps`); returns the tuned model and card fields (`steps`, `initial_loss`,
        `final_loss`). Default: the generic trainer (`crnzoo.train.finetune`) on
        `target(spec)` with the entry's `train_config`."""
        task = self.target(spec)
        steps = self.finetune_steps if steps is None else steps
        cfg = train_config.to_dict() if train_config is not None else {}
        cfg.pop("lr_end", None)
        lr = lr or self.finetune_lr
        cfg.update(steps=steps, seed=seed, **({"lr": lr} if lr else {}))
        tuned, history = finetune(model, task, **cfg, progress=progress, desc="finetune")
        return tuned, {"steps": steps, "initial_loss": history.loss[0], "final_loss": history.loss[-1]}

    def inputs(self, text: str, hold: float):
        """A `Schedule` of input states held in turn, or None (no input sequence)."""
        return None

    def artifacts(self, model, directory: Path, card: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Write extra files for a published card into `directory`; returns card fields naming them."""
        return {}

    stochastic_method: str = "direct"

    def stochastic_check(self, model, omega: float, runs: int, seed: int = 0, *, t1: float, schedule=None, method: str | None = None):
        """The function on `runs` stochastic sample paths at Ω (see the class docstring)."""
        from ..ssa.checks import ode_agreement

        return ode_agreement(model, omega, runs, seed, t1=t1, schedule=schedule, method=method or self.stochastic_method)
