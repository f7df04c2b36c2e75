"""`SBMLModel`: an imported SBML model as a differentiable crnzoo `CRNModel`."""

from __future__ import annotations

import dataclasses

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

from ..crn.base import CRNModel
from ..network import ReactionNetwork
from ..solve import Trajectory
from .compile import Compiled, compile_spec
from .errors import SBMLImportError
from .eventsim import EventFunctions, compile_events
from .massaction import to_network
from .read import Spec
from .runtime import quiet


@dataclasses.dataclass(frozen=True, eq=False)
class _Static:
    """The read model and its compiled functions (hashed by identity: a static field)."""

    spec: Spec
    compiled: Compiled
    events: EventFunctions | None = None


class SBMLModel(CRNModel):
    """An SBML model: the state is every species (as its math reads it: a concentration, or an
    amount where `hasOnlySubstanceUnits`) and every parameter or compartment a rate rule changes.

    **Fields:**

    - `x0`: initial state, shape (N,) (values at t = 0 after initial assignments).
    - `params`: global constant parameters, then local kinetic-law parameters (`reaction.id`),
      shape (P,) — the rate constants that fine-tuning fits.
    - `static`: the read `Spec` and the compiled right-hand side.

    `species` names the state (SBML ids). `observe` gives every symbol, assignment-rule targets
    included; `outputs` turns a `Trajectory` into the columns an SBML user expects.
    """

    x0: Float[Array, " N"]
    params: Float[Array, " P"]
    static: _Static = eqx.field(static=True)

    @classmethod
    def from_spec(cls, spec: Spec) -> SBMLModel:
        # a species in a compartment a rule resizes is held as its amount (concentration x size)
        x0 = jnp.asarray([spec.values[k] * (spec.values[spec.amount_state[k]] if k in spec.amount_state else 1.0)
                          for k in spec.state], dtype=jnp.float64)
        p = jnp.asarray([spec.values[k] for k in spec.params], dtype=jnp.float64)
        compiled = compile_spec(spec)
        events = compile_events(spec, compiled.rhs)
        return cls(x0, p, _Static(spec, compiled, events))

    @property
    def has_events(self) -> bool:
        """Whether the model has SBML events (simulate with `simulate_events`, not `crnzoo.simulate`)."""
        return bool(self.static.spec.events)

    def simulate_events(self, ts, config=None, engine=None) -> tuple[Trajectory, np.ndarray]:
        """(`Trajectory` of the states at `ts` (`ts[0]` the start), parameters (T, P) there) with
        the model's events applied (`crnzoo.sbml.eventsim`; not differentiable)."""
        from ..solvers.config import SolverConfig
        from .eventsim import simulate_events

        ys, ps = simulate_events(self, np.asarray(ts, np.float64), config or SolverConfig(), engine)
        return Trajectory(np.asarray(ts, np.float64), ys, self.species, self.species, 1), ps

    @property
    def spec(self) -> Spec:
        return self.static.spec

    @property
    def species(self) -> tuple[str, ...]:
        return tuple(self.static.spec.state)

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return tuple(self.static.spec.params)

    @property
    def held_species(self) -> tuple[str, ...]:
        return tuple(s for s, sp in self.spec.species.items() if sp.boundary or sp.constant)

    def for_solver(self) -> SBMLModel:
        """Refuses a model with events: a plain solve (`crnzoo.simulate`, training) would ignore them."""
        if self.has_events:
            raise SBMLImportError(f"model {self.spec.name} has events: simulate it with crnzoo simulate or "
                                  "model.simulate_events(ts) (a plain solve, fine-tuning or export would ignore them)")
        return self

    def shared_trajectory(self, ts, x0=None, solver=None, name=None) -> Trajectory | None:
        """`crnzoo.simulate` of this model through the compiled solve its size class shares
        (`crnzoo.sbml.program`); None when the model needs its own program."""
        from .program import trajectory

        return trajectory(self, ts, solver, x0, name)

    def rhs(self, t, x, args=None):
        return self.static.compiled.rhs(t, x, self.params)

    def observe(self, ts, ys, ps=None) -> tuple[tuple[str, ...], np.ndarray]:
        """(symbols, values (T, K)): every symbol of the model at the saved states `ys` (T, N)
        (and parameters `ps` (T, P) where events change them; default: `params`)."""
        # the numpy twin of the generated code, over all rows at once (no JAX op compiled per
        # call); per-time parameters go in transposed, so that `p[i]` is parameter i's column
        ts, ys = np.asarray(ts, np.float64), np.asarray(ys, np.float64)
        p = np.asarray(self.params, np.float64) if ps is None else np.asarray(ps, np.float64).T
        symbols = self.static.compiled.symbols
        out = quiet(self.static.compiled.observe_np)(ts, ys, p)
        return symbols, np.array(np.broadcast_to(out, (len(ts), len(symbols))), np.float64)

    def values(self, ts, ys, ids, amounts: set[str] | bool = False, ps=None) -> np.ndarray:
        """Columns (T, len(ids)) of the symbols `ids`; species in `amounts` (or all, if True) as
        amounts, the other species as concentrations, anything else as its value (`ps`: see `observe`)."""
        symbols, table = self.observe(ts, ys, ps)
        col = {s: i for i, s in enumerate(symbols)}
        out = []
        for k in ids:
            if k not in col:
                raise ValueError(f"{k!r} is not a symbol of the model")
            x = table[:, col[k]]
            sp = self.spec.species.get(k)
            if sp is not None:
                size = table[:, col[sp.compartment]] if sp.compartment in col else self.spec.values[sp.compartment]
                want_amount = amounts is True or (not isinstance(amounts, bool) and k in amounts)
                if want_amount and not sp.only_substance:
                    x = x * size
                elif not want_amount and sp.only_substance:
                    x = x / size
            out.append(x)
        return np.stack(out, -1) if out else np.zeros((len(ts), 0))

    def outputs(self, traj: Trajectory, amounts: bool = False, ps=None) -> Trajectory:
        """The species columns as the model declares them (amount where `hasOnlySubstanceUnits`,
        else concentration; every species as an amount with `amounts`), assignment-rule species
        included, named by species id."""
        ids = tuple(self.spec.species)
        declared = amounts or {s for s, sp in self.spec.species.items() if sp.only_substance}
        return Trajectory(traj.ts, self.values(traj.ts, traj.ys, ids, declared, ps), ids, ids, 1)

    # ---- training hooks --------------------------------------------------------------------
    def trainable(self):
        spec = jax.tree_util.tree_map(lambda _: False, self)
        return eqx.tree_at(lambda m: (m.params, m.x0), spec, (True, True))

    def project(self) -> SBMLModel:
        lo_p = np.where(np.asarray([self.spec.values[k] for k in self.spec.params]) >= 0, 0.0, -np.inf)
        lo_x = np.where(np.asarray([self.spec.values[k] for k in self.spec.state]) >= 0, 0.0, -np.inf)
        return eqx.tree_at(lambda m: (m.params, m.x0), self, (jnp.maximum(self.params, lo_p), jnp.maximum(self.x0, lo_x)))

    def reaction_count(self, k_min: float = 0.0) -> int:
        """Number of SBML reactions (a general kinetic law has no single rate constant to threshold)."""
        return len(self.spec.reactions)

    def network(self, k_min: float = 0.0, name: str | None = None) -> ReactionNetwork:
        """The reaction listing, when every kinetic law is mass action (raises `SBMLImportError`
        naming the first reaction that is not)."""
        if self.has_events:
            raise SBMLImportError(f"model {self.spec.name} has events: a reaction listing would drop them: not supported")
        return to_network(self.spec, np.asarray(self.params), np.asarray(self.x0), k_min, name)
