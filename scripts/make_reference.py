"""Publish every hand-designed entry (no training) to weights/.

    python scripts/make_reference.py                 # every hand-designed entry
    python scripts/make_reference.py majority-am4    # one of them

Each network is built from its source's reaction list (its task's `make()`), every card
metric is measured with full settings, weights/<name>/ is replaced atomically and
MODEL_CARDS.md regenerated.
"""

import sys

from crnzoo.publish import script_main

if __name__ == "__main__":
    sys.exit(script_main(None, doc=__doc__))
