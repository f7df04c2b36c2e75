"""Domain-level reaction enumeration with Peppercorn (`peppercornenumerator`, the `dna` extra).

Peppercorn reads the design's PIL, follows every binding, branch-migration and
dissociation reaction from the initial complexes, and condenses fast reactions into
reactions between resting macrostates with its rate model. The result is returned as a
crnzoo `ReactionNetwork` in nM and seconds (rate constants in nM^(1-m)/s).
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import logging
import re
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


# Peppercorn's own limit on resting + transient + pending complexes (its default is 10,000).
MAX_COMPLEX_COUNT = 10_000

# A Soloveichik-2010 signal strand: `history ta_X b_X tc_X`, the history domain unpaired.
_HISTORY = re.compile(r"^(h_.+|d\d+_\d+)$")


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
    histories: str = "full"
    notes: tuple[str, ...] = ()


@contextlib.contextmanager
def _collect_only_new():
    """Hide every object that exists now from the cyclic garbage collector until the block ends.

    Peppercorn and dsdobjects clear their singleton tables with full `gc.collect()` calls
    (about four per enumeration). Each scans every object of the process: in one that holds
    JAX programs and models (the CLI, a test session) that is up to seconds per call, most of
    an enumeration's time. `gc.freeze()` leaves those calls only the enumeration's own objects;
    what the frozen objects leave as garbage meanwhile is collected after `gc.unfreeze()`.
    Not re-entrant: `_load` and `_run` use it one at a time, never one inside the other.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _load():
    try:
        from peppercornenumerator import enumerate_pil
        from peppercornenumerator.objects import clear_memory
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("DNA implementation needs peppercornenumerator: pip install 'crnzoo[dna]'") from e
    # Peppercorn keeps every domain and complex in per-process singleton tables keyed by name:
    # a second design reusing a name (L0) with another structure would collide. Each call
    # converts its results to plain crnzoo objects, so the tables are cleared first.
    with _collect_only_new():
        clear_memory()
    # On Ctrl-C Peppercorn logs "Interrupted. Gracefully exiting ..." at ERROR level before the
    # KeyboardInterrupt reaches the CLI, which says it in one line itself.
    logger = logging.getLogger("peppercornenumerator.enumerator")
    if not any(isinstance(f, _DropInterrupted) for f in logger.filters):
        logger.addFilter(_DropInterrupted())
    return enumerate_pil


def _options(max_complex_size: int, max_complex_count: int) -> dict:
    """Peppercorn's enumerator settings (module constants above)."""
    return {"max_complex_size": max_complex_size, "max_complex_count": max_complex_count,
            "release_cutoff": RELEASE_CUTOFF_NT, "reject_remote": REJECT_REMOTE}


class _DropInterrupted(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.getMessage()).startswith("Interrupted")


def _signal_variant(cplx) -> str | None:
    """The formal species X if `cplx` is one free strand `history ta_X b_X tc_X` (history unpaired)."""
    if cplx.size != 1:
        return None
    doms = [str(d) for d in cplx.sequence]
    if len(doms) != 4 or any(c != "." for c in cplx.structure) or not _HISTORY.match(doms[0]):
        return None
    x = doms[1][3:]
    return x if doms[1] == f"ta_{x}" and doms[2] == f"b_{x}" and doms[3] == f"tc_{x}" else None


def _quotient_enumerator(enumerator_cls, reaction_cls, canonical: dict):
    """Peppercorn's enumerator with every released signal strand replaced by its formal
    species' canonical strand (`canonical`: X -> the complex `h_X ta_X b_X tc_X`).

    Soloveichik 2010 gives every product a new history domain (the translator's d_i), so
    each formal species exists in 1 + (number of reactions producing it) variants, and every
    gate state, waste and transient toehold-bound pair downstream is enumerated once per
    variant (adc-3bit: 10,000 complexes before Peppercorn gives up). The history domain of a
    free signal strand pairs with nothing (its complement d_i* sits only in translator T_i,
    paired before and after the release; checked after the enumeration by `_check_inert`),
    so the variants behave identically: identifying them is a bisimulation of the
    domain-level system (as Nuskell's modular enumeration replaces history species by
    their interpretation), and the summed amount of X is unchanged."""

    def swap(rxns):
        for rxn in rxns:
            prods = [canonical.get(_signal_variant(p), p) for p in rxn.products]
            if all(a is b for a, b in zip(prods, rxn.products)):
                yield rxn
                continue
            new = reaction_cls(list(rxn.reactants), prods, rxn.rtype)
            if new.rate_constant[0] is None:
                new.rate_constant = rxn.rate_constant
            yield new

    class Quotient(enumerator_cls):
        def get_uni_reactions(self, cplx):
            return swap(super().get_uni_reactions(cplx))

        def get_bi_reactions(self, cplx1, cplx2):
            return swap(super().get_bi_reactions(cplx1, cplx2))

    return Quotient


def _check_inert(complexes) -> None:
    """Raise if a history domain's complement is ever unpaired (the quotient would be unsound)."""
    for c in complexes:
        for d, st in zip(c.sequence, c.structure):
            name = str(d)
            if name.endswith("*") and _HISTORY.match(name[:-1]) and st == ".":
                raise EnumerationError(f"history domain {name} is unpaired in complex {c.kernel_string}: the history quotient does not apply; enumerate with histories='full'")


def _enumerate_quotient(pil: str, **options):
    """Peppercorn's `enumerate_pil`, with released signal strands identified with their
    formal species (`_quotient_enumerator`). Returns (enumerator, PIL text, variants seen)."""
    from peppercornenumerator.enumerator import Enumerator
    from peppercornenumerator.input import read_pil
    from peppercornenumerator.objects import PepperReaction

    cxs, rxns = read_pil(pil)
    canonical = {}
    for c in cxs.values():
        x = _signal_variant(c)
        if x is not None and str(next(iter(c.sequence))) == f"h_{x}":
            canonical[x] = c
    init = [c for c in cxs.values() if c.concentration is None or c.concentration[1] != 0]
    enum = _quotient_enumerator(Enumerator, PepperReaction, canonical)(init, rxns, named_complexes=list(cxs.values()))
    for k, v in options.items():
        setattr(enum, k, v)
    enum.enumerate()
    _check_inert(list(enum.resting_complexes) + list(enum.transient_complexes))
    enum.condense()
    return enum, enum.to_pil(detailed=True, condensed=True, molarity="nM")


@_collect_only_new()
def _run(pil: str, histories: str, options: dict, prefix: str = "e") -> tuple[dict[str, str], list[Reaction], str]:
    """One Peppercorn enumeration of `pil`: (resting complex -> kernel, condensed reactions in nM and s, PIL text)."""
    from peppercornenumerator.objects import PepperComplex

    PepperComplex.PREFIX = prefix
    try:
        if histories == "quotient":
            enum, text = _enumerate_quotient(pil, **options)
        else:
            from peppercornenumerator import enumerate_pil

            enum, text = enumerate_pil(pil, detailed=True, condensed=True, complex_prefix=prefix, **options)
    except EnumerationError:
        raise
    except Exception as e:  # Peppercorn raises its own types (PolymerizationError, ...)
        raise EnumerationError(f"Peppercorn could not enumerate the design: {type(e).__name__}: {e}") from e
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
        PepperComplex.PREFIX = "e"
    return rest, reactions, text


def module_complexes(design: Design) -> list[set[str]]:
    """Per formal reaction, the names of its fuel complexes: those it lists and every buffer
    whose strand its gate carries (reactions with the same reactant pair share one buffer,
    listed only by the first of them)."""
    buffers = {tuple(d for d, _ in c.strands[0]): c.name for c in design.complexes if c.kind == "buffer" and len(c.strands) == 1}
    byname = design.by_name()
    out = []
    for r in design.reactions:
        names = set(r.complexes)
        for n in r.complexes:
            for st in byname[n].strands if n in byname else ():
                key = tuple(d for d, _ in st)
                if key in buffers:
                    names.add(buffers[key])
        out.append(names)
    return out


def module_groups(design: Design) -> list[list[int]]:
    """Formal reactions grouped by shared fuel complexes (reactions with the same reactant
    pair share a buffer strand): the modules `enumerate_design(..., modular=True)` enumerates."""
    parent = list(range(len(design.reactions)))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    first: dict[str, int] = {}
    for i, names in enumerate(module_complexes(design)):
        for c in names:
            if c in first:
                parent[find(i)] = find(first[c])
            else:
                first[c] = i
    groups: dict[int, list[int]] = {}
    for i in range(len(design.reactions)):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def enumerate_design(design: Design, *, max_complex_size: int = MAX_COMPLEX_SIZE, histories: str = "full",
                     max_complex_count: int = MAX_COMPLEX_COUNT, modular: bool = False) -> Enumerated:
    """Enumerate `design` with Peppercorn and return its condensed network (nM, s).

    `histories`: "full" enumerates the design as written; "quotient" identifies every
    released Soloveichik-2010 signal strand with its formal species' canonical strand
    (exact: history domains are inert, checked; see `_quotient_enumerator`), which keeps
    networks with many reactions per species (the ADC, seven-segment) within Peppercorn's
    complex limit `max_complex_count`.

    `modular`: enumerate each module (`module_groups`: a formal reaction's gate, buffer and
    translator, with every formal species' signal strand) on its own and take the union.
    Peppercorn's cost grows with the square of the resting complexes (it tries every pair
    for a binding reaction), so this is what finishes for networks of 50-160 reactions; it
    OMITS reactions between complexes of two different modules (an intermediate or waste of
    one module meeting another module's gate), which the notes say. Signals and the
    released products meet every module, so the designed cascade is complete.
    """
    if histories not in ("full", "quotient"):
        raise ValueError(f"histories must be 'full' or 'quotient', got {histories!r}")
    _load()
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
    options = _options(max_complex_size, max_complex_count)
    if not modular:
        rest, reactions, text = _run(to_pil(seeded), histories, options)
        groups = [list(range(len(design.reactions)))]
    else:
        groups, fuels = module_groups(design), module_complexes(design)
        rest, reactions, texts = {}, [], []
        for g, members in enumerate(groups):
            mine = set().union(*(fuels[i] for i in members))
            part = dataclasses.replace(seeded, complexes=tuple(c for c in seeded.complexes if c.kind == "signal" or c.name in mine))
            _load()
            r, rx, t = _run(to_pil(part), histories, options, prefix=f"m{g}e")
            rest.update(r)
            reactions += rx
            texts.append(f"# module {g}: formal reactions {members}\n{t}")
        text = "\n".join(texts)
        _load()
    species = sorted({s for r in reactions for s in r.species()} | {c.name for c in seeded.complexes if c.conc_nM > 0})
    initial = {c.name: c.conc_nM for c in design.complexes if c.conc_nM > 0 and c.name in species}
    roles = {s: "fuel" for s in design.fuels() if s in species}
    # A reaction found by two modules (only possible among complexes both contain) counts once.
    unique = list({(tuple(sorted(r.reactants.items())), tuple(sorted(r.products.items()))): r for r in reactions}.values()) if modular else reactions
    net = ReactionNetwork(tuple(species), tuple(merge_reactions(unique)), initial, f"{design.scheme}_dna", roles)
    notes: tuple[str, ...] = ()
    if histories == "quotient":
        notes = (("enumerated with history domains quotiented: every released signal strand is identified with its formal species' "
                  "canonical strand (history domains checked inert: no unpaired history complement in any enumerated complex)"),)
    if modular:
        notes += ((f"enumerated per module ({len(groups)} modules: each formal reaction's gate, buffer and translator with every signal strand); "
                   "reactions between complexes of two different modules (crosstalk between one module's intermediates or wastes and "
                   "another's gates) are NOT enumerated"),)
    return Enumerated(net, rest, text, time.perf_counter() - started, histories + (" per module" if modular else ""), notes)


def pairwise_crosstalk(design: Design, *, histories: str = "quotient", max_complex_size: int = MAX_COMPLEX_SIZE) -> tuple[list[tuple[int, int, int]], int]:
    """What per-module enumeration omits, checked two modules at a time: each pair of
    modules (`module_groups`) is enumerated together and its condensed reaction count
    compared with the two modules' own. Returns ([(module a, module b, extra reactions)],
    pairs checked). Crosstalk that needs three modules at once is not covered."""
    seeded = dataclasses.replace(design, complexes=tuple(
        dataclasses.replace(c, conc_nM=max(c.conc_nM, 1.0)) if c.formal is not None and c.name == c.formal else c for c in design.complexes))
    options = _options(max_complex_size, MAX_COMPLEX_COUNT)
    groups, fuels = module_groups(design), module_complexes(design)
    mine = [set().union(*(fuels[i] for i in g)) for g in groups]

    def count(names: set[str]) -> int:
        _load()
        part = dataclasses.replace(seeded, complexes=tuple(c for c in seeded.complexes if c.kind == "signal" or c.name in names))
        return len(merge_reactions(_run(to_pil(part), histories, options)[1]))

    alone = [count(m) for m in mine]
    extra = []
    pairs = 0
    for a in range(len(groups)):
        for b in range(a + 1, len(groups)):
            pairs += 1
            n = count(mine[a] | mine[b]) - alone[a] - alone[b]
            if n:
                extra.append((a, b, n))
    _load()
    return extra, pairs
