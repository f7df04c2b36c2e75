"""One compiled solve per padded size for every SBML model whose laws are rational functions.

A model's right-hand side here is data, not code: its kinetic laws as tables of monomials
(`crnzoo.sbml.rational`: numerator and denominator of each law, `coef * Π p[P] * Π y[Q]`),
its stoichiometry as a sparse list `(row, column, value)`, its parameters and initial state.
The program that solves it (`crnzoo.sbml.tsit5` for Tsit5, else Diffrax; the model's solver
settings) reads all of these as runtime inputs, so it depends only on the padded sizes (state, parameters, reactions,
monomials, factors per monomial, stoichiometry entries, save times: each rounded up to a
power of two, at least 16, 64, 32, 128, 4, 4, 64, 16, so that models up to about 20
reactions share one class) and on the solver's name and step budget. A model never seen before then
reuses what any earlier model of the same size class compiled:

- in this process, through a memo of compiled programs (`_program`);
- in a fresh process, through the compiled program itself, serialised into crnzoo's cache
  directory (`crnzoo._cache`; `CRNZOO_NO_CACHE=1` turns it off): loading it skips tracing
  Diffrax and compiling with XLA. Equinox's run-time checks are traced in their `nan` mode
  (no host callback) and a NaN is reported as a failed solve.

The padding changes nothing: padded species and reactions stay 0, and the tolerances are
scaled by sqrt(N / N_padded) so that the RMS error norm over the padded state equals the
norm over the model's own (the same steps as the unpadded solve, up to round-off).
Time, assignment rules (inlined into the laws), rate rules (pseudo-reactions that change their
symbol at rate 1) and constant conversion factors are read in the same form. Models with
events, compartments resized by rules or laws outside the rational form (exp, piecewise, a
non-integer power, rateOf) are not handled here (`plan` says why): they compile their own
program (`crnzoo.simulate`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np

from .compile import stoich_matrix
from .rational import ONE, TIME, NotRational, law_rational, rule_rational

_SOURCE_HASH = hashlib.sha256(b"".join((Path(__file__).parent / f).read_bytes() for f in ("program.py", "tsit5.py"))).hexdigest()[:16]
MAX_PROGRAMS = 64  # compiled programs kept in the cache directory (least recently written evicted)
SMALL = (16, 64, 32, 128)  # the smallest size class (N, P, R, M): compiled for compile time (`compiler_options`)
_SOLVERS = ("tsit5", "dopri5", "dopri8", "kvaerno3", "kvaerno4", "kvaerno5")


def _bucket(n: int, least: int) -> int:
    return max(least, 1 << max(0, int(n) - 1).bit_length())


@dataclasses.dataclass(frozen=True)
class Plan:
    """A model's tables (numpy), unpadded; `sizes` gives the padded shapes."""

    coef: np.ndarray  # (M,) monomial coefficients
    P: list[tuple[int, ...]]  # parameter indices of each monomial
    Q: list[tuple[int, ...]]  # state indices of each monomial
    seg: np.ndarray  # (M,) 2 j for a numerator monomial of reaction j, 2 j + 1 for a denominator one
    den_one: np.ndarray  # (R,) 1.0 where reaction j's law has no denominator
    row: np.ndarray  # (E,) stoichiometry entries: state index,
    col: np.ndarray  # reaction index,
    val: np.ndarray  # change per unit extent
    n: int  # state size
    n_params: int

    def sizes(self, n_times: int) -> tuple[int, ...]:
        """(N, P, R, M, A, B, E, T) padded to powers of two."""
        return (_bucket(self.n, 16), _bucket(self.n_params, 64), _bucket(len(self.den_one), 32), _bucket(len(self.coef), 128),
                _bucket(max(map(len, self.P), default=0), 4), _bucket(max(map(len, self.Q), default=0), 4),
                _bucket(len(self.val), 64), _bucket(n_times, 16))


def plan(model) -> Plan | str:
    """The tables of an `SBMLModel`, or the reason (a str) it needs its own program."""
    spec = model.spec
    if spec.events:
        return "it has events"
    if not spec.state:
        return "nothing changes by an ODE"
    if spec.amount_state:
        return "a rule changes a compartment's size"
    scale = {}
    for sid, sp in spec.species.items():
        if sp.conversion:
            if sp.conversion not in spec.params:
                return f"the conversion factor of {sid} changes"
            scale[sid] = float(spec.values[sp.conversion])
    laws = []
    for j, rid in enumerate(spec.reactions):
        try:
            laws.append(law_rational(spec, j))
        except NotRational as e:
            return f"the kinetic law of {rid} is not a rational function of species, parameters and time ({e})"
    for var in spec.rate_rules:  # a rate rule is a pseudo-reaction changing its symbol at rate 1
        try:
            laws.append(rule_rational(spec, var))
        except (NotRational, KeyError) as e:
            return f"the rate rule for {var} is not a rational function of species, parameters and time ({e})"
    coef, P, Q, seg, den_one = [], [], [], [], []
    for j, (num, den) in enumerate(laws):
        plain = den == {ONE: 1.0}
        den_one.append(1.0 if plain else 0.0)
        for side, poly in ((0, num), (1, {} if plain else den)):
            for (pi, qi), c in poly.items():
                coef.append(c)
                P.append(pi)
                Q.append(qi)
                seg.append(2 * j + side)
    S = stoich_matrix(spec)
    index = {k: i for i, k in enumerate(spec.state)}
    for sid, f in scale.items():  # conversion factors scale a species' change by reactions
        if sid in index:
            S[index[sid]] *= f
    extra = np.zeros((len(spec.state), len(spec.rate_rules)))
    for k, var in enumerate(spec.rate_rules):
        extra[index[var], k] = 1.0
    S = np.concatenate([S, extra], axis=1)
    row, col = np.nonzero(S)
    return Plan(np.asarray(coef, np.float64), P, Q, np.asarray(seg, np.int32), np.asarray(den_one), row.astype(np.int32),
                col.astype(np.int32), S[row, col].astype(np.float64), len(spec.state), len(spec.params))


def _padded_inputs(pl: Plan, sizes, y0, p, ts, tol):
    N, Pn, R, M, A, B, E, T = sizes
    y = np.zeros(N)
    y[: pl.n] = y0
    pp = np.zeros(Pn)
    pp[: pl.n_params] = p
    coef = np.zeros(M)
    coef[: len(pl.coef)] = pl.coef
    Pi = np.full((M, A), Pn, np.int32)
    Qi = np.full((M, B), N + 1, np.int32)  # N: the time t, N + 1: an appended 1
    for i, (a, b) in enumerate(zip(pl.P, pl.Q)):
        Pi[i, : len(a)] = a
        Qi[i, : len(b)] = [N if q == TIME else q for q in b]
    seg = np.zeros(M, np.int32)
    seg[: len(pl.seg)] = pl.seg
    den_one = np.ones(R)
    den_one[: len(pl.den_one)] = pl.den_one
    row, col, val = np.zeros(E, np.int32), np.zeros(E, np.int32), np.zeros(E)
    row[: len(pl.row)], col[: len(pl.col)], val[: len(pl.val)] = pl.row, pl.col, pl.val
    tt = np.full(T, ts[-1], np.float64)
    tt[: len(ts)] = ts
    return (y, pp, coef, Pi, Qi, seg, den_one, row, col, val, tt, np.asarray(tol, np.float64))


@contextlib.contextmanager
def _checks_as_nan():
    """Trace Equinox's run-time checks in their `nan` mode (no host callback: cacheable)."""
    import equinox._errors as errors  # the module global `error_if` reads at trace time

    old = errors.EQX_ON_ERROR
    errors.EQX_ON_ERROR = "nan"
    try:
        yield
    finally:
        errors.EQX_ON_ERROR = old


def _solve_fn(sizes, solver: str, max_steps: int):
    """The pure padded solve: inputs of `_padded_inputs` -> (ys (T, N), code, steps);
    code 0 success, 1 the step budget ran out, 2 another failure."""
    import jax
    import jax.numpy as jnp

    N, _, R, *_ = sizes

    def rhs(t, y, args):
        p, coef, Pi, Qi, seg, den_one, row, col, val = args
        pe = jnp.concatenate([p, jnp.ones((1,), p.dtype)])
        ye = jnp.concatenate([y, jnp.reshape(t, (1,)).astype(y.dtype), jnp.ones((1,), y.dtype)])
        m = coef * jnp.prod(pe[Pi], -1) * jnp.prod(ye[Qi], -1)
        s = jax.ops.segment_sum(m, seg, 2 * R)
        v = s[0::2] / (s[1::2] + den_one)
        return jax.ops.segment_sum(val * v[col], row, N)

    def solve(y0, p, coef, Pi, Qi, seg, den_one, row, col, val, ts, tol):
        if solver == "tsit5":  # Diffrax's Tsit5 step for step; traces in 0.1 s (Diffrax 0.45 s), XLA 0.95 s (1.3 s)
            from .tsit5 import solve as tsit5

            return tsit5(rhs, y0, ts, (p, coef, Pi, Qi, seg, den_one, row, col, val), tol[0], tol[1], tol[2], tol[3], max_steps)
        import diffrax

        from ..solvers.config import diffrax_solver

        ctrl = diffrax.PIDController(rtol=tol[0], atol=tol[1], pcoeff=tol[2], icoeff=tol[3])
        sol = diffrax.diffeqsolve(
            diffrax.ODETerm(rhs), diffrax_solver(solver), t0=ts[0], t1=ts[-1], dt0=None, y0=y0,
            args=(p, coef, Pi, Qi, seg, den_one, row, col, val), saveat=diffrax.SaveAt(ts=ts),
            stepsize_controller=ctrl, max_steps=max_steps, throw=False,
        )
        code = jnp.where(sol.result == diffrax.RESULTS.successful, 0,
                         jnp.where(sol.result == diffrax.RESULTS.max_steps_reached, 1, 2))
        return sol.ys, code, sol.stats["num_accepted_steps"]

    return solve


def _key(sizes, solver: str, max_steps: int) -> str:
    from importlib.metadata import version

    import jax

    from .._version import __version__

    parts = (sizes, solver, max_steps, jax.__version__, version("diffrax"), version("equinox"), __version__, _SOURCE_HASH,
             jax.default_backend(), bool(jax.config.jax_enable_x64))
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def program_dir() -> Path | None:
    """Where exported programs are kept (crnzoo's cache directory), None when caching is off."""
    from .._cache import cache_dir, cache_enabled

    return cache_dir() / "sbml-programs" if cache_enabled() else None


def _shapes(sizes):
    import jax

    N, Pn, R, M, A, B, E, T = sizes
    f64, i32 = np.float64, np.int32
    shapes = [((N,), f64), ((Pn,), f64), ((M,), f64), ((M, A), i32), ((M, B), i32), ((M,), i32), ((R,), f64),
              ((E,), i32), ((E,), i32), ((E,), f64), ((T,), f64), ((4,), f64)]
    return [jax.ShapeDtypeStruct(s, d) for s, d in shapes]


@functools.lru_cache(maxsize=32)
def _program(sizes, solver: str, max_steps: int):
    """The compiled padded solve: loaded from crnzoo's cache directory when an earlier process
    compiled it (no tracing, no XLA), else traced and compiled here (JAX's persistent cache
    may still hold the XLA part) and written there when crnzoo's cache is on."""
    import jax
    from jax.experimental import serialize_executable as se

    where = program_dir()
    path = where / f"{_key(sizes, solver, max_steps)}.exe" if where is not None else None
    specs = _shapes(sizes)
    in_tree = jax.tree_util.tree_structure((tuple(specs), {}))
    if solver.startswith("kvaerno"):  # implicit solvers call LAPACK: its kernels are set up when a program is lowered
        _init_lapack()
    if path is not None and path.is_file():
        try:
            out_tree = jax.tree_util.tree_structure((0, 0, 0))
            return se.deserialize_and_load(path.read_bytes(), in_tree, out_tree)
        except Exception:  # an unreadable entry (another JAX wrote it, a torn file): compile anew
            pass
    # compiled afresh, never taken from JAX's persistent cache: an executable that came from
    # that cache serialises without its kernels and fails when a later process runs it
    with _checks_as_nan(), _persistent_cache(path is None):
        lowered = jax.jit(_solve_fn(sizes, solver, max_steps)).lower(*specs)
        try:
            compiled = lowered.compile(compiler_options=compiler_options(sizes))
        except Exception:  # another XLA without these options
            compiled = lowered.compile()
    if path is not None:
        try:
            blob, _, _ = se.serialize(compiled)
        except (ValueError, NotImplementedError):  # this backend cannot serialise: nothing is kept
            return compiled
        _write_atomic(path, blob)
        _evict(path.parent)
    return compiled


def compiler_options(sizes) -> dict:
    """XLA options for a program of `sizes` on the CPU (measured on a 20-reaction model, tsit5):
    the older fusion emitters compile in half the time (0.95 -> 0.5 s) for ~10% slower
    steps; a program of the smallest class (up to ~20 reactions, where a solve takes
    milliseconds and the first compile is most of a cold start) is also compiled at
    optimisation level 0 (0.5 -> 0.27 s, steps ~2.5x slower)."""
    import jax

    if jax.default_backend() != "cpu":
        return {}
    options = {"xla_cpu_use_fusion_emitters": False}
    if tuple(sizes[:4]) == SMALL:
        options["xla_backend_optimization_level"] = 0
    return options


@contextlib.contextmanager
def _persistent_cache(on: bool):
    """JAX's persistent compilation cache on or off for the block (as before after it). JAX
    decides once per process whether to use the cache, so the decision is reset both ways."""
    import jax
    from jax.experimental.compilation_cache import compilation_cache

    was = jax.config.jax_enable_compilation_cache
    if on or not was:
        yield
        return
    jax.config.update("jax_enable_compilation_cache", False)
    compilation_cache.reset_cache()
    try:
        yield
    finally:
        jax.config.update("jax_enable_compilation_cache", was)
        compilation_cache.reset_cache()


def _evict(where: Path, keep: int = MAX_PROGRAMS) -> None:
    """Keep the `keep` most recently written programs (each a few hundred kB)."""
    try:
        files = sorted(where.glob("*.exe"), key=lambda f: f.stat().st_mtime, reverse=True)
        for f in files[keep:]:
            f.unlink(missing_ok=True)
    except OSError:  # another process evicted first
        pass


def _init_lapack() -> None:
    try:
        from jax._src.lax import linalg

        linalg.initialize_lapack()
    except (ImportError, AttributeError):  # another JAX: its lowering sets LAPACK up
        pass


def _write_atomic(path: Path, blob: bytes) -> None:
    """Write `blob` to `path` through a temporary file (never a torn entry); a read-only
    cache is no error (nothing is kept)."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(blob)
        os.replace(tmp, path)
        tmp = None
    except OSError:
        pass
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def simulate_shared(model, ts, solver=None, x0=None):
    """Solve `model` (an `SBMLModel`) at save times `ts` with the shared program of its size class.

    Returns `(ys (T, N) numpy, code, accepted steps)` (code: 0 success, 1 out of steps, 2
    other failure), or None when the model or the solver needs the model's own program
    (`plan`; solvers with fixed steps, a chosen first step or `rosenbrock`).
    """
    from ..solvers.config import SolverConfig

    solver = solver or SolverConfig()
    if solver.solver not in _SOLVERS or solver.dt is not None or solver.dt0 is not None:
        return None
    pl = plan(model)
    if isinstance(pl, str):
        return None
    ts = np.asarray(ts, np.float64)
    sizes = pl.sizes(len(ts))
    scale = np.sqrt(pl.n / sizes[0])  # RMS over the padded state == RMS over the model's own
    tol = (solver.rtol * scale, solver.atol * scale, solver.pcoeff, solver.icoeff)
    y0 = np.asarray(model.x0 if x0 is None else x0, np.float64)
    with _checks_as_nan():
        ys, code, steps = _program(sizes, solver.solver, int(solver.max_steps))(
            *_padded_inputs(pl, sizes, y0, np.asarray(model.params, np.float64), ts, tol))
    return np.asarray(ys)[: len(ts), : pl.n], int(code), int(steps)


def trajectory(model, ts, solver=None, x0=None, name: str | None = None):
    """`crnzoo.simulate(model, ts, x0, solver=solver)` through the shared program: the same
    checks and errors (`StateError`, `SimulationError`), a `Trajectory`; None when the model
    needs its own program (see `simulate_shared`)."""
    from ..solve import SimulationError, Trajectory, check_state

    ts = np.asarray(ts, np.float64)
    if ts.ndim != 1 or ts.size < 2 or not np.all(np.isfinite(ts)) or np.any(np.diff(ts) < 0) or ts[-1] <= ts[0]:
        return None  # `crnzoo.simulate` words the error
    x = check_state(model, model.x0 if x0 is None else x0)
    if x.ndim != 1:
        return None  # a batch: `crnzoo.simulate`
    out = simulate_shared(model, ts, solver, x)
    if out is None:
        return None
    ys, code, _ = out
    if code or not np.all(np.isfinite(ys)):
        reached = ts[np.argmin(np.all(np.isfinite(ys), axis=1))] if not np.all(np.isfinite(ys)) else ts[-1]
        why = {1: "the maximum number of steps was reached", 2: "the solver failed"}.get(code, "the state became NaN or infinite")
        raise SimulationError(f"simulation of {name or model.spec.name} failed before t={float(reached):.6g} "
                              f"(solver {(solver.solver if solver else 'tsit5')}, max_steps {(solver.max_steps if solver else 16384)}): {why}")
    return Trajectory(ts, ys, model.species, model.species, 1)
