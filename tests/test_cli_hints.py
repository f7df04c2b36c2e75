"""What the CLI tells a user beside the numbers: grouped species in `info`, ties, unset inputs."""

from __future__ import annotations


import numpy as np

from crnzoo.cards import species_summary
from crnzoo.cli import main
from crnzoo.cli._readouts import readout
from crnzoo.solve import Trajectory


def test_species_summary_groups_indexed_runs():
    species = [{"name": f"X_{i}", "role": "input"} for i in range(100)] + [
        {"name": "F_0", "role": "output"}, {"name": "F_1", "role": "output"}, {"name": "A", "role": "auxiliary"}]
    text = species_summary(species)
    assert text == "X_0 … X_99 (input, 100 species), F_0 (output), F_1 (output), A (auxiliary)"
    # a change of role ends a run even when the stem is the same
    mixed = [{"name": f"W_{i}", "role": "control" if i < 5 else "fuel"} for i in range(10)]
    assert species_summary(mixed) == "W_0 … W_4 (control, 5 species), W_5 … W_9 (fuel, 5 species)"


def test_wta_readout_reports_a_tie_not_class_zero():
    card = {"family": "wta_mnist", "species": [{"name": f"F_{i}", "role": "output"} for i in range(3)]}
    ys = np.array([[0.0, 0.0, 0.0], [1.0, 3.0, 2.0]])
    traj = Trajectory(ts=np.array([0.0, 1.0]), ys=ys, species=("F_0", "F_1", "F_2"), flat_species=("F_0", "F_1", "F_2"), state_ndim=1)
    r = readout(card, traj)
    assert list(r.values) == [-1, 1] and r.labels[-1] == "tie"


def test_simulate_says_when_no_input_is_set(capsys):
    assert main(["simulate", "wta-mnist-avg", "--t1", "0.01", "--points", "3"]) == 0
    out = capsys.readouterr().out
    assert "note: every input (X_0, X_1, X_2, …) is 0" in out
    assert main(["simulate", "wta-mnist-avg", "--t1", "0.01", "--points", "3", "--x0", "X_3=5"]) == 0
    assert "every input" not in capsys.readouterr().out


def test_paper_misses_are_named_on_the_card():
    from crnzoo.cards import paper_misses, render_markdown, render_text
    from crnzoo import zoo

    card = zoo.card("wta-mnist-avg")
    misses = paper_misses(card)
    assert any(m.startswith("mean_sup: measured") and "vs paper 42.81" in m for m in misses)
    assert "short of the paper: " + "; ".join(misses) in render_text(card)
    assert "**Misses against the paper:** " + "; ".join(misses) in render_markdown(card)
    assert paper_misses({"paper_comparison": {"a": "meets: measured 2 vs paper 1"}}) == []
