"""Decoded read-outs for `simulate --plot`: what the card says the outputs mean, over time.

- gates (`gate-*`): the output bit of the dual rail (Z_hi, Z_lo): 1 iff hi ≥ 0.9 and lo ≤ 0.1,
  0 iff the reverse, "?" otherwise (`crnzoo.tasks.gate.decode`);
- `adc-3bit`: the 3-bit code B2 B1 B0 (each bit decoded as a gate's), "?" when a bit is invalid;
- `seven-segment`: the digit shown (segments lit above (low + high)/2 = 0.07; the glyph
  0–F it matches, "?" if none), and the display itself at the end of the run;
- `wta-mnist-*`: the winner, argmax of the fluorescences F (digit 7, 8 or 9).
"""

from __future__ import annotations

import numpy as np

from ..plot import Readout


def _columns(traj, names):
    idx = [traj.species.index(n) for n in names]
    return np.asarray(traj.ys)[:, idx]


def readout(card, traj) -> Readout | None:
    """The decoded read-out of a well-mixed, unbatched trajectory of a zoo entry, or None."""
    if not card or np.asarray(traj.ys).ndim != 2:
        return None
    family = card.get("family")
    outputs = [s["name"] for s in card.get("species", ()) if s.get("role") == "output"]
    if not outputs or any(o not in traj.species for o in outputs):
        return None
    ys = _columns(traj, outputs)
    if family == "gate" and len(outputs) == 2:
        from ..tasks.gate import EPS, decode

        values = decode(ys[:, 0], ys[:, 1])
        return Readout(f"output bit {outputs[0][:-3]} (1 iff hi ≥ {1 - EPS:g}, lo ≤ {EPS:g})", values, {1: "1", 0: "0", -1: "?"})
    if family == "adc":
        from ..tasks.adc import decode_bits

        bits = decode_bits(ys)
        valid = np.all(bits >= 0, axis=-1)
        code = np.where(valid, bits @ (2 ** np.arange(bits.shape[-1] - 1, -1, -1)), -1)
        n = bits.shape[-1]
        labels = {k: format(k, f"0{n}b") for k in range(2**n)} | {-1: "?"}
        return Readout("code B2 B1 B0 (each bit 1 iff hi ≥ 0.9, lo ≤ 0.1)", code, labels)
    if family == "seven_segment":
        from ..tasks.seven_segment import DIGITS, HIGH, LOW, SEGMENTS

        lit = ys > (LOW + HIGH) / 2
        match = np.all(lit[:, None, :] == SEGMENTS[None].astype(bool), axis=-1)
        values = np.where(match.any(1), match.argmax(1), -1)
        labels = {k: DIGITS[k] for k in range(len(DIGITS))} | {-1: "?"}
        return Readout(f"digit shown (segment lit iff > {(LOW + HIGH) / 2:g})", values, labels, display=tuple(bool(v) for v in lit[-1]))
    if family == "wta_mnist":
        from ..tasks._wta_mnist_data import DIGITS as CLASSES

        top = np.sort(ys, axis=1)
        tied = top[:, -1] - top[:, -2] <= 1e-6 * np.maximum(np.abs(top[:, -1]), 1.0)  # no winner (e.g. no image: F = 0)
        values = np.where(tied, -1, np.argmax(ys, axis=1))
        labels = {k: str(d) for k, d in enumerate(CLASSES)} | {-1: "tie"}
        return Readout("winner: argmax F (tie: no unique maximum)", values, labels)
    return None
