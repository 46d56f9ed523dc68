"""Numbers as people read them, one formatter for every card and fact line.

Doses and computed values come out of unit conversions and equivalence factors (methylprednisolone
x 1.25, dexamethasone x 6.67, mg/kg), so a raw float prints as "106.72000000000001" or "1.2e+03".
`num` rounds to a few decimals, drops trailing zeros and never uses exponent notation; `years`
gives an age in completed years, the way it is written in a chart.
"""

from __future__ import annotations

import math

#: Decimals kept by default: enough for mg/kg (0.86) and g/kg (2.14); doses in mg are whole or halves.
DEFAULT_DECIMALS = 2


def num(value: float, decimals: int = DEFAULT_DECIMALS) -> str:
    """`value` rounded to at most `decimals` decimals, without trailing zeros or exponent ("1250", "0.86")."""
    if not math.isfinite(value):
        return str(value)
    text = f"{round(value, decimals):.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def measured(value: float) -> str:
    """A measured value at the precision a laboratory reports (up to 4 decimals, no float noise):
    a creatinine of 0.85 stays "0.85", a unit conversion's 1.0000000002 becomes "1"."""
    return num(value, 4)


def years(age_years: float) -> str:
    """An age in completed years ("67"), as charts write it; a fractional age is never shown."""
    return str(math.floor(age_years + 1e-9))
