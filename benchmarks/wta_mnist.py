"""Benchmark: the DNA winner-take-all MNIST classifier on all 2,700 test images, to 10 h.

Workload: the zoo's `wta-mnist-avg` network (indexed CRN, 830 species per image, 618
reactions; W = 100·(average digit)), each of the 2,700 binarised test images as one
initial state (X = 5 nM per on pixel), simulated to t = 10 h; the class is argmax F.

- crnzoo: the cards' scoring (`crnzoo.tasks.wta_mnist.fluorescence` with `EVAL_SOLVER`) —
  the adaptive, linearly implicit `DiagonalRosenbrock3` (ROS34PW2 W-method with the CRN's
  diagonal destruction rates), all images as joint systems in chunks of 900 (each chunk one
  step-size controller), rtol 1e-8, atol 1e-7 nM. Compile time = first call minus the second.
- reference integrator: fixed-step explicit Euler, dt = 1e-4 h (100,000 steps), negative
  values clamped to 0 after each step (the reference code's `euler`), as one jitted
  `lax.scan` over the same `IndexedCRN.rhs`, batched over images. With `--euler-images M`
  (< 2,700) it runs on the first M images and its time is extrapolated linearly to 2,700
  (the table says so); accuracies are then compared on those M images.

Accuracy: Sim Acc of both; the number of images whose class differs; max |ΔF| in nM.

    python benchmarks/wta_mnist.py [--euler-images 2700] [--data PATH]
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import crnzoo  # noqa: F401  (enables float64)
import jax
import jax.numpy as jnp
import numpy as np

from crnzoo.crn.wta_mnist import initial_states, wta_crn
from crnzoo.solvers import euler_final
from crnzoo.tasks import wta_mnist as task
from crnzoo.tasks._wta_mnist_data import load_mnist789
from crnzoo.tasks._wta_mnist_train import average_digit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--euler-images", type=int, default=2700, help="images for the Euler run (default all 2,700)")
    parser.add_argument("--data", type=Path, default=None, help="mnist789.npz (default ../shared/data/mnist789/)")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    d = load_mnist789(args.data)
    crn = wta_crn(average_digit(d.train_x, d.train_y))
    y0 = initial_states(crn, d.test_x)
    n = len(d.test_y)
    print(f"jax {jax.__version__} ({jax.default_backend()}), python {platform.python_version()}; {n} images, "
          f"{len(crn.species)} species each, {crn.network().n_reactions} reactions")

    t = time.perf_counter()
    task.fluorescence(crn, d.test_x)
    first = time.perf_counter() - t
    t = time.perf_counter()
    F_ros = task.fluorescence(crn, d.test_x)
    ros = time.perf_counter() - t
    ev = task.EVAL_SOLVER
    label = f"crnzoo {ev.solver} (adaptive, rtol {ev.rtol:g}, atol {ev.atol:g} nM)"
    print(f"{label}: {ros:.1f} s (+ {max(first - ros, 0):.1f} s compile), 3 chunks of 900 images", flush=True)

    m = min(args.euler_images, n)
    t = time.perf_counter()
    y_eu = np.asarray(euler_final(crn, y0[:m], task.T_END, 1e-4, clamp=True))
    eu = time.perf_counter() - t
    eu_all = eu * n / m
    F_eu = np.asarray(crn.unpack(jnp.asarray(y_eu))["F"])
    print(f"Euler dt=1e-4: {eu:.1f} s on {m} images (incl. compile)" + (f", {eu_all:.0f} s extrapolated to {n}" if m < n else ""), flush=True)

    y = d.test_y
    acc_ros_all = float(np.mean(np.argmax(F_ros, 1) == y))
    acc_ros = float(np.mean(np.argmax(F_ros[:m], 1) == y[:m]))
    acc_eu = float(np.mean(np.argmax(F_eu, 1) == y[:m]))
    differ = int(np.sum(np.argmax(F_ros[:m], 1) != np.argmax(F_eu, 1)))
    dF = float(np.max(np.abs(F_ros[:m] - F_eu)))
    how = "all 2,700" if m == n else f"first {m} images, time × {n / m:.2f}"
    rows = [
        "| integrator | wall s for 2,700 images to 10 h | Sim Acc (2,700) | Sim Acc on the Euler images |",
        "|---|---|---|---|",
        f"| {label} | {ros:.1f} (+{max(first - ros, 0):.1f} compile) | {acc_ros_all:.4f} | {acc_ros:.4f} |",
        f"| Euler dt = 1e-4 h, clamped (reference) | {eu_all:.0f} ({how}) | {'—' if m < n else f'{acc_eu:.4f}'} | {acc_eu:.4f} |",
    ]
    print("\n".join(rows))
    print(f"speed-up {eu_all / ros:.1f}x (Euler time incl. its compile; crnzoo excl. compile: {eu_all / first:.1f}x incl.); "
          f"classes differ on {differ} of {m} images; max |dF| {dF:.3g} nM; paper Sim Acc 0.8374 (Euler, float32, GPU)")
    if args.json:
        args.json.write_text(json.dumps(dict(n=n, euler_images=m, crnzoo_s=ros, crnzoo_first_s=first, euler_s=eu, euler_extrapolated_s=eu_all,
                                             sim_acc_crnzoo=acc_ros_all, sim_acc_crnzoo_subset=acc_ros, sim_acc_euler=acc_eu,
                                             differ=differ, max_dF=dF), indent=1))


if __name__ == "__main__":
    main()
