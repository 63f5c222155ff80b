"""`mtjphys reproduce --quick` end to end: every study's files, the paper's figures, the report,
and the notebook that reads them."""

import json
import os
import pathlib

import numpy as np
import pytest
import xarray as xr
from mtjphys.studies import registry

import mtjphys as mp
from mtjphys.cli import run_command
from mtjphys.cli._main import cli
from mtjphys.data import code_hash
from mtjphys.device._plausibility import implausible
from mtjphys.reproduction._reproduce import REPORTS

pytestmark = pytest.mark.slow  # every test here reads one quick reproduction (about four minutes)


def summary(directory, name):
    return json.loads(mp.open_dataset(directory / f"{name}.nc").attrs["summary"])


def test_every_output_and_the_report(quick_results):
    studies = registry()
    for study in studies.values():
        for name in study.outputs:
            assert (quick_results / name).stat().st_size > 1000, name
    report = (quick_results / "report.md").read_text()
    assert "| R0, resistance at equilibrium | 11.05 kΩ | 11.050 kΩ | agrees | within 1 % |" in report
    pngs = [f for study in studies.values() for f in study.outputs if f.endswith(".png")]
    assert all(f"]({png})" in report for png in pngs)
    assert "<img src='fig3_character.png'" in (quick_results / "report.html").read_text()
    assert "None" not in report and "{" not in report  # prose and tables, not Python values


def test_every_row_of_the_report_has_a_verdict_and_no_raw_key(quick_results):
    """Each comparison row says agrees, differs or not comparable with its tolerance; one seed shows no spread;
    the studies' keys show by their labels."""
    from mtjphys.reproduction._study import LABELS

    report = (quick_results / "report.md").read_text()
    table = report.split("| result | paper | measured here | verdict | tolerance |")[1].split("\n\n")[0]
    rows = [[cell.strip() for cell in line.strip("|").split(" | ")] for line in table.splitlines()[2:]]
    assert rows and all(len(row) == 5 and row[3] in ("agrees", "differs", "not comparable") and row[4] for row in rows)
    verdicts = {row[0]: row[3] for row in rows}
    assert verdicts["R0, resistance at equilibrium"] == "agrees"
    chaos = next(row for row in rows if row[0].endswith("spread across initial states before → after; writing error"))
    if "0 of 2 runs within 5 %" in chaos[2]:  # too few runs to call it either way
        assert chaos[3] == "not comparable" and "too few runs" in chaos[4]
    assert not [row for row in rows if "1 seed" in row[2] and "± 0.0" in row[2]]
    assert "1 seeds" not in report and "first 1 " not in report
    assert not [key for key in LABELS if not key.isalpha() and key in report]


def test_fig1_numbers(quick_results):
    fig1 = summary(quick_results, "fig1_neuron")
    assert abs(fig1["resistance_equilibrium"] - 11050) < 11.05
    assert abs(fig1["delta_r_low"] - 114) <= 3 and abs(fig1["delta_r_high"] - 145) <= 3
    assert fig1["monotonic_on_range"] and fig1["extrema_in_window"] >= 3


def test_fig2_device_mode(quick_results):
    table = mp.open_dataset(quick_results / "fig2_summary.nc")
    assert bool(table.passed.all()) and table.sizes["seed"] == 2
    run = mp.open_dataset(quick_results / "fig2_generation.nc")
    assert run.attrs["mode"] == "device" and run.output.dims == ("time",)


def test_fig3_writes_the_character(quick_results):
    fig3 = mp.open_dataset(quick_results / "fig3_character.nc")
    assert float(fig3.test_error.max()) <= 0.05
    assert float(fig3.spread.sel(condition="after").mean()) < float(fig3.spread.sel(condition="before").mean())
    assert set(np.unique(fig3.phase.values)) == {"innate", "train", "warmup", "test"}
    assert {"x", "y", "x_target", "y_target"} <= set(fig3.data_vars)


def test_fig4_device_mode_is_perfect_at_5_percent_noise(quick_results):
    fig4 = mp.open_dataset(quick_results / "fig4_recognition.nc")
    test = fig4.split.values == "test"
    assert fig4.attrs["mode"] == "device" and test.sum() == 100
    assert np.all(fig4.predicted.values[test] == fig4.label.values[test])
    sweep = mp.open_dataset(quick_results / "fig4_noise_sweep.nc")
    assert sweep.accuracy.dims == ("condition", "noise", "seed")


def _success_from_data(dataset, name):
    """The success counts recomputed from the dataset's per-seed verdicts."""
    if name == "supp_synapses":
        return {k: dataset[f"passed_vs_{k}"].sum("seed").values.tolist() for k in ("synaptic_noise", "delay",
                                                                                     "failed_readout",
                                                                                     "failed_readout_known")}
    dim = {"supp_nonidentical": "drive", "supp_phase_noise": "condition"}[name]
    return {str(k): dataset.passed.sel({dim: k}).sum("seed").values.tolist() for k in dataset[dim].values}


@pytest.mark.parametrize("name, dimension", [("supp_nonidentical", "spread"), ("supp_phase_noise", "temperature"),
                                             ("supp_synapses", "delay")])
def test_supplementary_success_counts_are_the_datasets(quick_results, name, dimension):
    dataset = mp.open_dataset(quick_results / f"{name}.nc")
    assert dimension in dataset.dims and dataset.sizes["seed"] >= 2
    recorded = {k: v["successes"] for k, v in summary(quick_results, name)["success"].items()}
    assert recorded == _success_from_data(dataset, name)
    assert list((quick_results / "sweeps").glob(f"{name}*"))


def test_phase_noise_grows_with_temperature_and_shrinks_with_area(quick_results):
    dataset = mp.open_dataset(quick_results / "supp_phase_noise.nc")
    spread = dataset.single_delta_r_std
    hot = spread.isel(single_temperature=-1)
    assert np.all(np.diff(spread.sel(area_factor=1.0).values) > 0)
    assert np.all(np.diff(hot.values) < 0)  # larger free layers, less noise


def test_the_characterisation_summary_is_its_dataset_and_matches_kittel(quick_results):
    """supp_characterisation's summary is recomputed from its dataset; its dispersion agrees with the thin-film
    Kittel forms to O(alpha^2), the linewidth gives back the record's alpha, and an out-of-plane dispersion
    identifies gamma and alpha but says Ms and Ku are not separated."""
    from mtjphys.studies import supp_characterisation

    dataset = mp.open_dataset(quick_results / "supp_characterisation.nc")
    record = mp.Parameters(json.loads(dataset.attrs["parameters"]))
    recorded = summary(quick_results, "supp_characterisation")
    assert supp_characterisation.summarise(dataset, record) == recorded
    assert max(recorded["largest_deviation_from_kittel"].values()) < 3 * recorded["alpha"] ** 2
    assert recorded["alpha_from_linewidth"] == pytest.approx(recorded["alpha"], rel=1e-3)
    fitted = recorded["experiments"]["dispersion_out_of_plane"]
    assert {"gamma", "alpha"} <= set(fitted["identified"]) and "Ms and Ku" in fitted["not_separated"]


def test_the_fitting_summary_is_its_dataset_and_a_ringing_identifies_ku(quick_results):
    from mtjphys.studies import supp_fitting

    dataset = mp.open_dataset(quick_results / "supp_fitting.nc")
    recorded = summary(quick_results, "supp_fitting")
    assert supp_fitting.summarise(dataset) == recorded
    # the ringing's frequency is set by Ku - mu0 Ms^2 / 2: one trace measures Ku to far better than 1 %
    one_trace = dataset.sel(experiment="one_trace", parameter="Ku")
    assert float(np.abs(one_trace.relative_error).max()) < 1e-3
    assert "Ku" in recorded["experiments"]["one_trace"]["identified"]
    truth = json.loads(dataset.attrs["truths"])["record"]
    assert truth == mp.Parameters().to_dict()


def test_the_benchmark_figures_are_their_datasets(quick_results):
    from mtjphys.studies import benchmarks

    table = mp.open_dataset(quick_results / "benchmarks.nc")
    assert benchmarks.summarise(table) == summary(quick_results, "benchmarks")
    for name in benchmarks.TASKS:
        for network in benchmarks.NETWORKS:
            dataset = mp.open_dataset(quick_results / f"benchmarks_{name}_{network}.nc")
            stored = table.metric.sel(task=name, network=network, seed=dataset.seed)
            assert np.allclose(benchmarks.recompute(dataset)["values"], stored.values, rtol=1e-5)  # MC in float32
    memory = mp.open_dataset(quick_results / "benchmarks_memory_capacity_tanh.nc").sel(readout="ridge", seed=0)
    test = memory.split.values == "test"
    capacity = sum(np.corrcoef(memory.prediction.values[test, k], memory.target.values[test, k])[0, 1] ** 2
                   for k in range(memory.sizes["delay"]))
    assert capacity == pytest.approx(float(table.metric.sel(task="memory_capacity", network="tanh", readout="ridge",
                                                                 seed=0)), rel=1e-4)
    assert 1 < capacity <= 31  # a linear readout of N = 30 outputs and the input holds at most 31


def test_a_study_run_side_by_side_writes_what_it_writes_alone(quick_results, tmp_path):
    from mtjphys.reproduction import reproduce

    study = registry()["fig1_neuron"]
    reproduce([study], tmp_path, quick=True, progress=False, processes=1)  # in this process, on its own
    for name in study.outputs:
        if name.endswith(".nc"):
            alone, shared = mp.open_dataset(tmp_path / name), mp.open_dataset(quick_results / name)
            assert set(alone.data_vars) == set(shared.data_vars)
            xr.testing.assert_allclose(alone, shared, rtol=1e-12, atol=0)
    header = (quick_results / "report.md").read_text().splitlines()[2]
    processes = min(os.cpu_count() or 1, 4)
    assert (f"({processes} studies at a time;" in header) == (processes > 1), header


def test_a_second_run_refuses_to_overwrite(quick_results, capsys):
    before = (quick_results / "report.md").read_text()
    with pytest.raises(SystemExit) as exit_info:
        run_command(cli, ["reproduce", "-o", str(quick_results), "--quick"], prog_name="mtjphys")
    assert exit_info.value.code == 2 and "--overwrite" in capsys.readouterr().err
    assert (quick_results / "report.md").read_text() == before
    assert set(REPORTS) <= {p.name for p in quick_results.iterdir()}


def test_the_notebook_runs_on_the_results(quick_results):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(os.path.join(os.path.dirname(__file__), "..", "notebooks", "explore_results.ipynb"),
                             as_version=4)
    os.environ["MTJPHYS_RESULTS"] = str(quick_results)
    try:
        nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3").execute()
    finally:
        del os.environ["MTJPHYS_RESULTS"]
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any("11050" in str(o) for o in outputs)  # R0 printed from the data


def test_every_file_written_carries_its_provenance(quick_results):
    from PIL import Image

    code = code_hash()
    netcdfs = sorted(quick_results.rglob("*.nc"))
    assert len(netcdfs) > 20  # the studies' files and every sweep point
    for path in netcdfs:
        dataset = mp.open_dataset(path)
        assert dataset.attrs["code_hash"] == code and "parameters" in dataset.attrs, path
        for name, variable in dataset.variables.items():
            assert "units" in variable.attrs and "long_name" in variable.attrs, f"{path.name}: {name}"
    for path in quick_results.glob("*.png"):
        stamp = json.loads(Image.open(path).text["mtjphys"])
        assert stamp["code_hash"] == code and stamp["study"] in registry(), path
    for path in quick_results.rglob("sweep.json"):
        assert json.loads(path.read_text())["provenance"]["code_hash"] == code
    assert code[:12] in (quick_results / "report.md").read_text()


def test_hardware_figures_are_the_datasets(quick_results):
    dataset = mp.open_dataset(quick_results / "supp_hardware.nc")
    recorded = summary(quick_results, "supp_hardware")
    for kind in ("v_half", "thermal_resistance", "area_factor"):
        counted = dataset[f"fig2_passed_vs_{kind}"].sum(f"fig2_seed_{kind}").values.tolist()
        assert recorded["success"][kind]["successes"] == counted, kind
    constant = dataset.sel(v_half=np.inf)
    assert float(constant.range_nonlinearity) < 0.01  # on the operating range dR(j) is nearly a straight line
    assert np.all(np.diff(constant.window_energy.values) > 0) and np.all(np.diff(constant.voltage_max.values) > 0)
    # a bias-dependent TMR takes ringing away at every current
    assert np.all(dataset.delta_r.sel(v_half=0.5).values < constant.delta_r.values)
    from_zero = dataset.heated_temperature.sel(ambient_temperature=0.0).values
    assert from_zero[0] == 0.0 and np.all(np.diff(from_zero) > 0)
    assert np.all(dataset.stability_factor.values[1:] > dataset.stability_factor.values[:-1])


def test_the_heatings_lag_in_the_operating_point_study_is_its_dataset(quick_results):
    dataset = mp.open_dataset(quick_results / "supp_operating_point.nc")
    lag = summary(quick_results, "supp_operating_point")["lag"]
    temperature = dataset.lag_temperature
    assert lag["end_temperature_K"] == temperature.isel(lag_time=-1).values.tolist()
    assert lag["delta_r"] == dataset.lag_delta_r.values.tolist()
    lagging = temperature.sel(thermal_time_constant=temperature.thermal_time_constant > 0)
    np.testing.assert_array_equal(lagging.isel(lag_time=0).values, 300.0)  # a lagging layer starts at ambient
    assert float(temperature.isel(lag_time=0, thermal_time_constant=0)) > 300.0  # heating at once does not
    ends = lagging.isel(lag_time=-1).values
    assert np.all(np.diff(ends) < 0)  # the longer the lag, the cooler the window's end


def test_every_paper_task_states_its_energy(quick_results):
    for name in ("fig2_generation", "fig4_recognition"):
        run = mp.open_dataset(quick_results / f"{name}.nc")
        assert run.mtj_energy.attrs["units"] == "J" and float(run.mtj_energy.min()) > 0, name
        assert float(run.energy_mtj.sum()) == pytest.approx(float(run.mtj_energy.sum()), rel=1e-12)
    energy = summary(quick_results, "fig3_character")["energy"]
    assert energy["task"] == pytest.approx(energy["training"] + energy["inference"]) and energy["inference"] > 0
    report = (quick_results / "report.md").read_text()
    assert report.count("energy the MTJs dissipate") == 3 and "per MTJ window" in report


def test_compiled_programs_are_dropped_only_when_they_crowd_the_memory_maps():
    import jax
    import jax.numpy as jnp

    from mtjphys.data._datasets import release_compiled_programs

    def maps():
        with open("/proc/self/maps") as lines:
            return sum(1 for _ in lines)

    functions = [jax.jit(lambda x, k=k: jnp.sin(x) * k) for k in range(50)]
    for f in functions:
        f(jnp.ones(3))
    before = maps()
    assert not release_compiled_programs(share=1.0) and maps() >= before - 5
    assert release_compiled_programs(share=0.0) and maps() < before - 50
    assert float(functions[7](jnp.ones(3))[0]) == pytest.approx(7 * np.sin(1.0))  # compiled again when needed


def test_the_backprop_study_writes_its_files_and_its_summary(quick_results):
    from mtjphys.studies import supp_backprop

    dataset = mp.open_dataset(quick_results / "supp_backprop.nc")
    summary = json.loads(dataset.attrs["summary"])
    assert supp_backprop.summarise(dataset) == summary
    json.dumps(summary)
    for name, variable in dataset.variables.items():
        assert "units" in variable.attrs and variable.attrs.get("long_name"), name
    assert set(dataset.trainer.values) == {"force", "bptt"} and list(dataset.task.values) == list(supp_backprop.TASKS)
    assert summary["recognition_force"]["mean"] > 0.9 and summary["digits_force"]["mean"] > 0.3
    section = supp_backprop.report(summary)
    assert section.rows and all(len(row) == 3 for row in section.rows)
    assert "89.8" in section.rows[2][1]


def test_the_chaos_study_writes_its_files_and_its_summary_follows_from_its_dataset(quick_results):
    from mtjphys.studies import supp_chaos

    dataset = mp.open_dataset(quick_results / "supp_chaos.nc")
    summary = json.loads(dataset.attrs["summary"])
    for name, variable in dataset.variables.items():
        assert "units" in variable.attrs and variable.attrs.get("long_name"), name
    assert list(dataset.network.values) == ["tanh", "surrogate", "device"]
    assert dataset.lyapunov_exponent.dims == ("network", "gain", "seed") and dataset.sizes["seed"] == 2
    assert summary == supp_chaos.summarise(dataset)
    # the gain is the measured one: the smallest whose surrogate exponent is clearly positive in every seed
    surrogate = dataset.sel(network="surrogate")
    positive = [supp_chaos.clearly_positive(surrogate.lyapunov_exponent.sel(gain=g),
                                            surrogate.lyapunov_standard_error.sel(gain=g)) for g in dataset.gain.values]
    expected = dataset.gain.values[positive.index(True)] if any(positive) else dataset.gain.values[-1]
    assert summary["chaotic_gain"] == float(dataset.chosen_gain) == expected
    assert np.isfinite(dataset.lyapunov_exponent.sel(network="device", gain=expected)).all()
    assert np.all(dataset.lyapunov_exponent.sel(network="tanh", gain=0.5) < 0)  # contracting at small gain
    section = supp_chaos.report(summary)
    written = " ".join(" ".join(row) for row in section.rows) + section.text
    assert "None" not in written and "{" not in written and "nan" not in written


def test_every_record_of_the_quick_reproduction_is_plausible(quick_results):
    records = 0
    for path in sorted(pathlib.Path(quick_results).rglob("*.nc")):
        with xr.open_dataset(path) as dataset:
            text = dataset.attrs.get("parameters")
        if text:
            values = json.loads(text)
            if not values.get("allow_implausible", False):
                assert implausible(values) is None, path
            records += 1
    assert records >= 10
