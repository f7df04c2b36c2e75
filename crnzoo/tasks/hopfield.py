"""Growing Alan Turing's portrait with a Hopfield reaction-diffusion network (Lee, Buse, Winfree 2025, §5.3):
the task of `hopfield-turing-small` (the network is `crnzoo.spatial.HopfieldRD`).

- Target: `../shared/data/icrn/Hopfield_data_github/Turing.jpg` (read from there, never copied),
  centre-cropped to a square, down-sampled to the grid (PIL area resampling), RGB in [0, 1], and
  multiplied by a circular mask (1 inside the circle of diameter = grid size, 0 outside).
- Initial field: three overlapping Gaussian splotches of x_1⁺ (R), x_2⁺ (G), x_3⁺ (B), centred
  120° apart on a circle of radius H/8 around the grid centre, width σ = H/8, peak 1; every
  other species 0 (the reference's seed pattern is not published; this follows its description).
- Growth: IMEX steps dt = 0.1 (relu-clamped RK4 reactions, implicit 5-point diffusion, fast
  annihilation) on a periodic grid of spacing 1 to t_grow = 12.5.
- Loss: mean over pixels and the three channels of ((x⁺ − x⁻)_{1..3} − target)²; the
  "log-loss" is log10 of it.
- Training (`train`): Adam with global-norm clipping and a cosine-decayed learning rate
  (`crnzoo.train.TrainConfig.optimizer`) from random parameters (`init`, seed 0), in float32,
  keeping the parameters of the lowest loss. `SMALL` is the shipped entry's configuration;
  `FULL` the paper's (N = 256, 100×100; `scripts/hopfield_full.py`).
"""

from __future__ import annotations

import dataclasses
import math
import resource
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

from ..data import data_path
from ..spatial import Grid, HopfieldRD, check_memory, simulate_field
from ..spatial.hopfield import N_VISIBLE, init
from ..train import TrainConfig
from .base import ZooTask


# files in the shared data folder (`crnzoo.data.data_path`)
TARGET = "icrn/Hopfield_data_github/Turing.jpg"
REFERENCE_PARAMS = "icrn/Hopfield_data_github/ParamsBestLoss_icrn_turing_256sp.converted.npz"
REFERENCE_BEST_LOG_LOSS = -4.0465
DT = 0.1
T_GROW = 12.5
FIGURE = "growth.png"
STEPS_MEDIUM = 4000
MAX_BACKTRACKS = 8  # halvings of the optimiser's step after non-finite losses before training stops


class TargetImageError(ValueError):
    """The target image is missing or unreadable."""


@dataclasses.dataclass(frozen=True)
class HopfieldConfig:
    """A training configuration (written on the card)."""

    n_neurons: int = 32
    grid: int = 48
    dt: float = DT
    t_grow: float = T_GROW
    steps: int = 600
    lr: float = 3e-3
    lr_end: float = 3e-4
    clip: float = 1.0
    save_every: int = 25
    dtype: str = "float32"
    seed: int = 0
    method: str = "rk4"  # the reaction update of each IMEX step: relu-clamped "rk4" or "split" (exact sub-flows)
    optimizer: str = "Adam (optax) with global-norm clipping, cosine-decayed learning rate"

    def train_config(self, steps: int) -> TrainConfig:
        """The optimiser settings of a run of `steps` steps (its cosine decay spans them)."""
        return TrainConfig(steps=steps, lr=self.lr, lr_end=self.lr_end, clip=self.clip, seed=self.seed)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


SMALL = HopfieldConfig()
# 16 IMEX steps of dt = 12.5/16 instead of 125 of 0.1, the reactions by the network's exactly
# solved sub-flows (`method="split"`: stable at any dt, one matrix product per step instead of
# RK4's four) and one checkpoint segment (no recomputation in the backward pass): a training
# step ≥ 10× cheaper at equal size (`benchmarks/hopfield_step.py`), spent on twice the neurons
# and a 64×64 grid. The learned map depends on the step, so this is a model of its own. With
# relu-clamped RK4 at this dt, training of N = 64 left RK4's stability region (dt·|λ| 4.3 >
# 2.785, `scripts/issue17/hopfield_stability.py`) and diverged.
MEDIUM = HopfieldConfig(n_neurons=64, grid=64, dt=T_GROW / 16, save_every=16, steps=STEPS_MEDIUM, method="split")
FULL = HopfieldConfig(n_neurons=256, grid=100, steps=30_000, lr=1e-3, lr_end=1e-4)


def load_target(n: int, path=None) -> np.ndarray:
    """The masked, down-sampled target image, shape (n, n, 3), float64 in [0, 1]."""
    from PIL import Image, UnidentifiedImageError

    path = Path(path) if path is not None else data_path(TARGET)
    if not path.is_file():
        raise TargetImageError(f"target image not found at {path} (it lives in ../shared/data next to the checkout, or set CRNZOO_DATA)")
    try:
        with Image.open(path) as im:
            im = im.convert("RGB")
            w, h = im.size
            s = min(w, h)
            left, top = (w - s) // 2, (h - s) // 2
            im = im.crop((left, top, left + s, top + s)).resize((n, n), Image.Resampling.BOX)
            img = np.asarray(im, dtype=np.float64) / 255.0
    except (UnidentifiedImageError, OSError) as e:
        raise TargetImageError(f"cannot read the target image {path}: {e}") from None
    return img * circular_mask(n)[..., None]


def circular_mask(n: int) -> np.ndarray:
    """1 inside the circle of diameter n centred on an n×n grid, 0 outside."""
    c = (n - 1) / 2
    y, x = np.mgrid[:n, :n]
    return (((y - c) ** 2 + (x - c) ** 2) <= (n / 2) ** 2).astype(np.float64)


def seed_field(n: int, n_neurons: int, dtype=jnp.float64) -> jax.Array:
    """Three overlapping splotches of the visible x⁺ species; everything else 0. Shape (n, n, 2N)."""
    y, x = np.mgrid[:n, :n].astype(np.float64)
    c, r, s = (n - 1) / 2, n / 8, n / 8
    field = np.zeros((n, n, 2 * n_neurons))
    for ch in range(N_VISIBLE):
        a = 2 * np.pi * ch / 3 + np.pi / 2
        cy, cx = c - r * np.sin(a), c + r * np.cos(a)
        field[..., ch] = np.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (2 * s**2))
    return jnp.asarray(field, dtype)


def image_of(field) -> jax.Array:
    """The visible channels x⁺ − x⁻ of neurons 1..3, shape (..., H, W, 3)."""
    n = field.shape[-1] // 2
    return field[..., :N_VISIBLE] - field[..., n : n + N_VISIBLE]


def grow(model, n: int, t1: float = T_GROW, dt: float = DT, save_every: int | None = None, dtype=jnp.float64, check: bool = True, grad: bool = False, diffuse_first: bool = False, method: str = "rk4"):
    """Grow from the splotch seed on an n×n periodic grid with `method`'s reaction update
    (relu-clamped "rk4", or "split"); returns the `RDSolution`."""
    x0 = seed_field(n, model.n_neurons, dtype)
    steps = round(t1 / dt)
    return simulate_field(
        model, x0, t1, dt, grid=Grid((n, n)), method=method, clamp=method == "rk4", save_every=save_every or steps, check=check,
        grad=grad, negative_tol=1e-6, diffuse_first=diffuse_first,
    )


def image_loss(field, target) -> jax.Array:
    """Mean squared error of the image of `field` against `target` (H, W, 3)."""
    return jnp.mean((image_of(field) - target) ** 2)


def loss_of(model, target, config: HopfieldConfig = SMALL) -> float:
    """`image_loss` of the field grown by `model` (float64) at `config`'s horizon and step."""
    out = grow(model, target.shape[0], config.t_grow, config.dt, method=config.method)
    return float(image_loss(out.final, jnp.asarray(target)))


def _shard(x):
    """Place a field across the available devices along the grid's first axis (no-op on one device)."""
    devices = jax.devices()
    if len(devices) < 2 or x.shape[-3] % len(devices):
        return x
    mesh = Mesh(np.array(devices), ("grid",))
    spec = [None] * x.ndim
    spec[-3] = "grid"
    return jax.device_put(x, NamedSharding(mesh, P(*spec)))


def train(config: HopfieldConfig = SMALL, target_path=None, progress: bool = True, steps: int | None = None, time_limit: float | None = None):
    """Train a HopfieldRD from random parameters; returns (best model, history dict)."""
    steps = config.steps if steps is None else int(steps)
    dtype = jnp.dtype(config.dtype)
    target = jnp.asarray(load_target(config.grid, target_path), dtype)
    n_steps = round(config.t_grow / config.dt)
    need = check_memory((config.grid, config.grid, 2 * config.n_neurons), n_steps, config.save_every, True, dtype.itemsize, config.method)
    x0 = _shard(seed_field(config.grid, config.n_neurons, dtype))
    model = init(config.n_neurons, jax.random.PRNGKey(config.seed))
    model = jax.tree_util.tree_map(lambda a: a.astype(dtype), model)
    g = Grid((config.grid, config.grid))

    def loss_fn(m):
        out = simulate_field(m, x0, config.t_grow, config.dt, grid=g, method=config.method, clamp=config.method == "rk4",
                             save_every=config.save_every, check=False, grad=True)
        return image_loss(out.final, target)

    opt = config.train_config(steps).optimizer()

    @jax.jit
    def step(m, state, scale):
        loss, grads = jax.value_and_grad(loss_fn)(m)
        updates, state = opt.update(grads, state, m)
        updates = jax.tree_util.tree_map(lambda u: scale * u, updates)
        m = optax.apply_updates(m, updates).project()
        return m, state, loss

    state = opt.init(model)
    losses, best, best_loss = [], model, math.inf
    started = time.perf_counter()
    it = range(steps)
    if progress:
        from tqdm import tqdm

        it = tqdm(it, desc=f"hopfield N={config.n_neurons} {config.grid}x{config.grid}", dynamic_ncols=True)
    step_times, stopped, backtracks, scale = [], None, [], 1.0
    for i in it:
        t0 = time.perf_counter()
        new, new_state, loss = step(model, state, jnp.asarray(scale, dtype))
        loss = float(loss)
        step_times.append(time.perf_counter() - t0)
        if not math.isfinite(loss):
            # the growth left the explicit step's stability region: back to the best parameters,
            # the optimiser state before this step, and half the step size
            if best_loss == math.inf:
                raise FloatingPointError(f"hopfield training: non-finite loss at step {i}")
            if len(backtracks) == MAX_BACKTRACKS:
                stopped = f"non-finite loss at step {i} after {MAX_BACKTRACKS} halvings of the step size; the best parameters are kept"
                break
            backtracks.append(i)
            model, scale = best, scale / 2
            continue
        state = new_state
        losses.append(loss)
        if loss < best_loss:  # the loss is of `model` (before this update)
            best, best_loss = model, loss
        model = new
        if progress:
            it.set_postfix(loss=f"{loss:.4g}", best=f"{best_loss:.4g}")
        if time_limit is not None and time.perf_counter() - started > time_limit:
            break
    return best, {
        "losses": np.asarray(losses),
        "best_loss": best_loss,
        "steps_run": len(losses),
        "wall_s": time.perf_counter() - started,
        "step_s_median": float(np.median(step_times[1:])) if len(step_times) > 1 else float(step_times[0]),
        "first_step_s": float(step_times[0]),
        "memory_estimate_bytes": int(need),
        "stopped": stopped,
        "backtracks": backtracks,
    }


def draw_growth(model, target, path, title: str, n_frames: int = 6, dtype=jnp.float64, diffuse_first: bool = False, t1: float = T_GROW, dt: float = DT, method: str = "rk4") -> dict:
    """Target | grown image | growth sequence (as the paper's Fig. 6C), grown to `t1` in steps
    `dt` with `method`; returns the final loss."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = target.shape[0]
    steps = round(t1 / dt)
    out = grow(model, n, t1, dt, save_every=steps // 25 if steps % 25 == 0 else 1, dtype=dtype, diffuse_first=diffuse_first, method=method)
    imgs = np.asarray(image_of(out.xs))
    loss = float(np.mean((imgs[-1] - target) ** 2))
    frames = np.linspace(0, len(out.ts) - 1, n_frames).round().astype(int)
    fig, ax = plt.subplots(1, 2 + n_frames, figsize=(2.2 * (2 + n_frames), 2.6))
    ax[0].imshow(np.clip(target, 0, 1))
    ax[0].set_title("target", fontsize=8)
    ax[1].imshow(np.clip(imgs[-1], 0, 1))
    ax[1].set_title(f"grown, t = {t1:g}\nMSE {loss:.4g} (log10 {math.log10(loss):.3f})", fontsize=8)
    for a, f in zip(ax[2:], frames):
        a.imshow(np.clip(imgs[f], 0, 1))
        a.set_title(f"t = {out.ts[f]:.2f}", fontsize=8)
    for a in ax:
        a.set_xticks([])
        a.set_yticks([])
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return {"loss": loss, "log10_loss": math.log10(loss)}


# ---- the zoo task ---------------------------------------------------------------------------------


def peak_rss_bytes() -> int:
    """Peak resident memory of this process so far (bytes; Linux reports kibibytes)."""
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


class HopfieldTask(ZooTask):
    """The task of `hopfield-turing-small`: grow the masked portrait at `config`'s grid and horizon."""

    stochastic_method = "cle"
    omega_per = "grid cell"  # Ω counts molecules per unit concentration in one grid cell
    robustness_defaults: ClassVar[dict] = {"runs": 20, "omega_max": 131072.0, "factor": 2.0}  # ~1-2 s per run on 2 CPU cores

    def stochastic_reference(self, model, runs: int, n: int | None = None, t1: float | None = None, limit: float | None = None):
        """The deterministic side of the finite-count check (`_hopfield_ssa.PortraitReference`):
        the card's seed and target on an n×n grid (default the card's), its noise-free loss at
        `t1` (default the card's), and the bound a noisy run's loss may reach (default the
        card's promise on `loss`)."""
        from ._hopfield_ssa import PortraitReference, promise_bound

        c = self.config
        n, t1 = int(n or c.grid), float(t1 or c.t_grow)
        target = load_target(n)
        det = grow(model, n, t1, c.dt, method=c.method).final
        limit = promise_bound(self.metrics["loss"][2]) if limit is None else float(limit)
        return PortraitReference(np.asarray(seed_field(n, model.n_neurons)), target, float(image_loss(det, jnp.asarray(target))),
                                 limit, Grid((n, n)), c.dt, t1, int(runs), c.method)

    def stochastic_check(self, model, omega, runs, seed=0, *, t1=None, schedule=None, method=None):
        """The portrait at finite counts under a stated approximation (reaction noise per grid
        cell on the card's own step; `crnzoo.tasks._hopfield_ssa`): `runs` portraits grown
        from the card's seed with noise at Ω; a run keeps the function when its loss is within
        the card's promise (<= 0.03). ~1-2 s per run on 2 CPU cores (48×48, 125 steps)."""
        if isinstance(runs, bool) or int(runs) < 1:
            raise ValueError(f"runs must be >= 1, got {runs}")
        return self.stochastic_reference(model, runs, t1=t1).check(model, omega, seed)[0]

    exact_fast = True  # evaluate has no cheaper setting

    def __init__(self, name: str, config: HopfieldConfig = SMALL):
        self.name, self.config = name, config
        c = config
        self.metrics = {
            "loss": (
                f"mean squared error of the grown image (x⁺ − x⁻ of neurons 1..3 at t = {c.t_grow:g}) against the masked "
                f"{c.grid}×{c.grid} target, over pixels and RGB",
                "10^-4.05 ≈ 8.9e-5 (256 neurons, 100×100 grid, 30,000 steps; loss definition not published)",
                "<= 0.03",
                1e-7,
            ),
            "log10_loss": ("log10 of `loss`", REFERENCE_BEST_LOG_LOSS, None, 1e-5),
            "blank_loss": ("the same error for an all-black image (the trivial baseline)", None, None, 1e-9),
            "reactions_dense": ("concrete reactions enumerated by network(0)", "2N² + 3N = 197,376 for N = 256", None, 0.0),
        }

    def make(self) -> HopfieldRD:
        """Random initial parameters (`init`, the configuration's seed)."""
        return init(self.config.n_neurons, jax.random.PRNGKey(self.config.seed))

    def evaluate(self, model, fast: bool = False) -> dict[str, float]:
        target = load_target(self.config.grid)
        loss = loss_of(model, target, self.config)
        return {
            "loss": loss,
            "log10_loss": math.log10(loss),
            "blank_loss": float(np.mean(target**2)),
            "reactions_dense": float(model.network(0.0).n_reactions),
        }

    def fit(self, seed=None, steps=None, run_dir=None, progress=True):
        """`train` (float32) from `init(seed)`; the best model is returned in float64 with the
        run's losses, step time and memory for the card."""
        c = self.config if seed is None else dataclasses.replace(self.config, seed=int(seed))
        model, hist = train(c, progress=progress, steps=steps)
        losses = hist["losses"]
        return jax.tree_util.tree_map(lambda a: a.astype(np.float64), model), {
            "training_result": {
                "steps_run": hist["steps_run"],
                "loss_first_step": float(losses[0]),
                "loss_best_float32": hist["best_loss"],
                "loss_last": float(losses[-1]),
                "loss_every_100_steps": [float(v) for v in losses[::100]],
                "note": "training in float32; the card's metrics are recomputed in float64",
                **({"stopped_early": hist["stopped"]} if hist["stopped"] else {}),
                **({"backtracks": {"at_steps": hist["backtracks"], "note": "a non-finite loss (the growth left the explicit "
                    "step's stability region) sent training back to the best parameters with half the step size"}}
                   if hist["backtracks"] else {}),
            },
            "training_config": dataclasses.replace(c, steps=hist["steps_run"]).to_dict(),
            "training_wall_s": round(hist["wall_s"], 1),
            "step_time_s": round(hist["step_s_median"], 3),
            "memory": {
                "estimate_bytes": hist["memory_estimate_bytes"],
                "peak_rss_bytes": peak_rss_bytes(),
                "note": "peak resident memory of the whole training process (CPU), gradient checkpointing every "
                f"{c.save_every} steps",
            },
        }

    def artifacts(self, model, directory: Path, card: Mapping[str, Any] | None = None) -> dict:
        """`growth.png`: target | grown image | growth sequence (as the paper's Fig. 6C)."""
        c = self.config
        target = load_target(c.grid)
        steps = ((card or {}).get("training_result") or {}).get("steps_run")
        title = f"{self.name}: N = {c.n_neurons}, {c.grid}×{c.grid}" + (f", {steps} training steps" if steps else "")
        draw_growth(model, target, Path(directory) / FIGURE, title, t1=c.t_grow, dt=c.dt, method=c.method)
        return {"figures": [FIGURE]}

    # ---- fine-tuning on a user's image (`_hopfield_finetune`) ----

    def retarget(self, spec):
        """The task of growing the image at path `spec` (`crnzoo.tasks._hopfield_finetune`)."""
        from ._hopfield_finetune import ImageGrowthTask

        import sys

        return ImageGrowthTask(spec, self.name, self.config, sys.modules[__name__])

    def finetune(self, model, spec, steps=None, seed=0, lr=None, train_config=None, progress=True):
        """Adam from the pretrained parameters, short (`_hopfield_finetune`)."""
        from ._hopfield_finetune import DEFAULT_STEPS

        return self.retarget(spec).tune(model, DEFAULT_STEPS if steps is None else steps, seed, lr, progress)
