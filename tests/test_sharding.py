"""Batches sharded over 4 host devices give the same numbers as one device, and are split.

JAX fixes its device count when it starts, so the 4-device run is a subprocess with
XLA_FLAGS=--xla_force_host_platform_device_count=4, compared with a 1-device subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent

_SCRIPT = r"""
import json, sys
import jax, jax.numpy as jnp, numpy as np
import crnzoo
from crnzoo import sharding
from crnzoo.solve import integrate, SolverConfig

from crnzoo.network import parse_reactions

net = parse_reactions("A + B -> C + B  k=1\nB + A -> C + A  k=1\nC + A -> 2A  k=1\nC + B -> 2B  k=1")
rng = np.random.default_rng(0)
x0 = np.concatenate([rng.uniform(0.1, 1.0, (10, 2)), np.zeros((10, 1))], axis=1)  # 10: not a multiple of 4
out = {"devices": jax.local_device_count()}
for batch, chunk in (("joint", None), ("joint", 4), ("vmap", None)):
    tr = crnzoo.simulate(net, np.linspace(0.0, 20.0, 5), x0, batch=batch, chunk=chunk)
    out[f"{batch}-{chunk}"] = np.asarray(tr.ys).tolist()

from crnzoo import zoo
from crnzoo.ssa import ssa_simulate

am4 = zoo.load("majority-am4")  # restored from its checkpoint: its arrays are committed to one device
out["zoo"] = crnzoo.simulate(am4, np.linspace(0.0, 20.0, 5), x0, chunk=4).ys.tolist()

net_x0 = net.__class__(net.species, net.reactions, {"A": 0.6, "B": 0.4, "C": 0.0}, net.name)
ssa = ssa_simulate(net_x0, np.array([0.0, 1.0, 5.0]), 100.0, 8, seed=3)  # 8 runs: 2 per device
out["ssa"] = ssa.counts.tolist()

# the batch is really split: inputs and the solve's outputs live on every device
y, b = sharding.shard_padded(jnp.asarray(x0))
model = crnzoo.MassActionCRN.from_network(net)
ys, y1, *_ = integrate(model, y, jnp.linspace(0.0, 20.0, 5), jnp.float64(0.0), SolverConfig())
chunks = sharding.map_chunks(lambda c: c * 2.0, jnp.asarray(x0), 2)
out["split"] = {
    "padded": [int(y.shape[0]), b],
    "in_devices": len(y.sharding.device_set),
    "in_shard": list(y.sharding.shard_shape(y.shape)),
    "out_devices": len(y1.sharding.device_set),
    "out_shard": list(y1.sharding.shard_shape(y1.shape)),
    "chunks_shape": list(chunks.shape),
    "chunks_devices": len(chunks.sharding.device_set),
    "chunks_ok": bool(np.allclose(np.asarray(chunks).reshape(-1, 3)[:10], 2.0 * x0)),
}
print(json.dumps(out))
"""


def _run(devices: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT), CRNZOO_NO_CACHE="1", JAX_PLATFORMS="cpu")
    env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") + f" --xla_force_host_platform_device_count={devices}").strip()
    r = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


pytestmark = pytest.mark.slow  # two JAX subprocesses, ~20 s of CPU


@pytest.fixture(scope="module")
def runs():
    return _run(1), _run(4)


def test_four_devices_give_one_devices_numbers(runs):
    one, four = runs
    assert one["devices"] == 1 and four["devices"] == 4
    np.testing.assert_array_equal(np.asarray(four["ssa"]), np.asarray(one["ssa"]))  # same keys, same paths
    for key in ("joint-None", "joint-4", "vmap-None", "zoo"):
        a, b = np.asarray(one[key]), np.asarray(four[key])
        assert a.shape == b.shape == (10, 5, 3)
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-14, err_msg=key)


def test_the_batch_is_split_over_four_devices(runs):
    _, four = runs
    s = four["split"]
    assert s["padded"] == [12, 10]  # 10 members padded to 12 = 4 x 3
    assert s["in_devices"] == 4 and s["in_shard"] == [3, 3]
    assert s["out_devices"] == 4 and s["out_shard"] == [3, 3]  # the solve ran partitioned
    assert s["chunks_shape"][0] == 8 and s["chunks_devices"] == 4 and s["chunks_ok"]  # 5 chunks of 2 -> 8 (4 x 2)


def test_one_device_is_the_identity(runs):
    one, _ = runs
    s = one["split"]
    assert s["padded"] == [10, 10] and s["in_devices"] == 1
