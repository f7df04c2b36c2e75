"""The solver layer below `crnzoo.solve`: settings, errors, the batched error norm, and the
solvers crnzoo adds to Diffrax's (`DiagonalRosenbrock`, the fixed-step RK4 used in training).

Dependencies run one way: `config` imports nothing of crnzoo; `rosenbrock` and `rk4` import
only `config`; `crnzoo.solve` imports this package.
"""

from .config import SimulationError as SimulationError, SolverConfig as SolverConfig, StateError as StateError, worst_member_rms as worst_member_rms
from .rk4 import rk4_trajectory as rk4_trajectory
from .rosenbrock import DiagonalRosenbrock as DiagonalRosenbrock, euler_final as euler_final
