"""MathML (a libsbml AST) compiled to Python/JAX source text.

`to_source(ast, names)` returns a Python expression over `jnp` whose free names come from
`names` (SBML id -> Python expression text, e.g. `"y[..., 3]"`); SBML function definitions
become calls of `_f_<id>`. The same text is evaluated with `eval` on floats (initial values)
and traced by JAX inside a right-hand side (differentiable; piecewise and relations become
`jnp.where`, `jnp.logical_and`, ...). Unsupported MathML (delay, rateOf, ...) raises
`SBMLImportError` naming it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import libsbml

from .errors import SBMLImportError


def _fn(name: str) -> Callable[[list[str]], str]:
    return lambda a: f"{name}({', '.join(a)})"


def _chain(op: str) -> Callable[[list[str]], str]:
    def build(a: list[str]) -> str:
        if len(a) < 2:
            return "True"
        pairs = [f"({x} {op} {y})" for x, y in zip(a[:-1], a[1:])]
        return pairs[0] if len(pairs) == 1 else f"jnp.logical_and.reduce(jnp.stack(jnp.broadcast_arrays({', '.join(pairs)})))"

    return build


def _reduce(fn: str, unit: str) -> Callable[[list[str]], str]:
    def build(a: list[str]) -> str:
        if not a:
            return unit
        out = a[0]
        for x in a[1:]:
            out = f"{fn}({out}, {x})"
        return out

    return build


def _piecewise(a: list[str]) -> str:
    otherwise = a[-1] if len(a) % 2 == 1 else "jnp.nan"
    pieces = list(zip(a[0 : len(a) - len(a) % 2 : 2], a[1 : len(a) - len(a) % 2 : 2]))
    out = otherwise
    for value, cond in reversed(pieces):
        out = f"jnp.where({cond}, {value}, {out})"
    return out


def _log(a: list[str]) -> str:
    return f"jnp.log10({a[0]})" if len(a) == 1 else f"(jnp.log({a[1]}) / jnp.log({a[0]}))"


def _root(a: list[str]) -> str:
    return f"jnp.sqrt({a[0]})" if len(a) == 1 else f"jnp.power({a[1]}, 1.0 / ({a[0]}))"


def _minus(a: list[str]) -> str:
    return f"(-({a[0]}))" if len(a) == 1 else f"(({a[0]}) - ({a[1]}))"


_T = libsbml
OPS: dict[int, Callable[[list[str]], str]] = {
    _T.AST_PLUS: lambda a: "(" + " + ".join(f"({x})" for x in a) + ")" if a else "0.0",
    _T.AST_MINUS: _minus,
    _T.AST_TIMES: lambda a: "(" + " * ".join(f"({x})" for x in a) + ")" if a else "1.0",
    _T.AST_DIVIDE: lambda a: f"(({a[0]}) / ({a[1]}))",
    _T.AST_POWER: lambda a: f"jnp.power({a[0]}, {a[1]})",
    _T.AST_FUNCTION_POWER: lambda a: f"jnp.power({a[0]}, {a[1]})",
    _T.AST_FUNCTION_ROOT: _root,
    _T.AST_FUNCTION_ABS: _fn("jnp.abs"),
    _T.AST_FUNCTION_EXP: _fn("jnp.exp"),
    _T.AST_FUNCTION_LN: _fn("jnp.log"),
    _T.AST_FUNCTION_LOG: _log,
    _T.AST_FUNCTION_FLOOR: _fn("jnp.floor"),
    _T.AST_FUNCTION_CEILING: _fn("jnp.ceil"),
    _T.AST_FUNCTION_FACTORIAL: lambda a: f"jnp.exp(_gammaln(({a[0]}) + 1.0))",
    _T.AST_FUNCTION_PIECEWISE: _piecewise,
    _T.AST_FUNCTION_SIN: _fn("jnp.sin"),
    _T.AST_FUNCTION_COS: _fn("jnp.cos"),
    _T.AST_FUNCTION_TAN: _fn("jnp.tan"),
    _T.AST_FUNCTION_SEC: lambda a: f"(1.0 / jnp.cos({a[0]}))",
    _T.AST_FUNCTION_CSC: lambda a: f"(1.0 / jnp.sin({a[0]}))",
    _T.AST_FUNCTION_COT: lambda a: f"(1.0 / jnp.tan({a[0]}))",
    _T.AST_FUNCTION_SINH: _fn("jnp.sinh"),
    _T.AST_FUNCTION_COSH: _fn("jnp.cosh"),
    _T.AST_FUNCTION_TANH: _fn("jnp.tanh"),
    _T.AST_FUNCTION_SECH: lambda a: f"(1.0 / jnp.cosh({a[0]}))",
    _T.AST_FUNCTION_CSCH: lambda a: f"(1.0 / jnp.sinh({a[0]}))",
    _T.AST_FUNCTION_COTH: lambda a: f"(1.0 / jnp.tanh({a[0]}))",
    _T.AST_FUNCTION_ARCSIN: _fn("jnp.arcsin"),
    _T.AST_FUNCTION_ARCCOS: _fn("jnp.arccos"),
    _T.AST_FUNCTION_ARCTAN: _fn("jnp.arctan"),
    _T.AST_FUNCTION_ARCSEC: lambda a: f"jnp.arccos(1.0 / ({a[0]}))",
    _T.AST_FUNCTION_ARCCSC: lambda a: f"jnp.arcsin(1.0 / ({a[0]}))",
    _T.AST_FUNCTION_ARCCOT: lambda a: f"jnp.arctan(1.0 / ({a[0]}))",
    _T.AST_FUNCTION_ARCSINH: _fn("jnp.arcsinh"),
    _T.AST_FUNCTION_ARCCOSH: _fn("jnp.arccosh"),
    _T.AST_FUNCTION_ARCTANH: _fn("jnp.arctanh"),
    _T.AST_FUNCTION_ARCSECH: lambda a: f"jnp.arccosh(1.0 / ({a[0]}))",
    _T.AST_FUNCTION_ARCCSCH: lambda a: f"jnp.arcsinh(1.0 / ({a[0]}))",
    _T.AST_FUNCTION_ARCCOTH: lambda a: f"jnp.arctanh(1.0 / ({a[0]}))",
    _T.AST_FUNCTION_MAX: _reduce("jnp.maximum", "-jnp.inf"),
    _T.AST_FUNCTION_MIN: _reduce("jnp.minimum", "jnp.inf"),
    _T.AST_FUNCTION_REM: lambda a: f"jnp.fmod({a[0]}, {a[1]})",
    _T.AST_FUNCTION_QUOTIENT: lambda a: f"jnp.trunc(({a[0]}) / ({a[1]}))",
    _T.AST_RELATIONAL_EQ: _chain("=="),
    _T.AST_RELATIONAL_NEQ: lambda a: f"(({a[0]}) != ({a[1]}))",
    _T.AST_RELATIONAL_GT: _chain(">"),
    _T.AST_RELATIONAL_LT: _chain("<"),
    _T.AST_RELATIONAL_GEQ: _chain(">="),
    _T.AST_RELATIONAL_LEQ: _chain("<="),
    _T.AST_LOGICAL_AND: _reduce("jnp.logical_and", "True"),
    _T.AST_LOGICAL_OR: _reduce("jnp.logical_or", "False"),
    _T.AST_LOGICAL_XOR: _reduce("jnp.logical_xor", "False"),
    _T.AST_LOGICAL_NOT: _fn("jnp.logical_not"),
    _T.AST_LOGICAL_IMPLIES: lambda a: f"jnp.logical_or(jnp.logical_not({a[0]}), {a[1]})",
}
CONSTANTS = {
    _T.AST_CONSTANT_TRUE: "True",
    _T.AST_CONSTANT_FALSE: "False",
    _T.AST_CONSTANT_PI: repr(math.pi),
    _T.AST_CONSTANT_E: repr(math.e),
    _T.AST_NAME_AVOGADRO: "6.02214179e23",
    _T.AST_NAME_TIME: "t",
}
REFUSED = {
    _T.AST_FUNCTION_DELAY: "a delay (csymbol delay)",
    _T.AST_FUNCTION_RATE_OF: "rateOf (csymbol rateOf)",
    _T.AST_LAMBDA: "a lambda outside a function definition",
}


def _number(x: float) -> str:
    if math.isnan(x):
        return "jnp.nan"
    if math.isinf(x):
        return "jnp.inf" if x > 0 else "(-jnp.inf)"
    return repr(float(x))


def to_source(ast, names: Mapping[str, str], functions: Mapping[str, int] = {}, where: str = "math",
              hook: Callable[[object], str | None] | None = None) -> str:
    """Python/JAX expression text of the libsbml AST `ast`.

    `names`: SBML id -> expression text; `functions`: function-definition id -> arity.
    `hook(node)`, when given, may return the text of a node itself (None: the usual
    translation); event triggers use it to turn each relation into a tracked boolean.
    Raises `SBMLImportError` for an unknown name or unsupported MathML, naming `where`.
    """
    if ast is None:
        raise SBMLImportError(f"{where} has no math")
    if hook is not None:
        own = hook(ast)
        if own is not None:
            return own
    ty = ast.getType()
    if ty in (_T.AST_INTEGER,):
        return _number(ast.getInteger())
    if ty in (_T.AST_REAL, _T.AST_REAL_E, _T.AST_RATIONAL):
        return _number(ast.getReal())
    if ty in CONSTANTS:
        return CONSTANTS[ty]
    if ty in REFUSED:
        raise SBMLImportError(f"{where} uses {REFUSED[ty]}: not supported")
    if ty == _T.AST_NAME:
        name = ast.getName()
        if name not in names:
            raise SBMLImportError(f"{where} names {name!r}, which is not a symbol of the model")
        return names[name]
    args = [to_source(ast.getChild(i), names, functions, where, hook) for i in range(ast.getNumChildren())]
    if ty == _T.AST_FUNCTION:
        name = ast.getName()
        if name not in functions:
            raise SBMLImportError(f"{where} calls {name!r}, which is not a function definition of the model")
        if functions[name] != len(args):
            raise SBMLImportError(f"{where} calls {name} with {len(args)} arguments; it takes {functions[name]}")
        return f"_f_{name}({', '.join(args)})"
    if ty in OPS:
        try:
            return OPS[ty](args)
        except IndexError:
            raise SBMLImportError(f"{where}: {ast.getName() or ty} has too few arguments") from None
    raise SBMLImportError(f"{where} uses MathML {libsbml.formulaToL3String(ast)!r} ({ast.getName() or ty}): not supported")


def names_in(ast) -> set[str]:
    """SBML ids the AST refers to (AST_NAME nodes), for dependency ordering."""
    out: set[str] = set()
    stack = [ast] if ast is not None else []
    while stack:
        node = stack.pop()
        if node.getType() == _T.AST_NAME:
            out.add(node.getName())
        stack.extend(node.getChild(i) for i in range(node.getNumChildren()))
    return out
