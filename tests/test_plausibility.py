"""Plausible records: every dimensional key refuses a value 1000x off or in a common wrong unit, names the key,
and takes it when the record accepts it on purpose; shipped records pass."""

import json
import math
import pathlib
import re
import subprocess
import sys

import pytest

import mtjphys as mp
from mtjphys.device._plausibility import implausible, MU0, nearest_key, PLAUSIBLE, stiffness

MICROMAGNETIC_ONLY = {"A", "Kc", "reference_Ms", "reference_thickness", "reference_spacing", "length", "width",
                      "cell_size", "grain_size", "grain_axis_dispersion"}
# a typical value of each key where the reference switches it off (0 or null)
TYPICAL = {"vcma_coefficient": 50e-15, "interlayer_coupling": 1e-4, "damping_like_asymmetry": 0.2,
           "field_like_quadratic": 0.01, "temperature": 300.0, "V_half": 0.5, "thermal_resistance": 1e6,
           "thermal_time_constant": 1e-9, "curie_temperature": 1000.0, "reference_Ms": 1e6, "H_ext": (0, 0, 1e4),
           "Kc": 1e4, "grain_size": 10e-9, "grain_axis_dispersion": 0.05, "breakdown_voltage": 1.5}
# keys whose real values span so many decades that 1000x below a typical one is still real
WIDE = {"H_ext": "fields from 1 A/m to 10 T are applied", "grain_axis_dispersion": "any small dispersion is real",
        "alpha": "1e-5 is a low but real damping", "temperature": "0.3 K is a cryostat's",
        "thermal_time_constant": "any lag far below the window is the instantaneous limit"}


def _model(key):
    return mp.micromagnetic_model() if key in MICROMAGNETIC_ONLY else mp.default_model()


def _typical(key):
    value = TYPICAL.get(key, mp.REFERENCE.get(key))
    return tuple(value) if isinstance(value, (list, tuple)) else value


def _scaled(value, factor):
    return tuple(v * factor for v in value) if isinstance(value, tuple) else value * factor


def _cases():
    """(key, value, expected unit hint or None): each key 1000x off both ways, and in each listed wrong unit."""
    for key, spec in PLAUSIBLE.items():
        if key == "area":
            continue  # a macrospin's area; a grid's follows from length and width, checked as those
        typical = _typical(key)
        for factor in (1e3, 1e-3):
            if key in WIDE and factor == 1e-3:
                continue
            yield key, _scaled(typical, factor), None
        for factor, unit in spec.mixups:
            yield key, _scaled(typical, 1 / factor), unit  # the SI value typed as a number of the wrong unit


CASES = list(_cases())


def test_every_dimensional_key_has_a_range():
    specs = {**mp.Parameters.specs(mp.default_model()), **mp.Parameters.specs(mp.micromagnetic_model())}
    dimensional = {k for k, spec in specs.items() if spec["units"] not in ("1", "")}
    assert dimensional - set(PLAUSIBLE) == set()
    assert set(mp.Parameters.specs(mp.micromagnetic_model())) >= MICROMAGNETIC_ONLY


@pytest.mark.parametrize("key, value, unit", CASES, ids=[f"{k}-{v}" for k, v, _ in CASES])
def test_a_value_in_a_wrong_unit_is_refused_naming_the_key(key, value, unit):
    model = _model(key)
    values = {key: value, "width": value} if key == "length" else {key: value}  # a disc's width is its length
    with pytest.raises(mp.MtjphysError) as error:
        mp.Parameters(values, model=model)
    message = str(error.value)
    if key in ("R_P", "R_AP"):  # R_P or R_AP alone 1000x off breaks the TMR or the RA before its own range
        assert re.search(r"R_P|R_AP|TMR|resistance-area", message)
    else:
        assert message.startswith((f"{key} = ", f"|{key}| = ")), message
    assert "--allow-implausible" in message and "\n" not in message
    if unit is not None:
        assert re.search(f"did you mean [^?]*{re.escape(unit)}", message) or key in ("R_P", "R_AP")
    if key in ("cell_size", "length", "width"):
        return  # accepted, such a mesh is refused for what it is (no cells, or too many)
    accepted = mp.Parameters({**values, "allow_implausible": True}, model=model)
    assert accepted["allow_implausible"] is True


def test_ms_in_emu_per_cc_is_named():
    with pytest.raises(mp.MtjphysError, match=r"Ms = 1100 A/m .* did you mean emu/cm\^3 or kA/m\? "
                                              r"1 emu/cm\^3 = 1000 A/m"):
        mp.Parameters({"Ms": 1100})


def test_resistances_in_kilo_ohm_are_named():
    with pytest.raises(mp.MtjphysError, match=r"resistance-area product .* \(R_P in kOhm\?\)"):
        mp.Parameters({"R_P": 8.2875, "R_AP": 16.575})


def test_reference_and_shipped_records_pass():
    assert implausible(mp.Parameters()) is None
    assert implausible(mp.Parameters(model=mp.micromagnetic_model())) is None


def test_records_written_by_the_code_reload_unchecked():
    record = mp.Parameters({"Ms": 1100, "allow_implausible": True})
    tree = record.to_tree(lambda model: model)
    assert mp.Parameters.from_tree(tree, lambda model: model)["Ms"] == 1100


@pytest.mark.parametrize("typed, meant", [("ms", "Ms"), ("Msat", "Ms"), ("alpah", "alpha"), ("termperature",
                                                                                          "temperature")])
def test_a_misspelt_key_suggests_the_nearest(typed, meant):
    assert nearest_key(typed, mp.Parameters.specs(mp.default_model())) == meant
    with pytest.raises(mp.MtjphysError, match=f"unknown parameter '{typed}' .*did you mean '{meant}'"):
        mp.Parameters({typed: 1.0})


def test_stiffness_names_the_parameters_behind_the_fastest_precession():
    record = {**mp.REFERENCE, "Ms": 1100.0}
    words = stiffness({k: v for k, v in record.items() if k not in ("A", "cell_size")})
    assert "anisotropy field 2 Ku / (mu0 Ms)" in words and "Ms = 1100" in words and "Ku = " in words
    rate = record["gamma"] * MU0 * 2 * record["Ku"] / (MU0 * 1100.0)
    assert f"{rate:.3g} rad/s" in words
    assert "not stiff" in stiffness({k: v for k, v in mp.REFERENCE.items() if k not in ("A", "cell_size")})


def test_cli_refuses_an_implausible_record_and_accepts_it_on_purpose(tmp_path):
    params = tmp_path / "p.json"
    params.write_text(json.dumps({"thickness": 1}))
    out = tmp_path / "n.nc"
    command = [sys.executable, "-m", "mtjphys", "neuron", "-j", "1e10", "--params", str(params), "-o", str(out)]
    refused = subprocess.run(command, capture_output=True, text=True)
    assert refused.returncode == 2 and not out.exists()
    assert refused.stderr.count("\n") == 1 and "thickness = 1 m" in refused.stderr and "did you mean nm" in \
        refused.stderr
    assert math.isfinite(PLAUSIBLE["thickness"].low)


def test_breakdown_is_checked_by_default():
    assert mp.Parameters()["breakdown_voltage"] == 2.0
    with pytest.raises(mp.MtjphysError, match=r"the drive puts .* V across the barrier, above its breakdown "
                                              r"voltage of 2 V"):
        mp.neuron_trace(mp.Parameters(), 1e13)
    dataset = mp.neuron_trace(mp.Parameters({"breakdown_voltage": None}), 3e10)  # the record says otherwise
    assert float(dataset.voltage.max()) > 2.0


def test_the_readme_states_the_table():
    readme = (pathlib.Path(__file__).parents[1] / "README.md").read_text()
    for key, spec in PLAUSIBLE.items():
        assert f"| `{key}` | {spec.low:.3g} – {spec.high:.3g}" in readme, key
    assert "--allow-implausible" in readme and '"allow_implausible":' in readme
