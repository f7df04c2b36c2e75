"""JSON: the network as a self-describing document that `from_json` reads back.

Layout::

    {"format": "crnzoo-network", "version": 1, "name": ..., "units": {...},
     "header": [...], "species": [{"id", "initial", "role"}],
     "reactions": [{"id", "reactants", "products", "rate", "rate_unit", "molecularity"}],
     "max_molecularity": ..., "warnings": [...]}

`units` is `{"concentration": "dimensionless", "time": "dimensionless"}` or, with a
scale, `{"concentration": "nM", "time": "s", "scale": "50nM,1s", "concentration_nM": 50,
"time_s": 1}`; `initial` and `rate` are then in nM and nM^(1-m)/s.
"""

from __future__ import annotations

import json
from typing import Any

from ..network import Reaction, ReactionNetwork
from .header import make_header, warn_above_bimolecular
from .scale import Scale, conc_value, rate_unit, rate_value


FORMAT_TAG = "crnzoo-network"


def _units(scale: Scale | None) -> dict[str, Any]:
    if scale is None:
        return {"concentration": "dimensionless", "time": "dimensionless"}
    return {
        "concentration": "nM",
        "time": "s",
        "scale": str(scale),
        "concentration_nM": scale.concentration_nM,
        "time_s": scale.time_s,
    }


def to_dict(network: ReactionNetwork, scale: Scale | None = None) -> dict[str, Any]:
    """The JSON document as Python data (no warning emitted)."""
    header = make_header(network, scale)
    labels = network.labels()
    return {
        "format": FORMAT_TAG,
        "version": 1,
        "name": network.name,
        "units": _units(scale),
        "header": list(header.lines),
        "species": [
            {
                "id": s,
                "initial": conc_value(scale, network.initial.get(s, 0.0)),
                "role": network.roles.get(s),
            }
            for s in network.species
        ],
        "reactions": [
            {
                "id": label,
                "reactants": {s: int(n) for s, n in r.reactants.items()},
                "products": {s: int(n) for s, n in r.products.items()},
                "rate": rate_value(scale, r.rate, r.molecularity),
                "rate_unit": rate_unit(scale, r.molecularity),
                "molecularity": r.molecularity,
            }
            for label, r in zip(labels, network.reactions)
        ],
        "max_molecularity": network.max_molecularity,
        "warnings": list(header.warnings),
    }


def to_json(network: ReactionNetwork, scale: Scale | None = None, *, indent: int | None = 1) -> str:
    """The network as JSON text (rates and concentrations at full float precision)."""
    warn_above_bimolecular(network, "json")
    return json.dumps(to_dict(network, scale), indent=indent, ensure_ascii=False) + "\n"


def from_json(text: str | bytes) -> ReactionNetwork:
    """Read a document written by `to_json` back into a dimensionless `ReactionNetwork`.

    Reaction ids equal to the default `r<i>` become empty labels again, so an
    unlabelled network round-trips unchanged. Raises `ValueError` on a document
    that is not a crnzoo network.
    """
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"not JSON: {e}") from None
    if not isinstance(doc, dict) or "species" not in doc or "reactions" not in doc:
        raise ValueError("not a crnzoo network document: expected an object with 'species' and 'reactions'")
    if doc.get("format", FORMAT_TAG) != FORMAT_TAG:
        raise ValueError(f"not a crnzoo network document: format is {doc.get('format')!r}")
    units = doc.get("units") or {}
    scale = Scale(units["concentration_nM"], units["time_s"]) if "concentration_nM" in units else None
    try:
        species = tuple(s["id"] for s in doc["species"])
        initial, roles = {}, {}
        for s in doc["species"]:
            c = float(s.get("initial", 0.0))
            if c:
                initial[s["id"]] = c if scale is None else scale.dimensionless_conc(c)
            if s.get("role") is not None:
                roles[s["id"]] = s["role"]
        reactions = []
        for i, r in enumerate(doc["reactions"]):
            reactants = {k: int(v) for k, v in r.get("reactants", {}).items()}
            products = {k: int(v) for k, v in r.get("products", {}).items()}
            m = sum(reactants.values())
            k = float(r["rate"]) if scale is None else scale.dimensionless_rate(r["rate"], m)
            label = str(r.get("id", ""))
            reactions.append(Reaction(reactants, products, k, "" if label == f"r{i}" else label))
    except (KeyError, TypeError, AttributeError) as e:
        raise ValueError(f"malformed crnzoo network document: {type(e).__name__}: {e}") from None
    return ReactionNetwork(species, tuple(reactions), initial, name=str(doc.get("name", "crn")), roles=roles)
