"""Modular bisimulation when formal reactions share reactants: their modules are merged."""

from __future__ import annotations

import pytest

from crnzoo.dna.schemes import compile_network
from crnzoo.export.scale import Scale
from crnzoo.network import Reaction, ReactionNetwork

pytest.importorskip("peppercornenumerator", reason="the dna extra (peppercornenumerator) is not installed")
pytest.importorskip("crnverifier", reason="the dna extra (crnverifier) is not installed")


def test_same_reactants_share_one_module_and_verify():
    """A + B -> C and A + B -> D (gate-or has such a pair): intermediates of the two gates
    react with each other, so the pair is one module; every other reaction keeps its own.
    (Before the merge `modules` gave up, and gate-or fell back to a whole-CRN search that did
    not finish in 600 s; with it, gate-or is verified by modular bisimulation in ~5 s.)"""
    from crnzoo.dna.check import modules, verify_bisimulation
    from crnzoo.dna.enumerate import enumerate_design

    reactions = (Reaction({"A": 1, "B": 1}, {"C": 1}, 1.0), Reaction({"A": 1, "B": 1}, {"D": 1}, 0.5),
                 Reaction({"C": 1}, {"E": 1}, 0.2))
    net = ReactionNetwork(("A", "B", "C", "D", "E"), reactions, {"A": 0.5, "B": 0.5}, "pair")
    design = compile_network(net, "soloveichik2010", Scale(50.0, 1.0))
    impl = enumerate_design(design).network
    groups, crns = modules(impl, design)
    assert sorted(groups) == [[0, 1], [2]]
    assert all(crns)
    verdict = verify_bisimulation(net, impl, design, timeout_s=120)
    assert verdict.result is True, verdict.reason
