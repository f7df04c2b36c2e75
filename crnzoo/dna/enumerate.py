"""Domain-level reaction enumeration with Peppercorn (`peppercornenumerator`, the `dna` extra).

Peppercorn reads the design's PIL, follows every binding, branch-migration and
dissociation reaction from the initial complexes, and condenses fast reactions into
reactions between resting macrostates with its rate model. The result is returned as a
crnzoo `ReactionNetwork` in nM and seconds (rate constants in nM^(1-m)/s).
"""

from __future__ import annotations

import dataclasses
import gc
import time

from ..network import Reaction, ReactionNetwork, merge_reactions
from .design import Design
from .pil import to_pil

# Enumerator settings: toeholds (6 nt) fall off, 15-nt domains stay bound.
RELEASE_CUTOFF_NT = 7
MAX_COMPLEX_SIZE = 12
# No remote-toehold branch migration (Peppercorn's --reject-remote). With remote toeholds
# allowed, a released Soloveichik-2010 output strand `b_X tc_X d ta_P ...` shares `b_X tc_X`
# with the buffer strand `b_X tc_X ta_Y` of a gate whose first reactant is X and replaces it
# through the remote toehold ta_Y (15 nt away): a cascade of such crosstalk complexes is what
# kept majority-am3's enumeration running past 4 minutes (67 -> thousands of complexes);
# rejecting it, the enumeration takes ~3 s. Remote-toehold migration is orders of magnitude
# slower than the designed steps (Genot et al., JACS 2011), so the schemes do not rely on it.
REJECT_REMOTE = True


class EnumerationError(RuntimeError):
    """Peppercorn could not enumerate the design (polymerisation, size limits)."""


@dataclasses.dataclass(frozen=True)
class Enumerated:
    """Peppercorn's condensed implementation CRN of a design.

    - `network`: the condensed reactions (nM, s), species = resting macrostates named by
      their representative complex; initial amounts from the design.
    - `complexes`: resting complex name -> kernel notation (for the PIL output).
    - `pil`: Peppercorn's own PIL output (detailed and condensed reactions).
    - `seconds`: wall time of the enumeration.
    """

    network: ReactionNetwork
    complexes: dict[str, str]
    pil: str
    seconds: float


def _load():
    try:
        from peppercornenumerator import enumerate_pil
        from peppercornenumerator.objects import clear_memory
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("DNA implementation needs peppercornenumerator: pip install 'crnzoo[dna]'") from e
    # Peppercorn keeps every domain and complex in per-process singleton tables keyed by name:
    # a second design reusing a name (L0) with another structure would collide. Each call
    # converts its results to plain crnzoo objects, so the tables are cleared first.
    clear_memory()
    return enumerate_pil


def enumerate_design(design: Design, *, max_complex_size: int = MAX_COMPLEX_SIZE) -> Enumerated:
    """Enumerate `design` with Peppercorn and return its condensed network (nM, s)."""
    enumerate_pil = _load()
    started = time.perf_counter()
    # Every formal species' input strand starts the enumeration, present or not at t = 0:
    # inputs switched on later (a gate's X_hi) must have their reactions enumerated.
    seeded = dataclasses.replace(
        design,
        complexes=tuple(
            dataclasses.replace(c, conc_nM=max(c.conc_nM, 1.0)) if c.formal is not None and c.name == c.formal else c
            for c in design.complexes
        ),
    )
    try:
        enum, text = enumerate_pil(
            to_pil(seeded),
            detailed=True,
            condensed=True,
            max_complex_size=max_complex_size,
            release_cutoff=RELEASE_CUTOFF_NT,
            reject_remote=REJECT_REMOTE,
        )
    except Exception as e:  # Peppercorn raises its own types (PolymerizationError, ...)
        raise EnumerationError(f"Peppercorn could not enumerate the {design.scheme} design: {type(e).__name__}: {e}") from e
    try:
        rest = {c.name: c.kernel_string for c in enum.resting_complexes}
        reactions = []
        for r in enum.condensed_reactions:
            reactants, products = list(r.reactants), list(r.products)
            m = len(reactants)
            units = "/nM" * (m - 1) + "/s"
            r.rate_constant = r.rateformat(units)
            reac: dict[str, int] = {}
            prod: dict[str, int] = {}
            for x in reactants:
                reac[x.name] = reac.get(x.name, 0) + 1
            for x in products:
                prod[x.name] = prod.get(x.name, 0) + 1
            reactions.append(Reaction(reac, prod, float(r.rate_constant[0])))
    finally:
        del enum
        gc.collect()
    species = sorted({s for r in reactions for s in r.species()} | {c.name for c in seeded.complexes if c.conc_nM > 0})
    initial = {c.name: c.conc_nM for c in design.complexes if c.conc_nM > 0 and c.name in species}
    roles = {s: "fuel" for s in design.fuels() if s in species}
    net = ReactionNetwork(tuple(species), tuple(merge_reactions(reactions)), initial, f"{design.scheme}_dna", roles)
    return Enumerated(net, rest, text, time.perf_counter() - started)
