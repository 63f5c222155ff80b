"""The parameter record: reference values, validation, JSON files."""

import json
import math

import numpy as np
import pytest

import mtjphys as mp
from mtjphys.device import stack_parameters

REQUIRED = ["gamma", "alpha", "Ms", "thickness", "Ku", "easy_axis", "demag_factors", "H_ext", "polarization",
            "Lambda", "epsilon_prime", "fixed_layer", "m0", "R_P", "R_AP", "resistance_law", "temperature"]


def test_reference_record_has_every_design_key():
    record = mp.Parameters().to_dict()
    assert set(REQUIRED) <= set(record)
    assert record["resistance_law"] == "linear_conductance" and record["easy_axis"] == [0.0, 0.0, 1.0]
    # every key takes its reference value (vectors as lists); the others are the micromagnetic model's
    reference = {k: list(v) if isinstance(v, tuple) else v for k, v in mp.REFERENCE.items()}
    assert record == {k: v for k, v in reference.items() if k in record}
    micromagnetic = mp.Parameters(model=mp.micromagnetic_model()).to_dict()
    assert micromagnetic == {k: v for k, v in reference.items() if k in micromagnetic}
    assert set(record) | set(micromagnetic) == set(reference)
    assert set(record) - set(micromagnetic) == {"demag_factors", "area"}  # the grid's demag, the cells' area


@pytest.mark.parametrize(
    "change, message",
    [
        ({"thickness": 0.0}, "'thickness' must be > 0"),
        ({"thickness": -1e-9}, "'thickness' must be > 0"),
        ({"alpha": -0.1}, "'alpha' must be >= 0"),
        ({"Ms": 0}, "'Ms' must be > 0"),
        ({"fixed_layer": [0, 0, 0]}, "'fixed_layer' is a direction and must not have zero length"),
        ({"gamma": math.nan}, "'gamma' must be finite"),
        ({"H_ext": [0, math.inf, 0]}, r"'H_ext\[1\]' must be finite"),
        ({"polarization": 1.5}, r"'polarization' must lie in \[0, 1\]"),
        ({"demag_factors": [0.5, 0.5, 0.5]}, "summing to 1"),
        ({"easy_axis": [0, 1]}, "must be a 3-vector"),
        ({"Ku": "big"}, "'Ku' must be a number"),
        ({"Ku": True}, "'Ku' must be a number"),
        ({"resistance_law": "ohmic"}, "'resistance_law' must be one of"),
        ({"temperature": -1}, "'temperature' must be >= 0"),
    ],
)
def test_nonphysical_values_are_refused_with_the_key_named(change, message):
    with pytest.raises(mp.MtjphysError, match=message):
        mp.Parameters(change)


def test_unknown_keys_are_refused():
    with pytest.raises(mp.MtjphysError, match=r"unknown parameter.*'thikness'"):
        mp.Parameters({"thikness": 1e-9})


def test_directions_are_normalised():
    record = mp.Parameters({"fixed_layer": [3, 4, 0]})
    assert record["fixed_layer"] == pytest.approx((0.6, 0.8, 0.0))


def test_json_file_is_partial_and_round_trips(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"alpha": 0.02, "H_ext": [1e3, 0, 0]}))
    record = mp.Parameters.from_json(path)
    assert record["alpha"] == 0.02 and record["Ms"] == mp.REFERENCE["Ms"]
    path.write_text(record.to_json())
    assert mp.Parameters.from_json(path) == record


@pytest.mark.parametrize(
    "content, message",
    [("{not json", "is not valid JSON"), ("[1, 2]", "must hold a JSON object"), (b"\xff\xfe\x00", "cannot read")],
)
def test_malformed_files_are_refused(tmp_path, content, message):
    path = tmp_path / "p.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(mp.MtjphysError, match=message):
        mp.Parameters.from_json(path)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(mp.MtjphysError, match="cannot read parameters file"):
        mp.Parameters.from_json(tmp_path / "absent.json")


def test_stacking_records():
    records = [mp.Parameters({"Ku": k}) for k in (2.3e5, 2.4e5)]
    stacked = stack_parameters(records)
    assert stacked["Ku"].shape == (2,) and stacked["easy_axis"].shape == (2, 3)
    np.testing.assert_allclose(stacked["Ku"], [2.3e5, 2.4e5])
    with pytest.raises(mp.MtjphysError, match="one resistance law"):
        stack_parameters([records[0], records[1].replace(resistance_law="linear_resistance")])


def test_a_variants_parameter_without_a_reference_value_must_be_given():
    import dataclasses

    from mtjphys import models

    @dataclasses.dataclass(frozen=True)
    class Bias(models.EnergyTerm):
        name: str = "bias_field"
        parameters: tuple = (models.Parameter("B_bias", "T", "a bias field along x"),)

        def energy_density(self, m, s):
            return -s["Ms"] * s["B_bias"] * m[0]

    model = mp.compile_model(models.macrospin_stt().with_terms(Bias(), name="with_bias"))
    with pytest.raises(mp.MtjphysError, match="missing parameter 'B_bias'"):
        mp.Parameters(model=model)
    assert mp.Parameters({"B_bias": 0.01}, model=model)["B_bias"] == 0.01
