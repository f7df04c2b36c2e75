"""Antimony: the human-readable model language of Tellurium, convertible to SBML.

Reactions are written irreversible (`=>`: in Antimony `->` makes an SBML reaction
with reversible="true"), with mass-action rate laws `k_r0*A*C` on concentrations in
one compartment `tube` of volume 1, so the model's ODE is the network's. Units, when
scaled, are given in comments; the header is written as `//` comments.
"""

from __future__ import annotations

import warnings

from ..network import ReactionNetwork
from .header import make_header, warn_above_bimolecular
from .naming import identifiers, side_text
from .clock import NEXT, PHASE, ClockSchedule, check_clock, commented
from .scale import Scale, conc_value, number_text, rate_value


# Names Antimony reads as keywords or built-in symbols (a species so named breaks the model).
_RESERVED = frozenset(
    "model module end species compartment in at after function import var const ext formula "
    "reaction gene operator DNA unit has is delete event time priority fromTrigger persistent "
    "t0 and or not xor true false pi exponentiale avogadro infinity notanumber inf nan "
    "substanceOnly else".split()
)


def to_antimony(network: ReactionNetwork, scale: Scale | None = None, boundary=(), clock: ClockSchedule | None = None) -> str:
    """The network as an Antimony model (`model <name> ... end`).

    Species in `boundary` (inputs the experimenter holds, e.g. a gate's `X_hi`) are marked
    `$X_hi`: boundary species that the reactions read but never change, as in the SBML export.
    A `clock` schedule becomes the event `clock_tick` (as in the SBML export; its clocks `$C1`).

    Warns (UserWarning) if any reaction is above bimolecular, and if a species name
    is an Antimony keyword (such a model will not load).
    """
    warn_above_bimolecular(network, "antimony")
    reserved = sorted(set(network.species) & _RESERVED)
    if reserved:
        warnings.warn(
            f"species {', '.join(reserved)} of {network.name!r} are Antimony keywords; the Antimony "
            "text will not load (use the SBML export)",
            UserWarning,
            stacklevel=2,
        )
    ids = identifiers(network)
    check_clock(network, clock)
    held = set(boundary) | set(clock.species if clock else ())
    unknown = held - set(network.species)
    if unknown:
        raise ValueError(f"boundary species {', '.join(sorted(unknown))} are not in {network.name!r}")
    mark = {s: f"${s}" if s in held else s for s in network.species}
    out = [make_header(network, scale).commented("// "), commented(clock, scale, "// ")]
    out.append(f"model {ids.model}\n")
    out.append(f"  compartment {ids.compartment} = 1;\n")
    for s in network.species:
        role = f"  // {network.roles[s]}" if s in network.roles else ""
        value = number_text(conc_value(scale, network.initial.get(s, 0.0)))
        out.append(f"  species {mark[s]} in {ids.compartment} = {value};{role}\n")
    if network.reactions:
        out.append("\n")
    for j, r in enumerate(network.reactions):
        law = "*".join([ids.parameters[j]] + [s for s, n in r.reactants.items() for _ in range(int(n))])
        lhs = side_text({mark[s]: n for s, n in r.reactants.items()}, " ")
        rhs = side_text({mark[s]: n for s, n in r.products.items()}, " ")
        equation = " => ".join((lhs, rhs)).strip()
        out.append(f"  {ids.reactions[j]}: {equation}; {law};\n")
    if network.reactions:
        out.append("\n")
    for j, r in enumerate(network.reactions):
        unit = f"  // {scale.rate_unit(r.molecularity)}" if scale is not None else ""
        out.append(f"  {ids.parameters[j]} = {number_text(rate_value(scale, r.rate, r.molecularity))};{unit}\n")
    if clock is not None:
        T = number_text(clock.phase_in(scale))
        rotate = ", ".join(f"{t} = {s}" for t, s in clock.rotation())
        out.append(f"\n  {PHASE} = {T};\n  var {NEXT} = {T};\n")
        out.append(f"  clock_tick: at (time >= {NEXT}), t0 = false, fromTrigger = true: {rotate}, {NEXT} = {NEXT} + {PHASE};\n")
    out.append("end\n")
    return "".join(out)
