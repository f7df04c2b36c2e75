"""Zoo model families; importing this package registers every model."""

from . import reference as reference  # noqa: F401
from . import majority as majority  # noqa: F401
from . import oscillators as oscillators  # noqa: F401
from . import wta_ring as wta_ring  # noqa: F401
from . import gates as gates  # noqa: F401
from . import seven_segment as seven_segment  # noqa: F401
from . import adc as adc  # noqa: F401
from . import neural_crn as neural_crn  # noqa: F401
from . import gray_scott as gray_scott  # noqa: F401
from . import hopfield_rd as hopfield_rd  # noqa: F401
from . import wta_mnist as wta_mnist  # noqa: F401
