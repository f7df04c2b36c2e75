"""DNA winner-take-all MNIST: data pipeline, the ICRN, the stiff solver, weight tables (synthetic data;
real-data checks skip when ../shared/data is absent)."""

from __future__ import annotations

import numpy as np
import pytest

import crnzoo
from crnzoo._legacy_rosenbrock import euler_final, final_states
from crnzoo.tasks import wta_mnist as task


@pytest.fixture(scope="module")
def synth():
    return task.synthetic(30, seed=0)


def test_resize_matches_opencv_fixed_point_properties():
    flat = np.full((2, 28, 28), 77, np.uint8)
    np.testing.assert_array_equal(task.resize_cubic_uint8(flat), np.full((2, 12, 12), 77, np.uint8))
    # fixed-point coefficients of every output pixel sum to 2048 (1.0), as OpenCV's do
    assert np.all(task._cubic_coeffs(28, 12).sum(axis=1) == 2048)
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (3, 28, 28)).astype(np.uint8)
    out = task.resize_cubic_uint8(img)
    assert out.shape == (3, 12, 12) and out.dtype == np.uint8
    with pytest.raises(ValueError, match="uint8"):
        task.resize_cubic_uint8(img.astype(float))
    b = task.binarise(img)
    assert b.shape == (3, 100) and set(np.unique(b)) <= {0.0, 1.0} and np.all(b.sum(axis=1) <= 20)


def test_average_and_pruned_matrices(synth):
    avg = task.average_digit(synth.train_x, synth.train_y)
    np.testing.assert_allclose(avg.sum(axis=0), 1.0)
    pr = task.pruned(avg, 20)
    np.testing.assert_allclose(pr.sum(axis=0), 1.0)
    assert np.count_nonzero(pr) == 60
    assert task.wta_accuracy(avg, synth.test_x, synth.test_y) > 0.9


def test_wta_network_and_initial_states(synth):
    w = task.average_digit(synth.train_x, synth.train_y)
    crn = task.wta_crn(w)
    net = crn.network(0.0)
    assert net.n_reactions == 300 + 300 + 6 + 9 + 3 and net.max_molecularity == 3
    assert np.allclose(task.weights_of(crn), w)
    y0 = task.initial_states(crn, synth.test_x[:2])
    t = crn.unpack(y0)
    np.testing.assert_allclose(np.asarray(t["X"]), 5.0 * synth.test_x[:2])
    np.testing.assert_allclose(np.asarray(t["XF"][0]), 200.0 * w.sum(axis=1))
    np.testing.assert_allclose(np.asarray(t["A"][1]), 400.0)
    np.testing.assert_allclose(np.asarray(crn.rhs(0.0, y0)), np.asarray(net.mass_action().rhs(0.0, y0)), rtol=1e-12, atol=1e-9)
    with pytest.raises(ValueError, match="shape"):
        task.wta_crn(np.ones((10, 3)))
    with pytest.raises(ValueError, match=">= 0"):
        task.wta_crn(-np.ones((100, 3)))
    with pytest.raises(ValueError, match="images must have shape"):
        task.initial_states(crn, np.ones((2, 99)))


def test_rosenbrock_agrees_with_tight_reference_and_euler(synth):
    crn = task.wta_crn(task.average_digit(synth.train_x, synth.train_y))
    y0 = task.initial_states(crn, synth.test_x[:2])
    ref = crnzoo.simulate(crn, np.array([0.0, 0.02]), y0, solver=crnzoo.SolverConfig("tsit5", rtol=1e-9, atol=1e-9, max_steps=100_000)).final
    y1, _ = final_states(crn, y0, 0.02, rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(y1, ref, rtol=1e-4, atol=1e-4)
    eu = np.asarray(euler_final(crn, y0, 0.02, 1e-4))
    np.testing.assert_allclose(eu, ref, rtol=2e-2, atol=2e-2)


def test_simulate_with_the_rosenbrock_solver_config(synth):
    """`SolverConfig("rosenbrock")` routes `simulate` through the stiff solver (same answer as
    `final_states`, close to a tight explicit solve); models without a destruction rate are refused."""
    crn = task.wta_crn(task.average_digit(synth.train_x, synth.train_y))
    y0 = task.initial_states(crn, synth.test_x[:2])
    ts = np.array([0.0, 0.01, 0.02])
    ref = crnzoo.simulate(crn, ts, y0, solver=crnzoo.SolverConfig("tsit5", rtol=1e-9, atol=1e-9, max_steps=100_000))
    ros = crnzoo.simulate(crn, ts, y0, solver=crnzoo.SolverConfig("rosenbrock", rtol=1e-7, atol=1e-7, max_steps=100_000))
    np.testing.assert_allclose(ros.ys, ref.ys, rtol=1e-4, atol=1e-4)
    y1, _ = final_states(crn, y0, 0.02, rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(ros.final, y1, rtol=1e-6, atol=1e-6)
    from crnzoo import zoo

    with pytest.raises(ValueError, match="needs a model with destruction_rate"):
        crnzoo.simulate(zoo.load("majority-am4"), t1=1.0, solver=crnzoo.SolverConfig("rosenbrock"))


def test_classifies_synthetic_digits_at_10h(synth):
    crn = task.wta_crn(task.average_digit(synth.train_x, synth.train_y))
    m = task.metrics(crn, synth.test_x[:45], synth.test_y[:45])
    assert m["sim_acc"] >= 0.9 and m["mean_sup"] > 0 and m["nonzero_weights"] > 0


@pytest.mark.slow
def test_training_step_keeps_constraints(synth):
    cfg = task.TrainConfig(loss="sup", epochs=1, batch=45, lr=1e-3, horizon=1.0)
    w, hist = task.train(synth, cfg, progress=False)
    assert w.shape == (100, 3) and np.all(w >= 0)
    np.testing.assert_allclose(w.sum(axis=0), 1.0)
    assert len(hist) == 1 and hist[0]["failed_solves"] == 0


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

    net = task.wta_crn(task.average_digit(synth.train_x, synth.train_y)).network(0.0, name="wta")
    with pytest.warns(UserWarning):  # trimolecular reactions are named
        text = export(net, "sbml", scale="1nM,1h")
    assert text.count("<reaction ") == 618 and "nanomole" in text


def test_missing_data_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="MNIST 7/8/9 data not found"):
        task.load_mnist789(tmp_path / "nope.npz")


def test_real_data_reproduces_reference_wta_accuracies(shared_data):
    path = shared_data / "mnist789" / "mnist789.npz"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    d = task.load_mnist789(path)
    assert d.train_x.shape == (15000, 100) and d.test_x.shape == (2700, 100)
    assert np.bincount(d.test_y).tolist() == [900, 900, 900]
    avg = task.average_digit(d.train_x, d.train_y)
    assert task.wta_accuracy(task.pruned(avg), d.test_x, d.test_y) == pytest.approx(2196 / 2700)  # paper 0.8133
    ref = shared_data / "icrn" / "WTA_data_github"
    if (ref / "gap" / "W_best_avg_gap.npy").is_file():
        sup = np.load(ref / "gap" / "W_best_avg_gap.npy").astype(float)
        acc = np.load(ref / "acc_reg" / "W_epoch30.npy").astype(float)
        assert task.wta_accuracy(sup, d.test_x, d.test_y) == pytest.approx(0.8192593, abs=1e-6)
        assert task.wta_accuracy(acc, d.test_x, d.test_y) == pytest.approx(0.8625926, abs=1e-6)
