"""Train the waveform-matching models (Mordvintsev et al. 2023 §3) and write their weights.

    python scripts/train_waveform.py --seeds 40                   # waveform-square and waveform-peaks
    python scripts/train_waveform.py waveform-square --seeds 40 --steps 4000

For each target, `--seeds` random initialisations are trained at once: one vmapped Adam run
through `crnzoo.train.train` (each member clipped on its own; see crnzoo/models/oscillators.py),
sparsified straight-through at k_min = 1e-3 with fixed-step Tsit5 (dt = 0.5). Every member is
then scored with adaptive solves on [0, 200]; the best is written to weights/<name>/ with the
seed spread (MSE, reaction counts, how many keep oscillating) and the wall time on its card,
and MODEL_CARDS.md is regenerated.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from pathlib import Path

from tqdm import tqdm

import crnzoo  # noqa: F401  (turns on float64)
from crnzoo import zoo
from crnzoo.cards import publish, write_model_cards


REPO = Path(__file__).resolve().parents[1]
NAMES = ("waveform-square", "waveform-peaks")


def run(names, seeds: int, steps: int | None, seed: int, weights: Path, run_dir: Path | None) -> None:
    command = "python scripts/train_waveform.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    for name in names:
        entry = zoo.entry(name)
        started = time.perf_counter()
        model, extra = entry.fit(seed=seed, steps=steps, run_dir=(run_dir / name) if run_dir else None, seeds=seeds)
        wall = time.perf_counter() - started
        config = entry.train_config.to_dict()
        config.update(steps=steps or config["steps"], seed=seed)
        extra = {
            **extra,
            "training_wall_s": round(wall, 1),
            "training_machine": f"{os.cpu_count()} CPU cores (shared), JAX CPU float64",
            "training": {"command": command.strip(), "seed": seed, "config": config},
        }
        card = publish(entry, model, weights / name, extra)
        m = card["metrics"]
        s = extra["seed_spread"]
        tqdm.write(
            f"{name}: mse_sparse {m['mse_sparse']['value']:.4g} (dense {m['mse_dense']['value']:.4g}), "
            f"{card['reactions']['at_k_report']} reactions at 1e-3, oscillates past t_max: {bool(m['oscillates_past_tmax']['value'])}; "
            f"over {s['seeds']} seeds: median mse {s['mse_sparse']['median']:.4g}, "
            f"reactions {s['reactions_at_1e-3']['median']:g} [{s['reactions_at_1e-3']['min']:g}, {s['reactions_at_1e-3']['max']:g}], "
            f"{s['oscillating_past_tmax']} oscillating; {wall:.0f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help=f"models to train (default: {' '.join(NAMES)})")
    parser.add_argument("--seeds", type=int, default=40, help="random initialisations per target (default 40, as in the paper)")
    parser.add_argument("--steps", type=int, help="optimisation steps (default: the entry's train_config)")
    parser.add_argument("--seed", type=int, default=0, help="PRNG seed of the initialisations (default 0)")
    parser.add_argument("--weights", type=Path, default=REPO / "weights", help="checkpoint root (default: the repo's weights/)")
    parser.add_argument("--run-dir", type=Path, help="folder for resumable training checkpoints (one per model)")
    args = parser.parse_args()
    names = args.names or list(NAMES)
    for n in names:
        if n not in NAMES:
            parser.error(f"{n} is not a waveform model; choose from {', '.join(NAMES)}")
    started = time.perf_counter()
    run(names, args.seeds, args.steps, args.seed, args.weights, args.run_dir)
    # MODEL_CARDS.md sits next to the repo's weights/; a scratch --weights folder gets its own.
    shipped = args.weights.resolve() == (REPO / "weights").resolve()
    cards_md = REPO / "MODEL_CARDS.md" if shipped else args.weights / "MODEL_CARDS.md"
    print(f"wrote {write_model_cards(cards_md, args.weights)} ({time.perf_counter() - started:.0f} s in all)")


if __name__ == "__main__":
    main()
