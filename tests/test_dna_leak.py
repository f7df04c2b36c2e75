"""The leak tolerance is bracketed (`crnzoo.dna.leak.leak_walk`), and its back-of-envelope
estimate (`leak_estimate`) follows from the gate and fuel concentrations and the duration."""

from __future__ import annotations

import pytest

from crnzoo.dna.leak import CEIL, FLOOR, leak_estimate, leak_walk, tolerance_text
from crnzoo.dna.schemes import compile_network
from crnzoo.export.scale import Scale
from crnzoo.network import Reaction, ReactionNetwork


@pytest.mark.parametrize("threshold", [3e-15, 2e-13, 5e-12, 4e-9])
def test_walk_brackets_the_threshold_within_half_a_decade(threshold):
    good, bad, tried = leak_walk(lambda k: k <= threshold)
    assert good <= threshold < bad and bad / good == pytest.approx(10**0.5)
    assert tried[0][0] == 1e-12 and len(tried) <= 8


def test_walk_reports_running_out_of_range():
    assert leak_walk(lambda k: False)[:2] == (None, pytest.approx(FLOOR))
    assert leak_walk(lambda k: True)[:2] == (pytest.approx(CEIL), None)
    assert tolerance_text(None, 1e-18).startswith("< 1e-18")
    assert tolerance_text(3.2e-14, 1e-13) == "3.2e-14 (holds; fails at 1e-13)"


def test_estimate_is_threshold_over_gate_times_fuel_times_duration():
    net = ReactionNetwork(("A", "B"), (Reaction({"A": 1}, {"B": 1}, 0.1),), {"A": 1.0}, "uni")
    d = compile_network(net, "soloveichik2010", Scale(50.0, 1.0))
    conc = {c.name: c.conc_nM for c in d.complexes}
    e = leak_estimate(d, duration_s=1e4, threshold_nM=5.0)
    assert e["species"] == "B"
    assert e["k_leak_nM_s"] == pytest.approx(5.0 / (conc["L0"] * conc["T0"] * 1e4))
