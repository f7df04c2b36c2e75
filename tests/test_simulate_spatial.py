"""`crnzoo simulate` of a reaction-diffusion entry grows the pattern on its grid and draws the field."""

from __future__ import annotations

import csv

import pytest
from PIL import Image

from crnzoo.cli import main


def _rows(path):
    with open(path) as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize(
    "name, t1, field",
    [("gray-scott-kappa", "50", "V"), ("hopfield-turing-small", "0.5", "Xp_0")],
)
def test_spatial_simulate_grows_a_pattern(capsys, tmp_path, name, t1, field):
    png, table = tmp_path / "field.png", tmp_path / "field.csv"
    assert main(["simulate", name, "--t1", t1, "--plot", str(png), "--csv", str(table)]) == 0
    out = capsys.readouterr().out
    assert "grew the pattern on its" in out and "grid" in out
    rows = _rows(table)
    assert float(rows[-1]["t"]) == pytest.approx(float(t1)) and len(rows) >= 5
    last = rows[-1]
    assert float(last[f"{field}_max"]) - float(last[f"{field}_min"]) > 0.05  # a pattern, not a well-mixed value
    with Image.open(png) as im:
        assert im.format == "PNG" and im.size[0] > 3 * im.size[1]  # a row of field snapshots


def test_spatial_simulate_refuses_well_mixed_options(capsys):
    assert main(["simulate", "gray-scott-kappa", "--x0", "U=1"]) == 2
    assert "grows its pattern" in capsys.readouterr().err
    assert main(["simulate", "gray-scott-kappa", "--t1", "2.5"]) == 2
    assert "whole number of steps" in capsys.readouterr().err
