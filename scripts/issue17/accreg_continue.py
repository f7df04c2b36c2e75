"""Issue 17 probe: does more of wta-mnist-accreg's last training phase reach the paper's Sim Acc?

Continues the shipped checkpoint with the old recipe's last phase (its 24 non-zero weights kept,
cross-entropy on softmax(F / 10 nM) without the regulariser, Adam, the training solver: the
entry's `finetune_config()` since the recipe became the sparse-support search) for more epochs, and
scores Sim Acc on the 2,700 test images with the card solver after each epoch. Writes nothing.

    python scripts/issue17/accreg_continue.py [LR] [EPOCHS]      # defaults: the entry's lr, 3
"""
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax

import crnzoo
from crnzoo import zoo
from crnzoo.crn.wta_mnist import weights_of, with_weights
from crnzoo.tasks import wta_mnist as task
from crnzoo.tasks._wta_mnist_data import load_mnist789
from crnzoo.tasks._wta_mnist_train import N_CLASSES, f_at, project


def main() -> None:
    cfg = zoo.entry("wta-mnist-accreg").task.train_config.finetune_config()
    lr = float(sys.argv[1]) if len(sys.argv) > 1 else cfg.lr
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    d = load_mnist789()
    crn = crnzoo.load("wta-mnist-accreg")
    w = jnp.asarray(weights_of(crn))
    mask = jnp.asarray((np.asarray(w) > 0).astype(float))
    solver, opt = cfg.solver(), optax.adam(lr)
    print(f"non-zero weights {int(mask.sum())}, lr {lr:g}")

    def loss_fn(w, x, y):
        F, ok = f_at(crn, w, x, cfg.horizon, solver)
        return -jnp.mean(jnp.sum(jax.nn.one_hot(y, N_CLASSES) * jax.nn.log_softmax(F / cfg.f_scale, axis=1), axis=1)), ok

    @jax.jit
    def update(w, state, x, y):
        (loss, ok), g = jax.value_and_grad(loss_fn, has_aux=True)(w, x, y)
        upd, state = opt.update(g, state, w)
        return jnp.where(ok, project(optax.apply_updates(w, upd), False, mask), w), state, loss

    def sim_acc(w):
        F = task.fluorescence(with_weights(crn, w), d.test_x)
        return float(np.mean(F.argmax(1) == d.test_y))

    rng, state, n, t = np.random.default_rng(123), opt.init(w), len(d.train_y), time.time()
    print(f"epoch 0 Sim Acc {sim_acc(w):.5f}", flush=True)
    for e in range(epochs):
        perm, losses = rng.permutation(n), []
        for s in range(n // cfg.batch):
            idx = perm[s * cfg.batch : (s + 1) * cfg.batch]
            w, state, loss = update(w, state, jnp.asarray(d.train_x[idx]), jnp.asarray(d.train_y[idx]))
            losses.append(float(loss))
        print(f"epoch {e + 1} loss {np.mean(losses):.4f} Sim Acc {sim_acc(w):.5f} non-zero {int(jnp.sum(w > 0))} ({time.time() - t:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
