"""The registry, shipped checkpoints, cards and their verification."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import crnzoo
from crnzoo import cards, data, zoo
from crnzoo.checkpoint import CheckpointError
from crnzoo.network import MassAction, parse_reactions
from crnzoo.verify import verify


FIRST_ENTRIES = ["majority-am3", "majority-am4", "three-phase-oscillator", "wta-ring-paper"]


def test_list_models_patterns_and_natural_order():
    names = zoo.list_models()
    assert set(FIRST_ENTRIES) <= set(names)
    assert names == sorted(names, key=zoo._natural)
    assert zoo.list_models("majority-am*") == ["majority-am3", "majority-am4"]
    assert zoo.list_models("nothing-*") == []


def test_unknown_name_suggests_close_matches():
    with pytest.raises(zoo.UnknownModelError, match="did you mean majority-am4"):
        zoo.load("majority-am5")
    with pytest.raises(zoo.UnknownModelError, match="known models"):
        zoo.load("zzzz")
    with pytest.raises(CheckpointError, match="no checkpoint directory"):
        zoo.load("./no/such/dir")


@pytest.mark.parametrize("name", zoo.list_models())
def test_every_model_loads_and_matches_its_card(name):
    model = zoo.load(name)
    card = zoo.card(name)
    e = zoo.entry(name)
    assert card["name"] == name and card["builder"] == e.builder
    assert [s["name"] for s in card["species"]] == list(model.species)
    assert {s["role"] for s in card["species"]} <= {"input", "output", "auxiliary", "fuel", "control"}
    assert card["reactions"]["dense"] == model.network(0.0).n_reactions
    assert card["reactions"]["max_molecularity"] == model.network(card["reactions"]["k_report"]).max_molecularity
    assert card["training"]["command"]
    np.testing.assert_allclose(np.asarray(model.x0), np.asarray(card["initial_state"]))
    for m in card["metrics"].values():
        assert {"value", "paper", "promise", "description"} <= set(m)
    listing = (zoo.checkpoint_dir(name) / "reactions.txt").read_text()
    assert listing.count("k=") == card["reactions"]["at_k_report"]


@pytest.mark.parametrize("name", zoo.list_models())
def test_shipped_weights_keep_their_promises(name):
    """`crnzoo verify NAME --fast` for every registered model."""
    absent = data.missing(zoo.entry(name).data)
    if absent:
        pytest.skip(f"{name} is verified on shared data that is absent here: {', '.join(absent)}")
    checks = verify(name, fast=True)
    failed = [c for c in checks if not c.ok]
    assert not failed, failed


def test_model_cards_file_is_generated_from_the_cards():
    path = Path(__file__).resolve().parents[1] / "MODEL_CARDS.md"
    assert path.read_text() == cards.render_model_cards(), "MODEL_CARDS.md is stale: run `crnzoo cards`"


def test_majority_am3_and_am4_share_their_ode():
    """A + B -> 2U is the sum of the catalytic A —B→ U and B —A→ U: same dynamics, other listings."""
    am3, am4 = zoo.load("majority-am3"), zoo.load("majority-am4")
    x = np.random.default_rng(0).uniform(0, 1, (5, 3))
    np.testing.assert_allclose(np.asarray(am3.rhs(0, x)), np.asarray(am4.rhs(0, x)), atol=1e-14)
    assert am3.network().n_reactions == 3 and am4.network().n_reactions == 4


def test_wta_ring_paper_transcription():
    ring = zoo.load("wta-ring-paper")
    assert ring.chemistry.network().n_reactions == 48
    np.testing.assert_array_equal(np.asarray(ring.diffusion()), [0, 1, 0, 0, 0])
    assert ring.network(n_chambers=2).n_reactions == 2 * 48 + 2
    assert crnzoo.simulate(ring, t1=1.0, x0=np.zeros((7, 5))).ys.shape == (201, 7, 5)


def test_card_by_path_equals_card_by_name():
    d = zoo.checkpoint_dir("majority-am4")
    assert zoo.card(str(d)) == zoo.card("majority-am4") == json.loads((d / "card.json").read_text())


@pytest.mark.parametrize("name", zoo.list_models())
def test_card_names_its_family_script_and_promises(name):
    """The card's family and command are the entry's; a newcomer finds the script by the family."""
    e, card = zoo.entry(name), zoo.card(name)
    assert card["family"] == e.family
    assert card["training"]["command"] == e.training and card["training"]["seed"] == e.seed
    assert card["concentration_units"] == e.concentration_units
    root = Path(__file__).resolve().parents[1]
    assert (root / "crnzoo" / "models" / f"{e.family}.py").is_file()
    assert (root / "crnzoo" / "tasks" / f"{e.family}.py").is_file()
    if e.task.trained:
        assert e.training == f"python scripts/train_{e.family}.py {name}"
        assert (root / "scripts" / f"train_{e.family}.py").is_file()
    assert any(m[2] is not None for m in e.metrics.values()), "every entry promises something"
    assert {k: (m["description"], m["paper"], m["promise"], m["tolerance"]) for k, m in card["metrics"].items()} == dict(e.metrics)
    for fig in card.get("figures", []):
        assert (zoo.checkpoint_dir(name) / fig).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("name", zoo.list_models())
def test_shipped_listing_is_the_sparsified_network(name):
    """The one idea: `reactions.txt`, read back and run through the generic mass-action engine,
    has the dynamics of `network(k_report)` of the restored model."""
    model, card = zoo.load(name), zoo.card(name)
    net = model.network(card["reactions"]["k_report"])
    listing = parse_reactions((zoo.checkpoint_dir(name) / "reactions.txt").read_text(), net.species)
    assert listing.n_reactions == net.n_reactions == card["reactions"]["at_k_report"]
    x = np.random.default_rng(0).uniform(0.0, 1.0, (3, len(net.species)))
    want = np.asarray(MassAction.from_network(net).rhs(0.0, x))
    got = np.asarray(MassAction.from_network(listing).rhs(0.0, x))
    # the listing writes rate constants to 6 significant digits
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5 * np.abs(want).max())
