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
