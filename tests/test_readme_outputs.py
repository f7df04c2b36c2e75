"""The README's table of the files each command writes names every command of the CLI."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from crnzoo.cli import build_parser

README = Path(__file__).resolve().parents[1] / "README.md"


def _commands() -> set[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return set(sub.choices)


def test_every_command_says_what_it_writes():
    text = README.read_text()
    section = text.split("### Exit codes, files written", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    named = {c for line in rows for c in re.findall(r"`([a-z]+)(?: --[a-z]+)?`", line.split("|")[1])}
    missing = sorted(_commands() - named)
    assert not missing, f"README's 'writes' table lacks {missing}"
    for code in ("0 success", "1 a result", "2 bad input", "130 Ctrl-C"):
        assert code in section
