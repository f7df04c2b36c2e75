"""The SBML Test Suite runner's per-case time limit: a case past `--timeout` is a failure,
"timeout", named under the tables, and the run goes on (case 00269 once held it for minutes)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_case_past_the_time_limit_fails_by_name(shared_data):
    if not (shared_data / "sbml-test-suite" / "semantic" / "00001").is_dir():
        import pytest

        pytest.skip("SBML Test Suite case 00001 is not in the shared data")
    env = dict(os.environ, PYTHONPATH=str(ROOT), CRNZOO_DATA=str(shared_data))
    # 0.2 s: less than importing JAX in the worker, so the case cannot finish in time
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "sbml_test_suite.py"), "--cases", "1", "--timeout", "0.2",
                        "--root", str(shared_data / "sbml-test-suite")],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "| 1 | 0 | 1 | 0 |" in r.stdout  # one case, one failure
    assert "| 00001 | timeout: still running after 0.2 s (worker killed) |" in r.stdout
