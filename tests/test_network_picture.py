"""The network picture: markers never overlap, and small networks carry rate labels."""

from __future__ import annotations

import numpy as np
import pytest

from crnzoo import zoo
from crnzoo.export import picture

pytest.importorskip("networkx", reason="networkx (plot and test extras) is not installed")


@pytest.mark.parametrize("name, k_min", [("gate-xor", 0.1), ("majority-am4", 0.0), ("seven-segment", 0.1)])
def test_markers_do_not_overlap(name, k_min):
    net = zoo.load(name).network(k_min)
    species_xy, reaction_xy = picture.layout(net)
    xy = np.concatenate([species_xy, reaction_xy])
    d = np.linalg.norm(xy[:, None] - xy[None], axis=-1)
    np.fill_diagonal(d, np.inf)
    assert d.min() >= 0.75 * picture.MIN_GAP, f"{name}: two markers {d.min():.3f} apart"


def test_png_has_rate_labels(tmp_path, monkeypatch):
    texts = []
    import matplotlib.axes

    original = matplotlib.axes.Axes.annotate

    def spy(self, text, *a, **k):
        texts.append(text)
        return original(self, text, *a, **k)

    monkeypatch.setattr(matplotlib.axes.Axes, "annotate", spy)
    net = zoo.load("majority-am4").network(0.0)
    picture.to_png(net, tmp_path / "am4.png")
    assert sorted(texts) == sorted(f"k={picture.number_text(float(f'{r.rate:.3g}'))}" for r in net.reactions)
