"""Simulation: batching, input schedules, refusal of bad states, divergence reporting."""

from __future__ import annotations

import numpy as np
import pytest

from crnzoo import MassActionCRN, Reaction, ReactionNetwork, Schedule, SimulationError, StateError, simulate
from crnzoo.solve import SolverConfig


def catalysed_decay() -> ReactionNetwork:
    """K is a control catalyst: A + K -> B + K; B -> A slowly. K never changes by reaction."""
    return ReactionNetwork(
        ("A", "B", "K"),
        (Reaction({"A": 1, "K": 1}, {"B": 1, "K": 1}, 1.0), Reaction({"B": 1}, {"A": 1}, 0.1)),
        {"A": 1.0},
    )


MODEL = MassActionCRN.from_network(catalysed_decay())


def test_default_state_and_shapes():
    tr = simulate(MODEL, t1=10.0, n_save=11)
    assert tr.ts.shape == (11,) and tr.ys.shape == (11, 3)
    np.testing.assert_allclose(tr.ys.sum(-1), 1.0, atol=1e-8)
    batch = np.array([[1.0, 0.0, 0.5], [0.5, 0.5, 0.0]])
    tb = simulate(MODEL, np.linspace(0, 10, 11), batch)
    assert tb.ys.shape == (2, 11, 3) and tb.final.shape == (2, 3)
    tv = simulate(MODEL, np.linspace(0, 10, 11), batch, batch="vmap")
    np.testing.assert_allclose(tb.ys, tv.ys, atol=1e-6)


def test_piecewise_control_levels_switch_at_declared_jumps():
    sched = Schedule(switch_times=(5.0,), levels={"K": (0.0, 2.0)})
    tr = simulate(MODEL, np.linspace(0, 10, 101), schedule=sched, solver=SolverConfig(rtol=1e-10, atol=1e-12))
    k = tr.ys[:, 2]
    assert np.all(k[tr.ts < 5] == 0.0) and np.all(k[tr.ts >= 5] == 2.0)
    a = tr.ys[:, 0]
    np.testing.assert_allclose(a[tr.ts <= 5], 1.0, atol=1e-9)  # no catalyst, B is 0: nothing happens
    # After the switch: A' = -2A + 0.1B, A + B = 1 -> A(t) = a* + (1 - a*) e^{-2.1 (t-5)}.
    t = tr.ts[tr.ts >= 5] - 5
    a_star = 0.1 / 2.1
    np.testing.assert_allclose(a[tr.ts >= 5], a_star + (1 - a_star) * np.exp(-2.1 * t), atol=1e-7)


def test_additions_are_solved_in_segments():
    sched = Schedule(levels={"K": (1.0,)}, additions=((3.0, {"A": 0.5}),))
    tr = simulate(MODEL, np.linspace(0, 6, 61), schedule=sched)
    total = tr.ys[:, :2].sum(-1)
    np.testing.assert_allclose(total[tr.ts < 3], 1.0, atol=1e-7)
    np.testing.assert_allclose(total[tr.ts >= 3], 1.5, atol=1e-7)


def test_hold_schedule_helper():
    s = Schedule.hold(["K"], [[0.0], [1.0], [0.0]], hold=200)
    assert s.switch_times == (200.0, 400.0) and s.levels["K"] == (0.0, 1.0, 0.0)
    assert Schedule.from_dict(s.to_dict()) == s


@pytest.mark.parametrize(
    "x0, message",
    [
        ([1.0, 0.0], "shape"),
        ([[1.0, 0.0]], "shape"),
        ([1.0, float("nan"), 0.0], "NaN"),
        ([1.0, -0.1, 0.0], "negative concentration"),
        (["a", 1, 2], "array of numbers"),
    ],
)
def test_bad_initial_states_are_refused(x0, message):
    with pytest.raises(StateError, match=message):
        simulate(MODEL, t1=1.0, x0=x0)


def test_bad_schedules_and_times_are_refused():
    with pytest.raises(StateError, match="unknown species Q"):
        simulate(MODEL, t1=1.0, schedule=Schedule(levels={"Q": (1.0,)}))
    with pytest.raises(StateError, match="levels"):
        Schedule(switch_times=(1.0, 2.0), levels={"K": (1.0,)})
    with pytest.raises(StateError, match="increasing"):
        Schedule(switch_times=(2.0, 1.0), levels={"K": (0, 1, 0)})
    with pytest.raises(StateError, match="t1"):
        simulate(MODEL)


def test_diverging_solve_is_reported_not_returned():
    """A' = A² from A = 1 blows up at t = 1: the error names the model and the time reached."""
    boom = ReactionNetwork(("A",), (Reaction({"A": 2}, {"A": 3}, 1.0),), {"A": 1.0})
    with pytest.raises(SimulationError) as e:
        simulate(boom, t1=2.0, name="boom", solver=SolverConfig(max_steps=2000))
    msg = str(e.value)
    assert "boom" in msg and "failed at t=" in msg
    reached = float(msg.split("failed at t=")[1].split()[0])
    assert 0.5 < reached <= 1.0


def test_trajectory_csv(tmp_path):
    tr = simulate(MODEL, t1=1.0, n_save=5)
    tr.to_csv(tmp_path / "t.csv")
    lines = (tmp_path / "t.csv").read_text().splitlines()
    assert lines[0] == "time,A,B,K" and len(lines) == 6
