"""The robustness section of the cards (weights/<name>/robustness.json, scripts/robustness_cards.py)."""

from __future__ import annotations

import json

from crnzoo import cards, zoo
from crnzoo.ssa.robustness import StochasticCheck, lab_volume_fl, smallest_omega


def _measured() -> dict:
    table = {64.0: (100, 100), 32.0: (97, 100), 16.0: (80, 100)}
    r = smallest_omega(lambda o: StochasticCheck(*table[o], {"the minority input won": 100 - table[o][0]} if table[o][0] < 100 else {}),
                       omega_max=64, patience=1)
    return {"name": "majority-am4", "status": "measured", "runs": 100, **r.to_dict(50.0), "statement": r.statement(50.0)}


def test_summary_gives_threshold_interval_failure_and_lab_volume():
    rob = _measured()
    lines = cards.robustness_summary(rob)
    text = "\n".join(lines)
    assert "**32**" in text  # 97/100 at 32 keeps p̂ >= 0.95; 80/100 at 16 does not
    assert "fails first below it: the minority input won" in text
    assert f"{lab_volume_fl(32, 50):.3g} fL" in text
    assert "Ω=16: 80/100" in text


def test_not_tested_entries_say_why():
    lines = cards.robustness_summary({"status": "not tested", "reason": "spatial: diffusion is not in the listing"})
    assert lines == ["not measured: spatial: diffusion is not in the listing"]


def test_markdown_and_text_cards_show_the_section(tmp_path):
    card = zoo.card("majority-am4")
    assert "Robustness at finite molecule counts" not in cards.render_markdown(card, tmp_path)
    (tmp_path / "robustness.json").write_text(json.dumps(_measured()))
    md = cards.render_markdown(card, tmp_path)
    assert "**Robustness at finite molecule counts**" in md and "lab statement: at 1 unit = 50 nM" in md
