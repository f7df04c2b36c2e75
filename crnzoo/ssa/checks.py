"""Generic function checks on stochastic sample paths (the default of `ZooTask.stochastic_check`)."""

from __future__ import annotations

import numpy as np

from ..solve import Schedule, simulate
from .robustness import StochasticCheck
from .simulate import _network, ssa_simulate


def ode_agreement(
    model,
    omega: float,
    runs: int,
    seed: int = 0,
    *,
    t1: float,
    schedule: Schedule | None = None,
    tol: float = 0.1,
    method: str = "direct",
    solver=None,
) -> StochasticCheck:
    """A run keeps the function when every output species (role `output` in the listing; all
    species the reactions change when none has it) ends within `tol`·max(1, max |ODE output|)
    of the ODE's value at `t1` (concentrations). A failure names the species furthest off."""
    net, held, _ = _network(model)
    outs = [s for s in net.species if net.roles.get(s) == "output"]
    if not outs:
        _, N = net.stoichiometry()
        outs = [s for i, s in enumerate(net.species) if s not in held and np.any(N[:, i])]
    idx = [net.index(s) for s in outs]
    traj = simulate(model, np.array([0.0, t1]), schedule=schedule, solver=solver)
    flat = tuple(traj.flat_species)
    ode = traj.final.reshape(-1)[[flat.index(s) for s in outs]]
    res = ssa_simulate(model, np.array([0.0, t1]), omega, runs, seed=seed, schedule=schedule, method=method)
    got = res.conc[:, -1][:, idx]
    err = np.abs(got - ode) / tol / max(1.0, float(np.max(np.abs(ode))))
    worst = np.argmax(err, axis=1)
    reasons = [None if err[r, worst[r]] <= 1 else f"{outs[worst[r]]} off the ODE's {ode[worst[r]]:.3g} by > {tol:g} at t={t1:g}" for r in range(runs)]
    return StochasticCheck.from_reasons(reasons, method)


def persistence(
    model,
    omega: float,
    runs: int,
    seed: int = 0,
    *,
    t1: float,
    species: str,
    t_from: float,
    min_amplitude: float | None = None,
    share: float = 0.5,
    schedule: Schedule | None = None,
    method: str = "direct",
    n_save: int = 401,
    solver=None,
) -> StochasticCheck:
    """Oscillation persistence: a run passes when `species`' half peak-to-peak range on
    [t_from, t1] is at least `min_amplitude` (default: `share` × the ODE's on that window)."""
    ts = np.linspace(0.0, t1, n_save)
    net, _, _ = _network(model)
    i = net.index(species)
    late = ts >= t_from
    if min_amplitude is None:
        traj = simulate(model, ts, schedule=schedule, solver=solver)
        ode = traj.ys.reshape(len(ts), -1)[:, tuple(traj.flat_species).index(species)]
        min_amplitude = share * 0.5 * float(np.ptp(ode[late]))
    res = ssa_simulate(model, ts, omega, runs, seed=seed, schedule=schedule, method=method)
    amp = 0.5 * np.ptp(res.conc[:, late, i], axis=1)
    msg = f"{species}'s oscillation died (half peak-to-peak < {min_amplitude:.3g} on [{t_from:g}, {t1:g}])"
    return StochasticCheck.from_reasons([None if a >= min_amplitude else msg for a in amp], method)
