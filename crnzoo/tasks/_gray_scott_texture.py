"""The texture statistic of the Gray-Scott entries (`crnzoo.tasks.gray_scott`).

The reference compares VGG-16 Gram matrices; pretrained weights cannot be downloaded here, so
crnzoo uses a statistic that needs no trained network, of a field (..., H, W, 2) = (U, V):

- Gram matrices (features × features, averaged over pixels) of a fixed multi-scale filter
  bank on the image (V, U): at Gaussian scales σ = 1, 2, 4 cells, the blurred channels and
  the positive and negative parts of their x-, y-derivative and Laplacian-of-Gaussian
  responses (14 feature maps per scale); the term is Σ_σ ‖G − G_target‖² / ‖G_target‖²;
- the radially averaged power spectrum of V − mean(V), normalised to unit sum; the term is
  ‖P − P_target‖² / ‖P_target‖²;
- the paper's moment matching, (mean V − μ_V)² + (mean U − μ_U)² + (log var V − ·)² +
  (log var U − ·)², and parameter wells 100·well(k; 0.025, 0.085) + 100·well(F; 0.005, 0.085),
  well(θ; lo, hi) = 0.25·(2 − tanh(200(θ − lo)) + tanh(200(θ − hi)))².
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np


SCALES = (1.0, 2.0, 4.0)  # Gaussian filter-bank scales, grid cells


def _filters(n: int, dtype=jnp.float64):
    ky = jnp.asarray(np.fft.fftfreq(n) * 2 * np.pi, dtype)[:, None]
    kx = jnp.asarray(np.fft.fftfreq(n) * 2 * np.pi, dtype)[None, :]
    k2 = kx**2 + ky**2
    out = []
    for s in SCALES:
        g = jnp.exp(-0.5 * s**2 * k2)
        out.append((g, 1j * kx * g * s, 1j * ky * g * s, -k2 * g * s**2))
    return out


def _features(field):
    """Feature maps per scale, each (H·W, 14), of a field (..., H, W, 2) = (U, V)."""
    n = field.shape[-2]
    img = jnp.stack([field[..., 1], field[..., 0]], axis=-3)  # (..., 2, H, W): V, U
    spec = jnp.fft.fft2(img)
    feats = []
    for g, dx, dy, lg in _filters(n, field.dtype):
        blur = jnp.real(jnp.fft.ifft2(spec * g))
        resp = [jnp.real(jnp.fft.ifft2(spec * f)) for f in (dx, dy, lg)]
        maps = [blur] + [jax.nn.relu(r) for r in resp] + [jax.nn.relu(-r) for r in resp]
        f = jnp.concatenate(maps, axis=-3)  # (..., 14, H, W)
        feats.append(f.reshape(f.shape[:-2] + (-1,)))
    return feats


def _radial_spectrum(field):
    n = field.shape[-2]
    v = field[..., 1] - jnp.mean(field[..., 1], axis=(-2, -1), keepdims=True)
    p = jnp.abs(jnp.fft.fft2(v)) ** 2
    f = np.fft.fftfreq(n) * n
    r = np.rint(np.sqrt(f[:, None] ** 2 + f[None, :] ** 2)).astype(int)
    nb = n // 2 + 1
    r = np.minimum(r, nb - 1)
    onehot = jnp.asarray(np.eye(nb)[r.reshape(-1)] / np.bincount(r.reshape(-1), minlength=nb), p.dtype)
    radial = p.reshape(p.shape[:-2] + (-1,)) @ onehot
    radial = radial[..., 1:]
    return radial / (jnp.sum(radial, axis=-1, keepdims=True) + 1e-30)


def texture_stats(field) -> dict:
    """The statistics the loss compares, of a field (..., H, W, 2)."""
    feats = _features(field)
    grams = [jnp.einsum("...fp,...gp->...fg", f, f) / f.shape[-1] for f in feats]
    U, V = field[..., 0], field[..., 1]
    return {
        "grams": grams,
        "spectrum": _radial_spectrum(field),
        "mean_V": jnp.mean(V, axis=(-2, -1)),
        "mean_U": jnp.mean(U, axis=(-2, -1)),
        "logvar_V": jnp.log(jnp.var(V, axis=(-2, -1)) + 1e-12),
        "logvar_U": jnp.log(jnp.var(U, axis=(-2, -1)) + 1e-12),
    }


def well(theta, lo, hi):
    """The reference's parameter well: ≈ 0 inside (lo, hi), ≈ 1 outside."""
    return 0.25 * (2 - jnp.tanh(200 * (theta - lo)) + jnp.tanh(200 * (theta - hi))) ** 2


def texture_loss(field, target: dict, F, k) -> dict:
    """Loss terms of a field against target statistics (and the parameter wells of F, k)."""
    s = texture_stats(field)
    gram = sum(jnp.sum((g - gt) ** 2, axis=(-2, -1)) / jnp.sum(gt**2) for g, gt in zip(s["grams"], target["grams"]))
    spectrum = jnp.sum((s["spectrum"] - target["spectrum"]) ** 2, axis=-1) / jnp.sum(target["spectrum"] ** 2)
    moments = sum((s[m] - target[m]) ** 2 for m in ("mean_V", "mean_U", "logvar_V", "logvar_U"))
    wells = 100 * well(k, 0.025, 0.085) + 100 * well(F, 0.005, 0.085)
    total = gram + spectrum + moments + wells
    return {"total": total, "gram": gram, "spectrum": spectrum, "moments": moments, "wells": wells}
