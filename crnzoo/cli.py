"""The `crnzoo` command line: list, info, simulate, export, verify, train, finetune, cards, demo.

Exit codes: 0 success; 1 a verification failed or a solve diverged; 2 bad input (unknown
model, bad file, bad state or option), reported as one line on standard error.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from ._cli_args import Usage as _Usage, parse_x0 as _parse_x0, solver_config as _solver_config
from .outputs import check_output


def _load(name: str):
    from . import zoo

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
    from . import zoo

    names = zoo.list_models(args.pattern)
    if not names:
        raise _Usage(f"no model matches {args.pattern!r}")
    width = max(len(n) for n in names)
    for n in names:
        e = zoo.entry(n)
        shipped = (zoo.checkpoint_dir(n) / "card.json").is_file()
        print(f"{n:<{width}}  {e.system}" + ("" if shipped else "  [no shipped weights]"))
    return 0


def cmd_info(args) -> int:
    from . import cards, zoo

    print(cards.render_text(zoo.card(args.name)))
    return 0


def cmd_simulate(args) -> int:
    from . import zoo
    from .plot import plot_trajectory
    from .sbml import SBMLModel
    from .solve import Schedule, SimulationError, simulate

    for path, what in ((args.csv, "--csv"), (args.plot, "--plot")):  # before the solve, not after
        if path is not None:
            check_output(path, what, "." + what[2:].replace("plot", "png"))
    if args.species is not None and args.plot is None:
        raise _Usage("--species goes with --plot")
    if args.points < 2:
        raise _Usage(f"--points must be >= 2 (the start and the end), got {args.points}")
    model, card = _load(args.name)
    bad = [t.strip() for t in (args.species or "").split(",") if t.strip() not in model.species] if args.species is not None else []
    if bad:
        raise _Usage(f"--species names unknown species {', '.join(map(repr, bad))}; species are {', '.join(model.species)}")
    schedule = Schedule.from_dict(card.get("schedule")) if card else None
    default_t1 = card["t1"] if card else 100.0
    if args.hold is not None and args.inputs is None:
        raise _Usage("--hold goes with --inputs")
    if args.inputs is not None:
        known = zoo.list_models()
        base = next((card.get(k) for k in ("name", "base_model") if card and card.get(k) in known), None)
        hold = args.hold if args.hold is not None else 200.0
        try:
            schedule = zoo.entry(base).task.inputs(args.inputs, hold) if base else None
        except ValueError as e:
            raise _Usage(f"--inputs: {e}") from None
        if schedule is None:
            raise _Usage(f"{args.name} takes no --inputs sequence (its inputs are set through --x0)")
        default_t1 = hold * (len(schedule.switch_times) + 1)
    t1 = args.t1 if args.t1 is not None else default_t1
    if not (t1 > 0 and np.isfinite(t1)):
        raise _Usage(f"--t1 must be a positive number, got {t1}")
    if args.inputs is not None and schedule.switch_times and t1 <= schedule.switch_times[-1]:
        n = sum(t < t1 for t in schedule.switch_times) + 1
        raise _Usage(f"--t1 {t1:g} ends before the input sequence does: only {n} of its {len(schedule.switch_times) + 1} states "
                     f"would be applied (the last starts at t = {schedule.switch_times[-1]:g}); leave out --t1 or shorten --hold")
    solver = _solver_config(card, args)
    x0, given = _parse_x0(args.x0, model) if args.x0 is not None else (None, {})
    held = sorted(set(given) & set(schedule.levels if schedule else ()))
    if held and args.inputs is not None:
        raise _Usage(f"--x0 sets {', '.join(held)}, which --inputs switches; give the inputs one way")
    if held:  # the user's level replaces the card's default input schedule for that species
        levels = {s: ((given[s],) * len(v) if s in given else v) for s, v in schedule.levels.items()}
        schedule = Schedule(schedule.switch_times, levels, schedule.additions, schedule.resets)
        print(f"note: {', '.join(held)} held at the --x0 value for the whole run (instead of the card's input schedule)")
    label = card["name"] if card else args.name
    ts = np.linspace(0.0, t1, args.points)
    reads = []
    if args.inputs is not None:  # read the outputs just before each switch and at the end
        reads = [t - 1e-3 for t in (*schedule.switch_times, t1) if 0 < t - 1e-3 <= t1]
        ts = np.union1d(ts, reads)
    if args.ssa:
        return _simulate_ssa(args, model, ts, x0, schedule, label)
    if args.omega is not None or args.runs is not None:
        raise _Usage("--omega and --runs go with --ssa")
    started = time.perf_counter()
    try:
        traj = simulate(model, ts, x0=x0, schedule=schedule, solver=solver, name=label)
    except SimulationError as e:
        raise SimulationError(f"{e} (options: --max-steps N; --solver kvaerno5 for stiff networks)") from None
    elapsed = time.perf_counter() - started
    traj, n_clip, lowest = traj.clip_roundoff(100.0 * solver.atol)
    if isinstance(model, SBMLModel):  # an imported SBML model: species as declared (or --amounts)
        traj = model.outputs(traj, amounts=args.amounts)
    elif args.amounts:
        raise _Usage("--amounts is for SBML and Antimony models (zoo models have no compartments)")
    final = traj.final.reshape(-1)
    print(f"{label}: simulated t = 0..{t1:g} in {elapsed:.2f} s ({len(traj.ts)} saved points)")
    if n_clip:
        print(f"note: {n_clip} round-off negative value(s) down to {lowest:.3g} (within 100 x atol) clipped to 0")
    outputs = [s["name"] for s in card["species"] if s["role"] == "output"] if card else []
    shown = [(s, v) for s, v in zip(traj.flat_species, final) if len(final) <= 24 or not outputs or s in outputs]
    print(("final state: " if len(shown) == len(final) else f"final state of the outputs ({len(final)} species in --csv): ")
          + ", ".join(f"{s}={v:.4g}" for s, v in shown))
    if reads and outputs and traj.ys.ndim == 2:
        reset = " (the model restarts from its initial state at each switch)" if schedule.resets else ""
        print(f"read-outs 1e-3 before each switch and at t1 (inputs {args.inputs}, hold {hold:g}){reset}:")
        for i, t in enumerate(reads):
            row = traj.ys[np.searchsorted(traj.ts, t)]
            print(f"  t={t:<10g} " + ", ".join(f"{s}={row[model.species.index(s)]:.4f}" for s in outputs))
    if args.csv is not None:
        traj.to_csv(args.csv)
        print(f"wrote {args.csv}")
    if args.plot is not None:
        units = (card.get("concentration_units"), card.get("time_units")) if card and card.get("time_units") else None
        shown = tuple(t.strip() for t in args.species.split(",")) if args.species else (
            tuple(outputs) if len(model.species) > 12 and outputs else None)
        plot_trajectory(traj, args.plot, title=label + (f" — inputs {args.inputs}" if args.inputs else ""), schedule=schedule,
                        species=shown, units=units)
        print(f"wrote {args.plot}")
    return 0


def _simulate_ssa(args, model, ts, x0, schedule, label) -> int:
    """`simulate --ssa`: sample paths at Ω molecules per unit concentration (`crnzoo.ssa`)."""
    from .ssa.report import simulate_command

    if args.omega is None:
        raise _Usage("--ssa needs --omega (molecules per unit concentration, > 0)")
    runs = 1000 if args.runs is None else args.runs
    return simulate_command(model, ts, args.omega, runs, args.seed, x0, schedule, args.method, label, args.csv, args.plot)


def cmd_robustness(args) -> int:
    """Smallest Ω (and volume) at which the entry's own function check holds with probability >= 0.95."""
    from . import zoo
    from .ssa.report import robustness_command

    e, card, model = zoo.entry(args.name), zoo.card(args.name), zoo.load(args.name)
    return robustness_command(e.task, model, card, args.name, args.runs, args.seed, args.omega_max, args.factor, args.unit, args.method, args.json)


def cmd_export(args) -> int:
    from .export import FORMATS, export

    if args.format not in FORMATS:
        raise _Usage(f"unknown format {args.format!r}; choose from {', '.join(FORMATS)}")
    model, card = _load(args.name)
    k_min = args.kmin if args.kmin is not None else (card["reactions"]["k_report"] if card else 0.0)
    if not (k_min >= 0 and np.isfinite(k_min)):
        raise _Usage(f"--kmin must be >= 0, got {k_min}")
    net = model.network(k_min, name=_network_name(card["name"] if card else args.name))
    if args.format == "png" and not args.output:
        raise _Usage("--format png needs an output file: -o network.png")
    if args.output is not None:
        check_output(args.output, "-o", "." + {"antimony": "ant", "sbml": "xml"}.get(args.format, args.format))
    # Species the model holds (a gate's inputs: catalysts only) are SBML boundary species.
    text = export(net, args.format, path=args.output, scale=args.scale, boundary=list(model.held_species))
    if args.output is not None:
        print(f"wrote {args.output} ({net.n_reactions} reactions at k_min = {k_min:g})", file=sys.stderr)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def cmd_verify(args) -> int:
    from tqdm import tqdm

    from . import zoo
    from .data import DataMissingError
    from .verify import verify

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


def _new_dir(path: str | None, default: str) -> Path:
    """An output directory that does not exist yet (or is empty): never replace a user's files."""
    out = Path(path or default)
    if out.exists() and not (out.is_dir() and not any(out.iterdir())):
        raise _Usage(f"{out} already exists; choose a new --out directory")
    return out


def cmd_train(args) -> int:
    from . import zoo
    from .publish import train_and_publish

    e = zoo.entry(args.name)
    if not e.task.trained:
        raise _Usage(f"{args.name} is hand-designed: there is nothing to train ({e.training})")
    out = _new_dir(args.out, f"{args.name}-trained")
    card = train_and_publish(args.name, out, seed=args.seed, steps=args.steps, run_dir=out.with_name(out.name + ".run"))
    print(f"wrote {out} ({card['reactions']['at_k_report']} reactions at k_min = {card['reactions']['k_report']:g}, seed {card['training']['seed']})")
    print("load it with crnzoo.zoo.load(" + repr(str(out)) + ")")
    return 0


def _finetune_sbml(args) -> int:
    """`crnzoo finetune model.xml --data timecourse.csv`: fit rate constants and initial values;
    write the fitted model as a new SBML file (`--out`, default MODEL-finetuned.xml)."""
    from . import sbml, zoo
    from .tasks.base import NoTargetError
    from .tasks.sbml import SBMLTask

    if args.steps is not None and args.steps < 1:
        raise _Usage(f"--steps must be >= 1, got {args.steps}")
    out = Path(args.out or Path(args.name).with_name(Path(args.name).stem + "-finetuned.xml").name)
    if out.exists():
        raise _Usage(f"{out} already exists; choose a new --out file")
    model = zoo.load(args.name)
    try:
        tuned, result = SBMLTask().finetune(model, args.target, args.steps, seed=args.seed, lr=args.lr)
    except NoTargetError as err:
        raise _Usage(f"{args.name}: {err}") from None
    sbml.write_new(out, sbml.fitted_sbml(tuned))
    print(f"loss {result['initial_loss']:.4g} -> {result['final_loss']:.4g} in {result['steps']} steps; wrote {out}")
    return 0


def cmd_finetune(args) -> int:
    import signal

    from . import sbml
    from .finetuning import finetune
    from .publish import summary
    from .tasks.base import NoTargetError

    if sbml.is_model_file(args.name):
        return _finetune_sbml(args)
    if args.steps is not None and args.steps < 1:
        raise _Usage(f"--steps must be >= 1, got {args.steps}")
    out = args.out or f"{Path(args.name).name}-finetuned"

    def stop(signum, frame):  # SIGTERM ends the run like Ctrl-C: nothing half-written
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        result = finetune(args.name, args.target, out, args.steps, seed=args.seed, lr=args.lr)
    except NoTargetError as err:
        raise _Usage(f"{args.name}: {err}") from None
    except KeyboardInterrupt:
        print(f"crnzoo finetune: interrupted; {out} was not written", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
    ft = result.card["finetune"]
    print(f"{result.card['system']}")
    loss = f"loss {ft['initial_loss']:.4g} -> {ft['final_loss']:.4g}; " if ft.get("initial_loss") is not None else ""
    print(f"{loss}fine-tuning {ft['finetune_wall_s']:g} s")
    print(summary(result.card))
    if not result.reached:
        print(f"target not reached: {'; '.join(result.broken)} (saved for inspection in {out})")
        return 1
    print(f"target reached; wrote {out}")
    print("load it with crnzoo.load(" + repr(str(out)) + "); check it with crnzoo verify " + str(out))
    return 0


def cmd_cards(args) -> int:
    from .cards import write_model_cards

    out = check_output(args.output or "MODEL_CARDS.md", "-o")
    print(f"wrote {write_model_cards(out)}")
    return 0


def cmd_demo(args) -> int:
    from . import zoo
    from .export import export
    from .plot import plot_trajectory
    from .solve import SolverConfig, simulate

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
    traj = simulate(model, t1=card["t1"], solver=SolverConfig.from_dict(card["solver"]), name=name)
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
    from .dna.enumerate import EnumerationError
    from .dna.implement import implement
    from .dna.schemes import SCHEMES
    from .export.scale import Scale

    if args.scheme not in SCHEMES:
        raise _Usage(f"unknown scheme {args.scheme!r}; choose from {', '.join(SCHEMES)}")
    from . import zoo

    scale = Scale.parse(args.scale)
    model, card = _load(args.name)
    entry = zoo.entry(card["name"]) if card else zoo.entry(args.name)
    formal = model.network(entry.k_report, name=_network_name(entry.name))
    try:
        s = implement(
            formal, args.scheme, scale, args.output, name=entry.name, family=entry.family, t1=entry.t1,
            schedule=entry.schedule, held=list(model.held_species), cmax_nM=args.cmax, verify_timeout_s=args.verify_timeout,
        )
    except EnumerationError as e:
        print(f"crnzoo implement: {e}", file=sys.stderr)
        return 1
    good = s["verification"]["result"] is not False and s["function"]["ok"]
    print(s["headline"])
    print(f"{'wrote' if good else 'FAILED (report in)'} {args.output} ({s['seconds']['total']:.0f} s)", file=sys.stdout if good else sys.stderr)
    return 0 if good else 1


class _Parser(argparse.ArgumentParser):
    """argparse with the house's promise: a usage error is one line on standard error, exit 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    from .solvers.config import SOLVER_NAMES

    p = _Parser(prog="crnzoo", description="A zoo of pretrained, differentiable chemical reaction networks.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    s = sub.add_parser("list", help="list zoo models")
    s.add_argument("pattern", nargs="?", default="*", help="fnmatch pattern, e.g. 'majority-*'")
    s.set_defaults(func=cmd_list)

    s = sub.add_parser("info", help="show a model's card")
    s.add_argument("name")
    s.set_defaults(func=cmd_info)

    s = sub.add_parser("simulate", help="simulate a model from its default initial state")
    s.add_argument("name", help="zoo name or checkpoint directory")
    s.add_argument("--t1", type=float, help="end time (default: the card's)")
    s.add_argument("--points", type=int, default=401, help="number of saved time points")
    s.add_argument("--x0", help="override initial concentrations, e.g. 'A=0.7,B=0.3'")
    s.add_argument("--plot", help="write a PNG plot here")
    s.add_argument("--csv", help="write time,species... columns here")
    s.add_argument("--species", help="species to plot, e.g. 'A,B' (default: all; the card's outputs above 12 species)")
    s.add_argument("--inputs", help="input sequence held in turn, e.g. '00,01,11,10' for a gate, or '0.3,0.8' for adc-3bit "
                   "(the converter restarts at each level: each is a fresh conversion)")
    s.add_argument("--hold", type=float, help="time units each input state of --inputs is held (default 200)")
    s.add_argument("--ssa", action="store_true", help="stochastic simulation at finite molecule counts (needs --omega)")
    s.add_argument("--omega", type=float, help="with --ssa: molecules per unit concentration (count n = c·Ω)")
    s.add_argument("--runs", type=int, help="with --ssa: number of sample paths (default 1000)")
    s.add_argument("--method", default="direct", choices=("direct", "scan", "tau"), help="with --ssa: exact direct method (default), its masked-scan form, or tau-leaping (approximate)")
    s.add_argument("--seed", type=int, default=0, help="with --ssa: random seed")
    s.add_argument("--solver", choices=SOLVER_NAMES, help="override the card's solver: tsit5/dopri5/dopri8 for non-stiff "
                   "networks, kvaerno3/4/5 for stiff ones, rosenbrock for indexed CRNs (wta-mnist-*)")
    s.add_argument("--max-steps", type=int, help="solver step budget (default: the card's); raise it for long --t1")
    s.add_argument("--amounts", action="store_true", help="SBML models: write every species as an amount (default: as declared)")
    s.set_defaults(func=cmd_simulate)

    s = sub.add_parser("robustness", help="smallest Ω (molecules per unit) at which an entry still works in stochastic simulation")
    s.add_argument("name")
    s.add_argument("--runs", type=int, default=200, help="sample paths per Ω (default 200)")
    s.add_argument("--omega-max", type=float, default=2048.0, help="largest Ω tried (default 2048); Ω is divided by --factor until the check fails twice")
    s.add_argument("--factor", type=float, default=2.0, help="ratio between tried Ω (default 2)")
    s.add_argument("--unit", default="50nM", help="the concentration one unit stands for, for the lab statement (default 50nM)")
    s.add_argument("--method", choices=("direct", "tau"), help="exact (direct) or approximate (tau); default: the entry's")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--json", help="write the result here as JSON")
    s.set_defaults(func=cmd_robustness)

    s = sub.add_parser("export", help="export a model's reaction listing")
    s.add_argument("name", help="zoo name or checkpoint directory")
    s.add_argument("--format", "-f", default="txt", help="txt, json, csv, sbml, antimony, dsd or png")
    s.add_argument("--kmin", type=float, help="drop reactions with rate <= kmin (default: the card's threshold)")
    s.add_argument("--scale", help="physical units, e.g. '50nM,1s' (1 concentration unit = 50 nM, 1 time unit = 1 s)")
    s.add_argument("-o", "--output", help="output file (default: standard output)")
    s.set_defaults(func=cmd_export)

    s = sub.add_parser("verify", help="recompute a model's card metrics from its checkpoint")
    s.add_argument("name", nargs="?")
    s.add_argument("--all", action="store_true", help="verify every registered model")
    s.add_argument("--fast", action="store_true", help="smaller samples; check promises only")
    s.add_argument("-v", "--verbose", action="store_true", help="print every check")
    s.set_defaults(func=cmd_verify)

    s = sub.add_parser("train", help="train a zoo model from scratch with its script's defaults")
    s.add_argument("name")
    s.add_argument("--seed", type=int, help="training seed (default: the card's)")
    s.add_argument("--steps", type=int, help="optimisation steps (default: the model's)")
    s.add_argument("--out", help="checkpoint directory to write (default: ./NAME-trained)")
    s.set_defaults(func=cmd_train)

    s = sub.add_parser("finetune", help="fine-tune a pretrained model on a new target")
    s.add_argument("name")
    target = s.add_mutually_exclusive_group(required=True)
    target.add_argument("--target", help="the new target; its kind depends on the family: a truth table 1110 or nand (gates), a glyph CSV digit,abcdefg (seven-segment), square/peaks or a CSV t,value (waveforms), bias=0.1 (majority), a CSV of inputs,targets (ncrn)")
    target.add_argument("--truth-table", dest="target", help="the same as --target (a gate's outputs for XY = 00, 01, 10, 11)")
    target.add_argument("--data", dest="target", help="the same as --target (a CSV of inputs and targets for Neural CRNs)")
    s.add_argument("--steps", "--epochs", type=int, help="optimisation steps, or epochs of chemical learning for Neural CRNs (default: the model's)")
    s.add_argument("--lr", type=float, help="learning rate (default: the model's)")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--out", help="new checkpoint directory to write (default: ./NAME-finetuned; must not exist or be empty)")
    s.set_defaults(func=cmd_finetune)

    s = sub.add_parser("cards", help="regenerate MODEL_CARDS.md from the shipped cards")
    s.add_argument("-o", "--output", help="output path (default: MODEL_CARDS.md in the current folder)")
    s.set_defaults(func=cmd_cards)

    s = sub.add_parser("implement", help="compile a model to DNA strand displacement, enumerate, verify and check it")
    s.add_argument("name", help="zoo model name or checkpoint folder")
    s.add_argument("--scheme", default="soloveichik2010", help="translation scheme (soloveichik2010)")
    s.add_argument("--scale", default="50nM,1s", help="what one concentration and time unit are, e.g. 50nM,1s")
    s.add_argument("--cmax", type=float, default=None, help="gate/translator concentration in nM (default 100 concentration units)")
    s.add_argument("--verify-timeout", type=float, default=600.0, help="time budget of the bisimulation check, s")
    s.add_argument("-o", "--output", required=True, help="new (or empty) output folder")
    s.set_defaults(func=cmd_implement)

    s = sub.add_parser("demo", help="list the zoo, load a model, simulate, plot and export it")
    s.add_argument("--model", default="majority-am4")
    s.add_argument("--out", default="crnzoo-demo", help="folder for the plot and SBML file")
    s.set_defaults(func=cmd_demo)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run one command; Ctrl-C anywhere is one line and exit 130 (writes are atomic)."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("crnzoo: interrupted (nothing half-written)", file=sys.stderr)
        return 130


def _main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help (0) or a usage error (2, already reported in one line)
        return int(e.code or 0)
    from .checkpoint import CheckpointError
    from .network import NetworkError
    from .solve import SimulationError, StateError
    from .train import TrainingError
    from .zoo import UnknownModelError

    try:
        return args.func(args)
    except (_Usage, UnknownModelError, CheckpointError, StateError, NetworkError, ValueError, FileNotFoundError) as e:
        print(f"crnzoo {args.command}: error: {e}", file=sys.stderr)
        return 2
    except (SimulationError, TrainingError) as e:
        print(f"crnzoo {args.command}: {e}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # pragma: no cover - e.g. `crnzoo export ... | head`
        return 0
    except OSError as e:  # an unwritable or full output, an unreadable input
        print(f"crnzoo {args.command}: error: {e.strerror or e}" + (f": {e.filename}" if e.filename else ""), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"crnzoo {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
