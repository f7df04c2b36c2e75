"""Refresh the `system` text of shipped cards from the registry, and reseal them.

A card's `system` sentence is written from its entry (`crnzoo/models/<family>.py`) when the
entry is published. When only that sentence is corrected (e.g. ncrn-nonlinreg2d's Neural
ODE, f = θ⊙x + h − ½z⊙z under Catalyst rate laws), retraining is not needed: this script
copies the entry's text into the card, leaves every other field and the checkpoint arrays
untouched, reseals the card (`card_hash`) and restores the model to check it.

    python scripts/refresh_card_text.py ncrn-nonlinreg2d [NAME ...]
"""

from __future__ import annotations

import argparse
import json

from crnzoo import checkpoint, zoo


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("names", nargs="+", help="zoo entries whose shipped card gets the entry's system text")
    args = p.parse_args()
    for name in args.names:
        entry = zoo.entry(name)
        path = zoo.checkpoint_dir(name) / "card.json"
        card = json.loads(path.read_text())
        checkpoint.check_card_hash(card, path)
        if card["system"] == entry.system:
            print(f"same   {name}")
            continue
        print(f"{name}:\n  was  {card['system']}\n  now  {entry.system}")
        card["system"] = entry.system
        checkpoint.write_card(path, card)
        zoo.load(name)
        print(f"sealed {name}")


if __name__ == "__main__":
    main()
