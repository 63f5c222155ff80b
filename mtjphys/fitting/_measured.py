"""Measurement files as labs record them: CSV columns whose header cells carry their units in brackets
(`field [Oe]`, `frequency [GHz]`, `voltage [uV]`), converted to SI on reading, and the measured kinds beyond a
resistance trace and a transfer curve: an FMR dispersion f(H), a resistance loop R(H) in sweep order, and a
spin-torque FMR spectrum V(H) at a fixed frequency or V(f) at a fixed field.

`read_columns` reads and converts a file's known columns; `measurement_from_columns` makes a `DispersionData`,
`LoopData` or `SpectrumData` of them (or None for the trace and transfer kinds of `_fit.py`);
`read_measurement_csv` does both and hands the trace and transfer kinds to `_fit.py`. Everything refused is
refused in one line naming the file and the column.
"""

from __future__ import annotations

import csv
import dataclasses
import math
import pathlib
import re
import unicodedata
from collections.abc import Mapping

import numpy as np

from .._errors import MtjphysError

MU0 = 1.25663706212e-6  # [N/A^2], CODATA 2018: a field given as mu0 H [T] is H = B / mu0
OERSTED = 1000.0 / (4.0 * math.pi)  # [A/m]

# the units accepted per quantity: written unit -> factor to SI; the first is the SI unit (a column without
# brackets is in it). µ and μ, Ω and the ohm sign are told apart by nobody (compared after NFKC).
_FIELD = {"A/m": 1.0, "kA/m": 1e3, "Oe": OERSTED, "kOe": 1e3 * OERSTED, "mT": 1e-3 / MU0, "T": 1.0 / MU0,
          "G": 1e-4 / MU0}
_FREQUENCY = {"Hz": 1.0, "kHz": 1e3, "MHz": 1e6, "GHz": 1e9}
_RESISTANCE = {"ohm": 1.0, "Ohm": 1.0, "Ω": 1.0, "kOhm": 1e3, "kohm": 1e3, "kΩ": 1e3, "MOhm": 1e6, "MΩ": 1e6}
UNITS: dict[str, dict[str, float]] = {
    "field": _FIELD,
    "frequency": _FREQUENCY,
    "linewidth": _FREQUENCY,
    "resistance": _RESISTANCE,
    "delta_r": _RESISTANCE,
    "voltage": {"V": 1.0, "mV": 1e-3, "uV": 1e-6, "µV": 1e-6, "nV": 1e-9},
    "time": {"s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9, "ps": 1e-12},
    "current_density": {"A/m^2": 1.0, "A/m2": 1.0, "A/cm^2": 1e4, "A/cm2": 1e4},
}
SI_UNITS = {name: next(iter(units)) for name, units in UNITS.items()}
_LOOKUP = {name: {unicodedata.normalize("NFKC", unit): factor for unit, factor in units.items()}
           for name, units in UNITS.items()}

DISPERSION_COLUMNS = ("field", "frequency")  # + linewidth, optional
LOOP_COLUMNS = ("field", "resistance")
KINDS = ("field,frequency (a dispersion), field,resistance (a loop), field,voltage or frequency,voltage (a "
         "spectrum), time,resistance (a trace) or current_density,delta_r (a transfer curve)")

_CELL = re.compile(r"^\s*(?P<name>[^\[\]]*?)\s*(?:\[(?P<unit>[^\[\]]*)\]\s*)?$")
_PARENTHESES = re.compile(r"^\s*(?P<name>[^()]*?)\s*\((?P<unit>[^()]*)\)\s*$")


# ---- the data ---------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class DispersionData:
    """A measured FMR dispersion: resonance frequencies [Hz] (and optionally linewidths [Hz]) at fields H [A/m],
    sorted by field, no field twice."""

    source: str
    field: np.ndarray
    frequency: np.ndarray
    linewidth: np.ndarray | None = None

    kind = "dispersion"
    dim, unit, what, value_unit = "field", "A/m", "frequency", "Hz"

    @property
    def coordinate(self) -> np.ndarray:
        return self.field

    @property
    def values(self) -> np.ndarray:
        return self.frequency


@dataclasses.dataclass(frozen=True)
class LinewidthData:
    """The linewidths [Hz] (full width at half maximum) of a measured dispersion at fields H [A/m]: fitted as a
    data set of their own, with their own scatter, beside the frequencies (`split_linewidth`)."""

    source: str
    field: np.ndarray
    linewidth: np.ndarray

    kind = "linewidth"
    dim, unit, what, value_unit = "field", "A/m", "linewidth", "Hz"

    @property
    def coordinate(self) -> np.ndarray:
        return self.field

    @property
    def values(self) -> np.ndarray:
        return self.linewidth


def split_linewidth(data) -> list:
    """Returns: a dispersion with linewidths as two data sets (frequencies, linewidths); anything else as it is."""
    if getattr(data, "kind", None) != "dispersion" or data.linewidth is None:
        return [data]
    return [DispersionData(data.source, data.field, data.frequency),
            LinewidthData(data.source, data.field, data.linewidth)]


@dataclasses.dataclass(frozen=True)
class LoopData:
    """A measured resistance loop: R [ohm] at fields H [A/m] in the order of the sweep (up and/or down; a field
    may recur on the way back)."""

    source: str
    field: np.ndarray
    resistance: np.ndarray

    kind = "loop"
    dim, unit, what, value_unit = "field", "A/m", "resistance", "ohm"

    @property
    def coordinate(self) -> np.ndarray:
        return self.field

    @property
    def values(self) -> np.ndarray:
        return self.resistance


@dataclasses.dataclass(frozen=True)
class SpectrumData:
    """A measured spin-torque FMR spectrum: the rectified voltage [V] over a strictly increasing field H [A/m]
    at a fixed frequency [Hz] (`sweep == "field"`), or over a strictly increasing frequency [Hz] at a fixed
    field [A/m] (`sweep == "frequency"`), driven by an rf current of amplitude `rf_current` [A]."""

    source: str
    sweep: str  # "field" or "frequency"
    swept: np.ndarray  # the swept coordinate's values [A/m or Hz]
    voltage: np.ndarray
    frequency: float | None  # the fixed frequency of a field sweep
    field: float | None  # the fixed field of a frequency sweep
    rf_current: float

    kind = "spectrum"
    what, value_unit = "voltage", "V"

    @property
    def dim(self) -> str:
        return self.sweep

    @property
    def unit(self) -> str:
        return SI_UNITS[self.sweep]

    @property
    def coordinate(self) -> np.ndarray:
        return self.swept

    @property
    def values(self) -> np.ndarray:
        return self.voltage


# ---- the header and the columns ---------------------------------------------------------------------
def _name(text: str) -> str:
    """A quantity's name as the readers know it: lower case, inner whitespace as '_' ('Current Density')."""
    return "_".join(text.lower().split())


def parse_header_cell(source: str, cell: str) -> tuple[str, str | None, float]:
    """A header cell as (name, unit, factor to SI): the name in lower case, the unit as written (the SI unit where
    the cell has no brackets). A known quantity with an unknown unit is refused in one line listing the accepted
    ones; a cell that is not a known quantity is returned with unit None and factor NaN (ignored by readers)."""
    match = _CELL.match(cell)
    if match is None:
        name = _name(cell.split("[", 1)[0])
        if name in UNITS:
            raise MtjphysError(f"{source}: column {cell.strip()!r}: write its unit in one pair of brackets, "
                               f"e.g. '{name} [{SI_UNITS[name]}]'")
        return cell.strip().lower(), None, math.nan
    name = _name(match["name"])
    if name not in UNITS:
        paren = _PARENTHESES.match(cell)
        if paren is not None and _name(paren["name"]) in UNITS:
            raise MtjphysError(f"{source}: column {cell.strip()!r}: write its unit in square brackets, "
                               f"e.g. '{_name(paren['name'])} [{paren['unit'].strip()}]'")
        return name, None, math.nan
    if match["unit"] is None:
        return name, SI_UNITS[name], 1.0
    unit = match["unit"].strip()
    factor = _LOOKUP[name].get(unicodedata.normalize("NFKC", unit))
    if factor is None:
        raise MtjphysError(f"{source}: column {cell.strip()!r}: unknown unit {unit!r}; use one of "
                           f"{', '.join(UNITS[name])}")
    return name, unit, factor


def _rows(source: str, path) -> list[tuple[int, list[str]]]:
    """The file's non-blank rows, not comments (#), with their line numbers."""
    try:
        try:
            text = pathlib.Path(path).read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:  # a Windows lab PC's µ and Ω in Latin-1
            text = pathlib.Path(path).read_text(encoding="latin-1")
    except OSError as error:
        raise MtjphysError(f"cannot read {source!r}: {error.strerror or error}")
    lines = text.splitlines()
    first = next((line for line in lines if line.strip() and not line.lstrip().startswith("#")), "")
    delimiter = "," if "," in first else "\t" if "\t" in first else ";" if ";" in first else ","
    rows = []
    try:
        reader = csv.reader(lines, delimiter=delimiter)
        for row in reader:
            if row and any(cell.strip() for cell in row) and not row[0].lstrip().startswith("#"):
                rows.append((reader.line_num, row))
    except csv.Error as error:
        raise MtjphysError(f"{source}: not a CSV file ({error})")
    return rows


def read_columns(path: str | pathlib.Path) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """The known columns of a CSV file with a header, in SI units.

    The header's cells name the quantities (case and surrounding whitespace do not matter) with an optional unit
    in brackets, `field [Oe]`; without one the column is in SI. Known: field [A/m], frequency [Hz], linewidth
    [Hz], resistance [ohm], delta_r [ohm], voltage [V], time [s], current_density [A/m^2] (see `UNITS` for the
    units accepted); other columns are ignored. The delimiter is a comma, or a tab or semicolon where the header
    has no comma; lines starting with # are skipped.

    Returns:
        columns: name -> float64 values in SI, every one finite, all of the same length;
        units: name -> the unit the file wrote it in (its SI unit where the header gave none).
        Refused in one line: an empty file, a header without data, an unknown unit, a quantity named twice, and
        a missing, non-numeric or non-finite value (naming its line and column).
    """
    source = str(path)
    rows = _rows(source, path)
    if not rows:
        raise MtjphysError(f"{source}: the file is empty")
    _, header = rows[0]
    wanted: dict[str, tuple[int, str, str, float]] = {}  # name -> (index, cell, unit, factor)
    for index, cell in enumerate(header):
        name, unit, factor = parse_header_cell(source, cell)
        if unit is None:
            continue
        if name in wanted:
            raise MtjphysError(f"{source}: column {name!r} is named twice ({wanted[name][1]!r} and "
                               f"{cell.strip()!r}); keep one")
        wanted[name] = (index, cell.strip(), unit, factor)
    if wanted and len(rows) == 1:
        raise MtjphysError(f"{source}: no data below the header")
    columns, units = {}, {}
    for name, (index, cell, unit, factor) in wanted.items():
        values = np.empty(len(rows) - 1)
        for k, (line, row) in enumerate(rows[1:]):
            text = row[index].strip() if index < len(row) else ""
            if not text:
                raise MtjphysError(f"{source}: line {line}, column {cell!r}: the value is missing")
            try:
                value = float(text)
            except ValueError:
                raise MtjphysError(f"{source}: line {line}, column {cell!r}: {text!r} is not a number")
            if not math.isfinite(value):
                raise MtjphysError(f"{source}: line {line}, column {cell!r}: {text!r} is not a finite number")
            values[k] = value * factor
        columns[name], units[name] = values, unit
    return columns, units


# ---- the measured kinds -----------------------------------------------------------------------------
def _label(name: str, units: Mapping[str, str]) -> str:
    unit = units.get(name, SI_UNITS.get(name, ""))
    return name if unit == SI_UNITS.get(name) else f"{name} [{unit}]"


def _as_written(name: str, value: float, units: Mapping[str, str]) -> str:
    """An SI value of a column in the unit the file wrote it in."""
    unit = units.get(name, SI_UNITS[name])
    factor = _LOOKUP[name].get(unicodedata.normalize("NFKC", unit), 1.0)
    return f"{value / factor:g} {unit}"


def _column(source: str, name: str, columns: Mapping[str, np.ndarray], units: Mapping[str, str], *,
            positive: bool = False, nonnegative: bool = False) -> np.ndarray:
    values = np.asarray(columns[name], dtype=np.float64)
    label = _label(name, units)
    if values.ndim != 1 or values.size == 0:
        raise MtjphysError(f"{source}: column {label!r} has no values")
    if not np.all(np.isfinite(values)):
        raise MtjphysError(f"{source}: column {label!r} has a value that is not finite (NaN or inf) in row "
                           f"{int(np.argmin(np.isfinite(values))) + 1}")
    if positive and np.any(values <= 0):
        raise MtjphysError(f"{source}: column {label!r} must be > 0 (row {int(np.argmax(values <= 0)) + 1})")
    if nonnegative and np.any(values < 0):
        raise MtjphysError(f"{source}: column {label!r} must be >= 0 (row {int(np.argmax(values < 0)) + 1})")
    return values


def _same_length(source: str, names, arrays) -> None:
    sizes = {name: array.size for name, array in zip(names, arrays)}
    if len(set(sizes.values())) > 1:
        lengths = ", ".join(f"{name}: {size}" for name, size in sizes.items())
        raise MtjphysError(f"{source}: the columns differ in length ({lengths})")


def _increasing(source: str, name: str, values: np.ndarray, units: Mapping[str, str]) -> np.ndarray:
    steps = np.diff(values)
    label = _label(name, units)
    if np.any(steps == 0):
        raise MtjphysError(f"{source}: column {label!r} repeats the value "
                           f"{_as_written(name, values[1:][steps == 0][0], units)}")
    if np.any(steps < 0):
        raise MtjphysError(f"{source}: column {label!r} must increase strictly row by row; it is not sorted (row "
                           f"{int(np.argmax(steps < 0)) + 2})")
    return values


def _option(source: str, option: str, value, what: str, *, positive: bool) -> float:
    if value is None:
        raise MtjphysError(f"{source}: {what} (--{option})")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise MtjphysError(f"{source}: --{option} must be a number, got {value!r}")
    if not math.isfinite(number) or (positive and number <= 0):
        raise MtjphysError(f"{source}: --{option} must be a finite number{' > 0' if positive else ''}, got {value!r}")
    return number


def _dispersion(source, columns, units) -> DispersionData:
    field = _column(source, "field", columns, units)
    frequency = _column(source, "frequency", columns, units, positive=True)
    linewidth = _column(source, "linewidth", columns, units, nonnegative=True) if "linewidth" in columns else None
    names = ("field", "frequency") + (("linewidth",) if linewidth is not None else ())
    _same_length(source, names, (field, frequency) + ((linewidth,) if linewidth is not None else ()))
    order = np.argsort(field, kind="stable")
    ordered = field[order]
    repeated = np.diff(ordered) == 0
    if np.any(repeated):
        raise MtjphysError(f"{source}: column {_label('field', units)!r} repeats the value "
                           f"{_as_written('field', ordered[1:][repeated][0], units)}; a dispersion has one "
                           "frequency per field")
    return DispersionData(source, ordered, frequency[order], None if linewidth is None else linewidth[order])


def _loop(source, columns, units) -> LoopData:
    field = _column(source, "field", columns, units)
    resistance = _column(source, "resistance", columns, units)
    _same_length(source, LOOP_COLUMNS, (field, resistance))
    steps = np.diff(field)
    label = _label("field", units)
    for i in np.nonzero(steps == 0)[0]:  # a turning point may be recorded twice, once by each sweep
        before, after = steps[:i][steps[:i] != 0], steps[i + 1:][steps[i + 1:] != 0]
        turn = before.size and after.size and np.sign(before[-1]) != np.sign(after[0]) and not (i and steps[i - 1] == 0)
        if not turn:
            row = int(i) + 1
            raise MtjphysError(f"{source}: column {label!r} repeats the value "
                               f"{_as_written('field', field[row], units)} in consecutive rows {row} and {row + 1} "
                               "away from a turn of the sweep; keep one of them")
    signs = np.sign(steps[steps != 0])
    turns = int(np.count_nonzero(signs[1:] != signs[:-1]))
    if turns > 2:
        raise MtjphysError(f"{source}: column {label!r}: field must sweep up and/or down in order (it turns "
                           f"{turns} times; at most twice, as in up-down-up or down-up-down)")
    return LoopData(source, field, resistance)


def _spectrum(source, columns, units, frequency, field, rf_current) -> SpectrumData:
    sweep = "field" if "field" in columns else "frequency"
    swept = _increasing(source, sweep, _column(source, sweep, columns, units, positive=sweep == "frequency"),
                        units)
    voltage = _column(source, "voltage", columns, units)
    _same_length(source, (sweep, "voltage"), (swept, voltage))
    if sweep == "field":
        frequency = _option(source, "frequency", frequency, "a spectrum swept in field needs its fixed frequency "
                            "[Hz]", positive=True)
        field = None
    else:
        field = _option(source, "field", field, "a spectrum swept in frequency needs its fixed field [A/m]",
                        positive=False)
        frequency = None
    rf_current = _option(source, "rf-current", rf_current, "a spectrum needs the amplitude of its rf current [A]",
                         positive=True)
    return SpectrumData(source, sweep, swept, voltage, frequency, field, rf_current)


def measurement_from_columns(
    source: str, columns: Mapping[str, np.ndarray], *, frequency: float | None = None, field: float | None = None,
    rf_current: float | None = None, units: Mapping[str, str] | None = None,
) -> DispersionData | LoopData | SpectrumData | None:
    """The measured kind of a file's SI columns (see `read_columns`), told by the columns present:

    - `voltage` with `field` or `frequency`: a `SpectrumData` swept in that one (strictly increasing; refused
      with both), needing `rf_current` [A] (> 0) and the fixed `frequency` [Hz] of a field sweep or the fixed
      `field` [A/m] of a frequency sweep (each ignored where the other sweep needs it);
    - `field` and `frequency` (and optionally `linewidth`): a `DispersionData`, sorted by field, no field twice;
    - `field` and `resistance`: a `LoopData` in sweep order (no field twice in a row, at most two turns);
      refused where `time` is present as well (a loop or a trace?).

    Returns:
        The data, or None for any other set of columns (the trace and transfer kinds are `_fit.py`'s).
        `units` (name -> unit as written) only makes the refusals quote the file's own units.
    """
    units = dict(units or {})
    if "voltage" in columns and ("field" in columns or "frequency" in columns):
        if "field" in columns and "frequency" in columns:
            raise MtjphysError(f"{source}: columns 'field' and 'frequency' beside 'voltage': a spectrum is swept in "
                               "one of them; drop the other column and give its fixed value with --frequency or "
                               "--field")
        return _spectrum(source, columns, units, frequency, field, rf_current)
    if all(name in columns for name in DISPERSION_COLUMNS):
        return _dispersion(source, columns, units)
    if all(name in columns for name in LOOP_COLUMNS):
        if "time" in columns:
            raise MtjphysError(f"{source}: columns 'time' and 'field' beside 'resistance': a trace (time,resistance) "
                               "or a loop (field,resistance)? drop one of them")
        return _loop(source, columns, units)
    return None


def read_measurement_csv(
    path: str | pathlib.Path, *, current_density: float | None = None, frequency: float | None = None,
    field: float | None = None, rf_current: float | None = None,
):
    """Any measured kind from a CSV file with units in its header (`read_columns`): a dispersion, a loop or a
    spectrum (`measurement_from_columns`), else a resistance trace or a transfer curve (`_fit._make`, with
    `current_density` [A/m^2] the drive of a trace). Options a kind does not use are ignored.

    Returns:
        `DispersionData`, `LoopData`, `SpectrumData`, `TraceData` or `TransferData`; refused in one line where
        the columns are none of these kinds.
    """
    source = str(path)
    columns, units = read_columns(path)
    data = measurement_from_columns(source, columns, frequency=frequency, field=field, rf_current=rf_current,
                                    units=units)
    if data is not None:
        return data
    if all(c in columns for c in ("time", "resistance")) or all(c in columns for c in ("current_density", "delta_r")):
        from ._fit import _make  # here: _fit.py reads its columns through this module

        return _make(source, columns, current_density)
    have = ", ".join(_label(name, units) for name in columns) or "none of them (is the first line a header?)"
    raise MtjphysError(f"{source}: needs the columns {KINDS}; it has {have}")
