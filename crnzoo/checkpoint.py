"""Orbax checkpoints of Equinox modules, with a card, integrity checks and atomic writes.

A checkpoint directory holds

- `checkpoint/`: an Orbax `StandardCheckpointer` save of the module's arrays
  (`eqx.partition(model, eqx.is_array)`; everything else is rebuilt from the card);
- `card.json`: the model card, including `builder` + `config` (enough to rebuild a
  template), `config_hash`, and `arrays` (each array leaf's path, shape and dtype) and
  `content_hash` (SHA-256 of the arrays' bytes), checked on every restore, and
  `card_hash` (SHA-256 of the whole card but itself: metrics, solver, t1, … are covered
  too), checked whenever a card is read;
- `reactions.txt`: the sparsified reaction listing (written by the caller);
- side files measured on the arrays by scripts (`SIDE_FILES`: `robustness.json`, `dna.json`),
  which a re-save keeps when the arrays are unchanged (see `save`).

Writes go to a temporary sibling directory that is renamed into place, so a crash never
leaves a half-written checkpoint where a good one was.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import uuid
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import equinox as eqx
import jax
import numpy as np


SIDE_FILES = ("robustness.json", "dna.json")
"""Files that scripts write next to a published card (scripts/robustness_cards.py,
scripts/dna_targets.py), measured on the arrays: `save` carries them into the new folder."""


class CheckpointError(ValueError):
    """A checkpoint is missing, corrupted, or does not match its card or configuration."""


def _is_array(x) -> bool:
    return isinstance(x, (jax.Array, np.ndarray, jax.ShapeDtypeStruct))


def config_hash(builder: str, config: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a builder name and its configuration."""
    text = json.dumps({"builder": builder, "config": config}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def card_hash(card: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of every field of `card` except `card_hash` itself."""
    body = {k: v for k, v in card.items() if k != "card_hash"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def seal(card: Mapping[str, Any]) -> dict:
    """`card` with its `card_hash` (re)computed: call after any legitimate change."""
    return {**{k: v for k, v in card.items() if k != "card_hash"}, "card_hash": card_hash(card)}


def write_card(path, card: Mapping[str, Any]) -> dict:
    """Seal `card` and write it to `path` (a card.json) atomically; returns the sealed card.
    For the scripts that legitimately re-measure or annotate a shipped card."""
    from .outputs import write_text

    sealed = seal(card)
    write_text(path, json.dumps(sealed, indent=2, sort_keys=False) + "\n")
    return sealed


def check_card_hash(card: Mapping[str, Any], where) -> None:
    """Refuse a card whose fields changed after it was sealed (CheckpointError)."""
    if "card_hash" not in card:
        raise CheckpointError(f"{where} lacks the field 'card_hash' (written before cards were sealed: re-save it)")
    if card_hash(card) != card["card_hash"]:
        raise CheckpointError(
            f"{where}: card_hash does not match the card's fields (edited card? metrics, solver and t1 are "
            "part of what was measured and cannot be changed by hand)"
        )


def _path_name(path) -> str:
    """A key path as dotted field names (`kinetics.rates`), the same for modules and dicts."""
    parts = []
    for k in path:
        for attr in ("name", "key", "idx"):
            if hasattr(k, attr):
                parts.append(str(getattr(k, attr)))
                break
        else:  # pragma: no cover
            parts.append(str(k))
    return ".".join(parts)


def _manifest(tree) -> dict[str, dict]:
    leaves = jax.tree_util.tree_flatten_with_path(tree, is_leaf=lambda x: hasattr(x, "shape") and hasattr(x, "dtype"))[0]
    return {_path_name(p): {"shape": list(x.shape), "dtype": str(np.dtype(x.dtype))} for p, x in leaves}


def array_manifest(model) -> dict[str, dict]:
    """`{leaf path: {"shape": [...], "dtype": "float64"}}` for every array leaf."""
    return _manifest(eqx.partition(model, _is_array)[0])


def content_hash(model) -> str:
    """SHA-256 over every array leaf's path, dtype, shape and bytes, in tree order."""
    params, _ = eqx.partition(model, _is_array)
    h = hashlib.sha256()
    for path, leaf in jax.tree_util.tree_flatten_with_path(params)[0]:
        a = np.ascontiguousarray(np.asarray(leaf))
        h.update(_path_name(path).encode())
        h.update(str(a.dtype).encode())
        h.update(str(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()


def save(
    model,
    directory,
    card: Mapping[str, Any],
    files: Mapping[str, str] | None = None,
    write: Callable[[Path], Mapping[str, Any]] | None = None,
) -> Path:
    """Atomically write `model`'s arrays, `card.json` and extra text `files` to `directory`.

    The card must contain `builder` and `config`; `config_hash`, `arrays` and
    `content_hash` are added. `write(folder)`, if given, writes further files (figures,
    tables) into the folder being assembled and returns card fields naming them. An
    existing checkpoint at `directory` is replaced only after the new one is completely
    written.

    Side files (`SIDE_FILES`) of the existing checkpoint that the new save does not write
    itself are copied into the new folder when its arrays are unchanged (the same
    `content_hash`: e.g. a card re-measured and re-published); when the arrays changed they
    describe another network and are left behind with a warning that names the script to
    re-run.
    """
    import orbax.checkpoint as ocp

    directory = Path(directory).resolve()
    if "builder" not in card or "config" not in card:
        raise CheckpointError("a card needs 'builder' and 'config' to rebuild the model")
    card = dict(card)
    card["config_hash"] = config_hash(card["builder"], card["config"])
    card["arrays"] = array_manifest(model)
    card["content_hash"] = content_hash(model)
    directory.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(directory)
    tmp = directory.parent / f".{directory.name}.tmp-{uuid.uuid4().hex[:8]}"
    old = directory.parent / f".{directory.name}.old-{uuid.uuid4().hex[:8]}"
    try:
        tmp.mkdir()
        params, _ = eqx.partition(model, _is_array)
        with ocp.StandardCheckpointer() as ckptr:
            ckptr.save(tmp / "checkpoint", params)
            ckptr.wait_until_finished()
        for fname, text in (files or {}).items():
            (tmp / fname).write_text(text)
        if write is not None:
            card.update(write(tmp) or {})
        _carry_side_files(directory, tmp, card["content_hash"])
        (tmp / "card.json").write_text(json.dumps(seal(card), indent=2, sort_keys=False) + "\n")
        if directory.exists():
            directory.rename(old)
        tmp.rename(directory)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old.exists() and not directory.exists():
            old.rename(directory)
        raise
    shutil.rmtree(old, ignore_errors=True)
    return directory


def _carry_side_files(old: Path, new: Path, content: str) -> list[str]:
    """Copy `SIDE_FILES` from checkpoint folder `old` into `new` (not overwriting what `new`
    has) when `old`'s card has the arrays' `content`; returns the names copied."""
    present = [f for f in SIDE_FILES if (old / f).is_file() and not (new / f).exists()]
    if not present:
        return []
    try:
        before = json.loads((old / "card.json").read_text()).get("content_hash")
    except (OSError, ValueError):
        before = None
    if before != content:
        warnings.warn(
            f"{old}: {', '.join(present)} describe the previous arrays (content_hash {str(before)[:12]}, "
            f"now {content[:12]}) and are not carried over; re-run scripts/robustness_cards.py / scripts/dna_targets.py",
            stacklevel=3,
        )
        return []
    for f in present:
        shutil.copy2(old / f, new / f)
    return present


def clean_stale(directory) -> list[Path]:
    """Remove `.NAME.tmp-*` / `.NAME.old-*` folders an interrupted save of `directory` left
    (a kill -9 skips any clean-up); returns what was removed. Never touches `directory`."""
    directory = Path(directory)
    if not directory.parent.is_dir():
        return []
    stale = [p for pat in (".tmp-*", ".old-*") for p in directory.parent.glob(f".{directory.name}{pat}") if p.is_dir()]
    if not directory.exists() and any(".old-" in p.name for p in stale):
        return []  # an interrupted replace: the old checkpoint is the .old folder; leave it to the user
    for p in stale:
        shutil.rmtree(p, ignore_errors=True)
    return stale


def read_card(directory, check: bool = True) -> dict:
    """The `card.json` of a checkpoint directory (CheckpointError if missing, invalid or
    edited; `check=False` leaves the `card_hash` check to the caller)."""
    path = Path(directory) / "card.json"
    if not path.is_file():
        raise CheckpointError(f"{Path(directory)} is not a crnzoo checkpoint: it has no card.json")
    try:
        card = json.loads(path.read_text())
    except json.JSONDecodeError as e:
        raise CheckpointError(f"{path} is not valid JSON ({e.msg} at line {e.lineno})") from None
    for key in ("builder", "config", "config_hash", "arrays", "content_hash"):
        if key not in card:
            raise CheckpointError(f"{path} lacks the field {key!r}")
    if check:
        check_card_hash(card, path)
    return card


def restore(directory, build: Callable[[str, Mapping[str, Any]], Any], expected_config: Mapping | None = None):
    """Restore the module saved in `directory`.

    `build(builder, config)` returns a template module of the right structure. When
    `expected_config` is given (a registered model's configuration), the card's
    configuration must hash equal to it. Shapes, dtypes and the content hash are
    checked against the card; any disagreement raises `CheckpointError` naming the field.
    """
    import orbax.checkpoint as ocp

    directory = Path(directory).resolve()
    card = read_card(directory, check=False)
    if config_hash(card["builder"], card["config"]) != card["config_hash"]:
        raise CheckpointError(f"{directory}/card.json: config_hash does not match its builder/config (edited card?)")
    if expected_config is not None and config_hash(card["builder"], expected_config) != card["config_hash"]:
        raise CheckpointError(
            f"{directory} was saved for a different configuration of {card.get('name', 'this model')}: "
            "its card's config differs from the registered one"
        )
    template = build(card["builder"], card["config"])
    expected = array_manifest(template)
    _compare_manifest(expected, card["arrays"], f"{directory}/card.json", "the model built from its config")
    ckpt = directory / "checkpoint"
    if not ckpt.is_dir():
        raise CheckpointError(f"{directory} has no checkpoint/ folder")
    params_like, static = eqx.partition(template, _is_array)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with ocp.StandardCheckpointer() as ckptr:
                stored = ckptr.metadata(ckpt).item_metadata
                found = _manifest(getattr(stored, "tree", stored) or {})
                if not found:
                    raise CheckpointError(f"cannot read the array metadata in {ckpt}: the checkpoint is damaged")
                _compare_manifest(expected, found, f"{ckpt}", "the card")
                params = ckptr.restore(ckpt, params_like)
    except CheckpointError:
        raise
    except Exception as e:  # orbax / tensorstore raise many types for damaged files
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise CheckpointError(f"cannot read the checkpoint in {ckpt}: {first[:300]}") from None
    model = eqx.combine(params, static)
    digest = content_hash(model)
    if digest != card["content_hash"]:
        raise CheckpointError(
            f"{directory}: content hash of the restored arrays ({digest[:12]}…) differs from the card's "
            f"({card['content_hash'][:12]}…): the checkpoint was modified or corrupted"
        )
    check_card_hash(card, directory / "card.json")
    return model, card


def _compare_manifest(expected: dict, found: dict, where: str, against: str) -> None:
    for key in sorted(set(expected) | set(found)):
        if key not in found:
            raise CheckpointError(f"{where}: array {key} is missing (expected by {against})")
        if key not in expected:
            raise CheckpointError(f"{where}: array {key} is not part of {against}")
        if list(found[key]["shape"]) != list(expected[key]["shape"]):
            raise CheckpointError(
                f"{where}: array {key} has shape {tuple(found[key]['shape'])}, {against} needs "
                f"{tuple(expected[key]['shape'])}"
            )
        if found[key]["dtype"] != expected[key]["dtype"]:
            raise CheckpointError(
                f"{where}: array {key} has dtype {found[key]['dtype']}, {against} needs {expected[key]['dtype']}"
            )
