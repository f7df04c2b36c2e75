"""A JAX-free view of the registry, so that `crnzoo list` and `crnzoo info NAME` answer in
well under a second: importing the registry imports every family, and with them JAX.

The index (names, one-line systems, the weights folder) is built once from the registry
and kept in the user's cache directory (`crnzoo._cache`), keyed by a hash of crnzoo's own
source files: any edit to the package, an upgrade or another checkout gets a fresh index,
so the cached answer is always the registry's. `info`'s text is cached the same way, keyed
also by the bytes of the model's `card.json` (an edited card is re-read and its seal
re-checked through the full path). With caching off (`CRNZOO_NO_CACHE=1`) or an unwritable
cache, both go through the registry every time: slower, same output.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from .._cache import cache_dir, cache_enabled

_PACKAGE = Path(__file__).resolve().parent.parent  # crnzoo/


def source_hash() -> str:
    """sha256 (hex, 16 characters) over the path and bytes of every .py file of the package."""
    h = hashlib.sha256(str(_PACKAGE).encode())
    for path in sorted(_PACKAGE.rglob("*.py")):
        h.update(str(path.relative_to(_PACKAGE)).encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def _folder() -> Path:
    return cache_dir() / "index" / source_hash()


def _write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file in the same folder (best effort:
    a cache that cannot be written is skipped)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)  # type: ignore[possibly-undefined]
        except (OSError, NameError):
            pass


def _build() -> dict:
    from .. import zoo  # imports every family (and JAX)

    return {
        "weights_dir": str(zoo.weights_dir()),
        "models": {n: zoo.entry(n).system for n in zoo.list_models()},
    }


def index() -> dict:
    """`{"weights_dir": str, "models": {name: system}}` from the cache, or built (and cached)."""
    if not cache_enabled():
        return _build()
    path = _folder() / "models.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    data = _build()
    _write_atomic(path, json.dumps(data))
    return data


def info_text(name: str) -> str:
    """`crnzoo info NAME`'s text: cached for a registered model whose `card.json` is unchanged;
    anything else (a path, an SBML file, an unknown name, an edited card) takes the full path."""
    data = index() if cache_enabled() else None
    card_file = Path(data["weights_dir"]) / name / "card.json" if data and name in data["models"] else None
    key = None
    if card_file is not None:
        try:
            key = hashlib.sha256(card_file.read_bytes()).hexdigest()[:16]
        except OSError:
            key = None
    cached = _folder() / "info" / f"{name}-{key}.txt" if key else None
    if cached is not None:
        try:
            return cached.read_text(encoding="utf-8")
        except OSError:
            pass
    from .. import cards, zoo

    text = cards.render_text(zoo.card(name))
    if cached is not None:
        _write_atomic(cached, text)
    return text
