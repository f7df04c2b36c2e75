"""Translation schemes: a formal CRN (at a physical scale) -> a domain-level `Design`.

Implemented from the papers (our own code):

- `soloveichik2010` — Soloveichik, Seelig & Winfree, "DNA as a universal substrate for
  chemical kinetics", PNAS 107:5393 (2010), Figs. 2-3. A formal species X is a strand
  `h ta_X b_X tc_X` (history domain h, toeholds ta/tc, recognition domain b). Reaction i
  gets a gate L_i, a translator T_i and, if bimolecular, a buffer strand B_i:

  * X1 -> P...: X1 binds L_i on toehold ta_X1* and releases `b c d_1 ta_P1 d_2 ...`, which
    opens T_i on tc_X1* and releases each product strand `d_j ta_Pj b_Pj tc_Pj`.
  * X1 + X2 -> P...: X1 + L_i <-> H_i + B_i (B_i = `b_X1 tc_X1 ta_X2`, reversible), then
    X2 + H_i -> released strand -> T_i as above.

  Rates (paper, eqs. 2-3): with toehold binding rate q for every step, a unimolecular
  reaction runs at q [L_i] and a bimolecular one at q [L_i]/[B_i] (the buffer holds the
  first step near equilibrium; the fraction of X1 held in H_i is [L_i]/[B_i]). So
  [L_i] = k_i/q (unimolecular) and [B_i] = q [L_i]/k_i (bimolecular), after slowing the
  time scale by a factor `slowdown` >= 1 so that [L_i]/[B_i] <= `sequestration` and
  [L_i] of a unimolecular gate stays within its budget. A first reactant held in its gates
  is not free to react, so every rate of it runs 1/(1 + h) slow (h = its held share, up to
  `sequestration`): each DNA rate constant is raised by its reactants' (1 + h) factors
  (`_compensate_held`; oscillator-frequency keeps its 8-peak rhythm within one peak with it,
  6 without; waveform-square's largest error drops from 0.88 to 0.14 units). The paper
  tunes q per reaction by the toehold's strength; Peppercorn's rate model knows toehold
  length only, so here the toeholds are one class (6 nt) and the rate lives in the
  concentrations, except in the two cases below.

  * X -> P... whose gate [L_i] = k/(slowdown q) would hold less than the reaction uses over
    the horizon (`budget_nM`; a slow reaction in a network slowed for its fast bimolecular
    ones): the gate would run out and the reaction stop. The paper gives such a gate a
    weaker toehold; here X's toehold is shared by all its gates, so the reaction runs
    pseudo-first-order instead: X + Fu_i -> P... through the bimolecular gate, Fu_i a fuel
    strand and [L_i] at the reaction's gate budget (as every gate: at least `cmax_nM`), k_bi =
    k/[Fu_i]; the buffer sets the rate and X is held at most PSEUDO_HELD x `sequestration`.
  * -> P... (a zero-order source, rate k in nM/s): a catalyst. A source strand Src_i =
    `h ta b tc` (a fuel, not a formal species) runs the paper's catalytic gate Src_i -> Src_i +
    P...: it opens L_i and T_i gives it back with the products, so it is not used up, and the
    rate q_w [Src_i][L_i] = k/slowdown drifts only as L_i and T_i are used, like any
    unimolecular gate's ([L_i] = the reaction's budget). [Src_i] = k/(slowdown q_w [L_i]) is
    a fraction of a nM with a 6-nt toehold; Src_i's toehold is the strongest class of 6..1 nt
    (`CONDENSED_RATE_NM_S`) that keeps it at >= SOURCE_MIN_NM: the paper's
    rate-by-toehold-strength, used for sources only. The catalyst also spends part of each
    cycle inside its gate (its released strand waits for T_i), so it starts at the free
    amount plus k/(slowdown q [T_i]).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable, Mapping

from ..export.scale import Scale
from ..network import Reaction, ReactionNetwork
from ._common import (  # noqa: F401
    CONDENSED_RATE_NM_S,
    K_NUC_PER_M_S,
    LONG_NT,
    SHORT_NT,
    SchemeError,
    _check,
    _expand,
    _round_up,
    toehold_rate_nM_s,
)
from .design import PAIRED_CLOSE as C
from .design import PAIRED_OPEN as O
from .design import UNPAIRED as U
from .design import CompiledReaction, Complex, Design, strand
from .qian2011 import qian2011, qian2011_commit

PSEUDO_HELD = 0.1  # a pseudo-first-order gate holds at most this share of `sequestration` of its reactant
SOURCE_MIN_NM = 1.0  # the smallest catalyst (source strand) concentration a weak toehold is chosen to reach, nM


def source_toehold_nt(k_nM_s: float, gate_nM: float) -> int:
    """The strongest toehold class (nt, `CONDENSED_RATE_NM_S`) with which a zero-order source of
    rate `k_nM_s` (nM/s, already slowed) through a gate at `gate_nM` keeps its catalyst at
    `SOURCE_MIN_NM` or more: k/(q_w gate) >= SOURCE_MIN_NM (the weakest class if none does)."""
    for nt in sorted(CONDENSED_RATE_NM_S, reverse=True):
        if k_nM_s / (CONDENSED_RATE_NM_S[nt] * gate_nM) >= SOURCE_MIN_NM:
            return nt
    return min(CONDENSED_RATE_NM_S)


def _signal(name: str, formal: str, history: str, conc: float = 0.0, reaction: int | None = None) -> Complex:
    return Complex(
        name,
        (strand((history, U), (f"ta_{formal}", U), (f"b_{formal}", U), (f"tc_{formal}", U)),),
        conc,
        "signal",
        formal,
        reaction,
    )


def soloveichik2010(
    network: ReactionNetwork,
    scale: Scale,
    *,
    budget_nM: Mapping[int, float] | None = None,
    cmax_nM: float | None = None,
    sequestration: float = 0.1,
    q_first_nM_s: float | None = None,
    q_second_nM_s: float | None = None,
    q_source_nM_s: Mapping[int, tuple[int, float, float]] | None = None,
    q_exchange_nM_s: float | None = None,
    held_compensation: bool = True,
) -> Design:
    """Compile `network` (dimensionless, read at `scale`) with Soloveichik, Seelig & Winfree 2010.

    - `cmax_nM`: concentration of every gate and translator (default 100 concentration
      units of the scale); `budget_nM[i]`, if larger, for reaction i (its expected fuel use).
    - `sequestration`: the largest fraction [L_i]/[B_i] of a first reactant held in a gate.
    - `q_first_nM_s`, `q_second_nM_s`: the condensed rate constants (/nM/s) of a signal
      binding a gate L_i (and, equal by symmetry, H_i + B_i back) and of the second reactant
      opening H_i; default Peppercorn's toehold binding rate. `q_exchange_nM_s`: a signal
      entering a bimolecular gate (X + L_i <-> H_i + B_i, toehold exchange); default q_first.
    - `held_compensation`: raise each DNA rate constant by its reactants' held shares
      (`_compensate_held`), so that free + held strands run the formal CRN; False gives the
      paper's concentrations, under which every reaction of a strand held at share h runs
      1/(1 + h) slow. `crnzoo.dna.implement` passes
      the values Peppercorn's enumeration measures, so the rates are honoured as enumerated.
    - `q_source_nM_s`: zero-order reaction i -> (toehold nt, condensed rates /nM/s of its
      source strand opening its gate and of the released strand opening its translator); default the strongest class that fits
      (`source_toehold_nt`) at its `CONDENSED_RATE_NM_S` estimate. `implement` passes the
      classes it enumerated with the rates Peppercorn reports.

    Raises `SchemeError` naming a reaction above bimolecular.
    """
    _check(network, "soloveichik2010", sources=True)
    if not 0 < sequestration < 1:
        raise SchemeError(f"sequestration must be in (0, 1), got {sequestration}")
    cmax = float(cmax_nM) if cmax_nM is not None else 100.0 * scale.concentration_nM
    if not (cmax > 0 and math.isfinite(cmax)):
        raise SchemeError(f"cmax must be > 0 nM, got {cmax_nM}")
    q = toehold_rate_nM_s()
    q1 = float(q_first_nM_s or q)
    q2 = float(q_second_nM_s or q)
    qx = float(q_exchange_nM_s or q1)
    budget = {i: max(cmax, float((budget_nM or {}).get(i, 0.0))) for i in range(network.n_reactions)}
    ks = [scale.physical_rate(r.rate, r.molecularity) for r in network.reactions]
    # Every gate of first reactant X holds [L_i]/[B_i] = k_i/(slowdown q) of it: the sum over
    # X's gates stays within `sequestration`. Reactions with the same reactant pair share one
    # buffer strand (b_X1 tc_X1 ta_X2; Peppercorn, like a test tube, cannot tell two apart).
    slowdown, held, pair = 1.0, {}, {}
    for i, (r, k) in enumerate(zip(network.reactions, ks)):
        reac = _expand(r.reactants)
        if len(reac) == 2:
            held[reac[0]] = held.get(reac[0], 0.0) + k / (q2 * sequestration)
            pair.setdefault(tuple(reac), []).append(i)
        elif reac:
            slowdown = max(slowdown, k / (q1 * budget[i]))
    slowdown = _round_up(max([slowdown, *held.values()]))
    kd = list(ks)  # the DNA rate constants (nM, s, before the slow-down)
    if held_compensation:
        kd, slowdown = _compensate_held(network, ks, slowdown, q2, sequestration)
    buffer = {}  # reaction -> (buffer name, [B] nM): every gate of the pair gets at least its budget
    for group in pair.values():
        conc = max(budget[i] * q2 * slowdown / kd[i] for i in group)
        buffer.update({i: (f"B{group[0]}", conc, len(group) > 1) for i in group})
    # A unimolecular gate at [L_i] = k/(slowdown q1) below what reaction i uses (`budget_nM`)
    # would run out: the reaction runs pseudo-first-order, X + Fu_i -> P... with a fuel strand
    # Fu_i in excess (module docstring), its gate at the use budget.
    # Quasi-steady H_i (made at qx[L][X], lost back at qx[B] and on at q2[Fu]) gives the rate
    # per X, qx[L] q2[Fu]/(qx[B] + q2[Fu]) = k/slowdown, which sets [B]; X's share held in H_i
    # is k/(slowdown q2 [Fu]), which sets [Fu].
    pseudo = {}
    for i, (r, k) in enumerate(zip(network.reactions, kd)):
        need, rate = float((budget_nM or {}).get(i, 0.0)), k / slowdown
        if r.molecularity == 1 and rate / q1 < need:
            fuel = max(budget[i], rate / (q2 * PSEUDO_HELD * sequestration))
            gate = max(budget[i], 2.0 * rate / qx)
            pseudo[i] = (fuel, k / fuel, gate)
            buffer[i] = (f"B{i}", q2 * fuel * (qx * gate - rate) / (qx * rate), False)

    domains: dict[str, int] = {}
    complexes: list[Complex] = []
    for s in network.species:
        domains.update({f"h_{s}": LONG_NT, f"ta_{s}": SHORT_NT, f"b_{s}": LONG_NT, f"tc_{s}": SHORT_NT})
        complexes.append(_signal(s, s, f"h_{s}", network.initial.get(s, 0.0) * scale.concentration_nM))
    compiled, source_notes = [], []
    for i, (r, k) in enumerate(zip(network.reactions, kd)):
        if r.molecularity == 0:
            made, text = _ssw_source(i, r, k / slowdown, q1, budget[i], domains, (q_source_nM_s or {}).get(i))
            source_notes.append(text)
        elif i in pseudo:
            fuel, k_bi, gate = pseudo[i]
            reac = _expand(r.reactants)[0]
            fu = Complex(f"Fu{i}", _signal(f"fu{i}", f"fu{i}", f"h_fu{i}").strands, fuel, "fuel", None, i)
            domains.update({f"h_fu{i}": LONG_NT, f"ta_fu{i}": SHORT_NT, f"b_fu{i}": LONG_NT, f"tc_fu{i}": SHORT_NT})
            made = [fu, *_ssw_reaction(i, Reaction({reac: 1, f"fu{i}": 1}, r.products, r.rate, r.label), k_bi / slowdown, q1, q2,
                                       budget[i], domains, buffer[i], gate_nM=gate)]
        else:
            made = _ssw_reaction(i, r, k / slowdown, q1, q2, budget[i], domains, buffer.get(i))
        complexes.extend(made)
        fuels = [c for c in made if c.kind != "signal"]
        compiled.append(
            CompiledReaction(
                r.equation(), ks[i], r.molecularity, tuple(c.name for c in fuels), sum(c.conc_nM for c in fuels),
                tuple(c.name for c in made if c.kind == "signal"), (f"L{i}", f"T{i}") if r.products else (),
            )
        )
    notes = (
        f"toeholds {SHORT_NT} nt, other domains {LONG_NT} nt; rates set for q(signal + gate) = {q1:.3g} /nM/s and q(second reactant) = {q2:.3g} /nM/s",
        f"time scale slowed {slowdown:g}x: the DNA system runs the formal CRN with every rate constant divided by {slowdown:g}",
        f"bimolecular reactions: [L]/[B] = k/(slowdown*q); at most {sequestration:g} of a first reactant is held in its gates (summed)"
        + ("; every DNA rate constant raised by its reactants' (1 + held share) so that free + held strands run the formal CRN" if held_compensation else ""),
        "reactions with the same two reactants share one buffer strand",
        *source_notes,
        *([(f"{len(pseudo)} unimolecular reactions whose gate would hold less than they use run pseudo-first-order, X + Fu_i -> P "
            f"with fuel strand Fu_i in excess (reactions {', '.join(map(str, pseudo))})")] if pseudo else []),
    )
    return Design("soloveichik2010", "Soloveichik, Seelig & Winfree, PNAS 107:5393 (2010)", domains, tuple(complexes), tuple(compiled), slowdown, q1, notes)


def _compensate_held(network: ReactionNetwork, ks: list[float], slowdown: float, q2: float,
                     sequestration: float) -> tuple[list[float], float]:
    """DNA rate constants that make the totals (free + held strands) run the formal CRN.

    A strand held in its gates' intermediates H_i is not free to react: X's free share is
    1/(1 + h_X), h_X = sum of [L_i]/[B_i] = k_i/(slowdown q2) over the gates X enters first.
    Every DNA rate is a rate of free strands, so reaction i's constant is k_i x prod over its
    reactants R of (1 + h_R) (fast exchange, as the paper assumes); h depends on the constants,
    so this is iterated to its fixed point, slowing the time scale further if some h_X would
    exceed `sequestration`. Returns (constants, slowdown)."""
    kd = list(ks)
    for _ in range(200):
        held: dict[str, float] = {}
        for r, k in zip(network.reactions, kd):
            reac = _expand(r.reactants)
            if len(reac) == 2:
                held[reac[0]] = held.get(reac[0], 0.0) + k / (slowdown * q2)
        top = max(held.values(), default=0.0)
        if top > sequestration * (1 + 1e-9):
            slowdown = _round_up(slowdown * top / sequestration * (1 + 1e-6))
            continue
        new = [k * math.prod(1.0 + held.get(x, 0.0) for x in _expand(r.reactants)) for r, k in zip(network.reactions, ks)]
        if all(abs(a - b) <= 1e-12 * abs(b) for a, b in zip(new, kd)):
            return new, slowdown
        kd = new
    raise SchemeError("held-strand compensation did not converge (a first reactant held in its gates near 100 %)")


def _ssw_source(i: int, r: Reaction, k: float, q1: float, budget: float, domains: dict[str, int],
                measured: tuple[int, float, float] | None) -> tuple[list[Complex], str]:
    """Zero-order reaction i at rate k (nM/s, slowed) as the catalytic reaction Src_i -> Src_i +
    products (module docstring): the source strand (a fuel), gate, translator and product
    strands, and a note for the lab."""
    src = f"src{i}"
    nt, q, qt = measured if measured else (source_toehold_nt(k, budget), None, None)
    q, qt = q or CONDENSED_RATE_NM_S[nt], qt or q1
    # The catalyst spends 1/(q [L_i]) of each cycle free and 1/(q1 [T_i]) inside its gate
    # (released strand waiting for the translator): the total is the free amount plus that share.
    catalyst = k / (q * budget) + k / (qt * budget)
    domains.update({f"h_{src}": LONG_NT, f"ta_{src}": nt, f"b_{src}": LONG_NT, f"tc_{src}": SHORT_NT})
    prods = {**r.products, src: 1}  # the catalyst comes back last
    made = _ssw_reaction(i, Reaction({src: 1}, prods, r.rate, r.label), k, q1, q1, budget, domains, gate_nM=budget)
    # The released catalyst is a fuel strand too (another history domain), not a formal species.
    made = [dataclasses.replace(c, kind="fuel", formal=None) if c.formal == src else c for c in made]
    source = Complex(f"Src{i}", _signal(src, src, f"h_{src}").strands, catalyst, "fuel", None, i)
    text = (f"source {r.equation()}: catalyst Src{i} at {catalyst:.3g} nM opens L{i} ({budget:.4g} nM) through a {nt}-nt toehold "
            f"(q = {q:.3g} /nM/s) and T{i} gives it back with the products: rate q[Src][L] = {k:.4g} nM/s")
    return [source, *made], text


def _ssw_reaction(i: int, r: Reaction, k: float, q1: float, q2: float, cmax: float, domains: dict[str, int],
                  buffer: tuple[str, float, bool] | None = None, gate_nM: float | None = None) -> list[Complex]:
    """Gate L_i, buffer (bimolecular: `buffer` = name, [B] nM, shared?; made by its first
    reaction), translator T_i and the product strands of reaction i at rate k (nM, s); `gate_nM` overrides [L_i] (sources)."""
    reac, prods = _expand(r.reactants), _expand(r.products)
    last = reac[-1]
    hist = [f"d{i}_{j}" for j in range(len(prods))]
    for h in hist:
        domains[h] = LONG_NT
    # L_i: inputs strands (bimolecular: b_X1 tc_X1 ta_X2), the output strand, the bottom strand.
    tops = []
    bottom_tail = []
    for a, b in itertools.pairwise(reac):
        tops.append(strand((f"b_{a}", O), (f"tc_{a}", O), (f"ta_{b}", O)))
        bottom_tail = [(f"ta_{b}", C), (f"tc_{a}", C), (f"b_{a}", C)] + bottom_tail
    out = [(f"b_{last}", O), (f"tc_{last}", O)]
    for h, p in zip(hist, prods):
        out += [(h, U), (f"ta_{p}", U)]
    tops.append(strand(*out))
    bottom = strand((f"tc_{last}*", C), (f"b_{last}*", C), *[(d + "*", m) for d, m in bottom_tail], (f"ta_{reac[0]}*", U))
    made: list[Complex] = []
    gate_conc = gate_nM if gate_nM is not None else k / q1 if len(reac) == 1 else k * buffer[1] / q2
    made.append(Complex(f"L{i}", tuple(tops) + (bottom,), gate_conc, "gate", None, i))
    if len(reac) == 2 and buffer[0] == f"B{i}":
        owner = None if buffer[2] else i
        made.append(Complex(buffer[0], (strand((f"b_{reac[0]}", U), (f"tc_{reac[0]}", U), (f"ta_{reac[1]}", U)),), buffer[1], "buffer", None, owner))
    if prods:
        tstrands = [strand((h, O), (f"ta_{p}", O), (f"b_{p}", U), (f"tc_{p}", U)) for h, p in zip(hist, prods)]
        tb = [(d, C) for h, p in reversed(list(zip(hist, prods))) for d in (f"ta_{p}*", f"{h}*")]
        tstrands.append(strand(*tb, (f"tc_{last}*", U)))
        made.append(Complex(f"T{i}", tuple(tstrands), cmax, "translator", None, i))
        made += [_signal(f"{p}_r{i}p{j}", p, h, 0.0, i) for j, (h, p) in enumerate(zip(hist, prods))]
    return made


SCHEMES: dict[str, Callable[..., Design]] = {"soloveichik2010": soloveichik2010, "qian2011": qian2011, "qian2011-commit": qian2011_commit}


def compile_network(network: ReactionNetwork, scheme: str, scale: Scale, **options) -> Design:
    """Compile with the scheme named `scheme` (one of `SCHEMES`); raises `SchemeError` on an unknown one."""
    if scheme not in SCHEMES:
        raise SchemeError(f"unknown scheme {scheme!r}; choose from {', '.join(SCHEMES)}")
    return SCHEMES[scheme](network, scale, **options)
