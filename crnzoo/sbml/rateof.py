"""`rateOf` (csymbol, SBML L3v2): the time derivative of a symbol, as source text.

The rate of a species that reactions change is its right-hand side (stoichiometry times the
reactions' rates, times its conversion factor, over its compartment's size where the model
reads it as a concentration); of a symbol with a rate rule, that rule; of anything constant
(a constant parameter or compartment, a boundary or constant species without a rule) 0.
The rate of a symbol an assignment rule sets would be the derivative of its expression: it is
refused by name.

`RateOf(...).hook` is a `to_source` hook; `deps(ast)` adds what the rates read (the reactions
that change a species, the names a rate rule reads) to an equation's dependencies, so the
evaluation order puts those first.
"""

from __future__ import annotations

from collections.abc import Mapping

import libsbml

from .errors import SBMLImportError
from .mathml import names_in, to_source


def _target(node, where: str) -> str:
    if node.getNumChildren() != 1 or node.getChild(0).getType() != libsbml.AST_NAME:
        raise SBMLImportError(f"{where}: rateOf takes one symbol: not supported")
    return node.getChild(0).getName()


class RateOf:
    """rateOf of a model's symbols as text over `names` (id -> text of its value)."""

    def __init__(self, species: Mapping, state: list[str], assigned: set[str], rate_rules: Mapping, reactions: list[str],
                 sides: list[list[tuple[str, float | str]]], amount_state: Mapping[str, str], names: Mapping[str, str],
                 arity: Mapping[str, int], local: frozenset[str] = frozenset()):
        """`rate_rules`: id -> libsbml rule; `sides[j]`: (species id, signed stoichiometry: a
        number or the text of a symbol set at t = 0) of reaction j; `amount_state`: species whose
        state is their amount in a compartment a rule resizes (species -> compartment); `local`: the ids of a kinetic
        law's local parameters (constant: their rate is 0, whatever global symbol they hide)."""
        self.species, self.state, self.assigned = species, set(state), assigned
        self.rate_rules, self.reactions, self.sides, self.names, self.arity = rate_rules, reactions, sides, names, arity
        self.local, self.amount_state = local, amount_state
        self._open: set[str] = set()  # rate rules being expanded (a cycle of rateOf has no solution here)

    def _species_text(self, sid: str) -> tuple[str, set[str]]:
        sp = self.species[sid]
        terms, deps = [], set()
        for rid, side in zip(self.reactions, self.sides):
            parts = [repr(float(n)) if not isinstance(n, str) else n for s, n in side if s == sid and n != 0.0]
            if parts:
                terms.append(f"({' + '.join(parts)}) * {self.names[rid]}")
                deps.add(rid)
        text = " + ".join(terms) or "0.0"
        if sp.conversion:
            text, deps = f"({text}) * {self.names[sp.conversion]}", deps | {sp.conversion}
        cid = sp.compartment
        if sid in self.amount_state:  # d(n / V)/dt = (dn/dt - [S] dV/dt) / V
            dv, dv_deps = self.text(cid, f"rateOf({sid})")
            text, deps = f"(({text}) - {self.names[sid]} * {dv}) / {self.names[cid]}", deps | dv_deps | {cid, sid}
        elif not sp.only_substance:
            text, deps = f"({text}) / {self.names[cid]}", deps | {cid}
        return f"({text})", deps

    def text(self, x: str, where: str) -> tuple[str, set[str]]:
        """(source, dependencies) of rateOf(x)."""
        if x in self.local:
            return "0.0", set()
        if x in self.assigned:
            raise SBMLImportError(f"{where}: rateOf({x}), which an assignment rule sets: not supported")
        if x in self.rate_rules:
            if x in self._open:
                raise SBMLImportError(f"{where}: the rate rule for {x} reads rateOf({x}) (through rateOf): not supported")
            self._open.add(x)
            try:
                math = self.rate_rules[x].getMath()
                return f"({to_source(math, self.names, self.arity, where, self.hook)})", self.deps(math)
            finally:
                self._open.discard(x)
        sp = self.species.get(x)
        if sp is not None and x in self.state and not (sp.boundary or sp.constant):
            return self._species_text(x)
        if x not in self.names:
            raise SBMLImportError(f"{where}: rateOf({x}), which is not a symbol of the model")
        return "0.0", set()

    def hook(self, node) -> str | None:
        if node.getType() != libsbml.AST_FUNCTION_RATE_OF:
            return None
        return self.text(_target(node, "rateOf"), "rateOf")[0]

    def deps(self, ast) -> set[str]:
        """The names `ast` reads, with what its rateOf terms read."""
        out = names_in(ast)
        stack = [ast] if ast is not None else []
        while stack:
            node = stack.pop()
            if node.getType() == libsbml.AST_FUNCTION_RATE_OF:
                out |= self.text(_target(node, "rateOf"), "rateOf")[1]
            stack.extend(node.getChild(i) for i in range(node.getNumChildren()))
        return out

