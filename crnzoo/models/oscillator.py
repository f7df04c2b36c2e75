"""The oscillator family's entries (card data; behaviour in `crnzoo/tasks/oscillator.py`).

- `three-phase-oscillator`: hand-designed, Mordvintsev et al. 2023 Fig. 1 / Listing 1.
- `oscillator-frequency`, `oscillator-amplitude`: learned controllable oscillators, App. B.2.
"""

from __future__ import annotations

import functools

from .._registry import ZooEntry, register
from ..solvers.config import SolverConfig
from ..tasks import _oscillation as osc
from ..tasks import _oscillator_control as ctl
from ..tasks.oscillator import THREE_PHASE_ROLES, THREE_PHASE_SPECIES, AmplitudeTask, FrequencyTask, ThreePhaseTask
from ._papers import MORDVINTSEV


entry = functools.partial(ZooEntry, builder="catalytic", paper=MORDVINTSEV)
register(
    entry(
        name="three-phase-oscillator",
        system="Three-phase (rock-paper-scissors) oscillator: A, B, C rise and fall in turn forever",
        task=ThreePhaseTask(),
        config={"species": list(THREE_PHASE_SPECIES), "fixed": [], "roles": list(THREE_PHASE_ROLES), "k_min": None, "train_x0": False},
        section="§1.1, Fig. 1, App. A.1 Listing 1",
        t1=30.0,
        solver=SolverConfig("tsit5", rtol=1e-8, atol=1e-10),
        roles=dict(zip(THREE_PHASE_SPECIES, THREE_PHASE_ROLES)),
        protocol="x0 = (A, B, C) = (0.8, 0.1, 0.1); no inputs; simulate t ∈ [0, 30]",
        training=f"hand-designed: {MORDVINTSEV}, Fig. 1 (python scripts/make_reference.py)",
    )
)


def controlled(name: str, fig: int, task, system: str, protocol: str) -> ZooEntry:
    """A learned controllable oscillator (App. B.2, Fig. `fig`), made by scripts/train_oscillator.py;
    its config, roles, horizon, default schedule and training settings are its task's."""
    return entry(
        name=name,
        system=system,
        task=task,
        config=task.config,
        section=f"App. B.2 Dynamically controllable oscillators, Fig. {fig}; target from paper-targets §A.3 (PROPOSED)",
        t1=task.t1,
        solver=osc.EVAL_SOLVER,
        schedule=task.schedule,
        k_report=osc.K_MIN,
        roles=task.roles,
        protocol=protocol,
        training=f"python scripts/train_oscillator.py {name}",
        seed=0,
        train_config=task.train,
    )


TRAINED = f"fixed-step Tsit5 dt = 0.5; straight-through sparsified at k_min = 1e-3; {ctl.SEEDS} initialisations, best shipped"
FREQUENCY_PROTOCOL = (
    "U (control) is held at u and only catalyses; target A(t) = 0.25 + 0.25 sin(2π u t / 20) on [0, 100] "
    "(200 times) from the learned x0 of A..E (Σ = 1); training batches of 8 levels stratified over "
    "u ∈ [0.5, 2]; stage 1 (train_config): MSE phase locked at t = 0; stage 2 (card field training_stage2): "
    f"MSE against the best-phase target on [{ctl.FREQ_SKIP_LOSS:g}, 100]; {TRAINED}. "
    f"Default schedule: U = {ctl.FREQ_LEVELS[0]:g}, switched to {ctl.FREQ_LEVELS[1]:g} at t = {ctl.FREQ_SWITCH:g}"
)
AMPLITUDE_PROTOCOL = (
    "A(0) = a ∈ [0.2, 0.6] sets the amplitude; target A(t) = a (0.5 + 0.5 cos(2π t / 20)) on [0, 100] "
    f"(200 times) from the learned x0 of B..E (Σ = 1); training batches of 8 values stratified over a; {TRAINED}. "
    f"Default x0: A = {ctl.AMP_DEFAULT:g}; default schedule adds {ctl.AMP_ADD:g} of A at t = {ctl.AMP_ADD_T:g}"
)

register(
    controlled(
        "oscillator-frequency",
        10,
        FrequencyTask(),
        "Learned 5-species oscillator whose frequency is set by a control catalyst U: f = U / 20 for U ∈ [0.5, 2]",
        FREQUENCY_PROTOCOL,
    )
)
register(
    controlled(
        "oscillator-amplitude",
        11,
        AmplitudeTask(),
        "Learned 5-species oscillator whose amplitude is carried by A itself: A(t) = A(0)·(0.5 + 0.5 cos(2π t/20))",
        AMPLITUDE_PROTOCOL,
    )
)
