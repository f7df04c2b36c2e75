"""Measure (or run) the paper's Hopfield configuration: N = 256 neurons, 100×100 grid.

    python scripts/hopfield_full.py [--steps N] [--time-limit S] [--t-grow T] [--target PATH] [--out DIR]

Trains `crnzoo.tasks.hopfield.FULL` (N = 256, 100×100 grid, dt 0.1, t_grow 12.5, 30,000 steps
by default; the grid is sharded over the available JAX devices) and reports the memory
estimate, the peak resident memory and the time per training step. With a small `--steps`
it is a measurement run; `--t-grow 0.5` shortens the horizon to 5 IMEX steps and
extrapolates the step time to the full 125. The report is written to DIR/report.json
(default DIR: <tmp>/crnzoo-hopfield-full/) with the trained parameters (DIR/params.npz) and,
when the small model's card exists under --weights, recorded on it as `full_configuration`
(and as full_config_report.json next to it). The shipped report: 1 step on 2 CPU cores took
322 s and 8.8 GB; 30,000 steps would take about 2,700 h there.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
from pathlib import Path

import jax
import numpy as np

import crnzoo  # noqa: F401  (turns on float64)
from crnzoo._registry import weights_dir
from crnzoo.cards import annotate
from crnzoo.spatial import check_memory
from crnzoo.tasks import hopfield as hp

SMALL_NAME = "hopfield-turing-small"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, help="training steps (default: the configuration's 30,000)")
    parser.add_argument("--time-limit", type=float, help="stop training after this many seconds")
    parser.add_argument("--t-grow", type=float, help="a shorter growth horizon for a measurement run (step time extrapolated)")
    parser.add_argument("--target", type=Path, help="target image (default ../shared/data/icrn/Hopfield_data_github/Turing.jpg)")
    parser.add_argument("--weights", type=Path, default=weights_dir(), help="checkpoint root whose small card records the report")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "crnzoo-hopfield-full", help="output folder")
    parser.add_argument("--note", default="", help="what the wall times were measured on")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args()
    full = hp.FULL
    config = full
    if args.t_grow is not None:  # a measurement run on a shorter horizon (one checkpointed segment)
        n = round(args.t_grow / config.dt)
        config = dataclasses.replace(config, t_grow=args.t_grow, save_every=min(config.save_every, n) if n % min(config.save_every, n) == 0 else 1)
    steps = config.steps if args.steps is None else args.steps
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        model, hist = hp.train(config, args.target, not args.quiet, steps, args.time_limit)
    except hp.TargetImageError as e:
        raise SystemExit(f"error: {e}") from None
    devices = jax.devices()
    full_estimate = check_memory((full.grid, full.grid, 2 * full.n_neurons), round(full.t_grow / full.dt), full.save_every, True, 4, limit=2**62)
    step_full = hist["step_s_median"] * full.t_grow / config.t_grow
    report = {
        "configuration": config.to_dict(),
        "steps_run": hist["steps_run"],
        "devices": f"{len(devices)} × {devices[0].device_kind} ({devices[0].platform})",
        "memory_estimate_bytes": hist["memory_estimate_bytes"],
        "peak_rss_bytes": hp.peak_rss_bytes(),
        "first_step_s (includes compilation)": round(hist["first_step_s"], 1),
        "step_s": round(hist["step_s_median"], 2),
        "projected_hours_for_30000_steps": round(hist["step_s_median"] * 30_000 / 3600, 1),
        "full_horizon": {
            "t_grow": full.t_grow,
            "memory_estimate_bytes": full_estimate,
            "step_s_extrapolated": round(step_full, 2),
            "projected_hours_for_30000_steps": round(step_full * 30_000 / 3600, 1),
            "note": "extrapolated linearly in the number of IMEX steps from this run's horizon" if config.t_grow != full.t_grow else "measured",
        },
        "losses": [float(v) for v in hist["losses"]],
        "command": "python " + " ".join(sys.argv),
        "note": args.note,
    }
    text = json.dumps(report, indent=2) + "\n"
    (args.out / "report.json").write_text(text)
    np.savez(args.out / "params.npz", **{k: np.asarray(getattr(model, k)) for k in ("Wp", "Wn", "deg_p", "deg_n", "log_diff_p", "log_diff_n")})
    card_dir = args.weights / SMALL_NAME
    if (card_dir / "card.json").is_file():
        (card_dir / "full_config_report.json").write_text(text)
        annotate(card_dir, full_configuration=report)
    print(
        f"full configuration (N = {config.n_neurons}, {config.grid}×{config.grid}): {hist['steps_run']} steps; "
        f"step {hist['step_s_median']:.2f} s (first {hist['first_step_s']:.1f} s incl. compile); memory estimate "
        f"{hist['memory_estimate_bytes'] / 2**30:.2f} GiB, peak RSS {hp.peak_rss_bytes() / 2**30:.2f} GiB; "
        f"30,000 steps ≈ {report['projected_hours_for_30000_steps']} h here; report {args.out / 'report.json'}"
    )


if __name__ == "__main__":
    main()
