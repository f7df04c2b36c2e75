"""The DNA winner-take-all MNIST classifier network (Cherry & Qian, Nature 2018) as an indexed CRN.

Lee, Buse, Winfree (DNA 31, 2025), §5.1 and appendix B. Units: concentrations in nM,
time in hours. Index sets: `pixel` (i, 100 pixels of a 10×10 image) and `cls` (j, k;
the digits 7, 8, 9 as classes 0, 1, 2):

    X[i] + W[i,j] + XF[i] -> X[i] + P[i,j]      36          weight multiplication
    P[i,j] + SG[j] -> S[j]                      36          summation
    S[j] + S[k] + A[j,k] -> ∅                   alpha[j,k] = 3.6e-3 (0 for j = k)   annihilation
    S[j] + RG[j] + YF[k] -> S[j] + Y[j]         1.8e-4      restoration
    Y[j] + Rep[j] -> F[j]                       3.6         reporting

Initial state: X = 5 per "on" pixel, W = 100·w, XF[i] = 2·Σ_j W[i,j], SG = RG = 100,
A = 400, YF = Rep = 200, P = S = Y = F = 0. The class is argmax F (at 10 h in the zoo's
entries, `crnzoo.tasks.wta_mnist`).

The restoration fuel is written `YF[k]` with a free index k, as in the reference code
(its published figures come from that form): the restoration flux of class j is summed over
the three fuels, d Y[j]/dt = 1.8e-4 · S[j] · RG[j] · Σ_k YF[k]. `restoration="j"` gives
the per-class form of the paper's text (`YF[j]`).
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .indexed import IndexedCRN


N_PIXELS = 100
N_CLASSES = 3
X_ON = 5.0  # nM per "on" pixel
W_SCALE = 100.0  # nM per unit weight
RESTORATION = "k"

SPECIES = {
    "X": ("pixel",), "W": ("pixel", "cls"), "XF": ("pixel",), "P": ("pixel", "cls"), "SG": ("cls",), "S": ("cls",),
    "A": ("cls", "cls"), "RG": ("cls",), "YF": ("cls",), "Y": ("cls",), "Rep": ("cls",), "F": ("cls",),
}
ROLES = {"X": "input", "W": "control", "F": "output", "XF": "fuel", "SG": "fuel", "RG": "fuel", "YF": "fuel", "Rep": "fuel", "A": "fuel"}


def reactions(restoration: str = RESTORATION) -> list[tuple[str, float | str]]:
    """The five indexed reactions (rates in 1/(nM²·h) or 1/(nM·h)); restoration fuel `YF[restoration]`."""
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


def with_weights(crn: IndexedCRN, w) -> IndexedCRN:
    """`crn` with its initial W = 100·w and XF = 2·Σ_j W (nM) from weights `w` (differentiable in w)."""
    t = crn.unpack(crn.x0)
    t["W"] = W_SCALE * w
    t["XF"] = 2.0 * W_SCALE * w.sum(axis=1)
    return eqx.tree_at(lambda m: m.x0, crn, crn.pack(t))


def initial_states(crn: IndexedCRN, images, w=None) -> jax.Array:
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
