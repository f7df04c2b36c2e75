"""`crnzoo simulate` (deterministic or stochastic) and `crnzoo robustness`."""

from __future__ import annotations

import time

import numpy as np

from ..outputs import check_output
from ._args import Usage as _Usage
from ._args import parse_x0 as _parse_x0
from ._args import solver_config as _solver_config
from ._commands import _load
from ._readouts import readout
from ._spatial import is_spatial, simulate_spatial


def cmd_simulate(args) -> int:
    from ..plot import plot_trajectory
    from ..sbml import SBMLModel
    from ..solve import Schedule, SimulationError, simulate

    for path, what in ((args.csv, "--csv"), (args.plot, "--plot")):  # before the solve, not after
        if path is not None:
            check_output(path, what, "." + what[2:].replace("plot", "png"), overwrite=args.overwrite)
    if args.species is not None and args.plot is None:
        raise _Usage("--species goes with --plot")
    if args.points < 2:
        raise _Usage(f"--points must be >= 2 (the start and the end), got {args.points}")
    model, card = _load(args.name)
    if is_spatial(card):  # a reaction-diffusion entry grows its pattern on its grid
        t1 = args.t1 if args.t1 is not None else card["t1"]
        if not (t1 > 0 and np.isfinite(t1)):
            raise _Usage(f"--t1 must be a positive number, got {t1}")
        return simulate_spatial(args, model, card, t1)
    bad = [t.strip() for t in (args.species or "").split(",") if t.strip() not in model.species] if args.species is not None else []
    if bad:
        raise _Usage(f"--species names unknown species {', '.join(map(repr, bad))}; species are {', '.join(model.species)}")
    schedule = Schedule.from_dict(card.get("schedule")) if card else None
    default_t1 = card["t1"] if card else 100.0
    if args.hold is not None and args.inputs is None:
        raise _Usage("--hold goes with --inputs")
    if args.inputs is not None:
        from .. import zoo

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
        return _simulate_ssa(args, model, ts, x0, schedule, label, card)
    if args.omega is not None or args.runs is not None:
        raise _Usage("--omega and --runs go with --ssa")
    started = time.perf_counter()
    event_ps = None
    try:
        if isinstance(model, SBMLModel) and model.has_events:  # SBML events: stretches between events (crnzoo.sbml.eventsim)
            if x0 is not None:
                raise _Usage("--x0 is not supported for SBML models with events (set initial values in the file)")
            traj, event_ps = model.simulate_events(ts, solver)
        else:
            traj = simulate(model, ts, x0=x0, schedule=schedule, solver=solver, name=label)
    except SimulationError as e:
        raise SimulationError(f"{e} (options: --max-steps N; --solver kvaerno5 for stiff networks)") from None
    elapsed = time.perf_counter() - started
    traj, n_clip, lowest = traj.clip_roundoff(100.0 * solver.atol)
    if isinstance(model, SBMLModel):  # an imported SBML model: species as declared (or --amounts)
        traj = model.outputs(traj, amounts=args.amounts, ps=event_ps)
    elif args.amounts:
        raise _Usage("--amounts is for SBML and Antimony models (zoo models have no compartments)")
    final = traj.final.reshape(-1)
    print(f"{label}: simulated t = 0..{t1:g} in {elapsed:.2f} s ({len(traj.ts)} saved points)")
    if n_clip:
        print(f"note: {n_clip} round-off negative value(s) down to {lowest:.3g} (within 100 x atol) clipped to 0")
    outputs = [s["name"] for s in card["species"] if s["role"] == "output"] if card else []
    base = [traj.species[j % len(traj.species)] for j in range(len(traj.flat_species))]  # chamber rings: A_0 -> A
    shown = [(s, v) for s, b, v in zip(traj.flat_species, base, final) if len(final) <= 24 or not outputs or b in outputs]
    print(("final state: " if len(shown) == len(final) else f"final state of the outputs ({len(final)} species in --csv): ")
          + ", ".join(f"{s}={v:.4g}" for s, v in shown))
    inputs = [s["name"] for s in card["species"] if s["role"] == "input"] if card else []
    driven = set(given) | set(schedule.levels if schedule else ())
    if inputs and traj.ys.ndim == 2 and not driven & set(inputs) and not np.any(traj.ys[0, [model.species.index(s) for s in inputs]]):
        print(f"note: every input ({', '.join(inputs[:3])}{', …' if len(inputs) > 3 else ''}) is 0 in the default state: "
              f"set some with --x0 (e.g. --x0 {inputs[0]}=1); the card's protocol says what a run's input is")
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
        plot_trajectory(traj, args.plot, title=label + (f" — inputs {args.inputs}" if args.inputs else ""), schedule=schedule,
                        species=_plotted_species(args, model, card), units=_plot_units(card), readout=readout(card, traj))
        print(f"wrote {args.plot}")
    return 0


def _plot_units(card) -> tuple[str, str] | None:
    """(concentration, time) units of a card's axes; None: dimensionless."""
    return (card.get("concentration_units"), card.get("time_units")) if card and card.get("time_units") else None


def _plotted_species(args, model, card) -> tuple[str, ...] | None:
    """`--species`, else the card's outputs for a network of more than 12 species, else all (None)."""
    if args.species:
        return tuple(t.strip() for t in args.species.split(","))
    outputs = tuple(s["name"] for s in card["species"] if s["role"] == "output") if card else ()
    return outputs if len(model.species) > 12 and outputs else None


def _simulate_ssa(args, model, ts, x0, schedule, label, card) -> int:
    """`simulate --ssa`: sample paths at Ω molecules per unit concentration (`crnzoo.ssa`)."""
    from ..ssa.report import simulate_command

    if args.omega is None:
        raise _Usage("--ssa needs --omega (molecules per unit concentration, > 0)")
    runs = 1000 if args.runs is None else args.runs
    return simulate_command(model, ts, args.omega, runs, args.seed, x0, schedule, args.method or "direct", label, args.csv, args.plot,
                            species=_plotted_species(args, model, card), units=_plot_units(card))


def cmd_robustness(args) -> int:
    """Smallest Ω (and volume) at which the entry's own function check holds with probability >= 0.95."""
    from .. import zoo
    from ..ssa.report import robustness_command

    if args.json is not None:  # before the runs, not after
        check_output(args.json, "--json", ".json", overwrite=args.overwrite)
    e, card, model = zoo.entry(args.name), zoo.card(args.name), zoo.load(args.name)
    return robustness_command(e.task, model, card, args.name, args.runs, args.seed, args.omega_max, args.factor, args.unit, args.method, args.json)


