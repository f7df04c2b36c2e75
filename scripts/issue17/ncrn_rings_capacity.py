"""Issue-17 measurement: how well the Rings2D Neural ODE of each width d can fit at all (not chemically).

    python scripts/issue17/ncrn_rings_capacity.py KIND [--d 3 4 5 6] [--restarts R] [--steps N]

KIND is `cubic` (f = θx − z⊙z⊙z) or `quadratic` (f = θx − 0.3·z|z|, the rail-wise circuit's
κ → ∞ limit). For each d: full-batch Adam (lr 3e-2 → 3e-3) on the paper's loss, the mean over
the 101 training points of ½(Σ_i z_i(T) − y)², with z(T) from fixed-step RK4 (64 steps over
T = 0.9), from R random θ0 ~ N(0, 1)/√d. Prints the best training loss reached and the
validation accuracy of that θ (on the card's data set, data seed 0). This separates capacity
(what θ of this f can do) from the chemical SGD (batch 1, η = 0.5) that the entries run.
"""

from __future__ import annotations

import argparse
import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import optax

from crnzoo.models import ncrn as m
from crnzoo.tasks import ncrn as t

jax.config.update("jax_enable_x64", True)


def final_state(spec, theta, x, steps: int = 64):
    """z(T) of dz/dt = spec.f(z, θ, x), z(0) = x, by RK4 with `steps` steps (x: (n, d))."""
    h = spec.T / steps
    f = lambda z: spec.f(z, theta, x)

    def body(z, _):
        k1 = f(z)
        k2 = f(z + 0.5 * h * k1)
        k3 = f(z + 0.5 * h * k2)
        k4 = f(z + h * k3)
        return z + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4), None

    return jax.lax.scan(body, x, None, length=steps)[0]


def fit(spec, data, seed: int, steps: int):
    xs, ys = jnp.asarray(spec.pad_inputs(data.train.x)), jnp.asarray(data.train.y[:, 0])
    loss = lambda th: jnp.mean(0.5 * (final_state(spec, th, xs).sum(-1) - ys) ** 2)
    opt = optax.adam(optax.exponential_decay(3e-2, steps, 0.1))
    th = jnp.asarray(np.random.default_rng(seed).normal(0, 1, spec.n_params) / np.sqrt(spec.d))

    @jax.jit
    def step(th, st):
        v, g = jax.value_and_grad(loss)(th)
        up, st = opt.update(g, st, th)
        return optax.apply_updates(th, up), st, v

    st = opt.init(th)
    for _ in range(steps):
        th, st, _ = step(th, st)
    xv = jnp.asarray(spec.pad_inputs(data.val.x))
    yv = np.asarray(final_state(spec, th, xv).sum(-1))
    tr = np.asarray(final_state(spec, th, xs).sum(-1))
    return float(loss(th)), float(np.mean((yv > 0.5) == (data.val.labels == 1))), float(np.mean((tr > 0.5) == (data.train.labels == 1)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("kind", choices=("cubic", "quadratic"))
    ap.add_argument("--d", type=int, nargs="+", default=[3, 4, 5, 6])
    ap.add_argument("--restarts", type=int, default=4)
    ap.add_argument("--steps", type=int, default=1500)
    a = ap.parse_args()
    base = m.CUBIC if a.kind == "cubic" else m.QUADRATIC
    data = t.rings2d(0)
    for d in a.d:
        spec = dataclasses.replace(base, d=d)
        runs = [fit(spec, data, s, a.steps) for s in range(a.restarts)]
        best = min(runs)
        print(f"{a.kind} d={d}: best train loss {best[0]:.5f} (train acc {best[2]:.4f}, val acc {best[1]:.4f}); "
              f"all restarts (train loss, val acc): {[(round(r[0], 4), round(r[1], 4)) for r in runs]}", flush=True)


if __name__ == "__main__":
    main()
