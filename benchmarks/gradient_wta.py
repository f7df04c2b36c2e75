"""The stiff case of `gradient.py`: one training gradient of the DNA winner-take-all MNIST
classifier (830 species per image), d(loss)/d(weights) for a minibatch, through the adaptive
`DiagonalRosenbrock` solve the training uses (`WeightTrainConfig`: rtol 1e-3, atol 1e-2 nM,
to the 10 h horizon, recursive checkpointing), with the "sup" loss.

Rows: `integrate`'s default adjoint (`RecursiveCheckpointAdjoint()`: Diffrax's log(max_steps)
checkpoints) and an explicit `RecursiveCheckpointAdjoint(checkpoints=...)`; best of `--repeats` after a compiling call,
with the relative difference of the two gradients. Images: the shared MNIST 7/8/9 file when
present (`CRNZOO_DATA`), else the synthetic digits.

    python benchmarks/gradient_wta.py [--batch 100] [--repeats 2] [--checkpoints 256]
"""

from __future__ import annotations

import argparse
import os
import time

import crnzoo  # noqa: F401
import diffrax
import jax
import jax.numpy as jnp
import numpy as np

from crnzoo.crn.wta_mnist import initial_states, with_weights, wta_crn
from crnzoo.solve import integrate
from crnzoo.tasks._wta_mnist_data import load_mnist789, synthetic
from crnzoo.tasks._wta_mnist_train import WeightTrainConfig


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--checkpoints", type=int, default=256, help="checkpoints of the second row (0: skip that row)")
    a = p.parse_args(argv)
    try:
        data, source = load_mnist789(), "MNIST 7/8/9"
    except Exception:  # noqa: BLE001  (no shared data: synthetic digits)
        data, source = synthetic(), "synthetic digits"
    cfg = WeightTrainConfig()
    w = jnp.asarray(cfg.initial_weights(data))
    crn = wta_crn(np.asarray(w))
    solver = cfg.solver()
    x, y = jnp.asarray(data.train_x[: a.batch]), jnp.asarray(data.train_y[: a.batch])

    def make(adjoint):
        @jax.jit
        def grad(w):
            def loss(w):
                m = with_weights(crn, w)
                kw = {} if adjoint is None else {"adjoint": adjoint}
                _, y1, ok, *_ = integrate(m, initial_states(crn, x, w), jnp.asarray([0.0, cfg.horizon]), jnp.asarray(0.0), solver, **kw)
                F = m.unpack(y1)["F"]
                onehot = jax.nn.one_hot(y, F.shape[-1])
                return -jnp.mean(jnp.sum(F * (2 * onehot - 1), axis=1))

            return jax.value_and_grad(loss)(w)

        return grad

    variants = {"integrate() default adjoint": make(None)}
    if a.checkpoints:
        variants[f"RecursiveCheckpointAdjoint(checkpoints={a.checkpoints})"] = make(diffrax.RecursiveCheckpointAdjoint(checkpoints=a.checkpoints))
    out, first, best, cpu = {}, {}, {}, {}
    for name, f in variants.items():
        t = time.perf_counter()
        out[name] = jax.block_until_ready(f(w))
        first[name] = time.perf_counter() - t
        best[name] = cpu[name] = float("inf")
    for _ in range(a.repeats):
        for name, f in variants.items():
            t, c = time.perf_counter(), time.process_time()
            jax.block_until_ready(f(w))
            best[name], cpu[name] = min(best[name], time.perf_counter() - t), min(cpu[name], time.process_time() - c)
    g0 = np.asarray(next(iter(out.values()))[1])
    print(f"wta-mnist training gradient, {source}, batch {a.batch} x {int(np.prod(crn.state_shape))} species, rosenbrock rtol {solver.rtol:g} "
          f"atol {solver.atol:g}, to {cfg.horizon:g} h; best of {a.repeats}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("| adjoint | s per gradient, wall | CPU s | compile + first s | rel. diff vs default |")
    print("|---|---|---|---|---|")
    for name in variants:
        d = float(np.linalg.norm(np.asarray(out[name][1]) - g0) / np.linalg.norm(g0))
        print(f"| {name} | {best[name]:.2f} | {cpu[name]:.2f} | {first[name]:.1f} | {d:.1e} |")


if __name__ == "__main__":
    main()
