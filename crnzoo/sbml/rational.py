"""Kinetic laws as rational functions of the state: numerator and denominator polynomials.

Most kinetic laws a user's model holds — mass action (also reversible: `kf*A*B - kr*C`),
Michaelis–Menten `Vmax*S/(Km + S)`, Hill terms with integer exponents, competitive
inhibition `1/(1 + I/Ki)`, and function definitions that build them — are ratios of two
polynomials whose monomials are `coef * Π p[i] * Π y[j]` (parameters and state species,
with repeats for powers). Time, assignment rules (inlined) and rate
rules of the same form are read too. A law in that form is *data*: a table of monomials that a fixed
program evaluates (`crnzoo.sbml.program`), so one compiled program serves every model of the
same padded size. `law_rational(spec, j)` gives the form of reaction j's law, or raises
`NotRational` with the reason (time, a rule-set symbol, `exp`, a piecewise, a non-integer
power, ...); such a model is simulated by its own generated code instead.
"""

from __future__ import annotations

import libsbml

from .read import Spec

Monomial = tuple[tuple[int, ...], tuple[int, ...]]  # (parameter indices, state indices), sorted, with repeats
TIME = -1  # the "state index" of the time t in a monomial
Poly = dict[Monomial, float]
ONE: Monomial = ((), ())
MAX_TERMS = 64  # monomials per numerator or denominator (expansion beyond this is refused)
MAX_DEGREE = 12  # factors per monomial
_NUM = (libsbml.AST_INTEGER, libsbml.AST_REAL, libsbml.AST_REAL_E, libsbml.AST_RATIONAL)


class NotRational(ValueError):
    """A kinetic law outside the rational form (the message says what)."""


def _mono_mul(a: Monomial, b: Monomial) -> Monomial:
    m = (tuple(sorted(a[0] + b[0])), tuple(sorted(a[1] + b[1])))
    if len(m[0]) + len(m[1]) > MAX_DEGREE:
        raise NotRational(f"a monomial of degree > {MAX_DEGREE}")
    return m


def _add(a: Poly, b: Poly, sign: float = 1.0) -> Poly:
    out = dict(a)
    for m, c in b.items():
        out[m] = out.get(m, 0.0) + sign * c
    out = {m: c for m, c in out.items() if c != 0.0}
    if len(out) > MAX_TERMS:
        raise NotRational(f"more than {MAX_TERMS} terms")
    return out


def _mul(a: Poly, b: Poly) -> Poly:
    out: Poly = {}
    for ma, ca in a.items():
        for mb, cb in b.items():
            m = _mono_mul(ma, mb)
            out[m] = out.get(m, 0.0) + ca * cb
            if len(out) > MAX_TERMS:
                raise NotRational(f"more than {MAX_TERMS} terms")
    return {m: c for m, c in out.items() if c != 0.0}


def _const(p: Poly) -> float | None:
    return p.get(ONE, 0.0) if set(p) <= {ONE} else None


Rational = tuple[Poly, Poly]


def _simplify(r: Rational) -> Rational:
    num, den = r
    c = _const(den)
    if c is not None:
        if c == 0.0:
            raise NotRational("a division by zero")
        return {m: v / c for m, v in num.items()}, {ONE: 1.0}
    return num, den


def _radd(a: Rational, b: Rational, sign: float = 1.0) -> Rational:
    if a[1] == b[1]:
        return _simplify((_add(a[0], b[0], sign), a[1]))
    return _simplify((_add(_mul(a[0], b[1]), _mul(b[0], a[1]), sign), _mul(a[1], b[1])))


def _rmul(a: Rational, b: Rational) -> Rational:
    return _simplify((_mul(a[0], b[0]), _mul(a[1], b[1])))


def _rinv(a: Rational) -> Rational:
    if not a[0]:
        raise NotRational("a division by zero")
    return _simplify((a[1], a[0]))


def _integer(node) -> int | None:
    if node.getType() == libsbml.AST_INTEGER:
        return int(node.getInteger())
    if node.getType() in _NUM:
        v = node.getValue()
        return int(v) if float(v).is_integer() else None
    if node.getType() == libsbml.AST_MINUS and node.getNumChildren() == 1:
        k = _integer(node.getChild(0))
        return None if k is None else -k
    return None


class _Expander:
    """AST -> Rational over one reaction's symbols."""

    def __init__(self, spec: Spec, j: int, functions: dict):
        self.spec, self.j, self.functions = spec, j, functions
        self.state = {s: i for i, s in enumerate(spec.state)}
        self.params = {s: i for i, s in enumerate(spec.params)}
        self.assigned = {k for k, _ in spec.computed}
        self._open: set[str] = set()

    def name(self, name: str, env: dict) -> Rational:
        if name in env:
            return env[name]
        spec = self.spec
        rid = spec.reactions[self.j] if self.j is not None else None
        if self.j is not None and name in spec.local_names[self.j]:
            return {((self.params[f"{rid}.{name}"],), ()): 1.0}, {ONE: 1.0}
        if name in getattr(spec, "rule_asts", {}):  # an assignment rule: its expression, inlined
            if name in self._open:
                raise NotRational(f"assignment rules around {name} form a cycle")
            self._open.add(name)
            try:  # in the rule's own scope: a kinetic law's local parameters do not reach into it
                outer = _Expander(spec, None, self.functions)
                outer._open = self._open
                return outer.expand(spec.rule_asts[name], {})
            finally:
                self._open.discard(name)
        if name in self.assigned or name in getattr(spec, "amount_state", {}):
            raise NotRational(f"{name} is set by a rule")
        if name in self.params:
            return {((self.params[name],), ()): 1.0}, {ONE: 1.0}
        if name in spec.constants:
            v = float(spec.constants[name])
            return ({ONE: v} if v != 0.0 else {}), {ONE: 1.0}
        if name in self.state:
            return {((), (self.state[name],)): 1.0}, {ONE: 1.0}
        raise NotRational(f"{name} is not a parameter, constant or species")

    def expand(self, node, env: dict) -> Rational:
        ty = node.getType()
        n = node.getNumChildren()
        if ty in _NUM:
            v = float(node.getValue())
            return ({ONE: v} if v != 0.0 else {}), {ONE: 1.0}
        if ty == libsbml.AST_NAME:
            return self.name(node.getName(), env)
        if ty == libsbml.AST_NAME_TIME:
            return {((), (TIME,)): 1.0}, {ONE: 1.0}
        kids = [node.getChild(i) for i in range(n)]
        if ty == libsbml.AST_PLUS:
            out: Rational = ({}, {ONE: 1.0})
            for k in kids:
                out = _radd(out, self.expand(k, env))
            return out
        if ty == libsbml.AST_MINUS and n in (1, 2):
            if n == 1:
                return _radd(({}, {ONE: 1.0}), self.expand(kids[0], env), -1.0)
            return _radd(self.expand(kids[0], env), self.expand(kids[1], env), -1.0)
        if ty == libsbml.AST_TIMES:
            out = ({ONE: 1.0}, {ONE: 1.0})
            for k in kids:
                out = _rmul(out, self.expand(k, env))
            return out
        if ty == libsbml.AST_DIVIDE and n == 2:
            return _rmul(self.expand(kids[0], env), _rinv(self.expand(kids[1], env)))
        if ty in (libsbml.AST_POWER, libsbml.AST_FUNCTION_POWER) and n == 2:
            e = _integer(kids[1])
            if e is None or abs(e) > MAX_DEGREE:
                raise NotRational("a power that is not a small integer")
            base = self.expand(kids[0], env)
            out = ({ONE: 1.0}, {ONE: 1.0})
            for _ in range(abs(e)):
                out = _rmul(out, base)
            return out if e >= 0 else _rinv(out)
        if ty == libsbml.AST_FUNCTION and node.getName() in self.functions:
            args, body = self.functions[node.getName()]
            if len(args) != n or body is None:
                raise NotRational(f"a call of {node.getName()} with {n} arguments")
            return self.expand(body, {a: self.expand(k, env) for a, k in zip(args, kids)})
        raise NotRational(f"MathML {libsbml.formulaToL3String(node)!r}")


def function_asts(spec: Spec) -> dict:
    """Function definitions of the model read from its text: id -> (argument names, body AST)."""
    return getattr(spec, "function_asts", {}) or {}


def law_rational(spec: Spec, j: int, functions: dict | None = None) -> Rational:
    """(numerator, denominator) of reaction j's kinetic law; `NotRational` if it has no such form."""
    ex = _Expander(spec, j, function_asts(spec) if functions is None else functions)
    return ex.expand(spec.laws[j], {})


def rule_rational(spec: Spec, var: str) -> Rational:
    """(numerator, denominator) of the rate rule for `var` (no local parameters)."""
    ex = _Expander(spec, None, function_asts(spec))
    return ex.expand(spec.rate_asts[var], {})
