"""Soloveichik 2010 beyond one toehold class: zero-order sources (a catalyst with a weak
toehold) and slow unimolecular reactions run pseudo-first-order (X + Fu_i with a fuel
strand), pinned on hand-checked designs and checked against Peppercorn's rate model."""

from __future__ import annotations

import dataclasses

import pytest

import crnzoo
from crnzoo import zoo
from crnzoo.cli._dna import formal_network
from crnzoo.dna._common import CONDENSED_RATE_NM_S
from crnzoo.dna.schemes import (
    SOURCE_MIN_NM,
    SchemeError,
    compile_network,
    source_toehold_nt,
)
from crnzoo.export.scale import Scale
from crnzoo.network import parse_reactions

SCALE = Scale(50.0, 1.0)


def _net(text: str, **initial):
    return dataclasses.replace(parse_reactions(text.replace(";", "\n"), name="t"), initial=initial)


@pytest.mark.parametrize("nt", sorted(CONDENSED_RATE_NM_S))
def test_condensed_rate_table_is_peppercorns(nt):
    """The toehold classes' rates are what Peppercorn's enumeration gives a strand opening a gate."""
    pytest.importorskip("peppercornenumerator")
    from crnzoo.dna.enumerate import enumerate_design

    d = compile_network(_net("X -> Y  k=0.01"), "soloveichik2010", SCALE)
    d = dataclasses.replace(d, domains={**d.domains, "ta_X": nt})
    (rate,) = [r.rate for r in enumerate_design(d).network.reactions if set(r.reactants) == {"X", "L0"}]
    assert rate == pytest.approx(CONDENSED_RATE_NM_S[nt], rel=1e-3)


def test_a_source_is_a_catalyst_with_the_strongest_toehold_that_keeps_it_at_a_nanomolar():
    d = compile_network(_net(" -> A  k=0.1"), "soloveichik2010", SCALE, cmax_nM=1000.0)
    c = d.by_name()
    k = SCALE.physical_rate(0.1, 0)  # 5 nM/s
    # At [L] = 1 µM a 6-nt toehold leaves 5/(1.65e-3 x 1000) = 3 nM of catalyst (>= 1 nM); at 10 µM
    # 6 and 5 nt leave 0.3 and 0.8 nM, 4 nt 8.5 nM.
    assert source_toehold_nt(k, 1000.0) == 6 and source_toehold_nt(k, 1e4) == 4
    assert d.domains["ta_src0"] == 6
    # The source strand is a fuel (no formal species), the gate's input strand; the
    # translator gives it back (same domains, another history) with the product.
    assert c["Src0"].kind == "fuel" and c["Src0"].formal is None and c["Src0"].kernel() == "h_src0 ta_src0 b_src0 tc_src0"
    assert c["L0"].kernel() == "b_src0( tc_src0( d0_0 ta_A d0_1 ta_src0 + ) ) ta_src0*" and c["L0"].conc_nM == 1000.0
    assert c["T0"].kernel() == "d0_0( ta_A( b_A tc_A + d0_1( ta_src0( b_src0 tc_src0 + ) ) ) ) tc_src0*"
    assert c["src0_r0p1"].kind == "fuel" and c["src0_r0p1"].formal is None
    assert d.interpretation() == {"A": "A", "A_r0p0": "A"}
    # Free catalyst x q x [L] = k; plus its share waiting in the gate for the translator.
    q = CONDENSED_RATE_NM_S[6]
    assert c["Src0"].conc_nM == pytest.approx(k / (q * 1000.0) + k / (d.q_nM_s * 1000.0))
    assert c["Src0"].conc_nM >= SOURCE_MIN_NM


def test_qian_schemes_refuse_a_source_by_name():
    for scheme in ("qian2011", "qian2011-commit"):
        with pytest.raises(SchemeError, match=r"reaction 0 \(-> A\) is zero-order .*soloveichik2010 compiles sources"):
            compile_network(_net(" -> A  k=0.1"), scheme, SCALE)


def test_a_gate_that_would_run_out_runs_pseudo_first_order():
    """A -> at 0.05 /s: its gate would be 0.05/q ~ 30 nM, below the 300 nM the reaction uses."""
    net = _net("A ->  k=0.05")
    plain = compile_network(net, "soloveichik2010", SCALE, cmax_nM=1000.0)
    assert "Fu0" not in plain.by_name()  # no use given: the paper's gate
    d = compile_network(net, "soloveichik2010", SCALE, cmax_nM=1000.0, budget_nM={0: 300.0}, q_exchange_nM_s=8e-4)
    c = d.by_name()
    assert c["Fu0"].kind == "fuel" and c["Fu0"].formal is None
    assert c["L0"].kernel() == "b_A( tc_A( ta_fu0( + b_fu0( tc_fu0( + ) ) ) ) ) ta_A*" and c["B0"].kernel() == "b_A tc_A ta_fu0"
    # Quasi-steady intermediate: qx [L] q2 [Fu] / (qx [B] + q2 [Fu]) = k / slowdown.
    qx, q2, L, B, F = 8e-4, d.q_nM_s, c["L0"].conc_nM, c["B0"].conc_nM, c["Fu0"].conc_nM
    assert qx * L * q2 * F / (qx * B + q2 * F) == pytest.approx(0.05 / d.slowdown)
    assert L >= 1000.0 and F >= 1000.0 and 0.05 / (d.slowdown * q2 * F) <= 0.1 * 0.1 + 1e-12  # A held <= 1 %
    assert any("pseudo-first-order" in n for n in d.notes)


def test_birth_death_implements_verifies_and_keeps_its_trajectory(tmp_path):
    """-> A, A -> (a source and a slow decay) at the DNA level: bisimilar, and the final
    amount within 0.02 units of the formal network's (the paper's one toehold class misses
    by ~0.9: the decay gate runs out)."""
    pytest.importorskip("peppercornenumerator")
    pytest.importorskip("crnverifier")
    from crnzoo.dna.implement import implement

    s = implement(_net(" -> A  k=0.1;A ->  k=0.05", A=0.5), "soloveichik2010", SCALE, tmp_path / "o", name="bd", family="other",
                  t1=40.0, leak_rates=None)
    assert s["verification"]["result"] is True
    assert s["function"]["ok"], s["function"]
    assert float(s["function"]["detail"].split()[-3]) < 0.02
    assert any(n.startswith("source -> A: catalyst Src0") for n in s["notes"])
    assert (tmp_path / "o" / "design.pil").read_text().count("Src0 =") == 1


@pytest.mark.parametrize("name", zoo.list_models())
def test_every_entry_at_most_bimolecular_compiles_and_the_others_are_refused_by_name(name):
    """Issue 13's first target: every zoo entry whose network (the part `crnzoo implement`
    compiles) is at most bimolecular compiles with Soloveichik 2010; the rest name a reaction."""
    net, _ = formal_network(zoo.entry(name), crnzoo.load(name), name)
    if max(r.molecularity for r in net.reactions) <= 2:
        design = compile_network(net, "soloveichik2010", SCALE)
        assert len(design.reactions) == net.n_reactions and design.total_dna_nM() > 0
    else:
        with pytest.raises(SchemeError, match=r"reaction \d+ \(.+\) has molecularity 3"):
            compile_network(net, "soloveichik2010", SCALE)


def test_an_unreliable_dna_solve_is_reported_as_not_shown_not_raised(tmp_path, monkeypatch):
    """A DNA solve that goes negative decides nothing: `implement` writes its report with the
    function not shown (the CLI then exits 1), instead of a traceback."""
    pytest.importorskip("peppercornenumerator")
    pytest.importorskip("crnverifier")
    from crnzoo.dna import function
    from crnzoo.dna.implement import implement

    def negative(*args, **kwargs):
        raise function.UnreliableSolve("DNA-level simulation of t is unreliable: e1 reached -9 nM")

    monkeypatch.setattr(function, "simulate_stiff", negative)
    s = implement(_net("A ->  k=0.05", A=0.5), "soloveichik2010", SCALE, tmp_path / "o", name="t", family="waveform", t1=10.0)
    assert s["function"] == {"check": "trajectory agrees", "ok": False, "detail": "not shown: DNA-level simulation of t is unreliable: e1 reached -9 nM", "leak": 0.0}
    assert "FAILS" in s["headline"] and (tmp_path / "o" / "summary.json").is_file()
