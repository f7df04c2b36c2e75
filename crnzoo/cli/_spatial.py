"""`crnzoo simulate` of a spatial entry (gray-scott-*, hopfield-*): grow the pattern on its grid.

A reaction-diffusion entry is not a well-mixed network: its card's protocol grows a pattern
on a periodic grid from a seed field. `simulate` runs that protocol (the family's own `grow`,
the same solver the card's metrics use) to `--t1` (default: the card's horizon) and reports
the field: spatial mean, minimum and maximum of each species at the saved times (printed at
the end, all of them in `--csv`), and `--plot` draws the field itself — Gray-Scott's V
concentration, the Hopfield network's RGB image (x⁺ − x⁻ of neurons 0..2) — at six times.

With `--ssa --omega Ω [--runs R]` it runs the entry at finite counts under its stated
approximation (the one `crnzoo robustness` uses: chemical Langevin reaction noise per grid
cell on the card's own step, `crnzoo.ssa.spatial_cle`; Ω is molecules per unit concentration
per grid cell): R patterns grown with noise, each scored by the card's function check (the
texture loss against the seed-to-seed yardstick; the portrait's loss against the promise),
reported with the share of runs that kept the function and its 95% interval (`--csv`: every
run's metric).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from ..outputs import atomic_write, write_text
from ._args import Usage as _Usage

FAMILIES = ("gray_scott", "hopfield")
N_FRAMES = 6


def is_spatial(card) -> bool:
    return bool(card) and card.get("family") in FAMILIES


def _save_every(steps: int, frames: int = N_FRAMES - 1) -> int:
    """The largest divisor of `steps` not above steps / frames (so at least `frames` saved intervals)."""
    target = max(1, steps // frames)
    return next(d for d in range(target, 0, -1) if steps % d == 0)


def grow(model, card, t1: float):
    """(ts, fields (n_t, H, W, S), species, picture frames (n_t, H, W[, 3]), what the picture shows)."""
    family = card["family"]
    if family == "gray_scott":
        from ..tasks import gray_scott as gs

        steps = round(t1 / gs.DT)
        if steps < 1 or abs(steps * gs.DT - t1) > 1e-9 * max(1.0, t1):
            raise _Usage(f"--t1 must be a whole number of steps dt = {gs.DT:g} for {card['name']}, got {t1:g}")
        sol = gs.grow(model, gs.TARGET_SEED, t1, save_every=_save_every(steps))
        xs = np.asarray(sol.xs)
        return np.asarray(sol.ts), xs, tuple(sol.species), xs[..., 1], "V concentration (dimensionless)"
    from ..tasks import hopfield as hp

    config = card["config"]
    dt = float(config.get("dt", hp.DT))
    steps = round(t1 / dt)
    if steps < 1 or abs(steps * dt - t1) > 1e-9 * max(1.0, t1):
        raise _Usage(f"--t1 must be a whole number of steps dt = {dt:g} for {card['name']}, got {t1:g}")
    sol = hp.grow(model, int(config["grid"]), t1, dt, save_every=_save_every(steps), method=config.get("method", "rk4"))
    xs = np.asarray(sol.xs)
    return np.asarray(sol.ts), xs, tuple(sol.species), np.clip(np.asarray(hp.image_of(xs)), 0.0, 1.0), "image: x⁺ − x⁻ of neurons 0..2 as RGB"


def field_table(ts, xs, species) -> str:
    """CSV: t, then mean/min/max over the grid of each species."""
    cols = ["t"] + [f"{s}_{w}" for s in species for w in ("mean", "min", "max")]
    rows = [",".join(cols)]
    for t, x in zip(ts, xs):
        flat = x.reshape(-1, x.shape[-1])
        vals = [f"{t:.10g}"] + [f"{v:.10g}" for k in range(len(species)) for v in (flat[:, k].mean(), flat[:, k].min(), flat[:, k].max())]
        rows.append(",".join(vals))
    return "\n".join(rows) + "\n"


def draw_field(ts, frames, what: str, title: str, path) -> Path:
    """Six snapshots of the field (a colour map with its bar, or RGB) in one PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pick = np.unique(np.linspace(0, len(ts) - 1, N_FRAMES).round().astype(int))
    fig, axes = plt.subplots(1, len(pick), figsize=(2.6 * len(pick) + 0.8, 3.0), squeeze=False)
    rgb = frames.ndim == 4
    vmin, vmax = (0.0, 1.0) if rgb else (float(frames.min()), float(frames.max()))
    im = None
    for ax, i in zip(axes[0], pick):
        im = ax.imshow(frames[i], cmap=None if rgb else "magma", vmin=vmin, vmax=vmax, interpolation="nearest")
        ax.set_title(f"t = {ts[i]:g}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    if not rgb:
        fig.colorbar(im, ax=axes[0].tolist(), shrink=0.8, label=what)
    h, w = frames.shape[1:3]
    fig.suptitle(f"{title}: {what}, {h}×{w} periodic grid", fontsize=10)
    path = Path(path)
    try:
        with atomic_write(path) as tmp:
            fig.savefig(tmp, dpi=110, format="png")
    finally:
        plt.close(fig)
    return path


def simulate_spatial(args, model, card, t1: float) -> int:
    """`crnzoo simulate` of a spatial entry (see the module docstring)."""
    for flag, given in (("--inputs", args.inputs), ("--x0", args.x0), ("--species", args.species)):
        if given is not None:
            raise _Usage(f"{flag} is not available for {card['name']}: a reaction-diffusion entry grows its pattern from its card's seed field")
    if args.ssa:
        return simulate_spatial_ssa(args, model, card, t1)
    if args.omega is not None or args.runs is not None:
        raise _Usage("--omega and --runs go with --ssa")
    started = time.perf_counter()
    ts, xs, species, frames, what = grow(model, card, t1)
    elapsed = time.perf_counter() - started
    h, w = xs.shape[1:3]
    print(f"{card['name']}: grew the pattern on its {h}×{w} grid, t = 0..{t1:g} in {elapsed:.2f} s ({len(ts)} saved fields)")
    final = xs[-1].reshape(-1, xs.shape[-1])
    shown = range(min(len(species), 6))
    print("final field (mean [min, max] over the grid): " + ", ".join(
        f"{species[k]}={final[:, k].mean():.4g} [{final[:, k].min():.4g}, {final[:, k].max():.4g}]" for k in shown)
        + ("" if len(species) <= 6 else f", … ({len(species)} species in --csv)"))
    if args.csv is not None:
        write_text(args.csv, field_table(ts, xs, species))
        print(f"wrote {args.csv} (grid mean, min and max of each species at the saved times)")
    if args.plot is not None:
        draw_field(ts, frames, what, card["name"], args.plot)
        print(f"wrote {args.plot}")
    return 0


def simulate_spatial_ssa(args, model, card, t1: float) -> int:
    """`simulate --ssa` of a spatial entry (module docstring): exit 0 when every run kept the
    function, 1 when some did not."""
    from .. import zoo

    task = zoo.entry(card["name"]).task
    runs = int(args.runs if args.runs is not None else task.robustness_defaults["runs"])
    if args.omega is None or not (args.omega > 0 and np.isfinite(args.omega)):
        raise _Usage(f"--ssa needs --omega > 0 (molecules per unit concentration per grid cell), got {args.omega}")
    if runs < 1:
        raise _Usage(f"--runs must be >= 1, got {runs}")
    if args.method is not None:
        raise _Usage(f"--method {args.method}: {card['name']} runs its own approximate method ({task.stochastic_method}: reaction noise per grid cell) only")
    if args.plot is not None:
        raise _Usage(f"--plot with --ssa draws sample paths of a well-mixed network; {card['name']}'s field is drawn by `crnzoo simulate {card['name']} --plot FILE`")
    started = time.perf_counter()
    ref = task.stochastic_reference(model, runs, t1=t1)
    check, metric = ref.check(model, float(args.omega), args.seed)
    metric = np.asarray(metric, dtype=float)
    lo, hi = check.interval()
    print(f"{card['name']}: {runs} runs at Ω = {args.omega:g} molecules per unit per grid cell, t = 0..{t1:g} "
          f"({task.stochastic_method}: {ref.approximation.split(';')[0]}) in {time.perf_counter() - started:.1f} s")
    print(f"function: {ref.function()}")
    print(f"kept by {check.passed}/{check.runs} runs (95% CI of the probability {lo:.3f}..{hi:.3f}); the card's metric over the runs: "
          f"mean {np.nanmean(metric):.4g}, sd {np.nanstd(metric, ddof=1) if runs > 1 else 0.0:.3g}, min {np.nanmin(metric):.4g}, "
          f"max {np.nanmax(metric):.4g} ({ref.summary()})")
    if check.failures:
        print("failed: " + "; ".join(f"{why} ({n} runs)" for why, n in check.failures.items()))
    if args.csv is not None:
        write_text(args.csv, "run,metric\n" + "".join(f"{r},{v:.10g}\n" for r, v in enumerate(metric)))
        print(f"wrote {args.csv} (the card's metric of every run)")
    return 0 if check.passed == check.runs else 1
