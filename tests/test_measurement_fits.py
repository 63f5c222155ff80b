"""Fits of the measurements labs record: a noisy synthetic FMR dispersion with its linewidth gives back the
record it was made from, within standard errors that are calibrated (their 68 % intervals cover the truth about
68 % of the time); the data's own units come from the CSV header; the classic pair a dispersion cannot separate
is reported."""

import numpy as np
import pytest

import mtjphys as mp
from mtjphys.cli import run_command
from mtjphys.cli._main import cli
from mtjphys.fitting._fit import fit
from mtjphys.fitting._measured import DispersionData
from mtjphys.measurements import resonance

FIELDS = np.linspace(2e5, 8e5, 12)  # [A/m], out of plane: above saturation of the reference layer
FREQUENCY_NOISE, LINEWIDTH_NOISE = 30e6, 6e6  # [Hz]
FREE = ("Ku", "alpha")


@pytest.fixture(scope="module")
def truth():
    record = mp.Parameters()
    dispersion = resonance(record, FIELDS, direction=[0, 0, 1])
    return record, dispersion.frequency.values[:, 0], dispersion.linewidth.values[:, 0]


def noisy(truth, seed):
    _, frequency, linewidth = truth
    rng = np.random.default_rng(seed)
    return DispersionData(f"synthetic {seed}", FIELDS, frequency + rng.normal(0, FREQUENCY_NOISE, FIELDS.size),
                          linewidth + rng.normal(0, LINEWIDTH_NOISE, FIELDS.size))


START = {"Ku": 2.25e5, "alpha": 0.013}


@pytest.mark.slow
def test_a_noisy_dispersion_gives_back_its_record_within_calibrated_errors(truth):
    """Over 120 noisy synthetic dispersions (frequency and linewidth, each weighted by its own scatter), the fits'
    68 % intervals (estimate +- standard error) cover the true Ku and alpha 60-76 % of the time."""
    record = truth[0]
    start = mp.Parameters(START)
    covered = np.zeros(len(FREE))
    runs = 120
    for seed in range(runs):
        result = fit([noisy(truth, seed)], start, FREE, field_direction=[0, 0, 1], starts=1)
        z = (result.estimate - np.array([record[name] for name in FREE])) / result.standard_error
        covered += np.abs(z) <= 1
    coverage = covered / runs
    assert np.all((coverage >= 0.60) & (coverage <= 0.76)), coverage


@pytest.mark.slow
def test_a_dispersion_cannot_separate_ms_from_ku_and_says_so(truth):
    """Out of plane, the resonance sees Ms and Ku only through mu0 Meff = mu0 Ms - 2 Ku / Ms: the fit reports
    the pair as not separated."""
    data = DispersionData("synthetic", FIELDS, truth[1])
    result = fit([data], mp.Parameters({"Ms": 5.5e5, "Ku": 2.3e5}), ["Ms", "Ku"], field_direction=[0, 0, 1],
                 starts=1)
    assert any("not separated by these data: Ms and Ku" in note for note in result.notes)


@pytest.mark.slow
def test_the_cli_fits_a_dispersion_in_its_own_units(truth, tmp_path, capsys):
    """A CSV in mT and GHz (with linewidths in MHz) fits to the same estimate as the same data in SI."""
    data = noisy(truth, 7)
    mu0 = 1.25663706212e-6
    path = tmp_path / "fmr.csv"
    columns = zip(data.field * mu0 * 1e3, data.frequency / 1e9, data.linewidth / 1e6)
    rows = [",".join(repr(float(value)) for value in row) for row in columns]
    path.write_text("field [mT],frequency [GHz],linewidth [MHz]\n" + "\n".join(rows) + "\n")
    params = tmp_path / "start.json"
    params.write_text('{"Ku": 225000.0, "alpha": 0.013}')
    output = tmp_path / "fit.nc"
    with pytest.raises(SystemExit) as exit_code:
        run_command(cli, ["fit", str(path), "--free", "Ku,alpha", "--field-direction", "0,0,1", "--starts", "1",
                          "--params", str(params), "-o", str(output)], prog_name="mtjphys")
    assert exit_code.value.code == 0, capsys.readouterr().err
    fitted = mp.open_dataset(output)
    direct = fit([data], mp.Parameters(START), FREE, field_direction=[0, 0, 1], starts=1)
    np.testing.assert_allclose(fitted.estimate.values, direct.estimate, rtol=1e-6)
    assert fitted.measured_0.attrs["units"] == "Hz" and fitted.measured_1.attrs["units"] == "Hz"


@pytest.mark.parametrize("header, rows, message", [
    ("field [Gauss],frequency [GHz]", "100,5\n200,8\n", "unknown unit 'Gauss'"),
    ("field [mT]", "100\n200\n", "needs the columns"),
    ("field [mT],frequency [GHz]", "100,5\n200,nan\n", "line 3, column 'frequency [GHz]'"),
    ("field [mT],frequency [GHz]", "100,5\n100,8\n", "repeats the value 100 mT"),
    ("field [mT],voltage [uV]", "100,5\n200,8\n300,1\n", "--frequency"),
])
def test_a_bad_measured_file_is_refused_in_one_line_and_nothing_is_written(tmp_path, capsys, header, rows, message):
    path = tmp_path / "bad.csv"
    path.write_text(f"{header}\n{rows}")
    with pytest.raises(SystemExit) as exit_code:
        run_command(cli, ["fit", str(path), "--free", "Ku", "-o", str(tmp_path / "fit.nc")], prog_name="mtjphys")
    err = capsys.readouterr().err
    assert exit_code.value.code == 2 and err.count("\n") == 1 and message in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]


@pytest.mark.slow
def test_a_spectrum_in_microvolts_gives_back_its_torques():
    """An ST-FMR field sweep (volts far below the iteration's tolerances in ohms) is fitted back from a start 15-20 %
    away: the damping-like polarization, the field-like epsilon' and alpha to 1e-6."""
    from mtjphys.fitting import SpectrumData
    from mtjphys.measurements import stfmr

    truth = mp.Parameters({"epsilon_prime": 0.1})
    fields = np.linspace(0.15, 0.4, 41) / 1.25663706212e-6
    spectrum = stfmr(truth, field=fields, frequency=[1e10], rf_current=1e-6, direction=[0, 0, 1])
    data = SpectrumData("spectrum", "field", fields, spectrum.voltage.values[:, 0], 1e10, None, 1e-6)
    start = truth.replace(polarization=0.51, epsilon_prime=0.12, alpha=0.012)
    result = fit([data], start, ["polarization", "epsilon_prime", "alpha"], field_direction=[0, 0, 1], starts=1)
    np.testing.assert_allclose(result.estimate, [0.6, 0.1, 0.01], rtol=1e-6)
