"""One compiled Diffrax solve shared by many SBML models (the Test Suite runner's engine).

Compiling a Diffrax solve takes seconds per model (most of a Test Suite case's time);
evaluating a small model's right-hand side takes microseconds. `SharedSolve` compiles the
stretch-between-events solve of `crnzoo.sbml.eventsim` once per padded size (state, parameters,
tracked relations and output times rounded up to powers of two) and evaluates each model's
right-hand side and relations on the host through `jax.pure_callback`: the same generated code
as `crnzoo.simulate`, with numpy bound to `jnp` (no compile per model). Both have a custom JVP
(a central difference on the host), so implicit solvers (kvaerno5) and Newton's root finding
of event times work too.

Not differentiable with respect to parameters (a simulator, not a trainer); one instance per
process, registered models are dropped with `release`.
"""

from __future__ import annotations

import dataclasses
import functools

import jax
import jax.numpy as jnp
import numpy as np
import optimistix as optx

from .runtime import quiet


def _bucket(n: int, least: int = 4) -> int:
    return max(least, 1 << max(0, int(n) - 1).bit_length())


@dataclasses.dataclass
class _Entry:
    rhs: object  # rhs(t, y, p) of the model, numpy
    atoms: object  # atoms(t, y, p), numpy
    n: int
    n_params: int
    n_atoms: int


class SharedSolve:
    """Registry of models whose solves share one compiled program per padded size."""

    def __init__(self):
        self._models: dict[int, _Entry] = {}
        self._next = 0

    def register(self, model) -> int:
        """A key for `model` (an `SBMLModel`): its numpy right-hand side and relations (no compile)."""
        spec = model.spec
        key = self._next
        self._next += 1
        self._models[key] = _Entry(quiet(model.static.compiled.rhs_np), model.static.events.atoms_now,
                                   len(spec.state), len(spec.params), len(spec.atoms))
        return key

    def release(self, key: int) -> None:
        self._models.pop(key, None)

    def view(self, n: int, n_params: int, n_atoms: int) -> _View:
        """Padded sizes: few distinct programs (each takes seconds to compile), little waste."""
        return _View(self, _bucket(n, 16), _bucket(n_params + 1, 32), _bucket(n_atoms, 4))  # models without events too

    # host side (numpy in, numpy out) ----------------------------------------------------
    def _call(self, what, width, t, y, p):
        e = self._models[int(p[-1])]
        out = np.zeros((width,), np.float64) if what == "rhs" else -np.ones((width,), np.float64)  # atoms: never cross
        n, k = e.n, e.n_params
        if what == "rhs":
            out[:n] = e.rhs(float(t), y[:n], p[:k])
        elif e.n_atoms:
            out[: e.n_atoms] = e.atoms(float(t), y[:n], p[:k])
        return out

    def _host(self, what, width, t, y, p):
        return self._call(what, width, np.asarray(t), np.asarray(y, np.float64), np.asarray(p, np.float64))

    def _jvp(self, what, width, t, y, p, dt, dy, dp):
        """Central difference along (dt, dy, dp): the Jacobian-vector product an implicit solver
        or Newton's root finding needs (their accuracy is set by error control, not by this)."""
        t, y, p, dt, dy, dp = (np.asarray(x, np.float64) for x in (t, y, p, dt, dy, dp))
        dp = dp.copy()
        dp[-1] = 0.0  # the key slot
        size = max(float(np.max(np.abs(dy), initial=0.0)), float(np.max(np.abs(dp), initial=0.0)), float(abs(dt)))
        if size == 0.0:
            return np.zeros((width,), np.float64)
        scale = max(1.0, float(np.max(np.abs(y), initial=0.0)), float(abs(t)))
        h = 1e-6 * scale / size
        hi = self._call(what, width, t + h * dt, y + h * dy, p + h * dp)
        lo = self._call(what, width, t - h * dt, y - h * dy, p - h * dp)
        return (hi - lo) / (2 * h)


def _finite_or_inf(n):
    """An error norm with NaN read as inf: Diffrax's PID controller then rejects the step and
    shrinks it by `factormin`; a NaN would make every later step size NaN, each rejected step
    costing host callbacks, until `max_steps` (case 00269 took minutes)."""
    return jnp.where(jnp.isnan(n), jnp.inf, n)


@dataclasses.dataclass(frozen=True)
class _View:
    """The functions a shared solve traces (equal views share one compiled program)."""

    engine: SharedSolve
    n: int
    n_params: int
    n_atoms: int
    norm = staticmethod(lambda y: _finite_or_inf(optx.max_norm(y)))  # blind to the zero padding (an RMS would loosen the tolerance)

    def rhs(self, t, y, p):
        return _host(self.engine, "rhs", self.n, t, y, p)

    def atoms(self, t, y, p):
        return _host(self.engine, "atoms", self.n_atoms, t, y, p)

    def pad(self, y: np.ndarray, p: np.ndarray, key: int) -> tuple[np.ndarray, np.ndarray]:
        yp = np.zeros(self.n)
        yp[: len(y)] = y
        pp = np.zeros(self.n_params)
        pp[: len(p)] = p
        pp[-1] = key
        return yp, pp


@functools.partial(jax.custom_jvp, nondiff_argnums=(0, 1, 2))
def _host(engine, what: str, width: int, t, y, p):
    """engine's host function `what` ("rhs" or "atoms") of (t, y, p), an array of `width`."""
    f = functools.partial(engine._host, what, width)
    return jax.pure_callback(f, jax.ShapeDtypeStruct((width,), y.dtype), t, y, p, vmap_method="sequential")


@_host.defjvp
def _host_jvp(engine, what, width, primals, tangents):
    t, y, p = primals
    dt, dy, dp = (jnp.zeros_like(x) if type(d).__name__ == "SymbolicZero" else d for x, d in zip(primals, tangents))
    out = _host(engine, what, width, t, y, p)
    f = functools.partial(engine._jvp, what, width)
    tan = jax.pure_callback(f, jax.ShapeDtypeStruct((width,), y.dtype), t, y, p, jnp.asarray(dt, y.dtype), dy, dp, vmap_method="sequential")
    return out, tan
