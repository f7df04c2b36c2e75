"""Add `card_hash` to every shipped `weights/*/card.json` that lacks it (or re-seal with --force).

The card hash covers the whole card (metrics, solver, t1, …) so an edited field is refused
on load. This script changes only that one field of each card.json: the checkpoint arrays
and every other field are untouched, and each model is restored afterwards (config hash,
array manifest, content hash and the new card hash all checked).

    python scripts/seal_cards.py [--force]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from crnzoo import checkpoint, zoo


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--force", action="store_true", help="re-seal cards that already have a card_hash")
    p.add_argument("--weights", type=Path, default=zoo.weights_dir())
    args = p.parse_args()
    for path in sorted(args.weights.glob("*/card.json")):
        card = json.loads(path.read_text())
        if "card_hash" in card and not args.force:
            checkpoint.check_card_hash(card, path)
            print(f"ok     {path.parent.name}")
            continue
        checkpoint.write_card(path, card)
        name = path.parent.name
        zoo.load(name if name in zoo.list_models() else str(path.parent))
        print(f"sealed {name}")


if __name__ == "__main__":
    main()
