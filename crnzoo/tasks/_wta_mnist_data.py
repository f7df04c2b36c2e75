"""The MNIST 7/8/9 data of the winner-take-all classifiers, binarised as the reference code did.

Data: MNIST 7, 8, 9 (`mnist789/mnist789.npz` in the shared data folder, `crnzoo.data`):
the first 5,000 training and 900 test images per class in file order; each resized to
12×12 with the fixed-point bicubic resize of OpenCV's uint8 INTER_CUBIC (`resize_cubic_uint8`;
not OpenCV bit for bit, see there), its pixels strictly above the 21st largest set to 1 (the top
20, fewer on ties), cropped to the central 10×10. Class blocks in order of first appearance
in the file, then images and labels shuffled by `np.random.default_rng(12)` (as the
reference did). `synthetic` is a small stand-in set for tests.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from ..crn.wta_mnist import N_CLASSES, N_PIXELS
from ..data import data_path


DIGITS = (7, 8, 9)  # classes 0, 1, 2
MNIST = "mnist789/mnist789.npz"  # in the shared data folder (`crnzoo.data`)


def _cubic_coeffs(src: int, dst: int) -> np.ndarray:
    """OpenCV's INTER_CUBIC fixed-point coefficient matrix (dst, src), border replicated.

    As `cv::resize`: fx = (float)((d + 0.5)·src/dst − 0.5), sx = floor(fx), Keys' cubic with
    A = −0.75 evaluated in float32, each coefficient rounded to an integer in units of 1/2048.
    """
    scale = src / dst
    out = np.zeros((dst, src), dtype=np.int64)
    A = np.float32(-0.75)
    one = np.float32(1.0)
    for d in range(dst):
        fx = np.float32((d + 0.5) * scale - 0.5)
        sx = int(np.floor(fx))
        x = np.float32(fx - np.float32(sx))
        c0 = ((A * (x + one) - np.float32(5) * A) * (x + one) + np.float32(8) * A) * (x + one) - np.float32(4) * A
        c1 = ((A + np.float32(2)) * x - (A + np.float32(3))) * x * x + one
        c2 = ((A + np.float32(2)) * (one - x) - (A + np.float32(3))) * (one - x) * (one - x) + one
        c3 = one - c0 - c1 - c2
        for k, c in enumerate((c0, c1, c2, c3)):
            idx = min(max(sx - 1 + k, 0), src - 1)
            out[d, idx] += int(np.rint(np.float32(c) * np.float32(2048)))
    return out


def resize_cubic_uint8(images: np.ndarray, size: int = 12) -> np.ndarray:
    """Bicubic resize of uint8 images (B, H, W) to (B, size, size): the integer (scalar) form of
    OpenCV's `cv2.resize(img, (size, size), interpolation=cv2.INTER_CUBIC)` for uint8 —
    coefficients in units of 1/2048, horizontal then vertical fixed-point passes,
    (v + 2^21) >> 22, saturated to 0..255.

    It is **not** OpenCV bit for bit, and no single function can be: OpenCV's vectorised
    vertical pass rounds in float32 instead, for as many columns as fit its SIMD width, which
    depends on the CPU it dispatches to. Measured against opencv-python-headless 5.0 on the
    2,700 test images (`tests/test_mnist_resize.py`): with OpenCV's optimised (AVX2/AVX-512)
    code 1,528 pixels of 1,132 images differ by ±1, 13 binarised images differ; with
    `cv2.setUseOptimized(False)` (its SSE3 baseline) 4 pixels of 4 images differ by ±1 and no
    binarised image differs. Never more than ±1.
    """
    images = np.asarray(images)
    if images.dtype != np.uint8 or images.ndim != 3:
        raise ValueError(f"expected uint8 images of shape (batch, H, W), got {images.dtype} {images.shape}")
    hx = _cubic_coeffs(images.shape[2], size)
    vy = _cubic_coeffs(images.shape[1], size)
    tmp = images.astype(np.int64) @ hx.T  # (B, H, size)
    out = np.einsum("dy,byx->bdx", vy, tmp)
    return np.clip((out + (1 << 21)) >> 22, 0, 255).astype(np.uint8)


def binarise(images: np.ndarray) -> np.ndarray:
    """28×28 uint8 digits -> binary 10×10 vectors (B, 100): resize to 12×12, keep pixels strictly
    above the 21st largest, crop [1:11, 1:11]."""
    small = resize_cubic_uint8(images, 12).astype(np.float64) / 255.0
    flat = small.reshape(len(small), -1)
    thr = np.sort(flat, axis=1)[:, -21]
    on = (flat > thr[:, None]).reshape(-1, 12, 12)[:, 1:11, 1:11]
    return on.reshape(len(on), -1).astype(np.float64)


@dataclasses.dataclass(frozen=True)
class Dataset:
    """Binary images (B, 100) and labels (B,) in {0, 1, 2} (digits 7, 8, 9)."""

    train_x: np.ndarray
    train_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray
    source: str


def _select(images, labels, per_class: int):
    order = []
    for d in labels:  # class blocks in order of first appearance in the file
        if d not in order:
            order.append(int(d))
    xs, ys = [], []
    for d in order:
        idx = np.flatnonzero(labels == d)[:per_class]
        if idx.size < per_class:
            raise ValueError(f"only {idx.size} images of digit {d}; need {per_class}")
        xs.append(images[idx])
        ys.append(np.full(idx.size, DIGITS.index(d)))
    x, y = np.concatenate(xs), np.concatenate(ys)
    np.random.default_rng(12).shuffle(x)
    np.random.default_rng(12).shuffle(y)
    return x, y


def load_mnist789(path=None, n_train: int = 5000, n_test: int = 900) -> Dataset:
    """The binarised 7/8/9 set from `mnist789.npz` at `path` (default: `mnist789/mnist789.npz`
    in the shared data folder, `crnzoo.data`).

    Raises FileNotFoundError (naming the path) when the file is absent.
    """
    path = Path(path) if path is not None else data_path(MNIST)
    if path.is_dir():
        path = path / "mnist789.npz"
    if not path.is_file():
        raise FileNotFoundError(f"MNIST 7/8/9 data not found at {path} (see shared/data/mnist789/PROVENANCE.md)")
    with np.load(path) as d:
        tr_i, tr_l, te_i, te_l = d["train_images"], d["train_labels"], d["test_images"], d["test_labels"]
    if set(np.unique(tr_l)) != set(DIGITS) or set(np.unique(te_l)) != set(DIGITS):
        raise ValueError(f"{path} must hold only the digits 7, 8 and 9")
    trx, try_ = _select(tr_i, tr_l, n_train)
    tex, tey = _select(te_i, te_l, n_test)
    return Dataset(binarise(trx), try_, binarise(tex), tey, str(path))


def synthetic(n_per_class: int = 30, seed: int = 0) -> Dataset:
    """A small stand-in set: each class prefers its own 30 of the 100 pixels; each image has
    about 20 on-pixels, 16 from its class's pixels and 4 from anywhere. For tests."""
    rng = np.random.default_rng(seed)
    pools = np.array_split(rng.permutation(N_PIXELS)[:90], N_CLASSES)

    def make(n):
        x = np.zeros((n * N_CLASSES, N_PIXELS))
        y = np.repeat(np.arange(N_CLASSES), n)
        for r, c in enumerate(y):
            x[r, rng.choice(pools[c], 16, replace=False)] = 1.0
            x[r, rng.choice(N_PIXELS, 4, replace=False)] = 1.0
        p = rng.permutation(len(y))
        return x[p], y[p]

    trx, try_ = make(n_per_class)
    tex, tey = make(n_per_class)
    return Dataset(trx, try_, tex, tey, f"synthetic(n_per_class={n_per_class}, seed={seed})")
