"""Make, verify and publish the four DNA winner-take-all MNIST classifiers (`wta-mnist-*`).

    python scripts/train_wta_mnist.py [--only avg,pruned,sup,accreg] [--data PATH] [--seed S]

`avg` and `pruned` are computed from the training images (deterministic); `sup` and
`accreg` are trained by gradient descent through the ICRN simulated to 10 h (settings in
crnzoo/models/wta_mnist.py). For each, every card metric is measured on the 2,700 test
images (all simulated to 10 h), the checkpoint, card.json and reactions.txt are written to
weights/wta-mnist-<kind>/, and next to them `weights.csv` (the weight table a lab orders
strands from). For the trained ones the card also records the reference code's own
matrix (../shared/data/icrn/WTA_data_github) simulated the same way. Wall times are on
the cards.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np

import crnzoo  # noqa: F401  (turns on float64)
from crnzoo import zoo
from crnzoo.cards import publish
from crnzoo.models import wta_mnist as family
from crnzoo.tasks import wta_mnist as task


REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO.parent / "shared" / "data" / "icrn" / "WTA_data_github"
REFERENCE_FILES = {"sup": "gap/W_best_avg_gap.npy", "accreg": "acc_reg/W_epoch30.npy"}
KINDS = ("avg", "pruned", "sup", "accreg")
LOAD_NOTE = "measured on 2 CPU cores shared with other jobs (wall times would be shorter on an idle machine)"


def reference_comparison(kind: str) -> dict | None:
    path = REFERENCE / REFERENCE_FILES[kind] if kind in REFERENCE_FILES else None
    if path is None or not path.is_file():
        return None
    w = np.load(path).astype(np.float64)
    m = family.evaluate(task.wta_crn(w), fast=False)
    return {"file": f"../shared/data/icrn/WTA_data_github/{REFERENCE_FILES[kind]}", "metrics_with_this_simulator": m}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default=",".join(KINDS), help="comma-separated subset of avg,pruned,sup,accreg")
    parser.add_argument("--seed", type=int, help="training seed for sup/accreg (default: the card's)")
    parser.add_argument("--epochs", type=int, help="training epochs for sup/accreg (default: the card's)")
    parser.add_argument("--weights", type=Path, default=REPO / "weights", help="checkpoint root (default: the repo's weights/)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--republish", action="store_true",
        help="re-measure and re-publish the existing checkpoints (keeping their training records) instead of training",
    )
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message=".*above bimolecular.*")  # the cards state the trimolecular reactions
    kinds = [k.strip() for k in args.only.split(",") if k.strip()]
    for k in kinds:
        if k not in KINDS:
            parser.error(f"unknown kind {k!r}; choose from {', '.join(KINDS)}")
    for kind in kinds:
        started = time.perf_counter()
        name = f"wta-mnist-{kind}"
        entry = zoo.entry(name)
        if args.republish:
            old = zoo.card(str(args.weights / name))
            model = zoo.load(str(args.weights / name))
            extra = {k: old[k] for k in ("training_history", "training_wall_s") if k in old}
        elif entry.fit is not None:
            model, extra = entry.fit(seed=args.seed, steps=args.epochs, progress=not args.quiet)
        else:
            model, extra = entry.make(), {}
        ref = reference_comparison(kind)
        extra.update(
            concentration_units="nM",
            restoration_fuel="YF[k] (free index, as in the reference code; the paper's figures come from this form)",
            weight_table=family.CSV,
            wall_time_note=LOAD_NOTE,
            export_hint=f"crnzoo export {name} --format sbml --scale 1nM,1h writes the concrete network in nM and seconds",
        )
        if ref:
            extra["reference_matrix"] = ref
        out = args.weights / name
        publish(entry, model, out, extra)
        task.weight_table(task.weights_of(model), out / family.CSV)
        path = out / "card.json"
        card = json.loads(path.read_text())
        if args.republish and "script_wall_s" in old:
            card["script_wall_s"] = old["script_wall_s"]
            card["republished_wall_s"] = round(time.perf_counter() - started, 1)
        else:
            card["script_wall_s"] = round(time.perf_counter() - started, 1)
        path.write_text(json.dumps(card, indent=2, sort_keys=False) + "\n")
        m = card["metrics"]
        print(
            f"{name}: Sim Acc {m['sim_acc']['value']:.4f} (paper {m['sim_acc']['paper']}), WTA Acc {m['wta_acc']['value']:.4f} "
            f"(paper {m['wta_acc']['paper']}), mean SUP {m['mean_sup']['value']:.2f} (paper {m['mean_sup']['paper']}), "
            f"non-zero weights {m['nonzero_weights']['value']:.0f} (paper {m['nonzero_weights']['paper']}); "
            f"{card['script_wall_s']:.0f} s",
            flush=True,
        )
    print("regenerate MODEL_CARDS.md with: crnzoo cards")


if __name__ == "__main__":
    main()
