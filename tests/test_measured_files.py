"""Measurement files with units in their headers: every kind read in every unit and converted to SI, headers
without brackets in SI, case and whitespace tolerated, and every bad file refused in one line naming the file
and the column. Pure numpy: nothing is solved."""

import math

import numpy as np
import pytest

from mtjphys._errors import MtjphysError
from mtjphys.fitting import TraceData, TransferData
from mtjphys.fitting._measured import (
    DispersionData,
    LoopData,
    measurement_from_columns,
    MU0,
    read_columns,
    read_measurement_csv,
    SpectrumData,
    UNITS,
)

H_1000_OE = 79577.4715459  # [A/m]: 1000 Oe = 1e6 / (4 pi) A/m = mu0 H of 100 mT


def write(tmp_path, text, name="data.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def refused(path, *words, **options):
    with pytest.raises(MtjphysError) as error:
        read_measurement_csv(path, **options)
    message = str(error.value)
    assert "\n" not in message
    assert str(path) in message
    for word in words:
        assert word in message, message
    return message


# ---- units ------------------------------------------------------------------------------------------
FIELD_UNITS = [("A/m", 1.0), ("kA/m", 1e3), ("Oe", 1e3 / (4 * math.pi)), ("kOe", 1e6 / (4 * math.pi)),
               ("mT", 1e-3 / MU0), ("T", 1 / MU0), ("G", 1e-4 / MU0)]


@pytest.mark.parametrize(("unit", "factor"), FIELD_UNITS)
def test_a_dispersion_is_read_in_every_field_unit(tmp_path, unit, factor):
    path = write(tmp_path, f"field [{unit}],frequency [GHz]\n1,2.5\n2,3.5\n")
    data = read_measurement_csv(path)
    assert isinstance(data, DispersionData)
    assert (data.kind, data.dim, data.unit, data.what) == ("dispersion", "field", "A/m", "frequency")
    np.testing.assert_allclose(data.field, [factor, 2 * factor], rtol=1e-12)
    np.testing.assert_allclose(data.frequency, [2.5e9, 3.5e9], rtol=1e-12)
    assert data.linewidth is None
    assert data.coordinate is data.field and data.values is data.frequency


@pytest.mark.parametrize(("text", "expected"), [
    ("field [Oe]\n1000", H_1000_OE), ("field [mT]\n100", H_1000_OE), ("field [G]\n1000", H_1000_OE),
    ("field [kOe]\n1", H_1000_OE), ("field [T]\n0.1", H_1000_OE), ("field [kA/m]\n79.5774715459", H_1000_OE),
])
def test_field_conversions_to_a_per_m(tmp_path, text, expected):
    header, value = text.split("\n")
    columns, units = read_columns(write(tmp_path, f"{header},frequency\n{value},1e9\n"))
    assert columns["field"][0] == pytest.approx(expected, rel=1e-9)
    assert units == {"field": header[header.index("[") + 1:-1], "frequency": "Hz"}


@pytest.mark.parametrize(("quantity", "unit", "factor"), [
    *[("frequency", u, f) for u, f in [("Hz", 1), ("kHz", 1e3), ("MHz", 1e6), ("GHz", 1e9)]],
    *[("linewidth", u, f) for u, f in [("Hz", 1), ("kHz", 1e3), ("MHz", 1e6), ("GHz", 1e9)]],
    *[("resistance", u, f) for u, f in [("ohm", 1), ("Ohm", 1), ("\u03a9", 1), ("\u2126", 1), ("kOhm", 1e3),
                                        ("kohm", 1e3), ("kΩ", 1e3), ("MOhm", 1e6)]],
    *[("delta_r", u, f) for u, f in [("ohm", 1), ("kΩ", 1e3)]],
    *[("voltage", u, f) for u, f in [("V", 1), ("mV", 1e-3), ("uV", 1e-6), ("\u00b5V", 1e-6), ("\u03bcV", 1e-6),
                                     ("nV", 1e-9)]],
    *[("time", u, f) for u, f in [("s", 1), ("ms", 1e-3), ("us", 1e-6), ("\u00b5s", 1e-6), ("\u03bcs", 1e-6),
                                  ("ns", 1e-9), ("ps", 1e-12)]],
    *[("current_density", u, f) for u, f in [("A/m^2", 1), ("A/m2", 1), ("A/cm^2", 1e4)]],
])
def test_every_unit_converts_to_si(tmp_path, quantity, unit, factor):
    columns, units = read_columns(write(tmp_path, f"{quantity} [{unit}]\n2.5\n-1\n"))
    np.testing.assert_allclose(columns[quantity], [2.5 * factor, -factor], rtol=1e-12)
    assert units[quantity] == unit


def test_a_header_without_brackets_is_si_and_names_are_tolerant(tmp_path):
    path = write(tmp_path, "  FIELD ,Frequency  [ GHz ] , Linewidth[MHz], Current  Density [A/cm^2], comment\n"
                           "3000, 10, 300, 1, ok\n1000, 5, 100, 2, fine\n")
    columns, units = read_columns(path)
    assert set(columns) == {"field", "frequency", "linewidth", "current_density"}  # the comment is ignored
    assert units == {"field": "A/m", "frequency": "GHz", "linewidth": "MHz", "current_density": "A/cm^2"}
    data = read_measurement_csv(path)
    np.testing.assert_array_equal(data.field, [1000.0, 3000.0])  # sorted by field, the others along
    np.testing.assert_allclose(data.frequency, [5e9, 10e9])
    np.testing.assert_allclose(data.linewidth, [100e6, 300e6])


def test_tabs_semicolons_comments_blank_lines_and_a_bom(tmp_path):
    text = "# sample 7, 300 K\n\nfield [Oe]\tresistance [kOhm]\n-100\t1.2\n\n100\t1.5\n"
    data = read_measurement_csv(write(tmp_path, "\ufeff" + text))
    assert isinstance(data, LoopData)
    np.testing.assert_allclose(data.field, [-100 * 1e3 / (4 * math.pi), 100 * 1e3 / (4 * math.pi)])
    np.testing.assert_allclose(data.resistance, [1200.0, 1500.0])
    data = read_measurement_csv(write(tmp_path, "field;resistance\n1;2\n3;4\n", name="semi.csv"))
    np.testing.assert_array_equal(data.resistance, [2.0, 4.0])


def test_a_latin_1_file_with_micro_and_ohm_signs(tmp_path):
    path = write(tmp_path, "frequency [GHz],voltage [µV]\n1,2\n2,3\n", encoding="latin-1")
    data = read_measurement_csv(path, field=1e4, rf_current=1e-3)
    np.testing.assert_allclose(data.voltage, [2e-6, 3e-6])


# ---- the kinds --------------------------------------------------------------------------------------
def test_a_loop_keeps_its_sweep_order(tmp_path):
    fields = [-200, -100, 0, 100, 200, 100, 0, -100, -200]
    rows = "".join(f"{h},{1000 + h}\n" for h in fields)
    data = read_measurement_csv(write(tmp_path, "field [mT],resistance [ohm]\n" + rows))
    assert isinstance(data, LoopData)
    assert (data.kind, data.dim, data.unit, data.what) == ("loop", "field", "A/m", "resistance")
    np.testing.assert_allclose(data.field, np.array(fields) * 1e-3 / MU0)
    np.testing.assert_array_equal(data.resistance, 1000.0 + np.array(fields))
    assert data.coordinate is data.field and data.values is data.resistance
    down_up_down = [5, 0, -5, 0, 5, 0]
    rows = "".join(f"{h},1\n" for h in down_up_down)
    assert read_measurement_csv(write(tmp_path, "field,resistance\n" + rows, name="dud.csv")).field.size == 6


def test_a_spectrum_swept_in_field(tmp_path):
    path = write(tmp_path, "Field [Oe], Voltage [uV]\n-1000,0.5\n0,1\n1000,2\n")
    data = read_measurement_csv(path, frequency=8e9, rf_current=2e-3)
    assert isinstance(data, SpectrumData)
    assert (data.kind, data.sweep, data.dim, data.unit, data.what) == ("spectrum", "field", "field", "A/m", "voltage")
    np.testing.assert_allclose(data.coordinate, [-H_1000_OE, 0.0, H_1000_OE], rtol=1e-9)
    np.testing.assert_allclose(data.values, [0.5e-6, 1e-6, 2e-6])
    assert (data.frequency, data.field, data.rf_current) == (8e9, None, 2e-3)


def test_a_spectrum_swept_in_frequency(tmp_path):
    path = write(tmp_path, "frequency [MHz],voltage [mV]\n100,1\n2500,2\n")
    data = read_measurement_csv(path, field=-5e4, rf_current=1e-3, frequency=1e9)  # --frequency unused here
    assert (data.sweep, data.dim, data.unit) == ("frequency", "frequency", "Hz")
    np.testing.assert_allclose(data.coordinate, [1e8, 2.5e9])
    np.testing.assert_allclose(data.voltage, [1e-3, 2e-3])
    assert (data.frequency, data.field, data.rf_current) == (None, -5e4, 1e-3)


def test_the_trace_and_transfer_kinds_go_to_fit_with_units(tmp_path):
    trace = read_measurement_csv(write(tmp_path, "time [ns],resistance [kOhm]\n0,1\n0.5,1.1\n"), current_density=1e10)
    assert isinstance(trace, TraceData)
    np.testing.assert_allclose(trace.time, [0.0, 0.5e-9])
    np.testing.assert_allclose(trace.resistance, [1000.0, 1100.0])
    transfer = read_measurement_csv(write(tmp_path, "current_density [A/cm^2],delta_r\n1e6,1\n2e6,3\n", name="t.csv"))
    assert isinstance(transfer, TransferData)
    np.testing.assert_allclose(transfer.current_density, [1e10, 2e10])


def test_measurement_from_columns_leaves_other_columns_to_fit():
    assert measurement_from_columns("x", {"time": np.array([0.0, 1.0]), "resistance": np.array([1.0, 2.0])}) is None
    assert measurement_from_columns("x", {"field": np.array([1.0])}) is None
    data = measurement_from_columns("x", {"field": np.array([2.0, 1.0]), "frequency": np.array([4.0, 3.0])})
    np.testing.assert_array_equal(data.frequency, [3.0, 4.0])


def test_the_unit_tables_name_si_first():
    assert [next(iter(units)) for units in UNITS.values()] == ["A/m", "Hz", "Hz", "ohm", "ohm", "V", "s", "A/m^2"]


# ---- refusals ---------------------------------------------------------------------------------------
def test_an_unknown_unit_is_refused_listing_the_accepted(tmp_path):
    path = write(tmp_path, "field [Gauss],frequency\n1,2\n")
    message = refused(path)
    assert message == (f"{path}: column 'field [Gauss]': unknown unit 'Gauss'; use one of A/m, kA/m, Oe, kOe, mT, "
                       "T, G")
    refused(write(tmp_path, "field,voltage [volts]\n1,2\n", name="v.csv"), "'voltage [volts]'", "uV", "nV")
    refused(write(tmp_path, "field [],frequency\n1,2\n", name="e.csv"), "'field []'", "unknown unit ''")
    refused(write(tmp_path, "field [oe],frequency\n1,2\n", name="c.csv"), "unknown unit 'oe'")  # units keep case


def test_malformed_brackets_and_parentheses_are_refused(tmp_path):
    refused(write(tmp_path, "field [Oe,frequency\n1,2\n"), "'field [Oe'", "brackets")
    refused(write(tmp_path, "field (Oe),frequency\n1,2\n", name="p.csv"), "'field (Oe)'", "square brackets",
            "field [Oe]")


def test_a_quantity_named_twice_is_refused(tmp_path):
    refused(write(tmp_path, "field [Oe],field [mT],frequency\n1,2,3\n"), "'field'", "'field [Oe]'", "'field [mT]'",
            "twice")
    refused(write(tmp_path, "Field,field ,frequency\n1,2,3\n", name="b.csv"), "'field'", "twice")


def test_a_missing_column_is_refused(tmp_path):
    message = refused(write(tmp_path, "field [Oe]\n1\n2\n"), "field [Oe]", "needs the columns", "field,frequency")
    assert message.endswith("it has field [Oe]")
    refused(write(tmp_path, "voltage\n1\n", name="v.csv"), "it has voltage")
    refused(write(tmp_path, "1,2\n3,4\n", name="n.csv"), "it has none", "header")


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf"])
def test_a_non_finite_value_is_refused_by_line_and_column(tmp_path, value):
    path = write(tmp_path, f"field [Oe],frequency [GHz]\n1,2\n2,{value}\n")
    assert refused(path) == f"{path}: line 3, column 'frequency [GHz]': {value!r} is not a finite number"


def test_a_non_number_and_a_missing_value_are_refused_by_line_and_column(tmp_path):
    path = write(tmp_path, "# comment\nfield [Oe],frequency [GHz]\n1,2\n\nabc,3\n")
    assert refused(path) == f"{path}: line 5, column 'field [Oe]': 'abc' is not a number"
    refused(write(tmp_path, "field,frequency\n1,2\n2,\n", name="m.csv"), "line 3", "'frequency'", "missing")
    refused(write(tmp_path, "field,frequency\n1,2\n2\n", name="s.csv"), "line 3", "'frequency'", "missing")


def test_an_empty_file_and_a_header_alone_are_refused(tmp_path):
    refused(write(tmp_path, ""), "empty")
    refused(write(tmp_path, "\n  \n# only a comment\n", name="blank.csv"), "empty")
    refused(write(tmp_path, "field,frequency\n", name="header.csv"), "no data")


def test_a_missing_file_is_refused(tmp_path):
    refused(tmp_path / "absent.csv", "cannot read")


def test_a_dispersion_with_a_repeated_field_is_refused(tmp_path):
    path = write(tmp_path, "field [Oe],frequency [GHz]\n2000,3\n1000,2\n2000,3.1\n")
    assert "column 'field [Oe]' repeats the value 2000 Oe" in refused(path)
    refused(write(tmp_path, "field,frequency\n1,2\n2,-1\n", name="neg.csv"), "'frequency'", "> 0")
    refused(write(tmp_path, "field,frequency,linewidth\n1,2,1\n2,3,-1\n", name="lw.csv"), "'linewidth'", ">= 0")


def test_an_unsorted_or_repeated_spectrum_is_refused(tmp_path):
    path = write(tmp_path, "field [mT],voltage\n0,1\n20,2\n10,3\n")
    refused(path, "'field [mT]'", "not sorted", "row 3", frequency=1e9, rf_current=1e-3)
    path = write(tmp_path, "frequency [GHz],voltage\n1,1\n2,2\n2,3\n", name="r.csv")
    refused(path, "'frequency [GHz]'", "repeats the value 2 GHz", field=0.0, rf_current=1e-3)


def test_a_loop_with_a_field_twice_in_a_row_or_sweeping_back_and_forth_is_refused(tmp_path):
    path = write(tmp_path, "field [Oe],resistance\n-10,1\n0,1\n0,2\n10,3\n")
    refused(path, "'field [Oe]'", "repeats the value 0 Oe", "consecutive rows 2 and 3")
    rows = "".join(f"{h},1\n" for h in [0, 1, 0, 1, 0])
    refused(write(tmp_path, "field,resistance\n" + rows, name="zigzag.csv"), "'field'",
            "field must sweep up and/or down in order")


def test_a_loop_may_record_its_turning_point_twice(tmp_path):
    """Down to -10 Oe and back up, the turn measured by both sweeps: a loop, rows kept in order."""
    path = write(tmp_path, "field [Oe],resistance\n10,1\n0,1\n-10,2\n-10,2\n0,2\n10,1\n")
    data = read_measurement_csv(path)
    assert data.kind == "loop" and data.field.size == 6
    np.testing.assert_allclose(data.field[2:4], -10 * 1000 / (4 * np.pi))


def test_a_spectrum_without_its_options_is_refused(tmp_path):
    path = write(tmp_path, "field [Oe],voltage [uV]\n1,2\n2,3\n")
    refused(path, "--frequency", "fixed frequency", rf_current=1e-3)
    refused(path, "--rf-current", frequency=1e9)
    refused(path, "--rf-current", "> 0", frequency=1e9, rf_current=0.0)
    refused(path, "--frequency", "> 0", frequency=-1e9, rf_current=1e-3)
    swept = write(tmp_path, "frequency [GHz],voltage [uV]\n1,2\n2,3\n", name="f.csv")
    refused(swept, "--field", "fixed field", rf_current=1e-3, frequency=1e9)
    refused(swept, "--field", "finite", field=math.nan, rf_current=1e-3)


def test_ambiguous_columns_are_refused(tmp_path):
    refused(write(tmp_path, "field,frequency,voltage\n1,2,3\n"), "'field'", "'frequency'", "drop the other",
            frequency=1e9, field=0.0, rf_current=1e-3)
    refused(write(tmp_path, "time,field,resistance\n1,2,3\n", name="t.csv"), "'time'", "'field'", "drop one")


def test_a_trace_still_needs_its_current_density(tmp_path):
    refused(write(tmp_path, "time [ns],resistance\n0,1\n1,2\n"), "--current-density")
