"""Benchmark: the cost of one training step of `hopfield-turing-small` (issue 17's Hopfield row).

A training step is `jax.value_and_grad` of the image loss through the whole growth: 125 IMEX
steps (dt = 0.1 to t = 12.5) of N = 32 dual-rail neurons (64 species) on a 48×48 grid, float32,
gradient checkpointing every 25 steps — the card's configuration (`crnzoo.tasks.hopfield.SMALL`).

- crnzoo: `crnzoo.spatial.simulate_field` as training runs it.
- reference: the same solve written the plain way, in this process: RK4 on the 3-D field
  (*H, W, S*) and the annihilation as scatter-adds (the formulation before this benchmark).
  Both give the same loss and gradient to rounding (`tests/test_imex_fast_paths.py`).
- `hopfield-turing-medium`'s step (`MEDIUM`: 16 IMEX steps of dt = 12.5/16 with the "split"
  reaction update, one matrix product per step, and one checkpoint segment, so no
  recomputation in the backward pass) at the same size (N = 32, 48×48): the step that entry
  trains with, and the same with one checkpoint segment per step (a smaller working set: faster
  on CPU; the shipped medium card was trained with one segment of 16). It is a different
  discretisation, so its loss differs; the ratio is the cost of a training step at equal size.

Each variant is timed as the median of `--repeats` interleaved calls after compilation, CPU
seconds of this process (wall alongside), so a busy machine slows both alike.

The table also gives the loss of the shipped model grown at other steps dt (float64): the
trained map is tuned to dt = 0.1, so a larger step is a different model, not a free speed-up.

    python benchmarks/hopfield_step.py [--repeats 5] [--no-dt-table]
"""

from __future__ import annotations

import argparse
import time

import crnzoo  # noqa: F401  (float64)
import jax
import jax.numpy as jnp
import numpy as np

from crnzoo.spatial import Grid, simulate_field
from crnzoo.spatial import imex
from crnzoo.spatial.hopfield import init
from crnzoo.tasks.hopfield import MEDIUM, SMALL, grow, image_loss, load_target, seed_field


def _plain_step(x, dt, react, diff_factor, grid, method="rk4", fast=None, clamp=False, t=0.0, diffuse_first=False):
    """The reference formulation: reactions on the 3-D field, annihilation by scatter-adds."""
    k1 = react(t, x)
    k2 = react(t + dt / 2, x + dt / 2 * k1)
    k3 = react(t + dt / 2, x + dt / 2 * k2)
    k4 = react(t + dt, x + dt * k3)
    y = jnp.maximum(x + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4), 0.0)
    y = grid.inverse(grid.forward(y) * diff_factor).astype(x.dtype)
    ia, ib = np.asarray(fast.ia), np.asarray(fast.ib)
    m = jnp.minimum(y[..., ia], y[..., ib])
    return y.at[..., ia].add(-m).at[..., ib].add(-m)


def _step_fn(plain: bool, dt: float = SMALL.dt, save_every: int = SMALL.save_every, method: str = "rk4"):
    c = SMALL
    f32 = jnp.float32
    target = jnp.asarray(load_target(c.grid), f32)
    x0 = seed_field(c.grid, c.n_neurons, f32)
    grid = Grid((c.grid, c.grid))

    def loss(m):
        out = simulate_field(m, x0, c.t_grow, dt, grid=grid, method=method, clamp=method == "rk4", save_every=save_every, check=False, grad=True)
        return image_loss(out.final, target)

    if not plain:
        return jax.jit(jax.value_and_grad(loss))

    def swapped(m):
        kept = imex.imex_step
        imex.imex_step = _plain_step  # traced once, under jit, then restored
        try:
            return jax.value_and_grad(loss)(m)
        finally:
            imex.imex_step = kept

    return jax.jit(swapped)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--no-dt-table", action="store_true")
    a = ap.parse_args(argv)
    model = jax.tree_util.tree_map(lambda v: v.astype(jnp.float32), init(SMALL.n_neurons, jax.random.PRNGKey(0)))
    medium = f"medium's step ({round(SMALL.t_grow / MEDIUM.dt)} {MEDIUM.method})"
    fns = {
        "crnzoo": _step_fn(False),
        "reference (3-D RK4, scatter)": _step_fn(True),
        medium: _step_fn(False, MEDIUM.dt, MEDIUM.save_every, MEDIUM.method),
        f"{medium}, segments of 1": _step_fn(False, MEDIUM.dt, 1, MEDIUM.method),
    }
    out = {k: jax.block_until_ready(f(model)) for k, f in fns.items()}
    (l1, g1), (l2, g2), (l3, _), (l4, _) = out.values()
    err = max(float(jnp.max(jnp.abs(a - b)) / (jnp.max(jnp.abs(b)) + 1e-30)) for a, b in zip(jax.tree_util.tree_leaves(g1), jax.tree_util.tree_leaves(g2)))
    times = {k: [] for k in fns}
    for _ in range(a.repeats):
        for k, f in fns.items():
            c0, w0 = time.process_time(), time.perf_counter()
            jax.block_until_ready(f(model))
            times[k].append((time.process_time() - c0, time.perf_counter() - w0))
    print(f"one training step, N = {SMALL.n_neurons}, {SMALL.grid}x{SMALL.grid}, {round(SMALL.t_grow / SMALL.dt)} IMEX steps, float32")
    print(f"loss {float(l1):.6g} vs {float(l2):.6g}; largest gradient difference {err:.2e} (relative to the largest entry)")
    print(f"{medium}: loss {float(l3):.6g} / {float(l4):.6g} with segments of 1 (a different discretisation of the same random model)")
    ref = np.median([t[0] for t in times["reference (3-D RK4, scatter)"]])
    ref_wall = np.median([t[1] for t in times["reference (3-D RK4, scatter)"]])
    print(f"{'variant':40s} {'CPU s':>8s} {'wall s':>8s} {'CPU ratio':>10s} {'wall ratio':>11s}")
    for k, v in times.items():
        cpu, wall = np.median([t[0] for t in v]), np.median([t[1] for t in v])
        print(f"{k:40s} {cpu:8.3f} {wall:8.3f} {ref / cpu:9.2f}x {ref_wall / wall:10.2f}x")
    if not a.no_dt_table:
        shipped = crnzoo.load("hopfield-turing-small")
        target = jnp.asarray(load_target(SMALL.grid))
        print("\nshipped model grown at other steps (float64): dt, loss")
        for dt in (0.05, 0.1, 0.125, 0.25, 0.5):
            f = grow(shipped, SMALL.grid, SMALL.t_grow, dt, check=False).final
            print(f"  {dt:6.3f}  {float(image_loss(f, target)):.5f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
