"""DNA winner-take-all MNIST: data pipeline, the ICRN, the stiff solver, weight tables, the entries
(synthetic data; real-data checks skip when the shared data folder is absent)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import crnzoo
from crnzoo import zoo
from crnzoo.crn import wta_mnist as net
from crnzoo.crn.base import HasDestructionRate
from crnzoo.solvers import euler_final
from crnzoo.tasks import _wta_mnist_data as data
from crnzoo.tasks import _wta_mnist_train as training
from crnzoo.tasks import wta_mnist as task

NAMES = ["wta-mnist-avg", "wta-mnist-pruned", "wta-mnist-sup", "wta-mnist-accreg"]


@pytest.fixture(scope="module")
def synth():
    return data.synthetic(30, seed=0)


@pytest.fixture(scope="module")
def mnist(shared_data):
    path = shared_data / task.MNIST
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    return data.load_mnist789(path)


def test_resize_matches_opencv_fixed_point_properties():
    flat = np.full((2, 28, 28), 77, np.uint8)
    np.testing.assert_array_equal(data.resize_cubic_uint8(flat), np.full((2, 12, 12), 77, np.uint8))
    # fixed-point coefficients of every output pixel sum to 2048 (1.0), as OpenCV's do
    assert np.all(data._cubic_coeffs(28, 12).sum(axis=1) == 2048)
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (3, 28, 28)).astype(np.uint8)
    out = data.resize_cubic_uint8(img)
    assert out.shape == (3, 12, 12) and out.dtype == np.uint8
    with pytest.raises(ValueError, match="uint8"):
        data.resize_cubic_uint8(img.astype(float))
    b = data.binarise(img)
    assert b.shape == (3, 100) and set(np.unique(b)) <= {0.0, 1.0} and np.all(b.sum(axis=1) <= 20)


def test_average_and_pruned_matrices(synth):
    avg = training.average_digit(synth.train_x, synth.train_y)
    np.testing.assert_allclose(avg.sum(axis=0), 1.0)
    pr = training.pruned(avg, 20)
    np.testing.assert_allclose(pr.sum(axis=0), 1.0)
    assert np.count_nonzero(pr) == 60
    # the kept weights are each class's 20 largest, scaled by one factor per class
    for c in range(3):
        kept = np.flatnonzero(pr[:, c])
        assert avg[kept, c].min() >= np.delete(avg[:, c], kept).max()
        np.testing.assert_allclose(pr[kept, c] / avg[kept, c], 1.0 / avg[kept, c].sum())
    assert task.wta_accuracy(avg, synth.test_x, synth.test_y) > 0.9


def test_wta_network_and_initial_states(synth):
    w = training.average_digit(synth.train_x, synth.train_y)
    crn = net.wta_crn(w)
    network = crn.network(0.0)
    assert network.n_reactions == 300 + 300 + 6 + 9 + 3 and network.max_molecularity == 3
    assert np.allclose(net.weights_of(crn), w)
    y0 = net.initial_states(crn, synth.test_x[:2])
    t = crn.unpack(y0)
    np.testing.assert_allclose(np.asarray(t["X"]), 5.0 * synth.test_x[:2])
    np.testing.assert_allclose(np.asarray(t["XF"][0]), 200.0 * w.sum(axis=1))
    np.testing.assert_allclose(np.asarray(t["A"][1]), 400.0)
    np.testing.assert_allclose(np.asarray(crn.rhs(0.0, y0)), np.asarray(network.mass_action().rhs(0.0, y0)), rtol=1e-12, atol=1e-9)
    w2 = np.roll(w, 1, axis=0)
    np.testing.assert_allclose(np.asarray(net.with_weights(crn, w2).x0), np.asarray(net.wta_crn(w2).x0))
    with pytest.raises(ValueError, match="shape"):
        net.wta_crn(np.ones((10, 3)))
    with pytest.raises(ValueError, match=">= 0"):
        net.wta_crn(-np.ones((100, 3)))
    with pytest.raises(ValueError, match="images must have shape"):
        net.initial_states(crn, np.ones((2, 99)))


def test_rosenbrock_solver_agrees_with_tight_reference_and_euler(synth):
    """`SolverConfig("rosenbrock")` (the stiff solver the cards use) matches a tight explicit solve;
    the reference code's clamped Euler is close; models without a destruction rate are refused."""
    crn = net.wta_crn(training.average_digit(synth.train_x, synth.train_y))
    assert isinstance(crn, HasDestructionRate) and isinstance(crn.for_solver(), HasDestructionRate)
    y0 = net.initial_states(crn, synth.test_x[:2])
    ts = np.array([0.0, 0.01, 0.02])
    ref = crnzoo.simulate(crn, ts, y0, solver=crnzoo.SolverConfig("tsit5", rtol=1e-9, atol=1e-9, max_steps=100_000))
    ros = crnzoo.simulate(crn, ts, y0, solver=crnzoo.SolverConfig("rosenbrock", rtol=1e-7, atol=1e-7, max_steps=100_000))
    np.testing.assert_allclose(ros.ys, ref.ys, rtol=1e-4, atol=1e-4)
    eu = np.asarray(euler_final(crn, y0, 0.02, 1e-4))
    np.testing.assert_allclose(eu, ref.final, rtol=2e-2, atol=2e-2)
    with pytest.raises(ValueError, match="needs a model with a destruction rate"):
        crnzoo.simulate(zoo.load("majority-am4"), t1=1.0, solver=crnzoo.SolverConfig("rosenbrock"))


def test_classifies_synthetic_digits_at_10h(synth):
    w = training.average_digit(synth.train_x, synth.train_y)
    crn = net.wta_crn(w)
    x, y = synth.test_x[:45], synth.test_y[:45]
    F = task.fluorescence(crn, x, chunk=20)  # three chunks, one step controller each
    np.testing.assert_allclose(F[:20], task.fluorescence(crn, x[:20], chunk=20), rtol=1e-12)
    m = task.scores(F, y, w, x, y)
    assert set(m) == set(zoo.entry("wta-mnist-avg").metrics)
    assert m["sim_acc"] >= 0.9 and m["mean_sup"] > 0 and m["nonzero_weights"] == np.count_nonzero(w)
    np.testing.assert_allclose(task.sup(F, y), [F[n, y[n]] - F[n].sum() + F[n, y[n]] for n in range(len(y))])


@pytest.mark.slow
def test_training_step_keeps_constraints(synth):
    cfg = training.WeightTrainConfig(loss="sup", epochs=1, batch=45, lr=1e-3, horizon=1.0)
    w, hist = training.train(synth, cfg, progress=False)
    assert w.shape == (100, 3) and np.all(w >= 0)
    np.testing.assert_allclose(w.sum(axis=0), 1.0)
    assert len(hist) == 1 and hist[0]["failed_solves"] == 0
    with pytest.raises(ValueError, match="unknown loss"):
        training.WeightTrainConfig(loss="mse")


def test_weight_table_csv(tmp_path):
    w = np.zeros((100, 3))
    w[[3, 15], 0] = 0.5
    w[42, 2] = 1.0
    text = task.weight_table(w, tmp_path / "w.csv")
    rows = text.strip().splitlines()
    assert rows[0].startswith("pixel,row,col,class_digit,weight,W_nM")
    assert len(rows) == 4 and rows[2].startswith("15,1,5,7,0.5,50,")
    assert (tmp_path / "w.csv").read_text() == text


def test_sbml_export_in_nM_and_hours(synth):
    from crnzoo.export import export

    network = net.wta_crn(training.average_digit(synth.train_x, synth.train_y)).network(0.0, name="wta")
    with pytest.warns(UserWarning):  # trimolecular reactions are named
        text = export(network, "sbml", scale="1nM,1h")
    assert text.count("<reaction ") == 618 and "nanomole" in text


def test_missing_data_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="MNIST 7/8/9 data not found"):
        data.load_mnist789(tmp_path / "nope.npz")


@pytest.mark.parametrize("name", NAMES)
def test_entries_match_their_shipped_cards(name, tmp_path):
    """Registration equals the card (family, command, units, training config), and the task's
    artifact is the shipped lab weight table, byte for byte."""
    e = zoo.entry(name)
    card = zoo.card(name)
    assert e.family == card["family"] == "wta_mnist"
    assert e.training == card["training"]["command"] == f"python scripts/train_wta_mnist.py {name}"
    assert (e.time_units, e.concentration_units) == (card["time_units"], card["concentration_units"]) == ("hours", "nM")
    assert e.solver.to_dict() == card["solver"] and e.seed == card["training"]["seed"]
    assert json.loads(json.dumps(e.train_config.to_dict() if e.train_config else None)) == card["training"]["config"]
    assert e.task.trained
    fields = e.task.artifacts(zoo.load(name), tmp_path)
    assert fields == {"weight_table": card["weight_table"]} == {"weight_table": "weights.csv"}
    assert (tmp_path / "weights.csv").read_text() == (zoo.checkpoint_dir(name) / "weights.csv").read_text()


@pytest.mark.parametrize("name", ["wta-mnist-avg", "wta-mnist-pruned"])
def test_make_rebuilds_the_shipped_average_digit_checkpoints(name, mnist):
    np.testing.assert_array_equal(np.asarray(zoo.entry(name).task.make().x0), np.asarray(zoo.load(name).x0))


def test_real_data_reproduces_reference_wta_accuracies(shared_data, mnist):
    d = mnist
    assert d.train_x.shape == (15000, 100) and d.test_x.shape == (2700, 100)
    assert np.bincount(d.test_y).tolist() == [900, 900, 900]
    avg = training.average_digit(d.train_x, d.train_y)
    assert task.wta_accuracy(training.pruned(avg), d.test_x, d.test_y) == pytest.approx(2196 / 2700)  # paper 0.8133
    ref = shared_data / "icrn" / "WTA_data_github"
    if (ref / "gap" / "W_best_avg_gap.npy").is_file():
        sup = np.load(ref / "gap" / "W_best_avg_gap.npy").astype(float)
        acc = np.load(ref / "acc_reg" / "W_epoch30.npy").astype(float)
        assert task.wta_accuracy(sup, d.test_x, d.test_y) == pytest.approx(0.8192593, abs=1e-6)
        assert task.wta_accuracy(acc, d.test_x, d.test_y) == pytest.approx(0.8625926, abs=1e-6)
