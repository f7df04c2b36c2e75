"""Train the controllable oscillators (Mordvintsev et al. 2023 App. B.2) and write their weights.

    python scripts/train_oscillator_control.py --seeds 8             # oscillator-frequency and oscillator-amplitude
    python scripts/train_oscillator_control.py oscillator-frequency --seeds 8 --steps 4000

- oscillator-frequency: a control species U (catalyst only) is held at u ∈ [0.5, 2]; A must
  follow 0.25 + 0.25 sin(2π u t / 20). Batches of 8 control levels per step.
- oscillator-amplitude: A(0) = a ∈ [0.2, 0.6]; A must follow a (0.5 + 0.5 cos(2π t / 20)).
  Batches of 8 amplitudes per step.

`--seeds` initialisations are trained at once (one vmapped Adam run through
`crnzoo.train.train`), sparsified straight-through at k_min = 1e-3 with fixed-step Tsit5
(dt = 0.5); each is scored with adaptive solves and the best is written to weights/<name>/
with the seed spread and wall time on its card; MODEL_CARDS.md is regenerated.
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
NAMES = ("oscillator-frequency", "oscillator-amplitude")
HEADLINE = {
    "oscillator-frequency": ("freq_rel_error_max", "switch_freq_before", "switch_freq_after"),
    "oscillator-amplitude": ("amp_rel_error_max", "addition_amp_before", "addition_amp_after"),
}


def run(names, seeds: int, steps: int | None, seed: int, weights: Path, run_dir: Path | None) -> None:
    command = "python scripts/train_oscillator_control.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
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
        summary = ", ".join(f"{k} {m[k]['value']:.4g}" for k in HEADLINE[name])
        tqdm.write(f"{name}: {summary}; {card['reactions']['at_k_report']} reactions at 1e-3; {wall:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help=f"models to train (default: {' '.join(NAMES)})")
    parser.add_argument("--seeds", type=int, default=8, help="random initialisations per model (default 8)")
    parser.add_argument("--steps", type=int, help="optimisation steps (default: the entry's train_config)")
    parser.add_argument("--seed", type=int, default=0, help="PRNG seed of the initialisations (default 0)")
    parser.add_argument("--weights", type=Path, default=REPO / "weights", help="checkpoint root (default: the repo's weights/)")
    parser.add_argument("--run-dir", type=Path, help="folder for resumable training checkpoints (one per model)")
    args = parser.parse_args()
    names = args.names or list(NAMES)
    for n in names:
        if n not in NAMES:
            parser.error(f"{n} is not a controllable oscillator; choose from {', '.join(NAMES)}")
    started = time.perf_counter()
    run(names, args.seeds, args.steps, args.seed, args.weights, args.run_dir)
    # MODEL_CARDS.md sits next to the repo's weights/; a scratch --weights folder gets its own.
    shipped = args.weights.resolve() == (REPO / "weights").resolve()
    cards_md = REPO / "MODEL_CARDS.md" if shipped else args.weights / "MODEL_CARDS.md"
    print(f"wrote {write_model_cards(cards_md, args.weights)} ({time.perf_counter() - started:.0f} s in all)")


if __name__ == "__main__":
    main()
