"""Fine-tuning a `gray-scott-*` entry on a user's texture image (PNG): find (F, k).

Target (the command line's `--target`): a square PNG (grey, or colour read as its
luminance), 32 to 256 pixels a side, of the V concentration on a periodic grid with one cell
per pixel: black is V = 0, white V = `V_MAX` = 0.5 (the range the entries' figures draw).
`write_texture` writes a field in that form (how the λ example is made).

An image holds V only. The loss therefore compares V alone (`v_only`: U set to 0 in both
fields, which drops U's Gram features and moments from `texture_loss`); the first 100-unit
segment of each step starts from the image with
U in quasi-steady state under the image's V with the pretrained F: (F + V² − D_U·Δ) U = F
(`quasi_steady_u`; on the λ texture it recovers the true U to 0.002 rms, where the linear fit
`U_FROM_V` of U against V on the κ and δ textures, the fallback, is off by 0.011).

Fine-tuning (`tune`) is the entries' own optimisation (`gray_scott.fit_texture`: Adam on
(F, k) through 100 time units of RK4 from the target, texture loss of the end state),
started from the PRETRAINED (F, k) and `RESTARTS` points on a circle of radius `RADIUS`
around it (all vmapped), `steps` steps each; the lowest loss seen is kept.

Scored (`ImageTextureTask`): the (F, k) found; `texture_loss_grown`, the V-only loss of a
texture grown from fresh noise (seed 1, T = 5,000; fast: T = 2,000) with them against the
image; `texture_loss_floor`, the same loss between two textures grown with the found (F, k)
from different noise (seeds 1 and 2): what the statistic varies between two realisations of
one (F, k), the floor a perfect fit cannot beat; and their ratio, promised ≤ 2.
"""

from __future__ import annotations

import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax

from ..spatial import GrayScott, simulate_field
from ._gray_scott_texture import texture_loss, texture_stats
from .base import ZooTask

V_MAX = 0.5
U_FROM_V = (0.8343, -1.5545)  # U ≈ a + b·V (least squares on the κ and δ target textures, residual 0.027)
RESTARTS, RADIUS = 4, 0.003
DEFAULT_STEPS = 60
LR, LR_END = 1e-3, 1e-4
# The fine-tune's own simulation segment (time units) and saving stride, kept apart from the
# entries' training config (`gray_scott.TRAIN`, segment 10 there): from a pretrained point the
# way to ANOTHER texture's (F, k) needs the longer segment (with 10: texture-loss ratio 33 on
# kappa -> lambda, promise <= 2; with 100: 0.79).
SEGMENT, SAVE_EVERY = 100.0, 10
FLOOR_SEED = 2
RATIO = 2.0


def read_texture(path) -> np.ndarray:
    """The V field (n, n) of a texture PNG (see the module); ValueError naming what is wrong."""
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    try:
        with Image.open(path) as im:
            mode = im.mode
            img = np.asarray(im.convert("I;16") if mode in ("I;16", "I", "I;16B") else im.convert("L"), dtype=np.float64)
    except (UnidentifiedImageError, OSError) as err:
        raise ValueError(f"{path}: not a readable image ({err})") from None
    top = 65535.0 if mode.startswith("I") else 255.0
    if img.ndim != 2 or img.shape[0] != img.shape[1]:
        raise ValueError(f"{path}: a texture target is a square image (a periodic n×n grid); got {img.shape[1]}×{img.shape[0]} pixels")
    if not 32 <= img.shape[0] <= 256:
        raise ValueError(f"{path}: the texture must be 32 to 256 pixels a side; got {img.shape[0]}")
    v = img / top * V_MAX
    if float(np.std(v)) < 1e-4:
        raise ValueError(f"{path}: the image is flat (no texture to match)")
    return v


def write_texture(field, path) -> Path:
    """Write the V channel of a field (n, n, 2) as a 16-bit grey PNG in the target's encoding."""
    from PIL import Image

    v = np.clip(np.asarray(field)[..., 1] / V_MAX, 0.0, 1.0)
    Image.fromarray(np.round(v * 65535).astype(np.uint16)).save(path)
    return Path(path)


def quasi_steady_u(v, F: float, d_u: float) -> np.ndarray:
    """U in steady state under a fixed V field: (F + V² − D_U·Δ) U = F on the periodic grid
    (spacing 1, spectral Laplacian), solved by conjugate gradients (the operator is symmetric
    positive definite)."""
    from scipy.sparse.linalg import LinearOperator, cg

    v = np.asarray(v, dtype=np.float64)
    n = v.shape[0]
    k = 2 * np.pi * np.fft.fftfreq(n)
    k2 = k[:, None] ** 2 + k[None, :] ** 2
    d = F + v**2
    op = LinearOperator((n * n, n * n), matvec=lambda u: (d * u.reshape(n, n) + d_u * np.real(np.fft.ifft2(k2 * np.fft.fft2(u.reshape(n, n))))).ravel())
    u, info = cg(op, np.full(n * n, F), x0=np.clip(U_FROM_V[0] + U_FROM_V[1] * v, 0.0, 1.0).ravel(), rtol=1e-10, maxiter=5000)
    if info != 0:  # not converged: the linear estimate
        return np.clip(U_FROM_V[0] + U_FROM_V[1] * v, 0.0, 1.0)
    return np.clip(u.reshape(n, n), 0.0, 1.0)


def field_from_v(v, F: float | None = None, d_u: float = 0.2) -> jnp.ndarray:
    """(n, n, 2): V the image's; U from `U_FROM_V`, or (with the feed rate `F`) in quasi-steady
    state under that V (`quasi_steady_u`)."""
    v = np.asarray(v, dtype=np.float64)
    u = np.clip(U_FROM_V[0] + U_FROM_V[1] * v, 0.0, 1.0) if F is None else quasi_steady_u(v, F, d_u)
    return jnp.stack([jnp.asarray(u), jnp.asarray(v)], axis=-1)


def v_only(field):
    """The field with U set to 0: the texture statistics then see V alone."""
    return field.at[..., 0].set(0.0)


class ImageTextureTask(ZooTask):
    """Learn (F, k) of a texture image (see the module)."""

    def __init__(self, path, base: str, gs):
        self.gs = gs  # the family module `crnzoo.tasks.gray_scott` (passed in: it imports this one)
        self.path, self.base = Path(path), base
        self.v = read_texture(self.path)
        self.n = self.v.shape[0]
        self.target_name = f"Gray-Scott (F, k) of the texture {self.path.name}"
        self.target_text = f"the texture {self.path.name} ({self.n}×{self.n})"
        self.metrics = {
            "F": ("feed rate F found", None, None, 1e-12),
            "k": ("kill rate k found", None, None, 1e-12),
            "texture_loss_grown": (f"V-only texture loss (crnzoo statistic) of a texture grown from fresh noise (seed 1, T = {self.gs.T_GROW:g}; fast: 2,000) with (F, k) against the image", None, None, 1e-6),
            "texture_loss_floor": (f"the same loss between textures grown with (F, k) from seeds 1 and {FLOOR_SEED} (the noise floor)", None, None, 1e-6),
            "texture_loss_ratio": ("texture_loss_grown / texture_loss_floor", None, f"<= {RATIO:g}", 1e-6),
        }

    def make(self):
        raise NotImplementedError(f"a texture target has no model of its own: fine-tune {self.base}")

    def evaluate(self, model, fast: bool = False) -> dict[str, float]:
        t1 = 2000.0 if fast else self.gs.T_GROW
        stats = texture_stats(v_only(field_from_v(self.v)))
        grown = v_only(self.gs.grow(model, self.gs.FRESH_SEED, t1, self.n).final)
        other = v_only(self.gs.grow(model, FLOOR_SEED, t1, self.n).final)
        loss = float(texture_loss(grown, stats, model.F, model.k)["total"])
        floor = float(texture_loss(grown, texture_stats(other), model.F, model.k)["total"])
        return {"F": float(model.F), "k": float(model.k), "texture_loss_grown": loss, "texture_loss_floor": floor,
                "texture_loss_ratio": loss / max(floor, 1e-12)}

    def tune(self, model, steps: int, seed: int, lr, progress: bool):
        """Adam on (F, k) from the pretrained point and `RESTARTS` around it (see the module)."""
        started = time.perf_counter()
        dtype = jnp.float32
        x0 = jnp.asarray(field_from_v(self.v, float(model.F), float(model.diffusion[0])), dtype)
        stats = jax.tree_util.tree_map(lambda a: jnp.asarray(a, dtype), texture_stats(v_only(field_from_v(self.v))))
        g = self.gs.grid(self.n)

        def loss_one(p):
            out = simulate_field(GrayScott(p[0], p[1]), x0, SEGMENT, self.gs.DT, grid=g, method="rk4", clamp=True,
                                 save_every=SAVE_EVERY, check=False, grad=True, diffuse_first=True)
            return texture_loss(v_only(out.final), stats, p[0], p[1])["total"]

        steps = int(steps)
        lr = float(lr or LR)
        opt = optax.adam(optax.cosine_decay_schedule(lr, max(steps, 1), LR_END / LR))

        @jax.jit
        def step(params, state):
            loss, grads = jax.vmap(jax.value_and_grad(loss_one))(params)
            updates, state = opt.update(grads, state, params)
            return optax.apply_updates(params, updates), state, loss

        F0, k0 = float(model.F), float(model.k)
        th = np.arange(RESTARTS) * 2 * np.pi / RESTARTS + seed
        starts = np.concatenate([[[F0, k0]], np.stack([F0 + RADIUS * np.cos(th), k0 + RADIUS * np.sin(th)], axis=1)])
        params = jnp.asarray(starts, dtype)
        state = opt.init(params)
        history, losses = [], []
        for i in range(steps + 1):
            new, new_state, loss = step(params, state)
            loss = np.asarray(loss, np.float64)
            history.append(np.asarray(params, np.float64))
            losses.append(np.where(np.isfinite(loss), loss, np.inf))
            if progress:
                print(f"finetune step {i}: best texture loss {np.min(loss):.5g}", flush=True)
            params, state = new, new_state
        losses, history = np.stack(losses), np.stack(history)
        s, r = np.unravel_index(np.argmin(losses), losses.shape)
        if not np.isfinite(losses[s, r]):
            raise FloatingPointError("every restart's texture loss is non-finite")
        F, k = history[s, r]
        tuned = GrayScott(jnp.asarray(F, jnp.float64), jnp.asarray(k, jnp.float64))
        return tuned, {
            "steps": steps,
            "method": f"Adam on (F, k) from the pretrained point and {RESTARTS} restarts at radius {RADIUS}",
            "initial_loss": float(losses[0, 0]),
            "final_loss": float(losses[s, r]),
            "best_restart": int(r),
            "best_step": int(s),
            "start": [F0, k0],
            "optimisation_s": round(time.perf_counter() - started, 1),
        }
