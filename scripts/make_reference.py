"""Write the checkpoints and cards of the hand-designed reference networks.

    python scripts/make_reference.py            # all reference models
    python scripts/make_reference.py majority-am4

Each model is built from its source's reaction list (crnzoo/models/reference.py), every
card metric is measured with full settings, and weights/<name>/ is replaced atomically.
MODEL_CARDS.md is regenerated at the end.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from tqdm import tqdm

import crnzoo  # noqa: F401  (turns on float64)
from crnzoo import zoo
from crnzoo.cards import publish, write_model_cards


REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="models to write (default: every reference model)")
    parser.add_argument("--weights", type=Path, default=REPO / "weights", help="checkpoint root (default: the repo's weights/)")
    args = parser.parse_args()
    names = args.names or [n for n in zoo.list_models() if zoo.entry(n).family == "reference"]
    for name in (bar := tqdm(names, unit="model")):
        bar.set_postfix_str(name)
        entry = zoo.entry(name)
        started = time.perf_counter()
        card = publish(entry, entry.make(), args.weights / name)
        summary = ", ".join(f"{k}={m['value']:.6g}" for k, m in list(card["metrics"].items())[:4])
        tqdm.write(f"{name}: {card['reactions']['at_k_report']} reactions; {summary} ({time.perf_counter() - started:.1f} s)")
    print(f"wrote {write_model_cards(REPO / 'MODEL_CARDS.md', args.weights)}")


if __name__ == "__main__":
    main()
