"""Train `majority-learned` (Mordvintsev et al. 2023, §4.3) and ship it to weights/.

    python scripts/train_majority.py                 # seed 0, the card's settings
    python scripts/train_majority.py --run-dir runs/majority   # resumable

A dense warm-up (500 Adam steps) then straight-through sparsified training at
k_min = 0.05 with the entropy regulariser (1,000 steps); see crnzoo/models/majority.py.
Every card metric is measured with full settings (10,000 draws), then weights/<name>/
is replaced atomically and MODEL_CARDS.md regenerated. About 3–4 minutes on 2 CPU cores.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

import crnzoo  # noqa: F401  (turns on float64)
from crnzoo import zoo
from crnzoo.cards import publish, write_model_cards
from crnzoo.models import majority as family


REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=family.SEED, help=f"training seed (default {family.SEED}, the shipped one)")
    parser.add_argument("--steps", type=int, default=None, help=f"sparsified-phase steps (default {family.TRAIN.steps})")
    parser.add_argument("--run-dir", type=Path, default=None, help="resumable training checkpoints (default: none)")
    parser.add_argument("--weights", type=Path, default=REPO / "weights", help="checkpoint root (default: the repo's weights/)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    parser.add_argument("--force", action="store_true", help="publish even if a metric breaks its promise")
    args = parser.parse_args()

    started = time.perf_counter()
    entry = zoo.entry(family.NAME)
    model, extra = family.fit(seed=args.seed, steps=args.steps, run_dir=args.run_dir, progress=not args.no_progress)
    print(f"trained in {extra['training_wall_s']:.0f} s; measuring the card's metrics (10,000 draws) ...", flush=True)
    values = entry.evaluate(model, False)
    extra["script_wall_s"] = round(time.perf_counter() - started, 1)
    extra["machine"] = "2 CPU cores (shared), float64"
    if args.seed != family.SEED or args.steps is not None:
        cmd = family.COMMAND + (f" --seed {args.seed}" if args.seed != family.SEED else "") + (f" --steps {args.steps}" if args.steps is not None else "")
        entry = dataclasses.replace(entry, training=cmd, seed=args.seed)
    broken = [k for k, (_, _, promise, _) in entry.metrics.items() if not zoo.Metric(values[k], "", None, promise).holds(values[k])]
    if broken and not args.force:
        raise SystemExit(f"not published: {', '.join(f'{k}={values[k]:.6g}' for k in broken)} break their promises (--force to publish anyway)")
    measured = dataclasses.replace(entry, evaluate=lambda m, fast: values)
    card = publish(measured, model, args.weights / family.NAME, extra)
    for key, m in card["metrics"].items():
        print(f"  {key:<28} {m['value']:.6g}   (paper {m['paper']}, promise {m['promise']})")
    print(f"{family.NAME}: {card['reactions']['at_k_report']} reactions at k_min = {family.K_MIN}; total {extra['script_wall_s']:.0f} s")
    if args.weights.resolve() == (REPO / "weights").resolve():
        print(f"wrote {args.weights / family.NAME} and {write_model_cards(REPO / 'MODEL_CARDS.md', args.weights)}")
    else:
        print(f"wrote {args.weights / family.NAME} (MODEL_CARDS.md describes the shipped weights only: not regenerated)")


if __name__ == "__main__":
    main()
