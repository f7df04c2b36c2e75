"""Generate the Python/JAX functions of a `Spec`: right-hand side and observables.

`compile_spec(spec)` returns `Compiled` with

- `rhs(t, y, p)`: d(state)/dt for a state `y` of shape (..., N) and parameters `p` (P,):
  reaction rates `v` (extent per time) through the stoichiometry matrix, each column of a
  concentration species divided by its (constant) compartment size, plus rate rules;
- `observe(t, y, p)`: the value of every symbol in `symbols` (state, parameters, compartments,
  assignment-rule targets, reaction rates), stacked along the last axis.

The code is generated once as text and `exec`-ed; JAX traces it (differentiable).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import jax.numpy as jnp
import numpy as np

from .read import Spec
from .runtime import namespace as _namespace
from .vectorise import product_law, tables


@dataclasses.dataclass(frozen=True, eq=False)
class Compiled:
    rhs: Callable
    observe: Callable
    symbols: tuple[str, ...]
    source: str
    rhs_np: Callable  # the same source with numpy for jnp (host evaluation, no compile)
    observe_np: Callable


def _stack(items: list[str]) -> str:
    if not items:
        return "jnp.zeros(y.shape[:-1] + (0,), y.dtype)"
    return f"jnp.stack(jnp.broadcast_arrays(jnp.zeros(y.shape[:-1], y.dtype), {', '.join(items)})[1:], -1)"


def stoich_matrix(spec: Spec) -> np.ndarray:
    """(N, R): the change of each state entry per unit extent of each reaction (concentration
    species divided by their compartment's size, unless the state holds their amount because a
    rule resizes the compartment; boundary, constant and rule-set species 0)."""
    index = {s: i for i, s in enumerate(spec.state)}
    S = np.zeros((len(spec.state), len(spec.reactions)))
    for j, net in enumerate(spec.stoich):
        for sid, n in net.items():
            sp = spec.species[sid]
            if sp.boundary or sp.constant or sid not in index or sid in spec.rate_rules:
                continue
            scale = 1.0 if sp.only_substance or sid in spec.amount_state else 1.0 / spec.constants[sp.compartment]
            S[index[sid], j] += n * scale
    return S


def compile_spec(spec: Spec) -> Compiled:
    """Generate and compile the `rhs` and `observe` functions of `spec`."""
    index = {s: i for i, s in enumerate(spec.state)}
    S = stoich_matrix(spec)
    laws = {j: product_law(spec, j) for j in range(len(spec.reactions))}
    others = [src for _, src in spec.computed] + list(spec.rate_rules.values())
    read = {r for src in others for r in spec.reactions if f"_v_{r}" in src}  # rates other math reads
    fast = [j for j, law in laws.items() if law is not None and spec.reactions[j] not in read]
    fast_ids = {spec.reactions[j] for j in fast}
    body = [f"    _v_{k} = {src}" for k, src in spec.computed if k not in fast_ids]
    slow = [j for j in range(len(spec.reactions)) if j not in fast]
    lines = ["def _rhs(t, y, p):", *body, f"    v = {_stack([spec.names[spec.reactions[j]] for j in slow])}", "    dy = v @ _S.T"]
    if fast:
        coef, P, Q = tables(spec, fast, [laws[j] for j in fast])
        lines += [
            "    pe = jnp.concatenate([p, jnp.ones((1,), p.dtype)])",
            "    ye = jnp.concatenate([y, jnp.ones(y.shape[:-1] + (1,), y.dtype)], -1)",
            "    vf = _coef * jnp.prod(pe[_P], -1) * jnp.prod(ye[..., _Q], -1)",
            "    dy = dy + vf @ _SF.T",
        ]
    rr_idx = [index[k] for k in spec.rate_rules]
    conv = [(index[s], sp.conversion) for s, sp in spec.species.items() if sp.conversion and s in index and s not in spec.rate_rules]
    if conv:  # conversion factors scale each species' change by reactions
        lines.append(f"    dy = _mul(dy, jnp.asarray({[i for i, _ in conv]}), {_stack([spec.names[c] for _, c in conv])})")
    if rr_idx:
        lines.append(f"    dy = _set(dy, jnp.asarray({rr_idx}), {_stack(list(spec.rate_rules.values()))})")
    lines.append("    return dy")
    symbols = tuple(dict.fromkeys([*spec.state, *spec.params, *spec.constants, *(k for k, _ in spec.computed)]))
    symbols = tuple(s for s in symbols if "." not in s)
    obs = [spec.names[s] for s in symbols]
    full = [f"    _v_{k} = {src}" for k, src in spec.computed]
    lines += ["", "def _observe(t, y, p):", *full, f"    return {_stack(obs)}"]
    source = "\n".join(lines) + "\n"
    out = []
    for backend, arr in (("jax", jnp.asarray), ("numpy", np.asarray)):
        ns = _namespace(spec, backend)
        ns["_S"] = arr(S[:, slow])
        if fast:
            ns.update(_SF=arr(S[:, fast]), _coef=arr(coef), _P=arr(P), _Q=arr(Q))
        exec(compile(source, f"<sbml model {spec.name}>", "exec"), ns)
        out.append(ns)
    return Compiled(out[0]["_rhs"], out[0]["_observe"], symbols, source, out[1]["_rhs"], out[1]["_observe"])
