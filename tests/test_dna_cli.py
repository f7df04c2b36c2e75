"""`crnzoo implement`'s entry-side pieces: the leak option, the per-chamber ring network, the
read-out cases, and the card's DNA line read from weights/<name>/dna.json."""

from __future__ import annotations

import json

import pytest

from crnzoo.cli import main
from crnzoo.cli._dna import formal_network, function_cases, parse_leak


def test_parse_leak():
    assert parse_leak("none") == ()
    assert parse_leak("walk") == parse_leak(" Walk ") == "walk"
    assert parse_leak("1e-12, 1e-9") == (1e-12, 1e-9)
    for bad in ("1e-9,1e-12", "-1", "fast", ""):
        with pytest.raises(ValueError, match="--leak"):
            parse_leak(bad)


def test_bad_leak_is_one_line_exit_2(tmp_path, capsys):
    code = main(["implement", "majority-am3", "--leak", "1e-9,1e-12", "-o", str(tmp_path / "o")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "--leak" in err and len(err.splitlines()) == 1 and not (tmp_path / "o").exists()


def test_ring_compiles_one_chamber_and_cases_cover_the_inputs():
    import crnzoo
    from crnzoo import zoo

    entry, model = zoo.entry("wta-ring-paper"), crnzoo.load("wta-ring-paper")
    net, part = formal_network(entry, model, "ring")
    full = model.network(entry.k_report)
    assert set(net.species) == {s for s in full.species if s.endswith("_0")}
    assert 0 < net.n_reactions < full.n_reactions and all(r.species() <= set(net.species) for r in net.reactions)
    assert part.startswith("chamber 0 of 5")
    entry, model = zoo.entry("adc-3bit"), crnzoo.load("adc-3bit")
    cases = function_cases(entry, model, model.network(entry.k_report))
    assert len(cases.x0s) == 8 and cases.threshold is None and len(cases.outputs) == 6
    assert sorted(round(c["X"] + c["Xc"], 9) for c in cases.x0s) == [1.0] * 8


def test_card_shows_the_dna_line(tmp_path):
    from crnzoo.cards import dna_line

    assert dna_line("gate-and", tmp_path) is None
    (tmp_path / "dna.json").write_text(json.dumps({"headline": "gate-and: 7 formal reactions -> 51 strands", "scheme": "soloveichik2010", "command": "crnzoo implement gate-and"}))
    assert dna_line("gate-and", tmp_path).startswith("gate-and: 7 formal reactions -> 51 strands (soloveichik2010;")


def test_card_says_when_the_enumeration_was_per_module(tmp_path):
    from crnzoo.cards import dna_line

    d = {"headline": "seven-segment: 164 formal reactions", "scheme": "soloveichik2010", "command": "crnzoo implement seven-segment --modular",
         "enumeration": "quotient per module"}
    (tmp_path / "dna.json").write_text(json.dumps(d))
    assert "reactions between modules not enumerated" in dna_line("seven-segment", tmp_path)
    (tmp_path / "dna.json").write_text(json.dumps({**d, "enumeration": "quotient"}))
    assert "between modules" not in dna_line("seven-segment", tmp_path)
