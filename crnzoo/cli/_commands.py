"""`crnzoo list`, `info`, `export`, `verify`, `cards`, `demo`, `implement`: the commands that read a model."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from ..outputs import check_output
from ._args import Usage as _Usage


def _load(name: str):
    from ..sbml import is_model_file

    if is_model_file(name) and Path(name).is_file():  # an SBML/Antimony file: no need to import the zoo's families
        from .. import sbml

        model = sbml.load_model_file(name)
        return model, sbml.card(model, name)
    from .. import zoo

    model = zoo.load(name)
    try:
        card = zoo.card(name)
    except Exception:
        card = None
    return model, card


def _network_name(name: str) -> str:
    import re

    base = Path(name).name if ("/" in name or "\\" in name) else name
    ident = re.sub(r"[^A-Za-z0-9_]", "_", base)
    return ident if ident[:1].isalpha() else f"m_{ident}"


def cmd_list(args) -> int:
    from .. import zoo

    names = zoo.list_models(args.pattern)
    if not names:
        raise _Usage(f"no model matches {args.pattern!r}")
    width = max(len(n) for n in names)
    for n in names:
        e = zoo.entry(n)
        shipped = (zoo.checkpoint_dir(n) / "card.json").is_file()
        print(f"{n:<{width}}  {e.system}" + ("" if shipped else "  [no shipped weights]"))
    return 0


def cmd_info_file(args) -> int:
    """`crnzoo info model.xml`: what an SBML or Antimony file holds and whether crnzoo simulates it
    (an entry's card is answered by `_catalog.cmd_info` without importing JAX)."""
    from ..sbml.info import describe

    print(describe(args.name))
    return 0


def cmd_export(args) -> int:
    from ..export import FORMATS, export, lab_network

    if args.format not in FORMATS:
        raise _Usage(f"unknown format {args.format!r}; choose from {', '.join(FORMATS)}")
    model, card = _load(args.name)
    k_min = args.kmin if args.kmin is not None else (card["reactions"]["k_report"] if card else 0.0)
    if not (k_min >= 0 and np.isfinite(k_min)):
        raise _Usage(f"--kmin must be >= 0, got {k_min}")
    name = _network_name(card["name"] if card else args.name)
    # A clocked circuit (a Neural CRN) is exported as the lab runs it: gated by its clocks, with the schedule.
    net, clock = (model.network(k_min, name=name), None) if getattr(args, "no_clocks", False) else lab_network(model, k_min, name)
    if args.format == "png" and not args.output:
        raise _Usage("--format png needs an output file: -o network.png")
    if args.output is not None:
        check_output(args.output, "-o", "." + {"antimony": "ant", "sbml": "xml"}.get(args.format, args.format), overwrite=args.overwrite)
    # Species the model holds (a gate's inputs: catalysts only) are SBML boundary species.
    text = export(net, args.format, path=args.output, scale=args.scale, boundary=list(model.held_species), clock=clock)
    if args.output is not None:
        gated = f"; clock-gated, schedule: {', '.join(clock.species)} phases of {clock.phase:g}" if clock else ""
        print(f"wrote {args.output} ({net.n_reactions} reactions at k_min = {k_min:g}{gated})", file=sys.stderr)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def cmd_verify(args) -> int:
    from tqdm import tqdm

    from .. import zoo
    from ..data import DataMissingError
    from ..verify import verify

    if args.all == bool(args.name):
        raise _Usage("give a model name or --all")
    names = zoo.list_models() if args.all else [args.name]
    if args.name and not (args.name not in zoo.list_models() and Path(args.name).is_dir()):
        zoo.entry(args.name)  # a directory (a fine-tuned or retrained checkpoint) is verified from its card
    failed = skipped = 0
    bar = tqdm(names, desc="verify", unit="model", disable=len(names) == 1, file=sys.stderr)
    for name in bar:
        bar.set_postfix_str(name)
        started = time.perf_counter()
        try:
            checks = verify(name, fast=args.fast)
        except DataMissingError as e:
            if not args.all:
                raise
            skipped += 1
            tqdm.write(f"skip {name}: {e}")
            continue
        bad = [c for c in checks if not c.ok]
        failed += bool(bad)
        tqdm.write(f"{'FAIL' if bad else 'ok  '} {name} ({len(checks)} checks, {time.perf_counter() - started:.1f} s)")
        for c in checks:
            if not c.ok or args.verbose:
                tqdm.write(
                    f"     {'!!' if not c.ok else '  '} {c.metric}: card {c.card_value!r:.12} measured {c.measured!r:.12}"
                    + (f"  ({c.reason})" if c.reason else "")
                )
    print(
        f"{len(names) - failed - skipped} of {len(names)} models verified"
        + (f", {skipped} skipped (shared data absent)" if skipped else "")
        + (" (fast settings)" if args.fast else "")
    )
    return 1 if failed else 0


def cmd_cards(args) -> int:
    from ..cards import is_generated, write_model_cards

    path = Path(args.output or "MODEL_CARDS.md")
    out = check_output(path, "-o", ".md", overwrite=args.overwrite or is_generated(path))
    print(f"wrote {write_model_cards(out)}")
    return 0


def cmd_demo(args) -> int:
    from .. import zoo
    from ..export import export
    from ..plot import plot_trajectory
    from ..solve import SolverConfig, simulate

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    print("The zoo:")
    for n in zoo.list_models():
        print(f"  {n:<24} {zoo.entry(n).system}")
    name = args.model
    model = zoo.load(name)
    card = zoo.card(name)
    print(f"\nLoaded {name}: {len(model.species)} species, {card['reactions']['at_k_report']} reactions.")
    print(model.network(card["reactions"]["k_report"], name=_network_name(name)))
    started = time.perf_counter()
    solver = SolverConfig.from_dict(card["solver"])
    traj = simulate(model, t1=card["t1"], solver=solver, name=name)
    traj, _, _ = traj.clip_roundoff(100.0 * solver.atol)  # as `simulate` does: no "-0.000" read-outs
    print(f"\nSimulated t = 0..{card['t1']:g} in {time.perf_counter() - started:.2f} s; final state: "
          + ", ".join(f"{s}={v:.3f}" for s, v in zip(traj.flat_species, traj.final.reshape(-1))))
    png = plot_trajectory(traj, out / f"{name}.png", title=name)
    sbml = out / f"{name}.xml"
    export(model.network(card["reactions"]["k_report"], name=_network_name(name)), "sbml", path=sbml)
    print(f"\nWrote the plot to {png.resolve()}")
    print(f"Wrote the SBML model to {sbml.resolve()}")
    print("Next: crnzoo info NAME | crnzoo simulate NAME --plot out.png | crnzoo export NAME --format dsd | crnzoo verify --all")
    return 0


def cmd_implement(args) -> int:
    """Compile an entry to DNA strand displacement, enumerate, verify, check its function (crnzoo.dna)."""
    from ..dna.enumerate import EnumerationError
    from ..dna.implement import implement
    from ..dna.schemes import SCHEMES
    from ..export.scale import Scale
    from ._dna import formal_network, function_cases, parse_leak

    if args.scheme not in SCHEMES:
        raise _Usage(f"unknown scheme {args.scheme!r}; choose from {', '.join(SCHEMES)}")
    from .. import zoo

    scale = Scale.parse(args.scale)
    leak = parse_leak(args.leak)
    model, card = _load(args.name)
    entry = zoo.entry(card["name"]) if card else zoo.entry(args.name)
    formal, part = formal_network(entry, model, _network_name(entry.name))
    try:
        s = implement(
            formal, args.scheme, scale, args.output, name=entry.name, family=entry.family, t1=entry.t1,
            schedule=entry.schedule, held=list(model.held_species), cmax_nM=args.cmax, verify_timeout_s=args.verify_timeout,
            leak_rates=leak, cases=function_cases(entry, model, formal), part=part, histories=args.histories, modular=args.modular,
            sequestration=args.sequestration,
            progress=lambda text: print(f"crnzoo implement: {text}", file=sys.stderr, flush=True),
        )
    except EnumerationError as e:
        print(f"crnzoo implement: {e}", file=sys.stderr)
        return 1
    good = s["verification"]["result"] is not False and s["function"]["ok"]
    print(s["headline"])
    print(f"{'wrote' if good else 'FAILED (report in)'} {args.output} ({s['seconds']['total']:.0f} s)", file=sys.stdout if good else sys.stderr)
    return 0 if good else 1


