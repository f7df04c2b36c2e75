"""Where the shared data files live, and a clear error when one is absent.

Some zoo entries are trained and verified on data the project does not ship (MNIST digits,
Iris, a photograph). They are read at run time from the shared data folder: the directory
named by the environment variable `CRNZOO_DATA`, else `shared/data` next to the checkout
(`<repo>/../shared/data`), else `../shared/data` from the working directory. Nothing is
ever downloaded.
"""

from __future__ import annotations

import os
from pathlib import Path


ENV = "CRNZOO_DATA"
_REPO = Path(__file__).resolve().parents[1]


class DataMissingError(FileNotFoundError):
    """A data file an entry needs is not in the shared data folder."""


def data_dir() -> Path:
    """The shared data folder (it may not exist; see the module docstring for the search order)."""
    env = os.environ.get(ENV)
    if env:
        return Path(env)
    candidates = [_REPO.parent / "shared" / "data", Path.cwd().parent / "shared" / "data"]
    return next((c for c in candidates if c.is_dir()), candidates[0])


def data_path(*parts: str) -> Path:
    """`data_dir() / parts…` (not checked; see `require`)."""
    return data_dir().joinpath(*parts)


def missing(relpaths) -> list[str]:
    """Those of `relpaths` (relative to the shared data folder) that are not files there."""
    return [p for p in relpaths if not data_path(p).is_file()]


def require(relpath: str, what: str = "data") -> Path:
    """The path of `relpath` in the shared data folder; `DataMissingError` if it is absent."""
    path = data_path(relpath)
    if not path.is_file():
        raise DataMissingError(
            f"{what} not found at {path}: put the shared data folder next to the checkout "
            f"(../shared/data) or point {ENV} at it"
        )
    return path
