"""The command line: outputs with provenance, and one-line errors that lose nothing."""

import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest
import xarray as xr

import mtjphys as mp
from mtjphys import references
from mtjphys.cli import run_command
from mtjphys.cli._main import cli
from mtjphys.data import atomic_write


def run(args, capsys):
    """Run `mtjphys ARGS` in-process. Returns: (exit status, stdout, stderr)."""
    with pytest.raises(SystemExit) as exit_info:
        run_command(cli, args, prog_name="mtjphys")
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


def test_neuron_writes_a_dataset_another_code_can_recompute(tmp_path, capsys):
    out = tmp_path / "n.nc"
    code, stdout, _ = run(["neuron", "--current-density", "0.9e10", "-o", str(out)], capsys)
    assert code == 0 and "dR =" in stdout
    dataset = mp.open_dataset(out)
    assert dataset.resistance.dims == ("time",) and dataset.resistance.attrs["units"] == "ohm"
    assert dataset.m.dims == ("time", "component")
    for key in ("mtjphys_version", "git_commit", "created", "command", "model_name", "model_hash", "solver",
                "rtol", "atol", "seed", "package_versions", "parameters"):
        assert key in dataset.attrs, key
    record = json.loads(dataset.attrs["parameters"])
    independent = references.scipy_delta_r(record, 0.9e10)
    assert abs(float(dataset.delta_r) - independent) < 0.01


def test_transfer_with_a_partial_params_file(tmp_path, capsys):
    params = tmp_path / "p.json"
    params.write_text(json.dumps({"alpha": 0.02}))
    out = tmp_path / "t.nc"
    code, _, _ = run(["transfer", "--points", "5", "--params", str(params), "-o", str(out)], capsys)
    assert code == 0
    dataset = mp.open_dataset(out)
    assert dataset.delta_r.dims == ("current_density",) and dataset.current_density.size == 5
    assert json.loads(dataset.attrs["parameters"])["alpha"] == 0.02
    assert float(dataset.delta_r_normalized.min()) == 0 and float(dataset.delta_r_normalized.max()) == 1
    assert dataset.resistance_equilibrium.attrs["units"] == "ohm"


def _write(path, text):
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(
    "make_args, message",
    [
        (lambda d: ["neuron", "-j", "nan"], "current density must be finite"),
        (lambda d: ["neuron", "-j", "abc"], "is not a valid float"),
        (lambda d: ["neuron", "-j", "1e10", "--duration", "1e-10"], "duration must be at least"),
        (lambda d: ["neuron", "-j", "1e10", "--params", _write(d / "p.json", '{"thickness": 0}')],
         "'thickness' must be > 0"),
        (lambda d: ["neuron", "-j", "1e10", "--params", _write(d / "p.json", '{"alpha": -1}')], "'alpha' must be >= 0"),
        (lambda d: ["neuron", "-j", "1e10", "--params", _write(d / "p.json", '{"Ms": -5}')], "'Ms' must be > 0"),
        (lambda d: ["neuron", "-j", "1e10", "--params", _write(d / "p.json", '{"fixed_layer": [0,0,0]}')],
         "zero length"),
        (lambda d: ["neuron", "-j", "1e10", "--params", _write(d / "p.json", '{"gamma": NaN}')],
         "'gamma' must be finite"),
        (lambda d: ["neuron", "-j", "1e10", "--params", _write(d / "p.json", '{"colour": 1}')], "unknown parameter"),
        (lambda d: ["neuron", "-j", "1e10", "--params", _write(d / "p.json", '{"alpha": ')], "not valid JSON"),
        (lambda d: ["neuron", "-j", "1e10", "--params", str(d / "absent.json")], "cannot read parameters file"),
        (lambda d: ["neuron", "-j", "1e10", "--params", str(d)], "is a directory"),
        (lambda d: ["transfer", "--points", "1"], "--points must lie in [2, 1000000]"),
        (lambda d: ["transfer", "--j-min", "2e10", "--j-max", "1e10"], "--j-min < --j-max"),
        (lambda d: ["neuron"], "give exactly one of --current-density (-j) and --voltage (-V)"),
        (lambda d: ["transfer", "--preamplifier-bandwidth", "-1"], "--preamplifier-bandwidth must be >= 0 Hz"),
        (lambda d: ["neuron", "-j", "1e10", "--preamplifier-bandwidth", "nan"],
         "--preamplifier-bandwidth must be >= 0 Hz"),
    ],
)
def test_bad_input_gives_one_line_and_no_file(tmp_path, capsys, make_args, message):
    out = tmp_path / "out.nc"
    code, _, stderr = run([*make_args(tmp_path), "-o", str(out)], capsys)
    assert code == 2
    assert stderr.count("\n") == 1 and stderr.startswith("mtjphys: error: ") and message in stderr
    assert "Traceback" not in stderr
    assert not out.exists()
    assert not list(tmp_path.glob(".out.nc.*"))  # no temporary left behind


def test_unwritable_output_paths(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for target, message in [(tmp_path / "missing" / "o.nc", "does not exist"), (tmp_path, "is a directory"),
                            (blocker / "o.nc", "does not exist")]:
        code, _, stderr = run(["transfer", "--points", "3", "-o", str(target)], capsys)
        assert code == 2 and message in stderr and stderr.count("\n") == 1


def test_existing_output_is_kept_unless_overwrite(tmp_path, capsys):
    out = tmp_path / "t.nc"
    out.write_text("precious")
    code, _, stderr = run(["transfer", "--points", "3", "-o", str(out)], capsys)
    assert code == 2 and "exists; pass --overwrite" in stderr and out.read_text() == "precious"
    code, _, _ = run(["transfer", "--points", "3", "-o", str(out), "--overwrite"], capsys)
    assert code == 0 and mp.open_dataset(out).current_density.size == 3


def test_the_installed_entry_point_reports_errors_without_traceback(tmp_path):
    out = tmp_path / "x" / "y.nc"
    result = subprocess.run([sys.executable, "-m", "mtjphys", "neuron", "-j", "1e10", "-o", str(out)],
                            capture_output=True, text=True)
    assert result.returncode == 2 and result.stderr.strip().count("\n") == 0 and "does not exist" in result.stderr


def test_interrupted_write_leaves_no_file(tmp_path):
    out = tmp_path / "d.nc"

    def failing(temporary):
        with open(temporary, "w") as handle:
            handle.write("half a file")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(out, failing)
    assert list(tmp_path.iterdir()) == []


def test_written_file_is_readable_by_xarray_with_units(tmp_path):
    dataset = mp.transfer_curve(mp.Parameters(), np.linspace(0.8e10, 1e10, 3))
    path = mp.write_dataset(dataset, tmp_path / "t.nc")
    with xr.open_dataset(path) as loaded:
        for name, variable in loaded.variables.items():
            assert "units" in variable.attrs and "long_name" in variable.attrs, name


@pytest.mark.slow
def test_neuron_above_zero_kelvin_on_its_defaults(tmp_path, capsys):
    params = tmp_path / "hot.json"
    params.write_text(json.dumps({"temperature": 300}))
    out = tmp_path / "n.nc"
    code, _stdout, stderr = run(["neuron", "-j", "0.9e10", "--params", str(params), "-o", str(out)], capsys)
    assert code == 0, stderr
    dataset = mp.open_dataset(out)
    assert json.loads(dataset.attrs["parameters"])["temperature"] == 300
    spacing = np.diff(dataset.time.values)
    assert np.allclose(spacing, 1e-12) and float(dataset.attrs["dt"]) <= 2.5e-12
    assert float(np.asarray(dataset.attrs["dt"])) * round(1e-12 / float(dataset.attrs["dt"])) == pytest.approx(1e-12)


def test_atomic_write_keeps_the_umask_syncs_and_never_overwrites_unasked(tmp_path, monkeypatch):
    import os

    synced = []
    original_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda handle: synced.append(handle) or original_fsync(handle))
    monkeypatch.setattr(os, "umask", lambda *_: pytest.fail("atomic_write must not touch the process umask"))
    out = atomic_write(tmp_path / "a.txt", lambda tmp: pathlib.Path(tmp).write_text("one"))
    assert out.read_text() == "one" and len(synced) == 2  # the file, then its directory
    monkeypatch.undo()
    mask = os.umask(0o027)
    try:
        atomic_write(tmp_path / "b.txt", lambda tmp: pathlib.Path(tmp).write_text("two"))
    finally:
        os.umask(mask)
    assert (tmp_path / "b.txt").stat().st_mode & 0o777 == 0o640

    def racing(tmp):  # another writer creates the file while this one writes
        (tmp_path / "c.txt").write_text("theirs")
        pathlib.Path(tmp).write_text("ours")

    with pytest.raises(mp.MtjphysError, match="exists; pass --overwrite"):
        atomic_write(tmp_path / "c.txt", racing)
    assert (tmp_path / "c.txt").read_text() == "theirs" and sorted(p.name for p in tmp_path.iterdir()) == [
        "a.txt", "b.txt", "c.txt"]


def test_many_points_at_zero_kelvin_are_not_limited_by_samples(tmp_path, capsys, monkeypatch):
    """--samples counts realisations above 0 K only: at 0 K 100000 points reach the solve (stubbed here),
    while above 0 K the same points times the default 64 samples are refused in one line."""
    from mtjphys.cli import _main

    reached = []

    def stub(parameters, current_densities, **options):
        reached.append(len(current_densities))
        raise mp.MtjphysError("stub: the transfer curve was reached")

    monkeypatch.setattr(_main, "transfer_curve", stub)
    code, _, stderr = run(["transfer", "--points", "100000", "-o", str(tmp_path / "t.nc")], capsys)
    assert code == 2 and "stub: the transfer curve was reached" in stderr and reached == [100000]
    params = tmp_path / "hot.json"
    params.write_text(json.dumps({"temperature": 300.0}))
    code, _, stderr = run(["transfer", "--points", "100000", "--params", str(params), "-o", str(tmp_path / "h.nc")],
                          capsys)
    assert code == 2 and "above 0 K need --points x --samples <= 4194304" in stderr and reached == [100000]


def test_transfer_above_zero_kelvin_through_a_chosen_readout(tmp_path, capsys):
    params = tmp_path / "hot.json"
    params.write_text(json.dumps({"temperature": 1.0, "area": mp.REFERENCE["area"] * 100, "breakdown_voltage": None}))
    out = tmp_path / "t.nc"
    code, _, stderr = run(["transfer", "--points", "2", "--samples", "8", "--preamplifier-bandwidth", "0",
                           "--params", str(params), "-o", str(out)], capsys)
    assert code == 0, stderr
    dataset = mp.open_dataset(out)
    assert dataset.attrs["preamplifier_bandwidth"] == "none (unfiltered)" and dataset.attrs["preamplifier_hold"] > 1e-10
    assert dataset.delta_r_std.dims == ("current_density",) and dataset.attrs["samples_per_current"] == 8
