"""Measure the retargets of issue 11 from the shipped checkpoints, with the defaults.

    PYTHONPATH=. python benchmarks/finetune_retargets.py [LABEL ...] [--out DIR]

Each retarget runs `crnzoo.finetuning.finetune` (the command's pipeline: fine-tune, then every
metric of the new target at the card's full settings, then the atomic save) and prints one
line: reached or not, the wall and CPU seconds of the whole call, the fine-tuning part alone,
the steps run and the metrics that decide. Wall times on a shared machine vary with its load;
the CPU seconds of this process are the steadier number. For comparison, each base entry's
card records its training from scratch (`training_wall_s`).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import crnzoo  # noqa: F401  (float64)
from crnzoo import zoo
from crnzoo.finetuning import finetune

HERE = Path(__file__).resolve().parent

FONT2 = "digit,abcdefg\n" + "\n".join(
    f"{d},{g}"
    for d, g in zip(
        "0123456789AbCdEF",
        # the usual glyphs except 7 with segment f (a "European" 7), 9 without its tail d, and a lowercase c
        "1111110 0110000 1101101 1111001 0110011 1011011 1011111 1110010 1111111 1110011 1110111 0011111 0001101 0111101 1001111 1000111".split(),
    )
) + "\n"


def square_csv(path: Path) -> str:
    """The zoo's square wave (0 <-> 0.5, period 25, high first) sampled at 200 times on [0, 100]."""
    import numpy as np

    t = np.linspace(0.0, 100.0, 200)
    path.write_text("t,value\n" + "".join(f"{a:.6g},{0.5 if (a % 25.0) < 12.5 else 0.0}\n" for a in t))
    return str(path)


def retargets(tmp: Path) -> dict[str, tuple[str, str]]:
    (tmp / "font2.csv").write_text(FONT2)
    return {
        "and-nand": ("gate-and", "1110"),
        "and-nor": ("gate-and", "1000"),
        "xor-xnor": ("gate-xor", "1001"),
        "or-and": ("gate-or", "0001"),
        "and-xor": ("gate-and", "0110"),  # not a relabelling: needs gradient steps
        "seven-segment-font2": ("seven-segment", str(tmp / "font2.csv")),
        "peaks-square": ("waveform-peaks", square_csv(tmp / "square.csv")),
        "majority-bias": ("majority-learned", "0.1"),
    }


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("labels", nargs="*")
    p.add_argument("--out", type=Path, help="keep the fine-tuned directories here (default: a temporary folder)")
    p.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = p.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        runs = retargets(tmp)
        root = args.out or tmp / "out"
        for label in args.labels or runs:
            base, target = runs[label]
            wall, cpu = time.perf_counter(), time.process_time()
            r = finetune(base, target, out=root / label, progress=False)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            ft = r.card["finetune"]
            row = {
                "label": label, "base": base, "target": Path(target).name, "reached": r.reached,
                "wall_s": round(wall, 1), "cpu_s": round(cpu, 1), "finetune_wall_s": ft["finetune_wall_s"],
                "steps": ft.get("steps"), "method": ft.get("method", "gradient"), "broken": r.broken,
                "scratch_training_wall_s": zoo.card(base).get("training_wall_s"),
                "metrics": {k: m["value"] for k, m in r.card["metrics"].items()},
            }
            results.append(row)
            print(json.dumps(row), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0 if all(r["reached"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
