"""The indexed-reaction grammar: terms (`2W[i,j]`), rate expressions (`36*relu(-k[i,j])`),
reactions, and the names of concrete species (`W_3_1`). Static, hashable structure only."""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np


class IndexedCRNError(ValueError):
    """An indexed CRN was written with inconsistent indices, species or rate tensors."""

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
_SYMBOL = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
_TERM = re.compile(r"^(\d*)\s*([A-Za-z][A-Za-z0-9]*)\s*(?:\[([^\]]*)\])?$")
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_RATE = re.compile(
    rf"^(?:(?P<scale>{_NUMBER})\s*\*\s*)?"
    r"(?:(?P<fn>[a-z]+)\s*\(\s*(?P<sign>-)?\s*(?P<p1>[A-Za-z][A-Za-z0-9]*)\s*(?:\[(?P<i1>[^\]]*)\])?\s*\)"
    r"|(?P<sign2>-)?\s*(?P<p2>[A-Za-z][A-Za-z0-9]*)\s*(?:\[(?P<i2>[^\]]*)\])?)$"
)

#: Functions a rate expression may apply to a parameter tensor (all map reals to rates >= 0
#: when used as intended: relu/exp/softplus/sigmoid/abs always, identity for nonnegative parameters).
RATE_FUNCTIONS = {
    "identity": lambda v: v,
    "relu": jax.nn.relu,
    "exp": jnp.exp,
    "softplus": jax.nn.softplus,
    "sigmoid": jax.nn.sigmoid,
    "abs": jnp.abs,
}


@dataclasses.dataclass(frozen=True)
class Term:
    """`count` copies of base species `species` at index symbols `indices` (e.g. `2X[i]`)."""

    species: str
    indices: tuple[str, ...]
    count: int = 1

    def __str__(self) -> str:
        idx = f"[{','.join(self.indices)}]" if self.indices else ""
        return f"{self.count if self.count > 1 else ''}{self.species}{idx}"


@dataclasses.dataclass(frozen=True)
class RateExpr:
    """A rate `scale · fn(sign · param[indices])`, or the constant `scale` when `param` is None."""

    scale: float = 1.0
    param: str | None = None
    indices: tuple[str, ...] = ()
    fn: str = "identity"
    sign: float = 1.0

    def __str__(self) -> str:
        if self.param is None:
            return repr(self.scale)
        idx = f"[{','.join(self.indices)}]" if self.indices else ""
        inner = f"{'-' if self.sign < 0 else ''}{self.param}{idx}"
        body = inner if self.fn == "identity" else f"{self.fn}({inner})"
        return body if self.scale == 1.0 else f"{self.scale!r}*{body}"


@dataclasses.dataclass(frozen=True)
class IndexedReaction:
    """One indexed reaction: reactant and product terms and a rate expression."""

    reactants: tuple[Term, ...]
    products: tuple[Term, ...]
    rate: RateExpr

    @property
    def symbols(self) -> tuple[str, ...]:
        """Every index symbol the reaction names, in order of first appearance."""
        out: list[str] = []
        for t in (*self.reactants, *self.products):
            out += [s for s in t.indices if s not in out]
        out += [s for s in self.rate.indices if s not in out]
        return tuple(out)

    def equation(self) -> str:
        return f"{' + '.join(map(str, self.reactants))} -> {' + '.join(map(str, self.products))}".strip()

    def __str__(self) -> str:
        return f"{self.equation()}  @ {self.rate}"

    def net_changes(self) -> list[tuple[str, tuple[str, ...], int]]:
        """`(species, indices, net coefficient)` per distinct indexed species, zeros dropped."""
        net: dict[tuple[str, tuple[str, ...]], int] = {}
        for sign, side in ((-1, self.reactants), (1, self.products)):
            for t in side:
                key = (t.species, t.indices)
                net[key] = net.get(key, 0) + sign * t.count
        return [(b, idx, c) for (b, idx), c in net.items() if c != 0]

    def merged_reactants(self) -> list[Term]:
        """Reactant terms with identical indexed species merged (`X[i] + X[i]` -> `2X[i]`)."""
        out: dict[tuple[str, tuple[str, ...]], int] = {}
        for t in self.reactants:
            out[(t.species, t.indices)] = out.get((t.species, t.indices), 0) + t.count
        return [Term(b, idx, n) for (b, idx), n in out.items()]


def _indices(text: str | None, where: str) -> tuple[str, ...]:
    if text is None:
        return ()
    parts = tuple(p.strip() for p in text.split(","))
    if parts == ("",):
        return ()
    for p in parts:
        if not _SYMBOL.match(p):
            raise IndexedCRNError(f"{where}: {p!r} is not an index symbol (a letter followed by letters or digits)")
    if len(set(parts)) != len(parts):
        raise IndexedCRNError(
            f"{where}: an index symbol is repeated in [{text}]; write the diagonal with a rate tensor that is zero "
            "off the diagonal instead"
        )
    return parts


def parse_side(text: str, where: str) -> tuple[Term, ...]:
    """`"X[i] + 2W[i,j]"` -> terms (an empty or `0`/`∅` side is empty)."""
    text = text.strip()
    if text in ("", "0", "∅"):
        return ()
    out = []
    for raw in text.split("+"):
        raw = raw.strip()
        m = _TERM.match(raw)
        if not m:
            raise IndexedCRNError(f"{where}: cannot read {raw!r}; write terms like X[i], 2W[i,j] or S")
        n = int(m.group(1) or 1)
        if n < 1:
            raise IndexedCRNError(f"{where}: coefficient of {raw!r} must be >= 1")
        out.append(Term(m.group(2), _indices(m.group(3), where), n))
    return tuple(out)


def parse_rate(rate: float | int | str, where: str) -> RateExpr:
    """A number, or `[c*]name[idx]`, `[c*]-name[idx]`, `[c*]fn([-]name[idx])` with fn in `RATE_FUNCTIONS`."""
    if isinstance(rate, (int, float, np.floating, np.integer)) and not isinstance(rate, bool):
        v = float(rate)
        if not math.isfinite(v) or v < 0:
            raise IndexedCRNError(f"{where}: a constant rate must be finite and >= 0, got {rate!r}")
        return RateExpr(v)
    text = str(rate).strip()
    if re.fullmatch(_NUMBER, text):
        return parse_rate(float(text), where)
    m = _RATE.match(text)
    if not m:
        raise IndexedCRNError(
            f"{where}: cannot read rate {text!r}; write a number, k[i,j], 36*k[i,j] or relu(-W[i,j]) "
            f"(functions: {', '.join(RATE_FUNCTIONS)})"
        )
    scale = float(m.group("scale")) if m.group("scale") else 1.0
    if m.group("p1"):
        fn = m.group("fn")
        if fn not in RATE_FUNCTIONS:
            raise IndexedCRNError(f"{where}: unknown rate function {fn!r}; known: {', '.join(RATE_FUNCTIONS)}")
        return RateExpr(scale, m.group("p1"), _indices(m.group("i1"), where), fn, -1.0 if m.group("sign") else 1.0)
    return RateExpr(scale, m.group("p2"), _indices(m.group("i2"), where), "identity", -1.0 if m.group("sign2") else 1.0)


def parse_reaction(equation: str, rate: float | str, where: str = "reaction") -> IndexedReaction:
    """Parse `"S[j] + S[k] + A[j,k] -> "` with its rate (see `parse_rate`)."""
    if equation.count("->") != 1:
        raise IndexedCRNError(f"{where}: {equation!r} must contain exactly one '->'")
    left, right = equation.split("->")
    r = IndexedReaction(parse_side(left, where), parse_side(right, where), parse_rate(rate, where))
    if not r.reactants and not r.products:
        raise IndexedCRNError(f"{where}: {equation!r} has neither reactants nor products")
    return r




def concrete_name(base: str, index: Sequence[int]) -> str:
    """`B_i_j` for base species B at 0-based index (i, j); `B` for a scalar base species."""
    return base + "".join(f"_{int(i)}" for i in index)
