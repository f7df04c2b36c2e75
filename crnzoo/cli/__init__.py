"""The `crnzoo` command line: list, info, simulate, export, verify, train, finetune, cards, demo.

Exit codes: 0 success; 1 a verification failed or a solve diverged; 2 bad input (unknown
model, bad file, bad state or option), reported as one line on standard error.
"""


from __future__ import annotations

import argparse
import importlib
import sys

from ._args import Usage as _Usage
from ._catalog import cmd_info, cmd_list

# The command modules import JAX: each is imported when its command runs, so that `crnzoo
# list` / `info` (`_catalog`) and `--help` never import it. `--solver` choices are spelled
# here for the same reason (tests/test_cold_start.py checks them against solvers.config).
SOLVER_NAMES = ("tsit5", "dopri5", "dopri8", "kvaerno3", "kvaerno4", "kvaerno5", "rosenbrock", "rosenbrock3")
_NO_JAX = ("list", "info")  # commands that must not import JAX (nor enable its cache)


def _lazy(module: str, name: str):
    """`args.func` for a command defined in `crnzoo.cli.<module>`, imported on first call."""

    def run(args) -> int:
        return getattr(importlib.import_module(f"{__name__}.{module}"), name)(args)

    run.__name__ = name
    return run


cmd_cards, cmd_demo, cmd_export, cmd_implement, cmd_verify = (
    _lazy("_commands", n) for n in ("cmd_cards", "cmd_demo", "cmd_export", "cmd_implement", "cmd_verify"))
cmd_robustness, cmd_simulate = (_lazy("_simulate", n) for n in ("cmd_robustness", "cmd_simulate"))
cmd_finetune, cmd_train = (_lazy("_train", n) for n in ("cmd_finetune", "cmd_train"))


def _loaded(*names: str) -> tuple[type, ...]:
    """The exception classes `module:Class` whose module is already imported (an instance
    of a class implies its module was imported, so the others cannot have been raised)."""
    out = []
    for spec in names:
        module, cls = spec.split(":")
        if module in sys.modules:
            out.append(getattr(sys.modules[module], cls))
    return tuple(out)


class _Parser(argparse.ArgumentParser):
    """argparse with the house's promise: a usage error is one line on standard error, exit 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
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
    s.add_argument("--overwrite", action="store_true", help="replace an existing output file (default: refuse it)")
    s.add_argument("--species", help="species to plot, e.g. 'A,B' (default: all; the card's outputs above 12 species)")
    s.add_argument("--inputs", help="input sequence held in turn, e.g. '00,01,11,10' for a gate, or '0.3,0.8' for adc-3bit "
                   "(the converter restarts at each level: each is a fresh conversion)")
    s.add_argument("--hold", type=float, help="time units each input state of --inputs is held (default 200)")
    s.add_argument("--ssa", action="store_true", help="stochastic simulation at finite molecule counts (needs --omega)")
    s.add_argument("--omega", type=float, help="with --ssa: molecules per unit concentration (count n = c·Ω)")
    s.add_argument("--runs", type=int, help="with --ssa: number of sample paths (default 1000)")
    s.add_argument("--method", choices=("direct", "scan", "tau"), help="with --ssa: exact direct method (default), its masked-scan form, or tau-leaping (approximate); a spatial entry runs its own approximate method")
    s.add_argument("--seed", type=int, default=0, help="with --ssa: random seed")
    s.add_argument("--solver", choices=SOLVER_NAMES, help="override the card's solver: tsit5/dopri5/dopri8 for non-stiff "
                   "networks, kvaerno3/4/5 for stiff ones, rosenbrock for indexed CRNs (wta-mnist-*)")
    s.add_argument("--max-steps", type=int, help="solver step budget (default: the card's); raise it for long --t1")
    s.add_argument("--amounts", action="store_true", help="SBML models: write every species as an amount (default: as declared)")
    s.set_defaults(func=cmd_simulate)

    s = sub.add_parser("robustness", help="smallest Ω (molecules per unit) at which an entry still works in stochastic simulation")
    s.add_argument("name")
    s.add_argument("--runs", type=int, help="sample paths per Ω (default 200; spatial entries: their own, 8 or 20)")
    s.add_argument("--omega-max", type=float, help="largest Ω tried (default 2048, spatial entries their own); Ω is divided by --factor until the check fails twice")
    s.add_argument("--factor", type=float, help="ratio between tried Ω (default 2; gray-scott: 10)")
    s.add_argument("--unit", help="the concentration one unit stands for, for the lab statement (default: 1 nM for a card in nM, else 50nM)")
    s.add_argument("--method", choices=("direct", "tau"), help="exact (direct) or approximate (tau); default: the entry's")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--json", help="write the result here as JSON")
    s.add_argument("--overwrite", action="store_true", help="replace an existing output file (default: refuse it)")
    s.set_defaults(func=cmd_robustness)

    s = sub.add_parser("export", help="export a model's reaction listing")
    s.add_argument("name", help="zoo name or checkpoint directory")
    s.add_argument("--format", "-f", default="txt", help="txt, json, csv, sbml, antimony, dsd or png")
    s.add_argument("--kmin", type=float, help="drop reactions with rate <= kmin (default: the card's threshold)")
    s.add_argument("--scale", help="physical units, e.g. '50nM,1s' (1 concentration unit = 50 nM, 1 time unit = 1 s)")
    s.add_argument("-o", "--output", help="output file (default: standard output)")
    s.add_argument("--overwrite", action="store_true", help="replace an existing output file (default: refuse it)")
    s.add_argument("--no-clocks", action="store_true", help="a clocked circuit (ncrn-*): list the stage reactions without their clock gating or schedule")
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
    target.add_argument("--target", help="the new target; its kind depends on the family: a truth table 1110 or nand (gates), a glyph CSV digit,abcdefg (seven-segment), square/peaks or a CSV t,value (waveforms), bias=0.1 (majority), a CSV of inputs,targets (ncrn), bits=2 or thresholds=... (adc), period=30 (three-phase), range=0.4:1.2 (oscillator-amplitude), U/40 (oscillator-frequency), chambers=10 (wta-ring), classes=7,9 or an .npz (wta-mnist), a texture PNG (gray-scott), an image (hopfield)")
    target.add_argument("--truth-table", dest="target", help="the same as --target (a gate's outputs for XY = 00, 01, 10, 11)")
    target.add_argument("--data", dest="target", help="the same as --target (a CSV of inputs and targets for Neural CRNs)")
    s.add_argument("--steps", "--epochs", type=int, help="optimisation steps, or epochs of chemical learning for Neural CRNs (default: the model's)")
    s.add_argument("--lr", type=float, help="learning rate (default: the model's)")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--out", help="new checkpoint directory to write (default: ./NAME-finetuned; must not exist or be empty)")
    s.set_defaults(func=cmd_finetune)

    s = sub.add_parser("cards", help="regenerate MODEL_CARDS.md from the shipped cards")
    s.add_argument("-o", "--output", help="output path (default: MODEL_CARDS.md in the current folder; a file that `crnzoo cards` generated is replaced)")
    s.add_argument("--overwrite", action="store_true", help="replace an existing output file that `crnzoo cards` did not generate")
    s.set_defaults(func=cmd_cards)

    s = sub.add_parser("implement", help="compile a model to DNA strand displacement, enumerate, verify and check it")
    s.add_argument("name", help="zoo model name or checkpoint folder")
    s.add_argument("--scheme", default="soloveichik2010", help="translation scheme: soloveichik2010 (default), qian2011, or qian2011-commit (qian2011 with an irreversible commit step before the products: bisimilar for irreversible reactions)")
    s.add_argument("--scale", default="50nM,1s", help="what one concentration and time unit are, e.g. 50nM,1s")
    s.add_argument("--cmax", type=float, default=None, help="gate/translator concentration in nM (default 100 concentration units)")
    s.add_argument("--verify-timeout", type=float, default=600.0, help="time budget of the bisimulation check, s")
    s.add_argument("--leak", default="walk", help="walk (bracket the leak tolerance in decades, then half a decade), leak rates to sweep in /nM/s (increasing), or none")
    s.add_argument("--histories", choices=("quotient", "full"), default="quotient", help="enumerate with released signal strands identified with their formal species (exact, checked; default) or the design as written")
    s.add_argument("--sequestration", type=float, default=0.1, help="largest fraction of a first reactant held in its gates, [L]/[B] (default 0.1)")
    s.add_argument("--modular", action="store_true", help="enumerate each formal reaction's module on its own (large networks; reactions between modules are not enumerated, the summary says so)")
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
    if args.command not in _NO_JAX:
        from .._cache import enable_compilation_cache

        enable_compilation_cache()  # the second run of a command skips XLA compilation
    try:
        return args.func(args)
    except Exception as e:
        bad_input = (_Usage, ValueError, FileNotFoundError) + _loaded(
            "crnzoo.zoo:UnknownModelError", "crnzoo.checkpoint:CheckpointError", "crnzoo.network:NetworkError")
        if isinstance(e, bad_input):
            print(f"crnzoo {args.command}: error: {e}", file=sys.stderr)
            return 2
        if isinstance(e, _loaded("crnzoo.solvers.config:SimulationError", "crnzoo.train:TrainingError")):
            print(f"crnzoo {args.command}: {e}", file=sys.stderr)
            return 1
        if isinstance(e, BrokenPipeError):  # pragma: no cover - e.g. `crnzoo export ... | head`
            return 0
        if isinstance(e, OSError):  # an unwritable or full output, an unreadable input
            print(f"crnzoo {args.command}: error: {e.strerror or e}" + (f": {e.filename}" if e.filename else ""), file=sys.stderr)
            return 2
        raise

