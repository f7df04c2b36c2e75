"""The oscillator family (three-phase, frequency- and amplitude-controlled oscillators), the
measurements shared with the waveform family, and the learned catalytic oscillators' weights."""

from __future__ import annotations

import equinox as eqx
import jax
import numpy as np
import pytest

import crnzoo
from crnzoo import checkpoint, zoo
from crnzoo.crn import CatalyticCRN
from crnzoo.export.text import from_txt
from crnzoo.publish import publish
from crnzoo.tasks import _oscillation as osc
from crnzoo.tasks import _oscillator_control as ctl


CONTROLLED = ["oscillator-frequency", "oscillator-amplitude"]
LEARNED = CONTROLLED + ["waveform-square", "waveform-peaks"]  # the catalytic CRNs of tasks/_oscillation.py


def test_oscillation_measurements():
    ts = np.linspace(0, 200, 4001)
    sine = 0.25 + 0.25 * np.sin(2 * np.pi * ts / 20)
    assert osc.period(ts, sine) == pytest.approx(20.0, rel=1e-4)
    assert osc.frequency(ts, sine, 20, 200) == pytest.approx(0.05, rel=1e-3)
    damped_out = 0.25 + 0.25 * np.exp(-ts / 5) * np.sin(2 * np.pi * ts / 20)
    assert osc.frequency(ts, damped_out, 20, 200, min_amplitude=0.05) == 0.0
    assert osc.frequency(ts, np.full_like(ts, 0.3), 0, 200) == 0.0
    assert osc.amplitude(ts, sine, 20, 200) == pytest.approx(0.25, rel=1e-3)
    assert osc.amplitude(ts, sine * (ts < 100), 150) == 0.0
    assert osc.keeps_oscillating(ts, sine, 100.0, 0.25)
    damped = 0.25 + 0.25 * np.exp(-ts / 10) * np.sin(2 * np.pi * ts / 20)
    assert not osc.keeps_oscillating(ts, damped, 100.0, 0.25)
    assert not osc.keeps_oscillating(ts, np.full_like(ts, 0.3), 100.0, 0.25)
    ys = np.stack([sine, 1 - sine + 1e-3 * (ts > 50)], axis=1)
    assert osc.mass_drift(ys) == pytest.approx(1e-3)


@pytest.mark.parametrize("name", ["three-phase-oscillator", *CONTROLLED])
def test_entry_is_the_oscillator_family(name):
    e, card = zoo.entry(name), zoo.card(name)
    assert e.family == card["family"] == "oscillator"
    assert e.training == card["training"]["command"]
    assert card["protocol"] == e.protocol and card["system"] == e.system and card["config"] == dict(e.config)
    if e.task.trained:
        assert e.training == f"python scripts/train_oscillator.py {name}"
        assert e.task.seeds == card["seed_spread"]["seeds"] == 8  # the script's default reproduces the card
        assert card["training"]["config"] == e.train_config.to_dict()


def test_three_phase_is_hand_designed_and_republishes_identically(tmp_path):
    e, card = zoo.entry("three-phase-oscillator"), zoo.card("three-phase-oscillator")
    assert not e.task.trained and e.task.exact_fast
    model = e.task.make()
    assert checkpoint.content_hash(model) == card["content_hash"]
    new = publish(e, model, tmp_path / "three-phase-oscillator")
    assert {k: m["value"] for k, m in new["metrics"].items()} == {k: m["value"] for k, m in card["metrics"].items()}
    assert new["reactions"] == card["reactions"] and new["training"] == card["training"]


def test_free_start_trains_only_its_free_initial_concentrations():
    fs = ctl.frequency_init(jax.random.PRNGKey(0))
    spec = fs.trainable()
    assert spec.crn.logits is True and spec.crn.x0 is True
    moved = eqx.tree_at(lambda m: m.crn.x0, fs, fs.crn.x0.at[0].set(-0.3).at[1].add(2.0).at[5].set(1.7))
    p = moved.project()
    x0 = np.asarray(p.x0)
    assert x0[0] == 0.0 and x0[:5].sum() == pytest.approx(1.0) and x0[5] == 1.7
    amp = ctl.amplitude_init(jax.random.PRNGKey(0))
    assert float(amp.x0[0]) == ctl.AMP_DEFAULT and float(amp.x0[1:].sum()) == pytest.approx(1.0)


@pytest.mark.parametrize("name", LEARNED)
def test_shipped_model_is_its_sparsified_network(name):
    model, card, e = zoo.load(name), zoo.card(name), zoo.entry(name)
    assert isinstance(model, CatalyticCRN)
    assert card["config"] == dict(e.config) and model.k_min == osc.K_MIN == e.k_report
    assert set(e.config) == {"species", "fixed", "roles", "k_min", "train_x0", "x0_total"}
    # The dynamics are already sparsified: the listing at 0 and at k_report agree.
    assert model.network(0.0).n_reactions == model.network(e.k_report).n_reactions == card["reactions"]["at_k_report"]
    x = np.random.default_rng(0).uniform(0, 1, (4, len(model.species)))
    net = crnzoo.MassActionCRN.from_network(model.network(e.k_report))
    np.testing.assert_allclose(np.asarray(net.rhs(0, x)), np.asarray(model.rhs(0, x)), atol=1e-13)
    assert card["training_wall_s"] < 20 * 60


def _listing(name):
    return from_txt((zoo.checkpoint_dir(name) / "reactions.txt").read_text())


def test_frequency_listing_reproduces_the_card():
    card, model = zoo.card("oscillator-frequency"), zoo.load("oscillator-frequency")
    net = _listing("oscillator-frequency")
    assert all(r.reactants.get("U", 0) == r.products.get("U", 0) for r in net.reactions)  # U only catalyses
    ts = np.linspace(0.0, ctl.FREQ_T1, 2001)
    for u in (0.5, 1.0, 2.0):
        x0 = np.asarray(model.x0).copy()
        x0[5] = u
        tr = crnzoo.simulate(net, ts, x0, solver=osc.EVAL_SOLVER)
        f = osc.frequency(ts, tr.ys[:, 0], ctl.FREQ_SKIP, ctl.FREQ_T1, ctl.FREQ_MIN_AMP)
        assert f == pytest.approx(card["metrics"][f"freq_u{u:g}"]["value"], rel=1e-3, abs=1e-9)


def test_amplitude_listing_reproduces_the_card():
    card = zoo.card("oscillator-amplitude")
    net = _listing("oscillator-amplitude")
    ts = np.linspace(0.0, ctl.AMP_T1, 2001)
    tr = crnzoo.simulate(net, ts, schedule=ctl.AMP_SCHEDULE, solver=osc.EVAL_SOLVER)
    before = osc.amplitude(ts, tr.ys[:, 0], *ctl.AMP_BEFORE)
    after = osc.amplitude(ts, tr.ys[:, 0], ctl.AMP_ADD_T + ctl.AMP_WINDOW[0], ctl.AMP_T1)
    assert before == pytest.approx(card["metrics"]["addition_amp_before"]["value"], rel=1e-3)
    assert after == pytest.approx(card["metrics"]["addition_amp_after"]["value"], rel=1e-3)


def test_frequency_default_schedule_switches_the_control():
    e, model = zoo.entry("oscillator-frequency"), zoo.load("oscillator-frequency")
    assert e.schedule.levels["U"] == ctl.FREQ_LEVELS and e.schedule.switch_times == (ctl.FREQ_SWITCH,)
    assert zoo.card("oscillator-frequency")["schedule"]["levels"]["U"] == list(ctl.FREQ_LEVELS)
    ts = np.linspace(0.0, e.t1, 801)
    u = crnzoo.simulate(model, ts, schedule=e.schedule, solver=e.solver).ys[:, 5]
    np.testing.assert_array_equal(u, np.where(ts < ctl.FREQ_SWITCH, *ctl.FREQ_LEVELS))
