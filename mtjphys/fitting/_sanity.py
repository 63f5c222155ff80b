"""Checks before and after a fit: data on the scale the start record predicts, and estimates worth writing.

A column in the wrong unit (kOhm read as ohm, MHz as Hz) puts the data orders of magnitude from any device
the start record is near, and the fit then ends at a bound with an error larger than its estimate. Both are
caught here, in one line naming the likely unit.
"""

from __future__ import annotations

import math

import numpy as np

from .._errors import MtjphysError
from ..device._parameters import Parameters
from ..device._plausibility import implausible, MU0

# how far (a factor) a file's typical value may sit from the start record's scale before it is refused
SCALE_SLACK = 30.0
# the units a value column is mistaken in, by the SI unit it should have
PREFIXED = {"ohm": {1e3: "kOhm", 1e6: "MOhm", 1e-3: "mOhm"},
            "Hz": {1e9: "GHz", 1e6: "MHz", 1e3: "kHz"},
            "V": {1e-3: "mV", 1e-6: "uV", 1e-9: "nV"}}


def _frequency_scale(record: Parameters, fields: np.ndarray) -> float:
    """[Hz]: gamma mu0 (|H| + |H_K,eff|) / 2 pi, the Kittel frequency's size over the data's fields."""
    demag = max(record["demag_factors"]) if "demag_factors" in record else 1.0
    anisotropy = abs(2 * record["Ku"] / (MU0 * record["Ms"]) - demag * record["Ms"])
    return record["gamma"] * MU0 * (float(np.max(np.abs(fields))) + anisotropy) / (2 * math.pi)


def _expected(data, record: Parameters) -> tuple[float, float, str] | None:
    """(low, high) of the typical value `data` may have for a device near `record`, and what that value is."""
    r_p, r_ap = record["R_P"], record["R_AP"]
    if data.kind in ("trace", "loop"):
        return r_p / SCALE_SLACK, r_ap * SCALE_SLACK, "mean resistance"
    if data.kind == "transfer":
        return 1e-4 * abs(r_ap - r_p), 2 * abs(r_ap - r_p), "largest |dR|"
    if data.kind == "dispersion":
        scale = _frequency_scale(record, data.coordinate)
        return scale / SCALE_SLACK, scale * SCALE_SLACK, "mean frequency"
    if data.kind == "linewidth":
        scale = _frequency_scale(record, data.coordinate)
        return 1e-5 * scale, 3 * scale, "mean linewidth"
    if data.kind == "spectrum":  # V_dc = I_rf dR_rf / 2, dR_rf at most R_AP - R_P
        return 0.0, 10 * data.rf_current * abs(r_ap - r_p), "largest |V_dc|"
    return None


def _typical(data) -> float:
    values = np.abs(data.values)
    return float(np.max(values)) if data.kind in ("transfer", "spectrum") else float(np.mean(values))


def check_scale(data, record: Parameters) -> None:
    """Refuse, in one line naming the likely unit, a data file whose values are far from the start's scale.

    Arguments:
        data: a measured data set (`read_data`).
        record: the fit's start record.
    """
    expected = _expected(data, record)
    if expected is None:
        return
    low, high, what = expected
    value = _typical(data)
    if low <= value <= high:
        return
    unit = getattr(data, "value_unit", "ohm")
    middle = math.sqrt(low * high) if low > 0 else high / SCALE_SLACK
    ratio = middle / value if value > 0 else math.inf
    guesses = [name for factor, name in PREFIXED.get(unit, {}).items()
               if value > 0 and low <= value * factor <= high]
    hint = (f": is the column in {guesses[0]}? give its unit in the header, e.g. `{data.what} [{guesses[0]}]`"
            if guesses else "; check the column's unit and the start record (--params)")
    raise MtjphysError(f"{data.source}: the {what} {value:.4g} {unit} is {ratio:.3g}x off the start record's "
                       f"{low:.3g}-{high:.3g} {unit}{hint}")


AT_BOUND = 1e-6  # an estimate this close to a bound (relative to its scale) sits on it


def poor_fit(result) -> list[str]:
    """Returns: why a fit's estimates should not be used as they are, in words (none: a sound fit).

    Arguments:
        result: a `FitResult`.
    """
    reasons = []
    for coordinate, value, error in zip(result.free, result.estimate, result.standard_error):
        for side, bound in (("lower", coordinate.low), ("upper", coordinate.high)):
            if math.isfinite(bound) and abs(value - bound) <= AT_BOUND * max(abs(bound), coordinate.scale):
                reasons.append(f"{coordinate.name} = {value:.3g} sits at its {side} bound {bound:g}")
        if not error <= abs(value):
            reasons.append(f"the standard error of {coordinate.name} ({error:.3g}) exceeds its estimate ({value:.3g})")
    why = None if result.fitted["allow_implausible"] else implausible(result.fitted)
    if why:
        reasons.append("the fitted record is implausible: " + why.split("; records are in SI units")[0])
    return reasons
