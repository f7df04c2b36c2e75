"""Gray-Scott texture matching (Lee, Buse, Winfree 2025, §5.2): set-up, texture loss, training.

Set-up (as the reference): 101×101 periodic grid, spacing 1, D_U = 0.2, D_V = 0.1, steps
dt = 1 that first solve diffusion implicitly with the spectral Laplacian −|k|² and then take
a relu-clamped RK4 reaction step (the reference's order), T = 5,000, from U = 1, V = 0 with
a 3×3 centre block V = 1 and 0.18·U(0,1) noise added to both species. With this set-up the
mean (V, U) at T = 5,000 are κ (0.1742, 0.5432), λ (0.2134, 0.4471), δ (0.1120, 0.6805)
against the reference's (0.1720, 0.5491), (0.2144, 0.4447), (0.1118, 0.6810) (its noise
draw differs); with the 5-point Laplacian and reactions before diffusion δ dies out from
this seed.

Texture loss. The reference compares VGG-16 Gram matrices; pretrained weights cannot be
downloaded here, so crnzoo uses a statistic that needs no trained network:

- Gram matrices (features × features, averaged over pixels) of a fixed multi-scale filter
  bank on the image (V, U): at Gaussian scales σ = 1, 2, 4 cells, the blurred channels and
  the positive and negative parts of their x-, y-derivative and Laplacian-of-Gaussian
  responses (14 feature maps per scale); the term is Σ_σ ‖G − G_target‖² / ‖G_target‖²;
- the radially averaged power spectrum of V − mean(V), normalised to unit sum; the term is
  ‖P − P_target‖² / ‖P_target‖²;
- the paper's moment matching, (mean V − μ_V)² + (mean U − μ_U)² + (log var V − ·)² +
  (log var U − ·)², and parameter wells 100·well(k; 0.025, 0.085) + 100·well(F; 0.005, 0.085),
  well(θ; lo, hi) = 0.25·(2 − tanh(200(θ − lo)) + tanh(200(θ − hi)))².

Training (`fit_texture`): the target texture is grown at the target (F, k) from seed 0;
each optimiser step simulates `segment` time units starting FROM the target texture with
the current (F, k) and compares the result with the target's statistics (short simulations
from the target, as in the paper). 10 restarts start on a circle of radius 0.015 around the
target (θ = 0°, 36°, …) and run in parallel (vmap); the result is the (F, k) of the lowest
loss seen over all restarts and steps.
"""

from __future__ import annotations

import dataclasses
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax

from ..spatial import Grid, simulate_field


TARGETS = {"kappa": (0.037, 0.06), "lambda": (0.036, 0.05725), "delta": (0.034, 0.063)}
REFERENCE_BEST = {"kappa": (0.037205, 0.059550), "lambda": (0.035694, 0.056630), "delta": (0.034165, 0.062518)}
REFERENCE_BEST_LOSS = {"kappa": 0.004593, "lambda": 0.022981, "delta": 0.006799}
GREEK = {"kappa": "κ", "lambda": "λ", "delta": "δ"}
GRID = 101
DT = 1.0
T_GROW = 5000.0
NOISE = 0.18
TARGET_SEED = 0
FRESH_SEED = 1
SEED = 0
RESTARTS = 10
RADIUS = 0.015
SCALES = (1.0, 2.0, 4.0)
FIGURE = "texture.png"


@dataclasses.dataclass(frozen=True)
class GSTrainConfig:
    """The optimisation that made the gray-scott-* entries (written on their cards)."""

    restarts: int = RESTARTS
    radius: float = RADIUS
    steps: int = 100
    lr: float = 1e-3
    lr_end: float = 1e-4
    segment: float = 100.0
    save_every: int = 10
    dtype: str = "float32"
    seed: int = SEED
    optimizer: str = "Adam (optax), cosine-decayed learning rate, all restarts vmapped"

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


TRAIN = GSTrainConfig()


def grid(n: int = GRID) -> Grid:
    return Grid((n, n), dh=1.0, boundary="periodic", laplacian="spectral")


def seed_field(seed: int = TARGET_SEED, n: int = GRID, dtype=jnp.float64):
    """The reference's initial field (n, n, 2): U = 1 + noise, V = noise, 3×3 centre V = 1 (+ noise)."""
    ku, kv = jax.random.split(jax.random.PRNGKey(seed))
    U = 1.0 + NOISE * jax.random.uniform(ku, (n, n), dtype)
    V = jnp.zeros((n, n), dtype)
    c = n // 2
    V = V.at[c - 1 : c + 2, c - 1 : c + 2].set(1.0)
    V = V + NOISE * jax.random.uniform(kv, (n, n), dtype)
    return jnp.stack([U, V], axis=-1)


def grow(model, seed: int = TARGET_SEED, t1: float = T_GROW, n: int = GRID, x0=None, save_every: int | None = None):
    """Grow a texture: simulate `model` (a GrayScott) from `seed_field(seed, n)` (or `x0`) to `t1`."""
    x0 = seed_field(seed, n) if x0 is None else x0
    return simulate_field(model, x0, t1, DT, grid=grid(x0.shape[-2]), method="rk4", clamp=True, save_every=save_every, diffuse_first=True)


# ---- texture statistic --------------------------------------------------------------------------


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


# ---- training -------------------------------------------------------------------------------------


def target_field(texture: str, n: int = GRID, t1: float = T_GROW):
    """The target texture: grown at the target (F, k) from seed 0."""
    from ..models.gray_scott import GrayScott

    F, k = TARGETS[texture]
    return grow(GrayScott(jnp.asarray(F), jnp.asarray(k)), TARGET_SEED, t1, n).final


def restart_starts(texture: str, radius: float = RADIUS, restarts: int = RESTARTS) -> np.ndarray:
    """(restarts, 2) starting (F, k) on a circle around the target, θ = 0°, 360°/restarts, …"""
    F, k = TARGETS[texture]
    th = np.arange(restarts) * 2 * np.pi / restarts
    return np.stack([F + radius * np.cos(th), k + radius * np.sin(th)], axis=1)


def fit_texture(texture: str, config: GSTrainConfig = TRAIN, progress: bool = True, target=None) -> dict:
    """Learn (F, k) from the target texture; returns the best (F, k) and the histories."""
    from ..models.gray_scott import GrayScott

    dtype = jnp.dtype(config.dtype)
    started = time.perf_counter()
    target = target_field(texture) if target is None else target
    x0 = jnp.asarray(target, dtype)
    stats = jax.tree_util.tree_map(lambda a: jnp.asarray(a, dtype), texture_stats(jnp.asarray(target, jnp.float64)))
    g = grid(x0.shape[-2])

    def loss_one(p):
        m = GrayScott(p[0], p[1])
        out = simulate_field(
            m, x0, config.segment, DT, grid=g, method="rk4", clamp=True, save_every=config.save_every, check=False, grad=True, diffuse_first=True
        )
        terms = texture_loss(out.final, stats, p[0], p[1])
        return terms["total"], terms

    opt = optax.adam(optax.cosine_decay_schedule(config.lr, max(config.steps, 1), config.lr_end / config.lr))

    @jax.jit
    def step(params, state):
        (loss, terms), grads = jax.vmap(jax.value_and_grad(loss_one, has_aux=True))(params)
        updates, state = opt.update(grads, state, params)
        return optax.apply_updates(params, updates), state, loss, terms

    params = jnp.asarray(restart_starts(texture, config.radius, config.restarts), dtype)
    state = opt.init(params)
    history, losses = [np.asarray(params, np.float64)], []
    it = range(config.steps + 1)
    if progress:
        from tqdm import tqdm

        it = tqdm(it, desc=f"gray-scott-{texture}", dynamic_ncols=True)
    for i in it:
        new, new_state, loss, terms = step(params, state)
        loss = np.asarray(loss, np.float64)
        if not np.all(np.isfinite(loss)):
            raise FloatingPointError(f"gray-scott-{texture}: non-finite loss at step {i}")
        losses.append(loss)
        if progress:
            it.set_postfix(best=f"{loss.min():.4g}", mean=f"{loss.mean():.4g}")
        if i == config.steps:
            break  # the last evaluation scores the final parameters
        params, state = new, new_state
        history.append(np.asarray(params, np.float64))
    history, losses = np.stack(history), np.stack(losses)  # (steps+1, R, 2), (steps+1, R)
    s, r = np.unravel_index(np.argmin(losses), losses.shape)
    best = history[s, r]
    return {
        "F": float(best[0]),
        "k": float(best[1]),
        "best_loss": float(losses[s, r]),
        "best_restart": int(r),
        "best_step": int(s),
        "param_history": history,
        "loss_history": losses,
        "restart_best": [(float(history[np.argmin(losses[:, j]), j, 0]), float(history[np.argmin(losses[:, j]), j, 1]), float(losses[:, j].min())) for j in range(losses.shape[1])],
        "wall_s": time.perf_counter() - started,
    }


# ---- metrics and figure ---------------------------------------------------------------------------


def texture_metrics(model, texture: str, fast: bool = False) -> dict[str, float]:
    """Card metrics of a learned GrayScott: (F, k), errors, and the grown-texture loss."""
    from ..models.gray_scott import GrayScott

    tF, tk = TARGETS[texture]
    F, k = float(model.F), float(model.k)
    n, t1 = (64, 2000.0) if fast else (GRID, T_GROW)
    stats = texture_stats(target_field(texture, n, t1))
    grown = grow(model, FRESH_SEED, t1, n).final
    at_target = grow(GrayScott(jnp.asarray(tF), jnp.asarray(tk)), FRESH_SEED, t1, n).final
    return {
        "F": F,
        "k": k,
        "F_error": abs(F - tF),
        "k_error": abs(k - tk),
        "texture_loss_grown": float(texture_loss(grown, stats, model.F, model.k)["total"]),
        "texture_loss_grown_at_target": float(texture_loss(at_target, stats, tF, tk)["total"]),
    }


def draw_figure(model, texture: str, path, result: dict | None = None) -> None:
    """Target texture | texture grown from fresh noise with the learned (F, k) | restart paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tF, tk = TARGETS[texture]
    target = np.asarray(target_field(texture))
    grown = np.asarray(grow(model, FRESH_SEED).final)
    ncol = 3 if result is not None else 2
    fig, ax = plt.subplots(1, ncol, figsize=(4 * ncol, 4))
    ax[0].imshow(target[..., 1], cmap="magma", vmin=0, vmax=0.5)
    ax[0].set_title(f"target {GREEK[texture]}: F={tF}, k={tk}\n(seed {TARGET_SEED}, T={T_GROW:g})", fontsize=9)
    ax[1].imshow(grown[..., 1], cmap="magma", vmin=0, vmax=0.5)
    ax[1].set_title(f"grown from fresh noise (seed {FRESH_SEED})\nlearned F={float(model.F):.5f}, k={float(model.k):.5f}", fontsize=9)
    for a in ax[:2]:
        a.set_xticks([])
        a.set_yticks([])
    if result is not None:
        h = result["param_history"]
        for j in range(h.shape[1]):
            ax[2].plot(h[:, j, 0], h[:, j, 1], lw=0.8)
            ax[2].plot(h[0, j, 0], h[0, j, 1], "k.", ms=3)
        ax[2].plot([tF], [tk], "r*", ms=10, label="target")
        rF, rk = REFERENCE_BEST[texture]
        ax[2].plot([rF], [rk], "bx", ms=8, label="reference best")
        ax[2].plot([float(model.F)], [float(model.k)], "g+", ms=12, mew=2, label="crnzoo best")
        ax[2].set_xlabel("F")
        ax[2].set_ylabel("k")
        ax[2].set_title("10 restarts (radius 0.015)", fontsize=9)
        ax[2].legend(fontsize=7)
        ax[2].set_aspect("equal")
    fig.suptitle(f"gray-scott-{texture}: V concentration", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
