"""Shared fixtures. Importing crnzoo turns on float64 for every test."""

from __future__ import annotations

from pathlib import Path

import pytest

import crnzoo  # noqa: F401


SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """`../shared/data` next to the checkout; tests using it skip when it is absent."""
    path = SHARED / "data"
    if not path.is_dir():
        pytest.skip(f"shared data not found at {path} (it sits next to the checkout in CI)")
    return path
