"""A picture of one compiled reaction: its gate, translator, buffer and fuel complexes, drawn
at the domain level (matplotlib's Agg canvas; no pyplot state).

Each complex of a `Design` is drawn in the usual strand-displacement convention: the
longest strand (the gate's bottom strand) runs 3' -> 5' from left to right, every other
strand runs 5' -> 3' above it, its paired domains over their complements and its unpaired
domains dangling at its ends. Domain widths are proportional to their lengths in nt;
toeholds (at most `TOEHOLD_NT` nt) are orange, long domains blue; a half arrowhead marks
every 3' end. A complex whose strands pair other than top-to-bottom (not produced by the
schemes here) is shown as its kernel notation instead.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from .design import PAIRED_CLOSE, PAIRED_OPEN, Complex, Design

TOEHOLD_NT = 7
_ROW = 1.0  # vertical distance between the bottom strand and the strands above it


def _pairs(c: Complex) -> dict[tuple[int, int], tuple[int, int]]:
    """(strand, domain index) -> its partner, from the kernel structure marks."""
    stack, pairs = [], {}
    for i, s in enumerate(c.strands):
        for j, (_, mark) in enumerate(s):
            if mark == PAIRED_OPEN:
                stack.append((i, j))
            elif mark == PAIRED_CLOSE:
                a = stack.pop()
                pairs[a], pairs[(i, j)] = (i, j), a
    return pairs


def layout(c: Complex, lengths: dict[str, int]) -> list[tuple[int, list[tuple[str, float, float, bool]]]] | None:
    """Per strand: (row, [(domain, x_start, x_end, paired)...] in 5' -> 3' order), x in nt;
    row 0 is the bottom strand (the one the others pair with, drawn 3' -> 5' left to right),
    row 1 the strands above it (and a free strand, 5' -> 3'). None when a strand pairs with a
    strand other than the bottom one."""
    pairs = _pairs(c)
    partners = [len({b[0] for a, b in pairs.items() if a[0] == i}) for i in range(len(c.strands))]
    nt = [sum(lengths.get(d.rstrip("*"), 1) for d, _ in s) for s in c.strands]
    bottom = max(range(len(c.strands)), key=lambda i: (partners[i], nt[i]))  # the strand the others pair with
    if len(c.strands) == 1:  # a free strand reads 5' -> 3' like a top strand
        x, doms = 0.0, []
        for d, _ in c.strands[0]:
            w = lengths.get(d.rstrip("*"), 1)
            doms.append((d, x, x + w, False))
            x += w
        return [(1, doms)]
    if any(a[0] != bottom and b[0] != bottom for a, b in pairs.items()):
        return None
    size = [lengths.get(d.rstrip("*"), 1) for d, _ in c.strands[bottom]]
    total = float(sum(size))
    # Bottom strand 3' -> 5' left to right: domain j spans [total - end_j, total - start_j].
    starts = [sum(size[:j]) for j in range(len(size))]
    span = {j: (total - starts[j] - size[j], total - starts[j]) for j in range(len(size))}
    out: list[tuple[int, list[tuple[str, float, float]]]] = []
    for i, s in enumerate(c.strands):
        if i == bottom:
            out.append((0, [(d, *span[j], (i, j) in pairs) for j, (d, _) in enumerate(s)]))
            continue
        placed = [span[pairs[(i, j)][1]] if (i, j) in pairs else None for j in range(len(s))]
        anchor = next((k for k, p in enumerate(placed) if p is not None), None)
        x = placed[anchor][0] if anchor is not None else 0.0
        for k in range(anchor - 1 if anchor is not None else -1, -1, -1):  # 5' overhang, leftwards
            w = lengths.get(s[k][0].rstrip("*"), 1)
            placed[k] = (x - w, x)
            x -= w
        x = placed[anchor][1] if anchor is not None else 0.0
        for k in range((anchor or 0) + (anchor is not None), len(s)):  # paired run and 3' overhang, rightwards
            if placed[k] is None:
                w = lengths.get(s[k][0].rstrip("*"), 1)
                placed[k] = (x, x + w)
            x = placed[k][1]
        out.append((1, [(d, a, b, (i, k) in pairs) for k, ((d, _), (a, b)) in enumerate(zip(s, placed))]))
    return out


def _draw(ax, c: Complex, lengths: dict[str, int]) -> None:
    ax.axis("off")
    title = f"{c.name} ({c.kind}, {c.conc_nM:.3g} nM)"
    drawn = layout(c, lengths)
    if drawn is None:
        ax.text(0.0, 0.5, c.kernel(), fontsize=7, family="monospace", va="center", transform=ax.transAxes)
        ax.set_title(title, fontsize=8, loc="left")
        return
    xs = [x for _, doms in drawn for _, a, b, _ in doms for x in (a, b)]
    tops = 0
    for row, doms in drawn:
        # Paired domains sit on their row; a top strand's unpaired overhangs are raised, every
        # other strand higher, so neighbouring overhangs do not cover each other.
        lift = 0.0 if not row or len(drawn) == 1 else 0.45 + 0.4 * (tops % 2)
        tops += bool(row)
        ys = [row * _ROW + (0.0 if paired or not row else lift) for _, _, _, paired in doms]
        for (d, a, b, _), y in zip(doms, ys):
            colour = "tab:orange" if lengths.get(d.rstrip("*"), 99) <= TOEHOLD_NT else "tab:blue"
            ax.plot([a + 0.4, b - 0.4], [y, y], color=colour, lw=3, solid_capstyle="butt")
            ax.text((a + b) / 2, y + (0.1 if row else -0.38), d, ha="center", va="bottom", fontsize=6)
        for (_, _, b, _), y0, y1 in zip(doms, ys, ys[1:]):  # strand continuity where it steps up or down
            if y0 != y1:
                ax.plot([b - 0.4, b + 0.4], [y0, y1], color="0.5", lw=1)
        # 3' end: the right end of a top strand, the left end of the bottom strand.
        end, tip = (doms[-1][2] - 0.4, 1.0) if row else (doms[-1][1] + 0.4, -1.0)
        ax.plot([end, end - tip * 1.2], [ys[-1], ys[-1] + 0.25], color="0.2", lw=1.2)
    ax.set_xlim(min(xs) - 2, max(xs) + 2)
    ax.set_ylim(-0.6, 2.3)
    ax.set_title(title, fontsize=8, loc="left")


def draw_reaction(design: Design, index: int, path: str | os.PathLike, *, dpi: int = 130) -> Path:
    """PNG of formal reaction `index`'s complexes (gate, buffer, translator, fuels) and its
    released product strands; written atomically. Returns the path."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from ..outputs import atomic_write

    r = design.reactions[index]
    by_name = design.by_name()
    names = [n for n in r.complexes if n in by_name]
    shown: Sequence[Complex] = [by_name[n] for n in names] + [c for c in design.complexes if c.reaction == index and c.name not in names]
    lengths = dict(design.domains)
    fig = Figure(figsize=(8.0, 1.25 * len(shown) + 0.6), dpi=dpi, layout="tight")
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(shown), 1, squeeze=False)[:, 0]
    for ax, c in zip(axes, shown):
        _draw(ax, c, lengths)
    fig.suptitle(f"{design.scheme}: reaction {index}, {r.equation} (toeholds orange; half arrow = 3' end)", fontsize=9)
    with atomic_write(path) as tmp:
        fig.savefig(os.fspath(tmp), format="png")
    return Path(path)
