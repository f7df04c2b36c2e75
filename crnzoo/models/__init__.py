"""Zoo families: one module per family, named by its entries' prefix (`gate` for `gate-*`).

Each module holds tiny registered builders: the card data of its entries (`ZooEntry`) and
their task (`crnzoo/tasks/<family>.py`, the same name). Importing this package imports every
module in it, which registers every entry; `crnzoo.zoo` does that once.
"""

import importlib as _importlib
import pkgutil as _pkgutil

for _m in sorted(_pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if not _m.name.startswith("_"):
        _importlib.import_module(f"{__name__}.{_m.name}")
