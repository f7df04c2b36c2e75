"""Ctrl-C while the CLI is still importing JAX is one line and exit 130, never a traceback.

The interrupt is made deterministic: a meta-path hook raises KeyboardInterrupt when `jax`
is imported, and the command runs exactly as the `crnzoo` console script does
(`from crnzoo.cli import main; sys.exit(main())`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from functools import lru_cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

HOOK = textwrap.dedent(
    """
    import sys

    class _CtrlC:
        def find_spec(self, name, path=None, target=None):
            if name == "jax":
                raise KeyboardInterrupt
            return None

    sys.meta_path.insert(0, _CtrlC())
    from crnzoo.cli import main  # the console script's own import
    sys.exit(main(sys.argv[1:]))
    """
)


def _run(*argv: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", HOOK, *argv], capture_output=True, text=True, env=env, timeout=120)


@lru_cache(maxsize=1)
def _cli_import_is_jax_free() -> bool:
    code = "import sys, crnzoo.cli; print('jax' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120)
    return out.stdout.strip() == "False"


@pytest.mark.parametrize("argv", [("simulate", "majority-am4", "--points", "5"), ("export", "gate-and")])
def test_ctrl_c_during_the_jax_import_is_one_line(argv):
    assert _cli_import_is_jax_free(), "`import crnzoo.cli` imports JAX before main() can catch Ctrl-C"
    out = _run(*argv)
    assert out.returncode == 130, out.stderr
    lines = out.stderr.strip().splitlines()
    assert lines == ["crnzoo: interrupted (nothing half-written)"], out.stderr
    assert "Traceback" not in out.stderr
