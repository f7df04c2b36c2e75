"""The waveform family: targets, a user's CSV waveform, the shipped weights and their cards."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

import crnzoo
from crnzoo import zoo
from crnzoo.crn import CatalyticCRN
from crnzoo.export.text import from_txt
from crnzoo.tasks import _oscillation as osc
from crnzoo.tasks import waveform as wf
from crnzoo.tasks.base import NoTargetError


WAVES = ["waveform-square", "waveform-peaks"]


def test_square_wave_and_peaks():
    t = np.array([0.0, 12.4, 12.6, 24.9, 25.0, 37.6])
    np.testing.assert_array_equal(wf.square_wave(t), [0.5, 0.5, 0.0, 0.0, 0.5, 0.0])
    p = wf.three_peaks(np.array([15.0, 45.0, 75.0, 30.0]))
    np.testing.assert_allclose(p[:3], [0.6, 0.4, 0.2], atol=1e-6)
    assert p[3] < 1e-3
    ts = osc.train_grid()
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


@pytest.mark.parametrize("name", WAVES)
def test_entry_is_the_waveform_family_and_its_script(name):
    e, card = zoo.entry(name), zoo.card(name)
    assert e.family == card["family"] == "waveform"
    assert e.training == card["training"]["command"] == f"python scripts/train_waveform.py {name}"
    assert e.task.seeds == card["seed_spread"]["seeds"] == 40  # the script's default reproduces the card
    assert card["training"]["config"] == e.train_config.to_dict()
    assert card["protocol"] == e.protocol and card["system"] == e.system and card["config"] == dict(e.config)


@pytest.mark.parametrize("name", WAVES)
def test_waveform_cards_report_the_seed_spread(name):
    model, card = zoo.load(name), zoo.card(name)
    assert float(jnp.sum(model.x0)) == pytest.approx(1.0) and bool(jnp.all(model.x0 >= 0))
    s = card["seed_spread"]
    per_seed = np.asarray(s["per_seed_mse_sparse"])
    assert len(per_seed) == 40 and len(s["reactions_at_1e-3"]["per_seed"]) == 40
    assert per_seed[s["shipped_member"]] == pytest.approx(card["metrics"]["mse_sparse"]["value"], rel=1e-5)
    assert s["reactions_at_1e-3"]["per_seed"][s["shipped_member"]] == card["reactions"]["at_k_report"]
    assert s["mse_sparse"]["best"] == pytest.approx(per_seed.min(), rel=1e-5)
    assert s["mse_sparse"]["median"] == pytest.approx(np.median(per_seed), rel=1e-5)
    assert s["members_mse_sparse_le_1e-2"] == int(np.sum(per_seed <= 1e-2))
    assert s["oscillating_past_tmax"] >= card["metrics"]["oscillates_past_tmax"]["value"]  # the shipped one counts


@pytest.mark.parametrize("name", WAVES)
def test_waveform_listing_reproduces_the_card(name):
    """reactions.txt, simulated by the generic mass-action engine, gives the card's MSE."""
    card, model, e = zoo.card(name), zoo.load(name), zoo.entry(name)
    ts = osc.train_grid()
    listing = from_txt((zoo.checkpoint_dir(name) / "reactions.txt").read_text())
    for net in (listing, model.network(e.k_report)):
        assert net.species == model.species
        tr = crnzoo.simulate(net, ts, solver=osc.EVAL_SOLVER)
        mse = osc.mse(tr.ys[:, 0], wf.TARGETS[e.task.wave](ts))
        assert mse == pytest.approx(card["metrics"]["mse_sparse"]["value"], rel=1e-3, abs=1e-7)


def test_finetune_waveform_square_on_a_csv(tmp_path):
    csv = tmp_path / "my.csv"
    t = np.linspace(0, 60, 121)
    csv.write_text("t,value\n" + "".join(f"{a},{0.25 + 0.2 * np.sin(2 * np.pi * a / 30)}\n" for a in t))
    e, base = zoo.entry("waveform-square"), zoo.load("waveform-square")
    loss = e.task.target(str(csv))
    np.testing.assert_array_equal(loss.ts, t)
    tuned, fields = e.task.finetune(base, str(csv), steps=5, progress=False)
    assert isinstance(tuned, CatalyticCRN) and tuned.k_min == osc.K_MIN
    assert float(jnp.sum(tuned.x0)) == pytest.approx(1.0)
    assert not np.array_equal(np.asarray(tuned.logits), np.asarray(base.logits))
    assert fields["final_loss"] < fields["initial_loss"]
    bad = tmp_path / "bad.csv"
    bad.write_text("t,value\n0,1\n")
    with pytest.raises(ValueError, match="two rows"):
        e.task.target(str(bad))
    with pytest.raises(NoTargetError):
        zoo.entry("waveform-peaks").task.target("not-a-waveform")
    assert zoo.entry("waveform-peaks").task.retarget(str(csv)).metrics["mse_sparse"][2] == "<= 1e-2"
