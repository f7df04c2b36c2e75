"""Domain-level designs: domains, strands and complexes with initial concentrations (nM).

A `Design` is what a translation scheme (`crnzoo.dna.schemes`) produces from a formal CRN
and what the PIL writer, the enumerator and the DNA-level simulation read. Complexes are
written in kernel notation (`a( b + ) c*`): every domain carries one structure mark,
`(` opening a pair, `)` closing the most recent open one, `.` unpaired; `+` separates strands.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

# Structure marks of one domain in a strand.
PAIRED_OPEN, PAIRED_CLOSE, UNPAIRED = "(", ")", "."

Strand = tuple[tuple[str, str], ...]  # ((domain, mark), ...) 5' -> 3'; a domain ending in '*' is a complement


def strand(*items: tuple[str, str]) -> Strand:
    """A strand from (domain, mark) pairs, 5' to 3'."""
    return tuple(items)


@dataclasses.dataclass(frozen=True)
class Complex:
    """A named complex of one or more strands, with its initial concentration.

    **Fields:**

    - `name`: PIL identifier (also the species name in the enumerated network).
    - `strands`: the strands, 5' to 3', each domain with its structure mark.
    - `conc_nM`: initial concentration in nM (0 for species that only appear later).
    - `kind`: `signal` (a formal species' strand), `gate`, `translator`, `buffer`, `fuel`.
    - `formal`: the formal species a signal strand stands for (None otherwise).
    - `reaction`: index of the formal reaction this complex belongs to (None for inputs).
    """

    name: str
    strands: tuple[Strand, ...]
    conc_nM: float = 0.0
    kind: str = "signal"
    formal: str | None = None
    reaction: int | None = None

    def kernel(self) -> str:
        """Kernel notation, e.g. `b( c( + ) ) a*`; raises ValueError on unbalanced structure."""
        parts, depth = [], 0
        for i, s in enumerate(self.strands):
            if i:
                parts.append("+")
            for dom, mark in s:
                if mark == PAIRED_OPEN:
                    parts.append(f"{dom}(")
                    depth += 1
                elif mark == PAIRED_CLOSE:
                    parts.append(")")
                    depth -= 1
                    if depth < 0:
                        raise ValueError(f"complex {self.name}: ')' without a matching '('")
                elif mark == UNPAIRED:
                    parts.append(dom)
                else:
                    raise ValueError(f"complex {self.name}: unknown structure mark {mark!r}")
        if depth:
            raise ValueError(f"complex {self.name}: {depth} unclosed '('")
        return " ".join(parts)

    def domains(self) -> list[str]:
        return [d for s in self.strands for d, _ in s]


@dataclasses.dataclass(frozen=True)
class CompiledReaction:
    """How one formal reaction was compiled.

    - `equation`: the formal reaction, e.g. `A + B -> 2U`.
    - `rate`: its formal rate constant in nM^(1-m)/s at the given scale.
    - `complexes`: names of the gate, translator, buffer and fuel complexes made for it.
    - `fuel_nM`: total initial concentration of those complexes (nM).
    - `products`: names of the signal complexes the reaction releases (for the leak model).
    - `leak_pair`: the gate and fuel complexes whose spurious reaction releases the products
      without the reactants (the leak model of `crnzoo.dna.function.with_leak`).
    """

    equation: str
    rate: float
    molecularity: int
    complexes: tuple[str, ...]
    fuel_nM: float
    products: tuple[str, ...] = ()
    leak_pair: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Design:
    """A domain-level implementation of a formal CRN.

    - `scheme`: the translation scheme's name; `citation`: its paper.
    - `domains`: domain name -> length (nt); complements are `name*`.
    - `complexes`: every named complex (signals, gates, fuels), in PIL order.
    - `reactions`: one `CompiledReaction` per formal reaction.
    - `slowdown`: the DNA implementation runs the formal CRN this many times slower
      (every formal rate constant is divided by it).
    - `q_nM_s`: the toehold-binding rate constant the concentrations were set for, /nM/s.
    - `notes`: sentences on choices a lab should know about.
    """

    scheme: str
    citation: str
    domains: Mapping[str, int]
    complexes: tuple[Complex, ...]
    reactions: tuple[CompiledReaction, ...]
    slowdown: float
    q_nM_s: float
    notes: tuple[str, ...] = ()

    def by_name(self) -> dict[str, Complex]:
        return {c.name: c for c in self.complexes}

    def interpretation(self) -> dict[str, str]:
        """Signal complex name -> the formal species it stands for."""
        return {c.name: c.formal for c in self.complexes if c.formal is not None}

    def fuels(self) -> list[str]:
        """Names of the gate, translator, buffer and fuel complexes (present in excess)."""
        return [c.name for c in self.complexes if c.kind != "signal"]

    def strands(self) -> list[tuple[str, ...]]:
        """Distinct strands (as domain sequences) over all complexes, in first-seen order."""
        seen: dict[tuple[str, ...], None] = {}
        for c in self.complexes:
            for s in c.strands:
                seen.setdefault(tuple(d for d, _ in s), None)
        return list(seen)

    def total_dna_nM(self) -> float:
        """Sum over complexes of concentration × number of strands (nM of strands)."""
        return float(sum(c.conc_nM * len(c.strands) for c in self.complexes))
