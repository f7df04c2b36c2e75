"""Text, CSV and plots of stochastic sample paths (`crnzoo simulate NAME --ssa`)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from .simulate import SSAResult


def summary(res: SSAResult, max_species: int = 16) -> list[str]:
    """Lines: the final mean ± sd, 5/50/95% quantiles (concentrations) and counts per species."""
    q = np.quantile(res.conc[:, -1], (0.05, 0.5, 0.95), axis=0)
    mean, sd = res.mean()[-1], res.sd()[-1]
    lines = [f"final state over {res.runs} runs at Ω = {res.omega:g} (concentration: mean ± sd [5%, 50%, 95%]; mean count):"]
    for i, s in enumerate(res.species[:max_species]):
        lines.append(f"  {s:<10} {mean[i]:.4g} ± {sd[i]:.3g}  [{q[0, i]:.4g}, {q[1, i]:.4g}, {q[2, i]:.4g}]  n̄ = {res.final[:, i].mean():.1f}")
    if len(res.species) > max_species:
        lines.append(f"  … {len(res.species) - max_species} more species (see --csv)")
    lines.append(f"reactions fired per run: mean {res.fired.mean():.4g}, max {res.fired.max():.4g} ({res.method})")
    return lines


def _atomic(path: Path, write) -> Path:
    """Write through a temporary file in the same folder, then rename (nothing half-written)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".", suffix=path.suffix)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_csv(res: SSAResult, path) -> Path:
    """`time`, then `<species>_mean`, `<species>_sd`, `<species>_q05`, `<species>_q95` (concentrations)."""
    q = res.quantiles((0.05, 0.95))
    cols = [res.ts[:, None]]
    header = ["time"]
    for i, s in enumerate(res.species):
        cols += [res.mean()[:, i : i + 1], res.sd()[:, i : i + 1], q[0][:, i : i + 1], q[1][:, i : i + 1]]
        header += [f"{s}_mean", f"{s}_sd", f"{s}_q05", f"{s}_q95"]
    rows = np.hstack(cols)
    return _atomic(path, lambda p: np.savetxt(p, rows, delimiter=",", header=",".join(header), comments="", fmt="%.10g"))


def plot(res: SSAResult, path, title: str = "", species=None, paths: int = 5, units=None, schedule=None) -> Path:
    """Write a PNG (whatever the suffix) of the mean and 5–95% band per species, a few sample paths thin.

    `species`: the species to draw (default: the first 8 that change); `units`: (concentration,
    time) units for the axes, None: dimensionless; `schedule`: input switch times drawn dotted.
    Colours repeat every 10 with a new line style; the legend sits outside the data.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..outputs import atomic_write

    names = list(species or [s for i, s in enumerate(res.species) if np.ptp(res.conc[..., i]) > 0][:8] or res.species[:8])
    unknown = sorted(set(names) - set(res.species))
    if unknown:
        raise ValueError(f"cannot plot unknown species {', '.join(unknown)}; species are {', '.join(res.species)}")
    cu, tu = units or ("dimensionless", "dimensionless")
    fig, ax = plt.subplots(figsize=(8.5, 4.5))
    q = res.quantiles((0.05, 0.95))
    mean = res.mean()
    for k, s in enumerate(names):
        i = res.species.index(s)
        color, ls = f"C{k % 10}", ("-", "--", ":", "-.")[k // 10 % 4]
        ax.fill_between(res.ts, q[0][:, i], q[1][:, i], color=color, alpha=0.2, lw=0)
        for r in range(min(paths, res.runs)):
            ax.plot(res.ts, res.conc[r, :, i], color=color, lw=0.5, alpha=0.5, ls=ls)
        ax.plot(res.ts, mean[:, i], color=color, lw=2, ls=ls, label=s)
    for t in (schedule.switch_times if schedule else ()):
        ax.axvline(t, color="0.6", ls=":", lw=0.8)
    ax.set_xlabel(f"time ({tu})")
    ax.set_ylabel(f"concentration ({cu}; count / Ω)")
    ax.set_title(title or f"SSA, Ω = {res.omega:g}, {res.runs} runs: mean, 5–95% band, {min(paths, res.runs)} paths", fontsize=10)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), ncol=max(1, len(names) // 16), fontsize=8, frameon=False)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    try:
        with atomic_write(Path(path)) as tmp:
            fig.savefig(tmp, dpi=120, format="png")
    finally:
        plt.close(fig)
    return Path(path)


def simulate_command(model, ts, omega, runs, seed, x0, schedule, method, label, csv=None, plot_path=None, species=None, units=None) -> int:
    """The body of `crnzoo simulate NAME --ssa`: simulate, print the summary, write CSV/plot."""
    import time

    from .simulate import ssa_simulate

    started = time.perf_counter()
    res = ssa_simulate(model, ts, omega, runs, seed=seed, x0=x0, schedule=schedule, method=method)
    print(f"{label}: {runs} {method} sample paths, t = 0..{ts[-1]:g}, Ω = {omega:g}, in {time.perf_counter() - started:.2f} s")
    print("\n".join(summary(res)))
    if csv:
        print(f"wrote {write_csv(res, csv)}")
    if plot_path:
        title = f"{label} — SSA ({method}), Ω = {omega:g}, {runs} runs: mean, 5–95% band"
        print(f"wrote {plot(res, plot_path, title=title, species=species, units=units, schedule=schedule)}")
    return 0


def unit_nM(card, unit: str | None = None) -> float:
    """nM that one concentration unit of `card`'s model stands for: `unit` if given (e.g.
    "50nM"), else 1 nM for a card in nM (wta-mnist) and 50 nM for a dimensionless one."""
    from ..export.scale import Scale

    if unit is None:
        return 1.0 if (card or {}).get("concentration_units") == "nM" else 50.0
    return Scale.parse(unit).concentration_nM


def robustness_command(task, model, card, name, runs=None, seed=0, omega_max=None, factor=None, unit=None, method=None, json_path=None) -> int:
    """The body of `crnzoo robustness NAME`: exit 0 when a working Ω was found, 1 when not.
    `runs`, `omega_max`, `factor` left None take the task's `robustness_defaults` (spatial
    entries: fewer, costlier runs), else 200, 2048 and 2. A task with a `stochastic_reference`
    (the spatial entries' reaction-noise check) builds its deterministic side once for all Ω."""
    import json

    from ..solve import Schedule
    from ..solvers.config import SimulationError
    from .robustness import smallest_omega

    own = {"runs": 200, "omega_max": 2048.0, "factor": 2.0, **getattr(task, "robustness_defaults", {})}
    runs, omega_max, factor = (own[k] if v is None else v for k, v in (("runs", runs), ("omega_max", omega_max), ("factor", factor)))
    if isinstance(runs, bool) or runs < 1:
        raise ValueError(f"--runs must be >= 1, got {runs}")
    if not (omega_max > 0 and np.isfinite(omega_max)):
        raise ValueError(f"--omega-max must be a positive number, got {omega_max}")
    if not (factor > 1 and np.isfinite(factor)):
        raise ValueError(f"--factor must be a number > 1, got {factor}")
    per_unit_nM = unit_nM(card, unit)
    schedule = Schedule.from_dict(card.get("schedule"))
    spatial = hasattr(task, "stochastic_reference")
    if spatial and method not in (None, task.stochastic_method):
        raise ValueError(f"--method {method}: {name} runs its own approximate method ({task.stochastic_method}: reaction noise per grid cell) only")
    method = method or task.stochastic_method
    per = getattr(task, "omega_per", "")
    ref = []

    def check(omega):
        if spatial:
            if not ref:
                ref.append(task.stochastic_reference(model, runs, t1=card["t1"]))
                print(f"  {ref[0].summary()}", flush=True)
            return ref[0].check(model, omega, seed)[0]
        try:
            return task.stochastic_check(model, omega, runs, seed, t1=card["t1"], schedule=schedule, method=method)
        except SimulationError as e:  # too many events for the exact method at this Ω: tau-leaping
            if method == "tau":
                raise
            print(f"  Ω = {omega:<8g} exact runs too long ({e}); approximate (tau-leaping) instead", flush=True)
            return task.stochastic_check(model, omega, runs, seed, t1=card["t1"], schedule=schedule, method="tau")

    def show(omega, c):
        lo, hi = c.interval()
        fails = "; ".join(f"{k}: {v}" for k, v in list(c.failures.items())[:3])
        print(f"  Ω = {omega:<8g} {c.passed}/{c.runs} kept the function (95% CI {lo:.3f}..{hi:.3f}, {c.method}){'  — ' + fails if fails else ''}", flush=True)

    print(f"{name}: the entry's function check at decreasing Ω{' (molecules per unit per ' + per + ')' if per else ''} ({runs} runs each, {method})")
    r = smallest_omega(check, omega_max=omega_max, factor=factor, progress=show)
    print(f"{name} {r.statement(per_unit_nM, per)}")
    if r.fails_first:
        print(f"fails first below it: {r.fails_first}")
    extra = {"statement": r.statement(per_unit_nM, per)}
    if ref:
        extra.update(function=ref[0].function(), approximation=ref[0].approximation)
        print(f"approximation: {ref[0].approximation}")
    if json_path:
        _atomic(Path(json_path), lambda p: Path(p).write_text(json.dumps({"name": name, **r.to_dict(per_unit_nM), **extra}, indent=1)))
        print(f"wrote {json_path}")
    return 0 if r.omega_min is not None else 1
