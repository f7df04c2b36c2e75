"""crnzoo.dna: the Soloveichik-Seelig-Winfree 2010 scheme pinned on hand-checked examples,
Peppercorn enumeration, crnverifier bisimulation, and `crnzoo implement`'s bad input."""

from __future__ import annotations

import pytest

from crnzoo.cli import main
from crnzoo.dna.schemes import SchemeError, compile_network, toehold_rate_nM_s
from crnzoo.export.scale import Scale
from crnzoo.network import Reaction, ReactionNetwork

SCALE = Scale(50.0, 1.0)


def _net(*reactions, initial=None):
    species = sorted({s for r in reactions for s in r.species()})
    return ReactionNetwork(tuple(species), tuple(reactions), initial or {}, "t")


BIMOLECULAR = Reaction({"A": 1, "B": 1}, {"C": 1}, 1.0)  # paper Fig. 3: X1 + X2 -> X3
CATALYTIC = Reaction({"A": 1, "B": 1}, {"B": 1, "C": 1}, 1.0)  # B a catalyst: consumed, released again


def test_bimolecular_gate_buffer_translator_as_in_the_paper():
    d = compile_network(_net(BIMOLECULAR, initial={"A": 0.5, "B": 0.3}), "soloveichik2010", SCALE, cmax_nM=1000.0,
                        held_compensation=False)  # the paper's concentrations
    c = d.by_name()
    # Signal strands: history, toehold ta, recognition b, toehold tc.
    assert c["A"].kernel() == "h_A ta_A b_A tc_A" and c["A"].conc_nM == pytest.approx(25.0)
    # Gate L: bottom strand tc_B* b_B* ta_B* tc_A* b_A* ta_A*, covered by B's recognition
    # strand (b_A tc_A ta_B) and the output strand (b_B tc_B + history d0_0 and toehold of C).
    assert c["L0"].kernel() == "b_A( tc_A( ta_B( + b_B( tc_B( d0_0 ta_C + ) ) ) ) ) ta_A*"
    assert c["B0"].kernel() == "b_A tc_A ta_B"  # the buffer: the strand X1 displaces
    # Translator T: releases C (new history d0_0) once the output strand binds tc_B*.
    assert c["T0"].kernel() == "d0_0( ta_C( b_C tc_C + ) ) tc_B*"
    assert c["C_r0p0"].kernel() == "d0_0 ta_C b_C tc_C" and c["C_r0p0"].formal == "C"
    # Rates: k_DNA = q [L]/[B] = k_formal / slowdown, with [L] = cmax and [L]/[B] <= 0.1.
    q = toehold_rate_nM_s()
    k = SCALE.physical_rate(1.0, 2)
    assert c["L0"].conc_nM == 1000.0
    assert q * c["L0"].conc_nM / c["B0"].conc_nM == pytest.approx(k / d.slowdown)
    assert c["L0"].conc_nM / c["B0"].conc_nM <= 0.1 + 1e-12
    assert d.slowdown >= k / (q * 0.1)


def test_held_compensation_raises_the_rate_by_the_first_reactants_held_share():
    """A + B -> C: A is held in H at share h = [L]/[B]; only free A reacts, so the DNA rate
    constant is k (1 + h) (B is held nowhere) and the totals run at k."""
    d = compile_network(_net(BIMOLECULAR, initial={"A": 0.5, "B": 0.3}), "soloveichik2010", SCALE, cmax_nM=1000.0)
    c = d.by_name()
    q, k = toehold_rate_nM_s(), SCALE.physical_rate(1.0, 2)
    h = c["L0"].conc_nM / c["B0"].conc_nM
    assert q * h == pytest.approx(k * (1 + h) / d.slowdown) and 0 < h <= 0.1 + 1e-12
    assert d.reactions[0].rate == pytest.approx(k)  # the formal rate is what the card states


def test_catalytic_reaction_releases_the_catalyst_with_a_new_history():
    d = compile_network(_net(CATALYTIC), "soloveichik2010", SCALE)
    c = d.by_name()
    assert c["L0"].kernel() == "b_A( tc_A( ta_B( + b_B( tc_B( d0_0 ta_B d0_1 ta_C + ) ) ) ) ) ta_A*"
    assert c["T0"].kernel() == "d0_0( ta_B( b_B tc_B + d0_1( ta_C( b_C tc_C + ) ) ) ) tc_B*"
    assert d.interpretation()["B_r0p0"] == "B" and d.interpretation()["C_r0p1"] == "C"


def test_unimolecular_rate_lives_in_the_gate_concentration():
    d = compile_network(_net(Reaction({"A": 1}, {"B": 1}, 0.5)), "soloveichik2010", SCALE, cmax_nM=1000.0)
    c = d.by_name()
    assert "B0" not in c and c["L0"].kernel() == "b_A( tc_A( d0_0 ta_B + ) ) ta_A*"
    assert toehold_rate_nM_s() * c["L0"].conc_nM == pytest.approx(0.5 / d.slowdown)


def test_refuses_trimolecular_and_unknown_scheme_by_name():
    tri = _net(Reaction({"A": 2, "B": 1}, {"C": 1}, 1.0))
    with pytest.raises(SchemeError, match=r"reaction 0 \(2A \+ B -> C\) has molecularity 3"):
        compile_network(tri, "soloveichik2010", SCALE)
    with pytest.raises(SchemeError, match="unknown scheme 'qian'"):
        compile_network(_net(BIMOLECULAR), "qian", SCALE)


def _fuel_free(enum, design):
    fuels = set(design.fuels())
    return {
        (tuple(sorted(s for s in r.reactants)), tuple(sorted(s for s in r.products)))
        for r in enum.network.reactions
    }, fuels


def test_enumerated_reactions_are_the_papers_three_steps():
    pytest.importorskip("peppercornenumerator")
    from crnzoo.dna.enumerate import enumerate_design

    d = compile_network(_net(BIMOLECULAR, initial={"A": 0.5, "B": 0.3}), "soloveichik2010", SCALE)
    e = enumerate_design(d)
    rx = {(frozenset(r.reactants), frozenset(r.products)): r.rate for r in e.network.reactions}
    # 1. A + L <-> H + B (reversible, equal rates: same 6-nt toehold either way)
    fwd = [(k, v) for k, v in rx.items() if k[0] == {"A", "L0"}]
    assert len(fwd) == 1 and "B0" in fwd[0][0][1]
    (h,) = fwd[0][0][1] - {"B0"}
    assert rx[(frozenset({h, "B0"}), frozenset({"A", "L0"}))] == pytest.approx(fwd[0][1])
    # 2. H + B -> output strand + waste (irreversible)
    second = [k for k in rx if k[0] == {h, "B"}]
    assert len(second) == 1
    # 3. output strand + T -> C (new history) + waste
    third = [k for k in rx if "T0" in k[0]]
    assert len(third) == 1 and "C_r0p0" in third[0][1] and third[0][0] - {"T0"} <= second[0][1]


def test_bisimulation_verifies_and_catches_a_broken_implementation():
    pytest.importorskip("peppercornenumerator")
    pytest.importorskip("crnverifier")
    import dataclasses

    from crnzoo.dna.check import verify_bisimulation
    from crnzoo.dna.enumerate import enumerate_design

    # Approximate majority (Angluin et al.): bimolecular and catalytic reactions, verified.
    formal = _net(
        Reaction({"A": 1, "B": 1}, {"U": 2}, 1.0),
        Reaction({"A": 1, "U": 1}, {"A": 2}, 1.0),
        Reaction({"U": 1}, {"B": 1}, 0.1),
        initial={"A": 0.6, "B": 0.4},
    )
    d = compile_network(formal, "soloveichik2010", SCALE)
    v = verify_bisimulation(formal, enumerate_design(d).network, d, timeout_s=120)
    assert v.result is True, v.reason
    # Drop the step where B opens the gate: A + B can no longer make C, no bisimulation exists.
    one = _net(BIMOLECULAR, initial={"A": 0.5, "B": 0.3})
    d1 = compile_network(one, "soloveichik2010", SCALE)
    e1 = enumerate_design(d1).network
    assert verify_bisimulation(one, e1, d1, timeout_s=120).result is True
    broken = dataclasses.replace(e1, reactions=tuple(r for r in e1.reactions if "B" not in r.reactants))
    assert verify_bisimulation(one, broken, d1, timeout_s=120).result is False

@pytest.mark.parametrize(
    "argv, message",
    [
        (["implement", "majority-am3", "--scheme", "nope", "-o", "{tmp}/o"], "unknown scheme 'nope'"),
        (["implement", "ncrn-xor2d", "-o", "{tmp}/o"], "molecularity 3"),
        (["implement", "majority-am3", "-o", "{tmp}/full"], "not empty"),
        (["implement", "majority-am3", "-o", "{tmp}/missing/o"], "does not exist"),
        (["implement", "majority-am3", "--scale", "50 parsecs", "-o", "{tmp}/o"], "cannot read scale"),
    ],
)
def test_cli_bad_input_is_one_line_exit_2(tmp_path, capsys, argv, message):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("user data")
    code = main([a.replace("{tmp}", str(tmp_path)) for a in argv])
    err = capsys.readouterr().err.strip()
    assert code == 2 and message in err and len(err.splitlines()) == 1
    assert (tmp_path / "full" / "keep.txt").read_text() == "user data"
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_implement_majority_am3_verified_and_functional(tmp_path):
    # Enumerated in seconds since remote toeholds are rejected (it ran > 4 min with them).
    pytest.importorskip("peppercornenumerator")
    import json

    code = main(["implement", "majority-am3", "--leak", "1e-10,1e-8", "-o", str(tmp_path / "out")])
    s = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert code == 0 and s["verification"]["result"] is True and s["function"]["ok"]
    assert s["leak_tolerance_nM_s"] == "<= 1e-10"  # the winner survives leak 1e-10 /nM/s, not 1e-8
    assert (tmp_path / "out" / "design.pil").read_text().count("@initial") >= 3


@pytest.mark.slow
def test_implement_majority_am3_qian2011_works_but_is_not_bisimilar(tmp_path):
    pytest.importorskip("peppercornenumerator")
    import json

    code = main(["implement", "majority-am3", "--scheme", "qian2011", "--leak", "none", "-o", str(tmp_path / "out")])
    s = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert s["function"]["ok"] and s["verification"]["result"] is False and code == 1


@pytest.mark.slow
def test_implement_majority_am3_qian2011_commit_is_bisimilar_with_a_picture(tmp_path):
    pytest.importorskip("peppercornenumerator")
    import json

    code = main(["implement", "majority-am3", "--scheme", "qian2011-commit", "--leak", "none", "-o", str(tmp_path / "out")])
    s = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert code == 0 and s["verification"]["result"] is True and s["function"]["ok"]
    assert (tmp_path / "out" / "reaction.png").read_bytes()[:4] == b"\x89PNG" and s["picture"].startswith("reaction.png")
