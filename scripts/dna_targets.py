"""Run `crnzoo implement` on issue 13's targets and write each entry's DNA summary to
weights/<name>/dna.json (the card's DNA line; card.json is not touched).

    PYTHONPATH=$PWD CRNZOO_DATA=/work/shared/data nice -n 10 python scripts/dna_targets.py [NAME ...]
        [--scheme soloveichik2010] [--timeout 900] [--no-write] [--table table.md]

Each entry runs in its own process under a wall-clock limit; an entry that does not finish
is reported with the limit, not skipped. Entries of the small set get the leak sweep; the
large ones (seven-segment, the ADC, waveforms, oscillators, the ring) and the two entries with
zero-order sources (ncrn-linreg2d, ncrn-nonlinreg2d) are checked at zero leak only
(`--leak none`), to keep the run within an hour on 2 cores. Each entry runs with its own
options (`OPTIONS`), which its card's command names.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SMALL = ["gate-and", "gate-or", "gate-xor", "majority-am3", "majority-am4", "majority-learned", "three-phase-oscillator"]
LARGE = ["adc-3bit", "waveform-square", "waveform-peaks", "oscillator-frequency", "oscillator-amplitude", "wta-ring-paper", "seven-segment"]
SOURCES = ["ncrn-linreg2d", "ncrn-nonlinreg2d"]  # zero-order sources: compiled, checked at zero leak
# Each entry's own `crnzoo implement` options (the card's command names them): per-module
# enumeration where the whole design's enumeration does not finish; gate-xor's truth table
# needs less of a first reactant held in its gates than the default 0.1.
OPTIONS = {
    "gate-xor": ["--sequestration", "0.03"],
    "oscillator-amplitude": ["--modular"],
    "wta-ring-paper": ["--modular"],
    "seven-segment": ["--modular"],
}


def dna_card(summary: dict, wall_s: float, command: str) -> dict:
    """The fields of weights/<name>/dna.json, from `crnzoo implement`'s summary.json."""
    keep = ("entry", "part", "scheme", "citation", "scale", "slowdown", "formal_reactions", "strands", "total_dna_nM",
            "dna_species", "dna_reactions", "enumeration", "verification", "leak_tolerance_nM_s", "leak_estimate", "headline", "notes")
    out = {k: summary.get(k) for k in keep}
    out["function"] = {k: summary["function"][k] for k in ("check", "ok", "detail")}
    out["seconds"] = {k: round(v, 1) for k, v in summary["seconds"].items()}
    out["wall_s"] = round(wall_s, 1)
    out["command"] = command
    return out


def run(name: str, scheme: str, timeout: float, leak: bool, options: list[str]) -> dict:
    """One entry: its dna.json fields, or a record of why there are none."""
    with tempfile.TemporaryDirectory(prefix=f"dna-{name}-") as tmp:
        out = Path(tmp) / "out"
        argv = ["implement", name, "--scheme", scheme, "-o", str(out)] + ([] if leak else ["--leak", "none"]) + options
        command = "crnzoo " + " ".join(a if a != str(out) else "OUT" for a in argv)
        started = time.perf_counter()
        try:
            proc = subprocess.run([sys.executable, "-m", "crnzoo.cli", *argv], capture_output=True, text=True, timeout=timeout, cwd=ROOT)
        except subprocess.TimeoutExpired as e:
            err = e.stderr.decode() if isinstance(e.stderr, bytes) else (e.stderr or "")
            stages = [ln.split(": ", 1)[1] for ln in err.splitlines() if ln.startswith("crnzoo implement: ")]
            where = f"; stages done: {'; '.join(stages)}" if stages else "; stopped before the enumeration ended"
            return {"entry": name, "scheme": scheme, "unfinished": f"did not finish within {timeout:g} s{where}", "stages": stages, "command": command,
                    "headline": f"{name}: {scheme} compile + enumerate + verify + DNA simulation did not finish within {timeout:g} s on 2 shared cores{where}"}
        wall = time.perf_counter() - started
        summary = out / "summary.json"
        if not summary.is_file():
            last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            return {"entry": name, "scheme": scheme, "unfinished": f"exit {proc.returncode}: {last}", "command": command, "headline": f"{name}: {last}"}
        return dna_card(json.loads(summary.read_text()), wall, command)


def row(d: dict) -> str:
    from crnzoo.dna.implement import dna_amount
    if "unfinished" in d:
        return f"| {d['entry']} | — | — | — | not finished: {d['unfinished']} | — | — | — |"
    v = d["verification"]
    verdict = {True: "yes", False: "no", None: "not decided"}[v["result"]] + f" ({v['method']}, {d['seconds']['verify']:.1f} s)"
    f = d["function"]
    name = d["entry"] + (f" ({d['part'].split(':')[0]})" if d.get("part") else "")
    return (f"| {name} | {d['formal_reactions']} | {d['strands']} | {dna_amount(d['total_dna_nM'])} | {verdict} | "
            f"{'holds' if f['ok'] else 'FAILS'}: {f['detail']} | {d['leak_tolerance_nM_s']} | {d['wall_s']:.0f} s |")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("names", nargs="*", help="entries (default: every target)")
    p.add_argument("--scheme", default="soloveichik2010")
    p.add_argument("--timeout", type=float, default=900.0, help="wall-clock limit per entry, s")
    p.add_argument("--no-write", action="store_true", help="do not write weights/<name>/dna.json")
    p.add_argument("--table", help="also write the Markdown table here")
    p.add_argument("--sequestration", type=float, help="crnzoo implement --sequestration for every entry (default: each entry's own, OPTIONS)")
    p.add_argument("--leak-all", action="store_true", help="bracket the leak tolerance for the large entries too (default: the small set only)")
    p.add_argument("--modular", action="store_true", help="enumerate every entry per module (default: each entry's own, OPTIONS)")
    args = p.parse_args(argv)
    names = args.names or SMALL + LARGE + SOURCES
    lines = ["| entry | formal reactions | strands | total DNA | verified? | function at DNA level | leak tolerance (/nM/s) | wall time |",
             "|---|---|---|---|---|---|---|---|"]
    print("\n".join(lines), flush=True)
    for name in names:
        options = list(OPTIONS.get(name, []))
        if args.modular and "--modular" not in options:
            options.append("--modular")
        if args.sequestration:
            options = [o for i, o in enumerate(options) if o != "--sequestration" and (i == 0 or options[i - 1] != "--sequestration")]
            options += ["--sequestration", f"{args.sequestration:g}"]
        d = run(name, args.scheme, args.timeout, leak=name in SMALL or args.leak_all, options=options)
        lines.append(row(d))
        print(lines[-1], flush=True)
        if not args.no_write and not d.get("unfinished", "did not finish").startswith("exit"):  # a time-out is reported on the card too
            path = ROOT / "weights" / name / "dna.json"
            tmp = path.with_name(f".dna.json.tmp-{os.getpid()}")
            tmp.write_text(json.dumps(d, indent=2) + "\n")
            os.replace(tmp, path)
        if args.table:
            Path(args.table).write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
