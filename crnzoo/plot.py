"""PNG plots of trajectories (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from pathlib import Path

from .outputs import atomic_write
from .solve import Schedule, Trajectory


def plot_trajectory(
    traj: Trajectory,
    path,
    title: str = "",
    schedule: Schedule | None = None,
    max_lines: int = 12,
    species: "tuple[str, ...] | None" = None,
    units: "tuple[str, str] | None" = None,
) -> Path:
    """Write a PNG of concentration against time to `path` (PNG whatever its suffix).

    Well-mixed models get one panel, a line per species (`species`: only these; colours
    repeat every 10 with a new line style; the legend sits outside the data). Chamber rings
    get one panel per species, a line per chamber. Batched trajectories plot the first
    `max_lines` members of the first species. Input switch times are drawn as dotted
    vertical lines. `units`: (concentration, time) units for the axes, e.g. ("nM", "hours");
    None: dimensionless.
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
        axes[0][0].legend(fontsize=7)
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
