"""A Neural CRN's export is the circuit that learns: clock-gated reactions and the clock schedule.

The exported SBML of `ncrn-linreg2d` (`crnzoo export ncrn-linreg2d -f sbml`), run by an
independent simulator (libroadrunner) with the experimenter loading a few training samples
at the start of each clock cycle, moves the parameter species as crnzoo's one-pot mode does.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import libsbml
import numpy as np
import pytest

from crnzoo import zoo
from crnzoo.cli import main
from crnzoo.export import ClockSchedule, export, lab_network
from crnzoo.neural import one_pot_state, one_pot_step_fn
from crnzoo.neural._model import load_input, read_params


def _export(capsys, tmp_path, fmt: str, *extra: str) -> str:
    out = tmp_path / f"lr.{fmt}"
    assert main(["export", "ncrn-linreg2d", "-f", fmt, "-o", str(out), *extra]) == 0
    capsys.readouterr()
    return out.read_text()


@pytest.mark.filterwarnings("ignore:exporting")
def test_ncrn_sbml_runs_the_clocked_circuit_in_libroadrunner(capsys, tmp_path):
    roadrunner = pytest.importorskip("roadrunner", reason="libroadrunner (test extra) is not installed")
    roadrunner.Logger.setLevel(roadrunner.Logger.LOG_ERROR)  # CVODE's tiny-step notes at each clock switch
    text = _export(capsys, tmp_path, "sbml")
    doc = libsbml.readSBMLFromString(text)
    assert doc.getNumErrors(libsbml.LIBSBML_SEV_ERROR) == 0
    assert doc.checkConsistency() == 0 or doc.getNumErrors(libsbml.LIBSBML_SEV_ERROR) == 0
    m = doc.getModel()
    assert m.getNumEvents() == 1 and m.getEvent(0).getId() == "clock_tick"
    # every reaction is catalysed by its phase's clock
    for r in m.getListOfReactions():
        clocks = {m.getSpecies(s.getSpecies()).getId() for s in r.getListOfReactants()} & {"C1", "C2"}
        assert len(clocks) == 1, r.getId()
        assert clocks == ({"C1"} if r.getId().startswith(("N1", "N4", "flush")) else {"C2"}), r.getId()

    model = zoo.load("ncrn-linreg2d")
    spec = model.spec
    c = model.circuit
    data = zoo.entry("ncrn-linreg2d").task.data()
    xs, ys = spec.pad_inputs(data.train.x[:4]), data.train.y[:4]

    rr = roadrunner.RoadRunner(text)
    rr.integrator.relative_tolerance, rr.integrator.absolute_tolerance = 1e-8, 1e-10
    pot = one_pot_state(spec, model.theta)
    for i, s in enumerate(c.species):
        rr.setValue(f"[{s}]", float(pot[i]))
    step = jax.jit(one_pot_step_fn(spec))
    t = 0.0
    for x, y in zip(xs, ys):
        state = np.array([rr[f"[{s}]"] for s in c.species])
        assert state[c.idx("C1")] == 1.0 and state[c.idx("C2")] == 0.0  # the schedule: C1 phase starts each cycle
        loaded = np.asarray(load_input(c, jnp.asarray(state), jnp.asarray(x), jnp.asarray(y)))
        for i, s in enumerate(c.species):
            if s not in ("C1", "C2"):
                rr.setValue(f"[{s}]", float(loaded[i]))
        rr.simulate(t, t + 2 * spec.T, 3)  # one C1 phase, one C2 phase: the SBML's event switches the clocks
        t += 2 * spec.T
        pot, _ = step(pot, jnp.asarray(x), jnp.asarray(y))
    theta0 = np.asarray(model.theta)
    theta_rr = np.asarray(read_params(c, jnp.asarray([rr[f"[{s}]"] for s in c.species])))
    theta_pot = np.asarray(read_params(c, pot))
    moved = theta_pot - theta0
    assert np.all(np.abs(moved) > 1e-3)  # learning happened
    np.testing.assert_allclose(theta_rr - theta0, moved, rtol=0.01)
    # the whole pot, not only θ: every species within 1 % of the largest concentration
    pot_rr = np.array([rr[f"[{s}]"] for s in c.species if s not in ("C1", "C2")])
    pot_jx = np.array([float(pot[c.idx(s)]) for s in c.species if s not in ("C1", "C2")])
    assert np.max(np.abs(pot_rr - pot_jx)) <= 0.01 * np.max(np.abs(pot_jx))


@pytest.mark.filterwarnings("ignore:exporting")
def test_ncrn_exports_carry_the_clock(capsys, tmp_path):
    txt = _export(capsys, tmp_path, "txt")
    assert "clock schedule: square waves of phase length T = 0.5" in txt
    body = [line for line in txt.splitlines() if line and not line.startswith("#")]
    assert body and all(" C1 " in f" {line} " or " C2 " in f" {line} " for line in body)
    ant = _export(capsys, tmp_path, "antimony")
    assert "clock_tick: at (time >= clock_next)" in ant and "$C1" in ant
    plain = _export(capsys, tmp_path, "dsd", "--no-clocks")
    reactions = [line for line in plain.splitlines() if "->" in line and not line.startswith("#")]
    assert "clock" not in plain and reactions and not any("C1" in line or "C2" in line for line in reactions)
    scaled = _export(capsys, tmp_path, "sbml", "--scale", "50nM,60s")
    m = libsbml.readSBMLFromString(scaled).getModel()
    assert m.getParameter("clock_phase").getValue() == pytest.approx(30.0)  # T = 0.5 time units of 60 s


def test_antimony_clock_event_loads():
    antimony = pytest.importorskip("antimony", reason="antimony (test extra) is not installed")
    net, clock = lab_network(zoo.load("ncrn-linreg2d"), 0.0, "lr")
    with pytest.warns(UserWarning):
        text = export(net, "antimony", clock=clock)
    antimony.clearPreviousLoads()
    assert antimony.loadAntimonyString(text) >= 0, antimony.getLastError()
    sbml = antimony.getSBMLString("lr")
    m = libsbml.readSBMLFromString(sbml).getModel()
    assert m.getNumEvents() == 1


def test_non_clocked_models_have_no_schedule():
    net, clock = lab_network(zoo.load("gate-and"), 0.0, "g")
    assert clock is None and net.n_reactions > 0
    with pytest.raises(ValueError, match="at least two"):
        ClockSchedule(("C1",), 1.0)
    with pytest.raises(ValueError, match="not species"):
        export(net, "sbml", clock=ClockSchedule(("C1", "C2"), 1.0))
