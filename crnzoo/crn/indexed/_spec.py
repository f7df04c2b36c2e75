"""`IndexedSpec`, the static structure of an indexed CRN (index sets, symbols, species,
reactions, parameters, roles), and `check_spec`, which validates it."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from ...network import ROLES
from ._parse import _NAME, _SYMBOL, IndexedCRNError, IndexedReaction, parse_rate, parse_reaction


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


def check_spec(
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

