"""Kinetic laws of an imported SBML model as propensity tables for the lanes kernel.

The SSA reads each law as the reaction's propensity as written (SBML's discrete stochastic
reading, `crnzoo.ssa.sbml`). When every law is a polynomial in the species (no time, no
denominator that depends on the state: `crnzoo.sbml.rational.law_rational` gives the
monomials), the propensities need no model code:

- a law equal, as a polynomial in the counts n, to c·Π (n_s − o) for factors (s, o) — the
  falling factorial of the reactants (`k1·P·(P−1)/2` is c = k1/2 on (P, 0), (P, 1)) or a
  plain product of species (`k·A·B`, `k·E·S` with a modifier E) — runs on the zoo's
  mass-action path (`crnzoo.ssa._lanes.mass_action`, factors max(n − o, 0)) with the
  law's own constant c: no combinatorial factor is added or removed;
- any other polynomial runs as its sum of monomials, clipped at 0, and a reaction whose
  law has a negative coefficient is held at 0 while a reactant has fewer molecules than its
  stoichiometry (the expanded form may round to a tiny nonzero value where the written law
  is exactly 0).

Species in concentration units enter as n / size (size: the compartment's, constant); the
coefficients carry those factors and the parameter values of the model at call time.
`None` means the model keeps its general path (its compiled law code under `vmap`).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable

import jax.numpy as jnp
import numpy as np

from ..sbml.rational import ONE, TIME, NotRational, law_rational
from . import _lanes

MAX_MONOMIALS = 256  # all laws together; beyond it the model's own code is used
_REL = 1e-12  # coefficient agreement for a factored form


def _expand(factors: list[tuple[int, int]]) -> dict[tuple[int, ...], float]:
    """Π (n_s − o) over `factors` as {sorted species indices: coefficient}."""
    poly = {(): 1.0}
    for s, o in factors:
        nxt: dict[tuple[int, ...], float] = {}
        for m, c in poly.items():
            up = tuple(sorted(m + (s,)))
            nxt[up] = nxt.get(up, 0.0) + c
            if o:
                nxt[m] = nxt.get(m, 0.0) - o * c
        poly = {m: c for m, c in nxt.items() if c != 0.0}
    return poly


def _matches(poly: dict, factors: list[tuple[int, int]]) -> float | None:
    """c when `poly` == c·Π (n_s − o), c ≥ 0, else None."""
    ref = _expand(factors)
    lead = tuple(sorted(s for s, _ in factors))
    c = poly.get(lead)
    if c is None or c < 0 or set(poly) != set(ref):
        return None
    if all(abs(poly[m] - c * v) <= _REL * abs(c * v) for m, v in ref.items()):
        return c
    return None


def count_polynomials(model, sizes: np.ndarray) -> list[dict[tuple[int, ...], float]] | None:
    """Each law as {sorted state indices: coefficient} in counts, or None if one is not a
    polynomial of the state."""
    spec = model.spec
    pvals = np.asarray(model.params, dtype=np.float64)
    out = []
    for j in range(len(spec.reactions)):
        try:
            num, den = law_rational(spec, j)
        except NotRational:
            return None
        if den != {ONE: 1.0}:
            return None
        poly: dict[tuple[int, ...], float] = {}
        for (pi, qi), c in num.items():
            if TIME in qi:
                return None
            v = float(c) * float(np.prod(pvals[list(pi)])) / float(np.prod(sizes[list(qi)]))
            poly[qi] = poly.get(qi, 0.0) + v
        out.append({m: c for m, c in poly.items() if c != 0.0})
    return out


def network(model, sizes: np.ndarray, change: np.ndarray) -> tuple[_lanes.Network, np.ndarray] | None:
    """`(Network, params)` of the model's laws for `crnzoo.ssa._lanes`, or None (see module)."""
    polys = count_polynomials(model, sizes)
    if polys is None or sum(map(len, polys)) > MAX_MONOMIALS:
        return None
    spec, index = model.spec, {s: i for i, s in enumerate(model.spec.state)}
    reactants = [[(index[s], int(v)) for s, v in spec.reactant_stoich[j].items() if s in index] for j in range(len(polys))]
    rows, cs = [], []
    for j, poly in enumerate(polys):
        if not poly:
            rows.append([])
            cs.append(0.0)
            continue
        falling = [(s, o) for s, k in reactants[j] for o in range(k)]
        plain = [(s, 0) for s in max(poly, key=len)] if len(poly) == 1 else None
        for factors in (falling, plain):
            c = None if factors is None else _matches(poly, factors)
            if c is not None:
                rows.append(factors)
                cs.append(c)
                break
        else:
            return _polynomial(polys, reactants, change)
    S = len(spec.state)
    M = max(1, max(map(len, rows)))
    idx, off = np.full((len(rows), M), S, dtype=np.int64), np.zeros((len(rows), M))
    for j, factors in enumerate(rows):
        for m, (s, o) in enumerate(factors):
            idx[j, m], off[j, m] = s, o
    return _lanes.mass_action(idx, off, change), np.asarray(cs, dtype=np.float64)


def _polynomial(polys, reactants, change) -> tuple[_lanes.Network, np.ndarray]:
    terms = tuple(tuple(sorted(p)) for p in polys)
    guards = tuple(tuple(r) if any(c < 0 for c in p.values()) else () for p, r in zip(polys, reactants))
    coef = np.asarray([p[m] for p, t in zip(polys, terms) for m in t], dtype=np.float64)
    key = ("sbml polynomial", terms, guards, np.asarray(change).tobytes(), np.asarray(change).shape)
    return _lanes.Network(_sum_of_monomials(terms, guards), change, key), coef


@functools.lru_cache(maxsize=64)
def _sum_of_monomials(terms, guards) -> Callable:
    def prop(c, n):
        rows, k = [], itertools.count()
        for t, g in zip(terms, guards):
            a = jnp.zeros(n.shape[1:], n.dtype)
            for m in t:
                v = jnp.broadcast_to(c[next(k)], n.shape[1:])
                for s in m:
                    v = v * n[s]
                a = a + v
            a = jnp.maximum(a, 0.0)
            for s, r in g:
                a = jnp.where(n[s] >= r, a, 0.0)
            rows.append(a)
        return jnp.stack(rows)

    return prop
