"""Indexed chemical reaction networks (Lee, Buse, Winfree, DNA 31, 2025, §3).

An indexed CRN writes many reactions at once with index symbols, e.g. the weight
multiplication of a DNA winner-take-all network

    X[i] + W[i,j] + XF[i] -> X[i] + P[i,j]      at rate a1[i,j]

for every pixel i and class j. Each *base species* (`X`, `W`, ...) is a tensor over
global *index sets* (`pixel` of size 100, `class` of size 3); each *index symbol* (`i`,
`j`, `k`) ranges over one index set. Rate constants are tensors too, and may be
functions of parameters (`relu(W[i,j])`, `36*a[i,j]`), so indexed CRNs are trainable.

Compilation (the paper's §3.3): the flux of an indexed reaction is one `einsum` over all
the index symbols it names,

    F[i,j] = a1[i,j] · X[i] · W[i,j] · XF[i],

and each participating indexed species changes by its net coefficient times the flux
summed over the symbols it does not carry (dXF[i] −= Σ_j F[i,j]). Species that appear
with the same indices on both sides (the catalyst X[i] above) cancel before compiling.
Mass-action convention as in `crnzoo.network`: `2A -> B` at rate k has flux k·A².
`IndexedCRN.network()` enumerates every concrete reaction (`X_4 + W_4_1 + XF_4 -> X_4 +
P_4_1`), sums the rates of identical ones, and its `MassAction` dynamics equal `rhs`.

**State layout.** The state is flat: each base species' tensor, flattened row-major, in
declaration order; concrete species are named `B_i_j` (0-based indices; a scalar base
species keeps its name). `unpack`/`pack` convert between the flat state and tensors.

**Dual rail.** A signed indexed quantity U is carried by two base species `Up` and `Un`
(U = Up − Un), as in the paper's Hopfield network; `dual_rail`, `signed_production`
and `annihilation` write the species and reactions, `IndexedCRN.signed` reads U back.

Example (mass units and times are whatever the rates are written in)::

    crn = IndexedCRN.create(
        sets={"n": 3},
        symbols={"i": "n", "j": "n"},
        species={"M": ("n",), "D": ("n", "n")},
        reactions=[("M[i] + M[j] -> D[i,j]", "k1[i,j]"), ("D[i,j] -> M[i] + M[j]", "k2[i,j]")],
        params={"k1": k1, "k2": k2},
        x0={"M": 1.0},
    )
    traj = crnzoo.simulate(crn, t1=1.0)
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
import string
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .._registry import register_builder
from ..network import ROLES, Reaction, ReactionNetwork, merge_reactions
from .base import CRNModel


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


# ---------------------------------------------------------------------------------------------
# Parsed structure (static)
# ---------------------------------------------------------------------------------------------


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


@dataclasses.dataclass(frozen=True)
class IndexedSpec:
    """The static structure of an indexed CRN (hashable; an Equinox static field).

    - `sets`: `(name, size)` per global index set.
    - `symbols`: `(symbol, set name)` per index symbol.
    - `species`: `(base name, (set names...))` per base species, in state order.
    - `reactions`: `(equation, rate text)` per indexed reaction, as written.
    - `params`: `(name, (set names...))` per rate parameter tensor.
    - `roles`: `(base name, role)` pairs.
    """

    sets: tuple[tuple[str, int], ...]
    symbols: tuple[tuple[str, str], ...]
    species: tuple[tuple[str, tuple[str, ...]], ...]
    reactions: tuple[tuple[str, str], ...]
    params: tuple[tuple[str, tuple[str, ...]], ...]
    roles: tuple[tuple[str, str], ...] = ()

    # ---- derived (computed on demand; cheap) ---------------------------------------------
    @property
    def set_size(self) -> dict[str, int]:
        return dict(self.sets)

    @property
    def symbol_set(self) -> dict[str, str]:
        return dict(self.symbols)

    def shape(self, base: str) -> tuple[int, ...]:
        sizes = self.set_size
        return tuple(sizes[s] for s in dict(self.species)[base])

    def param_shape(self, name: str) -> tuple[int, ...]:
        sizes = self.set_size
        return tuple(sizes[s] for s in dict(self.params)[name])

    def parsed(self) -> tuple[IndexedReaction, ...]:
        return tuple(parse_reaction(eq, rate, f"reaction {n} ({eq})") for n, (eq, rate) in enumerate(self.reactions))

    def to_config(self) -> dict:
        return {
            "sets": [[n, s] for n, s in self.sets],
            "symbols": [[n, s] for n, s in self.symbols],
            "species": [[n, list(s)] for n, s in self.species],
            "reactions": [[eq, rate] for eq, rate in self.reactions],
            "params": [[n, list(s)] for n, s in self.params],
            "roles": [[n, r] for n, r in self.roles],
        }

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "IndexedSpec":
        return cls(
            tuple((str(n), int(s)) for n, s in config["sets"]),
            tuple((str(n), str(s)) for n, s in config["symbols"]),
            tuple((str(n), tuple(map(str, s))) for n, s in config["species"]),
            tuple((str(eq), str(rate)) for eq, rate in config["reactions"]),
            tuple((str(n), tuple(map(str, s))) for n, s in config.get("params", ())),
            tuple((str(n), str(r)) for n, r in config.get("roles", ())),
        )


def _check_spec(
    sets: Mapping[str, int],
    symbols: Mapping[str, str],
    species: Mapping[str, Sequence[str]],
    reactions: Sequence[tuple[str, float | str]],
    roles: Mapping[str, str],
) -> tuple[IndexedSpec, tuple[IndexedReaction, ...]]:
    """Validate names, index agreement and rate tensors; infer each parameter's index sets."""
    for n, s in sets.items():
        if not _SYMBOL.match(str(n)):
            raise IndexedCRNError(f"index set name {n!r} is not valid (letters and digits, starting with a letter)")
        if isinstance(s, bool) or int(s) != s or int(s) < 1:
            raise IndexedCRNError(f"index set {n!r} must have a positive integer size, got {s!r}")
    for sym, st in symbols.items():
        if not _SYMBOL.match(str(sym)):
            raise IndexedCRNError(f"index symbol {sym!r} is not valid (letters and digits, starting with a letter)")
        if st not in sets:
            raise IndexedCRNError(f"index symbol {sym!r} ranges over unknown index set {st!r}; sets are {', '.join(sets)}")
    for b, ss in species.items():
        if not _NAME.match(str(b)):
            raise IndexedCRNError(
                f"base species name {b!r} is not valid: use a letter followed by letters or digits (no '_', which "
                "separates the indices of concrete species)"
            )
        if isinstance(ss, str):
            raise IndexedCRNError(f"species {b!r}: give its index sets as a tuple, e.g. ({ss!r},)")
        for s in ss:
            if s not in sets:
                raise IndexedCRNError(f"species {b!r} is indexed by unknown index set {s!r}; sets are {', '.join(sets)}")
    for b, role in roles.items():
        if b not in species:
            raise IndexedCRNError(f"role given for unknown base species {b!r}")
        if role not in ROLES:
            raise IndexedCRNError(f"species {b} has role {role!r}; roles are {', '.join(ROLES)}")
    parsed = []
    param_sets: dict[str, tuple[str, ...]] = {}
    for n, (eq, rate) in enumerate(reactions):
        where = f"reaction {n} ({eq})"
        r = parse_reaction(eq, rate, where)
        for t in (*r.reactants, *r.products):
            if t.species not in species:
                raise IndexedCRNError(f"{where}: unknown base species {t.species!r}; species are {', '.join(species)}")
            want = tuple(species[t.species])
            if len(t.indices) != len(want):
                raise IndexedCRNError(
                    f"{where}: {t} has {len(t.indices)} indices but base species {t.species} is indexed by "
                    f"{len(want)} ({', '.join(want) or 'none'})"
                )
            for pos, (sym, st) in enumerate(zip(t.indices, want)):
                if sym not in symbols:
                    raise IndexedCRNError(f"{where}: unknown index symbol {sym!r} in {t}; symbols are {', '.join(symbols)}")
                if symbols[sym] != st:
                    raise IndexedCRNError(
                        f"{where}: index {pos} of {t.species} ranges over {st!r} but symbol {sym!r} ranges over "
                        f"{symbols[sym]!r}"
                    )
        if r.rate.param is not None:
            for sym in r.rate.indices:
                if sym not in symbols:
                    raise IndexedCRNError(f"{where}: unknown index symbol {sym!r} in rate {r.rate}")
            these = tuple(symbols[s] for s in r.rate.indices)
            if r.rate.param in species:
                raise IndexedCRNError(f"{where}: rate parameter {r.rate.param!r} has the name of a species")
            if r.rate.param in param_sets and param_sets[r.rate.param] != these:
                raise IndexedCRNError(
                    f"{where}: rate parameter {r.rate.param} is indexed by ({', '.join(these)}) here but by "
                    f"({', '.join(param_sets[r.rate.param])}) elsewhere"
                )
            param_sets[r.rate.param] = these
        parsed.append(r)
    spec = IndexedSpec(
        tuple((str(n), int(s)) for n, s in sets.items()),
        tuple((str(n), str(s)) for n, s in symbols.items()),
        tuple((str(b), tuple(ss)) for b, ss in species.items()),
        tuple((str(eq), str(parse_rate(rate, "rate"))) for eq, rate in reactions),
        tuple(param_sets.items()),
        tuple((str(b), str(r)) for b, r in roles.items()),
    )
    return spec, tuple(parsed)


def concrete_name(base: str, index: Sequence[int]) -> str:
    """`B_i_j` for base species B at 0-based index (i, j); `B` for a scalar base species."""
    return base + "".join(f"_{int(i)}" for i in index)


# ---------------------------------------------------------------------------------------------
# The module
# ---------------------------------------------------------------------------------------------


class IndexedCRN(CRNModel):
    """A mass-action CRN written with index sets, compiled to einsum contractions.

    **Fields:**

    - `params`: rate parameter name -> tensor over its index sets (trainable).
    - `x0`: default initial state, flat (see the module docstring for the layout).
    - `spec`: the `IndexedSpec` (static).
    - `rate_cache`: per-reaction rate tensors precomputed by `for_solver()` (None otherwise).

    Build with `IndexedCRN.create(...)`; rebuild an empty template from `spec.to_config()`
    with `IndexedCRN.from_config`. Units are those of the rates and concentrations given.
    """

    params: dict
    x0: jax.Array
    spec: IndexedSpec = eqx.field(static=True)
    rate_cache: tuple | None = None

    # ---- construction ----------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        sets: Mapping[str, int],
        symbols: Mapping[str, str],
        species: Mapping[str, Sequence[str]],
        reactions: Sequence[tuple[str, float | str]],
        params: Mapping[str, Any] | None = None,
        x0: Mapping[str, Any] | None = None,
        roles: Mapping[str, str] | None = None,
    ) -> "IndexedCRN":
        """Build and validate an indexed CRN.

        - `sets`: index set name -> size (global).
        - `symbols`: index symbol -> the index set it ranges over.
        - `species`: base species -> its index sets (a tuple; `()` for a scalar species).
        - `reactions`: `(equation, rate)` pairs; an equation like `S[j] + S[k] + A[j,k] ->`
          (empty side = ∅), a rate as in `parse_rate` (a number or an expression of a parameter).
        - `params`: parameter name -> tensor with the shape of the index sets it is used with
          (a scalar broadcasts).
        - `x0`: base species -> initial tensor (a scalar broadcasts; missing = 0).
        - `roles`: base species -> role (`input`, `output`, ...).

        Raises `IndexedCRNError` (a `ValueError`) naming the reaction for any mismatch.
        """
        spec, _ = _check_spec(sets, symbols, species, reactions, roles or {})
        params = dict(params or {})
        unknown = sorted(set(params) - {n for n, _ in spec.params})
        if unknown:
            raise IndexedCRNError(f"parameters {', '.join(unknown)} are not used by any reaction")
        values = {}
        for name, _ in spec.params:
            if name not in params:
                raise IndexedCRNError(f"no value given for rate parameter {name!r}")
            want = spec.param_shape(name)
            v = jnp.asarray(params[name], dtype=jnp.float64)
            if v.ndim == 0:
                v = jnp.broadcast_to(v, want)
            if v.shape != want:
                raise IndexedCRNError(f"rate parameter {name!r} has shape {v.shape}; its index sets need {want}")
            values[name] = v
        model = cls(values, jnp.zeros(sum(math.prod(spec.shape(b)) for b, _ in spec.species)), spec)
        return model.with_initial(x0 or {})

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "IndexedCRN":
        """A template (zero parameters and state) with the structure of `config` (`spec.to_config()`)."""
        spec = IndexedSpec.from_config(config)
        spec2, _ = _check_spec(
            dict(spec.sets), dict(spec.symbols), dict(spec.species), spec.reactions, dict(spec.roles)
        )
        params = {n: jnp.zeros(spec2.param_shape(n)) for n, _ in spec2.params}
        return cls(params, jnp.zeros(sum(math.prod(spec2.shape(b)) for b, _ in spec2.species)), spec2)

    def config(self) -> dict:
        """The JSON-able structure (`IndexedCRN.from_config` rebuilds a template from it)."""
        return self.spec.to_config()

    # ---- state layout -------------------------------------------------------------------------
    def _layout(self) -> list[tuple[str, int, tuple[int, ...]]]:
        out, off = [], 0
        for b, _ in self.spec.species:
            shape = self.spec.shape(b)
            out.append((b, off, shape))
            off += math.prod(shape)
        return out

    @property
    def species(self) -> tuple[str, ...]:
        """Concrete species names of the flat state (`W_3_1`: W at index (3, 1))."""
        names = []
        for b, _, shape in self._layout():
            names += [concrete_name(b, idx) for idx in np.ndindex(*shape)]
        return tuple(names)

    @property
    def base_species(self) -> tuple[str, ...]:
        return tuple(b for b, _ in self.spec.species)

    def slot(self, base: str) -> slice:
        """The slice of the flat state holding base species `base`."""
        for b, off, shape in self._layout():
            if b == base:
                return slice(off, off + math.prod(shape))
        raise IndexedCRNError(f"unknown base species {base!r}; species are {', '.join(self.base_species)}")

    def unpack(self, x) -> dict[str, jax.Array]:
        """Flat state(s) `(*batch, N)` -> base species -> tensor `(*batch, *index shape)`."""
        batch = x.shape[:-1]
        return {b: x[..., off : off + math.prod(shape)].reshape(batch + shape) for b, off, shape in self._layout()}

    def pack(self, tensors: Mapping[str, Any], batch: tuple[int, ...] = ()) -> jax.Array:
        """Base species -> tensor (broadcast to `(*batch, *index shape)`; missing = 0) -> flat state."""
        unknown = sorted(set(tensors) - set(self.base_species))
        if unknown:
            raise IndexedCRNError(f"unknown base species {', '.join(unknown)}; species are {', '.join(self.base_species)}")
        parts = []
        for b, _, shape in self._layout():
            v = jnp.asarray(tensors.get(b, 0.0), dtype=jnp.float64)
            try:
                v = jnp.broadcast_to(v, batch + shape)
            except ValueError:
                raise IndexedCRNError(f"values for {b} have shape {v.shape}; need {shape} (or broadcastable)") from None
            parts.append(v.reshape(batch + (-1,)))
        return jnp.concatenate(parts, axis=-1)

    def with_initial(self, x0: Mapping[str, Any]) -> "IndexedCRN":
        """This CRN with initial tensors `x0` (base species -> values; missing = 0)."""
        return eqx.tree_at(lambda m: m.x0, self, self.pack(x0))

    def with_params(self, **params) -> "IndexedCRN":
        """This CRN with some rate parameter tensors replaced."""
        new = dict(self.params)
        for k, v in params.items():
            if k not in new:
                raise IndexedCRNError(f"unknown rate parameter {k!r}; parameters are {', '.join(new)}")
            v = jnp.broadcast_to(jnp.asarray(v, dtype=jnp.float64), new[k].shape)
            new[k] = v
        return eqx.tree_at(lambda m: m.params, self, new)

    # ---- rates ------------------------------------------------------------------------------
    def rate_tensors(self) -> tuple[jax.Array, ...]:
        """Each indexed reaction's rate: a tensor over its rate's index symbols (a scalar if none)."""
        out = []
        for r in self.spec.parsed():
            e = r.rate
            if e.param is None:
                out.append(jnp.asarray(e.scale, dtype=jnp.float64))
            else:
                out.append(e.scale * RATE_FUNCTIONS[e.fn](e.sign * self.params[e.param]))
        return tuple(out)

    def for_solver(self) -> "IndexedCRN":
        """The same CRN with its rate tensors evaluated once (not per right-hand side)."""
        return eqx.tree_at(lambda m: m.rate_cache, self, self.rate_tensors(), is_leaf=lambda v: v is None)

    # ---- dynamics -----------------------------------------------------------------------------
    def _letters(self, r: IndexedReaction) -> dict[str, str]:
        syms = r.symbols
        if len(syms) > 26:
            raise IndexedCRNError(f"{r}: more than 26 index symbols in one reaction")
        return dict(zip(syms, string.ascii_lowercase))

    def _operands(self, r: IndexedReaction, rate, tensors, skip: Term | None = None, power_drop: int = 0):
        """(einsum input specs, operands) for rate · Π reactant factors (optionally one factor lowered)."""
        L = self._letters(r)
        specs, ops = [], []
        if r.rate.param is not None and r.rate.indices:
            specs.append("".join(L[s] for s in r.rate.indices))
            ops.append(rate)
        for t in r.merged_reactants():
            n = t.count - (power_drop if t == skip else 0)
            if n == 0:
                continue
            specs.append("..." + "".join(L[s] for s in t.indices))
            ops.append(tensors[t.species] if n == 1 else tensors[t.species] ** n)
        present = set("".join(specs))
        sizes = self.spec.set_size
        sym_set = self.spec.symbol_set
        for s in r.symbols:  # symbols named only by products: a ones vector makes them explicit
            if L[s] not in present:
                specs.append(L[s])
                ops.append(jnp.ones(sizes[sym_set[s]]))
        return specs, ops

    @staticmethod
    def _contract(specs: list[str], ops: list, out: str):
        """einsum of `ops` to output letters `out` (keeping batch dims when any operand has them)."""
        if not specs:
            return jnp.ones(())
        batch = "..." if any(sp.startswith("...") for sp in specs) else ""
        return jnp.einsum(",".join(specs) + "->" + batch + out, *ops)

    def _scalar(self, r: IndexedReaction, rate):
        return rate if (r.rate.param is None or not r.rate.indices) else 1.0

    def fluxes(self, x) -> list[jax.Array]:
        """The flux tensor of each indexed reaction, shape `(*batch, *sizes of its symbols)`."""
        tensors = self.unpack(x)
        rates = self.rate_cache if self.rate_cache is not None else self.rate_tensors()
        out = []
        for r, rate in zip(self.spec.parsed(), rates):
            L = self._letters(r)
            specs, ops = self._operands(r, rate, tensors)
            full = "".join(L[s] for s in r.symbols)
            f = self._contract(specs, ops, full)
            out.append(self._scalar(r, rate) * f)
        return out

    def rhs(self, t, x, args=None):
        """dx/dt of the flat state(s) `x` of shape `(*batch, N)`."""
        batch = x.shape[:-1]
        d = {b: jnp.zeros(batch + self.spec.shape(b), x.dtype) for b in self.base_species}
        for r, f in zip(self.spec.parsed(), self.fluxes(x)):
            L = self._letters(r)
            full = "".join(L[s] for s in r.symbols)
            for b, idx, c in r.net_changes():
                out = "".join(L[s] for s in idx)
                d[b] = d[b] + c * jnp.einsum("..." + full + "->..." + out, f)
        return jnp.concatenate([d[b].reshape(batch + (-1,)) for b in self.base_species], axis=-1)

    def destruction_rate(self, x) -> jax.Array:
        """Per-capita destruction rate D ≥ 0 of every species (flat, like `x`).

        D_s = Σ over reactions consuming s of (net consumption) · ∂flux/∂x_s, i.e. minus the
        consuming part of the Jacobian's diagonal (index coincidences such as S[j] = S[k] at
        j = k are ignored). Stiff solvers use −D as a cheap diagonal Jacobian approximation.
        """
        tensors = self.unpack(x)
        rates = self.rate_cache if self.rate_cache is not None else self.rate_tensors()
        batch = x.shape[:-1]
        d = {b: jnp.zeros(batch + self.spec.shape(b), x.dtype) for b in self.base_species}
        for r, rate in zip(self.spec.parsed(), rates):
            L = self._letters(r)
            merged = {(t.species, t.indices): t for t in r.merged_reactants()}
            for b, idx, c in r.net_changes():
                if c >= 0:
                    continue
                term = merged[(b, idx)]
                specs, ops = self._operands(r, rate, tensors, skip=term, power_drop=1)
                out = "".join(L[s] for s in idx)
                g = self._contract(specs, ops, out)
                d[b] = d[b] + (-c) * term.count * self._scalar(r, rate) * g
        return jnp.concatenate([jnp.broadcast_to(d[b], batch + self.spec.shape(b)).reshape(batch + (-1,)) for b in self.base_species], axis=-1)

    # ---- dual rail ------------------------------------------------------------------------------
    def signed(self, x, name: str) -> jax.Array:
        """The signed quantity `name` = `{name}p − {name}n` of state(s) `x`, as a tensor."""
        t = self.unpack(jnp.asarray(x))
        p, n = rails(name)
        if p not in t or n not in t:
            raise IndexedCRNError(f"{name} is not dual-rail here: need base species {p} and {n}")
        return t[p] - t[n]

    # ---- training hooks --------------------------------------------------------------------------
    def trainable(self):
        spec = jax.tree_util.tree_map(lambda _: False, self)
        return eqx.tree_at(lambda m: m.params, spec, jax.tree_util.tree_map(lambda _: True, self.params))

    # ---- listing -------------------------------------------------------------------------------
    def network(self, k_min: float = 0.0, name: str = "crn") -> ReactionNetwork:
        """Every concrete reaction, identical ones merged (rates summed), those with rate > `k_min`.

        Reactions whose rate is 0 and those that change nothing (`A_1 -> A_1` from `A[i] -> A[j]`
        at i = j) are left out; neither contributes to the dynamics.
        """
        sizes, sym_set = self.spec.set_size, self.spec.symbol_set
        rates = [np.asarray(v, dtype=np.float64) for v in self.rate_tensors()]
        reactions = []
        for r, k in zip(self.spec.parsed(), rates):
            syms = r.symbols
            pos = {s: n for n, s in enumerate(syms)}
            for assign in itertools.product(*(range(sizes[sym_set[s]]) for s in syms)):
                kv = float(k[tuple(assign[pos[s]] for s in r.rate.indices)]) if k.ndim else float(k)
                if not kv > 0:
                    continue
                sides = []
                for side in (r.reactants, r.products):
                    d: dict[str, int] = {}
                    for t in side:
                        nm = concrete_name(t.species, [assign[pos[s]] for s in t.indices])
                        d[nm] = d.get(nm, 0) + t.count
                    sides.append(d)
                if sides[0] == sides[1]:
                    continue
                reactions.append(Reaction(sides[0], sides[1], kv))
        reactions = [q for q in merge_reactions(reactions) if q.rate > k_min]
        x0 = np.asarray(self.x0, dtype=np.float64)
        roles = {}
        role_of = dict(self.spec.roles)
        names = self.species
        for b, off, shape in self._layout():
            if b in role_of:
                for n in range(math.prod(shape)):
                    roles[names[off + n]] = role_of[b]
        return ReactionNetwork(names, tuple(reactions), dict(zip(names, x0)), name, roles)

    def reaction_count(self, k_min: float = 0.0) -> int:
        return self.network(k_min).n_reactions

    def __str__(self) -> str:
        lines = [f"# indexed CRN: {len(self.spec.species)} base species, {len(self.spec.reactions)} indexed reactions"]
        lines += [f"{eq}  @ {rate}" for eq, rate in self.spec.reactions]
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Dual-rail helpers
# ---------------------------------------------------------------------------------------------


def rails(name: str) -> tuple[str, str]:
    """The positive and negative rail of signed quantity `name`: (`{name}p`, `{name}n`)."""
    return f"{name}p", f"{name}n"


def dual_rail(species: Mapping[str, Sequence[str]], signed: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Species declarations with each signed quantity in `signed` replaced by its two rails."""
    signed = set(signed)
    out: dict[str, tuple[str, ...]] = {}
    for b, ss in species.items():
        if b in signed:
            p, n = rails(b)
            out[p] = tuple(ss)
            out[n] = tuple(ss)
        else:
            out[b] = tuple(ss)
    missing = signed - set(species)
    if missing:
        raise IndexedCRNError(f"signed quantities {', '.join(sorted(missing))} are not declared species")
    return out


def split_signed(values) -> tuple[jax.Array, jax.Array]:
    """Signed values -> (positive rail, negative rail) = (relu(v), relu(−v))."""
    v = jnp.asarray(values, dtype=jnp.float64)
    return jax.nn.relu(v), jax.nn.relu(-v)


def signed_production(catalysts: Sequence[str], target: str, rate: str, signed: Iterable[str]) -> list[tuple[str, str]]:
    """Reactions making d(target)/dt = rate · Π catalysts, for signed catalysts, target and rate.

    `catalysts` are terms like `"U[i]"`, `target` a term like `"V[j]"`, `rate` a parameter
    term like `"W[i,j]"` whose sign is free; names listed in `signed` are dual-rail. Emits
    one catalytic reaction per rail combination, at `relu(W[..])` or `relu(-W[..])`, whose
    product rail is the product of the signs (the paper's Hopfield network is
    `signed_production(["U[i]"], "U[j]", "W[i,j]", {"U"})`).
    """
    signed = set(signed)
    cats = [parse_side(c, "catalyst")[0] for c in catalysts]
    tgt = parse_side(target, "target")[0]
    m = re.fullmatch(r"\s*([A-Za-z][A-Za-z0-9]*)\s*(\[[^\]]*\])?\s*", rate)
    if not m:
        raise IndexedCRNError(f"rate {rate!r} must be a parameter term like W[i,j]")
    rate_term = m.group(1) + (m.group(2) or "")

    def term(t: Term, sign: int) -> str:
        base = rails(t.species)[0 if sign > 0 else 1] if t.species in signed else t.species
        return str(Term(base, t.indices, t.count))

    out = []
    choices = [(1, -1) if c.species in signed else (1,) for c in cats]
    for signs in itertools.product(*choices):
        for rsign in (1, -1):
            s = rsign * math.prod(signs)
            if tgt.species not in signed and s < 0:
                continue
            left = " + ".join(term(c, sg) for c, sg in zip(cats, signs))
            eq = f"{left} -> {left} + {term(tgt, s)}" if left else f"-> {term(tgt, s)}"
            out.append((eq, f"relu({'-' if rsign < 0 else ''}{rate_term})"))
    return out


def annihilation(name: str, indices: str = "", rate: float | str = 1.0) -> tuple[str, float | str]:
    """`{name}p[idx] + {name}n[idx] -> ∅` at `rate` (cancels the two rails of a signed quantity)."""
    p, n = rails(name)
    idx = f"[{indices}]" if indices else ""
    return (f"{p}{idx} + {n}{idx} ->", rate)


@register_builder("indexed")
def _build_indexed(config: Mapping[str, Any]) -> IndexedCRN:
    return IndexedCRN.from_config(config)
