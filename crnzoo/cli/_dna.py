"""What `crnzoo implement` compiles for an entry and how its function is read out at the DNA level.

Hub-level (it reads the tasks): `formal_network` gives the sparsified network to compile
(for a membrane ring, one chamber: diffusion between chambers is not a chemical reaction a
strand-displacement gate implements, and the chambers' reaction networks are identical);
`function_cases` gives the entry's read-out over several initial states where its function
is more than one run (seven-segment's 16 digits, the ADC's 8 bin centres).
"""

from __future__ import annotations

import dataclasses

from ..dna.function import Cases
from ..network import ReactionNetwork


def parse_leak(text: str) -> tuple[float, ...] | str:
    """`--leak`: "walk" (bracket the tolerance, `crnzoo.dna.leak.leak_walk`), "none", or
    comma-separated increasing rates in /nM/s."""
    if text.strip().lower() == "none":
        return ()
    if text.strip().lower() == "walk":
        return "walk"
    try:
        rates = tuple(float(t) for t in text.split(",") if t.strip())
    except ValueError:
        raise ValueError(f"--leak: give increasing rates in /nM/s separated by commas, walk, or none; got {text!r}") from None
    if not rates or any(r <= 0 for r in rates) or list(rates) != sorted(rates):
        raise ValueError(f"--leak: give increasing positive rates in /nM/s, or none; got {text!r}")
    return rates


def formal_network(entry, model, name: str) -> tuple[ReactionNetwork, str]:
    """The network to compile and a note on what it is (empty for the whole network)."""
    net = model.network(entry.k_report, name=name)
    if entry.family != "wta_ring":
        return net, ""
    species = tuple(s for s in net.species if s.endswith("_0"))
    keep = set(species)
    reactions = tuple(r for r in net.reactions if r.species() <= keep)
    initial = {s: v for s, v in net.initial.items() if s in keep}
    roles = {s: v for s, v in (net.roles or {}).items() if s in keep}
    sub = dataclasses.replace(net, species=species, reactions=reactions, initial=initial, roles=roles)
    return sub, f"chamber 0 of {len(net.species) // max(1, len(species))} (no diffusion): {len(reactions)} of {net.n_reactions} reactions"


def function_cases(entry, model, formal: ReactionNetwork) -> Cases | None:
    """The entry's read-out over its input cases, or None for the family's default check."""
    if entry.family == "seven_segment":
        from ..tasks import seven_segment as ss

        x0s = ss.initial_states(ss.LOW, ss.HIGH, len(model.species))
        return Cases("16 digits", tuple(dict(zip(model.species, map(float, x))) for x in x0s), ss.OUTPUTS, 0.5 * (ss.LOW + ss.HIGH))
    if entry.family == "adc":
        from ..tasks import adc

        x0s = adc.states_for(adc.bin_centres(), [float(v) for v in model.x0])
        return Cases("8 bin centres", tuple(dict(zip(model.species, map(float, x))) for x in x0s), adc.OUTPUTS, None)
    return None
