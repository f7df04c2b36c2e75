"""Parameterised CRN representations; each emits a `ReactionNetwork`."""

from .base import CRNModel as CRNModel
from .catalytic import CatalyticCRN as CatalyticCRN
from .diffusion import MembraneRing as MembraneRing
from .indexed import IndexedCRN as IndexedCRN
from .mass_action import MassActionCRN as MassActionCRN
