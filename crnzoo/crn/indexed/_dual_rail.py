"""Dual-rail writers: a signed indexed quantity U is carried by two base species `Up` and
`Un` (U = Up − Un), as in the paper's Hopfield network. These helpers write the species
declarations and reactions; `IndexedCRN.signed` reads U back from a state."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence

import jax
import jax.numpy as jnp

from ._parse import IndexedCRNError, Term, parse_side


def rails(name: str) -> tuple[str, str]:
    """The positive and negative rail of signed quantity `name`: (`{name}p`, `{name}n`)."""
    return f"{name}p", f"{name}n"


def dual_rail(species: Mapping[str, Sequence[str]], signed: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Species declarations with each signed quantity in `signed` replaced by its two rails."""
    signed = set(signed)
    out: dict[str, tuple[str, ...]] = {}
    for b, ss in species.items():
        if b in signed:
            p, n = rails(b)
            out[p] = tuple(ss)
            out[n] = tuple(ss)
        else:
            out[b] = tuple(ss)
    missing = signed - set(species)
    if missing:
        raise IndexedCRNError(f"signed quantities {', '.join(sorted(missing))} are not declared species")
    return out


def split_signed(values) -> tuple[jax.Array, jax.Array]:
    """Signed values -> (positive rail, negative rail) = (relu(v), relu(−v))."""
    v = jnp.asarray(values, dtype=jnp.float64)
    return jax.nn.relu(v), jax.nn.relu(-v)


def signed_production(catalysts: Sequence[str], target: str, rate: str, signed: Iterable[str]) -> list[tuple[str, str]]:
    """Reactions making d(target)/dt = rate · Π catalysts, for signed catalysts, target and rate.

    `catalysts` are terms like `"U[i]"`, `target` a term like `"V[j]"`, `rate` a parameter
    term like `"W[i,j]"` whose sign is free; names listed in `signed` are dual-rail. Emits
    one catalytic reaction per rail combination, at `relu(W[..])` or `relu(-W[..])`, whose
    product rail is the product of the signs (the paper's Hopfield network is
    `signed_production(["U[i]"], "U[j]", "W[i,j]", {"U"})`).
    """
    signed = set(signed)
    cats = [parse_side(c, "catalyst")[0] for c in catalysts]
    tgt = parse_side(target, "target")[0]
    m = re.fullmatch(r"\s*([A-Za-z][A-Za-z0-9]*)\s*(\[[^\]]*\])?\s*", rate)
    if not m:
        raise IndexedCRNError(f"rate {rate!r} must be a parameter term like W[i,j]")
    rate_term = m.group(1) + (m.group(2) or "")

    def term(t: Term, sign: int) -> str:
        base = rails(t.species)[0 if sign > 0 else 1] if t.species in signed else t.species
        return str(Term(base, t.indices, t.count))

    out = []
    choices = [(1, -1) if c.species in signed else (1,) for c in cats]
    for signs in itertools.product(*choices):
        for rsign in (1, -1):
            s = rsign * math.prod(signs)
            if tgt.species not in signed and s < 0:
                continue
            left = " + ".join(term(c, sg) for c, sg in zip(cats, signs))
            eq = f"{left} -> {left} + {term(tgt, s)}" if left else f"-> {term(tgt, s)}"
            out.append((eq, f"relu({'-' if rsign < 0 else ''}{rate_term})"))
    return out


def annihilation(name: str, indices: str = "", rate: float | str = 1.0) -> tuple[str, float | str]:
    """`{name}p[idx] + {name}n[idx] -> ∅` at `rate` (cancels the two rails of a signed quantity)."""
    p, n = rails(name)
    idx = f"[{indices}]" if indices else ""
    return (f"{p}{idx} + {n}{idx} ->", rate)
