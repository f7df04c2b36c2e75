"""Train the Hopfield reaction-diffusion network that grows Turing's portrait.

    python scripts/train_hopfield.py [--steps N] [--time-limit S]       # small: publish hopfield-turing-small
    python scripts/train_hopfield.py --full [--steps N] [--out DIR]       # the paper's configuration

Small configuration (`crnzoo.tasks.hopfield.SMALL`: N = 32 neurons, 48×48 grid, dt 0.1,
t_grow 12.5, float32 training): trains from random parameters (seed 0), keeps the
parameters of the lowest loss, measures the card's metrics in float64, writes
weights/hopfield-turing-small/ and growth.png (target | grown | growth sequence).

`--full` runs the paper's configuration (N = 256, 100×100 grid, dt 0.1, 30,000 steps by
default; the grid is sharded over the available JAX devices) and reports the memory
estimate, the peak resident memory and the time per training step; with a small `--steps`
it is a measurement run (`--t-grow 0.5` shortens the horizon to 5 IMEX steps and extrapolates the
step time to the full 125). The report is written to DIR (default: <tmp>/crnzoo-hopfield-full/) and,
when the small model's card exists, recorded on it as `full_configuration`. The trained
full parameters (if any steps ran) are saved as DIR/params.npz.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import jax
import numpy as np

import crnzoo  # noqa: F401  (turns on float64)
from crnzoo import zoo
from crnzoo.cards import annotate, publish
from crnzoo.models import hopfield_rd as family
from crnzoo.spatial import check_memory
from crnzoo.tasks import hopfield as hp


REPO = Path(__file__).resolve().parents[1]
LOAD_NOTE = "measured on 2 CPU cores shared with other jobs (wall times would be shorter on an idle machine)"


def peak_rss_bytes() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


def small(args) -> None:
    started = time.perf_counter()
    config = hp.SMALL
    model, hist = hp.train(config, args.target, not args.quiet, args.steps, args.time_limit)
    model = jax.tree_util.tree_map(lambda a: a.astype(np.float64), model)
    entry = zoo.entry(family.NAME)
    losses = hist["losses"]
    extra = {
        "figure": family.FIGURE,
        "training_result": {
            "steps_run": hist["steps_run"],
            "loss_first_step": float(losses[0]),
            "loss_best_float32": hist["best_loss"],
            "loss_last": float(losses[-1]),
            "loss_every_100_steps": [float(v) for v in losses[::100]],
            "note": "training in float32; the card's metrics are recomputed in float64",
        },
        "training_config": dataclasses.replace(config, steps=hist["steps_run"]).to_dict(),
        "training_wall_s": round(hist["wall_s"], 1),
        "step_time_s": round(hist["step_s_median"], 3),
        "memory": {
            "estimate_bytes": hist["memory_estimate_bytes"],
            "peak_rss_bytes": peak_rss_bytes(),
            "note": "peak resident memory of the whole training process (CPU), gradient checkpointing every "
            f"{config.save_every} steps",
        },
        "wall_time_note": LOAD_NOTE,
    }
    out = args.weights / family.NAME
    report = out / "full_config_report.json"
    if report.is_file():
        extra["full_configuration"] = json.loads(report.read_text())
    publish(entry, model, out, extra)
    target = hp.load_target(config.grid, args.target)
    fig = hp.draw_growth(model, target, out / family.FIGURE, f"{family.NAME}: N = {config.n_neurons}, {config.grid}×{config.grid}, "
                         f"{hist['steps_run']} training steps")
    card = annotate(out, script_wall_s=round(time.perf_counter() - started, 1))
    m = card["metrics"]
    print(
        f"{family.NAME}: loss {m['loss']['value']:.4g} (log10 {m['log10_loss']['value']:.3f}; blank image {m['blank_loss']['value']:.4g}; "
        f"first step {losses[0]:.4g}); {hist['steps_run']} steps in {hist['wall_s']:.0f} s ({hist['step_s_median']:.3f} s/step); "
        f"peak RSS {peak_rss_bytes() / 2**30:.2f} GiB; figure loss {fig['loss']:.4g}; {card['reactions']['dense']} reactions"
    )


def full(args) -> None:
    config = hp.FULL
    if args.t_grow is not None:  # a measurement run on a shorter horizon (one checkpointed segment)
        n = round(args.t_grow / config.dt)
        config = dataclasses.replace(config, t_grow=args.t_grow, save_every=min(config.save_every, n) if n % min(config.save_every, n) == 0 else 1)
    steps = config.steps if args.steps is None else args.steps
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    model, hist = hp.train(config, args.target, not args.quiet, steps, args.time_limit)
    devices = jax.devices()
    full_estimate = check_memory(
        (hp.FULL.grid, hp.FULL.grid, 2 * hp.FULL.n_neurons), round(hp.FULL.t_grow / hp.FULL.dt), hp.FULL.save_every, True, 4, limit=2**62
    )
    report = {
        "configuration": config.to_dict(),
        "steps_run": hist["steps_run"],
        "devices": f"{len(devices)} × {devices[0].device_kind} ({devices[0].platform})",
        "memory_estimate_bytes": hist["memory_estimate_bytes"],
        "peak_rss_bytes": peak_rss_bytes(),
        "first_step_s (includes compilation)": round(hist["first_step_s"], 1),
        "step_s": round(hist["step_s_median"], 2),
        "projected_hours_for_30000_steps": round(hist["step_s_median"] * 30_000 / 3600, 1),
        "full_horizon": {
            "t_grow": hp.FULL.t_grow,
            "memory_estimate_bytes": full_estimate,
            "step_s_extrapolated": round(hist["step_s_median"] * hp.FULL.t_grow / config.t_grow, 2),
            "projected_hours_for_30000_steps": round(hist["step_s_median"] * hp.FULL.t_grow / config.t_grow * 30_000 / 3600, 1),
            "note": "extrapolated linearly in the number of IMEX steps from this run's horizon" if config.t_grow != hp.FULL.t_grow else "measured",
        },
        "losses": [float(v) for v in hist["losses"]],
        "command": "python " + " ".join(sys.argv),
        "note": LOAD_NOTE,
    }
    (out / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    np.savez(out / "params.npz", **{k: np.asarray(getattr(model, k)) for k in ("Wp", "Wn", "deg_p", "deg_n", "log_diff_p", "log_diff_n")})
    card_dir = args.weights / family.NAME
    if card_dir.is_dir():
        (card_dir / "full_config_report.json").write_text(json.dumps(report, indent=2) + "\n")
        if (card_dir / "card.json").is_file():
            annotate(card_dir, full_configuration=report)
    print(
        f"full configuration (N = {config.n_neurons}, {config.grid}×{config.grid}): {hist['steps_run']} steps; "
        f"step {hist['step_s_median']:.2f} s (first {hist['first_step_s']:.1f} s incl. compile); memory estimate "
        f"{hist['memory_estimate_bytes'] / 2**30:.2f} GiB, peak RSS {peak_rss_bytes() / 2**30:.2f} GiB; "
        f"30,000 steps ≈ {report['projected_hours_for_30000_steps']} h here; report {out / 'report.json'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="the paper's configuration (N = 256, 100×100)")
    parser.add_argument("--steps", type=int, help="training steps (default: the configuration's)")
    parser.add_argument("--time-limit", type=float, help="stop training after this many seconds")
    parser.add_argument("--t-grow", type=float, help="with --full: a shorter growth horizon for a measurement run (step time extrapolated)")
    parser.add_argument("--target", type=Path, help="target image (default ../shared/data/icrn/Hopfield_data_github/Turing.jpg)")
    parser.add_argument("--weights", type=Path, default=REPO / "weights", help="checkpoint root (default: the repo's weights/)")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "crnzoo-hopfield-full", help="output folder of --full (default: a temp folder)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args()
    try:
        (full if args.full else small)(args)
    except hp.TargetImageError as e:
        raise SystemExit(f"error: {e}") from None


if __name__ == "__main__":
    main()
