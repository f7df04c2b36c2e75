"""After `scripts/train_wta_mnist.py wta-mnist-accreg` has published the card: compare its
figures with the paper's (`paper_comparison`, "meets" or "MISS" with both numbers, in the
direction of each promise, as `scripts/republish_wta_mnist.py` writes it) and state the
entry's registered promises (the paper's figures, raised once the checkpoint met them).
Nothing is re-measured: the card's measured values are kept as they are; only the metrics'
promise texts, `paper_comparison` and `card_hash` change. The card is re-sealed and the model
loaded back (hashes checked); exits 1 if a promise does not hold. `crnzoo verify
wta-mnist-accreg` recomputes the figures.

    python scripts/issue17/accreg_paper_comparison.py
"""
import json
import sys
from pathlib import Path

from crnzoo import checkpoint, zoo
from crnzoo._registry import Metric
from crnzoo.cards import metric_table

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from republish_wta_mnist import paper_comparison  # noqa: E402

NAME = "wta-mnist-accreg"


def main() -> int:
    path = zoo.checkpoint_dir(NAME) / "card.json"
    card = json.loads(path.read_text())
    checkpoint.check_card_hash(card, path)
    entry = zoo.entry(NAME)
    values = {k: m["value"] for k, m in card["metrics"].items()}
    card["metrics"] = metric_table(entry, values)
    card["paper_comparison"] = paper_comparison(card["metrics"])
    checkpoint.write_card(path, card)
    zoo.load(NAME)
    broken = [k for k, m in card["metrics"].items() if m["promise"] and not Metric(m["value"], m["description"], m["paper"], m["promise"], m["tolerance"]).holds(m["value"])]
    for key, text in card["paper_comparison"].items():
        print(f"{key}: {text} (promise {card['metrics'][key]['promise']})")
    if broken:
        print(f"promise broken: {', '.join(broken)}")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
