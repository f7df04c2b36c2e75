"""Zoo model families; importing this package registers every model."""

from . import reference as reference  # noqa: F401
from . import majority as majority  # noqa: F401
from . import oscillators as oscillators  # noqa: F401
from . import wta_ring as wta_ring  # noqa: F401
