"""A user's existing file is never replaced unless they ask (`--overwrite`)."""

import pytest

from crnzoo.cards import GENERATED_MARK, is_generated
from crnzoo.cli import main
from crnzoo.outputs import OutputError, check_output


def test_check_output_refuses_an_existing_file(tmp_path):
    f = tmp_path / "mine.csv"
    f.write_text("mine\n")
    with pytest.raises(OutputError, match="exists.*--overwrite"):
        check_output(f, "--csv")
    assert check_output(f, "--csv", overwrite=True) == f
    assert check_output(tmp_path / "new.csv", "--csv") == tmp_path / "new.csv"


@pytest.mark.parametrize("argv", [["simulate", "gate-and", "--csv"], ["export", "gate-and", "-o"], ["cards", "-o"]])
def test_commands_keep_a_users_file(tmp_path, capsys, argv):
    f = tmp_path / "mine.txt"
    f.write_text("mine\n")
    assert main([*argv, str(f)]) == 2
    assert f.read_text() == "mine\n"
    assert "exists" in capsys.readouterr().err


def test_overwrite_replaces_and_cards_regenerate_their_own_file(tmp_path):
    f = tmp_path / "mine.txt"
    f.write_text("mine\n")
    assert main(["export", "gate-and", "-o", str(f), "--overwrite"]) == 0
    assert "->" in f.read_text()
    cards = tmp_path / "MODEL_CARDS.md"
    assert main(["cards", "-o", str(cards)]) == 0
    assert is_generated(cards) and GENERATED_MARK in cards.read_text()
    assert main(["cards", "-o", str(cards)]) == 0  # its own output: regenerated
