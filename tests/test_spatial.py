"""Reaction-diffusion on a grid: IMEX solver vs a Diffrax method-of-lines solve, conservation, errors."""

from __future__ import annotations

import diffrax
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from crnzoo import MassActionCRN, StateError
from crnzoo.network import parse_reactions
from crnzoo.spatial import Grid, HasFastReactions, SpatialMemoryError, check_memory, mol_rhs, simulate_field


GS_TEXT = """U + 2V -> 3V  k=1
V ->  k=0.1
 -> U  k=0.04
U ->  k=0.04
"""


def _gs_network():
    return parse_reactions(GS_TEXT, ["U", "V"])


def _seed_field(H=8, W=8, seed=0):
    rng = np.random.default_rng(seed)
    x = np.zeros((H, W, 2))
    x[..., 0] = 1.0 - 0.3 * rng.random((H, W))
    x[..., 1] = 0.3 * rng.random((H, W))
    return x


@pytest.mark.parametrize("boundary,diffuse_first", [("periodic", False), ("no-flux", False), ("periodic", True)])
def test_imex_matches_diffrax_method_of_lines(boundary, diffuse_first):
    """Same PDE (5-point Laplacian, Gray-Scott kinetics, 8×8 grid, T = 4) solved by the IMEX
    scheme (either splitting order) at dt = 1e-3 and by Tsit5 at rtol 1e-10 on the method-of-lines ODE: max abs
    difference < 2e-4 (first order in dt; halving dt halves it)."""
    net = _gs_network()
    grid = Grid((8, 8), dh=1.0, boundary=boundary)
    D = np.array([0.2, 0.1])
    x0 = _seed_field()
    f = mol_rhs(net, grid, D)
    sol = diffrax.diffeqsolve(
        diffrax.ODETerm(f), diffrax.Tsit5(), 0.0, 4.0, 0.01, jnp.asarray(x0),
        stepsize_controller=diffrax.PIDController(rtol=1e-10, atol=1e-12), max_steps=100_000,
    )
    ref = np.asarray(sol.ys[-1])
    errs = []
    for dt in (2e-3, 1e-3):
        out = simulate_field(net, x0, 4.0, dt, grid=grid, diffusion=D, method="rk4", diffuse_first=diffuse_first)
        errs.append(np.max(np.abs(np.asarray(out.final) - ref)))
    assert errs[1] < 2e-4
    assert 1.6 < errs[0] / errs[1] < 2.4  # first order (Lie splitting / IMEX Euler in diffusion)


@pytest.mark.parametrize("boundary,lap", [("periodic", "fd5"), ("periodic", "spectral"), ("no-flux", "fd5")])
def test_pure_diffusion_conserves_mass_and_spreads(boundary, lap):
    net = parse_reactions("A -> A + B  k=0", ["A", "B"])  # rate 0: no reactions
    grid = Grid((16, 12), boundary=boundary, laplacian=lap)
    x0 = np.zeros((2, 16, 12, 2))
    x0[0, 3, 4, 0] = 5.0
    x0[1, 15, 0, 1] = 2.0
    out = simulate_field(net, x0, 50.0, 0.5, grid=grid, diffusion=[1.0, 0.3], method="euler", negative_tol=1e-6)
    xs = np.asarray(out.xs)
    assert xs.shape == (2, out.ts.size, 16, 12, 2)
    mass = xs.sum(axis=(2, 3))
    np.testing.assert_allclose(mass, np.broadcast_to(mass[:, :1], mass.shape), rtol=1e-12, atol=1e-12)
    # it spreads: the peak drops, and the faster species spreads more
    assert xs[0, -1, ..., 0].max() < 0.2 * 5.0
    if lap == "fd5":
        assert xs.min() >= -1e-14  # the implicit fd5 solve is positivity preserving


def test_no_flux_differs_from_periodic_at_the_edge():
    net = parse_reactions("A -> A + B  k=0", ["A", "B"])
    x0 = np.zeros((10, 10, 2))
    x0[0, 0, 0] = 1.0
    per = simulate_field(net, x0, 5.0, 0.5, grid=Grid((10, 10)), diffusion=[1.0, 1.0], method="euler")
    nf = simulate_field(net, x0, 5.0, 0.5, grid=Grid((10, 10), boundary="no-flux"), diffusion=[1.0, 1.0], method="euler")
    assert float(per.final[9, 9, 0]) > 1e-4 > float(nf.final[9, 9, 0])


def test_gradient_through_checkpointed_segments_matches_finite_difference():
    model = MassActionCRN.from_network(_gs_network())
    x0 = jnp.asarray(_seed_field(6, 6, 1))
    grid = Grid((6, 6))

    @jax.jit
    def loss(rates):
        m = model.__class__(model.kinetics.__class__(rates, model.kinetics.reactant_index, model.kinetics.net_change), model.x0, model.species, model.equations)
        out = simulate_field(m, x0, 2.0, 0.1, grid=grid, diffusion=jnp.array([0.2, 0.1]), save_every=5, check=False)
        return jnp.mean(out.final[..., 1] ** 2)

    r = model.kinetics.rates
    g = jax.grad(loss)(r)
    eps = 1e-6
    e = jnp.zeros_like(r).at[1].set(eps)
    fd = (loss(r + e) - loss(r - e)) / (2 * eps)
    np.testing.assert_allclose(float(g[1]), float(fd), rtol=1e-5)


def test_fast_annihilation_and_bad_input():
    class Pair(MassActionCRN, HasFastReactions):
        def slow_rhs(self, t, x, args=None):
            return self.rhs(t, x, args)

        def fast_pairs(self):
            return (np.array([0]), np.array([1]))

    base = MassActionCRN.from_network(parse_reactions("A -> 2A  k=0.0", ["A", "B"]))
    model = Pair(base.kinetics, base.x0, base.species, base.equations)
    x0 = np.zeros((4, 4, 2))
    x0[..., 0], x0[..., 1] = 1.0, 0.4
    out = simulate_field(model, x0, 1.0, 0.5, diffusion=[0.1, 0.1])
    np.testing.assert_allclose(np.asarray(out.final[..., 0]), 0.6, atol=1e-12)
    np.testing.assert_allclose(np.asarray(out.final[..., 1]), 0.0, atol=1e-12)

    with pytest.raises(StateError, match="negative"):
        simulate_field(model, -x0, 1.0, 0.5, diffusion=[0.1, 0.1])
    with pytest.raises(StateError, match="shape"):
        simulate_field(model, x0[..., :1], 1.0, 0.5, diffusion=[0.1, 0.1])
    with pytest.raises(ValueError, match="whole number"):
        simulate_field(model, x0, 1.0, 0.3, diffusion=[0.1, 0.1])
    with pytest.raises(SpatialMemoryError, match="GiB"):
        check_memory((1, 10_000, 10_000, 512), 30_000, 100, grad=True)
    # a decaying species with a too-large explicit step leaves the orthant: clear error
    decay = parse_reactions("A ->  k=3", ["A"])
    with pytest.raises(StateError, match="non-negative orthant"):
        simulate_field(decay, np.ones((4, 4, 1)), 1.0, 1.0, diffusion=[0.0], method="euler")
    with pytest.raises(ValueError, match="no-flux"):
        Grid((4, 4), boundary="no-flux", laplacian="spectral")
    # diffusion constants are needed unless the model has them (HasDiffusion)
    with pytest.raises(ValueError, match="diffusion constants"):
        simulate_field(model, x0, 1.0, 0.5)
    with pytest.raises(TypeError, match="cannot simulate"):
        simulate_field(object(), x0, 1.0, 0.5, diffusion=[0.1, 0.1])
