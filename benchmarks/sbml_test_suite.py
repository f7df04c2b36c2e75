"""Run crnzoo's SBML importer over the SBML Test Suite's semantic cases and print the tables.

    PYTHONPATH=$PWD CRNZOO_DATA=/work/shared/data python benchmarks/sbml_test_suite.py --cases plain
    ... --cases all --jobs 2 --jsonl results.jsonl        # the whole semantic set here

Each case runs with the suite's own settings (output times, variables, amounts or
concentrations) and tolerances: at every output time and variable, |expected - simulated| <=
absolute + relative * |expected| (`crnzoo.sbml.suite.run_case`). Prints pass / fail / unsupported
in total and by tag (component and test tags of each case's `.m` file), and the reasons of
failures and refusals. Stochastic (DSMTS) cases are for crnzoo's SSA, not this runner.
A case still running after `--timeout` seconds (wall) is a failure, "timeout", listed by name
under the tables; its worker process is killed and replaced, and the run goes on.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import math
import multiprocessing as mp
import multiprocessing.connection as mpc
import os
import sys
import time
from pathlib import Path

_ENGINE: list = []  # this worker process's shared solve (one compiled program per padded size)


def _run(folder: str, own: bool = False) -> dict:
    os.environ.setdefault("XLA_FLAGS", "--xla_backend_optimization_level=0")  # small ODEs: compile time dominates
    import crnzoo  # noqa: F401  (64-bit mode)
    from crnzoo.sbml.shared import SharedSolve
    from crnzoo.sbml.suite import run_case

    if not _ENGINE and not own:
        _ENGINE.append(SharedSolve())
    try:
        r = run_case(folder, None if own else _ENGINE[0])
        return {"case": r.case, "status": r.status, "reason": r.reason, "tags": list(r.tags), "seconds": round(r.seconds, 2)}
    except Exception as e:  # a crash of the importer is a failure of the case, reported
        return {"case": Path(folder).name, "status": "fail", "reason": f"crash: {type(e).__name__}: {e}"[:300], "tags": [], "seconds": 0.0}


def _worker(conn, own: bool) -> None:
    """A worker process: run each folder `conn` sends, send back its result; None ends it."""
    while (folder := conn.recv()) is not None:
        conn.send(_run(folder, own))


def _failed(folder: str, seconds: float, why: str) -> dict:
    """The result of a case its worker did not return (a timeout, a dead worker)."""
    from crnzoo.sbml.suite import case_tags

    try:
        tags = list(case_tags(Path(folder)))
    except OSError:
        tags = []
    return {"case": Path(folder).name, "status": "fail", "reason": why, "tags": tags, "seconds": round(seconds, 2)}


def run_all(folders: list[str], jobs: int, own: bool, limit: float, per_worker: int = 200):
    """Yield each case's result as it finishes, `jobs` worker processes at a time. A case that
    runs past `limit` seconds (wall) is a failure, "timeout", and its worker is killed and
    replaced (a solve inside XLA cannot be interrupted otherwise); so is a worker that dies."""
    ctx = mp.get_context("spawn")
    todo = list(reversed(folders))
    workers: list[list] = []  # [process, parent end of the pipe, folder or None, started, cases run]

    def start():
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_worker, args=(child, own), daemon=True)
        proc.start()
        child.close()
        return [proc, parent, None, 0.0, 0]

    def stop(w, kill: bool):
        if kill:
            w[0].kill()
        else:
            with contextlib.suppress(OSError):
                w[1].send(None)
        w[0].join(5)
        w[1].close()

    try:
        while todo or any(w[2] for w in workers):
            for w in workers:  # a fresh worker now and then (memory)
                if w[2] is None and w[4] >= per_worker:
                    stop(w, False)
                    w[0] = None
            workers = [w for w in workers if w[0] is not None]
            while todo and (len(workers) < jobs or any(w[2] is None for w in workers)):
                idle = next((w for w in workers if w[2] is None), None)
                if idle is None:
                    idle = start()
                    workers.append(idle)
                idle[2], idle[3] = todo.pop(), time.perf_counter()
                idle[1].send(idle[2])
            ready = mpc.wait([w[1] for w in workers if w[2]], timeout=1.0)
            for w in workers:
                if not w[2]:
                    continue
                if w[1] in ready:
                    try:
                        result = w[1].recv()
                    except (EOFError, OSError):
                        stop(w, True)
                        result = _failed(w[2], time.perf_counter() - w[3], f"crash: the worker died (exit code {w[0].exitcode})")
                        w[0] = None
                    w[2], w[4] = None, w[4] + 1
                    yield result
                elif time.perf_counter() - w[3] > limit:
                    yield _failed(w[2], limit, f"timeout: still running after {limit:g} s (worker killed)")
                    stop(w, True)
                    w[0], w[2] = None, None
            workers = [w for w in workers if w[0] is not None]
    finally:
        for w in workers:
            stop(w, w[2] is not None)


def table(results: list[dict]) -> str:
    """Markdown tables: totals, then per tag."""
    count = collections.Counter(r["status"] for r in results)
    lines = ["| cases | pass | fail | unsupported |", "|---|---|---|---|",
             f"| {len(results)} | {count['pass']} | {count['fail']} | {count['unsupported']} |", "",
             "| tag | cases | pass | fail | unsupported |", "|---|---|---|---|---|"]
    by_tag: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for r in results:
        for t in r["tags"]:
            by_tag[t][r["status"]] += 1
    for t in sorted(by_tag):
        c = by_tag[t]
        lines.append(f"| {t} | {sum(c.values())} | {c['pass']} | {c['fail']} | {c['unsupported']} |")
    failed = [r for r in results if r["status"] == "fail"]
    if failed:  # by name: a timeout or a crash is a failure too
        lines += ["", "| failed case | reason |", "|---|---|", *(f"| {r['case']} | {r['reason']} |" for r in failed)]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", help="the sbml-test-suite folder (default: CRNZOO_DATA/sbml-test-suite)")
    ap.add_argument("--cases", default="plain", help="plain (semantic-plain-reaction-cases.txt), all, or a comma list of case numbers")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--jsonl", help="write one JSON line per case here (appended as cases finish)")
    ap.add_argument("--report", action="store_true", help="run nothing: print the tables of the cases in --jsonl")
    ap.add_argument("--own-compile", action="store_true", help="compile each model's own solve (crnzoo.simulate's way; slower) "
                    "instead of one shared solve per process")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds (wall) a case may run before it counts as a "
                    "failure, 'timeout' (default 300; measured: the slowest case takes about 120 s on a loaded 2-core machine)")
    args = ap.parse_args(argv)
    if not (args.timeout > 0 and math.isfinite(args.timeout)):
        print(f"sbml_test_suite: --timeout must be a positive number of seconds, got {args.timeout:g}", file=sys.stderr)
        return 2
    if args.root:
        root = Path(args.root)
    else:
        from crnzoo.data import data_dir

        root = Path(data_dir()) / "sbml-test-suite"
    semantic = root / "semantic"
    if not semantic.is_dir():
        print(f"no SBML Test Suite at {root}", file=sys.stderr)
        return 2
    if args.cases == "plain":
        names = (root / "semantic-plain-reaction-cases.txt").read_text().split()
    elif args.cases == "all":
        names = sorted(p.name for p in semantic.iterdir() if p.is_dir())
    else:
        names = [c.strip().zfill(5) for c in args.cases.split(",")]
    results = []
    if args.jsonl and Path(args.jsonl).is_file():  # resume: keep the cases already run
        done = {r["case"]: r for r in map(json.loads, Path(args.jsonl).read_text().splitlines())}
        results = [done[n] for n in names if n in done]
        names = [n for n in names if n not in done]
    if args.report:
        print(f"{args.cases}: {len(results)} cases run, {len(names)} not run yet\n")
        print(table(results))
        return 0
    folders = [str(semantic / n) for n in names]
    started = time.perf_counter()
    out = open(args.jsonl, "a") if args.jsonl else None
    for r in run_all(folders, args.jobs, args.own_compile, args.timeout):
        results.append(r)
        print(f"{r['case']} {r['status']:<11} {r['seconds']:6.1f} s  {r['reason']}", flush=True)
        if out:
            out.write(json.dumps(r) + "\n")
            out.flush()
    results.sort(key=lambda r: r["case"])
    print(f"\n{args.cases}: {len(results)} cases ({len(folders)} run now) in {time.perf_counter() - started:.0f} s\n")
    print(table(results))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # the workers are stopped; cases already run are in --jsonl (a rerun resumes)
        print("sbml_test_suite: interrupted", file=sys.stderr)
        sys.exit(130)
