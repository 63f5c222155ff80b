"""The physical_reservoir study: its refusals, and a small run whose figures are recomputed from what it wrote."""

import json

import numpy as np
import pytest
from mtjphys.studies import physical_reservoir

import mtjphys as mp
from mtjphys.cli import run_command
from mtjphys.cli._main import cli
from mtjphys.networks import benchmark_metrics


def _mtjphys(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run_command(cli, args, prog_name="mtjphys")
    return exit_info.value.code, capsys.readouterr()


@pytest.mark.parametrize("args, message", [
    (["--theta", "0"], "--theta must be a positive duration"),
    (["--theta", "-5e-11"], "--theta must be a positive duration"),
    (["--theta", "50"], "did you mean ps or ns"),
    (["--theta", "5e-11", "--feedback-delay", "2e-11"], "shorter than theta"),
    (["--theta", "5e-11", "--feedback-delay", "7e-11"], "not a whole number of thetas"),
    (["--feedback-delay", "1e-9"], "needs --theta"),
    (["--virtual-nodes", "1"], "--virtual-nodes must be at least 2"),
    (["--trials", "0"], "--trials and --seeds must be at least 1"),
    (["--sweep-points", "1"], "--sweep-points must be 0"),
])
def test_bad_options_get_one_line_and_write_nothing(args, message, tmp_path, capsys):
    code, captured = _mtjphys(["study", "physical_reservoir", "-o", str(tmp_path / "out"), *args], capsys)
    assert code == 2 and message in captured.err and captured.err.count("\n") == 1
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*"))


@pytest.mark.slow
def test_a_small_run_writes_each_reservoirs_predictions_and_the_search(tmp_path):
    summary = physical_reservoir.run(tmp_path, task="narma10", virtual_nodes=6, trials=2, seeds=2, quick=True,
                                     theta=40e-12, feedback_delay=280e-12, sweep_points=0, progress=False)
    dataset = mp.open_dataset(tmp_path / "physical_reservoir_narma10.nc")
    assert list(dataset.reservoir.values) == list(physical_reservoir.COLUMNS)
    assert set(np.unique(dataset.split.values)) == {"washout", "train", "validation", "test"}
    for reservoir in physical_reservoir.COLUMNS:
        for seed in dataset.seed.values:
            part = dataset.sel(reservoir=reservoir, seed=seed)
            figure = benchmark_metrics(part.assign_attrs(task="narma10", task_kind="regression"))["nrmse"]
            assert figure == pytest.approx(float(part.nrmse), rel=1e-12)
        best = json.loads(dataset.attrs[f"{reservoir}_tuning_best"])
        assert dataset.attrs[f"{reservoir}_tuning_trials"] == 2 and best
    # the user's theta and delay are kept, not searched
    best = json.loads(dataset.attrs["mtj_multiplexed_tuning_best"])
    assert best["theta"] == 40e-12 and best["delay"] == 7 and "theta" not in json.loads(
        dataset.attrs["mtj_multiplexed_tuning_space"])
    energy = dataset.energy_per_input.sel(reservoir="mtj_multiplexed").values
    assert np.all(energy > 0) and np.all(np.isnan(dataset.energy_per_input.sel(reservoir="esn").values))
    warm = dataset.nrmse.sel(reservoir="mtj_multiplexed_300K").values
    assert np.all(np.isfinite(warm)) and not np.allclose(warm, dataset.nrmse.sel(reservoir="mtj_multiplexed").values)
    assert summary["tasks"]["narma10"]["reservoirs"]["esn"]["seeds"] == 2
    section = physical_reservoir.report(summary)
    assert len(section.rows) == len(section.verdicts) == 2
