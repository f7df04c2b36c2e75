"""`crnzoo verify`: recompute every metric on a model's card from its shipped checkpoint.

Full verification recomputes each metric with the card's settings and requires it to
match the recorded value (within the metric's tolerance) and to keep its promise. Fast
verification (`fast=True`, used by the test suite) recomputes on smaller samples and
requires only the promises — and the recorded values too where the entry's task ignores
`fast` (`exact_fast`). Both also check the reaction counts the card states.
"""

from __future__ import annotations

import dataclasses
import math

from . import data, zoo
from ._registry import Metric


@dataclasses.dataclass(frozen=True)
class Check:
    """One verified claim: what the card says, what was recomputed, whether it holds."""

    model: str
    metric: str
    card_value: float | int | None
    measured: float | int
    promise: str | None
    ok: bool
    reason: str = ""


def verify(name: str, fast: bool = False) -> list[Check]:
    """Recompute the card of `name` from its checkpoint; returns one `Check` per claim.

    `name` is a zoo name or a checkpoint directory; a fine-tuned directory is scored by its
    entry's task retargeted to the target its card records (`crnzoo.finetuning`)."""
    from pathlib import Path

    from .finetuning import task_for_card

    if name in zoo.ENTRIES or not Path(name).is_dir():
        e, task = zoo.entry(name), zoo.entry(name).task
    else:
        card = zoo.card(name)
        task = task_for_card(card, Path(name))
        e = zoo.entry(card["finetune"]["base_entry"] if card.get("finetune") else card["name"])
    absent = data.missing(e.data)
    if absent:
        raise data.DataMissingError(
            f"verifying {name} needs the shared data file(s) {', '.join(absent)} under {data.data_dir()} "
            f"(or set {data.ENV})"
        )
    card = zoo.card(name)
    model = zoo.load(name)
    checks = []
    r = card["reactions"]
    for label, k, claimed in (("reactions.dense", 0.0, r["dense"]), ("reactions.at_k_report", r["k_report"], r["at_k_report"])):
        n = model.network(k).n_reactions
        checks.append(Check(name, label, claimed, n, None, n == claimed, "" if n == claimed else "reaction count changed"))
    values = task.evaluate(model, fast)
    for key, m in card["metrics"].items():
        metric = Metric(**m)
        if key not in values:
            checks.append(Check(name, key, metric.value, math.nan, metric.promise, False, "metric no longer computed"))
            continue
        v = float(values[key])
        reasons = []
        if not math.isfinite(v):
            reasons.append("not finite")
        if not metric.holds(v):
            reasons.append(f"breaks its promise {metric.promise}")
        if (not fast or task.exact_fast) and abs(v - metric.value) > metric.tolerance:
            reasons.append(f"differs from the card by {abs(v - metric.value):.3g} (tolerance {metric.tolerance:g})")
        checks.append(Check(name, key, metric.value, v, metric.promise, not reasons, "; ".join(reasons)))
    return checks
