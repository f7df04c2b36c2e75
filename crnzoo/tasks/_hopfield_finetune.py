"""Fine-tuning `hopfield-turing-small` to grow a user's image (PNG or JPEG).

Target (the command line's `--target`): an image file. It is prepared as the shipped target
is (`hopfield.load_target`): centre-cropped to a square, area-resampled to the entry's grid
(48×48), RGB in [0, 1], times the circular mask.

Fine-tuning (`tune`) continues the entry's own training from the PRETRAINED parameters (not
from random ones): Adam with global-norm clipping and a cosine-decayed learning rate (the
entry's settings, `lr` overridable), float32, the mean squared error of the image grown from
the splotch seed at t = 12.5, keeping the parameters of the lowest loss. It is short by
design (default `DEFAULT_STEPS` steps, ≈ 2 s each here; the shipped model trained 600): a
fine-tune that starts from a network which already grows a face.

Scored (`ImageGrowthTask`), in float64: the MSE of the grown image, its log10, the MSE of an
all-black image (the trivial baseline) and their ratio, promised ≤ `RATIO` (the grown image
explains at least half of the target's energy).
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax

from ..spatial import Grid, simulate_field
from .base import ZooTask

DEFAULT_STEPS = 60
RATIO = 0.5


class ImageGrowthTask(ZooTask):
    """Grow the image at `path` (see the module)."""

    exact_fast = True

    def __init__(self, path, base: str, config, hf):
        self.hf = hf  # the family module `crnzoo.tasks.hopfield` (passed in: it imports this one)
        self.path, self.base, self.config = Path(path), base, config
        try:
            self.target = hf.load_target(config.grid, self.path)
        except hf.TargetImageError as err:
            raise ValueError(str(err)) from None
        if float(np.mean(self.target**2)) < 1e-8:
            raise ValueError(f"{self.path}: the image is black inside the circular mask (nothing to grow)")
        c = config
        self.target_name = f"Hopfield reaction-diffusion growing {self.path.name}"
        self.target_text = f"the image {self.path.name} ({c.grid}×{c.grid}, circular mask)"
        self.metrics = {
            "loss": (f"mean squared error of the grown image (x⁺ − x⁻ of neurons 1..3 at t = {c.t_grow:g}) against the masked {c.grid}×{c.grid} target, over pixels and RGB", None, None, 1e-7),
            "log10_loss": ("log10 of `loss`", None, None, 1e-5),
            "blank_loss": ("the same error for an all-black image (the trivial baseline)", None, None, 1e-9),
            "loss_vs_blank": ("loss / blank_loss", None, f"<= {RATIO:g}", 1e-6),
            "reactions_dense": ("concrete reactions enumerated by network(0)", None, None, 0.0),
        }

    def make(self):
        raise NotImplementedError(f"an image target has no model of its own: fine-tune {self.base}")

    def evaluate(self, model, fast: bool = False) -> dict[str, float]:
        loss = self.hf.loss_of(model, self.target, self.config)
        blank = float(np.mean(self.target**2))
        return {"loss": loss, "log10_loss": math.log10(loss), "blank_loss": blank, "loss_vs_blank": loss / blank,
                "reactions_dense": float(model.network(0.0).n_reactions)}

    def tune(self, model, steps: int, seed: int, lr, progress: bool):
        """Adam from the pretrained parameters (see the module); returns (best model, card fields)."""
        c = self.config
        dtype = jnp.dtype(c.dtype)
        target = jnp.asarray(self.target, dtype)
        x0 = self.hf.seed_field(c.grid, c.n_neurons, dtype)
        g = Grid((c.grid, c.grid))
        start = jax.tree_util.tree_map(lambda a: a.astype(dtype) if hasattr(a, "astype") else a, model)

        def loss_fn(m):
            out = simulate_field(m, x0, c.t_grow, c.dt, grid=g, method=c.method, clamp=c.method == "rk4", save_every=c.save_every,
                                 check=False, grad=True)
            return self.hf.image_loss(out.final, target)

        cfg = c.train_config(int(steps))
        if lr:
            import dataclasses

            cfg = dataclasses.replace(cfg, lr=float(lr), lr_end=float(lr) * c.lr_end / c.lr)
        opt = cfg.optimizer()

        @jax.jit
        def step(m, state):
            loss, grads = jax.value_and_grad(loss_fn)(m)
            updates, state = opt.update(grads, state, m)
            return optax.apply_updates(m, updates).project(), state, loss

        started = time.perf_counter()
        current, state = start, opt.init(start)
        losses, best, best_loss = [], start, math.inf
        for i in range(int(steps) + 1):
            new, new_state, loss = step(current, state)
            loss = float(loss)
            losses.append(loss)
            if math.isfinite(loss) and loss < best_loss:  # the loss of `current` (before this update)
                best, best_loss = current, loss
            if progress:
                print(f"finetune step {i}: loss {loss:.5g} (best {best_loss:.5g})", flush=True)
            current, state = new, new_state
        if not math.isfinite(best_loss):
            raise FloatingPointError("hopfield fine-tuning: every loss was non-finite")
        tuned = jax.tree_util.tree_map(lambda a: a.astype(np.float64) if hasattr(a, "astype") else a, best)
        return tuned, {
            "steps": int(steps),
            "method": "Adam from the pretrained parameters",
            "initial_loss": losses[0],
            "final_loss": best_loss,
            "loss_note": "float32 losses of training; the metrics are recomputed in float64",
            "optimisation_s": round(time.perf_counter() - started, 1),
        }
