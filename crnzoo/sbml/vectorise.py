"""Vectorised rates for kinetic laws that are products (mass action and its relatives).

A law `c * k1 * comp * A * A * B` (numbers, parameters, constant compartments, state
species, integer powers of species) is evaluated for all such reactions at once:
`coef * prod(p[P]) * prod(y[S])`, where `P` and `S` are padded index tables (the padding
points at an appended 1.0). Compiling 500 such reactions is then a few gathers instead of
thousands of scalar operations (each inlined at every stage of the ODE solver).
"""

from __future__ import annotations

import libsbml
import numpy as np

from .read import Spec

_NUM = (libsbml.AST_INTEGER, libsbml.AST_REAL, libsbml.AST_REAL_E, libsbml.AST_RATIONAL)


def product_law(spec: Spec, j: int) -> tuple[float, list[int], list[int]] | None:
    """(numeric coefficient, parameter indices, state indices with repeats) of reaction j's
    law if it is a plain product, else None."""
    state = {s: i for i, s in enumerate(spec.state)}
    params = {s: i for i, s in enumerate(spec.params)}
    rid = spec.reactions[j]
    coef, pidx, sidx = 1.0, [], []
    stack = [spec.laws[j]]
    while stack:
        f = stack.pop()
        ty = f.getType()
        if ty == libsbml.AST_TIMES:
            stack.extend(f.getChild(i) for i in range(f.getNumChildren()))
        elif ty in _NUM:
            coef *= f.getValue()
        elif ty == libsbml.AST_NAME:
            name = f.getName()
            if name in spec.local_names[j]:
                pidx.append(params[f"{rid}.{name}"])
            elif name in params:
                pidx.append(params[name])
            elif name in spec.constants:
                coef *= spec.constants[name]
            elif name in state and name not in spec.rate_rules and name not in spec.amount_state:
                sidx.append(state[name])
            else:
                return None
        elif ty in (libsbml.AST_POWER, libsbml.AST_FUNCTION_POWER) and f.getNumChildren() == 2:
            base, e = f.getChild(0), f.getChild(1)
            if base.getType() != libsbml.AST_NAME or e.getType() != libsbml.AST_INTEGER or not 0 <= e.getInteger() <= 8:
                return None
            if base.getName() not in state or base.getName() in spec.local_names[j] or base.getName() in spec.amount_state:
                return None
            sidx += [state[base.getName()]] * e.getInteger()
        else:
            return None
    return coef, pidx, sidx


def tables(spec: Spec, js: list[int], laws: list[tuple[float, list[int], list[int]]]):
    """(coefficients (R,), parameter index table (R, a), state index table (R, b)); padding
    indexes one past the end (an appended 1.0)."""
    width_p = max((len(p) for _, p, _ in laws), default=0)
    width_s = max((len(s) for _, _, s in laws), default=0)
    P = np.full((len(js), width_p), len(spec.params), dtype=np.int32)
    S = np.full((len(js), width_s), len(spec.state), dtype=np.int32)
    for r, (_, p, s) in enumerate(laws):
        P[r, : len(p)] = p
        S[r, : len(s)] = s
    return np.asarray([c for c, _, _ in laws]), P, S
