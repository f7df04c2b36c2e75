"""Exact stochastic simulation of an imported SBML model (`crnzoo.sbml.SBMLModel`).

SBML's discrete stochastic reading (the one the SBML Test Suite's DSMTS cases use): one
molecule is one unit of substance, and each reaction's kinetic law, evaluated with every
species as the model's math reads it (its amount where `hasOnlySubstanceUnits`, else
amount / compartment size), is that reaction's propensity in firings per unit time. So a
law written for counts (`k1·P·(P−1)/2`) is used as written; no Ω conversion is applied
(Ω = 1 molecule per unit of substance). Laws need not be mass action.

Refused by name (`SSAError`): rate rules, species set by rules that take part in
reactions, conversion factors, laws that read time, non-integer stoichiometry, initial
amounts that are not whole numbers, events (the importer reads them for the ODE simulator;
the SSA does not fire them). (Algebraic rules the importer cannot solve, delays ... are refused by it.) Assignment rules that only read the state (e.g. `y = 2·X`) are
evaluated on the saved states.
"""

from __future__ import annotations

import dataclasses
import re

import jax
import jax.numpy as jnp
import numpy as np

from . import _lanes, sbml_laws
from .simulate import SSAError


@dataclasses.dataclass(frozen=True)
class SBMLPaths:
    """Sample paths of an SBML model: `states` (runs, T, N) as the model's math reads the
    state (concentration or amount per species, see `SBMLModel`), `counts` (runs, T, N)
    molecule counts, `ts` (T,), `species` (N,)."""

    ts: np.ndarray
    states: np.ndarray
    counts: np.ndarray
    species: tuple[str, ...]
    fired: np.ndarray

    def values(self, model, ids, amounts) -> np.ndarray:
        """(runs, T, len(ids)): the symbols `ids` per run (as `SBMLModel.values`)."""
        R, T, N = self.states.shape
        flat = model.values(np.tile(self.ts, R), self.states.reshape(R * T, N), list(ids), amounts)
        return flat.reshape(R, T, len(ids))


def _reads(src: str, name: str) -> bool:
    return re.search(rf"(?<![\w.'\"]){re.escape(name)}(?![\w'\"])", src) is not None


def kernel_parts(model):
    """(sizes (N,), change (R, N), n0 (N,), propensity function of counts) of `model`,
    or `SSAError` naming what the exact SSA cannot run."""
    spec = model.spec
    if getattr(spec, "events", None):
        raise SSAError(f"model uses events ({', '.join(ev.id or '?' for ev in spec.events)}): not supported by the SSA")
    if spec.rate_rules:
        raise SSAError(f"model uses a rate rule (for {next(iter(spec.rate_rules))}): not supported by the SSA")
    nonspecies = [s for s in spec.state if s not in spec.species]
    if nonspecies:
        raise SSAError(f"{nonspecies[0]} changes in time but is not a species: not supported by the SSA")
    ruled = {k for k, _ in spec.computed} & set(spec.species)
    for j, rid in enumerate(spec.reactions):
        for s in (*spec.reactant_stoich[j], *spec.product_stoich[j]):
            if s in ruled:
                raise SSAError(f"reaction {rid}: species {s} is set by an assignment rule: not supported by the SSA")
    conv = [s for s, sp in spec.species.items() if sp.conversion]
    if conv:
        raise SSAError(f"species {conv[0]} has a conversion factor: not supported by the SSA")
    if getattr(spec, "amount_state", None):
        raise SSAError(f"compartment {next(iter(spec.amount_state.values()))} changes size: not supported by the SSA")
    for k, src in spec.computed:
        if _reads(src, "t"):
            raise SSAError(f"{k} reads the time (csymbol time): the SSA needs propensities that depend on the state only")
    index = {s: i for i, s in enumerate(spec.state)}
    N, R = len(spec.state), len(spec.reactions)
    sizes = np.array([1.0 if spec.species[s].only_substance else float(spec.constants[spec.species[s].compartment]) for s in spec.state])
    change = np.zeros((R, N))
    for j, rid in enumerate(spec.reactions):
        for side in (spec.reactant_stoich[j], spec.product_stoich[j]):
            for s, v in side.items():
                if float(v) != int(v) or v < 0:
                    raise SSAError(f"reaction {rid}: stoichiometry {v:g} of {s} is not a whole number: the SSA needs integer stoichiometry")
        for s, v in spec.stoich[j].items():
            sp = spec.species[s]
            if s in index and not (sp.boundary or sp.constant):
                change[j, index[s]] += v
    n0 = np.asarray(model.x0, dtype=np.float64) * sizes
    bad = [s for s, n in zip(spec.state, n0) if abs(n - round(n)) > 1e-9 * max(1.0, abs(n)) or n < 0]
    if bad:
        raise SSAError(f"initial amount {n0[index[bad[0]]]:g} of {bad[0]} is not a whole number of molecules: not supported by the SSA")
    symbols = model.static.compiled.symbols
    rate_idx = jnp.asarray([symbols.index(r) for r in spec.reactions], dtype=jnp.int32)
    observe, params, inv = model.static.compiled.observe, model.params, jnp.asarray(1.0 / sizes)

    def prop(n):
        v = observe(jnp.zeros((), n.dtype), n * inv, params)[rate_idx]
        return jnp.maximum(v, 0.0)  # a negative law value is no propensity

    return sizes, change, np.rint(n0), prop


def sbml_ssa(model, ts, runs: int, seed: int = 0, max_steps: int = 10_000_000) -> SBMLPaths:
    """`runs` exact (Gillespie direct) sample paths of an `SBMLModel`, saved at `ts`
    (runs as lanes: `crnzoo.ssa._lanes`)."""
    if isinstance(runs, bool) or not isinstance(runs, (int, np.integer)) or runs < 1:
        raise SSAError(f"runs must be an integer >= 1, got {runs!r}")
    if not model.spec.reactions:
        raise SSAError("the model has no reactions: nothing to simulate stochastically")
    sizes, change, n0, prop = kernel_parts(model)
    ts = np.asarray(ts, dtype=np.float64)
    # keyed by the model's identity (the compiled loop is reused across calls on one model); the
    # Network holds the model, so while a compiled loop is cached its id cannot be reused
    tables = sbml_laws.network(model, sizes, change)  # polynomial laws: no model code in the loop
    if tables is not None:
        lanes, params = tables
    else:
        lanes = _lanes.Network(lambda _, n: jax.vmap(prop, in_axes=1, out_axes=1)(n), change, ("sbml", id(model)))
        lanes.model, params = model, None
    counts, fired, ok = _lanes.simulate(lanes, params, np.broadcast_to(n0, (runs, n0.size)), ts, seed, max_steps)
    if not ok.all():
        raise SSAError(f"some runs needed more than {max_steps} steps before t={ts[-1]:g}")
    return SBMLPaths(ts, counts / sizes, counts, tuple(model.spec.state), fired.astype(np.float64))
