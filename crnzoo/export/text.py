"""Plain reaction listing: `A + C -> B + C  k=0.794`, one reaction per line.

The format read by `crnzoo.network.parse_reactions` (which skips `#` comments), with
the common header, the species' initial concentrations and roles, and per-reaction
identifiers and units in comments. `from_txt` reads all of it back.
"""

from __future__ import annotations

import dataclasses
import re

from ..network import ReactionNetwork, parse_reactions
from .header import make_header, warn_above_bimolecular
from .scale import Scale, rate_value


def to_txt(network: ReactionNetwork, scale: Scale | None = None, *, digits: int = 6) -> str:
    """The network as a plain listing (rates printed with `%.{digits}g`).

    With a `scale`, a trailing comment gives the rate's unit as `unit=<unit>`; a
    reaction with a label carries it there too, last, as `id=<label>`. Warns (UserWarning) if any
    reaction is above bimolecular.
    """
    warn_above_bimolecular(network, "txt")
    out = [make_header(network, scale, species=True).commented("# ")]
    for r in network.reactions:
        k = rate_value(scale, r.rate, r.molecularity)
        line = f"{r.equation()}  k={k:.{digits}g}"
        notes = []
        if scale is not None:
            notes.append(f"unit={scale.rate_unit(r.molecularity)}")
        if r.label:
            notes.append(f"id={r.label}")
        if notes:
            line += "  # " + " ".join(notes)
        out.append(line + "\n")
    return "".join(out)


to_text = to_txt  # the name `crnzoo.network.parse_reactions` refers to


_NAME = re.compile(r"^#\s*crnzoo reaction network:\s*(.+?)\s*$")
_SCALE = re.compile(r"^#\s*units:.*\bscale\s+([^\s(]+)")
_SPECIES = re.compile(r"^#\s+([A-Za-z][A-Za-z0-9_]*)\s+initial=(\S+)(?:\s+role=(\S+))?\s*$")
_LABEL = re.compile(r"#.*?\bid=(.+?)\s*$")


def from_txt(text: str, name: str | None = None) -> ReactionNetwork:
    """Read a listing written by `to_txt` back into a (dimensionless) `ReactionNetwork`.

    Uses the header, when present, for the name, species order, initial
    concentrations, roles and scale (rates and concentrations are converted back to
    dimensionless units). Plain listings without a header read as `parse_reactions` does.
    """
    found_name, scale, order, initial, roles = None, None, [], {}, {}
    in_species = False
    for line in text.splitlines():
        if not line.startswith("#"):
            continue
        if m := _NAME.match(line):
            found_name = m.group(1)
        elif m := _SCALE.match(line):
            scale = Scale.parse(m.group(1))
        elif line.rstrip().endswith("species (initial concentration, role):"):
            in_species = True
        elif in_species and (m := _SPECIES.match(line)):
            order.append(m.group(1))
            initial[m.group(1)] = float(m.group(2))
            if m.group(3):
                roles[m.group(1)] = m.group(3)
        else:
            in_species = False
    net = parse_reactions(text, species=order or None, name=name or found_name or "crn")
    labels = [None if (m := _LABEL.search(line)) is None else m.group(1) for line in _reaction_lines(text)]
    reactions = []
    for r, label in zip(net.reactions, labels):
        k = r.rate if scale is None else scale.dimensionless_rate(r.rate, r.molecularity)
        reactions.append(dataclasses.replace(r, rate=k, label=label or ""))
    if scale is not None:
        initial = {s: scale.dimensionless_conc(c) for s, c in initial.items()}
    initial = {s: c for s, c in initial.items() if c != 0.0}
    return dataclasses.replace(net, reactions=tuple(reactions), initial=initial, roles=roles)


def _reaction_lines(text: str) -> list[str]:
    """The lines `parse_reactions` reads as reactions, comments kept."""
    return [line for line in text.splitlines() if line.split("#", 1)[0].strip()]
