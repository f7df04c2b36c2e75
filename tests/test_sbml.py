"""SBML and Antimony import (`crnzoo.sbml`): round trips, semantics, refusals, the Test Suite."""

from __future__ import annotations

import numpy as np
import pytest

import crnzoo
from crnzoo import zoo
from crnzoo.cli import main
from crnzoo.export import export
from crnzoo.sbml import SBMLImportError, from_sbml
from crnzoo.sbml.suite import SOLVERS, run_case
from conftest import entries_by_size


def _zoo_network(name):
    model, card = zoo.load(name), zoo.card(name)
    return model, model.network(card["reactions"]["k_report"], name=name.replace("-", "_"))


@pytest.mark.filterwarnings("ignore:exporting")  # above-bimolecular warnings of the export
@pytest.mark.parametrize("name", entries_by_size())
def test_export_import_export_is_the_same_network(name):
    """export -> import -> export: the same SBML text, and the same network (rates to round-off)."""
    model, net = _zoo_network(name)
    held = list(model.held_species)
    text = export(net, "sbml", boundary=held)
    back = from_sbml(text)
    again = back.network()
    assert again.species == net.species and again.name == net.name and again.roles == net.roles
    assert [(r.reactants, r.products) for r in again.reactions] == [(r.reactants, r.products) for r in net.reactions]
    assert again.labels() == net.labels()
    np.testing.assert_allclose(again.rates(), net.rates(), rtol=1e-12)
    np.testing.assert_allclose(again.initial_state(), net.initial_state(), rtol=1e-12)
    assert set(back.held_species) == set(held)
    assert export(again, "sbml", boundary=list(back.held_species)) == text


def test_imported_zoo_network_has_the_same_dynamics():
    _, net = _zoo_network("majority-am4")
    back = from_sbml(export(net, "sbml"))
    x = np.random.default_rng(0).uniform(0, 1, (4, net.n_species))
    np.testing.assert_allclose(np.asarray(back.rhs(0.0, x)), np.asarray(net.mass_action().rhs(0.0, x)), rtol=1e-12)


SBML = """<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2"><model id="m">
<listOfFunctionDefinitions><functionDefinition id="mm"><math xmlns="http://www.w3.org/1998/Math/MathML">
<lambda><bvar><ci>S</ci></bvar><bvar><ci>V</ci></bvar><bvar><ci>K</ci></bvar>
<apply><divide/><apply><times/><ci>V</ci><ci>S</ci></apply><apply><plus/><ci>K</ci><ci>S</ci></apply></apply></lambda></math></functionDefinition></listOfFunctionDefinitions>
<listOfCompartments><compartment id="c" size="2" constant="true"/></listOfCompartments>
<listOfSpecies>
<species id="A" compartment="c" initialConcentration="3" hasOnlySubstanceUnits="false" boundaryCondition="false" constant="false"/>
<species id="B" compartment="c" initialAmount="1" hasOnlySubstanceUnits="true" boundaryCondition="false" constant="false"/>
<species id="E" compartment="c" initialConcentration="0.5" hasOnlySubstanceUnits="false" boundaryCondition="true" constant="false"/>
<species id="T" compartment="c" initialConcentration="0" hasOnlySubstanceUnits="false" boundaryCondition="false" constant="false"/>
</listOfSpecies>
<listOfParameters><parameter id="Vm" value="4" constant="true"/><parameter id="Km" value="1" constant="true"/></listOfParameters>
<listOfRules><assignmentRule variable="T"><math xmlns="http://www.w3.org/1998/Math/MathML"><apply><plus/><ci>A</ci><ci>B</ci></apply></math></assignmentRule></listOfRules>
<listOfReactions><reaction id="r" reversible="false">
<listOfReactants><speciesReference species="A" stoichiometry="2" constant="true"/></listOfReactants>
<listOfProducts><speciesReference species="B" stoichiometry="1.5" constant="true"/></listOfProducts>
<kineticLaw><math xmlns="http://www.w3.org/1998/Math/MathML"><apply><times/><ci>c</ci><ci>E</ci><apply><ci>mm</ci><ci>A</ci><ci>Vm</ci><ci>k</ci></apply></apply></math>
<listOfLocalParameters><localParameter id="k" value="2"/></listOfLocalParameters></kineticLaw></reaction></listOfReactions>
</model></sbml>"""


def test_general_kinetic_law_amounts_concentrations_and_rules():
    m = from_sbml(SBML)
    assert m.species == ("A", "B", "E") and m.parameter_names == ("Vm", "Km", "r.k")
    np.testing.assert_allclose(np.asarray(m.x0), [3.0, 1.0, 0.5])
    v = 2 * 0.5 * 4 * 3 / (2 + 3)  # c * E * Vm A / (k + A), extent per time
    np.testing.assert_allclose(np.asarray(m.rhs(0.0, m.x0)), [-2 * v / 2, 1.5 * v, 0.0], rtol=1e-12)
    traj = crnzoo.simulate(m, np.linspace(0, 1, 5))
    out = m.outputs(traj)
    assert out.species == ("A", "B", "E", "T")
    np.testing.assert_allclose(out.ys[:, 3], traj.ys[:, 0] + traj.ys[:, 1], rtol=1e-12)  # T = A + B, as the math reads them
    amounts = m.outputs(traj, amounts=True)
    np.testing.assert_allclose(amounts.ys[:, 0], 2 * traj.ys[:, 0])  # A: concentration * size
    np.testing.assert_allclose(amounts.ys[:, 1], traj.ys[:, 1])  # B: already an amount
    with pytest.raises(SBMLImportError, match="set by a rule"):
        m.network()


def test_gradients_flow_through_an_imported_model():
    import jax

    m = from_sbml(SBML)
    g = jax.grad(lambda p: m.static.compiled.rhs(0.0, m.x0, p)[0])(m.params)
    assert np.all(np.isfinite(np.asarray(g))) and float(g[0]) != 0.0


ALGEBRAIC = SBML.replace("</listOfRules>", '<algebraicRule><math xmlns="http://www.w3.org/1998/Math/MathML"><apply><minus/><ci>Vm</ci><ci>Km</ci></apply></math></algebraicRule></listOfRules>')


@pytest.mark.parametrize(
    "change, message",
    [
        ("<listOfReactions>", "algebraic rule"),
        ('<species id="A" compartment="c" initialConcentration="3"', "species A has no initial value"),
    ],
)
def test_unsupported_or_incomplete_models_are_refused_by_name(change, message):
    if message == "algebraic rule":
        text = ALGEBRAIC
    else:
        text = SBML.replace(change, '<species id="A" compartment="c"')
    with pytest.raises(SBMLImportError, match=message):
        from_sbml(text)


def test_bad_files_get_one_line_and_exit_2(tmp_path, capsys):
    cases = {
        "notxml.xml": "this is not XML",
        "notsbml.xml": '<?xml version="1.0" encoding="UTF-8"?><html><body/></html>',
        "algebraic.xml": ALGEBRAIC,
        "noinit.xml": SBML.replace('<species id="A" compartment="c" initialConcentration="3"', '<species id="A" compartment="c"'),
    }
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text)
        assert main(["simulate", str(path), "--t1", "1"]) == 2, name
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and err.startswith("crnzoo simulate: error:"), err
        if name.startswith("not"):  # info: unreadable files are errors too ...
            assert main(["info", str(path)]) == 2
            err = capsys.readouterr().err.strip()
            assert len(err.splitlines()) == 1 and err.startswith("crnzoo info: error:"), err
        else:  # ... a readable model is described, with what crnzoo refuses in it
            assert main(["info", str(path)]) == 0
            last = capsys.readouterr().out.strip().splitlines()[-1]
            assert last.startswith("crnzoo: NOT supported:") and ("algebraic rule" in last or "no initial value" in last), last


def test_simulate_and_export_an_sbml_file(tmp_path, capsys):
    _, net = _zoo_network("majority-am4")
    path = tmp_path / "am4.xml"
    export(net, "sbml", path=path)
    csv = tmp_path / "out.csv"
    assert main(["simulate", str(path), "--t1", "2", "--points", "3", "--csv", str(csv)]) == 0
    header = csv.read_text().splitlines()[0].split(",")
    assert header == ["time", *net.species]
    assert main(["export", str(path), "--format", "dsd"]) == 0
    assert "->" in capsys.readouterr().out


def test_load_antimony(tmp_path):
    pytest.importorskip("antimony")
    path = tmp_path / "m.ant"
    path.write_text("model m\n  compartment c = 1\n  species A in c = 1, B in c = 0\n  r1: A -> B; k*A\n  k = 0.5\nend\n")
    m = crnzoo.load(str(path))
    np.testing.assert_allclose(np.asarray(m.rhs(0.0, m.x0)), [-0.5, 0.5])
    assert m.network().reactions[0].rate == 0.5


def test_finetune_recovers_a_rate_constant(tmp_path):
    from crnzoo.tasks.sbml import SBMLTask

    text = SBML.replace('<parameter id="Vm" value="4"', '<parameter id="Vm" value="4"')
    m = from_sbml(text)
    ts = np.linspace(0, 1, 6)
    ys = crnzoo.simulate(m, ts).ys
    csv = tmp_path / "tc.csv"
    np.savetxt(csv, np.column_stack([ts, ys[:, :2]]), delimiter=",", header="time,A,B", comments="")
    start = from_sbml(text.replace('value="4"', 'value="2"'))
    _, result = SBMLTask().finetune(start, str(csv), steps=60, lr=0.05, progress=False)
    assert result["final_loss"] < 0.1 * result["initial_loss"]


def _plain_cases(shared_data):
    listing = shared_data / "sbml-test-suite" / "semantic-plain-reaction-cases.txt"
    if not listing.is_file():
        pytest.skip(f"the SBML Test Suite is not in the shared data ({listing} is absent)")
    return listing.read_text().split()


def _check_cases(shared_data, cases, engine=None):
    failed = []
    for case in cases:
        result = run_case(shared_data / "sbml-test-suite" / "semantic" / case, engine)
        if result.status != "pass":
            failed.append(f"{case}: {result.status} {result.reason}")
    assert not failed, failed


# A fixed sample across the suite's tags (plain reactions, rules, initial assignments, function
# definitions, local parameters, amounts and concentrations, events with and without delays,
# priorities, persistence, trigger-time values): every one small enough for one shared program.
SAMPLE = ["00007", "00013", "00031", "00047", "00050", "00061", "00062", "00077", "00085", "00089", "00092", "00107",
          "00109", "00112", "00118", "00121", "00127", "00136", "00151", "00164", "00362", "00383", "00395", "00461",
          "00656", "00701", "00743", "00928", "00934", "00935"]


def test_sbml_test_suite_sample(shared_data, engine):
    """~30 cases with the suite's settings and tolerances through one shared compiled solve."""
    _plain_cases(shared_data)
    _check_cases(shared_data, SAMPLE, engine)


@pytest.mark.slow
def test_sbml_test_suite_plain_cases(shared_data):
    """Every plain-reaction case that has an SBML file here (182 of 188), each through its own
    compiled solve as `crnzoo simulate` runs it (seconds per case; the shared solve is slow on the
    few cases with discontinuous rates, where Tsit5 takes its 200,000 steps through host callbacks)."""
    root = shared_data / "sbml-test-suite" / "semantic"
    _check_cases(shared_data, [c for c in _plain_cases(shared_data) if (root / c / f"{c}-sbml-l3v2.xml").is_file()])


EVENTS = """<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2"><model id="ev">
<listOfCompartments><compartment id="c" size="1" constant="true"/></listOfCompartments>
<listOfSpecies><species id="A" compartment="c" initialAmount="1" hasOnlySubstanceUnits="false" boundaryCondition="false" constant="false"/></listOfSpecies>
<listOfParameters><parameter id="k" value="1" constant="false"/><parameter id="T" constant="false"/></listOfParameters>
<listOfRules><assignmentRule variable="T"><math xmlns="http://www.w3.org/1998/Math/MathML"><apply><times/><ci>k</ci><ci>A</ci></apply></math></assignmentRule></listOfRules>
<listOfReactions><reaction id="decay" reversible="false"><listOfReactants><speciesReference species="A" stoichiometry="1" constant="true"/></listOfReactants>
<kineticLaw><math xmlns="http://www.w3.org/1998/Math/MathML"><apply><times/><ci>k</ci><ci>A</ci></apply></math></kineticLaw></reaction></listOfReactions>
<listOfEvents>
<event id="refill" useValuesFromTriggerTime="true"><trigger initialValue="true" persistent="true"><math xmlns="http://www.w3.org/1998/Math/MathML">
<apply><lt/><ci>A</ci><cn>0.5</cn></apply></math></trigger>
<listOfEventAssignments><eventAssignment variable="A"><math xmlns="http://www.w3.org/1998/Math/MathML"><cn>1</cn></math></eventAssignment></listOfEventAssignments></event>
<event id="faster" useValuesFromTriggerTime="true"><trigger initialValue="true" persistent="true"><math xmlns="http://www.w3.org/1998/Math/MathML">
<apply><geq/><csymbol encoding="text" definitionURL="http://www.sbml.org/sbml/symbols/time">t</csymbol><cn>1</cn></apply></math></trigger>
<delay><math xmlns="http://www.w3.org/1998/Math/MathML"><cn>0.5</cn></math></delay>
<listOfEventAssignments><eventAssignment variable="k"><math xmlns="http://www.w3.org/1998/Math/MathML"><cn>2</cn></math></eventAssignment></listOfEventAssignments></event>
</listOfEvents></model></sbml>"""


def _events_exact(ts):
    """A' = -k A; A -> 1 whenever A falls below 0.5; k: 1 -> 2 at t = 1.5 (trigger t >= 1, delay 0.5)."""
    out, t, a, k = [], 0.0, 1.0, 1.0
    for t_out in ts:
        while True:
            t_switch = 1.5 if k == 1.0 else np.inf
            t_refill = t + np.log(a / 0.5) / k
            t_next = min(t_switch, t_refill)
            if t_next > t_out:
                break
            a, t = (a * np.exp(-k * (t_next - t)), t_next)
            if t_next == t_refill:
                a = 1.0
            else:
                k = 2.0
        out.append((a * np.exp(-k * (t_out - t)), k))
    return np.asarray(out)


@pytest.fixture(scope="module")
def engine():
    """One shared compiled solve for this module's event and Test Suite checks."""
    from crnzoo.sbml.shared import SharedSolve

    return SharedSolve()


def test_events_triggers_delays_and_parameter_changes(engine):
    m = from_sbml(EVENTS)
    assert m.has_events and [e.id for e in m.spec.events] == ["refill", "faster"]
    ts = np.linspace(0.0, 3.0, 31)
    traj, ps = m.simulate_events(ts, SOLVERS[0], engine)  # the Test Suite's settings: one compiled program for both
    exact = _events_exact(ts)
    np.testing.assert_allclose(traj.ys[:, 0], exact[:, 0], rtol=1e-6, atol=1e-9)
    values = m.values(ts, traj.ys, ["A", "k", "T"], ps=ps)
    np.testing.assert_allclose(values[:, 1], exact[:, 1])  # k as the event set it
    np.testing.assert_allclose(values[:, 2], exact[:, 0] * exact[:, 1], rtol=1e-6)  # T = k A with the changed k
    assert values[:, 0].min() >= 0.5 - 1e-6  # refilled each time it reaches 0.5


def test_event_constructs_crnzoo_cannot_do_are_refused_by_name():
    eq = EVENTS.replace("<apply><lt/><ci>A</ci><cn>0.5</cn></apply>", "<apply><eq/><ci>A</ci><cn>0.5</cn></apply>")
    with pytest.raises(SBMLImportError, match="equality"):
        from_sbml(eq)
    comp = EVENTS.replace('<eventAssignment variable="k">', '<eventAssignment variable="c">')
    with pytest.raises(SBMLImportError, match="assigns compartment c"):
        from_sbml(comp)


def test_info_describes_an_sbml_file(tmp_path, capsys):
    path = tmp_path / "ev.xml"
    path.write_text(EVENTS)
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    for text in ("species (1):", "A in c: amount 1", "decay: A -> ∅; rate k * A", "assignment: T = k * A",
                 "refill: when A < 0.5: A = 1", "faster: when time >= 1 after 0.5: k = 2", "crnzoo: supported"):
        assert text in out, (text, out)


@pytest.mark.slow
def test_simulate_an_sbml_file_with_events(tmp_path):
    """`crnzoo simulate` on a model with events (its own compiled solve: seconds)."""
    path, csv = tmp_path / "ev.xml", tmp_path / "ev.csv"
    path.write_text(EVENTS)
    assert main(["simulate", str(path), "--t1", "3", "--points", "31", "--csv", str(csv)]) == 0
    table = np.loadtxt(csv, delimiter=",", skiprows=1)
    np.testing.assert_allclose(table[:, 1], _events_exact(table[:, 0])[:, 0], rtol=1e-5, atol=1e-7)


def test_a_model_with_events_is_not_solved_as_if_it_had_none():
    m = from_sbml(EVENTS)
    with pytest.raises(SBMLImportError, match="has events"):
        crnzoo.simulate(m, np.linspace(0, 1, 3))
    with pytest.raises(SBMLImportError, match="has events"):
        m.network()
