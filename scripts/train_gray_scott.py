"""Learn Gray-Scott (F, k) from target textures and publish gray-scott-kappa/-lambda/-delta.

    python scripts/train_gray_scott.py [--texture kappa|lambda|delta|all] [--steps N]

For each texture: grow the target at the target (F, k) (101×101, T = 5,000, seed 0), run
10 restarts on a circle of radius 0.015 around the target (vmapped), each optimiser step
simulating 100 time units from the target texture with the current (F, k) and scoring
it with the texture loss of `crnzoo.tasks.gray_scott` (filter-bank Gram matrices + radial
power spectrum + moments + parameter wells; no pretrained network). The (F, k) with the
lowest loss is published (weights/gray-scott-<texture>/) with every card metric measured
at full settings, and `texture.png` (target | texture grown from fresh noise with the learned
(F, k) | restart paths) is written next to the card. Wall times are recorded on the card.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

import jax.numpy as jnp

import crnzoo  # noqa: F401  (turns on float64)
from crnzoo import zoo
from crnzoo.cards import annotate, publish
from crnzoo.models.gray_scott import GrayScott
from crnzoo.tasks import gray_scott as gs


REPO = Path(__file__).resolve().parents[1]
LOAD_NOTE = "measured on 2 CPU cores shared with other jobs (wall times would be shorter on an idle machine)"


def run(texture: str, steps: int | None, weights: Path, progress: bool) -> dict:
    started = time.perf_counter()
    config = gs.TRAIN if steps is None else dataclasses.replace(gs.TRAIN, steps=int(steps))
    result = gs.fit_texture(texture, config, progress)
    model = GrayScott(jnp.asarray(result["F"]), jnp.asarray(result["k"]))
    name = f"gray-scott-{texture}"
    entry = zoo.entry(name)
    tF, tk = gs.TARGETS[texture]
    extra = {
        "figure": gs.FIGURE,
        "training_result": {
            "target": {"F": tF, "k": tk},
            "reference_best": dict(zip(("F", "k"), gs.REFERENCE_BEST[texture])),
            "reference_best_loss_vgg": gs.REFERENCE_BEST_LOSS[texture],
            "best_loss": result["best_loss"],
            "best_restart": result["best_restart"],
            "best_step": result["best_step"],
            "restarts": [
                {"start": [float(v) for v in result["param_history"][0, j]], "best_F": F, "best_k": k, "best_loss": loss}
                for j, (F, k, loss) in enumerate(result["restart_best"])
            ],
            "loss_note": "texture loss with a fixed filter bank (VGG-16 weights are not available here); not comparable "
            "in value with the reference's VGG loss",
        },
        "training_config": config.to_dict(),
        "training_wall_s": round(result["wall_s"], 1),
        "wall_time_note": LOAD_NOTE,
    }
    out = weights / name
    publish(entry, model, out, extra)
    gs.draw_figure(model, texture, out / gs.FIGURE, result)
    card = annotate(out, script_wall_s=round(time.perf_counter() - started, 1))
    m = card["metrics"]
    print(
        f"{name}: F = {m['F']['value']:.6f} (target {tF}, |ΔF| = {m['F_error']['value']:.2e}), k = {m['k']['value']:.6f} "
        f"(target {tk}, |Δk| = {m['k_error']['value']:.2e}); reference best F {gs.REFERENCE_BEST[texture][0]} "
        f"k {gs.REFERENCE_BEST[texture][1]}; grown-texture loss {m['texture_loss_grown']['value']:.4g} "
        f"(at target {m['texture_loss_grown_at_target']['value']:.4g}); training {result['wall_s']:.0f} s, "
        f"total {card['script_wall_s']:.0f} s"
    )
    return card


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--texture", default="all", choices=["all", *gs.TARGETS])
    parser.add_argument("--steps", type=int, help="optimiser steps per restart (default: the card's)")
    parser.add_argument("--weights", type=Path, default=REPO / "weights", help="checkpoint root (default: the repo's weights/)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args()
    textures = list(gs.TARGETS) if args.texture == "all" else [args.texture]
    for t in textures:
        run(t, args.steps, args.weights, not args.quiet)


if __name__ == "__main__":
    main()
