"""The namespace generated SBML code runs in: `jnp`, `jax`, constants and function definitions.

A leaf of `crnzoo.sbml` (no imports from its siblings but the error), shared by the reader
(initial values) and the compiler (right-hand side).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from .errors import SBMLImportError


def _gammaln_np(x):
    from scipy.special import gammaln

    return gammaln(x)


class _NumpyAsJnp:
    """`numpy` under the name `jnp`: the generated code run on the host, with no JAX and no compiling."""

    def __getattr__(self, name):
        return getattr(np, name)


def _set_jax(a, idx, v):
    return a.at[..., idx].set(v)


def _mul_jax(a, idx, v):
    return a.at[..., idx].multiply(v)


def _set_np(a, idx, v):
    a = np.array(a, copy=True)
    a[..., idx] = v
    return a


def _mul_np(a, idx, v):
    a = np.array(a, copy=True)
    a[..., idx] *= v
    return a


def namespace(spec, backend: str = "jax") -> dict:
    """Globals for generated code of `spec` (a `Spec`): jnp, jax, `_c` constants, `_f_<id>` functions.

    `backend="numpy"` binds `jnp` to numpy: the same source then evaluates on the host in
    microseconds with no compile (the Test Suite runner's callbacks, the event loop)."""
    if backend == "numpy":
        ns = {"jnp": _NumpyAsJnp(), "jax": None, "_c": dict(spec.constants), "_gammaln": _gammaln_np, "_set": _set_np, "_mul": _mul_np}
    else:
        ns = {"jnp": jnp, "jax": jax, "_c": dict(spec.constants), "_gammaln": jax.scipy.special.gammaln, "_set": _set_jax, "_mul": _mul_jax}
    for fid, args, body in spec.functions:
        src = f"def _f_{fid}({', '.join('_a_' + a for a in args)}):\n    return {body}\n"
        exec(compile(src, f"<sbml function {fid}>", "exec"), ns)
    return ns


def evaluate_initial(spec, env: dict, equations: list[tuple[str, str]]) -> None:
    """Evaluate `(id, source)` equations over `env` (id -> float) in order, at t = 0.

    With numpy first (each eager `jnp` operation compiles an XLA program the first time a
    process meets it: ≈ 0.2 s CPU of a 20-reaction model's load), with `jnp` where numpy
    raises (e.g. an integer to a negative integer power), as before."""
    ns_np, ns = namespace(spec, "numpy"), None
    ns_np.update(_e=env, t=0.0)
    for key, src in equations:
        code = compile(src, f"<sbml {key}>", "eval")
        try:
            with np.errstate(all="ignore"):
                env[key] = float(eval(code, ns_np))
            continue
        except Exception:  # noqa: BLE001  (numpy's errors are not jnp's: jnp decides, below)
            pass
        if ns is None:
            ns = namespace(spec)
            ns.update(_e=env, t=0.0)
        try:
            env[key] = float(eval(code, ns))
        except (ZeroDivisionError, OverflowError, TypeError, ValueError) as e:
            raise SBMLImportError(f"initial value of {key} could not be computed: {e}") from None


def quiet(f):
    """`f` with numpy's floating-point warnings off (the model's math decides what inf and nan mean)."""

    def g(*args):
        with np.errstate(all="ignore"):
            return f(*args)

    return g
