"""PNG plots of trajectories (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from .outputs import atomic_write
from .solve import Schedule, Trajectory


@dataclasses.dataclass(frozen=True)
class Readout:
    """A decoded read-out over a trajectory's times: `values` (n_t,) integer codes, `labels`
    code -> text (e.g. 1 -> "1", -1 -> "?"), `what` it is; `display`: the seven segments
    a–g lit at the end (drawn as a display), or None."""

    what: str
    values: np.ndarray
    labels: dict
    display: tuple[bool, ...] | None = None


# segment a–g as (x0, y0, x1, y1) in a 1 × 2 box
_SEGMENT_LINES = ((0.15, 2, 0.85, 2), (0.9, 1.95, 0.9, 1.05), (0.9, 0.95, 0.9, 0.05), (0.15, 0, 0.85, 0),
                  (0.1, 0.95, 0.1, 0.05), (0.1, 1.95, 0.1, 1.05), (0.15, 1, 0.85, 1))


def _draw_display(ax, lit, caption: str) -> None:
    for on, (x0, y0, x1, y1) in zip(lit, _SEGMENT_LINES):
        ax.plot([x0, x1], [y0, y1], lw=7, solid_capstyle="round", color="red" if on else "0.88")
    ax.set_xlim(-0.2, 1.2)
    ax.set_ylim(-0.3, 2.3)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(caption, fontsize=8)


def _draw_readout(ax, ts, readout: Readout, xlabel: str) -> None:
    values = np.asarray(readout.values)
    shown = sorted(set(int(v) for v in values))
    ticks = shown if len(readout.labels) > 4 else sorted(readout.labels)
    ax.step(ts, values, where="post", color="k", lw=1.5)
    ax.set_yticks(ticks, [readout.labels.get(t, str(t)) for t in ticks])
    ax.set_ylim(min(ticks) - 0.5, max(ticks) + 0.5)
    ax.set_ylabel("decoded", fontsize=8)
    ax.set_title(readout.what + f"; at the end: {readout.labels.get(int(values[-1]), '?')}", fontsize=8, loc="left")
    ax.set_xlabel(xlabel)


def plot_trajectory(
    traj: Trajectory,
    path,
    title: str = "",
    schedule: Schedule | None = None,
    max_lines: int = 12,
    species: "tuple[str, ...] | None" = None,
    units: "tuple[str, str] | None" = None,
    readout: Readout | None = None,
) -> Path:
    """Write a PNG of concentration against time to `path` (PNG whatever its suffix).

    Well-mixed models get one panel, a line per species (`species`: only these; colours
    repeat every 10 with a new line style; the legend sits outside the data). Chamber rings
    get one panel per species, a line per chamber. Batched trajectories plot the first
    `max_lines` members of the first species. Input switch times are drawn as dotted
    vertical lines. `units`: (concentration, time) units for the axes, e.g. ("nM", "hours");
    None: dimensionless. `readout`: a decoded read-out drawn under the concentrations (a
    well-mixed, unbatched run), with a seven-segment display when it has one.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ys = traj.ys
    cu, tu = units or ("dimensionless", "dimensionless")
    xlabel, ylabel = f"time ({tu})", f"concentration ({cu})"
    unknown = sorted(set(species or ()) - set(traj.species))
    if unknown:
        raise ValueError(f"cannot plot unknown species {', '.join(unknown)}; species are {', '.join(traj.species)}")
    batch_ndim = ys.ndim - 1 - traj.state_ndim
    if traj.state_ndim == 2 and batch_ndim == 0:
        n_sp = len(traj.species)
        fig, axes = plt.subplots(1, n_sp, figsize=(3.2 * n_sp, 3.2), sharey=False, squeeze=False)
        for k, (ax, s) in enumerate(zip(axes[0], traj.species)):
            for i in range(ys.shape[1]):
                ax.plot(traj.ts, ys[:, i, k], lw=1.4, label=f"chamber {i}")
            ax.set_title(s)
            ax.set_xlabel(xlabel)
        axes[0][0].set_ylabel(ylabel)
        axes[0][-1].legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=7, frameon=False)
    elif readout is not None and batch_ndim == 0:
        fig = plt.figure(figsize=(9.5 if readout.display else 8, 5.2))
        grid = fig.add_gridspec(2, 2 if readout.display else 1, height_ratios=(3, 1), width_ratios=(5, 1) if readout.display else None)
        ax = fig.add_subplot(grid[0, 0])
        low = fig.add_subplot(grid[1, 0], sharex=ax)
        axes = [[ax], [low]]
        if readout.display:
            _draw_display(fig.add_subplot(grid[:, 1]), readout.display, f"display at t = {traj.ts[-1]:g}")
        shown = [s for s in traj.species if species is None or s in species]
        for n, s in enumerate(shown):
            ax.plot(traj.ts, ys[:, traj.species.index(s)], lw=1.6, label=s, color=f"C{n % 10}", ls=("-", "--", ":", "-.")[n // 10 % 4])
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), ncol=max(1, len(shown) // 16), fontsize=8, frameon=False)
        ax.set_ylabel(ylabel)
        ax.tick_params(labelbottom=False)
        _draw_readout(low, traj.ts, readout, xlabel)
    else:
        fig, ax = plt.subplots(figsize=(8, 4))
        axes = [[ax]]
        if batch_ndim == 0:
            shown = [s for s in traj.species if species is None or s in species]
            for n, s in enumerate(shown):
                ax.plot(traj.ts, ys[:, traj.species.index(s)], lw=1.6, label=s, color=f"C{n % 10}", ls=("-", "--", ":", "-.")[n // 10 % 4])
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), ncol=max(1, len(shown) // 16), fontsize=8, frameon=False)
        else:
            flat = ys.reshape((-1, len(traj.ts)) + ys.shape[batch_ndim + 1 :])
            for b in range(min(max_lines, flat.shape[0])):
                ax.plot(traj.ts, flat[b].reshape(len(traj.ts), -1)[:, 0], lw=1.0, alpha=0.8)
            ax.set_title(f"{traj.flat_species[0]} for {min(max_lines, flat.shape[0])} of {flat.shape[0]} runs")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
    for row in axes:
        for ax in row:
            for t in (schedule.switch_times if schedule else ()):
                ax.axvline(t, color="0.6", ls=":", lw=0.8)
            ax.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    path = Path(path)
    try:
        with atomic_write(path) as tmp:
            fig.savefig(tmp, dpi=120, format="png")  # the name given, whatever its suffix
    finally:
        plt.close(fig)
    return path
