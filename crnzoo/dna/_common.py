"""Helpers shared by the translation schemes: domain lengths, Peppercorn's toehold rate,
the molecularity check and the slow-down rounding."""

from __future__ import annotations

import math
from collections.abc import Mapping

from ..network import ReactionNetwork

SHORT_NT = 6  # toehold length (nt)
LONG_NT = 15  # branch-migration / history domain length (nt)
K_NUC_PER_M_S = 3e5  # Peppercorn's bimolecular binding rate per toehold nucleotide, /M/s


class SchemeError(ValueError):
    """A formal CRN the scheme cannot compile (bad input: the CLI exits 2)."""


def toehold_rate_nM_s(length: int = SHORT_NT) -> float:
    """Peppercorn's toehold binding rate for a toehold of `length` nt, in /nM/s."""
    return K_NUC_PER_M_S * length * 1e-9


def _expand(side: Mapping[str, int]) -> list[str]:
    return [s for s, n in side.items() for _ in range(int(n))]


def _check(network: ReactionNetwork, scheme: str) -> None:
    for i, r in enumerate(network.reactions):
        m = r.molecularity
        if m > 2:
            raise SchemeError(
                f"reaction {i} ({r.equation()}) has molecularity {m}: scheme {scheme} compiles uni- and bimolecular reactions only"
            )
        if m == 0:
            raise SchemeError(f"reaction {i} ({r.equation()}) is zero-order (a source): scheme {scheme} needs a reactant")


def _round_up(x: float, digits: int = 3) -> float:
    """`x` rounded up to `digits` significant digits (a slow-down that is never too small)."""
    if x <= 1:
        return 1.0
    e = 10 ** (math.floor(math.log10(x)) - digits + 1)
    return math.ceil(x / e - 1e-9) * e
