"""Issue-17 experiment (screening, rounds 8 to 11): wta-ring training recipes from scratch.

    python scripts/issue17/ring_recipes.py TAG SEED [--from MODEL.eqx] [--diffuse SPECIES] [--close P:GAP] SPEC [SPEC ...]

Each SPEC is one training phase, T:START:STEPS:BATCH:LR:LR_END:GROWTH:GSTART[:MARGIN]: horizon T,
squared hinge on A at every fixed step (dt = 0.5) after START·T (as `wta_ring.RingTask`), Adam
(the first phase from `LearnedRing.make(SEED)` with TRAIN's settings otherwise, later phases with
EXTEND's; phase i uses seed SEED + i), plus GROWTH × the losers' growth-rate term of `RingTask`
(margin MARGIN, default 0.02) taken only at the steps after GSTART·T. The card's recipe (round 9) is
    100:0.3333:1400:64:0.02:2e-3:0:0.3333 200:0.3333:1000:64:1e-2:1e-3:10:0.3333 400:0.25:300:64:3e-3:3e-4:10:0.25
and round 8's was
    100:0.3333:1400:64:0.02:2e-3:10:0.3333 200:0.3333:500:64:3e-3:3e-4:10:0.3333
`--from` starts the first phase from a baked ring saved by an earlier run (EXTEND's settings for
every phase) instead of `LearnedRing.make(SEED)`; `--diffuse B` (letters of A..E) pins every other
species' permeability at exactly 0 for the whole run (the App. C.2 network lets only B through).
`--dscale S` (round 11) scales every permeability of each training ring by its own factor in
[S, 1] (a 5-chamber ring with weaker membranes: its chambers as far apart as those of a larger ring).
`--close P:GAP` (round 10) gives a fraction P of the training rings a close call: one random loser
moved to within U[0, GAP] below the winner's A (still 5 chambers, E = 1 − A). `--dt` sets the
fixed step of the training solves (default 0.5).
The baked model is saved to /tmp/ring_recipes_TAG.eqx, then Table 1 at t = 100, 200, 400 with the
fast protocol (1,000 + 1,000 rings per n = 2..8, Tsit5 rtol 1e-5) is printed (shared threshold in
brackets).
"""
import argparse
import dataclasses
import os
import signal
import sys
import time
from pathlib import Path

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from crnzoo.crn import MembraneRing
from crnzoo.crn.diffusion import SparseDiffusionRing, ring_transport
from crnzoo.solve import SolverConfig, integrate
from crnzoo.tasks import wta_ring as w
from crnzoo.tasks._wta_ring_loss import squared_hinge
from crnzoo.tasks._wta_ring_table import ring_tables
from crnzoo.train import train


class ScaledMembranes(SparseDiffusionRing):
    """`SparseDiffusionRing` with each ring's permeabilities multiplied by its own factor
    `scale` (shape (batch, 1, 1)): the training-side view of rings with weaker membranes."""

    scale: jax.Array = None

    def rhs(self, t, x, args=None):
        return self.ring.chemistry.rhs(t, x, args) + ring_transport(x) * self.diffusion().astype(x.dtype) * self.scale

    def for_solver(self):
        return ScaledMembranes(self.ring.for_solver(), self.k_min, self.scale)


class LateGrowth(w.RingTask):
    def __init__(self, gstart, close=None, dscale=None, **kw):
        super().__init__(**kw)
        self.gstart, self.close, self.dscale = gstart, close, dscale

    def batch(self, key, size: int):
        """`RingTask`'s rings; with `close` = (P, GAP), a fraction P of them get a close call: one
        random loser is moved to A_max − U[0, GAP] (E = 1 − A kept), still a 5-chamber ring."""
        x = super().batch(key, size)
        if self.close is None:
            return x
        frac, gap = self.close
        k1, k2, k3 = jax.random.split(jax.random.fold_in(key, 1), 3)
        a = x[..., 0]
        top = jnp.argmax(a, axis=-1)
        other = (top + jax.random.randint(k1, (size,), 1, self.n_chambers)) % self.n_chambers
        new = jnp.maximum(jnp.max(a, axis=-1) - gap * jax.random.uniform(k2, (size,), jnp.float64), self.low)
        pick = jax.random.uniform(k3, (size,)) < frac
        rows = jnp.arange(size)
        a = a.at[rows, other].set(jnp.where(pick, new, a[rows, other]))
        return x.at[..., 0].set(a).at[..., -1].set(1.0 - a)

    def loss(self, model, x0):
        if self.dscale is None:
            model = SparseDiffusionRing(model, self.k_diffusion)
        else:  # each ring's factor in [dscale, 1], a deterministic function of its random A0
            u = jnp.mod(jnp.sum(x0[..., 0], axis=-1) * 7919.0, 1.0)
            model = ScaledMembranes(model, self.k_diffusion, (self.dscale + (1.0 - self.dscale) * u)[:, None, None])
        ys, _, ok, *_ = integrate(model, x0, self.ts, jnp.array(0.0), self.solver)
        winner = jnp.argmax(x0[..., 0], axis=-1)
        y = jnp.where(jnp.arange(self.n_chambers)[None, :] == winner[:, None], 1.0, -1.0)
        loss = jnp.mean(squared_hinge(ys[..., 0], y[None], self.low, self.high))
        late = (self.ts >= self.gstart * self.t_end - 1e-9)[:, None, None]
        loser = jnp.broadcast_to((y < 0)[None] & late, ys.shape[:-1])
        g = model.rhs(0.0, ys)[..., 0] / (ys[..., 0] + 1e-6)
        growth = jnp.where(loser, jax.nn.relu(g + self.growth_margin) ** 2, 0.0)
        return loss + self.growth_weight * jnp.sum(growth) / jnp.sum(loser), {"ok": ok}


def _spec(spec: str) -> tuple:
    """One phase spec as (spec, (T, start, steps, batch, lr, lr_end, growth, gstart, margin))."""
    f = spec.split(":")
    if len(f) not in (8, 9):
        raise argparse.ArgumentTypeError(f"bad SPEC {spec!r}: expected T:START:STEPS:BATCH:LR:LR_END:GROWTH:GSTART[:MARGIN]")
    try:
        T, start, steps, batch, lr, lr_end, g, gs = f[:8]
        return spec, (float(T), float(start), int(steps), int(batch), float(lr), float(lr_end), float(g), float(gs),
                      float(f[8]) if len(f) > 8 else w.GROWTH_MARGIN)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"bad SPEC {spec!r} ({err})") from None


ap = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog="see the module docstring")
ap.add_argument("tag")
ap.add_argument("seed", type=int)
ap.add_argument("phases", metavar="SPEC", nargs="+", type=_spec)
ap.add_argument("--from", dest="start_from", type=Path, metavar="MODEL.eqx", help="start from this baked ring")
ap.add_argument("--diffuse", metavar="SPECIES", help="only these species may diffuse (letters of A..E)")
ap.add_argument("--dt", type=float, default=w.DT, help=f"fixed solver step of the training solves (default {w.DT:g})")
ap.add_argument("--dscale", type=float, metavar="S", help="scale each training ring's permeabilities by a factor in [S, 1]")
ap.add_argument("--close", metavar="P:GAP", help="a fraction P of the training rings get a close call (a loser within U[0, GAP] of the winner)")
cli = ap.parse_args()
tag, seed, phases, start_from, diffuse = cli.tag, cli.seed, cli.phases, cli.start_from, cli.diffuse
close = None
if cli.close is not None:
    try:
        close = tuple(float(v) for v in cli.close.split(":"))
    except ValueError:
        close = ()
    if len(close) != 2 or not (0 <= close[0] <= 1 and close[1] > 0):
        ap.error(f"--close {cli.close!r}: expected P:GAP with 0 <= P <= 1 and GAP > 0")
if cli.dscale is not None and not 0 < cli.dscale <= 1:
    ap.error(f"--dscale {cli.dscale:g}: expected S in (0, 1]")
if not 0 < cli.dt <= 1:
    ap.error(f"--dt {cli.dt:g}: expected a step in (0, 1]")
if start_from is not None and not start_from.is_file():
    ap.error(f"--from {start_from}: no such file")
if diffuse is not None and (not diffuse or set(diffuse) - set(w.SPECIES)):
    ap.error(f"--diffuse {diffuse!r}: expected letters of {''.join(w.SPECIES)}")
out = Path(f"/tmp/ring_recipes_{tag}.eqx")
if out.exists():
    print(f"ring_recipes: {out} already exists; choose another TAG (nothing is overwritten)", file=sys.stderr)
    sys.exit(2)
signal.signal(signal.SIGINT, lambda *_: (print("ring_recipes: interrupted; nothing written", file=sys.stderr), os._exit(130)))
t0 = time.time()
if start_from is None:
    m = w.LearnedRing().make(seed)
else:
    from crnzoo import load

    m = eqx.tree_deserialise_leaves(start_from, load("wta-ring"))
if diffuse is not None:  # sigmoid(-inf) = 0 and its gradient is 0: the pinned permeabilities never move
    keep = jnp.asarray([s in diffuse for s in w.SPECIES])
    m = eqx.tree_at(lambda r: r.diffusion_logits, m, jnp.where(keep, m.diffusion_logits, -jnp.inf))
for i, (spec, (T, start, steps, batch, lr, lr_end, g, gs, margin)) in enumerate(phases):
    task = LateGrowth(gs, close, cli.dscale, n_chambers=5, t_end=T, dt=cli.dt, low=0.01, high=0.9, k_diffusion=w.K_MIN,
                      start_fraction=start, growth_weight=g, growth_margin=margin)
    base = w.TRAIN if i == 0 and start_from is None else w.EXTEND
    cfg = dataclasses.replace(base, seed=seed + i, steps=steps, batch_size=batch, lr=lr, lr_end=lr_end, checkpoint_every=10**9)
    m, h = train(m, task, cfg, progress=False)
    print(f"{tag} phase {spec}: {time.time()-t0:.0f} s loss first/last {np.mean(h.loss[:10]):.4f} {np.mean(h.loss[-20:]):.4f}", flush=True)
baked = SparseDiffusionRing(m, w.K_MIN).baked()
shipped = MembraneRing(baked.chemistry.with_sparsity(w.K_MIN), baked.diffusion_logits, baked.x0)
part = out.with_suffix(".part")
eqx.tree_serialise_leaves(part, shipped)
os.replace(part, out)  # atomic: a run stopped mid-write leaves no model file
signal.signal(signal.SIGINT, lambda *_: (print(f"ring_recipes: interrupted during the evaluation; {out} is complete", file=sys.stderr), os._exit(130)))
print(tag, "D", np.round(np.asarray(shipped.diffusion()), 3), flush=True)
tab = ring_tables(shipped, w.CHAMBERS, n_eval=1000, n_test=1000, t_ends=(100.0, 200.0, 400.0), seed=0, solver=SolverConfig("tsit5", rtol=1e-5, atol=1e-7))
for t, v in tab.items():
    print(tag, int(t), " ".join("%.2f" % (100 * v[f"test_accuracy_n{k}"]) for k in range(2, 9)), "(%.2f)" % (100 * v["test_accuracy_all"]), flush=True)
print(tag, "total %.0f s" % (time.time() - t0))
