"""Gillespie's direct method with runs as lanes: the fast exact kernel of `crnzoo.ssa`.

The batch is laid out with runs on the minor axis (counts `(S, W)`, times `(W,)`), so one
loop iteration is a handful of fused vector operations over W lanes, each lane firing one
reaction. Time is cut into *segments* at the schedule events (a switch of held levels, an
addition) and the last save time; at a segment's end every run is synchronised and the
event is applied to all at once. Inside a segment each lane keeps its own pointer to its
next save time: a lane whose next firing would come at or after it drops that draw, moves
to the save time (exact: the waiting time is memoryless, and nothing fires before the drawn
time) and writes its counts there by (stop, run id) into a save buffer that stays on the
device (one scatter per iteration). So no lane waits for the others between saves.
A segment with fewer than `PER_LANE_FROM` saves inside runs stop by stop instead (every lane
to the next save in lockstep, the whole batch saved there), which costs less per iteration
(measured: majority-am4, 1 save inside, 0.44 s lockstep vs 0.61 s per-lane CPU).
A batch is at most `width_cap` lanes wide (4,096 for majority-am4): XLA:CPU splits wider
fused loops over its threads, which cost more CPU than they save here; the other runs wait
in a queue and refill the batch whenever 1/`REFILL` of its lanes are done. With no runs
queued, when half the lanes have reached the segment's end the still-running lanes are
compacted into a batch of the next power of two, so the loop does not run every lane until
the slowest member is done.

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
PER_LANE_FROM = 8  # saves inside a segment from which each lane keeps its own save pointer (fewer: lockstep)
REFILL = 16  # with lanes queued, a call ends when 1/REFILL of its batch is done (they are refilled)
W_MAX = 4096  # the widest lane batch (see `width_cap`)
ELEMENTS = 16384  # numbers per (R or S, W) array in the widest batch (see `width_cap`)
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


def _draw(net: Network, a, seed, counter, t, barrier: bool):
    """The next firing of every lane from its propensities `a` (R, W) at times `t` (W,):
    (total propensity a0, firing time tn, whether the draw is usable, count change dn (S, W)).

    One SplitMix64 uniform u per lane picks the reaction j (the first with cum_j > u·a0) and,
    rescaled within j's slot, gives the waiting time: u′ = (cum_j − u·a0)/a_j is again uniform.
    `barrier` keeps XLA from recomputing the target and the result in every consumer (the
    per-lane kernel, where that was measured to matter)."""
    W = t.shape[0]
    R = a.shape[0]
    # XLA's CPU cumsum is a reduce-window, O(R²): a log-depth scan for large networks
    cum = jax.lax.associative_scan(jnp.add, a, axis=0) if R > UNROLL else jnp.cumsum(a, axis=0)
    a0 = cum[-1]
    target = uniforms(seed, counter, W) * a0
    if barrier:
        target = jax.lax.optimization_barrier(target)  # computed once, not in every consumer
    j = jnp.minimum(jnp.sum(cum[:-1] <= target, axis=0), R - 1)
    aj = jnp.take_along_axis(a, j[None], axis=0)[0]
    cj = jnp.take_along_axis(cum, j[None], axis=0)[0]
    dn = jnp.take(jnp.asarray(net.change.T), j, axis=1)
    u2 = jnp.minimum((cj - target) / jnp.where(aj > 0, aj, 1.0), 1.0)  # uniform on (0, 1], given j
    tn = t - jnp.log(u2) / a0
    good = (aj > 0) & (u2 > 0)  # else a split that rounding put on an edge: draw again
    if barrier:
        tn, good, dn = jax.lax.optimization_barrier((tn, good, dn))
    return a0, tn, good, dn


def _step(net: Network, params, seed, counter, n, t, k, stop_t, n_stops, barrier: bool):
    """One firing, or one stop crossed, in every lane; lane i is done at k[i] = n_stops.

    `stop_t` (K + 1,): this segment's stops (the save times inside it, then its end `t_end`),
    padded with +inf; `n` (S, W), `t`, `k`: counts, times and each lane's next stop. A draw
    that crosses the lane's next stop is dropped and the lane moves to the stop (exact by
    memorylessness: nothing fired before it) and is saved there (its counts are unchanged).
    (Keeping a draw that lands between this stop and the next, and dropping only those
    beyond, would bias the paths: a kept-or-dropped choice that depends on where the draw
    lands is not memoryless.) Returns (n, t, k, save (W,) bool, fired (W,) bool)."""
    a = net.prop(params, n)  # (R, W)
    a0, tn, good, dn = _draw(net, a, seed, counter, t, barrier=barrier)
    live = k < n_stops
    s1 = stop_t[k]
    cross = live & ((a0 <= 0) | (good & ~(tn < s1)))
    fire = live & good & ~cross
    n = jnp.where(fire[None], n + dn, n)
    t = jnp.where(fire, tn, jnp.where(cross, s1, t))
    return n, t, k + cross, cross, fire


@functools.partial(jax.jit, static_argnames=("net",), donate_argnames=("out",))
def _segment(net: Network, params, seed, counter, gid, n, t, k, out, fired, stop_t, n_stops, limit, stop_at):
    """Fire until at most `stop_at` lanes are running, or about `limit` iterations; each
    lane's saves are written into `out` (K, runs + 1, S) at (its stop, its global run id
    `gid`) (padding lanes: the last run row). Returns (n, t, k, out, fired, counter, iterations)."""
    W, S = t.shape[0], n.shape[0]

    def cond(s):
        k, it = s[2], s[6]
        return (jnp.sum(k < n_stops) > stop_at) & (it < limit)

    def body(s):
        n, t, k, out, fired, counter, it = s
        n, t, k1, save, fire = _step(net, params, seed, counter, n, t, k, stop_t, n_stops, barrier=True)
        # the saving lanes' counts, by stop and run id (the others dropped: an out-of-range stop)
        out = out.at[jnp.where(save, k, out.shape[0]), gid].set(n.T, mode="drop", unique_indices=True)
        return n, t, k1, out, fired + fire, counter + jnp.uint64(W), it + 1

    return jax.lax.while_loop(cond, body, (n, t, k, out, fired, counter, jnp.zeros((), jnp.int64)))


def _step_to(net: Network, params, seed, counter, n, t, t_end):
    """One firing (or a wait at the common stop `t_end`) in every lane; lanes with t = +inf
    are waiting (the stop-by-stop kernel, for segments with few saves)."""
    a = net.prop(params, n)  # (R, W)
    a0, tn, good, dn = _draw(net, a, seed, counter, t, barrier=False)
    live = t < jnp.inf
    fire = live & good & (tn < t_end)
    wait = live & ((a0 <= 0) | (good & ~(tn < t_end)))
    n = jnp.where(fire[None], n + dn, n)
    return n, jnp.where(fire, tn, jnp.where(wait, jnp.inf, t)), fire


@functools.partial(jax.jit, static_argnames=("net",))
def _interval(net: Network, params, seed, counter, n, t, fired, t_end, limit, stop_at):
    """Fire until at most `stop_at` lanes are running (the others wait at `t_end`), or `limit`
    iterations. Returns (n, t, fired, counter, iterations)."""
    W = t.shape[0]

    def cond(s):
        _, t, _, _, it = s
        return (jnp.sum(t < jnp.inf) > stop_at) & (it < limit)

    def body(s):
        n, t, fired, counter, it = s
        n, t, fire = _step_to(net, params, seed, counter, n, t, t_end)
        return n, t, fired + fire, counter + jnp.uint64(W), it + 1

    return jax.lax.while_loop(cond, body, (n, t, fired, counter, jnp.zeros((), jnp.int64)))


def _stop_at(W: int, queued: bool) -> int:
    """How many running lanes end a compiled call: with lanes waiting in the queue, when
    1/REFILL of the batch is done (they refill it); else at half (the running ones are
    compacted into a smaller batch), or at none for the smallest batch."""
    if queued:
        return W - max(W // REFILL, 1)
    return 0 if W <= W_MIN else W // 2


def _bucket(m: int, n_runs: int, cap: int) -> int:
    """The compiled batch width for m running lanes: a power of two from W_MIN up to `cap`."""
    return min(n_runs, cap, max(W_MIN, 1 << max(m - 1, 0).bit_length()))


def width_cap(net: Network, S: int) -> int:
    """The widest lane batch: at most `W_MAX` lanes and about `ELEMENTS` numbers per (R or
    S, W) array (a power of two, at least W_MIN); more runs than that wait in a queue and
    refill the batch as lanes finish. XLA:CPU splits a wider fused loop over its threads,
    which here costs more CPU than it saves (measured on 2 cores, CPU ns per lane-iteration:
    majority-am4 12.9 at 4,096 lanes, 19.9 at 8,192; DSMTS 00031 18.6 and 25.5)."""
    rows = max(net.change.shape[0], S, 1)
    return max(W_MIN, min(W_MAX, 1 << max(ELEMENTS // rows, 1).bit_length() - 1))


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
    out = np.full((N, ts.shape[0], S), np.nan)
    fired_all = np.zeros(N, dtype=np.int64)
    ok = np.ones(N, dtype=bool)
    seed_u = np.uint64(np.random.SeedSequence(seed).generate_state(1, np.uint64)[0])
    counter = np.uint64(0)
    t_prev, inside = float(ts[0]), []  # save indices strictly inside the running segment
    plan = stops(np.asarray(ts, float), np.asarray([] if ev_t is None else ev_t, float))
    for i, (t_stop, kind, k) in enumerate(plan):
        if kind == "save" and t_stop > t_prev and i < len(plan) - 1:
            inside.append(k)  # saved by the lanes as they cross it
            continue
        if t_stop > t_prev and len(inside) >= PER_LANE_FROM:  # a segment ends here (an event or the last save)
            counter = _run_segment(net, params, seed_u, counter, n_all, fired_all, ok, out, ts, inside, t_prev, t_stop, max_steps)
        elif t_stop > t_prev:  # few saves: every lane runs to each save in lockstep
            for t_s, k_s in [*((float(ts[j]), j) for j in inside), (t_stop, None)]:
                counter = _run_interval(net, params, seed_u, counter, n_all, fired_all, ok, t_prev, t_s, max_steps)
                t_prev = t_s
                if k_s is not None:
                    out[:, k_s] = n_all.T
        if t_stop > t_prev or inside:
            t_prev, inside = t_stop, []
        if kind == "event" and events is not None:
            n_all = events(n_all.T, k).T.copy()
        elif kind == "save":
            out[:, k] = n_all.T
    out[~ok] = np.nan
    return out, fired_all, ok


def _run_interval(net, params, seed_u, counter, n_all, fired_all, ok, t0, t_end, max_steps):
    """Runs every ok lane from t0 to t_end in lockstep (in place on `n_all`, `fired_all`, `ok`);
    returns the random-number counter."""
    S, N = n_all.shape
    queue = np.flatnonzero(ok)  # running lanes first, then lanes not yet started
    t_all = np.full(N, t0)
    cap = width_cap(net, S)
    while queue.size:
        ids = queue[:cap]
        m, W = ids.size, _bucket(ids.size, N, cap)
        n, t = np.zeros((S, W)), np.full(W, np.inf)
        n[:, :m], t[:m] = n_all[:, ids], t_all[ids]
        limit = max_steps - int(fired_all[ids].max()) + 1
        n, t, fired, counter, _ = _interval(net, params, seed_u, counter, n, t, np.zeros(W, np.int64), t_end, limit, _stop_at(W, queue.size > m))
        n, t, fired = np.asarray(n)[:, :m], np.asarray(t)[:m], np.asarray(fired)[:m]
        n_all[:, ids], t_all[ids] = n, t
        fired_all[ids] += fired
        live = t < np.inf
        if live.any():
            over = live & (fired_all[ids] > max_steps)
            ok[ids[over]] = False
            live &= ~over
        queue = np.concatenate([ids[live], queue[m:]])
    return counter


def _run_segment(net, params, seed_u, counter, n_all, fired_all, ok, out, ts, inside, t0, t_end, max_steps):
    """Runs every ok lane from t0 to t_end, saving at `ts[inside]` (in place on `n_all`,
    `fired_all`, `ok`, `out`); returns the random-number counter."""
    S, N = n_all.shape
    K = len(inside) + 1
    stop_t = np.full(1 << K.bit_length(), np.inf)  # padded to a power of two: few compiled shapes
    stop_t[: K - 1], stop_t[K - 1] = ts[inside], t_end
    seg = jnp.zeros((K, N + 1, S))  # saves by stop and run id (and a last row for padding lanes), kept on the device
    queue = np.flatnonzero(ok)  # running lanes first, then lanes not yet started
    t_all, k_all = np.full(N, t0), np.zeros(N, np.int64)
    cap = width_cap(net, S)
    while queue.size:
        ids = queue[:cap]
        m, W = ids.size, _bucket(ids.size, N, cap)
        n, t, k, gid = np.zeros((S, W)), np.full(W, t_end), np.full(W, K, np.int64), np.full(W, N, np.int64)
        n[:, :m], t[:m], k[:m], gid[:m] = n_all[:, ids], t_all[ids], k_all[ids], ids
        limit = max_steps - int(fired_all[ids].max()) + 1
        n, t, k, seg, fired, counter, _ = _segment(net, params, seed_u, counter, gid, n, t, k, seg, np.zeros(W, np.int64), stop_t, K,
                                                    limit, _stop_at(W, queue.size > m))
        n_all[:, ids], t_all[ids], k_all[ids] = np.asarray(n)[:, :m], np.asarray(t)[:m], np.asarray(k)[:m]
        fired_all[ids] += np.asarray(fired)[:m]
        live = k_all[ids] < K
        if live.any():
            over = live & (fired_all[ids] > max_steps)
            ok[ids[over]] = False
            live &= ~over
        queue = np.concatenate([ids[live], queue[m:]])
    if inside:
        out[:, inside] = np.asarray(seg)[: K - 1, :N].transpose(1, 0, 2)
    return counter
