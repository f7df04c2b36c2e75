"""Reaction-diffusion on a 2-D grid, and the zoo's reaction-diffusion CRN modules.

- `grid`: `Grid` (shape, spacing, periodic / no-flux walls, 5-point or spectral Laplacian).
- `imex`: `simulate_field` (IMEX steps: reactions explicit, diffusion implicit in Fourier /
  cosine space, fast annihilation to completion, `jax.checkpoint`ed segments), `imex_step`,
  `mol_rhs` (the method-of-lines right-hand side, for cross-checks).
- `memory`: the memory estimate checked before allocating (`SpatialMemoryError`).
- `capabilities`: `HasDiffusion`, `HasFastReactions`, `HasSplitFlow` — what a module may offer the solver.
- `gray_scott`: `GrayScott` (§5.2 textures); `hopfield`: `HopfieldRD` (§5.3, Turing's portrait).
"""

from .capabilities import HasDiffusion as HasDiffusion, HasFastReactions as HasFastReactions, HasSplitFlow as HasSplitFlow
from .grid import BOUNDARIES as BOUNDARIES, LAPLACIANS as LAPLACIANS, Grid as Grid
from .imex import (
    METHODS as METHODS,
    RDSolution as RDSolution,
    diffusion_factor as diffusion_factor,
    imex_step as imex_step,
    local_model as local_model,
    reaction_update as reaction_update,
    mol_rhs as mol_rhs,
    simulate_field as simulate_field,
)
from .memory import SpatialMemoryError as SpatialMemoryError, available_memory as available_memory, check_memory as check_memory, estimate_memory as estimate_memory
from .gray_scott import GrayScott as GrayScott
from .hopfield import HopfieldKinetics as HopfieldKinetics, HopfieldRD as HopfieldRD
