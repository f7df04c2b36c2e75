"""Renamed: scripts/robustness_spatial.py (it now covers hopfield-turing-small too). Kept so the
commands recorded in weights/gray-scott-*/robustness.json still run: the arguments are passed on."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from robustness_spatial import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main())
