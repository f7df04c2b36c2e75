"""Neural CRNs (Nagipogu & Reif): a compiler from polynomial vector ODEs to mass-action CRNs
and the self-training learning circuit (staged and one-pot chemical learning).

- `compiler`: `Poly`, `Rails`, `compile_ode` (one catalytic reaction per signed monomial).
- `NeuralSpec` (`_spec`): the Neural ODE, rails, read-out and learning settings (card config).
- `build_circuit`, `Circuit`, `complete_fast` (`_build`): the reactions of stages N1–N4 and flush.
- `NeuralCRN` and the state I/O (`_model`): the zoo model whose trained state is θ.
- `run_epoch`, step functions (`_learning`): chemical learning, staged or one-pot.
- `neural_ode_grad`, `first_order_grad` (`_oracle`): the gradient the G species must hold.
"""

from ._build import PHASE as PHASE, STAGES as STAGES, Circuit as Circuit, build_circuit as build_circuit, complete_fast as complete_fast
from ._learning import (
    one_pot_finish as one_pot_finish,
    one_pot_phase_fns as one_pot_phase_fns,
    one_pot_state as one_pot_state,
    one_pot_step_fn as one_pot_step_fn,
    run_epoch as run_epoch,
    staged_step_fn as staged_step_fn,
)
from ._model import (
    DEFAULT_TOL as DEFAULT_TOL,
    NeuralCRN as NeuralCRN,
    load_input as load_input,
    load_params as load_params,
    read_grad as read_grad,
    read_output as read_output,
    read_params as read_params,
    solve_stage as solve_stage,
    stage_kinetics as stage_kinetics,
)
from ._oracle import first_order_grad as first_order_grad, neural_ode_grad as neural_ode_grad, neural_ode_value_and_grad as neural_ode_value_and_grad
from ._spec import NeuralSpec as NeuralSpec
from .compiler import MolecularityError as MolecularityError, NotKineticError as NotKineticError, Poly as Poly, Rails as Rails, compile_ode as compile_ode
