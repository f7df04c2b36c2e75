"""The wta-mnist entries' function at finite molecule counts: agreement with the ODE classifier.

The function of a wta-mnist card is classification: an image is written into the initial
state (X = 5 nM per on pixel) and the class is argmax F at 10 h. `ImageAgreement` checks it on
stochastic sample paths over a stated image set: the first `n_images` (default 60) of the
card's 2,700 test images (`load_mnist789()`, a shuffled 900 per digit). Run r simulates image
r mod n_images from its own initial state; it keeps the function when its winner is the one
the card's ODE (`EVAL_SOLVER`) gives for that image. With runs a multiple of n_images every
image has the same weight, so the pass fraction estimates

    p = mean over the image set of P(stochastic class = ODE class),

and p ≥ 0.95 bounds the stochastic classifier's accuracy on that set to within 0.05 of the
ODE's (a run can only change the accuracy by disagreeing). A check of a few fixed images
instead ("every run of each image agrees") is not the card's function: an image whose ODE
margin is small (a few nM) flips at far larger Ω than the classifier's accuracy needs.

Exact SSA (the direct method) by default: a run fires about 375·Ω reactions (Ω molecules per
nM; measured on wta-mnist-avg), and the exact kernel is 15-30x faster here than
tau-leaping, whose leaps stay at a few firings each (the counts of S, Y and F stay small).
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from ..crn.wta_mnist import initial_states
from ._wta_mnist_data import DIGITS, load_mnist789


N_IMAGES = 60  # the stated image set: the first 60 of the card's 2,700 test images


class ImageAgreement:
    """Per-run agreement of the stochastic classifier with the card's ODE classifier on the
    first `n_images` test images of the card's test set (see the module docstring).

    `solver`: the card's (`WtaMnistTask.solver`). `images`, `labels` override the image set
    (tests). Built once per model: the ODE classes and margins are solved here.
    """

    def __init__(self, model, solver, n_images: int = N_IMAGES, t1: float | None = None, images=None, labels=None):
        from ..solve import simulate
        from ..ssa.simulate import _network
        from ._wta_mnist_train import T_END

        if images is None:
            data = load_mnist789()
            if not 1 <= n_images <= len(data.test_x):
                raise ValueError(f"n_images must be in 1..{len(data.test_x)}, got {n_images}")
            images, labels = data.test_x[:n_images], data.test_y[:n_images]
        self.images, self.labels = np.asarray(images, dtype=np.float64), np.asarray(labels)
        self.t1 = float(T_END if t1 is None else t1)
        self.net, _, _ = _network(model)
        flat = list(model.flat_species(model.state_shape))
        states = np.asarray(initial_states(model, self.images))
        self.x0 = states[:, [flat.index(s) for s in self.net.species]]  # (images, S) in the listing's order
        self.F = [self.net.index(f"F_{k}") for k in range(3)]
        traj = simulate(model, np.array([0.0, self.t1]), initial_states(model, self.images), solver=solver, name="wta-mnist")
        F = np.asarray(traj.final).reshape(len(self.images), -1)[:, [flat.index(f"F_{k}") for k in range(3)]]
        self.ode_class = np.argmax(F, axis=1)
        top2 = np.sort(F, axis=1)[:, -2:]
        self.margin = top2[:, 1] - top2[:, 0]  # nM: winner's F − runner-up's F in the ODE
        self.ode_accuracy = float(np.mean(self.ode_class == self.labels))

    def image_of_run(self, runs: int) -> np.ndarray:
        """Image index of each run: run r simulates image r mod n_images."""
        return np.arange(runs) % len(self.images)

    def classes(self, omega: float, runs: int, seed: int = 0, method: str = "direct") -> np.ndarray:
        """The stochastic class (argmax F at t1) of each run (runs,)."""
        from ..ssa import ssa_simulate

        res = ssa_simulate(self.net, np.array([0.0, self.t1]), omega, runs, seed=seed, x0=self.x0[self.image_of_run(runs)],
                           method=method, max_steps=50_000_000)
        return np.argmax(res.conc[:, -1][:, self.F], axis=1)

    def reasons(self, won: np.ndarray) -> list[str | None]:
        """None for a run that agrees with the ODE's class, else what failed (naming the image)."""
        out = []
        for r, w in zip(self.image_of_run(len(won)), won):
            c = self.ode_class[r]
            out.append(None if w == c else
                       f"image {r} (a {DIGITS[self.labels[r]]}, ODE margin {self.margin[r]:.1f} nM): class {DIGITS[w]} won instead of the ODE's {DIGITS[c]}")
        return out

    def __call__(self, model=None, omega: float = 1.0, runs: int = 60, seed: int = 0, *, t1=None, schedule=None, method=None):
        """The `ZooTask.stochastic_check` signature (`model`, `t1` and `schedule` are this object's)."""
        from ..ssa.robustness import StochasticCheck

        if schedule is not None and (schedule.levels or schedule.additions):
            raise ValueError("wta-mnist entries take no input schedule: the image is the initial state")
        method = method or "direct"
        won = self.classes(omega, runs, seed, method)
        return StochasticCheck.from_reasons(self.reasons(won), method)

    def accuracy(self, won: np.ndarray) -> float:
        """Accuracy (against the labels) of runs with stochastic classes `won`."""
        return float(np.mean(won == self.labels[self.image_of_run(len(won))]))

    def summary(self) -> str:
        """One line: the image set, its ODE accuracy, and its smallest ODE margins."""
        small = Counter(int(m) for m in self.margin if m < 5)
        return (f"{len(self.images)} images, ODE accuracy {self.ode_accuracy:.3f}, ODE margins (winner − runner-up F) "
                f"min {self.margin.min():.2f} nM, median {np.median(self.margin):.1f} nM, {sum(small.values())} below 5 nM")
