"""Smoke runs of the studies (quick settings): files, variables, the paper's figures."""


import pytest

import mtjphys as mp
from mtjphys._cli import cli


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


@pytest.mark.parametrize(
    "args, message",
    [
        (["fig2_generation", "--n-mtj", "1"], "at least 2 MTJs"),
        (["fig2_generation", "--transfer", "absent.nc"], "cannot read dataset 'absent.nc'"),
        (["fig4_recognition", "--omega-sine", "5e9"], "omega_sine must lie"),
        (["fig4_recognition", "--noise", "-0.1"], "noise must be >= 0"),
    ],
)
def test_study_bad_input(tmp_path, capsys, args, message):
    code, captured = _study([*args, "-o", str(tmp_path / "out")], capsys)
    assert code == 2 and message in captured.err and captured.err.count("\n") == 1
    assert not any((tmp_path / "out").glob("*"))
