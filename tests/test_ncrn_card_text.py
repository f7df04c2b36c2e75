"""Each ncrn card's stated Neural ODE `f = …` is the one its shipped listing runs.

The card's `system` text states f in the paper's notation (θ⊙x, θx, h, ½, z⊙z, z|z|, …).
The test reads that formula, evaluates it at random points, and compares it with the
forward stage N1 of the card's `reactions.txt` (mass action of the `N1_*` reactions, read
back by `from_txt`), z and x on their positive rails so a dual rail reads as its value.
"""

from __future__ import annotations

import json
import re

import jax.numpy as jnp
import numpy as np
import pytest

from crnzoo import zoo
from crnzoo.export import from_txt
from crnzoo.neural import NeuralSpec
from crnzoo.neural._build import build_circuit
from crnzoo.neural._model import load_params, put_var, read_var

NCRN = [n for n in zoo.list_models("ncrn-*") if (zoo.checkpoint_dir(n) / "card.json").is_file()]

# the paper's notation → numpy (TH: the d×d matrix of θ, zero where θ has no entry)
_NOTATION = [("−", "-"), ("½", "0.5*"), ("θ⊙x", "(TH @ x)"), ("θx", "(TH @ x)"), ("z|z|", "z*abs(z)"), ("⊙", "*"), ("·", "*")]


def stated_f(system: str) -> str | None:
    """The `f = …` formula of a card's system text (up to `,` `;` `:` or `)`), or None."""
    m = re.search(r"\bf = ([^,;:)]+)", system)
    return m.group(1).strip() if m else None


def evaluate(formula: str, z, x, TH, h):
    expr = formula
    for a, b in _NOTATION:
        expr = expr.replace(a, b)
    if not re.fullmatch(r"[\sA-Za-z0-9_.*+\-@()]+", expr):
        raise ValueError(f"the test cannot read the card's f = {formula!r} ({expr!r})")
    return eval(expr, {"abs": np.abs, "z": z, "x": x, "TH": TH, "h": h})  # noqa: S307 - our own card text


def listing_f(text: str, spec: NeuralSpec, z, x, theta):
    """dz/dt of the listing's N1 reactions at (z, x, θ), z and x on positive rails."""
    net = from_txt(text)
    c = build_circuit(spec)
    s = load_params(c, jnp.zeros(len(c.species)), jnp.asarray(theta))
    for i in range(spec.d):
        for var, value in ((f"x{i}", x[i]), (f"z{i}", z[i])):
            if c.rails.species(var)[0] in c.species:
                s = put_var(c, s, var, value, replace=True)
    state = dict(zip(c.species, np.asarray(s)))
    ds = dict.fromkeys(c.species, 0.0)
    n1 = [r for r in net.reactions if r.label.startswith("N1_")]
    assert n1, "the listing has no N1 reactions"
    for r in n1:
        flux = r.rate * np.prod([state[a] ** n for a, n in r.reactants.items()])
        for a, n in r.reactants.items():
            ds[a] -= n * flux
        for a, n in r.products.items():
            ds[a] += n * flux
    dvec = np.array([ds[sp] for sp in c.species])
    # a component the circuit does not hold (Iris: only the read-out's rows carry θ) stays at 0
    return np.array([read_var(c, dvec, f"z{i}") if c.rails.species(f"z{i}")[0] in c.species else 0.0 for i in range(spec.d)])


@pytest.mark.parametrize("name", NCRN)
def test_stated_f_is_the_listings_f(name):
    card = json.loads((zoo.checkpoint_dir(name) / "card.json").read_text())
    formula = stated_f(card["system"])
    if formula is None:
        pytest.skip(f"{name}'s card states no f")
    spec = NeuralSpec.from_dict(card["config"]["spec"])
    text = (zoo.checkpoint_dir(name) / "reactions.txt").read_text()
    rng = np.random.default_rng(0)
    TH = np.zeros((spec.d, spec.d))
    theta = rng.uniform(-1.0, 1.0, spec.n_params)
    if not spec.p_dual:
        theta = np.abs(theta)
    for k, (i, j) in enumerate(spec.theta_index):
        TH[i, j] = theta[k]
    for _ in range(3):
        z = rng.uniform(0.1, 1.0, spec.d)
        x = spec.pad_inputs(rng.uniform(0.1, 1.0, spec.n_features))
        want = evaluate(formula, z, x, TH, spec.bias)
        got = listing_f(text, spec, z, x, theta)
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6, err_msg=f"{name}: card f = {formula}")


def test_a_wrong_f_text_is_caught():
    spec = NeuralSpec(n_features=2, d=3, pad=1.0, bias=0.1, power=2, T=0.4, eta=0.1, convention="catalyst")
    z, x, TH = np.full(3, 0.5), np.full(3, 0.5), np.eye(3)
    assert stated_f("regressor (f = θ⊙x + h − z⊙z) on") == "θ⊙x + h − z⊙z"
    assert not np.allclose(evaluate("θ⊙x + h − z⊙z", z, x, TH, 0.1), evaluate("θ⊙x + h − ½z⊙z", z, x, TH, 0.1))
    assert spec.convention == "catalyst"
