"""Numbers in words: SI prefixes that fit the value (no JAX, so the command line's help stays fast)."""

from __future__ import annotations

import math

PREFIXES = ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"), (1.0, ""), (1e-3, "m"), (1e-6, "µ"), (1e-9, "n"),
            (1e-12, "p"), (1e-15, "f"), (1e-18, "a"))


def si(value: float, unit: str, digits: int = 3) -> str:
    """A value with the SI prefix that puts it in [1, 1000) ("3.31 pJ", "2.8 GHz").

    Arguments:
        value: the value in the unit's SI base (joules, hertz, ohms ...).
        unit: the unit's symbol.
        digits: significant digits.

    Returns: the value in words; zero and values beyond the table's prefixes keep the plain unit.
    """
    if value == 0 or not math.isfinite(value):
        return f"{value:.{digits}g} {unit}"
    # 999.96 fJ reads 1 pJ, not 1e+03 fJ
    fits = [(f, p) for f, p in PREFIXES if abs(value) >= f * (1 - 0.5 * 10.0**-digits)]
    if not fits or abs(value) / fits[0][0] >= 999.5:  # beyond the table's prefixes
        return f"{value:.{digits}g} {unit}"
    factor, prefix = fits[0]
    return f"{value / factor:.{digits}g} {prefix}{unit}"
