"""The model registry: name -> how to build it, where its weights are, what its card says.

In the style of timm: `list_models("gate-*")`, `load("gate-and")`, `card("gate-and")`.
Model families (files in `crnzoo/models/`) call `register(ZooEntry(...))`; `build`
turns a card's `builder` + `config` into a template module for checkpoint restore.
"""

from __future__ import annotations

import dataclasses
import difflib
import fnmatch
import importlib
import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jax.numpy as jnp

from . import checkpoint
from .crn import CatalyticCRN, MassActionCRN, MembraneRing
from .solve import Schedule, SolverConfig


class UnknownModelError(KeyError):
    """No registered model has this name."""

    def __str__(self) -> str:  # KeyError quotes its message; show it plainly
        return str(self.args[0])


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
    """A registered zoo model.

    **Fields:**

    - `name`: registry name (`majority-am4`).
    - `system`: one-line description of what the network does.
    - `family`: the module under `crnzoo/models/` that defines it.
    - `builder`, `config`: how to rebuild a template (see `BUILDERS`).
    - `make`: returns the model with its parameters (hand-designed models) — used by the
      training/generation script, never at load time.
    - `evaluate(model, fast)`: returns `{metric: value}`; `fast` uses smaller samples.
    - `metrics`: `{metric: (description, paper value, promise, tolerance)}` templates.
    - `paper`, `section`: the source.
    - `t1`, `schedule`: default simulation horizon and input protocol.
    - `solver`: the solver that suits this model.
    - `k_report`: threshold at which the reaction count is reported.
    - `roles`: species -> role.
    - `protocol`: human-readable initial state and input protocol.
    - `training`: the exact command that produced the weights, or `hand-designed: <source>`.
    - `seed`: the seed of that command (None for hand-designed networks).
    - `time_units`: what one time unit means.
    - `fit(seed, steps)`: trains the model from scratch (None for hand-designed models);
      `crnzoo train NAME` and the family's script call it.
    - `finetune_task(target)`: builds a `crnzoo.train.Task` from a user's target text
      (a CSV path, a truth table, …) for `crnzoo finetune NAME --target …`.
    - `train_config`: the `TrainConfig` defaults of `fit` (written on the card).
    - `inputs(text, hold)`: parses a user's input sequence (e.g. `"00,01,11,10"` for a
      gate) into a `Schedule` holding each input state for `hold` time units, for
      `crnzoo simulate NAME --inputs TEXT --hold H` (None: the model takes no inputs so).
    - `data`: files (relative to the shared data folder, `crnzoo.data`) that `evaluate`
      reads; without them the entry loads and simulates but cannot be verified.
    """

    name: str
    system: str
    family: str
    builder: str
    config: Mapping[str, Any]
    make: Callable[[], Any]
    evaluate: Callable[[Any, bool], Mapping[str, float]]
    metrics: Mapping[str, tuple]
    paper: str
    section: str
    t1: float
    solver: SolverConfig = SolverConfig()
    schedule: Schedule | None = None
    k_report: float = 0.0
    roles: Mapping[str, str] = dataclasses.field(default_factory=dict)
    protocol: str = ""
    training: str = ""
    seed: int | None = None
    time_units: str = "dimensionless"
    fit: Callable[..., Any] | None = None
    finetune_task: Callable[[str], Any] | None = None
    train_config: Any = None
    inputs: Callable[[str, float], Schedule] | None = None
    data: tuple[str, ...] = ()


_REGISTRY: dict[str, ZooEntry] = {}


def register(entry: ZooEntry) -> ZooEntry:
    """Add `entry` to the registry (a name may be registered once)."""
    if entry.name in _REGISTRY:
        raise ValueError(f"model {entry.name!r} is registered twice")
    _REGISTRY[entry.name] = entry
    return entry


def _registry() -> dict[str, ZooEntry]:
    importlib.import_module("crnzoo.models")
    return _REGISTRY


# ---- builders: card config -> template module ---------------------------------------------


def _build_catalytic(config: Mapping[str, Any]) -> CatalyticCRN:
    n = len(config["species"])
    return CatalyticCRN(
        jnp.zeros((n, n, n)),
        jnp.zeros(n),
        tuple(config["species"]),
        fixed=tuple(config.get("fixed", ())),
        k_min=config.get("k_min"),
        roles=tuple(config["roles"]) if config.get("roles") else None,
        train_x0=bool(config.get("train_x0", False)),
        x0_total=config.get("x0_total"),
    )


def _build_mass_action(config: Mapping[str, Any]) -> MassActionCRN:
    species = config["species"]
    return MassActionCRN.from_text(config["reactions"], species, [0.0] * len(species), config.get("roles"))


def _build_ring(config: Mapping[str, Any]) -> MembraneRing:
    chem = build(config["chemistry"]["builder"], config["chemistry"]["config"])
    return MembraneRing(chem, jnp.zeros(len(chem.species)), jnp.zeros((int(config["n_chambers"]), len(chem.species))))


BUILDERS: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "catalytic": _build_catalytic,
    "mass_action": _build_mass_action,
    "ring": _build_ring,
}


def register_builder(name: str, fn: Callable[[Mapping[str, Any]], Any]) -> None:
    """Make `fn(config) -> template module` the builder called `name` (a family module calls
    this next to its `register` calls, for module types outside `crnzoo.crn`)."""
    if name in BUILDERS and BUILDERS[name] is not fn:
        raise ValueError(f"builder {name!r} is registered twice")
    BUILDERS[name] = fn


def build(builder: str, config: Mapping[str, Any]):
    """A template module (right structure, placeholder values) from a card's builder/config."""
    if builder not in BUILDERS:
        raise checkpoint.CheckpointError(f"unknown builder {builder!r}; known: {', '.join(BUILDERS)}")
    try:
        return BUILDERS[builder](config)
    except (KeyError, TypeError, ValueError) as e:
        raise checkpoint.CheckpointError(f"cannot build a {builder!r} model from the card's config: {e}") from None


# ---- public API -------------------------------------------------------------------------------


def _natural(name: str):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def list_models(pattern: str = "*") -> list[str]:
    """Registered model names matching the fnmatch `pattern`, naturally sorted."""
    return sorted((n for n in _registry() if fnmatch.fnmatch(n, pattern)), key=_natural)


def entry(name: str) -> ZooEntry:
    """The registry entry of `name`; an unknown name raises with the closest names."""
    reg = _registry()
    if name in reg:
        return reg[name]
    close = difflib.get_close_matches(name, list(reg), n=3, cutoff=0.4)
    hint = f"; did you mean {', '.join(close)}?" if close else f"; known models: {', '.join(list_models())}"
    raise UnknownModelError(f"unknown model {name!r}{hint}")


def weights_dir() -> Path:
    """Where shipped checkpoints live (the repository's `weights/`, installed as `crnzoo.weights`)."""
    source_tree = Path(__file__).resolve().parent.parent / "weights"
    if (source_tree / "__init__.py").is_file():  # a checkout or an editable install
        return source_tree
    import crnzoo.weights as w  # a regular install: weights/ is packaged as crnzoo.weights

    return Path(w.__file__).resolve().parent


def checkpoint_dir(name: str) -> Path:
    return weights_dir() / name


def _looks_like_path(name: str) -> bool:
    return "/" in name or "\\" in name or name.startswith(".") or Path(name).is_dir()


def load(name: str):
    """Load a pretrained model by registry name, or a checkpoint directory by path.

    Returns a ready Equinox module. Raises `UnknownModelError` for an unknown name (with
    the closest names) and `CheckpointError` for a missing, corrupted or mismatched
    checkpoint.
    """
    if name not in _registry() and _looks_like_path(name):
        path = Path(name)
        if not path.is_dir():
            raise checkpoint.CheckpointError(f"no checkpoint directory at {path}")
        return checkpoint.restore(path, build)[0]
    e = entry(name)
    path = checkpoint_dir(name)
    if not path.is_dir():
        raise checkpoint.CheckpointError(
            f"{name} has no shipped weights at {path}; regenerate them with: {e.training or 'its script'}"
        )
    return checkpoint.restore(path, build, expected_config=e.config)[0]


def card(name: str) -> dict:
    """The card of a model (by name or checkpoint directory) as a dict."""
    if name not in _registry() and _looks_like_path(name):
        return checkpoint.read_card(name)
    entry(name)
    path = checkpoint_dir(name) / "card.json"
    if not path.is_file():
        raise checkpoint.CheckpointError(f"{name} has no card at {path}")
    return json.loads(path.read_text())
