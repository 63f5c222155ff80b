"""Property-based tests (hypothesis): the parameter record and the command line on arbitrary input.

Whatever a user hands them, they either work or say what is wrong in one line: `mp.Parameters`
raises only `mp.MtjphysError`, and `mtjphys neuron` / `mtjphys transfer` exit with status 0 or 2
(one line `mtjphys: error: ...` on stderr), never with a traceback.

The tests at the end pin the inputs hypothesis once found a traceback for.
"""

import itertools
import json
import math

import jax
import pytest
from hypothesis import example, given, HealthCheck, settings, strategies as st

import mtjphys as mp
from mtjphys.cli import run_command
from mtjphys.cli._main import cli

SPECS = mp.Parameters.specs(mp.default_model())
KEYS = sorted(SPECS)
LAWS = mp.default_model().resistance_laws
DIRECTIONS = sorted(k for k, spec in SPECS.items() if spec["constraint"] == "direction")

jax.devices()  # start the backend now, so that nothing it logs lands in an example's stderr


# ---- strategies ---------------------------------------------------------------------------------
floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1.0, -1.0, 1e-300, 1e300, -1e300, math.nan, math.inf, -math.inf]),
)
ints = st.one_of(st.integers(-10, 10), st.integers(-(2**70), 2**70), st.sampled_from([2**1024, -(10**400)]))
scalars = st.one_of(st.none(), st.booleans(), ints, floats, st.text(max_size=6))
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=5),
                               st.dictionaries(st.text(max_size=4), children, max_size=3)),
    max_leaves=8,
)


def plausible(key: str):
    """Values of the right kind for `key`: mostly valid, often at the edge of validity."""
    spec = SPECS[key]
    if spec["constraint"] == "resistance_law":
        return st.one_of(st.sampled_from(LAWS), st.text(max_size=20))
    number = st.one_of(st.floats(-2.0, 2.0), st.floats(0.0, 1e6), floats, st.integers(-3, 3))
    if spec["shape"] == (3,):
        if spec["constraint"] == "demag":
            return st.one_of(st.sampled_from([[0.0, 0.0, 1.0], [1 / 3] * 3, [0.2, 0.3, 0.5]]),
                             st.lists(number, min_size=2, max_size=4))
        return st.lists(number, min_size=2, max_size=4)
    reference = mp.REFERENCE.get(key) or 1.0  # a scale switched off (null) has no reference size
    if spec["constraint"] == "scale":
        number = st.one_of(number, st.none())
    return st.one_of(st.floats(0.0, 3.0).map(lambda f: f * reference), number)


known_entries = st.lists(st.sampled_from(KEYS), unique=True, max_size=5).flatmap(
    lambda keys: st.fixed_dictionaries({k: st.one_of(plausible(k), json_values) for k in keys}))
junk_entries = st.one_of(st.just({}), st.just({}), st.just({}),
                         st.dictionaries(st.text(max_size=10), json_values, min_size=1, max_size=2))
mappings = st.builds(lambda junk, known: {**junk, **known}, junk_entries, known_entries)


# ---- the parameter record -----------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(mappings)
@example({"alpha": 0.02, "H_ext": [1e3, 0, 0], "m0": [3, 4, 0]})
@example({"resistance_law": "linear_resistance", "temperature": 300})
@example({"V_half": None, "breakdown_voltage": 1.5, "curie_temperature": -1})
def test_a_record_is_valid_or_refused_with_an_mtjphys_error_and_round_trips(mapping):
    try:
        record = mp.Parameters(mapping)
    except mp.MtjphysError as error:
        assert "\n" not in str(error)
        return
    again = mp.Parameters(json.loads(record.to_json()))
    assert again == record and again.to_json() == record.to_json()  # exactly, directions included
    for key in KEYS:  # what was given is kept (directions normalised), the rest is the reference
        value, spec = mapping.get(key, mp.REFERENCE[key]), SPECS[key]
        if spec["constraint"] == "direction":
            norm = math.hypot(*(float(v) for v in value))
            assert record[key] == pytest.approx([float(v) / norm for v in value], rel=1e-12, abs=1e-300), key
            assert math.fsum(v * v for v in record[key]) == pytest.approx(1.0, abs=1e-12), key
        elif spec["shape"] == (3,):
            assert record[key] == tuple(float(v) for v in value), key
        elif spec["constraint"] == "scale" and value is None:  # switched off: infinite
            assert record[key] == math.inf, key
        else:
            assert record[key] == (value if key == "resistance_law" else float(value)), key


# ---- the command line ---------------------------------------------------------------------------
NONSENSE = st.sampled_from(["nan", "inf", "-inf", "-1", "0", "1e400", "-1e400", "abc", "", "1e", "0x10", "--"])

# Option values as typed: the valid ones kept cheap (few points, durations near the 1.5 ns minimum,
# |j| up to 1e13 A/m^2), the others anything.
VALID = {
    "current": st.one_of(st.floats(-2e10, 2e10), st.sampled_from([0.0, 0.8e10, 1e10, 1e13])).map(repr),
    "duration": st.sampled_from(["1.5e-9", "2e-9"]),
    "seed": st.one_of(st.integers(-5, 5), st.sampled_from([2**31, 2**63 - 1, 2**64])).map(str),
    "bandwidth": st.sampled_from(["0", "20e9", "1e12"]),
    "points": st.sampled_from(["2", "3"]),
    "samples": st.sampled_from(["2", "3"]),
}
INVALID = {
    "current": NONSENSE,
    "duration": st.one_of(NONSENSE, st.sampled_from(["1e-10", "1.4999e-9"])),
    "seed": st.sampled_from(["1.5", "x", "", "1e3"]),
    "bandwidth": NONSENSE,
    "points": st.sampled_from(["-3", "0", "1", "2.5", "x", ""]),
    "samples": st.sampled_from(["-1", "0", "1", "y"]),
}
OPTIONS = {
    "neuron": {"--current-density": "current", "--duration": "duration", "--seed": "seed",
               "--preamplifier-bandwidth": "bandwidth"},
    "transfer": {"--j-min": "current", "--j-max": "current", "--points": "points", "--samples": "samples",
                 "--seed": "seed", "--preamplifier-bandwidth": "bandwidth"},
}
REQUIRED = {"--current-density"}
KEPT = {"--points", "--samples"}  # never left to their costly defaults (41 points, 64 samples above 0 K)

cold_records = st.fixed_dictionaries({}, optional={
    "alpha": st.floats(0.005, 0.05), "epsilon_prime": st.floats(-0.2, 0.2),
    "resistance_law": st.sampled_from(LAWS), "H_ext": st.lists(st.floats(-1e4, 1e4), min_size=3, max_size=3)})
hot_records = st.fixed_dictionaries({"temperature": st.sampled_from([1.0, 300.0])})
valid_params = st.one_of(cold_records, cold_records, cold_records, hot_records).map(json.dumps)
invalid_params = st.one_of(
    st.one_of(scalars, st.lists(json_values, max_size=4)).map(json.dumps),  # not an object
    st.dictionaries(st.text(max_size=8), json_values, min_size=1, max_size=2).map(json.dumps),  # unknown keys
    st.fixed_dictionaries({}, optional={k: st.one_of(json_values, st.just(-1.0))
                                        for k in ("alpha", "Ms", "m0", "resistance_law")}).filter(
        lambda d: d and not _valid(d)).map(json.dumps),  # invalid values
    st.text(max_size=20),  # not JSON
)


def _valid(mapping) -> bool:
    try:
        mp.Parameters(mapping)
    except mp.MtjphysError:
        return False
    return True


@st.composite
def command_lines(draw):
    """(arguments without the files, params file content or None, how --params is given, where -o
    points). A quarter of them are valid runs; the others have something wrong somewhere."""
    command = draw(st.sampled_from(sorted(OPTIONS)))
    tidy = draw(st.integers(0, 3)) == 0
    groups = []
    for name, kind in OPTIONS[command].items():
        if tidy:
            choice = "valid" if name in REQUIRED | KEPT else draw(st.sampled_from(["valid", "absent"]))
        elif name in KEPT:
            choice = draw(st.sampled_from(["valid", "valid", "invalid", "no value"]))
        else:
            choice = draw(st.sampled_from(["valid", "valid", "absent", "invalid", "no value"]))
        if choice == "valid":
            groups.append([draw(st.sampled_from([name, "-j"])) if name == "--current-density" else name,
                           draw(VALID[kind])])
        elif choice == "invalid":
            groups.append([name, draw(INVALID[kind])])
        elif choice == "no value":
            groups.append([name])
    groups.append(draw(st.sampled_from([[], [], ["--overwrite"]])))
    if not tidy:
        groups.append(draw(st.sampled_from([[]] * 6 + [["--bogus"], ["-z", "1"], ["extra"]])))
    groups = [g for g in draw(st.permutations(groups)) if g]
    if tidy:
        content = draw(st.one_of(st.none(), valid_params))
        params = "file" if content is not None else None
        output = "fresh"
    else:
        content = draw(st.one_of(st.none(), valid_params, invalid_params, invalid_params))
        params = draw(st.sampled_from(["file", "file", "absent", "directory"])) if content is not None else None
        output = draw(st.sampled_from(["fresh", "fresh", "fresh", "missing", "existing", "no directory"]))
    return [command, *itertools.chain(*groups)], content, params, output


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command_lines())
@example((["neuron", "-j", "0.9e10"], None, None, "fresh"))
@example((["transfer", "--points", "3"], '{"alpha": 0.02}', "file", "fresh"))
def test_the_command_line_never_shows_a_traceback(tmp_path, capsys, drawn):
    args, content, params, output = drawn
    index = next(_COUNTER)
    folder = tmp_path / f"example{index}"
    folder.mkdir()
    if content is not None:
        path = {"file": folder / "p.json", "absent": folder / "absent.json", "directory": folder}[params]
        if params == "file":
            path.write_text(content)
        args = [*args, "--params", str(path)]
    existing = folder / "existing.nc"
    existing.write_bytes(b"precious")
    target = {"fresh": folder / "out.nc", "existing": existing, "no directory": folder / "absent" / "out.nc",
              "missing": None}[output]
    if target is not None:
        args = [*args, "-o", str(target)]
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        run_command(cli, args, prog_name="mtjphys")
    _, err = capsys.readouterr()
    code = exit_info.value.code
    assert code in (0, 2), (code, err)
    assert "Traceback" not in err
    if code == 2:
        assert err.startswith("mtjphys: error: ") and err.count("\n") == 1 and err.endswith("\n"), err
    assert existing.read_bytes() == b"precious" or "--overwrite" in args


_COUNTER = itertools.count()


# ---- inputs that once gave a traceback: one pinned example each ------------------------------------
def test_an_integer_beyond_the_float_range_is_refused_in_one_line():
    with pytest.raises(mp.MtjphysError, match="'Ku'"):
        mp.Parameters({"Ku": 2**1024})


def test_a_direction_with_huge_or_tiny_components_normalises_to_a_unit_vector():
    assert mp.Parameters({"easy_axis": [0.0, 0.0, 1.3407807929942597e154]})["easy_axis"] == (0.0, 0.0, 1.0)
    assert mp.Parameters({"easy_axis": [0.0, 3e-200, 4e-200]})["easy_axis"] == pytest.approx((0.0, 0.6, 0.8))


def test_a_record_with_a_non_unit_direction_round_trips_exactly():
    record = mp.Parameters({"easy_axis": [0.0, 1.0, 1.0]})
    assert mp.Parameters(json.loads(record.to_json())) == record


def _cli_status(tmp_path, capsys, args):
    with pytest.raises(SystemExit) as exit_info:
        run_command(cli, [*args, "-o", str(tmp_path / "out.nc")], prog_name="mtjphys")
    err = capsys.readouterr().err
    return exit_info.value.code, err


def test_a_seed_beyond_64_bits_above_zero_kelvin_is_refused_in_one_line(tmp_path, capsys):
    params = tmp_path / "hot.json"
    params.write_text('{"temperature": 300}')
    code, err = _cli_status(tmp_path, capsys, ["neuron", "-j", "0.9e10", "--seed", str(2**64), "--params", str(params)])
    assert code == 2 and err.startswith("mtjphys: error: ") and err.count("\n") == 1


def test_a_tiny_readout_bandwidth_is_refused_in_one_line(tmp_path, capsys):
    code, err = _cli_status(tmp_path, capsys, ["neuron", "-j", "0.9e10", "--preamplifier-bandwidth", "1e-300"])
    assert code == 2 and err.startswith("mtjphys: error: ") and err.count("\n") == 1


def test_an_absurd_number_of_points_is_refused_in_one_line(tmp_path, capsys):
    code, err = _cli_status(tmp_path, capsys, ["transfer", "--points", str(2**70)])
    assert code == 2 and err.startswith("mtjphys: error: ") and err.count("\n") == 1


@pytest.mark.parametrize("args", [["neuron", "-j", "1e15"], ["transfer", "--points", "2", "--j-max", "1e16"]])
def test_a_current_the_solver_cannot_follow_is_refused_in_one_line(tmp_path, capsys, args):
    code, err = _cli_status(tmp_path, capsys, args)
    assert code == 2 and err.startswith("mtjphys: error: ") and err.count("\n") == 1
