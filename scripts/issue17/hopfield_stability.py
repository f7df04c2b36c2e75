"""Issue 17: the explicit step's stability bound along a Hopfield entry's own growth.

Each IMEX step integrates the local reactions R(x) = x·M − k_deg x³ with one RK4 step of size dt
(diffusion is implicit, so unconditionally stable). RK4 is stable for a mode λ of the reaction
Jacobian J(x) = Mᵀ − diag(3 k_deg x²) while |R₄(dt λ)| ≤ 1, R₄(z) = 1 + z + z²/2 + z³/6 + z⁴/24
(on the negative real axis: dt |λ| ≤ 2.785). Growing modes (Re λ > 0) are the network's own
growth, not an instability of the step. This script grows the entry from its seed at its card's
dt with its card's reaction update (float64), takes at every step the `--cells` grid cells with
the largest 3·k_deg·x², and reports the stiffest decaying mode λ* met, dt·|λ*|, max |R₄(dt λ)|
over decaying modes, and the largest RK4 step dt_max with |R₄(dt_max λ*)| ≤ 1 (bisection): the
stated bound. An entry grown with method "split" (exactly solved sub-flows) has no such bound;
its row says what RK4 would need on the states it reaches.

    python scripts/issue17/hopfield_stability.py [NAME ...] [--cells 8]
"""

from __future__ import annotations

import argparse

import numpy as np

import crnzoo
from crnzoo import zoo
from crnzoo.tasks.hopfield import grow


def r4(z):
    return 1 + z + z**2 / 2 + z**3 / 6 + z**4 / 24


def dt_max(lam: complex) -> float:
    """Largest h with |R₄(h λ)| ≤ 1 for a decaying mode λ (bisection on [0, 10/|λ|])."""
    lo, hi = 0.0, 10.0 / abs(lam)
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if abs(r4(mid * lam)) <= 1 else (lo, mid)
    return lo


def analyse(name: str, cells: int) -> dict:
    model = crnzoo.load(name)
    c = zoo.entry(name).task.config
    k = model.for_solver()
    M, deg = np.asarray(k.M), np.asarray(k.deg)
    steps = round(c.t_grow / c.dt)
    xs = np.asarray(grow(model, c.grid, c.t_grow, c.dt, save_every=1, method=c.method).xs)  # (steps+1, H, W, S)
    stiffest, worst_amp = 0j, 0.0
    for x in xs[:-1].reshape(steps, -1, xs.shape[-1]):
        for cell in np.argsort((3 * deg * x**2).max(axis=1))[-cells:]:
            lam = np.linalg.eigvals(M.T - np.diag(3 * deg * x[cell] ** 2))
            dec = lam[lam.real < 0]
            if dec.size:
                worst_amp = max(worst_amp, float(np.abs(r4(c.dt * dec)).max()))
                j = np.argmax(np.abs(dec))
                if abs(dec[j]) > abs(stiffest):
                    stiffest = complex(dec[j])
    return {"name": name, "method": c.method, "dt": c.dt, "steps": steps, "stiffest": stiffest, "dt_lambda": c.dt * abs(stiffest),
            "max_amp": worst_amp, "dt_max": dt_max(stiffest), "x_max": float(xs.max())}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", default=[n for n in zoo.list_models() if n.startswith("hopfield-")])
    ap.add_argument("--cells", type=int, default=8)
    a = ap.parse_args(argv)
    if a.cells < 1:
        ap.error(f"--cells must be >= 1, got {a.cells}")
    print(f"{'entry':24s} {'method':>6s} {'dt':>7s} {'steps':>5s} {'max x':>6s} {'stiffest decaying λ*':>22s} {'dt·|λ*|':>8s} {'max |R4|':>8s} {'RK4 dt_max':>10s}")
    for name in a.names:
        r = analyse(name, a.cells)
        lam = r["stiffest"]
        print(f"{name:24s} {r['method']:>6s} {r['dt']:7.4f} {r['steps']:5d} {r['x_max']:6.2f} {lam.real:11.3f}{lam.imag:+9.3f}j {r['dt_lambda']:8.3f} {r['max_amp']:8.3f} {r['dt_max']:10.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
