"""Write an imported model back to SBML with its current (e.g. fitted) values, and its card."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import libsbml
import numpy as np

from .errors import SBMLImportError
from .model import SBMLModel


def fitted_sbml(model: SBMLModel) -> str:
    """The model's SBML document with parameter values and initial species values replaced by
    the model's `params` and `x0` (local parameters included). Symbols set by an initial
    assignment keep it (the assignment wins in SBML)."""
    spec = model.spec
    doc = libsbml.readSBMLFromString(spec.text)
    m = doc.getModel()
    values = dict(zip(spec.params, map(float, np.asarray(model.params))))
    values.update(zip(spec.state, map(float, np.asarray(model.x0))))
    for key, v in values.items():
        if "." in key:
            rid, pid = key.split(".", 1)
            law = m.getReaction(rid).getKineticLaw()
            lp = law.getLocalParameter(pid) or law.getParameter(pid)
            lp.setValue(v)
        elif m.getParameter(key) is not None:
            m.getParameter(key).setValue(v)
        elif m.getCompartment(key) is not None:
            m.getCompartment(key).setSize(v)
        elif m.getSpecies(key) is not None:
            s = m.getSpecies(key)
            sp = spec.species[key]
            if sp.only_substance:
                s.setInitialAmount(v)
            else:
                s.unsetInitialAmount()
                s.setInitialConcentration(v)
    text = libsbml.writeSBMLToString(doc)
    if not text:
        raise SBMLImportError("libsbml could not write the fitted SBML document")
    return text


def write_new(path: str | os.PathLike, text: str) -> Path:
    """Write `text` to a new file `path` atomically; refuses to replace an existing file."""
    path = Path(path)
    if path.exists():
        raise SBMLImportError(f"{path} already exists; choose a new output file")
    fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".", prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.link(tmp, path)  # fails if path appeared meanwhile: never overwrite
    finally:
        os.unlink(tmp)
    return path


def card(model: SBMLModel, path: str | os.PathLike) -> dict:
    """A card-like dict for an imported file (what `crnzoo simulate/export` read from a card)."""
    spec = model.spec
    try:
        n = model.network(0.0).n_reactions
    except SBMLImportError:
        n = len(spec.reactions)
    return {
        "name": Path(path).stem,
        "system": f"SBML model {spec.name} imported from {path}",
        "source": str(path),
        "t1": 100.0,
        "solver": {"solver": "tsit5", "rtol": 1e-8, "atol": 1e-10, "max_steps": 100000},
        "species": [{"name": s, "role": "auxiliary"} for s in spec.species],
        "reactions": {"k_report": 0.0, "dense": n, "at_k_report": n},
        "metrics": {},
    }
