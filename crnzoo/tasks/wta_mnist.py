"""The DNA winner-take-all MNIST classifier (Cherry & Qian, Nature 2018) as an indexed CRN.

Lee, Buse, Winfree (DNA 31, 2025), §5.1 and appendix B. Units: concentrations in nM,
time in hours. Index sets: `pixel` (i, 100 pixels of a 10×10 image) and `cls` (j, k;
the digits 7, 8, 9 as classes 0, 1, 2):

    X[i] + W[i,j] + XF[i] -> X[i] + P[i,j]      36          weight multiplication
    P[i,j] + SG[j] -> S[j]                      36          summation
    S[j] + S[k] + A[j,k] -> ∅                   alpha[j,k] = 3.6e-3 (0 for j = k)   annihilation
    S[j] + RG[j] + YF[k] -> S[j] + Y[j]         1.8e-4      restoration
    Y[j] + Rep[j] -> F[j]                       3.6         reporting

Initial state: X = 5 per "on" pixel, W = 100·w, XF[i] = 2·Σ_j W[i,j], SG = RG = 100,
A = 400, YF = Rep = 200, P = S = Y = F = 0. The class is argmax F at 10 h.

The restoration fuel is written `YF[k]` with a free index k, as in the reference code
(its published figures come from that form): the restoration flux of class j is summed over
the three fuels, d Y[j]/dt = 1.8e-4 · S[j] · RG[j] · Σ_k YF[k]. `RESTORATION="j"` gives
the per-class form of the paper's text (`YF[j]`).

Data: MNIST 7, 8, 9 (`../shared/data/mnist789/mnist789.npz`): the first 5,000 training and
900 test images per class in file order; each resized to 12×12 with OpenCV's bicubic
resize of the uint8 image (emulated here bit for bit in fixed point, `resize_cubic_uint8`),
its pixels strictly above the 21st largest set to 1 (the top 20, fewer on ties), cropped to
the central 10×10. Class blocks in order of first appearance in the file, then images and
labels shuffled by `np.random.default_rng(12)` (as the reference did).
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from ..crn.indexed import IndexedCRN
from ..data import data_path
from .._legacy_rosenbrock import final_states, solve


N_PIXELS = 100
N_CLASSES = 3
DIGITS = (7, 8, 9)
T_END = 10.0  # hours
X_ON = 5.0  # nM per "on" pixel
W_SCALE = 100.0  # nM per unit weight
RESTORATION = "k"
EVAL_RTOL, EVAL_ATOL = 1e-5, 1e-4  # nM-scale states: atol 1e-4 nM
MNIST = "mnist789/mnist789.npz"  # in the shared data folder (`crnzoo.data`)
DEFAULT_DATA = data_path(MNIST)

SPECIES = {
    "X": ("pixel",), "W": ("pixel", "cls"), "XF": ("pixel",), "P": ("pixel", "cls"), "SG": ("cls",), "S": ("cls",),
    "A": ("cls", "cls"), "RG": ("cls",), "YF": ("cls",), "Y": ("cls",), "Rep": ("cls",), "F": ("cls",),
}
ROLES = {"X": "input", "W": "control", "F": "output", "XF": "fuel", "SG": "fuel", "RG": "fuel", "YF": "fuel", "Rep": "fuel", "A": "fuel"}


def reactions(restoration: str = RESTORATION) -> list[tuple[str, float | str]]:
    if restoration not in ("j", "k"):
        raise ValueError(f"restoration fuel index must be 'j' or 'k', got {restoration!r}")
    return [
        ("X[i] + W[i,j] + XF[i] -> X[i] + P[i,j]", 36.0),
        ("P[i,j] + SG[j] -> S[j]", 36.0),
        ("S[j] + S[k] + A[j,k] ->", "alpha[j,k]"),
        (f"S[j] + RG[j] + YF[{restoration}] -> S[j] + Y[j]", 1.8e-4),
        ("Y[j] + Rep[j] -> F[j]", 3.6),
    ]


def wta_crn(w, restoration: str = RESTORATION) -> IndexedCRN:
    """The winner-take-all ICRN with weight matrix `w` (100 × 3, dimensionless; W = 100·w nM).

    Default state: no image (X = 0), the other species as in the module docstring.
    """
    w = np.asarray(w, dtype=np.float64)
    if w.shape != (N_PIXELS, N_CLASSES):
        raise ValueError(f"the weight matrix must have shape ({N_PIXELS}, {N_CLASSES}), got {w.shape}")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("weights must be finite and >= 0")
    W = W_SCALE * w
    return IndexedCRN.create(
        sets={"pixel": N_PIXELS, "cls": N_CLASSES},
        symbols={"i": "pixel", "j": "cls", "k": "cls"},
        species=SPECIES,
        reactions=reactions(restoration),
        params={"alpha": 3.6e-3 * (1.0 - np.eye(N_CLASSES))},
        x0={"W": W, "XF": 2.0 * W.sum(axis=1), "SG": 100.0, "RG": 100.0, "A": 400.0, "YF": 200.0, "Rep": 200.0},
        roles=ROLES,
    )


def weights_of(crn: IndexedCRN) -> np.ndarray:
    """The weight matrix w (100 × 3) held in the CRN's initial W concentrations."""
    return np.asarray(crn.unpack(crn.x0)["W"]) / W_SCALE


def initial_states(crn: IndexedCRN, images, w=None):
    """Initial states (B, N) for binary images (B, 100): X = 5·pixel, XF = 2·Σ_j W; the rest from `crn.x0`.

    `w` (optional, a jax array) overrides the weights (W = 100·w), keeping gradients.
    """
    images = jnp.asarray(images, dtype=jnp.float64)
    if images.ndim != 2 or images.shape[1] != N_PIXELS:
        raise ValueError(f"images must have shape (batch, {N_PIXELS}), got {tuple(images.shape)}")
    t = crn.unpack(crn.x0)
    W = t["W"] if w is None else W_SCALE * w
    b = images.shape[0]
    t = {k: jnp.broadcast_to(v, (b,) + v.shape) for k, v in t.items()}
    t["X"] = X_ON * images
    t["W"] = jnp.broadcast_to(W, (b,) + W.shape)
    t["XF"] = jnp.broadcast_to(2.0 * W.sum(axis=1), (b, N_PIXELS))
    return crn.pack(t, (b,))


def fluorescence(crn: IndexedCRN, images, t1: float = T_END, chunk: int | None = 900, rtol=EVAL_RTOL, atol=EVAL_ATOL) -> np.ndarray:
    """F (B, 3) in nM at `t1` hours for each image (adaptive `DiagonalRosenbrock`, batched)."""
    y1, _ = final_states(crn, initial_states(crn, images), t1, rtol, atol, chunk, name="wta-mnist")
    return np.asarray(crn.unpack(jnp.asarray(y1))["F"])


def sup(F, labels) -> np.ndarray:
    """Superiority per image: F_correct − Σ F_wrong (nM)."""
    F = np.asarray(F)
    onehot = np.eye(N_CLASSES)[np.asarray(labels)]
    return np.sum(F * (2 * onehot - 1), axis=1)


def wta_accuracy(w, images, labels) -> float:
    """Accuracy of the ideal winner-take-all: argmax of x·w."""
    return float(np.mean(np.argmax(np.asarray(images) @ np.asarray(w), axis=1) == np.asarray(labels)))


def metrics(crn: IndexedCRN, images, labels, t1: float = T_END) -> dict[str, float]:
    """Sim Acc, WTA Acc, mean SUP and non-zero weights on `images`."""
    F = fluorescence(crn, images, t1)
    w = weights_of(crn)
    return {
        "sim_acc": float(np.mean(np.argmax(F, axis=1) == np.asarray(labels))),
        "wta_acc": wta_accuracy(w, images, labels),
        "mean_sup": float(np.mean(sup(F, labels))),
        "nonzero_weights": float(np.count_nonzero(w > 0)),
    }


# ---- data ----------------------------------------------------------------------------------------


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
    """Bicubic resize of uint8 images (B, H, W) to (B, size, size), bit for bit as OpenCV's
    `cv2.resize(img, (size, size), interpolation=cv2.INTER_CUBIC)` computes it for uint8
    (horizontal then vertical fixed-point passes, (v + 2^21) >> 22, saturated to 0..255)."""
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
    """The binarised 7/8/9 set from `mnist789.npz` at `path` (default: ../shared/data/mnist789/).

    Raises FileNotFoundError (naming the path) when the file is absent.
    """
    path = Path(path) if path is not None else DEFAULT_DATA
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


# ---- weight matrices ---------------------------------------------------------------------------------


def average_digit(images, labels) -> np.ndarray:
    """Per-class mean image, each column normalised to sum 1 (100 × 3)."""
    w = np.stack([np.asarray(images)[np.asarray(labels) == c].mean(axis=0) for c in range(N_CLASSES)], axis=1)
    return w / w.sum(axis=0, keepdims=True)


def pruned(w, keep: int = 20) -> np.ndarray:
    """Keep the `keep` largest weights per class (column), renormalised to sum 1."""
    w = np.asarray(w, dtype=np.float64)
    out = np.zeros_like(w)
    for c in range(w.shape[1]):
        idx = np.argsort(-w[:, c], kind="stable")[:keep]
        out[idx, c] = w[idx, c]
    return out / out.sum(axis=0, keepdims=True)


# ---- training ----------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """Gradient training of a weight matrix through the ICRN simulated to `horizon` hours.

    `loss`: "sup" (−mean(F_correct − Σ F_wrong), then ReLU projection and column
    normalisation after every step) or "accreg" (mean cross-entropy of softmax(F / f_scale)
    + reg·Σ√w, ReLU projection only). Adam on w (learning rate `lr`); every training solve
    is an adaptive `DiagonalRosenbrock` solve at `rtol`/`atol` (nM) to `horizon` hours,
    differentiated by recursive checkpointing; minibatches of `batch` images drawn with
    `seed`. `prune`: after training, `(keep, epochs)` stages: keep only the `keep` largest
    weights per class, then train `epochs` more epochs on that support without the
    regulariser. `init`: "uniform" (1/100), "average" (the average digit) or "sup" (a weight
    matrix passed to `train` as `w_init`, e.g. the SUP-trained one).
    """

    loss: str = "sup"
    horizon: float = T_END
    rtol: float = 1e-3
    atol: float = 1e-2
    epochs: int = 2
    batch: int = 500
    lr: float = 1e-3
    reg: float = 0.0
    f_scale: float = 1.0
    init: str = "uniform"
    prune: tuple = ()
    seed: int = 0

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def eqx_tree_replace_w(crn: IndexedCRN, w) -> IndexedCRN:
    """`crn` with its initial W (and XF) set from weights `w` (differentiable)."""
    import equinox as eqx

    t = crn.unpack(crn.x0)
    t["W"] = W_SCALE * w
    t["XF"] = 2.0 * W_SCALE * w.sum(axis=1)
    return eqx.tree_at(lambda m: m.x0, crn, crn.pack(t))


def f_at(crn: IndexedCRN, w, images, horizon: float, rtol: float, atol: float):
    """F (B, 3) at `horizon` for weights `w` (differentiable in w) and a success flag."""
    m = eqx_tree_replace_w(crn, w)
    ys, ok, _ = solve(m, initial_states(crn, images, w), jnp.asarray([0.0, horizon]), rtol, atol, 20_000)
    return m.unpack(ys[-1])["F"], ok


def project(w, normalise: bool, mask=None):
    """ReLU projection (and column normalisation); `mask` zeroes weights outside a support."""
    w = jax.nn.relu(w)
    if mask is not None:
        w = w * mask
    if normalise:
        w = w / jnp.maximum(w.sum(axis=0, keepdims=True), 1e-12)
    return w


def keep_largest(w, keep: int) -> np.ndarray:
    """The mask of the `keep` largest weights per class."""
    w = np.asarray(w)
    mask = np.zeros_like(w)
    for c in range(w.shape[1]):
        mask[np.argsort(-w[:, c], kind="stable")[:keep], c] = 1.0
    return mask * (w > 0)


def train(data: Dataset, config: TrainConfig, restoration: str = RESTORATION, progress: bool = True, w_init=None):
    """Train a weight matrix; returns (w, history of per-epoch dicts)."""
    import optax
    from tqdm import tqdm

    rng = np.random.default_rng(config.seed)
    n = len(data.train_y)
    if config.init == "uniform":
        w = jnp.full((N_PIXELS, N_CLASSES), 1.0 / N_PIXELS)
    elif config.init == "average":
        w = jnp.asarray(average_digit(data.train_x, data.train_y))
    elif config.init == "sup" and w_init is not None:
        w = jnp.asarray(w_init, dtype=jnp.float64)
    else:
        raise ValueError(f"unknown init {config.init!r}")
    if config.loss not in ("sup", "accreg"):
        raise ValueError(f"unknown loss {config.loss!r}")
    crn = wta_crn(np.asarray(w), restoration)
    normalise = config.loss == "sup"
    opt = optax.adam(config.lr)

    def loss_fn(w, x, y, reg):
        F, ok = f_at(crn, w, x, config.horizon, config.rtol, config.atol)
        onehot = jax.nn.one_hot(y, N_CLASSES)
        if config.loss == "sup":
            main = -jnp.mean(jnp.sum(F * (2 * onehot - 1), axis=1))
        else:
            main = -jnp.mean(jnp.sum(onehot * jax.nn.log_softmax(F / config.f_scale, axis=1), axis=1))
            main = main + reg * jnp.sum(jnp.sqrt(jnp.abs(w) + 1e-8))
        return main, ok

    @jax.jit
    def update(w, state, x, y, reg, mask):
        (l, ok), g = jax.value_and_grad(loss_fn, has_aux=True)(w, x, y, reg)
        upd, state = opt.update(g, state, w)
        w2 = project(optax.apply_updates(w, upd), normalise, mask)
        return jnp.where(ok, w2, w), state, l, ok

    steps = max(n // config.batch, 1)
    history = []
    started = time.perf_counter()
    total = (config.epochs + sum(e for _, e in config.prune)) * steps
    bar = tqdm(total=total, disable=not progress, desc=f"wta-mnist {config.loss}")
    phases = [("train", config.epochs, config.reg, 0)] + [(f"keep {k}", e, 0.0, k) for k, e in config.prune]
    mask = jnp.ones((N_PIXELS, N_CLASSES))
    for phase, epochs, reg, keep in phases:
        if keep:
            mask = jnp.asarray(keep_largest(w, keep))
            w = project(w, normalise, mask)
        state = opt.init(w)
        for epoch in range(epochs):
            perm = rng.permutation(n)
            losses, failed = [], 0
            for s in range(steps):
                idx = perm[s * config.batch : (s + 1) * config.batch]
                w, state, l, ok = update(w, state, jnp.asarray(data.train_x[idx]), jnp.asarray(data.train_y[idx]), reg, mask)
                losses.append(float(l))
                failed += int(not bool(ok))
                bar.update(1)
                bar.set_postfix(loss=f"{float(l):.4g}", nonzero=int(jnp.sum(w > 0)))
            history.append(
                {
                    "phase": phase,
                    "epoch": epoch + 1,
                    "mean_loss": float(np.mean(losses)),
                    "failed_solves": failed,
                    "nonzero": int(jnp.sum(w > 0)),
                    "wall_s": round(time.perf_counter() - started, 1),
                }
            )
    bar.close()
    w = np.asarray(project(w, normalise, mask))
    return w, history


def weight_table(w, path=None, digits=DIGITS) -> str:
    """A CSV a lab can order strands from: one row per non-zero weight (pixel, row, column of the
    10×10 image, class digit, weight, W concentration in nM, weight-fuel XF share in nM)."""
    w = np.asarray(w, dtype=np.float64)
    lines = ["pixel,row,col,class_digit,weight,W_nM,XF_pixel_total_nM"]
    xf = 2.0 * W_SCALE * w.sum(axis=1)
    for i in range(w.shape[0]):
        for j in range(w.shape[1]):
            if w[i, j] > 0:
                lines.append(f"{i},{i // 10},{i % 10},{digits[j]},{w[i, j]:.8g},{W_SCALE * w[i, j]:.6g},{xf[i]:.6g}")
    text = "\n".join(lines) + "\n"
    if path is not None:
        Path(path).write_text(text)
    return text
