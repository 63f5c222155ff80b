"""Fitting a record to measurements: synthetic traces fitted back, the standard errors' coverage, what the
data cannot separate, the CSV reader, and every bad input refused in one line with nothing written."""

import dataclasses
import json
import math
import re

import jax.numpy as jnp
import numpy as np
import pytest

import mtjphys as mp
from mtjphys.cli import run_command
from mtjphys.cli._main import cli
from mtjphys.fitting import TraceData
from mtjphys.fitting._fit import Coordinate, coordinates, parse_bounds, read_csv

J = 0.9e10
TRUTH = mp.Parameters()
FREE = ["alpha", "Ku", "polarization"]
START = TRUTH.replace(alpha=0.012, Ku=2.35e5, polarization=0.55)


def run(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run_command(cli, args, prog_name="mtjphys")
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


@pytest.fixture(scope="module")
def ringing():
    """The truth's R(t) on an irregular sampling (a random sorted subset of a 1 ps grid)."""
    trace = mp.neuron_trace(TRUTH, J)
    keep = np.sort(np.random.default_rng(11).choice(trace.time.size, 500, replace=False))
    return trace.time.values[keep], trace.resistance.values[keep]


def _truth(names):
    return np.array([TRUTH[name] for name in names])


@pytest.mark.slow
def test_a_noiseless_trace_is_fitted_back(ringing):
    time, resistance = ringing
    result = mp.fit([TraceData("synthetic", time, resistance, J)], START, FREE, starts=2)
    assert np.max(np.abs(result.estimate / _truth(FREE) - 1)) < 1e-6
    assert result.fitted["alpha"] == pytest.approx(TRUTH["alpha"], rel=1e-6)
    assert result.start_converged[np.argmin(result.start_costs)]
    assert np.max(np.abs(result.predictions[0] - resistance)) < 1e-4  # [ohm] of an 11 kOhm trace


@pytest.mark.slow
def test_the_truth_lies_within_three_standard_errors_in_nine_fits_of_ten(ringing):
    time, resistance = ringing
    sigma = 2.0  # [ohm]
    inside, errors = np.zeros(len(FREE), dtype=int), []
    for seed in range(20):
        noisy = resistance + np.random.default_rng(seed).normal(0.0, sigma, resistance.size)
        result = mp.fit([TraceData("synthetic", time, noisy, J)], START, FREE, starts=1)
        inside += np.abs(result.estimate - _truth(FREE)) <= 3 * result.standard_error
        errors.append((result.estimate - _truth(FREE)) / result.standard_error)
        assert result.noise[0] == pytest.approx(sigma, rel=0.15)
    assert np.all(inside >= 18), inside
    # the standard errors are the spread, not an order of magnitude off it
    assert np.all((np.std(errors, axis=0) > 0.5) & (np.std(errors, axis=0) < 2.0))


@pytest.mark.slow
def test_polarization_and_lambda_are_reported_as_not_separated_by_a_ringing(ringing):
    time, resistance = ringing
    data = [TraceData("synthetic", time, resistance + np.random.default_rng(0).normal(0, 1.0, time.size), J)]
    both = mp.fit(data, TRUTH.replace(polarization=0.5, Lambda=0.8), ["polarization", "Lambda"], starts=1)
    assert abs(both.correlation[0, 1]) > 0.99
    assert any("polarization and Lambda" in note for note in both.notes)
    alone = mp.fit(data, TRUTH.replace(polarization=0.5), ["polarization"], starts=1)
    assert alone.standard_error[0] < 0.01 * alone.estimate[0]
    assert not any("not separated" in note for note in alone.notes)


@pytest.mark.slow
def test_fit_writes_the_estimates_the_record_and_a_plot_from_a_csv_and_a_netcdf(ringing, tmp_path, capsys):
    time, resistance = ringing
    rng = np.random.default_rng(4)
    csv = tmp_path / "ringing.csv"
    np.savetxt(csv, np.c_[time, resistance + rng.normal(0, 1.0, time.size)], delimiter=",",
               header="time,resistance", comments="")
    curve = tmp_path / "curve.nc"
    assert run(["transfer", "--points", "6", "-o", str(curve)], capsys)[0] == 0
    start = tmp_path / "start.json"
    start.write_text(json.dumps({"alpha": 0.012, "polarization": 0.55}))
    out = tmp_path / "fit.nc"
    code, stdout, stderr = run(["fit", str(csv), str(curve), "-j", str(J), "--free", "alpha,polarization",
                                "--params", str(start), "--seed", "3", "-o", str(out)], capsys)
    assert code == 0, stderr
    assert "alpha = " in stdout and "condition number" in stdout
    dataset = mp.open_dataset(out)
    assert list(dataset.parameter.values) == ["alpha", "polarization"]
    assert dataset.correlation.dims == ("parameter", "parameter_other")
    assert dataset.time_0.size == time.size and dataset.current_density_1.size == 6
    np.testing.assert_allclose(dataset.residual_1, dataset.fitted_1 - dataset.measured_1)
    assert dataset.measured_0.attrs["source"] == str(csv)
    fitted = mp.Parameters.from_json(out.with_suffix(".json"))
    assert fitted == mp.Parameters(json.loads(dataset.attrs["fitted_parameters"]))
    assert fitted["alpha"] == float(dataset.estimate.sel(parameter="alpha"))
    assert np.all(np.abs(dataset.estimate.values - _truth(["alpha", "polarization"]))
                  <= 4 * dataset.standard_error.values)
    assert out.with_suffix(".png").stat().st_size > 10_000
    assert dataset.attrs["seed"] == 3 and json.loads(dataset.attrs["free"]) == ["alpha", "polarization"]
    # the noiseless curve's scatter is far below the noisy trace's: each file is weighted by its own
    assert float(dataset.noise_1) < 0.1 * float(dataset.noise_0)


def test_the_csv_reader_takes_any_column_order_and_ignores_other_columns(tmp_path):
    path = tmp_path / "trace.csv"
    path.write_text("resistance, Time ,voltage\n11050,0,0.7\n11040.5,1e-12,0.7\n\n11032,2.5e-12,0.7\n")
    data = read_csv(path, J)
    assert data.kind == "trace" and data.current_density == J
    np.testing.assert_array_equal(data.time, [0, 1e-12, 2.5e-12])
    np.testing.assert_array_equal(data.resistance, [11050, 11040.5, 11032])
    curve = tmp_path / "curve.csv"
    curve.write_text("current_density,delta_r\n0.8e10,114\n0.9e10,129\n")
    assert read_csv(curve).kind == "transfer"


@pytest.mark.parametrize("text, message", [
    ("time,resistance\n0,11050\n1e-12,nan\n2e-12,11000\n", "not a finite number"),
    ("time,resistance\n0,11050\n2e-12,11040\n1e-12,11000\n", "not sorted"),
    ("time,resistance\n0,11050\n1e-12,11040\n1e-12,11000\n", "repeats"),
    ("time,voltage\n0,1\n1e-12,2\n", "needs the columns"),
    ("time,resistance\n0,11050\n1e-12,eleven\n", "is not a number"),
    ("time,resistance\n-1e-12,11050\n1e-12,11000\n", ">= 0"),
    ("", "empty"),
])
def test_bad_csv_files_are_refused_in_one_line(tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(mp.MtjphysError, match=message):
        read_csv(path, J)


def test_a_trace_without_its_current_density_is_refused(tmp_path):
    path = tmp_path / "trace.csv"
    path.write_text("time,resistance\n0,11050\n1e-12,11040\n")
    with pytest.raises(mp.MtjphysError, match="--current-density"):
        read_csv(path)


@pytest.mark.parametrize("extra, message", [
    (["--free", "alpha,Ku,polarization"], "cannot determine 3 free parameters"),
    (["--free", "alpha,nonsense"], "'nonsense' is not a parameter"),
    (["--free", "H_ext"], "not a scalar"),
    (["--free", "temperature"], "cannot be fitted"),
    (["--free", "alpha,alpha"], "named twice"),
    (["--free", "alpha", "--bounds", "alpha=0.1"], "NAME=LOW:HIGH"),
    (["--free", "alpha", "--bounds", "alpha=0.02:0.1"], "strictly inside its bounds"),
    (["--free", "alpha", "--bounds", "Ku=1:2"], "not a free parameter"),
])
def test_bad_fits_are_refused_in_one_line_and_write_nothing(tmp_path, capsys, extra, message):
    path = tmp_path / "trace.csv"
    path.write_text("time,resistance\n0,11050\n1e-12,11040\n2e-12,11032\n")
    out = tmp_path / "fit.nc"
    code, _, stderr = run(["fit", str(path), "-j", str(J), "-o", str(out), *extra], capsys)
    assert code == 2 and message in stderr and len(stderr.strip().splitlines()) == 1, stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["trace.csv"]


def test_outputs_are_checked_before_the_fit(tmp_path, capsys):
    path = tmp_path / "trace.csv"
    path.write_text("time,resistance\n0,11050\n1e-12,11040\n2e-12,11032\n")
    code, _, stderr = run(["fit", str(path), "-j", str(J), "--free", "alpha", "-o", str(tmp_path / "f.json")],
                          capsys)
    assert code == 2 and "must be a netCDF file" in stderr
    (tmp_path / "f.png").write_text("an earlier plot")
    code, _, stderr = run(["fit", str(path), "-j", str(J), "--free", "alpha", "-o", str(tmp_path / "f.nc")], capsys)
    assert code == 2 and "exists" in stderr and (tmp_path / "f.png").read_text() == "an earlier plot"
    assert not (tmp_path / "f.nc").exists()
    code, _, stderr = run(["fit", str(tmp_path / "missing.csv"), "--free", "alpha", "-o", str(tmp_path / "g.nc")],
                          capsys)
    assert code == 2 and "no data file" in stderr


def test_the_coordinates_keep_each_parameter_inside_its_bounds():
    free = coordinates(TRUTH, ["alpha", "polarization", "Ku"], parse_bounds("Ku=2.1e5:"))
    kinds = {c.name: c.kind for c in free}
    assert kinds == {"alpha": "log", "polarization": "logistic", "Ku": "log"}
    for coordinate in free:
        assert float(coordinate.physical(jnp.float64(0.0))) == pytest.approx(coordinate.start, rel=1e-14)
        for theta in (-40.0, -3.0, 3.0, 40.0):
            value = float(coordinate.physical(jnp.float64(theta)))
            assert coordinate.low <= value <= coordinate.high
    affine = Coordinate("epsilon_prime", "1", 0.0, -math.inf, math.inf)
    assert affine.kind == "affine" and float(affine.physical(jnp.float64(0.5))) == 0.5
    assert parse_bounds("alpha=:0.1, Ku=1e5:") == {"alpha": (-math.inf, 0.1), "Ku": (1e5, math.inf)}


@pytest.mark.slow
def test_csv_ringings_at_several_currents_take_one_current_each(tmp_path, capsys):
    paths = []
    for j in (0.8e10, 1.0e10):
        trace = mp.neuron_trace(TRUTH, j, time_step=2.5e-11)
        path = tmp_path / f"ringing_{j:.1e}.csv"
        np.savetxt(path, np.c_[trace.time.values, trace.resistance.values], delimiter=",", header="time,resistance",
                   comments="")
        paths.append(str(path))
    out = tmp_path / "fit.nc"
    code, _, stderr = run(["fit", *paths, "-j", "0.8e10", "-j", "1e10", "--free", "alpha", "--params",
                           str(_start_file(tmp_path, {"alpha": 0.012})), "--starts", "1", "-o", str(out)], capsys)
    assert code == 0, stderr
    dataset = mp.open_dataset(out)
    assert [float(dataset.drive_0), float(dataset.drive_1)] == [0.8e10, 1.0e10]
    assert float(dataset.estimate.sel(parameter="alpha")) == pytest.approx(TRUTH["alpha"], rel=1e-6)
    code, _, stderr = run(["fit", *paths, "-j", "1", "-j", "2", "-j", "3", "--free", "alpha", "-o",
                           str(tmp_path / "other.nc")], capsys)
    assert code == 2 and "once per CSV file (2)" in stderr


def _start_file(directory, values):
    path = directory / "start.json"
    path.write_text(json.dumps(values))
    return path


def _dispersion_result(record, fields, frequency, direction):
    """A FitResult of a dispersion made by hand (no fit): three free parameters, two of them dimensionless."""
    from mtjphys.fitting._fit import FitResult
    from mtjphys.fitting._measured import DispersionData

    free = (Coordinate("alpha", "1", 0.01, 0.0, math.inf), Coordinate("Ku", "J/m^3", 2.4e5, 0.0, math.inf),
            Coordinate("polarization", "1", 0.6, 0.0, 1.0))
    estimate, errors = np.array([0.0100123, 2.40012e5, 0.600045]), np.array([3.1e-5, 1.2e2, 1.9e-3])
    return FitResult(free, estimate, errors, np.eye(3), np.array([1.0, 0.1, 0.01]), np.eye(3),
                     (DispersionData("dispersion.csv", fields, frequency),), (frequency,), np.zeros(1),
                     estimate[None], np.zeros(1), np.ones(1, dtype=bool), np.ones(1, dtype=int), record, record, 0,
                     None, (), model=mp.make_device(record), directions=(np.asarray(direction, dtype=float),))


def test_the_fit_figure_title_has_no_unit_1_and_fits_the_figure_with_three_parameters():
    """plot_fit: no unit "1" after a dimensionless parameter; the title inside the figure's width (Agg renderer)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from mtjphys.fitting._fit import plot_fit

    fields = np.linspace(2e5, 8e5, 8)
    result = dataclasses.replace(_dispersion_result(TRUTH, fields, 1e10 + 20 * fields, [0, 0, 1]), model=None)
    figure = plot_fit(result)
    renderer = FigureCanvasAgg(figure).get_renderer()
    figure.draw(renderer)
    title = figure._suptitle
    text = title.get_text()
    assert "Ku = " in text and "J/m^3" in text and "polarization = " in text and "condition number" in text
    assert not re.search(r"± \S+ 1\b", text), text
    extent, width = title.get_window_extent(renderer), figure.bbox.width
    assert extent.x0 >= 0 and extent.x1 <= width, (extent, width)
    for ax in figure.axes:  # nor does a panel's title leave the figure
        assert ax.title.get_window_extent(renderer).x1 <= width


@pytest.mark.slow
def test_the_fit_figure_draws_the_model_on_a_fine_grid():
    """plot_fit: the data as markers, the model as a line of >= 200 points over the data's range, through the
    fit's own predictions at the data's points."""
    from mtjphys.fitting._fit import model_curve, plot_fit
    from mtjphys.measurements import resonance

    fields = np.linspace(2e5, 8e5, 8)
    frequency = resonance(TRUTH, fields, direction=[0, 0, 1]).frequency.values[:, 0]
    result = _dispersion_result(TRUTH, fields, frequency, [0, 0, 1])
    fine, model = model_curve(result, 0)
    assert fine.size >= 200 and fine[0] == fields[0] and fine[-1] == fields[-1]
    np.testing.assert_allclose(np.interp(fields, fine, model), frequency, rtol=1e-3)
    measured, fitted = plot_fit(result).axes[0].get_lines()[:2]
    assert measured.get_linestyle() == "None" and measured.get_xdata().size == fields.size
    assert fitted.get_xdata().size >= 200
