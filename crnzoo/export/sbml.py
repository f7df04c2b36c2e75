"""SBML Level 3 Version 2, written with python-libsbml.

The document has one compartment (`tube`, size 1, constant), one species per network
species (concentration semantics: `hasOnlySubstanceUnits=false`, initial
concentration given), one constant global parameter per rate constant, and one
irreversible reaction per network reaction with kinetic law `tube * k * A * C`
(a coefficient 2 written as `A * A`). SBML rate laws are extents per time, so the
compartment factor makes d[A]/dt = k [A][C] hold in concentrations; with volume 1 the
ODE of the document is dx/dt = Nᵀ (k ⊙ Π x^R), the network's mass-action ODE.

Units are declared everywhere, so libsbml's consistency check finds neither errors
nor unit warnings: without a scale every quantity is `dimensionless`; with a scale,
substance is nmol, volume litre (so concentrations are nM), time second, and a rate
constant of molecularity m has units litre^(m-1) nmol^(1-m) / s.

Species named in `boundary` (e.g. a logic gate's inputs) are written as boundary species
(`boundaryCondition="true"`, `constant="false"`): the reactions read them but never change
them, and a simulator may set them at any time (events, or `rr["X_hi"] = 1` in
libroadrunner) to switch the inputs. By default no species is a boundary species.
"""

from __future__ import annotations

from collections.abc import Iterable
from xml.sax.saxutils import escape

from ..network import ReactionNetwork
from .header import make_header, warn_above_bimolecular
from .naming import identifiers
from .clock import NEXT, PHASE, ClockSchedule, check_clock
from .scale import Scale, conc_value, rate_value


_MATHML = "http://www.w3.org/1998/Math/MathML"
_XHTML = "http://www.w3.org/1999/xhtml"


def _libsbml():
    try:
        import libsbml
    except ImportError:  # pragma: no cover - libsbml is a declared dependency
        raise ImportError("SBML export needs python-libsbml: pip install python-libsbml") from None
    return libsbml


def _ok(status: int, what: str) -> None:
    libsbml = _libsbml()
    if status != libsbml.LIBSBML_OPERATION_SUCCESS:
        raise RuntimeError(f"libsbml could not {what}: {libsbml.OperationReturnValue_toString(status)}")


def _notes(*paragraphs: str, pre: bool = False) -> str:
    tag = "pre" if pre else "p"
    body = "".join(f"<{tag}>{escape(p)}</{tag}>" for p in paragraphs)
    return f'<body xmlns="{_XHTML}">{body}</body>'


def _rate_unit_id(molecularity: int) -> str:
    if molecularity == 0:
        return "nM_per_second"
    if molecularity == 1:
        return "per_second"
    if molecularity == 2:
        return "per_nM_per_second"
    return f"per_nM{molecularity - 1}_per_second"


def _add_unit(definition, kind: int, exponent: float, scale: int = 0) -> None:
    unit = definition.createUnit()
    _ok(unit.setKind(kind), "set a unit kind")
    _ok(unit.setExponent(exponent), "set a unit exponent")
    _ok(unit.setScale(scale), "set a unit scale")
    _ok(unit.setMultiplier(1.0), "set a unit multiplier")


def _declare_units(model, network: ReactionNetwork, scale: Scale | None) -> dict[int, str]:
    """Set the model's units; return the unit id of a rate constant per molecularity."""
    libsbml = _libsbml()
    molecularities = sorted(set(network.molecularities()))
    if scale is None:
        for setter in ("setSubstanceUnits", "setTimeUnits", "setVolumeUnits", "setExtentUnits"):
            _ok(getattr(model, setter)("dimensionless"), f"{setter}")
        return {m: "dimensionless" for m in molecularities}
    nanomole = model.createUnitDefinition()
    _ok(nanomole.setId("nanomole"), "set a unit id")
    _add_unit(nanomole, libsbml.UNIT_KIND_MOLE, 1, -9)
    _ok(model.setSubstanceUnits("nanomole"), "set substance units")
    _ok(model.setExtentUnits("nanomole"), "set extent units")
    _ok(model.setTimeUnits("second"), "set time units")
    _ok(model.setVolumeUnits("litre"), "set volume units")
    units = {}
    for m in molecularities:
        definition = model.createUnitDefinition()
        units[m] = _rate_unit_id(m)
        _ok(definition.setId(units[m]), "set a unit id")
        _ok(definition.setName(scale.rate_unit(m)), "set a unit name")
        if m != 1:
            _add_unit(definition, libsbml.UNIT_KIND_LITRE, m - 1)
            _add_unit(definition, libsbml.UNIT_KIND_MOLE, 1 - m, -9)
        _add_unit(definition, libsbml.UNIT_KIND_SECOND, -1)
    return units


def _product_math(names: list[str]):
    """MathML `names[0] * names[1] * ...` as a libsbml AST (names are never parsed as symbols)."""
    libsbml = _libsbml()
    terms = "".join(f"<ci> {n} </ci>" for n in names)
    xml = f'<math xmlns="{_MATHML}"><apply><times/>{terms}</apply></math>'
    ast = libsbml.readMathMLFromString(xml)
    if ast is None:
        raise RuntimeError(f"libsbml could not read the rate law {' * '.join(names)}")
    return ast


def to_sbml(
    network: ReactionNetwork, scale: Scale | None = None, boundary: Iterable[str] = (), clock: ClockSchedule | None = None
) -> str:
    """The network as an SBML L3V2 document (XML text).

    Without `scale` all quantities are dimensionless; with it, concentrations are in
    nM and rate constants in nM^(1-m)/s. The header goes into the model's notes,
    each species' role into its notes, each reaction's equation into its notes.
    Species in `boundary` become boundary species (held: reactions never change them).
    A `clock` schedule becomes the event `clock_tick` (`crnzoo.export.clock`), its clock
    species boundary species.
    Warns (UserWarning) if any reaction is above bimolecular.
    """
    check_clock(network, clock)
    boundary = set(boundary or ()) | set(clock.species if clock else ())
    unknown = sorted(boundary - set(network.species))
    if unknown:
        raise ValueError(f"boundary species {', '.join(unknown)} are not species of {network.name!r}")
    warn_above_bimolecular(network, "sbml")
    libsbml = _libsbml()
    ids = identifiers(network)
    header = make_header(network, scale)
    labels = network.labels()

    doc = libsbml.SBMLDocument(3, 2)
    model = doc.createModel()
    _ok(model.setId(ids.model), "set the model id")
    _ok(model.setName(network.name), "set the model name")
    _ok(model.setNotes(_notes("\n".join(header.lines), pre=True)), "set the model notes")
    units = _declare_units(model, network, scale)

    tube = model.createCompartment()
    _ok(tube.setId(ids.compartment), "set the compartment id")
    _ok(tube.setConstant(True), "set the compartment constant")
    _ok(tube.setSize(1.0), "set the compartment size")
    _ok(tube.setSpatialDimensions(3), "set the compartment dimensions")

    for s in network.species:
        sp = model.createSpecies()
        _ok(sp.setId(s), f"set species id {s}")
        _ok(sp.setCompartment(ids.compartment), "set a species compartment")
        _ok(sp.setInitialConcentration(conc_value(scale, network.initial.get(s, 0.0))), "set an initial concentration")
        _ok(sp.setHasOnlySubstanceUnits(False), "set hasOnlySubstanceUnits")
        _ok(sp.setBoundaryCondition(s in boundary), "set boundaryCondition")
        _ok(sp.setConstant(False), "set species constant")
        notes = [f"role: {network.roles[s]}"] if s in network.roles else []
        if s in boundary:
            notes.append("boundary species: held by the experimenter (set it to switch the input); reactions never change it")
        if notes:
            _ok(sp.setNotes(_notes(*notes)), "set species notes")

    for j, r in enumerate(network.reactions):
        m = r.molecularity
        k = model.createParameter()
        _ok(k.setId(ids.parameters[j]), "set a parameter id")
        _ok(k.setValue(rate_value(scale, r.rate, m)), "set a rate constant")
        _ok(k.setConstant(True), "set a parameter constant")
        _ok(k.setUnits(units[m]), "set parameter units")

        rx = model.createReaction()
        _ok(rx.setId(ids.reactions[j]), "set a reaction id")
        _ok(rx.setName(labels[j]), "set a reaction name")
        _ok(rx.setReversible(False), "set a reaction irreversible")
        _ok(rx.setNotes(_notes(r.equation())), "set reaction notes")
        for side, create in ((r.reactants, rx.createReactant), (r.products, rx.createProduct)):
            for s, n in side.items():
                ref = create()
                _ok(ref.setSpecies(s), "set a species reference")
                _ok(ref.setStoichiometry(float(n)), "set a stoichiometry")
                _ok(ref.setConstant(True), "set a species reference constant")
        names = [ids.compartment, ids.parameters[j]]
        for s, n in r.reactants.items():
            names += [s] * int(n)
        law = rx.createKineticLaw()
        _ok(law.setMath(_product_math(names)), "set a kinetic law")

    if clock is not None:
        _add_clock(model, clock, scale)
    text = libsbml.writeSBMLToString(doc)
    if not text:
        raise RuntimeError("libsbml could not write the SBML document")
    return text


def _add_clock(model, clock: ClockSchedule, scale: Scale | None) -> None:
    """The clock schedule as parameters `clock_phase`, `clock_next` and the event `clock_tick`."""
    libsbml = _libsbml()
    time_unit = "dimensionless" if scale is None else "second"
    for pid, constant in ((PHASE, True), (NEXT, False)):
        p = model.createParameter()
        _ok(p.setId(pid), f"set parameter id {pid}")
        _ok(p.setValue(clock.phase_in(scale)), f"set {pid}")
        _ok(p.setConstant(constant), f"set {pid} constant")
        _ok(p.setUnits(time_unit), f"set {pid} units")
    event = model.createEvent()
    _ok(event.setId("clock_tick"), "set the clock event id")
    _ok(event.setUseValuesFromTriggerTime(True), "set the clock event's value time")
    _ok(event.setNotes(_notes(*clock.lines(scale))), "set the clock event notes")
    trigger = event.createTrigger()
    _ok(trigger.setInitialValue(False), "set the clock trigger's initial value")
    _ok(trigger.setPersistent(True), "set the clock trigger persistent")
    _ok(trigger.setMath(libsbml.parseL3Formula(f"time >= {NEXT}")), "set the clock trigger")
    for target, source in clock.rotation():
        a = event.createEventAssignment()
        _ok(a.setVariable(target), f"set the clock assignment of {target}")
        _ok(a.setMath(libsbml.parseL3Formula(source)), f"set the clock assignment of {target}")
    a = event.createEventAssignment()
    _ok(a.setVariable(NEXT), f"set the assignment of {NEXT}")
    _ok(a.setMath(libsbml.parseL3Formula(f"{NEXT} + {PHASE}")), f"set the assignment of {NEXT}")
