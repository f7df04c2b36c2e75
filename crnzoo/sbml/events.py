"""Read SBML events into plain data: triggers over tracked relations, delays, priorities, assignments.

A trigger is a boolean expression. Each relation in it (`a > b`, `a >= b`, `a < b`, `a <= b`)
becomes an *atom* `k` with a real-valued function `g_k` (`a - b`, or `b - a` for `<`, `<=`)
and a strictness flag: the atom is true when `g_k > 0` (strict) or `g_k >= 0`. The trigger's
source reads the atoms from a boolean vector `_b`; the simulator (`crnzoo.sbml.eventsim`)
tracks each atom's value and lets Diffrax locate the time at which a `g_k` crosses zero, so
a trigger changes value exactly when one of its relations does.

Refused by name: triggers with `==` / `!=` or chained relations (no crossing to locate),
assignments to compartments (the compiled math holds their sizes fixed) or stoichiometries,
and `rateOf` / `delay` inside event math (as everywhere).
"""

from __future__ import annotations

import dataclasses

import libsbml

from .errors import SBMLImportError
from .mathml import to_source

_REL = {libsbml.AST_RELATIONAL_GT: (False, True), libsbml.AST_RELATIONAL_GEQ: (False, False),
        libsbml.AST_RELATIONAL_LT: (True, True), libsbml.AST_RELATIONAL_LEQ: (True, False)}  # (swap sides, strict)


def _expand(node, lambdas: dict, depth: int = 0):
    """A copy of the AST `node` with calls of function definitions replaced by their bodies
    (so that relations inside a function become tracked atoms)."""
    if depth > 50:
        raise SBMLImportError("function definitions nest more than 50 deep: not supported")
    if node.getType() == libsbml.AST_FUNCTION and node.getName() in lambdas:
        lam = lambdas[node.getName()]
        n = lam.getNumBvars()
        if node.getNumChildren() != n or lam.getNumChildren() <= n:
            raise SBMLImportError(f"function {node.getName()} is called with {node.getNumChildren()} arguments; it takes {n}")
        body = lam.getChild(n).deepCopy()
        for i in range(n):
            body.renameSIdRefs(lam.getChild(i).getName(), f"__arg{depth}_{i}")
        for i in range(n):
            body.replaceArgument(f"__arg{depth}_{i}", _expand(node.getChild(i), lambdas, depth + 1))
        return _expand(body, lambdas, depth + 1)
    out = node.deepCopy()
    for i in range(node.getNumChildren()):
        out.replaceChild(i, _expand(node.getChild(i), lambdas, depth), True)
    return out


@dataclasses.dataclass
class EventSpec:
    """One SBML event (sources are Python/JAX text over `t`, `y`, `p`, `_b` and computed `_v_` names)."""

    id: str
    trigger: str
    initial_value: bool  # the trigger's value just before the start (fires at t0 when False and true then)
    persistent: bool  # False: a pending execution is cancelled when the trigger turns false first
    use_trigger_values: bool  # assignments computed when triggered (else when executed)
    delay: str | None
    priority: str | None
    targets: list[tuple[str, int]]  # ("y", state index) or ("p", parameter index) per assignment
    values: list[str]  # source of each assigned value (in the target's own units, as the math reads it)


def read_events(model, names: dict[str, str], arity: dict[str, int], state: list[str], params: list[str],
                assigned: set[str]) -> tuple[list[EventSpec], list[tuple[str, bool]]]:
    """(events, atoms): the model's events and the relations (g source, strict) their triggers track.

    `names` maps SBML ids to source text, `state`/`params` are the ids along y and p,
    `assigned` the ids assignment rules set (an event may not assign those).
    """
    atoms: list[tuple[str, bool]] = []
    events: list[EventSpec] = []
    lambdas = {fd.getId(): fd.getMath() for fd in model.getListOfFunctionDefinitions() if fd.getMath() is not None}
    for i, ev in enumerate(model.getListOfEvents()):
        eid = ev.getId() or f"event {i + 1}"
        trig = ev.getTrigger()
        if trig is None or not trig.isSetMath():
            raise SBMLImportError(f"event {eid} has no trigger math: not supported")
        where = f"trigger of event {eid}"

        def hook(node, where=where):
            ty = node.getType()
            if ty in (libsbml.AST_RELATIONAL_EQ, libsbml.AST_RELATIONAL_NEQ):
                raise SBMLImportError(f"{where} tests equality (eq/neq; no crossing to locate): not supported")
            if ty not in _REL:
                return None
            if node.getNumChildren() != 2:
                raise SBMLImportError(f"{where} chains a relation over {node.getNumChildren()} arguments: not supported")
            swap, strict = _REL[ty]
            a, b = (to_source(node.getChild(j), names, arity, where) for j in ((1, 0) if swap else (0, 1)))
            atom = (f"(({a}) - ({b}))", strict)
            if atom not in atoms:  # one atom per distinct relation: events on the same relation see it change together
                atoms.append(atom)
            return f"_b[{atoms.index(atom)}]"

        trigger = to_source(_expand(trig.getMath(), lambdas), names, arity, where, hook)
        targets, values = [], []
        for ea in ev.getListOfEventAssignments():
            var = ea.getVariable()
            if not ea.isSetMath():  # SBML L3v2: an assignment without math assigns nothing
                continue
            if var in assigned:
                raise SBMLImportError(f"event {eid} assigns {var!r}, which an assignment rule sets: not valid SBML")
            if var in state:
                targets.append(("y", state.index(var)))
            elif var in params:
                targets.append(("p", params.index(var)))
            elif model.getCompartment(var) is not None:
                raise SBMLImportError(f"event {eid} assigns compartment {var}: not supported")
            else:
                raise SBMLImportError(f"event {eid} assigns {var!r} (a stoichiometry or unknown id): not supported")
            values.append(to_source(ea.getMath(), names, arity, f"event {eid} assignment to {var}"))
        delay = ev.getDelay() if ev.isSetDelay() else None
        prio = ev.getPriority() if ev.isSetPriority() else None
        level3 = model.getLevel() >= 3
        events.append(EventSpec(
            eid, trigger,
            bool(trig.getInitialValue()) if level3 and trig.isSetInitialValue() else True,
            bool(trig.getPersistent()) if level3 and trig.isSetPersistent() else True,
            bool(ev.getUseValuesFromTriggerTime()) if ev.isSetUseValuesFromTriggerTime() else True,
            to_source(delay.getMath(), names, arity, f"delay of event {eid}") if delay is not None and delay.isSetMath() else None,
            to_source(prio.getMath(), names, arity, f"priority of event {eid}") if prio is not None and prio.isSetMath() else None,
            targets, values,
        ))
    return events, atoms
