"""Issue-17 probe of the late-time loser takeover in small wta rings (measurement only, nothing trained).

    python scripts/issue17/ring_takeover.py [NAME ...]        # default: wta-ring wta-ring-paper

For each network: (1) the terms of d(A)/dt in the loser and the winner of the 2-chamber ring
A0 = (0.6, 0.3) and of the 5-chamber default ring at t = 100, 150, 200 (reaction fluxes from the
listing at k = 1e-3, the loser's A growth rate = dA/dt / A); (2) 5-chamber argmax accuracy at
t = 100/200/400 (200 rings, seed 11) when every membrane's permeability is scaled by f, when one
membrane next to the winner is cut, and when the initial state is scaled by s (n = 2, 3, 5).
"""
import sys

import numpy as np

from crnzoo import load
from crnzoo.solve import SolverConfig, simulate
from crnzoo.tasks._wta_ring_table import sample_rings
from crnzoo.tasks.wta_ring import SPECIES, default_x0

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from ring_cut import EdgeWeightedRing

FAST = SolverConfig("tsit5", rtol=1e-5, atol=1e-7)
IDX = {s: i for i, s in enumerate(SPECIES)}


def terms(net, x, sp):
    out = []
    for r in net.reactions:
        flux = r.rate * np.prod([x[IDX[s]] ** c for s, c in r.reactants.items()])
        d = r.products.get(sp, 0) - r.reactants.get(sp, 0)
        if d:
            out.append((d * flux, "+".join(r.reactants) + "->" + "+".join(r.products)))
    return sorted(out, key=lambda t: -abs(t[0]))


def argmax_acc(model, x0, ts=(0, 100, 200, 400.0)):
    ys = np.asarray(simulate(model, np.array(ts), x0, solver=FAST).ys[..., 0])
    win = np.argmax(x0[..., 0], 1)
    return " ".join("%.3f" % np.mean(np.argmax(ys[:, j], 1) == win) for j in range(1, len(ts)))


def probe(name):
    m = load(name)
    net = m.chemistry.network(1e-3)
    print(name, "D =", np.round(np.asarray(m.diffusion()), 4))
    for a in [(0.6, 0.3), (0.6, 0.3, 0.5, 0.2, 0.4)]:
        ts = np.array([0, 100, 150, 200.0])
        ys = np.asarray(simulate(m, ts, default_x0(a)[None], solver=SolverConfig("tsit5", rtol=1e-7, atol=1e-10)).ys[0])
        for j, t in enumerate(ts[1:], 1):
            for role, x in (("loser", ys[j, 1]), ("winner", ys[j, 0])):
                fl = terms(net, x, "A")
                tot = sum(f for f, _ in fl)
                print(f"  n={len(a)} t={t:g} {role:6s} state {np.round(x, 3)} A rate {tot / max(x[0], 1e-12):+.3f}:",
                      " ".join("%s %.1e" % (r, f) for f, r in fl[:4]))
    wr = EdgeWeightedRing(m, 0.0)
    x0 = sample_rings(200, 5, seed=11)
    win = np.argmax(x0[..., 0], 1)
    for f in (0.25, 0.5, 1.0, 2.0, 4.0):
        print(f"  n=5 permeability x{f:g}: t100/200/400 {argmax_acc(wr, np.concatenate([x0, np.full((200, 5, 1), f)], -1))}")
    for off in (0, 1):
        w = np.ones((200, 5))
        w[np.arange(200), (win + off) % 5] = 0.0
        print(f"  n=5 membrane (winner+{off}, winner+{off + 1}) cut: t100/200/400 {argmax_acc(wr, np.concatenate([x0, w[..., None]], -1))}")
    for n in (2, 3, 5):
        for s in (0.4, 1.0, 2.5):
            print(f"  n={n} initial state x{s:g}: t100/200/400 {argmax_acc(m, sample_rings(200, n, seed=11) * s)}")


if __name__ == "__main__":
    for name in sys.argv[1:] or ["wta-ring", "wta-ring-paper"]:
        probe(name)
