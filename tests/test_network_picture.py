"""The network picture: markers never overlap, edges go around circles, and small networks carry rate labels."""

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
    gap = picture._gaps(len(species_xy), len(reaction_xy))
    assert (d >= 0.95 * gap).all(), f"{name}: two markers {d.min():.3f} apart"
    r = picture.species_radius(len(species_xy))
    ds = d[: len(species_xy), : len(species_xy)]
    assert ds.min() > 2 * r, f"{name}: two species circles overlap ({ds.min():.3f} < {2 * r:.3f})"


@pytest.mark.parametrize("name, k_min", [("gate-xor", 0.1), ("gate-or", 0.1), ("adc-3bit", 0.0), ("seven-segment", 0.1)])
def test_edges_pass_no_species_circle(name, k_min):
    """An edge touches only its own species' circle: the others are routed around."""
    net = zoo.load(name).network(k_min)
    species_xy, reaction_xy = picture.layout(net)
    r = picture.species_radius(net.n_species)
    index = {s: i for i, s in enumerate(net.species)}
    routed = picture.edges(net, species_xy, reaction_xy)
    assert len(routed) >= sum(len(rx.species()) for rx in net.reactions)
    crossing = []
    for kind, j, line in routed:
        own = {index[s] for s in net.reactions[j].species()}
        others = [i for i in range(net.n_species) if i not in own]
        dist = picture._segment_distance(species_xy[others], line[:-1], line[1:]).min(axis=1)
        crossing += [(kind, j, net.species[others[k]]) for k in np.flatnonzero(dist < r)]
    assert not crossing, f"{name}: {len(crossing)} edges cross a species circle, e.g. {crossing[:3]}"


def test_route_bends_around_an_obstacle():
    straight = picture.route((0.0, 0.0), (1.0, 0.0), np.zeros((0, 2)), np.zeros(0))
    assert straight.shape == (2, 2)
    bent = picture.route((0.0, 0.0), (1.0, 0.0), np.array([[0.5, 0.0]]), np.array([0.1]))
    assert picture._segment_distance(np.array([[0.5, 0.0]]), bent[:-1], bent[1:]).min() >= 0.1


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
