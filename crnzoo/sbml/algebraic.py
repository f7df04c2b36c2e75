"""Algebraic rules solved into assignment rules, where that is exact.

An SBML algebraic rule `0 = f(...)` determines one symbol that nothing else determines. Here a
rule is solved when, after the symbols other rules determine are taken out, exactly one
undetermined symbol appears in it and `f` is linear in that symbol (`f = a x + b`, with `a`
and `b` free of `x`; function definitions are expanded first): `x = -b / a` then becomes an
assignment rule. Rules are peeled in turn, so a rule whose second symbol another rule solves
is solved next. Undetermined symbols are non-constant parameters, compartments and species
with no assignment or rate rule, species that no reaction changes (boundary species or
species in no reaction's reactants or products). Any rule left over is refused by name.
"""

from __future__ import annotations

import libsbml

from .errors import SBMLImportError
from .mathml import names_in


class _Solved:
    """An assignment rule made from an algebraic rule (the parts of a libsbml rule the reader uses)."""

    def __init__(self, variable: str, math):
        self._variable, self._math = variable, math

    def getVariable(self) -> str:  # noqa: N802 (libsbml's name)
        return self._variable

    def getMath(self):  # noqa: N802
        return self._math


def _node(ty, *kids):
    n = libsbml.ASTNode(ty)
    for k in kids:
        n.addChild(k)
    return n


def _num(v: float):
    n = libsbml.ASTNode(libsbml.AST_REAL)
    n.setValue(float(v))
    return n


def _add(a, b):
    return b if a is None else a if b is None else _node(libsbml.AST_PLUS, a, b)


def _neg(a):
    return None if a is None else _node(libsbml.AST_MINUS, a)


def _scale(a, factors: list, divide: bool = False):
    if a is None:
        return None
    if divide:
        return _node(libsbml.AST_DIVIDE, a, factors[0].deepCopy())
    return _node(libsbml.AST_TIMES, a, *[f.deepCopy() for f in factors]) if factors else a


class NotLinear(ValueError):
    pass


def linear(node, x: str):
    """(a, b) ASTs (None for 0) with node = a x + b; `NotLinear` if it is not linear in x."""
    if x not in names_in(node):
        return None, node.deepCopy()
    ty, n = node.getType(), node.getNumChildren()
    kids = [node.getChild(i) for i in range(n)]
    if ty == libsbml.AST_NAME:
        return _num(1.0), None
    if ty == libsbml.AST_PLUS:
        a = b = None
        for k in kids:
            ka, kb = linear(k, x)
            a, b = _add(a, ka), _add(b, kb)
        return a, b
    if ty == libsbml.AST_MINUS and n in (1, 2):
        la, lb = linear(kids[0], x)
        if n == 1:
            return _neg(la), _neg(lb)
        ra, rb = linear(kids[1], x)
        return _add(la, _neg(ra)), _add(lb, _neg(rb))
    if ty == libsbml.AST_TIMES:
        with_x = [k for k in kids if x in names_in(k)]
        if len(with_x) != 1:
            raise NotLinear(x)
        others = [k for k in kids if k is not with_x[0] and x not in names_in(k)]
        ka, kb = linear(with_x[0], x)
        return _scale(ka, others), _scale(kb, others)
    if ty == libsbml.AST_DIVIDE and n == 2 and x not in names_in(kids[1]):
        ka, kb = linear(kids[0], x)
        return _scale(ka, [kids[1]], True), _scale(kb, [kids[1]], True)
    raise NotLinear(x)


def _undetermined(model) -> set[str]:
    ruled = {r.getVariable() for r in model.getListOfRules() if r.isAssignment() or r.isRate()}
    changed = set()
    for r in model.getListOfReactions():
        for refs in (r.getListOfReactants(), r.getListOfProducts()):
            changed |= {ref.getSpecies() for ref in refs}
    free = {p.getId() for p in model.getListOfParameters() if not p.getConstant()}
    free |= {c.getId() for c in model.getListOfCompartments() if not c.getConstant()}
    free |= {s.getId() for s in model.getListOfSpecies()
             if not s.getConstant() and (s.getBoundaryCondition() or s.getId() not in changed)}
    return free - ruled


def solve_algebraic(model) -> list[_Solved]:
    """Assignment rules equivalent to the model's algebraic rules (see the module docstring);
    `SBMLImportError` naming the first rule that cannot be solved this way."""
    from .events import _expand

    lambdas = {fd.getId(): fd.getMath() for fd in model.getListOfFunctionDefinitions() if fd.getMath() is not None}
    rules = []
    for r in model.getListOfRules():
        if r.isAlgebraic():
            if not r.isSetMath():
                continue  # L3v2: a rule without math has no effect
            rules.append(_expand(r.getMath(), lambdas))
    free = _undetermined(model)
    solved: list[_Solved] = []
    while rules:
        progress = False
        for math in list(rules):
            cands = names_in(math) & free
            if len(cands) != 1:
                continue
            x = cands.pop()
            try:
                a, b = linear(math, x)
            except NotLinear:
                continue
            if a is None:
                continue
            value = _node(libsbml.AST_DIVIDE, _neg(b) if b is not None else _num(0.0), a)
            solved.append(_Solved(x, value))
            free.discard(x)
            rules.remove(math)
            progress = True
        if not progress:
            text = libsbml.formulaToL3String(rules[0])
            raise SBMLImportError(f"model uses an algebraic rule (0 = {text[:80]}) that is not linear in exactly one "
                                  "undetermined symbol: not supported")
    return solved
