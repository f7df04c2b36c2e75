"""crnzoo: a model zoo of pretrained, differentiable chemical reaction networks.

`crnzoo.load(NAME)`, `crnzoo.list_models(PATTERN)` and `crnzoo.card(NAME)` are the hub
(`crnzoo.zoo`); `crnzoo.simulate` solves any model or reaction network.

Importing crnzoo turns on JAX's 64-bit mode (`jax_enable_x64`): concentrations span
many orders of magnitude and the zoo's checks are stated in float64.
"""

import os as _os
import sys as _sys

# 64-bit mode without importing JAX here (so that `crnzoo list` / `info` stay JAX-free): a JAX
# imported later reads JAX_ENABLE_X64 when it starts; one already imported is switched now.
if "jax" in _sys.modules:
    _sys.modules["jax"].config.update("jax_enable_x64", True)
else:
    _os.environ["JAX_ENABLE_X64"] = "1"

from ._version import __version__ as __version__  # noqa: E402

# The public names, imported on first use (PEP 562): `import crnzoo` costs no JAX import.
_LAZY = {
    "CatalyticCRN": "crn", "CRNModel": "crn", "MassActionCRN": "crn", "MembraneRing": "crn",
    "MassAction": "network", "Reaction": "network", "ReactionNetwork": "network",
    "Schedule": "solve", "SimulationError": "solve", "SolverConfig": "solve", "StateError": "solve",
    "Trajectory": "solve", "simulate": "solve",
    "card": "zoo", "list_models": "zoo",
    "enable_compilation_cache": "_cache",
}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'crnzoo' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


def load(name: str):
    """`crnzoo.zoo.load`: a zoo model by name or checkpoint directory, or an SBML/Antimony file
    (read by `crnzoo.sbml` without importing the zoo's families)."""
    from pathlib import Path

    if Path(name).suffix.lower() in (".xml", ".sbml", ".ant", ".antimony") and Path(name).is_file():
        from .sbml import load_model_file

        return load_model_file(name)
    from .zoo import load as zoo_load

    return zoo_load(name)


def finetune(base: str, target, **options):
    """Fine-tune zoo model `base` (name or checkpoint directory) on a user's `target` and
    measure it on that target: `crnzoo.finetuning.finetune` (options `out`, `steps`, `seed`,
    `lr`, `progress`); returns a `FineTuned` (`.model`, `.card`, `.reached`, `.broken`)."""
    from .finetuning import finetune as run

    return run(base, target, **options)
