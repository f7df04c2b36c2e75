"""Diffrax simulation of any zoo model or reaction network, batched, with input schedules.

Two layers:

- `integrate(...)`: a pure, jittable, differentiable solve returning the saved states, a
  success flag and the step count. Training code calls it and penalises failures.
- `simulate(...)`: the user-facing call. It validates the initial state, applies an input
  `Schedule` (piecewise-constant control levels declared to the step-size controller as
  jumps; additions to the state solved in segments), and raises `SimulationError`
  naming the model, the time reached and the solver's message when a solve fails or
  diverges — it never returns NaNs silently.

A batch of initial states is solved as **one** larger system with one step-size
controller whose error norm is the worst member's RMS error (`batch="joint"`), or as a
`jax.vmap` of independent adaptive solves (`batch="vmap"`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

from .crn.base import CRNModel, HasDestructionRate
from .crn.mass_action import MassActionCRN
from . import sharding
from .network import ReactionNetwork
from .solvers.config import SimulationError, SolverConfig, StateError, diffrax_solver, result_message


def _solver(name: str, model) -> diffrax.AbstractSolver:
    """The Diffrax solver called `name` for `model` (the solver-ready module).

    `rosenbrock` / `rosenbrock3` are `DiagonalRosenbrock` / `DiagonalRosenbrock3`, linearly
    implicit in the model's per-species destruction rate: they need a model with
    `HasDestructionRate` (indexed CRNs).
    """
    if name not in ("rosenbrock", "rosenbrock3"):
        return diffrax_solver(name)
    if not isinstance(model, HasDestructionRate):
        raise ValueError(
            f"solver {name!r} needs a model with a destruction rate (HasDestructionRate: indexed CRNs); "
            f"{type(model).__name__} has none: use kvaerno5 for stiff networks"
        )
    from .solvers import rosenbrock

    return rosenbrock.DiagonalRosenbrock(model) if name == "rosenbrock" else rosenbrock.DiagonalRosenbrock3(model)


@dataclasses.dataclass(frozen=True)
class Schedule:
    """An input protocol.

    - `switch_times`: times (increasing) at which control levels change.
    - `levels`: species name -> its level before the first switch, then after each switch
      (length `len(switch_times) + 1`). These species are held at that level: their
      amount is set by the experimenter, not by the reactions.
    - `additions`: `(time, {species: amount})` pairs: amounts added to the state at that
      time (an injection); saved states at exactly that time are after the addition.
    - `resets`: times at which every species not held is set back to the model's initial
      state (a fresh sample: e.g. a converter that reads each input level from scratch).
    """

    switch_times: tuple[float, ...] = ()
    levels: Mapping[str, Sequence[float]] = dataclasses.field(default_factory=dict)
    additions: tuple[tuple[float, Mapping[str, float]], ...] = ()
    resets: tuple[float, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "resets", tuple(sorted(float(t) for t in self.resets)))
        if not all(np.isfinite(t) for t in self.resets):
            raise StateError(f"reset times must be finite, got {self.resets}")
        object.__setattr__(self, "switch_times", tuple(float(t) for t in self.switch_times))
        object.__setattr__(self, "levels", {k: tuple(map(float, v)) for k, v in self.levels.items()})
        object.__setattr__(
            self, "additions", tuple(sorted((float(t), dict(a)) for t, a in self.additions))
        )
        st = np.asarray(self.switch_times)
        if st.size and (not np.all(np.isfinite(st)) or np.any(np.diff(st) <= 0)):
            raise StateError(f"switch_times must be finite and increasing, got {self.switch_times}")
        for s, v in self.levels.items():
            if len(v) != len(self.switch_times) + 1:
                raise StateError(
                    f"species {s} has {len(v)} levels; {len(self.switch_times)} switches need "
                    f"{len(self.switch_times) + 1} (one before the first switch, one after each)"
                )
            if not all(np.isfinite(x) and x >= 0 for x in v):
                raise StateError(f"levels of {s} must be finite and >= 0, got {v}")
        for t, a in self.additions:
            for s, x in a.items():
                if not np.isfinite(x) or not np.isfinite(t):
                    raise StateError(f"addition of {s} at t={t} is not finite")

    @classmethod
    def hold(cls, species: Sequence[str], states: Sequence[Sequence[float]], hold: float, reset: bool = False) -> "Schedule":
        """Hold each row of `states` (levels of `species`) for `hold` time units in turn
        (`reset`: the other species restart from the initial state at each switch)."""
        states = np.asarray(states, dtype=float)
        switches = tuple(hold * (i + 1) for i in range(len(states) - 1))
        return cls(switches, {s: tuple(states[:, i]) for i, s in enumerate(species)}, resets=switches if reset else ())

    def to_dict(self) -> dict:
        d = {
            "switch_times": list(self.switch_times),
            "levels": {k: list(v) for k, v in self.levels.items()},
            "additions": [[t, a] for t, a in self.additions],
        }
        if self.resets:
            d["resets"] = list(self.resets)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any] | None) -> "Schedule | None":
        if not d:
            return None
        return cls(d.get("switch_times", ()), d.get("levels", {}), tuple(map(tuple, d.get("additions", ()))), tuple(d.get("resets", ())))


@dataclasses.dataclass(frozen=True)
class Trajectory:
    """Saved states of a simulation.

    - `ts`: save times, shape (T,).
    - `ys`: states, shape (*batch, T, *state_shape) — concentrations.
    - `species`: names along the last axis of `ys`.
    - `flat_species`: names of the flattened state (e.g. `A_0`, `B_0`, … for rings).
    - `state_ndim`: 1 for well-mixed models, 2 for chamber rings (chamber, species).
    """

    ts: np.ndarray
    ys: np.ndarray
    species: tuple[str, ...]
    flat_species: tuple[str, ...]
    state_ndim: int = 1

    @property
    def final(self) -> np.ndarray:
        """The state at the last save time, shape (*batch, *state_shape)."""
        return np.take(self.ys, -1, axis=self.ys.ndim - self.state_ndim - 1)

    def clip_roundoff(self, tol: float) -> "tuple[Trajectory, int, float]":
        """This trajectory with negatives in [-`tol`, 0) (solver round-off) set to 0.

        Returns `(trajectory, number clipped, most negative value clipped (0 if none))`;
        values below -`tol` are kept: they are not round-off and the caller should say so.
        """
        small = (self.ys < 0) & (self.ys >= -tol)
        if not small.any():
            return self, 0, 0.0
        return dataclasses.replace(self, ys=np.where(small, 0.0, self.ys)), int(small.sum()), float(self.ys[small].min())

    def table(self) -> tuple[list[str], np.ndarray]:
        """(`["time", *flat_species]`, rows) for one unbatched trajectory."""
        if self.ys.ndim != 1 + self.state_ndim:
            raise ValueError("table() needs a single (unbatched) trajectory")
        return ["time", *self.flat_species], np.column_stack([self.ts, self.ys.reshape(len(self.ts), -1)])

    def to_csv(self, path) -> None:
        """Write `time` then one column per species (named as in the exports)."""
        from .outputs import atomic_write

        header, rows = self.table()
        with atomic_write(path) as tmp:
            np.savetxt(tmp, rows, delimiter=",", header=",".join(header), comments="", fmt="%.10g")


# ------------------------------------------------------------------------------------
# Pure solve
# ------------------------------------------------------------------------------------


class _Controlled(eqx.Module):
    """Vector field of `model` with species `ctrl` held at piecewise-constant levels."""

    model: CRNModel
    ctrl: tuple[int, ...] = eqx.field(static=True)

    def __call__(self, t, y, args):
        switch_ts, table = args
        if self.ctrl:
            level = table[jnp.searchsorted(switch_ts, t, side="right")]
            y = y.at[..., jnp.asarray(self.ctrl)].set(level.astype(y.dtype))
        dy = self.model.rhs(t, y)
        if self.ctrl:
            dy = dy.at[..., jnp.asarray(self.ctrl)].set(0.0)
        return dy


@eqx.filter_jit
def integrate(
    model: CRNModel,
    y0: Float[Array, "batch ..."],
    ts: Float[Array, " T"],
    t0: Float[Array, ""],
    config: SolverConfig = SolverConfig(),
    ctrl: tuple[int, ...] = (),
    switch_ts: Float[Array, " K"] | None = None,
    level_table: Float[Array, "K1 C"] | None = None,
    adjoint: diffrax.AbstractAdjoint | None = None,
):
    """Solve `model` from `y0` (a batch: leading axis) at time `t0`, saving at `ts` (and t1).

    Returns `(ys, y1, ok, num_steps, t_reached, result)`: `ys` of shape (T, batch, ...), the
    state at `ts[-1]`, a success flag, the accepted step count, the last time reached and
    Diffrax's `RESULTS` item (its message says why a solve stopped).
    Pure and differentiable (reverse mode through `adjoint`; default Diffrax's
    `RecursiveCheckpointAdjoint`). Does not raise.
    """
    import diffrax

    adjoint = diffrax.RecursiveCheckpointAdjoint() if adjoint is None else adjoint
    if switch_ts is None:
        switch_ts = jnp.zeros((0,), y0.dtype)
        level_table = jnp.zeros((1, 0), y0.dtype)
    m = model.for_solver()
    term = diffrax.ODETerm(_Controlled(m, ctrl))
    jumps = switch_ts if ctrl else None
    sol = diffrax.diffeqsolve(
        term,
        _solver(config.solver, m),
        t0=t0,
        t1=ts[-1],
        dt0=config.first_step,
        y0=y0,
        args=(switch_ts, level_table),
        saveat=diffrax.SaveAt(ts=ts, t1=True),
        stepsize_controller=config.controller(jumps),
        max_steps=config.max_steps,
        adjoint=adjoint,
        throw=False,
    )
    ys = sol.ys
    ok = sol.result == diffrax.RESULTS.successful
    finite = jnp.all(jnp.isfinite(ys))
    saved_ok = jnp.all(jnp.isfinite(ys.reshape(ys.shape[0], -1)), axis=1)
    t_reached = jnp.max(jnp.where(saved_ok, sol.ts, t0))
    return ys[:-1], ys[-1], ok & finite, sol.stats["num_accepted_steps"], t_reached, sol.result


# ------------------------------------------------------------------------------------
# Validated simulation
# ------------------------------------------------------------------------------------


def _as_model(model_or_network) -> CRNModel:
    if isinstance(model_or_network, ReactionNetwork):
        return MassActionCRN.from_network(model_or_network)
    if not isinstance(model_or_network, CRNModel):
        raise TypeError(f"expected a crnzoo model or ReactionNetwork, got {type(model_or_network).__name__}")
    return model_or_network


def check_state(model: CRNModel, x0, what: str = "initial state") -> np.ndarray:
    """Refuse states of the wrong shape, with NaN/inf, or with negative concentrations."""
    try:
        x = np.asarray(x0, dtype=np.float64)
    except (TypeError, ValueError):
        raise StateError(f"{what} must be an array of numbers") from None
    shape = model.state_shape
    if not model.accepts_state_shape(x.shape):
        raise StateError(
            f"{what} has shape {x.shape}; this model needs (..., {', '.join(map(str, shape))}) "
            f"for species {', '.join(model.species)}"
        )
    if not np.all(np.isfinite(x)):
        bad = np.argwhere(~np.isfinite(x))[0]
        raise StateError(f"{what} contains NaN or inf (first at index {tuple(int(i) for i in bad)}, species {model.species[bad[-1]]})")
    if np.any(x < 0):
        bad = np.argwhere(x < 0)[0]
        raise StateError(
            f"{what} has a negative concentration ({x[tuple(bad)]:.4g} for species {model.species[bad[-1]]}); "
            "concentrations must be >= 0"
        )
    return x


def simulate(
    model,
    ts=None,
    x0=None,
    *,
    t1: float | None = None,
    n_save: int = 201,
    schedule: Schedule | None = None,
    solver: SolverConfig | None = None,
    batch: str = "joint",
    chunk: int | None = 1024,
    name: str | None = None,
) -> Trajectory:
    """Simulate a zoo model (or a `ReactionNetwork`) and return its `Trajectory`.

    **Arguments:**

    - `model`: a `CRNModel` or a `ReactionNetwork` (simulated by generic mass action).
    - `ts`: save times (increasing, first = start time, at least two: a start and an end).
      Default `linspace(0, t1, n_save)`.
    - `x0`: initial state, shape `(*batch, *model.state_shape)`; default `model.x0`.
    - `schedule`: an input `Schedule` (control levels and/or additions).
    - `solver`: a `SolverConfig` (default: Tsit5, rtol 1e-7, atol 1e-9).
    - `batch`: `"joint"` (one system, one controller) or `"vmap"`.
    - `chunk`: with `"joint"`, solve the batch in consecutive chunks of this many members,
      each with its own step controller (fewer lock-step steps for large batches; 2× faster
      than one 10,000-member system on approximate majority here). None: one system.
    - `name`: the model's name for error messages.

    **Raises:** `StateError` for a bad state or schedule; `SimulationError` when the solve
    fails or diverges (naming the model, the time reached and the solver's message).
    """
    model = _as_model(model)
    label = name or type(model).__name__
    solver = solver or SolverConfig()
    if ts is None:
        if t1 is None or not np.isfinite(t1) or t1 <= 0:
            raise StateError(f"give save times `ts` or a positive end time t1 (got t1={t1})")
        ts = np.linspace(0.0, float(t1), n_save)
    ts = np.asarray(ts, dtype=np.float64)
    if ts.ndim != 1 or ts.size < 1 or not np.all(np.isfinite(ts)) or np.any(np.diff(ts) < 0):
        raise StateError("save times must be a non-empty, finite, non-decreasing 1-D sequence")
    if ts.size < 2 or ts[-1] <= ts[0]:
        raise StateError(
            f"save times {ts.tolist()[:3]}{'…' if ts.size > 3 else ''} start and end at the same time: the first is the "
            f"start time, so give at least a start and a later end (e.g. [0, {ts[-1]:g}] or t1={ts[-1]:g})"
        )
    shared = getattr(model, "shared_trajectory", None)  # an SBML model: the program its size class shares
    if shared is not None and schedule is None and (traj := shared(ts, x0, solver, label)) is not None:
        return traj
    x = check_state(model, model.x0 if x0 is None else x0)
    nd = len(model.state_shape)
    batch_shape = x.shape[: x.ndim - nd]
    y = jnp.asarray(x.reshape((-1,) + x.shape[x.ndim - nd :]))

    schedule = schedule or Schedule()
    ctrl, switch_ts, table = _control_table(model, schedule)
    # Held species start at their first level.
    if ctrl:
        y = y.at[..., jnp.asarray(ctrl)].set(table[0])
    t_start = float(ts[0])
    if any(t < t_start for t, _ in schedule.additions):
        raise StateError(f"an addition is scheduled before the start time {t_start}")
    adds = {t: a for t, a in schedule.additions}
    resets = {t for t in schedule.resets if t_start < t <= ts[-1]}
    cuts = sorted({t for t in adds if t_start < t <= ts[-1]} | resets)
    bounds = [t_start, *cuts, float(ts[-1])]
    pieces = []
    x_reset = jnp.broadcast_to(jnp.asarray(check_state(model, model.x0), dtype=y.dtype), y.shape) if resets else None
    for i, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])):
        if i > 0 and a in resets:
            y = x_reset.at[..., jnp.asarray(ctrl)].set(y[..., jnp.asarray(ctrl)]) if ctrl else x_reset
        if i > 0 and a in adds:
            y = _apply_addition(model, y, adds[a], solver.atol)
        last = i == len(bounds) - 2
        seg_ts = ts[(ts >= a) & ((ts <= b) if last else (ts < b))]
        solve_ts = np.append(seg_ts, b) if (seg_ts.size == 0 or seg_ts[-1] != b) else seg_ts
        if a == b:
            ys = jnp.broadcast_to(y, (solve_ts.size,) + y.shape)
            y1, ok, result, reached = y, True, None, b
        else:
            ys, y1, ok, _, reached, result = _run(model, y, solve_ts, a, solver, ctrl, switch_ts, table, batch, chunk)
        if not bool(ok):
            msg = (result_message(result) if result is not None else "") or "the state became NaN or infinite"
            raise SimulationError(
                f"simulation of {label} failed at t={float(reached):.6g} (segment {a:g}..{b:g}, "
                f"solver {solver.solver}, max_steps {solver.max_steps}): {msg}"
            )
        pieces.append(np.asarray(ys)[: seg_ts.size])
        y = y1
    ys = np.concatenate(pieces, axis=0)  # (T, B, ...)
    if ctrl:
        idx = np.searchsorted(np.asarray(switch_ts), ts, side="right")
        ys[..., list(ctrl)] = np.asarray(table)[idx][(slice(None),) + (None,) * (ys.ndim - 2)]
    ys = np.moveaxis(ys, 0, 1).reshape(batch_shape + (len(ts),) + ys.shape[2:])
    return Trajectory(ts, ys, model.species, model.flat_species(ys.shape[ys.ndim - nd :]), nd)


@eqx.filter_jit
def _integrate_chunks(model, y, ts, t0, solver, ctrl, switch_ts, table, chunk: int):
    """`integrate` over consecutive chunks of the batch, each with its own step controller
    (chunks spread over the local devices: `crnzoo.sharding.map_chunks`)."""
    b = y.shape[0]
    out = sharding.map_chunks(lambda yc: integrate(model, yc, ts, t0, solver, ctrl, switch_ts, table), y, chunk)
    ys, y1, ok, steps, reached, result = out
    ys = jnp.moveaxis(ys, 0, 1).reshape((ts.shape[0], -1) + y.shape[1:])[:, :b]
    return ys, y1.reshape((-1,) + y.shape[1:])[:b], jnp.all(ok), jnp.max(steps), jnp.min(reached), _first_failure(ok, result)


def _run(model, y, ts, t0, solver, ctrl, switch_ts, table, batch, chunk=None):
    ts, t0 = jnp.asarray(ts), jnp.asarray(t0, dtype=jnp.float64)
    if y.shape[0] > 1:  # several local devices: the batch is split, everything else copied to each
        model, ts, t0, switch_ts, table = sharding.replicate((model, ts, t0, switch_ts, table))
    if batch == "joint" and chunk and y.shape[0] > chunk:
        return _integrate_chunks(model, y, ts, t0, solver, ctrl, switch_ts, table, int(chunk))
    if batch not in ("joint", "vmap"):
        raise StateError(f"batch must be 'joint' or 'vmap', got {batch!r}")
    y, b = sharding.shard_padded(y)  # split over the local devices (unchanged on one)
    if batch == "joint":
        ys, y1, ok, steps, reached, result = integrate(model, y, ts, t0, solver, ctrl, switch_ts, table)
    else:
        out = jax.vmap(lambda yi: integrate(model, yi[None], ts, t0, solver, ctrl, switch_ts, table))(y)
        ys, y1, ok, steps, reached, result = out
        ys, y1, ok, result = jnp.moveaxis(ys[:, :, 0], 0, 1), y1[:, 0], jnp.all(ok), _first_failure(ok, result)
        reached = jnp.min(reached)
    if b < y.shape[0]:  # drop the padding copies
        ys, y1, steps = ys[:, :b], y1[:b], steps if jnp.ndim(steps) == 0 else steps[:b]
    return ys, y1, ok, steps, reached, result


def _first_failure(ok, results):
    """The `RESULTS` item of the first failed member of a batch of solves (else the first)."""
    i = jnp.argmin(ok)
    return jax.tree_util.tree_map(lambda v: v[i], results)


def _control_table(model: CRNModel, schedule: Schedule):
    unknown = [s for s in schedule.levels if s not in model.species]
    unknown += [s for _, a in schedule.additions for s in a if s not in model.species]
    if unknown:
        raise StateError(f"schedule names unknown species {', '.join(sorted(set(unknown)))}; species are {', '.join(model.species)}")
    if not schedule.levels:
        return (), None, None
    ctrl = tuple(model.species.index(s) for s in schedule.levels)
    table = np.array([schedule.levels[s] for s in schedule.levels], dtype=np.float64).T
    return ctrl, jnp.asarray(schedule.switch_times, dtype=jnp.float64), jnp.asarray(table)


def _apply_addition(model: CRNModel, y, amounts: Mapping[str, float], atol: float = 1e-9):
    """Add `amounts` to the state. Solver round-off below 0 (within 100 × `atol`) is not the
    addition's doing: it is clipped to 0; only an addition that itself takes a species below
    0 is refused."""
    tol = 100.0 * atol
    y = jnp.where((y < 0) & (y >= -tol), 0.0, y)
    for s, amount in amounts.items():
        i = model.species.index(s)
        after = y[..., i] + amount
        if amount < 0 and bool(jnp.any(after < -tol)):
            raise StateError(
                f"the addition of {amount:g} {s} would make its concentration negative "
                f"(it is {float(jnp.min(y[..., i])):.4g} then)"
            )
        y = y.at[..., i].set(jnp.maximum(after, 0.0))
    return y
