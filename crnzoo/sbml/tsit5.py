"""Tsitouras' 5(4) pair as one `lax.while_loop`: Diffrax's `Tsit5` + `PIDController` step for
step, in a program that compiles in a fraction of the time.

The SBML size-class programs (`crnzoo.sbml.program`) are compiled once per machine, and that
first compile is most of a cold `crnzoo simulate model.xml` (measured, CPU s, for a
20-reaction model: Diffrax's program takes 0.3 to import Diffrax, 0.45 to trace and 1.3 for
XLA; this one 0.1 to trace and 0.95 for XLA, Diffrax not imported). It is the same algorithm as
`diffrax.diffeqsolve(ODETerm(f), Tsit5(), t0=ts[0], t1=ts[-1], dt0=None, y0,
saveat=SaveAt(ts=ts), stepsize_controller=PIDController(rtol, atol, pcoeff, icoeff),
max_steps, throw=False)` with Diffrax 0.7's choices reproduced:

- the first step is 0.01 (clipped to the interval): `diffeqsolve` wraps the term, and
  `_select_initial_step` returns 0.01 for anything that is not an `ODETerm` itself;
- the error `rms(err / (atol + rtol max(|y0|, |y1|)))` (a NaN error read as inf: the step is
  rejected and shrunk), the PID factor `0.9 ε^-(p+i)/5 ε_prev^(p/5)` clipped to [0.2, 10]
  (accepted) or [0.2, 0.9] (rejected);
- a step ending within 100 ulp of the end lands on it; a save time is the 5th-order Tsit5
  interpolant of the step that reaches it; `max_steps` counts accepted and rejected steps.

Steps and results equal Diffrax's to round-off (tests/test_sbml_tsit5.py and
tests/test_sbml_program.py compare them).
The save times are written by a masked update over all of them per step (no nested loop).
Time `t` and state `y` are float64 arrays; `f(t, y, args)` returns dy/dt.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
from jax import lax

# Diffrax 0.7's `_tsit5_tableau` (Tsitouras 2011), to double precision
_A = (
    (0.161,),
    (-0.008480655492356988544426874250230774675121177393430391537369234245294192976164141156943,
     0.3354806554923569885444268742502307746751211773934303915373692342452941929761641411569),
    (2.897153057105493432130432594192938764924887287701866490314866693455023795137503079289,
     -6.359448489975074843148159912383825625952700647415626703305928850207288721235210244366,
     4.362295432869581411017727318190886861027813359713760212991062156752264926097707165077),
    (5.325864828439256604428877920840511317836476253097040101202360397727981648835607691791,
     -11.74888356406282787774717033978577296188744178259862899288666928009020615663593781589,
     7.495539342889836208304604784564358155658679161518186721010132816213648793440552049753,
     -0.09249506636175524925650207933207191611349983406029535244034750452930469056411389539635),
    (5.861455442946420028659251486982647890394337666164814434818157239052507339770711679748,
     -12.92096931784710929170611868178335939541780751955743459166312250439928519268343184452,
     8.159367898576158643180400794539253485181918321135053305748355423955009222648673734986,
     -0.07158497328140099722453054252582973869127213147363544882721139659546372402303777878835,
     -0.02826905039406838290900305721271224146717633626879770007617876201276764571291579142206),
    (0.09646076681806522951816731316512876333711995238157997181903319145764851595234062815396,
     0.01,
     0.4798896504144995747752495322905965199130404621990332488332634944254542060153074523509,
     1.379008574103741893192274821856872770756462643091360525934940067397245698027561293331,
     -3.290069515436080679901047585711363850115683290894936158531296799594813811049925401677,
     2.324710524099773982415355918398765796109060233222962411944060046314465391054716027841),
)
_B = np.array(_A[-1] + (0.0,))
_B_ERR = _B - np.array([
    0.09468075576583945807478876255758922856117527357724631226139574065785592789071067303271,
    0.009183565540343253096776363936645313759813746240984095238905939532922955247253608687270,
    0.4877705284247615707855642599631228241516691959761363774365216240304071651579571959813,
    1.234297566930478985655109673884237654035539930748192848315425833500484878378061439761,
    -2.707712349983525454881109975059321670689605166938197378763992255714444407154902012702,
    1.866628418170587035753719399566211498666255505244122593996591602841258328965767580089,
    1 / 66,
])
_C = (0.161, 0.327, 0.9, 0.9800255409045096857298102862870245954942137979563024768854764293221195950761080302604, 1.0, 1.0)
_ERROR_ORDER = 5.0  # Diffrax's `error_order` of Tsit5: its embedded 4th-order estimate + 1


def _rms(x):
    return jnp.sqrt(jnp.mean(x**2))


def _interp_weights(s):
    """Diffrax's `_Tsit5Interpolation` weights (7, ...) at the rescaled time s in [0, 1]."""
    b1 = -1.0530884977290216 * s * (s - 1.3299890189751412) * (s**2 - 1.4364028541716351 * s + 0.7139816917074209)
    b2 = 0.1017 * s**2 * (s**2 - 2.1966568338249754 * s + 1.2949852507374631)
    b3 = 2.490627285651252793 * s**2 * (s**2 - 2.38535645472061657 * s + 1.57803468208092486)
    b4 = -16.54810288924490272 * (s - 1.21712927295533244) * (s - 0.61620406037800089) * s**2
    b5 = 47.37952196281928122 * (s - 1.203071208372362603) * (s - 0.658047292653547382) * s**2
    b6 = -34.87065786149660974 * (s - 1.2) * (s - 0.666666666666666667) * s**2
    b7 = 2.5 * (s - 1) * (s - 0.6) * s**2
    return jnp.stack([b1, b2, b3, b4, b5, b6, b7])


def _step(f, t0, dt, y0, f0, args):
    """One Tsit5 step from (t0, y0) with f0 = f(t0, y0): (y1, error, stages k (7, N) as
    increments dt f, f(t0 + dt, y1) for the next step's first stage)."""
    a = np.zeros((7, 7))
    for i, row in enumerate(_A):
        a[i + 1, : len(row)] = row
    a, c = jnp.asarray(a, y0.dtype), jnp.asarray((0.0,) + _C, y0.dtype)

    def stage(i, carry):  # one traced copy of f (compile time grows with copies, not with steps)
        k, _, _ = carry
        yi = y0 + jnp.tensordot(a[i], k, 1)
        fi = f(t0 + c[i] * dt, yi, args)
        return k.at[i].set(fi * dt), yi, fi

    k0 = jnp.zeros((7,) + y0.shape, y0.dtype).at[0].set(f0 * dt)
    k, yi, fi = lax.fori_loop(1, 7, stage, (k0, y0, f0))
    err = jnp.tensordot(jnp.asarray(_B_ERR, y0.dtype), k, 1)
    return yi, err, k, fi  # the last stage is at (t0 + dt, y1): Tsit5's b equals its row of a


def solve(f, y0, ts, args, rtol, atol, pcoeff, icoeff, max_steps: int):
    """Solve dy/dt = f(t, y, args) from ts[0] to ts[-1] (ts non-decreasing, ts[-1] > ts[0]),
    saving at `ts`. Returns (ys (T, N), code, accepted steps): code 0 success, 1 the step
    budget `max_steps` ran out (unreached save times are inf)."""
    t_start, t_end = ts[0], ts[-1]
    floor = t_end
    for _ in range(100):  # Diffrax's t1 - 100 ulp: a step ending past it ends at t1
        floor = jnp.nextafter(floor, jnp.asarray(-jnp.inf, floor.dtype))
    dt0, f_start = 0.01, f(t_start, y0, args)  # Diffrax 0.7's first step when dt0=None (see the module docstring)
    coeff1, coeff2 = (icoeff + pcoeff) / _ERROR_ORDER, -pcoeff / _ERROR_ORDER
    one = jnp.ones((), y0.dtype)
    ys0 = jnp.full((ts.shape[0],) + y0.shape, jnp.inf, y0.dtype)
    init = (t_start, jnp.minimum(t_start + dt0, t_end), y0, f_start, ys0, jnp.zeros(ts.shape, bool),
            one, jnp.zeros((), jnp.int32), jnp.zeros((), jnp.int32))

    def cond(c):
        return (c[0] < t_end) & (c[7] < max_steps)

    def body(c):
        tprev, tnext, y, fy, ys, saved, inv, n, n_ok = c  # inv: 1 / the last accepted step's error
        dt = tnext - tprev
        y1, err, k, f1 = _step(f, tprev, dt, y, fy, args)
        y1_ok = jnp.where(jnp.isnan(y1).any(), y, y1)
        err = jnp.where(jnp.isnan(err), jnp.inf, err)
        scaled = _rms(err / (atol + jnp.maximum(jnp.abs(y), jnp.abs(y1_ok)) * rtol))
        scaled = jnp.where(jnp.isnan(scaled), jnp.inf, scaled)
        keep = scaled < 1
        new_inv = 1 / scaled
        factor = jnp.clip(0.9 * new_inv**coeff1 * inv**coeff2, jnp.where(keep, 1.0, 0.2), jnp.where(keep, 10.0, 0.9))
        new_dt = dt * factor
        new_inv = jnp.where((new_inv == 0) | jnp.isinf(new_inv), 1.0, new_inv)
        t0n = jnp.minimum(jnp.where(keep, tnext, tprev), t_end)
        t1n = t0n + new_dt
        t1n = jnp.where(t1n > floor, jnp.where(keep, t_end, t0n + 0.5 * (t_end - t0n)), t1n)
        # save times reached by this (accepted) step: the interpolant on [tprev, tnext]
        new = keep & ~saved & (ts <= tnext)
        s = (ts - tprev) / dt
        yi = y + jnp.tensordot(_interp_weights(s).T, k, 1)
        ys = jnp.where(new[:, None], yi, ys)
        return (t0n, t1n, jnp.where(keep, y1, y), jnp.where(keep, f1, fy), ys, saved | new,
                jnp.where(keep, new_inv, inv), n + 1, n_ok + keep.astype(jnp.int32))

    out = lax.while_loop(cond, body, init)
    code = jnp.where(out[0] < t_end, 1, 0)
    return out[4], code, out[8]

