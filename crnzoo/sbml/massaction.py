"""Recognise mass-action kinetic laws, so an imported model has a reaction listing.

A law is mass action when it is a product of numbers, constant parameters and compartment
sizes times each reactant raised to its (integer) stoichiometry; a reversible reaction may
give `forward - reverse`, each such a product (over the products for the reverse term). The
rate constant in concentration units is the constant part divided by the compartment size
(for concentration species; amounts: the constant part itself), the inverse of what
`crnzoo.export.to_sbml` writes.
"""

from __future__ import annotations

import math
import re

import libsbml
import numpy as np

from ..network import ROLES, Reaction, ReactionNetwork
from .errors import SBMLImportError
from .read import Spec


def _factors(ast, out: list) -> None:
    if ast.getType() == libsbml.AST_TIMES:
        for i in range(ast.getNumChildren()):
            _factors(ast.getChild(i), out)
    else:
        out.append(ast)


def _term(spec: Spec, j: int, ast, side: dict[str, float], params: dict[str, float]) -> float | None:
    """The constant part of `ast` if it is `const * Π side^n`, else None."""
    coef, orders = 1.0, {}
    factors: list = []
    _factors(ast, factors)
    for f in factors:
        ty = f.getType()
        if ty in (libsbml.AST_INTEGER, libsbml.AST_REAL, libsbml.AST_REAL_E, libsbml.AST_RATIONAL):
            coef *= f.getValue()
        elif ty == libsbml.AST_NAME:
            name = f.getName()
            local = f"{spec.reactions[j]}.{name}"
            if name in spec.local_names[j] and local in params:
                coef *= params[local]
            elif name in spec.species:
                orders[name] = orders.get(name, 0) + 1
            elif name in params:
                coef *= params[name]
            elif name in spec.constants:
                coef *= spec.constants[name]
            else:
                return None
        elif ty in (libsbml.AST_POWER, libsbml.AST_FUNCTION_POWER) and f.getChild(0).getType() == libsbml.AST_NAME:
            e = f.getChild(1)
            if e.getType() not in (libsbml.AST_INTEGER, libsbml.AST_REAL) or f.getChild(0).getName() not in spec.species:
                return None
            orders[f.getChild(0).getName()] = orders.get(f.getChild(0).getName(), 0) + e.getValue()
        else:
            return None
    if {s: float(n) for s, n in orders.items()} != {s: float(n) for s, n in side.items()}:
        return None
    return coef


def _terms(spec: Spec, j: int, params: dict[str, float]):
    """[(reactants, products, constant part)] of reaction j's law, or None if not mass action."""
    law = spec.laws[j]
    re_, pr = spec.reactant_stoich[j], spec.product_stoich[j]
    if law.getType() == libsbml.AST_MINUS and law.getNumChildren() == 2:
        f = _term(spec, j, law.getChild(0), re_, params)
        b = _term(spec, j, law.getChild(1), pr, params)
        return None if f is None or b is None else [(re_, pr, f), (pr, re_, b)]
    f = _term(spec, j, law, re_, params)
    return None if f is None else [(re_, pr, f)]


def _count(sid: str, n: float, rid: str) -> int:
    if n != int(n) or n < 1:
        raise SBMLImportError(f"reaction {rid}: stoichiometry {n:g} of {sid} is not a whole number: no reaction listing")
    return int(n)


def _role(notes: str) -> str | None:
    m = re.search(r"role:\s*([A-Za-z]+)", notes or "")
    return m.group(1) if m and m.group(1) in ROLES else None


def to_network(spec: Spec, params: np.ndarray, x0: np.ndarray, k_min: float = 0.0, name: str | None = None) -> ReactionNetwork:
    """The mass-action listing of `spec` with parameter values `params` and initial state `x0`.

    Raises `SBMLImportError` naming the first reaction whose law is not mass action, or a
    species that is not a plain reaction-network species (boundary species must be catalysts).
    """
    pvals = dict(zip(spec.params, map(float, params)))
    species = [s for s in spec.state if s in spec.species]
    nonspecies = [s for s in spec.state if s not in spec.species] + [k for k, _ in spec.computed if k in spec.species]
    if nonspecies or spec.rate_rules:
        raise SBMLImportError(f"{(nonspecies or list(spec.rate_rules))[0]} is set by a rule: the model is not a plain reaction listing")
    if spec.amount_state:
        cid = next(iter(spec.amount_state.values()))
        raise SBMLImportError(f"compartment {cid} changes size: the model is not a plain reaction listing")
    converted = [s for s in species if spec.species[s].conversion]
    if converted:
        raise SBMLImportError(f"species {converted[0]} has a conversion factor: the model is not a plain reaction listing")
    reactions = []
    for j, rid in enumerate(spec.reactions):
        terms = _terms(spec, j, pvals)
        if terms is None:
            raise SBMLImportError(f"reaction {rid}: kinetic law is not mass action: no reaction listing")
        for t, (re_, pr, coef) in enumerate(terms):
            sides = [dict(re_), dict(pr)]
            comps = {spec.species[s].compartment for side in sides for s in side}
            amounts = {spec.species[s].only_substance for side in sides for s in side}
            if len(comps) > 1 or len(amounts) > 1:
                raise SBMLImportError(f"reaction {rid} spans compartments or mixes amounts and concentrations: no reaction listing")
            for s in set(sides[0]) | set(sides[1]):
                sp = spec.species[s]
                if (sp.boundary or sp.constant) and sides[0].get(s, 0) != sides[1].get(s, 0):
                    raise SBMLImportError(f"reaction {rid}: boundary species {s} is consumed or produced: no reaction listing")
            k = coef if (not comps or amounts == {True}) else coef / spec.constants[comps.pop()]
            if not (math.isfinite(k) and k >= 0):
                raise SBMLImportError(f"reaction {rid}: rate constant {k:g} is negative or not finite: no reaction listing")
            label = spec.labels[j] if len(terms) == 1 else f"{spec.labels[j]}_{'fwd' if t == 0 else 'rev'}"
            counts = [{s: _count(s, n, rid) for s, n in side.items()} for side in sides]
            if k > k_min:
                reactions.append(Reaction(counts[0], counts[1], k, label))
    index = {s: i for i, s in enumerate(spec.state)}
    roles = {s: r for s in species if (r := _role(spec.species[s].notes))}
    initial = {s: float(x0[index[s]]) for s in species}
    return ReactionNetwork(tuple(species), tuple(reactions), initial, name or spec.name, roles)
