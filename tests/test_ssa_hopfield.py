"""hopfield-turing-small at finite counts: reaction noise per grid cell on the card's own step
(`crnzoo.tasks._hopfield_ssa`, `crnzoo.ssa.spatial_cle`), on a small grid and a short horizon."""

from __future__ import annotations

import numpy as np
import pytest

from crnzoo import zoo

N, T1 = 12, 1.0  # 12×12 cells, 10 steps of the card's dt = 0.1


@pytest.fixture(scope="module")
def card(shared_data):
    e, model = zoo.entry("hopfield-turing-small"), zoo.load("hopfield-turing-small")
    det = e.task.stochastic_reference(model, runs=2, n=N, t1=T1)
    assert det.limit == 0.03  # the card's promise (on its own grid and horizon)
    # this early the image is still faint (loss ~0.30): the bound here is 1.1x the noise-free loss
    return e.task, model, e.task.stochastic_reference(model, runs=2, n=N, t1=T1, limit=1.1 * det.loss)


def test_the_listing_without_its_fast_annihilation_is_the_cards_slow_kinetics():
    from crnzoo.ssa.spatial_cle import noise_tables

    model = zoo.load("hopfield-turing-small")
    t = noise_tables(model)  # raises if the grouped listing's drift differs from model.slow_rhs
    assert (t.n_slow, t.n_fast) == (2 * 32 * 32 + 64, 32)
    assert t.change.shape == (128, 64)  # one group per species and sign: ±1 of one species


def test_omega_huge_gives_back_the_deterministic_loss_and_tiny_fails(card):
    _, model, ref = card
    assert ref.runs == 2
    kept, loss = ref.check(model, 1e30)  # noise ~1e-15 of the fields: the card's own image back
    assert kept.method == "cle" and kept.passed == kept.runs == 2
    np.testing.assert_allclose(loss, ref.loss, rtol=1e-9)
    coarse, loss = ref.check(model, 1.0)  # one molecule per unit per cell: the noise swamps the portrait
    assert coarse.passed == 0 and np.all(loss > ref.limit)
    assert next(iter(coarse.failures)).startswith("image loss >")


def test_bad_input_is_one_line_exit_2(capsys):
    from crnzoo.cli import main

    for args in (["--runs", "0"], ["--method", "tau"], ["--factor", "1"]):
        assert main(["robustness", "hopfield-turing-small", *args]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1, err


def test_the_printed_statement_and_json_say_per_grid_cell(tmp_path, capsys):
    """`crnzoo robustness` on a spatial task (stub: no simulation) states Ω and the volume per grid cell."""
    import json

    from crnzoo.ssa.report import robustness_command
    from crnzoo.ssa.robustness import StochasticCheck

    class Ref:
        approximation = "reaction noise only (stub)"

        def summary(self):
            return "noise-free loss 0.02"

        def function(self):
            return "loss <= 0.03 (stub)"

        def check(self, model, omega, seed=0):
            return StochasticCheck(4 if omega >= 1000 else 2, 4, {} if omega >= 1000 else {"image loss > 0.03": 2}, "cle"), None

    class Task:
        stochastic_method, omega_per = "cle", "grid cell"
        robustness_defaults = {"runs": 4, "omega_max": 4000.0, "factor": 2.0}

        def stochastic_reference(self, model, runs, t1=None):
            assert runs == 4 and t1 == 12.5
            return Ref()

    out = tmp_path / "r.json"
    assert robustness_command(Task(), None, {"t1": 12.5}, "stub", json_path=str(out)) == 0
    text = capsys.readouterr().out
    line = next(x for x in text.splitlines() if x.startswith("stub holds"))
    assert "Ω = 1000 molecules per unit per grid cell" in line and line.endswith("fL per grid cell")
    assert "approximation: reaction noise only (stub)" in text
    data = json.loads(out.read_text())
    assert data["statement"].endswith("per grid cell") and data["approximation"] and data["function"] == "loss <= 0.03 (stub)"
    assert [c["omega"] for c in data["checks"]] == [4000.0, 2000.0, 1000.0, 500.0, 250.0]
    from crnzoo import cards

    lines = cards.robustness_summary({**data, "status": "measured"})  # the card's section (MODEL_CARDS.md) says it too
    assert "per grid cell" in lines[0] and lines[1].endswith("fL per grid cell")


@pytest.mark.slow
def test_noise_off_is_the_cards_grown_image(shared_data):
    """On the card's 48×48 grid to t = 12.5 (~3 s, compilation): Ω = 1e30 gives the card's field to 1e-12 and its loss."""
    from crnzoo.spatial import Grid
    from crnzoo.ssa.spatial_cle import noisy_grow
    from crnzoo.tasks.hopfield import grow, image_loss, load_target, seed_field

    model = zoo.load("hopfield-turing-small")
    det = np.asarray(grow(model, 48).final)
    z = np.asarray(noisy_grow(model, np.asarray(seed_field(48, 32))[None], 1e30, 12.5, 0.1, grid=Grid((48, 48)), clamp=True))[0]
    assert np.abs(z - det).max() < 1e-11
    loss = float(image_loss(z, load_target(48)))
    assert abs(loss - zoo.card("hopfield-turing-small")["metrics"]["loss"]["value"]) < 1e-12


def test_poisson_shaped_noise_is_an_option(card):
    """`noise="poisson"` (the same variance, skewness kept): the card's image back at large Ω; a bad name is refused."""
    from crnzoo.ssa import SSAError
    from crnzoo.ssa.spatial_cle import noisy_grow

    _, model, ref = card
    z = noisy_grow(model, ref.x0[None], 1e9, ref.t1, ref.dt, grid=ref.grid, clamp=True, noise="poisson")
    img = np.asarray(z[..., :3] - z[..., 32:35])
    assert abs(float(np.mean((img - ref.target) ** 2)) - ref.loss) < 1e-5
    with pytest.raises(SSAError, match="noise must be one of gauss, poisson"):
        noisy_grow(model, ref.x0[None], 1e3, ref.t1, ref.dt, grid=ref.grid, noise="skewed")
