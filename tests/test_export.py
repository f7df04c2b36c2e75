"""Exports of a ReactionNetwork: every format parses back or validates in its tool."""

from __future__ import annotations

import csv
import json
import re
import warnings

import numpy as np
import pytest

from crnzoo.export import (
    FORMATS,
    Scale,
    export,
    from_json,
    from_txt,
    to_antimony,
    to_csv,
    to_dsd,
    to_json,
    to_png,
    to_sbml,
    to_txt,
)
from crnzoo.network import Reaction, ReactionNetwork, parse_reactions


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def majority() -> ReactionNetwork:
    """Approximate majority: A + B -> 2U, A + U -> 2A, B + U -> 2B."""
    return ReactionNetwork(
        ("A", "B", "U"),
        (
            Reaction({"A": 1, "B": 1}, {"U": 2}, 1.0),
            Reaction({"A": 1, "U": 1}, {"A": 2}, 1.0),
            Reaction({"B": 1, "U": 1}, {"B": 2}, 1.0),
        ),
        {"A": 0.6, "B": 0.4},
        name="approx_majority",
        roles={"A": "input", "B": "input", "U": "auxiliary"},
    )


def mixed() -> ReactionNetwork:
    """A trimolecular reaction, a source, a sink, a catalyst and an odd label."""
    return ReactionNetwork(
        ("A", "B", "C", "D"),
        (
            Reaction({"A": 2, "B": 1}, {"C": 1}, 0.5, label="tri"),
            Reaction({}, {"A": 1}, 0.1),
            Reaction({"C": 1}, {}, 0.2),
            Reaction({"A": 1, "D": 1}, {"B": 1, "D": 1}, 1.3),
            Reaction({"B": 1}, {"A": 1}, 0.03, label="slow back"),
        ),
        {"A": 0.8, "D": 0.25, "B": 0.1},
        name="mixed-net",
        roles={"D": "fuel", "C": "output"},
    )


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return fn(*args, **kwargs)


def code_lines(text: str, comment: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith(comment)]


def assert_same(a: ReactionNetwork, b: ReactionNetwork, rel: float = 1e-12):
    assert a.species == b.species
    assert a.name == b.name
    assert dict(a.roles) == dict(b.roles)
    np.testing.assert_allclose(a.initial_state(), b.initial_state(), rtol=rel)
    assert len(a.reactions) == len(b.reactions)
    for x, y in zip(a.reactions, b.reactions):
        assert x.reactants == y.reactants and x.products == y.products and x.label == y.label
        assert x.rate == pytest.approx(y.rate, rel=rel)


# ---- scale ------------------------------------------------------------------------------


def test_scale_parse_and_units():
    assert Scale.parse("50nM,1s") == Scale(50.0, 1.0)
    assert Scale.parse("50nM") == Scale(50.0, 1.0)
    assert Scale.parse(" 50 nM , 60s ") == Scale(50.0, 60.0)
    assert Scale.parse("1uM,2min") == Scale(1000.0, 120.0)
    assert Scale.parse(str(Scale(50.0, 60.0))) == Scale(50.0, 60.0)
    for bad in ("", "50", "50 parsecs", "1s", "50nM,1s,2s", "50nM,-1s", "0nM", "nM"):
        with pytest.raises(ValueError):
            Scale.parse(bad)
    s = Scale.parse("50nM,1s")
    assert s.physical_rate(1.0, 2) == pytest.approx(1.0 / 50)
    assert s.physical_rate(1.0, 1) == pytest.approx(1.0)
    assert s.physical_rate(1.0, 0) == pytest.approx(50.0)
    assert s.physical_rate(1.0, 3) == pytest.approx(1.0 / 2500)
    assert Scale(50, 60).physical_rate(1.0, 2) == pytest.approx(1.0 / 50 / 60)
    assert s.dimensionless_rate(s.physical_rate(0.7, 3), 3) == pytest.approx(0.7)
    assert s.physical_conc(0.6) == pytest.approx(30.0)
    assert [s.rate_unit(m) for m in range(4)] == ["nM/s", "1/s", "1/(nM*s)", "1/(nM^2*s)"]


def test_scaled_rates_in_exports():
    net, s = majority(), Scale.parse("50nM,1s")
    doc = json.loads(to_json(net, s))
    assert doc["units"]["concentration"] == "nM" and doc["units"]["time"] == "s"
    for r in doc["reactions"]:
        assert r["rate"] == pytest.approx(1.0 / 50)
        assert r["rate_unit"] == "1/(nM*s)"
    assert [sp["initial"] for sp in doc["species"]] == pytest.approx([30.0, 20.0, 0.0])
    assert "k=0.02  # unit=1/(nM*s)" in to_txt(net, s)
    assert "50nM,1s" in to_txt(net, s).splitlines()[2]
    assert "dimensionless" in to_txt(net).splitlines()[2]


# ---- header and warnings --------------------------------------------------------------


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "png"])
def test_warning_names_trimolecular(fmt):
    with pytest.warns(UserWarning, match=r"tri: 2A \+ B -> C") as record:
        text = export(mixed(), fmt)
    assert len([w for w in record if "above bimolecular" in str(w.message)]) == 1
    if fmt == "json":
        doc = json.loads(text)
        assert len(doc["warnings"]) == 1 and "tri" in doc["warnings"][0] and doc["max_molecularity"] == 3
        return
    warning_lines = [line for line in text.splitlines() if "WARNING" in line]
    assert len(warning_lines) == 1
    assert "tri" in warning_lines[0] and "maximum molecularity 3" in text


def test_no_warning_for_bimolecular(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for fmt in FORMATS:
            export(majority(), fmt, path=tmp_path / f"out.{fmt}")
    assert "WARNING" not in to_txt(majority())


def test_unknown_format():
    with pytest.raises(ValueError, match="txt, json, csv, sbml, antimony, dsd, png"):
        export(majority(), "graphml")
    with pytest.raises(ValueError, match="path"):
        export(majority(), "png")


def test_export_writes_path(tmp_path):
    path = tmp_path / "m.txt"
    assert export(majority(), "TXT", path=path, scale="50nM") is None
    assert path.read_text() == to_txt(majority(), Scale(50.0))


# ---- txt / json / csv -----------------------------------------------------------------


def test_txt_round_trips_through_parse_reactions():
    net = majority()
    text = to_txt(net)
    assert "A + B -> 2U  k=1" in text and "# crnzoo reaction network: approx_majority" in text
    back = parse_reactions(text, species=net.species, name=net.name)
    assert [(r.reactants, r.products, r.rate) for r in back.reactions] == [
        (r.reactants, r.products, r.rate) for r in net.reactions
    ]
    assert_same(from_txt(text), net)


@pytest.mark.parametrize("scale", [None, Scale(50.0, 60.0)])
def test_txt_round_trip_mixed(scale):
    net = mixed()
    text = quiet(to_txt, net, scale, digits=17)
    parse_reactions(text)  # the plain reader accepts scaled listings too
    assert_same(from_txt(text), net, rel=1e-12)


@pytest.mark.parametrize("scale", [None, Scale(50.0, 1.0), Scale(3.0, 7.0)])
def test_json_round_trips(scale):
    for net in (majority(), mixed()):
        text = quiet(to_json, net, scale)
        doc = json.loads(text)
        assert doc["max_molecularity"] == net.max_molecularity
        assert [s["id"] for s in doc["species"]] == list(net.species)
        assert_same(from_json(text), net)
    with pytest.raises(ValueError):
        from_json('{"hello": 1}')


def test_csv_parses():
    net = mixed()
    text = quiet(to_csv, net, Scale(50.0))
    rows = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    assert list(rows[0]) == ["id", "reactants", "products", "rate", "rate_unit", "molecularity"]
    assert [r["id"] for r in rows] == net.labels()
    assert rows[0]["reactants"] == "2A + B" and rows[0]["molecularity"] == "3"
    assert rows[1]["reactants"] == "" and rows[2]["products"] == ""
    assert rows[3]["reactants"] == "A + D" and rows[3]["rate_unit"] == "1/(nM*s)"
    assert float(rows[3]["rate"]) == pytest.approx(1.3 / 50)
    assert rows[1]["rate_unit"] == "nM/s" and float(rows[1]["rate"]) == pytest.approx(0.1 * 50)
    assert any("D" in line and "role=fuel" in line for line in text.splitlines() if line.startswith("#"))


# ---- SBML ------------------------------------------------------------------------------


def sbml_problems(text: str) -> tuple[list[str], list[str]]:
    """(errors, warnings) of reading and consistency-checking an SBML string."""
    libsbml = pytest.importorskip("libsbml")
    doc = libsbml.readSBMLFromString(text)
    errors, warns = [], []
    for check in (lambda: None, doc.checkConsistency):
        doc.getErrorLog().clearLog()
        check()
        for i in range(doc.getNumErrors()):
            e = doc.getError(i)
            (errors if e.getSeverity() >= libsbml.LIBSBML_SEV_ERROR else warns).append(e.getMessage())
    return errors, warns


@pytest.mark.parametrize("scale", [None, Scale(50.0, 1.0), Scale(2.0, 60.0)])
@pytest.mark.parametrize("make", [majority, mixed])
def test_sbml_is_consistent(make, scale):
    libsbml = pytest.importorskip("libsbml")
    net = make()
    text = quiet(to_sbml, net, scale)
    doc = libsbml.readSBMLFromString(text)
    assert doc.getNumErrors() == 0
    assert (doc.getLevel(), doc.getVersion()) == (3, 2)
    errors, warns = sbml_problems(text)
    assert errors == [] and warns == []
    model = doc.getModel()
    assert model.getNumSpecies() == net.n_species and model.getNumReactions() == net.n_reactions
    assert all(not model.getReaction(j).getReversible() for j in range(net.n_reactions))
    assert "crnzoo reaction network" in model.getNotesString()


def test_sbml_empty_network():
    net = ReactionNetwork(("A",), (), {"A": 1.0}, name="empty")
    errors, warns = sbml_problems(to_sbml(net))
    assert errors == []


def rk_reference(net: ReactionNetwork, t_end: float, times: np.ndarray) -> np.ndarray:
    integrate = pytest.importorskip("scipy.integrate")
    ma = net.mass_action()

    def f(t, x):
        return np.asarray(ma.rhs(t, np.asarray(x, dtype=np.float64)), dtype=np.float64)

    sol = integrate.solve_ivp(f, (0.0, t_end), net.initial_state(), t_eval=times, rtol=1e-10, atol=1e-12, method="DOP853")
    assert sol.success
    return sol.y.T


@pytest.mark.parametrize("scale", [None, Scale(50.0, 10.0)])
@pytest.mark.parametrize("make", [majority, mixed])
def test_sbml_simulates_to_mass_action(make, scale):
    roadrunner = pytest.importorskip("roadrunner")
    net = make()
    times = np.linspace(0.0, 5.0, 11)
    expected = rk_reference(net, 5.0, times)
    sc = scale or Scale(1.0, 1.0)
    rr = roadrunner.RoadRunner(quiet(to_sbml, net, scale))
    rr.integrator.relative_tolerance = 1e-10
    rr.integrator.absolute_tolerance = 1e-12 * sc.concentration_nM
    rr.timeCourseSelections = ["time"] + [f"[{s}]" for s in net.species]
    out = np.asarray(rr.simulate(0.0, 5.0 * sc.time_s, len(times)))
    np.testing.assert_allclose(out[:, 0], times * sc.time_s, atol=1e-9)
    np.testing.assert_allclose(out[:, 1:] / sc.concentration_nM, expected, atol=1e-5)


# ---- antimony / dsd / png -----------------------------------------------------------------


def test_antimony_text():
    net = mixed()
    text = quiet(to_antimony, net, Scale(50.0))
    code = code_lines(text, "//")
    assert code[0] == "model mixed_net" and code[-1] == "end"
    body = "\n".join(code)
    assert "=>" in body and " -> " not in body and "->" not in body
    assert "  tri: 2 A + B => C; k_tri*A*A*B;" in code
    assert "  r1: => A; k_r1;" in code
    assert "  r2: C =>; k_r2*C;" in code
    assert "  slow_back: B => A; k_slow_back*B;" in code
    assert "  species A in tube = 40;" in code
    assert any(line.startswith("  k_r3 = 0.026") and line.endswith("// 1/(nM*s)") for line in code)
    assert text.startswith("// crnzoo reaction network: mixed-net")


# One Nuskell formal-CRN statement (reaction or initial amount), after its grammar.
_SPECIES = r"(?:\d+\s*)?[A-Za-z][A-Za-z0-9_]*"
_SIDE = rf"(?:{_SPECIES}(?:\s*\+\s*{_SPECIES})*)?"
_NUM = r"\d+(?:\.\d+)?(?:e[-+]?\d+)?"
_STATEMENT = re.compile(rf"^\s*(?:{_SIDE}\s*->\s*{_SIDE}\s*\[k = {_NUM}\]|{_SPECIES} @ initial {_NUM})\s*$")


def test_dsd_syntax():
    net = mixed()
    text = quiet(to_dsd, net)
    code = code_lines(text, "#")
    assert all(_STATEMENT.match(line) for line in code), code
    assert code[:5] == [
        "2A + B -> C [k = 0.5]",
        "-> A [k = 0.1]",
        "C -> [k = 0.2]",
        "A + D -> B + D [k = 1.3]",
        "B -> A [k = 0.03]",
    ]
    assert code[5:] == ["A @ initial 0.8", "B @ initial 0.1", "D @ initial 0.25"]
    one = code_lines(quiet(to_dsd, net, one_line=True), "#")
    assert len(one) == 1
    assert one[0].split("; ") == code
    tiny = ReactionNetwork(("A",), (Reaction({"A": 1}, {}, 1e-5),), name="t")
    assert code_lines(to_dsd(tiny), "#") == ["A -> [k = 1e-05]"]


def test_png(tmp_path):
    path = tmp_path / "m.png"
    to_png(majority(), path)
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    with pytest.warns(UserWarning, match="tri"):
        to_png(mixed(), tmp_path / "x.png", Scale(50.0))
    assert (tmp_path / "x.png").read_bytes()[:8] == PNG_SIGNATURE


def test_png_empty_and_large(tmp_path):
    to_png(ReactionNetwork((), (), name="nothing"), tmp_path / "e.png")
    assert (tmp_path / "e.png").read_bytes()[:8] == PNG_SIGNATURE
    rng = np.random.default_rng(0)
    species = tuple(f"X{i}" for i in range(40))
    reactions = tuple(
        Reaction({species[a]: 1, species[b]: 1}, {species[c]: 2}, float(10 ** rng.uniform(-3, 2)))
        for a, b, c in rng.integers(0, 40, size=(300, 3))
    )
    big = ReactionNetwork(species, reactions, name="big")
    export(big, "png", path=tmp_path / "big.png")
    assert (tmp_path / "big.png").read_bytes()[:8] == PNG_SIGNATURE


def test_all_formats_on_empty_reaction_list(tmp_path):
    net = ReactionNetwork(("A", "B"), (), {"A": 1.0}, name="idle")
    for fmt in FORMATS:
        export(net, fmt, path=tmp_path / f"idle.{fmt}")
    assert from_json(to_json(net)).species == ("A", "B")
    assert parse_reactions(to_txt(net)).reactions == ()
