"""Clocked circuits: the network a lab runs, and its clock schedule in the exports.

A Neural CRN (`crnzoo.neural.NeuralCRN`) learns in one pot only when its reaction sets are
gated by two clock species: the reactions of phase C1 (N1, N4, flush) carry C1 as a
catalyst, those of phase C2 (N2, N3) carry C2 (`network(clocks=True)`), and the clocks are
square waves the experimenter drives: C1 = 1, C2 = 0 on [0, T), C1 = 0, C2 = 1 on [T, 2T),
and so on. `lab_network(model, k_min, name)` returns that gated network and its
`ClockSchedule` for such a model, and the model's plain `network` (no schedule) otherwise.

The schedule is carried as **SBML events** (not a chemical clock oscillator): one event
`clock_tick`, triggered when `time >= clock_next`, rotates the clock values (C1 takes C2's
value and C2 takes C1's, both read at the trigger time) and advances `clock_next` by the
phase length `clock_phase`. The clocks are boundary species: the reactions read them and
never change them. Antimony gets the same event (`at (time >= clock_next): ...`); the
other formats state the schedule in their header comments (JSON: a `clock` object).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from ..network import ReactionNetwork
from .scale import Scale, number_text

NEXT = "clock_next"  # the SBML/Antimony parameter: time of the next clock switch
PHASE = "clock_phase"  # the SBML/Antimony parameter: length of one clock phase


@dataclasses.dataclass(frozen=True)
class ClockSchedule:
    """Square-wave clocks in rotation.

    **Fields:**

    - `species`: the clock species in phase order (`("C1", "C2")`): during phase i
      species[i] is `high` and the others 0; phase i + 1 follows after `phase` time units.
    - `phase`: the length of one phase (dimensionless model time; a `Scale` turns it into s).
    - `high`: the clock's ON concentration (dimensionless).
    """

    species: tuple[str, ...]
    phase: float
    high: float = 1.0

    def __post_init__(self):
        if len(self.species) < 2:
            raise ValueError(f"a clock schedule needs at least two clock species, got {self.species!r}")
        if not self.phase > 0:
            raise ValueError(f"clock phase length must be > 0, got {self.phase!r}")

    def phase_in(self, scale: Scale | None) -> float:
        """The phase length in the export's time unit (dimensionless, or seconds with a scale)."""
        return self.phase if scale is None else self.phase * scale.time_s

    def lines(self, scale: Scale | None) -> tuple[str, ...]:
        """The schedule in words, for header comments."""
        T = number_text(self.phase_in(scale))
        unit = "" if scale is None else " s"
        phases = "; ".join(
            f"{s} = {number_text(self.high if scale is None else scale.concentration_nM * self.high)}{' nM' if scale else ''} "
            f"on [{i}T, {i + 1}T) mod {len(self.species)}T"
            for i, s in enumerate(self.species)
        )
        return (
            f"clock schedule: square waves of phase length T = {T}{unit}, held by the experimenter "
            f"(never changed by the reactions), others 0: {phases}",
            "each reaction carries its phase's clock species as a catalyst; in SBML/Antimony the "
            f"schedule is an event at time >= {NEXT} that rotates the clocks and adds T to {NEXT}",
        )

    def rotation(self) -> list[tuple[str, str]]:
        """(species, the species whose value it takes) at a clock switch."""
        s = self.species
        return [(s[i], s[i - 1]) for i in range(len(s))]

    def to_dict(self, scale: Scale | None) -> dict:
        return {"species": list(self.species), "phase": self.phase_in(scale), "high": self.high, "carried_as": "events"}


def lab_network(model, k_min: float, name: str) -> tuple[ReactionNetwork, ClockSchedule | None]:
    """The network a lab runs for `model` at threshold `k_min`, and its clock schedule.

    A model with a clock-gated listing (`network(..., clocks=True)`, e.g. a Neural CRN) gives
    that listing and the schedule of its clock species (phase length `model.spec.T`);
    any other model gives `model.network(k_min, name=name)` and None.
    """
    from ..neural import NeuralCRN  # core → core; imported here so export does not load the compiler

    if isinstance(model, NeuralCRN):
        net = model.network(k_min, name=name, clocks=True)
        return net, ClockSchedule(("C1", "C2"), float(model.spec.T))
    return model.network(k_min, name=name), None


def commented(clock: ClockSchedule | None, scale: Scale | None, prefix: str) -> str:
    """The schedule lines as comments (empty without a clock)."""
    return "" if clock is None else "".join(f"{prefix}{line}\n" for line in clock.lines(scale))


def insert_after_header(text: str, lines: str, prefix: str) -> str:
    """`lines` inserted after the leading comment block of `text` (lines starting with `prefix`)."""
    if not lines:
        return text
    rows = text.splitlines(keepends=True)
    i = 0
    while i < len(rows) and rows[i].startswith(prefix.rstrip()):
        i += 1
    return "".join(rows[:i]) + lines + "".join(rows[i:])


def check_clock(network: ReactionNetwork, clock: ClockSchedule | None) -> None:
    """Refuse a schedule whose clock species are not species of `network`."""
    if clock is None:
        return
    missing = [s for s in clock.species if s not in network.species]
    if missing:
        raise ValueError(f"clock species {', '.join(missing)} are not species of {network.name!r}")


def clock_species(clock: ClockSchedule | None) -> Sequence[str]:
    return () if clock is None else clock.species
