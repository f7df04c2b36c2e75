"""Zoo model families; importing this package registers every model."""

from . import reference as reference  # noqa: F401
