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
    ode = simulate(model, np.array([0.0, t1]), schedule=schedule, solver=solver).final.reshape(-1)[idx]
    res = ssa_simulate(model, np.array([0.0, t1]), omega, runs, seed=seed, schedule=schedule, method=method)
    got = res.conc[:, -1][:, idx]
    err = np.abs(got - ode) / tol / max(1.0, float(np.max(np.abs(ode))))
    worst = np.argmax(err, axis=1)
    reasons = [None if err[r, worst[r]] <= 1 else f"{outs[worst[r]]} off the ODE's {ode[worst[r]]:.3g} by > {tol:g} at t={t1:g}" for r in range(runs)]
    return StochasticCheck.from_reasons(reasons, method)
