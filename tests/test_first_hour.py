"""What a newcomer meets in the first hour: help at once, limits that apply only where they mean something,
energies in the prefix that fits, solver failures that name the parameters behind them, and summaries above
0 K that say how noisy they are."""

import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest
import xarray as xr

import mtjphys as mp
from mtjphys._units import si
from mtjphys.cli import run_command
from mtjphys.cli._main import cli, describe_transfer


def _run(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run_command(cli, args, prog_name="mtjphys")
    return exit_info.value.code, capsys.readouterr()


def test_help_imports_no_jax():
    code = ("import sys; from mtjphys.cli import cli, run_command\n"
            "try:\n    run_command(cli, ['--help'], prog_name='mtjphys')\n"
            "except SystemExit as e:\n    assert e.code == 0\n"
            "assert 'jax' not in sys.modules, 'jax imported'\nprint('ok')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip().endswith("ok"), result.stderr
    assert "neuron" in result.stdout and "transfer" in result.stdout


@pytest.mark.parametrize("value, words", [(76725434.6e-15, "76.7 nJ"), (3.31e-12, "3.31 pJ"), (999.96e-15, "1 pJ"),
                                          (1.5e-16, "150 aJ"), (0.0, "0 J"), (2.5e-3, "2.5 mJ"), (12.3, "12.3 J")])
def test_energies_print_in_the_prefix_that_fits(value, words):
    assert si(value, "J") == words


def test_neuron_prints_its_energy_with_a_fitting_prefix(tmp_path, capsys):
    code, captured = _run(["neuron", "-j", "0.9e10", "-o", str(tmp_path / "n.nc")], capsys)
    energy = float(xr.open_dataset(tmp_path / "n.nc").energy)
    assert code == 0 and si(energy, "J") in captured.out and "fJ" in captured.out


@pytest.mark.slow
def test_transfer_at_zero_kelvin_is_not_limited_by_samples(tmp_path, capsys):
    out = tmp_path / "t.nc"
    code, captured = _run(["transfer", "--points", "100000", "-o", str(out)], capsys)
    assert code == 0, captured.err
    with xr.open_dataset(out) as curve:
        assert curve.sizes["current_density"] == 100000 and np.all(np.isfinite(curve.delta_r.values))
    hot = tmp_path / "hot.json"
    hot.write_text(json.dumps({"temperature": 300}))
    code, captured = _run(["transfer", "--points", "100000", "--params", str(hot), "-o", str(tmp_path / "h.nc")],
                          capsys)
    assert code == 2 and "above 0 K need --points x --samples <= 4194304" in captured.err


def test_a_stiff_record_names_its_parameters_when_the_solver_fails(tmp_path, capsys):
    params = tmp_path / "p.json"
    params.write_text(json.dumps({"Ms": 1100}))
    out = tmp_path / "n.nc"
    code, captured = _run(["neuron", "-j", "1e10", "--params", str(params), "--allow-implausible", "-o", str(out)],
                          capsys)
    assert code == 2 and not out.exists() and captured.err.count("\n") == 1
    assert "the solver failed" in captured.err and "2 Ku / (mu0 Ms)" in captured.err and "Ms = 1100" in captured.err


def test_the_breakdown_default_refuses_a_drive_in_one_line(tmp_path, capsys):
    code, captured = _run(["neuron", "-j", "1e13", "-o", str(tmp_path / "n.nc")], capsys)
    assert code == 2 and "above its breakdown voltage of 2 V" in captured.err
    assert not (tmp_path / "n.nc").exists()


def _noisy_curve(means, stds, samples=64):
    j = np.linspace(0.8e10, 1e10, len(means))
    dataset = xr.Dataset({"delta_r": ("current_density", np.asarray(means, float)),
                          "delta_r_std": ("current_density", np.asarray(stds, float)),
                          "delta_r_normalized": ("current_density", np.zeros(len(means)))},
                         coords={"current_density": j}, attrs={"samples_per_current": samples})
    return dataset


def test_a_summary_above_zero_kelvin_gives_mean_and_spread_and_says_when_noise_dominates():
    words = describe_transfer(_noisy_curve([1016.1, 700.0, 690.3], [250.0, 240.0, 260.0]))
    assert "1016.1 ± 250.0 to 690.3 ± 260.0 ohm" in words and "64 realisations" in words
    assert "comparable to the change along the curve" in words
    quiet = describe_transfer(_noisy_curve([114.0, 130.0, 145.0], [1.0, 1.0, 1.0]))
    assert "comparable" not in quiet


@pytest.mark.slow
def test_noise_is_not_normalised():
    hot = mp.Parameters({"temperature": 300.0})
    # one current a hair apart: the curve's change is noise alone
    curve = mp.transfer_curve(hot, [0.9e10, 0.9e10 * (1 + 1e-9)], samples=8, seed=3)
    assert np.all(np.isnan(curve.delta_r_normalized.values))
    assert "within 3 standard errors" in curve.delta_r_normalized.attrs["note"]
    cold = mp.transfer_curve(mp.Parameters({"temperature": 1.0}), [0.8e10, 1e10], samples=8, seed=3)
    assert np.allclose(cold.delta_r_normalized.values, [0.0, 1.0]) and "note" not in cold.delta_r_normalized.attrs


def test_a_stopped_study_leaves_no_empty_folder_and_exits_130(tmp_path, capsys):
    from mtjphys.reproduction import prepare_outputs, Study

    def run(output_dir, *, overwrite):
        prepare_outputs(output_dir, ["a.nc"], overwrite)
        (pathlib.Path(output_dir) / "sweeps" / "point").mkdir(parents=True)
        raise KeyboardInterrupt

    study = Study("stopped", "a study stopped by Ctrl-C", "Stops.", run, ("a.nc",))
    out = tmp_path / "new" / "out"
    with pytest.raises(SystemExit) as exit_info:
        run_command(study.command(), ["-o", str(out)], prog_name="mtjphys study stopped")
    assert exit_info.value.code == 130 and "interrupted" in capsys.readouterr().err
    assert not out.exists()
    kept = tmp_path / "kept"
    (kept / "mine.txt").parent.mkdir()
    (kept / "mine.txt").write_text("a user's file")
    with pytest.raises(SystemExit):
        run_command(study.command(), ["-o", str(kept)], prog_name="mtjphys study stopped")
    assert (kept / "mine.txt").read_text() == "a user's file"
