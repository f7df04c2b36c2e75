"""Tau-leaping of the reaction-diffusion master equation (RDME) on a 2-D grid: an approximate
stochastic simulator for the spatial entries (gray-scott-*, hopfield-turing-*).

Model: every grid cell is a well-mixed compartment holding Ω molecules per unit of
concentration (a count n = c·Ω per cell, the volume semantics of `crnzoo.ssa`); inside a cell
the model's reaction listing fires with the mass-action propensities of `crnzoo.ssa._kernel`
(k·Ω^(1−m)·Π falling factorials); a molecule of species s hops to each of its 4 neighbours at
rate D_s / h² (the RDME whose large-Ω limit is the reaction-diffusion PDE with the 5-point
Laplacian, `Grid(laplacian="fd5")`). Periodic walls wrap; at a no-flux wall a hop out of the
grid is not made.

One step of length dt, all cells and runs at once (JAX, vectorised over (runs, H, W)):

1. diffusion: each molecule leaves its cell with probability 4·D·dt/h² (the hop propensity
   times dt, so the leap's mean is the explicit Euler step of the 5-point Laplacian; it
   must be ≤ 1), the leavers split evenly over the 4 directions (sequential binomials: a
   multinomial) and arrive in the neighbour (a binomial leap: no count goes negative);
2. reactions: K_r ~ Poisson(a_r·dt) firings per cell (tau-leaping); non-negativity guard:
   where a species' total consumption exceeds its count, every reaction consuming it is
   scaled down (K_r ← ⌊K_r·θ_r⌋, θ_r the smallest count/consumption over its reactants),
   so no count goes negative.

Its error is O(dt) (splitting and leaping) plus the usual tau-leaping bias at low counts;
Counts are drawn by inversion where their variance is below 10 and from the rounded normal
approximation above (`poisson`, `binomial`: `jax.random`'s exact samplers loop per element
and cost ~10 µs per cell and step here).
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from ..spatial.grid import Grid
from ._kernel import falling_factorials
from .simulate import SSAError, _network, check_omega


def _tables(model, omega: float):
    """(species, c (R,), idx, off, reactant orders (R, S), net change (R, S), D (S,)) in the
    model's state order."""
    net, held, _ = _network(model)
    if held:
        raise SSAError(f"held species ({', '.join(held)}) are not supported by the spatial tau-leaping")
    flat = tuple(model.flat_species(model.state_shape))
    order = [net.species.index(s) for s in flat]  # listing -> state order
    R, N = net.stoichiometry()
    R, N = R[:, order], N[:, order]
    if np.any(R != np.rint(R)) or np.any(N != np.rint(N)):
        raise SSAError("the listing has a non-integer stoichiometry: the SSA needs integer stoichiometry")
    mol = R.sum(axis=1)
    c = net.rates() * omega ** (1.0 - mol)
    idx, off = falling_factorials(R)
    D = np.asarray(model.diffusion_constants(), dtype=np.float64).reshape(-1)
    if D.shape[0] != len(flat):
        raise SSAError(f"{len(D)} diffusion constants for {len(flat)} species")
    return flat, c, idx, off, R.astype(np.float64), N.astype(np.float64), D


KMAX = 40  # terms of the inversion sampler: P(X > 40) < 1e-9 where it is used (mean < 20)
NORMAL_FROM = 10.0  # variance from which a count is drawn from its normal approximation


def _inversion(u, first, ratio):
    """The count k with F(k−1) ≤ u < F(k) for pmf P(0) = first, P(k+1) = P(k)·ratio(k)
    (unrolled KMAX terms)."""
    p, cdf, k = first, first, jnp.zeros_like(first)
    for i in range(KMAX):
        k = k + (u >= cdf)
        p = p * ratio(i)
        cdf = cdf + p
    return k


def poisson(key, lam):
    """Poisson(lam) counts (float): inversion below a variance of NORMAL_FROM, else the
    rounded normal approximation clipped at 0."""
    ku, kz = jax.random.split(key)
    u, z = jax.random.uniform(ku, lam.shape, lam.dtype), jax.random.normal(kz, lam.shape, lam.dtype)
    small = jnp.minimum(lam, NORMAL_FROM)
    exact = _inversion(u, jnp.exp(-small), lambda i: small / (i + 1))
    approx = jnp.maximum(jnp.round(lam + jnp.sqrt(lam) * z), 0.0)
    return jnp.where(lam < NORMAL_FROM, exact, approx)


def binomial(key, n, p):
    """Binomial(n, p) counts (float): inversion (on the smaller of p, 1 − p) below a variance
    of NORMAL_FROM, else the rounded normal approximation clipped to [0, n]."""
    ku, kz = jax.random.split(key)
    u, z = jax.random.uniform(ku, n.shape, n.dtype), jax.random.normal(kz, n.shape, n.dtype)
    flip = p > 0.5
    q = jnp.where(flip, 1.0 - p, p)
    var = n * q * (1.0 - q)
    small = var < NORMAL_FROM
    ns = jnp.where(small, n, 0.0)
    odds = q / jnp.maximum(1.0 - q, 1e-300)
    exact = _inversion(u, (1.0 - q) ** ns, lambda i: jnp.maximum(ns - i, 0.0) / (i + 1) * odds)
    exact = jnp.where(flip, n - exact, exact)
    approx = jnp.clip(jnp.round(n * p + jnp.sqrt(var) * z), 0.0, n)
    return jnp.where(small, exact, approx)


def _hop(key, n, D, dt: float, dh: float, periodic: bool):
    """One diffusion leap of counts n (..., H, W, S)."""
    p = 4.0 * jnp.asarray(D) * dt / dh**2  # the hop propensity times dt (checked <= 1 by rdme_tau)
    k1, k2, k3, k4 = jax.random.split(key, 4)
    out = binomial(k1, n, jnp.broadcast_to(p, n.shape))
    left, parts = out, []
    for kk, q in zip((k2, k3, k4), (1 / 4, 1 / 3, 1 / 2)):
        b = binomial(kk, left, jnp.full(n.shape, q))
        parts.append(b)
        left = left - b
    parts.append(left)
    n = n - out
    for part, (axis, shift) in zip(parts, ((-3, 1), (-3, -1), (-2, 1), (-2, -1))):
        if periodic:
            n = n + jnp.roll(part, shift, axis=axis)
        else:  # no-flux: a hop out of the grid stays where it was
            moved = jnp.roll(part, shift, axis=axis)
            edge = [slice(None)] * n.ndim
            edge[axis % n.ndim] = slice(0, 1) if shift == 1 else slice(-1, None)
            back = [slice(None)] * n.ndim
            back[axis % n.ndim] = slice(-1, None) if shift == 1 else slice(0, 1)
            n = n + moved.at[tuple(edge)].set(0.0)
            n = n.at[tuple(back)].add(part[tuple(back)])
    return n


def _react(key, n, c, idx, off, order, change, dt: float):
    """One reaction leap of counts n (..., S) with the non-negativity guard."""
    ext = jnp.concatenate([n, jnp.ones(n.shape[:-1] + (1,), n.dtype)], axis=-1)
    a = c * jnp.prod(jnp.maximum(ext[..., idx] - off, 0.0), axis=-1)  # (..., R)
    K = poisson(key, a * dt)
    cons = K @ order  # (..., S)
    ratio = jnp.where(cons > n, n / jnp.where(cons > 0, cons, 1.0), 1.0)
    theta = jnp.min(jnp.where(order > 0, ratio[..., None, :], 1.0), axis=-1)  # (..., R)
    K = jnp.floor(K * theta)
    return n + K @ change


@functools.partial(jax.jit, static_argnames=("steps", "dt", "dh", "periodic", "save_every"))
def _run(key, n0, c, idx, off, order, change, D, steps: int, dt: float, dh: float, periodic: bool, save_every: int):
    def step(n, i):
        kd, kr = jax.random.split(jax.random.fold_in(key, i))
        n = _hop(kd, n, D, dt, dh, periodic)
        return _react(kr, n, c, idx, off, order, change, dt), None

    def block(n, b):
        n, _ = jax.lax.scan(step, n, b * save_every + jnp.arange(save_every))
        return n, n

    return jax.lax.scan(block, n0, jnp.arange(steps // save_every))


def rdme_tau(model, x0, t1: float, dt: float, omega: float, runs: int, seed: int = 0, grid: Grid | None = None,
             save_every: int | None = None):
    """`runs` tau-leaping sample paths of the RDME of `model` (a module with a reaction
    listing and `diffusion_constants()`), from the concentration field `x0` (H, W, S) rounded
    to counts at Ω molecules per unit per cell, to `t1` in steps of `dt`.

    **Returns:** `(times (B,), concentrations (B, runs, H, W, S))`, saved every `save_every`
    steps (default: only t1)."""
    omega = check_omega(omega)
    if isinstance(runs, bool) or not isinstance(runs, (int, np.integer)) or runs < 1:
        raise SSAError(f"runs must be an integer >= 1, got {runs!r}")
    if not (dt > 0 and t1 > 0):
        raise SSAError(f"t1 and dt must be positive, got t1={t1!r}, dt={dt!r}")
    steps = int(round(t1 / dt))
    if abs(steps * dt - t1) > 1e-9 * t1:
        raise SSAError(f"t1 = {t1:g} is not a whole number of steps dt = {dt:g}")
    save_every = steps if save_every is None else int(save_every)
    if save_every < 1 or steps % save_every:
        raise SSAError(f"save_every = {save_every} does not divide the {steps} steps")
    x0 = np.asarray(x0, dtype=np.float64)
    grid = grid or Grid(x0.shape[-3:-1])
    if tuple(grid.shape) != tuple(x0.shape[-3:-1]):
        raise SSAError(f"field {x0.shape[-3:-1]} does not match the grid {grid.shape}")
    _, c, idx, off, order, change, D = _tables(model, omega)
    if 4.0 * D.max(initial=0.0) * dt / grid.dh**2 > 1.0:
        raise SSAError(f"dt = {dt:g} is too large for the hop leap: 4·D·dt/h² = {4 * D.max() * dt / grid.dh**2:.3g} > 1")
    n0 = np.broadcast_to(np.rint(np.maximum(x0, 0.0) * omega), (runs, *x0.shape[-3:]))
    _, saved = _run(jax.random.PRNGKey(seed), jnp.asarray(n0), jnp.asarray(c), jnp.asarray(idx), jnp.asarray(off),
                    jnp.asarray(order), jnp.asarray(change), jnp.asarray(D), steps, float(dt), float(grid.dh),
                    grid.boundary == "periodic", save_every)
    times = dt * save_every * np.arange(1, steps // save_every + 1)
    return times, np.asarray(saved) / omega
