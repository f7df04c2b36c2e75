"""`crnzoo train` and `crnzoo finetune`: the commands that write a new checkpoint."""

from __future__ import annotations

import sys
from pathlib import Path

from ._args import Usage as _Usage


def _new_dir(path: str | None, default: str) -> Path:
    """An output directory that does not exist yet (or is empty): never replace a user's files."""
    out = Path(path or default)
    if out.exists() and not (out.is_dir() and not any(out.iterdir())):
        raise _Usage(f"{out} already exists; choose a new --out directory")
    return out


def cmd_train(args) -> int:
    from .. import zoo
    from ..publish import train_and_publish

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
    from .. import sbml, zoo
    from ..tasks.base import NoTargetError
    from ..tasks.sbml import SBMLTask

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

    from .. import sbml
    from ..finetuning import finetune
    from ..publish import summary
    from ..tasks.base import NoTargetError

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


