"""The explicit reaction listing: species, reactions, mass-action kinetics.

A `ReactionNetwork` is the lingua franca of crnzoo. Every model can emit one
(`model.network(k_min)`), every export format is written from one, and the
generic mass-action engine (`MassAction`) simulates one. Concentrations and time
are dimensionless unless a card says otherwise; a rate constant of a reaction of
molecularity m has units concentration^(1-m) / time.

Mass-action convention: the flux of `2A -> B` at rate k is `k * A**2` (no 1/2
factor), the same as SBML, libroadrunner and the papers' tensor form.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable, Mapping, Sequence

import equinox as eqx
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float, Int

from .sparse import SparsePattern


_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
ROLES = ("input", "output", "auxiliary", "fuel", "control")


class NetworkError(ValueError):
    """A reaction network was built from inconsistent parts."""


@dataclasses.dataclass(frozen=True)
class Reaction:
    """One irreversible mass-action reaction.

    **Fields:**

    - `reactants`, `products`: species name -> stoichiometric coefficient (int >= 1).
      Either side may be empty (`-> A` is a source, `A ->` a sink), not both.
    - `rate`: the rate constant k >= 0 (dimensionless unless scaled on export).
    - `label`: optional identifier used by exports (`r0`, `r1`, ... when empty).
    """

    reactants: Mapping[str, int]
    products: Mapping[str, int]
    rate: float
    label: str = ""

    def __post_init__(self):
        object.__setattr__(self, "reactants", dict(self.reactants))
        object.__setattr__(self, "products", dict(self.products))
        object.__setattr__(self, "rate", float(self.rate))

    @property
    def molecularity(self) -> int:
        """Number of reactant molecules (the order of the mass-action law)."""
        return sum(self.reactants.values())

    def species(self) -> set[str]:
        return set(self.reactants) | set(self.products)

    def equation(self) -> str:
        """`A + C -> B + C` (coefficients written as `2A`)."""
        return f"{_side(self.reactants)} -> {_side(self.products)}".strip()

    def __str__(self) -> str:
        return f"{self.equation()}  k={self.rate:.6g}"


def _side(side: Mapping[str, int]) -> str:
    return " + ".join(f"{n}{s}" if n > 1 else s for s, n in side.items())


@dataclasses.dataclass(frozen=True)
class ReactionNetwork:
    """A named list of species and mass-action reactions, validated on construction.

    **Fields:**

    - `species`: species names, in state-vector order. Names start with a letter
      and contain only letters, digits and `_` (valid in SBML, Antimony and DSD).
    - `reactions`: the reactions; every species they name must be listed.
    - `initial`: default initial concentration per species (missing = 0).
    - `name`: a model identifier, used as the SBML/Antimony model id.
    - `roles`: optional species name -> role (one of `ROLES`: input, output, auxiliary,
      fuel, control).
    """

    species: tuple[str, ...]
    reactions: tuple[Reaction, ...]
    initial: Mapping[str, float] = dataclasses.field(default_factory=dict)
    name: str = "crn"
    roles: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "species", tuple(self.species))
        object.__setattr__(self, "reactions", tuple(self.reactions))
        object.__setattr__(self, "initial", {k: float(v) for k, v in self.initial.items()})
        object.__setattr__(self, "roles", dict(self.roles))
        seen = set()
        for s in self.species:
            if not isinstance(s, str) or not _NAME.match(s):
                raise NetworkError(
                    f"species name {s!r} is not valid: use a letter followed by letters, digits or '_'"
                )
            if s in seen:
                raise NetworkError(f"species {s!r} is listed twice")
            seen.add(s)
        for i, r in enumerate(self.reactions):
            where = f"reaction {i} ({r.equation() or 'empty'})"
            if not r.reactants and not r.products:
                raise NetworkError(f"{where} is empty: it has neither reactants nor products")
            unknown = sorted(r.species() - seen)
            if unknown:
                raise NetworkError(f"{where} names unknown species {', '.join(unknown)}")
            for side in (r.reactants, r.products):
                for s, n in side.items():
                    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
                        raise NetworkError(f"{where}: coefficient of {s} must be an integer >= 1, got {n!r}")
            if not math.isfinite(r.rate) or r.rate < 0:
                raise NetworkError(f"{where} has rate {r.rate!r}: rates must be finite and >= 0")
        for s, v in self.initial.items():
            if s not in seen:
                raise NetworkError(f"initial concentration given for unknown species {s!r}")
            if not math.isfinite(v) or v < 0:
                raise NetworkError(f"initial concentration of {s} is {v!r}: must be finite and >= 0")
        unknown_roles = sorted(set(self.roles) - seen)
        if unknown_roles:
            raise NetworkError(f"roles given for unknown species {', '.join(unknown_roles)}")
        for s, role in self.roles.items():
            if role not in ROLES:
                raise NetworkError(f"species {s} has role {role!r}; roles are {', '.join(ROLES)}")

    # ---- sizes and summaries ----------------------------------------------------------
    @property
    def n_species(self) -> int:
        return len(self.species)

    @property
    def n_reactions(self) -> int:
        return len(self.reactions)

    def molecularities(self) -> list[int]:
        """Molecularity of each reaction, in order."""
        return [r.molecularity for r in self.reactions]

    @property
    def max_molecularity(self) -> int:
        return max(self.molecularities(), default=0)

    def above_bimolecular(self) -> list[int]:
        """Indices of reactions with more than two reactant molecules."""
        return [i for i, m in enumerate(self.molecularities()) if m > 2]

    def labels(self) -> list[str]:
        """Reaction identifiers: the given label, or `r<i>`."""
        return [r.label or f"r{i}" for i, r in enumerate(self.reactions)]

    def initial_state(self) -> np.ndarray:
        """Default initial concentrations as a vector in species order."""
        return np.array([self.initial.get(s, 0.0) for s in self.species], dtype=np.float64)

    def index(self, name: str) -> int:
        try:
            return self.species.index(name)
        except ValueError:
            raise NetworkError(f"unknown species {name!r}; species are {', '.join(self.species)}") from None

    # ---- array forms ------------------------------------------------------------------
    def stoichiometry(self) -> tuple[np.ndarray, np.ndarray]:
        """`(reactant_orders, net_change)`, each of shape (reactions, species), integer."""
        R = np.zeros((self.n_reactions, self.n_species), dtype=np.int64)
        P = np.zeros_like(R)
        idx = {s: i for i, s in enumerate(self.species)}
        for j, r in enumerate(self.reactions):
            for s, n in r.reactants.items():
                R[j, idx[s]] += n
            for s, n in r.products.items():
                P[j, idx[s]] += n
        return R, P - R

    def rates(self) -> np.ndarray:
        return np.array([r.rate for r in self.reactions], dtype=np.float64)

    def mass_action(self) -> "MassAction":
        """The generic vectorised mass-action right-hand side of this network."""
        return MassAction.from_network(self)

    # ---- editing ------------------------------------------------------------------------
    def pruned(self, k_min: float) -> "ReactionNetwork":
        """Keep only reactions whose rate is above `k_min` (and, for k_min = 0, nonzero)."""
        keep = tuple(r for r in self.reactions if r.rate > k_min)
        return dataclasses.replace(self, reactions=keep)

    def __str__(self) -> str:
        lines = [f"# {self.name}: {self.n_species} species, {self.n_reactions} reactions"]
        lines += [str(r) for r in self.reactions]
        return "\n".join(lines)


def merge_reactions(reactions: Iterable[Reaction]) -> list[Reaction]:
    """Sum the rates of reactions with identical reactants and products (order kept)."""
    out: dict[tuple, Reaction] = {}
    for r in reactions:
        key = (tuple(sorted(r.reactants.items())), tuple(sorted(r.products.items())))
        if key in out:
            old = out[key]
            out[key] = dataclasses.replace(old, rate=old.rate + r.rate)
        else:
            out[key] = r
    return list(out.values())


class MassAction(eqx.Module):
    """Vectorised mass-action kinetics of a `ReactionNetwork`.

    dx/dt = Nᵀ (k ⊙ Π_s x_s^{R_js}), computed with a gather of each reaction's
    reactant concentrations (padded to the largest molecularity with a constant 1)
    and the stoichiometry product: no Python loop per reaction at run time.
    Differentiable in `rates` and in the state.

    The product is dense for small networks; `from_network` gives a large, sparse one
    (`use_sparse`) a `SparsePattern` of the same matrix, applied by gathers (dimerisation
    n = 30, 930 × 495: gradient 2.4× and forward 10× faster than dense,
    `benchmarks/gradient.py`). Both give the same values up to round-off (the sums are
    taken in another order).

    **Fields:**

    - `rates`: rate constants, shape (reactions,).
    - `reactant_index`: shape (reactions, max molecularity); each reactant molecule's
      species index, or `n_species` (pointing at a constant 1) for padding.
    - `net_change`: shape (reactions, species), products minus reactants.
    - `pattern`: None (dense product), or the `SparsePattern` of `net_change` (static: not
      a checkpointed array; it must describe `net_change`, as `from_network` builds it).
    """

    rates: Float[Array, " reactions"]
    reactant_index: Int[Array, "reactions order"] = eqx.field(converter=jnp.asarray)
    net_change: Float[Array, "reactions species"] = eqx.field(converter=jnp.asarray)
    pattern: SparsePattern | None = eqx.field(static=True, default=None)

    @classmethod
    def from_network(cls, network: ReactionNetwork, sparse: bool | None = None) -> "MassAction":
        """The kinetics of `network`; `sparse`: force (True) or forbid (False) the sparse
        product, None (default): `use_sparse` decides."""
        R, N = network.stoichiometry()
        order = max(network.max_molecularity, 1)
        idx = np.full((network.n_reactions, order), network.n_species, dtype=np.int32)
        for j in range(network.n_reactions):
            mols = np.repeat(np.arange(network.n_species), R[j])
            idx[j, : len(mols)] = mols
        N = N.astype(np.float64)
        if sparse is None:
            sparse = use_sparse(N)
        return cls(jnp.asarray(network.rates()), idx, N, SparsePattern.from_dense(N) if sparse else None)

    def flux(self, x: Float[Array, "*batch species"]) -> Float[Array, "*batch reactions"]:
        """Reaction fluxes k_j Π x^R at state `x`."""
        one = jnp.ones(x.shape[:-1] + (1,), x.dtype)
        ext = jnp.concatenate([x, one], axis=-1)
        return self.rates * jnp.prod(ext[..., self.reactant_index], axis=-1)

    def rhs(self, t, x: Float[Array, "*batch species"], args=None) -> Float[Array, "*batch species"]:
        """dx/dt at state `x` (time `t` and `args` unused)."""
        if self.pattern is not None:
            return self.pattern.rmatvec(self.flux(x))
        return self.flux(x) @ self.net_change.astype(x.dtype)


SPARSE_MIN_ENTRIES = 4096
SPARSE_MAX_FILL = 0.125


def use_sparse(net_change) -> bool:
    """Whether a stoichiometry is large and sparse enough for the gathered product:
    at least `SPARSE_MIN_ENTRIES` (4,096) entries, at most `SPARSE_MAX_FILL` (1/8) of them
    nonzero. Smaller networks keep the dense product (one small dot; the zoo's
    catalytic networks of a few species are unchanged bit for bit)."""
    n = np.asarray(net_change)
    return n.size >= SPARSE_MIN_ENTRIES and np.count_nonzero(n) <= SPARSE_MAX_FILL * n.size


def parse_reactions(text: str, species: Sequence[str] | None = None, name: str = "crn") -> ReactionNetwork:
    """Parse the plain listing written by `export.to_text` (`A + C -> B + C  k=0.79` per line).

    Lines starting with `#` and blank lines are skipped. When `species` is not given,
    species are ordered by first appearance.
    """
    reactions, order = [], list(species or [])
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.match(r"^(.*?)->(.*?)\s+k\s*=\s*(\S+)$", line)
        if not m:
            raise NetworkError(f"line {lineno}: cannot read {line!r}; expected 'A + B -> C  k=1.0'")
        sides = []
        for part in (m.group(1), m.group(2)):
            side: dict[str, int] = {}
            for term in filter(None, (t.strip() for t in part.split("+"))):
                tm = re.match(r"^(\d*)\s*([A-Za-z][A-Za-z0-9_]*)$", term)
                if not tm:
                    raise NetworkError(f"line {lineno}: cannot read term {term!r}")
                n = int(tm.group(1) or 1)
                side[tm.group(2)] = side.get(tm.group(2), 0) + n
                if species is None and tm.group(2) not in order:
                    order.append(tm.group(2))
            sides.append(side)
        reactions.append(Reaction(sides[0], sides[1], float(m.group(3))))
    return ReactionNetwork(tuple(order), tuple(reactions), name=name)
