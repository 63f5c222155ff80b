"""Every registered study as a user meets it: its own --help, a run above 0 K where temperature
applies (the quick reproduction runs every study at 0 K), one-line errors, and studies from other
packages."""

import importlib.metadata
import json
import re

import click
import numpy as np
import pytest
import xarray as xr
from mtjphys.studies import registry, SHIPPED

import mtjphys as mp
from mtjphys.cli import run_command
from mtjphys.cli._main import cli
from mtjphys.data import code_hash, provenance
from mtjphys.reproduction import (
    params_option,
    prepare_outputs,
    quick_option,
    ReportSection,
    scheduler_option,
    seed_option,
    seeds_option,
    Study,
    transfer_option,
)

STUDIES = registry()
# every shipped study simulates an MTJ but standard problem 4, whose permalloy film is fixed by the problem
SIMULATES_AN_MTJ = tuple(name for name in SHIPPED if name != "standard_problem_4")


def _mtjphys(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run_command(cli, args, prog_name="mtjphys")
    return exit_info.value.code, capsys.readouterr()


def test_the_command_summaries_are_whole(capsys):
    code, captured = _mtjphys(["--help"], capsys)
    assert code == 0
    for name in ("neuron", "transfer", "study", "reproduce"):
        summary = cli.commands[name].short_help
        assert summary.endswith(".") and "..." not in summary
        assert " ".join(summary.split()) in " ".join(captured.out.split())
    code, captured = _mtjphys(["study", "--help"], capsys)
    listed = " ".join(captured.out.split())
    assert code == 0 and all(f"{name} {study.title}" in listed for name, study in STUDIES.items())


@pytest.mark.parametrize("name", list(STUDIES))
def test_each_study_has_its_own_help(name, capsys):
    code, captured = _mtjphys(["study", name, "--help"], capsys)
    assert code == 0 and f"Usage: mtjphys study {name} [OPTIONS]" in captured.out
    for option in STUDIES[name].options:
        assert option.opts[0] in captured.out, option.opts[0]
    assert "--output-dir" in captured.out and "--overwrite" in captured.out


@pytest.fixture(scope="module")
def hot_params(tmp_path_factory):
    path = tmp_path_factory.mktemp("params") / "hot.json"
    # a large junction, quiet at 1 K: beyond the plausible resistance-area product and the breakdown, on purpose
    path.write_text(json.dumps({"temperature": 1.0, "area": mp.REFERENCE["area"] * 1e4, "allow_implausible": True,
                                "breakdown_voltage": None}))
    return path


@pytest.mark.slow
@pytest.mark.parametrize("name", [name for name, study in STUDIES.items() if study.hot is not None])
def test_each_study_runs_above_zero_kelvin(name, hot_params, tmp_path, capsys):
    study = STUDIES[name]
    code, captured = _mtjphys(["study", name, "-o", str(tmp_path), *study.hot, "--params", str(hot_params)], capsys)
    assert code == 0, captured.err
    assert f"wrote {', '.join(study.outputs)}" in captured.out
    written = sorted(path.name for path in tmp_path.iterdir() if path.is_file())
    assert set(written) <= set(study.outputs) and written
    for path in tmp_path.glob("*.nc"):
        dataset = mp.open_dataset(path)
        assert json.loads(dataset.attrs["parameters"])["temperature"] == 1.0, path.name
        assert dataset.attrs["code_hash"] == code_hash()


@pytest.mark.parametrize("name", ["supp_nonidentical", "supp_chaos", "supp_fitting", "supp_characterisation",
                                  "benchmarks", "supp_operating_point"])
def test_a_study_of_mtjs_at_zero_kelvin_refuses_a_warm_record_at_once(name, hot_params, tmp_path, capsys):
    code, captured = _mtjphys(["study", name, "-o", str(tmp_path / "out"), "--params", str(hot_params)], capsys)
    assert code == 2 and "without a temperature" in captured.err and captured.err.count("\n") == 1
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*"))


@pytest.mark.parametrize(
    "args, message",
    [
        (["fig2_generation", "--n-mtj", "1"], "at least 2 MTJs"),
        (["fig2_generation", "--transfer", "absent.nc"], "cannot read dataset 'absent.nc'"),
        (["fig2_generation", "--seeds", "0"], "Invalid value for '--seeds': 0 is not in the range 1<=x<=100000"),
        (["supp_fitting", "--seed", "-1"], "Invalid value for '--seed'"),
        (["fig4_recognition", "--omega-sine", "5e9"], "omega_sine must lie"),
        (["fig4_recognition", "--noise", "-0.1"], "noise must be >= 0"),
        (["supp_synapses", "--device-seeds", "30"], "0 <= --device-seeds <= --seeds"),
        (["supp_micromagnetic", "--params", "absent.json"], "cannot read parameters file"),
        (["fig1_neuron", "--params", "absent.json"], "cannot read parameters file"),
        (["no_such_study"], "No such command 'no_such_study'"),
    ],
)
def test_study_bad_input(tmp_path, capsys, args, message):
    code, captured = _mtjphys(["study", *args, "-o", str(tmp_path / "out")], capsys)
    assert code == 2 and message in captured.err and captured.err.count("\n") == 1
    assert not any((tmp_path / "out").glob("*"))


def test_transfer_applies_to_surrogate_mode_only(tmp_path):
    transfer = mp.transfer_curve(mp.Parameters(), np.linspace(0.8e10, 1e10, 5))
    with pytest.raises(mp.MtjphysError, match="--transfer applies to --mode surrogate only"):
        STUDIES["fig2_generation"].run(tmp_path, mode="device", transfer=transfer, seeds=1, progress=False)
    assert not list(tmp_path.iterdir())


# ---- the shared options ------------------------------------------------------------------------
def _option(study: Study, name: str) -> click.Option | None:
    return next((option for option in study.options if name in option.opts), None)


def _type(option: click.Option) -> dict:
    return option.type.to_info_dict()


@pytest.mark.parametrize("name", list(STUDIES))
def test_each_study_takes_the_shared_options(name):
    """--seed, --seeds, --quick, --scheduler, --params and --transfer, where a study has them, are the definitions
    of mtjphys.reproduction: one meaning, one type and one help text everywhere (--seed and --quick say in their
    own words what they seed and shorten)."""
    study = STUDIES[name]
    seed, seeds = _option(study, "--seed"), _option(study, "--seeds")
    if seeds is not None:  # a count of seeds from the first: SEED .. SEED + SEEDS - 1
        assert seed is not None, "--seeds without --seed"
        assert _type(seeds) == _type(seeds_option(1)) and seeds.opts == ["--seeds"] and seeds.show_default
        assert re.fullmatch(r"How many seeds of .+: SEED \.\. SEED \+ SEEDS - 1\.", seeds.help), seeds.help
        assert study.takes("seed") and study.takes("seeds")
    if seed is not None:
        reference = seed_option()
        assert _type(seed) == _type(reference) and seed.opts == reference.opts and seed.default == 0
        assert seed.help and seed.show_default
    quick = _option(study, "--quick")
    if quick is not None:
        assert quick.is_flag and _type(quick) == _type(quick_option()) and quick.opts == quick_option().opts
    for option, reference in ((_option(study, "--scheduler"), scheduler_option()),
                              (_option(study, "--params"), params_option()),
                              (_option(study, "--transfer"), transfer_option())):
        if option is not None:
            assert option.help == reference.help and _type(option) == _type(reference), option.opts
            code = lambda o: getattr(o.callback, "__code__", None)
            assert option.name == reference.name and code(option) is code(reference), option.opts


def test_every_study_that_simulates_an_mtj_takes_params():
    assert set(SIMULATES_AN_MTJ) <= set(STUDIES)
    missing = [name for name in SIMULATES_AN_MTJ if _option(STUDIES[name], "--params") is None]
    assert missing == []
    assert all(STUDIES[name].takes("parameters") for name in SIMULATES_AN_MTJ)
    assert _option(STUDIES["standard_problem_4"], "--params") is None  # its own permalloy film


def test_a_sweep_runs_the_seeds_asked_for_on_the_record_given(tmp_path, capsys, monkeypatch):
    """supp_synapses --seed 3 --seeds 2 computes seeds 3 and 4, with the MTJs of --params in every point (the
    runs themselves stubbed: this is the plumbing from the command line to the points)."""
    calls = []

    def run(seed, *, parameters=None, **options):
        calls.append((seed, parameters))
        return seed

    metrics = {"passed": True, "period_error": 0.01, "amplitude_error": 0.02, "generation_error": 0.1}
    monkeypatch.setattr(mp, "sine_generation_run", run)
    monkeypatch.setattr(mp, "generation_metrics", lambda seed: {**metrics, "passed": seed == 3})
    params = tmp_path / "damped.json"
    params.write_text(json.dumps({"alpha": 0.0123}))
    out = tmp_path / "out"
    code, captured = _mtjphys(["study", "supp_synapses", "-o", str(out), "--seed", "3", "--seeds", "2",
                               "--device-seeds", "1", "--n-mtj", "10", "--quick", "--scheduler", "synchronous",
                               "--params", str(params)], capsys)
    assert code == 0, captured.err
    assert sorted({seed for seed, _ in calls}) == [3, 4]
    assert {parameters for _, parameters in calls} == {mp.Parameters({"alpha": 0.0123})}
    dataset = mp.open_dataset(out / "supp_synapses.nc")
    assert dataset.seed.values.tolist() == [3, 4] and dataset.device_seed.values.tolist() == [3]
    assert dataset.passed_vs_delay.sel(seed=3).all() and not dataset.passed_vs_delay.sel(seed=4).any()
    assert json.loads(dataset.attrs["parameters"])["alpha"] == 0.0123
    points = list((out / "sweeps").rglob("*.nc"))
    assert points and all(json.loads(mp.open_dataset(p).attrs["parameters"])["alpha"] == 0.0123 for p in points)
    assert "seeds 3–4" in captured.out and "seed 3 at every level" in captured.out


def _third_party_run(output_dir, *, level: float = 1.0, overwrite=False, progress=True):
    (path,) = prepare_outputs(output_dir, ["third_party.nc"], overwrite)
    dataset = xr.Dataset({"level": ((), level, {"units": "1", "long_name": "the level asked for"})},
                         attrs=provenance(study="third_party"))
    mp.write_dataset(dataset, path, overwrite=overwrite)
    return {"level": level}


THIRD_PARTY = Study(
    name="third_party", title="A study another package registers.", description="Writes third_party.nc.",
    run=_third_party_run, outputs=("third_party.nc",),
    options=(click.Option(["--level"], default=1.0, show_default=True, help="A number."),),
    report=lambda summary: ReportSection((("level", "-", f"{summary['level']:g}"),)),
)


def test_a_study_from_another_package_joins_the_registry(tmp_path, capsys, monkeypatch):
    entry = importlib.metadata.EntryPoint(name="third_party", value=f"{__name__}:THIRD_PARTY",
                                          group="mtjphys.studies")
    monkeypatch.setattr(importlib.metadata, "entry_points",
                        lambda group=None: [entry] if group == "mtjphys.studies" else [])
    assert list(registry())[-1] == "third_party"
    code, captured = _mtjphys(["study", "third_party", "-o", str(tmp_path), "--level", "2.5"], capsys)
    assert code == 0 and "level: 2.5 (paper: -; not comparable" in captured.out
    assert float(mp.open_dataset(tmp_path / "third_party.nc").level) == 2.5
    clash = importlib.metadata.EntryPoint(name="fig1_neuron", value=f"{__name__}:FIG1_AGAIN", group="mtjphys.studies")
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda group=None: [clash])
    with pytest.raises(mp.MtjphysError, match="has the name of another study"):
        registry()


FIG1_AGAIN = Study(name="fig1_neuron", title="x.", description="x", run=_third_party_run, outputs=())


# ---- the figures, from small made-up datasets (Agg, no study run) ------------------------------------------------
def _drawn(figure):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(figure).get_renderer()
    figure.draw(renderer)
    return renderer


def test_fig1_marks_a_step_down_of_the_wide_curve_and_writes_j_in_one_notation():
    from mtjphys.studies import fig1_neuron

    t = np.linspace(0, 1.5e-9, 301)
    r = 11050 + 70 * np.sin(2 * np.pi * t / 0.36e-9) * np.exp(-t / 5e-9)
    wide_j = np.linspace(1e8, 1e11, 40)
    wide = 0.25 * (wide_j / 1e11) ** 2
    wide[30:] -= 0.02  # a step down, as where an extremum of R leaves the window
    j = np.linspace(0.8e10, 1.0e10, 5)
    dataset = xr.Dataset(
        {"resistance": ("time", r), "resistance_last_max": r[240:].max(), "resistance_last_min": r[200:260].min(),
         "time_last_max": 1.33e-9, "time_last_min": 1.16e-9, "trace_current_density": 0.9e10,
         "delta_r": ("current_density", np.linspace(114, 145, 5)),
         "delta_r_relative_wide": ("current_density_wide", wide)},
        coords={"time": t, "current_density": j, "current_density_wide": wide_j})
    figure = fig1_neuron.plot(dataset)
    _drawn(figure)
    inset = figure.axes[1].child_axes[0]
    notes = [child for child in inset.texts if "leaves" in child.get_text()]
    assert len(notes) == 1 and notes[0].xy[0] == pytest.approx(wide_j[30] / 1e10)
    assert "e+" not in figure.axes[0].get_title() and "10¹⁰" in figure.axes[0].get_title()


def test_fig2_shows_a_few_periods_beside_the_whole_span():
    from mtjphys.studies import fig2_generation

    t = np.arange(0, 10200e-9, 1.5e-9)
    target = np.where(t < 5700e-9, 0.87 * np.sin(2 * np.pi * t / 45e-9), 0.65 * np.sin(2 * np.pi * t / 80e-9))
    learning = (t < 4500e-9) | ((t >= 5700e-9) & (t < 8700e-9))
    dataset = xr.Dataset({"target": ("time", target), "output": ("time", 0.98 * target),
                          "learning": ("time", learning)}, coords={"time": t})
    axes = fig2_generation.plot(dataset).axes
    whole, zoom = axes[0], axes[1]
    assert whole.get_xlim()[1] - whole.get_xlim()[0] > 5000  # (a): the whole 5.7 us
    low, high = zoom.get_xlim()
    assert high == pytest.approx(5700 - 1.5) and high - low == pytest.approx(4 * 45)  # 4 periods, free run
    assert axes[3].get_xlim()[1] - axes[3].get_xlim()[0] == pytest.approx(4 * 80)


def test_log_ticks_and_offsets_read_in_one_notation():
    from matplotlib.figure import Figure

    from mtjphys.reproduction._study import log_ticks, one_tick_notation

    figure = Figure()
    log_axes, linear_axes = figure.subplots(1, 2)
    log_axes.set_xscale("log")
    log_ticks(log_axes.xaxis, [0.0, 1e4, 3e5, 1e6], [1e3, 1e4, 3e5, 1e6])
    linear_axes.plot([1e10, 2e10], [0, 1])
    one_tick_notation(figure)
    _drawn(figure)
    labels = [label.get_text() for label in log_axes.get_xticklabels()]
    assert labels[0] == "0" and all("10^{" in label for label in labels[1:]) and "3\\times10^{5}" in labels[2]
    assert "e+" not in "".join(labels) and not log_axes.xaxis.get_minor_ticks()
    assert "10^{10}" in linear_axes.xaxis.get_offset_text().get_text()
