"""The SBML Test Suite's stochastic (DSMTS) cases, judged by the suite's own z-score tests.

A case folder `NNNNN/` holds `NNNNN-sbml-l3v2.xml`, `NNNNN-settings.txt` (start, duration,
steps, variables, `amount:` / `concentration:` lists, `meanRange`, `sdRange`) and
`NNNNN-results.csv` (time, then `X-mean`, `X-sd` per variable). From n runs, at every output
time t with expected mean μ_t and sd σ_t > 0 (the suite's README):

    Z_t = √n (X̄_t − μ_t) / σ_t  must lie in meanRange (−3, 3),
    Y_t = √(n/2) (S_t² / σ_t² − 1)  must lie in sdRange (−5, 5);

at σ_t = 0 the simulated values must all equal μ_t. The suite says a correct simulator
still fails "a test or two": over the whole suite at n = 10,000 about 2–3 Z_t and 5–6 Y_t
excursions. A case here `pass`es when it has at most 1 Z_t and at most 2 Y_t excursions
(a correct simulator exceeds that on a 51-point case with probability < 1 %); the totals are
reported beside the suite's expectation.
"""

from __future__ import annotations

import dataclasses
import re
import time
from pathlib import Path

import numpy as np

from .simulate import SSAError

Z_ALLOWED, Y_ALLOWED = 1, 2


@dataclasses.dataclass(frozen=True)
class DSMTSResult:
    """One case: `status` pass, fail or unsupported (with `reason`); excursion counts; the
    largest |Z_t| and |Y_t|; runs and wall seconds."""

    case: str
    status: str
    reason: str
    runs: int = 0
    points: int = 0
    z_out: int = 0
    y_out: int = 0
    z_max: float = float("nan")
    y_max: float = float("nan")
    seconds: float = 0.0
    synopsis: str = ""


def _range(v: str) -> tuple[float, float]:
    lo, hi = (float(x) for x in v.strip("() ").split(","))
    return lo, hi


def _names(v: str) -> list[str]:
    return [x.strip() for x in v.split(",") if x.strip()]


def synopsis(folder: Path) -> str:
    m = re.search(r"synopsis:\s*(.*)", (folder / f"{folder.name}-model.m").read_text(errors="replace"))
    return m.group(1).strip() if m else ""


def load_case_model(xml: Path):
    """The case's `SBMLModel`. A compartment with no size whose species are all amounts
    (`hasOnlySubstanceUnits`) and that no math reads is given size 1 (its size cannot change
    the model); the importer refuses any other missing size."""
    import libsbml

    from ..sbml import SBMLImportError, from_sbml, load_sbml

    try:
        return load_sbml(xml)
    except SBMLImportError as e:
        if "has no size" not in str(e):
            raise
    doc = libsbml.readSBMLFromFile(str(xml))
    m = doc.getModel()
    patched = []
    for c in m.getListOfCompartments():
        if c.isSetSize():
            continue
        members = [s for s in m.getListOfSpecies() if s.getCompartment() == c.getId()]
        if any(not s.getHasOnlySubstanceUnits() for s in members):
            raise SBMLImportError(f"compartment {c.getId()} has no size and holds concentration species: not supported")
        c.setSize(1.0)
        patched.append(c.getId())
    model = from_sbml(libsbml.writeSBMLToString(doc))
    for cid in patched:
        srcs = [src for _, src in model.spec.computed] + list(model.spec.rate_rules.values())
        if any(f"_c['{cid}']" in s or f'_c["{cid}"]' in s for s in srcs):
            raise SBMLImportError(f"compartment {cid} has no size and the model's math reads it: not supported")
    return model


def judge(mean: np.ndarray, var: np.ndarray, mu: np.ndarray, sigma: np.ndarray, n: int, exact: np.ndarray,
          mean_range=(-3.0, 3.0), sd_range=(-5.0, 5.0)) -> tuple[int, int, float, float, int]:
    """(Z excursions, Y excursions, max |Z|, max |Y|, points) from per-point sample mean and
    variance (T, V) of `n` runs; `exact` (T, V): at σ = 0, whether every run equals μ."""
    pos = sigma > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.sqrt(n) * (mean - mu) / sigma
        y = np.sqrt(n / 2) * (var / sigma**2 - 1)
    z_bad = pos & ((z <= mean_range[0]) | (z >= mean_range[1]))
    y_bad = pos & ((y <= sd_range[0]) | (y >= sd_range[1]))
    zero_bad = ~pos & ~exact
    zm = float(np.max(np.abs(z[pos]))) if pos.any() else 0.0
    ym = float(np.max(np.abs(y[pos]))) if pos.any() else 0.0
    return int(z_bad.sum() + zero_bad.sum()), int(y_bad.sum() + zero_bad.sum()), zm, ym, int(pos.size)


def run_case(folder: str | Path, runs: int = 10_000, seed: int = 0) -> DSMTSResult:
    """Import, simulate `runs` exact sample paths and judge one DSMTS case (never raises for
    a model's fault: unsupported models are reported with the reason)."""
    from ..sbml import SBMLImportError
    from ..sbml.suite import read_settings
    from .sbml import sbml_ssa

    folder = Path(folder)
    name = folder.name
    started = time.perf_counter()
    syn = synopsis(folder)
    xml = folder / f"{name}-sbml-l3v2.xml"
    s = read_settings(folder / f"{name}-settings.txt")
    try:
        model = load_case_model(xml)
        header = [h.strip() for h in (folder / f"{name}-results.csv").read_text().splitlines()[0].split(",")]
        table = np.genfromtxt(folder / f"{name}-results.csv", delimiter=",", skip_header=1, ndmin=2)
        ts = table[:, 0]
        variables = _names(s["variables"])
        mu = np.stack([table[:, header.index(f"{v}-mean")] for v in variables], -1)
        sigma = np.stack([table[:, header.index(f"{v}-sd")] for v in variables], -1)
        paths = sbml_ssa(model, ts, runs, seed=seed)
        vals = paths.values(model, variables, set(_names(s.get("amount", ""))))
    except (SBMLImportError, SSAError) as e:
        return DSMTSResult(name, "unsupported", str(e), seconds=time.perf_counter() - started, synopsis=syn)
    mean, var = vals.mean(0), vals.var(0, ddof=1)
    exact = np.all(vals == mu[None], axis=0)
    zo, yo, zm, ym, pts = judge(mean, var, mu, sigma, runs, exact, _range(s.get("meanRange", "(-3, 3)")), _range(s.get("sdRange", "(-5, 5)")))
    ok = zo <= Z_ALLOWED and yo <= Y_ALLOWED
    reason = "" if ok else f"{zo} Z_t and {yo} Y_t excursions (allowed {Z_ALLOWED} and {Y_ALLOWED})"
    return DSMTSResult(name, "pass" if ok else "fail", reason, runs, pts, zo, yo, zm, ym, time.perf_counter() - started, syn)


def cases(root: str | Path) -> list[Path]:
    """The case folders under `root` (the suite's `stochastic/` folder), in order."""
    return sorted(p for p in Path(root).iterdir() if p.is_dir() and re.fullmatch(r"\d{5}", p.name))
