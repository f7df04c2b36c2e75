"""`python -m crnzoo.cli`: the `crnzoo` command."""

import sys

from . import main

sys.exit(main())
