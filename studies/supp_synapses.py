"""Supplementary: imperfect synapses. The Fig. 2 task (40 MTJs, FORCE, two targets) with

- every weight fluctuating from step to step by a factor (1 + s xi), xi ~ N(0, 1);
- recurrent and feedback signals arriving d steps (of 1.5 ns) late;
- a fraction of the readout synapses failing to update during training (they stay at 0), either
  unseen by the training rule (it computes the full update; the failed synapses ignore it) or
  known to it (RLS over the working synapses alone).

    mtjphys study supp_synapses -o results/ [--params P.json] [--seed 0] [--seeds 20] [--device-seeds 4]
        [--scheduler ADDRESS]

Each imperfection is swept alone over seeds SEED .. SEED + SEEDS - 1 in surrogate mode, the first
DEVICE_SEEDS of them again in device mode to check it (through Dask; a stopped sweep resumes). The
MTJs are the record of --params (default the reference device). Reported: the
success rate (both free windows within 2 % in period and 5 % in amplitude) with 95 % Wilson
intervals, the perfect synapses (level 0) as the baseline, the generation error (RMS error over
the first 150 ns of free running / target RMS), and where the network breaks (success rate below
one half), with its uncertainty.

Writes supp_synapses.nc and supp_synapses.png; the sweeps keep their finished points in
DIR/sweeps/.
"""

from __future__ import annotations

import json
import time

import click
import xarray as xr
from matplotlib.figure import Figure

import mtjphys as mp
from mtjphys.data import provenance
from mtjphys.reproduction import (
    params_option,
    plot_success,
    prepare_outputs,
    quick_option,
    ReportSection,
    save_figure,
    scheduler_option,
    seed_option,
    seeds_in_words,
    seeds_option,
    Study,
    SuccessCurve,
    sweep_record,
    verdict,
)
from mtjphys.tasks import generation_metrics_dataset, SINE_ARCHITECTURE

IMPERFECTIONS = {
    "synaptic_noise": {"levels": [0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5], "units": "1",
                       "long_name": "relative step-to-step fluctuation of every weight"},
    "delay": {"levels": [0, 1, 2, 3, 5, 8], "units": "steps", "long_name": "delay of recurrent and feedback signals"},
    "failed_readout": {"levels": [0.0, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5], "units": "1",
                       "long_name": "fraction of readout synapses that never update, unseen by FORCE"},
    "failed_readout_known": {"levels": [0.0, 0.1, 0.25, 0.5, 0.75, 0.9], "units": "1",
                             "long_name": "fraction of readout synapses that never update, known to FORCE"},
}
QUICK_LEVELS = {"synaptic_noise": [0.0, 0.1], "delay": [0, 3], "failed_readout": [0.0, 0.1],
                "failed_readout_known": [0.0, 0.5]}


def point(imperfection: str, level, seed: int, mode: str, n_mtj: int, parameters: dict | None = None) -> xr.Dataset:
    """One run of the Fig. 2 task with one imperfection at one level, the MTJs the record `parameters` (its
    `to_dict()`; default the reference). Returns: its metrics."""
    if imperfection.startswith("failed_readout"):
        options = {"failed_readout": level, "failure_known": imperfection == "failed_readout_known"}
    else:
        options = {"architecture": {imperfection: level}}
    record = mp.Parameters(parameters) if parameters is not None else None
    run = mp.sine_generation_run(seed, mode=mode, n_mtj=n_mtj, parameters=record, progress=False, **options)
    return generation_metrics_dataset(mp.generation_metrics(run))


def sweep(output_dir, *, seed: int = 0, seeds: int, mode: str, n_mtj: int, quick: bool, scheduler,
          parameters: mp.Parameters | None = None, progress=True) -> xr.Dataset:
    """Every imperfection over its levels and seeds `seed` .. `seed` + `seeds` - 1 in `mode`, the MTJs
    `parameters` (default the reference)."""
    parts = []
    record, carried, stores = sweep_record(parameters, "supp_synapses")
    suffix = "" if mode == "surrogate" else f"_{mode}"
    for name, spec in IMPERFECTIONS.items():
        levels = QUICK_LEVELS[name] if quick else spec["levels"]
        result = mp.run_sweep(point, {"level": levels, "seed": list(range(seed, seed + seeds))},
                              f"{output_dir}/sweeps/supp_synapses_{name}{suffix}{stores}",
                              fixed={"imperfection": name, "mode": mode, "n_mtj": n_mtj, **carried}, record=record,
                              scheduler=scheduler, progress=progress)
        parts.append(result.rename(level=name).rename({v: f"{v}_vs_{name}" for v in result.data_vars}))
    merged = xr.merge(parts, combine_attrs="override")  # keeps each variable's units and long name
    merged.attrs = {}
    return merged


def curves(dataset: xr.Dataset, prefix: str = "") -> dict[str, SuccessCurve]:
    seed = "device_seed" if prefix else "seed"
    return {name: SuccessCurve.from_passed(dataset[f"{prefix}passed_vs_{name}"], name, seed)
            for name in IMPERFECTIONS}


def plot(dataset: xr.Dataset) -> Figure:
    figure = Figure(figsize=(12, 7.5), layout="constrained")
    surrogate = curves(dataset)
    device = curves(dataset, "device_") if "device_passed_vs_delay" in dataset else {}
    for ax, name in zip(figure.subplots(2, 2).ravel(), IMPERFECTIONS):
        level = dataset[name].values
        error = dataset[f"generation_error_vs_{name}"]
        median = error.median("seed")
        ax.errorbar(level, median, yerr=[median - error.quantile(0.25, "seed"), error.quantile(0.75, "seed") - median],
                    marker="o", capsize=3, color="C0", label="generation error (median, quartiles)")
        ax.set(xlabel=f"{dataset[name].attrs['long_name']}\n({dataset[name].attrs['units']})",
               ylabel="generation error", yscale="log")
        twin = ax.twinx()
        plot_success(twin, surrogate[name], label="success, surrogate", marker="s", color="C3",
                     baseline=surrogate[name], breaking=True)
        if name in device:
            plot_success(twin, device[name], label="success, device", marker="D", color="C2",
                         offset=0.01 * (level.max() - level.min()))
        twin.set(ylabel="success rate (%)", ylim=(-5, 105))
        ax.set_title(surrogate[name].breaking.describe(), fontsize=8)
        twin.legend(loc="center right", fontsize=7)
    return figure


def run(output_dir, *, seed: int = 0, seeds: int = 20, device_seeds: int = 4, n_mtj: int = 40, quick: bool = False,
        parameters: mp.Parameters | None = None, scheduler: str | None = None, overwrite: bool = False,
        progress=True) -> dict:
    """Run the study, write its files into `output_dir`. Returns: a summary."""
    if seed < 0 or seeds < 1 or not 0 <= device_seeds <= seeds:
        raise mp.MtjphysError(f"need --seed >= 0, --seeds >= 1 and 0 <= --device-seeds <= --seeds, got {seed}, "
                              f"{seeds}, {device_seeds}")
    record = sweep_record(parameters, "supp_synapses")[0]
    netcdf, png = prepare_outputs(output_dir, STUDY.outputs, overwrite)
    start = time.perf_counter()
    options = {"seed": seed, "n_mtj": n_mtj, "quick": quick, "scheduler": scheduler, "parameters": record,
               "progress": progress}
    parts = [sweep(output_dir, seeds=seeds, mode="surrogate", **options)]
    if device_seeds:
        device = sweep(output_dir, seeds=device_seeds, mode="device", **options)
        parts.append(device.rename(seed="device_seed", **{v: f"device_{v}" for v in device.data_vars}))
    dataset = xr.merge(parts, combine_attrs="override")  # keeps each variable's units and long name
    dataset.attrs = {}
    for name, spec in IMPERFECTIONS.items():
        dataset[name].attrs = {"units": spec["units"], "long_name": spec["long_name"]}
    dataset["seed"].attrs = {"units": "1", "long_name": "network seed (surrogate mode)"}
    summary = {"n_mtj": n_mtj, "seed": seed, "seeds": seeds, "device_seeds": device_seeds,
               "success": {name: curve.to_json() for name, curve in curves(dataset).items()}}
    if device_seeds:
        dataset["device_seed"].attrs = {"units": "1", "long_name": "network seed (device mode)"}
        summary["device_success"] = {name: curve.to_json() for name, curve in curves(dataset, "device_").items()}
        same = runs = 0
        for name in IMPERFECTIONS:
            common = dataset[f"passed_vs_{name}"].isel(seed=slice(0, device_seeds)).values
            same += int((common == dataset[f"device_passed_vs_{name}"].values).sum())
            runs += common.size
        summary["device_agreement"] = {"runs": runs, "same_verdict": same}
    dataset.attrs.update(provenance(record, study="supp_synapses", n_mtj=n_mtj,
                                    architecture=json.dumps(SINE_ARCHITECTURE), summary=json.dumps(summary)))
    mp.write_dataset(dataset, netcdf, overwrite=overwrite)
    save_figure(plot(dataset), png, overwrite=overwrite, parameters=record, study="supp_synapses")
    summary["wall_time_s"] = round(time.perf_counter() - start, 1)
    return summary


UNITS = {"synaptic_noise": "", "delay": "steps", "failed_readout": "", "failed_readout_known": ""}
WHAT = {"synaptic_noise": "weight fluctuation (relative std per step)",
        "delay": "delay of recurrent and feedback signals",
        "failed_readout": "failed readout synapses, unseen by FORCE (fraction)",
        "failed_readout_known": "failed readout synapses, known to FORCE (fraction)"}


def report(summary: dict) -> ReportSection:
    success = {name: SuccessCurve.from_json(record) for name, record in summary["success"].items()}
    rows = (("Supplement: weight fluctuation, delay and failed readout synapses are tolerated", "yes",
             "; ".join(f"{WHAT[name]}: {curve.breaking.describe(UNITS[name])}" for name, curve in success.items())),)
    verdicts = (verdict(None, True, incomparable="the paper states no level to compare at"),)
    seeds = seeds_in_words(summary["seed"], summary["seeds"])
    text = [f"{WHAT[name][0].upper()}{WHAT[name][1:]}, success rate over {seeds} (surrogate mode, "
            "95 % Wilson "
            f"intervals): {curve.describe(' ' + UNITS[name] if UNITS[name] else '')}; "
            f"{curve.breaking.describe(UNITS[name])}; "
            f"{curve.compared_with_baseline(' ' + UNITS[name] if UNITS[name] else '')}."
            for name, curve in success.items()]
    if "device_agreement" in summary:
        agreement = summary["device_agreement"]
        text.append(f"Device mode on {seeds_in_words(summary['seed'], summary['device_seeds'])} at every level gives "
                    f"the same verdict as surrogate mode in {agreement['same_verdict']} of {agreement['runs']} runs.")
    caption = ("Generation error (blue) and success rate with 95 % intervals (red: surrogate, green: "
               "device; band: perfect synapses) for each imperfection.")
    return ReportSection(rows, "\n\n".join(text), (("supp_synapses.png", caption),), verdicts)


STUDY = Study(
    name="supp_synapses",
    title="Supplement: weight fluctuation, signal delay and failed readout synapses.",
    description=__doc__,
    run=run,
    outputs=("supp_synapses.nc", "supp_synapses.png"),
    options=(
        seed_option(),
        seeds_option(20, "networks per level (surrogate mode)"),
        click.Option(["--device-seeds"], default=4, show_default=True,
                     help="The first DEVICE_SEEDS of them also run in device mode (0: none)."),
        click.Option(["--n-mtj"], default=40, show_default=True, help="Number of MTJs."),
        quick_option("Two levels per imperfection."),
        params_option(),
        scheduler_option(),
    ),
    full={"seeds": 20, "device_seeds": 4},
    quick={"seeds": 2, "device_seeds": 0, "quick": True},
    report=report,
)
