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


def lambda_png(path: Path) -> str:
    """The λ texture (gray-scott-lambda's target, grown at F = 0.036, k = 0.05725 from seed 0) as a texture PNG."""
    from crnzoo.tasks import gray_scott as gs
    from crnzoo.tasks._gray_scott_finetune import write_texture

    return str(write_texture(gs.target_field("lambda"), path))


def mirrored_turing(path: Path) -> str:
    """The Hopfield entry's target photograph mirrored left-right, as a PNG (a new image to grow)."""
    from PIL import Image, ImageOps

    from crnzoo.data import data_path
    from crnzoo.tasks.hopfield import TARGET

    with Image.open(data_path(TARGET)) as im:
        ImageOps.mirror(im.convert("RGB")).save(path)
    return str(path)


def digits012_npz(path: Path) -> str:
    """scikit-learn's bundled 8×8 digits 0, 1, 2 resized to the network's input (12×12 bicubic,
    top-20 pixels, central 10×10: the shared MNIST pipeline) as images (B, 10, 10) and labels."""
    import numpy as np
    from sklearn.datasets import load_digits

    from crnzoo.tasks._wta_mnist_data import binarise

    d = load_digits()
    keep = d.target <= 2
    u8 = np.round(d.images[keep] * 255.0 / 16.0).astype(np.uint8)
    np.savez(path, images=binarise(u8).reshape(-1, 10, 10), labels=d.target[keep])
    return str(path)


def retargets(tmp: Path, labels=None) -> dict[str, tuple[str, str]]:
    """The retargets, their file targets built only for the `labels` asked (all by default)."""
    (tmp / "font2.csv").write_text(FONT2)
    files = {
        "gray-scott-kappa-lambda": lambda: lambda_png(tmp / "lambda.png"),
        "hopfield-mirror": lambda: mirrored_turing(tmp / "turing_mirrored.png"),
        "wta-mnist-avg-digits012": lambda: digits012_npz(tmp / "digits012.npz"),
    }
    built = {k: (f() if labels is None or k in labels else "") for k, f in files.items()}
    return {
        "and-nand": ("gate-and", "1110"),
        "and-nor": ("gate-and", "1000"),
        "xor-xnor": ("gate-xor", "1001"),
        "or-and": ("gate-or", "0001"),
        "and-xor": ("gate-and", "0110"),  # not a relabelling: needs gradient steps
        "seven-segment-font2": ("seven-segment", str(tmp / "font2.csv")),
        "peaks-square": ("waveform-peaks", square_csv(tmp / "square.csv")),
        "majority-bias": ("majority-learned", "0.1"),
        "majority-bias-0.2": ("majority-learned", "0.2"),
        "adc-thresholds": ("adc-3bit", "thresholds=0.3,0.5,0.7"),
        "adc-2bit": ("adc-3bit", "bits=2"),
        "wta-ring-10": ("wta-ring", "chambers=10"),
        "wta-ring-3-t200": ("wta-ring", "chambers=3,t=200"),
        "wta-ring-8-95": ("wta-ring", "chambers=8,accuracy=0.95"),  # Table 1's 8-chamber figure, 95.36 %
        "wta-ring-2-997": ("wta-ring", "chambers=2,accuracy=0.997"),  # Table 1's 2-chamber figure − 0.3 pp, at t = 100
        "wta-ring-paper-9": ("wta-ring-paper", "chambers=9"),
        "wta-mnist-79": ("wta-mnist-sup", "classes=7,9"),
        "wta-mnist-avg-digits012": ("wta-mnist-avg", built["wta-mnist-avg-digits012"]),
        "gray-scott-kappa-lambda": ("gray-scott-kappa", built["gray-scott-kappa-lambda"]),
        "hopfield-mirror": ("hopfield-turing-small", built["hopfield-mirror"]),
        "amplitude-range": ("oscillator-amplitude", "range=0.4:1.2"),
        "three-phase-period": ("three-phase-oscillator", "period=30"),
        "frequency-u40": ("oscillator-frequency", "U/40"),
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
        runs = retargets(tmp, args.labels or None)
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
