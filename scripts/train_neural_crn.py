"""Chemically train, verify and publish the Neural CRN entries (`ncrn-*`).

    python scripts/train_neural_crn.py [--only NAME ...] [--mode staged|one-pot] [--cards]

For each entry (crnzoo/models/neural_crn.py): regenerate its dataset from the card's seed,
run chemical learning (each training sample: N1 forward solve, N2 to completion, N3 backward
solve, N4 update; staged mode), measure every card metric from the trained parameters,
write weights/<name>/ (checkpoint, card.json, reactions.txt = the whole learning circuit),
the loss/accuracy curves (curves.png) and, for 2-D classifiers, the decision boundary
(boundary.png). The training and script wall times are recorded on the card. `--one-pot`
additionally measures one-pot learning (one clock-gated simulation) on the same data and
records it on the card. `--cards` regenerates MODEL_CARDS.md at the end.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

import crnzoo  # noqa: F401  (turns on float64)
from crnzoo.cards import publish, write_model_cards
from crnzoo.models import neural_crn as family
from crnzoo.tasks import neural_crn as tasks

REPO = Path(__file__).resolve().parents[1]
LOAD_NOTE = "measured on 2 CPU cores shared with other jobs (wall times would be shorter on an idle machine)"


def one_pot_measurement(recipe, epochs: int) -> dict:
    """Train the same circuit from the same θ in one-pot mode; return its metrics and wall time."""
    model = family.make_model(recipe)
    data = recipe.data()
    tuned, hist = tasks.chemical_train(model, data, epochs, recipe.seed, "one-pot", progress=True)
    m = tasks.metrics(tuned, data)
    return {
        "mode": "one-pot (single clock-gated mass-action simulation; fast rate κ = "
        f"{recipe.spec.fast_rate:g}, phases of length T = {recipe.spec.T:g})",
        "epochs": epochs,
        "metrics": m,
        "history": hist.to_dict(),
        "wall_s": hist.wall_s,
    }


def gradient_check(recipe, theta) -> dict:
    """The gradient invariant at the trained θ on the first validation sample: relative error of
    the G species after N3 against jax.grad through a Diffrax solve, staged and one-pot."""
    import dataclasses

    import jax
    import jax.numpy as jnp

    from crnzoo.neural import circuit as C

    data = recipe.data()
    spec = recipe.spec
    x = jnp.asarray(spec.pad_inputs(data.val.x[:1])[0])
    y = jnp.asarray(data.val.y[0])
    th = jnp.asarray(theta)
    ref = C.neural_ode_grad(spec, th, x, y) if spec.order == "full" else C.first_order_grad(spec, th, x, y)
    norm = float(jnp.linalg.norm(ref))
    _, (_, _, g) = jax.jit(C.staged_step_fn(spec, (1e-10, 1e-12)))(th, x, y)
    out = {"sample": "first validation sample", "grad_norm": norm, "staged_rel_error": float(jnp.linalg.norm(g - ref)) / norm}
    for kappa in (spec.fast_rate, 10 * spec.fast_rate):
        sp = dataclasses.replace(spec, fast_rate=kappa)
        _, (_, _, g1) = jax.jit(C.one_pot_step_fn(sp, (1e-9, 1e-11)))(C.one_pot_state(sp, th), x, y)
        out[f"one_pot_rel_error_kappa_{kappa:g}"] = float(jnp.linalg.norm(g1 - ref)) / norm
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", help="entries to train (default: every recipe)")
    parser.add_argument("--seed", type=int, help="seed (default: the card's)")
    parser.add_argument("--epochs", type=int, help="epochs (default: the card's)")
    parser.add_argument("--one-pot", action="store_true", help="also measure one-pot learning and record it on the card")
    parser.add_argument("--weights", type=Path, default=REPO / "weights", help="checkpoint root (default: the repo's weights/)")
    parser.add_argument("--cards", action="store_true", help="regenerate MODEL_CARDS.md at the end")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    names = args.only or list(family.RECIPES)
    for name in names:
        started = time.perf_counter()
        recipe = family.RECIPES[name]
        entry = family.ENTRIES[name]
        model, extra, hist, data = family.fit(recipe, args.seed, args.epochs, progress=not args.quiet)
        out = args.weights / name
        extra.update(figures=[family.CURVES] + ([family.BOUNDARY] if data.grid_box else []), wall_time_note=LOAD_NOTE)
        extra["gradient_invariant"] = gradient_check(recipe, np.asarray(model.theta))
        if args.one_pot:
            extra["one_pot"] = one_pot_measurement(recipe, args.epochs or recipe.epochs)
        card = publish(entry, model, out, extra)
        ref = recipe.reference
        tasks.draw_curves(hist, out / family.CURVES, f"{name}: chemical learning ({recipe.mode}), seed {recipe.seed}", ref)
        if data.grid_box:
            tasks.draw_boundary(model, data, out / family.BOUNDARY, f"{name}: ŷ over the inputs, boundary ŷ = {data.threshold:g}")
        family.write_card_extras(out, {"script_wall_s": round(time.perf_counter() - started, 1)})
        card = json.loads((out / "card.json").read_text())
        m = {k: v["value"] for k, v in card["metrics"].items()}
        counts = card["circuit"]["reactions_per_stage"]
        print(
            f"{name}: {card['circuit']['species']} species, {counts['circuit']} reactions (+{counts['flush']} flush); "
            + ", ".join(f"{k} {v:.4g} (paper {card['metrics'][k]['paper']})" for k, v in m.items())
            + f"; training {card['training_wall_s']:.1f} s, script {card['script_wall_s']:.1f} s"
        )
        print(f"  gradient invariant: {json.dumps(card['gradient_invariant'])}")
        if args.one_pot:
            print(f"  one-pot: {json.dumps(card['one_pot']['metrics'])} in {card['one_pot']['wall_s']} s")
    if args.cards:
        print(f"wrote {write_model_cards(REPO / 'MODEL_CARDS.md', args.weights)}")


if __name__ == "__main__":
    main()
