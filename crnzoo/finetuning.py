"""One fine-tuning pipeline: retarget → fine-tune → evaluate on the new target → save atomically.

`crnzoo finetune NAME --target SPEC --out DIR` and `crnzoo.finetune(NAME, SPEC, out=DIR)` run
`finetune`. The entry's task builds the retargeted task (`ZooTask.retarget(spec)`: its
metrics and promises are those of the NEW target), fine-tunes the pretrained model
(`ZooTask.finetune`), and the retargeted task measures every metric of the result. The
directory written is a full zoo entry: `checkpoint/`, `card.json` (what the model is now,
the recorded target, every metric), `reactions.txt` and, for file targets, a copy of the
target file (`target.<ext>`) so that `crnzoo verify DIR` rebuilds the same task.

A model that misses a promise of its new target is still saved (for inspection) and the
result says so (`FineTuned.reached` is False; the command exits 1).
"""

from __future__ import annotations

import dataclasses
import shutil
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import checkpoint
from ._registry import ZooEntry, weights_dir
from .cards import make_card
from .export import to_txt
from .publish import broken_promises
from .zoo import ENTRIES, entry as get_entry
from .zoo import card as get_card
from .zoo import load


TARGET_FILE = "target"  # a file target is copied into the fine-tuned directory as target<suffix>


@dataclasses.dataclass(frozen=True)
class FineTuned:
    """What `finetune` made: the tuned `model`, its `card` (as saved), the measured metric
    `values` on the new target, the `broken` promises (empty: the target was reached) and
    the `directory` written (None when not saved)."""

    model: Any
    card: dict
    values: dict
    broken: list[str]
    directory: Path | None

    @property
    def reached(self) -> bool:
        """Whether every promise of the new target holds."""
        return not self.broken


def check_out(out: Path | str) -> Path:
    """A new output directory, or raise `ValueError` naming it.

    Refused: an existing file, a non-empty directory, anything inside the shipped `weights/`
    or the installed package. Leftovers of an interrupted earlier run next to it
    (`.NAME.tmp-*`, `.NAME.old-*`) are removed.
    """
    out = Path(out)
    resolved = out.resolve()
    package = Path(__file__).resolve().parent
    for root in (weights_dir().resolve(), package):
        if resolved == root or root in resolved.parents:
            raise ValueError(f"--out {out} is inside {root}; fine-tuned models are written elsewhere (the zoo's files stay as shipped)")
    if out.exists() and not (out.is_dir() and not any(out.iterdir())):
        raise ValueError(f"{out} already exists; choose a new --out directory (nothing is overwritten)")
    if resolved.parent.is_dir():
        for litter in (*resolved.parent.glob(f".{resolved.name}.tmp-*"), *resolved.parent.glob(f".{resolved.name}.old-*")):
            shutil.rmtree(litter, ignore_errors=True)
    return out


def base_entry(base: str) -> tuple[ZooEntry, str]:
    """The registry entry behind `base` (a zoo name, or a checkpoint directory made from one)
    and the name to record as `base_model`."""
    if base in ENTRIES:
        return get_entry(base), base
    card = get_card(base)
    name = card.get("base_model") or card.get("name")
    if name not in ENTRIES:
        raise ValueError(f"{base} is not a zoo model nor a checkpoint made from one (its card names {name!r})")
    return get_entry(name), str(base)


def task_for_card(card: Mapping[str, Any], directory: Path | None = None):
    """The task that scores a checkpoint with this card: the entry's own, or — for a
    fine-tuned card — the entry's task retargeted to the card's recorded target (a file
    target is read from `directory`)."""
    ft = card.get("finetune")
    if not ft:
        return get_entry(card["name"]).task
    e = get_entry(ft["base_entry"])
    spec = ft["target"]
    if ft.get("target_file"):
        if directory is None:
            raise ValueError("a file target is read from the checkpoint directory; give it")
        spec = str(Path(directory) / ft["target_file"])
    return e.task.retarget(spec)


def _spec_text(spec) -> str:
    return str(spec)


def finetune(
    base: str,
    target,
    out: Path | str | None = None,
    steps: int | None = None,
    seed: int = 0,
    lr: float | None = None,
    progress: bool = True,
) -> FineTuned:
    """Fine-tune zoo model `base` (a name or a checkpoint directory) on `target` and measure it.

    `target` is what the family takes (`crnzoo info NAME` and the README list them: a truth
    table `"1110"`, a CSV/PNG/NPZ path, …). `steps` are the family's optimisation steps
    (default: its `finetune_steps`), `seed` the fine-tuning seed, `lr` overrides the
    entry's learning rate. With `out`, the result is saved there atomically (`out` must be
    new or an empty directory). Raises `NoTargetError`/`ValueError` for a bad target (before
    any training).
    """
    if steps is not None and int(steps) < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    e, base_name = base_entry(base)
    if out is not None:
        out = check_out(out)
    task = e.task.retarget(target)  # validates the target before anything is trained
    spec_path = Path(str(target)) if isinstance(target, (str, Path)) and Path(str(target)).is_file() else None
    model = load(base)
    started = time.perf_counter()
    tuned, result = e.task.finetune(model, target, steps, seed=seed, lr=lr, train_config=e.train_config, progress=progress)
    tune_s = time.perf_counter() - started
    result = dict(result)
    # A retarget may change the model's static settings (a rescaled oscillator keeps its slow
    # reactions with a proportionally lower threshold): the card then records the new ones.
    config, k_report = result.pop("config", e.config), result.pop("k_report", e.k_report)
    values = task.evaluate(tuned, False)
    broken = broken_promises(dataclasses.replace(e, task=task), values)
    name = Path(out).name if out is not None else f"{e.name}-finetuned"
    what = task.target_text
    done = result.get("steps", steps)
    how = f"{done} steps" + (f" ({result['method']})" if result.get("method") else "")
    system = f"{task.target_name}, fine-tuned from {base_name} on {what}, {how}, seed {seed}"
    record = {
        "base_entry": e.name,
        "target": spec_path.name if spec_path else _spec_text(target),
        **({"target_file": TARGET_FILE + spec_path.suffix} if spec_path else {}),
        **{k: v for k, v in result.items()},
        "seed": seed,
        "lr": lr,
        "finetune_wall_s": round(tune_s, 1),
        "reached": not broken,
    }
    option = f"--target {record['target']}" if not spec_path else f"--target {spec_path}"
    new = dataclasses.replace(
        e,
        config=config,
        k_report=k_report,
        name=name,
        system=system,
        task=task,
        training=f"crnzoo finetune {base_name} {option}" + (f" --steps {steps}" if steps else "") + f" --seed {seed}" + (f" --lr {lr:g}" if lr else ""),
        seed=seed,
    )
    extra = {"base_model": base_name, "finetune": record, "wall_time_note": "measured on the machine that ran the fine-tuning"}
    card = make_card(new, tuned, values, extra)
    if out is None:
        return FineTuned(tuned, card, values, broken, None)

    def write(folder: Path) -> dict:
        if spec_path:
            shutil.copyfile(spec_path, folder / record["target_file"])
        return task.artifacts(tuned, folder, card) or {}

    net = tuned.network(k_report, name=_ident(name))
    checkpoint.save(tuned, out, card, {"reactions.txt": to_txt(net)}, write=write)
    return FineTuned(tuned, checkpoint.read_card(out), values, broken, Path(out))


def _ident(name: str) -> str:
    import re

    ident = re.sub(r"[^A-Za-z0-9_]", "_", name)
    return ident if ident[:1].isalpha() else f"m_{ident}"
