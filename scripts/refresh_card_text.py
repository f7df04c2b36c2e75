"""Refresh the text of shipped cards from the registry — the `system` sentence and each
metric's `description` — and reseal them.

Both are written from the entry (`crnzoo/models/<family>.py`, its task's metric templates)
when the entry is published. When only the text is corrected (e.g. ncrn-nonlinreg2d's Neural
ODE, f = θ⊙x + h − ½z⊙z under Catalyst rate laws, or what `--fast` measures), retraining is
not needed: this script copies the entry's text into the card, leaves every other field
(values, promises, tolerances) and the checkpoint arrays untouched, reseals the card
(`card_hash`) and restores the model to check it.

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
    unknown = [n for n in args.names if n not in zoo.ENTRIES]
    if unknown:
        p.error(f"unknown zoo entr{'y' if len(unknown) == 1 else 'ies'}: {', '.join(unknown)}")
    for name in args.names:
        entry = zoo.entry(name)
        path = zoo.checkpoint_dir(name) / "card.json"
        card = json.loads(path.read_text())
        checkpoint.check_card_hash(card, path)
        changed = []
        if card["system"] != entry.system:
            changed.append(("system", card["system"], entry.system))
            card["system"] = entry.system
        for key, metric in card["metrics"].items():
            text = entry.metrics[key][0] if key in entry.metrics else metric["description"]
            if metric["description"] != text:
                changed.append((f"metrics.{key}.description", metric["description"], text))
                metric["description"] = text
        if not changed:
            print(f"same   {name}")
            continue
        for field, was, now in changed:
            print(f"{name} {field}:\n  was  {was}\n  now  {now}")
        checkpoint.write_card(path, card)
        zoo.load(name)
        print(f"sealed {name}")


if __name__ == "__main__":
    main()
