"""Smoke runs of the studies (quick settings): files, variables, the paper's figures."""

import json

import pytest

import mtjphys as mp
from mtjphys._cli import cli


def test_fig1_neuron_quick(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        mp.run_command(cli, ["study", "fig1_neuron", "-o", str(tmp_path), "--quick"], prog_name="mtjphys")
    assert exit_info.value.code == 0
    dataset = mp.open_dataset(tmp_path / "fig1_neuron.nc")
    assert (tmp_path / "fig1_neuron.png").stat().st_size > 10_000
    summary = json.loads(dataset.attrs["summary"])
    assert summary["monotonic_on_window"] and summary["extrema_in_window"] >= 3
    assert abs(summary["delta_r_low"] - 114) <= 3 and abs(summary["delta_r_high"] - 145) <= 3
    assert {"resistance", "delta_r", "delta_r_relative_wide"} <= set(dataset.data_vars)
    # a second run refuses to overwrite
    with pytest.raises(SystemExit) as exit_info:
        mp.run_command(cli, ["study", "fig1_neuron", "-o", str(tmp_path), "--quick"], prog_name="mtjphys")
    assert exit_info.value.code == 2 and "--overwrite" in capsys.readouterr().err


def _study(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        mp.run_command(cli, ["study", *args], prog_name="mtjphys")
    return exit_info.value.code, capsys.readouterr()


def test_fig2_generation_surrogate_two_seeds(tmp_path, capsys):
    code, _ = _study(["fig2_generation", "-o", str(tmp_path), "--mode", "surrogate", "--seeds", "2"], capsys)
    assert code == 0
    run = mp.open_dataset(tmp_path / "fig2_generation.nc")
    assert run.output.dims == ("time",) and run.target.dims == ("time",) and run.learning.dtype == bool
    assert run.readout_weights_over_time.dims == ("readout_time", "readout", "mtj")
    summary = mp.open_dataset(tmp_path / "fig2_summary.nc")
    assert summary.passed.dims == ("seed",) and bool(summary.passed.all())
    assert (tmp_path / "fig2_generation.png").stat().st_size > 10_000


def test_fig2_generation_device_mode_one_seed(tmp_path):
    from studies import fig2_generation

    summary = fig2_generation.run(tmp_path, seed=0, seeds=0, mode="device", progress=False)
    assert summary["first_passed"] and summary["second_passed"]


def test_fig4_recognition_device_mode_is_perfect_at_5_percent_noise(tmp_path, capsys):
    code, captured = _study(["fig4_recognition", "-o", str(tmp_path), "--sweep-seeds", "0"], capsys)
    assert code == 0 and "test_correct: 100 of 100" in captured.out
    run = mp.open_dataset(tmp_path / "fig4_recognition.nc")
    assert {"label", "predicted", "split", "input", "output"} <= set(run.data_vars)
    assert int((run.split == "test").sum()) == 100 and int((run.split == "train").sum()) == 60


def test_fig4_noise_sweep_small(tmp_path):
    from studies import fig4_recognition

    summary = fig4_recognition.run(tmp_path, mode="surrogate", sweep_seeds=1, sweep_noise=(0.0, 0.5), progress=False)
    sweep = mp.open_dataset(tmp_path / "fig4_noise_sweep.nc")
    assert sweep.accuracy.dims == ("condition", "noise", "seed")
    assert float(sweep.accuracy.sel(condition="paper", noise=0.0).min()) == 1.0
    assert summary["accuracy_paper"]["0"] == 1.0


@pytest.mark.parametrize(
    "args, message",
    [
        (["fig2_generation", "--n-mtj", "1"], "at least 2 MTJs"),
        (["fig2_generation", "--transfer", "x.nc"], "--transfer applies to --mode surrogate only"),
        (["fig4_recognition", "--omega-sine", "5e9"], "omega_sine must lie"),
        (["fig4_recognition", "--noise", "-0.1"], "noise must be >= 0"),
    ],
)
def test_study_bad_input(tmp_path, capsys, args, message):
    code, captured = _study([*args, "-o", str(tmp_path / "out")], capsys)
    assert code == 2 and message in captured.err and captured.err.count("\n") == 1
    assert not any((tmp_path / "out").glob("*"))
