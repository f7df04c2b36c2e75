"""The namespace generated SBML code runs in: `jnp`, `jax`, constants and function definitions.

A leaf of `crnzoo.sbml` (no imports from its siblings but the error), shared by the reader
(initial values) and the compiler (right-hand side).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from .errors import SBMLImportError


def namespace(spec) -> dict:
    """Globals for generated code of `spec` (a `Spec`): jnp, jax, `_c` constants, `_f_<id>` functions."""
    ns = {"jnp": jnp, "jax": jax, "_c": dict(spec.constants)}
    for fid, args, body in spec.functions:
        src = f"def _f_{fid}({', '.join('_a_' + a for a in args)}):\n    return {body}\n"
        exec(compile(src, f"<sbml function {fid}>", "exec"), ns)
    return ns


def evaluate_initial(spec, env: dict, equations: list[tuple[str, str]]) -> None:
    """Evaluate `(id, source)` equations over `env` (id -> float) in order, at t = 0."""
    ns = namespace(spec)
    ns.update(_e=env, t=0.0)
    for key, src in equations:
        try:
            env[key] = float(eval(compile(src, f"<sbml {key}>", "eval"), ns))
        except (ZeroDivisionError, OverflowError, TypeError, ValueError) as e:
            raise SBMLImportError(f"initial value of {key} could not be computed: {e}") from None
