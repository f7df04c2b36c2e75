"""The hub: find, load and describe zoo models by name (or by checkpoint directory).

In the style of timm: `list_models("gate-*")`, `load("gate-and")`, `card("gate-and")`
(also `crnzoo.list_models/load/card`). Importing this module imports every family in
`crnzoo/models/` once; each registers its entries and builders in `crnzoo._registry`.
"""

from __future__ import annotations

import difflib
import fnmatch
import re
from pathlib import Path

from . import checkpoint, models, sbml  # noqa: F401  (importing the families fills the registry)
from ._registry import BUILDERS as BUILDERS, ENTRIES, Metric as Metric, ZooEntry as ZooEntry, build as build
from ._registry import checkpoint_dir as checkpoint_dir, weights_dir as weights_dir


class UnknownModelError(KeyError):
    """No registered model has this name."""

    def __str__(self) -> str:  # KeyError quotes its message; show it plainly
        return str(self.args[0])


def _natural(name: str):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def list_models(pattern: str = "*") -> list[str]:
    """Registered model names matching the fnmatch `pattern`, naturally sorted."""
    return sorted((n for n in ENTRIES if fnmatch.fnmatch(n, pattern)), key=_natural)


def entry(name: str) -> ZooEntry:
    """The registry entry of `name`; an unknown name raises with the closest names."""
    if name in ENTRIES:
        return ENTRIES[name]
    close = difflib.get_close_matches(name, list(ENTRIES), n=3, cutoff=0.4)
    hint = f"; did you mean {', '.join(close)}?" if close else f"; known models: {', '.join(list_models())}"
    raise UnknownModelError(f"unknown model {name!r}{hint}")


def _looks_like_path(name: str) -> bool:
    return "/" in name or "\\" in name or name.startswith(".") or Path(name).is_dir()


def load(name: str):
    """Load a pretrained model by registry name, or a checkpoint directory by path.

    Returns a ready Equinox module. Raises `UnknownModelError` for an unknown name (with
    the closest names) and `CheckpointError` for a missing, corrupted or mismatched
    checkpoint. An SBML (`.xml`, `.sbml`) or Antimony (`.ant`) file is imported
    (`crnzoo.sbml`; bad or unsupported models raise `SBMLImportError`, a `ValueError`).
    """
    if name not in ENTRIES and sbml.is_model_file(name):
        return sbml.load_model_file(name)
    if name not in ENTRIES and _looks_like_path(name):
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
    """The card of a model (by name, checkpoint directory or SBML/Antimony file) as a dict."""
    if name not in ENTRIES and sbml.is_model_file(name):
        return sbml.card(sbml.load_model_file(name), name)
    if name not in ENTRIES and _looks_like_path(name):
        return checkpoint.read_card(name)
    entry(name)
    path = checkpoint_dir(name) / "card.json"
    if not path.is_file():
        raise checkpoint.CheckpointError(f"{name} has no card at {path}")
    return checkpoint.read_card(path.parent)
