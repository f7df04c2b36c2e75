"""crnzoo: a model zoo of pretrained, differentiable chemical reaction networks.

`crnzoo.load(NAME)`, `crnzoo.list_models(PATTERN)` and `crnzoo.card(NAME)` are the hub
(`crnzoo.zoo`); `crnzoo.simulate` solves any model or reaction network.

Importing crnzoo turns on JAX's 64-bit mode (`jax_enable_x64`): concentrations span
many orders of magnitude and the zoo's checks are stated in float64.
"""

import jax as _jax


_jax.config.update("jax_enable_x64", True)

from .crn import CatalyticCRN as CatalyticCRN, CRNModel as CRNModel, MassActionCRN as MassActionCRN, MembraneRing as MembraneRing  # noqa: E402
from .network import MassAction as MassAction, Reaction as Reaction, ReactionNetwork as ReactionNetwork  # noqa: E402
from .solve import Schedule as Schedule, SimulationError as SimulationError, SolverConfig as SolverConfig, StateError as StateError, Trajectory as Trajectory, simulate as simulate  # noqa: E402

from .zoo import card as card, list_models as list_models, load as load  # noqa: E402

from ._version import __version__ as __version__  # noqa: E402


def finetune(base: str, target, **options):
    """Fine-tune zoo model `base` (name or checkpoint directory) on a user's `target` and
    measure it on that target: `crnzoo.finetuning.finetune` (options `out`, `steps`, `seed`,
    `lr`, `progress`); returns a `FineTuned` (`.model`, `.card`, `.reached`, `.broken`)."""
    from .finetuning import finetune as run

    return run(base, target, **options)
