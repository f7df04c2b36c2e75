"""`crnzoo simulate SPATIAL --ssa`: the spatial entries at finite counts under their stated
approximation (reaction noise per grid cell, `crnzoo.cli._spatial.simulate_spatial_ssa`)."""

from __future__ import annotations

import numpy as np
import pytest

from crnzoo import zoo
from crnzoo.cli import main


def test_hopfield_runs_scored_by_the_cards_promise(tmp_path, capsys, shared_data):
    """Ω huge: every run is the card's own noise-free portrait; at t = 1 it is still faint, so the
    promise (loss <= 0.03) fails for every run: reported, exit 1, every run's loss in the CSV."""
    out = tmp_path / "runs.csv"
    rc = main(["simulate", "hopfield-turing-small", "--ssa", "--omega", "1e30", "--runs", "2", "--t1", "1", "--csv", str(out)])
    text = capsys.readouterr().out
    assert rc == 1 and "kept by 0/2 runs" in text and "per unit per grid cell" in text
    rows = out.read_text().splitlines()
    assert rows[0] == "run,metric" and len(rows) == 3
    model = zoo.load("hopfield-turing-small")
    det = zoo.entry("hopfield-turing-small").task.stochastic_reference(model, 2, t1=1.0).loss
    np.testing.assert_allclose([float(r.split(",")[1]) for r in rows[1:]], det, rtol=1e-9)
    assert det > 0.03


@pytest.mark.parametrize(("args", "message"), [
    ([], "--ssa needs --omega > 0"),
    (["--omega", "-1"], "--ssa needs --omega > 0"),
    (["--omega", "100", "--runs", "0"], "--runs must be >= 1"),
    (["--omega", "100", "--method", "tau"], "runs its own approximate method"),
    (["--omega", "100", "--plot", "x.png"], "--plot with --ssa"),
])
def test_bad_input_is_one_line_exit_2(tmp_path, capsys, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    assert main(["simulate", "gray-scott-kappa", "--ssa", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err, err
