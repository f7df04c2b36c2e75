"""Finite molecule counts: exact (Gillespie) and approximate (tau-leaping) stochastic simulation.

Ω is the number of molecules per unit concentration (n = c·Ω); see `crnzoo.ssa._kernel` for
the propensities and `crnzoo.ssa.simulate` for the methods. `crnzoo.ssa.robustness` finds
the smallest Ω at which an entry's function still holds. `crnzoo.ssa.sbml` runs an imported
SBML model (each kinetic law is its reaction's propensity) and `crnzoo.ssa.dsmts` judges the
SBML Test Suite's stochastic (DSMTS) cases by the suite's z-score tests.
"""

from .simulate import METHODS, SSAError, SSAResult, compile_network, ssa_simulate

__all__ = ["METHODS", "SSAError", "SSAResult", "compile_network", "ssa_simulate"]
