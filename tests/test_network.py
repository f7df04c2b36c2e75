"""ReactionNetwork validation and the generic vectorised mass-action engine."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from crnzoo.network import MassAction, NetworkError, Reaction, ReactionNetwork, merge_reactions, parse_reactions


def net(*reactions, species=("A", "B", "C")):
    return ReactionNetwork(species, reactions)


@pytest.mark.parametrize(
    "reaction, message",
    [
        (Reaction({"A": 1}, {"Z": 1}, 1.0), "unknown species Z"),
        (Reaction({"A": 1}, {"B": 1}, -1.0), "rates must be finite and >= 0"),
        (Reaction({"A": 1}, {"B": 1}, float("nan")), "rates must be finite"),
        (Reaction({"A": 1}, {"B": 1}, float("inf")), "rates must be finite"),
        (Reaction({}, {}, 1.0), "is empty"),
        (Reaction({"A": 0}, {"B": 1}, 1.0), "integer >= 1"),
    ],
)
def test_invalid_reactions_are_refused_naming_the_reaction(reaction, message):
    with pytest.raises(NetworkError, match="reaction 1") as e:
        net(Reaction({"A": 1}, {"B": 1}, 1.0), reaction)
    assert message in str(e.value)


def test_invalid_species_initial_state_and_roles():
    with pytest.raises(NetworkError, match="not valid"):
        ReactionNetwork(("A", "2B"), ())
    with pytest.raises(NetworkError, match="listed twice"):
        ReactionNetwork(("A", "A"), ())
    with pytest.raises(NetworkError, match="initial concentration of A"):
        ReactionNetwork(("A",), (), {"A": -1.0})
    with pytest.raises(NetworkError, match="unknown species"):
        ReactionNetwork(("A",), (), {"Q": 1.0})
    with pytest.raises(NetworkError, match="role"):
        ReactionNetwork(("A",), (), roles={"A": "banana"})


def test_molecularity_reported_per_reaction_and_maximum():
    n = net(
        Reaction({}, {"A": 1}, 1.0),
        Reaction({"A": 2}, {"B": 1}, 1.0),
        Reaction({"A": 1, "B": 1, "C": 1}, {"C": 2}, 1.0),
    )
    assert n.molecularities() == [0, 2, 3]
    assert n.max_molecularity == 3
    assert n.above_bimolecular() == [2]


def _loop_rhs(network, x):
    dx = np.zeros_like(x)
    for r in network.reactions:
        flux = r.rate * np.prod([x[network.index(s)] ** c for s, c in r.reactants.items()])
        for s, c in r.reactants.items():
            dx[network.index(s)] -= c * flux
        for s, c in r.products.items():
            dx[network.index(s)] += c * flux
    return dx


def test_vectorised_rhs_matches_a_reaction_loop():
    n = net(
        Reaction({}, {"A": 1}, 0.3),
        Reaction({"A": 2}, {"B": 1}, 1.7),
        Reaction({"A": 1, "B": 1, "C": 1}, {"C": 2, "A": 1}, 0.9),
        Reaction({"C": 1}, {}, 0.2),
        Reaction({"B": 3}, {"A": 1}, 0.05),
    )
    ma = MassAction.from_network(n)
    rng = np.random.default_rng(0)
    for _ in range(5):
        x = rng.uniform(0, 2, 3)
        np.testing.assert_allclose(np.asarray(ma.rhs(0.0, jnp.asarray(x))), _loop_rhs(n, x), rtol=1e-12, atol=1e-14)
    xb = rng.uniform(0, 2, (4, 3))
    assert ma.rhs(0.0, jnp.asarray(xb)).shape == (4, 3)


def test_rhs_is_differentiable_in_rates_and_state():
    n = net(Reaction({"A": 1, "B": 1}, {"C": 1}, 0.7), Reaction({"C": 1}, {"A": 1}, 0.2))
    ma = MassAction.from_network(n)
    x = jnp.array([0.5, 0.8, 0.1])

    def f(rates, x):
        return jnp.sum(MassAction(rates, ma.reactant_index, ma.net_change).rhs(0.0, x) ** 2)

    g_rates, g_x = jax.grad(f, argnums=(0, 1))(ma.rates, x)
    eps = 1e-6
    fd = [(f(ma.rates.at[i].add(eps), x) - f(ma.rates.at[i].add(-eps), x)) / (2 * eps) for i in range(2)]
    np.testing.assert_allclose(np.asarray(g_rates), np.asarray(fd), rtol=1e-6)
    assert np.all(np.isfinite(np.asarray(g_x)))


def test_parse_listing_round_trip_and_merge():
    text = "A + C -> B + C  k=0.794\n# comment\n2A -> B  k=1\n-> C  k=0.5\n"
    n = parse_reactions(text)
    assert n.species == ("A", "C", "B")
    assert [r.rate for r in n.reactions] == [0.794, 1.0, 0.5]
    assert n.reactions[1].reactants == {"A": 2}
    assert n.reactions[2].reactants == {}
    with pytest.raises(NetworkError, match="line 1"):
        parse_reactions("A => B")
    merged = merge_reactions([Reaction({"A": 1}, {"B": 1}, 1.0), Reaction({"A": 1}, {"B": 1}, 0.5)])
    assert len(merged) == 1 and merged[0].rate == 1.5
