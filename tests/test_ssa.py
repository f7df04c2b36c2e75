"""The stochastic simulator: exact moments, an independent simulator, schedules, bad input."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from crnzoo import zoo
from crnzoo.cli import main
from crnzoo.network import Reaction, ReactionNetwork, parse_reactions
from crnzoo.solve import Schedule
from crnzoo.ssa import SSAError, ssa_simulate
from crnzoo.ssa.robustness import StochasticCheck, clopper_pearson, lab_volume_fl, smallest_omega


def _z(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """z-scores of the difference of the means and of the variances of two samples."""
    se_m = np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
    def var_se(x):
        d = x - x.mean()
        return np.sqrt(max(np.mean(d**4) - np.mean(d**2) ** 2, 1e-12) / x.size)
    se_v = np.sqrt(var_se(a) ** 2 + var_se(b) ** 2)
    return (a.mean() - b.mean()) / max(se_m, 1e-12), (a.var(ddof=1) - b.var(ddof=1)) / max(se_v, 1e-12)


@pytest.mark.parametrize("method", ["direct", "scan"])
def test_birth_death_matches_closed_form_moments(method):
    """∅ → A (k1), A → ∅ (k2) from n(0) = 0: n(t) is Poisson with mean Ω k1/k2 (1 − e^{−k2 t})."""
    net = parse_reactions("-> A  k=2\nA ->  k=0.5\n")
    ts = np.array([0.0, 0.5, 1.0, 2.0, 4.0, 8.0])
    omega, runs = 20.0, 4000
    res = ssa_simulate(net, ts, omega, runs, seed=3, method=method)
    lam = omega * 2 / 0.5 * (1 - np.exp(-0.5 * ts[1:]))
    n = res.counts[:, 1:, 0]
    z_mean = (n.mean(0) - lam) / np.sqrt(lam / runs)
    # the variance of a sample variance of a Poisson(λ): (λ + 2λ²/(runs − 1)) / runs
    z_var = (n.var(0, ddof=1) - lam) / np.sqrt((lam + 2 * lam**2) / runs)
    assert np.all(np.abs(z_mean) < 4.5) and np.all(np.abs(z_var) < 4.5), (z_mean, z_var)
    assert np.all(res.counts[:, 0] == 0)


def test_dimerisation_uses_the_combinatorial_factor():
    """2A → ∅ at k with two molecules: propensity k·2·1/Ω, so P(still 2 at t) = exp(−2k t/Ω)."""
    net = ReactionNetwork(("A",), (Reaction({"A": 2}, {}, 1.0),))
    omega, t = 4.0, 1.0
    res = ssa_simulate(net, [0.0, t], omega, 4000, x0=[2 / omega], seed=1)
    p = np.mean(res.final[:, 0] == 2)
    assert abs(p - np.exp(-2 * t / omega)) < 4.5 * np.sqrt(p * (1 - p) / 4000)
    assert set(np.unique(res.final)) <= {0.0, 2.0}


def test_tau_leaping_is_close_at_large_counts():
    net = parse_reactions("-> A  k=2\nA ->  k=0.5\n")
    res = ssa_simulate(net, [0.0, 4.0], 500.0, 1000, seed=0, method="tau")
    lam = 500 * 4 * (1 - np.exp(-2.0))
    assert abs(res.final[:, 0].mean() / lam - 1) < 0.02 and abs(res.final[:, 0].var() / lam - 1) < 0.2
    assert np.all(res.counts >= 0)


def test_held_species_and_schedules():
    """A catalyst held by a schedule: A → B only while E is on (E = 1 for t < 1, 0 after)."""
    net = parse_reactions("A + E -> B + E  k=1\n", species=["A", "B", "E"])
    sched = Schedule((1.0,), {"E": (1.0, 0.0)}, additions=((2.0, {"A": 0.5}),))
    res = ssa_simulate(net, [0.0, 0.999, 1.5, 2.0, 3.0], 100.0, 200, x0=[1.0, 0.0, 0.0], schedule=sched, seed=0)
    c = res.counts
    assert np.all(c[:, :2, 2] == 100) and np.all(c[:, 2:, 2] == 0)  # E held, switched off at t = 1
    assert np.all(c[:, 3, 0] == c[:, 4, 0])  # nothing happens while E is off
    assert np.all(c[:, 3, 0] == c[:, 2, 0] + 50)  # the addition at t = 2, saved after it
    assert np.all(c[..., 0] + c[..., 1] == np.array([100, 100, 100, 150, 150]))
    m = np.mean(c[:, 1, 0])  # A(1) ≈ 100 e^{-1}
    assert abs(m - 100 * np.exp(-0.999)) < 2.0


def test_zoo_model_held_inputs_do_not_move():
    model = zoo.load("gate-and")
    sched = zoo.entry("gate-and").task.inputs("11,00", 50.0)
    res = ssa_simulate(model, np.linspace(0, 100, 11), 50.0, 8, schedule=sched, seed=0)
    i = res.species.index("X_hi")
    assert np.all(res.counts[:, :5, i] == 50) and np.all(res.counts[:, 6:, i] == 0)


def test_bad_input_is_refused():
    net = parse_reactions("A -> B  k=1\n")
    for omega in (0.0, -1.0, float("nan")):
        with pytest.raises(SSAError, match="omega"):
            ssa_simulate(net, [0, 1], omega, 10)
    with pytest.raises(SSAError, match="runs"):
        ssa_simulate(net, [0, 1], 10.0, 0)
    # a listing built around the validation (e.g. by an importer) with a coefficient 1.5
    r = Reaction({"A": 1}, {"B": 1}, 1.0)
    object.__setattr__(r, "reactants", {"A": 1.5})
    bad = object.__new__(ReactionNetwork)
    for f in dataclasses.fields(ReactionNetwork):
        object.__setattr__(bad, f.name, getattr(net, f.name))
    object.__setattr__(bad, "reactions", (r,))
    with pytest.raises(SSAError, match="integer stoichiometry"):
        ssa_simulate(bad, [0, 1], 10.0, 10)


def test_cli_bad_input_exit_2(capsys):
    for argv in (["--ssa", "--omega", "0"], ["--ssa", "--omega", "10", "--runs", "0"], ["--ssa"], ["--omega", "5"]):
        assert main(["simulate", "majority-am4", *argv]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "error" in err
    assert main(["robustness", "majority-am4", "--runs", "0"]) == 2


def test_cli_simulate_ssa_writes_plot_and_csv(capsys, tmp_path):
    png, csv = tmp_path / "am4.png", tmp_path / "am4.csv"
    code = main(["simulate", "majority-am4", "--ssa", "--omega", "50", "--runs", "64", "--points", "21", "--plot", str(png), "--csv", str(csv)])
    out = capsys.readouterr().out
    assert code == 0 and "64 direct sample paths" in out and "± " in out
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert csv.read_text().splitlines()[0].startswith("time,A_mean,A_sd,A_q05,A_q95")


def test_smallest_omega_and_its_interval():
    """A synthetic check that holds with p = 1 − 2/Ω: the threshold p ≥ 0.95 is Ω ≥ 40."""
    def check(omega):
        p = max(0.0, 1 - 2 / omega)
        passed = int(round(p * 2000))
        return StochasticCheck(passed, 2000, {"too few": 2000 - passed} if passed < 2000 else {})

    r = smallest_omega(check, omega_max=1024, factor=2)
    assert r.omega_min == 64 and r.fails_first == "too few"
    lo, hi = r.omega_interval
    assert lo <= 64 <= hi
    assert clopper_pearson(200, 200)[0] > 0.98 and clopper_pearson(0, 10) == (0.0, clopper_pearson(0, 10)[1])
    assert abs(lab_volume_fl(30.11, 50.0) - 1.0) < 1e-3  # 50 nM is 30.1 molecules per fL
    assert "fL" in r.statement()


def test_majority_robustness_runs(capsys):
    code = main(["robustness", "majority-am4", "--runs", "40", "--omega-max", "64", "--factor", "4"])
    out = capsys.readouterr().out
    assert code in (0, 1) and "Ω = 64" in out and ("fL" in out or "did not hold" in out)


@pytest.mark.parametrize("name", ["majority-am4", "three-phase-oscillator"])
def test_task_stochastic_checks_pass_at_large_counts(name):
    """The entry's own check holds at a large Ω and names what fails at a tiny one."""
    e, card, model = zoo.entry(name), zoo.card(name), zoo.load(name)
    big = e.task.stochastic_check(model, 2000.0, 8, 0, t1=card["t1"], schedule=Schedule.from_dict(card.get("schedule")))
    assert big.runs == 8 and big.passed == 8 and not big.failures
    small = e.task.stochastic_check(model, 2.0, 16, 0, t1=card["t1"], schedule=Schedule.from_dict(card.get("schedule")))
    assert small.passed < 16 and sum(small.failures.values()) == 16 - small.passed


@pytest.mark.slow
@pytest.mark.parametrize("name", ["gate-and", "adc-3bit", "seven-segment", "waveform-square", "oscillator-frequency", "wta-ring"])
def test_family_stochastic_checks_run(name):
    e, card, model = zoo.entry(name), zoo.card(name), zoo.load(name)
    c = e.task.stochastic_check(model, 300.0, 4, 0, t1=card["t1"], schedule=Schedule.from_dict(card.get("schedule")))
    assert c.runs == 4 and 0 <= c.passed <= 4 and sum(c.failures.values()) == 4 - c.passed
