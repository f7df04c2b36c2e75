"""`crnzoo info model.xml`: what an SBML (or Antimony) file holds and whether crnzoo simulates it.

`describe(path)` reads the document with libsbml (no JAX, no compiling) and lists its
compartments, species (compartment, initial value, amount or concentration, boundary or
constant), parameters, reactions (equation and kinetic law), rules, initial assignments, events
and function definitions, then says whether crnzoo imports it, or names the construct it refuses.
Bad files raise `SBMLImportError` (one line), as `crnzoo.load` does.
"""

from __future__ import annotations

import os
from pathlib import Path

import libsbml

from .errors import SBMLImportError
from .read import build_spec, read_document

_SHOW = 40  # entries listed per section; the rest are counted


def _formula(ast) -> str:
    return libsbml.formulaToL3String(ast) if ast is not None else "(no math)"


def _section(title: str, rows: list[str]) -> list[str]:
    if not rows:
        return []
    out = [f"{title} ({len(rows)}):"] + [f"  {r}" for r in rows[:_SHOW]]
    if len(rows) > _SHOW:
        out.append(f"  ... and {len(rows) - _SHOW} more")
    return out


def _side(refs) -> str:
    terms = []
    for r in refs:
        n = r.getStoichiometry() if r.isSetStoichiometry() else 1.0
        terms.append(r.getSpecies() if n == 1 else f"{n:g} {r.getSpecies()}")
    return " + ".join(terms) or "∅"


def describe(path: str | os.PathLike) -> str:
    """Text description of the SBML/Antimony model at `path` (see the module docstring)."""
    from . import ANTIMONY_SUFFIXES, antimony_to_sbml

    p = Path(path)
    if not p.is_file():
        raise SBMLImportError(f"no model file at {p}")
    if p.suffix.lower() in ANTIMONY_SUFFIXES:
        doc = read_document(text=antimony_to_sbml(p.read_text(encoding="utf-8", errors="replace")))
    else:
        doc = read_document(path=str(p))
    m = doc.getModel()
    lines = [f"{p.name}: SBML Level {doc.getLevel()} Version {doc.getVersion()}, model {m.getId() or '(no id)'}"
             + (f" ({m.getName()})" if m.getName() and m.getName() != m.getId() else "")]
    lines += _section("compartments", [
        f"{c.getId()}: size {c.getSize():g}" if c.isSetSize() else f"{c.getId()}: size not set" for c in m.getListOfCompartments()])
    species = []
    for s in m.getListOfSpecies():
        value = (f"amount {s.getInitialAmount():g}" if s.isSetInitialAmount() else
                 f"concentration {s.getInitialConcentration():g}" if s.isSetInitialConcentration() else "no initial value")
        flags = [f for f, on in (("amounts in math (hasOnlySubstanceUnits)", s.getHasOnlySubstanceUnits()),
                                 ("boundary", s.getBoundaryCondition()), ("constant", s.getConstant())) if on]
        species.append(f"{s.getId()} in {s.getCompartment()}: {value}" + (f"; {', '.join(flags)}" if flags else ""))
    lines += _section("species", species)
    lines += _section("parameters", [
        f"{q.getId()} = {q.getValue():g}" + ("" if q.getConstant() else " (not constant)") if q.isSetValue()
        else f"{q.getId()}: no value" for q in m.getListOfParameters()])
    reactions = []
    for r in m.getListOfReactions():
        arrow = "<->" if r.getReversible() else "->"
        law = _formula(r.getKineticLaw().getMath()) if r.isSetKineticLaw() else "(no kinetic law)"
        reactions.append(f"{r.getId()}: {_side(r.getListOfReactants())} {arrow} {_side(r.getListOfProducts())}; rate {law}")
    lines += _section("reactions", reactions)
    kinds = {libsbml.SBML_ASSIGNMENT_RULE: "assignment", libsbml.SBML_RATE_RULE: "rate", libsbml.SBML_ALGEBRAIC_RULE: "algebraic"}
    lines += _section("rules", [
        f"{kinds.get(r.getTypeCode(), 'rule')}: " + (f"{r.getVariable()} = " if r.getTypeCode() == libsbml.SBML_ASSIGNMENT_RULE
                                                    else f"d{r.getVariable()}/dt = " if r.isRate() else "0 = ") + _formula(r.getMath())
        for r in m.getListOfRules()])
    lines += _section("initial assignments", [f"{a.getSymbol()} = {_formula(a.getMath())}" for a in m.getListOfInitialAssignments()])
    events = []
    for e in m.getListOfEvents():
        trig = _formula(e.getTrigger().getMath()) if e.isSetTrigger() else "(no trigger)"
        delay = f" after {_formula(e.getDelay().getMath())}" if e.isSetDelay() else ""
        sets = ", ".join(f"{a.getVariable()} = {_formula(a.getMath())}" for a in e.getListOfEventAssignments())
        events.append(f"{e.getId() or '(no id)'}: when {trig}{delay}: {sets}")
    lines += _section("events", events)
    lines += _section("function definitions", [f"{f.getId()} = {_formula(f.getMath())}" for f in m.getListOfFunctionDefinitions()])
    if m.getNumConstraints():
        lines.append(f"constraints: {m.getNumConstraints()}")
    try:
        spec = build_spec(doc)
    except SBMLImportError as e:
        lines.append(f"crnzoo: NOT supported: {e}")
        return "\n".join(lines)
    lines.append(f"crnzoo: supported: state of {len(spec.state)} ({', '.join(spec.state[:8])}{', ...' if len(spec.state) > 8 else ''}), "
                 f"{len(spec.params)} fittable parameters"
                 + (f", {len(spec.events)} event(s) (simulated; not differentiable)" if spec.events else "")
                 + "; crnzoo simulate / export / finetune read this file")
    return "\n".join(lines)
