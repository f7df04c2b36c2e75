"""The learned dual-rail logic gates (`gate-and`, `gate-or`, `gate-xor`) and their task `crnzoo.tasks.gate`."""

from __future__ import annotations

import matplotlib.image as plt_image
import numpy as np
import pytest

import crnzoo
from crnzoo import zoo
from crnzoo.cli import main
from crnzoo.crn import CatalyticCRN
from crnzoo.export import export, from_txt
from crnzoo.solve import SolverConfig, simulate
from crnzoo.tasks import gate as logic


GATES = ["gate-and", "gate-or", "gate-xor"]
TRUTH = {"gate-and": "0001", "gate-or": "0111", "gate-xor": "0110"}


def _inputs(text: str, hold: float):
    return zoo.entry("gate-and").task.inputs(text, hold)


# ---- encodings and sequences --------------------------------------------------------------------


def test_truth_tables_and_input_text():
    assert logic.parse_truth_table("0001") == (0, 0, 0, 1)
    assert logic.parse_truth_table("NAND") == (1, 1, 1, 0)
    for bad in ("001", "0021", "maybe"):
        with pytest.raises(ValueError, match="truth table"):
            logic.parse_truth_table(bad)
    np.testing.assert_array_equal(logic.state_levels([0, 1, 2, 3]), [[0, 1, 0, 1], [0, 1, 1, 0], [1, 0, 0, 1], [1, 0, 1, 0]])
    s = _inputs("00, 01;11,10", 150)  # X first, then Y
    assert s.switch_times == (150.0, 300.0, 450.0)
    assert s.levels["X_hi"] == (0, 0, 1, 1) and s.levels["X_lo"] == (1, 1, 0, 0)
    assert s.levels["Y_hi"] == (0, 1, 1, 0) and s.levels["Y_lo"] == (1, 0, 0, 1)
    for text, hold, message in (("00,2", 100, "two bits"), (" , ", 100, "at least one"), ("00", 0, "hold time"), ("00", float("inf"), "hold time")):
        with pytest.raises(ValueError, match=message):
            _inputs(text, hold)
    assert zoo.entry("gate-xor").schedule == _inputs("00,01,11,10", 200.0)


def test_training_sequences_cover_every_transition():
    seqs = logic.transition_sequences(4)
    assert seqs.shape == (108, 4)
    assert np.all(seqs[:, 1:] != seqs[:, :-1])
    edges = {(a, b) for s in seqs for a, b in zip(s[:-1], s[1:])}
    assert len(edges) == 12
    cover = logic.covering_sequences()
    assert cover.shape == (4, 4)
    pairs = [(a, b) for s in cover for a, b in zip(s[:-1], s[1:])]
    assert len(pairs) == len(set(pairs)) == 12


def test_random_sequence_holds_and_seed():
    states, ends = logic.random_sequence(80_000.0, seed=0)
    holds = np.diff(np.concatenate([[0.0], ends]))
    assert np.all((holds >= 200) & (holds <= 400)) and ends[-1] >= 80_000 > ends[-2]
    assert np.all(states[0, 1:] != states[0, :-1]) and states.shape[1] == ends.size
    again = logic.random_sequence(80_000.0, seed=0)
    np.testing.assert_array_equal(again[0], states)
    np.testing.assert_array_equal(again[1], ends)


def test_decode_and_margin():
    np.testing.assert_array_equal(logic.decode([0.95, 0.05, 0.5], [0.05, 0.95, 0.5]), [1, 0, -1])
    np.testing.assert_allclose(logic.margin([0.95, 0.02], [0.0, 0.99], [1, 0]), [0.05, 0.08])


# ---- the training task ---------------------------------------------------------------------------


def _hand_and() -> CatalyticCRN:
    """A hand-made reusable AND on the gate species (not a zoo model; linear in the outputs):
    Z_lo —X_hi→ A (slow), A —Y_hi→ Z_hi, A —Y_lo→ Z_lo, A —X_lo→ Z_lo, Z_hi —X_lo→ Z_lo, Z_hi —Y_lo→ Z_lo.
    With X = 1, Y = 0 a twentieth of the output mass sits in A: Z_lo ≈ 0.95."""
    sp = logic.INPUTS + logic.OUTPUTS + ("A", "B", "C")
    rates = {
        ("Z_lo", "X_hi", "A"): 0.05,
        ("A", "Y_hi", "Z_hi"): 1.0,
        ("A", "Y_lo", "Z_lo"): 1.0,
        ("A", "X_lo", "Z_lo"): 1.0,
        ("Z_hi", "X_lo", "Z_lo"): 1.0,
        ("Z_hi", "Y_lo", "Z_lo"): 1.0,
    }
    return CatalyticCRN.from_rates(sp, rates, [0, 1, 0, 1, 0, 1, 0, 0, 0], fixed=(0, 1, 2, 3))


def test_gate_task_solver_matches_the_adaptive_solve():
    """The task's RK4 on the non-input block equals `simulate` with the inputs held."""
    model = _hand_and()
    task = logic.GateTraining("0001", model.species, np.asarray(model.x0), dt=0.4)
    seqs = np.asarray([[0, 3, 1, 3], [3, 2, 3, 0]])
    loss, aux = task.loss(model, seqs)
    assert bool(aux["ok"])
    # The same loss from adaptive trajectories at the task's window steps.
    ref = []
    for seq in seqs:
        sched = _inputs(",".join(logic.STATE_TEXT[s] for s in seq), 200.0)
        ts = np.concatenate([np.arange(task.skip + 1, task.steps + 1) * 0.4 + 200.0 * i for i in range(4)])
        traj = simulate(model, np.concatenate([[0.0], ts]), schedule=sched, solver=SolverConfig(rtol=1e-10, atol=1e-12))
        z = np.repeat(np.asarray(logic.parse_truth_table("0001"))[seq], task.steps - task.skip)
        hi, lo = traj.ys[1:, 4], traj.ys[1:, 5]
        ref.append(np.abs(hi - z) + np.abs(lo - (1 - z)))
    ref = np.mean([r.reshape(4, -1).mean(axis=1) for r in ref])
    assert float(loss) == pytest.approx(ref, abs=1e-4)


def test_hand_gate_reads_correctly_and_the_task_scores_it_low():
    model = _hand_and()
    states, ends = logic.stretched_sequences(200.0)
    r = logic.readout_check(model, "0001", states, ends)
    assert r["accuracy"] == 1.0 and r["n"] == 432
    task = logic.GateTraining("0001", model.species, np.asarray(model.x0))
    bad = logic.GateTraining("1110", model.species, np.asarray(model.x0))
    seqs = task.sequences[:16]
    assert float(task.loss(model, seqs)[0]) < 0.1 < 1.5 < float(bad.loss(model, seqs)[0])


# ---- the shipped gates -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", GATES)
def test_gate_inputs_are_fixed_catalysts_and_listing_is_the_dynamics(name):
    model = zoo.load(name)
    card = zoo.card(name)
    assert model.fixed == (0, 1, 2, 3) and model.k_min == pytest.approx(0.1)
    assert card["reactions"]["k_report"] == pytest.approx(0.1)
    net = model.network(0.1)
    assert net.n_reactions == card["reactions"]["at_k_report"] == card["reactions"]["dense"]
    for r in net.reactions:  # inputs are never consumed or produced
        for s in logic.INPUTS:
            assert r.reactants.get(s, 0) == r.products.get(s, 0)
    # The listing's dynamics are the model's (k_min = 0.1 in the config: no hidden small rates).
    x = np.random.default_rng(0).uniform(0, 1, (5, len(model.species)))
    np.testing.assert_allclose(np.asarray(crnzoo.MassActionCRN.from_network(net).rhs(0, x)), np.asarray(model.rhs(0, x)), atol=1e-12)


@pytest.mark.parametrize("name", GATES)
def test_exported_listing_gives_the_same_correct_readouts(name):
    """reactions.txt, read back and simulated by the generic engine, switches like the model."""
    model = zoo.load(name)
    net = from_txt((zoo.checkpoint_dir(name) / "reactions.txt").read_text())
    assert net.n_reactions == zoo.card(name)["reactions"]["at_k_report"]
    for states, ends in (logic.stretched_sequences(20_000.0, all_sequences=False), logic.random_sequence(6_000.0, seed=3)):
        r_model = logic.run_readouts(model, states, ends)
        r_list = logic.run_readouts(net, states, ends)
        truth = np.asarray(logic.parse_truth_table(TRUTH[name]))[states]
        assert np.all(logic.decode(*r_list) == truth)
        np.testing.assert_allclose(r_list, r_model, atol=1e-4)  # reactions.txt rounds rates to 6 digits


@pytest.mark.parametrize("name", GATES)
def test_simulate_with_schedule_matches_readouts(name):
    """The user-facing `simulate` with the task's `inputs` gives the read-outs of the verification."""
    entry = zoo.entry(name)
    model = zoo.load(name)
    sched = entry.task.inputs("00,01,11,10,00,11", 250.0)
    reads = np.asarray([*sched.switch_times, 1500.0]) - 1e-3
    traj = simulate(model, np.concatenate([[0.0], reads]), schedule=sched, solver=SolverConfig.from_dict(zoo.card(name)["solver"]))
    got = logic.decode(traj.ys[1:, 4], traj.ys[1:, 5])
    want = np.asarray(logic.parse_truth_table(TRUTH[name]))[[0, 1, 3, 2, 0, 3]]
    np.testing.assert_array_equal(got, want)


def test_cli_simulate_inputs_plot(capsys, tmp_path):
    png = tmp_path / "xor.png"
    assert main(["simulate", "gate-xor", "--inputs", "00,01,11,10", "--hold", "200", "--plot", str(png)]) == 0
    out = capsys.readouterr().out
    image = plt_image.imread(png)
    assert image.ndim == 3 and image.shape[0] > 100 and len(np.unique(image.reshape(-1, image.shape[-1]), axis=0)) > 10
    lines = [ln for ln in out.splitlines() if ln.startswith("  t=")]
    assert "t = 0..800" in out and len(lines) == 4
    vals = [float(ln.split("Z_hi=")[1].split(",")[0]) for ln in lines]
    assert [v >= 0.9 for v in vals] == [False, True, False, True]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["simulate", "gate-and", "--inputs", "00,12"], "two bits"),
        (["simulate", "majority-am4", "--inputs", "00"], "takes no --inputs"),
        (["simulate", "gate-and", "--hold", "10"], "--hold goes with --inputs"),
        (["finetune", "gate-and", "--truth-table", "012"], "truth table"),
        (["finetune", "gate-and", "--truth-table", "0001", "--target", "0001"], "not allowed with argument"),
        (["finetune", "gate-and"], "one of the arguments --target --truth-table --data is required"),
    ],
)
def test_cli_bad_logic_input_exits_2(capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_sbml_export_marks_gate_inputs_as_boundary_species(tmp_path):
    libsbml = pytest.importorskip("libsbml")
    path = tmp_path / "and.xml"
    assert main(["export", "gate-and", "--format", "sbml", "-o", str(path)]) == 0
    doc = libsbml.readSBMLFromString(path.read_text())
    assert doc.getNumErrors(libsbml.LIBSBML_SEV_ERROR) == 0
    doc.checkConsistency()
    errors = [doc.getError(i).getMessage() for i in range(doc.getNumErrors()) if doc.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_ERROR]
    assert not errors
    sp = {s.getId(): s for s in doc.getModel().getListOfSpecies()}
    assert {k for k, s in sp.items() if s.getBoundaryCondition()} == set(logic.INPUTS)
    assert not any(s.getConstant() for s in sp.values())
    # Default: no boundary species (other models' exports are unchanged).
    text = export(zoo.load("gate-and").network(0.1), "sbml")
    assert 'boundaryCondition="true"' not in text
    with pytest.raises(ValueError, match="not species"):
        export(zoo.load("gate-and").network(0.1), "sbml", boundary=["Q"])


def test_sbml_gate_switches_in_roadrunner(tmp_path):
    """Another simulator holds and switches the boundary inputs and reads the right outputs."""
    roadrunner = pytest.importorskip("roadrunner")
    model = zoo.load("gate-xor")
    text = export(model.network(0.1), "sbml", boundary=[model.species[i] for i in model.fixed])
    rr = roadrunner.RoadRunner(text)
    rr.integrator.relative_tolerance = 1e-8
    rr.integrator.absolute_tolerance = 1e-10
    t = 0.0
    for state, want in zip([0, 1, 3, 2, 1, 0], [0, 1, 0, 1, 1, 0]):
        for s, v in zip(logic.INPUTS, logic.state_levels([state])[0]):
            rr[f"[{s}]"] = v
        rr.simulate(t, t + 300.0, 3)
        t += 300.0
        assert logic.decode(rr["[Z_hi]"], rr["[Z_lo]"]) == want


@pytest.mark.slow  # ~3 min on 2 shared cores (three RK4 training compilations)
def test_finetune_truth_table_retargets_and_to_nand(monkeypatch):
    """Retargeting gate-and: the retargeted task scores the NEW table; NAND is the exact
    relabelling (Z rails exchanged) of AND; XOR is not, so it trains from the nearest
    relabelling and lowers the XOR loss (a few steps; the read-out check that keeps an attempt
    is stubbed to fail, so all 3 restarts run and nothing is pruned)."""
    from crnzoo.tasks._gate_rails import closest_relabelling

    e, base = zoo.entry("gate-and"), zoo.load("gate-and")
    new = e.task.retarget("nand")
    assert (new.truth, new.target_name, new.target_text) == ("1110", "NAND gate", "truth table 1110")
    assert set(new.metrics) == set(e.task.metrics)
    assert closest_relabelling((0, 0, 0, 1), (1, 1, 1, 0)) == ((0, 0, 1), 0)
    monkeypatch.setattr(logic.GateTask, "accept", lambda self, candidate, margin=0.05: False)
    tuned, fields = e.task.finetune(base, "0110", steps=12, lr=0.1, progress=False)
    assert fields["relabelled_states_wrong"] == 1 and fields["relabelling"] == "exchange the rails of Z"
    assert fields["attempts"] == 3 and fields["pruned"] == 0 and not fields["accepted"]
    assert fields["final_loss"] < fields["initial_loss"]
    assert tuned.fixed == (0, 1, 2, 3) and tuned.k_min == pytest.approx(0.1)


# ---- slow: training from scratch and retargeting as the scripts do --------------------------------------


@pytest.mark.slow
def test_nand_from_and_by_finetuning(tmp_path, capsys):
    """`crnzoo finetune gate-and --truth-table 1110` (the defaults) gives a working, reusable NAND."""
    out = tmp_path / "nand"
    assert main(["finetune", "gate-and", "--truth-table", "1110", "--out", str(out)]) == 0
    nand = zoo.load(str(out))
    for states, ends in (logic.stretched_sequences(200.0), logic.random_sequence(20_000.0, seed=1)):
        assert logic.readout_check(nand, "1110", states, ends)["accuracy"] == 1.0


def test_gate_fit_uses_the_seed_it_is_given(monkeypatch):
    """`crnzoo train gate-xor` (publish passes the card's seed) trains from seed 1; an explicit
    seed or step count replaces the card's. Training and pruning are stubbed: only the plumbing runs."""
    import crnzoo.pruning as pruning
    from crnzoo.train import History

    seen = []

    def fake_train(model, task, config, **kw):
        seen.append((config, model))
        return model, History([1.0] * 20)

    monkeypatch.setattr(pruning, "train", fake_train)
    monkeypatch.setattr(pruning, "prune", lambda model, accept, k_min, log=None: (model, []))
    e = zoo.entry("gate-xor")
    assert e.seed == 1 == zoo.card("gate-xor")["training"]["seed"]
    for seed, steps, want_seed, want_steps in ((e.seed, None, 1, 1200), (None, None, 1, 1200), (3, 5, 3, 5)):
        model, extra = e.task.fit(seed=seed, steps=steps, progress=False)
        config, start = seen[-1]
        assert (config.seed, config.steps) == (want_seed, want_steps)
        assert extra["training_result"]["seed"] == want_seed and extra["training_result"]["steps"] == want_steps
        np.testing.assert_array_equal(np.asarray(start.logits), np.asarray(e.task.init(want_seed).logits))
        assert model.k_min == pytest.approx(0.1)
    assert not np.array_equal(np.asarray(e.task.init(1).logits), np.asarray(e.task.init(3).logits))


def test_gate_xor_first_training_loss_is_the_cards(monkeypatch):
    """One real training step of `gate-xor` from its card's seed gives the card's first loss
    to the last bit (the RK4 training solve and the seed are as shipped); pruning is stubbed."""
    import crnzoo.pruning as pruning

    monkeypatch.setattr(pruning, "prune", lambda model, accept, k_min, log=None: (model, []))
    _, extra = zoo.entry("gate-xor").task.fit(steps=1, progress=False)
    assert extra["training_result"]["loss_first"] == zoo.card("gate-xor")["training_result"]["loss_first"]


def test_gate_target_is_a_truth_table_training_task():
    task = zoo.entry("gate-and").task
    nand = task.target("nand")
    assert isinstance(nand, logic.GateTraining) and nand.dt == logic.FINETUNE_DT
    np.testing.assert_array_equal(np.asarray(nand.truth), [1, 1, 1, 0])
    assert nand.species == zoo.load("gate-and").species
    with pytest.raises(ValueError, match="truth table"):
        task.target("012")


@pytest.mark.slow
def test_gate_and_trains_from_scratch():
    """The gate task's `fit` (what scripts/train_gate.py runs) reproduces the shipped gate's claims."""
    task = zoo.entry("gate-and").task
    model, extra = task.fit(progress=False)
    values = task.evaluate(model, fast=True)
    assert values["reactions_k0.1"] <= 20
    assert values["train_accuracy"] == values["stretched_accuracy"] == values["random_accuracy"] == values["listing_accuracy"] == 1.0
