"""Fixed-step ensembles of a small network: many initial states, final states only, fast.

An explicit, per-model choice for large ensembles (`simulate` stays the default, with
error control): the network's mass-action polynomial is written out reaction by reaction
(no gathers, no matrix products) on a species-major state of shape (species, members), and
integrated with classical RK4 at a fixed step as one `lax.scan`. There is no step-size
control, so the step must suit the model: a Richardson estimate (the same solve at half
the step on `check` members) is returned with every result, and a solve that leaves the
finite numbers (step beyond RK4's stability limit) raises `SimulationError`.

Measured on `majority-am4` (n = 10,000, t = 200, `benchmarks/majority_am4.py`): 200 steps
give a max abs error of 2.3e-10 against Dopri8 at rtol 1e-12 (libroadrunner's CVODE BDF at
rtol 1e-6: 1.2e-5), and 100 steps are unstable (NaN, refused).
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from .network import ReactionNetwork
from .solvers.config import SimulationError, StateError

MAX_REACTIONS = 2000  # the right-hand side is unrolled: one traced term per reaction


def polynomial_rhs(network: ReactionNetwork):
    """dx/dt of `network` (mass action) on a species-major state (species, *members)."""
    if network.n_reactions > MAX_REACTIONS:
        raise StateError(f"network has {network.n_reactions} reactions; the unrolled ensemble form takes at most {MAX_REACTIONS}")
    idx = {s: i for i, s in enumerate(network.species)}
    terms = []
    for r in network.reactions:
        reactants = [(idx[s], n) for s, n in r.reactants.items()]
        change: dict[int, int] = {}
        for s, n in r.reactants.items():
            change[idx[s]] = change.get(idx[s], 0) - n
        for s, n in r.products.items():
            change[idx[s]] = change.get(idx[s], 0) + n
        terms.append((r.rate, reactants, {i: c for i, c in change.items() if c}))

    def rhs(x):
        out = [None] * network.n_species
        for k, reactants, change in terms:
            flux = jnp.full(x.shape[1:], k, x.dtype)
            for i, n in reactants:
                flux = flux * (x[i] if n == 1 else x[i] ** n)
            for i, c in change.items():
                term = flux if c == 1 else c * flux
                out[i] = term if out[i] is None else out[i] + term
        zero = jnp.zeros(x.shape[1:], x.dtype)
        return jnp.stack([zero if o is None else o for o in out])

    return rhs


@dataclasses.dataclass(frozen=True)
class EnsembleResult:
    """Final states of a fixed-step ensemble.

    - `final`: shape (members, species), concentrations at `t1`.
    - `error_estimate`: max abs Richardson estimate |y(h) − y(h/2)| · 16/15 over the checked
      members (RK4: the error of y(h/2) is ~1/16 of y(h)'s), in concentration units.
    - `steps`, `dt`: the fixed steps taken.
    """

    final: np.ndarray
    error_estimate: float
    steps: int
    dt: float


def _rk4(rhs, y, dt, steps):
    def step(y, _):
        k1 = rhs(y)
        k2 = rhs(y + 0.5 * dt * k1)
        k3 = rhs(y + 0.5 * dt * k2)
        k4 = rhs(y + dt * k3)
        return y + (dt / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4), None

    return jax.lax.scan(step, y, None, length=steps)[0]


class RK4Ensemble:
    """A compiled fixed-step RK4 ensemble solver of `network` to `t1` in `steps` steps:
    `RK4Ensemble(network, t1, steps)(x0)` gives the final states of every row of `x0`
    (members, species). The first `check` members are re-solved with 2·`steps` for
    `error_estimate`; members are integrated `chunk` at a time (4,096: the stage arrays stay
    in cache; majority-am4, 10⁶ members: 1.26 s CPU in chunks of 4,096, 2.0 s of 16,384,
    4.6 s in one piece). Calling it raises `SimulationError` when the solve is not finite (the
    step is too large for RK4's stability region: use more steps, or `simulate`). Compiles
    once per member count."""

    def __init__(self, network: ReactionNetwork, t1: float, steps: int, check: int = 64, chunk: int = 4096):
        if not (t1 > 0 and steps >= 1 and chunk >= 1):
            raise StateError(f"need t1 > 0, steps >= 1 and chunk >= 1 (got t1={t1}, steps={steps}, chunk={chunk})")
        rhs = polynomial_rhs(network)
        self.network, self.t1, self.steps, self.check, self.chunk = network, float(t1), int(steps), int(check), int(chunk)
        self.dt = self.t1 / self.steps

        def coarse(y):  # (species, members): chunks of `chunk` members in turn (the arrays stay in cache)
            s, n = y.shape
            if n <= self.chunk:
                return _rk4(rhs, y, self.dt, self.steps)
            k = -(-n // self.chunk)
            yc = jnp.pad(y, ((0, 0), (0, k * self.chunk - n))).reshape(s, k, self.chunk).transpose(1, 0, 2)
            out = jax.lax.map(lambda c: _rk4(rhs, c, self.dt, self.steps), yc)
            return out.transpose(1, 0, 2).reshape(s, k * self.chunk)[:, :n]

        self._coarse = jax.jit(coarse)
        self._fine = jax.jit(lambda y: _rk4(rhs, y, self.dt / 2, 2 * self.steps))

    def __call__(self, x0) -> EnsembleResult:
        net = self.network
        x = np.asarray(x0, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != net.n_species:
            raise StateError(f"x0 has shape {x.shape}; give (members, {net.n_species}) for species {', '.join(net.species)}")
        if not np.all(np.isfinite(x)) or np.any(x < 0):
            raise StateError("x0 must be finite and >= 0")
        final = np.asarray(self._coarse(jnp.asarray(x.T))).T
        m = min(self.check, x.shape[0])
        fine = np.asarray(self._fine(jnp.asarray(x[:m].T))).T
        if not (np.all(np.isfinite(final)) and np.all(np.isfinite(fine))):
            raise SimulationError(
                f"fixed-step RK4 with dt = {self.dt:g} ({self.steps} steps to t = {self.t1:g}) left the finite numbers: "
                "the step is beyond RK4's stability limit for this network; use more steps or simulate()")
        est = float(np.max(np.abs(final[:m] - fine))) * 16.0 / 15.0 if m else float("nan")
        return EnsembleResult(final, est, self.steps, self.dt)
