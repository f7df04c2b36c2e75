"""Physical units for exports: how a dimensionless network maps to nM and seconds.

Networks in crnzoo are dimensionless: one concentration unit and one time unit are
whatever the model was trained in. A `Scale` says what those units are in the lab,
so an export can write concentrations in nM and rate constants in nM^(1-m)/s, where
m is the molecularity of the reaction.
"""

from __future__ import annotations

import dataclasses
import math
import re


# Accepted unit spellings in `Scale.parse`, as multiples of nM and of seconds.
_CONCENTRATION_UNITS: dict[str, float] = {
    "pM": 1e-3,
    "nM": 1.0,
    "uM": 1e3,
    "µM": 1e3,
    "μM": 1e3,
    "mM": 1e6,
    "M": 1e9,
}
_TIME_UNITS: dict[str, float] = {"ms": 1e-3, "s": 1.0, "min": 60.0, "h": 3600.0}
_TERM = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([A-Za-zµμ]+)\s*$")


def number_text(x: float) -> str:
    """Shortest text that reads back as `x` (`50.0` -> `50`, `0.1` -> `0.1`)."""
    text = repr(float(x))
    return text[:-2] if text.endswith(".0") else text


@dataclasses.dataclass(frozen=True)
class Scale:
    """The physical size of one dimensionless concentration unit and one time unit.

    **Fields:**

    - `concentration_nM`: 1 dimensionless concentration unit = this many nM.
    - `time_s`: 1 dimensionless time unit = this many seconds.

    A rate constant k of a reaction of molecularity m (dimensionless units
    conc^(1-m)/time) becomes `k / time_s / concentration_nM**(m - 1)` in nM^(1-m)/s.
    """

    concentration_nM: float = 1.0
    time_s: float = 1.0

    def __post_init__(self):
        for field in ("concentration_nM", "time_s"):
            value = getattr(self, field)
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise ValueError(f"Scale.{field} must be a number, got {value!r}") from None
            if not math.isfinite(value) or value <= 0:
                raise ValueError(f"Scale.{field} must be finite and > 0, got {value!r}")
            object.__setattr__(self, field, value)

    @classmethod
    def parse(cls, text: str) -> "Scale":
        """Read a scale such as `"50nM,1s"`, `"50nM"` (time 1 s) or `"50nM,60s"`.

        Concentration units: pM, nM, uM (or µM), mM, M. Time units: ms, s, min, h.
        Terms are separated by commas, in either order; each kind at most once.
        Raises `ValueError` on anything else.
        """
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"cannot read scale {text!r}: expected e.g. '50nM,1s' or '50nM'")
        conc: float | None = None
        time: float | None = None
        for term in text.split(","):
            m = _TERM.match(term)
            if not m:
                raise ValueError(
                    f"cannot read scale {text!r}: term {term.strip()!r} is not <number><unit>; expected e.g. '50nM,1s'"
                )
            value, unit = float(m.group(1)), m.group(2)
            if unit in _CONCENTRATION_UNITS:
                if conc is not None:
                    raise ValueError(f"cannot read scale {text!r}: concentration given twice")
                conc = value * _CONCENTRATION_UNITS[unit]
            elif unit in _TIME_UNITS:
                if time is not None:
                    raise ValueError(f"cannot read scale {text!r}: time given twice")
                time = value * _TIME_UNITS[unit]
            else:
                raise ValueError(
                    f"cannot read scale {text!r}: unknown unit {unit!r}; concentration units are "
                    f"{', '.join(_CONCENTRATION_UNITS)} and time units are {', '.join(_TIME_UNITS)}"
                )
        if conc is None:
            raise ValueError(f"cannot read scale {text!r}: no concentration (e.g. '50nM') given")
        return cls(conc, 1.0 if time is None else time)

    def __str__(self) -> str:
        """The `parse`-able form, e.g. `50nM,1s`."""
        return f"{number_text(self.concentration_nM)}nM,{number_text(self.time_s)}s"

    def describe(self) -> str:
        """One sentence: what a dimensionless unit is in nM and s."""
        return (
            f"1 concentration unit = {number_text(self.concentration_nM)} nM, "
            f"1 time unit = {number_text(self.time_s)} s"
        )

    def physical_conc(self, c: float) -> float:
        """A dimensionless concentration in nM."""
        return float(c) * self.concentration_nM

    def dimensionless_conc(self, c_nM: float) -> float:
        """A concentration in nM in dimensionless units (inverse of `physical_conc`)."""
        return float(c_nM) / self.concentration_nM

    def physical_rate(self, k: float, molecularity: int) -> float:
        """A dimensionless rate constant of a reaction of this molecularity, in `rate_unit(molecularity)`."""
        m = _check_molecularity(molecularity)
        return float(k) / self.time_s / self.concentration_nM ** (m - 1)

    def dimensionless_rate(self, k: float, molecularity: int) -> float:
        """A rate constant in `rate_unit(molecularity)` in dimensionless units (inverse of `physical_rate`)."""
        m = _check_molecularity(molecularity)
        return float(k) * self.time_s * self.concentration_nM ** (m - 1)

    @staticmethod
    def rate_unit(molecularity: int) -> str:
        """Unit of a rate constant of this molecularity: `nM/s`, `1/s`, `1/(nM*s)`, `1/(nM^2*s)`, ..."""
        m = _check_molecularity(molecularity)
        if m == 0:
            return "nM/s"
        if m == 1:
            return "1/s"
        if m == 2:
            return "1/(nM*s)"
        return f"1/(nM^{m - 1}*s)"


def _check_molecularity(molecularity: int) -> int:
    m = int(molecularity)
    if m != molecularity or m < 0:
        raise ValueError(f"molecularity must be an integer >= 0, got {molecularity!r}")
    return m


# ---- helpers shared by the formats: `scale=None` means dimensionless ---------------------


def _tidy(x: float) -> float:
    """`x` to 15 significant digits: drops the float noise of unit conversion (0.026000000000000002)."""
    return float(f"{x:.15g}")


def rate_value(scale: Scale | None, k: float, molecularity: int) -> float:
    """Rate constant as exported: physical (to 15 digits) if `scale` is given, else unchanged."""
    return float(k) if scale is None else _tidy(scale.physical_rate(k, molecularity))


def conc_value(scale: Scale | None, c: float) -> float:
    """Concentration as exported: in nM (to 15 digits) if `scale` is given, else unchanged."""
    return float(c) if scale is None else _tidy(scale.physical_conc(c))


def rate_unit(scale: Scale | None, molecularity: int) -> str:
    """Unit text of an exported rate constant (`dimensionless` without a scale)."""
    return "dimensionless" if scale is None else scale.rate_unit(molecularity)
