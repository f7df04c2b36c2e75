"""Helpers shared by the translation schemes: domain lengths, Peppercorn's toehold rate,
the molecularity check and the slow-down rounding."""

from __future__ import annotations

import math
from collections.abc import Mapping

from ..network import ReactionNetwork

SHORT_NT = 6  # toehold length (nt)
LONG_NT = 15  # branch-migration / history domain length (nt)
K_NUC_PER_M_S = 3e5  # Peppercorn's bimolecular binding rate per toehold nucleotide, /M/s
# Peppercorn's condensed rate (/nM/s) of a strand opening a Soloveichik-2010 gate through a
# toehold of n nt (binding x the chance that 15-nt branch migration beats the toehold's
# fall-off), as its enumeration reports it (tests/test_dna_sources.py checks the table
# against Peppercorn). The toehold-strength classes of the paper: only zero-order sources use
# the weak ones; implement() replaces the estimate by the enumerated rate.
CONDENSED_RATE_NM_S = {6: 1.646e-3, 5: 6.326e-4, 4: 5.900e-5, 3: 3.506e-6, 2: 1.996e-7, 1: 1.132e-8}


class SchemeError(ValueError):
    """A formal CRN the scheme cannot compile (bad input: the CLI exits 2)."""


def toehold_rate_nM_s(length: int = SHORT_NT) -> float:
    """Peppercorn's toehold binding rate for a toehold of `length` nt, in /nM/s."""
    return K_NUC_PER_M_S * length * 1e-9


def _expand(side: Mapping[str, int]) -> list[str]:
    return [s for s, n in side.items() for _ in range(int(n))]


def _check(network: ReactionNetwork, scheme: str, sources: bool = False) -> None:
    for i, r in enumerate(network.reactions):
        m = r.molecularity
        if m > 2:
            raise SchemeError(
                f"reaction {i} ({r.equation()}) has molecularity {m}: scheme {scheme} compiles uni- and bimolecular reactions only"
            )
        if m == 0 and not sources:
            raise SchemeError(
                f"reaction {i} ({r.equation()}) is zero-order (a source): scheme {scheme} has one toehold class; "
                "soloveichik2010 compiles sources with a weak toehold"
            )


def _round_up(x: float, digits: int = 3) -> float:
    """`x` rounded up to `digits` significant digits (a slow-down that is never too small)."""
    if x <= 1:
        return 1.0
    e = 10 ** (math.floor(math.log10(x)) - digits + 1)
    return math.ceil(x / e - 1e-9) * e
