"""Issue 13's speed target: compile + enumerate + verify of one entry (default gate-and), no
DNA simulation. Prints wall and CPU seconds per stage (CPU time is what a busy machine does
not inflate).

    PYTHONPATH=$PWD CRNZOO_DATA=/work/shared/data python scripts/dna_timing.py [NAME] [--scheme S]
"""

from __future__ import annotations

import argparse
import time


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("name", nargs="?", default="gate-and")
    p.add_argument("--scheme", default="soloveichik2010")
    args = p.parse_args(argv)
    w0, c0 = time.perf_counter(), time.process_time()
    import crnzoo
    from crnzoo import zoo
    from crnzoo.dna.check import verify_bisimulation
    from crnzoo.dna.enumerate import enumerate_design
    from crnzoo.dna.schemes import compile_network
    from crnzoo.export.scale import Scale

    stages = [("import", time.perf_counter() - w0, time.process_time() - c0)]

    def stage(label, f):
        w, c = time.perf_counter(), time.process_time()
        out = f()
        stages.append((label, time.perf_counter() - w, time.process_time() - c))
        return out

    from crnzoo.cli._dna import formal_network

    entry = zoo.entry(args.name)
    formal = stage("load", lambda: formal_network(entry, crnzoo.load(args.name), "net")[0])  # the ring: one chamber
    design = stage("compile", lambda: compile_network(formal, args.scheme, Scale.parse("50nM,1s")))
    enum = stage("enumerate", lambda: enumerate_design(design))
    verdict = stage("verify", lambda: verify_bisimulation(formal, enum.network, design, timeout_s=600))
    for label, w, c in stages:
        print(f"{label:<10} wall {w:7.2f} s  cpu {c:7.2f} s")
    print(f"{'total':<10} wall {sum(s[1] for s in stages):7.2f} s  cpu {sum(s[2] for s in stages):7.2f} s"
          f"  ({args.name}, {args.scheme}: {formal.n_reactions} formal reactions, {enum.network.n_species} DNA species, {enum.network.n_reactions} DNA reactions, {len(design.strands())} strands, verified {verdict.result})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
