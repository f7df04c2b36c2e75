"""Train, verify and publish the 3-bit analogue-to-digital converter (`adc-3bit`).

    python scripts/train_adc.py [--seed S] [--steps N]

Trains from random logits with the settings in crnzoo/models/adc.py (sparsified training at
k_min = 0.1), prunes reactions the read-outs do not need, measures every card metric with
full settings (8 bin centres and 1,000 random levels at least 0.02 from a bin edge), writes
weights/adc-3bit/ (checkpoint, card.json, reactions.txt) and then a picture like the
paper's Fig. 9 (adc.png) next to the card, and regenerates MODEL_CARDS.md. The wall time is
recorded on the card.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import crnzoo  # noqa: F401  (turns on float64)
from crnzoo import zoo
from crnzoo.cards import annotate, publish, write_model_cards
from crnzoo.models import adc as family
from crnzoo.tasks import adc


REPO = Path(__file__).resolve().parents[1]
NAME = "adc-3bit"
LOAD_NOTE = "measured on 2 CPU cores shared with two other training jobs (wall times would be shorter on an idle machine)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, help="training seed (default: the card's)")
    parser.add_argument("--steps", type=int, help="optimisation steps (default: the card's)")
    parser.add_argument("--weights", type=Path, default=REPO / "weights", help="checkpoint root (default: the repo's weights/)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args()
    started = time.perf_counter()
    entry = zoo.entry(NAME)
    model, extra = entry.fit(seed=args.seed, steps=args.steps, progress=not args.quiet)
    extra.update(figure=family.FIGURE, wall_time_note=LOAD_NOTE)
    out = args.weights / NAME
    card = publish(entry, model, out, extra)
    adc.draw_figure(model, out / family.FIGURE, title=f"{NAME}: species (columns) for the 8 bin-centre inputs (rows) over time, as in Fig. 9")
    card = annotate(out, script_wall_s=round(time.perf_counter() - started, 1))
    m = card["metrics"]
    print(
        f"{NAME}: {card['reactions']['at_k_report']} reactions at k > {card['reactions']['k_report']:g}; bin centres "
        f"{m['centres_correct']['value']:.0f}/8; random levels >= 0.02 from an edge {m['random_accuracy']['value']:.1%} of 1,000; "
        f"margin at the centres {m['margin_centres']['value']:.4f}; training {extra['training_wall_s']:.0f} s, "
        f"total {card['script_wall_s']:.0f} s"
    )
    print(f"wrote {out / family.FIGURE} and {write_model_cards(REPO / 'MODEL_CARDS.md', args.weights)}")


if __name__ == "__main__":
    main()
