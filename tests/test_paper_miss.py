"""Issue 17: the paper-miss notes are sealed into their cards and shown in MODEL_CARDS.md."""

from crnzoo import checkpoint, zoo
from crnzoo.cards import render_markdown


def test_paper_miss_notes_are_sealed_and_rendered():
    for name in ("wta-ring", "wta-ring-paper", "wta-ring-paper-stable"):  # ncrn-linear2d reached the paper in issue 17 (one-sided loss)
        card = zoo.card(name)
        checkpoint.check_card_hash(card, name)  # written through scripts/note_paper_misses.py, then resealed
        miss = card["paper_miss"]
        assert miss["status"] and miss["measured"] and miss["why"]
        assert f"**Short of the paper ({miss['status']}):**" in render_markdown(card)


def test_cards_without_a_note_render_no_miss_line():
    assert "Short of the paper" not in render_markdown(zoo.card("gray-scott-kappa"))
