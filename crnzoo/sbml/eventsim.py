"""Simulate an SBML model with events: Diffrax solves between events, SBML L3 event semantics between solves.

Each stretch between events is one Diffrax solve (compiled once per model, reused for every
stretch) that stops where a tracked relation of a trigger changes value: the cond function of
atom k is `s_k * g_k(t, y, p)` (upcrossing), `s_k = +1` while the atom is false and `-1` while
true, and `optimistix.Newton` locates the crossing on the dense output. At a stop (or at a
delayed execution time, or at the start) the event rules of SBML Level 3 apply:

- an event *triggers* when its trigger goes from false to true (before the start its value is
  the trigger's `initialValue`); its delay and, with `useValuesFromTriggerTime`, its assigned
  values are computed then;
- executions due now run one at a time, highest `priority` first (no priorities: document
  order; equal priorities of two simultaneous events, which SBML leaves to chance, are refused);
  after each, every trigger is evaluated again (cascades);
- a non-persistent event whose trigger turns false before it executes is cancelled.

Output times that coincide with an event report the state after it. Not differentiable
(the loop runs in Python); models without events use `crnzoo.simulate` as before.
"""

from __future__ import annotations

import dataclasses
import heapq
from collections.abc import Callable

import equinox as eqx
import jax.numpy as jnp
import numpy as np

from ..solvers.config import SimulationError, SolverConfig, diffrax_solver
from .errors import SBMLImportError
from .runtime import namespace, quiet


@dataclasses.dataclass(frozen=True, eq=False)
class EventFunctions:
    """Generated functions of a model's events (hashed by identity: a static argument).

    `atoms(t, y, p)` -> g (K,); `discrete(t, y, p, b)` -> (triggers (E,), delays (E,),
    priorities (E,), assigned values (M,)), evaluated with numpy (no compile); `strict` (K,)
    says which atoms are strict (`>`).
    """

    rhs: Callable
    atoms: Callable  # traced inside the solve
    atoms_now: Callable  # the same on the host (numpy), for the Python loop and shared-solve callbacks
    discrete: Callable  # on the host (numpy)
    strict: np.ndarray
    offsets: tuple[int, ...]  # start of each event's values in the assigned vector (E + 1)


def _stack(items: list[str]) -> str:
    if not items:
        return "jnp.zeros((0,), y.dtype)"
    return "jnp.stack([jnp.asarray(_x, y.dtype) for _x in jnp.broadcast_arrays(" + ", ".join(items) + ")])"


def compile_events(spec, rhs: Callable) -> EventFunctions:
    """Generate `atoms` and `discrete` of `spec`'s events (`spec.events`, `spec.atoms`)."""
    body = [f"    _v_{k} = {src}" for k, src in spec.computed]
    evs = spec.events
    values = [v for ev in evs for v in ev.values]
    offsets = tuple(np.cumsum([0] + [len(ev.values) for ev in evs]).tolist())
    src = "\n".join([
        "def _atoms(t, y, p):", *body, f"    return {_stack([g for g, _ in spec.atoms])}", "",
        "def _discrete(t, y, p, _b):", *body,
        (f"    return ({_stack([ev.trigger for ev in evs])}, {_stack([ev.delay or '0.0' for ev in evs])}, "
         f"{_stack([ev.priority or '0.0' for ev in evs])}, {_stack(values)})"),
    ]) + "\n"
    ns, ns_np = namespace(spec), namespace(spec, "numpy")
    code = compile(src, f"<sbml events {spec.name}>", "exec")
    exec(code, ns)
    exec(code, ns_np)
    strict = np.asarray([s for _, s in spec.atoms], dtype=bool)
    return EventFunctions(rhs, ns["_atoms"], quiet(ns_np["_atoms"]), quiet(ns_np["_discrete"]), strict, offsets)



def _pow2(n: int) -> int:
    return 1 << max(0, n - 1).bit_length()


def _cond(k: int, atoms: Callable):
    def cond(t, y, args, **kwargs):
        p, s = args
        return s[k] * atoms(t, y, p)[k]

    return cond


@eqx.filter_jit
def _segment(fns, n_atoms: int, config: SolverConfig, y0, p, s, t0, t1, ts):
    """Solve from t0 towards t1, saving at `ts` (clipped into [t0, t1]); stop early at a crossing."""
    import diffrax
    import optimistix as optx

    term = diffrax.ODETerm(lambda t, y, args: fns.rhs(t, y, args[0]))
    event = None
    if n_atoms:
        root = optx.Newton(rtol=1e-12, atol=1e-12 * jnp.maximum(1.0, jnp.abs(t1)))
        event = diffrax.Event([_cond(k, fns.atoms) for k in range(n_atoms)], root, direction=True)
    controller = config.controller()
    if getattr(fns, "norm", None) is not None and isinstance(controller, diffrax.PIDController):
        controller = diffrax.PIDController(rtol=config.rtol, atol=config.atol, pcoeff=config.pcoeff, icoeff=config.icoeff, norm=fns.norm)
    sol = diffrax.diffeqsolve(
        term, diffrax_solver(config.solver), t0=t0, t1=t1, dt0=config.first_step, y0=y0, args=(p, s),
        saveat=diffrax.SaveAt(subs=[diffrax.SubSaveAt(ts=jnp.clip(ts, t0, t1)), diffrax.SubSaveAt(t1=True)]), stepsize_controller=controller,
        max_steps=config.max_steps, event=event, throw=False,
    )
    mask = jnp.stack(sol.event_mask) if n_atoms else jnp.zeros((0,), bool)
    ok = (sol.result == diffrax.RESULTS.successful) | (sol.result == diffrax.RESULTS.event_occurred)
    return sol.ys[0], sol.ys[1][-1], sol.ts[1][-1], mask, ok


class _Run:
    """The state of one simulation with events (plain numpy between solves)."""

    def __init__(self, fns: EventFunctions, spec, y: np.ndarray, p: np.ndarray, t: float):
        self.fns, self.spec = fns, spec
        self.y, self.p, self.t = y.copy(), p.copy(), t
        g = np.asarray(fns.atoms_now(t, y, p))
        self.b = np.where(fns.strict, g > 0, g >= 0)
        self.flipped = np.full(self.b.shape, -np.inf)  # when each atom last changed at a located crossing
        self.prev = np.asarray([ev.initial_value for ev in spec.events], dtype=bool)
        self.pending: list[tuple[float, int, int, np.ndarray | None]] = []  # (time, seq, event, values)
        self.seq = 0

    def evaluate(self):
        trig, delay, prio, vals = self.fns.discrete(self.t, self.y, self.p, self.b)
        return np.asarray(trig) > 0.5, np.asarray(delay), np.asarray(prio), np.asarray(vals)

    def _update_triggers(self) -> None:
        trig, delay, _, vals = self.evaluate()
        for i, ev in enumerate(self.spec.events):
            if trig[i] and not self.prev[i]:
                if not np.isfinite(delay[i]) or delay[i] < 0:
                    raise SimulationError(f"event {ev.id}: delay {delay[i]} is not a non-negative number")
                o = self.fns.offsets
                values = vals[o[i]:o[i + 1]].copy() if ev.use_trigger_values else None
                heapq.heappush(self.pending, (self.t + float(delay[i]), self.seq, i, values))
                self.seq += 1
            elif self.prev[i] and not trig[i] and not ev.persistent:
                self.pending = [x for x in self.pending if x[2] != i]
                heapq.heapify(self.pending)
        self.prev = trig

    def fire(self, eps: float, limit: int = 100_000) -> None:
        """Trigger what the current state triggers, then run every execution due now (cascades included)."""
        self._update_triggers()
        for _ in range(limit):
            due = [x for x in self.pending if x[0] <= self.t + eps]
            if not due:
                return
            _, _, prio, vals = self.evaluate()
            if any(ev.priority is not None for ev in self.spec.events):
                best = max(prio[x[2]] for x in due)
                top = [x for x in due if prio[x[2]] == best]
                if len({x[2] for x in top}) > 1:
                    names = ", ".join(sorted({self.spec.events[x[2]].id for x in top}))
                    raise SBMLImportError(f"events {names} execute at the same time with equal priority (SBML: random order): not supported")
                chosen = min(top, key=lambda x: (x[0], x[1]))
            else:
                chosen = min(due, key=lambda x: (x[0], x[2], x[1]))
            self.pending.remove(chosen)
            heapq.heapify(self.pending)
            i = chosen[2]
            o = self.fns.offsets
            values = chosen[3] if chosen[3] is not None else vals[o[i]:o[i + 1]]
            g_before = np.asarray(self.fns.atoms_now(self.t, self.y, self.p))
            for (kind, j), v in zip(self.spec.events[i].targets, values):
                (self.y if kind == "y" else self.p)[j] = v
            g_after = np.asarray(self.fns.atoms_now(self.t, self.y, self.p))
            moved = g_after != g_before  # relations an assignment moved take their new value
            self.b = np.where(moved, np.where(self.fns.strict, g_after > 0, g_after >= 0), self.b)
            self._update_triggers()
        raise SimulationError(f"more than {limit} event executions at t = {self.t:g} (an event cascade that does not end)")


def simulate_events(model, ts: np.ndarray, config: SolverConfig, engine=None, max_stretches: int = 100_000) -> tuple[np.ndarray, np.ndarray]:
    """(states (T, N), parameters (T, P)) at the output times `ts` (increasing, ts[0] = start)
    of an SBML model with events (events may change parameters). `engine`: a
    `crnzoo.sbml.shared.SharedSolve` to reuse one compiled solve across models (default: the
    model's own compiled solve)."""
    if engine is None and model.spec.state:
        return _loop(model, ts, config, model.static.events, None, max_stretches)
    if engine is None:  # nothing obeys an ODE: the padded shared solve still locates crossings in time
        from .shared import SharedSolve

        engine = SharedSolve()
    key = engine.register(model)
    try:
        view = engine.view(len(model.spec.state), len(model.spec.params), len(model.spec.atoms))
        return _loop(model, ts, config, view, key, max_stretches)
    finally:
        engine.release(key)


def _loop(model, ts, config, seg, key, max_stretches):
    spec = model.spec
    fns = model.static.events
    ts = np.asarray(ts, dtype=np.float64)
    n = len(spec.atoms)
    n_seg = seg.n_atoms if key is not None else n
    if key is not None:  # pad the output times to a power of two (one compiled program for many lengths)
        tsj = jnp.asarray(np.concatenate([ts, np.full(max(1024, _pow2(len(ts))) - len(ts), ts[-1])]))
    else:
        tsj = jnp.asarray(ts)
    out = np.full((len(ts), len(spec.state)), np.nan)
    out_p = np.full((len(ts), len(spec.params)), np.nan)
    t_end = float(ts[-1])
    scale = max(1.0, abs(t_end))
    eps = 1e-9 * scale
    run = _Run(fns, spec, np.asarray(model.x0, np.float64), np.asarray(model.params, np.float64), float(ts[0]))
    run.fire(eps)
    for _ in range(max_stretches):
        t_stop = min([t_end, *(x[0] for x in run.pending)])
        if t_stop > run.t + eps:
            enabled = np.ones(n, bool)
            while True:  # Diffrax names the first crossing of a step in list order, not in time: find the earliest
                s = np.where(enabled, np.where(run.b, -1.0, 1.0), 0.0)  # 0: an atom that cannot trigger
                y, p = (run.y, run.p) if key is None else seg.pad(run.y, run.p, key)
                if key is not None:
                    s = np.concatenate([s, np.ones(n_seg - n)])
                ys, y1, t1, mask, ok = _segment(seg, n_seg, config, jnp.asarray(y), jnp.asarray(p), jnp.asarray(s),
                                                jnp.asarray(run.t), jnp.asarray(t_stop), tsj)
                if not bool(ok):
                    raise SimulationError(f"solver {config.solver} stopped at t={run.t:.6g}..{t_stop:.6g} (step limit or non-finite state)")
                ys, t1 = np.asarray(ys)[: len(ts), : len(run.y)], float(t1)
                y1, mask = np.asarray(y1, np.float64)[: len(run.y)], np.asarray(mask, bool)[:n]
                c = np.where(run.b, -1.0, 1.0) * np.asarray(fns.atoms_now(t1, y1, run.p), np.float64) if n else np.zeros(0)
                earlier = mask.any() and bool(np.any((c > 1e-9 * scale) & ~mask & enabled))
                if not earlier:
                    break
                enabled &= ~mask  # another relation crossed before the located one: look again without it
            take = (ts >= run.t - eps) & (ts < t1 - eps)
            out[take] = ys[take]
            out_p[take] = run.p
            run.y, run.t = y1.copy(), t1
            if mask.any():  # crossings at the same instant as the located one (|c| within tolerance) count too
                flip = mask | ((c > -1e-9 * scale) & enabled & (run.flipped < run.t - eps))
                run.b = np.where(flip, ~run.b, run.b)
                run.flipped = np.where(flip, run.t, run.flipped)
        else:
            run.t = max(run.t, t_stop)
        run.fire(eps)
        if run.t >= t_end - eps and not any(x[0] <= t_end + eps for x in run.pending):
            out[ts >= run.t - eps] = run.y
            out_p[ts >= run.t - eps] = run.p
            return out, out_p
    raise SimulationError(f"more than {max_stretches} stretches between events")
