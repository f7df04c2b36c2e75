"""The lanes kernel of the exact SSA (`crnzoo.ssa._lanes`): its random numbers, its law against
the previous (vmap) kernel, compaction, stops and step limits."""

from __future__ import annotations

import numpy as np
import pytest

from crnzoo.network import parse_reactions
from crnzoo.solve import Schedule
from crnzoo.solvers.config import SimulationError
from crnzoo.ssa import _lanes, ssa_simulate

M64 = (1 << 64) - 1


def _splitmix64(state: int) -> int:
    """Vigna's reference splitmix64 output for a state (Python integers, no JAX)."""
    z = state & M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def test_uniforms_are_the_splitmix64_stream():
    seed, counter = 0xDEADBEEF12345678, 7
    u = np.asarray(_lanes.uniforms(np.uint64(seed), np.uint64(counter), 5))
    want = [(_splitmix64(seed + (counter + k) * 0x9E3779B97F4A7C15) >> 11) * 2.0**-53 for k in range(5)]
    assert u.tolist() == want
    big = np.asarray(_lanes.uniforms(np.uint64(1), np.uint64(0), 200_000))
    assert 0.0 <= big.min() and big.max() < 1.0
    assert abs(big.mean() - 0.5) < 4 * np.sqrt(1 / 12 / big.size)


@pytest.mark.slow
def test_lanes_and_vmap_kernels_agree():
    """A → B, B → A, 2A → C: the two exact kernels' means and variances within sampling error,
    with enough runs (1500 > W_MIN) that the lanes are compacted."""
    net = parse_reactions("A -> B  k=1\nB -> A  k=0.5\n2A -> C  k=0.2\n")
    ts = np.array([0.0, 0.3, 1.0, 3.0])
    a = ssa_simulate(net, ts, 20.0, 1500, x0=[1.0, 0.5, 0.0], seed=1, method="direct").counts[:, 1:]
    b = ssa_simulate(net, ts, 20.0, 1500, x0=[1.0, 0.5, 0.0], seed=2, method="vmap").counts[:, 1:]
    z = (a.mean(0) - b.mean(0)) / np.sqrt(a.var(0, ddof=1) / len(a) + b.var(0, ddof=1) / len(b))
    assert np.all(np.abs(z) < 4.5), z
    assert np.allclose(a.var(0, ddof=1), b.var(0, ddof=1), rtol=0.2, atol=1.0)
    assert np.all(a.sum(-1)[:, :, None] >= 0)


def test_same_seed_same_paths_and_a_schedule_event_is_applied_to_every_run():
    net = parse_reactions("X -> Y  k=1\n")
    sched = Schedule.from_dict({"additions": [[1.0, {"X": 0.5}]]})
    kw = {"x0": [1.0, 0.0], "seed": 5, "schedule": sched}
    r1 = ssa_simulate(net, [0.0, 1.0, 2.0], 10.0, 700, **kw)
    r2 = ssa_simulate(net, [0.0, 1.0, 2.0], 10.0, 700, **kw)
    assert np.array_equal(r1.counts, r2.counts)
    # the save at t = 1 is after the addition of 5 molecules; X + Y = 15 from then on
    assert np.all(r1.counts[:, 0].sum(-1) == 10) and np.all(r1.counts[:, 1:].sum(-1) == 15)


def test_step_limit_is_a_simulation_error():
    net = parse_reactions("-> A  k=10\n")
    with pytest.raises(SimulationError, match="more than 50 steps"):
        ssa_simulate(net, [0.0, 1.0], 100.0, 8, max_steps=50)


def test_stops_put_an_event_before_a_save_at_the_same_time():
    s = _lanes.stops(np.array([0.0, 1.0, 2.0]), np.array([1.0, 5.0, np.inf]))
    assert s == [(0.0, "save", 0), (1.0, "event", 0), (1.0, "save", 1), (2.0, "save", 2)]


@pytest.mark.parametrize("n_saves", [3, 17])  # stop by stop (1 save inside), per-lane saves (15 inside)
def test_queued_runs_refill_a_narrow_batch_with_the_birth_death_law(monkeypatch, n_saves):
    """More runs than the widest batch (cut to W_MIN here): the queued runs refill the batch as
    lanes finish. ∅ → A (k1), A → ∅ (k2) from 0: n(t) is Poisson, mean Ω k1/k2 (1 − e^{−k2 t})."""
    monkeypatch.setattr(_lanes, "W_MAX", _lanes.W_MIN)
    net = parse_reactions("-> A  k=2\nA ->  k=0.5\n")
    ts = np.linspace(0.0, 8.0, n_saves)
    omega, runs = 20.0, 5 * _lanes.W_MIN + 37
    res = ssa_simulate(net, ts, omega, runs, seed=11)
    n = res.counts[:, 1:, 0]
    assert np.all(np.isfinite(n)) and np.all(res.counts[:, 0] == 0)
    lam = omega * 2 / 0.5 * (1 - np.exp(-0.5 * ts[1:]))
    z_mean = (n.mean(0) - lam) / np.sqrt(lam / runs)
    z_var = (n.var(0, ddof=1) - lam) / np.sqrt((lam + 2 * lam**2) / runs)
    assert np.all(np.abs(z_mean) < 4.5) and np.all(np.abs(z_var) < 4.5), (z_mean, z_var)
    # every run fired: births minus deaths is the final count, so firings ≥ the final count
    assert np.all(res.fired >= n[:, -1])
