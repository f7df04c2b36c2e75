"""Compile polynomial vector ODEs into mass-action reactions (the Neural CRNs' canonic mechanism).

Nagipogu & Reif, "Neural CRNs" (arXiv 2409.00034 v2), §2 and SI Alg. S1. A polynomial ODE
system is written with `Poly` (a sum of monomials of named scalar variables). Each variable is held by one species
(single rail, value >= 0) or two (dual rail, value = [V_p] − [V_m]). Every signed
monomial becomes **one catalytic reaction** whose reactants are its factors:

- it raises the differential variable v: produce `V_p` (or, if `V_m` is a reactant,
  consume one `V_m` — the Type-V form that keeps the rails bounded);
- it lowers v: consume one `V_p` if `V_p` is a reactant (a KDE term), else produce `V_m`
  (dual rail) — a single-rail variable lowered by a monomial without itself as a factor
  is not a kinetic differential equation and is refused.

`parity = -1` inverts every sign (the backward phase runs the adjoint ODEs in forward
time). Rates are the monomials' |coefficients|; identical reactions are merged and
reactions with identical reactants and rate are merged into one fan-out reaction.

**Rate-law convention.** crnzoo's mass action (like SBML) gives `2Z -> Z` at rate k the
flux k·Z². Catalyst.jl, which the authors' code uses, divides by n! per reactant
multiplicity. `convention="paper"` compiles the ODE as written (dz/dt = θx − z⊙z);
`convention="catalyst"` compiles the ODE the authors' reaction files realise (every
monomial divided by Π n_v! over its variables' multiplicities: θx − ½z⊙z, θx − z³/6).
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from ..network import Reaction

CONVENTIONS = ("paper", "catalyst")


class MolecularityError(ValueError):
    """A compiled reaction needs more reactant molecules than allowed."""


class NotKineticError(ValueError):
    """A polynomial ODE cannot be realised with the requested rails (a negative cross-effect)."""


Monomial = tuple[str, ...]  # sorted variable names, repeated by power


@dataclasses.dataclass(frozen=True)
class Poly:
    """A polynomial in named scalar variables: monomial (sorted tuple of names) -> coefficient."""

    terms: Mapping[Monomial, float] = dataclasses.field(default_factory=dict)

    @staticmethod
    def var(name: str) -> "Poly":
        return Poly({(name,): 1.0})

    @staticmethod
    def const(c: float) -> "Poly":
        return Poly({(): float(c)} if c else {})

    def _clean(self, terms) -> "Poly":
        return Poly({m: c for m, c in terms.items() if c != 0.0})

    def __add__(self, other) -> "Poly":
        other = other if isinstance(other, Poly) else Poly.const(other)
        out = dict(self.terms)
        for m, c in other.terms.items():
            out[m] = out.get(m, 0.0) + c
        return self._clean(out)

    __radd__ = __add__

    def __neg__(self) -> "Poly":
        return Poly({m: -c for m, c in self.terms.items()})

    def __sub__(self, other) -> "Poly":
        return self + (-(other if isinstance(other, Poly) else Poly.const(other)))

    def __mul__(self, other) -> "Poly":
        if not isinstance(other, Poly):
            return self._clean({m: c * float(other) for m, c in self.terms.items()})
        out: dict[Monomial, float] = {}
        for m1, c1 in self.terms.items():
            for m2, c2 in other.terms.items():
                m = tuple(sorted(m1 + m2))
                out[m] = out.get(m, 0.0) + c1 * c2
        return self._clean(out)

    __rmul__ = __mul__

    def __pow__(self, n: int) -> "Poly":
        out = Poly.const(1.0)
        for _ in range(int(n)):
            out = out * self
        return out

    def diff(self, name: str) -> "Poly":
        """∂/∂name."""
        out: dict[Monomial, float] = {}
        for m, c in self.terms.items():
            k = m.count(name)
            if k:
                rest = list(m)
                rest.remove(name)
                mm = tuple(rest)
                out[mm] = out.get(mm, 0.0) + c * k
        return self._clean(out)

    def rename(self, mapping: Mapping[str, str]) -> "Poly":
        out: dict[Monomial, float] = {}
        for m, c in self.terms.items():
            mm = tuple(sorted(mapping.get(v, v) for v in m))
            out[mm] = out.get(mm, 0.0) + c
        return self._clean(out)

    def variables(self) -> set[str]:
        return {v for m in self.terms for v in m}

    def degree(self) -> int:
        return max((len(m) for m in self.terms), default=0)

    def catalyst_scaled(self) -> "Poly":
        """Every monomial divided by Π n_v! (Catalyst's combinatoric rate law)."""
        return Poly({m: c / math.prod(math.factorial(n) for n in Counter(m).values()) for m, c in self.terms.items()})

    def evaluate(self, values: Mapping[str, object]):
        """The polynomial's value given each variable's value (numbers or JAX arrays)."""
        total = 0.0
        for m, c in self.terms.items():
            term = c
            for v in m:
                term = term * values[v]
            total = total + term
        return total

    def __str__(self) -> str:
        if not self.terms:
            return "0"
        return " + ".join(f"{c:g}" + "".join(f"·{v}" for v in m) for m, c in self.terms.items()).replace("+ -", "- ")


@dataclasses.dataclass(frozen=True)
class Rails:
    """How variables map to species: `species[var]` is the species name stem, `dual[var]` its rail count.

    A single-rail variable `v` is species `S`; a dual-rail one is `S_p`, `S_m`.
    """

    stem: Mapping[str, str]
    dual: Mapping[str, bool]

    def species(self, var: str) -> list[str]:
        s = self.stem[var]
        return [f"{s}_p", f"{s}_m"] if self.dual[var] else [s]

    def signed(self, var: str) -> list[tuple[str, int]]:
        s = self.stem[var]
        return [(f"{s}_p", 1), (f"{s}_m", -1)] if self.dual[var] else [(s, 1)]


def compile_ode(
    equations: Sequence[tuple[str, Poly]],
    rails: Rails,
    parity: int = 1,
    convention: str = "paper",
    label: str = "",
) -> list[Reaction]:
    """Reactions whose mass-action kinetics realise dv/dt = parity·rhs for each `(v, rhs)`.

    Dual-rail values are exact in the difference of the rails; single-rail variables must
    obey the kinetic restriction (a negative monomial contains the variable itself).
    """
    if convention not in CONVENTIONS:
        raise ValueError(f"unknown rate-law convention {convention!r}; choose {', '.join(CONVENTIONS)}")
    if parity not in (1, -1):
        raise ValueError("parity must be +1 or -1")
    out: list[Reaction] = []
    for var, rhs in equations:
        poly = rhs.catalyst_scaled() if convention == "catalyst" else rhs
        for mono, coeff in poly.terms.items():
            # expand each factor over its rails
            combos: list[tuple[tuple[str, ...], int]] = [((), 1)]
            for v in mono:
                combos = [(c + (s,), sign * sg) for c, sign in combos for s, sg in rails.signed(v)]
            merged: dict[tuple[str, ...], int] = {}
            for c, sign in combos:
                key = tuple(sorted(c))
                merged[key] = merged.get(key, 0) + sign
            for reactants, count in merged.items():
                if count == 0:
                    continue
                effect = parity * count * coeff  # contribution to dv/dt of this reactant multiset
                rate = abs(effect)
                cat = Counter(reactants)
                prod = Counter(reactants)
                if rails.dual[var]:
                    vp, vm = rails.species(var)
                    up, down = (vp, vm) if effect > 0 else (vm, vp)
                    if down in cat:  # consume the opposite rail (it is a factor)
                        prod[down] -= 1
                    else:
                        prod[up] += 1
                else:
                    (vs,) = rails.species(var)
                    if effect > 0:
                        prod[vs] += 1
                    elif vs in cat:
                        prod[vs] -= 1
                    else:
                        raise NotKineticError(
                            f"d{var}/dt has the negative term {effect:+g}·{'·'.join(reactants) or '1'} without {var} as a factor: "
                            f"{var} must be dual-rail"
                        )
                out.append(Reaction(dict(cat), {s: n for s, n in prod.items() if n > 0}, rate, label))
    return merge(out)


def merge(reactions: Iterable[Reaction]) -> list[Reaction]:
    """Sum identical reactions, then fuse reactions with the same reactants and rate whose net
    effects are pure production into one fan-out reaction (`B -> B + Z1`, `B -> B + Z2` at
    the same rate become `B -> B + Z1 + Z2`)."""
    same: dict[tuple, Reaction] = {}
    for r in reactions:
        key = (tuple(sorted(r.reactants.items())), tuple(sorted(r.products.items())))
        if key in same:
            same[key] = dataclasses.replace(same[key], rate=same[key].rate + r.rate)
        else:
            same[key] = r
    fused: dict[tuple, Reaction] = {}
    order: list[tuple] = []
    for key, r in same.items():
        produces = all(r.products.get(s, 0) >= n for s, n in r.reactants.items())
        fkey = (key[0], round(r.rate, 12), r.label) if produces else (key, None, None)
        if fkey in fused:
            old = fused[fkey]
            new = dict(old.products)
            for s, n in r.products.items():
                new[s] = new.get(s, 0) + n - r.reactants.get(s, 0)
            fused[fkey] = dataclasses.replace(old, products=new)
        else:
            fused[fkey] = r
            order.append(fkey)
    return [fused[k] for k in order]


def check_molecularity(reactions: Sequence[Reaction], allowed: int, where: str) -> None:
    """Raise `MolecularityError` naming the first reaction with more than `allowed` reactants."""
    for r in reactions:
        if r.molecularity > allowed:
            raise MolecularityError(
                f"{where} needs the {r.molecularity}-molecular reaction {r.equation()} but at most {allowed} "
                f"reactant molecules are allowed: lower the polynomial degree of f_θ (e.g. the quadratic "
                f"nonlinearity) or allow max_molecularity={r.molecularity}"
            )
