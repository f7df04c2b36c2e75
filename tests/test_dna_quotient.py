"""Enumeration with history domains quotiented (`enumerate_design(..., histories="quotient")`):
every released Soloveichik-2010 signal strand is identified with its formal species'
canonical strand. Exact because history domains are inert; smaller (adc-3bit: Peppercorn
gave up at 10,000 complexes with full histories, the quotient has 200 species)."""

from __future__ import annotations

import types

import pytest

from crnzoo.dna.schemes import compile_network
from crnzoo.export.scale import Scale
from crnzoo.network import Reaction, ReactionNetwork

pytest.importorskip("peppercornenumerator", reason="the dna extra (peppercornenumerator) is not installed")
pytest.importorskip("crnverifier", reason="the dna extra (crnverifier) is not installed")

# X is made by two reactions and consumed by a third: full enumeration carries three
# variants of X (h_X, d0_0, d1_0) through the gate of X + Y -> Z.
NET = ReactionNetwork(
    ("A", "B", "X", "Y", "Z"),
    (Reaction({"A": 1}, {"X": 1}, 0.5), Reaction({"B": 1}, {"X": 1}, 0.5), Reaction({"X": 1, "Y": 1}, {"Z": 1}, 1.0)),
    {"A": 0.5, "B": 0.5, "Y": 1.0},
    "hist",
)


def test_quotient_drops_history_variants_and_still_verifies():
    from crnzoo.dna.check import verify_bisimulation
    from crnzoo.dna.enumerate import enumerate_design

    design = compile_network(NET, "soloveichik2010", Scale(50.0, 1.0))
    full = enumerate_design(design).network
    quot = enumerate_design(design, histories="quotient")
    variants = {"X_r0p0", "X_r1p0", "Z_r2p0"}
    assert variants <= set(full.species)
    assert not variants & set(quot.network.species)
    assert quot.network.n_species < full.n_species and quot.histories == "quotient" and quot.notes
    # The translators now release the canonical strand: T0 and T1 both make X itself.
    made = {s for r in quot.network.reactions if {"T0", "T1"} & set(r.reactants) for s in r.products}
    assert "X" in made
    for impl in (full, quot.network):
        v = verify_bisimulation(NET, impl, design, timeout_s=120)
        assert v.result is True, v.reason


def test_an_unpaired_history_complement_refuses_the_quotient():
    from crnzoo.dna.enumerate import EnumerationError, _check_inert, _signal_variant

    bad = types.SimpleNamespace(sequence=["d3_0*", "ta_X"], structure=[".", "."], kernel_string="d3_0* ta_X", size=1)
    with pytest.raises(EnumerationError, match="d3_0\\* is unpaired"):
        _check_inert([bad])
    ok = types.SimpleNamespace(sequence=["d3_0*", "ta_X"], structure=["(", "("], kernel_string="", size=1)
    _check_inert([ok])
    sig = types.SimpleNamespace(sequence=["d3_0", "ta_X", "b_X", "tc_X"], structure=list("...."), size=1)
    assert _signal_variant(sig) == "X"
    assert _signal_variant(types.SimpleNamespace(sequence=["d3_0", "ta_X", "b_Y", "tc_X"], structure=list("...."), size=1)) is None


def test_unknown_histories_mode_is_refused():
    from crnzoo.dna.enumerate import enumerate_design

    with pytest.raises(ValueError, match="histories"):
        enumerate_design(compile_network(NET, "soloveichik2010", Scale(50.0, 1.0)), histories="none")


def test_per_module_enumeration_matches_the_whole_where_there_is_no_crosstalk():
    from crnzoo.dna.check import verify_bisimulation
    from crnzoo.dna.enumerate import enumerate_design, module_groups

    design = compile_network(NET, "soloveichik2010", Scale(50.0, 1.0))
    whole = enumerate_design(design, histories="quotient").network
    parts = enumerate_design(design, histories="quotient", modular=True)
    assert module_groups(design) == [[0], [1], [2]]
    assert parts.network.n_reactions == whole.n_reactions and parts.network.n_species == whole.n_species
    assert any("NOT enumerated" in n for n in parts.notes) and parts.histories == "quotient per module"
    assert verify_bisimulation(NET, parts.network, design, timeout_s=120).result is True


def test_reactions_sharing_a_buffer_are_one_module_and_it_has_the_buffer():
    from crnzoo.dna.enumerate import module_complexes, module_groups

    net = ReactionNetwork(("A", "B", "C", "D"), (Reaction({"A": 1, "B": 1}, {"C": 1}, 1.0), Reaction({"A": 1, "B": 1}, {"D": 1}, 0.5),
                                                 Reaction({"C": 1}, {"D": 1}, 0.2)), {"A": 0.5, "B": 0.5}, "pair")
    design = compile_network(net, "soloveichik2010", Scale(50.0, 1.0))
    assert module_groups(design) == [[0, 1], [2]]
    assert "B0" in module_complexes(design)[1]


def test_pairwise_crosstalk_check_finds_none_between_independent_modules():
    from crnzoo.dna.enumerate import pairwise_crosstalk

    extra, pairs = pairwise_crosstalk(compile_network(NET, "soloveichik2010", Scale(50.0, 1.0)))
    assert pairs == 3 and extra == []


def test_enumeration_leaves_the_garbage_collector_as_it_found_it(monkeypatch):
    """Enumeration hides the process's objects from Peppercorn's full gc.collect() calls
    (gc.freeze) and gives them back afterwards, also when the enumeration fails."""
    import gc

    from crnzoo.dna import enumerate as en

    design = compile_network(NET, "soloveichik2010", Scale(50.0, 1.0))
    seen = []
    real = en._enumerate_quotient

    def spy(pil, **options):
        seen.append(gc.get_freeze_count())
        return real(pil, **options)

    monkeypatch.setattr(en, "_enumerate_quotient", spy)
    before = en.enumerate_design(design, histories="quotient").network
    assert seen and seen[0] > 0 and gc.get_freeze_count() == 0
    monkeypatch.setattr(en, "_enumerate_quotient", lambda pil, **o: (_ for _ in ()).throw(RuntimeError("boom")))
    with pytest.raises(en.EnumerationError, match="boom"):
        en.enumerate_design(design, histories="quotient")
    assert gc.get_freeze_count() == 0
    monkeypatch.setattr(en, "_enumerate_quotient", real)
    again = en.enumerate_design(design, histories="quotient").network  # intermediates are renamed (e12 -> e57)
    assert (again.n_species, again.n_reactions) == (before.n_species, before.n_reactions)
