"""The smallest working volume: run a task's stochastic check at decreasing Ω.

`StochasticCheck` is what a task's `stochastic_check` returns (runs that kept the function,
and why the others failed). `smallest_omega` walks Ω down a geometric grid and reports the
smallest Ω at which the function holds with probability ≥ `level` (point estimate p̂ ≥
level at that Ω and every larger one tried), with a confidence interval from exact
(Clopper-Pearson) bounds on p at each Ω:

- upper end: the smallest Ω from which every tried Ω has its lower bound ≥ level
  (there the function holds with probability ≥ level at that confidence);
- lower end: the smallest Ω from which every tried Ω has its upper bound ≥ level
  (below it the function fails more often than 1 − level at that confidence).

Both are limited by the grid's resolution (its factor). `lab_volume_fl` turns Ω into a
volume: with 1 concentration unit = c nM, Ω molecules per unit need V = Ω / (c·10⁻⁹·N_A) L
= Ω / (0.6022·c) fL (at 50 nM: 30.1 molecules per fL).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Mapping

import numpy as np
from scipy import stats


AVOGADRO = 6.02214076e23


@dataclasses.dataclass(frozen=True)
class StochasticCheck:
    """Outcome of a task's function check on `runs` stochastic sample paths at one Ω.

    - `passed`: runs whose read-out kept the entry's function; `runs`: runs made.
    - `failures`: what failed -> how many runs (a run counts once, under its first failure).
    - `method`: `direct` (exact) or `tau` (approximate).
    """

    passed: int
    runs: int
    failures: Mapping[str, int] = dataclasses.field(default_factory=dict)
    method: str = "direct"

    @property
    def fraction(self) -> float:
        return self.passed / self.runs if self.runs else float("nan")

    def interval(self, confidence: float = 0.95) -> tuple[float, float]:
        return clopper_pearson(self.passed, self.runs, confidence)

    @classmethod
    def from_reasons(cls, reasons, method: str = "direct") -> "StochasticCheck":
        """From one reason per run: None (passed) or a short text (what failed)."""
        reasons = list(reasons)
        fails = Counter(r for r in reasons if r)
        return cls(len(reasons) - sum(fails.values()), len(reasons), dict(fails.most_common()), method)


def clopper_pearson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact two-sided confidence interval of a binomial proportion k/n."""
    a = 1.0 - confidence
    lo = 0.0 if k == 0 else float(stats.beta.ppf(a / 2, k, n - k + 1))
    hi = 1.0 if k == n else float(stats.beta.ppf(1 - a / 2, k + 1, n - k))
    return lo, hi


def lab_volume_fl(omega: float, unit_nM: float = 50.0) -> float:
    """Volume in femtolitres holding Ω molecules per concentration unit of `unit_nM` nM."""
    return float(omega) / (unit_nM * 1e-9 * AVOGADRO * 1e-15)


@dataclasses.dataclass(frozen=True)
class Robustness:
    """Result of `smallest_omega` (see the module's docstring)."""

    level: float
    confidence: float
    checks: tuple[tuple[float, StochasticCheck], ...]  # (Ω, check), Ω decreasing
    omega_min: float | None  # None: the function did not hold at the largest Ω tried
    omega_interval: tuple[float | None, float | None]
    fails_first: str | None  # the most common failure at the largest Ω below omega_min

    def statement(self, unit_nM: float = 50.0, per: str = "") -> str:
        """The lab statement, e.g. 'at 1 unit = 50 nM this needs a volume >= 6.6 fL ...';
        `per` (e.g. "grid cell") says what Ω and the volume are counted in."""
        per = f" per {per}" if per else ""
        if self.omega_min is None:
            return f"did not hold with probability >= {self.level:g} even at Ω = {self.checks[0][0]:g}{' molecules per unit' + per if per else ''} (the largest tried)"
        lo, hi = self.omega_interval
        top = self.checks[0][0]
        ci = f"{_fmt(lo)}..{_fmt(hi) if hi is not None else f'>{top:g} (more runs needed)'}"
        v = lab_volume_fl(self.omega_min, unit_nM)
        return (
            f"holds with probability >= {self.level:g} down to Ω = {self.omega_min:g} molecules per unit{per} "
            f"({self.confidence:.0%} CI of the threshold: Ω in {ci}); at 1 unit = {unit_nM:g} nM this needs a "
            f"volume >= {v:.3g} fL{per}"
        )

    def to_dict(self, unit_nM: float = 50.0) -> dict:
        return {
            "level": self.level,
            "confidence": self.confidence,
            "omega_min": self.omega_min,
            "omega_interval": list(self.omega_interval),
            "fails_first": self.fails_first,
            "unit_nM": unit_nM,
            "volume_fl": None if self.omega_min is None else lab_volume_fl(self.omega_min, unit_nM),
            "methods": sorted({c.method for _, c in self.checks}),
            "checks": [
                {"omega": o, "method": c.method, "passed": c.passed, "runs": c.runs, "interval": list(c.interval(self.confidence)), "failures": dict(c.failures)}
                for o, c in self.checks
            ],
        }


def _fmt(x: float | None) -> str:
    return "?" if x is None else f"{x:g}"


def smallest_omega(
    check: Callable[[float], StochasticCheck],
    omega_max: float = 2048.0,
    factor: float = 2.0,
    omega_floor: float = 1.0,
    level: float = 0.95,
    confidence: float = 0.95,
    patience: int = 2,
    progress: Callable[[float, StochasticCheck], None] | None = None,
) -> Robustness:
    """Walk Ω = omega_max, omega_max/factor, … down to `omega_floor`, calling `check(Ω)`;
    stop after `patience` consecutive Ω with p̂ < level."""
    if not (omega_max > 0 and factor > 1 and omega_floor > 0):
        raise ValueError("omega_max and omega_floor must be > 0 and factor > 1")
    checks: list[tuple[float, StochasticCheck]] = []
    omega, misses = float(omega_max), 0
    while omega >= omega_floor and misses < patience:
        c = check(omega)
        checks.append((omega, c))
        if progress:
            progress(omega, c)
        misses = misses + 1 if c.fraction < level else 0
        omega /= factor

    def smallest(ok) -> float | None:
        best = None
        for o, c in checks:  # decreasing Ω: keep going while the condition holds
            if not ok(c):
                break
            best = o
        return best

    omega_min = smallest(lambda c: c.fraction >= level)
    hi = smallest(lambda c: c.interval(confidence)[0] >= level)
    lo = smallest(lambda c: c.interval(confidence)[1] >= level)
    below = [c for o, c in checks if omega_min is None or o < omega_min]
    fails_first = next((next(iter(c.failures)) for c in below if c.failures), None)
    return Robustness(level, confidence, tuple(checks), omega_min, (lo, hi if hi is not None else None), fails_first)
