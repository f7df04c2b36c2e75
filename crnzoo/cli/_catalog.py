"""`crnzoo list` and `crnzoo info`: answered from the JAX-free index (`crnzoo.cli._index`), so
neither command imports JAX once the index is cached."""

from __future__ import annotations

import fnmatch
from pathlib import Path

from ._args import Usage as _Usage


def cmd_list(args) -> int:
    from ._index import index

    data = index()
    names = [n for n in data["models"] if fnmatch.fnmatch(n, args.pattern)]  # already naturally sorted
    if not names:
        raise _Usage(f"no model matches {args.pattern!r}")
    width = max(len(n) for n in names)
    weights = Path(data["weights_dir"])
    for n in names:
        shipped = (weights / n / "card.json").is_file()
        print(f"{n:<{width}}  {data['models'][n]}" + ("" if shipped else "  [no shipped weights]"))
    return 0


# What `crnzoo.sbml.is_model_file` accepts (spelled here so that `info NAME` imports no JAX).
MODEL_FILE_SUFFIXES = (".xml", ".sbml", ".ant", ".antimony")


def cmd_info(args) -> int:
    if Path(args.name).suffix.lower() in MODEL_FILE_SUFFIXES:  # an SBML or Antimony file: what it holds
        from ._commands import cmd_info_file

        return cmd_info_file(args)
    from ._index import info_text

    print(info_text(args.name))
    return 0
