"""Neural CRNs that trained themselves chemically: `ncrn-*` entries.

Nagipogu & Reif, "Neural CRNs: A Natural Implementation of Learning in Chemical Reaction
Networks" (arXiv 2409.00034 v2), §3–4, Tables 2–5, SI S5; the reference values are the
authors' code's best runs (NeuralCRNGen; see the card of each entry). Each model is a
`crnzoo.neural.NeuralCRN`: the whole learning circuit (N1 forward, N2 adjoint set-up, N3
backward/gradient, N4 update, flush) compiled from the Neural ODE, whose checkpoint holds
the parameter concentrations θ reached by **chemical training** (`staged` mode: each slow
stage one ODE solve of its reaction network, fast stages run to completion) on a dataset
regenerated from the card's seed. Inference is stage N1: load x into X and Z, run the
forward CRN for time T, read ŷ = W z(T).

`crnzoo finetune ncrn-linreg2d --data my.csv` continues chemical learning on a user's CSV
(inputs then target columns) and writes a new checkpoint directory.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jax.numpy as jnp
import numpy as np

from ..neural.circuit import NeuralCRN, NeuralSpec, build_circuit
from ..solve import SolverConfig
from ..tasks import neural_crn as tasks
from .._legacy import ZooEntry, register, register_builder

PAPER = "Nagipogu & Reif (2024/25), Neural CRNs: A Natural Implementation of Learning in Chemical Reaction Networks, arXiv 2409.00034 v2"
BUILDER = "neural_crn"
CURVES = "curves.png"
BOUNDARY = "boundary.png"


def _build(config: Mapping[str, Any]) -> NeuralCRN:
    spec = NeuralSpec.from_dict(config["spec"])
    return NeuralCRN(jnp.zeros(spec.n_params), spec, tuple(float(v) for v in config.get("default_input", ())))


register_builder(BUILDER, _build)


@dataclasses.dataclass(frozen=True)
class Recipe:
    """How one entry is made: task, circuit, initial θ, chemical training settings."""

    name: str
    system: str
    section: str
    task: Callable[..., tasks.TaskData]
    spec: NeuralSpec
    init: str  # "uniform:lo,hi" | "absnormal:mu,sd" | "normal:mu,sd" (sd divided by sqrt(d) when "/sqrtd")
    epochs: int
    seed: int
    metrics: Mapping[str, tuple]
    reference: str
    default_input: tuple[float, ...]
    mode: str = "staged"

    def data(self) -> tasks.TaskData:
        return self.task(self.seed)

    def theta0(self) -> np.ndarray:
        kind, args = self.init.split(":")
        scaled = args.endswith("/sqrtd")
        a, b = (float(v) for v in args.replace("/sqrtd", "").split(","))
        rng = np.random.default_rng(self.seed + 1000)
        n = self.spec.n_params
        if kind == "uniform":
            th = rng.uniform(a, b, n)
        elif kind == "absnormal":
            th = np.abs(rng.normal(a, b, n))
        else:
            th = rng.normal(a, b, n)
        return th / np.sqrt(self.spec.d) if scaled else th

    def train_config(self) -> dict:
        return {
            "mode": self.mode,
            "epochs": self.epochs,
            "T": self.spec.T,
            "eta": self.spec.eta,
            "seed": self.seed,
            "theta_init": self.init,
            "batch": 1,
            "rate_law_convention": self.spec.convention,
            "fast_rate": self.spec.fast_rate,
        }


class _Config:
    def __init__(self, d):
        self.d = d

    def to_dict(self):
        return self.d


def _loss_metrics(paper_val, promise_val, what="validation") -> dict:
    return {
        "val_loss": (f"mean ½(ŷ − y)² on the {what} set (N1 inference from the checkpoint)", paper_val, promise_val, 1e-6),
        "train_loss": ("mean ½(ŷ − y)² on the training set after training", None, None, 1e-6),
    }


RECIPES: dict[str, Recipe] = {}


def _add(r: Recipe) -> None:
    RECIPES[r.name] = r


_add(
    Recipe(
        name="ncrn-linreg2d",
        system="LR-NCRN: chemical linear regressor on LinReg2D (y = x1 + 2x2 + 1 + noise), learnt by its own reactions",
        section="§3.2, Table 5, Fig. 4 (code: linear_regression branch)",
        task=lambda seed: tasks.linreg2d(seed),
        spec=NeuralSpec(n_features=2, d=2, bias=0.1, z_dual=False, p_dual=False, T=0.5, eta=0.1),
        init="uniform:0.1,0.5",
        epochs=5,
        seed=0,
        metrics=_loss_metrics(0.119, "<= 0.119"),
        reference="reference code: val loss 4.25 → 0.119 after 5 epochs (41 train / 101 val, unseeded data)",
        default_input=(3.0, 3.0),
    )
)
_add(
    Recipe(
        name="ncrn-linreg-minimal",
        system="Minimal learning circuit (13 reactions, 15 species: no bias, one shared adjoint) on bias-free LinReg2D (y = x1 + 2x2 + noise)",
        section="§3.2, 'A minimal learning circuit in the Neural CRNs framework'",
        task=lambda seed: tasks.linreg2d(seed, bias=False),
        spec=NeuralSpec(n_features=2, d=2, z_dual=False, p_dual=False, shared_adjoint=True, T=0.5, eta=0.1),
        init="uniform:0.1,0.5",
        epochs=5,
        seed=0,
        metrics=_loss_metrics("not reported (no code; the circuit is described in §3.2)", "<= 0.119"),
        reference="paper: 13 reactions, 15 species; no loss reported (noise floor ½σ² = 0.08)",
        default_input=(3.0, 3.0),
    )
)
_add(
    Recipe(
        name="ncrn-nonlinreg2d",
        system="NLR-NCRN: chemical nonlinear regressor (f = θ⊙x + h − z⊙z) on NonLinReg2D (y = x1·x2 + x2² + noise)",
        section="§3.3, Fig. 5 (code: nonlinear_regression_z2_dotprod)",
        task=lambda seed: tasks.nonlinreg2d(seed),
        spec=NeuralSpec(n_features=2, d=3, pad=1.0, bias=0.1, power=2, T=0.4, eta=0.1, convention="catalyst"),
        init="absnormal:0,0.4",
        epochs=300,
        seed=0,
        metrics=_loss_metrics(0.075, "<= 0.075"),
        reference="reference code: val loss 0.916 → 0.075 after 200 epochs (T 0.4, η 0.2, h 0.1, Catalyst rate laws)",
        default_input=(1.0, 1.0),
    )
)
_add(
    Recipe(
        name="ncrn-linear2d",
        system="LC-NCRN: chemical linear classifier on Linear2D (ON iff x1 + 2x2 > 2; ŷ > 2 reads ON)",
        section="§3.4, Fig. 6a–c (code: linear branch)",
        task=lambda seed: tasks.linear2d(seed),
        spec=NeuralSpec(n_features=2, d=2, z_dual=False, p_dual=False, shared_adjoint=True, T=0.8, eta=0.01),
        init="absnormal:0.2,0.5",
        epochs=10,
        seed=0,
        metrics={
            "val_accuracy": ("accuracy on the 101 validation points", 0.99, ">= 0.97", 1e-9),
            "grid_accuracy": ("accuracy on the 60×60 grid of [0, 2]² (3,600 points)", 0.944, ">= 0.944", 1e-9),
            **_loss_metrics(0.629, None),
        },
        reference="reference code: val accuracy 0.871 → 0.990, grid accuracy 0.944 (T 0.8, η 0.01, 10 epochs)",
        default_input=(1.0, 1.0),
    )
)

_add(
    Recipe(
        name="ncrn-nonlinreg2d-first",
        system="First-order NLR-NCRN (adjoint held constant: g = T·a·x; no Z/A backpropagation CRNs) on NonLinReg2D",
        section="§3.3 and SI S5.1 (code: neuralcrn_dotprod_simpler.jl)",
        task=lambda seed: tasks.nonlinreg2d(seed),
        spec=NeuralSpec(n_features=2, d=3, pad=1.0, power=2, order="first", T=0.6, eta=0.1),
        init="absnormal:0,0.4",
        epochs=150,
        seed=0,
        metrics=_loss_metrics(0.070, "<= 0.070"),
        reference="reference code: val loss 1.25 → 0.070 after 50 epochs (first-order, T 1.0, η 0.6, h 0, Catalyst rate laws)",
        default_input=(1.0, 1.0),
    )
)
_add(
    Recipe(
        name="ncrn-sinreg",
        system="First-order NLR-NCRN (adjoint held constant: g = T·a·x) on SinReg (y = sin(x1) + x2² + noise)",
        section="SI S5.2 (code: nonlinear_regression_z2_dotprod_sinxx2, neuralcrn_dotprod_simpler.jl)",
        task=lambda seed: tasks.sinreg(seed),
        spec=NeuralSpec(n_features=2, d=3, pad=1.0, power=2, order="first", T=0.6, eta=0.3),
        init="absnormal:0,0.4",
        epochs=50,
        seed=0,
        metrics=_loss_metrics(0.075, "<= 0.075"),
        reference="reference code: val loss 0.399 → 0.075 after 50 epochs (first-order, T 0.6, η 0.6, Catalyst rate laws)",
        default_input=(1.0, 1.0),
    )
)
_CUBIC = NeuralSpec(n_features=2, d=3, theta="full", pad=0.2, power=3, x_dual=True, T=0.9, eta=0.5, max_molecularity=3)
_add(
    Recipe(
        name="ncrn-rings2d",
        system="NLC-NCRN: chemical nonlinear classifier (cubic f = θx − z⊙z⊙z, full 3×3 θ) on Rings2D",
        section="§3.4, Fig. 6d–f (code: nonlinear_z3, rings_forreproducibility)",
        task=lambda seed: tasks.rings2d(seed),
        spec=_CUBIC,
        init="normal:0,1/sqrtd",
        epochs=150,
        seed=0,
        metrics={
            "val_accuracy": (
                "accuracy on the 201 validation points (ON iff ŷ > 0.5)",
                "0.935 (v1-era run); 0.726 (v2 code's saved run)",
                ">= 0.7",
                1e-9,
            ),
            **_loss_metrics(0.102, None),
        },
        reference="reference: v2 code 72.6 % (val loss 0.102, 64 epochs, T 0.9, effective step 0.5, Catalyst z³/6); v1-era run 93.5 %",
        default_input=(0.5, 0.5),
    )
)
_add(
    Recipe(
        name="ncrn-xor2d",
        system="NLC-NCRN: chemical nonlinear classifier (cubic f = θx − z⊙z⊙z, full 3×3 θ) on XOR2D",
        section="§3.4, Fig. 6g–i (code: nonlinear_z3, xor_forreproducibility)",
        task=lambda seed: tasks.xor2d(seed),
        spec=_CUBIC,
        init="normal:0,1/sqrtd",
        epochs=40,
        seed=0,
        metrics={
            "grid_accuracy": ("accuracy on the 40×40 grid of [0, 1]² (1,600 points; ON iff ŷ > 0.5)", 0.847, ">= 0.8", 1e-9),
            "val_accuracy": ("accuracy on the 31 validation points", None, None, 1e-9),
            **_loss_metrics(0.059, None),
        },
        reference="reference code: grid accuracy 84.7 % (val loss 0.059, 30 epochs, T 0.9, effective step 0.5, Catalyst z³/6)",
        default_input=(0.25, 0.75),
    )
)
_QUADRATIC = NeuralSpec(n_features=2, d=3, theta="full", pad=0.2, power=2, alpha=0.3, railwise=True, x_dual=True, T=0.9, eta=0.5)
_add(
    Recipe(
        name="ncrn-rings2d-quadratic",
        system="Bimolecular NLC-NCRN (f = θx − 0.3·z|z|: rail-wise 2Z -> Z with fast annihilation, full 3×3 θ) on Rings2D",
        section="SI S8 (code: nonlinear_z3_linapprox, rings_final_v2)",
        task=lambda seed: tasks.rings2d(seed),
        spec=_QUADRATIC,
        init="normal:0,1/sqrtd",
        epochs=150,
        seed=0,
        metrics={
            "val_accuracy": ("accuracy on the 201 validation points (ON iff ŷ > 0.5)", 0.822, None, 1e-9),
            **_loss_metrics(0.377, None),
        },
        reference="reference code: accuracy 82.2 % on its own rings variant (centred at (1, 1) in [0, 2]², r ≤ 0.4 / 0.6–1, "
        "y_ON 2, pad 1.0, T 0.4). Ours: the issue's Rings2D on U(−1, 1)², pad 0.2, T 0.9",
        default_input=(0.5, 0.5),
    )
)
_add(
    Recipe(
        name="ncrn-xor2d-quadratic",
        system="Bimolecular NLC-NCRN (f = θx − 0.3·z|z|: rail-wise 2Z -> Z with fast annihilation, full 3×3 θ) on XOR2D",
        section="SI S8 (code: nonlinear_z3_linapprox, xor_final)",
        task=lambda seed: tasks.xor2d(seed),
        spec=_QUADRATIC,
        init="normal:0,1/sqrtd",
        epochs=40,
        seed=0,
        metrics={
            "grid_accuracy": ("accuracy on the 40×40 grid of [0, 1]² (1,600 points; ON iff ŷ > 0.5)", 0.788, ">= 0.788", 1e-9),
            "val_accuracy": ("accuracy on the 31 validation points", None, None, 1e-9),
            **_loss_metrics(0.074, None),
        },
        reference="reference code: grid accuracy 78.8 % (val loss 0.074; T 0.4, effective step 0.5, forward 0.3: 2Z -> Z under Catalyst). "
        "Ours: T 0.9 (with T 0.4 this circuit stayed near chance: grid 43 %)",
        default_input=(0.25, 0.75),
    )
)
_add(
    Recipe(
        name="ncrn-iris",
        system="Neural CRN classifier on Iris (3 classes; f = θx, θ the 3×7 rows of three output components; ŷ_k = z_k(T))",
        section="v1 §Iris / v2 SI S9 ('preliminary'; code: irisnew branch)",
        task=lambda seed: tasks.iris(seed),
        spec=NeuralSpec(n_features=4, d=7, theta="readout", pad=1.0, power=0, readout="last", n_out=3, x_dual=True, T=0.6, eta=0.05),
        init="normal:0,1/sqrtd",
        epochs=60,
        seed=0,
        metrics={
            "val_accuracy": ("accuracy (argmax ŷ) on the 30 held-out flowers of the shuffled 120/30 split", 0.867, ">= 0.86", 1e-9),
            **_loss_metrics(None, None),
        },
        reference="reference code (v1, irisnew): val accuracy ≈ 0.867 (26/30) after 40 epochs (T 0.6, η 0.01, trained 5×3 read-out)",
        default_input=(0.5, 0.5, 0.5, 0.5),
    )
)


def config(r: Recipe) -> dict:
    return {"spec": r.spec.to_dict(), "default_input": list(r.default_input)}


def make_model(r: Recipe, theta=None) -> NeuralCRN:
    return NeuralCRN(jnp.asarray(r.theta0() if theta is None else theta), r.spec, r.default_input)


def evaluate_fn(r: Recipe):
    def evaluate(model, fast: bool = False) -> dict[str, float]:
        values = tasks.metrics(model, r.data())
        return {k: values[k] for k in r.metrics}

    return evaluate


def circuit_summary(spec: NeuralSpec) -> dict:
    """Species and reaction counts of the learning circuit, per stage."""
    c = build_circuit(spec)
    return {
        "species": len(c.species),
        "reactions_per_stage": c.counts(),
        "species_per_stage": c.stage_species(),
        "max_molecularity_without_clock": c.molecularity(),
        "clock_gating": "each reaction runs in its stage's clock phase (N1, N4, flush: C1; N2, N3: C2); "
        "network(clocks=True) writes the clock as a catalyst of each reaction (molecularity + 1)",
        "rate_law_convention": spec.convention
        + (
            " (the ODE as written: 2Z -> Z at k has flux k·Z²)"
            if spec.convention == "paper"
            else " (Catalyst's n! factor, as the authors' code: f = θx − ½z⊙z; the listing's rates are the Catalyst rates divided by n!)"
        ),
    }


def fit(r: Recipe, seed: int | None = None, epochs: int | None = None, progress: bool = True, mode: str | None = None):
    """Chemical training from the recipe's initial θ; returns (model, card extras, history, data)."""
    if seed is not None:
        r = dataclasses.replace(r, seed=int(seed))
    data = r.data()
    model = make_model(r)
    mode = mode or r.mode
    trained, hist = tasks.chemical_train(model, data, epochs or r.epochs, r.seed, mode, progress)
    extra = {
        "circuit": circuit_summary(r.spec),
        "training_result": {
            "theta_initial": [float(v) for v in r.theta0()],
            "theta_final": [float(v) for v in np.asarray(trained.theta)],
            "history": hist.to_dict(),
            "reference": r.reference,
            "dataset": f"{r.task.__doc__ or ''}".strip() or "see crnzoo/tasks/neural_crn.py",
            "sizes": {"train": len(data.train.x), "val": len(data.val.x), "grid": None if data.grid is None else len(data.grid.x)},
        },
        "training_wall_s": hist.wall_s,
    }
    return trained, extra, hist, data


def _readout_text(spec: NeuralSpec) -> str:
    if spec.readout == "sum":
        return "Σ_i z_i(T)"
    first = 1 if spec.readout == "first" else spec.d - spec.n_out + 1
    return f"(z_{first}(T), …, z_{first + spec.n_out - 1}(T)), the class is the argmax"


def _entry(r: Recipe) -> ZooEntry:
    c = build_circuit(r.spec)
    return ZooEntry(
        name=r.name,
        system=r.system,
        family="neural_crn",
        builder=BUILDER,
        config=config(r),
        make=lambda: make_model(r),
        evaluate=evaluate_fn(r),
        metrics=r.metrics,
        paper=PAPER,
        section=r.section,
        t1=r.spec.T,
        solver=SolverConfig("tsit5", rtol=1e-7, atol=1e-9),
        roles=dict(c.roles),
        protocol=(
            f"inference = stage N1: parameters P hold θ, X = Z(0) = x (features {list(range(1, r.spec.n_features + 1))} "
            f"then {r.spec.d - r.spec.n_features} pad(s) of {r.spec.pad:g}), clock C1 on; run to t = T = {r.spec.T:g}; "
            f"ŷ = {_readout_text(r.spec)}. Learning: N2/N3 in phase C2 "
            f"(Y = y loaded), N4 + flush in phase C1; fast reactions at κ = {r.spec.fast_rate:g}. Default x0: x = {list(r.default_input)}"
        ),
        training=f"python scripts/train_neural_crn.py --only {r.name}",
        seed=r.seed,
        fit=lambda seed=None, steps=None, run_dir=None, progress=True: fit(r, seed, steps, progress)[:2],
        train_config=_Config(r.train_config()),
        data=(tasks.IRIS_CSV,) if r.name == "ncrn-iris" else (),
    )


ENTRIES = {name: _entry(r) for name, r in RECIPES.items()}

# Entries whose weights are shipped (registered); the others can be trained with the script.
SHIPPED: tuple[str, ...] = (
    "ncrn-linreg2d",
    "ncrn-linreg-minimal",
    "ncrn-nonlinreg2d",
    "ncrn-nonlinreg2d-first",
    "ncrn-sinreg",
    "ncrn-linear2d",
    "ncrn-rings2d",
    "ncrn-xor2d",
    "ncrn-rings2d-quadratic",
    "ncrn-xor2d-quadratic",
    "ncrn-iris",
)

for _name in SHIPPED:
    register(ENTRIES[_name])


# ---- fine-tuning on a user's CSV ------------------------------------------------------------------


def finetune(name: str, csv_path: str, epochs: int = 5, seed: int = 0, out: str | None = None, progress: bool = True) -> tuple[Path, dict]:
    """Continue chemical learning of a shipped Neural CRN on a CSV of inputs and targets.

    Writes a new checkpoint directory (`out`, default `./NAME-finetuned`); refuses to write
    over the shipped weights. Returns (directory, summary).
    """
    from .. import checkpoint, zoo
    from ..export import to_txt

    if name not in RECIPES:
        raise ValueError(f"{name} is not a Neural CRN entry")
    r = RECIPES[name]
    model = zoo.load(name)
    spec = model.spec
    data = tasks.read_csv_data(csv_path, spec.n_features, spec.n_out)
    out_dir = Path(out or f"{name}-finetuned").resolve()
    shipped = zoo.checkpoint_dir(name).resolve()
    if out_dir == shipped or shipped in out_dir.parents:
        raise ValueError(f"refusing to write into the shipped checkpoint {shipped}; choose another --out")
    task = tasks.TaskData(data, data)
    before = tasks.metrics(model, task)["val_loss"]
    tuned, hist = tasks.chemical_train(model, task, epochs, seed, "staged", progress)
    after = tasks.metrics(tuned, task)["val_loss"]
    card = dict(zoo.card(name))
    for key in ("config_hash", "arrays", "content_hash", "metrics"):
        card.pop(key, None)
    card.update(
        name=out_dir.name,
        base_model=name,
        system=f"{r.system} — chemically fine-tuned on {Path(csv_path).name}",
        training={
            "command": f"crnzoo finetune {name} --data {csv_path} --epochs {epochs} --seed {seed}",
            "seed": seed,
            "config": {**r.train_config(), "epochs": epochs, "seed": seed},
        },
        finetune={"data": str(csv_path), "rows": len(data.x), "epochs": epochs, "loss_before": before, "loss_after": after, "wall_s": hist.wall_s},
        metrics={},
    )
    net = tuned.network(0.0, name=out_dir.name.replace("-", "_") if out_dir.name[:1].isalpha() else "ncrn")
    checkpoint.save(tuned, out_dir, card, {"reactions.txt": to_txt(net)})
    return out_dir, {"loss_before": before, "loss_after": after, "rows": len(data.x), "epochs": epochs}


def write_card_extras(directory: Path, extra: Mapping[str, Any]) -> None:
    path = Path(directory) / "card.json"
    card = json.loads(path.read_text())
    card.update(extra)
    path.write_text(json.dumps(card, indent=2, sort_keys=False) + "\n")


__all__ = ["RECIPES", "ENTRIES", "SHIPPED", "finetune", "fit", "make_model", "circuit_summary"]
