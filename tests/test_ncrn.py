"""Neural CRNs: the ODE -> CRN compiler, the learning circuit, the gradient invariant, fine-tuning."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import crnzoo  # noqa: F401
from crnzoo import neural as C
from crnzoo import zoo
from crnzoo.network import MassAction, ReactionNetwork
from crnzoo.neural import MolecularityError, NotKineticError, Poly, Rails, compile_ode
from crnzoo.tasks import ncrn as tasks

LR = C.NeuralSpec(n_features=2, d=2, bias=0.1, z_dual=False, p_dual=False, T=0.5, eta=0.1)
MINIMAL = C.NeuralSpec(n_features=2, d=2, z_dual=False, p_dual=False, shared_adjoint=True, T=0.5, eta=0.1)
QUAD = C.NeuralSpec(n_features=2, d=3, theta="full", bias=0.1, power=2, x_dual=True, T=0.5, eta=0.5)
CUBIC = C.NeuralSpec(n_features=2, d=3, theta="full", pad=0.2, power=3, x_dual=True, T=0.9, eta=0.5, max_molecularity=3)


def _sample(spec, seed=0, positive=False):
    rng = np.random.default_rng(seed)
    th = rng.uniform(0.1, 0.6, spec.n_params) if positive else rng.normal(0, 0.5, spec.n_params)
    x = spec.pad_inputs(rng.uniform(0.3, 1.5, spec.n_features))
    y = rng.uniform(0.5, 2.0, spec.n_out)
    return jnp.asarray(th), jnp.asarray(x), jnp.asarray(y)


def test_dual_rail_compilation_is_exact_in_the_rail_difference():
    """dz/dt = θx − z⊙z (dual-rail z, θ): the compiled CRN's rails differ exactly by the polynomial's z."""
    z, th, x = Poly.var("z"), Poly.var("th"), Poly.var("x")
    rails = Rails({"z": "Z", "th": "P", "x": "X"}, {"z": True, "th": True, "x": False})
    reactions = compile_ode([("z", th * x - z * z)], rails)
    net = ReactionNetwork(("Z_p", "Z_m", "P_p", "P_m", "X"), tuple(reactions))
    assert net.max_molecularity == 2
    rhs = MassAction.from_network(net).rhs
    s = np.random.default_rng(1).uniform(0, 2, (20, 5))
    dz = np.asarray(rhs(0, jnp.asarray(s)))
    zv, thv = s[:, 0] - s[:, 1], s[:, 2] - s[:, 3]
    np.testing.assert_allclose(dz[:, 0] - dz[:, 1], thv * s[:, 4] - zv**2, atol=1e-12)
    # the canonic mechanism: every reaction is catalytic in the factors it does not consume
    assert {str(r).split("  ")[0] for r in reactions} >= {"2Z_p -> Z_p", "P_p + X -> P_p + X + Z_p"}


def test_parity_inversion_and_symbolic_derivative():
    z, a = Poly.var("z"), Poly.var("a")
    f = 2.0 * z * z * z - z
    assert f.diff("z").terms == {("z", "z"): 6.0, (): -1.0}
    rails = Rails({"z": "Z", "a": "A"}, {"z": True, "a": True})
    fwd = compile_ode([("a", a * z)], rails, +1)
    bwd = compile_ode([("a", a * z)], rails, -1)
    s = jnp.asarray(np.random.default_rng(2).uniform(0, 1, 4))
    sp = ("A_p", "A_m", "Z_p", "Z_m")
    r1 = MassAction.from_network(ReactionNetwork(sp, tuple(fwd))).rhs(0, s)
    r2 = MassAction.from_network(ReactionNetwork(sp, tuple(bwd))).rhs(0, s)
    np.testing.assert_allclose(r1[0] - r1[1], -(r2[0] - r2[1]), atol=1e-12)


def test_single_rail_negative_cross_effect_is_refused():
    rails = Rails({"z": "Z", "x": "X"}, {"z": False, "x": False})
    with pytest.raises(NotKineticError, match="must be dual-rail"):
        compile_ode([("z", -Poly.var("x"))], rails)


def test_molecularity_check_refuses_a_cubic_f_when_bimolecular_is_required():
    with pytest.raises(MolecularityError, match="3-molecular reaction .* at most 2"):
        C.build_circuit(dataclasses.replace(CUBIC, max_molecularity=2))
    assert C.build_circuit(CUBIC).molecularity() == 3
    assert C.build_circuit(QUAD).molecularity() == 2


def test_lr_ncrn_and_minimal_circuit_sizes_match_the_paper():
    c = C.build_circuit(LR)
    assert len(c.species) == 17 and c.counts()["circuit"] == 14  # Table 5
    assert [c.counts()[s] for s in ("N1", "N2", "N3", "N4")] == [3, 3, 4, 4]
    m = C.build_circuit(MINIMAL)
    assert len(m.species) == 15 and m.counts()["circuit"] == 13  # §3.2 minimal circuit
    with pytest.raises(ValueError, match="shared adjoint"):
        C.NeuralSpec(n_features=2, d=3, power=2, shared_adjoint=True)


def test_rate_law_conventions():
    paper = {r.equation(): r.rate for r in C.build_circuit(QUAD).stages["N1"]}
    cat = {r.equation(): r.rate for r in C.build_circuit(dataclasses.replace(QUAD, convention="catalyst")).stages["N1"]}
    assert paper["2Z1_p -> Z1_p"] == 1.0 and cat["2Z1_p -> Z1_p"] == 0.5  # Catalyst: 2Z -> Z at 1 is −½z²
    cub = {r.equation(): r.rate for r in C.build_circuit(dataclasses.replace(CUBIC, convention="catalyst")).stages["N1"]}
    assert cub["3Z1_p -> 2Z1_p"] == pytest.approx(1 / 6)
    with pytest.raises(ValueError, match="convention"):
        C.NeuralSpec(n_features=1, d=1, convention="sbml")


@pytest.mark.parametrize(
    "spec",
    [
        QUAD,
        CUBIC,
        pytest.param(dataclasses.replace(QUAD, convention="catalyst"), marks=pytest.mark.slow),
        pytest.param(LR, marks=pytest.mark.slow),
    ],
    ids=["quadratic", "cubic", "catalyst", "lr"],
)
def test_gradient_invariant_staged(spec):
    """After N3 the G species equal jax.grad of the per-sample loss through a Diffrax solve."""
    th, x, y = _sample(spec, positive=not spec.p_dual)
    step = jax.jit(C.staged_step_fn(spec, (1e-10, 1e-12)))
    theta_new, (loss, yhat, g) = step(th, x, y)
    ref_loss, ref = C.neural_ode_value_and_grad(spec, th, x, y)
    rel = float(jnp.linalg.norm(g - ref) / jnp.linalg.norm(ref))
    assert rel < 1e-3, rel
    np.testing.assert_allclose(float(loss), float(ref_loss), rtol=1e-8)
    # N4: θ ← θ − η g (η in N3's rates for single-rail P)
    np.testing.assert_allclose(np.asarray(theta_new), np.asarray(th - spec.eta * g), rtol=1e-9, atol=1e-12)


@pytest.mark.slow
def test_first_order_variant_gradient_is_T_a_x():
    spec = dataclasses.replace(QUAD, order="first")
    c = C.build_circuit(spec)
    assert not any(s.startswith("Zb") for s in c.species)
    th, x, y = _sample(spec)
    _, (_, _, g) = jax.jit(C.staged_step_fn(spec, (1e-10, 1e-12)))(th, x, y)
    np.testing.assert_allclose(np.asarray(g), np.asarray(C.first_order_grad(spec, th, x, y)), rtol=1e-6)


def test_one_pot_gradient_matches_within_the_time_scale_separation():
    """One clock-gated simulation: the G species after phase C2 approximate the gradient."""
    spec = dataclasses.replace(QUAD, fast_rate=1000.0)
    th, x, y = _sample(spec)
    step = jax.jit(C.one_pot_step_fn(spec, (1e-9, 1e-11)))
    _, (loss, _, g) = step(C.one_pot_state(spec, th), x, y)
    ref = C.neural_ode_grad(spec, th, x, y)
    rel = float(jnp.linalg.norm(g - ref) / jnp.linalg.norm(ref))
    print(f"one-pot gradient relative error (κ = 1000): {rel:.2e}")
    assert rel < 0.05


def test_fast_stage_completion_equals_running_the_fast_reactions():
    c = C.build_circuit(QUAD)
    s = jnp.asarray(np.random.default_rng(3).uniform(0, 1, len(c.species)))
    done = C.complete_fast(c, c.stages["N4"], s)
    long = C.solve_stage(C.stage_kinetics(c, c.stages["N4"]), s, 2.0, (1e-10, 1e-12))
    np.testing.assert_allclose(np.asarray(done), np.asarray(long), atol=1e-7)


def test_clock_gated_listing_reproduces_rhs():
    spec = dataclasses.replace(QUAD, T=0.3)  # a spec used nowhere else: rhs is first built under jit
    model = C.NeuralCRN(jnp.asarray(_sample(spec)[0]), spec, (0.5, 1.0))
    s = jnp.asarray(np.random.default_rng(4).uniform(0, 1, len(model.species)))
    jitted = jax.jit(lambda y: model.rhs(0.0, y))(s)
    net = model.network(clocks=True)
    np.testing.assert_allclose(np.asarray(net.mass_action().rhs(0, s)), np.asarray(model.rhs(0, s)), atol=1e-12)
    np.testing.assert_allclose(np.asarray(jitted), np.asarray(model.rhs(0, s)), atol=1e-12)
    assert model.network().n_reactions == C.build_circuit(QUAD).counts()["with_flush"]


def test_csv_errors_name_the_line(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("x1,x2,y\n1,2,3\n1,2\n")
    with pytest.raises(ValueError, match=r"d.csv:3: expected 3 columns"):
        tasks.read_csv_data(p, 2)
    p.write_text("1,2,3\n1,abc,3\n")
    with pytest.raises(ValueError, match=r"d.csv:2: 'abc' is not a number"):
        tasks.read_csv_data(p, 2)
    p.write_text("1,2,3\n2,1,4\n")
    assert tasks.read_csv_data(p, 2).x.shape == (2, 2)


def test_iris_dataset(shared_data):
    data = tasks.iris(0, shared_data / "iris" / "iris.csv")
    assert data.train.x.shape == (120, 4) and data.val.x.shape == (30, 4)
    assert data.train.x.min() == 0.0 and data.train.x.max() == 1.0


def test_finetune_on_a_tiny_csv(tmp_path, capsys):
    """`crnzoo finetune ncrn-linreg2d --data CSV --epochs 2`: chemical learning on the user's rows."""
    from crnzoo.cli import main

    shipped = (zoo.checkpoint_dir("ncrn-linreg2d") / "card.json").read_text()
    bad = tmp_path / "bad.csv"
    bad.write_text("1,2,6\n2,x,7\n")
    assert main(["finetune", "ncrn-linreg2d", "--data", str(bad), "--out", str(tmp_path / "o")]) == 2
    assert "bad.csv:2" in capsys.readouterr().err
    good = tmp_path / "my.csv"
    good.write_text("x1,x2,y\n1.0,2.0,6.1\n3.0,1.5,7.2\n2.0,4.0,11.0\n")
    out = tmp_path / "tuned"
    assert main(["finetune", "ncrn-linreg2d", "--data", str(good), "--epochs", "2", "--out", str(out)]) == 0
    tuned, card = zoo.load(str(out)), zoo.card(str(out))
    assert card["base_model"] == "ncrn-linreg2d" and tuned.theta.shape == (2,)
    ft = card["finetune"]
    assert (ft["rows"], ft["epochs"], ft["steps"]) == (3, 2, 2)
    assert ft["final_loss"] < ft["initial_loss"]
    assert not np.allclose(np.asarray(tuned.theta), np.asarray(zoo.load("ncrn-linreg2d").theta))
    assert (zoo.checkpoint_dir("ncrn-linreg2d") / "card.json").read_text() == shipped
    assert main(["finetune", "ncrn-linreg2d", "--data", str(good), "--out", str(zoo.checkpoint_dir("ncrn-linreg2d"))]) == 2


def test_task_evaluates_the_card_and_draws_its_figures(tmp_path):
    """The task's metrics equal the card's exactly; artifacts writes the curves (from the card's
    history) and the decision boundary of a 2-D classifier, and names them."""
    e, card = zoo.entry("ncrn-linear2d"), zoo.card("ncrn-linear2d")
    model = zoo.load("ncrn-linear2d")
    values = e.task.evaluate(model)
    assert values == {k: m["value"] for k, m in card["metrics"].items()}
    assert e.task.artifacts(model, tmp_path, card) == {"figures": ["curves.png", "boundary.png"]}
    for name in ("curves.png", "boundary.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    (tmp_path / "no-history").mkdir()
    assert e.task.artifacts(model, tmp_path / "no-history") == {"figures": ["boundary.png"]}


def test_fit_records_the_training_on_the_card():
    """A one-epoch chemical training of ncrn-linreg2d: θ moves, the card extras say how."""
    e = zoo.entry("ncrn-linreg2d")
    model, extra = e.task.fit(steps=1, progress=False)
    result = extra["training_result"]
    assert result["theta_initial"] == list(e.task.learning.theta0()) != result["theta_final"]
    assert len(result["history"]["val_loss"]) == 2 and len(result["history"]["train_loss"]) == 1
    assert result["history"]["val_loss"][1] < result["history"]["val_loss"][0]
    assert extra["circuit"]["species"] == 17 and extra["circuit"]["reactions_per_stage"]["circuit"] == 14
    assert extra["gradient_invariant"]["staged_rel_error"] < 1e-3
    assert extra["one_pot"]["epochs"] == 1 and set(extra["one_pot"]["metrics"]) == {"val_loss", "train_loss"}


def test_railwise_quadratic_is_bimolecular_and_validated():
    spec = dataclasses.replace(QUAD, alpha=0.3, railwise=True)
    c = C.build_circuit(spec)
    assert c.molecularity() == 2
    eqs = {r.equation() for r in c.stages["N1"]}
    assert {"2Z1_p -> Z1_p", "2Z1_m -> Z1_m"} <= eqs  # rail by rail ...
    assert any(r.reactants == {"Z1_p": 1, "Z1_m": 1} and not r.products for r in c.stages["N1"])  # ... plus annihilation
    assert "railwise" not in QUAD.to_dict() and spec.to_dict()["railwise"] is True
    with pytest.raises(ValueError, match="railwise"):
        dataclasses.replace(CUBIC, railwise=True)


@pytest.mark.slow
def test_railwise_gradient_invariant_approaches_z_abs_z():
    """Rail-wise quadratic: G after N3 -> jax.grad for f = θx − α z|z| as the annihilation gets fast."""
    spec = dataclasses.replace(QUAD, alpha=0.3, railwise=True, fast_rate=1000.0)
    th, x, y = _sample(spec)
    _, (_, _, g) = jax.jit(C.staged_step_fn(spec, (1e-10, 1e-12)))(th, x, y)
    ref = C.neural_ode_grad(spec, th, x, y)
    assert float(jnp.linalg.norm(g - ref) / jnp.linalg.norm(ref)) < 2e-3
