"""The solver layer below `crnzoo.solve`: settings, errors, the batched error norm, and the
solvers crnzoo adds to Diffrax's (`DiagonalRosenbrock`, the fixed-step RK4 used in training).

Dependencies run one way: `config` imports nothing of crnzoo; `rosenbrock` and `rk4` import
only `config`; `crnzoo.solve` imports this package.
"""

from .config import SimulationError as SimulationError, SolverConfig as SolverConfig, StateError as StateError, worst_member_rms as worst_member_rms

_LAZY = {"rk4_trajectory": "rk4", "DiagonalRosenbrock": "rosenbrock", "DiagonalRosenbrock3": "rosenbrock", "euler_final": "rosenbrock"}


def __getattr__(name: str):
    """`rk4_trajectory`, `DiagonalRosenbrock(3)`, `euler_final`: imported on first use (they import Diffrax)."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
