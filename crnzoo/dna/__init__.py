"""DNA strand-displacement implementations of zoo networks (`crnzoo implement`).

`schemes` (translation schemes -> `design.Design`: Soloveichik 2010 there, Qian 2011 in
`qian2011`), `pil` (PIL text), `enumerate`
(Peppercorn), `check` (crnverifier bisimulation), `function` (the entry's function at the
DNA level, with leak), `implement` (the pipeline). Peppercorn and crnverifier come with
the `dna` extra: `pip install 'crnzoo[dna]'`.
"""

from .design import CompiledReaction, Complex, Design
from .schemes import SCHEMES, SchemeError, compile_network

__all__ = ["SCHEMES", "CompiledReaction", "Complex", "Design", "SchemeError", "compile_network"]
