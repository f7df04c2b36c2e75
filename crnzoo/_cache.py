"""crnzoo's on-disk caches in the user's cache directory: JAX's persistent compilation cache
(so that the second `crnzoo simulate NAME` in a fresh process skips XLA compilation) and the
JAX-free model index that `crnzoo list` and `crnzoo info` read (`crnzoo.cli._index`).

Where: `$CRNZOO_CACHE_DIR` if set; otherwise `$XDG_CACHE_HOME/crnzoo` (`~/.cache/crnzoo` when
`XDG_CACHE_HOME` is unset or not absolute) on Linux, `~/Library/Caches/crnzoo` on macOS and
`%LOCALAPPDATA%/crnzoo/Cache` on Windows. Never inside the package or a checkout.
Off: `CRNZOO_NO_CACHE=1` (any value but empty, `0`, `false`, `no`).

This module imports no JAX at import time; `enable_compilation_cache` imports it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Every compilation is written (JAX's default skips those under 1 s: a CLI call makes ~15
# of 0.03-0.15 s each). Where the `filelock` package is installed the cache is bounded:
# JAX then evicts the least recently used entries.
MIN_COMPILE_TIME_S = 0.0
MAX_CACHE_BYTES = 1 << 30


def cache_enabled() -> bool:
    """False when the user turned crnzoo's caches off with `CRNZOO_NO_CACHE`."""
    return os.environ.get("CRNZOO_NO_CACHE", "").strip().lower() in ("", "0", "false", "no")


def cache_dir() -> Path:
    """crnzoo's cache directory for this user (see the module docstring); not created here."""
    explicit = os.environ.get("CRNZOO_CACHE_DIR", "").strip()
    if explicit:
        return Path(explicit).expanduser()
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "crnzoo"
    if os.name == "nt":
        base = os.environ.get("LOCALAPPDATA", "").strip()
        return (Path(base) if base else Path.home() / "AppData" / "Local") / "crnzoo" / "Cache"
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"  # XDG: relative paths are invalid
    return base / "crnzoo"


def compilation_cache_dir() -> Path:
    """Where JAX's persistent compilation cache is kept: `cache_dir() / "jax"`."""
    return cache_dir() / "jax"


def _cacheable_equinox_checks() -> None:
    """Make Equinox's run-time checks (`eqx.error_if`) cacheable, in a process that has not
    imported Equinox yet (the CLI) and where the user did not choose `EQX_ON_ERROR`.

    JAX never writes a program with a host callback to the persistent cache, and Equinox's
    default check (`EQX_ON_ERROR=raise`) is one: every Diffrax solve carries a few (save
    times increasing and inside [t0, t1], the sign of dt0), so no solve would be cached.
    With `EQX_ON_ERROR=nan` a failed check returns NaN instead of raising, and crnzoo's
    solves turn a NaN into `SimulationError` ("the state became NaN or infinite"). The
    checks cannot fail on `crnzoo.simulate`'s input: it validates the save times and
    `t0 = ts[0]`, `t1 = ts[-1]` first. Equinox reads the variable once, at its import; it
    is removed from the environment again so that child processes start as before.
    """
    if "equinox" in sys.modules or "EQX_ON_ERROR" in os.environ:
        return
    os.environ["EQX_ON_ERROR"] = "nan"
    try:
        import equinox  # noqa: F401
    finally:
        del os.environ["EQX_ON_ERROR"]


def enable_compilation_cache() -> Path | None:
    """Turn on JAX's persistent compilation cache in `compilation_cache_dir()`.

    Returns the directory, or None when caching is off (`CRNZOO_NO_CACHE`), when the user
    already chose a JAX cache directory (`JAX_COMPILATION_CACHE_DIR` or `jax.config`; theirs
    is kept) or when the directory cannot be created (a read-only home: then nothing is
    cached and everything still works). Results do not depend on it: a cache entry is the
    compiled executable of the same program, keyed by JAX on the program, its shapes, the
    device, the JAX version and the XLA flags.
    """
    if not cache_enabled():
        return None
    _cacheable_equinox_checks()
    import jax

    if jax.config.jax_compilation_cache_dir:  # the user's own setting wins
        return Path(jax.config.jax_compilation_cache_dir)
    path = compilation_cache_dir()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    if not os.access(path, os.W_OK):
        return None
    jax.config.update("jax_compilation_cache_dir", str(path))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", MIN_COMPILE_TIME_S)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    try:  # JAX needs `filelock` to bound (and evict from) the cache; without it the cache is unbounded
        import filelock  # noqa: F401

        jax.config.update("jax_compilation_cache_max_size", MAX_CACHE_BYTES)
    except ImportError:
        pass
    return path
