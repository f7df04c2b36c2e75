"""The command line over a space of good and bad arguments (hypothesis): every run ends with
exit code 0, 1 or 2, never a traceback, and a refusal is one line on standard error.

Bounded (derandomized, a fixed number of examples) so it runs in the default suite; the
commands that write into the current folder or train (demo, cards, train, finetune) are
left to their own tests.
"""

from __future__ import annotations

import pytest

from hypothesis import HealthCheck, given, settings, strategies as st

from crnzoo.cli import main


MODELS = ["majority-am4", "three-phase-oscillator", "gate-and", "adc-3bit", "majority-am5", "", "./no/such", "majority-*"]
NUMBERS = ["1", "5", "0", "-1", "nan", "inf", "1e-300", "1e300", "abc", "", " 2 "]
JUNK = st.text(alphabet="AXB_hilo=,.;-01235e ", max_size=14)


def _opt(flag: str, values) -> st.SearchStrategy[list[str]]:
    return st.one_of(st.just([]), st.tuples(st.just(flag), values).map(list))


def _paths(tmp):
    return st.sampled_from([str(tmp / "out.x"), str(tmp), str(tmp / "afile" / "x"), str(tmp / "no" / "x"), "/dev/full", ""])


@st.composite
def argv(draw, tmp):
    cmd = draw(st.sampled_from(["list", "info", "simulate", "export", "verify", "bogus"]))
    out = [cmd]
    if cmd == "list":
        out += draw(st.lists(st.sampled_from(["*", "gate-*", "zzz", "[", ""]), max_size=1))
    elif cmd == "info":
        out += [draw(st.sampled_from(MODELS))]
    elif cmd == "verify":
        out += draw(st.lists(st.sampled_from(["majority-am5", "--all", "--fast", "majority-am4", "--frobnicate"]), max_size=2))
        if "majority-am4" in out and "--fast" not in out:
            out.append("--fast")
    elif cmd == "export":
        out += [draw(st.sampled_from(MODELS[:5]))]
        out += draw(_opt("--format", st.sampled_from(["txt", "json", "csv", "sbml", "antimony", "dsd", "png", "pdf", ""])))
        out += draw(_opt("--kmin", st.sampled_from(NUMBERS)))
        out += draw(_opt("--scale", st.sampled_from(["50nM,1s", "1uM,1min", "fifty", "0nM,1s", "", "50nM"])))
        out += draw(_opt("-o", _paths(tmp)))
    elif cmd == "simulate":
        out += [draw(st.sampled_from(["majority-am4", "gate-and", "adc-3bit", "majority-am5"]))]
        out += ["--t1", draw(st.sampled_from(["0.5", "1", "0", "-1", "nan", "inf", "1e-300", "abc"]))]
        out += draw(_opt("--points", st.sampled_from(["2", "5", "1", "0", "-3", "x"])))
        out += draw(_opt("--x0", st.one_of(JUNK, st.sampled_from(["A=0.5", "X_hi=1", "A=-1", "A=nan", "A=1,A=2", ",,,"]))))
        out += draw(_opt("--inputs", st.one_of(JUNK, st.sampled_from(["00,01", "0.3,0.8", "", "2", "1.5"]))))
        out += draw(_opt("--hold", st.sampled_from(["0.2", "0", "-5", "nan", "x"])))
        out += draw(_opt("--solver", st.sampled_from(["tsit5", "kvaerno5", "rosenbrock", "euler"])))
        out += draw(_opt("--max-steps", st.sampled_from(["1", "0", "100000", "-1", "x"])))
        out += draw(_opt("--csv", _paths(tmp)))
    else:
        out += draw(st.lists(JUNK, max_size=2))
    return out


def test_cli_argument_space(capsys, tmp_path):
    (tmp_path / "afile").write_text("x")

    @settings(max_examples=60, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(argv(tmp_path))
    def check(args):
        code = main(args)
        out = capsys.readouterr()
        assert code in (0, 1, 2), (args, code)
        if code:
            lines = [line for line in out.err.splitlines() if line.strip()]
            # verify prints its per-model report on stdout/stderr; its failures end in exit 1
            assert len(lines) == 1 or (args[0] == "verify" and code == 1), (args, out.err)
            assert "Traceback" not in out.err, (args, out.err)

    check()
