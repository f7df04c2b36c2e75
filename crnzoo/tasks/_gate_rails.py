"""Dual-rail relabelling: negating a gate's inputs or output is a renaming of its species.

In dual rail, NOT V is V with its two rails exchanged (V_hi ↔ V_lo). So a gate with truth
table t, with the rails of X, Y and/or Z exchanged, is exactly the gate of table

    t'[x, y] = sz XOR t[x XOR sx, y XOR sy]        (state index 2x + y)

— De Morgan for free: AND → NAND (swap Z), AND → NOR (swap X and Y), OR → AND (swap X, Y
and Z), XOR → XNOR (swap Z). The dynamics are the same network with its species renamed:
the catalytic tensor permuted along all three axes. Fine-tuning a gate starts from the
relabelling whose table is closest to the target (`closest_relabelling`); when it is the
target itself, no gradient step is needed.
"""

from __future__ import annotations

import itertools

import equinox as eqx
import numpy as np

# species indices of a gate's state: X_hi, X_lo, Y_hi, Y_lo, Z_hi, Z_lo, auxiliary...
RAILS = {"X": (0, 1), "Y": (2, 3), "Z": (4, 5)}


def relabelled_table(truth: tuple[int, ...], sx: int, sy: int, sz: int) -> tuple[int, ...]:
    """The truth table (outputs for XY = 00, 01, 10, 11) after exchanging the rails of X (sx),
    Y (sy) and Z (sz)."""
    return tuple(sz ^ truth[2 * (x ^ sx) + (y ^ sy)] for x in (0, 1) for y in (0, 1))


def closest_relabelling(truth, target) -> tuple[tuple[int, int, int], int]:
    """The swaps (sx, sy, sz) whose relabelled table differs from `target` in the fewest input
    states, and that number (0: an exact relabelling). Ties go to the fewest swaps."""
    truth, target = tuple(truth), tuple(target)
    best = min(
        itertools.product((0, 1), repeat=3),
        key=lambda s: (sum(a != b for a, b in zip(relabelled_table(truth, *s), target)), sum(s)),
    )
    return best, sum(a != b for a, b in zip(relabelled_table(truth, *best), target))


def relabel(model, swaps: tuple[int, int, int]):
    """`model` (a gate `CatalyticCRN`) with the rails of X, Y, Z exchanged where `swaps` says:
    its logits permuted along catalyst, reactant and product axes. The initial state is kept
    (inputs at "00", output (0, 1)), so the renamed gate starts from the usual state."""
    perm = np.arange(model.logits.shape[0])
    for s, (hi, lo) in zip(swaps, RAILS.values()):
        if s:
            perm[hi], perm[lo] = lo, hi
    W = model.logits[perm][:, perm][:, :, perm]
    return eqx.tree_at(lambda m: m.logits, model, W)


def describe(swaps: tuple[int, int, int]) -> str:
    """`"exchange the rails of X and Z"`, or `"none"`."""
    names = [n for s, n in zip(swaps, RAILS) if s]
    return "exchange the rails of " + " and ".join(names) if names else "none"
