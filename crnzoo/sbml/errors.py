"""The one error SBML import raises: a `ValueError`, so the command line reports it in one line (exit 2)."""

from __future__ import annotations


class SBMLImportError(ValueError):
    """An SBML (or Antimony) model could not be read, or uses a construct crnzoo does not simulate.

    The message is one line naming the file's construct, e.g. ``model uses an algebraic rule: not
    supported``. crnzoo refuses such models rather than simulating them wrongly.
    """
