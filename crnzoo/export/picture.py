"""PNG picture of a network, drawn with matplotlib's Agg canvas (no graphviz, no pyplot state).

Species are labelled circles and each reaction a small square labelled with its rate
constant (up to `LABELLED` reactions). With networkx (the `plot` extra) the species and
reactions are placed by a Kamada–Kawai layout of the bipartite species–reaction graph, then
pushed apart until species circles never touch and reaction squares keep `MIN_GAP` (less in
dense networks: `_gaps`); without it, species sit on a ring and each reaction at the mean
position of its species. An edge that would pass through a marker other than its own ends is
drawn as a Bézier curve bent until it clears them (`route`; in very dense networks the least
close bend when none clears). Edges run
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
BENDS = (0.0, 0.18, -0.18, 0.35, -0.35, 0.55, -0.55, 0.8, -0.8, 1.1, -1.1)  # tried in turn: control-point offset / edge length


def species_radius(n_species: int) -> float:
    """Radius of a species circle in layout units (the layout spans [-1, 1])."""
    return 0.085 if n_species <= 30 else 0.04


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


def _spread(xy: np.ndarray, gap, iterations: int = 300) -> np.ndarray:
    """Push points apart until no pair is closer than `gap` (a number or a pairwise matrix),
    or `iterations` run out."""
    xy = xy.copy()
    gap = np.broadcast_to(np.asarray(gap, dtype=np.float64), (len(xy), len(xy)))
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


def _gaps(n: int, m: int) -> np.ndarray:
    """Smallest centre distance per pair of markers: species circles never touch (a gap of
    0.06 between them); reaction squares keep `MIN_GAP` from everything, less in networks too
    dense for it (then 0.9 × the side of a square cell of the layout per marker)."""
    r = species_radius(n)
    small = min(MIN_GAP, 0.9 * math.sqrt(4.0 / (n + m)))
    gap = np.full((n + m, n + m), small)
    gap[:n, n:] = gap[n:, :n] = max(small, r + 0.05)
    gap[:n, :n] = 2 * r + 0.06
    return gap


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
    gap = _gaps(n, m)
    for _ in range(8):  # spreading grows the layout; shrink it back into [-1, 1] and spread again
        xy = _spread(xy, gap)
        xy /= max(np.abs(xy).max(), 1.0)
        d = np.linalg.norm(xy[:, None] - xy[None], axis=-1)
        np.fill_diagonal(d, np.inf)
        if (d >= 0.98 * gap).all():
            break
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


def _segment_distance(points: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance from each of `points` (k, 2) to the polyline segments a[i] -> b[i]: shape (k, i)."""
    ab = b - a
    t = np.clip(np.einsum("kid,id->ki", points[:, None, :] - a[None], ab) / np.maximum((ab * ab).sum(-1), 1e-12), 0.0, 1.0)
    nearest = a[None] + t[..., None] * ab[None]
    return np.linalg.norm(points[:, None, :] - nearest, axis=-1)


def _curve(a: np.ndarray, b: np.ndarray, bend: float, samples: int = 24) -> np.ndarray:
    """A quadratic Bézier from `a` to `b` whose control point is `bend` × |b − a| off the chord."""
    d = b - a
    ctrl = (a + b) / 2 + bend * np.array([-d[1], d[0]])
    t = np.linspace(0.0, 1.0, samples)[:, None]
    return (1 - t) ** 2 * a + 2 * (1 - t) * t * ctrl + t**2 * b


def route(a, b, obstacles: np.ndarray, clearance: np.ndarray) -> np.ndarray:
    """The polyline of an edge from `a` to `b`: straight when it passes no obstacle (centres
    `obstacles`, each to be missed by its `clearance`), else the first of `BENDS` that does,
    else the one that comes least close."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    best, best_margin = None, -np.inf
    for bend in BENDS:
        line = _curve(a, b, bend, 2 if bend == 0.0 else 24)
        if len(obstacles) == 0:
            return line
        margin = (_segment_distance(obstacles, line[:-1], line[1:]).min(axis=1) - clearance).min()
        if margin >= 0:
            return line
        if margin > best_margin:
            best, best_margin = line, margin
    return best


def edges(network: ReactionNetwork, species_xy: np.ndarray, reaction_xy: np.ndarray) -> list[tuple[str, int, np.ndarray]]:
    """Every edge of the picture as (kind, reaction index, polyline from tail to head): kind is
    'reactant' (species -> reaction), 'product' (reaction -> species), 'catalyst' (species -- reaction)
    or 'gain' (reaction -> catalyst whose net count grows). Each polyline is routed around the
    species circles and reaction squares that are not its own ends."""
    n = network.n_species
    index = {s: i for i, s in enumerate(network.species)}
    centres = np.concatenate([species_xy, reaction_xy])
    clear = np.concatenate([np.full(n, species_radius(n) + 0.01), np.full(len(reaction_xy), 0.025)])
    out = []
    for j, r in enumerate(network.reactions):
        for s in r.species():
            i = index[s]
            others = np.ones(len(centres), dtype=bool)
            others[[i, n + j]] = False
            path = route(species_xy[i], reaction_xy[j], centres[others], clear[others])
            if s in r.reactants and s in r.products:
                out.append(("catalyst", j, path))
                if r.products[s] > r.reactants[s]:  # autocatalysis: mark the net gain
                    out.append(("gain", j, path[::-1]))
            elif s in r.reactants:
                out.append(("reactant", j, path))
            else:
                out.append(("product", j, path[::-1]))
    return out


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

    routed = edges(network, species_xy, reaction_xy)
    alpha = 0.8 if network.n_reactions <= 50 else 0.45
    radius = species_radius(network.n_species)
    for kind, style in (
        ("reactant", dict(colors="tab:blue", linestyles="solid")),
        ("product", dict(colors="tab:red", linestyles="solid")),
        ("catalyst", dict(colors="0.45", linestyles="dashed")),
    ):
        lines = [(line, widths[j]) for k, j, line in routed if k == kind]
        if lines:
            ax.add_collection(LineCollection([p for p, _ in lines], linewidths=[w for _, w in lines], alpha=alpha, zorder=1, **style))
    for kind, color in (("product", "tab:red"), ("gain", "0.45")):
        heads = [line for k, _, line in routed if k == kind]
        if not heads:
            continue
        tip, tail = [], []  # arrowheads just outside the target species' circle, along the curve's last stretch
        for line in heads:
            end = line[-1]
            back = line[np.argmax(np.linalg.norm(line - end, axis=-1) >= radius + 0.06)] if len(line) > 2 else line[0]
            unit = (end - back) / max(np.linalg.norm(end - back), 1e-9)
            tip.append(end - (radius - 0.005) * unit)
            tail.append(tip[-1] - 0.05 * unit)
        tip, tail = np.asarray(tip), np.asarray(tail)
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
        from matplotlib.patches import Circle

        for x, y in species_xy:  # circles in layout units, so that the routing's geometry is the picture's
            ax.add_patch(Circle((x, y), radius, facecolor="#fff3c4", edgecolor="0.2", linewidth=1.0, zorder=4))
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
