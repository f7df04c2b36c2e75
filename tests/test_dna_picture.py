"""crnzoo.dna.picture: a compiled reaction's complexes drawn at the domain level."""

from __future__ import annotations

import pytest

from crnzoo.dna.picture import draw_reaction, layout
from crnzoo.dna.schemes import compile_network
from crnzoo.export.scale import Scale
from crnzoo.network import Reaction, ReactionNetwork

CATALYTIC = ReactionNetwork(("A", "B", "C"), (Reaction({"A": 1, "B": 1}, {"B": 1, "C": 1}, 1.0),), {}, "t")


@pytest.mark.parametrize("scheme", ["soloveichik2010", "qian2011-commit"])
def test_every_paired_domain_sits_over_its_complement(scheme):
    d = compile_network(CATALYTIC, scheme, Scale(50.0, 1.0))
    gate = d.by_name()["L0" if scheme == "soloveichik2010" else "G0"]
    rows = layout(gate, dict(d.domains))
    assert rows is not None
    bottom = [doms for row, doms in rows if row == 0]
    assert len(bottom) == 1 and sum(row == 1 for row, _ in rows) == len(gate.strands) - 1
    spans = {(a, b): dom for dom, a, b, _ in bottom[0]}
    for row, doms in rows:
        for dom, a, b, paired in doms:
            assert b - a == d.domains[dom.rstrip("*")]
            if row == 1 and paired:  # over the complementary bottom domain, same extent
                assert spans[(a, b)] == (dom[:-1] if dom.endswith("*") else dom + "*")
    # The bottom strand runs 3' -> 5' left to right: its 3' toehold (open, first reactant's) is leftmost.
    first = min(bottom[0], key=lambda t: t[1])
    assert first[0] in ("ta_A*", "T*") and not first[3]


def test_draw_reaction_writes_a_png(tmp_path):
    d = compile_network(CATALYTIC, "soloveichik2010", Scale(50.0, 1.0))
    out = draw_reaction(d, 0, tmp_path / "reaction.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["reaction.png"]  # no temporary left behind
