"""How much does the CLE's Gaussian noise shape matter for hopfield-turing-small? The card's portrait grown
with reaction noise at Ω (per unit per grid cell) drawn Gaussian (the chemical Langevin equation, what
`crnzoo robustness` runs) and centred Poisson (the same variance, the Poisson skewness kept;
`crnzoo.ssa.spatial_cle.noisy_grow(noise=...)`), scored by the card's image loss against its promise 0.03.

    PYTHONPATH=$PWD CRNZOO_DATA=/work/shared/data nice -n 10 python scripts/issue14/hopfield_noise_shape.py \
        [--runs 16] [--omega 16384 32768 65536] [--noise gauss poisson]

Prints one line per (Ω, noise): runs, mean loss ± its standard error, runs kept (loss <= 0.03), seconds.
Writes nothing.
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=16, help="runs per (Ω, noise), in chunks of 8")
    ap.add_argument("--omega", type=float, nargs="+", default=[16384.0, 32768.0, 65536.0])
    ap.add_argument("--noise", nargs="+", default=["gauss", "poisson"], choices=("gauss", "poisson"))
    ap.add_argument("--seed", type=int, default=100)
    args = ap.parse_args(argv)
    from crnzoo import zoo
    from crnzoo.spatial import Grid
    from crnzoo.ssa.spatial_cle import noisy_grow
    from crnzoo.tasks.hopfield import image_of, load_target, seed_field

    model, target = zoo.load("hopfield-turing-small"), load_target(48)
    x0 = np.asarray(seed_field(48, 32))
    for omega in args.omega:
        for noise in args.noise:
            started, losses = time.perf_counter(), []
            for start in range(0, args.runs, 8):
                k = min(8, args.runs - start)
                z = noisy_grow(model, np.broadcast_to(x0, (k, *x0.shape)), omega, 12.5, 0.1, grid=Grid((48, 48)), clamp=True,
                               seed=args.seed + start // 8, noise=noise)
                losses += list(np.mean((np.asarray(image_of(z)) - target) ** 2, axis=(1, 2, 3)))
            L = np.asarray(losses)
            print(f"Ω = {omega:g} {noise:7s}: {len(L)} runs, mean loss {L.mean():.4f} ± {L.std(ddof=1) / np.sqrt(len(L)):.4f}, "
                  f"kept (<= 0.03) {int(np.sum(L <= 0.03))}/{len(L)} ({time.perf_counter() - started:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
