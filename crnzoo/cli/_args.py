"""Parsing of the command line's values (`--x0`, `--solver`, `--max-steps`) for `crnzoo.cli`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


class Usage(ValueError):
    """Bad command-line input (exit code 2)."""


def parse_x0(text: str, model) -> tuple[np.ndarray, dict[str, float]]:
    """The model's default state with the `--x0` values set, and those values by species."""
    import numpy as np  # here, not at the top: `crnzoo list` / `info` import this module

    x = np.array(model.x0, dtype=np.float64)
    given: dict[str, float] = {}
    items = [t.strip() for t in text.split(",")]
    if not any(items) or not all(items):
        raise Usage(f"--x0 expects 'A=0.5,B=0.1' (no empty items), got {text!r}")
    for item in items:
        if "=" not in item:
            raise Usage(f"--x0 expects 'A=0.5,B=0.1', got {item!r}")
        s, v = (p.strip() for p in item.split("=", 1))
        if s not in model.species:
            raise Usage(f"--x0 names unknown species {s!r}; species are {', '.join(model.species)}")
        if s in given:
            raise Usage(f"--x0 sets {s} twice")
        try:
            given[s] = float(v)
        except ValueError:
            raise Usage(f"--x0 value for {s} is not a number: {v!r}") from None
        x[..., model.species.index(s)] = given[s]
    return x, given


def solver_config(card, args):
    """The card's solver with the --solver / --max-steps overrides."""
    from ..solve import SolverConfig

    cfg = SolverConfig.from_dict(card["solver"]) if card else SolverConfig()
    if args.max_steps is not None and args.max_steps < 1:
        raise Usage(f"--max-steps must be >= 1, got {args.max_steps}")
    changes = {k: v for k, v in (("solver", args.solver), ("max_steps", args.max_steps)) if v is not None}
    if args.solver:  # a user's solver gets adaptive steps at the card's tolerances
        changes.update(dt=None)
    return SolverConfig.from_dict({**cfg.to_dict(), **changes})
