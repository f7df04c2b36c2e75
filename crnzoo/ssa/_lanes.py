"""Gillespie's direct method with runs as lanes: the fast exact kernel of `crnzoo.ssa`.

The batch is laid out with runs on the minor axis (counts `(S, W)`, times `(W,)`), so one
loop iteration is a handful of fused vector operations over W lanes, each lane firing one
reaction. Time is cut at the *stops* (save times and schedule events): every lane runs from
one stop to the next in lockstep, and a lane whose next firing would come at or after the
stop drops that draw and waits (exact: the waiting time is memoryless, and nothing fires
before the drawn time). At a stop the whole batch is saved, or the event (a switch of held
levels, an addition) is applied to every run at once. Within a stop interval, when half the
lanes are waiting, the still-running lanes are compacted into a batch of the next power of
two, so the loop does not run every lane until the slowest member is done.

One uniform u per firing serves both draws (the inverse-CDF split): the reaction is the j
with cum_{j−1} ≤ u·a0 < cum_j, and u' = (cum_j − u·a0) / a_j is again uniform, on (0, 1],
and independent of j, so τ = −log(u')/a0. Uniforms are 53-bit doubles from the
SplitMix64 sequence (Steele, Lea & Flood, OOPSLA 2014; the generator of Java's
`SplittableRandom`, passes BigCrush): the k-th number of the stream of `seed` is
mix64(seed + k·γ), counter-based, so each lane's number is one fused hash of (seed, counter)
with no key to split (measured on majority-am4, 10,000 lanes: 31.8 ns per lane and step
with `jax.random`'s threefry, 18.6 ns with this; benchmarks/README.md). Bits are lost only to the split's rounding (about log2(a0/a_j) of
the 53); a split that lands on a zero propensity by rounding draws again.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
W_MIN = 512  # the smallest lane batch; below it the loop runs to the end of the interval
UNROLL = 32  # networks of at most this many reactions get their propensities unrolled; larger ones a gather


def _mix64(z):
    z = (z ^ (z >> 30)) * jnp.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> 27)) * jnp.uint64(0x94D049BB133111EB)
    return z ^ (z >> 31)


def uniforms(seed, counter, width: int):
    """`width` doubles in [0, 1) (53 bits): numbers counter, ..., counter + width − 1 of the
    SplitMix64 stream of `seed` (uint64 scalars)."""
    k = counter + jnp.arange(width, dtype=jnp.uint64)
    return (_mix64(seed + k * jnp.uint64(_GAMMA)) >> 11).astype(jnp.float64) * (2.0**-53)


def mass_action(idx: np.ndarray, off: np.ndarray, change: np.ndarray) -> Network:
    """The `Network` of a mass-action `Kernel`'s `(idx, off, change)` (see
    `crnzoo.ssa._kernel.propensities`): params are the rates `c` (R,), traced, so the compiled
    loop is reused across Ω and rates; the structure is unrolled."""
    idx, off = np.asarray(idx, dtype=np.int64), np.asarray(off, dtype=np.float64)
    change = np.asarray(change, dtype=np.float64)
    key = ("mass action", idx.tobytes(), off.tobytes(), idx.shape, change.tobytes(), change.shape)
    return Network(_mass_action(idx.tobytes(), off.tobytes(), idx.shape), change, key)


@functools.lru_cache(maxsize=64)
def _mass_action(idx_b: bytes, off_b: bytes, shape: tuple[int, int]) -> Callable:
    idx = np.frombuffer(idx_b, dtype=np.int64).reshape(shape)
    off = np.frombuffer(off_b, dtype=np.float64).reshape(shape)

    def prop(c, n):
        S = n.shape[0]
        if idx.shape[0] > UNROLL:  # a large network: one gather of the reactant counts
            ext = jnp.concatenate([n, jnp.ones((1, n.shape[1]), n.dtype)])
            return c[:, None] * jnp.prod(jnp.maximum(ext[idx] - off[:, :, None], 0.0), axis=1)
        rows = []
        for j in range(idx.shape[0]):
            a = jnp.broadcast_to(c[j], n.shape[1:])
            for m in range(idx.shape[1]):
                if idx[j, m] < S:
                    a = a * jnp.maximum(n[idx[j, m]] - off[j, m], 0.0)
            rows.append(a)
        return jnp.stack(rows)

    return prop


class Network:
    """What the compiled loop needs to know of a network: `prop(params, n (S, W)) -> (R, W)`
    propensities and the net `change` (R, S) per firing; hashable (a static argument), equal
    when built from the same `key`. Networks of at most `UNROLL` reactions get the reaction
    choice and the update unrolled over the reactions (no gathers)."""

    UNROLL = 0

    def __init__(self, prop: Callable, change: np.ndarray, key):
        self.prop, self.change, self.key = prop, np.asarray(change, dtype=np.float64), key

    def __hash__(self):
        return hash(self.key)

    def __eq__(self, other):
        return isinstance(other, Network) and self.key == other.key


def _step(net: Network, params, seed, counter, n, t, t_end):
    """One firing (or a wait at the stop) in every lane; lanes with t = +inf are waiting."""
    W = t.shape[0]
    a = net.prop(params, n)  # (R, W)
    R = a.shape[0]
    # XLA's CPU cumsum is a reduce-window, O(R²): a log-depth scan for large networks
    cum = jax.lax.associative_scan(jnp.add, a, axis=0) if R > UNROLL else jnp.cumsum(a, axis=0)
    a0 = cum[-1]
    target = uniforms(seed, counter, W) * a0
    j = jnp.minimum(jnp.sum(cum[:-1] <= target, axis=0), R - 1)
    aj = jnp.take_along_axis(a, j[None], axis=0)[0]
    cj = jnp.take_along_axis(cum, j[None], axis=0)[0]
    dn = jnp.take(jnp.asarray(net.change.T), j, axis=1)
    u2 = jnp.minimum((cj - target) / jnp.where(aj > 0, aj, 1.0), 1.0)  # uniform on (0, 1], given j
    tn = t - jnp.log(u2) / a0
    good = (aj > 0) & (u2 > 0)  # else a split that rounding put on an edge: draw again
    live = t < jnp.inf
    fire = live & good & (tn < t_end)
    wait = live & ((a0 <= 0) | (good & ~(tn < t_end)))
    n = jnp.where(fire[None], n + dn, n)
    return n, jnp.where(fire, tn, jnp.where(wait, jnp.inf, t)), fire


@functools.partial(jax.jit, static_argnames=("net", "floor"))
def _interval(net: Network, params, seed, counter, n, t, fired, t_end, limit, floor: bool):
    """Fire until every lane waits at `t_end`, or (`floor` False) until half the lanes wait,
    or `limit` iterations. Returns (n, t, fired, counter, iterations)."""
    W = t.shape[0]
    stop_at = 0 if floor else W // 2

    def cond(s):
        _, t, _, _, it = s
        return (jnp.sum(t < jnp.inf) > stop_at) & (it < limit)

    def body(s):
        n, t, fired, counter, it = s
        n, t, fire = _step(net, params, seed, counter, n, t, t_end)
        return n, t, fired + fire, counter + jnp.uint64(W), it + 1

    return jax.lax.while_loop(cond, body, (n, t, fired, counter, jnp.zeros((), jnp.int64)))


def _bucket(m: int, n_runs: int) -> int:
    return min(n_runs, max(W_MIN, 1 << max(m - 1, 0).bit_length()))


def stops(ts: np.ndarray, ev_t: np.ndarray) -> list[tuple[float, str, int]]:
    """The stops of a run in time order: `(time, "event" | "save", index)`; at a tie the event
    comes first (a state saved at an event time is the state after it). Events after the last
    save time are dropped."""
    out = [(float(t), "event", e) for e, t in enumerate(ev_t) if np.isfinite(t) and t <= ts[-1]]
    out += [(float(t), "save", k) for k, t in enumerate(ts)]
    return sorted(out, key=lambda s: (s[0], s[1] != "event", s[2]))


def simulate(net: Network, params, n0: np.ndarray, ts: np.ndarray, seed: int, max_steps: int,
             events: Callable[[np.ndarray, int], np.ndarray] | None = None, ev_t: np.ndarray | None = None):
    """Exact sample paths of all runs.

    **Arguments:** `net` the propensities and changes (a static argument of the compiled
    loop), `params` the propensities' traced parameters; `n0`
    (runs, S) initial counts; `ts` (T,) save times from ts[0]; `seed`; `max_steps` firings per
    run; `events(n (runs, S), e) -> n` applies schedule event e at time `ev_t[e]`.

    **Returns:** `(counts (runs, T, S), fired (runs,), ok (runs,))`; ok is False for runs
    that needed more than `max_steps` firings (their rows after that are NaN).
    """
    n_all = np.array(np.asarray(n0, dtype=np.float64).T)  # (S, runs): a run is a column
    S, N = n_all.shape
    out = np.full((ts.shape[0], S, N), np.nan)
    fired_all = np.zeros(N, dtype=np.int64)
    ok = np.ones(N, dtype=bool)
    seed_u = np.uint64(np.random.SeedSequence(seed).generate_state(1, np.uint64)[0])
    counter = np.uint64(0)
    t_prev = float(ts[0])
    for t_stop, kind, k in stops(np.asarray(ts, float), np.asarray([] if ev_t is None else ev_t, float)):
        if t_stop > t_prev:
            ids = np.flatnonzero(ok)
            t_all = np.full(N, t_prev)
            while ids.size:
                m, W = ids.size, _bucket(ids.size, N)
                n, t = np.zeros((S, W)), np.full(W, np.inf)
                n[:, :m], t[:m] = n_all[:, ids], t_all[ids]
                limit = max_steps - int(fired_all[ids].max()) + 1
                n, t, fired, counter, _ = _interval(net, params, seed_u, counter, n, t, np.zeros(W, np.int64), t_stop, limit, floor=W <= W_MIN)
                n, t, fired = np.asarray(n)[:, :m], np.asarray(t)[:m], np.asarray(fired)[:m]
                n_all[:, ids], t_all[ids] = n, t
                fired_all[ids] += fired
                live = t < np.inf
                if live.any():
                    over = live & (fired_all[ids] > max_steps)
                    ok[ids[over]] = False
                    live &= ~over
                ids = ids[live]
            t_prev = t_stop
        if kind == "event" and events is not None:
            n_all = events(n_all.T, k).T.copy()
        elif kind == "save":
            out[k] = n_all
    out[:, :, ~ok] = np.nan
    return out.transpose(2, 0, 1).copy(), fired_all, ok
