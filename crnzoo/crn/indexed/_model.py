"""`IndexedCRN`: a mass-action CRN written over index sets, compiled to einsum contractions
(see the package docstring for the grammar and the flat state layout)."""

from __future__ import annotations

import itertools
import math
import string
from collections.abc import Mapping, Sequence
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from ..._registry import register_builder
from ...network import Reaction, ReactionNetwork, merge_reactions
from ..base import CRNModel, HasDestructionRate
from ._dual_rail import rails
from ._parse import RATE_FUNCTIONS, IndexedCRNError, IndexedReaction, Term, concrete_name
from ._spec import IndexedSpec, check_spec


class IndexedCRN(CRNModel, HasDestructionRate):
    """A mass-action CRN written with index sets, compiled to einsum contractions.

    **Fields:**

    - `params`: rate parameter name -> tensor over its index sets (trainable).
    - `x0`: default initial state, flat (see the module docstring for the layout).
    - `spec`: the `IndexedSpec` (static).
    - `rate_cache`: per-reaction rate tensors precomputed by `for_solver()` (None otherwise).

    Build with `IndexedCRN.create(...)`; rebuild an empty template from `spec.to_config()`
    with `IndexedCRN.from_config`. Units are those of the rates and concentrations given.
    Capability `HasDestructionRate` (`destruction_rate`), on `for_solver()`'s module as well
    (an `IndexedCRN`), so `SolverConfig("rosenbrock")` can solve it.
    """

    params: dict
    x0: jax.Array
    spec: IndexedSpec = eqx.field(static=True)
    rate_cache: tuple | None = None

    # ---- construction ----------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        sets: Mapping[str, int],
        symbols: Mapping[str, str],
        species: Mapping[str, Sequence[str]],
        reactions: Sequence[tuple[str, float | str]],
        params: Mapping[str, Any] | None = None,
        x0: Mapping[str, Any] | None = None,
        roles: Mapping[str, str] | None = None,
    ) -> "IndexedCRN":
        """Build and validate an indexed CRN.

        - `sets`: index set name -> size (global).
        - `symbols`: index symbol -> the index set it ranges over.
        - `species`: base species -> its index sets (a tuple; `()` for a scalar species).
        - `reactions`: `(equation, rate)` pairs; an equation like `S[j] + S[k] + A[j,k] ->`
          (empty side = ∅), a rate as in `parse_rate` (a number or an expression of a parameter).
        - `params`: parameter name -> tensor with the shape of the index sets it is used with
          (a scalar broadcasts).
        - `x0`: base species -> initial tensor (a scalar broadcasts; missing = 0).
        - `roles`: base species -> role (`input`, `output`, ...).

        Raises `IndexedCRNError` (a `ValueError`) naming the reaction for any mismatch.
        """
        spec, _ = check_spec(sets, symbols, species, reactions, roles or {})
        params = dict(params or {})
        unknown = sorted(set(params) - {n for n, _ in spec.params})
        if unknown:
            raise IndexedCRNError(f"parameters {', '.join(unknown)} are not used by any reaction")
        values = {}
        for name, _ in spec.params:
            if name not in params:
                raise IndexedCRNError(f"no value given for rate parameter {name!r}")
            want = spec.param_shape(name)
            v = jnp.asarray(params[name], dtype=jnp.float64)
            if v.ndim == 0:
                v = jnp.broadcast_to(v, want)
            if v.shape != want:
                raise IndexedCRNError(f"rate parameter {name!r} has shape {v.shape}; its index sets need {want}")
            values[name] = v
        model = cls(values, jnp.zeros(sum(math.prod(spec.shape(b)) for b, _ in spec.species)), spec)
        return model.with_initial(x0 or {})

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "IndexedCRN":
        """A template (zero parameters and state) with the structure of `config` (`spec.to_config()`)."""
        spec = IndexedSpec.from_config(config)
        spec2, _ = check_spec(
            dict(spec.sets), dict(spec.symbols), dict(spec.species), spec.reactions, dict(spec.roles)
        )
        params = {n: jnp.zeros(spec2.param_shape(n)) for n, _ in spec2.params}
        return cls(params, jnp.zeros(sum(math.prod(spec2.shape(b)) for b, _ in spec2.species)), spec2)

    def config(self) -> dict:
        """The JSON-able structure (`IndexedCRN.from_config` rebuilds a template from it)."""
        return self.spec.to_config()

    # ---- state layout -------------------------------------------------------------------------
    def _layout(self) -> list[tuple[str, int, tuple[int, ...]]]:
        out, off = [], 0
        for b, _ in self.spec.species:
            shape = self.spec.shape(b)
            out.append((b, off, shape))
            off += math.prod(shape)
        return out

    @property
    def species(self) -> tuple[str, ...]:
        """Concrete species names of the flat state (`W_3_1`: W at index (3, 1))."""
        names = []
        for b, _, shape in self._layout():
            names += [concrete_name(b, idx) for idx in np.ndindex(*shape)]
        return tuple(names)

    @property
    def base_species(self) -> tuple[str, ...]:
        return tuple(b for b, _ in self.spec.species)

    def slot(self, base: str) -> slice:
        """The slice of the flat state holding base species `base`."""
        for b, off, shape in self._layout():
            if b == base:
                return slice(off, off + math.prod(shape))
        raise IndexedCRNError(f"unknown base species {base!r}; species are {', '.join(self.base_species)}")

    def unpack(self, x) -> dict[str, jax.Array]:
        """Flat state(s) `(*batch, N)` -> base species -> tensor `(*batch, *index shape)`."""
        batch = x.shape[:-1]
        return {b: x[..., off : off + math.prod(shape)].reshape(batch + shape) for b, off, shape in self._layout()}

    def pack(self, tensors: Mapping[str, Any], batch: tuple[int, ...] = ()) -> jax.Array:
        """Base species -> tensor (broadcast to `(*batch, *index shape)`; missing = 0) -> flat state."""
        unknown = sorted(set(tensors) - set(self.base_species))
        if unknown:
            raise IndexedCRNError(f"unknown base species {', '.join(unknown)}; species are {', '.join(self.base_species)}")
        parts = []
        for b, _, shape in self._layout():
            v = jnp.asarray(tensors.get(b, 0.0), dtype=jnp.float64)
            try:
                v = jnp.broadcast_to(v, batch + shape)
            except ValueError:
                raise IndexedCRNError(f"values for {b} have shape {v.shape}; need {shape} (or broadcastable)") from None
            parts.append(v.reshape(batch + (-1,)))
        return jnp.concatenate(parts, axis=-1)

    def with_initial(self, x0: Mapping[str, Any]) -> "IndexedCRN":
        """This CRN with initial tensors `x0` (base species -> values; missing = 0)."""
        return eqx.tree_at(lambda m: m.x0, self, self.pack(x0))

    def with_params(self, **params) -> "IndexedCRN":
        """This CRN with some rate parameter tensors replaced."""
        new = dict(self.params)
        for k, v in params.items():
            if k not in new:
                raise IndexedCRNError(f"unknown rate parameter {k!r}; parameters are {', '.join(new)}")
            v = jnp.broadcast_to(jnp.asarray(v, dtype=jnp.float64), new[k].shape)
            new[k] = v
        return eqx.tree_at(lambda m: m.params, self, new)

    # ---- rates ------------------------------------------------------------------------------
    def rate_tensors(self) -> tuple[jax.Array, ...]:
        """Each indexed reaction's rate: a tensor over its rate's index symbols (a scalar if none)."""
        out = []
        for r in self.spec.parsed():
            e = r.rate
            if e.param is None:
                out.append(jnp.asarray(e.scale, dtype=jnp.float64))
            else:
                out.append(e.scale * RATE_FUNCTIONS[e.fn](e.sign * self.params[e.param]))
        return tuple(out)

    def for_solver(self) -> "IndexedCRN":
        """The same CRN with its rate tensors evaluated once (not per right-hand side)."""
        return eqx.tree_at(lambda m: m.rate_cache, self, self.rate_tensors(), is_leaf=lambda v: v is None)

    # ---- dynamics -----------------------------------------------------------------------------
    def _letters(self, r: IndexedReaction) -> dict[str, str]:
        syms = r.symbols
        if len(syms) > 26:
            raise IndexedCRNError(f"{r}: more than 26 index symbols in one reaction")
        return dict(zip(syms, string.ascii_lowercase))

    def _operands(self, r: IndexedReaction, rate, tensors, skip: Term | None = None, power_drop: int = 0):
        """(einsum input specs, operands) for rate · Π reactant factors (optionally one factor lowered)."""
        L = self._letters(r)
        specs, ops = [], []
        if r.rate.param is not None and r.rate.indices:
            specs.append("".join(L[s] for s in r.rate.indices))
            ops.append(rate)
        for t in r.merged_reactants():
            n = t.count - (power_drop if t == skip else 0)
            if n == 0:
                continue
            specs.append("..." + "".join(L[s] for s in t.indices))
            ops.append(tensors[t.species] if n == 1 else tensors[t.species] ** n)
        present = set("".join(specs))
        sizes = self.spec.set_size
        sym_set = self.spec.symbol_set
        for s in r.symbols:  # symbols named only by products: a ones vector makes them explicit
            if L[s] not in present:
                specs.append(L[s])
                ops.append(jnp.ones(sizes[sym_set[s]]))
        return specs, ops

    @staticmethod
    def _contract(specs: list[str], ops: list, out: str):
        """einsum of `ops` to output letters `out` (keeping batch dims when any operand has them)."""
        if not specs:
            return jnp.ones(())
        batch = "..." if any(sp.startswith("...") for sp in specs) else ""
        return jnp.einsum(",".join(specs) + "->" + batch + out, *ops)

    def _scalar(self, r: IndexedReaction, rate):
        return rate if (r.rate.param is None or not r.rate.indices) else 1.0

    def fluxes(self, x) -> list[jax.Array]:
        """The flux tensor of each indexed reaction, shape `(*batch, *sizes of its symbols)`."""
        tensors = self.unpack(x)
        rates = self.rate_cache if self.rate_cache is not None else self.rate_tensors()
        out = []
        for r, rate in zip(self.spec.parsed(), rates):
            L = self._letters(r)
            specs, ops = self._operands(r, rate, tensors)
            full = "".join(L[s] for s in r.symbols)
            f = self._contract(specs, ops, full)
            out.append(self._scalar(r, rate) * f)
        return out

    def rhs(self, t, x, args=None):
        """dx/dt of the flat state(s) `x` of shape `(*batch, N)`."""
        batch = x.shape[:-1]
        d = {b: jnp.zeros(batch + self.spec.shape(b), x.dtype) for b in self.base_species}
        for r, f in zip(self.spec.parsed(), self.fluxes(x)):
            L = self._letters(r)
            full = "".join(L[s] for s in r.symbols)
            for b, idx, c in r.net_changes():
                out = "".join(L[s] for s in idx)
                d[b] = d[b] + c * jnp.einsum("..." + full + "->..." + out, f)
        return jnp.concatenate([d[b].reshape(batch + (-1,)) for b in self.base_species], axis=-1)

    def destruction_rate(self, x) -> jax.Array:
        """Per-capita destruction rate D ≥ 0 of every species (flat, like `x`).

        D_s = Σ over reactions consuming s of (net consumption) · ∂flux/∂x_s, i.e. minus the
        consuming part of the Jacobian's diagonal (index coincidences such as S[j] = S[k] at
        j = k are ignored). Stiff solvers use −D as a cheap diagonal Jacobian approximation.
        """
        tensors = self.unpack(x)
        rates = self.rate_cache if self.rate_cache is not None else self.rate_tensors()
        batch = x.shape[:-1]
        d = {b: jnp.zeros(batch + self.spec.shape(b), x.dtype) for b in self.base_species}
        for r, rate in zip(self.spec.parsed(), rates):
            L = self._letters(r)
            merged = {(t.species, t.indices): t for t in r.merged_reactants()}
            for b, idx, c in r.net_changes():
                if c >= 0:
                    continue
                term = merged[(b, idx)]
                specs, ops = self._operands(r, rate, tensors, skip=term, power_drop=1)
                out = "".join(L[s] for s in idx)
                g = self._contract(specs, ops, out)
                d[b] = d[b] + (-c) * term.count * self._scalar(r, rate) * g
        return jnp.concatenate([jnp.broadcast_to(d[b], batch + self.spec.shape(b)).reshape(batch + (-1,)) for b in self.base_species], axis=-1)

    # ---- dual rail ------------------------------------------------------------------------------
    def signed(self, x, name: str) -> jax.Array:
        """The signed quantity `name` = `{name}p − {name}n` of state(s) `x`, as a tensor."""
        t = self.unpack(jnp.asarray(x))
        p, n = rails(name)
        if p not in t or n not in t:
            raise IndexedCRNError(f"{name} is not dual-rail here: need base species {p} and {n}")
        return t[p] - t[n]

    # ---- training hooks --------------------------------------------------------------------------
    def trainable(self):
        spec = jax.tree_util.tree_map(lambda _: False, self)
        return eqx.tree_at(lambda m: m.params, spec, jax.tree_util.tree_map(lambda _: True, self.params))

    # ---- listing -------------------------------------------------------------------------------
    def network(self, k_min: float = 0.0, name: str = "crn") -> ReactionNetwork:
        """Every concrete reaction, identical ones merged (rates summed), those with rate > `k_min`.

        Reactions whose rate is 0 and those that change nothing (`A_1 -> A_1` from `A[i] -> A[j]`
        at i = j) are left out; neither contributes to the dynamics.
        """
        sizes, sym_set = self.spec.set_size, self.spec.symbol_set
        rates = [np.asarray(v, dtype=np.float64) for v in self.rate_tensors()]
        reactions = []
        for r, k in zip(self.spec.parsed(), rates):
            syms = r.symbols
            pos = {s: n for n, s in enumerate(syms)}
            for assign in itertools.product(*(range(sizes[sym_set[s]]) for s in syms)):
                kv = float(k[tuple(assign[pos[s]] for s in r.rate.indices)]) if k.ndim else float(k)
                if not kv > 0:
                    continue
                sides = []
                for side in (r.reactants, r.products):
                    d: dict[str, int] = {}
                    for t in side:
                        nm = concrete_name(t.species, [assign[pos[s]] for s in t.indices])
                        d[nm] = d.get(nm, 0) + t.count
                    sides.append(d)
                if sides[0] == sides[1]:
                    continue
                reactions.append(Reaction(sides[0], sides[1], kv))
        reactions = [q for q in merge_reactions(reactions) if q.rate > k_min]
        x0 = np.asarray(self.x0, dtype=np.float64)
        roles = {}
        role_of = dict(self.spec.roles)
        names = self.species
        for b, off, shape in self._layout():
            if b in role_of:
                for n in range(math.prod(shape)):
                    roles[names[off + n]] = role_of[b]
        return ReactionNetwork(names, tuple(reactions), dict(zip(names, x0)), name, roles)

    def reaction_count(self, k_min: float = 0.0) -> int:
        return self.network(k_min).n_reactions

    def __str__(self) -> str:
        lines = [f"# indexed CRN: {len(self.spec.species)} base species, {len(self.spec.reactions)} indexed reactions"]
        lines += [f"{eq}  @ {rate}" for eq, rate in self.spec.reactions]
        return "\n".join(lines)


@register_builder("indexed")
def _build_indexed(config: Mapping[str, Any]) -> IndexedCRN:
    return IndexedCRN.from_config(config)
