"""Shared fixtures. Importing crnzoo turns on float64 for every test."""

from __future__ import annotations

from pathlib import Path

import pytest

import crnzoo  # noqa: F401
from crnzoo.data import data_dir




@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared data folder (`crnzoo.data.data_dir()`: ../shared/data next to the checkout,
    or $CRNZOO_DATA); tests using it skip when it is absent."""
    path = data_dir()
    if not path.is_dir():
        pytest.skip(f"shared data not found at {path} (it sits next to the checkout in CI; or set CRNZOO_DATA)")
    return path


LARGE_LISTING = 4000  # reactions: a listing this long makes an export round trip a slow test


def entries_by_size():
    """Every registered entry as a pytest parameter; entries whose shipped listing has more than
    `LARGE_LISTING` reactions (their card's count) are marked slow (run by `pytest -m slow`)."""
    from crnzoo import zoo

    def large(name):
        return (zoo.card(name).get("reactions") or {}).get("dense", 0) > LARGE_LISTING

    return [pytest.param(n, marks=pytest.mark.slow) if large(n) else n for n in zoo.list_models()]
