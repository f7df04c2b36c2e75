"""Placing a catalytic approximate majority's threshold at a bias: A wins iff A0 > (1 + b)·B0.

A network of bimolecular catalytic reactions that conserves mass is homogeneous: scaling the
initial state only rescales time, so from (A0, B0, 0, …) its winner depends on the ratio
A0/B0 alone, and there is one threshold ratio ρ where the winner switches. The symmetric
pretrained network has ρ = 1. Slowing every reaction that consumes B by a factor s < 1 (the
row-stochastic tensor's off-diagonal entries with input B, the diagonal taking the rest)
favours B and moves ρ above 1; slowing those that consume A moves it below 1. `place`
finds s by bisection on log s so that ρ = 1 + b to `RTOL`, starting from the pretrained
rates — no gradient step; ρ itself is found by bisection on A0/(A0 + B0) with the card's
read-out time and solver.
"""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
import numpy as np

from ..solve import simulate

RTOL = 1e-4
S_MIN = 1e-3


def slowed(model, species: int, s: float):
    """`model` with every reaction consuming `species` s times slower (see the module)."""
    P = np.asarray(model.probabilities())
    n = P.shape[0]
    eye = np.eye(n, dtype=bool)[None]
    off = np.where(eye, 0.0, P)
    off[:, species, :] *= s
    stay = 1.0 - off.sum(-1)
    Pn = off + eye * stay[..., None]
    W = np.where(Pn > 0, np.log(np.maximum(Pn, 1e-300)), -np.inf)
    return eqx.tree_at(lambda m: m.logits, model, jnp.asarray(W, dtype=model.logits.dtype))


def threshold_ratio(model, a: int, b: int, t_end: float, iters: int = 12) -> float:
    """ρ: the ratio A0/B0 (A0 + B0 = 1, others 0) where the winner at `t_end` switches from B to A
    (inf / 0 when A never / always wins on (0.001, 0.999))."""
    n = len(model.species)

    def a_wins(xs):
        x0 = np.zeros((len(xs), n))
        x0[:, a], x0[:, b] = xs, 1.0 - xs
        final = simulate(model, np.array([0.0, t_end]), x0).final
        return final[:, a] > final[:, b]

    lo, hi = 1e-3, 1 - 1e-3
    ends = a_wins(np.array([lo, hi]))
    if ends[0]:
        return 0.0
    if not ends[1]:
        return float("inf")
    for _ in range(iters):  # four-way splits: 3 points per solve
        xs = np.linspace(lo, hi, 5)[1:-1]
        w = a_wins(xs)
        k = int(np.argmax(w)) if w.any() else 3
        lo, hi = (xs[k - 1] if k > 0 else lo), (xs[k] if k < 3 else hi)
    x = 0.5 * (lo + hi)
    return float(x / (1.0 - x))


def place(model, bias: float, a: int, b: int, t_end: float, log=None) -> tuple[object, dict]:
    """The pretrained `model` with its threshold at 1 + `bias` (see the module) and card fields."""
    if bias == 0:
        return model, {"steps": 0, "method": "unchanged (the pretrained threshold is 1)", "threshold_ratio": threshold_ratio(model, a, b, t_end)}
    target = 1.0 + bias
    slow = b if bias > 0 else a
    lo, hi = np.log(S_MIN), 0.0  # log s: at s = 1 the ratio is the pretrained one
    rho = threshold_ratio(slowed(model, slow, S_MIN), a, b, t_end)
    if (bias > 0 and rho < target) or (bias < 0 and rho > target):
        raise ValueError(f"slowing the reactions that consume {'B' if bias > 0 else 'A'} 1000-fold moves the threshold only to {rho:.4g}; the bias {bias:g} is out of this network's reach")
    for it in range(40):
        mid = 0.5 * (lo + hi)
        rho = threshold_ratio(slowed(model, slow, float(np.exp(mid))), a, b, t_end)
        if log:
            log(f"bias placement {it}: s = {np.exp(mid):.5g}, threshold A0/B0 = {rho:.5g} (target {target:g})")
        if abs(rho / target - 1.0) < RTOL:
            break
        # a smaller s favours the slowed species more: the threshold moves away from 1
        if (rho < target) == (bias > 0):
            hi = mid
        else:
            lo = mid
    s = float(np.exp(mid))
    who = "B" if bias > 0 else "A"
    return slowed(model, slow, s), {"steps": 0, "method": f"every reaction consuming {who} × {s:.5g} (threshold placed by bisection)",
                                    "rate_factor": s, "threshold_ratio": rho}


class BiasFinetune:
    """The majority entries' fine-tuning on a bias (mixed into their tasks): a catalytic network
    gets its threshold placed (`place`); any other the gradient fine-tune of `ZooTask`."""

    def finetune(self, model, spec, steps=None, seed=0, lr=None, train_config=None, progress=True):
        from ..crn import CatalyticCRN
        from .base import ZooTask

        if isinstance(model, CatalyticCRN):
            task = self.retarget(spec)
            return place(model, task.bias, 0, 1, task.training().t_end, print if progress else None)
        return ZooTask.finetune(self, model, spec, steps, seed, lr, train_config, progress)
