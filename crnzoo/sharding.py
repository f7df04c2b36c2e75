"""Batches spread over all local devices with `jax.sharding`: the distributed engine is JAX's.

A batch (initial states of an ensemble, SSA runs, training seeds, images) is placed with a
`NamedSharding` over a one-axis `Mesh` of the local devices (axis name `"batch"`); jitted
code that receives it runs partitioned by XLA (GSPMD: computation follows the data), each
device on its slice of the batch. Nothing else changes: the same program, the same numbers
(`tests/test_sharding.py` compares them with one device). A batch whose size is not a
multiple of the device count is padded with copies of its last member, which the caller
drops (`pad_batch` / `unpad`); a copy of a member changes neither a joint solve's worst-
member error norm nor any independent member.

With one device (a plain CPU process) every function here is the identity, at no cost. To
try several devices on a CPU, start Python with
`XLA_FLAGS=--xla_force_host_platform_device_count=4` (it must be set before JAX starts).

**Several hosts** (`jax.distributed`): start one process per host with the same program and

    COORDINATOR_ADDRESS=host0:1234 NUM_PROCESSES=2 PROCESS_ID=0 python my_script.py  # on host0
    COORDINATOR_ADDRESS=host0:1234 NUM_PROCESSES=2 PROCESS_ID=1 python my_script.py  # on host1

where the script first calls `crnzoo.sharding.initialize_distributed()` (which calls
`jax.distributed.initialize` with those values; on Cloud TPU and SLURM JAX finds them
itself), then simulates only its own part of the ensemble, `process_slice(n)`, over its
local devices, and writes or gathers its results (for example one `.npz` per process).
Ensembles are embarrassingly parallel, so no solver state crosses hosts; a *joint* batch
solve then has one step-size controller per process instead of one for the whole batch.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

AXIS = "batch"


def batch_mesh(devices: Sequence[jax.Device] | None = None) -> Mesh:
    """A one-axis mesh (`"batch"`) over `devices` (default: this process's local devices)."""
    devices = list(jax.local_devices() if devices is None else devices)
    return Mesh(np.array(devices), (AXIS,))


def device_count(devices: Sequence[jax.Device] | None = None) -> int:
    """How many devices a batch is spread over (default: the local devices)."""
    return len(jax.local_devices()) if devices is None else len(devices)


def batch_sharding(mesh: Mesh, ndim: int) -> NamedSharding:
    """The leading axis split over the mesh, the other `ndim - 1` axes whole on each device."""
    return NamedSharding(mesh, PartitionSpec(AXIS, *([None] * (ndim - 1))))


def pad_batch(x: jax.Array, multiple: int) -> tuple[jax.Array, int]:
    """`x` with copies of its last member appended along axis 0 up to a multiple of
    `multiple`, and the original batch size."""
    b = x.shape[0]
    pad = -b % multiple
    if pad:
        x = jnp.concatenate([x, jnp.broadcast_to(x[-1:], (pad,) + x.shape[1:])])
    return x, b


def shard_batch(tree, devices: Sequence[jax.Device] | None = None):
    """Place every array leaf of `tree` (all with the same leading batch size) split along
    axis 0 over the devices. Other leaves are left as they are. With one device, or when a
    leading size is not a multiple of the device count (use `shard_padded`), `tree` is
    returned unchanged."""
    n = device_count(devices)
    leaves = [x for x in jax.tree_util.tree_leaves(tree) if isinstance(x, (jax.Array, np.ndarray)) and np.ndim(x) >= 1]
    if n < 2 or not leaves or any(np.shape(x)[0] % n for x in leaves):
        return tree  # one device, or a batch that does not split evenly: left where it is
    mesh = batch_mesh(devices)

    def place(leaf):
        if isinstance(leaf, (jax.Array, np.ndarray)) and np.ndim(leaf) >= 1:
            return jax.device_put(leaf, batch_sharding(mesh, np.ndim(leaf)))
        return leaf

    return jax.tree_util.tree_map(place, tree)


def replicate(tree, devices: Sequence[jax.Device] | None = None):
    """Every `jax.Array` leaf of `tree` copied to all the devices (a model's parameters next
    to a sharded batch: arrays restored from a checkpoint are committed to one device, and jit
    refuses to mix them with a batch on several). Unchanged with one device."""
    if device_count(devices) < 2:
        return tree
    everywhere = NamedSharding(batch_mesh(devices), PartitionSpec())
    return jax.tree_util.tree_map(lambda x: jax.device_put(x, everywhere) if isinstance(x, jax.Array) else x, tree)


def shard_padded(x: jax.Array, devices: Sequence[jax.Device] | None = None) -> tuple[jax.Array, int]:
    """`pad_batch` to a multiple of the device count, then `shard_batch`: the array a batched
    jitted function should receive, and the batch size to cut its outputs back to. With one
    device (or a batch of one), `(x, len(x))` unchanged."""
    n = device_count(devices)
    if n < 2 or x.shape[0] < 2:
        return x, x.shape[0]
    xp, b = pad_batch(x, n)
    return shard_batch(xp, devices), b


def map_chunks(fn, y: jax.Array, chunk: int, devices: Sequence[jax.Device] | None = None):
    """`fn` over consecutive chunks of `chunk` members of `y` (axis 0), outputs stacked over
    chunks (leading axis: the chunk count).

    `y` is padded with copies of its last member to whole chunks, and to a multiple of the
    device count of them. Each device runs its own chunks one after another (`lax.map`, as a
    single device runs them all) and the devices run in parallel (`jax.shard_map` over the
    batch mesh). With one device this is `lax.map(fn, chunks)`.
    """
    n = device_count(devices)
    k = -(-y.shape[0] // chunk)
    k = -(-k // n) * n
    yp, _ = pad_batch(y, k * chunk)
    blocks = yp.reshape((k, chunk) + y.shape[1:])
    if n < 2:
        return jax.lax.map(fn, blocks)
    spec = PartitionSpec(AXIS)
    return jax.shard_map(lambda b: jax.lax.map(fn, b), mesh=batch_mesh(devices), in_specs=spec, out_specs=spec,
                         check_vma=False)(blocks)


def process_slice(n: int) -> slice:
    """This process's contiguous share of `n` batch members under `jax.distributed` (all of
    them in a single-process run): process i of P gets members [i*n//P, (i+1)*n//P)."""
    p, i = jax.process_count(), jax.process_index()
    return slice(i * n // p, (i + 1) * n // p)


def initialize_distributed() -> None:
    """`jax.distributed.initialize` from `COORDINATOR_ADDRESS`, `NUM_PROCESSES` and `PROCESS_ID`
    when they are set (else JAX's own detection: Cloud TPU, SLURM, Open MPI). Call it once,
    first, in every process; a single-host run does not need it."""
    addr = os.environ.get("COORDINATOR_ADDRESS")
    if addr:
        jax.distributed.initialize(
            coordinator_address=addr,
            num_processes=int(os.environ["NUM_PROCESSES"]),
            process_id=int(os.environ["PROCESS_ID"]),
        )
    else:
        jax.distributed.initialize()
