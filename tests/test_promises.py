"""Issue 12: every command keeps its promise on bad input and faults (one line, exit 2,
nothing half-written), and no silent wrong answer."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

import crnzoo
from crnzoo import checkpoint, zoo
from crnzoo.cli import main
from crnzoo.solve import Schedule, StateError


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def one_line_2(capsys, *argv, match: str = ""):
    code, out, err = run(capsys, *argv)
    assert code == 2, (code, out, err)
    assert len(err.strip().splitlines()) == 1, err
    assert match in err, err
    return err


# ---- silent wrong answers ---------------------------------------------------------------


def test_single_save_time_is_refused_not_the_initial_state(capsys):
    with pytest.raises(StateError, match="start and end"):
        crnzoo.simulate(zoo.load("majority-am4"), [200])
    one_line_2(capsys, "simulate", "majority-am4", "--points", "1", match="--points")


@pytest.mark.parametrize(
    "argv, match",
    [
        (["--inputs", ""], "at least one input"),
        (["--inputs", "00,01", "--t1", "100"], "only 1 of its 2 states"),
        (["--x0", ",,,"], "no empty items"),
        (["--x0", "X_hi=1,X_hi=0"], "twice"),
        (["--x0", "X_hi=1", "--inputs", "01"], "--inputs switches"),
    ],
)
def test_gate_inputs_never_dropped_silently(capsys, argv, match):
    one_line_2(capsys, "simulate", "gate-xor", *argv, match=match)


def test_x0_on_a_held_input_holds_it(capsys):
    code, out, _ = run(capsys, "simulate", "gate-and", "--x0", "X_hi=1,X_lo=0,Y_hi=1,Y_lo=0", "--t1", "300", "--points", "3")
    assert code == 0 and "held at the --x0 value" in out
    final = dict(kv.split("=") for kv in out.split("final state: ")[1].splitlines()[0].split(", "))
    assert float(final["X_hi"]) == 1 and float(final["Z_hi"]) > 0.9  # AND(1, 1), not the card's schedule


def test_adc_reads_each_level_afresh(capsys):
    """The `simulate --help` example: 0.3 -> 010 and 0.8 -> 110 (the cascade latches, so
    the CLI restarts the converter at each level)."""
    code, out, _ = run(capsys, "simulate", "adc-3bit", "--inputs", "0.3,0.8", "--hold", "400")
    assert code == 0 and "restarts from its initial state" in out
    rows = [line for line in out.splitlines() if line.strip().startswith("t=")]
    bits = []
    for row in rows:
        v = dict(kv.split("=") for kv in row.split(None, 1)[1].split(", "))
        bits.append("".join("1" if float(v[f"B{i}_hi"]) > float(v[f"B{i}_lo"]) else "0" for i in (2, 1, 0)))
    assert bits == ["010", "110"]


def test_positive_addition_after_roundoff_negatives():
    model = zoo.load("majority-am4")
    sched = Schedule(additions=((100.0, {"A": 0.5}),))
    traj = crnzoo.simulate(model, np.linspace(0, 200, 5), schedule=sched)  # refused before
    assert traj.ys[-1, 0] > 1.2
    with pytest.raises(StateError, match="addition of -5 A"):
        crnzoo.simulate(model, np.linspace(0, 200, 5), schedule=Schedule(additions=((100.0, {"A": -5.0}),)))


def test_final_state_has_no_roundoff_negatives(capsys):
    code, out, _ = run(capsys, "simulate", "majority-am4")
    final = out.split("final state: ")[1].splitlines()[0]
    assert code == 0 and "=-" not in final
    assert "clipped to 0" in out


# ---- exit codes, output paths, atomic writes --------------------------------------------


@pytest.mark.parametrize(
    "argv, match",
    [
        (["export", "majority-am4", "--format", "sbml", "-o", "{tmp}"], "is a directory"),
        (["export", "majority-am4", "--format", "png", "-o", "{tmp}"], "is a directory"),
        (["export", "majority-am4", "--format", "sbml", "-o", "{file}/x.xml"], "is a file, not a folder"),
        (["export", "majority-am4", "--format", "sbml", "-o", "/dev/full"], "No space left"),
        (["simulate", "majority-am4", "--csv", "{file}/x.csv"], "is a file, not a folder"),
        (["simulate", "majority-am4", "--plot", "{tmp}/no/such/x.png"], "does not exist"),
        (["simulate", "majority-am4", "--t1", "1e6"], "--max-steps"),
        (["simulate", "majority-am4", "--solver", "rosenbrock"], "destruction rate"),
        (["simulate", "majority-am4", "--max-steps", "0"], "--max-steps"),
        (["cards", "-o", "{tmp}"], "is a directory"),
    ],
)
def test_faults_are_one_line(capsys, tmp_path, argv, match):
    (tmp_path / "afile").write_text("x")
    argv = [a.format(tmp=tmp_path, file=tmp_path / "afile") for a in argv]
    code, out, err = run(capsys, *argv)
    assert code in (1, 2) and len(err.strip().splitlines()) == 1 and match in err, (code, err)
    assert code == (1 if "1e6" in argv else 2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]  # nothing half-written


def test_output_checked_before_the_solve(capsys, monkeypatch, tmp_path):
    import crnzoo.solve

    monkeypatch.setattr(crnzoo.solve, "simulate", lambda *a, **k: pytest.fail("simulated before checking --plot"))
    one_line_2(capsys, "simulate", "majority-am4", "--plot", str(tmp_path / "a" / "b.png"), match="does not exist")


@pytest.mark.parametrize("name", ["noext", "plot.PNG.txt"])
def test_plot_written_under_the_printed_name(capsys, tmp_path, name):
    path = tmp_path / name
    code, out, _ = run(capsys, "simulate", "majority-am4", "--points", "5", "--plot", str(path))
    assert code == 0 and f"wrote {path}" in out
    assert [p.name for p in tmp_path.iterdir()] == [name]
    assert path.read_bytes()[:4] == b"\x89PNG"


def test_cards_writes_the_current_folder(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = (zoo.weights_dir().parent / "MODEL_CARDS.md").stat().st_mtime_ns
    code, out, _ = run(capsys, "cards")
    assert code == 0 and (tmp_path / "MODEL_CARDS.md").is_file()
    assert (zoo.weights_dir().parent / "MODEL_CARDS.md").stat().st_mtime_ns == before


def test_ctrl_c_is_one_line_and_leaves_nothing(capsys, tmp_path, monkeypatch):
    import crnzoo.export

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(crnzoo.export, "to_sbml", interrupted)
    code, _, err = run(capsys, "export", "majority-am4", "--format", "sbml", "-o", str(tmp_path / "m.xml"))
    assert code == 130 and err.strip() == "crnzoo: interrupted (nothing half-written)"
    assert list(tmp_path.iterdir()) == []


def test_interrupted_write_leaves_the_old_file(tmp_path):
    from crnzoo.outputs import atomic_write

    path = tmp_path / "keep.txt"
    path.write_text("old")
    with pytest.raises(KeyboardInterrupt):
        with atomic_write(path) as tmp:
            tmp.write_text("half")
            raise KeyboardInterrupt
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_stale_save_folders_are_cleaned(tmp_path):
    model = zoo.load("majority-am4")
    card = checkpoint.read_card(zoo.checkpoint_dir("majority-am4"))
    target = tmp_path / "m"
    (tmp_path / ".m.tmp-deadbeef" / "checkpoint").mkdir(parents=True)  # a save killed with -9
    checkpoint.save(model, target, card)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]
    assert zoo.load(str(target)) is not None


# ---- the whole card is sealed -----------------------------------------------------------


@pytest.mark.parametrize(
    "edit",
    [
        lambda c: c["metrics"].update({next(iter(c["metrics"])): {**next(iter(c["metrics"].values())), "value": 1.0}}),
        lambda c: c.update(t1=1.0),
        lambda c: c["solver"].update(rtol=1e-2),
    ],
    ids=["metric", "t1", "solver"],
)
def test_edited_card_field_is_refused(capsys, tmp_path, edit):
    d = tmp_path / "am4"
    shutil.copytree(zoo.checkpoint_dir("majority-am4"), d)
    card = json.loads((d / "card.json").read_text())
    edit(card)
    (d / "card.json").write_text(json.dumps(card))
    with pytest.raises(checkpoint.CheckpointError, match="card_hash"):
        zoo.load(str(d))
    one_line_2(capsys, "info", str(d), match="card_hash")


def test_invalid_solver_field_is_one_line(capsys, tmp_path):
    d = tmp_path / "am4"
    shutil.copytree(zoo.checkpoint_dir("majority-am4"), d)
    card = json.loads((d / "card.json").read_text())
    card["solver"]["rtol"] = "tight"
    (d / "card.json").write_text(json.dumps(checkpoint.seal(card)))  # sealed, yet invalid
    one_line_2(capsys, "simulate", str(d), match="'rtol'")


def test_every_shipped_card_is_sealed():
    for name in zoo.list_models():
        card = json.loads((zoo.checkpoint_dir(name) / "card.json").read_text())
        checkpoint.check_card_hash(card, name)


# ---- plots ------------------------------------------------------------------------------


def test_plot_species_units_and_legend_outside(tmp_path, monkeypatch):
    import matplotlib.figure

    from crnzoo.plot import plot_trajectory

    seen = {}
    real = matplotlib.figure.Figure.savefig

    def spy(fig, *a, **k):
        ax = fig.axes[0]
        seen.update(lines=[l.get_label() for l in ax.get_lines()], x=ax.get_xlabel(), y=ax.get_ylabel(),
                    legend=ax.get_legend().get_window_extent().x0 > ax.get_window_extent().x1 - 1)
        return real(fig, *a, **k)

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", spy)
    traj = crnzoo.simulate(zoo.load("seven-segment"), t1=5, n_save=5)
    plot_trajectory(traj, tmp_path / "p.png", species=("Sa", "Sg"), units=("nM", "hours"))
    assert seen == {"lines": ["Sa", "Sg"], "x": "time (hours)", "y": "concentration (nM)", "legend": True}
    plot_trajectory(traj, tmp_path / "q.png")
    assert len(seen["lines"]) == 16 and seen["y"] == "concentration (dimensionless)"
    with pytest.raises(ValueError, match="unknown species Q"):
        plot_trajectory(traj, tmp_path / "r.png", species=("Q",))


def test_simulate_species_checked_before_the_solve(capsys, tmp_path):
    one_line_2(capsys, "simulate", "majority-am4", "--plot", str(tmp_path / "p.png"), "--species", "A,Q", match="'Q'")
    one_line_2(capsys, "simulate", "majority-am4", "--species", "A", match="goes with --plot")
