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
  [L_i] of a unimolecular gate stays within its budget. The paper tunes q per reaction by
  the toehold's strength; Peppercorn's rate model knows toehold length only, so here the
  toeholds are one class (6 nt) and the rate lives in the concentrations.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from ..export.scale import Scale
from ..network import Reaction, ReactionNetwork
from ._common import (  # noqa: F401
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
) -> Design:
    """Compile `network` (dimensionless, read at `scale`) with Soloveichik, Seelig & Winfree 2010.

    - `cmax_nM`: concentration of every gate and translator (default 100 concentration
      units of the scale); `budget_nM[i]`, if larger, for reaction i (its expected fuel use).
    - `sequestration`: the largest fraction [L_i]/[B_i] of a first reactant held in a gate.
    - `q_first_nM_s`, `q_second_nM_s`: the condensed rate constants (/nM/s) of a signal
      binding a gate L_i (and, equal by symmetry, H_i + B_i back) and of the second reactant
      opening H_i; default Peppercorn's toehold binding rate. `crnzoo.dna.implement` passes
      the values Peppercorn's enumeration measures, so the rates are honoured as enumerated.

    Raises `SchemeError` naming a reaction above bimolecular or zero-order.
    """
    _check(network, "soloveichik2010")
    if not 0 < sequestration < 1:
        raise SchemeError(f"sequestration must be in (0, 1), got {sequestration}")
    cmax = float(cmax_nM) if cmax_nM is not None else 100.0 * scale.concentration_nM
    if not (cmax > 0 and math.isfinite(cmax)):
        raise SchemeError(f"cmax must be > 0 nM, got {cmax_nM}")
    q = toehold_rate_nM_s()
    q1 = float(q_first_nM_s or q)
    q2 = float(q_second_nM_s or q)
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
        else:
            slowdown = max(slowdown, k / (q1 * budget[i]))
    slowdown = _round_up(max([slowdown, *held.values()]))
    buffer = {}  # reaction -> (buffer name, [B] nM): every gate of the pair gets at least its budget
    for key, group in pair.items():
        conc = max(budget[i] * q2 * slowdown / ks[i] for i in group)
        buffer.update({i: (f"B{group[0]}", conc, len(group) > 1) for i in group})

    domains: dict[str, int] = {}
    complexes: list[Complex] = []
    for s in network.species:
        domains.update({f"h_{s}": LONG_NT, f"ta_{s}": SHORT_NT, f"b_{s}": LONG_NT, f"tc_{s}": SHORT_NT})
        complexes.append(_signal(s, s, f"h_{s}", network.initial.get(s, 0.0) * scale.concentration_nM))
    compiled = []
    for i, (r, k) in enumerate(zip(network.reactions, ks)):
        made = _ssw_reaction(i, r, k / slowdown, q1, q2, budget[i], domains, buffer.get(i))
        complexes.extend(made)
        fuels = [c for c in made if c.kind != "signal"]
        compiled.append(
            CompiledReaction(
                r.equation(), k, r.molecularity, tuple(c.name for c in fuels), sum(c.conc_nM for c in fuels),
                tuple(c.name for c in made if c.kind == "signal"), (f"L{i}", f"T{i}") if r.products else (),
            )
        )
    notes = (
        f"toeholds {SHORT_NT} nt, other domains {LONG_NT} nt; rates set for q(signal + gate) = {q1:.3g} /nM/s and q(second reactant) = {q2:.3g} /nM/s",
        f"time scale slowed {slowdown:g}x: the DNA system runs the formal CRN with every rate constant divided by {slowdown:g}",
        f"bimolecular reactions: [L]/[B] = k/(slowdown*q); at most {sequestration:g} of a first reactant is held in its gates (summed)",
        "reactions with the same two reactants share one buffer strand",
    )
    return Design("soloveichik2010", "Soloveichik, Seelig & Winfree, PNAS 107:5393 (2010)", domains, tuple(complexes), tuple(compiled), slowdown, q1, notes)


def _ssw_reaction(i: int, r: Reaction, k: float, q1: float, q2: float, cmax: float, domains: dict[str, int],
                  buffer: tuple[str, float, bool] | None = None) -> list[Complex]:
    """Gate L_i, buffer (bimolecular: `buffer` = name, [B] nM, shared?; made by its first
    reaction), translator T_i and the product strands of reaction i at rate k (nM, s)."""
    reac, prods = _expand(r.reactants), _expand(r.products)
    last = reac[-1]
    hist = [f"d{i}_{j}" for j in range(len(prods))]
    for h in hist:
        domains[h] = LONG_NT
    # L_i: inputs strands (bimolecular: b_X1 tc_X1 ta_X2), the output strand, the bottom strand.
    tops = []
    bottom_tail = []
    for a, b in zip(reac[:-1], reac[1:]):
        tops.append(strand((f"b_{a}", O), (f"tc_{a}", O), (f"ta_{b}", O)))
        bottom_tail = [(f"ta_{b}", C), (f"tc_{a}", C), (f"b_{a}", C)] + bottom_tail
    out = [(f"b_{last}", O), (f"tc_{last}", O)]
    for h, p in zip(hist, prods):
        out += [(h, U), (f"ta_{p}", U)]
    tops.append(strand(*out))
    bottom = strand((f"tc_{last}*", C), (f"b_{last}*", C), *[(d + "*", m) for d, m in bottom_tail], (f"ta_{reac[0]}*", U))
    made: list[Complex] = []
    gate_conc = k / q1 if len(reac) == 1 else k * buffer[1] / q2
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
