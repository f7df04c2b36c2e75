"""The sparse-support search of `wta-mnist-accreg` (`crnzoo.tasks._wta_mnist_sparse`), on the
small synthetic set: sparsity, non-negativity, the operating-point scale, and that swaps help."""

from __future__ import annotations

import numpy as np
import pytest

from crnzoo.tasks import _wta_mnist_data as data
from crnzoo.tasks import _wta_mnist_sparse as sparse


@pytest.fixture(scope="module")
def synth():
    return data.synthetic(30, seed=0)


def _acc(w, x, y):
    return float(np.mean(np.argmax(x @ w, axis=1) == y))


def test_l1_support_has_exactly_keep_entries(synth):
    support = sparse.l1_support(synth.train_x, synth.train_y, 9)
    assert len(support) == 9
    assert all(0 <= i < 100 and 0 <= j < 3 for i, j in support)


def test_swaps_never_raise_the_loss(synth):
    x, y = synth.train_x, synth.train_y
    rng = np.random.default_rng(1)
    start = {(int(i), int(j)) for i, j in zip(rng.choice(100, 6, replace=False), [0, 0, 1, 1, 2, 2])}
    _, l0 = sparse.refit(start, x, y)
    support, w, loss, made = sparse.swap_search(start, x, y, adds=3, removals=3, rounds=4)
    assert len(support) == 6 and np.count_nonzero(w) <= 6 and np.all(w >= 0)
    assert made >= 1 and loss < l0  # a random start on this set is always improvable


def test_search_is_sparse_nonnegative_and_scaled(synth):
    cfg = sparse.SparseSearchConfig(keep=6, adds=2, removals=2, rounds=3, winner_nM=20.0)
    w, history = sparse.sparse_search(synth, cfg, progress=False)
    assert w.shape == (100, 3) and np.all(w >= 0) and np.count_nonzero(w) <= 6
    # the global factor sets the mean winning score x·w to winner_nM / 100 on the training images
    assert np.mean(np.max(synth.train_x @ w, axis=1)) == pytest.approx(0.2, rel=1e-9)
    assert history[0]["phase"] == "l1 path" and history[-1]["phase"] == "scale"
    assert _acc(w, synth.test_x, synth.test_y) > 0.8  # each class owns 30 pixels: 6 weights separate them


def test_config_errors_name_the_field():
    with pytest.raises(ValueError, match="keep"):
        sparse.SparseSearchConfig(keep=0)
    with pytest.raises(ValueError, match="winner_nM"):
        sparse.SparseSearchConfig(winner_nM=0.0)
