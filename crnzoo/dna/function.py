"""Does the entry's function survive at the DNA level? Formal vs. enumerated DNA network.

The formal network is simulated with crnzoo's engine (`crnzoo.solve.simulate`) in its
dimensionless units; the DNA network (nM, s, time stretched by the scheme's slow-down) is
stiff — buffers at 10x the gates make equilibria ~10^5 times faster than the horizon —
and JAX's implicit solvers took over 14 minutes on gate-and here, so it is solved by
SciPy's BDF with the exact mass-action Jacobian (`simulate_stiff`, a few seconds). A formal
species' DNA-level amount is the sum of its free signal strands (every history variant).
Held inputs (a gate's X_hi, ...) are held at the DNA level too: the initial-history
strand at the input level, the regenerated variants at 0 (the experimenter's clamp).

Checks by family (the entry's own read-outs):

- `gate`: dual-rail outputs decoded (ε = 0.1) just before every input switch and at the end;
  the function holds iff every DNA read-out equals the formal one and is a valid bit.
- `majority`: the winner (larger of A, B) at the horizon, from the entry's initial state and
  from the state with A and B swapped; holds iff the DNA winners equal the formal ones.
- `oscillator`: persistence — the DNA system still oscillates: peaks of the first species
  in the last half of the horizon ≥ the formal count − 1 and amplitude ≥ half the formal one.
- `waveform`: the formal species' trajectories agree within 0.1 concentration units.
- with `Cases` (seven-segment's 16 digits, the ADC's 8 bin centres): every case's read-out
  at the horizon (thresholded or dual-rail decoded) equals the formal one.
- otherwise: the formal species' final amounts agree within 0.1 concentration units.

A DNA solve that fails or goes negative beyond NEGATIVE_NM (`UnreliableSolve`) decides
nothing: the check then reports the function as not shown (ok False, the reason in its detail).

Leak: every gate/fuel pair of reaction i (`CompiledReaction.leak_pair`) may react as
gate + fuel -> the products of reaction i, at `leak` /nM/s (zero by default).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from ..network import Reaction, ReactionNetwork
from ..solve import Schedule, simulate
from ..solvers.config import SolverConfig
from .design import Design

EPS = 0.1
RTOL, ATOL = 1e-8, 1e-12  # DNA-level BDF: relative, and absolute as a fraction of the largest amount
NEGATIVE_NM = 0.5  # a DNA species below -this (nM) means the solve is not to be trusted


@dataclasses.dataclass(frozen=True)
class Cases:
    """An entry's read-out over several initial states (built by the CLI from the entry's task).

    - `label`: what the cases are, e.g. "16 digits".
    - `x0s`: initial states (formal species -> dimensionless amount; others from the network).
    - `outputs`: the read-out species.
    - `threshold`: an output is on iff > threshold at the horizon; None: the outputs are
      dual-rail pairs (hi, lo), decoded with ε = 0.1 as the gates are.
    """

    label: str
    x0s: tuple[dict, ...]
    outputs: tuple[str, ...]
    threshold: float | None = None


class UnreliableSolve(RuntimeError):
    """The stiff DNA-level solve failed or went negative beyond `NEGATIVE_NM`."""


@dataclasses.dataclass(frozen=True)
class FunctionResult:
    """`ok`: the function holds at the DNA level; `detail`: what was compared, in words;
    `leak`: the leak rate used (/nM/s)."""

    check: str
    ok: bool
    detail: str
    leak: float


def with_leak(dna: ReactionNetwork, design: Design, leak: float) -> ReactionNetwork:
    """`dna` plus, for every formal reaction i, the leak reaction gate_i + fuel_i -> products of
    reaction i at `leak` /nM/s (the pair is the scheme's `leak_pair`: L_i + T_i in
    Soloveichik 2010, G_i + its first releaser in Qian 2011)."""
    if leak <= 0:
        return dna
    names = set(dna.species)
    extra = []
    for r in design.reactions:
        if len(r.leak_pair) == 2 and set(r.leak_pair) <= names and r.products:
            prods: dict[str, int] = {}
            for p in r.products:
                prods[p] = prods.get(p, 0) + 1
            extra.append(Reaction(dict.fromkeys(r.leak_pair, 1), prods, leak))
    species = tuple(dna.species) + tuple(sorted({p for r in extra for p in r.products} - names))
    return dataclasses.replace(dna, species=species, reactions=dna.reactions + tuple(extra))


def formal_amounts(ys: np.ndarray, dna_species: Sequence[str], design: Design, species: Sequence[str]) -> np.ndarray:
    """DNA states (time, DNA species) -> (time, formal species) amounts in nM: the sum over signal variants."""
    interp = design.interpretation()
    idx = {s: i for i, s in enumerate(dna_species)}
    out = np.zeros(ys.shape[:-1] + (len(species),))
    for name, formal in interp.items():
        if name in idx and formal in species:
            out[..., list(species).index(formal)] += ys[..., idx[name]]
    return out


def _dna_schedule(schedule: Schedule | None, design: Design, held: Sequence[str], stretch: float, conc: float) -> Schedule | None:
    if schedule is None or not schedule.levels:
        return None
    levels = {}
    for s, lv in schedule.levels.items():
        levels[s] = tuple(float(v) * conc for v in lv)
        for c in design.complexes:
            if c.formal == s and c.name != s:
                levels[c.name] = tuple(0.0 for _ in lv)
    return Schedule(tuple(t * stretch for t in schedule.switch_times), levels)


def run_both(formal: ReactionNetwork, dna: ReactionNetwork, design: Design, *, t1: float, time_s: float, conc_nM: float,
             schedule: Schedule | None = None, held: Sequence[str] = (), x0: dict | None = None, n_save: int = 801):
    """Simulate formal (dimensionless) and DNA (nM, s) networks; returns (ts, formal ys, DNA formal amounts / conc)."""
    stretch = time_s * design.slowdown
    ts = np.linspace(0.0, t1, n_save)
    fx0 = formal.initial_state() if x0 is None else np.array([x0.get(s, 0.0) for s in formal.species])
    ftraj = simulate(formal, ts, fx0, schedule=schedule, solver=SolverConfig(rtol=1e-8, atol=1e-10), name=formal.name)
    dx0 = dna.initial_state()
    if x0 is not None:
        for c in design.complexes:
            if c.formal is not None and c.name == c.formal and c.name in dna.species:
                dx0[dna.index(c.name)] = x0.get(c.name, 0.0) * conc_nM
    dsched = _dna_schedule(schedule, design, held, stretch, conc_nM)
    if dsched is not None:  # history variants absent from the network (enumerated with histories quotiented) hold nothing
        present = set(dna.species)
        dsched = Schedule(dsched.switch_times, {k: v for k, v in dsched.levels.items() if k in present})
    ys = simulate_stiff(dna, ts * stretch, dx0, dsched)
    return ts, np.asarray(ftraj.ys), formal_amounts(ys, dna.species, design, formal.species) / conc_nM


def simulate_stiff(net: ReactionNetwork, ts: np.ndarray, x0: np.ndarray, schedule: Schedule | None = None) -> np.ndarray:
    """Mass action of `net` at save times `ts` (BDF, exact Jacobian); held species of
    `schedule` are clamped at their level between switches. Returns (T, species)."""
    from scipy import sparse
    from scipy.integrate import solve_ivp

    R, S = net.stoichiometry()
    k = net.rates()
    idx = {s: i for i, s in enumerate(net.species)}
    sched = schedule or Schedule()
    bounds = [ts[0], *[t for t in sched.switch_times if ts[0] < t < ts[-1]], ts[-1]]
    held = np.array([idx[s] for s in sched.levels], dtype=int)
    free = np.ones(len(net.species))
    free[held] = 0.0
    # The Jacobian is sparse (each reaction touches <= 4 species): SciPy's BDF then factors it
    # with SuperLU. A dense LU went through multithreaded BLAS, which on a busy machine cost
    # 0.4 s per factorisation of gate-and's 154 species (224 s for one check; now seconds).
    St = sparse.csr_matrix(S.T * free[:, None])
    n = len(net.species)
    # Reactant indices per reaction, padded with n (an extra entry fixed at 1.0).
    m = max([int(row.sum()) for row in R] + [1])
    pos = np.full((len(k), m), n, dtype=int)
    for r, row in enumerate(R):
        ids = [j for j in np.nonzero(row)[0] for _ in range(int(row[j]))]
        pos[r, : len(ids)] = ids
    rows = np.repeat(np.arange(len(k)), m)

    def ext(x):
        return np.append(np.maximum(x, 0.0), 1.0)

    def flux(x):
        return k * np.prod(ext(x)[pos], axis=1)

    def rhs(t, x):
        return St @ flux(x)

    def jac(t, x):
        xe = ext(x)[pos]
        d = np.stack([k * np.prod(np.delete(xe, p, axis=1), axis=1) for p in range(m)], axis=1)  # d flux / d reactant p
        keep = pos.ravel() < n
        D = sparse.csc_matrix((d.ravel()[keep], (rows[keep], pos.ravel()[keep])), shape=(len(k), n))
        return sparse.csc_matrix(St @ D)

    y = np.array(x0, dtype=np.float64)
    out = np.zeros((len(ts), len(y)))
    for seg, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])):
        for s, lv in sched.levels.items():
            y[idx[s]] = lv[seg]
        sel = (ts >= a) & ((ts < b) if seg < len(bounds) - 2 else (ts <= b))
        t_eval = np.unique(np.concatenate([ts[sel], [b]]))
        scale = max(1.0, float(np.max(y)))
        # Fuels sit at up to 1e7 nM beside signals at ~50 nM: with rtol 1e-6 / atol 1e-9 x the
        # largest amount, BDF drove a gate intermediate of adc-3bit to -24 nM and read a bit as
        # invalid; at 1e-8 / 1e-12 x it stays within -0.002 nM and costs about the same.
        sol = solve_ivp(rhs, (a, b), y, method="BDF", t_eval=t_eval, jac=jac, rtol=RTOL, atol=ATOL * scale)
        if not sol.success:
            raise UnreliableSolve(f"DNA-level simulation of {net.name} failed at t = {sol.t[-1] if sol.t.size else a:g} s: {sol.message}")
        low = float(sol.y.min())
        if low < -NEGATIVE_NM:
            worst = net.species[int(np.argmin(sol.y.min(axis=1)))]
            raise UnreliableSolve(f"DNA-level simulation of {net.name} is unreliable: {worst} reached {low:.3g} nM (tolerances rtol {RTOL:g}, atol {ATOL:g} x {scale:.3g} nM)")
        out[sel] = sol.y.T[np.searchsorted(t_eval, ts[sel])]
        y = sol.y[:, -1].copy()
    return out


def _decode(hi, lo):
    one = (hi >= 1 - EPS) & (lo <= EPS)
    zero = (hi <= EPS) & (lo >= 1 - EPS)
    return np.where(one, 1, np.where(zero, 0, -1))


def _peaks(x: np.ndarray) -> int:
    return int(np.sum((x[1:-1] > x[:-2]) & (x[1:-1] >= x[2:]) & (x[1:-1] > x.min() + 0.1 * (x.max() - x.min()))))


def _readout(final: np.ndarray, idx: list[int], threshold: float | None) -> np.ndarray:
    x = final[idx]
    if threshold is not None:
        return (x > threshold).astype(int)
    return _decode(x[0::2], x[1::2])


def check_cases(cases: Cases, formal: ReactionNetwork, net: ReactionNetwork, design: Design, leak: float, **kw) -> FunctionResult:
    """The read-out of every case at the horizon, formal vs DNA: holds iff all equal (and valid)."""
    idx = [list(formal.species).index(s) for s in cases.outputs]
    bad = []
    for n, x0 in enumerate(cases.x0s):
        _, f, d = run_both(formal, net, design, x0=x0, n_save=3, **kw)
        fr, dr = _readout(f[-1], idx, cases.threshold), _readout(d[-1], idx, cases.threshold)
        if not (np.array_equal(fr, dr) and np.all(dr >= 0)):
            bad.append(f"case {n}: formal {fr.tolist()}, DNA {dr.tolist()}")
    detail = f"{len(cases.x0s) - len(bad)}/{len(cases.x0s)} {cases.label} read out as in the formal network" + (f" ({bad[0]})" if bad else "")
    return FunctionResult(f"read-out over {cases.label}", not bad, detail, leak)


def check_function(family: str, formal: ReactionNetwork, dna: ReactionNetwork, design: Design, *, t1: float, time_s: float,
                   conc_nM: float, schedule: Schedule | None = None, held: Sequence[str] = (), leak: float = 0.0,
                   cases: Cases | None = None) -> FunctionResult:
    """Run the family's check (module docstring) on `dna` with leak rate `leak` /nM/s; with
    `cases`, the entry's read-out over those initial states instead. An unreliable DNA solve
    gives ok False with the reason."""
    try:
        return _check_function(family, formal, dna, design, t1=t1, time_s=time_s, conc_nM=conc_nM, schedule=schedule, held=held,
                               leak=leak, cases=cases)
    except UnreliableSolve as e:
        check = f"read-out over {cases.label}" if cases is not None else CHECKS.get(family, "final state agrees")
        return FunctionResult(check, False, f"not shown: {e}", leak)


CHECKS = {"gate": "truth table over switched inputs", "majority": "majority winner", "oscillator": "oscillation persists",
          "waveform": "trajectory agrees"}


def _check_function(family: str, formal: ReactionNetwork, dna: ReactionNetwork, design: Design, *, t1: float, time_s: float,
                    conc_nM: float, schedule: Schedule | None, held: Sequence[str], leak: float, cases: Cases | None) -> FunctionResult:
    net = with_leak(dna, design, leak)
    kw = dict(t1=t1, time_s=time_s, conc_nM=conc_nM, schedule=schedule, held=held)
    sp = list(formal.species)
    if cases is not None:
        return check_cases(cases, formal, net, design, leak, **kw)
    if family == "gate":
        ts, f, d = run_both(formal, net, design, **kw)
        reads = [float(t) - 1e-3 for t in (schedule.switch_times if schedule else ())] + [t1]
        rows = [int(np.searchsorted(ts, t, side="right") - 1) for t in reads]
        hi, lo = sp.index("Z_hi"), sp.index("Z_lo")
        fb, db = _decode(f[rows, hi], f[rows, lo]), _decode(d[rows, hi], d[rows, lo])
        ok = bool(np.all(fb == db) and np.all(db >= 0))
        return FunctionResult(CHECKS["gate"], ok, f"formal read-outs {fb.tolist()}, DNA {db.tolist()} (-1 = invalid)", leak)
    if family == "majority":
        a, b = sp.index("A"), sp.index("B")
        wins = []
        for x0 in (dict(formal.initial), {**formal.initial, "A": formal.initial.get("B", 0.0), "B": formal.initial.get("A", 0.0)}):
            _, f, d = run_both(formal, net, design, x0=x0, **kw)
            wins.append(("AB"[int(f[-1, b] > f[-1, a])], "AB"[int(d[-1, b] > d[-1, a])], float(abs(d[-1, a] - d[-1, b]))))
        ok = all(fw == dw and gap > 0.5 for fw, dw, gap in wins)
        return FunctionResult(CHECKS["majority"], ok, "; ".join(f"formal {fw}, DNA {dw} (final |A-B| {gap:.2f})" for fw, dw, gap in wins), leak)
    if family == "oscillator":
        ts, f, d = run_both(formal, net, design, n_save=3001, **kw)
        half = len(ts) // 2
        fp, dp = _peaks(f[half:, 0]), _peaks(d[half:, 0])
        fa, da = float(np.ptp(f[half:, 0])), float(np.ptp(d[half:, 0]))
        ok = dp >= max(1, fp - 1) and da >= 0.5 * fa
        return FunctionResult(CHECKS["oscillator"], ok, f"last half: formal {fp} peaks amplitude {fa:.3f}, DNA {dp} peaks amplitude {da:.3f}", leak)
    _, f, d = run_both(formal, net, design, **kw)
    if family == "waveform":  # the function is the shape over the whole horizon
        err = float(np.max(np.abs(f - d)))
        return FunctionResult(CHECKS["waveform"], err <= 0.1, f"largest difference over the horizon {err:.3g} concentration units", leak)
    err = float(np.max(np.abs(f[-1] - d[-1])))
    return FunctionResult("final state agrees", err <= 0.1, f"largest final difference {err:.3g} concentration units", leak)


def leak_tolerance(family: str, formal, dna, design, *, rates: Sequence[float] = (1e-12, 1e-11, 1e-10, 1e-9, 1e-8), **kw) -> tuple[float | None, list[FunctionResult]]:
    """The largest leak rate (/nM/s) of `rates` (increasing) up to which the function holds, and every result."""
    results, best = [], None
    for k in rates:
        r = check_function(family, formal, dna, design, leak=k, **kw)
        results.append(r)
        if not r.ok:
            break
        best = k
    return best, results
