"""Correctness of a DNA implementation: CRN bisimulation with `crnverifier` (the `dna` extra).

The formal CRN is compared with Peppercorn's condensed implementation CRN, from which
the fuel complexes (gates, translators, buffers: present in excess, their concentrations
nearly constant) are removed, as Nuskell does. Every signal strand of formal species X,
whatever its history domain, is interpreted as X; the verifier finds the interpretation
of every other (intermediate, waste) species. Bisimulation (Johnson, Dong & Winfree,
"Verifying chemical reaction network implementations: a bisimulation approach", TCS 2019)
holds iff the implementation does exactly the formal reactions, no more and no less, up
to the interpretation.
"""

from __future__ import annotations

import dataclasses
import signal
import threading
import time
from collections.abc import Mapping

from ..network import ReactionNetwork
from .design import Design


@dataclasses.dataclass(frozen=True)
class Verdict:
    """`method`: `bisimulation`; `result`: True (verified), False (not equivalent) or None
    (not decided: `reason` says why, e.g. the time budget); `interpretation`: implementation
    species -> formal species multiset (strings) when verified; `seconds`: wall time."""

    method: str
    result: bool | None
    reason: str
    seconds: float
    interpretation: Mapping[str, list[str]] = dataclasses.field(default_factory=dict)


def _crn(network: ReactionNetwork, drop: set[str]) -> list[list[list[str]]]:
    out = []
    for r in network.reactions:
        reac = sorted(s for s, n in r.reactants.items() if s not in drop for _ in range(n))
        prod = sorted(s for s, n in r.products.items() if s not in drop for _ in range(n))
        if reac != prod:
            out.append([reac, prod])
    return out


def modules(implementation: ReactionNetwork, design: Design) -> tuple[list[list[int]], list[list[list[list[str]]]]] | None:
    """The implementation CRN (fuels removed) split into modules: `(groups, crns)`, where
    module m implements the formal reactions `groups[m]` (indices) with the reactions `crns[m]`
    of their gates, buffers and translators and of the intermediates they form. Formal
    reactions whose intermediates react with each other (e.g. two reactions with the same
    reactants) share one module. None when a reaction touches no module's species."""
    signals = set(design.interpretation())
    shared = {c.name for c in design.complexes if c.kind != "signal" and c.reaction is None}  # fuels of several reactions
    parent = list(range(len(design.reactions)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner = {c.name: c.reaction for c in design.complexes if c.kind != "signal" and c.reaction is not None}
    changed = True
    while changed:
        changed = False
        for r in implementation.reactions:
            mods = {find(owner[s]) for s in r.species() - shared if s in owner}
            if not mods:
                continue
            root, *rest = sorted(mods)
            for m in rest:  # intermediates of two modules meet: one module
                parent[m] = root
                changed = True
            for s in r.species() - signals - shared:
                if s not in owner:
                    owner[s] = root
                    changed = True
    roots = sorted({find(i) for i in range(len(design.reactions))})
    slot = {r: k for k, r in enumerate(roots)}
    groups: list[list[int]] = [[] for _ in roots]
    for i in range(len(design.reactions)):
        groups[slot[find(i)]].append(i)
    crns: list[list] = [[] for _ in roots]
    fuels = set(design.fuels())
    for r in implementation.reactions:
        mods = {find(owner[s]) if s in owner else None for s in r.species() - signals - shared}
        if len(mods) != 1 or None in mods:
            return None
        crns[slot[mods.pop()]].extend(_crn(ReactionNetwork(implementation.species, (r,)), fuels))
    return groups, crns


class _Timeout(Exception):
    pass


def verify_bisimulation(formal: ReactionNetwork, implementation: ReactionNetwork, design: Design, *, timeout_s: float = 600.0) -> Verdict:
    """Check CRN bisimulation between `formal` and `implementation` (fuels removed).

    Modular (Johnson et al. 2019, Sec. 5): each formal reaction against its own module
    (`modules`), with the modularity condition on the shared (signal) species; this is
    what makes gate-sized networks finish in seconds. Whole-CRN bisimulation otherwise.

    The time budget `timeout_s` is enforced with SIGALRM in the main thread (elsewhere
    the check runs to the end). A search over the budget is reported, not hidden:
    `result=None` with the reason.
    """
    try:
        from crnverifier import crn_bisimulation_test, modular_crn_bisimulation_test
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("verification needs crnverifier: pip install 'crnzoo[dna]'") from e
    fcrn = _crn(formal, set())
    icrn = _crn(implementation, set(design.fuels()))
    present = set(implementation.species)
    inter = {k: [v] for k, v in design.interpretation().items() if k in present}
    formals = {x for r in fcrn for side in r for x in side}  # species no reaction touches play no part
    used = {x for r in icrn for side in r for x in side}
    inter = {k: v for k, v in inter.items() if v[0] in formals and k in used}
    mods = modules(implementation, design) if len(fcrn) == len(design.reactions) else None
    method = "modular bisimulation" if mods is not None else "bisimulation"
    started = time.perf_counter()
    main = threading.current_thread() is threading.main_thread()
    old = None
    if main and timeout_s:

        def _raise(signum, frame):
            raise _Timeout()

        old = signal.signal(signal.SIGALRM, _raise)
        signal.alarm(max(1, int(timeout_s)))
    try:
        ok = False
        if mods is not None:
            groups, crns = mods
            ok, bisim = modular_crn_bisimulation_test([[fcrn[i] for i in g] for g in groups], crns, formals=formals, interpretation=inter)
        if not ok:  # no modular bisimulation (the modularity condition is sufficient, not necessary): the whole CRN
            method = "bisimulation"
            ok, bisim = crn_bisimulation_test(fcrn, icrn, formals=formals, interpretation=inter)
    except _Timeout:
        return Verdict(method, None, f"not decided within the time budget of {timeout_s:g} s ({len(icrn)} implementation reactions)", time.perf_counter() - started)
    finally:
        if main and timeout_s:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)
    seconds = time.perf_counter() - started
    if not ok:
        return Verdict(method, False, "no CRN bisimulation exists with signal strands interpreted as their formal species", seconds)
    interp = {k: list(v) for k, v in sorted((bisim or {}).items())}
    return Verdict(method, True, f"CRN bisimulation found ({len(icrn)} implementation reactions, fuels removed)", seconds, interp)
