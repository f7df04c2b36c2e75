"""Train, prune, verify and publish the reusable dual-rail logic gates.

    python scripts/train_gates.py                 # gate-and, gate-or, gate-xor
    python scripts/train_gates.py xor --seed 3    # one gate, another seed

Each gate is trained from random logits (sparsified training at k_min = 0.1, the settings
in crnzoo/models/gates.py), pruned greedily while all training read-outs stay correct,
measured with the card's full settings (stretched and random input sequences, 80,000 time
units each, and the exported listing through the generic mass-action engine) and written
to weights/gate-<kind>/ (checkpoint, card.json, reactions.txt). MODEL_CARDS.md is
regenerated at the end. Wall times are recorded on each card.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import crnzoo  # noqa: F401  (turns on float64)
from crnzoo import zoo
from crnzoo.cards import annotate, publish, write_model_cards
from crnzoo.models import gates


REPO = Path(__file__).resolve().parents[1]
LOAD_NOTE = "measured on 2 CPU cores shared with two other training jobs (wall times would be shorter on an idle machine)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kinds", nargs="*", help="gates to train: and, or, xor (default: all three)")
    parser.add_argument("--seed", type=int, help="training seed (default: each gate's, on its card)")
    parser.add_argument("--steps", type=int, help="optimisation steps (default: each gate's)")
    parser.add_argument("--weights", type=Path, default=REPO / "weights", help="checkpoint root (default: the repo's weights/)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args()
    kinds = args.kinds or list(gates.GATES)
    unknown = [k for k in kinds if k not in gates.GATES]
    if unknown:
        parser.error(f"unknown gate {', '.join(unknown)}; choose from {', '.join(gates.GATES)}")
    total = time.perf_counter()
    for kind in kinds:
        name = f"gate-{kind}"
        entry = zoo.entry(name)
        started = time.perf_counter()
        model, extra = entry.fit(seed=args.seed, steps=args.steps, progress=not args.quiet)
        extra["wall_time_note"] = LOAD_NOTE
        card = publish(entry, model, args.weights / name, extra)
        wall = time.perf_counter() - started
        card = annotate(args.weights / name, script_wall_s=round(wall, 1))
        m = card["metrics"]
        print(
            f"{name}: {card['reactions']['at_k_report']} reactions at k > {card['reactions']['k_report']:g} "
            f"(paper {gates.GATES[kind][2]}, Cardelli {gates.GATES[kind][3]}); read-outs correct: "
            f"training {m['train_accuracy']['value']:.0%}, stretched {m['stretched_accuracy']['value']:.0%}, "
            f"random {m['random_accuracy']['value']:.0%} of {m['random_readouts']['value']:.0f}, "
            f"listing {m['listing_accuracy']['value']:.0%}; worst margin {m['min_margin']['value']:.4f}; "
            f"train+prune {extra['training_wall_s']:.0f} s, total {wall:.0f} s",
            flush=True,
        )
    print(f"wrote {write_model_cards(REPO / 'MODEL_CARDS.md', args.weights)} ({time.perf_counter() - total:.0f} s in all)")


if __name__ == "__main__":
    main()
