"""The description every export starts with, and the above-bimolecular warning.

Each text format writes the same facts in its own comment syntax: the network's
name, its size, its largest molecularity, its units, and a WARNING line naming every
reaction with more than two reactant molecules (DNA strand-displacement compilers
implement only uni- and bimolecular formal reactions).
"""

from __future__ import annotations

import dataclasses
import warnings

from ..network import ReactionNetwork
from .scale import Scale, conc_value, number_text


@dataclasses.dataclass(frozen=True)
class Header:
    """The header of one export.

    **Fields:**

    - `lines`: the header text, one line per entry, without comment markers.
    - `warnings`: the warning lines alone (also contained in `lines`).
    """

    lines: tuple[str, ...]
    warnings: tuple[str, ...]

    def commented(self, prefix: str) -> str:
        """The header as comment lines (`prefix` is `# `, `// `, ...), newline-terminated."""
        return "".join(f"{prefix}{line}".rstrip() + "\n" for line in self.lines)


def units_line(scale: Scale | None) -> str:
    """One line describing the units of the export."""
    if scale is None:
        return (
            "units: dimensionless (model concentration and time units; a rate constant of "
            "molecularity m has units conc^(1-m)/time)"
        )
    return (
        f"units: nM and s, scale {scale} ({scale.describe()}); concentrations in nM, rate "
        f"constants in nM^(1-m)/s for molecularity m (1/s, 1/(nM*s), ...)"
    )


def above_bimolecular_message(network: ReactionNetwork) -> str | None:
    """A sentence naming every reaction above bimolecular, or None when there is none."""
    above = network.above_bimolecular()
    if not above:
        return None
    labels = network.labels()
    named = "; ".join(
        f"{labels[i]}: {network.reactions[i].equation()} (molecularity {network.reactions[i].molecularity})"
        for i in above
    )
    plural = "reaction" if len(above) == 1 else "reactions"
    return (
        f"{len(above)} {plural} above bimolecular (molecularity > 2; DSD compilers need "
        f"uni-/bimolecular reactions): {named}"
    )


def warn_above_bimolecular(network: ReactionNetwork, fmt: str, stacklevel: int = 3) -> None:
    """Emit one `UserWarning` naming the reactions above bimolecular, if any."""
    message = above_bimolecular_message(network)
    if message is not None:
        warnings.warn(f"exporting {network.name!r} as {fmt}: {message}", UserWarning, stacklevel=stacklevel)


def make_header(network: ReactionNetwork, scale: Scale | None, *, species: bool = False) -> Header:
    """Build the header of `network` in `scale` (None = dimensionless).

    With `species=True`, one extra line per species gives its initial concentration
    (in the export's units) and its role, for formats without a species table.
    """
    lines = [
        f"crnzoo reaction network: {network.name}",
        f"{network.n_species} species, {network.n_reactions} reactions, "
        f"maximum molecularity {network.max_molecularity}",
        units_line(scale),
    ]
    message = above_bimolecular_message(network)
    warns = () if message is None else (f"WARNING: {message}",)
    lines += warns
    if species and network.species:
        lines.append("species (initial concentration, role):")
        width = max(len(s) for s in network.species)
        for s in network.species:
            line = f"  {s:<{width}}  initial={number_text(conc_value(scale, network.initial.get(s, 0.0)))}"
            if s in network.roles:
                line += f"  role={network.roles[s]}"
            lines.append(line)
    return Header(tuple(lines), warns)
