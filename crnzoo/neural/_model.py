"""`NeuralCRN`: the learning circuit as a zoo model whose trained state is θ, and its state I/O.

Inference is stage N1: the experimenter loads θ into the parameter species P, x into the
inputs X and the hidden state Z, runs the forward reactions for time T and reads
ŷ = W z(T). The helpers here load and read the circuit's variables rail by rail
(dual rail: value = [V_p] − [V_m]). Concentrations and time are dimensionless.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

from .._registry import register_builder
from ..crn.base import CRNModel
from ..crn.mass_action import MassActionCRN
from ..network import Reaction, ReactionNetwork
from ..solve import integrate
from ..solvers.config import SolverConfig
from ._build import Circuit, build_circuit
from ._one_sided import label_values
from ._spec import NeuralSpec

DEFAULT_TOL = (1e-7, 1e-9)  # (rtol, atol) of the slow-stage solves
PREDICT_CHUNK = 128  # inference runs in chunks of this many inputs: one compilation per circuit


def stage_kinetics(c: Circuit, reactions: tuple[Reaction, ...]) -> MassActionCRN:
    """The mass-action model of some of the circuit's reactions (one stage, or all gated)."""
    return MassActionCRN.from_network(c.network(reactions))


def solve_stage(kinetics: MassActionCRN, s: Array, T: float, tol: tuple[float, float] = DEFAULT_TOL) -> Array:
    """The state after running `kinetics` from `s` for time `T` (`crnzoo.solve.integrate`:
    Tsit5 at `tol` = (rtol, atol), first step T/16 — the setting the shipped checkpoints were
    trained and verified with)."""
    config = SolverConfig("tsit5", rtol=tol[0], atol=tol[1], max_steps=100_000, dt0=T / 16)
    return integrate(kinetics, s[None], jnp.asarray([T], dtype=s.dtype), jnp.asarray(0.0, dtype=s.dtype), config)[1][0]


# ---- loading and reading the circuit's variables --------------------------------------------


def read_var(c: Circuit, s, var: str):
    """The signed value of variable `var` (its rails' difference) in state(s) `s`."""
    idx, sg = c.rail_index(var)
    return sum(s[..., i] * g for i, g in zip(idx, sg))


def put_var(c: Circuit, s, var: str, value, replace: bool = False):
    """Add `value` to `var` (or set it, `replace`): the positive part on the positive rail, the
    negative part on the negative rail (single rail: the positive part only)."""
    idx, _ = c.rail_index(var)
    parts = (jnp.maximum(value, 0.0), jnp.maximum(-value, 0.0))[: len(idx)]
    for i, v in zip(idx, parts):
        s = s.at[i].set(v) if replace else s.at[i].add(v)
    return s


def load_params(c: Circuit, s, theta):
    """Set the parameter species to θ."""
    for k in range(c.spec.n_params):
        s = put_var(c, s, f"th{k}", theta[k], replace=True)
    return s


def load_input(c: Circuit, s, x, y=None):
    """The experimenter's loading step: X ← x (exchanged), Z += x, Y += y (and, for a one-sided
    loss, the one-hot label Yon, Yoff exchanged)."""
    for i in range(c.spec.d):
        if f"X{i + 1}" in c.species or f"X{i + 1}_p" in c.species:
            s = put_var(c, s, f"x{i}", x[i], replace=True)
        if c.rails.species(f"z{i}")[0] in c.species:
            s = put_var(c, s, f"z{i}", x[i])
    if y is not None:
        for k in range(c.spec.n_out):
            s = put_var(c, s, f"y{k}", y[k])
        if c.spec.one_sided is not None:
            on, off = label_values(c.spec, y)
            s = s.at[c.idx("Yon")].set(on).at[c.idx("Yoff")].set(off)
    return s


def read_params(c: Circuit, s):
    """θ as the parameter species hold it."""
    return jnp.stack([read_var(c, s, f"th{k}") for k in range(c.spec.n_params)])


def read_grad(c: Circuit, s):
    """The signed gradient species G (divided by η when η sits in N3's rates: single-rail P)."""
    g = jnp.stack([read_var(c, s, f"g{k}") for k in range(c.spec.n_params)])
    return g if c.spec.p_dual else g / c.spec.eta


def read_output(c: Circuit, s):
    """ŷ = W z of state(s) `s`."""
    W = c.spec.readout_matrix()
    seen = [i for i in range(c.spec.d) if W[:, i].any()]
    z = jnp.stack([read_var(c, s, f"z{i}") for i in seen], axis=-1)
    return z @ jnp.asarray(W[:, seen].T)


@functools.partial(jax.jit, static_argnums=(0, 1))
def _predict_chunk(spec: NeuralSpec, tol: tuple[float, float], theta, xs):
    """ŷ for padded inputs `xs` (n, d): stage N1 from X = Z = x (compiled once per spec)."""
    c = build_circuit(spec)
    n1 = stage_kinetics(c, c.stages["N1"])

    def one(x):
        s = load_input(c, load_params(c, jnp.zeros(len(c.species)), theta), x)
        return read_output(c, solve_stage(n1, s, spec.T, tol))

    return jax.vmap(one)(xs)


class NeuralCRN(CRNModel):
    """A Neural CRN learning circuit whose trained state is the parameter vector θ.

    **Fields:**

    - `theta`: θ (n_params,), the signed parameter values; the parameter species hold
      [P_p] = max(θ, 0), [P_m] = max(−θ, 0) (single-rail: [P] = θ).
    - `spec`: the `NeuralSpec` (static).
    - `default_input`: the features loaded into X and Z in `x0` (static; empty: none).

    `x0` is the default state: parameters loaded, inputs X and Z set to `default_input`,
    clock C1 on. `network()` lists the whole learning circuit (every stage's reactions as the
    paper counts them; each reaction's label names its stage, and its clock phase gates it).
    `rhs` is the one-pot dynamics: a reaction of phase C1 (N1, N4, flush) runs at k·[C1], of
    phase C2 (N2, N3) at k·[C2]; `network(clocks=True)` writes that gating explicitly as
    catalysis by the clock species, and its mass action equals `rhs`. The clocks are held by
    the experimenter (dC/dt = 0).
    """

    theta: Float[Array, " params"]
    spec: NeuralSpec = eqx.field(static=True)
    default_input: tuple[float, ...] = eqx.field(static=True, default=())

    @property
    def circuit(self) -> Circuit:
        return build_circuit(self.spec)

    @property
    def species(self) -> tuple[str, ...]:
        return self.circuit.species

    @property
    def x0(self):
        c = self.circuit
        s = load_params(c, jnp.zeros(len(c.species)).at[c.idx("C1")].set(1.0), self.theta)
        if self.default_input:
            s = load_input(c, s, jnp.asarray(self.spec.pad_inputs(np.asarray(self.default_input))))
        return s

    def rhs(self, t, x, args=None):
        c = self.circuit
        return stage_kinetics(c, c.gated()).rhs(t, x)

    def network(self, k_min: float = 0.0, name: str = "crn", clocks: bool = False) -> ReactionNetwork:
        c = self.circuit
        rs = tuple(r for r in (c.gated() if clocks else c.reactions) if r.rate > k_min)
        x0 = np.asarray(self.x0, dtype=np.float64)
        return ReactionNetwork(c.species, rs, dict(zip(c.species, x0)), name, dict(c.roles))

    def trainable(self):
        spec = jax.tree_util.tree_map(lambda _: False, self)
        return eqx.tree_at(lambda m: m.theta, spec, True)

    def predict(self, features, tol: tuple[float, float] = DEFAULT_TOL) -> np.ndarray:
        """ŷ for a batch of feature vectors (n, n_features) by running N1 (inference)."""
        x = self.spec.pad_inputs(np.atleast_2d(features))
        n, chunk = len(x), PREDICT_CHUNK
        padded = np.concatenate([x, np.repeat(x[-1:], (-n) % chunk, axis=0)])
        out = [np.asarray(_predict_chunk(self.spec, tol, self.theta, jnp.asarray(padded[i : i + chunk]))) for i in range(0, len(padded), chunk)]
        return np.concatenate(out)[:n]


@register_builder("neural_crn")
def build_neural_crn(config: Mapping[str, Any]) -> NeuralCRN:
    """A template `NeuralCRN` (θ = 0) from a card's config: `spec` and optional `default_input`."""
    spec = NeuralSpec.from_dict(config["spec"])
    return NeuralCRN(jnp.zeros(spec.n_params), spec, tuple(float(v) for v in config.get("default_input", ())))
