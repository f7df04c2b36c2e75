"""The SSA plot: the card's units on the axes, the legend outside the data, PNG whatever the suffix."""

from __future__ import annotations

import numpy as np
import pytest

from crnzoo.solve import Schedule
from crnzoo.ssa.report import plot
from crnzoo.ssa.simulate import SSAResult

pytest.importorskip("matplotlib")


def _result(n_species: int = 12) -> SSAResult:
    rng = np.random.default_rng(0)
    counts = rng.poisson(50, size=(6, 11, n_species)).astype(float)
    return SSAResult(np.linspace(0, 2, 11), counts, tuple(f"S{i}" for i in range(n_species)), 100.0, "direct",
                     np.full(6, 10), np.full(6, 10))


def test_ssa_plot_units_legend_and_styles(tmp_path, monkeypatch):
    import matplotlib.axes

    seen = {}
    for method in ("set_xlabel", "set_ylabel", "legend"):
        original = getattr(matplotlib.axes.Axes, method)

        def spy(self, *a, _name=method, _orig=original, **k):
            seen[_name] = (a, k)
            return _orig(self, *a, **k)

        monkeypatch.setattr(matplotlib.axes.Axes, method, spy)
    out = plot(_result(), tmp_path / "paths.svg", species=[f"S{i}" for i in range(12)], units=("nM", "hours"),
               schedule=Schedule((1.0,), {}))
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"  # PNG, as the CLI promises, whatever the suffix
    assert "hours" in seen["set_xlabel"][0][0] and "nM" in seen["set_ylabel"][0][0]
    anchor = seen["legend"][1]["bbox_to_anchor"]
    assert anchor[0] > 1.0, "the legend sits outside the axes"


def test_ssa_plot_refuses_unknown_species(tmp_path):
    with pytest.raises(ValueError, match="unknown species X"):
        plot(_result(3), tmp_path / "p.png", species=["X"])
    assert not list(tmp_path.iterdir())
