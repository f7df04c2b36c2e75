"""One publish pipeline: fit → evaluate → save atomically → card, for every zoo entry.

`crnzoo train NAME`, `scripts/train_<family>.py` and `scripts/make_reference.py` all run
`train_and_publish`; a script is `script_main("<family>")`. A published directory holds the
Orbax `checkpoint/`, `card.json` (every metric measured with the card's full settings by the
entry's task), `reactions.txt` (the listing at the card's threshold) and whatever files the
task's `artifacts` writes (figures, lab tables) — all assembled in a temporary folder and
renamed into place.

A model that breaks one of its card's promises is a failure (`PromiseError`, exit 1): it is
saved for inspection into a new directory, and never over an existing checkpoint unless
`force` is given.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import checkpoint
from ._registry import Metric, ZooEntry, checkpoint_dir, weights_dir
from .cards import annotate, make_card, write_model_cards
from .export import to_txt
from .zoo import entry as get_entry
from .zoo import list_models


class PromiseError(RuntimeError):
    """A trained model breaks a promise of its card (the metrics are in the message)."""


class HandDesignedError(ValueError):
    """`train` asked of an entry that is not trained."""


def broken_promises(e: ZooEntry, values: Mapping[str, float]) -> list[str]:
    """The metrics of `values` that break their promise, as `name = value (promise …)` lines."""
    out = []
    for key, (description, paper, promise, tolerance) in e.task.metrics.items():
        m = Metric(float(values[key]), description, paper, promise, tolerance)
        if not m.holds(m.value):
            out.append(f"{key} = {m.value:.6g} (promise {promise})")
    return out


def publish(e: ZooEntry, model, directory: Path | None = None, extra: Mapping[str, Any] | None = None, force: bool = False) -> dict:
    """Measure every metric of `model` (full settings), then save it as `e`'s checkpoint.

    Writes `checkpoint/`, `card.json`, `reactions.txt` and the task's artifacts atomically to
    `directory` (default `weights/<name>/`). Returns the card. Raises `PromiseError` when a
    promise breaks (after saving, unless that would replace an existing checkpoint and
    `force` is not given).
    """
    directory = Path(directory) if directory else checkpoint_dir(e.name)
    values = e.task.evaluate(model, False)
    card = make_card(e, model, values, extra)
    broken = broken_promises(e, values)
    if broken and directory.exists() and not force:
        raise PromiseError(f"{e.name} breaks its card's promises; {directory} was left as it was: " + "; ".join(broken))
    net = model.network(e.k_report, name=e.name.replace("-", "_"))
    checkpoint.save(model, directory, card, {"reactions.txt": to_txt(net)}, write=lambda folder: e.task.artifacts(model, folder, card))
    if broken:
        raise PromiseError(f"{e.name} breaks its card's promises (saved for inspection in {directory}): " + "; ".join(broken))
    return checkpoint.read_card(directory)


def train_and_publish(
    name: str,
    out: Path | None = None,
    seed: int | None = None,
    steps: int | None = None,
    note: str | None = None,
    progress: bool = True,
    run_dir: Path | None = None,
    force: bool = False,
) -> dict:
    """Train entry `name` from scratch (its task's `fit`, default seed: the card's), measure
    and publish it to `out` (default `weights/<name>/`); returns the card.

    Hand-designed entries are rebuilt (`make`) and re-measured the same way. `note` says on
    what machine the wall times were measured. The card records the training wall time and
    the whole pipeline's.
    """
    e = get_entry(name)
    out = Path(out) if out else checkpoint_dir(name)
    started = time.perf_counter()
    seed = e.seed if seed is None else seed
    model, extra = e.task.fit(seed=seed, steps=steps, run_dir=run_dir, progress=progress)
    extra = dict(extra)
    if seed != e.seed or steps is not None:  # the card says what was run, not the defaults
        extra["training"] = _training_record(e, seed, steps)
    if e.task.trained:
        extra.setdefault("training_wall_s", round(time.perf_counter() - started, 1))
    if note:
        extra["wall_time_note"] = note
    publish(e, model, out, extra, force=force)
    if not e.task.trained:
        return checkpoint.read_card(out)
    return annotate(out, script_wall_s=round(time.perf_counter() - started, 1))


def _training_record(e: ZooEntry, seed: int | None, steps: int | None) -> dict:
    """The card's `training` field for a run with another seed or step count than the entry's."""
    config = e.train_config.to_dict() if e.train_config is not None else None
    if steps is not None and config is not None and "steps" in config:
        config["steps"] = steps
    options = (f" --seed {seed}" if seed != e.seed else "") + (f" --steps {steps}" if steps is not None else "")
    return {"command": e.training + options, "seed": seed, "config": config}


def summary(card: Mapping[str, Any]) -> str:
    """A few lines on a published card: reactions, every metric against its promise and paper."""
    r = card["reactions"]
    lines = [f"{card['name']}: {r['at_k_report']} reactions at k > {r['k_report']:g} ({r['dense']} dense)"]
    for key, m in card["metrics"].items():
        paper = f"; paper {m['paper']}" if m.get("paper") is not None else ""
        promise = f" (promise {m['promise']})" if m.get("promise") else ""
        lines.append(f"  {key} = {m['value']:.6g}{promise}{paper}")
    if card.get("training_wall_s") is not None:
        lines.append(f"  training {card['training_wall_s']:g} s, whole pipeline {card.get('script_wall_s', 0):g} s")
    return "\n".join(lines)


def _checkout_package(script: Path) -> Path | None:
    """The `crnzoo/` package of the checkout that `script` (scripts/train_<family>.py) lives in, if any."""
    package = script.resolve().parent.parent / "crnzoo"
    return package.resolve() if (package / "__init__.py").is_file() else None


def _unwritable_root(root: Path) -> str | None:
    """Why checkpoints cannot be written under `root` (a folder, made if missing), or None."""
    if root.exists() and not root.is_dir():
        return "is a file, not a folder"
    existing = next(p for p in (root, *root.parents) if p.exists())
    if not existing.is_dir():
        return f"{existing} is a file, not a folder"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"{existing} is not writable"
    return None


def script_main(family: str | None, argv: list[str] | None = None, doc: str | None = None) -> int:
    """The body of `scripts/train_<family>.py`: train and publish the family's entries.

    `python scripts/train_<family>.py [NAME ...] [--seed S] [--steps N] [--weights DIR]
    [--note TEXT] [--force] [--quiet]`. With no NAME, every trained entry of the family;
    `family=None` (`scripts/make_reference.py`): every hand-designed entry. MODEL_CARDS.md
    is regenerated when the shipped `weights/` was written. Returns the exit code.
    """
    trained = [
        n for n in list_models()
        if (get_entry(n).family == family and get_entry(n).task.trained) or (family is None and not get_entry(n).task.trained)
    ]
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help=f"entries to publish (default: {' '.join(trained)})")
    parser.add_argument("--seed", type=int, help="training seed (default: each card's)")
    parser.add_argument("--steps", type=int, help="optimisation steps (default: each entry's)")
    parser.add_argument("--weights", type=Path, default=weights_dir(), help="checkpoint root (default: the shipped weights/)")
    parser.add_argument("--note", help="what the wall times were measured on, written on the card")
    parser.add_argument("--run-dir", type=Path, help="folder for resumable training checkpoints")
    parser.add_argument("--force", action="store_true", help="publish over an existing checkpoint even if a promise breaks")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in trained]
    if unknown:
        parser.error(f"not an entry of this script: {', '.join(unknown)}; choose from {', '.join(trained)}")
    problem = _unwritable_root(Path(args.weights))
    if problem:  # before any training: a bad checkpoint root must not cost a run
        parser.error(f"--weights {args.weights}: {problem}")
    mine = _checkout_package(Path(sys.argv[0]))
    if mine is not None and mine != Path(__file__).resolve().parent and args.weights == weights_dir():
        parser.error(
            f"this script's checkout has its own crnzoo ({mine}) but Python imports {Path(__file__).resolve().parent}: "
            "the recipe and the shipped weights would not match; run `pip install -e .` in the checkout first"
        )
    failed, published = 0, []
    try:
        for name in args.names or trained:
            run_dir = args.run_dir / name if args.run_dir else None
            try:
                card = train_and_publish(name, args.weights / name, args.seed, args.steps, args.note, not args.quiet, run_dir, args.force)
            except PromiseError as err:
                print(f"FAILED {err}", file=sys.stderr, flush=True)
                failed += 1
                continue
            published.append(name)
            print(summary(card), flush=True)
        if Path(args.weights).resolve() == weights_dir().resolve():
            print(f"wrote {write_model_cards(weights=args.weights)}")
    except KeyboardInterrupt:  # the saves are atomic: what was interrupted left nothing behind
        done = f"published before it: {', '.join(published)}" if published else "nothing was published"
        print(f"{Path(sys.argv[0]).name}: interrupted; {done}", file=sys.stderr)
        return 130
    return 1 if failed else 0
