"""Fine-tuning `adc-3bit` on a user's converter: a number of bits and/or custom thresholds.

Targets (the command line's `--target`):

- `bits=N` (N = 1, 2 or 3): an N-bit converter with even bins, read on the N most
  significant bits (B2, then B1, then B0). The cascade has three output bits: more need new
  species and are refused by name.
- `thresholds=t1,t2,...` (2^N − 1 strictly increasing levels in (0, 1), N ≤ 3; with `bits=N`
  too, the count must agree): the code of x is the number of thresholds ≤ x, written in N
  bits on the most significant outputs. Uneven bins (a companding converter, a shifted
  range) are such lists.

Scored as the card scores the shipped converter (`ADCTargetTask`): every bin centre (the
midpoints between consecutive thresholds, 0 and 1 closing the ends) decoded right at
T = 400 (ε = 0.1), the fraction of 1,000 random levels (seed 0) at least 0.02 from a
threshold decoded right, and the worst margin at the centres.

Fine-tuning (`tune`) is the family's own derivative-free method, started from the shipped
rates rather than from the hand-set ones: a (1+1) random search in log space over the 27
cascade rates (two perturbed per step, each within [0.1, 1]) maximising the levels read right
on the new grid (bin centres + an even grid minus the levels within 0.015 of a threshold),
ties broken by the mean margin. `steps` is the number of search iterations.
"""

from __future__ import annotations

import re

import numpy as np

from .base import ZooTask

GRID = 120  # even levels in the search grid (before removing those near a threshold)
DEFAULT_STEPS = 150


def parse(spec, adc) -> np.ndarray:
    """The target's thresholds (increasing, in (0, 1), 2^N − 1 of them with N ≤ 3)."""
    usage = f"an adc target is bits=N (N ≤ 3) and/or thresholds=t1,t2,... (2^N − 1 increasing levels in (0, 1)); got {spec!r}"
    text = str(spec).replace(" ", "").lower()
    m = re.fullmatch(r"(?:bits=(\d+))?(?:(?:^|[,;])thresholds=([0-9eE.+,-]+))?", text)
    if not text or not m or not any(m.groups()):
        raise ValueError(usage)
    bits = int(m.group(1)) if m.group(1) else None
    if bits is not None and not 1 <= bits <= adc.N_BITS:
        raise ValueError(f"bits={bits}: the converter has {adc.N_BITS} output bits (B2, B1, B0); more bits need new species, fewer than 1 is no converter")
    if m.group(2) is None:
        return np.arange(1, 2**bits) / 2**bits
    try:
        th = np.array([float(t) for t in m.group(2).split(",") if t], dtype=np.float64)
    except ValueError:
        raise ValueError(usage) from None
    if not (th.size and np.all(np.isfinite(th)) and np.all((th > 0) & (th < 1)) and np.all(np.diff(th) > 0)):
        raise ValueError(f"thresholds must be strictly increasing numbers in (0, 1); got {m.group(2)!r}")
    n = int(round(np.log2(th.size + 1)))
    if 2**n - 1 != th.size or n > adc.N_BITS:
        raise ValueError(f"{th.size} thresholds: an N-bit converter (N ≤ {adc.N_BITS}) has 2^N − 1 of them (1, 3 or 7)")
    if bits is not None and bits != n:
        raise ValueError(f"bits={bits} has {2**bits - 1} thresholds, the list has {th.size}")
    return th


def target_code(th, x) -> np.ndarray:
    """The target bits (most significant first) of levels `x`, shape (len(x), N)."""
    n = int(round(np.log2(len(th) + 1)))
    k = np.searchsorted(np.asarray(th), np.asarray(x, dtype=np.float64), side="right")
    return np.stack([(k >> b) & 1 for b in range(n - 1, -1, -1)], axis=-1)


def centres(th) -> np.ndarray:
    edges = np.concatenate([[0.0], th, [1.0]])
    return 0.5 * (edges[:-1] + edges[1:])


def away(th, n: int, margin: float, seed: int) -> np.ndarray:
    """`n` levels x ~ U[0, 1] at least `margin` from every threshold (seed `seed`)."""
    rng, out = np.random.default_rng(seed), []
    while len(out) < n:
        x = rng.uniform(0.0, 1.0, 2 * n)
        out.extend(x[np.min(np.abs(x[:, None] - th[None]), axis=1) >= margin].tolist())
    return np.asarray(out[:n])


def read(model, th, xs, adc):
    """(all N bits right per level, read-out margin per level) at T = 400."""
    n = int(round(np.log2(len(th) + 1)))
    o = adc.final_outputs(model, xs).reshape(-1, adc.N_BITS, 2)[:, :n]
    want = target_code(th, xs)
    hi, lo, eps = o[..., 0], o[..., 1], adc.EPS
    got = np.where((hi >= 1 - eps) & (lo <= eps), 1, np.where((hi <= eps) & (lo >= 1 - eps), 0, -1))
    on, off = np.where(want == 1, o[..., 0], o[..., 1]), np.where(want == 1, o[..., 1], o[..., 0])
    return np.all(got == want, axis=1), np.minimum(on - (1 - adc.EPS), adc.EPS - off).min(axis=1)


def search(score, start, lower, upper, iters: int, seed: int, adc, log=None, sigma: float = 0.3, n_perturb: int = 2):
    """`adc.random_search` (two rates perturbed per step; `adc`: the family module), stopped early
    once every level reads right with the full margin (score (1, ε): nothing left to improve).
    Returns (rates, score, steps run)."""
    eps = adc.EPS
    done = lambda best: best[0] >= 1.0 and best[1] >= eps - 1e-3  # every level read right, within 0.001 of the ideal read-out
    return adc.random_search(score, start, lower, upper, iters, sigma, seed, log, n_perturb=n_perturb, stop=done)


def rates_of(model, adc) -> np.ndarray:
    """The 27 cascade rates of a converter (its row-stochastic tensor's entries)."""
    P, sp = np.asarray(model.probabilities()), list(model.species)
    return np.array([P[sp.index(c), sp.index(a), sp.index(b)] for a, c, b in adc.CASCADE_REACTIONS])


class ADCTargetTask(ZooTask):
    """The converter of thresholds `th` (see the module)."""

    def __init__(self, th, adc):
        self.adc = adc  # the family module `crnzoo.tasks.adc` (passed in: it imports this one)
        self.th = np.asarray(th, dtype=np.float64)
        self.n = int(round(np.log2(self.th.size + 1)))
        even = np.allclose(self.th, np.arange(1, 2**self.n) / 2**self.n)
        listed = ",".join(f"{t:g}" for t in self.th)
        self.target_name = f"{self.n}-bit ADC" + ("" if even else f" (thresholds {listed})")
        self.target_text = f"{self.n} bits" + (" (even bins)" if even else f", thresholds {listed}")
        bits = ", ".join(f"B{self.adc.N_BITS - 1 - i}" for i in range(self.n))
        nc = 2**self.n
        self.metrics = {
            "centres_correct": (f"bin centres (midpoints between thresholds {listed}) whose {self.n} bits ({bits}) read correctly at T = 400 (ε = 0.1)", None, f">= {nc}", 0.0),
            "random_accuracy": ("fraction of 1,000 random x (seed 0) at least 0.02 from a threshold whose bits all read correctly at T = 400", None, ">= 1", 1e-9),
            "margin_centres": ("worst read-out margin min(on − 0.9, 0.1 − off) over the bin centres (> 0: inside the ε box)", None, "> 0", 1e-5),
            "reactions_k0.1": ("reactions with rate > 0.1", None, None, 0.0),
        }

    def make(self):
        raise NotImplementedError("a converter target has no model of its own: fine-tune adc-3bit")

    def evaluate(self, model, fast: bool = False) -> dict[str, float]:
        xc = centres(self.th)
        xr = away(self.th, 200 if fast else 1000, 0.02, 0)
        ok, margin = read(model, self.th, np.concatenate([xc, xr]), self.adc)
        return {
            "centres_correct": float(ok[: xc.size].sum()),
            "random_accuracy": float(ok[xc.size :].mean()),
            "margin_centres": float(margin[: xc.size].min()),
            "reactions_k0.1": float(model.reaction_count(self.adc.K_MIN)),
        }

    def grid(self) -> np.ndarray:
        xs = np.linspace(0.5 / GRID, 1 - 0.5 / GRID, GRID)
        xs = xs[np.min(np.abs(xs[:, None] - self.th[None]), axis=1) >= 0.015]
        return np.concatenate([centres(self.th), xs])

    def tune(self, model, steps: int, seed: int, progress: bool):
        """Random search from the shipped rates (see the module); returns (model, card fields)."""
        xs = self.grid()
        k_min, k_max = self.adc.SearchConfig().rate_bounds

        def score(rates):
            try:
                m = self.adc.cascade_model(rates, k_min)
            except ValueError:  # a row's rates sum above 1
                return (-1.0, -1.0)
            try:
                ok, margin = read(m, self.th, xs, self.adc)
            except Exception:
                return (-1.0, -1.0)
            return float(ok.mean()), float(np.mean(np.clip(margin, -1.0, self.adc.EPS)))

        start = np.clip(rates_of(model, self.adc), k_min, k_max)
        first = score(start)
        rates, best, done = search(score, start, k_min, k_max, int(steps), seed, self.adc, print if progress else None)
        return self.adc.cascade_model(rates, k_min), {
            "steps": done,
            "method": "random search from the shipped rates" + (f", stopped at step {done} of {steps}: every grid level read right within 0.001 of the ideal" if done < int(steps) else ""),
            "initial_loss": 1.0 - first[0],
            "final_loss": 1.0 - best[0],
            "loss": "fraction of the search grid's levels read wrong",
            "grid_levels": int(xs.size),
        }
