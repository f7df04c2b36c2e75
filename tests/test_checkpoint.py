"""Orbax checkpoints: round trip, atomic replacement, refusal of tampered or mismatched files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from crnzoo import checkpoint as ck
from crnzoo import zoo
from crnzoo.crn import CatalyticCRN, MembraneRing


CONFIG = {"species": ["A", "B", "C"], "fixed": [], "roles": None, "k_min": None, "train_x0": False}


def model(seed=0):
    W = jax.random.normal(jax.random.PRNGKey(seed), (3, 3, 3)).at[0, 1, 2].set(-jnp.inf)
    return CatalyticCRN(W, jnp.array([0.2, 0.3, 0.5]), ("A", "B", "C"))


def saved(tmp_path, m=None) -> Path:
    return ck.save(m or model(), tmp_path / "m", {"name": "m", "builder": "catalytic", "config": CONFIG}, {"reactions.txt": "x\n"})


def test_round_trip_is_exact(tmp_path):
    m = model()
    d = saved(tmp_path, m)
    assert sorted(p.name for p in d.iterdir()) == ["card.json", "checkpoint", "reactions.txt"]
    r, card = ck.restore(d, zoo.build)
    assert ck.content_hash(r) == ck.content_hash(m) == card["content_hash"]
    np.testing.assert_array_equal(np.asarray(r.logits), np.asarray(m.logits))
    assert zoo.load(str(d)).species == ("A", "B", "C")


def test_ring_round_trip(tmp_path):
    chem = model()
    ring = MembraneRing(chem, jnp.array([0.1, jnp.inf, -jnp.inf]), jnp.ones((4, 3)))
    cfg = {"chemistry": {"builder": "catalytic", "config": CONFIG}, "n_chambers": 4}
    d = ck.save(ring, tmp_path / "ring", {"builder": "ring", "config": cfg})
    r, _ = ck.restore(d, zoo.build)
    assert r.n_chambers == 4 and ck.content_hash(r) == ck.content_hash(ring)


def test_overwrite_is_atomic_and_leaves_no_temporaries(tmp_path):
    d = saved(tmp_path)
    saved(tmp_path, model(1))
    assert [p.name for p in tmp_path.iterdir()] == ["m"]
    r, _ = ck.restore(d, zoo.build)
    assert ck.content_hash(r) == ck.content_hash(model(1))


def test_failed_save_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    d = saved(tmp_path)
    before = (d / "card.json").read_text()

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(ck, "content_hash", boom)
    with pytest.raises(OSError):
        saved(tmp_path, model(2))
    monkeypatch.undo()
    assert (d / "card.json").read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m"]
    ck.restore(d, zoo.build)


def test_damaged_array_store_is_refused(tmp_path):
    d = saved(tmp_path)
    for f in (d / "checkpoint" / "d").iterdir():  # the array store Orbax reads
        data = bytearray(f.read_bytes())
        data[len(data) // 2] ^= 0xFF
        f.write_bytes(bytes(data))
    with pytest.raises(ck.CheckpointError, match="damaged|cannot read"):
        ck.restore(d, zoo.build)


def test_swapped_arrays_are_refused_by_the_content_hash(tmp_path):
    d = saved(tmp_path)
    other = saved(tmp_path / "other", model(5))
    shutil.rmtree(d / "checkpoint")
    shutil.copytree(other / "checkpoint", d / "checkpoint")
    with pytest.raises(ck.CheckpointError, match="content hash"):
        ck.restore(d, zoo.build)


def test_edited_card_fields_are_refused(tmp_path):
    d = saved(tmp_path)
    card = json.loads((d / "card.json").read_text())

    def write(c):
        (d / "card.json").write_text(json.dumps(c))

    write({**card, "content_hash": "0" * 64})
    with pytest.raises(ck.CheckpointError, match="content hash"):
        ck.restore(d, zoo.build)
    write({**card, "arrays": {**card["arrays"], "x0": {"shape": [4], "dtype": "float64"}}})
    with pytest.raises(ck.CheckpointError, match=r"x0 has shape \(4,\)"):
        ck.restore(d, zoo.build)
    write({**card, "arrays": {**card["arrays"], "x0": {"shape": [3], "dtype": "float32"}}})
    with pytest.raises(ck.CheckpointError, match="x0 has dtype float32"):
        ck.restore(d, zoo.build)
    write({**card, "config": {**CONFIG, "species": ["A", "B", "C", "D"]}})
    with pytest.raises(ck.CheckpointError, match="config_hash"):
        ck.restore(d, zoo.build)
    (d / "card.json").write_text("{not json")
    with pytest.raises(ck.CheckpointError, match="not valid JSON"):
        ck.restore(d, zoo.build)
    (d / "card.json").unlink()
    with pytest.raises(ck.CheckpointError, match="no card.json"):
        ck.restore(d, zoo.build)


def test_checkpoint_for_another_shape_is_refused(tmp_path):
    """A checkpoint of 3 species restored as a 4-species model (card and config both edited)."""
    d = saved(tmp_path)
    card = json.loads((d / "card.json").read_text())
    cfg = {**CONFIG, "species": ["A", "B", "C", "D"]}
    card.update(config=cfg, config_hash=ck.config_hash("catalytic", cfg))
    card["arrays"] = ck.array_manifest(zoo.build("catalytic", cfg))
    (d / "card.json").write_text(json.dumps(card))
    with pytest.raises(ck.CheckpointError, match="logits has shape"):
        ck.restore(d, zoo.build)


def test_registered_config_must_match(tmp_path):
    d = saved(tmp_path)
    with pytest.raises(ck.CheckpointError, match="different configuration"):
        ck.restore(d, zoo.build, expected_config={**CONFIG, "fixed": [0]})


def test_missing_checkpoint_folder(tmp_path):
    d = saved(tmp_path)
    shutil.rmtree(d / "checkpoint")
    with pytest.raises(ck.CheckpointError, match="no checkpoint"):
        ck.restore(d, zoo.build)


def test_resave_keeps_side_files_of_the_same_arrays(tmp_path):
    d = saved(tmp_path)
    (d / "robustness.json").write_text('{"omega_min": 128}\n')
    (d / "dna.json").write_text('{"headline": "x"}\n')
    ck.save(model(), d, {"name": "m", "builder": "catalytic", "config": CONFIG, "metrics": {"acc": 1.0}}, {"reactions.txt": "x\n"})
    assert (d / "robustness.json").read_text() == '{"omega_min": 128}\n'
    assert (d / "dna.json").read_text() == '{"headline": "x"}\n'
    assert ck.read_card(d)["metrics"] == {"acc": 1.0}
    assert [p.name for p in tmp_path.iterdir()] == ["m"]


def test_resave_with_new_arrays_drops_stale_side_files_with_a_warning(tmp_path):
    d = saved(tmp_path)
    (d / "robustness.json").write_text("{}\n")
    with pytest.warns(UserWarning, match="robustness.json.*not carried over"):
        saved(tmp_path, model(1))
    assert not (d / "robustness.json").exists()


def test_side_file_written_by_the_save_wins(tmp_path):
    d = saved(tmp_path)
    (d / "dna.json").write_text("old\n")
    ck.save(model(), d, {"name": "m", "builder": "catalytic", "config": CONFIG}, {"dna.json": "new\n"})
    assert (d / "dna.json").read_text() == "new\n"


def test_write_card_seals_and_replaces_atomically(tmp_path):
    path = tmp_path / "card.json"
    path.write_text('{"old": true}\n')
    sealed = ck.write_card(path, {"name": "x", "metrics": {"a": {"value": 1.0}}})
    on_disk = json.loads(path.read_text())
    assert on_disk == sealed and "old" not in on_disk
    ck.check_card_hash(on_disk, path)  # sealed: accepted
    assert [p.name for p in tmp_path.iterdir()] == ["card.json"]  # no temporary left behind
