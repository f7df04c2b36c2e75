"""CSV: one row per reaction, for spreadsheets and lab notebooks.

Columns `id,reactants,products,rate,rate_unit,molecularity`, sides written as
`A + C` (coefficients as `2A`, an empty side as an empty cell). The header, with each
species' initial concentration and role, comes first as `#` comment lines.
"""

from __future__ import annotations

import csv
import io

from ..network import ReactionNetwork
from .header import make_header, warn_above_bimolecular
from .naming import side_text
from .scale import Scale, rate_unit, rate_value


COLUMNS = ("id", "reactants", "products", "rate", "rate_unit", "molecularity")


def to_csv(network: ReactionNetwork, scale: Scale | None = None) -> str:
    """The reactions as CSV text preceded by `#` header comments (rates at full precision)."""
    warn_above_bimolecular(network, "csv")
    buf = io.StringIO()
    buf.write(make_header(network, scale, species=True).commented("# "))
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for label, r in zip(network.labels(), network.reactions):
        writer.writerow(
            [
                label,
                side_text(r.reactants),
                side_text(r.products),
                repr(rate_value(scale, r.rate, r.molecularity)),
                rate_unit(scale, r.molecularity),
                r.molecularity,
            ]
        )
    return buf.getvalue()
