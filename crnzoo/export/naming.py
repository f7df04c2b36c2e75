"""Identifiers for formats that need them (SBML SIds, Antimony names).

Species names are already valid identifiers (`ReactionNetwork` checks them), but
reaction labels and model names are free text: they are made into identifiers here,
unique among themselves and distinct from every species name.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping

from ..network import ReactionNetwork


_NOT_ID = re.compile(r"[^A-Za-z0-9_]")


def identifier(text: str, prefix: str = "x") -> str:
    """`text` as an identifier: letters, digits and `_`, not starting with a digit."""
    out = _NOT_ID.sub("_", str(text))
    if not out or not (out[0].isalpha() or out[0] == "_"):
        out = f"{prefix}_{out}" if out else prefix
    return out


def _unique(name: str, taken: set[str]) -> str:
    out, n = name, 1
    while out in taken:
        out, n = f"{name}_{n}", n + 1
    taken.add(out)
    return out


@dataclasses.dataclass(frozen=True)
class Identifiers:
    """Identifiers of one network's model, compartment, reactions and rate parameters.

    **Fields:**

    - `model`: the model id (the network's name as an identifier).
    - `compartment`: the single compartment's id (`tube` unless a species is called so).
    - `reactions`: one id per reaction (its label as an identifier).
    - `parameters`: one rate-constant id per reaction (`k_<reaction id>`).
    """

    model: str
    compartment: str
    reactions: tuple[str, ...]
    parameters: tuple[str, ...]


def identifiers(network: ReactionNetwork) -> Identifiers:
    """Unique identifiers for everything `network` needs besides its species."""
    taken = set(network.species)
    compartment = _unique("tube", taken)
    reactions = tuple(_unique(identifier(label, "r"), taken) for label in network.labels())
    parameters = tuple(_unique(f"k_{r}", taken) for r in reactions)
    return Identifiers(identifier(network.name, "crn"), compartment, reactions, parameters)


def side_text(side: Mapping[str, int], joiner: str = "") -> str:
    """One side of a reaction: `A + 2B` (`joiner` goes between a coefficient and its name)."""
    return " + ".join(f"{int(n)}{joiner}{s}" if n > 1 else s for s, n in side.items())
