"""Fine-tuning an imported SBML/Antimony model on measured time courses.

`SBMLTask().target("timecourse.csv")` is a `crnzoo.train.Task`: the CSV has a `time` column
and one column per measured species (SBML ids; values as the model declares them: amounts
where `hasOnlySubstanceUnits`, else concentrations — what `crnzoo simulate model.xml --csv`
writes). The loss is the mean squared error over every time and column, each column divided
by its largest |value| (so species of different scales weigh alike); the generic trainer fits
the model's trainable leaves: its rate constants (`params`) and initial state (`x0`).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import jax.numpy as jnp
import numpy as np

from ..solve import integrate
from ..solvers.config import SolverConfig
from .base import NoTargetError, ZooTask


def read_timecourse(path: str | Path, species: tuple[str, ...]) -> tuple[np.ndarray, list[int], np.ndarray]:
    """(times (T,), state indices of the columns, values (T, C)) from a time-course CSV."""
    path = Path(path)
    if not path.is_file():
        raise NoTargetError(f"no time-course CSV at {path}")
    header = [h.strip() for h in path.read_text(encoding="utf-8", errors="replace").splitlines()[0].split(",")]
    if not header or header[0].lower() not in ("time", "t", "# time"):
        raise NoTargetError(f"{path}: the first column must be 'time', got {header[0]!r}")
    unknown = [h for h in header[1:] if h not in species]
    if unknown:
        raise NoTargetError(f"{path}: column {unknown[0]!r} is not a species in the model's state ({', '.join(species)})")
    try:
        data = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    except ValueError as e:
        raise NoTargetError(f"{path}: not a numeric CSV ({e})") from None
    ts = data[:, 0]
    if data.shape[1] != len(header) or ts.size < 2 or np.any(np.diff(ts) <= 0) or not np.all(np.isfinite(data)):
        raise NoTargetError(f"{path}: needs >= 2 rows of finite numbers, times increasing, one value per column")
    return ts, [species.index(h) for h in header[1:]], data[:, 1:]


@dataclasses.dataclass(frozen=True, eq=False)
class TimeCourseTask:
    """Least squares between the model's solution and measured time courses (full batch)."""

    ts: np.ndarray
    columns: tuple[int, ...]
    data: np.ndarray
    solver: SolverConfig = SolverConfig("kvaerno5", rtol=1e-6, atol=1e-9, max_steps=20000)

    def batch(self, key, size):
        return None

    def loss(self, model, batch):
        ts = jnp.asarray(self.ts)
        ys, _, ok, _, _, _ = integrate(model, model.x0[None], ts, ts[0], self.solver)
        pred = ys[:, 0][:, jnp.asarray(self.columns)]
        scale = jnp.maximum(jnp.max(jnp.abs(jnp.asarray(self.data)), axis=0), 1e-12)
        err = jnp.mean(((pred - self.data) / scale) ** 2)
        err = jnp.where(ok & jnp.isfinite(err), err, 1e3)
        return err, {"ok": ok, "mse": err}


class SBMLTask(ZooTask):
    """The task of an imported model: no card metrics; fine-tuning on time courses."""

    metrics = {}
    trained = False
    finetune_steps = 200

    def evaluate(self, model, fast: bool = False) -> dict[str, float]:
        return {}

    def make(self):
        raise NoTargetError("an imported SBML model is made by loading its file")

    def target(self, spec, model=None) -> TimeCourseTask:
        if model is None:
            raise NoTargetError("an SBML time-course target needs the model (its species)")
        ts, cols, data = read_timecourse(spec, tuple(model.species))
        return TimeCourseTask(ts, tuple(cols), data)

    def finetune(self, model, spec, steps=None, seed=0, lr=None, train_config=None, progress=True):
        from ..train import finetune

        task = self.target(spec, model)
        steps = self.finetune_steps if steps is None else steps
        tuned, history = finetune(model, task, steps=steps, seed=seed, batch_size=1, lr=lr or 1e-2, progress=progress, desc="finetune")
        return tuned, {"steps": steps, "initial_loss": history.loss[0], "final_loss": history.loss[-1]}
