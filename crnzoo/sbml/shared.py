"""One compiled Diffrax solve shared by many SBML models (the Test Suite runner's engine).

Compiling a Diffrax solve takes seconds per model (most of a Test Suite case's time);
evaluating a small model's right-hand side takes microseconds. `SharedSolve` compiles the
stretch-between-events solve of `crnzoo.sbml.eventsim` once per padded size (state, parameters,
tracked relations and output times rounded up to powers of two) and evaluates each model's
right-hand side and relations on the host through `jax.pure_callback`, calling that model's own
jitted functions (the same generated code as `crnzoo.simulate`). Both have a custom JVP
(their own `jax.jvp`, on the host), so implicit solvers (kvaerno5) and Newton's root finding
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


def _bucket(n: int, least: int = 4) -> int:
    return max(least, 1 << max(0, int(n) - 1).bit_length())


@dataclasses.dataclass
class _Entry:
    rhs: object  # jitted rhs(t, y, p) of the model
    atoms: object  # atoms(t, y, p) (jitted)
    jvp: dict | None  # jitted JVPs of rhs and atoms, made on first use
    n: int
    n_params: int
    n_atoms: int


class SharedSolve:
    """Registry of models whose solves share one compiled program per padded size."""

    def __init__(self):
        self._models: dict[int, _Entry] = {}
        self._next = 0

    def register(self, model) -> int:
        """A key for `model` (an `SBMLModel`); its functions are jitted here (small compiles)."""
        spec, fns = model.spec, model.static.events
        key = self._next
        self._next += 1
        self._models[key] = _Entry(jax.jit(model.static.compiled.rhs), fns.atoms_now, None, len(spec.state), len(spec.params), len(spec.atoms))
        return key

    def release(self, key: int) -> None:
        self._models.pop(key, None)

    def view(self, n: int, n_params: int, n_atoms: int) -> "_View":
        """Padded sizes: few distinct programs (each takes seconds to compile), little waste."""
        return _View(self, _bucket(n, 8), _bucket(n_params + 1, 16), _bucket(n_atoms, 4) if n_atoms else 0)

    # host side (numpy in, numpy out) ----------------------------------------------------
    def _entry(self, p: np.ndarray) -> _Entry:
        return self._models[int(p[-1])]

    def _rhs(self, t, y, p):
        t, y, p = np.asarray(t), np.asarray(y), np.asarray(p)
        e = self._entry(p)
        out = np.zeros(y.shape, y.dtype)
        out[: e.n] = np.asarray(e.rhs(t, y[: e.n], p[: e.n_params]))
        return out

    def _jvp(self, what, width, t, y, p, dt, dy, dp):
        t, y, p, dt, dy, dp = map(np.asarray, (t, y, p, dt, dy, dp))
        e = self._entry(p)
        if e.jvp is None:
            e.jvp = {}
        if what not in e.jvp:
            f = e.rhs if what == "rhs" else e.atoms
            e.jvp[what] = jax.jit(lambda t, y, p, dt, dy, dp: jax.jvp(f, (t, y, p), (dt, dy, dp))[1])
        n, k = e.n, e.n_params
        got = np.asarray(e.jvp[what](t, y[:n], p[:k], dt, dy[:n], dp[:k]))
        out = np.zeros((width,), y.dtype)
        out[: len(got)] = got
        return out

    def _atoms(self, width, t, y, p):
        t, y, p = np.asarray(t), np.asarray(y), np.asarray(p)
        e = self._entry(p)
        out = -np.ones((width,), y.dtype)  # padding: never crosses upwards
        if e.n_atoms:
            out[: e.n_atoms] = np.asarray(e.atoms(t, y[: e.n], p[: e.n_params]))
        return out


@dataclasses.dataclass(frozen=True)
class _View:
    """The functions a shared solve traces (equal views share one compiled program)."""

    engine: SharedSolve
    n: int
    n_params: int
    n_atoms: int
    norm = staticmethod(optx.max_norm)  # error norm blind to the zero padding (an RMS would loosen the tolerance)

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
    f = engine._rhs if what == "rhs" else functools.partial(engine._atoms, width)
    return jax.pure_callback(f, jax.ShapeDtypeStruct((width,), y.dtype), t, y, p, vmap_method="sequential")


@_host.defjvp
def _host_jvp(engine, what, width, primals, tangents):
    t, y, p = primals
    dt, dy, dp = (jnp.zeros_like(x) if type(d).__name__ == "SymbolicZero" else d for x, d in zip(primals, tangents))
    out = _host(engine, what, width, t, y, p)
    f = functools.partial(engine._jvp, what, width)
    tan = jax.pure_callback(f, jax.ShapeDtypeStruct((width,), y.dtype), t, y, p, jnp.asarray(dt, y.dtype), dy, dp, vmap_method="sequential")
    return out, tan
