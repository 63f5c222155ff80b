"""A fit's sanity: data on another scale than the start record predicts are refused naming the likely unit, and a
fit whose estimate sits at a bound (or is lost in its error) is written only when asked."""

import json
import types

import numpy as np
import pytest

import mtjphys as mp
from mtjphys.cli import run_command
from mtjphys.cli._main import cli
from mtjphys.fitting._fit import Coordinate, TraceData, TransferData
from mtjphys.fitting._measured import DispersionData, LinewidthData, LoopData
from mtjphys.fitting._sanity import check_scale, poor_fit

RECORD = mp.Parameters()
FIELDS = np.linspace(2e5, 8e5, 8)


def _run(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run_command(cli, args, prog_name="mtjphys")
    return exit_info.value.code, capsys.readouterr()


@pytest.mark.parametrize("data, unit", [
    (TraceData("ringing.csv", np.linspace(0, 1.5e-9, 20), np.full(20, 11.05), 0.9e10), "kOhm"),
    (TraceData("ringing.csv", np.linspace(0, 1.5e-9, 20), np.full(20, 11.05e6), 0.9e10), "mOhm"),
    (LoopData("loop.csv", np.linspace(-1e5, 1e5, 9), np.full(9, 0.0121)), "MOhm"),
    (TransferData("curve.csv", np.linspace(0.8e10, 1e10, 5), np.linspace(0.114, 0.145, 5)), "kOhm"),
    (DispersionData("fmr.csv", FIELDS, np.linspace(5, 25, 8)), "GHz"),
    (DispersionData("fmr.csv", FIELDS, np.linspace(5e3, 25e3, 8)), "MHz"),
    (LinewidthData("fmr.csv", FIELDS, np.full(8, 0.3)), "GHz"),
])
def test_data_in_a_wrong_unit_are_refused_naming_it(data, unit):
    with pytest.raises(mp.MtjphysError) as error:
        check_scale(data, RECORD)
    message = str(error.value)
    assert message.startswith(data.source) and f"is the column in {unit}?" in message and "\n" not in message


def test_data_on_the_scale_of_the_start_pass():
    dispersion = mp.resonance(RECORD, FIELDS, direction=[0, 0, 1])
    check_scale(DispersionData("fmr.csv", FIELDS, dispersion.frequency.values[:, 0]), RECORD)
    check_scale(LinewidthData("fmr.csv", FIELDS, dispersion.linewidth.values[:, 0]), RECORD)
    check_scale(TraceData("ringing.csv", np.linspace(0, 1.5e-9, 20), np.full(20, 11050.0), 0.9e10), RECORD)
    check_scale(TransferData("curve.csv", np.linspace(0.8e10, 1e10, 5), np.linspace(114, 145, 5)), RECORD)


def _result(estimate, error, low=0.0, high=np.inf, name="alpha"):
    coordinate = Coordinate(name, "1", 0.01, low, high)
    fitted = RECORD.replace(check_plausibility=False, **{name: estimate})
    return types.SimpleNamespace(free=(coordinate,), estimate=np.array([estimate]), standard_error=np.array([error]),
                                 fitted=fitted)


def test_poor_fits_say_why():
    assert poor_fit(_result(0.0102, 1e-4)) == []
    at_bound = poor_fit(_result(5.6e-26, 34.0))
    assert any("alpha = 5.6e-26 sits at its lower bound 0" in r for r in at_bound)
    assert any("standard error of alpha (34) exceeds its estimate" in r for r in at_bound)
    assert any("fitted record is implausible: alpha = 5.6e-26" in r for r in at_bound)
    assert any("upper bound 0.02" in r for r in poor_fit(_result(0.02, 1e-4, 0.005, 0.02)))


def test_cli_refuses_a_trace_in_kilo_ohm_and_writes_nothing(tmp_path, capsys):
    csv = tmp_path / "ringing.csv"
    times = np.linspace(0, 1.5e-9, 30)
    csv.write_text("time,resistance\n" + "\n".join(f"{t:.6e},{11.05 + 0.1 * np.sin(1.7e10 * t):.6f}"
                                                   for t in times))
    code, captured = _run(["fit", str(csv), "-j", "0.9e10", "--free", "alpha", "-o", str(tmp_path / "f.nc")], capsys)
    assert code == 2 and "is the column in kOhm?" in captured.err and captured.err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ringing.csv"]


@pytest.mark.slow
def test_cli_writes_a_fit_at_its_bound_only_when_asked(tmp_path, capsys):
    curve = mp.transfer_curve(RECORD, np.linspace(0.8e10, 1e10, 6))
    csv = tmp_path / "curve.csv"
    csv.write_text("current_density,delta_r\n" + "\n".join(
        f"{j:.6e},{r:.6f}" for j, r in zip(curve.current_density.values, curve.delta_r.values)))
    start = tmp_path / "start.json"
    start.write_text(json.dumps({"alpha": 0.015}))  # inside the bounds; the truth, 0.01, below them
    args = ["fit", str(csv), "--free", "alpha", "--bounds", "alpha=0.012:0.02", "--starts", "1", "--params",
            str(start), "-o", str(tmp_path / "f.nc")]
    code, captured = _run(args, capsys)
    assert code == 2 and "a poor fit, nothing written: alpha = 0.012 sits at its lower bound 0.012" in captured.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["curve.csv", "start.json"]
    code, captured = _run(args + ["--accept-poor-fit"], capsys)
    assert code == 0 and (tmp_path / "f.nc").exists()
    assert json.loads((tmp_path / "f.json").read_text())["alpha"] == pytest.approx(0.012, rel=1e-4)
