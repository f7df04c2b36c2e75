"""Exports a lab's tools read as they are: the DSD (formal-CRN) text of every entry parses
with crnverifier's parser (Nuskell's CRN grammar) to the same reactions and rates, and the
Antimony text marks held inputs as boundary species (`$X`)."""

from __future__ import annotations

import math

import pytest
from crnverifier.utils import parse_crn_string

from crnzoo import zoo
from crnzoo.export import export
from conftest import entries_by_size


# Networks above bimolecular (wta-mnist, hopfield, …) still parse; the warning is tested elsewhere.
pytestmark = pytest.mark.filterwarnings("ignore:exporting .* above bimolecular:UserWarning")


@pytest.mark.parametrize("scale", [None, "50nM,1s"], ids=["dimensionless", "scaled"])
@pytest.mark.parametrize("name", entries_by_size())
def test_dsd_parses_with_crnverifier(name, scale):
    model, card = zoo.load(name), zoo.card(name)
    net = model.network(card["reactions"]["k_report"], name="m")
    text = export(net, "dsd", scale=scale)
    crn, species = parse_crn_string(text)
    assert len(crn) == net.n_reactions
    for (reactants, products, rates), r in zip(crn, net.reactions):
        assert sorted(reactants) == sorted(s for s, n in r.reactants.items() for _ in range(int(n)))
        assert sorted(products) == sorted(s for s, n in r.products.items() for _ in range(int(n)))
    if scale is None:
        got = [float(k[0]) for _, _, k in crn]
        assert all(math.isclose(a, r.rate, rel_tol=1e-11) for a, r in zip(got, net.reactions))
    for s, (mode, value) in species.items():
        assert mode == "initial"
        if scale is None and value:
            assert math.isclose(float(value), net.initial.get(s, 0.0), rel_tol=1e-11)


@pytest.mark.parametrize("x, text", [(1.0, "1"), (0.006000000000000002, "0.006"), (1 / 3, "0.333333333333"),
                                     (1.5e-7, "1.5e-07"), (1e20, "100000000000000000000"), (2.5, "2.5")])
def test_dsd_numbers_have_no_float_noise(x, text):
    from crnzoo.export.dsd import number

    assert number(x) == text
    assert parse_crn_string(f"A -> B [k = {text}]")[0][0][2] == [pytest.approx(x, rel=1e-11)]


def test_readme_dsd_example_parses():
    net = zoo.load("majority-am4").network(0.0)
    text = export(net, "dsd")
    assert "A + B -> C + B [k = 1]" in text
    parse_crn_string(text)


def test_antimony_marks_held_inputs():
    antimony = pytest.importorskip("antimony")
    import libsbml

    model = zoo.load("gate-and")
    text = export(model.network(0.0, name="g"), "antimony", boundary=list(model.held_species))
    assert "species $X_hi in" in text and "species Z_hi in" in text
    antimony.clearPreviousLoads()
    assert antimony.loadAntimonyString(text) >= 0, antimony.getLastError()
    doc = libsbml.readSBMLFromString(antimony.getSBMLString(antimony.getMainModuleName()))
    held = {s.getId() for s in doc.getModel().getListOfSpecies() if s.getBoundaryCondition()}
    assert held == set(model.held_species) == {"X_hi", "X_lo", "Y_hi", "Y_lo"}
