"""Spatial tau-leaping (`crnzoo.ssa.spatial.rdme_tau`) on the Gray-Scott entries: its error against
the deterministic solve, its cost, and the card's texture loss at finite Ω.

    PYTHONPATH=$PWD CRNZOO_DATA=/work/shared/data python benchmarks/ssa_spatial.py [--part error,texture,cost]
        [--texture kappa] [--n 64] [--t1 2000] [--omegas 10000,1000,100,10] [--runs 2]

- error: gray-scott-delta on an n×n periodic grid from the fresh-noise field, to t = 100: rms of
  (RDME − deterministic) for U and V at Ω = 10³…10⁶ molecules per unit per cell, at dt = 1 and
  0.25; the deterministic solve is `simulate_field` on the same grid with the 5-point Laplacian
  (implicit diffusion first, Euler reactions), the RDME's own large-Ω limit up to O(dt).
- texture: the card's texture loss (`crnzoo.tasks._gray_scott_texture`) of `--runs` RDME runs to
  `--t1` at each Ω, beside the deterministic solves with the spectral Laplacian (the card's) and
  the 5-point one (the RDME's limit).
- cost: CPU seconds per cell and step (from the texture part's runs).
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", default="error,texture")
    ap.add_argument("--texture", default="kappa")
    ap.add_argument("--n", type=int, default=64)
    ap.add_argument("--t1", type=float, default=2000.0)
    ap.add_argument("--omegas", default="10000,1000,100,10")
    ap.add_argument("--runs", type=int, default=2)
    a = ap.parse_args(argv)
    import jax.numpy as jnp

    from crnzoo import zoo
    from crnzoo.spatial import Grid, simulate_field
    from crnzoo.ssa.spatial import rdme_tau
    from crnzoo.tasks._gray_scott_texture import texture_loss, texture_stats
    from crnzoo.tasks.gray_scott import FRESH_SEED, grow, seed_field, target_field

    n = a.n
    x0 = np.asarray(seed_field(FRESH_SEED, n))
    parts = set(a.part.split(","))
    if "error" in parts:
        m = zoo.load("gray-scott-delta")
        for dt in (1.0, 0.25):
            det = np.asarray(simulate_field(m, jnp.asarray(x0), 100.0, dt, grid=Grid((n, n)), method="euler", clamp=True, diffuse_first=True).final)
            for om in (1e3, 1e4, 1e5, 1e6):
                _, f = rdme_tau(m, x0, 100.0, dt, om, 2, seed=1)
                d = f[-1] - det[None]
                print(f"error dt={dt:g} t=100 Ω={om:g}: rms U {np.sqrt(np.mean(d[..., 0] ** 2)):.4g}, rms V {np.sqrt(np.mean(d[..., 1] ** 2)):.4g}; "
                      f"mean V {f[-1][..., 1].mean():.4f} vs {det[..., 1].mean():.4f}", flush=True)
    if "texture" in parts:
        m = zoo.load(f"gray-scott-{a.texture}")
        stats = texture_stats(target_field(a.texture, n, a.t1))
        sp = grow(m, FRESH_SEED, a.t1, n).final
        fd = simulate_field(m, jnp.asarray(x0), a.t1, 1.0, grid=Grid((n, n)), method="rk4", clamp=True, diffuse_first=True).final
        print(f"texture {a.texture} {n}×{n} T={a.t1:g}: deterministic spectral (card) {float(texture_loss(sp, stats, m.F, m.k)['total']):.4g}, "
              f"5-point {float(texture_loss(fd, stats, m.F, m.k)['total']):.4g}", flush=True)
        for om in map(float, a.omegas.split(",")):
            t = time.process_time()
            _, f = rdme_tau(m, x0, a.t1, 1.0, om, a.runs, seed=3)
            cpu = time.process_time() - t
            losses = [float(texture_loss(jnp.asarray(f[-1][r]), stats, m.F, m.k)["total"]) for r in range(a.runs)]
            print(f"texture {a.texture} Ω={om:g}: losses {', '.join(f'{x:.4g}' for x in losses)}; "
                  f"cpu {cpu:.1f} s ({cpu / (a.runs * n * n * a.t1) * 1e9:.0f} ns per cell and step, compile included)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
