"""Formal-CRN text as DNA strand-displacement compilers (Nuskell) read it.

One statement per line::

    # header
    A + B -> 2U [k = 1.0]
    U -> [k = 0.5]
    A @ initial 0.6

Reactions are irreversible `->` with an optional empty side and coefficients as `2A`;
initial amounts are `X @ initial <value>` statements (only nonzero ones: Nuskell's
default is 0). Nuskell's grammar separates statements by newlines, or by `;` within
one line; a `;` at the end of a line is a parse error there, so `one_line=True`
gives the `;`-separated single-line form (e.g. for `echo "..." | nuskell`) instead.
Numbers are written as Nuskell's and crnverifier's parser reads them: an integral value
as an integer (`1`, not `1.0`, which that parser refuses), any other at 12 significant
digits (`0.006`, not `0.006000000000000002`; `1.5e-07`).
"""

from __future__ import annotations

from ..network import ReactionNetwork
from .header import make_header, warn_above_bimolecular
from .naming import side_text
from .scale import Scale, conc_value, rate_value


def number(x: float) -> str:
    """`x` as the formal-CRN grammar reads it: `1`, `0.5`, `0.333333333333`, `1.5e-07`."""
    x = float(x)
    if x.is_integer():
        return str(int(x))
    return f"{x:.12g}"


def statements(network: ReactionNetwork, scale: Scale | None = None) -> list[str]:
    """The formal-CRN statements (reactions, then nonzero initial amounts), without separators."""
    out = []
    for r in network.reactions:
        lhs, rhs = side_text(r.reactants), side_text(r.products)
        eq = f"{lhs} -> {rhs}".strip()
        out.append(f"{eq} [k = {number(rate_value(scale, r.rate, r.molecularity))}]")
    for s in network.species:
        c = conc_value(scale, network.initial.get(s, 0.0))
        if c:
            out.append(f"{s} @ initial {number(c)}")
    return out


def to_dsd(network: ReactionNetwork, scale: Scale | None = None, *, one_line: bool = False) -> str:
    """The network as Nuskell formal-CRN text with a `#` comment header.

    Without a scale, rates and amounts are dimensionless; with one, amounts are in nM
    and rates in nM^(1-m)/s. Warns (UserWarning) if any reaction is above
    bimolecular: Nuskell's translation schemes expect a formal (uni-/bimolecular) CRN.
    """
    warn_above_bimolecular(network, "dsd")
    body = statements(network, scale)
    text = make_header(network, scale).commented("# ")
    if not body:
        return text
    return text + ("; ".join(body) + "\n" if one_line else "".join(f"{line}\n" for line in body))
