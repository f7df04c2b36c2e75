"""PNG picture of a network, drawn with matplotlib's Agg canvas (no graphviz, no pyplot state).

Species are labelled circles and each reaction a small square labelled with its rate
constant (up to `LABELLED` reactions). With networkx (the `plot` extra) the species and
reactions are placed by a Kamada–Kawai layout of the bipartite species–reaction graph, then
pushed apart until no two markers are closer than `MIN_GAP`; without it, species sit on a
ring and each reaction at the mean position of its species. Edges run
reactant -> reaction (blue) and reaction -> product (red, with an arrowhead); a
catalyst (a species on both sides) is one dashed grey edge, with an arrowhead
when the reaction makes more of it than it uses (autocatalysis). Edge width grows with
log10 of the rate constant, clamped to a fixed range. Reactions above bimolecular
are outlined in red.
"""

from __future__ import annotations

import math
import os

import numpy as np

from ..network import ReactionNetwork
from .header import warn_above_bimolecular
from .scale import Scale, number_text


_GOLDEN = math.pi * (3.0 - math.sqrt(5.0))
LABELLED = 40  # networks up to this many reactions get rate labels
MIN_GAP = 0.24  # smallest distance between two markers (species or reactions) in the graph layout


def _widths(rates: np.ndarray, lo: float = 0.4, hi: float = 3.0) -> np.ndarray:
    """Edge width per reaction: linear in log10(k) between the smallest and largest positive k."""
    widths = np.full(rates.shape, 0.25)
    positive = rates > 0
    if positive.any():
        logk = np.log10(rates[positive])
        span = logk.max() - logk.min()
        t = (logk - logk.min()) / span if span > 0 else np.full(logk.shape, 0.5)
        widths[positive] = lo + (hi - lo) * t
    return widths


def _spread(xy: np.ndarray, gap: float, iterations: int = 300) -> np.ndarray:
    """Push points apart until no two are closer than `gap` (or `iterations` run out)."""
    xy = xy.copy()
    for _ in range(iterations):
        d = xy[:, None, :] - xy[None, :, :]
        dist = np.linalg.norm(d, axis=-1)
        np.fill_diagonal(dist, np.inf)
        close = dist < gap
        if not close.any():
            break
        push = np.where(close[..., None], d / np.maximum(dist, 1e-9)[..., None] * (gap - np.minimum(dist, gap))[..., None] / 2, 0.0)
        xy += push.sum(axis=1)
    return xy


def graph_layout(network: ReactionNetwork) -> tuple[np.ndarray, np.ndarray] | None:
    """Kamada–Kawai positions of species and reactions (scaled to the unit disc, markers at
    least `MIN_GAP` apart), or None without networkx or for large networks."""
    try:
        import networkx as nx
    except ImportError:
        return None
    n, m = network.n_species, network.n_reactions
    if n == 0 or m == 0 or n + m > 400:
        return None
    g = nx.Graph()
    g.add_nodes_from(range(n + m))
    index = {s: i for i, s in enumerate(network.species)}
    for j, r in enumerate(network.reactions):
        for s in r.species():
            g.add_edge(index[s], n + j)
    start = {i: (math.cos(np.pi / 2 - 2 * np.pi * i / n), math.sin(np.pi / 2 - 2 * np.pi * i / n)) for i in range(n)}
    start.update({n + j: (0.3 * math.cos(j * _GOLDEN), 0.3 * math.sin(j * _GOLDEN)) for j in range(m)})
    pos = nx.kamada_kawai_layout(g, pos=start)
    xy = np.array([pos[i] for i in range(n + m)], dtype=np.float64)
    xy -= xy.mean(axis=0)
    xy /= max(np.abs(xy).max(), 1e-9)
    xy = _spread(xy, MIN_GAP)
    xy /= max(np.abs(xy).max(), 1e-9)
    return xy[:n], xy[n:]


def layout(network: ReactionNetwork) -> tuple[np.ndarray, np.ndarray]:
    """`(species_xy, reaction_xy)`: positions of the species and reactions (`graph_layout`, else
    species on the unit circle and reactions near the mean of their species)."""
    graph = graph_layout(network)
    if graph is not None:
        return graph
    n = network.n_species
    angle = np.pi / 2 - 2 * np.pi * np.arange(n) / max(n, 1)
    species_xy = np.stack([np.cos(angle), np.sin(angle)], axis=-1) if n else np.zeros((0, 2))
    index = {s: i for i, s in enumerate(network.species)}
    reaction_xy = np.zeros((network.n_reactions, 2))
    for j, r in enumerate(network.reactions):
        members = sorted(index[s] for s in r.species())
        centre = species_xy[members].mean(axis=0)
        if len(members) == 1:  # pull a one-species reaction outward, off its species
            reaction_xy[j] = centre * 1.25
        else:
            theta = j * _GOLDEN
            reaction_xy[j] = centre + 0.06 * np.array([math.cos(theta), math.sin(theta)])
    return species_xy, reaction_xy


def to_png(network: ReactionNetwork, path: str | os.PathLike, scale: Scale | None = None, *, dpi: int = 120) -> None:
    """Draw `network` to a PNG file at `path`.

    `scale` only changes the units named in the title (edge widths use the
    dimensionless rate constants). Warns (UserWarning) if any reaction is above
    bimolecular. Handles empty networks and networks of hundreds of reactions.
    """
    warn_above_bimolecular(network, "png")
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.collections import LineCollection
        from matplotlib.figure import Figure
        from matplotlib.lines import Line2D
    except ImportError:  # pragma: no cover - matplotlib is a declared dependency
        raise ImportError("PNG export needs matplotlib: pip install matplotlib") from None

    species_xy, reaction_xy = layout(network)
    index = {s: i for i, s in enumerate(network.species)}
    widths = _widths(network.rates())
    above = set(network.above_bimolecular())

    size = 7.0 if network.n_species <= 30 else 10.0
    fig = Figure(figsize=(size, size), dpi=dpi, layout="tight")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_xlim(-1.4, 1.4)
    ax.set_ylim(-1.4, 1.4)

    reactant_edges, product_edges, catalyst_edges, gain_edges = [], [], [], []
    reactant_w, product_w, catalyst_w = [], [], []
    for j, r in enumerate(network.reactions):
        rxy = reaction_xy[j]
        for s in r.species():
            sxy = species_xy[index[s]]
            if s in r.reactants and s in r.products:
                catalyst_edges.append([sxy, rxy])
                catalyst_w.append(widths[j])
                if r.products[s] > r.reactants[s]:  # autocatalysis: mark the net gain
                    gain_edges.append([rxy, sxy])
            elif s in r.reactants:
                reactant_edges.append([sxy, rxy])
                reactant_w.append(widths[j])
            else:
                product_edges.append([rxy, sxy])
                product_w.append(widths[j])
    alpha = 0.8 if network.n_reactions <= 50 else 0.45
    for edges, w, style in (
        (reactant_edges, reactant_w, dict(colors="tab:blue", linestyles="solid")),
        (product_edges, product_w, dict(colors="tab:red", linestyles="solid")),
        (catalyst_edges, catalyst_w, dict(colors="0.45", linestyles="dashed")),
    ):
        if edges:
            ax.add_collection(LineCollection(np.asarray(edges), linewidths=w, alpha=alpha, zorder=1, **style))
    for edges, color in ((product_edges, "tab:red"), (gain_edges, "0.45")):
        if not edges:
            continue
        seg = np.asarray(edges)  # arrowheads just outside the target species' circle
        d = seg[:, 1] - seg[:, 0]
        length = np.linalg.norm(d, axis=-1, keepdims=True)
        unit = d / np.where(length > 0, length, 1.0)
        tip = seg[:, 1] - 0.07 * unit
        tail = tip - 0.05 * unit
        ax.quiver(
            tail[:, 0], tail[:, 1], (tip - tail)[:, 0], (tip - tail)[:, 1],
            angles="xy", scale_units="xy", scale=1, color=color, alpha=alpha,
            width=0.004, headwidth=4, headlength=5, headaxislength=4.5, zorder=2,
        )

    if network.n_reactions:
        edge = ["red" if j in above else "black" for j in range(network.n_reactions)]
        ax.scatter(reaction_xy[:, 0], reaction_xy[:, 1], s=18 if network.n_reactions <= 100 else 8,
                   marker="s", c="white", edgecolors=edge, linewidths=0.8, zorder=3)
    if 0 < network.n_reactions <= LABELLED:
        from .scale import rate_value

        for j, r in enumerate(network.reactions):
            k = number_text(float(f"{rate_value(scale, r.rate, r.molecularity):.3g}"))
            ax.annotate(f"k={k}", reaction_xy[j], xytext=(0, -9), textcoords="offset points", ha="center", va="top",
                        fontsize=6.5, color="0.15", zorder=6, bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.7))
    if network.n_species:
        ax.scatter(species_xy[:, 0], species_xy[:, 1], s=650 if network.n_species <= 30 else 250,
                   c="#fff3c4", edgecolors="0.2", linewidths=1.0, zorder=4)
        fontsize = 10 if network.n_species <= 20 else (7 if network.n_species <= 60 else 5)
        for s, (x, y) in zip(network.species, species_xy):
            ax.text(x, y, s, ha="center", va="center", fontsize=fontsize, zorder=5)
    else:
        ax.text(0, 0, "no species", ha="center", va="center", color="0.4")

    units = "dimensionless" if scale is None else f"scale {scale}"
    title = (
        f"{network.name}: {network.n_species} species, {network.n_reactions} reactions, "
        f"max molecularity {network.max_molecularity} ({units})"
    )
    if above:
        title += f"\n{len(above)} above bimolecular (red squares)"
    ax.set_title(title, fontsize=10)
    handles = [
        Line2D([], [], color="tab:blue", label="reactant"),
        Line2D([], [], color="tab:red", label="product"),
        Line2D([], [], color="0.45", linestyle="dashed", label="catalyst"),
        Line2D([], [], color="black", marker="s", linestyle="none", markerfacecolor="white", label="reaction"),
    ]
    ax.legend(handles=handles, loc="lower right", fontsize=7, frameon=False)
    from ..outputs import atomic_write

    with atomic_write(path) as tmp:
        fig.savefig(os.fspath(tmp), format="png")
