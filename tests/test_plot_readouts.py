"""`simulate --plot` decodes the read-outs a card defines: gate bits, ADC code, the seven-segment digit."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import crnzoo
from crnzoo import zoo
from crnzoo.cli import main
from crnzoo.cli._readouts import readout


def _at(traj, ro, t):
    return ro.labels[int(ro.values[np.searchsorted(traj.ts, t)])]


def test_gate_bits_are_decoded():
    name = "gate-xor"
    sched = zoo.entry(name).task.inputs("00,01,11,10", 200.0)
    traj = crnzoo.simulate(zoo.load(name), np.linspace(0, 800, 801), schedule=sched)
    ro = readout(zoo.card(name), traj)
    assert [_at(traj, ro, t) for t in (199, 399, 599, 800)] == ["0", "1", "0", "1"]


def test_seven_segment_digit_and_display():
    name = "seven-segment"
    model = zoo.load(name)
    from crnzoo.tasks.seven_segment import initial_states

    traj = crnzoo.simulate(model, np.linspace(0, 200, 201), x0=initial_states()[5])
    ro = readout(zoo.card(name), traj)
    assert ro.labels[int(ro.values[-1])] == "5"
    assert ro.display == (True, False, True, True, False, True, True)


@pytest.mark.slow
def test_plot_has_the_readout_panel(capsys, tmp_path):
    png = tmp_path / "adc.png"
    assert main(["simulate", "adc-3bit", "--inputs", "0.3,0.8", "--hold", "400", "--plot", str(png)]) == 0
    capsys.readouterr()
    with Image.open(png) as im:
        assert im.size[1] >= 600  # concentrations above, the decoded code below (a plain plot is 480 high)
