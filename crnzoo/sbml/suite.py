"""Run one case of the SBML Test Suite (semantic) with the suite's own settings and tolerances.

A case folder `NNNNN/` holds `NNNNN-sbml-l3v2.xml`, `NNNNN-settings.txt` (start, duration,
steps, variables, absolute/relative tolerances, which variables are amounts and which
concentrations), `NNNNN-results.csv` and `NNNNN-model.m` (tags). A case passes when, at every
output time and variable, |expected - simulated| <= absolute + relative * |expected|.
"""

from __future__ import annotations

import dataclasses
import re
import time
from pathlib import Path

import jax.numpy as jnp
import numpy as np

from ..solvers.config import SolverConfig
from .errors import SBMLImportError


@dataclasses.dataclass(frozen=True)
class CaseResult:
    """`status` is pass, fail or unsupported; `reason` says why (one line); `tags` the case's."""

    case: str
    status: str
    reason: str
    tags: tuple[str, ...]
    seconds: float


def read_settings(path: Path) -> dict:
    out = {}
    for line in path.read_text().splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            out[k.strip()] = v.strip()
    return out


def case_tags(folder: Path) -> tuple[str, ...]:
    text = (folder / f"{folder.name}-model.m").read_text(errors="replace")
    tags = []
    for key in ("componentTags", "testTags"):
        m = re.search(rf"{key}:\s*(.*)", text)
        if m:
            tags += [t.strip() for t in m.group(1).split(",") if t.strip()]
    return tuple(tags)


def _split(v: str) -> list[str]:
    return [x.strip() for x in v.split(",") if x.strip()]


def _simulate(model, ts: np.ndarray, solver: SolverConfig, engine=None) -> tuple[np.ndarray, np.ndarray | None]:
    """(states (T, N), parameters (T, P) or None when events change none)."""
    from ..solve import integrate

    if model.has_events or (engine is not None and len(model.x0) and ts[-1] > ts[0]):
        traj, ps = model.simulate_events(ts, solver, engine)
        return traj.ys, ps
    y0 = jnp.asarray(model.x0)[None]
    if y0.shape[-1] == 0:  # nothing changes by an ODE (every symbol is assigned)
        return np.zeros((len(ts), 0)), None
    if ts[-1] == ts[0]:
        return np.asarray(y0), None
    ys, _, ok, _, reached, result = integrate(model, y0, jnp.asarray(ts), jnp.asarray(ts[0]), solver)
    if not bool(ok):
        raise RuntimeError(f"solver {solver.solver} stopped at t={float(reached):.4g}")
    return np.asarray(ys)[:, 0], None


def _compare(expected: np.ndarray, got: np.ndarray, atol: float, rtol: float) -> tuple[bool, str]:
    both_nan = np.isnan(expected) & np.isnan(got)
    same_inf = np.isinf(expected) & (expected == got)
    with np.errstate(invalid="ignore"):
        ok = (np.abs(expected - got) <= atol + rtol * np.abs(expected)) | both_nan | same_inf
    if ok.all():
        return True, ""
    i, j = np.argwhere(~ok)[0]
    return False, f"row {i} column {j}: expected {expected[i, j]:.6g}, got {got[i, j]:.6g}"


SOLVERS = (SolverConfig("tsit5", rtol=1e-10, atol=1e-14, max_steps=200_000), SolverConfig("kvaerno5", rtol=1e-10, atol=1e-14, max_steps=200_000))


def run_case(folder: str | Path, engine=None) -> CaseResult:
    """Load, simulate and compare one semantic case; never raises for a model's fault.

    `engine`: a `crnzoo.sbml.shared.SharedSolve` reused across cases (one compiled solve for
    many models: the runner's and the default test's way); None compiles each model's own solve."""
    from . import load_sbml

    folder = Path(folder)
    name = folder.name
    started = time.perf_counter()
    tags = case_tags(folder)
    settings = read_settings(folder / f"{name}-settings.txt")
    files = sorted(folder.glob(f"{name}-sbml-l*.xml"))
    files = [f for f in files if f.name.endswith("l3v2.xml")] or files[::-1]
    if not files:
        return CaseResult(name, "unsupported", "no SBML file in this copy of the case", tags, 0.0)
    try:
        model = load_sbml(files[0])
    except SBMLImportError as e:
        return CaseResult(name, "unsupported", str(e), tags, time.perf_counter() - started)
    header = (folder / f"{name}-results.csv").read_text().splitlines()[0].split(",")
    expected = np.genfromtxt(folder / f"{name}-results.csv", delimiter=",", skip_header=1, ndmin=2)
    ts = expected[:, 0]
    variables = [h.strip() for h in header[1:]]
    amounts = set(_split(settings.get("amount", "")))
    atol, rtol = float(settings["absolute"]), float(settings["relative"])
    reason = ""
    for solver in SOLVERS:
        try:
            ys, ps = _simulate(model, ts, solver, engine)
            got = model.values(ts, ys, variables, amounts, ps)
        except SBMLImportError as e:  # found while simulating (e.g. simultaneous events of equal priority)
            return CaseResult(name, "unsupported", str(e), tags, time.perf_counter() - started)
        except (RuntimeError, ValueError) as e:
            reason = (reason + "; " if reason else "") + f"{solver.solver}: {e}"
            continue
        ok, reason = _compare(expected[:, 1:], got, atol, rtol)
        if ok:
            return CaseResult(name, "pass", "", tags, time.perf_counter() - started)
    return CaseResult(name, "fail", reason, tags, time.perf_counter() - started)
