"""Indexed CRNs: compiled einsum dynamics equal the enumerated network's, errors are clear."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import crnzoo
from crnzoo import checkpoint, zoo
from crnzoo.crn.base import HasDestructionRate
from crnzoo.crn.indexed import (
    IndexedCRN,
    IndexedCRNError,
    annihilation,
    dual_rail,
    signed_production,
    split_signed,
)


def wta(n=5, m=3, restoration_index="k", seed=0):
    """The appendix-B winner-take-all ICRN with random rate tensors."""
    rng = np.random.default_rng(seed)
    return IndexedCRN.create(
        sets={"pixel": n, "cls": m},
        symbols={"i": "pixel", "j": "cls", "k": "cls"},
        species={
            "X": ("pixel",), "W": ("pixel", "cls"), "XF": ("pixel",), "P": ("pixel", "cls"), "SG": ("cls",),
            "S": ("cls",), "A": ("cls", "cls"), "RG": ("cls",), "YF": ("cls",), "Y": ("cls",), "Rep": ("cls",),
            "F": ("cls",),
        },
        reactions=[
            ("X[i] + W[i,j] + XF[i] -> X[i] + P[i,j]", "a1[i,j]"),
            ("P[i,j] + SG[j] -> S[j]", "a2[j]"),
            ("S[j] + S[k] + A[j,k] ->", "alpha[j,k]"),
            (f"S[j] + RG[j] + YF[{restoration_index}] -> S[j] + Y[j]", 1.8e-4),
            ("Y[j] + Rep[j] -> F[j]", "3.6*a5[j]"),
        ],
        params={
            "a1": rng.uniform(0, 1, (n, m)),
            "a2": rng.uniform(0, 1, m),
            "alpha": rng.uniform(0, 1, (m, m)) * (1 - np.eye(m)),
            "a5": rng.uniform(0, 1, m),
        },
        x0={"X": rng.uniform(0, 5, n), "W": rng.uniform(0, 2, (n, m)), "XF": 3.0, "SG": 2.0, "A": 4.0, "RG": 1.0,
            "YF": 2.0, "Rep": 2.0},
        roles={"X": "input", "F": "output"},
    )


def assert_same_dynamics(crn: IndexedCRN, seed=1, batch=4):
    net = crn.network(0.0)
    assert net.species == crn.species
    ma = net.mass_action()
    x = jnp.asarray(np.random.default_rng(seed).uniform(0.1, 2.0, (batch, len(crn.species))))
    np.testing.assert_allclose(np.asarray(crn.rhs(0.0, x)), np.asarray(ma.rhs(0.0, x)), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.asarray(crn.for_solver().rhs(0.0, x)), np.asarray(ma.rhs(0.0, x)), rtol=1e-12, atol=1e-12)
    return net


@pytest.mark.parametrize("restoration_index", ["j", "k"])
def test_wta_indexed_dynamics_equal_enumerated_network(restoration_index):
    crn = wta(restoration_index=restoration_index)
    net = assert_same_dynamics(crn)
    n, m = 5, 3
    # 15 + 15 + 6 annihilations (diagonal rate 0) + restoration (3 or 9) + 3 reporting
    assert net.n_reactions == n * m + n * m + (m * m - m) + (m if restoration_index == "j" else m * m) + m
    assert net.max_molecularity == 3
    assert net.roles["X_0"] == "input" and net.roles["F_2"] == "output"
    if restoration_index == "k":  # and the trajectories agree
        a = crnzoo.simulate(crn, t1=0.3, n_save=3)
        b = crnzoo.simulate(net, t1=0.3, n_save=3)
        np.testing.assert_allclose(a.ys, b.ys, rtol=1e-6, atol=1e-9)


def test_repeated_species_with_distinct_indices():
    """`S[j] + S[k] + A[j,k]` gives 2S_j + A_jj at j = k (flux k·S_j²·A_jj)."""
    rng = np.random.default_rng(3)
    crn = IndexedCRN.create(
        sets={"c": 4}, symbols={"j": "c", "k": "c"}, species={"S": ("c",), "A": ("c", "c")},
        reactions=[("S[j] + S[k] + A[j,k] ->", "alpha[j,k]")], params={"alpha": rng.uniform(0.1, 1, (4, 4))},
        x0={"S": 1.0, "A": 1.0},
    )
    net = assert_same_dynamics(crn)
    assert net.n_reactions == 16
    diag = [r for r in net.reactions if r.reactants.get("S_2") == 2]
    assert len(diag) == 1 and diag[0].reactants == {"S_2": 2, "A_2_2": 1}


def test_duplicates_are_summed():
    rng = np.random.default_rng(4)
    a = rng.uniform(0.1, 1, (3, 3))
    crn = IndexedCRN.create(
        sets={"c": 3}, symbols={"j": "c", "k": "c"}, species={"S": ("c",)},
        reactions=[("S[j] + S[k] ->", "a[j,k]")], params={"a": a},
    )
    net = assert_same_dynamics(crn)
    assert net.n_reactions == 6  # (j, k) and (k, j) are the same reaction
    r01 = [r for r in net.reactions if r.reactants == {"S_0": 1, "S_1": 1}][0]
    assert r01.rate == pytest.approx(a[0, 1] + a[1, 0])


def test_dimerization_sources_powers_and_product_only_symbols():
    rng = np.random.default_rng(5)
    n = 4
    crn = IndexedCRN.create(
        sets={"n": n, "m": 2}, symbols={"i": "n", "j": "n", "q": "m"},
        species={"M": ("n",), "D": ("n", "n"), "B": ("m",), "C": ()},
        reactions=[
            ("M[i] + M[j] -> D[i,j]", "k1[i,j]"),
            ("D[i,j] -> M[i] + M[j]", "k2[i,j]"),
            ("-> B[q]", "s[q]"),                  # a source
            ("M[i] -> M[i] + B[q]", 0.5),         # q named only by a product
            ("2B[q] -> C", "relu(-w[q])"),        # a power, a function of a parameter
            ("C -> ", 0.3),
        ],
        params={"k1": rng.uniform(0, 1, (n, n)), "k2": rng.uniform(0, 1, (n, n)), "s": [0.2, 0.4], "w": [-1.0, 0.5]},
        x0={"M": rng.uniform(0, 1, n), "D": rng.uniform(0, 1, (n, n))},
    )
    net = assert_same_dynamics(crn)
    assert "C" in net.species and "B_1" in net.species
    assert not any(r.rate == 0 for r in net.reactions)  # relu(-0.5) = 0 is left out
    assert crn.reaction_count(0.35) == crn.network(0.35).n_reactions < net.n_reactions


def test_destruction_rate_is_minus_the_consuming_diagonal():
    rng = np.random.default_rng(6)
    crn = IndexedCRN.create(
        sets={"a": 3, "b": 2}, symbols={"i": "a", "j": "b"},
        species={"A": ("a",), "B": ("b",), "C": ("a", "b")},
        reactions=[("A[i] + B[j] -> C[i,j]", "k[i,j]"), ("2C[i,j] -> A[i]", 0.7)],
        params={"k": rng.uniform(0, 1, (3, 2))},
    )
    x = jnp.asarray(rng.uniform(0.1, 1.0, len(crn.species)))
    jac = jax.jacfwd(lambda y: crn.rhs(0.0, y))(x)
    # A is also produced (by 2C -> A) but not from itself, so the diagonal is exactly −D
    np.testing.assert_allclose(np.asarray(crn.destruction_rate(x)), -np.diag(np.asarray(jac)), rtol=1e-12)
    fast = crn.for_solver()  # the module solvers see declares the capability and gives the same D
    assert isinstance(fast, HasDestructionRate) and fast.rate_cache is not None
    np.testing.assert_allclose(np.asarray(fast.destruction_rate(x)), np.asarray(crn.destruction_rate(x)), rtol=1e-15)
    assert np.all(np.asarray(crn.destruction_rate(x[None])) >= 0)


def test_index_mismatches_are_refused_clearly():
    base = dict(sets={"pixel": 4, "cls": 3}, symbols={"i": "pixel", "j": "cls"}, species={"X": ("pixel",), "W": ("pixel", "cls")})
    with pytest.raises(IndexedCRNError, match=r"index 0 of X ranges over 'pixel' but symbol 'j' ranges over 'cls'"):
        IndexedCRN.create(**base, reactions=[("X[j] -> ", 1.0)])
    with pytest.raises(IndexedCRNError, match=r"X\[i,j\] has 2 indices but base species X is indexed by 1"):
        IndexedCRN.create(**base, reactions=[("X[i,j] -> ", 1.0)])
    with pytest.raises(IndexedCRNError, match="unknown base species 'Q'"):
        IndexedCRN.create(**base, reactions=[("Q[i] -> ", 1.0)])
    with pytest.raises(IndexedCRNError, match="unknown index symbol 'z'"):
        IndexedCRN.create(**base, reactions=[("X[z] -> ", 1.0)])
    with pytest.raises(IndexedCRNError, match=r"rate parameter 'k' has shape \(3,\); its index sets need \(4,\)"):
        IndexedCRN.create(**base, reactions=[("X[i] -> ", "k[i]")], params={"k": np.ones(3)})
    with pytest.raises(IndexedCRNError, match="indexed by \\(cls\\) here but by \\(pixel\\) elsewhere"):
        IndexedCRN.create(**base, reactions=[("X[i] -> ", "k[i]"), ("W[i,j] -> ", "k[j]")], params={"k": 1.0})
    with pytest.raises(IndexedCRNError, match="unknown rate function"):
        IndexedCRN.create(**base, reactions=[("X[i] -> ", "tanh(k[i])")], params={"k": 1.0})
    with pytest.raises(IndexedCRNError, match="repeated"):
        IndexedCRN.create(**base, reactions=[("W[i,i] -> ", 1.0)])
    with pytest.raises(IndexedCRNError, match="no value given for rate parameter"):
        IndexedCRN.create(**base, reactions=[("X[i] -> ", "k[i]")])
    with pytest.raises(IndexedCRNError, match="no '_'"):
        IndexedCRN.create(sets={"a": 2}, symbols={"i": "a"}, species={"X_1": ("a",)}, reactions=[])
    with pytest.raises(IndexedCRNError, match="must be finite and >= 0"):
        IndexedCRN.create(**base, reactions=[("X[i] -> ", -1.0)])


def test_trainable_rates_have_gradients():
    crn = IndexedCRN.create(
        sets={"n": 3}, symbols={"i": "n", "j": "n"}, species={"U": ("n",), "V": ("n",)},
        reactions=[("U[i] -> U[i] + V[j]", "relu(W[i,j])"), ("V[i] ->", 1.0)],
        params={"W": np.arange(9.0).reshape(3, 3) - 4.0}, x0={"U": 1.0},
    )
    spec = crn.trainable()
    assert spec.params["W"] is True and spec.x0 is False

    def loss(m):
        return jnp.sum(m.rhs(0.0, m.x0)[m.slot("V")])

    g = jax.grad(loss)(crn)
    expected = (np.arange(9.0).reshape(3, 3) - 4.0 > 0).astype(float)  # relu' · U
    np.testing.assert_allclose(np.asarray(g.params["W"]), expected)


def test_dual_rail_signed_linear_map():
    """dV/dt = Wᵀ U − V for signed U, V, W carried on two rails each."""
    rng = np.random.default_rng(7)
    W = rng.normal(size=(3, 2))
    u = np.array([0.5, -1.0, 2.0])
    species = dual_rail({"U": ("a",), "V": ("b",)}, ["U", "V"])
    assert set(species) == {"Up", "Un", "Vp", "Vn"}
    reactions = signed_production(["U[i]"], "V[j]", "W[i,j]", {"U", "V"})
    assert len(reactions) == 4
    reactions += [("Vp[j] ->", 1.0), ("Vn[j] ->", 1.0), annihilation("V", "j", 10.0)]
    up, un = split_signed(u)
    crn = IndexedCRN.create(
        sets={"a": 3, "b": 2}, symbols={"i": "a", "j": "b"}, species=species, reactions=reactions,
        params={"W": W}, x0={"Up": up, "Un": un},
    )
    assert_same_dynamics(crn)
    d = crn.rhs(0.0, crn.x0)
    np.testing.assert_allclose(np.asarray(crn.signed(d, "V")), W.T @ u, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(crn.signed(crn.x0, "U")), u)


def test_state_pack_unpack_and_simulate_batch():
    crn = wta()
    t = crn.unpack(crn.x0[None])
    assert t["W"].shape == (1, 5, 3) and t["A"].shape == (1, 3, 3)
    np.testing.assert_allclose(np.asarray(crn.pack({k: v[0] for k, v in t.items()})), np.asarray(crn.x0))
    assert crn.species[crn.slot("W")][4] == "W_1_1"
    with pytest.raises(IndexedCRNError, match="unknown base species"):
        crn.pack({"Nope": 1.0})
    x0 = jnp.stack([crn.x0, crn.x0 * 0.5])
    traj = crnzoo.simulate(crn, t1=0.5, x0=x0, n_save=3)
    assert traj.ys.shape == (2, 3, len(crn.species))


def test_checkpoint_round_trip_through_the_registered_builder(tmp_path):
    crn = wta()
    card = {"name": "wta-test", "builder": "indexed", "config": crn.config()}
    checkpoint.save(crn, tmp_path / "ck", card)
    restored, _ = checkpoint.restore(tmp_path / "ck", zoo.build)
    x = jnp.asarray(np.random.default_rng(0).uniform(0, 1, len(crn.species)))
    np.testing.assert_allclose(np.asarray(restored.rhs(0.0, x)), np.asarray(crn.rhs(0.0, x)))
    assert restored.network(0.0).n_reactions == crn.network(0.0).n_reactions
