"""Cold start of the `crnzoo` command: first and second call of `list`, `info`, `simulate`,
`verify --fast` and `export` for a few models, each in a fresh process, with an empty user
cache before the first call (a temporary XDG_CACHE_HOME) and the cache the first call left
before the second.

Reports per call: wall seconds, CPU seconds of the child (user + sys, which moves less than
wall on a loaded machine), and for `simulate` the time the command itself reports for the
solve after import ("simulated ... in X s"). `--no-cache` adds a third column with
CRNZOO_NO_CACHE=1 (what every call cost before the cache).

    python benchmarks/cold_start.py                          # ~3-5 min on 2 cores
    python benchmarks/cold_start.py --models majority-am4 --json /tmp/cold.json
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(cmd: list[str], cache: Path, no_cache: bool = False) -> dict:
    """One `crnzoo` call in a fresh process: wall s, child CPU s, the simulate line's time."""
    env = dict(os.environ, XDG_CACHE_HOME=str(cache), PYTHONPATH=str(ROOT))
    env.pop("CRNZOO_CACHE_DIR", None)
    if no_cache:
        env["CRNZOO_NO_CACHE"] = "1"
    else:
        env.pop("CRNZOO_NO_CACHE", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "crnzoo.cli", *cmd], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    m = re.search(r"simulated .* in ([0-9.]+) s", r.stdout)
    return {"rc": r.returncode, "wall": wall, "cpu": cpu, "solve": float(m.group(1)) if m else None,
            "err": r.stderr.strip().splitlines()[-1] if r.returncode else ""}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", nargs="+", default=["majority-am4", "gate-and", "oscillator-frequency"])
    ap.add_argument("--no-cache", action="store_true", help="also time each call with CRNZOO_NO_CACHE=1")
    ap.add_argument("--json", help="write the rows here")
    args = ap.parse_args()

    rows = []
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as out:
        cache = Path(tmp)
        calls = [("list", ["list"]), ("info", ["info", args.models[0]])]
        for name in args.models:
            calls += [
                (f"simulate {name}", ["simulate", name]),
                (f"verify --fast {name}", ["verify", name, "--fast"]),
                (f"export {name} -f sbml", ["export", name, "-f", "sbml", "-o", str(Path(out) / f"{name}.xml")]),
            ]
        for label, cmd in calls:
            if cmd[0] == "export":
                Path(cmd[-1]).unlink(missing_ok=True)
            first = run(cmd, cache)
            if cmd[0] == "export":
                Path(cmd[-1]).unlink(missing_ok=True)
            second = run(cmd, cache)
            row = {"call": label, "first": first, "second": second}
            if args.no_cache:
                if cmd[0] == "export":
                    Path(cmd[-1]).unlink(missing_ok=True)
                row["no_cache"] = run(cmd, cache, no_cache=True)
            rows.append(row)
            f, s = first, second
            solve = f" | solve {f['solve']:.2f} -> {s['solve']:.2f} s" if f["solve"] is not None and s["solve"] is not None else ""
            print(f"| {label} | {f['wall']:.2f} / {f['cpu']:.2f} | {s['wall']:.2f} / {s['cpu']:.2f} |{solve} "
                  f"rc {f['rc']},{s['rc']} {f['err'] or s['err']}", flush=True)
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "load": os.getloadavg()}, indent=1))


if __name__ == "__main__":
    main()
