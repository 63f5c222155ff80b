"""Physically plausible ranges of a record's dimensional keys, and the unit mix-ups that leave them.

A record is in SI units. A value typed in another unit (nm for m, emu/cm^3 for A/m, kOhm for ohm) is
usually 10^3 or more away from any real junction's; such a value is refused in one line that names the
key, its range and the unit it was likely meant in, unless the record accepts it on purpose
(`"allow_implausible": true`, or `--allow-implausible` on the command line).
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from collections.abc import Iterable, Mapping

MU0 = 4e-7 * math.pi


@dataclasses.dataclass(frozen=True)
class Range:
    """Where a key's magnitude lies for real junctions.

    Arguments:
        low, high: the plausible magnitude |value| (SI units of the key).
        units: the key's SI units, as printed.
        mixups: (value of 1 of the wrong unit in SI units, its name) for the units people confuse it with.
        zero: whether 0 is allowed as "off" (an effect switched off rather than a tiny value).
    """

    low: float
    high: float
    units: str
    mixups: tuple[tuple[float, str], ...] = ()
    zero: bool = False


LENGTH = ((1e-9, "nm"), (1e-10, "Å"), (1e-6, "µm"))
AREA = ((1e-18, "nm^2"), (1e-12, "µm^2"))
# fields from 1 A/m to 10 T are applied in labs: only tesla, 10^6 away, can be told from A/m by size
FIELD = ((1 / MU0, "T (mu0 H)"),)

# One table for every dimensional key of every model's record (docs/physics.md, README).
PLAUSIBLE = {
    "gamma": Range(1e11, 3e11, "rad/(s T)", ((2 * math.pi * 1e9, "GHz/T (gamma / 2 pi)"),)),
    "alpha": Range(1e-5, 1.0, "1", zero=True),
    "Ms": Range(1e4, 3e6, "A/m", ((1e3, "emu/cm^3 or kA/m"), (1 / MU0, "T (mu0 Ms)"), (1e6, "MA/m"))),
    "thickness": Range(1e-10, 1e-7, "m", LENGTH),
    "Ku": Range(1e3, 1e7, "J/m^3", ((1e3, "kJ/m^3"), (1e6, "MJ/m^3")), zero=True),
    "Kc": Range(1e2, 1e6, "J/m^3", ((1e3, "kJ/m^3"), (1e6, "MJ/m^3")), zero=True),
    "A": Range(1e-13, 1e-9, "J/m", ((1e-12, "pJ/m"), (1e-5, "erg/cm")), zero=True),
    "H_ext": Range(1.0, 8e6, "A/m", FIELD, zero=True),
    "vcma_coefficient": Range(1e-16, 1e-12, "J/(V m)", ((1e-15, "fJ/(V m)"),), zero=True),
    "barrier_thickness": Range(3e-10, 5e-9, "m", LENGTH),
    "interlayer_coupling": Range(1e-6, 1e-2, "J/m^2", ((1e-3, "mJ/m^2 or erg/cm^2"),), zero=True),
    "damping_like_asymmetry": Range(1e-3, 10.0, "1/V", zero=True),
    "field_like_quadratic": Range(1e-4, 1.0, "T/V^2", ((1e-3, "mT/V^2"),), zero=True),
    "temperature": Range(0.0, 2000.0, "K", zero=True),
    "V_half": Range(0.05, 10.0, "V", ((1e-3, "mV"),)),
    "R_P": Range(1.0, 1e9, "ohm", ((1e3, "kOhm"), (1e6, "MOhm"))),
    "R_AP": Range(1.0, 1e9, "ohm", ((1e3, "kOhm"), (1e6, "MOhm"))),
    "breakdown_voltage": Range(0.1, 20.0, "V", ((1e-3, "mV"),)),
    "thermal_resistance": Range(1e4, 5e8, "K/W", ((1e3, "K/mW"), (1e6, "K/µW")), zero=True),
    "thermal_time_constant": Range(1e-14, 1e-6, "s", ((1e-9, "ns"), (1e-12, "ps")), zero=True),
    "curie_temperature": Range(100.0, 2000.0, "K"),
    "reference_Ms": Range(1e4, 3e6, "A/m", ((1e3, "emu/cm^3 or kA/m"), (1 / MU0, "T (mu0 Ms)")), zero=True),
    "reference_thickness": Range(1e-10, 1e-7, "m", LENGTH),
    "reference_spacing": Range(1e-10, 1e-7, "m", LENGTH, zero=True),
    "length": Range(1e-9, 1e-5, "m", LENGTH),
    "width": Range(1e-9, 1e-5, "m", LENGTH),
    "cell_size": Range(1e-10, 1e-6, "m", LENGTH),
    "grain_size": Range(1e-9, 1e-6, "m", LENGTH),
    "grain_axis_dispersion": Range(0.0, math.pi / 2, "rad", ((math.pi / 180, "degrees"),)),
    # last: a micromagnetic layer's area follows from its length and width, named first where they are off
    "area": Range(1e-18, 1e-10, "m^2", AREA),
}

# The resistance-area product and the TMR: what a junction's R_P, R_AP and area say together.
RA_RANGE = (1e-13, 1e-8)  # ohm m^2: 0.1-10^4 ohm um^2
TMR_RANGE = (0.01, 10.0)  # (R_AP - R_P) / R_P: 1 % to 1000 %

ACCEPT = "accept it on purpose with --allow-implausible or \"allow_implausible\": true in the record"


def _plain(value: float, units: str) -> str:
    return f"{value:.4g}" + ("" if units == "1" else f" {units}")


def _mixup(value: float, spec: Range) -> str:
    """The wrong units in which `value` would be plausible, in words ('' if none)."""
    meant = [(factor, name) for factor, name in spec.mixups if spec.low <= abs(value) * factor <= spec.high]
    if not meant:
        return ""
    names = " or ".join(name for _, name in meant)
    symbol = lambda name: name.split(" or ")[0].split(" (")[0]  # "emu/cm^3 or kA/m" -> "emu/cm^3"
    scales = ", ".join(f"1 {symbol(name)} = {factor:.4g} {spec.units}" for factor, name in meant)
    return f": did you mean {names}? {scales}"


def implausible(record: Mapping) -> str | None:
    """Returns: why a record is implausible, in one line, or None where every key is plausible.

    Arguments:
        record: key -> SI value (scalars, 3-vectors, or None/inf for a switched-off scale).
    """
    for name, spec in PLAUSIBLE.items():
        if name not in record or record[name] is None or isinstance(record[name], str):
            continue
        value = record[name]
        magnitude = math.hypot(*value) if isinstance(value, (tuple, list)) else abs(float(value))
        if math.isinf(magnitude) or (spec.zero and magnitude == 0):
            continue
        if not spec.low <= magnitude <= spec.high:
            shown = f"|{name}| = {_plain(magnitude, spec.units)}" if isinstance(value, (tuple, list)) else \
                f"{name} = {_plain(float(value), spec.units)}"
            span = f"{spec.low:.3g}-{spec.high:.3g}" + ("" if spec.units == "1" else f" {spec.units}")
            off = " (or 0: off)" if spec.zero else ""
            return (f"{shown} is outside the plausible range {span}{off}{_mixup(magnitude, spec)}; records are in "
                    f"SI units; {ACCEPT}")
    if all(isinstance(record.get(k), (int, float)) for k in ("R_P", "R_AP", "area")):
        ra = record["R_P"] * record["area"]
        if not RA_RANGE[0] <= ra <= RA_RANGE[1]:
            unit = " (R_P in kOhm?)" if ra < RA_RANGE[0] and RA_RANGE[0] <= ra * 1e3 else \
                " (area in µm^2 or R_P in kOhm?)" if ra > RA_RANGE[1] else ""
            return (f"the resistance-area product R_P x area = {ra * 1e12:.3g} ohm µm^2 is outside the plausible "
                    f"{RA_RANGE[0] * 1e12:g}-{RA_RANGE[1] * 1e12:g} ohm µm^2{unit}; {ACCEPT}")
        tmr = record["R_AP"] / record["R_P"] - 1
        if not TMR_RANGE[0] <= tmr <= TMR_RANGE[1]:
            return (f"the TMR (R_AP - R_P) / R_P = {100 * tmr:.4g} % is outside the plausible "
                    f"{100 * TMR_RANGE[0]:g}-{100 * TMR_RANGE[1]:g} % (R_P and R_AP in different units?); {ACCEPT}")
    return None


def nearest_key(name: str, known: Iterable[str]) -> str | None:
    """Returns: the known key a misspelt `name` most likely meant, or None."""
    known = list(known)
    by_case = {k.lower(): k for k in known}
    if name.lower() in by_case:
        return by_case[name.lower()]
    match = difflib.get_close_matches(name.lower(), list(by_case), n=1, cutoff=0.6)
    return by_case[match[0]] if match else None


STIFF = 1e12  # rad/s: 7x the reference macrospin's fastest precession


def stiffness(record: Mapping) -> str:
    """Returns: in words, the record's fastest precession and the parameters that set it (for a solver failure).

    Arguments:
        record: key -> SI value of a parameter record.
    """
    ms = float(record["Ms"])
    fields = {  # [A/m]: each field's size and the keys it comes from
        "the demagnetising field": (ms * max(record.get("demag_factors", (1.0,))), "Ms"),
        "the anisotropy field 2 Ku / (mu0 Ms)": (2 * abs(float(record["Ku"])) / (MU0 * ms), "Ku, Ms"),
        "the applied field": (math.hypot(*record["H_ext"]), "H_ext"),
    }
    if "A" in record and "cell_size" in record:  # a grid's exchange between neighbouring cells
        edge = min(record["cell_size"], record["thickness"] / record["layers"])
        fields["the exchange field 2 A / (mu0 Ms dx^2)"] = (2 * float(record["A"]) / (MU0 * ms * edge**2),
                                                            "A, Ms, cell_size")
    name, (field, keys) = max(fields.items(), key=lambda item: item[1][0])
    rate = float(record["gamma"]) * MU0 * field
    values = ", ".join(f"{k} = {record[k]:.4g}" for k in keys.split(", ") if not isinstance(record[k], tuple))
    if rate > STIFF:
        return (f"the device is stiff: {name} = {field:.3g} A/m ({values}) makes m precess at {rate:.3g} rad/s; "
                "check those values and their units")
    return f"the record's fastest precession is {rate:.3g} rad/s, not stiff: a drive far outside the device's range?"
