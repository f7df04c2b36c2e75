"""Issue-17 experiment (screening, not shipped): a third wta-ring phase on 5-chamber rings with
(a) a cut-membrane augmentation and/or (b) a penalty on the losers' late-time A growth rate.

    python scripts/issue17/ring_cut.py STEPS T_END START CUT GROWTH [BATCH] [SEED] [BUMP]

- continues the shipped wta-ring (T = 100 then T = 200, seed 0) at horizon T_END, squared hinge
  (eq. 3) on A at every fixed step (dt = 0.5) after START·T_END, round 7's T = 200 optimiser (ROUND7_EXTEND);
- CUT = 1: in every training ring one membrane (chosen uniformly) has its permeabilities scaled
  by u ~ U[0, 1] (a 5-chamber ring with a weak or cut edge: the winner or a loser may then have
  a single neighbour, as every chamber of a 2-ring has); 0: plain rings;
- GROWTH > 0: adds GROWTH · mean(relu(dA/dt / (A + 1e-6) + 0.02)^2) over the losers at the same
  steps (the suppressed state must be linearly stable with margin 0.02 per time unit);
- BUMP > 0: that growth rate is taken at a counterfactual loser state with every transported
  species raised by BUMP·D_b (the loser must stay suppressed if the messenger is not sunk, as
  in small rings where the winner's A stays low).
STEPS = 0: from scratch instead (wta-ring's recipe, seed SEED: T = 100 with TRAIN, then T_END
with ROUND7_EXTEND, both phases with the CUT / GROWTH / BUMP terms; START applies to the second phase).
Then Table 1 at t = 100, 200, 400 with 500 + 500 rings (Tsit5 rtol 1e-5) on n = 2..8, and the
5-chamber argmax accuracy with a cut membrane (the training objective's view, 300 rings).
Selection is on the 5-chamber figures only; n = 2..8 are reported.
"""
import dataclasses
import sys
import time

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from crnzoo import load
from crnzoo.crn import MembraneRing
from crnzoo.crn.base import CRNModel
from crnzoo.crn.diffusion import SparseDiffusionRing
from crnzoo.solve import SolverConfig, integrate, simulate
from crnzoo.tasks import wta_ring as w
from crnzoo.tasks._wta_ring_loss import squared_hinge

# round 7's second-phase optimiser (wta-ring's EXTEND then): 500 Adam steps, lr 3e-3 -> 3e-4
ROUND7_EXTEND = dataclasses.replace(w.TRAIN, steps=500, lr=3e-3, lr_end=3e-4)
from crnzoo.tasks._wta_ring_table import ring_tables, sample_rings
from crnzoo.train import train


class EdgeWeightedRing(CRNModel):
    """A ring whose state carries one extra column: the permeability scale of edge (i, i+1)."""

    ring: MembraneRing
    k_min: float = eqx.field(static=True)

    @property
    def species(self):
        return self.ring.species + ("w",)

    @property
    def x0(self):
        return jnp.concatenate([self.ring.x0, jnp.ones((self.ring.x0.shape[0], 1))], -1)

    def network(self, k_min=0.0, name="crn"):
        raise NotImplementedError

    def accepts_state_shape(self, shape):
        return len(shape) >= 2 and shape[-1] == len(self.ring.species) + 1

    def for_solver(self):
        return EdgeWeightedRing(self.ring.for_solver(), self.k_min)

    def transport_rhs(self, t, y, wgt):
        D = self.ring.diffusion()
        if self.k_min > 0:
            D = D + jax.lax.stop_gradient(jnp.where(D >= self.k_min, D, 0.0) - D)
        wl = jnp.roll(wgt, 1, axis=-2)
        tr = wl * (jnp.roll(y, 1, axis=-2) - y) + wgt * (jnp.roll(y, -1, axis=-2) - y)
        return self.ring.chemistry.rhs(t, y, None) + tr * D.astype(y.dtype)

    def rhs(self, t, x, args=None):
        y, wgt = x[..., :-1], x[..., -1:]
        return jnp.concatenate([self.transport_rhs(t, y, wgt), jnp.zeros_like(wgt)], -1)


class CutRingTask(w.RingTask):
    def __init__(self, cut: bool, growth: float, bump: float = 0.0, **kw):
        super().__init__(**kw)
        self.cut, self.growth, self.bump = cut, growth, bump

    def batch(self, key, size):
        k1, k2, k3 = jax.random.split(key, 3)
        x = super().batch(k1, size)
        wgt = jnp.ones((size, self.n_chambers))
        if self.cut:
            edge = jax.random.randint(k2, (size,), 0, self.n_chambers)
            u = jax.random.uniform(k3, (size,), jnp.float64)
            wgt = wgt.at[jnp.arange(size), edge].set(u)
        return jnp.concatenate([x, wgt[..., None]], -1)

    def loss(self, model, x0):
        m = EdgeWeightedRing(model, self.k_diffusion)
        ys, _, ok, *_ = integrate(m, x0, self.ts, jnp.array(0.0), self.solver)
        winner = jnp.argmax(x0[..., 0], axis=-1)
        y = jnp.where(jnp.arange(self.n_chambers)[None, :] == winner[:, None], 1.0, -1.0)
        loss = jnp.mean(squared_hinge(ys[..., 0], y[None], self.low, self.high))
        if self.growth > 0:
            st = ys[..., :-1]
            if self.bump > 0:  # counterfactual: every transported species raised by bump·D
                st = st + self.bump * jax.lax.stop_gradient(model.diffusion()).astype(st.dtype)
            dA = m.transport_rhs(0.0, st, ys[..., -1:])[..., 0]
            g = dA / (st[..., 0] + 1e-6)
            loser = (y < 0)[None]
            loss = loss + self.growth * jnp.sum(jnp.where(loser, jax.nn.relu(g + 0.02) ** 2, 0.0)) / jnp.sum(loser * jnp.ones_like(g))
        return loss, {"ok": ok}


def bake(model):
    baked = SparseDiffusionRing(model, w.K_MIN).baked()
    return MembraneRing(baked.chemistry.with_sparsity(w.K_MIN), baked.diffusion_logits, baked.x0)


def cut_accuracy(model, n_rings=300):
    """5-chamber argmax accuracy at t = 100/200/400 with one membrane cut next to the winner."""
    m = EdgeWeightedRing(model, 0.0)
    x0 = sample_rings(n_rings, 5, seed=11)
    win = np.argmax(x0[..., 0], 1)
    out = []
    for off in (0, 1):
        wgt = np.ones(x0.shape[:2])
        wgt[np.arange(n_rings), (win + off) % 5] = 0.0
        ys = np.asarray(simulate(m, np.array([0, 100, 200, 400.0]), np.concatenate([x0, wgt[..., None]], -1), solver=SolverConfig("tsit5", rtol=1e-5, atol=1e-7)).ys[..., 0])
        out.append([float(np.mean(np.argmax(ys[:, j], 1) == win)) for j in (1, 2, 3)])
    return out


def main():
    steps, T, start, cut, growth = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), bool(int(sys.argv[4])), float(sys.argv[5])
    batch = int(sys.argv[6]) if len(sys.argv) > 6 else 64
    seed = int(sys.argv[7]) if len(sys.argv) > 7 else 7
    bump = float(sys.argv[8]) if len(sys.argv) > 8 else 0.0
    t0 = time.time()
    if steps == 0:  # from scratch: wta-ring's two phases (T = 100, then T_END) with the same extra terms
        m = w.LearnedRing().make(seed)
        kw = dict(n_chambers=5, dt=w.DT, low=0.01, high=0.9, k_diffusion=w.K_MIN)
        m, h = train(m, CutRingTask(cut, growth, bump, t_end=w.T_TRAIN, **kw), dataclasses.replace(w.TRAIN, seed=seed, checkpoint_every=10**9), progress=False)
        print("phase 1 %.0f s loss last %.4f" % (time.time() - t0, np.mean(h.loss[-10:])), flush=True)
        task = CutRingTask(cut, growth, bump, t_end=T, start_fraction=start, **kw)
        model, h = train(m, task, dataclasses.replace(ROUND7_EXTEND, seed=seed + 1, checkpoint_every=10**9), progress=False)
    else:
        m = load("wta-ring")
        print("shipped cut-5 (edge at winner / next):", cut_accuracy(m), flush=True)
        task = CutRingTask(cut, growth, bump, n_chambers=5, t_end=T, dt=w.DT, low=0.01, high=0.9, k_diffusion=w.K_MIN, start_fraction=start)
        cfg = dataclasses.replace(ROUND7_EXTEND, steps=steps, seed=seed, batch_size=batch, checkpoint_every=10**9)
        model, h = train(m, task, cfg, progress=False)
    print("args", sys.argv[1:], "train %.0f s" % (time.time() - t0), "loss first/last %.4f %.4f" % (np.mean(h.loss[:10]), np.mean(h.loss[-10:])), flush=True)
    shipped = bake(model)
    eqx.tree_serialise_leaves(f"/tmp/h17r_ring_cut_{'_'.join(sys.argv[1:])}.eqx", shipped)
    print("trained cut-5 (edge at winner / next):", cut_accuracy(shipped), flush=True)
    tab = ring_tables(shipped, (5, 2, 3, 4, 6, 7, 8), n_eval=500, n_test=500, t_ends=(100.0, 200.0, 400.0), seed=0, solver=SolverConfig("tsit5", rtol=1e-5, atol=1e-7))
    for t, v in tab.items():
        print(t, " ".join("n%d %.4f" % (k, v[f"test_accuracy_n{k}"]) for k in range(2, 9)), "all %.4f" % v["test_accuracy_all"], flush=True)
    print("total %.0f s" % (time.time() - t0))


if __name__ == "__main__":
    main()
