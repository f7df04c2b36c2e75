"""Scaling of a batched `simulate()` over 1, 2, 4 ... local devices (`crnzoo.sharding`).

Each device count runs in its own process (JAX fixes the device count when it starts): on
a CPU the devices are XLA host devices (`--xla_force_host_platform_device_count=N`), which
share the machine's cores; on a multi-GPU host pass `--real` to use the GPUs as they are.
Workload: majority-am4, `--n` random initial states to t = 200, Tsit5 rtol 1e-6 atol 1e-9,
joint solve in chunks of 1024 (the default; the chunks are spread over the devices). Time:
best of `--repeats` after a first (compiling) call, with the CPU time of that process over the
call (all its threads: on a shared machine a process with more threads also gets a larger share
of the cores, so read wall speed-ups there with the CPU column). Every run's final states are
compared with the 1-device run's.

    python benchmarks/devices.py [--devices 1 2 4] [--n 10000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, sys, time
import numpy as np
import crnzoo, jax
import crnzoo.zoo
from crnzoo.solve import SolverConfig, simulate
from crnzoo.tasks.majority import sample
n, repeats, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
model = crnzoo.zoo.load("majority-am4")
x0 = sample(n, seed=0, n_species=3)
cfg = SolverConfig("tsit5", rtol=1e-6, atol=1e-9)
call = lambda: simulate(model, np.array([0.0, 200.0]), x0, solver=cfg).final
t = time.perf_counter(); y = call(); first = time.perf_counter() - t
best, cpu = float("inf"), float("inf")
for _ in range(repeats):
    t, c = time.perf_counter(), time.process_time()
    call()
    best, cpu = min(best, time.perf_counter() - t), min(cpu, time.process_time() - c)
np.save(out, y)
print(json.dumps({"devices": jax.local_device_count(), "kind": jax.devices()[0].device_kind, "first": first, "best": best, "cpu": cpu}))
"""


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--devices", type=int, nargs="+", default=[1, 2, 4])
    p.add_argument("--n", type=int, default=10_000)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--real", action="store_true", help="use the machine's own devices (no host-device flag)")
    p.add_argument("--json")
    a = p.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for d in a.devices:
            env = dict(os.environ, PYTHONPATH=str(ROOT), CRNZOO_NO_CACHE="1")
            if not a.real:
                env["JAX_PLATFORMS"] = "cpu"
                env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") + f" --xla_force_host_platform_device_count={d}").strip()
            else:
                env["CUDA_VISIBLE_DEVICES"] = ",".join(map(str, range(d)))
            out = str(Path(tmp) / f"y{d}.npy")
            r = subprocess.run([sys.executable, "-c", CHILD, str(a.n), str(a.repeats), out], capture_output=True, text=True, env=env)
            if r.returncode:
                print(r.stderr[-2000:])
                raise SystemExit(1)
            row = json.loads(r.stdout.strip().splitlines()[-1])
            row["y"] = np.load(out)
            rows.append(row)
            print(f"  {d} device(s): {row['best']:.3f} s", flush=True)
    base = rows[0]
    print(f"\nmajority-am4, n = {a.n}, simulate() joint in chunks of 1024; best of {a.repeats}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; device kind {base['kind']}")
    print("| devices | run s (wall) | speed-up vs 1 | CPU s of that call (all threads) | first call s (compile) | max abs diff vs 1 device |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        diff = float(np.max(np.abs(r["y"] - base["y"])))
        r["diff"] = diff
        print(f"| {r['devices']} | {r['best']:.3f} | {base['best'] / r['best']:.2f} | {r.get('cpu', float('nan')):.2f} | {r['first']:.2f} | {diff:.1e} |")
    if a.json:
        Path(a.json).write_text(json.dumps([{k: v for k, v in r.items() if k != "y"} for r in rows], indent=1))


if __name__ == "__main__":
    main()
