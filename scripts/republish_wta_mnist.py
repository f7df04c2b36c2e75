"""Re-measure the four wta-mnist cards with the card solver and republish them (no retraining).

The weight matrices (checkpoints) stay as they are; every figure on the card is measured
again from the checkpoint with the entry's current solver (`crnzoo.tasks.wta_mnist.EVAL_SOLVER`),
and so is the reference code's matrix where the card scores it. The card records the previous
solver and values (`remeasured`), and compares each figure with the paper's: a figure that
misses the paper's value (in the direction of its promise) is listed in `paper_comparison`
as a miss, with its measured value. A broken promise is reported and the card is written all
the same (it states what the checkpoint does), and the script exits 1. Each card is written
atomically and resealed (`card_hash`), then restored to check it.

    python scripts/republish_wta_mnist.py [wta-mnist-sup ...]

Every entry is registered with `EVAL_SOLVER` (crnzoo/tasks/wta_mnist.py), the solver its card is
measured with.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import warnings

from crnzoo import checkpoint, zoo
from crnzoo.cards import metric_table
from crnzoo.tasks.wta_mnist import EVAL_SOLVER

NAMES = ("wta-mnist-avg", "wta-mnist-pruned", "wta-mnist-sup", "wta-mnist-accreg")


def paper_comparison(metrics: dict) -> dict[str, str]:
    """Per metric with a numeric paper value and a promise direction: 'meets' or 'MISS' with the numbers."""
    out = {}
    for key, m in metrics.items():
        paper, promise = m.get("paper"), m.get("promise")
        if not isinstance(paper, (int, float)) or not promise:
            continue
        op = re.match(r"^\s*(<=|>=|<|>)", promise)
        if not op:
            continue
        better = m["value"] >= paper if op.group(1).startswith(">") else m["value"] <= paper
        out[key] = f"{'meets' if better else 'MISS'}: measured {m['value']:.6g} vs paper {paper:g}"
    return out


def republish(name: str) -> bool:
    path = zoo.checkpoint_dir(name) / "card.json"
    card = json.loads(path.read_text())
    checkpoint.check_card_hash(card, path)
    entry, model = zoo.entry(name), zoo.load(name)
    if entry.solver != EVAL_SOLVER:
        raise SystemExit(f"{name} is registered with {entry.solver}, not the card solver {EVAL_SOLVER}")
    started = time.perf_counter()
    values = entry.task.evaluate(model)
    metrics = metric_table(entry, values)
    previous = {"solver": card["solver"], "values": {k: m["value"] for k, m in card["metrics"].items()}}
    if "reference_matrix" in card:
        ref = entry.task.reference_comparison()
        if ref is not None:
            previous["reference_matrix"] = card["reference_matrix"].get("metrics_with_this_simulator")
            card["reference_matrix"] = ref
    wall = round(time.perf_counter() - started, 1)
    card["metrics"] = metrics
    card["solver"] = entry.solver.to_dict()
    card["remeasured"] = {"by": "python scripts/republish_wta_mnist.py", "wall_s": wall, "previous": previous}
    card["paper_comparison"] = paper_comparison(metrics)
    checkpoint.write_card(path, card)
    zoo.load(name)
    broken = [k for k, (_, _, promise, _) in entry.metrics.items() if promise and not zoo_metric_holds(entry, k, values[k])]
    print(f"{name} ({wall:.0f} s): " + ", ".join(f"{k} {previous['values'].get(k)!r:.10} -> {m['value']:.6g}" for k, m in metrics.items()))
    for k, text in card["paper_comparison"].items():
        print(f"    {k}: {text}")
    if broken:
        print(f"    promise broken: {', '.join(broken)}")
    return not broken


def zoo_metric_holds(entry, key: str, value: float) -> bool:
    from crnzoo._registry import Metric

    description, paper, promise, tolerance = entry.metrics[key]
    return Metric(value, description, paper, promise, tolerance).holds(value)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("names", nargs="*", default=list(NAMES))
    args = p.parse_args()
    warnings.filterwarnings("ignore", message=".*above bimolecular.*")
    ok = [republish(n) for n in args.names]
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
