"""Grow Turing's portrait with the reference's trained 256-neuron Hopfield parameters.

    python scripts/hopfield_reference.py [--params PATH] [--target PATH] [--grid 100] [--out DIR]

Loads `../shared/data/icrn/Hopfield_data_github/ParamsBestLoss_icrn_turing_256sp.converted.npz`
(keys Wp, Wn, Up_deg, Un_deg, Up, Un; Up/Un are the diffusion constants' logarithms, read as
natural logarithms) into `crnzoo.spatial.HopfieldRD`, grows the image from the
reconstructed three-splotch seed (the reference's seed is not published) on a 100×100
periodic grid with dt = 0.1 to t = 12.5, and reports the loss against the masked target and
a PNG (target | grown | growth sequence). The reference's best log-loss was −4.05 after
30,000 training steps (from its own seed and its own, unpublished, loss definition and
target processing): this run is informative, not a pass/fail target.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import tempfile
import time
from pathlib import Path

import jax.numpy as jnp

import crnzoo  # noqa: F401  (turns on float64)
from crnzoo.data import data_path
from crnzoo.spatial.hopfield import from_reference
from crnzoo.tasks import hopfield as hp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--params", type=Path, default=data_path(hp.REFERENCE_PARAMS))
    parser.add_argument("--target", type=Path, default=data_path(hp.TARGET))
    parser.add_argument("--grid", type=int, default=100)
    parser.add_argument("--log-base", type=float, default=math.e, help="base of the stored log diffusion constants (default e)")
    parser.add_argument("--diffuse-first", action="store_true", help="diffusion before reactions in each step (the reference's order)")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "crnzoo-hopfield-reference")
    args = parser.parse_args()
    try:
        model = from_reference(args.params)
        if args.log_base != math.e:  # stored logs in another base: rescale to natural logs
            scale = math.log(args.log_base)
            model = dataclasses.replace(model, log_diff_p=model.log_diff_p * scale, log_diff_n=model.log_diff_n * scale)
        target = hp.load_target(args.grid, args.target)
    except (FileNotFoundError, ValueError) as e:
        raise SystemExit(f"error: {e}") from None
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    res = hp.draw_growth(model, target, args.out / "reference_growth.png",
                         f"reference parameters (N = {model.n_neurons}) from the reconstructed seed, {args.grid}×{args.grid}",
                         dtype=jnp.float32, diffuse_first=args.diffuse_first)
    wall = time.perf_counter() - started
    report = {
        "params": str(args.params),
        "grid": args.grid,
        "log_base": args.log_base,
        "diffuse_first": args.diffuse_first,
        "loss": res["loss"],
        "log10_loss": res["log10_loss"],
        "ln_loss": math.log(res["loss"]),
        "blank_loss": float((target**2).mean()),
        "reference_best_log_loss": hp.REFERENCE_BEST_LOG_LOSS,
        "reactions": model.reaction_count(0.0),
        "wall_s": round(wall, 1),
    }
    (args.out / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    print(
        f"reference parameters, N = {model.n_neurons}: loss {res['loss']:.4g} (log10 {res['log10_loss']:.3f}, ln "
        f"{report['ln_loss']:.3f}; blank image {report['blank_loss']:.4g}; reference best log-loss {hp.REFERENCE_BEST_LOG_LOSS}) "
        f"in {wall:.0f} s; wrote {args.out / 'reference_growth.png'}"
    )


if __name__ == "__main__":
    main()
