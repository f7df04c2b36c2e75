"""Greedy pruning of a trained `CatalyticCRN`: drop reactions one at a time while a check holds.

Sparsified training (straight-through at k_min) leaves every reaction with rate ≥ k_min in
the dynamics; many are not needed. `prune` tries the reactions from the smallest rate up:
it sets the reaction's logit to `PRUNED` (its rate becomes ~e^-30 ≈ 1e-13, far below any
threshold), keeps the change when the reaction count at `k_min` falls and `accept(model)`
still holds, and passes over the reactions again until none can go. (Do not train after
pruning: Adam's normalised steps move even vanishing-gradient logits and regrow reactions.)
"""

from __future__ import annotations

from collections.abc import Callable

import equinox as eqx
import numpy as np


PRUNED = -30.0


def reactions(model, k_min: float) -> list[tuple[float, int, int, int]]:
    """`(rate, catalyst, input, output)` of every reaction above `k_min`, smallest rate first."""
    T = np.asarray(model.with_sparsity(k_min).dynamics_tensor())
    out = [(float(T[c, a, b]), int(c), int(a), int(b)) for c, a, b in zip(*np.nonzero(T > 0)) if a != b]
    return sorted(out)


def without(model, c: int, a: int, b: int):
    """`model` with reaction a —c→ b pruned (its logit set to `PRUNED`)."""
    return eqx.tree_at(lambda m: m.logits, model, model.logits.at[c, a, b].set(PRUNED))


def prune(model, accept: Callable[[object], bool], k_min: float, log: Callable[[str], None] | None = None):
    """Greedily remove reactions while `accept(model)` holds; returns (model, removed equations).

    Passes over the reactions from the smallest rate up, removing each one whose removal
    lowers the count at `k_min` and keeps `accept` true; repeats until a pass removes
    nothing. `accept` gets the candidate (with the model's own `k_min` setting) and
    returns True to keep the removal; it should return False when the candidate's solve fails.
    """
    removed = []
    changed = True
    while changed:
        changed = False
        for rate, c, a, b in reactions(model, k_min):
            n0 = model.reaction_count(k_min)
            cand = without(model, c, a, b)
            if float(cand.with_sparsity(k_min).dynamics_tensor()[c, a, b]) > 0 or cand.reaction_count(k_min) >= n0:
                continue  # already gone, or the row's freed rate lifted another entry above k_min
            if accept(cand):
                s = model.species
                text = f"{s[a]} —{s[c]}→ {s[b]} (k = {rate:.3g})"
                removed.append(text)
                if log:
                    log(f"pruned {text}: {cand.reaction_count(k_min)} reactions left")
                model, changed = cand, True
    return model, removed
