"""`ssa_simulate`: thousands of stochastic sample paths of a zoo model or network as one batch.

Counts n = c·Ω (Ω molecules per unit concentration; see `crnzoo.ssa._kernel` for the
propensities). Methods:

- `"direct"` (default): Gillespie's direct method, exact, with runs as the lanes of one
  vector loop (`crnzoo.ssa._lanes`: one uniform per firing, SplitMix64 numbers, per-lane
  saves or lockstep between save/event times, batches of at most 4,096 lanes refilled from
  a queue of runs, running lanes compacted).
- `"vmap"`: the same exact law as `jax.vmap` of one `lax.while_loop` per run (the previous
  kernel, kept for comparison: `benchmarks/ssa.py`).
- `"scan"`: the same exact law, as blocks of 64 masked steps (`lax.scan`) in a while loop —
  the event-per-step scan; `benchmarks/ssa.py` measures both (vmap of the while loop is
  the faster here, so it is the default).
- `"tau"`: adaptive tau-leaping (Cao, Gillespie & Petzold 2006, ε = 0.03) with a
  non-negativity guard (a leap that would make a count negative is rejected and retried
  with half the step) and exact direct steps whenever fewer than 10 firings are expected.
  Approximate: its error is O(ε) in the moments (plus the normal approximation of Poisson
  draws of mean > 10). Measured against the exact method on majority-am4 at Ω = 100,000 (400
  runs, t = 5): means off by −0.19 % to +0.5 %, sds within 2.3 %; 3× faster there, but slower
  than exact at Ω = 1,000 (`benchmarks/README.md`).

Held species: the model's `held_species` (catalytic inputs) and the species a `Schedule`
sets keep their counts except when the schedule switches them; additions add rint(amount·Ω).
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np

from .. import sharding
from ..crn.base import CRNModel
from ..network import ReactionNetwork
from ..solve import Schedule
from ..solvers.config import SimulationError, StateError
from . import _lanes
from ._kernel import Kernel, falling_factorials, run_one, run_one_blocks


METHODS = ("direct", "vmap", "scan", "tau")


class SSAError(ValueError):
    """Bad input to the stochastic simulator (Ω, runs, a non-integer stoichiometry, ...)."""


@dataclasses.dataclass(frozen=True)
class SSAResult:
    """Sample paths of a stochastic simulation.

    - `ts`: save times (T,); `counts`: molecule counts (runs, T, S); `species`: names (S,).
    - `omega`: molecules per unit concentration; `method`: `direct`, `scan` or `tau`.
    - `steps`: loop iterations per run (direct: firings + save times); `fired`: reactions fired per run.
    """

    ts: np.ndarray
    counts: np.ndarray
    species: tuple[str, ...]
    omega: float
    method: str
    steps: np.ndarray
    fired: np.ndarray

    @property
    def conc(self) -> np.ndarray:
        """Concentrations n/Ω, shape (runs, T, S)."""
        return self.counts / self.omega

    @property
    def runs(self) -> int:
        return self.counts.shape[0]

    def mean(self) -> np.ndarray:
        """Per-time mean concentration (T, S)."""
        return self.conc.mean(axis=0)

    def sd(self) -> np.ndarray:
        """Per-time standard deviation of the concentration across runs (T, S; ddof 1)."""
        return self.conc.std(axis=0, ddof=1) if self.runs > 1 else np.zeros(self.counts.shape[1:])

    def quantiles(self, q: Sequence[float] = (0.05, 0.5, 0.95)) -> np.ndarray:
        """Per-time quantiles of the concentration (len(q), T, S)."""
        return np.quantile(self.conc, q, axis=0)

    @property
    def final(self) -> np.ndarray:
        """Final counts of every run (runs, S)."""
        return self.counts[:, -1]

    def final_distribution(self, species: str) -> tuple[np.ndarray, np.ndarray]:
        """`(counts, probability)`: the empirical distribution of `species` at the last time."""
        if species not in self.species:
            raise SSAError(f"unknown species {species!r}; species are {', '.join(self.species)}")
        values, n = np.unique(self.final[:, self.species.index(species)], return_counts=True)
        return values, n / n.sum()


def compile_network(net: ReactionNetwork, omega: float, held: Sequence[str] = (), schedule: Schedule | None = None, t0: float = 0.0) -> Kernel:
    """The `Kernel` of `net` at Ω molecules per unit concentration.

    `held`: species the reactions never change (their net-change columns are zeroed);
    `schedule`: switches of held levels and additions, as for `crnzoo.solve.simulate`.
    """
    omega = check_omega(omega)
    schedule = schedule or Schedule()
    R, N = net.stoichiometry()
    mol = R.sum(axis=1)
    c = net.rates() * omega ** (1.0 - mol)
    idx, off = falling_factorials(R)
    unknown = sorted({s for s in schedule.levels} | {s for _, a in schedule.additions for s in a} | set(held))
    unknown = [s for s in unknown if s not in net.species]
    if unknown:
        raise StateError(f"unknown species {', '.join(unknown)}; species are {', '.join(net.species)}")
    held_all = set(held) | set(schedule.levels)
    mask = np.array([s in held_all for s in net.species])
    change = np.where(mask[None, :], 0, N).astype(np.float64)
    # Cao et al.'s g_i: the highest order of a reaction consuming species i (+1 per extra copy of i)
    g = np.where(R > 0, mol[:, None] + R - 1, 0).max(axis=0, initial=0).astype(np.float64)
    # events: switch times and addition times, merged
    if any(t < t0 for t in schedule.switch_times) or any(t < t0 for t, _ in schedule.additions):
        raise StateError(f"a schedule event is before the start time {t0}")
    times = sorted(set(schedule.switch_times) | {t for t, _ in schedule.additions})
    S = net.n_species
    ev_set = np.zeros((len(times) + 1, S))
    ev_add = np.zeros((len(times) + 1, S))
    ev_mask = np.array([s in schedule.levels for s in net.species])
    adds = {}
    for t, a in schedule.additions:
        for s, x in a.items():
            adds.setdefault(t, {}).setdefault(s, 0.0)
            adds[t][s] += x
    for e, t in enumerate(times):
        level = int(np.searchsorted(schedule.switch_times, t, side="right"))
        for s, v in schedule.levels.items():
            ev_set[e, net.index(s)] = np.rint(v[level] * omega)
        for s, x in adds.get(t, {}).items():
            ev_add[e, net.index(s)] = np.rint(x * omega)
    ev_t = np.array([*times, np.inf])
    return Kernel(*(jnp.asarray(v) for v in (c, idx, off, change, g, ev_t, ev_set, ev_mask, ev_add)))


def check_omega(omega) -> float:
    try:
        omega = float(omega)
    except (TypeError, ValueError):
        raise SSAError(f"omega must be a number, got {omega!r}") from None
    if not (np.isfinite(omega) and omega > 0):
        raise SSAError(f"omega (molecules per unit concentration) must be finite and > 0, got {omega}")
    return omega


def _network(model) -> tuple[ReactionNetwork, tuple[str, ...], np.ndarray]:
    """(network, held species, default initial concentrations) of a model or network."""
    if isinstance(model, ReactionNetwork):
        return model, (), model.initial_state()
    if not isinstance(model, CRNModel):
        raise TypeError(f"expected a crnzoo model or ReactionNetwork, got {type(model).__name__}")
    # a model whose forward dynamics are sparsified at k_min (CatalyticCRN.with_sparsity) runs its listing at k_min
    k_min = float(getattr(model, "k_min", None) or 0.0)
    # a clocked one-pot circuit (NeuralCRN): the listing whose mass action is its rhs gates each phase by its clock species
    net = model.network(k_min, clocks=True) if "clocks" in inspect.signature(model.network).parameters else model.network(k_min)
    flat = tuple(model.flat_species(model.state_shape))
    if sorted(net.species) != sorted(flat):
        raise SSAError(f"{type(model).__name__}: its listing's species do not match its state; simulate model.network(k) instead")
    x0 = np.asarray(model.x0, dtype=np.float64).reshape(-1)[[flat.index(s) for s in net.species]]  # state order -> listing order
    return net, tuple(model.held_species), x0


def ssa_simulate(
    model,
    ts,
    omega: float,
    runs: int,
    *,
    seed: int = 0,
    x0=None,
    schedule: Schedule | None = None,
    held: Sequence[str] | None = None,
    method: str = "direct",
    max_steps: int = 2_000_000,
    eps: float = 0.03,
) -> SSAResult:
    """Simulate `runs` sample paths of `model` (a `CRNModel` or `ReactionNetwork`) at Ω.

    **Arguments:** `ts` save times (increasing; the first is the start); `omega` molecules per
    unit concentration (> 0); `runs` (>= 1); `x0` initial concentrations in the listing's
    species order (`SSAResult.species`; a ring's (chamber, species) state is accepted too),
    (S,) shared or (runs, S) one per run (default: the model's), rounded to counts rint(c·Ω); `schedule` an
    input `Schedule`; `held` extra held species (default: the model's `held_species`);
    `method` one of `METHODS`; `max_steps` loop iterations per run; `eps` tau-leaping's ε.

    **Raises:** `SSAError` for bad Ω, runs, method or stoichiometry; `StateError` for a bad
    state or schedule; `SimulationError` when a run needs more than `max_steps` iterations.
    """
    omega = check_omega(omega)
    if isinstance(runs, bool) or not isinstance(runs, (int, np.integer)) or runs < 1:
        raise SSAError(f"runs must be an integer >= 1, got {runs!r}")
    if method not in METHODS:
        raise SSAError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    net, model_held, default_x0 = _network(model)
    for r in net.reactions:  # a network built elsewhere may carry non-integer coefficients
        for s, v in (*r.reactants.items(), *r.products.items()):
            if float(v) != int(v) or v < 0:
                raise SSAError(f"reaction {r.equation()}: coefficient of {s} is {v!r}; the SSA needs integer stoichiometry")
    ts = np.asarray(ts, dtype=np.float64)
    if ts.ndim != 1 or ts.size < 1 or not np.all(np.isfinite(ts)) or np.any(np.diff(ts) < 0):
        raise StateError("save times must be a non-empty, finite, non-decreasing 1-D sequence")
    x = np.asarray(default_x0 if x0 is None else x0, dtype=np.float64)
    if x0 is not None and isinstance(model, CRNModel) and len(model.state_shape) > 1 and model.accepts_state_shape(x.shape):
        flat = tuple(model.flat_species(model.state_shape))  # a ring's (chamber, species) state -> listing order
        x = x.reshape(x.shape[: x.ndim - len(model.state_shape)] + (-1,))[..., [flat.index(s) for s in net.species]]
    if x.shape not in ((net.n_species,), (runs, net.n_species)):
        raise StateError(f"initial state has shape {x.shape}; need ({net.n_species},) or ({runs}, {net.n_species})")
    if not np.all(np.isfinite(x)) or np.any(x < 0):
        raise StateError("initial concentrations must be finite and >= 0")
    held = tuple(model_held if held is None else held)
    kern = compile_network(net, omega, held, schedule, float(ts[0]))
    n0 = np.broadcast_to(np.rint(x * omega), (runs, net.n_species)).copy()
    if schedule is not None and schedule.levels:  # held species start at their first level
        for s, v in schedule.levels.items():
            n0[:, net.index(s)] = np.rint(v[int(np.searchsorted(schedule.switch_times, ts[0], side="right"))] * omega)
    if method == "direct":
        return _direct(kern, n0, ts, seed, int(max_steps), omega, tuple(net.species))
    keys = jax.random.split(jax.random.PRNGKey(seed), runs)
    n0, keys = sharding.shard_batch((jnp.asarray(n0), keys))  # runs split over the local devices (unchanged on one)
    out, steps, fired, ok = _batch(kern, n0, jnp.asarray(ts), keys, int(max_steps), method, float(eps))
    ok = np.asarray(ok)
    if not ok.all():
        raise SimulationError(
            f"{int((~ok).sum())} of {runs} runs needed more than {max_steps} steps before t={ts[-1]:g} at Ω={omega:g}: "
            "use method='tau' (approximate) or a larger max_steps"
        )
    return SSAResult(ts, np.asarray(out), tuple(net.species), omega, method, np.asarray(steps), np.asarray(fired))


def _direct(kern: Kernel, n0: np.ndarray, ts: np.ndarray, seed: int, max_steps: int, omega: float, species) -> SSAResult:
    """The exact direct method with runs as lanes (`crnzoo.ssa._lanes`)."""
    mask, ev_set, ev_add = (np.asarray(a) for a in (kern.ev_mask, kern.ev_set, kern.ev_add))

    def event(n, e):
        return np.where(mask[None], ev_set[e][None], n + ev_add[e][None])

    lanes = _lanes.mass_action(np.asarray(kern.idx), np.asarray(kern.off), np.asarray(kern.change))
    out, fired, ok = _lanes.simulate(lanes, kern.c, n0, ts, seed, max_steps, event, np.asarray(kern.ev_t))
    if not ok.all():
        raise SimulationError(
            f"{int((~ok).sum())} of {len(ok)} runs needed more than {max_steps} steps before t={ts[-1]:g} at Ω={omega:g}: "
            "use method='tau' (approximate) or a larger max_steps"
        )
    return SSAResult(ts, out, species, omega, "direct", fired + len(ts), fired.astype(np.float64))


@functools.partial(jax.jit, static_argnames=("max_steps", "method", "eps"))
def _batch(kern, n0, ts, keys, max_steps: int, method: str, eps: float):
    if method == "scan":
        f = lambda n, k: run_one_blocks(kern, n, ts, k, max_steps)  # noqa: E731
    else:
        f = lambda n, k: run_one(kern, n, ts, k, max_steps, leap=method == "tau", eps=eps)  # noqa: E731
    return jax.vmap(f)(n0, keys)
