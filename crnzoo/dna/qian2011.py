"""The Qian, Soloveichik & Winfree 2011 translation scheme (our own implementation).

Qian, Soloveichik & Winfree, "Efficient Turing-universal computation with DNA polymers",
DNA Computing and Molecular Programming 16, LNCS 6518:123-140 (2011), Fig. 1. More compact
than Soloveichik 2010: one gate complex per formal reaction, every toehold the same domain T.

- A formal species X is the strand `h_X T r_X` (history h_X, the global toehold T,
  recognition r_X): one strand per species, products are released with the species' own
  history, so there are no history variants.
- Reaction i, R1 (+ R2) -> P1 + ... + Pn, is one gate G_i: a bottom strand
  `f_i* (T* h_Pn*) ... (T* h_P1*) (T* r_R2*) (T* r_R1*) T*`, covered by the strands
  `r_R T` (one per reactant), `h_P T r_P` (one per product, r_P dangling) and `f_i`;
  its 3' toehold T* is open.
- R1 binds the open T*, displaces `r_R1 T` (toehold exchange: reversible) and opens the next
  T*; R2 does the same. The releaser fuel `T h_P` (one strand per product species) then
  displaces each product strand `h_P T r_P` in turn, and the closing fuel `T f_i` displaces
  `f_i`, which has no toehold to come back: the one irreversible step.
- Fuels: the gates, the releasers `T h_P`, the closing strands `T f_i` and the covering
  strands `r_X T`. As in Soloveichik 2010 the covering strand of a first reactant is a
  buffer: at [C_X] >> [G_i] the first step is a fast pre-equilibrium holding the fraction
  [G_i]/[C_X] of X in gate i, so a bimolecular reaction runs at q [G_i]/[C_X] (times the
  chance phi_i = [F]/([F] + [C_R2]) that the releaser F, not the covering strand of R2,
  takes the next step), a unimolecular one at q [G_i] phi_i.

What a lab should know (stated in the design's notes): released products reach the gate's
open toehold again by toehold exchange (the paper relies on the fuels' excess to make this
rare), so CRN bisimulation, which ignores concentrations, does not hold for irreversible
reactions: Nuskell's own implementation of this scheme carries the same note. The DNA-level
simulation, which has the concentrations, is where this scheme's function is checked.

`qian2011_commit` (scheme `qian2011-commit`) is the modification Nuskell lists as a variant
of this scheme (qian2011_3D_var1: "an irreversible step after reactants are consumed, but
before products are released"); the domain design here is our own. Gate G_i gets a commit
domain c_i* between the reactants' and the products' sections, covered by the strand `c_i`,
which has no toehold:

    f_i* (T* h_Pn*) ... (T* h_P1*) c_i* (T* r_R2*) (T* r_R1*) T*

Once the reactants are in, the commit fuel K_i = `T c_i h_P1` (`T c_i` without products)
binds the toehold the last covering strand left open, displaces `c_i` whole (no toehold to
come back: the irreversible step) and goes on to displace P1's history domain, releasing P1
as the releaser R_P1 would. Products then leave by toehold exchange as in Fig. 1 and may come
back, but the gate can no longer return its reactants, so CRN bisimulation holds. Cost: one
more domain and one fuel strand per reaction (K_i takes the place of the first product's
releaser in that gate).
"""

from __future__ import annotations

from collections.abc import Mapping

from ..export.scale import Scale
from ..network import ReactionNetwork
from ._common import (
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

T = "T"  # the global toehold domain


def _signal(x: str, conc: float = 0.0) -> Complex:
    return Complex(x, (strand((f"h_{x}", U), (T, U), (f"r_{x}", U)),), conc, "signal", x, None)


def gate(i: int, reactants: list[str], products: list[str], conc: float = 0.0, commit: bool = False) -> Complex:
    """Gate G_i of reaction i (module docstring), at `conc` nM; `commit`: with the commit
    domain c_i* between reactants and products (`qian2011_commit`)."""
    tops = [strand((f"r_{x}", O), (T, O)) for x in reactants]
    tops += [strand((f"c{i}", O))] if commit else []
    tops += [strand((f"h_{p}", O), (T, O), (f"r_{p}", U)) for p in products]
    tops.append(strand((f"f{i}", O)))
    bottom = [(f"f{i}*", C)]
    for p in reversed(products):
        bottom += [(f"{T}*", C), (f"h_{p}*", C)]
    bottom += [(f"c{i}*", C)] if commit else []
    for x in reversed(reactants):
        bottom += [(f"{T}*", C), (f"r_{x}*", C)]
    bottom.append((f"{T}*", U))
    return Complex(f"G{i}", tuple(tops) + (strand(*bottom),), conc, "gate", None, i)


def qian2011(
    network: ReactionNetwork,
    scale: Scale,
    *,
    budget_nM: Mapping[int, float] | None = None,
    cmax_nM: float | None = None,
    sequestration: float = 0.1,
    q_first_nM_s: float | None = None,
    q_second_nM_s: float | None = None,
    commit: bool = False,
) -> Design:
    """Compile `network` (dimensionless, read at `scale`) with Qian, Soloveichik & Winfree 2011.

    Options as `soloveichik2010`: `cmax_nM` the least fuel per reaction (default 100
    concentration units), `budget_nM[i]` more where reaction i uses more, `sequestration`
    the largest fraction of a first reactant held in its gates, `q_*_nM_s` the binding rates
    (/nM/s; default Peppercorn's for the 6-nt toehold). `commit`: the irreversible commit
    step before the products (module docstring; `qian2011_commit`). Raises `SchemeError`
    naming a reaction above bimolecular or zero-order.
    """
    name = "qian2011-commit" if commit else "qian2011"
    _check(network, name)
    if not 0 < sequestration < 1:
        raise SchemeError(f"sequestration must be in (0, 1), got {sequestration}")
    cmax = float(cmax_nM) if cmax_nM is not None else 100.0 * scale.concentration_nM
    if not cmax > 0:
        raise SchemeError(f"cmax must be > 0 nM, got {cmax_nM}")
    q = toehold_rate_nM_s()
    q1, q2 = float(q_first_nM_s or q), float(q_second_nM_s or q)
    rx = [(_expand(r.reactants), _expand(r.products)) for r in network.reactions]
    budget = [max(cmax, float((budget_nM or {}).get(i, 0.0))) for i in range(len(rx))]
    ks = [scale.physical_rate(r.rate, r.molecularity) for r in network.reactions]
    # Slow-down: the gates of first reactant X hold at most `sequestration` of it (with phi >= 1/2).
    slowdown = 1.0
    held: dict[str, float] = {}
    for (reac, _), k, b in zip(rx, ks, budget):
        if len(reac) == 2:
            held[reac[0]] = held.get(reac[0], 0.0) + k / (q2 * 0.5)
        else:
            slowdown = max(slowdown, k / (q1 * 0.5 * b))
    slowdown = _round_up(max([slowdown] + [h / sequestration for h in held.values()]))
    kk = [k / slowdown for k in ks]
    # Buffers [C_X]: large enough that every gate of first reactant X gets at least its budget.
    buffer = {x: 0.0 for reac, _ in rx for x in reac}
    for (reac, _), k, b in zip(rx, kk, budget):
        if len(reac) == 2:
            buffer[reac[0]] = max(buffer[reac[0]], b * q2 / k)
    # Fuels: closing strand per reaction, releaser per product species (with `commit`, the
    # first product of each gate is released by its commit fuel instead); the first fuel a
    # gate meets is raised to the covering strand it competes with, so phi >= 1/2.
    closing = {i: b for i, b in enumerate(budget)}
    committer = {i: max(b, buffer[rx[i][0][-1]]) for i, b in enumerate(budget)} if commit else {}
    releaser: dict[str, float] = {}
    for i, (reac, prods) in enumerate(rx):
        for p in prods[1:] if commit else prods:
            releaser[p] = releaser.get(p, 0.0) + budget[i]
    for i, (reac, prods) in enumerate(rx):
        if commit:
            continue
        if prods:
            releaser[prods[0]] = max(releaser[prods[0]], buffer[reac[-1]])
        else:
            closing[i] = max(closing[i], buffer[reac[-1]])

    domains: dict[str, int] = {T: SHORT_NT}
    complexes = []
    for s in network.species:
        domains.update({f"h_{s}": LONG_NT, f"r_{s}": LONG_NT})
        complexes.append(_signal(s, network.initial.get(s, 0.0) * scale.concentration_nM))
    gates, fuels, compiled = [], [], []
    for i, ((reac, prods), k_formal, k) in enumerate(zip(rx, ks, kk)):
        domains[f"f{i}"] = LONG_NT
        first = committer[i] if commit else releaser[prods[0]] if prods else closing[i]
        phi = first / (first + buffer[reac[-1]])
        conc = k / (q1 * phi) if len(reac) == 1 else k * buffer[reac[0]] / (q2 * phi)
        g = gate(i, reac, prods, conc, commit)
        close = Complex(f"F{i}", (strand((T, U), (f"f{i}", U)),), closing[i], "fuel", None, i)
        made = [g, close]
        if commit:
            domains[f"c{i}"] = LONG_NT
            made.append(Complex(f"K{i}", (strand((T, U), (f"c{i}", U), *[(f"h_{p}", U) for p in prods[:1]]),), first, "fuel", None, i))
        gates.append(g)
        fuels.extend(made[1:])
        first_fuel = made[2].name if commit else f"R_{prods[0]}" if prods else close.name
        compiled.append(
            CompiledReaction(
                network.reactions[i].equation(), k_formal, len(reac), tuple(c.name for c in made), sum(c.conc_nM for c in made),
                tuple(prods), (g.name, first_fuel),
            )
        )
    shared = [Complex(f"R_{p}", (strand((T, U), (f"h_{p}", U)),), c, "fuel", None, None) for p, c in releaser.items()]
    shared += [Complex(f"C_{x}", (strand((f"r_{x}", U), (T, U)),), c, "buffer", None, None) for x, c in buffer.items()]
    notes = (
        f"one toehold domain T ({SHORT_NT} nt) for every species, other domains {LONG_NT} nt; rates set for q(signal + gate) = {q1:.3g} /nM/s and q(second reactant) = {q2:.3g} /nM/s",
        f"time scale slowed {slowdown:g}x: the DNA system runs the formal CRN with every rate constant divided by {slowdown:g}",
        f"bimolecular reactions: the covering strand C_X of the first reactant is a buffer; the gates of X hold at most {sequestration:g} of it",
        "releasers R_P and covering strands C_X are shared by every reaction that releases P or consumes X",
        "released products can re-enter their gate by toehold exchange (the paper relies on fuel excess): CRN bisimulation does not hold for irreversible reactions"
        if not commit else
        "commit step: fuel K_i = T c_i h_P1 displaces the toehold-less strand c_i once the reactants are in (irreversible), then releases the first product; products re-entering a committed gate cannot return its reactants",
    )
    citation = "Qian, Soloveichik & Winfree, DNA 16, LNCS 6518:123 (2011)" + (", with a commit step before the products (Nuskell's qian2011_3D_var1 modification)" if commit else "")
    return Design(
        name, citation, domains,
        tuple(complexes + gates + fuels + shared), tuple(compiled), slowdown, q1, notes,
    )


def qian2011_commit(network: ReactionNetwork, scale: Scale, **options) -> Design:
    """`qian2011` with the irreversible commit step between reactants and products (module
    docstring): correct by CRN bisimulation for irreversible reactions."""
    return qian2011(network, scale, commit=True, **options)
