"""Write a `ReactionNetwork` in the formats other tools read.

`export(network, fmt, path=None, scale=None)` picks one of `FORMATS`; each format is
also a function of its own:

- `to_txt`: the plain listing `A + C -> B + C  k=0.794` (read back by
  `crnzoo.network.parse_reactions`, or fully by `from_txt`);
- `to_json` / `from_json`: a self-describing document that round-trips;
- `to_csv`: one row per reaction for spreadsheets;
- `to_sbml`: SBML L3V2 (python-libsbml), unit-consistent, simulates to the network's ODE;
- `to_antimony`: Tellurium's Antimony text (irreversible `=>` reactions);
- `to_dsd`: Nuskell formal-CRN text for DNA strand-displacement compilation;
- `to_png`: a picture of the network (matplotlib, Agg).

Networks are dimensionless; a `Scale` (e.g. `Scale.parse("50nM,1s")`) writes
concentrations in nM and rate constants in nM^(1-m)/s instead. Every format states
its units and largest molecularity in a header, names each reaction above
bimolecular in a WARNING line, and emits one `UserWarning` naming them.
"""

from __future__ import annotations

import os

from ..network import ReactionNetwork
from ..outputs import write_text
from .antimony import to_antimony as to_antimony
from .clock import ClockSchedule as ClockSchedule, check_clock, commented, insert_after_header, lab_network as lab_network
from .dsd import to_dsd as to_dsd
from .header import Header as Header, make_header as make_header
from .jsonio import from_json as from_json, to_dict as _to_dict, to_json as to_json
from .picture import to_png as to_png
from .sbml import to_sbml as to_sbml
from .scale import Scale as Scale
from .table import to_csv as to_csv
from .text import from_txt as from_txt, to_text as to_text, to_txt as to_txt


FORMATS: tuple[str, ...] = ("txt", "json", "csv", "sbml", "antimony", "dsd", "png")

_WRITERS = {
    "txt": to_txt,
    "json": to_json,
    "csv": to_csv,
    "sbml": to_sbml,
    "antimony": to_antimony,
    "dsd": to_dsd,
}


def export(
    network: ReactionNetwork,
    fmt: str,
    path: str | os.PathLike | None = None,
    scale: Scale | str | None = None,
    boundary=(),
    clock: ClockSchedule | None = None,
) -> str | None:
    """Write `network` in format `fmt` (one of `FORMATS`).

    Returns the text, or, when `path` is given, writes it there (UTF-8) and returns
    None. `png` needs a `path`. `scale` is a `Scale`, a text such as `"50nM,1s"`, or
    None for dimensionless units. `boundary`: species written as SBML boundary species
    (inputs the experimenter holds and switches; the `sbml` and `antimony` formats mark them).
    `clock`: a `ClockSchedule` for a clock-gated network (`lab_network`): SBML and Antimony
    carry it as an event, the other text formats state it in their header (JSON: `clock`).
    Raises `ValueError` for an unknown format.
    """
    key = str(fmt).lower().lstrip(".")
    if key not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; formats are {', '.join(FORMATS)}")
    if isinstance(scale, str):
        scale = Scale.parse(scale)
    if key == "png":
        if path is None:
            raise ValueError("format 'png' writes a file: give a path")
        to_png(network, path, scale)
        return None
    check_clock(network, clock)
    if key == "sbml":
        text = to_sbml(network, scale, boundary, clock)
    elif key == "antimony":
        text = to_antimony(network, scale, boundary, clock)
    elif key == "json" and clock is not None:
        text = to_json_clocked(network, scale, clock)
    else:
        text = insert_after_header(_WRITERS[key](network, scale), commented(clock, scale, "# "), "# ")
    if path is None:
        return text
    write_text(path, text)
    return None


def to_json_clocked(network: ReactionNetwork, scale: Scale | None, clock: ClockSchedule) -> str:
    """`to_json` with the clock schedule as a `clock` object."""
    import json

    to_json(network, scale)  # its warnings
    doc = {**_to_dict(network, scale), "clock": clock.to_dict(scale)}
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


__all__ = [
    "FORMATS",
    "ClockSchedule",
    "lab_network",
    "Header",
    "Scale",
    "export",
    "from_json",
    "from_txt",
    "make_header",
    "to_antimony",
    "to_csv",
    "to_dsd",
    "to_json",
    "to_png",
    "to_sbml",
    "to_text",
    "to_txt",
]
