"""The catalytic reaction tensor, sparsification, regularisers and chamber rings."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from crnzoo import CatalyticCRN, MembraneRing, simulate
from crnzoo.crn.diffusion import ring_neighbours
from crnzoo.solve import SolverConfig
from crnzoo.sparsity import entropy, informational_energy, l1, sparsify, straight_through


SPECIES = ("A", "B", "C", "D", "E")
TIGHT = SolverConfig("tsit5", rtol=1e-10, atol=1e-12)


def random_crn(seed: int, fixed=(), scale: float = 2.0, **kw) -> CatalyticCRN:
    k1, k2 = jax.random.split(jax.random.PRNGKey(seed))
    n = len(SPECIES)
    return CatalyticCRN(
        scale * jax.random.normal(k1, (n, n, n)), jax.random.dirichlet(k2, jnp.ones(n)), SPECIES, fixed=fixed, **kw
    )


@pytest.mark.parametrize("seed", [0, 1])
def test_tensor_invariants(seed):
    T = np.asarray(random_crn(seed, fixed=(1,)).tensor())
    n = T.shape[-1]
    np.testing.assert_allclose(T.sum(-1), 0.0, atol=1e-14)
    diag = T[:, np.arange(n), np.arange(n)]
    assert (diag <= 0).all()
    off = T.copy()
    off[:, np.arange(n), np.arange(n)] = 0
    assert (off >= 0).all()


def test_fixed_species_act_only_as_catalysts():
    m = random_crn(3, fixed=(0, 2))
    T = np.asarray(m.tensor())
    assert np.all(T[:, [0, 2], :] == 0) and np.all(T[:, :, [0, 2]] == 0)
    x = jax.random.uniform(jax.random.PRNGKey(9), (4, 5))
    dx = np.asarray(m.rhs(0.0, x))
    assert np.all(dx[:, [0, 2]] == 0)
    assert np.any(np.abs(T[[0, 2]]) > 0), "fixed species still catalyse reactions"
    for r in m.network().reactions:
        for s in ("A", "C"):
            assert r.reactants.get(s, 0) == r.products.get(s, 0), f"{r} changes {s}"


def test_sparsify_zeroes_small_entries_and_rebalances():
    T = random_crn(4).tensor()
    Ts = np.asarray(sparsify(T, 0.1))
    n = Ts.shape[-1]
    off = Ts.copy()
    off[:, np.arange(n), np.arange(n)] = 0
    assert np.all((off == 0) | (off >= 0.1))
    np.testing.assert_allclose(Ts.sum(-1), 0.0, atol=1e-14)
    np.testing.assert_array_equal(np.asarray(straight_through(T, 0.1)), Ts)


def test_straight_through_passes_dense_gradients():
    m = random_crn(5)
    g = jax.grad(lambda W: jnp.sum(CatalyticCRN(W, m.x0, SPECIES, k_min=0.1).dynamics_tensor() * m.tensor()))(m.logits)
    g_dense = jax.grad(lambda W: jnp.sum(CatalyticCRN(W, m.x0, SPECIES).tensor() * m.tensor()))(m.logits)
    np.testing.assert_allclose(np.asarray(g), np.asarray(g_dense), atol=1e-12)


def test_regularisers_on_known_tensors():
    n = 3
    onehot = jnp.broadcast_to(jnp.eye(n), (n, n, n))
    uniform = jnp.full((n, n, n), 1.0 / n)
    assert float(entropy(onehot)) == pytest.approx(0.0)
    assert float(entropy(uniform)) == pytest.approx(np.log(n) / n)
    assert float(informational_energy(onehot)) == pytest.approx(-1.0 / n)
    assert float(informational_energy(uniform)) == pytest.approx(-1.0 / n**2)
    assert float(l1(onehot - jnp.eye(n))) == 0.0


def test_from_rates_gives_exact_rates_and_listing():
    m = CatalyticCRN.from_rates(("A", "B", "C"), {("A", "B", "C"): 0.25, ("C", "C", "A"): 1.0}, [0.5, 0.5, 0.0])
    T = np.asarray(m.tensor())
    assert T[1, 0, 2] == pytest.approx(0.25) and T[1, 0, 0] == pytest.approx(-0.25)
    rs = {r.equation(): r.rate for r in m.network().reactions}
    assert rs == {"A + B -> C + B": pytest.approx(0.25), "2C -> A + C": pytest.approx(1.0)}
    with pytest.raises(ValueError, match="sum above 1"):
        CatalyticCRN.from_rates(("A", "B", "C"), {("A", "B", "B"): 0.7, ("A", "B", "C"): 0.7}, [1, 0, 0])
    with pytest.raises(ValueError, match="changes nothing"):
        CatalyticCRN.from_rates(("A", "B"), {("A", "B", "A"): 0.5}, [1, 0])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_listing_reproduces_tensor_dynamics(seed):
    """The zoo's invariant: network(k_min=0) simulated generically equals the tensor model."""
    m = random_crn(seed, fixed=(4,) if seed == 2 else ())
    x = jax.random.uniform(jax.random.PRNGKey(seed + 10), (6, 5))
    net = m.network(0.0)
    np.testing.assert_allclose(np.asarray(net.mass_action().rhs(0.0, x)), np.asarray(m.rhs(0.0, x)), atol=1e-13)
    ts = np.linspace(0.0, 20.0, 21)
    a = simulate(m, ts, solver=TIGHT).ys
    b = simulate(net, ts, solver=TIGHT).ys
    assert np.max(np.abs(a - b)) < 1e-6


def test_sparsified_listing_matches_sparsified_dynamics():
    m = random_crn(7)
    ms = CatalyticCRN(m.logits, m.x0, SPECIES, k_min=0.05)
    x = jax.random.uniform(jax.random.PRNGKey(1), (3, 5))
    np.testing.assert_allclose(
        np.asarray(m.network(0.05).mass_action().rhs(0.0, x)), np.asarray(ms.rhs(0.0, x)), atol=1e-13
    )
    assert m.network(0.05).n_reactions < m.network(0.0).n_reactions


def test_ring_neighbours():
    assert ring_neighbours(1) == [[]]
    assert ring_neighbours(2) == [[1], [0]]
    assert ring_neighbours(4)[0] == [1, 3]


@pytest.mark.parametrize("n", [1, 2, 3, 6])
def test_ring_listing_reproduces_ring_dynamics_for_any_chamber_count(n):
    chem = random_crn(11)
    ring = MembraneRing(chem, jnp.array([0.5, -1.0, 2.0, 0.0, -3.0]), jnp.tile(chem.x0, (5, 1)))
    x = jax.random.uniform(jax.random.PRNGKey(n), (2, n, 5))
    net = ring.network(0.0, n_chambers=n)
    assert net.species[:2] == ("A_0", "B_0")
    np.testing.assert_allclose(
        np.asarray(net.mass_action().rhs(0.0, x.reshape(2, -1))), np.asarray(ring.rhs(0.0, x)).reshape(2, -1), atol=1e-13
    )
    if n == 3:
        ts = np.linspace(0.0, 10.0, 11)
        a = simulate(ring, ts, x[0], solver=TIGHT).ys
        b = simulate(net, ts, x[0].reshape(-1), solver=TIGHT).ys
        assert np.max(np.abs(a.reshape(b.shape) - b)) < 1e-6


def test_pure_diffusion_conserves_mass_and_equalises():
    chem = CatalyticCRN.from_rates(("A", "B"), {}, [0.0, 0.0])
    ring = MembraneRing(chem, jnp.array([0.0, 0.0]), jnp.zeros((4, 2)))
    x0 = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 2.0], [0.0, 0.0]])
    tr = simulate(ring, np.linspace(0, 50, 6), x0, solver=TIGHT)
    np.testing.assert_allclose(tr.ys.sum(axis=1), x0.sum(axis=0)[None].repeat(6, 0), atol=1e-10)
    np.testing.assert_allclose(tr.final, np.array([[0.25, 0.5]] * 4), atol=1e-6)
