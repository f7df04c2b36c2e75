"""The command line: every subcommand, exit codes and one-line errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import libsbml
import pytest

from crnzoo import zoo
from crnzoo.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_list_and_info(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0 and all(n in out for n in zoo.list_models())
    code, out, _ = run(capsys, "list", "majority-*")
    assert code == 0 and "wta-ring-paper" not in out
    code, out, _ = run(capsys, "info", "majority-am4")
    assert code == 0 and "accuracy" in out and "hand-designed" in out


def test_simulate_writes_plot_and_csv(capsys, tmp_path):
    png, csv = tmp_path / "osc.png", tmp_path / "osc.csv"
    code, out, _ = run(capsys, "simulate", "three-phase-oscillator", "--plot", str(png), "--csv", str(csv), "--t1", "10")
    assert code == 0 and "final state" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert csv.read_text().splitlines()[0] == "time,A,B,C"


def test_simulate_ring_csv_names_chambers(capsys, tmp_path):
    csv = tmp_path / "wta.csv"
    code, _, _ = run(capsys, "simulate", "wta-ring-paper", "--t1", "5", "--points", "6", "--csv", str(csv))
    assert code == 0
    assert csv.read_text().splitlines()[0].startswith("time,A_0,B_0,C_0,D_0,E_0,A_1")


def test_export_sbml_is_consistent(capsys, tmp_path):
    code, out, _ = run(capsys, "export", "majority-am4", "--format", "sbml")
    assert code == 0
    doc = libsbml.readSBMLFromString(out)
    assert doc.getNumErrors() == 0
    doc.checkConsistency()
    errors = [doc.getError(i) for i in range(doc.getNumErrors()) if doc.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_ERROR]
    assert not errors, [e.getMessage() for e in errors]
    assert doc.getModel().getNumReactions() == 4


@pytest.mark.parametrize("fmt", ["txt", "json", "csv", "antimony", "dsd"])
def test_export_text_formats(capsys, fmt):
    """Every text format lists each reaction of the network at --kmin once."""
    n = zoo.load("wta-ring-paper").network(0.1).n_reactions
    code, out, _ = run(capsys, "export", "wta-ring-paper", "--format", fmt, "--kmin", "0.1", "--scale", "50nM,1s")
    assert code == 0
    body = [line for line in out.splitlines() if line.strip() and not line.lstrip().startswith(("#", "//"))]
    if fmt == "json":
        doc = json.loads(out)
        assert doc["units"] and len(doc["reactions"]) == n
    elif fmt == "csv":
        assert len(body) == n + 1  # header + one row per reaction
    else:
        assert sum(("=>" if fmt == "antimony" else "->") in line for line in body) == n


def test_export_png(capsys, tmp_path):
    from PIL import Image

    code, _, _ = run(capsys, "export", "three-phase-oscillator", "--format", "png", "-o", str(tmp_path / "n.png"))
    assert code == 0
    with Image.open(tmp_path / "n.png") as im:
        assert im.format == "PNG" and min(im.size) >= 200


@pytest.mark.parametrize(
    "argv, message",
    [
        (["info", "majority-am5"], "did you mean majority-am4"),
        (["simulate", "nope"], "unknown model"),
        (["simulate", "majority-am4", "--x0", "A=-1"], "negative concentration"),
        (["simulate", "majority-am4", "--x0", "Q=1"], "unknown species"),
        (["simulate", "majority-am4", "--t1", "nan"], "--t1"),
        (["export", "majority-am4", "--format", "pdf"], "unknown format"),
        (["export", "majority-am4", "--format", "png"], "needs an output file"),
        (["export", "majority-am4", "--scale", "fifty"], "scale"),
        (["verify"], "--all"),
        (["simulate", "/no/such/checkpoint"], "no checkpoint directory"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, argv, message):
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_tampered_checkpoint_exits_2(capsys, tmp_path):
    d = tmp_path / "am4"
    shutil.copytree(zoo.checkpoint_dir("majority-am4"), d)
    card = json.loads((d / "card.json").read_text())
    card["content_hash"] = "f" * 64
    (d / "card.json").write_text(json.dumps(card))
    code, _, err = run(capsys, "simulate", str(d))
    assert code == 2 and "content hash" in err and len(err.strip().splitlines()) == 1


def test_verify_one_model_fast(capsys):
    code, out, _ = run(capsys, "verify", "majority-am4", "--fast")
    assert code == 0 and "1 of 1 models verified" in out


def test_demo(capsys, tmp_path):
    code, out, _ = run(capsys, "demo", "--out", str(tmp_path / "demo"))
    assert code == 0
    assert (tmp_path / "demo" / "majority-am4.png").is_file() and (tmp_path / "demo" / "majority-am4.xml").is_file()
    assert "majority-am4" in out
    final = out.split("final state: ")[1].splitlines()[0]
    assert "-0.000" not in final and final.startswith("A=1.000"), final  # round-off negatives are clipped, A wins


def test_console_script_entry_point():
    exe = shutil.which("crnzoo")
    cmd = [exe] if exe else [sys.executable, "-m", "crnzoo.cli"]
    r = subprocess.run([*cmd, "list", "three-*"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "three-phase-oscillator" in r.stdout


def test_train_uses_the_cards_seed(capsys, tmp_path, monkeypatch):
    """`crnzoo train gate-xor` trains with the card's seed (1), not a CLI default."""
    task = zoo.entry("gate-xor").task
    seen = {}

    def fit(seed=None, steps=None, run_dir=None, progress=True):
        seen["seed"] = seed
        return zoo.load("gate-xor"), {}

    card = zoo.card("gate-xor")
    monkeypatch.setattr(task, "fit", fit)
    monkeypatch.setattr(task, "evaluate", lambda model, fast=False: {k: m["value"] for k, m in card["metrics"].items()})
    code, out, _ = run(capsys, "train", "gate-xor", "--out", str(tmp_path / "xor"))
    assert code == 0 and seen["seed"] == card["training"]["seed"] == 1
    assert zoo.card(str(tmp_path / "xor"))["content_hash"] == card["content_hash"]


@pytest.mark.parametrize("command", [["train", "gate-and"], ["finetune", "gate-and", "--target", "1110"]])
def test_existing_output_is_never_replaced(capsys, tmp_path, command):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    code, _, err = run(capsys, *command, "--out", str(mine))
    assert code == 2 and "already exists" in err and len(err.strip().splitlines()) == 1
    assert (mine / "notes.txt").read_text() == "keep me"
