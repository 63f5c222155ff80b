"""Every registered study as a user meets it: its own --help, a run above 0 K where temperature
applies (the quick reproduction runs every study at 0 K), one-line errors, and studies from other
packages."""

import importlib.metadata
import json

import click
import numpy as np
import pytest
import xarray as xr
from mtjphys.studies import registry

import mtjphys as mp
from mtjphys.cli import run_command
from mtjphys.cli._main import cli
from mtjphys.data import code_hash, provenance
from mtjphys.reproduction import prepare_outputs, ReportSection, Study

STUDIES = registry()


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
    path.write_text(json.dumps({"temperature": 1.0, "area": mp.REFERENCE["area"] * 1e4}))
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


@pytest.mark.parametrize(
    "args, message",
    [
        (["fig2_generation", "--n-mtj", "1"], "at least 2 MTJs"),
        (["fig2_generation", "--transfer", "absent.nc"], "cannot read dataset 'absent.nc'"),
        (["fig2_generation", "--seeds", "0"], "need --seed >= 0 and --seeds >= 1"),
        (["fig4_recognition", "--omega-sine", "5e9"], "omega_sine must lie"),
        (["fig4_recognition", "--noise", "-0.1"], "noise must be >= 0"),
        (["supp_synapses", "--device-seeds", "30"], "0 <= --device-seeds <= --seeds"),
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
    assert code == 0 and "level: 2.5 (paper: -)" in captured.out
    assert float(mp.open_dataset(tmp_path / "third_party.nc").level) == 2.5
    clash = importlib.metadata.EntryPoint(name="fig1_neuron", value=f"{__name__}:FIG1_AGAIN", group="mtjphys.studies")
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda group=None: [clash])
    with pytest.raises(mp.MtjphysError, match="has the name of another study"):
        registry()


FIG1_AGAIN = Study(name="fig1_neuron", title="x.", description="x", run=_third_party_run, outputs=())
