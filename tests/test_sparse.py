"""The gathered sparse stoichiometry product (`crnzoo.sparse`) equals the dense one."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import crnzoo  # noqa: F401  (float64)
from crnzoo.crn.mass_action import MassActionCRN
from crnzoo.network import MassAction, Reaction, ReactionNetwork, use_sparse
from crnzoo.solve import SolverConfig, simulate
from crnzoo.sparse import SparsePattern


def dimer(n: int, seed: int = 0) -> ReactionNetwork:
    """Unordered-pair dimerisation (as benchmarks/gradient.py): n + n(n+1)/2 species."""
    rng = np.random.default_rng(seed)
    mono = [f"M{i}" for i in range(n)]
    pairs = [(i, j) for i in range(n) for j in range(i, n)]
    reactions = []
    for i, j in pairs:
        left = {mono[i]: 2} if i == j else {mono[i]: 1, mono[j]: 1}
        d = f"D{i}_{j}"
        reactions += [Reaction(left, {d: 1}, rng.uniform()), Reaction({d: 1}, left, rng.uniform())]
    species = tuple(mono + [f"D{i}_{j}" for i, j in pairs])
    return ReactionNetwork(species, tuple(reactions), dict(zip(species, rng.uniform(0, 1, len(species)))))


def test_pattern_matches_dense_product_with_empty_columns_and_batches():
    rng = np.random.default_rng(0)
    m = rng.normal(size=(40, 30)) * (rng.uniform(size=(40, 30)) < 0.1)
    m[:, 3] = 0.0  # a column with no nonzero
    m[:, 7] = rng.normal(size=40)  # a full column (its own bucket)
    p = SparsePattern.from_dense(m)
    v = jnp.asarray(rng.normal(size=(5, 40)))
    np.testing.assert_allclose(np.asarray(p.rmatvec(v)), np.asarray(v) @ m, rtol=1e-12, atol=1e-12)
    assert p.nnz_padded <= 2 * np.count_nonzero(m)
    assert p == SparsePattern.from_dense(m) and hash(p) == hash(SparsePattern.from_dense(m))
    assert p != SparsePattern.from_dense(m * 2)


def test_sparse_and_dense_give_the_same_rhs_jacobian_and_gradient():
    n = dimer(5)  # 20 species, 30 reactions
    sparse, dense = MassAction.from_network(n, sparse=True), MassAction.from_network(n, sparse=False)
    x = jnp.asarray(np.random.default_rng(1).uniform(0, 1, (3, n.n_species)))

    @jax.jit
    def everything(ma):
        rhs = ma.rhs(0.0, x)
        jf = jax.jacfwd(lambda y: ma.rhs(0.0, y))(x[0])  # forward mode: implicit solvers' Newton matrices

        def loss(rates):
            return jnp.sum(jax.vmap(lambda y: type(ma)(rates, ma.reactant_index, ma.net_change, ma.pattern).rhs(0.0, y))(x) ** 2)

        return rhs, jf, jax.grad(loss)(ma.rates)

    for a, b in zip(everything(sparse), everything(dense)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-10, atol=1e-12)


def test_large_sparse_network_gets_the_pattern():
    n = dimer(12)  # 90 species, 156 reactions: 14,040 entries, 1.6 % nonzero
    assert MassAction.from_network(n).pattern is not None


def test_small_networks_keep_the_dense_product():
    n = ReactionNetwork(("A", "B"), (Reaction({"A": 1, "B": 1}, {"B": 2}, 1.0),))
    assert MassAction.from_network(n).pattern is None
    assert not use_sparse(np.ones((100, 100)))  # large but dense
    assert use_sparse(np.eye(100))


def test_simulation_is_unchanged():
    n = dimer(4)
    ts = np.linspace(0, 2, 3)
    cfg = SolverConfig(rtol=1e-9, atol=1e-11)
    model = MassActionCRN.from_network(n)
    ys = [simulate(type(model)(MassAction.from_network(n, sparse=s), model.x0, model.species, model.equations), ts, solver=cfg).ys
          for s in (True, False)]
    np.testing.assert_allclose(ys[0], ys[1], rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("sparse", [True, False])
def test_forced_choice(sparse):
    assert (MassAction.from_network(dimer(3), sparse=sparse).pattern is not None) == sparse
