"""Solver settings, the errors a solve reports, and the error norm of a batched state.

A leaf module: it imports nothing of crnzoo, so the solvers and `crnzoo.solve` can share it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import jax.numpy as jnp
from jaxtyping import Array


class SimulationError(RuntimeError):
    """A solve failed or diverged."""


class StateError(ValueError):
    """An initial state or schedule was refused (shape, sign, NaN, unknown species)."""


# Diffrax's solvers by name (Diffrax class names, lower case); "rosenbrock" is built around the
# model (`crnzoo.solve`). Diffrax is imported when a solver is made, not with this module.
_DIFFRAX_NAMES = ("tsit5", "dopri5", "dopri8", "kvaerno3", "kvaerno4", "kvaerno5")
SOLVER_NAMES = (*_DIFFRAX_NAMES, "rosenbrock", "rosenbrock3")


def diffrax_solver(name: str):
    """A new Diffrax solver called `name` (one of Diffrax's in `SOLVER_NAMES`)."""
    if name not in _DIFFRAX_NAMES:
        raise ValueError(f"solver {name!r} is not one of Diffrax's: {', '.join(_DIFFRAX_NAMES)}")
    import diffrax

    return getattr(diffrax, name.capitalize())()


def worst_member_rms(y: Array) -> Array:
    """Error norm of a batched state (batch, ...): the largest per-member RMS.

    One step-size controller then serves a whole batch solved as one system: every member
    meets the tolerance, as if it were solved alone. A NaN error (a stage that left the
    vector field's domain) reads as inf: Diffrax then rejects the step and shrinks it by
    `factormin`, where a NaN would make every later step size NaN until `max_steps`.
    """
    if y.ndim <= 1:
        n = jnp.sqrt(jnp.mean(y**2))
    else:
        n = jnp.max(jnp.sqrt(jnp.mean(y.reshape(y.shape[0], -1) ** 2, axis=1)))
    return jnp.where(jnp.isnan(n), jnp.inf, n)


@dataclasses.dataclass(frozen=True)
class SolverConfig:
    """How to solve a model: solver name, PID step control, step budget.

    `rtol`/`atol` apply to concentrations (in the model's units). `pcoeff`/`icoeff` are the
    PID controller's coefficients (0 / 1 is plain integral control; 0.3 / 0.3 suits mildly
    stiff networks). Explicit `tsit5` suits non-stiff networks, `kvaerno3/5` stiff ones;
    `rosenbrock` (a Rosenbrock-W method with the model's diagonal destruction rates, for
    models with `HasDestructionRate`, such as indexed CRNs) large batches of stiff systems;
    `rosenbrock3` (third order, four stages) the same at tight tolerances.
    `dt`, when set, switches to fixed steps of that size (no error control; fast for
    training, as the papers' RK4 grids are). `dt0`, when set, is the first step of an
    adaptive solve (default: Diffrax chooses it).
    """

    solver: str = "tsit5"
    rtol: float = 1e-7
    atol: float = 1e-9
    max_steps: int = 16384
    pcoeff: float = 0.0
    icoeff: float = 1.0
    dt: float | None = None
    dt0: float | None = None

    def __post_init__(self):
        if self.solver not in SOLVER_NAMES:
            raise ValueError(f"unknown solver {self.solver!r}; choose from {', '.join(SOLVER_NAMES)}")
        if not (self.rtol > 0 and self.atol > 0 and self.max_steps > 0):
            raise ValueError("rtol, atol and max_steps must be positive")
        if self.dt is not None and not self.dt > 0:
            raise ValueError(f"a fixed step dt must be positive, got {self.dt}")
        if self.dt0 is not None and not self.dt0 > 0:
            raise ValueError(f"a first step dt0 must be positive, got {self.dt0}")

    @property
    def first_step(self) -> float | None:
        """The step Diffrax starts with: `dt` for fixed steps, else `dt0` (None: its choice)."""
        return self.dt if self.dt is not None else self.dt0

    def to_dict(self) -> dict:
        """The fields, without `dt0` when unset (cards written before it existed stay equal)."""
        d = dataclasses.asdict(self)
        if d["dt0"] is None:
            del d["dt0"]
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "SolverConfig":
        """The config of a card's `solver` field; `ValueError` naming a bad field."""
        if not isinstance(d, Mapping):
            raise ValueError(f"a solver field must be a mapping, got {type(d).__name__}")
        fields = {f.name: f.type for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - set(fields))
        if unknown:
            raise ValueError(f"solver field has unknown key(s) {', '.join(unknown)}; keys are {', '.join(fields)}")
        for k, v in d.items():
            ok = isinstance(v, str) if k == "solver" else (v is None and k in ("dt", "dt0")) or (
                isinstance(v, (int, float)) and not isinstance(v, bool) and (k != "max_steps" or float(v).is_integer())
            )
            if not ok:
                raise ValueError(f"solver field {k!r} has the invalid value {v!r}")
        return cls(**d)

    def controller(self, jump_ts=None) -> diffrax.AbstractStepSizeController:
        """The step-size controller: constant steps with `dt`, else PID on `worst_member_rms`,
        clipped to land on `jump_ts` (times where held inputs switch)."""
        import diffrax

        if self.dt is not None:
            return diffrax.ConstantStepSize()
        pid = diffrax.PIDController(
            rtol=self.rtol, atol=self.atol, pcoeff=self.pcoeff, icoeff=self.icoeff, norm=worst_member_rms
        )
        if jump_ts is None or len(jump_ts) == 0:
            return pid
        return diffrax.ClipStepSizeController(pid, jump_ts=jnp.asarray(jump_ts))


def result_message(result) -> str:
    """Diffrax's message for a (concrete, unbatched) `diffrax.RESULTS` item."""
    import diffrax

    return diffrax.RESULTS[result]
