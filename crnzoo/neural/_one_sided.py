"""The label-gated adjoint stage of a one-sided classification loss (issue 17, `ncrn-linear2d`).

The paper's loss ½(ŷ − y)² penalises a binary classifier for an output beyond its label on the
correct side (ŷ > y_ON for an ON sample). The one-sided loss drops that penalty:

    L = ½·min(ŷ − y, 0)²  for ON samples (y > φ),   L = ½·max(ŷ − y, 0)²  for OFF samples,

so its adjoint is a = min(ŷ − y, 0) (ON) or max(ŷ − y, 0) (OFF). With the shared adjoint of the
minimal circuit (a = ŷ − y on rails A_p, A_m) the stage N2 becomes label-gated. The experimenter
loads, beside Y = y, a one-hot label: Yon = 1 for an ON sample (else 0) and Yoff = 1 − Yon.
N2 (phase C2, all at κ):

    Z_j + Yon  -> Hz + Yon        Y + Yon  -> A_m + Yon       Hz + A_m -> ∅
    Z_j + Yoff -> A_p + Yoff      Y + Yoff -> Hy + Yoff       Hy + A_p -> ∅

ON: A_m is made from y and eaten by the copy Hz of ŷ, so it ends at max(y − ŷ, 0) and A_p
at 0: a = min(ŷ − y, 0). OFF: A_p ends at max(ŷ − y, 0) and A_m at 0. Each adjoint rail is only
made by one conversion and only removed by one annihilation, so the final values do not depend
on the rates (the stage is rate-independent; run to completion it is exact, and one-pot it
approaches them as κ grows). The flush (phase C1) removes the leftover carriers Hz, Hy at κ.
N3 is the minimal circuit's (dg/ds = a·∂f/∂θ), so G after N3 is ∂L/∂θ of the one-sided loss.
Concentrations and time are dimensionless.
"""

from __future__ import annotations

import jax.numpy as jnp

from ..network import Reaction
from ._spec import NeuralSpec
from .compiler import Rails

LABELS = {
    "yon": "Yon",
    "yoff": "Yoff",
}  # the one-hot label the experimenter loads (inputs)
CARRIERS = {
    "hz": "Hz",
    "hy": "Hy",
}  # copies of ŷ and y that cancel the wrong-side adjoint rail


def stems(spec: NeuralSpec) -> dict[str, str]:
    """The single-rail variables this stage adds (none without `one_sided`)."""
    return {**LABELS, **CARRIERS} if spec.one_sided is not None else {}


def adjoint_setup(spec: NeuralSpec, z: list[str], rails: Rails) -> list[Reaction]:
    """N2 of the one-sided loss (module docstring); `z`: the hidden-state variables."""
    kappa = spec.fast_rate
    a_p, a_m = rails.species("a")
    (y,) = rails.species("y0")
    on, off = LABELS["yon"], LABELS["yoff"]
    hz, hy = CARRIERS["hz"], CARRIERS["hy"]
    n2: list[Reaction] = []
    for var in z:
        (zs,) = rails.species(var)
        n2 += [
            Reaction({zs: 1, on: 1}, {hz: 1, on: 1}, kappa, "N2"),
            Reaction({zs: 1, off: 1}, {a_p: 1, off: 1}, kappa, "N2"),
        ]
    n2 += [
        Reaction({y: 1, on: 1}, {a_m: 1, on: 1}, kappa, "N2"),
        Reaction({y: 1, off: 1}, {hy: 1, off: 1}, kappa, "N2"),
        Reaction({hz: 1, a_m: 1}, {}, kappa, "N2"),
        Reaction({hy: 1, a_p: 1}, {}, kappa, "N2"),
    ]
    return n2


def flush(spec: NeuralSpec) -> list[Reaction]:
    """The leftover carriers decay at κ in the flush (phase C1)."""
    return [Reaction({s: 1}, {}, spec.fast_rate, "flush") for s in CARRIERS.values()]


def label_values(spec: NeuralSpec, y):
    """(Yon, Yoff) for a sample with target `y`: the one-hot label (ON iff y > φ)."""
    on = jnp.where(jnp.sum(y) > spec.one_sided, 1.0, 0.0)
    return on, 1.0 - on
