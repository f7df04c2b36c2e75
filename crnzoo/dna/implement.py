"""From a zoo entry to a verified DNA strand-displacement implementation (`crnzoo implement`).

`implement(formal, scheme, scale, out, ...)`: an entry's sparsified network `network(k_report)`
-> a domain-level design (`schemes`) -> Peppercorn's enumeration (`enumerate`) -> CRN
bisimulation with crnverifier (`check`) -> the entry's function at the DNA level, without
and with leak (`function`) -> files in `out` (written to a temporary sibling folder and
renamed, so an interrupted run leaves nothing half-written):

- `design.pil` (input to Peppercorn/Nuskell), `enumerated.pil` (Peppercorn's output),
- `implementation.crn` (the condensed DNA network, nM and s),
- `summary.json` and `summary.md` (the table: strands, total DNA, fuel per formal reaction,
  verdict, function, leak tolerance, wall times),
- `reaction.png`: the complexes of one compiled reaction (the first bimolecular one) at the
  domain level (`picture`).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from ..export.scale import Scale
from ..network import ReactionNetwork
from ..solve import simulate
from .check import verify_bisimulation
from .design import Design
from .enumerate import Enumerated, enumerate_design
from .function import EPS, check_function, leak_tolerance
from .leak import estimate_text, leak_estimate, leak_walk, tolerance_text
from .picture import draw_reaction
from .pil import to_pil
from .schemes import SchemeError, compile_network

BUDGET_FACTOR = 3.0  # gates and translators hold this many times the fuel their reaction uses
LEAK_RATES = (1e-12, 1e-11, 1e-10, 1e-9, 1e-8)  # /nM/s; measured DSD leaks are ~1e-9..1e-8 /nM/s (1-10 /M/s)


def fuel_use_nM(formal: ReactionNetwork, t1: float, conc_nM: float, schedule=None) -> dict[int, float]:
    """Formal-level firings of each reaction over [0, t1] (∫ flux dt), in nM at the scale."""
    ts = np.linspace(0.0, t1, 2001)
    traj = simulate(formal, ts, schedule=schedule, name=formal.name)
    x = np.asarray(traj.ys)
    idx = {s: i for i, s in enumerate(traj.species)}
    out = {}
    for i, r in enumerate(formal.reactions):
        flux = r.rate * np.prod([np.ones_like(ts)] + [x[:, idx[s]] ** n for s, n in r.reactants.items()], axis=0)
        out[i] = float(np.trapezoid(flux, ts)) * conc_nM
    return out


def dna_amount(nM: float) -> str:
    """A concentration in nM as text in the unit that reads best (nM, µM, mM or M)."""
    for unit, f in (("M", 1e9), ("mM", 1e6), ("µM", 1e3)):
        if nM >= f:
            return f"{nM / f:.3g} {unit}"
    return f"{nM:.3g} nM"


def measured_rates(design: Design, enumerated: Enumerated) -> dict[str, float]:
    """Peppercorn's condensed rate constants (/nM/s, medians) of the steps whose rates set the
    design's concentrations, as keyword arguments of its scheme (a step the design does not
    have is left out):

    - `q_first_nM_s`: a signal opening a gate (Soloveichik 2010: a unimolecular gate only);
    - `q_second_nM_s`: a second reactant (a signal, or a pseudo-first-order fuel strand Fu_i)
      opening an intermediate H_i;
    - `q_exchange_nM_s` (Soloveichik 2010): a signal entering a bimolecular gate, X + L_i <->
      H_i + B_i (toehold exchange, both ways at this rate).
    """
    signals = set(design.interpretation())
    gates = {c.name: c.reaction for c in design.complexes if c.kind == "gate"}
    fuels = set(design.fuels())
    pseudo = {c.name: c.reaction for c in design.complexes if c.kind == "fuel" and c.name.startswith("Fu")}  # Soloveichik 2010's Fu_i
    buffered = {c.reaction for c in design.complexes if c.kind == "buffer"} | set(pseudo.values())
    seconds = signals | set(pseudo)
    ssw = design.scheme == "soloveichik2010"
    steps: dict[str, list[float]] = {"q_first_nM_s": [], "q_second_nM_s": [], "q_exchange_nM_s": []}
    for r in enumerated.network.reactions:
        names = set(r.reactants)
        if sum(r.reactants.values()) != 2 or not names & seconds:
            continue
        other = names - seconds
        gate = next((gates[n] for n in other if n in gates), None)
        if names & signals and other and gate is not None:
            uni = design.reactions[gate].molecularity == 1 and gate not in buffered
            steps["q_first_nM_s" if not ssw or uni else "q_exchange_nM_s"].append(r.rate)
        elif other and not other & fuels and (ssw or names & signals):
            steps["q_second_nM_s"].append(r.rate)
    return {k: statistics.median(v) for k, v in steps.items() if v}


def measured_sources(design: Design, enumerated: Enumerated) -> dict[int, tuple[int, float, float]]:
    """Zero-order reaction i -> (toehold nt, Peppercorn's condensed rates /nM/s of Src_i + L_i
    and of the released strand + T_i)."""
    sources = {c.reaction for c in design.complexes if c.name.startswith("Src") and c.kind == "fuel"}
    gate, translator = {}, {}
    for r in enumerated.network.reactions:
        names = set(r.reactants)
        for i in sources:
            if names == {f"Src{i}", f"L{i}"}:
                gate[i] = r.rate
            elif f"T{i}" in names and sum(r.reactants.values()) == 2:
                translator[i] = r.rate
    return {i: (design.domains[f"ta_src{i}"], gate[i], translator.get(i)) for i in gate}


def _md(summary: dict) -> str:
    s = summary
    rows = "\n".join(
        f"| `{r['equation']}` | {r['rate']:.4g} | {', '.join(r['complexes'])} | {r['fuel_nM']:.4g} | {r['fuel_used_nM']:.4g} |"
        for r in s["reactions"]
    )
    f = s["function"]
    return f"""# {s['entry']}: DNA implementation ({s['scheme']})

{s['headline']}

- Scheme: {s['citation']}; scale {s['scale']}; time slowed {s['slowdown']:g}x.{(chr(10) + '- Compiled part: ' + s['part']) if s.get('part') else ''}
- Formal reactions: {s['formal_reactions']}; distinct strands: {s['strands']}; total DNA: {s['total_dna_nM']:.4g} nM.
- Enumeration (Peppercorn, histories {s.get('enumeration', 'full')}): {s['dna_species']} species, {s['dna_reactions']} condensed reactions, {s['seconds']['enumerate']:.1f} s.
- Verification ({s['verification']['method']}): {s['verification']['result']} — {s['verification']['reason']} ({s['seconds']['verify']:.1f} s).
- Function at the DNA level ({f['check']}), no leak: {f['ok']} — {f['detail']}.
- Leak tolerance (gate + fuel -> products of each formal reaction): {s['leak_tolerance_nM_s']} /nM/s.
- Why there: {s['leak_estimate'].get('text', '')}.
- Picture: {s.get('picture', '')}.

| formal reaction | k (nM, s) | complexes | fuel (nM) | used over horizon (nM) |
|---|---|---|---|---|
{rows}

Notes: {' '.join(s['notes'])}
"""


def implement(formal: ReactionNetwork, scheme: str, scale: Scale, out: str | Path, *, name: str, family: str, t1: float,
              schedule=None, held=(), cmax_nM: float | None = None, verify_timeout_s: float = 600.0,
              leak_rates=LEAK_RATES, cases=None, part: str = "", histories: str = "quotient", progress=None, modular: bool = False,
              sequestration: float = 0.1) -> dict:
    """Compile, enumerate, verify and check an entry's sparsified network `formal`; write `out`.

    `name`, `family`, `t1`, `schedule`, `held`: the entry's name, family (which function
    check), horizon and input protocol (dimensionless) and held input species (the CLI
    reads them from the zoo). Raises `SchemeError` (bad scheme, above-bimolecular network)
    or `ValueError` (bad `out`) before any heavy work. `histories`: Peppercorn enumerates the
    design as written ("full") or with released signal strands identified with their formal
    species ("quotient", exact when history domains are inert, which is checked; see
    `crnzoo.dna.enumerate`). Returns the summary written to `out/summary.json`.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"output folder {out} is a file; choose a new folder name")
    if out.exists() and any(out.iterdir()):
        raise ValueError(f"output folder {out} exists and is not empty; choose a new one")
    if not out.parent.is_dir():
        raise ValueError(f"output folder's parent {out.parent} does not exist")
    started = time.perf_counter()
    compile_network(formal, scheme, scale, sequestration=sequestration)  # fails fast: unknown scheme, trimolecular reactions
    conc, held = scale.concentration_nM, list(held)
    used = fuel_use_nM(formal, t1, conc, schedule)
    budget = {i: BUDGET_FACTOR * u for i, u in used.items()}
    design = compile_network(formal, scheme, scale, budget_nM=budget, cmax_nM=cmax_nM, sequestration=sequestration)
    t0 = time.perf_counter()
    say = progress or (lambda text: None)
    say(f"compiled: {formal.n_reactions} formal reactions -> {len(design.strands())} strands ({time.perf_counter() - started:.0f} s)")
    enum = enumerate_design(design, histories=histories, modular=modular)
    say(f"enumerated: {enum.network.n_species} species, {enum.network.n_reactions} reactions in {enum.seconds:.0f} s")
    rates = measured_rates(design, enum)
    if src := measured_sources(design, enum):
        rates["q_source_nM_s"] = src
    design = compile_network(formal, scheme, scale, budget_nM=budget, cmax_nM=cmax_nM, sequestration=sequestration, **rates)
    initial = {c.name: c.conc_nM for c in design.complexes if c.conc_nM > 0 and c.name in enum.network.species}
    dna = dataclasses.replace(enum.network, initial=initial)
    t_enum = time.perf_counter() - t0
    verdict = verify_bisimulation(formal, dna, design, timeout_s=verify_timeout_s)
    say(f"verification ({verdict.method}): {verdict.result} in {verdict.seconds:.0f} s")
    t_sim0 = time.perf_counter()  # (not `t1`: that is the entry's horizon)
    kw = dict(t1=t1, time_s=scale.time_s, conc_nM=conc, schedule=schedule, held=held, cases=cases)
    func = check_function(family, formal, dna, design, **kw)
    say(f"function at the DNA level ({func.check}): {func.ok}, {func.detail} ({time.perf_counter() - t_sim0:.0f} s)")
    good = bad = None
    if leak_rates == "walk" and func.ok:  # bracket the tolerance (crnzoo.dna.leak)
        sweep = []

        def holds(k: float) -> bool:
            sweep.append(check_function(family, formal, dna, design, leak=k, **kw))
            say(f"leak {k:.2g} /nM/s: function {'holds' if sweep[-1].ok else 'fails'}")
            return sweep[-1].ok

        good, bad, _ = leak_walk(holds)
        tol = good
    else:
        tol, sweep = leak_tolerance(family, formal, dna, design, rates=leak_rates, **kw) if func.ok and leak_rates and leak_rates != "walk" else (None, [])
    estimate = leak_estimate(design, duration_s=t1 * scale.time_s * design.slowdown, threshold_nM=EPS * conc)
    t_sim = time.perf_counter() - t_sim0
    reactions = [dict(dataclasses.asdict(r), fuel_used_nM=used[i]) for i, r in enumerate(design.reactions)]
    for r in reactions:
        r["complexes"] = list(r["complexes"])
    if leak_rates == "walk":
        tol_text = tolerance_text(good, bad) if sweep else "none tested"
        leak_phrase = f"up to {good:.2g} /nM/s (fails at {bad:.2g})" if good and bad else f"{tol_text} /nM/s"
    else:
        tol_text = "none tested" if not sweep else (f"<= {tol:g}" if tol is not None else f"< {leak_rates[0]:g}")
        if sweep and tol == leak_rates[-1]:
            tol_text = f">= {tol:g} (largest tested)"
        leak_phrase = f"{tol_text} /nM/s"
    verified = {True: "verified by CRN bisimulation", False: "NOT a correct implementation (no bisimulation)", None: "verification not decided"}[verdict.result]
    summary = {
        "entry": name,
        "part": part,
        "scheme": design.scheme,
        "citation": design.citation,
        "scale": str(scale),
        "slowdown": design.slowdown,
        "formal_reactions": formal.n_reactions,
        "formal": [r.equation() for r in formal.reactions],
        "strands": len(design.strands()),
        "total_dna_nM": design.total_dna_nM(),
        "dna_species": dna.n_species,
        "dna_reactions": dna.n_reactions,
        "enumeration": enum.histories,
        "reactions": reactions,
        "verification": {"method": verdict.method, "result": verdict.result, "reason": verdict.reason},
        "function": dataclasses.asdict(func),
        "leak_sweep": [dataclasses.asdict(r) for r in sweep],
        "leak_tolerance_nM_s": tol_text,
        "leak_estimate": {**estimate, "text": estimate_text(estimate)},
        "seconds": {"enumerate": t_enum, "verify": verdict.seconds, "simulate": t_sim, "total": time.perf_counter() - started},
        "notes": list(design.notes) + list(enum.notes),
    }
    shown = next((i for i, r in enumerate(formal.reactions) if r.molecularity == 2), 0)
    summary["picture"] = f"reaction.png: the complexes of reaction {shown} ({formal.reactions[shown].equation()})"
    summary["headline"] = (
        f"{name}" + (f" ({part.split(':')[0]})" if part else "") + f": {formal.n_reactions} formal reactions -> {summary['strands']} strands, "
        f"{dna_amount(summary['total_dna_nM'])} of DNA in total, {verified}, "
        f"function {'holds' if func.ok else 'FAILS'} at the DNA level" + (f" with leak {leak_phrase}" if func.ok and sweep else " without leak (leak not tested)" if func.ok else "")
    )
    files = {
        "design.pil": to_pil(design),
        "enumerated.pil": enum.pil,
        "implementation.crn": "\n".join(f"{r.equation()} [k = {r.rate:.6g}]" for r in dna.reactions) + "\n",
        "summary.json": json.dumps(summary, indent=2) + "\n",
        "summary.md": _md(summary),
    }
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for fname, text in files.items():
            (tmp / fname).write_text(text)
        draw_reaction(design, shown, tmp / "reaction.png")
        if out.exists():
            out.rmdir()
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return summary


__all__ = ["SchemeError", "fuel_use_nM", "implement", "measured_rates", "measured_sources"]
