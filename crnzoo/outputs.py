"""Output files: checked before any work, written atomically, nothing half-written.

`check_output(path, what)` refuses, in one line, a path that cannot be written (a
directory, a missing parent, a parent that is a file, a read-only place) before a long
computation runs, and an existing file unless the caller says it may be replaced (the
command's `--overwrite`): a user's file is never replaced by surprise.

`atomic_write(path)` yields a temporary sibling to write, then renames it into place; an
error or Ctrl-C removes it, so the target is either the old file or the complete new one. A
target that exists and is not a regular file (`/dev/stdout`, `/dev/full`, a FIFO) is
written in place: renaming over a device would replace it.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path


class OutputError(ValueError):
    """An output path that cannot be written (named, with the reason)."""


def check_output(path: str | os.PathLike, what: str = "output", suffix: str = ".txt", *, overwrite: bool = False) -> Path:
    """`path` as a `Path` if a file can be written there, else `OutputError` saying why
    (`suffix`: of the example file name offered when `path` is a directory). An existing
    regular file is refused unless `overwrite` (then it is replaced atomically)."""
    p = Path(path)
    if str(path).strip() == "":
        raise OutputError(f"the {what} path is empty")
    if p.is_dir():
        raise OutputError(f"{what} {p} is a directory; give a file name, e.g. {p / ('out' + suffix)}")
    parent = p.parent
    if not parent.exists():
        raise OutputError(f"cannot write {what} {p}: the folder {parent} does not exist")
    if not parent.is_dir():
        raise OutputError(f"cannot write {what} {p}: {parent} is a file, not a folder")
    if p.is_file() and not overwrite:
        raise OutputError(f"{what} {p} exists; give a new file name, or pass --overwrite to replace it")
    if p.exists() and not p.is_file():
        if not os.access(p, os.W_OK):
            raise OutputError(f"cannot write {what} {p}: permission denied")
        return p
    probe = parent / f".{p.name}.probe-{uuid.uuid4().hex[:8]}"
    try:
        probe.open("x").close()
    except OSError as e:
        raise OutputError(f"cannot write {what} {p}: {e.strerror or e}") from None
    probe.unlink(missing_ok=True)
    return p


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a path to write; on success it replaces `path` in one rename.

    On any exception, KeyboardInterrupt included, the temporary file is removed and the
    exception propagates. An OSError while writing (disk full) becomes `OutputError`.
    """
    p = Path(path)
    if p.exists() and not p.is_file():  # a device or FIFO: write in place
        try:
            yield p
        except OSError as e:
            raise OutputError(f"cannot write {p}: {e.strerror or e}") from None
        return
    tmp = p.parent / f".{p.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    try:
        yield tmp
        os.replace(tmp, p)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {p}: {e.strerror or e}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write `text` (UTF-8) to `path` atomically; returns the path."""
    with atomic_write(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
    return Path(path)
