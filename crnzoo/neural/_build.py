"""The learning circuit of a `NeuralSpec`: the reactions of each stage, compiled from the Neural ODE.

Nagipogu & Reif, "Neural CRNs" (arXiv 2409.00034 v2), §3, Tables 3–5. One training sample runs
four stages in two clock phases:

- **N1** (phase C1, slow, time T): the hidden state Z evolves by dz/dt = f_θ(z, x) from
  z(0) = x (inputs X are catalysts).
- **N2** (phase C2, fast): Z is converted into the backward copy Z^b and the adjoint
  a = Wᵀ(W z − y) (output ŷ = W z(T), W a fixed 0/1 read-out); the target Y feeds the
  adjoint's negative rail; G starts at 0.
- **N3** (phase C2, slow, time T): the parity-inverted backward ODEs
  dz^b/ds = −f, da/ds = (∂f/∂z)ᵀa, dg/ds = (∂f/∂θ)ᵀa, so that g(T) = ∂L/∂θ for the
  per-sample loss L = ½‖ŷ − y‖² (the first-order variant holds a constant and skips z^b).
- **N4** (phase C1, fast): P ← P − η·G (G_p → P_m and G_m → P_p at η·κ, G → ∅ at
  (1 − η)·κ, P_p + P_m → ∅ at κ; single-rail P: G_m → P, G_p + P → ∅ with η in N3's rates),
  and the flush of Z^b and A (decay at κ).

Concentrations and time are dimensionless; κ (`fast_rate`) is the rate of the fast stages.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import jax.numpy as jnp
from jaxtyping import Array

from ..network import Reaction, ReactionNetwork
from . import _one_sided
from ._spec import NeuralSpec
from .compiler import Poly, Rails, check_molecularity, compile_ode, merge

STAGES = ("N1", "N2", "N3", "N4", "flush")
PHASE = {"N1": "C1", "N4": "C1", "flush": "C1", "N2": "C2", "N3": "C2"}
CLOCKS = ("C1", "C2")


@dataclasses.dataclass(frozen=True)
class Circuit:
    """The compiled learning circuit: species, reactions per stage and index maps (static)."""

    spec: NeuralSpec
    species: tuple[str, ...]
    roles: Mapping[str, str]
    stages: Mapping[str, tuple[Reaction, ...]]
    rails: Rails

    @property
    def reactions(self) -> tuple[Reaction, ...]:
        return tuple(r for s in STAGES for r in self.stages[s])

    def gated(self) -> tuple[Reaction, ...]:
        """Every reaction with its stage's clock species (C1 or C2) as an extra catalyst."""
        out = []
        for r in self.reactions:
            clock = PHASE[r.label.split("_")[0]]
            reactants, products = dict(r.reactants), dict(r.products)
            reactants[clock] = reactants.get(clock, 0) + 1
            products[clock] = products.get(clock, 0) + 1
            out.append(dataclasses.replace(r, reactants=reactants, products=products))
        return tuple(out)

    def network(self, reactions: Sequence[Reaction], name: str = "stage") -> ReactionNetwork:
        """A network of the circuit's species running only `reactions`."""
        return ReactionNetwork(self.species, tuple(reactions), {}, name)

    def idx(self, name: str) -> int:
        return self.species.index(name)

    def rail_index(self, var: str) -> tuple[list[int], list[float]]:
        """State indices and signs of a variable's rails."""
        pairs = self.rails.signed(var)
        return [self.idx(s) for s, _ in pairs], [float(sg) for _, sg in pairs]

    def counts(self) -> dict[str, int]:
        """Reactions per stage, plus totals with and without the flush."""
        out = {s: len(self.stages[s]) for s in STAGES}
        out["circuit"] = sum(out[s] for s in ("N1", "N2", "N3", "N4"))
        out["with_flush"] = out["circuit"] + out["flush"]
        return out

    def stage_species(self) -> dict[str, int]:
        """Species each stage's reactions touch."""
        return {s: len({n for r in self.stages[s] for n in r.species()}) for s in STAGES}

    def molecularity(self) -> int:
        return max((r.molecularity for r in self.reactions), default=0)


@dataclasses.dataclass(frozen=True)
class _Vars:
    """The polynomial variables of the circuit (z, z^b, x, θ, g, a, y) and their species."""

    z: list[str]
    zb: list[str]
    x: list[str]
    th: list[str]
    g: list[str]
    a: list[str]
    y: list[str]
    rails: Rails


def _variables(spec: NeuralSpec) -> _Vars:
    d, npar, n_out = spec.d, spec.n_params, spec.n_out
    v = _Vars(
        z=[f"z{i}" for i in range(d)],
        zb=[f"zb{i}" for i in range(d)],
        x=[f"x{i}" for i in range(d)],
        th=[f"th{k}" for k in range(npar)],
        g=[f"g{k}" for k in range(npar)],
        a=["a"] if spec.shared_adjoint else [f"a{i}" for i in range(d)],
        y=[f"y{k}" for k in range(n_out)],
        rails=Rails({}, {}),
    )
    stem, dual = {}, {}
    for i in range(d):
        stem[v.z[i]], dual[v.z[i]] = f"Z{i + 1}", spec.z_dual
        stem[v.zb[i]], dual[v.zb[i]] = f"Zb{i + 1}", spec.z_dual
        stem[v.x[i]], dual[v.x[i]] = f"X{i + 1}", spec.x_dual
    for k, (i, j) in enumerate(spec.theta_index):
        suffix = f"{i + 1}" if spec.theta == "diag" else f"{i + 1}_{j + 1}"  # full and readout: row_column
        stem[v.th[k]], dual[v.th[k]] = f"P{suffix}", spec.p_dual
        stem[v.g[k]], dual[v.g[k]] = f"G{suffix}", True
    for a in v.a:
        stem[a], dual[a] = ("A" if a == "a" else f"A{int(a[1:]) + 1}"), True
    for k in range(n_out):
        stem[v.y[k]], dual[v.y[k]] = ("Y" if n_out == 1 else f"Y{k + 1}"), False
    if spec.railwise:  # each rail of z and z^b as a single-rail variable of its own
        for i in range(d):
            for var, st in ((f"zp{i}", f"Z{i + 1}_p"), (f"zm{i}", f"Z{i + 1}_m"), (f"zbp{i}", f"Zb{i + 1}_p"), (f"zbm{i}", f"Zb{i + 1}_m")):
                stem[var], dual[var] = st, False
    for var, st in _one_sided.stems(spec).items():  # the one-sided loss's label and carriers
        stem[var], dual[var] = st, False
    return dataclasses.replace(v, rails=Rails(stem, dual))


def _annihilations(stem: str, d: int, stage: str, kappa: float) -> list[Reaction]:
    """`<stem>i_p + <stem>i_m -> ∅` at κ for each component (the rail-wise nonlinearity)."""
    return [Reaction({f"{stem}{i + 1}_p": 1, f"{stem}{i + 1}_m": 1}, {}, kappa, stage) for i in range(d)]


def _forward(spec: NeuralSpec, v: _Vars, fm: list[Poly]) -> list[Reaction]:
    """N1: dz/dt = f (rail-wise: −α z_r² per rail plus fast annihilation of the rails)."""
    n1 = compile_ode(list(zip(v.z, fm)), v.rails, +1, "paper", "N1")
    if spec.railwise:
        al = spec.railwise_alpha
        n1 += compile_ode([(f"z{r}{i}", -al * Poly.var(f"z{r}{i}") ** 2) for i in range(spec.d) for r in ("p", "m")], v.rails, +1, "paper", "N1")
        n1 += _annihilations("Z", spec.d, "N1", spec.fast_rate)
    return n1


def _backward(spec: NeuralSpec, v: _Vars, fm: list[Poly]) -> list[Reaction]:
    """N3: the backward ODEs of z^b, a and g in forward time (g scaled by η for single-rail P)."""
    d = spec.d
    depends_on_z = spec.railwise or any(var.startswith("z") for p in fm for var in p.variables())
    to_b = dict(zip(v.z, v.zb))
    eqs: list[tuple[str, Poly]] = []
    if spec.order == "full" and depends_on_z:
        eqs += [(v.zb[i], -fm[i].rename(to_b)) for i in range(d)]
        if spec.railwise:  # dz^b/ds gains +α z^b|z^b| rail by rail; da_i/ds = −2α a_i |z^b_i|
            al = spec.railwise_alpha
            eqs += [(f"zb{r}{i}", al * Poly.var(f"zb{r}{i}") ** 2) for i in range(d) for r in ("p", "m")]
            eqs += [(v.a[i], -2 * al * Poly.var(v.a[i]) * (Poly.var(f"zbp{i}") + Poly.var(f"zbm{i}"))) for i in range(d)]
        else:
            eqs += [(v.a[i], sum((Poly.var(v.a[j]) * fm[j].diff(v.z[i]).rename(to_b) for j in range(d)), Poly())) for i in range(d)]
    for k in range(spec.n_params):
        if spec.shared_adjoint:
            gk = sum((Poly.var("a") * fm[j].diff(v.th[k]) for j in range(d)), Poly())
        else:
            gk = sum((Poly.var(v.a[j]) * fm[j].diff(v.th[k]).rename(to_b) for j in range(d)), Poly())
        eqs.append((v.g[k], gk * (1.0 if spec.p_dual else spec.eta)))
    n3 = compile_ode([(var, p) for var, p in eqs if p.terms], v.rails, +1, "paper", "N3")
    if spec.railwise and _uses_zb(n3):
        n3 += _annihilations("Zb", d, "N3", spec.fast_rate)
    return n3


def _uses_zb(n3: Sequence[Reaction]) -> bool:
    """Whether the backward stage reads z^b (full backpropagation through an f with z)."""
    return any(s.startswith("Zb") for r in n3 for s in r.reactants)


def _adjoint_setup(spec: NeuralSpec, v: _Vars, fm: list[Poly], uses_zb: bool) -> list[Reaction]:
    """N2: Z -> Z^b + adjoint rails (a = Wᵀ W z) and Y -> negative adjoint rail (a −= Wᵀ y)."""
    rails, kappa = v.rails, spec.fast_rate
    W = spec.readout_matrix()
    C = W.T @ W  # a_i = Σ_j C_ij z_j − Σ_k W_ki y_k
    n2: list[Reaction] = []
    for j in range(spec.d):
        for (zs, sg), (zbs, _) in zip(rails.signed(v.z[j]), rails.signed(v.zb[j])):
            prod: dict[str, int] = {zbs: 1} if uses_zb else {}
            targets = [(v.a[0], 1)] if spec.shared_adjoint else [(v.a[i], int(C[i, j])) for i in range(spec.d) if C[i, j]]
            for a, n in targets:
                a_s = rails.species(a)[0 if sg > 0 else 1]
                prod[a_s] = prod.get(a_s, 0) + n
            if prod or fm[j].terms:  # a component without dynamics or read-out is a bystander: no species
                n2.append(Reaction({zs: 1}, prod, kappa, "N2"))
    for k in range(spec.n_out):
        targets = [(v.a[0], 1)] if spec.shared_adjoint else [(v.a[i], int(W[k, i])) for i in range(spec.d) if W[k, i]]
        prod = {rails.species(a)[1]: n for a, n in targets}
        n2.append(Reaction({rails.species(v.y[k])[0]: 1}, prod, kappa, "N2"))
    return merge(n2)


def _update(spec: NeuralSpec, v: _Vars) -> list[Reaction]:
    """N4: P ← P − η·G (dual-rail P: G splits between P and decay; single-rail: η sits in N3)."""
    kappa, eta = spec.fast_rate, spec.eta
    n4: list[Reaction] = []
    for th, g in zip(v.th, v.g):
        gp, gm = v.rails.species(g)
        if spec.p_dual:
            pp, pm = v.rails.species(th)
            n4 += [Reaction({gp: 1}, {pm: 1}, eta * kappa, "N4"), Reaction({gm: 1}, {pp: 1}, eta * kappa, "N4")]
            if eta < 1:
                n4 += [Reaction({gp: 1}, {}, (1 - eta) * kappa, "N4"), Reaction({gm: 1}, {}, (1 - eta) * kappa, "N4")]
            n4.append(Reaction({pp: 1, pm: 1}, {}, kappa, "N4"))
        else:
            (p,) = v.rails.species(th)
            n4 += [Reaction({gm: 1}, {p: 1}, kappa, "N4"), Reaction({gp: 1, p: 1}, {}, kappa, "N4")]
    return n4


def _flush(spec: NeuralSpec, v: _Vars, uses_zb: bool) -> list[Reaction]:
    """The flush: Z^b (when used) and A decay at κ."""
    flushed = (v.zb if uses_zb else []) + v.a
    out = [Reaction({s: 1}, {}, spec.fast_rate, "flush") for var in flushed for s in v.rails.species(var)]
    return out + (_one_sided.flush(spec) if spec.one_sided is not None else [])


def _species_order(spec: NeuralSpec, v: _Vars, stages: Mapping[str, Sequence[Reaction]]) -> tuple[str, ...]:
    """The species the circuit uses in a fixed order (X, Y, P, Z, Z^b, A, G), every parameter and
    input always, then the clocks."""
    used = {s for rs in stages.values() for r in rs for s in r.species()}
    order: list[str] = []
    extra = list(_one_sided.stems(spec))  # one-sided loss: label (inputs) and carriers
    for var in v.x + v.y + extra[:2] + v.th + v.z + v.zb + v.a + v.g + extra[2:]:
        order += [s for s in v.rails.species(var) if s in used and s not in order]
    for var in v.th + v.x[: spec.n_features]:  # a parameter may be unused only in degenerate specs
        order += [s for s in v.rails.species(var) if s not in order]
    return (*order, *CLOCKS)


def _role(species: str) -> str:
    if species.startswith(("X", "Y")):
        return "input"
    if species.startswith("Z") and not species.startswith("Zb"):
        return "output"
    return "control" if species in CLOCKS else "auxiliary"


def _labelled(stages: Mapping[str, Sequence[Reaction]]) -> dict[str, tuple[Reaction, ...]]:
    """Each reaction labelled `<stage>_<n>`, numbered through the whole circuit in stage order."""
    out, n = {}, 0
    for name in STAGES:
        out[name] = tuple(dataclasses.replace(r, label=f"{name}_{n + i}") for i, r in enumerate(stages[name]))
        n += len(stages[name])
    return out


def build_circuit(spec: NeuralSpec) -> Circuit:
    """Compile `spec`'s learning circuit (raises `MolecularityError` above `spec.max_molecularity`)."""
    v = _variables(spec)
    f = spec.f_polys(nonlinear=not spec.railwise)
    # catalyst convention: the model ODE is f scaled by 1/n!; backward equations derive from it
    fm = [p.catalyst_scaled() for p in f] if spec.convention == "catalyst" else f
    n3 = _backward(spec, v, fm)
    uses_zb = _uses_zb(n3)
    stages = {
        "N1": _forward(spec, v, fm),
        "N2": _one_sided.adjoint_setup(spec, v.z, v.rails) if spec.one_sided is not None else _adjoint_setup(spec, v, fm, uses_zb),
        "N3": n3,
        "N4": _update(spec, v),
        "flush": _flush(spec, v, uses_zb),
    }
    for name, rs in stages.items():
        check_molecularity(rs, spec.max_molecularity, f"stage {name} of this f_θ")
    species = _species_order(spec, v, stages)
    return Circuit(spec, species, {s: _role(s) for s in species}, _labelled(stages), v.rails)


def complete_fast(circuit: Circuit, reactions: Sequence[Reaction], s: Array) -> Array:
    """The state fast `reactions` reach when run to completion (unimolecular conversions and
    decays first, then annihilations `A + B -> ∅`/`A + B -> A'` subtracting the smaller amount).
    A catalysed conversion `A + C -> B + C` runs first too: it converts all of A when C is
    present and none when it is absent (`_catalysed_first`, the one-sided loss's label gates)."""
    s = _catalysed_first(circuit, reactions, s)
    uni = [r for r in reactions if r.molecularity == 1]
    bi = [r for r in reactions if r.molecularity == 2 and not _catalyst(r)]
    total: dict[str, float] = {}
    for r in uni:
        (src,) = r.reactants
        total[src] = total.get(src, 0.0) + r.rate
    amounts = {src: s[circuit.idx(src)] for src in total}
    for r in uni:
        (src,) = r.reactants
        frac = r.rate / total[src]
        for p, n in r.products.items():
            if p in total:
                raise ValueError(f"fast reaction {r.equation()} feeds another fast conversion: no single-pass completion")
            s = s.at[circuit.idx(p)].add(n * frac * amounts[src])
    for src in total:
        s = s.at[circuit.idx(src)].set(0.0)
    for r in bi:
        names = list(r.reactants)
        if len(names) != 2 or r.products:
            raise ValueError(f"fast reaction {r.equation()} is not an annihilation A + B -> ∅")
        ia, ib = circuit.idx(names[0]), circuit.idx(names[1])
        m = jnp.minimum(s[ia], s[ib])
        s = s.at[ia].add(-m).at[ib].add(-m)
    return s


def _catalyst(r: Reaction) -> str | None:
    """The catalyst C of a bimolecular `A + C -> … + C` (None for other reactions)."""
    if r.molecularity != 2 or len(r.reactants) != 2:
        return None
    cats = [n for n in r.reactants if r.products.get(n, 0) == r.reactants[n]]
    return cats[0] if len(cats) == 1 else None


def _catalysed_first(circuit: Circuit, reactions: Sequence[Reaction], s: Array) -> Array:
    """Complete the catalysed conversions `A + C -> B + C`: each source A splits among its
    conversions in proportion to rate × [C]; with no catalyst present it is left as it is."""
    cat = [r for r in reactions if _catalyst(r)]
    if not cat:
        return s
    weights: dict[str, list[tuple[Reaction, Array]]] = {}
    for r in cat:
        c = _catalyst(r)
        (src,) = [n for n in r.reactants if n != c]
        weights.setdefault(src, []).append((r, r.rate * s[circuit.idx(c)]))
    sources = set(weights)
    for src, rs in weights.items():
        total = sum(w for _, w in rs)
        amount = s[circuit.idx(src)]
        for r, w in rs:
            frac = jnp.where(total > 0, w / jnp.where(total > 0, total, 1.0), 0.0)
            for p, n in r.products.items():
                if p == _catalyst(r):
                    continue
                if p in sources:
                    raise ValueError(f"fast reaction {r.equation()} feeds another fast conversion: no single-pass completion")
                s = s.at[circuit.idx(p)].add(n * frac * amount)
        s = s.at[circuit.idx(src)].set(jnp.where(total > 0, 0.0, amount))
    return s
