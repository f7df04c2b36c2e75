"""Approximate majority (single-chamber winner-takes-all): inputs A and B race to consensus.

Task: A0, B0 ~ U[0, 1] (other species 0); at time T the initially larger input must
hold the consensus.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from ..solve import SolverConfig, integrate, simulate


def sample(n: int, seed: int, n_species: int, a: int = 0, b: int = 1) -> np.ndarray:
    """`n` initial states with x[a], x[b] ~ U[0, 1] and every other species 0."""
    rng = np.random.default_rng(seed)
    x = np.zeros((n, n_species))
    x[:, [a, b]] = rng.uniform(0.0, 1.0, size=(n, 2))
    return x


def consensus_accuracy(
    model,
    n: int = 10_000,
    seed: int = 0,
    t_end: float = 200.0,
    inputs: tuple[str, str] = ("A", "B"),
    share: float = 0.9,
    min_gap: float = 0.05,
    solver: SolverConfig | None = None,
) -> dict[str, float]:
    """Fraction of random initial conditions whose larger input wins.

    Winning means: at `t_end` the species of the initially larger input holds more than
    `share` of the total mass. Reported over all `n` draws (`accuracy`) and over those with
    |A0 − B0| > `min_gap` (`accuracy_gap`).
    """
    a, b = (model.species.index(s) for s in inputs)
    x0 = sample(n, seed, len(model.species), a, b)
    final = simulate(model, np.array([0.0, t_end]), x0, solver=solver).final
    winner = np.where(x0[:, a] > x0[:, b], a, b)
    total = final.sum(axis=1)
    ok = final[np.arange(n), winner] > share * total
    gap = np.abs(x0[:, a] - x0[:, b]) > min_gap
    return {"accuracy": float(ok.mean()), "accuracy_gap": float(ok[gap].mean())}


# ---- training: the L2 consensus loss of Mordvintsev et al. 2023, §4.3 --------------------------


class ConsensusTask:
    """Approximate majority as a `crnzoo.train.Task` (Mordvintsev et al. 2023, §4.3).

    Batches: A0, B0 ~ U[0, 1] (every other species 0). Loss: L2 at `t_end` between the
    state as a fraction of the conserved total mass m = A0 + B0 and the consensus
    (A, B, aux…) = (1, 0, 0…) if A0 > B0 else (0, 1, 0…). The paper's target
    "(A, B) = (1, 0)" is read in units of m (its Fig. 5 plots (A − B)/(A0 + B0)): catalytic
    networks conserve mass, so an unnormalised (1, 0) is unreachable whenever m ≠ 1 and
    would reward parking mass in the auxiliary species. Auxiliary species enter with target
    0: at consensus all the mass sits in the winner.

    The solve uses fixed steps of `dt` (`SolverConfig(solver, dt=dt)`), as the paper's RK4.
    Rates are at most 1 and the total mass at most 2, so the Jacobian's norm is at most 8:
    `dt = 0.4` keeps fixed-step Tsit5 stable for every network the tensor can express
    (`dt = 1` diverges even for `majority-am4`). With `antithetic`, every batch holds
    each draw and its mirror image (A0 and B0 swapped), so the batch is symmetric like
    the task. With `symmetric`, the loss sees the model through `mirror_symmetric` (the
    mean of its logits and their image under exchanging the two inputs), so training only
    moves the symmetric part of the logits; a symmetric start stays exactly symmetric.
    """

    def __init__(
        self,
        n_species: int = 3,
        t_end: float = 200.0,
        dt: float = 0.4,
        inputs: tuple[int, int] = (0, 1),
        solver: str = "tsit5",
        antithetic: bool = True,
        symmetric: bool = False,
    ):
        self.n_species, self.t_end, self.inputs, self.antithetic = n_species, float(t_end), tuple(inputs), antithetic
        self.symmetric = symmetric
        self.solver = SolverConfig(solver, dt=dt, max_steps=int(round(t_end / dt)) + 8)

    def batch(self, key, size: int):
        a, b = self.inputs
        if self.antithetic:
            half = jax.random.uniform(key, ((size + 1) // 2, 2), dtype=jnp.float64)
            ab = jnp.concatenate([half, half[:, ::-1]])[:size]
        else:
            ab = jax.random.uniform(key, (size, 2), dtype=jnp.float64)
        x = jnp.zeros((size, self.n_species), jnp.float64)
        return x.at[:, a].set(ab[:, 0]).at[:, b].set(ab[:, 1])

    def target(self, x0):
        """The consensus state as fractions of the total mass: one-hot on the larger input."""
        a, b = self.inputs
        winner = jnp.where(x0[:, a] > x0[:, b], a, b)
        return jnp.eye(self.n_species, dtype=x0.dtype)[winner]

    def loss(self, model, x0):
        a, b = self.inputs
        if self.symmetric:
            model = mirror_symmetric(model, self.inputs)
        _, y1, ok, *_ = integrate(model, x0, jnp.array([self.t_end]), jnp.array(0.0), self.solver)
        mass = x0[:, a] + x0[:, b]
        frac = y1 / mass[:, None]
        loss = jnp.mean(jnp.sum((frac - self.target(x0)) ** 2, axis=-1))
        return loss, {"ok": ok}


def swap_permutation(n: int, inputs: tuple[int, int] = (0, 1)) -> np.ndarray:
    """The species permutation exchanging the two inputs."""
    perm = np.arange(n)
    a, b = inputs
    perm[a], perm[b] = b, a
    return perm


def mirror_symmetric(model, inputs: tuple[int, int] = (0, 1)):
    """A `CatalyticCRN` with logits averaged with their mirror image (inputs exchanged).

    The result's dynamics commute with exchanging the inputs: a draw and its mirror image
    end in mirror-image states. Differentiable; the identity on symmetric logits.
    """
    import equinox as eqx

    perm = swap_permutation(model.n, inputs)
    W = model.logits
    mirrored = W[perm][:, perm][:, :, perm]
    return eqx.tree_at(lambda m: m.logits, model, 0.5 * (W + mirrored))


# ---- comparison of a learned network with a reference listing ------------------------------------


def reaction_key(reaction) -> tuple:
    """A reaction's identity without its rate: (sorted reactants, sorted products)."""
    return (tuple(sorted(reaction.reactants.items())), tuple(sorted(reaction.products.items())))


def compare_reaction_sets(network, reference) -> dict[str, object]:
    """How `network` differs from `reference` (two `ReactionNetwork`s over the same species).

    Returns `same_set` (1.0 when both list exactly the same reactions, rates aside),
    `rates` (each reference reaction's equation -> its rate in `network`, 0 when absent),
    `missing` and `extra` (equations present in only one of them).
    """
    mine = {reaction_key(r): r for r in network.reactions}
    ref = {reaction_key(r): r for r in reference.reactions}
    return {
        "same_set": float(set(mine) == set(ref)),
        "rates": {r.equation(): (mine[k].rate if k in mine else 0.0) for k, r in ref.items()},
        "missing": sorted(r.equation() for k, r in ref.items() if k not in mine),
        "extra": sorted(r.equation() for k, r in mine.items() if k not in ref),
    }
