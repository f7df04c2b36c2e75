"""Leak tolerance of a DNA implementation: a measured bracket and the back-of-envelope bound.

`leak_walk` finds where the entry's function stops holding at the DNA level as the leak
rate (gate_i + fuel_i -> products of formal reaction i, /nM/s; `function.with_leak`) grows:
decade steps from a start rate up (while it holds) or down (while it fails), then one
half-decade step between the last rate that holds and the first that fails. The result is
a bracket "holds at L, fails at U" (U/L = sqrt(10)), not a sweep that starts above it.

`leak_estimate` says why the bracket sits where it does: over the experiment (the entry's
horizon t1 x the time unit x the scheme's slow-down) a leak reaction between gate L_i and
translator T_i, both at micromolar concentrations, releases k_leak [L_i][T_i] x duration
of reaction i's products; the read-out breaks when that reaches the threshold
eps x (one concentration unit). Hence k* ~ eps c / (max over species of the summed
[L_i][T_i] of the reactions producing it x duration).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from .design import Design

FLOOR, CEIL = 1e-18, 1e-6  # /nM/s: the walk's range (1e-6 /nM/s = 1e3 /M/s is a very leaky system)


def leak_walk(holds: Callable[[float], bool], start: float = 1e-12) -> tuple[float | None, float | None, list[tuple[float, bool]]]:
    """Bracket the leak tolerance: `holds(k)` runs the function check at leak k (/nM/s).

    Returns (largest rate tested that holds, smallest rate tested that fails, every (rate,
    holds) in test order). Either end is None when the walk ran out of range (FLOOR, CEIL).
    """
    tried: list[tuple[float, bool]] = []

    def test(k: float) -> bool:
        ok = bool(holds(k))
        tried.append((k, ok))
        return ok

    k, good, bad = start, None, None
    if test(k):
        good = k
        while bad is None and k * 10 <= CEIL * (1 + 1e-9):
            k *= 10
            if test(k):
                good = k
            else:
                bad = k
    else:
        bad = k
        while good is None and k / 10 >= FLOOR * (1 - 1e-9):
            k /= 10
            if test(k):
                good = k
            else:
                bad = k
    if good is not None and bad is not None:
        mid = math.sqrt(good * bad)
        if test(mid):
            good = mid
        else:
            bad = mid
    return good, bad, tried


def tolerance_text(good: float | None, bad: float | None) -> str:
    """The bracket as text, e.g. "3.2e-14 (holds; fails at 1e-13)"."""
    if good is None:
        return f"< {bad:.2g} (fails at every rate down to {FLOOR:g})"
    if bad is None:
        return f">= {good:.2g} (holds up to {CEIL:g}, the largest tested)"
    return f"{good:.2g} (holds; fails at {bad:.2g})"


def leak_estimate(design: Design, *, duration_s: float, threshold_nM: float) -> dict:
    """The leak rate (/nM/s) at which the leaked product of one formal species over
    `duration_s` reaches `threshold_nM`: threshold / (max over species of the summed
    [gate][fuel] of its leak pairs x duration), with the numbers that make it."""
    conc = {c.name: c.conc_nM for c in design.complexes}
    per_species: dict[str, float] = {}
    for r in design.reactions:
        if len(r.leak_pair) == 2 and r.products:
            flux = conc.get(r.leak_pair[0], 0.0) * conc.get(r.leak_pair[1], 0.0)
            for p in r.products:
                formal = next((c.formal for c in design.complexes if c.name == p), p)
                per_species[formal] = per_species.get(formal, 0.0) + flux
    if not per_species:
        return {}
    worst = max(per_species, key=per_species.get)
    pair = per_species[worst]
    return {
        "species": worst,
        "sum_gate_fuel_nM2": pair,
        "duration_s": duration_s,
        "threshold_nM": threshold_nM,
        "total_dna_nM": design.total_dna_nM(),
        "k_leak_nM_s": threshold_nM / (pair * duration_s),
    }


def estimate_text(e: dict) -> str:
    """One sentence on why the tolerance is where it is."""
    if not e:
        return ""
    return (f"leak flux into {e['species']} is k_leak x {e['sum_gate_fuel_nM2']:.3g} nM^2 (its gates x translators) over "
            f"{e['duration_s']:.3g} s of experiment (horizon x time unit x slow-down): it reaches the read-out threshold "
            f"{e['threshold_nM']:.3g} nM at k_leak ~ {e['k_leak_nM_s']:.2g} /nM/s (total DNA {e['total_dna_nM'] / 1e3:.3g} uM)")
