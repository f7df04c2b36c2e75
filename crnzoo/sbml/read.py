"""Read an SBML document into `Spec`: the model's symbols, initial values and compiled equations.

The state holds every species not set by an assignment rule (its value as the model's math
reads it: a concentration, or an amount where `hasOnlySubstanceUnits`) and every parameter or
compartment that a rate rule changes. Constant global parameters and local (kinetic-law)
parameters form the trainable vector `p`. Reaction rates, assignment rules and the
right-hand side are compiled to one Python/JAX function each (`crnzoo.sbml.compile`).
Anything crnzoo does not simulate is refused by name (`SBMLImportError`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping

import libsbml

from .algebraic import solve_algebraic
from .errors import SBMLImportError
from .events import read_events
from .mathml import names_in, to_source
from .rateof import RateOf
from .runtime import evaluate_initial


@dataclasses.dataclass
class Species:
    id: str
    compartment: str
    only_substance: bool
    boundary: bool
    constant: bool
    name: str = ""
    notes: str = ""
    conversion: str | None = None  # id of the parameter converting reaction extents to this species' substance
    given: tuple[str, float] | None = None  # ("amount" | "concentration", value) as the file gives it


@dataclasses.dataclass
class Spec:
    """Everything about an SBML model the compiler and `SBMLModel` need (plain data)."""

    name: str
    species: dict[str, Species]
    state: list[str]  # ids along the state vector
    params: list[str]  # ids of the parameter vector (local ones as `reaction.param`)
    values: dict[str, float]  # initial value of every symbol (state, params, constants, computed)
    constants: dict[str, float]  # fixed symbols: constant compartments, stoichiometry ids
    computed: list[tuple[str, str]]  # (id, source) in evaluation order: assignment rules, rates
    reactions: list[str]  # reaction ids (their rates are computed symbols `_v`)
    stoich: list[dict[str, float]]  # per reaction: species id -> net stoichiometry
    reactant_stoich: list[dict[str, float]]
    product_stoich: list[dict[str, float]]
    rate_rules: dict[str, str]  # state id -> source of d/dt
    functions: list[tuple[str, list[str], str]]  # (id, argument names, body source)
    laws: list  # libsbml kinetic-law ASTs (clones), for mass-action recognition
    local_names: list[dict[str, str]]  # per reaction: local parameter id -> `reaction.param`
    names: dict[str, str] = dataclasses.field(default_factory=dict)  # symbol -> source text
    labels: list[str] = dataclasses.field(default_factory=list)  # reaction name (else id) per reaction
    text: str = ""  # the SBML document as read (for writing a fitted copy)
    events: list = dataclasses.field(default_factory=list)  # `EventSpec` per event (crnzoo.sbml.events)
    atoms: list[tuple[str, bool]] = dataclasses.field(default_factory=list)  # relations the triggers track
    function_asts: dict = dataclasses.field(default_factory=dict)  # function id -> (argument names, body AST clone)
    amount_state: dict[str, str] = dataclasses.field(default_factory=dict)  # species -> its resized compartment (state: amount)
    rule_asts: dict = dataclasses.field(default_factory=dict)  # assignment (and solved algebraic) rule target -> math
    rate_asts: dict = dataclasses.field(default_factory=dict)  # rate rule target -> math


def read_document(text: str | None = None, path: str | None = None):
    """A libsbml document from XML `text` or a file `path`; raises on unreadable input."""
    reader = libsbml.SBMLReader()
    doc = reader.readSBMLFromFile(str(path)) if path is not None else reader.readSBMLFromString(text)
    where = path or "the SBML text"
    fatal = [doc.getError(i) for i in range(doc.getNumErrors()) if doc.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_ERROR]
    if fatal:
        e = fatal[0]
        msg = " ".join(e.getMessage().split()).split(". ")[0]
        head = (open(path, "rb").read(65536).decode("utf-8", "replace") if path is not None else text[:65536])
        if "<sbml" not in head and e.getCategory() != libsbml.LIBSBML_CAT_XML:
            raise SBMLImportError(f"{where} is not an SBML document (no <sbml> root element)")
        if e.getCategory() == libsbml.LIBSBML_CAT_XML or e.getErrorId() < 10000:
            raise SBMLImportError(f"{where} is not readable SBML: {msg[:200]}")
        raise SBMLImportError(f"{where} is not valid SBML (line {e.getLine()}): {msg[:200]}")
    if doc.getModel() is None:
        raise SBMLImportError(f"{where} is not an SBML model (no <model> element)")
    return doc


def _refuse_unsupported(doc, model) -> None:
    ns = doc.getNamespaces()
    for i in range(ns.getLength() if ns is not None else 0):
        uri = ns.getURI(i)
        if "sbml.org/sbml/level3/" in uri and not uri.rstrip("/").endswith("/core"):
            raise SBMLImportError(f"model uses the SBML package {ns.getPrefix(i) or uri!r}: not supported")
    for i in range(doc.getNumPlugins()):
        plugin = doc.getPlugin(i)
        prefix = plugin.getPrefix() if plugin is not None else ""
        if prefix and doc.isPackageEnabled(plugin.getURI()):
            raise SBMLImportError(f"model uses the SBML package {prefix!r}: not supported")
    if model.getNumConstraints():
        raise SBMLImportError("model uses constraints: not supported")
    for r in model.getListOfReactions():
        if r.isSetFast() and r.getFast():
            raise SBMLImportError(f"reaction {r.getId()} is a fast reaction: not supported")
        if not r.isSetKineticLaw() or not r.getKineticLaw().isSetMath():
            raise SBMLImportError(f"reaction {r.getId()} has no kinetic law: not supported")


def _toposort(equations: Mapping[str, tuple[str, set[str]]], what: str) -> list[str]:
    """Order equation ids so each comes after the ids it reads (cycles raise)."""
    order, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        mark = state.get(node)
        if mark == 2:
            return
        if mark == 1:
            raise SBMLImportError(f"{what} form a cycle: {' -> '.join(path + [node])}: not supported")
        state[node] = 1
        for dep in sorted(equations[node][1]):
            if dep in equations:
                visit(dep, path + [node])
        state[node] = 2
        order.append(node)

    for node in equations:
        visit(node, [])
    return order


def _functions(model) -> tuple[list[tuple[str, list[str], str]], dict[str, int]]:
    out, arity = [], {}
    for fd in model.getListOfFunctionDefinitions():
        lam = fd.getMath()
        if lam is None or lam.getType() != libsbml.AST_LAMBDA:
            raise SBMLImportError(f"function definition {fd.getId()} has no lambda")
        n = lam.getNumBvars()
        args = [lam.getChild(i).getName() for i in range(n)]
        body = lam.getChild(n) if lam.getNumChildren() > n else None
        src = to_source(body, {a: f"_a_{a}" for a in args}, arity, f"function definition {fd.getId()}")
        out.append((fd.getId(), args, src))
        arity[fd.getId()] = n
    return out, arity


def _function_asts(model) -> dict:
    out = {}
    for fd in model.getListOfFunctionDefinitions():
        lam = fd.getMath()
        n = lam.getNumBvars()
        body = lam.getChild(n).deepCopy() if lam.getNumChildren() > n else None
        out[fd.getId()] = ([lam.getChild(i).getName() for i in range(n)], body)
    return out


def build_spec(doc) -> Spec:
    """The `Spec` of a read libsbml document (see the module docstring)."""
    model = doc.getModel()
    _refuse_unsupported(doc, model)
    functions, arity = _functions(model)
    assign = {r.getVariable(): r for r in model.getListOfRules() if r.isAssignment()}
    assign.update({r.getVariable(): r for r in solve_algebraic(model)})  # algebraic rules solved exactly, else refused
    rate = {r.getVariable(): r for r in model.getListOfRules() if r.isRate()}
    initial = {ia.getSymbol(): ia for ia in model.getListOfInitialAssignments() if ia.isSetMath()}  # L3v2: no math, no effect

    values: dict[str, float] = {}
    constants: dict[str, float] = {}
    names: dict[str, str] = {}
    state: list[str] = []
    params: list[str] = []
    species: dict[str, Species] = {}

    comp_size = {}
    for c in model.getListOfCompartments():
        cid = c.getId()
        comp_size[cid] = c.getSize() if c.isSetSize() else (1.0 if c.getSpatialDimensions() == 0 else math.nan)
        if math.isnan(comp_size[cid]) and cid not in initial and cid not in assign:
            raise SBMLImportError(f"compartment {cid} has no size: not supported")
        values[cid] = comp_size[cid]
    for s in model.getListOfSpecies():
        sid, cid = s.getId(), s.getCompartment()
        sp = Species(sid, cid, bool(s.getHasOnlySubstanceUnits()), bool(s.getBoundaryCondition()), bool(s.getConstant()), s.getName(), s.getNotesString())
        species[sid] = sp
        sp.conversion = s.getConversionFactor() if s.isSetConversionFactor() else (model.getConversionFactor() if model.isSetConversionFactor() else None)
        if s.isSetInitialAmount() or s.isSetInitialConcentration():
            sp.given = ("amount", s.getInitialAmount()) if s.isSetInitialAmount() else ("concentration", s.getInitialConcentration())
        if s.isSetInitialAmount():
            amount = s.getInitialAmount()
            values[sid] = amount if sp.only_substance else amount / comp_size[cid]
        elif s.isSetInitialConcentration():
            conc = s.getInitialConcentration()
            values[sid] = conc * comp_size[cid] if sp.only_substance else conc
        elif sid in initial or sid in assign:
            values[sid] = math.nan
        else:
            raise SBMLImportError(f"species {sid} has no initial value (initialAmount, initialConcentration or an initial assignment)")
    for p in model.getListOfParameters():
        pid = p.getId()
        if not p.isSetValue() and pid not in initial and pid not in assign:
            raise SBMLImportError(f"parameter {pid} has no value")
        values[pid] = p.getValue() if p.isSetValue() else math.nan

    changing = set(assign) | set(rate)
    amount_state: dict[str, str] = {}  # concentration species in a compartment a rule resizes: the state holds the amount
    for sid, sp in species.items():
        if sp.compartment in changing and not sp.only_substance and sid not in assign and sid not in rate:
            amount_state[sid] = sp.compartment  # (a rate rule sets a concentration's rate itself: that state stays as read)
    # symbols: state, parameters, constants
    for sid, sp in species.items():
        if sid not in assign:
            names[sid] = f"y[..., {len(state)}]"
            state.append(sid)
    for p in model.getListOfParameters():
        pid = p.getId()
        if pid in rate:
            names[pid] = f"y[..., {len(state)}]"
            state.append(pid)
        elif pid not in assign:
            names[pid] = f"p[{len(params)}]"
            params.append(pid)
    for cid in comp_size:
        if cid in rate:
            names[cid] = f"y[..., {len(state)}]"
            state.append(cid)
        elif cid not in assign:
            names[cid] = f"_c[{cid!r}]"
            constants[cid] = comp_size[cid]
    for var in list(assign) + list(rate):
        if var not in values:
            raise SBMLImportError(f"a rule sets {var!r}, which is not a species, parameter or compartment (e.g. a stoichiometry): not supported")

    # reactions
    reactions, stoich, re_st, pr_st, laws, local_names = [], [], [], [], [], []
    rate_sources: dict[str, tuple[str, set[str]]] = {}
    deferred: list[tuple[int, int, str, float, str]] = []  # (reaction, side, species, sign, id) of stoichiometries set at t = 0
    for j, r in enumerate(model.getListOfReactions()):
        rid = r.getId()
        reactions.append(rid)
        net: dict[str, float] = {}
        sides = []
        for refs, sign in ((r.getListOfReactants(), -1.0), (r.getListOfProducts(), 1.0)):
            side: dict[str, float] = {}
            for ref in refs:
                if ref.isSetId() and ref.getId() in changing:
                    raise SBMLImportError(f"reaction {rid}: stoichiometry {ref.getId()} is set by a rule: not supported")
                n = ref.getStoichiometry() if ref.isSetStoichiometry() else 1.0
                if ref.isSetId() and ref.getId() in initial:  # a constant set at t = 0: filled in after initial values
                    deferred.append((j, len(sides), ref.getSpecies(), sign, ref.getId()))
                    constants[ref.getId()] = values[ref.getId()] = math.nan
                    names[ref.getId()] = f"_c[{ref.getId()!r}]"
                    sides_n = 0.0
                    side[ref.getSpecies()] = side.get(ref.getSpecies(), 0.0) + sides_n
                    net.setdefault(ref.getSpecies(), 0.0)
                    continue
                if ref.isSetId():
                    constants[ref.getId()] = n
                    names[ref.getId()] = repr(float(n))
                    values[ref.getId()] = n
                side[ref.getSpecies()] = side.get(ref.getSpecies(), 0.0) + n
                net[ref.getSpecies()] = net.get(ref.getSpecies(), 0.0) + sign * n
            sides.append(side)
        re_st.append(sides[0])
        pr_st.append(sides[1])
        stoich.append(net)
        law = r.getKineticLaw()
        local = {}
        for lp in (law.getListOfLocalParameters() if doc.getLevel() >= 3 else law.getListOfParameters()):
            key = f"{rid}.{lp.getId()}"
            local[lp.getId()] = key
            values[key] = lp.getValue() if lp.isSetValue() else math.nan
            if math.isnan(values[key]):
                raise SBMLImportError(f"local parameter {lp.getId()} of reaction {rid} has no value")
            params.append(key)
        local_names.append({k: f"p[{params.index(v)}]" for k, v in local.items()})
        laws.append(law.getMath().deepCopy())
        names[rid] = f"_v_{rid}"
    for var in assign:
        names[var] = f"_v_{var}"
    for sid, cid in amount_state.items():  # the math reads the concentration: amount / size
        names[sid] = f"({names[sid]} / {names[cid]})"
    sides = _signed_sides(re_st, pr_st, deferred, names)
    rate_info = (species, state, set(assign), rate, reactions, sides, amount_state)
    rates = RateOf(*rate_info, names, arity)
    for rid, law, local in zip(reactions, laws, local_names):
        lr = RateOf(*rate_info, {**names, **local}, arity, frozenset(local))
        rate_sources[rid] = (to_source(law, {**names, **local}, arity, f"kinetic law of {rid}", lr.hook), lr.deps(law) - set(local))
    computed_eqs = dict(rate_sources)
    for var, rule in assign.items():
        computed_eqs[var] = (to_source(rule.getMath(), names, arity, f"assignment rule for {var}", rates.hook), rates.deps(rule.getMath()))
    for _, deps in computed_eqs.values():  # a concentration read from an amount reads the compartment's size too
        deps |= {amount_state[d] for d in list(deps) if d in amount_state}
    computed = [(k, computed_eqs[k][0]) for k in _toposort(computed_eqs, "assignment rules and rates")]
    rate_rules = {var: to_source(rule.getMath(), names, arity, f"rate rule for {var}", rates.hook) for var, rule in rate.items()}
    for var, rule in rate.items():  # a rate rule that reads its own rate (through rateOf) has no solution here
        if _reads_rate_of(rule.getMath(), var):
            raise SBMLImportError(f"rate rule for {var} reads rateOf({var}): not supported")
    events, atoms = read_events(model, names, arity, state, params, set(assign))

    spec = Spec(
        model.getName() or model.getId() or "sbml_model", species, state, params, values, constants, computed,
        reactions, stoich, re_st, pr_st, rate_rules, functions, laws, local_names, names,
        [r.getName() or r.getId() for r in model.getListOfReactions()], events=events, atoms=atoms,
    )
    spec.function_asts = _function_asts(model)
    spec.amount_state = amount_state
    spec.rule_asts = {v: r.getMath().deepCopy() for v, r in assign.items() if r.getMath() is not None}
    spec.rate_asts = {v: r.getMath().deepCopy() for v, r in rate.items() if r.getMath() is not None}
    for ev in events:
        moved = [state[i] for kind, i in ev.targets if kind == "y" and state[i] in amount_state]
        if moved:
            raise SBMLImportError(f"event {ev.id} assigns species {moved[0]}, whose compartment changes size: not supported")
        for kind, i in ev.targets:  # a resized compartment keeps its species' amounts: concentrations held as state would jump
            held = [sid for sid, sp in species.items() if kind == "y" and sp.compartment == state[i] and sid in state
                    and not sp.only_substance and sid not in amount_state]
            if held:
                raise SBMLImportError(f"event {ev.id} resizes compartment {state[i]}, and a rate rule sets the concentration of {held[0]}: not supported")
    _initial_values(spec, model, initial, assign, arity, rate_info)
    for j, side, sid, sign, ref_id in deferred:
        n = spec.values[ref_id]
        if not math.isfinite(n):
            raise SBMLImportError(f"stoichiometry {ref_id} of reaction {reactions[j]} has no finite initial value ({n})")
        (re_st if side == 0 else pr_st)[j][sid] += n
        stoich[j][sid] += sign * n
    spec.text = libsbml.writeSBMLToString(doc)
    return spec


def _signed_sides(re_st, pr_st, deferred, names) -> list[list[tuple[str, float | str]]]:
    """Per reaction: (species, signed stoichiometry: a number, or the text of one set at t = 0)."""
    sides = [[(s, -n) for s, n in r.items()] + [(s, n) for s, n in p.items()] for r, p in zip(re_st, pr_st)]
    for j, side, sid, sign, ref_id in deferred:
        sides[j].append((sid, f"({sign!r} * {names[ref_id]})"))
    return sides


def _reads_rate_of(ast, var: str) -> bool:
    stack = [ast]
    while stack:
        node = stack.pop()
        if node.getType() == libsbml.AST_FUNCTION_RATE_OF and node.getNumChildren() == 1 and node.getChild(0).getName() == var:
            return True
        stack.extend(node.getChild(i) for i in range(node.getNumChildren()))
    return False


def _initial_values(spec: Spec, model, initial, assign, arity, rate_info) -> None:
    """Evaluate initial assignments and assignment rules (and rates they read) at t = 0 in order."""
    env_names = {k: f"_e[{k!r}]" for k in spec.values}
    eqs: dict[str, tuple[str, set[str]]] = {}
    all_names = {**env_names, **{r: f"_e[{r!r}]" for r in spec.reactions}}
    for rid, law, local in zip(spec.reactions, spec.laws, spec.local_names):
        loc = {k: f"_e[{(rid + '.' + k)!r}]" for k in local}
        lr = RateOf(*rate_info, {**all_names, **loc}, arity, frozenset(local))
        eqs[rid] = (to_source(law, {**all_names, **loc}, arity, f"kinetic law of {rid}", lr.hook), lr.deps(law) - set(local))
    rates = RateOf(*rate_info, all_names, arity)
    for var, ia in initial.items():
        if var not in spec.values:
            raise SBMLImportError(f"initial assignment to {var!r}, which is not a species, parameter or compartment: not supported")
        eqs[var] = (to_source(ia.getMath(), all_names, arity, f"initial assignment to {var}", rates.hook), rates.deps(ia.getMath()))
    for var, rule in assign.items():
        eqs[var] = (to_source(rule.getMath(), all_names, arity, f"assignment rule for {var}", rates.hook), rates.deps(rule.getMath()))
    for sid, sp in spec.species.items():  # a given amount (or concentration) over a computed size
        if sid not in eqs and sp.given and sp.compartment in eqs:
            kind, x = sp.given
            op = "/" if kind == "amount" else "*"
            if (kind == "amount") != sp.only_substance:
                eqs[sid] = (f"({x!r} {op} _e[{sp.compartment!r}])", {sp.compartment})
                initial = {**initial, sid: None}
    order = _toposort(eqs, "initial assignments and assignment rules")
    env = dict(spec.values)
    evaluate_initial(spec, env, [(k, eqs[k][0]) for k in order])
    for k in list(initial) + list(assign):
        sp = spec.species.get(k)
        spec.values[k] = env[k]
    for k in spec.values:
        if k in initial or k in assign:
            continue
        spec.values[k] = env[k]
    bad = [k for k in spec.state + spec.params if not math.isfinite(spec.values[k])]
    if bad:
        raise SBMLImportError(f"{bad[0]} has no finite initial value ({spec.values[bad[0]]})")
    for k in spec.constants:
        spec.constants[k] = spec.values[k]
