"""Neural CRNs (Nagipogu & Reif): a compiler from polynomial vector ODEs to mass-action CRNs
and the self-training learning circuit (staged and one-pot chemical learning)."""

from .circuit import (  # noqa: F401
    NeuralCRN as NeuralCRN,
    NeuralSpec as NeuralSpec,
    build_circuit as build_circuit,
    neural_ode_grad as neural_ode_grad,
    run_epoch as run_epoch,
)
from .compiler import (  # noqa: F401
    MolecularityError as MolecularityError,
    NotKineticError as NotKineticError,
    Poly as Poly,
    compile_ode as compile_ode,
)
