"""Import SBML (and Antimony) models as differentiable crnzoo models.

`load_sbml(path)` / `from_sbml(text)` read an SBML document (python-libsbml) into an
`SBMLModel`: compartments and their sizes, species in amounts or concentrations
(`hasOnlySubstanceUnits`), boundary and constant species, global and local parameters,
general kinetic laws (MathML compiled to JAX), non-unit stoichiometry, reversible reactions,
conversion factors, function definitions, assignment and rate rules, initial assignments (also of
constant stoichiometries) and events (`SBMLModel.simulate_events`: triggers, delays, priorities,
persistence, trigger-time values; `crnzoo.sbml.eventsim`), rateOf (`crnzoo.sbml.rateof`),
compartments resized by rules (their concentration species held as amounts) and algebraic rules
linear in one undetermined symbol (solved into assignment rules: `crnzoo.sbml.algebraic`).
Other algebraic rules, delays, fast reactions, constraints, stoichiometries set by rules, events
resizing a compartment of a rate-ruled concentration and SBML packages are refused by name
(`SBMLImportError`, a `ValueError`). `crnzoo.sbml.info.describe` lists what a file holds
(`crnzoo info model.xml`). Models whose kinetic laws are rational functions share one compiled
solve per size class, kept across processes (`crnzoo.sbml.program`).
`load_antimony(path)` converts Antimony text through the `antimony` package (extra
`crnzoo[antimony]`). `is_model_file(path)` says whether `crnzoo.load` should read a path here.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import SBMLImportError as SBMLImportError
from .model import SBMLModel as SBMLModel
from .read import build_spec, read_document
from .write import card as card
from .write import fitted_sbml as fitted_sbml
from .write import write_new as write_new

SBML_SUFFIXES = (".xml", ".sbml")
ANTIMONY_SUFFIXES = (".ant", ".antimony")


def is_model_file(path: str | os.PathLike) -> bool:
    """Whether `path` names an SBML or Antimony file by its suffix (it need not exist)."""
    return Path(path).suffix.lower() in SBML_SUFFIXES + ANTIMONY_SUFFIXES


def from_sbml(text: str) -> SBMLModel:
    """An `SBMLModel` from SBML XML text."""
    return SBMLModel.from_spec(build_spec(read_document(text=text)))


def load_sbml(path: str | os.PathLike) -> SBMLModel:
    """An `SBMLModel` from an SBML file; raises `SBMLImportError` (one line) for bad input."""
    p = Path(path)
    if not p.is_file():
        raise SBMLImportError(f"no SBML file at {p}")
    return SBMLModel.from_spec(build_spec(read_document(path=str(p))))


def antimony_to_sbml(text: str) -> str:
    """SBML text of an Antimony model (the `antimony` package)."""
    try:
        import antimony
    except ImportError:
        raise SBMLImportError("reading Antimony needs the antimony package: pip install 'crnzoo[antimony]'") from None
    antimony.clearPreviousLoads()
    if antimony.loadAntimonyString(text) < 0:
        raise SBMLImportError(f"not valid Antimony: {' '.join(antimony.getLastError().split())[:200]}")
    main = antimony.getMainModuleName()
    sbml = antimony.getSBMLString(main) if main else None
    if not sbml:
        raise SBMLImportError(f"Antimony could not write SBML: {' '.join(antimony.getLastError().split())[:200]}")
    return sbml


def load_antimony(path: str | os.PathLike) -> SBMLModel:
    """An `SBMLModel` from an Antimony file."""
    p = Path(path)
    if not p.is_file():
        raise SBMLImportError(f"no Antimony file at {p}")
    return from_sbml(antimony_to_sbml(p.read_text(encoding="utf-8", errors="replace")))


def load_model_file(path: str | os.PathLike) -> SBMLModel:
    """`load_antimony` for `.ant`/`.antimony`, else `load_sbml`."""
    if Path(path).suffix.lower() in ANTIMONY_SUFFIXES:
        return load_antimony(path)
    return load_sbml(path)


__all__ = ["SBMLImportError", "SBMLModel", "antimony_to_sbml", "card", "fitted_sbml", "from_sbml", "is_model_file", "load_antimony", "load_model_file", "load_sbml", "write_new"]
