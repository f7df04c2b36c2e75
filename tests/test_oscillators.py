"""Learned oscillators: targets, the seed-stack trainer, shipped weights and their listings."""

from __future__ import annotations

import json

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import crnzoo
from crnzoo import cli, zoo
from crnzoo.crn import CatalyticCRN
from crnzoo.export.text import from_txt
from crnzoo.models import oscillators as osc
from crnzoo.tasks import waveform as wf


WAVES = ["waveform-square", "waveform-peaks"]
CONTROLLED = ["oscillator-frequency", "oscillator-amplitude"]
ALL = WAVES + CONTROLLED


# ---- targets and metrics ----------------------------------------------------------------------


def test_square_wave_and_peaks():
    t = np.array([0.0, 12.4, 12.6, 24.9, 25.0, 37.6])
    np.testing.assert_array_equal(wf.square_wave(t), [0.5, 0.5, 0.0, 0.0, 0.5, 0.0])
    p = wf.three_peaks(np.array([15.0, 45.0, 75.0, 30.0]))
    np.testing.assert_allclose(p[:3], [0.6, 0.4, 0.2], atol=1e-6)
    assert p[3] < 1e-3
    ts = wf.train_grid()
    assert ts.size == 200 and ts[0] == 0.0 and ts[-1] == 100.0


def test_read_csv(tmp_path):
    good = tmp_path / "w.csv"
    good.write_text("t,value\n2,0.3\n0,0.1\n1,0.2\n")
    t, v = wf.read_csv(good)
    np.testing.assert_array_equal(t, [0, 1, 2])
    np.testing.assert_array_equal(v, [0.1, 0.2, 0.3])
    bare = tmp_path / "bare.csv"
    bare.write_text("0,0.1\n1,0.2\n")
    assert wf.read_csv(bare)[0].size == 2
    for text, match in (("t,value\n0,1\n", "two rows"), ("0,1\n0,2\n", "distinct"), ("0,1,2\n1,2,3\n", "two columns"),
                        ("0,1\nx,2\n", "not numbers"), ("-1,0\n1,0\n", ">= 0")):
        bad = tmp_path / "bad.csv"
        bad.write_text(text)
        with pytest.raises(ValueError, match=match):
            wf.read_csv(bad)
    with pytest.raises(FileNotFoundError):
        wf.read_csv(tmp_path / "none.csv")


def test_oscillation_metrics():
    ts = np.linspace(0, 200, 4001)
    sine = 0.25 + 0.25 * np.sin(2 * np.pi * ts / 20)
    assert wf.frequency(ts, sine, 20, 200) == pytest.approx(0.05, rel=1e-3)
    damped_out = 0.25 + 0.25 * np.exp(-ts / 5) * np.sin(2 * np.pi * ts / 20)
    assert wf.frequency(ts, damped_out, 20, 200, min_amplitude=0.05) == 0.0
    assert wf.frequency(ts, np.full_like(ts, 0.3), 0, 200) == 0.0
    assert wf.amplitude(ts, sine, 20, 200) == pytest.approx(0.25, rel=1e-3)
    assert wf.keeps_oscillating(ts, sine, 100.0, 0.25)
    damped = 0.25 + 0.25 * np.exp(-ts / 10) * np.sin(2 * np.pi * ts / 20)
    assert not wf.keeps_oscillating(ts, damped, 100.0, 0.25)
    assert not wf.keeps_oscillating(ts, np.full_like(ts, 0.3), 100.0, 0.25)


# ---- the seed-stack trainer --------------------------------------------------------------------


def _tiny_task():
    ts = np.linspace(0.0, 5.0, 11)
    return wf.WaveformTask(ts, wf.square_wave(ts))


def _stack(n=3):
    return osc.SeedStack.init(osc.waveform_init, jax.random.PRNGKey(3), n)


@eqx.filter_jit
def _grad(task, model, target):
    """Gradient of `task.loss` with respect to the float arrays of `model` (a model or a stack)."""
    diff, static = eqx.partition(model, eqx.is_inexact_array)
    return eqx.filter_grad(lambda d: task.loss(eqx.combine(d, static), target)[0])(diff)


def test_stack_members_are_independent_and_clipped_one_by_one():
    task, stack = _tiny_task(), _stack(2)
    target = jnp.asarray(task.target)
    st = osc.StackTask(task, clip=1e6)
    g = _grad(st, stack, target)
    for i in range(2):  # the mean over members: each member gets its own gradient / 2
        gi = _grad(task, stack.member(i), target)
        np.testing.assert_allclose(np.asarray(g.models.logits[i]) * 2, np.asarray(gi.logits), rtol=1e-8, atol=1e-14)
    # Changing member 1 leaves member 0's gradient alone.
    other = eqx.tree_at(lambda s: s.models.logits, stack, stack.models.logits.at[1].add(1.0))
    g2 = _grad(st, other, target)
    np.testing.assert_array_equal(np.asarray(g2.models.logits[0]), np.asarray(g.models.logits[0]))
    assert not np.array_equal(np.asarray(g2.models.logits[1]), np.asarray(g.models.logits[1]))
    # With a tiny clip, every member's gradient has norm clip / n on its own.
    gc = _grad(osc.StackTask(task, clip=1e-6), stack, target)
    for i in range(2):
        norm = np.sqrt(float(jnp.sum(gc.models.logits[i] ** 2) + jnp.sum(gc.models.x0[i] ** 2)))
        assert norm == pytest.approx(1e-6 / 2, rel=1e-6)


def test_stack_hooks_act_per_member():
    stack = _stack(4)
    shifted = eqx.tree_at(lambda s: s.models.x0, stack, stack.models.x0 * jnp.arange(1.0, 5.0)[:, None])
    proj = shifted.project()
    np.testing.assert_allclose(np.asarray(proj.models.x0.sum(-1)), 1.0, atol=1e-12)
    sparse = stack.with_sparsity(0.05)
    assert sparse.member(1).k_min == 0.05
    assert set(stack.regularisers()) == {"l1", "entropy", "energy"}
    assert isinstance(stack.reaction_count(1e-3), int)
    assert stack.member(2).logits.shape == (5, 5, 5)


def test_free_start_trains_only_its_free_initial_concentrations():
    fs = osc.frequency_init(jax.random.PRNGKey(0))
    spec = fs.trainable()
    assert spec.crn.logits is True and spec.crn.x0 is True
    moved = eqx.tree_at(lambda m: m.crn.x0, fs, fs.crn.x0.at[0].set(-0.3).at[1].add(2.0).at[5].set(1.7))
    p = moved.project()
    x0 = np.asarray(p.x0)
    assert x0[0] == 0.0 and x0[:5].sum() == pytest.approx(1.0) and x0[5] == 1.7
    amp = osc.amplitude_init(jax.random.PRNGKey(0))
    assert float(amp.x0[0]) == osc.AMP_DEFAULT and float(amp.x0[1:].sum()) == pytest.approx(1.0)


# ---- shipped weights -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
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
    assert card["training"]["command"].startswith("python scripts/train_")
    assert card["training_wall_s"] < 20 * 60


@pytest.mark.parametrize("name", WAVES)
def test_waveform_cards_report_the_seed_spread(name):
    model, card = zoo.load(name), zoo.card(name)
    assert float(jnp.sum(model.x0)) == pytest.approx(1.0) and bool(jnp.all(model.x0 >= 0))
    s = card["seed_spread"]
    assert s["seeds"] == 40 and len(s["reactions_at_1e-3"]["per_seed"]) == 40
    assert s["reactions_at_1e-3"]["min"] <= card["reactions"]["at_k_report"] <= s["reactions_at_1e-3"]["max"]
    assert 0 <= s["oscillating_past_tmax"] <= 40
    assert s["mse_sparse"]["best"] == pytest.approx(card["metrics"]["mse_sparse"]["value"], rel=1e-4)
    assert s["mse_sparse"]["best"] <= s["mse_sparse"]["median"]


def _listing(name):
    return from_txt((zoo.checkpoint_dir(name) / "reactions.txt").read_text())


@pytest.mark.parametrize("name", WAVES)
def test_waveform_listing_reproduces_the_card(name):
    """reactions.txt, simulated by the generic mass-action engine, gives the card's MSE."""
    card, model, e = zoo.card(name), zoo.load(name), zoo.entry(name)
    target = name.split("-")[1]
    ts = wf.train_grid()
    for net in (_listing(name), model.network(e.k_report)):
        assert net.species == model.species
        tr = crnzoo.simulate(net, ts, solver=osc.EVAL_SOLVER)
        mse = wf.waveform_mse(tr.ys[:, 0], wf.TARGETS[target](ts))
        assert mse == pytest.approx(card["metrics"]["mse_sparse"]["value"], rel=1e-3, abs=1e-7)


def test_frequency_listing_reproduces_the_card():
    card, model = zoo.card("oscillator-frequency"), zoo.load("oscillator-frequency")
    net = _listing("oscillator-frequency")
    assert all(r.reactants.get("U", 0) == r.products.get("U", 0) for r in net.reactions)  # U only catalyses
    ts = np.linspace(0.0, osc.FREQ_T1, 2001)
    for u in (0.5, 1.0, 2.0):
        x0 = np.asarray(model.x0).copy()
        x0[5] = u
        tr = crnzoo.simulate(net, ts, x0, solver=osc.EVAL_SOLVER)
        f = wf.frequency(ts, tr.ys[:, 0], osc.FREQ_SKIP, osc.FREQ_T1, osc.FREQ_MIN_AMP)
        assert f == pytest.approx(card["metrics"][f"freq_u{u:g}"]["value"], rel=1e-3, abs=1e-9)


def test_amplitude_listing_reproduces_the_card():
    card = zoo.card("oscillator-amplitude")
    net = _listing("oscillator-amplitude")
    ts = np.linspace(0.0, osc.AMP_T1, 2001)
    tr = crnzoo.simulate(net, ts, schedule=osc.AMP_SCHEDULE, solver=osc.EVAL_SOLVER)
    before = wf.amplitude(ts, tr.ys[:, 0], *osc.AMP_BEFORE)
    after = wf.amplitude(ts, tr.ys[:, 0], osc.AMP_ADD_T + osc.AMP_WINDOW[0], osc.AMP_T1)
    assert before == pytest.approx(card["metrics"]["addition_amp_before"]["value"], rel=1e-3)
    assert after == pytest.approx(card["metrics"]["addition_amp_after"]["value"], rel=1e-3)


def test_frequency_default_schedule_switches_the_control(tmp_path, capsys):
    e = zoo.entry("oscillator-frequency")
    assert e.schedule.levels["U"] == osc.FREQ_LEVELS and e.schedule.switch_times == (osc.FREQ_SWITCH,)
    assert zoo.card("oscillator-frequency")["schedule"]["levels"]["U"] == list(osc.FREQ_LEVELS)
    png = tmp_path / "f.png"
    assert cli.main(["simulate", "oscillator-frequency", "--plot", str(png), "--points", "801"]) == 0
    assert png.stat().st_size > 0


# ---- fine-tuning on a user's waveform ---------------------------------------------------------------


def test_finetune_waveform_square_on_a_csv(tmp_path, capsys):
    csv = tmp_path / "my.csv"
    t = np.linspace(0, 60, 121)
    csv.write_text("t,value\n" + "".join(f"{a},{0.25 + 0.2 * np.sin(2 * np.pi * a / 30)}\n" for a in t))
    out = tmp_path / "x"
    assert cli.main(["finetune", "waveform-square", "--target", str(csv), "--steps", "5", "--out", str(out)]) == 0
    tuned = zoo.load(str(out))
    card = json.loads((out / "card.json").read_text())
    assert card["base_model"] == "waveform-square" and card["finetune"]["steps"] == 5
    assert isinstance(tuned, CatalyticCRN) and tuned.k_min == osc.K_MIN
    assert float(jnp.sum(tuned.x0)) == pytest.approx(1.0)
    base = zoo.load("waveform-square")
    assert not np.array_equal(np.asarray(tuned.logits), np.asarray(base.logits))
    bad = tmp_path / "bad.csv"
    bad.write_text("t,value\n0,1\n")
    assert cli.main(["finetune", "waveform-square", "--target", str(bad), "--steps", "5", "--out", str(tmp_path / "y")]) == 2
