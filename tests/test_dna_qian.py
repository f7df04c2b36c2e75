"""crnzoo.dna.qian2011: the Qian, Soloveichik & Winfree 2011 scheme pinned on hand-checked
examples (the paper's Fig. 1 gate for X1 + X2 -> products, a catalytic reaction), the
enumerated steps, and the bisimulation verdict Nuskell notes for irreversible reactions;
and the commit variant (`qian2011-commit`), which is bisimilar where Fig. 1 is not."""

from __future__ import annotations

import pytest

from crnzoo.dna.schemes import SCHEMES, compile_network, toehold_rate_nM_s
from crnzoo.export.scale import Scale
from crnzoo.network import Reaction, ReactionNetwork

SCALE = Scale(50.0, 1.0)
BIMOLECULAR = Reaction({"A": 1, "B": 1}, {"C": 1}, 1.0)
CATALYTIC = Reaction({"A": 1, "B": 1}, {"B": 1, "C": 1}, 1.0)


def _net(*reactions, initial=None):
    species = sorted({s for r in reactions for s in r.species()})
    return ReactionNetwork(tuple(species), tuple(reactions), initial or {}, "t")


def test_the_schemes_are_selectable():
    assert {"soloveichik2010", "qian2011", "qian2011-commit"} <= set(SCHEMES)


def test_bimolecular_gate_is_one_complex_as_in_fig1():
    d = compile_network(_net(BIMOLECULAR, initial={"A": 0.5, "B": 0.3}), "qian2011", SCALE, cmax_nM=1000.0)
    c = d.by_name()
    # Signals: history, the one global toehold T, recognition domain.
    assert c["A"].kernel() == "h_A T r_A" and c["A"].conc_nM == pytest.approx(25.0)
    # Gate: reactant covering strands r_X T, the product strand h_C T r_C (r_C dangling),
    # the closing strand f0; the bottom strand's 3' toehold T* is open next to r_A*.
    assert c["G0"].kernel() == "r_A( T( + r_B( T( + h_C( T( r_C + f0( + ) ) ) ) ) ) ) T*"
    assert c["R_C"].kernel() == "T h_C"  # releases C by toehold exchange
    assert c["F0"].kernel() == "T f0"  # closes the gate: the irreversible step
    assert c["C_A"].kernel() == "r_A T"  # A's covering strand, the buffer
    # Distinct strands: 3 signals (the gate's product strand is C itself), the gate's r_A T,
    # r_B T (= the covering strands C_A, C_B), f0 and bottom strand, T f0, T h_C: 9.
    assert len(d.strands()) == 3 + 4 + 2
    # Rate: k = q [G]/[C_A] * phi, phi = [R_C] / ([R_C] + [C_B]) (here C_B = 0: phi = 1).
    q = toehold_rate_nM_s()
    k = SCALE.physical_rate(1.0, 2) / d.slowdown
    assert c["C_B"].conc_nM == 0.0
    assert q * c["G0"].conc_nM / c["C_A"].conc_nM == pytest.approx(k)
    assert c["G0"].conc_nM / c["C_A"].conc_nM <= 0.1 + 1e-12
    assert d.reactions[0].leak_pair == ("G0", "R_C") and d.reactions[0].products == ("C",)


def test_catalytic_reaction_releases_the_catalyst_strand_itself():
    d = compile_network(_net(CATALYTIC), "qian2011", SCALE)
    c = d.by_name()
    assert c["G0"].kernel() == "r_A( T( + r_B( T( + h_B( T( r_B + h_C( T( r_C + f0( + ) ) ) ) ) ) ) ) ) T*"
    # No history variants: the released catalyst is the strand B.
    assert d.interpretation() == {"A": "A", "B": "B", "C": "C"}
    assert {"R_B", "R_C", "F0"} <= set(c)


def test_unimolecular_rate_lives_in_the_gate_and_covering_strands_compete():
    # A is also the first reactant of a bimolecular reaction: its buffer C_A reverses the
    # first step of A -> B, so [G] = k / (q phi), phi = [R_B] / ([R_B] + [C_A]).
    f = _net(Reaction({"A": 1}, {"B": 1}, 0.5), Reaction({"A": 1, "C": 1}, {"D": 1}, 1.0))
    d = compile_network(f, "qian2011", SCALE, cmax_nM=1000.0)
    c = d.by_name()
    q = toehold_rate_nM_s()
    phi = c["R_B"].conc_nM / (c["R_B"].conc_nM + c["C_A"].conc_nM)
    assert 0.5 <= phi < 1
    assert q * c["G0"].conc_nM * phi == pytest.approx(SCALE.physical_rate(0.5, 1) / d.slowdown)


def test_refuses_trimolecular_by_name():
    from crnzoo.dna.schemes import SchemeError

    with pytest.raises(SchemeError, match=r"reaction 0 \(2A \+ B -> C\) has molecularity 3: scheme qian2011"):
        compile_network(_net(Reaction({"A": 2, "B": 1}, {"C": 1}, 1.0)), "qian2011", SCALE)


def test_enumerated_steps_and_the_bisimulation_verdict():
    pytest.importorskip("peppercornenumerator")
    pytest.importorskip("crnverifier")
    from crnzoo.dna.check import verify_bisimulation
    from crnzoo.dna.enumerate import enumerate_design

    f = _net(BIMOLECULAR, initial={"A": 0.5, "B": 0.3})
    d = compile_network(f, "qian2011", SCALE)
    e = enumerate_design(d).network
    rx = {(frozenset(r.reactants), frozenset(r.products)) for r in e.reactions}
    assert len(rx) == 7
    # 1. A + G0 <-> G1 + C_A (toehold exchange, both ways)
    (g1,) = [next(iter(p - {"C_A"})) for r, p in rx if r == {"G0", "A"}]
    assert (frozenset({g1, "C_A"}), frozenset({"G0", "A"})) in rx
    # 2. B + G1 <-> G2 + C_B
    (g2,) = [next(iter(p - {"C_B"})) for r, p in rx if r == {g1, "B"}]
    assert (frozenset({g2, "C_B"}), frozenset({g1, "B"})) in rx
    # 3. R_C + G2 <-> G3 + C: the product leaves by toehold exchange and can come back
    (g3,) = [next(iter(p - {"C"})) for r, p in rx if r == {g2, "R_C"}]
    assert (frozenset({g3, "C"}), frozenset({g2, "R_C"})) in rx
    # 4. F0 + G3 -> waste + f0: irreversible (nothing in the network consumes its products)
    (close,) = [p for r, p in rx if r == {g3, "F0"}]
    assert not any(r & close for r, _ in rx)
    # C + G3 -> G2 + R_C reads as C -> A + B: no CRN bisimulation (Nuskell's note on this scheme).
    assert verify_bisimulation(f, e, d, timeout_s=60).result is False


def test_commit_gate_puts_a_toeholdless_strand_between_reactants_and_products():
    d = compile_network(_net(CATALYTIC), "qian2011-commit", SCALE)
    c = d.by_name()
    # Bottom strand: f0* (T* h_C*) (T* h_B*) c0* (T* r_B*) (T* r_A*) T*; c0 has no toehold.
    assert c["G0"].kernel() == "r_A( T( + r_B( T( + c0( + h_B( T( r_B + h_C( T( r_C + f0( + ) ) ) ) ) ) ) ) ) ) T*"
    # The commit fuel enters on the toehold r_B T leaves open, displaces c0 whole, then
    # releases the first product B; C is released by its releaser as in Fig. 1.
    assert c["K0"].kernel() == "T c0 h_B" and c["R_C"].kernel() == "T h_C"
    assert "R_B" not in c
    assert d.reactions[0].leak_pair == ("G0", "K0") and d.reactions[0].complexes == ("G0", "F0", "K0")
    # The rate law is Fig. 1's, with K0 as the first fuel: phi = [K0] / ([K0] + [C_B]).
    q = toehold_rate_nM_s()
    phi = c["K0"].conc_nM / (c["K0"].conc_nM + c["C_B"].conc_nM)
    assert q * c["G0"].conc_nM / c["C_A"].conc_nM * phi == pytest.approx(SCALE.physical_rate(1.0, 2) / d.slowdown)


@pytest.mark.parametrize(
    "reactions",
    [(BIMOLECULAR,), (CATALYTIC,), (Reaction({"A": 1}, {"B": 1, "C": 1}, 0.5),), (Reaction({"A": 1, "B": 1}, {"B": 2}, 1.0),),
     (Reaction({"A": 1}, {}, 0.5), BIMOLECULAR)],
    ids=["A+B->C", "A+B->B+C", "A->B+C", "A+B->2B", "A->0"],
)
def test_commit_variant_is_bisimilar_where_fig1_is_not(reactions):
    pytest.importorskip("peppercornenumerator")
    pytest.importorskip("crnverifier")
    from crnzoo.dna.check import verify_bisimulation
    from crnzoo.dna.enumerate import enumerate_design

    f = _net(*reactions)
    verdicts = {}
    for scheme in ("qian2011", "qian2011-commit"):
        d = compile_network(f, scheme, SCALE)
        verdicts[scheme] = verify_bisimulation(f, enumerate_design(d).network, d, timeout_s=60).result
    assert verdicts == {"qian2011": False, "qian2011-commit": True}
