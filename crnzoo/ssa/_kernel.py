"""The batched stochastic kernels: Gillespie's direct method and adaptive tau-leaping, in JAX.

Volume semantics (used everywhere in `crnzoo.ssa`): Ω is the number of molecules per unit of
concentration, so a concentration c is a count n = c·Ω. A reaction of rate constant k and
molecularity m (ODE flux k·Π c_s^{r_s}, no 1/r! factor, as in `crnzoo.network`) fires with
propensity

    a = k · Ω^(1−m) · Π_s n_s (n_s − 1) … (n_s − r_s + 1)

(so `2A → …` has propensity k·n(n−1)/Ω and `A + B → …` has k·n_A·n_B/Ω); in the limit of
large Ω the mean of n/Ω follows the mass-action ODE.

One run is one `lax.while_loop`; `jax.vmap` runs thousands of them as one batch. Each loop
iteration either fires one reaction (exact, direct method), leaps (tau-leaping), or stops at
the next save time or schedule event (a switch of a held input level or an addition), which
is exact for a Markov jump process (the waiting time is memoryless). Saved states at exactly
an event time are the states after the event, as in `crnzoo.solve.simulate`.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np


class Kernel(NamedTuple):
    """A network compiled for counts at one Ω (all arrays; a pytree).

    - `c`: stochastic rate constants k·Ω^(1−m), shape (R,).
    - `idx`: each reactant molecule's species index (padded with S: a constant 1), (R, M).
    - `off`: how many earlier molecules of the same species the reaction takes, (R, M): the
      falling-factorial offset (n − off).
    - `change`: net change of counts per firing, held species' columns zeroed, (R, S).
    - `g`: highest order of each species among the reactions (Cao et al. 2006's g_i), (S,).
    - `ev_t`: schedule event times, padded with +inf, (K+1,).
    - `ev_set`: counts the held species are set to after each event, (K+1, S).
    - `ev_mask`: which species the events set (the scheduled held species), (S,).
    - `ev_add`: counts added at each event, (K+1, S).
    """

    c: jax.Array
    idx: jax.Array
    off: jax.Array
    change: jax.Array
    g: jax.Array
    ev_t: jax.Array
    ev_set: jax.Array
    ev_mask: jax.Array
    ev_add: jax.Array


def falling_factorials(order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`(idx, off)` of a (R, S) reactant-order matrix (see `Kernel`)."""
    R, S = order.shape
    M = max(int(order.sum(axis=1).max(initial=0)), 1)
    idx = np.full((R, M), S, dtype=np.int32)
    off = np.zeros((R, M), dtype=np.float64)
    for j in range(R):
        p = 0
        for s in range(S):
            for o in range(int(order[j, s])):
                idx[j, p], off[j, p] = s, o
                p += 1
    return idx, off


def propensities(kern: Kernel, n: jax.Array) -> jax.Array:
    """Propensities (1/time) of every reaction at counts `n` (S,)."""
    ext = jnp.concatenate([n, jnp.ones((1,), n.dtype)])
    return kern.c * jnp.prod(jnp.maximum(ext[kern.idx] - kern.off, 0.0), axis=-1)


class _State(NamedTuple):
    t: jax.Array
    n: jax.Array
    key: jax.Array
    out: jax.Array  # (T, S) saved counts
    k: jax.Array  # saves done
    ev: jax.Array  # events done
    steps: jax.Array  # loop iterations
    fired: jax.Array  # reactions fired
    cap: jax.Array  # tau-leaping: leap cap after a rejected (negative) leap


_SMALL = 10.0  # below this mean: exact inverse transform over 0..31 (tail mass < 1e-7)
_I = np.arange(32.0)
_LOG_FACT = np.concatenate([[0.0], np.cumsum(np.log(np.arange(1.0, 32.0)))])
_UPPER = np.triu(np.ones((32, 32)))  # pmf @ _UPPER is the cdf (a matmul: XLA's cumsum is slow on CPU)


def poisson(key, lam):
    """Poisson draws of means `lam` at a fixed cost (no rejection loop to batch): inverse
    transform over 0..31 for λ ≤ 10, the rounded
    normal N(λ, λ) clipped at 0 above (the tau-leap's second approximation; its skewness
    error is O(λ^-1/2) per leap)."""
    ku, kn = jax.random.split(key)
    lam = jnp.maximum(lam, 0.0)
    small = jnp.minimum(lam, _SMALL)[..., None]
    pmf = jnp.exp(-small + _I * jnp.log(jnp.maximum(small, 1e-300)) - _LOG_FACT)
    u = jax.random.uniform(ku, lam.shape, dtype=lam.dtype)
    k_small = jnp.sum(u[..., None] > pmf @ _UPPER, axis=-1).astype(lam.dtype)
    k_big = jnp.maximum(jnp.rint(lam + jnp.sqrt(lam) * jax.random.normal(kn, lam.shape, dtype=lam.dtype)), 0.0)
    return jnp.where(lam <= _SMALL, jnp.where(lam > 0, k_small, 0.0), k_big)


def _leap_tau(kern: Kernel, n, a, eps):
    """Cao, Gillespie & Petzold (2006) step: every reactant's mean and sd change ≤ max(ε n/g, 1)."""
    mu = a @ kern.change
    sig2 = a @ (kern.change**2)
    bound = jnp.maximum(eps * n / jnp.maximum(kern.g, 1.0), 1.0)
    t1 = jnp.where(jnp.abs(mu) > 0, bound / jnp.abs(mu), jnp.inf)
    t2 = jnp.where(sig2 > 0, bound**2 / sig2, jnp.inf)
    use = kern.g > 0
    return jnp.min(jnp.where(use, jnp.minimum(t1, t2), jnp.inf))


def _step(kern: Kernel, ts, t_end, st: _State, leap: bool, eps: float, leap_min: float, prop=None) -> _State:
    """One iteration does exactly one of: a schedule event, a save, one firing (or one leap).

    The next firing time is drawn; when a schedule event or the next save time comes first,
    the iteration stops there instead (the event, or writing one row of `out`), which is exact
    for a Markov jump process (waiting times are memoryless). Each iteration touches one row
    of `out` (O(S), not O(T·S)). An event and a save at the same time: the event first, so a
    saved state at an event time is the state after the event. `prop(n)`: the propensities at
    counts n (default: mass action, `propensities`)."""
    T = ts.shape[0]
    a = propensities(kern, st.n) if prop is None else prop(st.n)
    a0 = jnp.sum(a)
    # one counter-based key per iteration (fold_in of the run's key with the step number) and
    # both uniforms from one draw: fewer threefry hashes per step than splitting the key
    k2 = jax.random.fold_in(st.key, st.steps)
    u = jax.random.uniform(k2, (2,), dtype=a.dtype, minval=1e-300)
    tau_ssa = jnp.where(a0 > 0, -jnp.log(u[0]) / a0, jnp.inf)
    t_ev = kern.ev_t[st.ev]
    ks = jnp.minimum(st.k, T - 1)
    next_save = ts[ks]
    t_fire = st.t + tau_ssa
    do_event = (t_ev <= next_save) & (t_ev <= t_fire)
    do_save = ~do_event & (next_save <= t_fire)
    n, fired, cap = st.n, st.fired, st.cap
    if leap:
        stop = jnp.minimum(t_ev, next_save)
        tau_l = jnp.minimum(_leap_tau(kern, st.n, a, eps), st.cap)
        # fewer than `leap_min` expected firings, or an event/save due now: an exact iteration instead
        do_leap = (tau_l * a0 >= leap_min) & (stop > st.t)
        t_leap = jnp.minimum(st.t + tau_l, stop)
        counts = poisson(jax.random.fold_in(k2, 1), a * (t_leap - st.t))
        n_leap = n + counts @ kern.change
        bad = jnp.any(n_leap < 0)
        # a leap that would make a count negative is rejected: halve the cap, try again
        accept = do_leap & ~bad
        cap = jnp.where(do_leap, jnp.where(bad, 0.5 * (t_leap - st.t), jnp.inf), cap)
        n = jnp.where(accept, n_leap, n)
        fired = fired + jnp.where(accept, jnp.sum(counts), 0.0)
        do_event, do_save = do_event & ~do_leap, do_save & ~do_leap
        fire = ~do_leap & ~do_event & ~do_save
        t_new = jnp.where(accept, t_leap, jnp.where(do_leap, st.t, jnp.where(do_event, t_ev, jnp.where(do_save, next_save, t_fire))))
    else:
        fire = ~do_event & ~do_save
        t_new = jnp.where(do_event, t_ev, jnp.where(do_save, next_save, t_fire))
    # exact firing: reaction j with probability a_j / a0
    j = jnp.clip(jnp.searchsorted(jnp.cumsum(a), u[1] * a0, side="right"), 0, a.shape[0] - 1)
    n = jnp.where(fire, n + kern.change[j], n)
    fired = fired + fire
    # a schedule event: set the held levels, then add
    e = jnp.minimum(st.ev, kern.ev_t.shape[0] - 1)
    n = jnp.where(do_event, jnp.where(kern.ev_mask, kern.ev_set[e], n + kern.ev_add[e]), n)
    # a save: one row
    row = jnp.where(do_save, n, st.out[ks])
    out = jax.lax.dynamic_update_slice(st.out, row[None, :], (ks, jnp.zeros((), ks.dtype)))
    return _State(t_new, n, st.key, out, st.k + do_save, st.ev + do_event, st.steps + 1, fired, cap)


def run_one(kern: Kernel, n0, ts, key, max_steps: int, leap: bool = False, eps: float = 0.03, leap_min: float = 10.0, prop=None):
    """One sample path from counts `n0` (S,) at time ts[0], saved at `ts` (T,); `prop(n)`
    replaces the mass-action propensities (a general kinetic law, e.g. an imported SBML model's).

    Returns `(out (T, S), steps, fired, finished)`; `finished` is False when `max_steps`
    iterations ran out before ts[-1] (the unsaved rows are NaN).
    """
    T, S = ts.shape[0], n0.shape[0]
    t_end = ts[-1]
    st = _State(ts[0], n0, key, jnp.full((T, S), jnp.nan, n0.dtype), jnp.array(0), jnp.array(0), jnp.array(0), jnp.array(0.0), jnp.array(jnp.inf))
    st = jax.lax.while_loop(
        lambda s: (s.k < T) & (s.steps < max_steps),
        lambda s: _step(kern, ts, t_end, s, leap, eps, leap_min, prop),
        st,
    )
    return st.out, st.steps, st.fired, st.k == T


def run_one_blocks(kern: Kernel, n0, ts, key, max_steps: int, block: int = 64):
    """The direct method as blocks of `block` masked steps (`lax.scan`) inside a while loop:
    the event-per-step scan with masks, the alternative to `run_one` (same law)."""
    T, S = ts.shape[0], n0.shape[0]
    t_end = ts[-1]
    st = _State(ts[0], n0, key, jnp.full((T, S), jnp.nan, n0.dtype), jnp.array(0), jnp.array(0), jnp.array(0), jnp.array(0.0), jnp.array(jnp.inf))

    def masked(s, _):
        new = _step(kern, ts, t_end, s, False, 0.0, 0.0)
        live = s.k < T
        return jax.tree_util.tree_map(lambda x, y: jnp.where(live, x, y), new, s), None

    st = jax.lax.while_loop(
        lambda s: (s.k < T) & (s.steps < max_steps),
        lambda s: jax.lax.scan(masked, s, None, length=block)[0],
        st,
    )
    return st.out, st.steps, st.fired, st.k == T
