"""Train, verify and publish the seven-segment display decoder (`seven-segment`).

    python scripts/train_seven_segment.py [--seed S] [--steps N]

Trains from random logits with the settings in crnzoo/models/seven_segment.py (sparsified
training at k_min = 0.1), prunes reactions the read-outs do not need, measures every card
metric with full settings, writes weights/seven-segment/ (checkpoint, card.json,
reactions.txt) and then the picture of the 16 decoded displays (digits.png) next to the
card, and regenerates MODEL_CARDS.md. The wall time is recorded on the card.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import crnzoo  # noqa: F401  (turns on float64)
from crnzoo import zoo
from crnzoo.cards import annotate, publish, write_model_cards
from crnzoo.models import seven_segment as family
from crnzoo.tasks import seven_segment as seg


REPO = Path(__file__).resolve().parents[1]
NAME = "seven-segment"
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
    outs, _ = seg.segment_readout(model)
    seg.draw_digits(outs[:, -1, :], out / family.FIGURE, title=f"{NAME}: the 16 decoded displays at T = {seg.T_END:g} (lit: output > {(seg.LOW + seg.HIGH) / 2:g})")
    card = annotate(out, script_wall_s=round(time.perf_counter() - started, 1))
    m = card["metrics"]
    print(
        f"{NAME}: {card['reactions']['at_k_report']} reactions at k > {card['reactions']['k_report']:g}; segments right "
        f"{m['segments_end']['value']:.0f}/112 at T, {m['segments_last_half']['value']:.0f}/112 over the last half "
        f"(paper: 112); digits {m['digits_end']['value']:.0f}/16; margin {m['margin_end']['value']:.4f}; "
        f"training {extra['training_wall_s']:.0f} s, total {card['script_wall_s']:.0f} s"
    )
    print(f"wrote {out / family.FIGURE} and {write_model_cards(REPO / 'MODEL_CARDS.md', args.weights)}")


if __name__ == "__main__":
    main()
