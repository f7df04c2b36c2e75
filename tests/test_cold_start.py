"""Cold start: `crnzoo list` / `info` do not import JAX (once the index is cached), the caches
live in the user's cache directory (XDG_CACHE_HOME) and turn off with CRNZOO_NO_CACHE."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Runs the CLI in-process and reports which heavy modules it imported.
_PROBE = """
import contextlib, io, json, sys
from crnzoo.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main(sys.argv[1:])
print(json.dumps({"code": code, "out": out.getvalue(),
                  "jax": "jax" in sys.modules, "numpy": "numpy" in sys.modules}))
"""


def _run(args: list[str], cache: Path, **env_extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("CRNZOO_NO_CACHE", "CRNZOO_CACHE_DIR")}
    env.update(PYTHONPATH=str(ROOT), XDG_CACHE_HOME=str(cache), **env_extra)
    r = subprocess.run([sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_list_and_info_do_not_import_jax_once_indexed(tmp_path):
    from crnzoo import zoo

    first = _run(["info", "majority-am4"], tmp_path)  # builds the index and caches the text
    assert first["code"] == 0 and first["out"].startswith("majority-am4")
    assert (tmp_path / "crnzoo" / "index").is_dir()  # in the user's cache, not the package
    again = _run(["info", "majority-am4"], tmp_path)
    assert again["out"] == first["out"] and not again["jax"]
    listed = _run(["list"], tmp_path)
    assert not listed["jax"] and not listed["numpy"]
    names = [line.split()[0] for line in listed["out"].splitlines()]
    assert names == zoo.list_models()  # the cached index answers as the registry does
    assert not _run(["list", "gate-*"], tmp_path)["jax"]


def test_compilation_cache_is_written_and_read(tmp_path):
    code = (
        "import time; from crnzoo._cache import enable_compilation_cache as e; print(e());"
        "import jax, jax.numpy as jnp; jax.jit(lambda x: jnp.sin(x) @ x.T)(jnp.ones((50, 50))).block_until_ready()"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("CRNZOO_NO_CACHE", "CRNZOO_CACHE_DIR", "JAX_COMPILATION_CACHE_DIR")}
    env.update(PYTHONPATH=str(ROOT), XDG_CACHE_HOME=str(tmp_path))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(tmp_path / "crnzoo" / "jax")
    assert "Error reading persistent compilation cache" not in r.stderr, r.stderr
    assert any(p.name.startswith("jit_") for p in (tmp_path / "crnzoo" / "jax").iterdir())


def test_no_cache_writes_nothing(tmp_path, monkeypatch):
    from crnzoo.cli import _index

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("CRNZOO_CACHE_DIR", raising=False)
    monkeypatch.setenv("CRNZOO_NO_CACHE", "1")
    assert "majority-am4" in _index.index()["models"]
    assert _index.info_text("majority-am4").startswith("majority-am4")
    assert not (tmp_path / "crnzoo").exists()


def test_cache_dir_respects_xdg_and_override(tmp_path, monkeypatch):
    from crnzoo import _cache

    monkeypatch.delenv("CRNZOO_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert _cache.cache_dir() == tmp_path / "xdg" / "crnzoo"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")  # the XDG spec: relative paths are invalid
    if sys.platform.startswith("linux"):
        assert _cache.cache_dir() == Path.home() / ".cache" / "crnzoo"
    monkeypatch.setenv("CRNZOO_CACHE_DIR", str(tmp_path / "mine"))
    assert _cache.cache_dir() == tmp_path / "mine"
    assert ROOT not in _cache.cache_dir().parents
    for off in ("1", "yes", "true"):
        monkeypatch.setenv("CRNZOO_NO_CACHE", off)
        assert not _cache.cache_enabled()
    monkeypatch.setenv("CRNZOO_NO_CACHE", "0")
    assert _cache.cache_enabled()


def test_cli_solver_names_match_the_solver_layer():
    from crnzoo.cli import SOLVER_NAMES
    from crnzoo.solvers.config import SOLVER_NAMES as LAYER

    assert tuple(SOLVER_NAMES) == tuple(LAYER)


def test_lazy_package_attributes():
    import crnzoo

    assert callable(crnzoo.simulate) and callable(crnzoo.load)
    with pytest.raises(AttributeError):
        crnzoo.no_such_name  # noqa: B018


def test_info_routes_the_same_model_files_as_the_importer():
    """`info` picks SBML/Antimony files by suffix without importing JAX: the same suffixes as `crnzoo.sbml`."""
    from crnzoo import sbml
    from crnzoo.cli._catalog import MODEL_FILE_SUFFIXES

    assert set(MODEL_FILE_SUFFIXES) == set(sbml.SBML_SUFFIXES + sbml.ANTIMONY_SUFFIXES)
