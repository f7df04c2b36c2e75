"""The registry's data: `ZooEntry` (a card's data plus its task), `Metric`, and the two tables
that family modules fill — entries by name and builders by name.

A leaf of the house: it imports only `checkpoint` and `solvers.config`, never a family
(`task` is any `crnzoo.tasks.base.ZooTask`, `schedule` a `crnzoo.solve.Schedule`). Family modules (`crnzoo/models/<family>.py`) call `register`
and `register_builder`; the hub `crnzoo.zoo` imports every family once, then reads the tables.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .checkpoint import CheckpointError
from .solvers.config import SolverConfig


@dataclasses.dataclass(frozen=True)
class Metric:
    """One number on a model card.

    - `value`: measured from the shipped checkpoint by `crnzoo verify`.
    - `paper`: the paper's value of the same quantity (number or text), if any.
    - `promise`: what must hold, e.g. `">= 0.99"`, checked on every verification.
    - `tolerance`: how far a full re-computation may drift from `value`.
    """

    value: float
    description: str
    paper: float | str | None = None
    promise: str | None = None
    tolerance: float = 1e-6

    def holds(self, value: float) -> bool:
        """Whether `value` satisfies the promise (always true without one)."""
        if self.promise is None:
            return True
        m = re.match(r"^\s*(<=|>=|<|>|==)\s*([-+0-9.eE]+)\s*$", self.promise)
        if not m:
            raise ValueError(f"cannot read promise {self.promise!r}")
        op, bound = m.group(1), float(m.group(2))
        return {"<=": value <= bound, ">=": value >= bound, "<": value < bound, ">": value > bound, "==": value == bound}[op]

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class ZooEntry:
    """A registered zoo model: what its card says. Behaviour lives in `task`.

    **Card data:**

    - `name`: registry name (`majority-am4`); `system`: one line on what the network does.
    - `builder`, `config`: how to rebuild a template module (see `register_builder`).
    - `paper`, `section`: the source.
    - `t1`, `schedule`: default simulation horizon and input protocol.
    - `solver`: the solver that suits this model.
    - `k_report`: threshold at which the reaction count is reported.
    - `roles`: species -> role (`input`, `output`, `auxiliary`, `fuel`, `control`).
    - `protocol`: the initial state and input protocol, in words.
    - `training`: the exact command that produced the weights, or `hand-designed: <source>`;
      `seed`: its seed (None for hand-designed networks); `train_config`: its settings.
    - `time_units`, `concentration_units`: what one unit of time and of concentration mean.
    - `data`: files (relative to the shared data folder, `crnzoo.data`) that the task's
      `evaluate` reads; without them the entry loads and simulates but cannot be verified.

    **Behaviour** (`task`, a `crnzoo.tasks.base.ZooTask`): the metrics and promises, `make`,
    `evaluate(model, fast)`, `fit`, fine-tuning `target`s, `inputs`, and the files written
    next to a published card. `family` is the name of the task's module (`tasks/<family>.py`,
    the same name as `models/<family>.py`).
    """

    name: str
    system: str
    task: Any  # a crnzoo.tasks.base.ZooTask
    builder: str
    config: Mapping[str, Any]
    paper: str
    section: str
    t1: float
    solver: SolverConfig = SolverConfig()
    schedule: Any = None  # a crnzoo.solve.Schedule, or None
    k_report: float = 0.0
    roles: Mapping[str, str] = dataclasses.field(default_factory=dict)
    protocol: str = ""
    training: str = ""
    seed: int | None = None
    time_units: str = "dimensionless"
    concentration_units: str = "dimensionless"
    train_config: Any = None
    data: tuple[str, ...] = ()

    @property
    def family(self) -> str:
        """The family: the module that holds this entry's task (`crnzoo/tasks/<family>.py`)."""
        return type(self.task).__module__.rsplit(".", 1)[-1]

    @property
    def metrics(self) -> Mapping[str, tuple]:
        """`{metric: (description, paper value, promise, tolerance)}`: the task's card metrics."""
        return self.task.metrics


ENTRIES: dict[str, ZooEntry] = {}
BUILDERS: dict[str, Callable[[Mapping[str, Any]], Any]] = {}


def register(entry: ZooEntry) -> ZooEntry:
    """Add `entry` to the registry (a name may be registered once)."""
    if entry.name in ENTRIES:
        raise ValueError(f"model {entry.name!r} is registered twice")
    ENTRIES[entry.name] = entry
    return entry


def register_builder(name: str):
    """Decorator: make `fn(config) -> template module` the builder called `name`.

    A builder turns a card's `config` into a module of the right structure (placeholder
    values), which checkpoint restore fills. The module that defines a CRN type registers
    its builder next to it.
    """

    def decorate(fn: Callable[[Mapping[str, Any]], Any]):
        if name in BUILDERS and BUILDERS[name] is not fn:
            raise ValueError(f"builder {name!r} is registered twice")
        BUILDERS[name] = fn
        return fn

    return decorate


def build(builder: str, config: Mapping[str, Any]):
    """A template module (right structure, placeholder values) from a card's builder/config."""
    if builder not in BUILDERS:
        raise CheckpointError(f"unknown builder {builder!r}; known: {', '.join(sorted(BUILDERS))}")
    try:
        return BUILDERS[builder](config)
    except (KeyError, TypeError, ValueError) as e:
        raise CheckpointError(f"cannot build a {builder!r} model from the card's config: {e}") from None


def weights_dir() -> Path:
    """Where shipped checkpoints live (the repository's `weights/`, installed as `crnzoo.weights`)."""
    source_tree = Path(__file__).resolve().parent.parent / "weights"
    if (source_tree / "__init__.py").is_file():  # a checkout or an editable install
        return source_tree
    import crnzoo.weights as w  # a regular install: weights/ is packaged as crnzoo.weights

    return Path(w.__file__).resolve().parent


def checkpoint_dir(name: str) -> Path:
    """The shipped checkpoint directory of a registered model (`weights/<name>/`)."""
    return weights_dir() / name
