"""PIL text of a `Design` (the format Peppercorn and Nuskell read and write)."""

from __future__ import annotations

from ..export.scale import number_text
from .design import Design


def to_pil(design: Design, *, leak: bool = False) -> str:
    """The design as PIL: domain lengths, then every complex in kernel notation with
    `@initial <c> nM` (complexes at 0 nM are named so the enumerator reuses their names)."""
    lines = [
        f"# {design.scheme}: {design.citation}",
        *(f"# {n}" for n in design.notes),
        "",
        "# Domains (nt)",
    ]
    for d, n in design.domains.items():
        lines.append(f"length {d} = {n}")
    for kind in ("signal", "gate", "buffer", "translator", "fuel"):
        group = [c for c in design.complexes if c.kind == kind]
        if group:
            lines += ["", f"# {kind} complexes"]
            lines += [f"{c.name} = {c.kernel()} @initial {number_text(round(c.conc_nM, 9))} nM" for c in group]
    return "\n".join(lines) + "\n"
