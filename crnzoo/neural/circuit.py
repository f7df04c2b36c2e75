"""The Neural CRN learning circuit: a Neural ODE compiled to a CRN that trains itself.

Nagipogu & Reif, "Neural CRNs" (arXiv 2409.00034 v2), §3, Tables 3–5. The parameters θ
are the concentrations of parameter species P (θ = [P_p] − [P_m], or [P] single-rail);
learning is what the reactions do to them. One training sample runs four stages in two
clock phases:

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

`staged` mode (the authors' code) solves N1 and N3 as separate ODE solves of their
compiled reaction networks and applies the fast stages N2/N4/flush as their completion
limits (what they reach when run to completion; `complete_fast`). `one_pot` mode is one
continuous mass-action simulation in which the clock species C1, C2 (square waves held by
the experimenter) gate the reaction sets, fast reactions run at κ (≥ 100× the slow
rates) and the experimenter loads each sample's X, Z and Y at the start of its C1 phase.

Concentrations and time are dimensionless.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

from ..crn.base import CRNModel
from ..network import MassAction, Reaction, ReactionNetwork
from .compiler import CONVENTIONS, Poly, Rails, check_molecularity, compile_ode, merge

STAGES = ("N1", "N2", "N3", "N4", "flush")
PHASE = {"N1": "C1", "N4": "C1", "flush": "C1", "N2": "C2", "N3": "C2"}


@dataclasses.dataclass(frozen=True)
class NeuralSpec:
    """A Neural CRN: its Neural ODE, rails, read-out and learning settings (JSON-able card config).

    - `n_features`: raw input features; `d`: state dimension (features + pads with value `pad`).
    - `theta`: "diag" (f_i = θ_i x_i), "full" (f_i = Σ_j θ_ij x_j) or "readout" (full rows, but only
      for the components the read-out sees; the others carry no parameters).
    - `bias`: fixed (untrained) constant added to every f_i.
    - `power`, `alpha`: the nonlinearity −α·z_i^power (power 0: none; 2: z⊙z; 3: z⊙z⊙z).
    - `readout`: "sum" (ŷ = Σ_i z_i, one output, W = ones), "first" (ŷ_k = z_k for the first
      `n_out` components, W = [I 0]) or "last" (the last `n_out` components, W = [0 I]: with
      pads there, every output starts from the pad value).
    - `z_dual`, `p_dual`, `x_dual`: dual-rail encoding of Z, P, X (A and G are always dual).
    - `shared_adjoint`: one adjoint A for all components (only when f does not depend on z
      and the read-out is "sum": the paper's minimal circuit).
    - `order`: "full" backpropagation or "first" (adjoint held constant: g = T·(∂f/∂θ)ᵀa).
    - `T`: duration of N1 and of N3; `eta`: learning rate (0 < η ≤ 1 for dual-rail P);
      `fast_rate`: κ of the fast stages; `convention`: "paper" or "catalyst" rate laws;
      `max_molecularity`: compilation refuses reactions above it.
    - `railwise`: apply the quadratic nonlinearity rail by rail (2Z_p -> Z_p, 2Z_m -> Z_m plus
      fast annihilation Z_p + Z_m -> ∅ at κ in N1 and N3), as the authors' hand-edited reaction
      files do: the Neural ODE is then f = θx + β − α·z|z| (exact as κ -> ∞), not −α·z².
    """

    n_features: int
    d: int
    theta: str = "diag"
    pad: float = 1.0
    bias: float = 0.0
    power: int = 0
    alpha: float = 1.0
    readout: str = "sum"
    n_out: int = 1
    z_dual: bool = True
    p_dual: bool = True
    x_dual: bool = False
    shared_adjoint: bool = False
    order: str = "full"
    T: float = 0.5
    eta: float = 0.1
    fast_rate: float = 100.0
    convention: str = "paper"
    max_molecularity: int = 2
    railwise: bool = False

    def __post_init__(self):
        if self.d < self.n_features or self.n_features < 1:
            raise ValueError(f"need 1 <= n_features <= d, got n_features={self.n_features}, d={self.d}")
        if self.theta not in ("diag", "full", "readout"):
            raise ValueError(f"theta must be 'diag', 'full' or 'readout', got {self.theta!r}")
        if self.power not in (0, 1, 2, 3):
            raise ValueError(f"power must be 0, 2 or 3, got {self.power}")
        if self.readout not in ("sum", "first", "last"):
            raise ValueError(f"readout must be 'sum', 'first' or 'last', got {self.readout!r}")
        if self.readout == "sum" and self.n_out != 1:
            raise ValueError("the 'sum' read-out has one output")
        if self.readout != "sum" and not 1 <= self.n_out <= self.d:
            raise ValueError(f"n_out must be in 1..d, got {self.n_out}")
        if self.order not in ("full", "first"):
            raise ValueError(f"order must be 'full' or 'first', got {self.order!r}")
        if self.convention not in CONVENTIONS:
            raise ValueError(f"unknown rate-law convention {self.convention!r}; choose {', '.join(CONVENTIONS)}")
        if not (self.T > 0 and self.fast_rate > 0):
            raise ValueError("T and fast_rate must be positive")
        if not (0 < self.eta <= 1 or (not self.p_dual and self.eta > 0)):
            raise ValueError(f"the update splits G between P and decay: need 0 < eta <= 1, got {self.eta}")
        if self.railwise and (self.power != 2 or not self.z_dual):
            raise ValueError("railwise applies to the quadratic nonlinearity (power 2) of a dual-rail z")
        if self.shared_adjoint and (self.readout != "sum" or (self.power and self.order == "full")):
            raise ValueError("a shared adjoint needs the 'sum' read-out and an f without z (or the first-order variant)")

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        if not d["railwise"]:  # older cards have no such key
            d.pop("railwise")
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "NeuralSpec":
        return cls(**dict(d))

    # ---- derived sizes -------------------------------------------------------------------
    @property
    def theta_index(self) -> list[tuple[int, int]]:
        """(i, j) of each parameter θ_k (0-based): the diagonal, or all of the d×d matrix."""
        if self.theta == "diag":
            return [(i, i) for i in range(self.d)]
        rows = range(self.d)
        if self.theta == "readout":  # only the rows of components the read-out sees
            rows = [i for i in range(self.d) if self.readout_matrix()[:, i].any()]
        return [(i, j) for i in rows for j in range(self.d)]

    @property
    def n_params(self) -> int:
        return len(self.theta_index)

    def readout_matrix(self) -> np.ndarray:
        """W, shape (n_out, d): ŷ = W z."""
        if self.readout == "sum":
            return np.ones((1, self.d))
        return np.eye(self.d)[: self.n_out] if self.readout == "first" else np.eye(self.d)[self.d - self.n_out :]

    def pad_inputs(self, features: np.ndarray) -> np.ndarray:
        """Features (..., n_features) -> x (..., d) with the pad components appended."""
        features = np.asarray(features, dtype=np.float64)
        if features.shape[-1] != self.n_features:
            raise ValueError(f"expected {self.n_features} input features, got {features.shape[-1]}")
        pad = np.full(features.shape[:-1] + (self.d - self.n_features,), self.pad)
        return np.concatenate([features, pad], axis=-1)

    # ---- the Neural ODE as polynomials ----------------------------------------------------
    def f_polys(self, nonlinear: bool = True) -> list[Poly]:
        """f_θ(z, x) component by component (variables z_i, x_i, th_k); `nonlinear=False` drops −α z^q."""
        f = [Poly.const(self.bias) for _ in range(self.d)]
        for k, (i, j) in enumerate(self.theta_index):
            f[i] = f[i] + Poly.var(f"th{k}") * Poly.var(f"x{j}")
        if self.power and nonlinear:
            for i in range(self.d):
                f[i] = f[i] - self.alpha * Poly.var(f"z{i}") ** self.power
        return f

    def f(self, z, theta, x):
        """f_θ(z, x) for arrays (…, d), θ (n_params,), x (…, d), with this spec's convention."""
        polys = self.f_polys(nonlinear=not self.railwise)
        if self.convention == "catalyst":
            polys = [p.catalyst_scaled() for p in polys]
        values = {f"z{i}": z[..., i] for i in range(self.d)}
        values.update({f"x{i}": x[..., i] for i in range(self.d)})
        values.update({f"th{k}": theta[k] for k in range(self.n_params)})
        out = jnp.stack([jnp.broadcast_to(jnp.asarray(p.evaluate(values), dtype=z.dtype), z.shape[:-1]) for p in polys], axis=-1)
        if self.railwise:
            out = out - self.railwise_alpha * z * jnp.abs(z)
        return out

    @property
    def railwise_alpha(self) -> float:
        """α of the rail-wise −α z|z| under this spec's rate-law convention (Catalyst: α/2)."""
        return self.alpha / 2 if self.convention == "catalyst" else self.alpha


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


def build_circuit(spec: NeuralSpec) -> Circuit:
    """Compile `spec`'s learning circuit (raises `MolecularityError` above `spec.max_molecularity`)."""
    d, npar = spec.d, spec.n_params
    f = spec.f_polys(nonlinear=not spec.railwise)
    zvars = [f"z{i}" for i in range(d)]
    zbvars = [f"zb{i}" for i in range(d)]
    xvars = [f"x{i}" for i in range(d)]
    thvars = [f"th{k}" for k in range(npar)]
    gvars = [f"g{k}" for k in range(npar)]
    avars = ["a"] if spec.shared_adjoint else [f"a{i}" for i in range(d)]
    n_out = spec.n_out
    yvars = [f"y{k}" for k in range(n_out)]

    def pname(k):
        i, j = spec.theta_index[k]
        return f"P{i + 1}" if spec.theta == "diag" else f"P{i + 1}_{j + 1}"  # full and readout

    stem, dual = {}, {}
    for i in range(d):
        stem[zvars[i]], dual[zvars[i]] = f"Z{i + 1}", spec.z_dual
        stem[zbvars[i]], dual[zbvars[i]] = f"Zb{i + 1}", spec.z_dual
        stem[xvars[i]], dual[xvars[i]] = f"X{i + 1}", spec.x_dual
    for k in range(npar):
        stem[thvars[k]], dual[thvars[k]] = pname(k), spec.p_dual
        stem[gvars[k]], dual[gvars[k]] = "G" + pname(k)[1:], True
    for a in avars:
        stem[a], dual[a] = ("A" if a == "a" else f"A{int(a[1:]) + 1}"), True
    for k in range(n_out):
        stem[yvars[k]], dual[yvars[k]] = ("Y" if n_out == 1 else f"Y{k + 1}"), False
    if spec.railwise:  # each rail of z and z^b as a single-rail variable of its own
        for i in range(d):
            for v, st in ((f"zp{i}", f"Z{i + 1}_p"), (f"zm{i}", f"Z{i + 1}_m"), (f"zbp{i}", f"Zb{i + 1}_p"), (f"zbm{i}", f"Zb{i + 1}_m")):
                stem[v], dual[v] = st, False
    rails = Rails(stem, dual)
    conv = spec.convention
    # catalyst convention: the model ODE is f scaled by 1/n!; backward equations derive from it
    fm = [p.catalyst_scaled() for p in f] if conv == "catalyst" else f

    # N1: forward, dz/dt = f
    kappa = spec.fast_rate
    n1 = compile_ode(list(zip(zvars, fm)), rails, +1, "paper", "N1")
    if spec.railwise:
        al = spec.railwise_alpha
        n1 += compile_ode(
            [(f"z{r}{i}", -al * Poly.var(f"z{r}{i}") ** 2) for i in range(d) for r in ("p", "m")], rails, +1, "paper", "N1"
        )
        n1 += [Reaction({f"Z{i + 1}_p": 1, f"Z{i + 1}_m": 1}, {}, kappa, "N1") for i in range(d)]
    # N3: backward in forward time
    depends_on_z = spec.railwise or any(v.startswith("z") for p in fm for v in p.variables())
    to_b = {zvars[i]: zbvars[i] for i in range(d)}
    eqs: list[tuple[str, Poly]] = []
    if spec.order == "full" and depends_on_z:
        eqs += [(zbvars[i], -fm[i].rename(to_b)) for i in range(d)]
        if spec.railwise:  # dz^b/ds gains +α z^b|z^b| rail by rail; da_i/ds = −2α a_i |z^b_i|
            al = spec.railwise_alpha
            eqs += [(f"zb{r}{i}", al * Poly.var(f"zb{r}{i}") ** 2) for i in range(d) for r in ("p", "m")]
            eqs += [(avars[i], -2 * al * Poly.var(avars[i]) * (Poly.var(f"zbp{i}") + Poly.var(f"zbm{i}"))) for i in range(d)]
        else:
            for i in range(d):
                eqs.append((avars[i], sum((Poly.var(avars[j]) * fm[j].diff(zvars[i]).rename(to_b) for j in range(d)), Poly())))
    for k in range(npar):
        if spec.shared_adjoint:
            gk = sum((Poly.var("a") * fm[j].diff(thvars[k]) for j in range(d)), Poly())
        else:
            gk = sum((Poly.var(avars[j]) * fm[j].diff(thvars[k]).rename(to_b) for j in range(d)), Poly())
        eqs.append((gvars[k], gk * (1.0 if spec.p_dual else spec.eta)))
    eqs = [(v, p) for v, p in eqs if p.terms]
    n3 = compile_ode(eqs, rails, +1, "paper", "N3")
    uses_zb = any(s.startswith("Zb") for r in n3 for s in r.reactants)
    if spec.railwise and uses_zb:
        n3 += [Reaction({f"Zb{i + 1}_p": 1, f"Zb{i + 1}_m": 1}, {}, kappa, "N3") for i in range(d)]

    W = spec.readout_matrix()
    C = W.T @ W  # a_i = Σ_j C_ij z_j − Σ_k W_ki y_k
    n2: list[Reaction] = []
    for j in range(d):
        for (zs, sg), (zbs, _) in zip(rails.signed(zvars[j]), rails.signed(zbvars[j])):
            prod: dict[str, int] = {}
            if uses_zb:
                prod[zbs] = 1
            if spec.shared_adjoint:
                a_s = rails.species("a")[0 if sg > 0 else 1]
                prod[a_s] = prod.get(a_s, 0) + 1
            else:
                for i in range(d):
                    if C[i, j]:
                        a_s = rails.species(avars[i])[0 if sg > 0 else 1]
                        prod[a_s] = prod.get(a_s, 0) + int(C[i, j])
            if prod or fm[j].terms:  # a component without dynamics or read-out is a bystander: no species
                n2.append(Reaction({zs: 1}, prod, kappa, "N2"))
    for k in range(n_out):
        prod = {}
        if spec.shared_adjoint:
            prod[rails.species("a")[1]] = 1
        else:
            for i in range(d):
                if W[k, i]:
                    prod[rails.species(avars[i])[1]] = int(W[k, i])
        n2.append(Reaction({rails.species(yvars[k])[0]: 1}, prod, kappa, "N2"))

    n4: list[Reaction] = []
    eta = spec.eta
    for k in range(npar):
        gp, gm = rails.species(gvars[k])
        if spec.p_dual:
            pp, pm = rails.species(thvars[k])
            n4 += [Reaction({gp: 1}, {pm: 1}, eta * kappa, "N4"), Reaction({gm: 1}, {pp: 1}, eta * kappa, "N4")]
            if eta < 1:
                n4 += [Reaction({gp: 1}, {}, (1 - eta) * kappa, "N4"), Reaction({gm: 1}, {}, (1 - eta) * kappa, "N4")]
            n4.append(Reaction({pp: 1, pm: 1}, {}, kappa, "N4"))
        else:
            (p,) = rails.species(thvars[k])
            n4 += [Reaction({gm: 1}, {p: 1}, kappa, "N4"), Reaction({gp: 1, p: 1}, {}, kappa, "N4")]
    flush = []
    if uses_zb:
        flush += [Reaction({s: 1}, {}, kappa, "flush") for v in zbvars for s in rails.species(v)]
    flush += [Reaction({s: 1}, {}, kappa, "flush") for v in avars for s in rails.species(v)]

    stages = {"N1": tuple(n1), "N2": tuple(merge(n2)), "N3": tuple(n3), "N4": tuple(n4), "flush": tuple(flush)}
    for name, rs in stages.items():
        check_molecularity(rs, spec.max_molecularity, f"stage {name} of this f_θ")
    # species, in a fixed order; only those the circuit uses (plus the clocks)
    used = {s for rs in stages.values() for r in rs for s in r.species()}
    order = []
    for v in xvars + yvars + thvars + zvars + zbvars + avars + gvars:
        order += [s for s in rails.species(v) if s in used and s not in order]
    # parameters and inputs always listed (a parameter may be unused only in degenerate specs)
    for v in thvars + xvars[: spec.n_features]:
        order += [s for s in rails.species(v) if s not in order]
    order += ["C1", "C2"]
    roles = {}
    for s in order:
        if s.startswith("X"):
            roles[s] = "input"
        elif s.startswith("Y"):
            roles[s] = "input"
        elif s.startswith("Z") and not s.startswith("Zb"):
            roles[s] = "output"
        elif s in ("C1", "C2"):
            roles[s] = "control"
        else:
            roles[s] = "auxiliary"
    labelled = {}
    n = 0
    for name in STAGES:
        out = []
        for r in stages[name]:
            out.append(dataclasses.replace(r, label=f"{name}_{n}"))
            n += 1
        labelled[name] = tuple(out)
    return Circuit(spec, tuple(order), roles, labelled, rails)


# ---- numerical machinery ------------------------------------------------------------------


def _network(circuit: Circuit, reactions: Sequence[Reaction], name="stage") -> ReactionNetwork:
    return ReactionNetwork(circuit.species, tuple(reactions), {}, name)


def complete_fast(circuit: Circuit, reactions: Sequence[Reaction], s: Array) -> Array:
    """The state fast `reactions` reach when run to completion (unimolecular conversions and
    decays first, then annihilations `A + B -> ∅`/`A + B -> A'` subtracting the smaller amount)."""
    uni = [r for r in reactions if r.molecularity == 1]
    bi = [r for r in reactions if r.molecularity == 2]
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


class _Solver(eqx.Module):
    """One compiled slow-stage solve: mass action of a reaction subset over [0, T]."""

    kinetics: MassAction
    T: float = eqx.field(static=True)
    rtol: float = eqx.field(static=True)
    atol: float = eqx.field(static=True)

    def __call__(self, s, scale=None):
        kin = self.kinetics

        def rhs(t, y, args):
            return kin.rhs(t, y)

        sol = diffrax.diffeqsolve(
            diffrax.ODETerm(rhs),
            diffrax.Tsit5(),
            0.0,
            self.T,
            self.T / 16,
            s,
            stepsize_controller=diffrax.PIDController(rtol=self.rtol, atol=self.atol),
            saveat=diffrax.SaveAt(t1=True),
            max_steps=100_000,
        )
        return sol.ys[-1]


class NeuralCRN(CRNModel):
    """A Neural CRN learning circuit whose trained state is the parameter vector θ.

    **Fields:**

    - `theta`: θ (n_params,), the signed parameter values; the parameter species hold
      [P_p] = max(θ, 0), [P_m] = max(−θ, 0) (single-rail: [P] = θ).
    - `spec`: the `NeuralSpec` (static).
    - `x0`: the default state: parameters loaded, inputs X and Z set to `default_input`,
      clock C1 on.

    `network()` lists the whole learning circuit (every stage's reactions as the paper counts
    them; each reaction's label names its stage, and its clock phase gates it). `rhs` is the
    one-pot dynamics: a reaction of phase C1 (N1, N4, flush) runs at k·[C1], of phase C2
    (N2, N3) at k·[C2]; `network(clocks=True)` writes that gating explicitly as catalysis by
    the clock species, and its mass action equals `rhs`. The clocks are held by the
    experimenter (dC/dt = 0).
    """

    theta: Float[Array, " params"]
    spec: NeuralSpec = eqx.field(static=True)
    default_input: tuple[float, ...] = eqx.field(static=True, default=())

    @property
    def circuit(self) -> Circuit:
        return _circuit(self.spec)

    @property
    def species(self) -> tuple[str, ...]:
        return self.circuit.species

    @property
    def x0(self):
        c = self.circuit
        s = jnp.zeros(len(c.species)).at[c.idx("C1")].set(1.0)
        s = load_params(c, s, self.theta)
        if self.default_input:
            x = jnp.asarray(self.spec.pad_inputs(np.asarray(self.default_input)))
            s = load_input(c, s, x)
        return s

    def rhs(self, t, x, args=None):
        return _gated_kinetics(self.circuit).rhs(t, x)

    def network(self, k_min: float = 0.0, name: str = "crn", clocks: bool = False) -> ReactionNetwork:
        c = self.circuit
        rs = []
        for r in c.reactions:
            if r.rate <= k_min:
                continue
            if clocks:
                ph = PHASE[r.label.split("_")[0]]
                re = dict(r.reactants)
                pr = dict(r.products)
                re[ph] = re.get(ph, 0) + 1
                pr[ph] = pr.get(ph, 0) + 1
                r = dataclasses.replace(r, reactants=re, products=pr)
            rs.append(r)
        x0 = np.asarray(self.x0, dtype=np.float64)
        return ReactionNetwork(c.species, tuple(rs), dict(zip(c.species, x0)), name, dict(c.roles))

    def trainable(self):
        spec = jax.tree_util.tree_map(lambda _: False, self)
        return eqx.tree_at(lambda m: m.theta, spec, True)

    # ---- reading and loading species -----------------------------------------------------
    def predict(self, features, solver=None) -> np.ndarray:
        """ŷ for a batch of feature vectors (n, n_features) by running N1 (inference)."""
        x = self.spec.pad_inputs(np.atleast_2d(features))
        fn = _predict_fn(self.spec, solver or DEFAULT_TOL)
        n, chunk = len(x), PREDICT_CHUNK  # fixed-size chunks: one compilation per circuit
        padded = np.concatenate([x, np.repeat(x[-1:], (-n) % chunk, axis=0)])
        out = [np.asarray(fn(self.theta, jnp.asarray(padded[i : i + chunk]))) for i in range(0, len(padded), chunk)]
        return np.concatenate(out)[:n]


DEFAULT_TOL = (1e-7, 1e-9)
PREDICT_CHUNK = 128


def load_params(c: Circuit, s, theta):
    for k in range(c.spec.n_params):
        idx, sg = c.rail_index(f"th{k}")
        if len(idx) == 2:
            s = s.at[idx[0]].set(jnp.maximum(theta[k], 0.0)).at[idx[1]].set(jnp.maximum(-theta[k], 0.0))
        else:
            s = s.at[idx[0]].set(jnp.maximum(theta[k], 0.0))
    return s


def read_var(c: Circuit, s, var: str):
    idx, sg = c.rail_index(var)
    return sum(s[..., i] * g for i, g in zip(idx, sg))


def _add_var(c: Circuit, s, var: str, value, replace=False):
    idx, sg = c.rail_index(var)
    if len(idx) == 2:
        vp, vm = jnp.maximum(value, 0.0), jnp.maximum(-value, 0.0)
        if replace:
            return s.at[idx[0]].set(vp).at[idx[1]].set(vm)
        return s.at[idx[0]].add(vp).at[idx[1]].add(vm)
    v = jnp.maximum(value, 0.0)
    return s.at[idx[0]].set(v) if replace else s.at[idx[0]].add(v)


def load_input(c: Circuit, s, x, y=None):
    """The experimenter's loading step: X ← x (exchanged), Z += x, Y += y."""
    for i in range(c.spec.d):
        if f"X{i + 1}" in c.species or f"X{i + 1}_p" in c.species:
            s = _add_var(c, s, f"x{i}", x[i], replace=True)
        if c.rails.species(f"z{i}")[0] in c.species:
            s = _add_var(c, s, f"z{i}", x[i])
    if y is not None:
        for k in range(c.spec.n_out):
            s = _add_var(c, s, f"y{k}", y[k])
    return s


def read_params(c: Circuit, s):
    return jnp.stack([read_var(c, s, f"th{k}") for k in range(c.spec.n_params)])


def read_grad(c: Circuit, s):
    """The signed gradient species G (divided by η when η sits in N3's rates: single-rail P)."""
    g = jnp.stack([read_var(c, s, f"g{k}") for k in range(c.spec.n_params)])
    return g if c.spec.p_dual else g / c.spec.eta


def read_output(c: Circuit, s):
    W = c.spec.readout_matrix()
    seen = [i for i in range(c.spec.d) if W[:, i].any()]
    z = jnp.stack([read_var(c, s, f"z{i}") for i in seen], axis=-1)
    return z @ jnp.asarray(W[:, seen].T)


_CACHE: dict = {}


def _circuit(spec: NeuralSpec) -> Circuit:
    key = ("circuit", spec)
    if key not in _CACHE:
        _CACHE[key] = build_circuit(spec)
    return _CACHE[key]


def _gated_kinetics(c: Circuit) -> MassAction:
    key = ("gated", c.spec)
    if key not in _CACHE:
        rs = []
        for r in c.reactions:
            ph = PHASE[r.label.split("_")[0]]
            re, pr = dict(r.reactants), dict(r.products)
            re[ph] = re.get(ph, 0) + 1
            pr[ph] = pr.get(ph, 0) + 1
            rs.append(dataclasses.replace(r, reactants=re, products=pr))
        with jax.ensure_compile_time_eval():  # concrete arrays even when first called under a trace
            _CACHE[key] = MassAction.from_network(_network(c, rs))
    return _CACHE[key]


def _predict_fn(spec: NeuralSpec, tol):
    key = ("predict", spec, tol)
    if key not in _CACHE:
        c = _circuit(spec)
        n1 = _Solver(MassAction.from_network(_network(c, c.stages["N1"])), spec.T, *tol)

        def one(theta, x):
            s = jnp.zeros(len(c.species))
            s = load_params(c, s, theta)
            s = load_input(c, s, x)
            return read_output(c, n1(s))

        _CACHE[key] = jax.jit(jax.vmap(one, in_axes=(None, 0)))
    return _CACHE[key]


# ---- chemical learning ----------------------------------------------------------------------


def staged_step_fn(spec: NeuralSpec, tol=DEFAULT_TOL):
    """`step(theta, x, y) -> (theta_new, (loss, yhat, g))`: one sample in staged mode."""
    c = _circuit(spec)
    n1 = _Solver(MassAction.from_network(_network(c, c.stages["N1"])), spec.T, *tol)
    n3 = _Solver(MassAction.from_network(_network(c, c.stages["N3"])), spec.T, *tol) if c.stages["N3"] else None

    def step(theta, x, y):
        s = jnp.zeros(len(c.species)).at[c.idx("C1")].set(1.0)
        s = load_params(c, s, theta)
        s = load_input(c, s, x, y)
        s = n1(s)  # N1
        yhat = read_output(c, s)
        loss = 0.5 * jnp.sum((yhat - y) ** 2)
        s = complete_fast(c, c.stages["N2"], s)  # N2
        if n3 is not None:
            s = n3(s)  # N3
        g = read_grad(c, s)
        s = complete_fast(c, c.stages["N4"], s)  # N4 (update)
        theta_new = read_params(c, s)
        return theta_new, (loss, yhat, g)

    return step


def one_pot_phase_fns(spec: NeuralSpec, tol=DEFAULT_TOL):
    """`(phase1, phase2)`: solves of the clock-gated one-pot dynamics over one phase of length T."""
    c = _circuit(spec)
    kin = _gated_kinetics(c)
    solver = _Solver(kin, spec.T, *tol)
    i1, i2 = c.idx("C1"), c.idx("C2")

    def phase1(s):
        return solver(s.at[i1].set(1.0).at[i2].set(0.0))

    def phase2(s):
        return solver(s.at[i1].set(0.0).at[i2].set(1.0))

    return phase1, phase2


def one_pot_step_fn(spec: NeuralSpec, tol=DEFAULT_TOL):
    """`step(s, x, y) -> (s_new, (loss, yhat, g))`: the experimenter loads (x, y) into the pot,
    then one C1 phase (N4 of the previous sample, flush, N1) and one C2 phase (N2, N3)."""
    c = _circuit(spec)
    phase1, phase2 = one_pot_phase_fns(spec, tol)

    def step(s, x, y):
        s = load_input(c, s, x, y)
        s = phase1(s)
        yhat = read_output(c, s)
        loss = 0.5 * jnp.sum((yhat - y) ** 2)
        s = phase2(s)
        return s, (loss, yhat, read_grad(c, s))

    return step


def _epoch_fn(spec: NeuralSpec, mode: str, tol):
    key = ("epoch", spec, mode, tol)
    if key not in _CACHE:
        step = staged_step_fn(spec, tol) if mode == "staged" else one_pot_step_fn(spec, tol)

        def epoch(carry, xs, ys):
            return jax.lax.scan(lambda cr, xy: step(cr, *xy), carry, (xs, ys))

        _CACHE[key] = jax.jit(epoch)
    return _CACHE[key]


def one_pot_state(spec: NeuralSpec, theta) -> Array:
    """An empty pot holding parameters θ (clock C1 on)."""
    c = _circuit(spec)
    s = jnp.zeros(len(c.species)).at[c.idx("C1")].set(1.0)
    return load_params(c, s, jnp.asarray(theta))


def one_pot_finish(spec: NeuralSpec, s, tol=DEFAULT_TOL):
    """Run the last sample's update (one more C1 phase with nothing loaded); returns θ."""
    c = _circuit(spec)
    phase1, _ = one_pot_phase_fns(spec, tol)
    return read_params(c, jax.jit(phase1)(s))


def run_epoch(spec: NeuralSpec, theta, xs, ys, mode: str = "staged", tol=DEFAULT_TOL, pot=None):
    """Chemical learning over the samples (xs: (n, d) padded inputs, ys: (n, n_out)) in order.

    Staged mode returns `(theta, losses, yhats)`. One-pot mode carries the whole pot state
    `pot` (default: a fresh pot with θ) and returns `(pot, losses, yhats)`; call
    `one_pot_finish` to apply the last update and read θ.
    """
    fn = _epoch_fn(spec, mode, tol)
    if mode == "staged":
        theta, (losses, yhats, _) = fn(jnp.asarray(theta), jnp.asarray(xs), jnp.asarray(ys))
        return theta, np.asarray(losses), np.asarray(yhats)
    if mode != "one-pot":
        raise ValueError(f"mode must be 'staged' or 'one-pot', got {mode!r}")
    pot = one_pot_state(spec, theta) if pot is None else pot
    pot, (losses, yhats, _) = fn(pot, jnp.asarray(xs), jnp.asarray(ys))
    return pot, np.asarray(losses), np.asarray(yhats)


# ---- the Neural ODE reference (for the gradient invariant) ---------------------------------


def neural_ode_loss(spec: NeuralSpec, theta, x, y, rtol=1e-10, atol=1e-12):
    """½‖W z(T) − y‖² with z from a Diffrax solve of dz/dt = f_θ(z, x), z(0) = x (differentiable)."""

    def rhs(t, z, args):
        return spec.f(z, args, x)

    sol = diffrax.diffeqsolve(
        diffrax.ODETerm(rhs),
        diffrax.Tsit5(),
        0.0,
        spec.T,
        spec.T / 32,
        jnp.asarray(x),
        args=theta,
        stepsize_controller=diffrax.PIDController(rtol=rtol, atol=atol),
        saveat=diffrax.SaveAt(t1=True),
        adjoint=diffrax.RecursiveCheckpointAdjoint(),
        max_steps=100_000,
    )
    yhat = jnp.asarray(spec.readout_matrix()) @ sol.ys[-1]
    return 0.5 * jnp.sum((yhat - y) ** 2)


def neural_ode_value_and_grad(spec: NeuralSpec, theta, x, y):
    """(loss, jax.grad of `neural_ode_loss` with respect to θ), compiled once per spec."""
    key = ("grad", spec)
    if key not in _CACHE:
        _CACHE[key] = jax.jit(jax.value_and_grad(lambda th, xx, yy: neural_ode_loss(spec, th, xx, yy)))
    return _CACHE[key](jnp.asarray(theta), jnp.asarray(x), jnp.asarray(y))


def neural_ode_grad(spec: NeuralSpec, theta, x, y):
    """jax.grad of `neural_ode_loss` with respect to θ (through the Diffrax solve)."""
    return neural_ode_value_and_grad(spec, theta, x, y)[1]


def first_order_grad(spec: NeuralSpec, theta, x, y):
    """The first-order variant's gradient: T·(∂f/∂θ)ᵀ a with a = Wᵀ(ŷ − y) held constant (z^b = z(T))."""
    c = _circuit(spec)
    x = jnp.asarray(x)
    zT = _predict_z(spec, theta, x)
    a = jnp.asarray(spec.readout_matrix().T) @ (jnp.asarray(spec.readout_matrix()) @ zT - y)
    jac = jax.jacobian(lambda th: spec.f(zT, th, x))(jnp.asarray(theta))  # (d, n_params)
    return spec.T * (a @ jac)


def _predict_z(spec: NeuralSpec, theta, x):
    sol = diffrax.diffeqsolve(
        diffrax.ODETerm(lambda t, z, args: spec.f(z, args, x)),
        diffrax.Tsit5(),
        0.0,
        spec.T,
        spec.T / 32,
        jnp.asarray(x),
        args=jnp.asarray(theta),
        stepsize_controller=diffrax.PIDController(rtol=1e-10, atol=1e-12),
        saveat=diffrax.SaveAt(t1=True),
    )
    return sol.ys[-1]
