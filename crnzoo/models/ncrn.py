"""Neural CRNs that trained themselves chemically: the `ncrn-*` entries.

Nagipogu & Reif, "Neural CRNs: A Natural Implementation of Learning in Chemical Reaction
Networks" (arXiv 2409.00034 v2), §3–4, Tables 2–5, SI S5; the reference values are the
authors' code's best runs (NeuralCRNGen). Each model is a `crnzoo.neural.NeuralCRN`: the
whole learning circuit compiled from the Neural ODE, whose checkpoint holds the parameter
concentrations θ reached by chemical training (`crnzoo/tasks/ncrn.py`). Inference is stage
N1: load x into X and Z, run the forward CRN for time T, read ŷ = W z(T).
`crnzoo finetune ncrn-linreg2d --data my.csv` continues chemical learning on a user's CSV.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from .._registry import ZooEntry, register
from ..neural import NeuralSpec
from ..solvers.config import SolverConfig
from ..tasks import ncrn as t
from ..tasks.ncrn import ChemicalLearning, NeuralCRNTask, loss_metrics
from ._papers import NAGIPOGU


def _entry(
    name: str,
    system: str,
    section: str,
    dataset: Callable[[int], t.TaskData],
    spec: NeuralSpec,
    init: str,
    epochs: int,
    metrics: Mapping[str, tuple],
    reference: str,
    default_input: tuple[float, ...] = (1.0, 1.0),
    data: tuple[str, ...] = (),
    one_pot: bool = False,
) -> ZooEntry:
    """An ncrn entry: its task (data, circuit, chemical training) and the card data derived from it."""
    task = NeuralCRNTask(name, dataset, ChemicalLearning(spec, init, epochs), metrics, reference, default_input, one_pot)
    return register(
        ZooEntry(
            name=name,
            system=system,
            task=task,
            builder="neural_crn",
            config=task.config(),
            paper=NAGIPOGU,
            section=section,
            t1=spec.T,
            solver=SolverConfig("tsit5", rtol=1e-7, atol=1e-9),
            roles=task.roles(),
            protocol=task.protocol(),
            training=f"python scripts/train_ncrn.py {name}",
            seed=task.learning.seed,
            train_config=task.learning,
            data=data,
        )
    )


def _accuracy(what: str, paper, promise) -> tuple:
    return (what, paper, promise, 1e-9)


LR = NeuralSpec(n_features=2, d=2, bias=0.1, z_dual=False, p_dual=False, T=0.5, eta=0.1)
MINIMAL = NeuralSpec(n_features=2, d=2, z_dual=False, p_dual=False, shared_adjoint=True, T=0.5, eta=0.1)
FIRST_ORDER = NeuralSpec(n_features=2, d=3, pad=1.0, power=2, order="first", T=0.6, eta=0.1)
CUBIC = NeuralSpec(n_features=2, d=3, theta="full", pad=0.2, power=3, x_dual=True, T=0.9, eta=0.5, max_molecularity=3)
QUADRATIC = NeuralSpec(n_features=2, d=3, theta="full", pad=0.2, power=2, alpha=0.3, railwise=True, x_dual=True, T=0.9, eta=0.5)
# Rings2D (issue 17): four pads instead of one (d = 6, full 6×6 θ). With d = 3 the circuit is a sum of three
# independent one-dimensional flows z_i(T) = Φ(x_i; θ_i·x) and its best fit (full-batch Adam on the same loss) is
# 78 % — the old cards' plateau; with six components it can build an even function of ‖x‖. η 0.2 (cubic) keeps
# the last epoch's batch-1 noise small; κ 1000 (quadratic) keeps the rail-wise z|z| close to its ODE (gradient invariant).
RINGS_CUBIC = NeuralSpec(n_features=2, d=6, theta="full", pad=0.2, power=3, x_dual=True, T=0.9, eta=0.2, max_molecularity=3)
RINGS_QUADRATIC = NeuralSpec(n_features=2, d=6, theta="full", pad=0.2, power=2, alpha=0.3, railwise=True, x_dual=True, T=0.9, eta=0.5, fast_rate=1000.0)
# Linear2D (issue 17): the minimal linear circuit, T, η and epochs of the reference code, trained with a one-sided
# loss (an ON output above y_ON = 4 is not penalised; label-gated N2, crnzoo.neural._one_sided). With the paper's
# squared loss the exact minimiser on this training set has validation accuracy 0.980, the old card's plateau.
LINEAR = NeuralSpec(n_features=2, d=2, z_dual=False, p_dual=False, shared_adjoint=True, T=0.8, eta=0.01, one_sided=2.0)
GRID_40 = "accuracy on the 40×40 grid of [0, 1]² (1,600 points; ON iff ŷ > 0.5)"
RINGS_VAL = "accuracy on the 201 validation points (ON iff ŷ > 0.5)"
XOR_VAL = _accuracy("accuracy on the 31 validation points", None, None)

_entry(
    "ncrn-linreg2d",
    "LR-NCRN: chemical linear regressor on LinReg2D (y = x1 + 2x2 + 1 + noise), learnt by its own reactions",
    "§3.2, Table 5, Fig. 4 (code: linear_regression branch)",
    t.linreg2d, LR, "uniform:0.1,0.5", 5, loss_metrics(0.119, "<= 0.119"),
    "reference code: val loss 4.25 → 0.119 after 5 epochs (41 train / 101 val, unseeded data)",
    default_input=(3.0, 3.0), one_pot=True,
)
_entry(
    "ncrn-linreg-minimal",
    "Minimal learning circuit (13 reactions, 15 species: no bias, one shared adjoint) on bias-free LinReg2D (y = x1 + 2x2 + noise)",
    "§3.2, 'A minimal learning circuit in the Neural CRNs framework'",
    t.linreg2d_unbiased, MINIMAL, "uniform:0.1,0.5", 5,
    loss_metrics("not reported (no code; the circuit is described in §3.2)", "<= 0.119"),
    "paper: 13 reactions, 15 species; no loss reported (noise floor ½σ² = 0.08)",
    default_input=(3.0, 3.0),
)
_entry(
    "ncrn-nonlinreg2d",
    "NLR-NCRN: chemical nonlinear regressor (f = θ⊙x + h − ½z⊙z, Catalyst rate laws) on NonLinReg2D (y = x1·x2 + x2² + noise)",
    "§3.3, Fig. 5 (code: nonlinear_regression_z2_dotprod)",
    t.nonlinreg2d, NeuralSpec(n_features=2, d=3, pad=1.0, bias=0.1, power=2, T=0.4, eta=0.1, convention="catalyst"),
    "absnormal:0,0.4", 300, loss_metrics(0.075, "<= 0.075"),
    "reference code: val loss 0.916 → 0.075 after 200 epochs (T 0.4, η 0.2, h 0.1, Catalyst rate laws)",
)
_entry(
    "ncrn-linear2d",
    "LC-NCRN: chemical linear classifier on Linear2D (ON iff x1 + 2x2 > 2; ŷ > 2 reads ON), trained with a one-sided "
    "loss in place of the paper's ½(ŷ − y)² (issue 17: an ON output above y_ON = 4 is not penalised; label-gated adjoint stage N2)",
    "§3.4, Fig. 6a–c (code: linear branch)",
    t.linear2d, LINEAR,
    "absnormal:0.2,0.5", 10,
    {
        "val_accuracy": _accuracy(
            "accuracy on the 101 validation points (training seeds 0–9 on this data set: 10 of 10 reach 1.0 with the one-sided "
            "loss, 0 of 10 reach 0.99 with the squared loss; scripts/issue17/ncrn_linear2d_closure.py train)", 0.99, ">= 0.99"),
        "grid_accuracy": _accuracy("accuracy on the 60×60 grid of [0, 2]² (3,600 points)", 0.944, ">= 0.944"),
        **loss_metrics(0.629, None),
        "val_accuracy_one_sided_minimiser": _accuracy(
            "validation accuracy of the minimiser (θ ≥ 0, L-BFGS-B; the loss is convex) of the one-sided loss this checkpoint "
            "trains, on this training set (over data seeds 0–199 it reaches >= 0.99 on 103 of 200, mean 0.978: no more often "
            "than the squared loss's 100 of 200 — data seed 0 is one where it lands right)", None, None),
        "val_accuracy_bayes": _accuracy("Bayes-optimal accuracy of the validation set (labels are a noise-free function of x; the circuit's family holds the true boundary)", None, None),
        "val_accuracy_loss_minimiser": _accuracy(
            "validation accuracy of the exact minimiser (NNLS, θ ≥ 0) of the paper's squared loss ½(ŷ − y)² on this training set: "
            "the ceiling of any training that minimises that loss here (the card's checkpoint before issue 17 sat at it: 0.980) (over data seeds 0–199 it reaches >= 0.99 on 100 of 200, "
            "mean 0.983: the paper's 0.99 on its unseeded data is within that spread)", None, None),
        "grid_accuracy_loss_minimiser": _accuracy("grid accuracy of that minimiser", None, None),
        "val_distance_min": _accuracy("smallest distance of a validation point from the boundary x1 + 2x2 = 2 (no label noise)", None, None),
    },
    "reference code: val accuracy 0.871 → 0.990, grid accuracy 0.944 (T 0.8, η 0.01, 10 epochs, squared loss). "
    "Our reading of the paper: the LC-NCRN f = θ⊙x with β = 0 and no augmented dimension (d = 2, as the code's linear "
    "branch), θ ≥ 0 on single-rail P, labels 4 / 0, threshold 2. Changed (issue 17): the loss is one-sided — the paper's "
    "labels as targets, an ON output above 4 not penalised (ŷ reaches 5.9 on the grid, beyond §3.4's y_OFF ≤ ŷ ≤ y_ON) — "
    "because the paper's squared loss tops out at 0.980 here (its exact minimiser); pads, fixed biases, signed θ and the "
    "cubic family were measured and not shipped (scripts/issue17/ncrn_linear2d.md)",
    one_pot=True,
)
_entry(
    "ncrn-nonlinreg2d-first",
    "First-order NLR-NCRN (adjoint held constant: g = T·a·x; no Z/A backpropagation CRNs) on NonLinReg2D",
    "§3.3 and SI S5.1 (code: neuralcrn_dotprod_simpler.jl)",
    t.nonlinreg2d, FIRST_ORDER, "absnormal:0,0.4", 150, loss_metrics(0.070, "<= 0.070"),
    "reference code: val loss 1.25 → 0.070 after 50 epochs (first-order, T 1.0, η 0.6, h 0, Catalyst rate laws)",
)
_entry(
    "ncrn-sinreg",
    "First-order NLR-NCRN (adjoint held constant: g = T·a·x) on SinReg (y = sin(x1) + x2² + noise)",
    "SI S5.2 (code: nonlinear_regression_z2_dotprod_sinxx2, neuralcrn_dotprod_simpler.jl)",
    t.sinreg, NeuralSpec(n_features=2, d=3, pad=1.0, power=2, order="first", T=0.6, eta=0.3),
    "absnormal:0,0.4", 50, loss_metrics(0.075, "<= 0.075"),
    "reference code: val loss 0.399 → 0.075 after 50 epochs (first-order, T 0.6, η 0.6, Catalyst rate laws)",
    one_pot=True,
)


def _nonlinear_classifier(name, spec, dataset, section, paper_accuracy, promise, paper_loss, reference, epochs=150) -> ZooEntry:
    """Rings2D (validation accuracy, `epochs`) or XOR2D (grid accuracy, 40 epochs) with a full d×d θ."""
    kind = (CUBIC_NLC if spec.power == 3 else QUADRATIC_NLC).replace("3×3", f"{spec.d}×{spec.d}")
    if dataset is t.rings2d:
        accuracies = {"val_accuracy": _accuracy(RINGS_VAL, paper_accuracy, promise)}
        return _entry(name, f"{kind} on Rings2D", section, dataset, spec, "normal:0,1/sqrtd", epochs, {**accuracies, **loss_metrics(paper_loss, None)}, reference, (0.5, 0.5))
    accuracies = {"grid_accuracy": _accuracy(GRID_40, paper_accuracy, promise), "val_accuracy": XOR_VAL}
    return _entry(name, f"{kind} on XOR2D", section, dataset, spec, "normal:0,1/sqrtd", 40, {**accuracies, **loss_metrics(paper_loss, None)}, reference, (0.25, 0.75))


CUBIC_NLC = "NLC-NCRN: chemical nonlinear classifier (cubic f = θx − z⊙z⊙z, full 3×3 θ)"
QUADRATIC_NLC = "Bimolecular NLC-NCRN (f = θx − 0.3·z|z|: rail-wise 2Z -> Z with fast annihilation, full 3×3 θ)"
# name, circuit, dataset, section, the paper's accuracy, promise, the paper's validation loss, reference
_nonlinear_classifier(
    "ncrn-rings2d", RINGS_CUBIC, t.rings2d, "§3.4, Fig. 6d–f (code: nonlinear_z3, rings_forreproducibility)",
    "0.935 (v1-era run); 0.726 (v2 code's saved run)", ">= 0.935", 0.102,
    "reference: v2 code 72.6 % (val loss 0.102, 64 epochs, T 0.9, effective step 0.5, Catalyst z³/6, d = 3); v1-era run 93.5 %. "
    "Ours: d = 6 (2 features + 4 pads of 0.2; the augmented dimensions of §3.3), T 0.9, η 0.2 (with d = 3: 78.1 %)",
)
_nonlinear_classifier(
    "ncrn-xor2d", CUBIC, t.xor2d, "§3.4, Fig. 6g–i (code: nonlinear_z3, xor_forreproducibility)", 0.847, ">= 0.8", 0.059,
    "reference code: grid accuracy 84.7 % (val loss 0.059, 30 epochs, T 0.9, effective step 0.5, Catalyst z³/6)",
)
_nonlinear_classifier(
    "ncrn-rings2d-quadratic", RINGS_QUADRATIC, t.rings2d, "SI S8 (code: nonlinear_z3_linapprox, rings_final_v2)", 0.822, ">= 0.822", 0.377,
    "reference code: accuracy 82.2 % on its own rings variant (centred at (1, 1) in [0, 2]², r ≤ 0.4 / 0.6–1, "
    "y_ON 2, pad 1.0, T 0.4). Ours: the issue's Rings2D on U(−1, 1)², d = 6 (2 features + 4 pads of 0.2), T 0.9, "
    "η 0.5, κ 1000 (with d = 3, κ 100: 78.1 %)",
    epochs=60,
)
_nonlinear_classifier(
    "ncrn-xor2d-quadratic", QUADRATIC, t.xor2d, "SI S8 (code: nonlinear_z3_linapprox, xor_final)", 0.788, ">= 0.788", 0.074,
    "reference code: grid accuracy 78.8 % (val loss 0.074; T 0.4, effective step 0.5, forward 0.3: 2Z -> Z under Catalyst). "
    "Ours: T 0.9 (with T 0.4 this circuit stayed near chance: grid 43 %)",
)
_entry(
    "ncrn-iris",
    "Neural CRN classifier on Iris (3 classes; f = θx, θ the 3×7 rows of three output components; ŷ_k = z_k(T))",
    "v1 §Iris / v2 SI S9 ('preliminary'; code: irisnew branch)",
    t.iris, NeuralSpec(n_features=4, d=7, theta="readout", pad=1.0, power=0, readout="last", n_out=3, x_dual=True, T=0.6, eta=0.05),
    "normal:0,1/sqrtd", 60,
    {
        "val_accuracy": _accuracy("accuracy (argmax ŷ) on the 30 held-out flowers of the shuffled 120/30 split", 0.867, ">= 0.86"),
        **loss_metrics(None, None),
    },
    "reference code (v1, irisnew): val accuracy ≈ 0.867 (26/30) after 40 epochs (T 0.6, η 0.01, trained 5×3 read-out)",
    default_input=(0.5, 0.5, 0.5, 0.5), data=(t.IRIS_CSV,),
)
