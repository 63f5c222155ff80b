"""Supplementary: thermal phase noise. The stochastic LLG (Brown's thermal field, Stratonovich,
diffrax Heun with one Brownian path per MTJ) from 0 K to room temperature.

    mtjphys study supp_phase_noise -o results/ [--params P.json] [--seed 0] [--seeds 20] [--device-seeds 2]
        [--scheduler ADDRESS]

The device is the record of --params (default the reference), at each temperature the study sets.

(a) One MTJ at j = 0.9e10 A/m^2, many realisations per temperature, each starting from a thermal
    state: the spread of its output dR and the jitter of the ringing's phase (time of the last
    maximum times 2 pi f) grow with temperature; a larger free layer (area x 100, x 10^4) shrinks them.
    The realisations are drawn from SEED.
(b) The Fig. 2 task against temperature, for 40 MTJs, for 160 MTJs and for 40 MTJs of 100 and
    10^4 times the area: success rate (95 % Wilson intervals, 0 K the baseline) and generation
    error over seeds SEED .. SEED + SEEDS - 1, and where each breaks. The networks use the thermal surrogate
    (every MTJ's dR drawn each step from the SDE-sampled distribution at its current, exact in
    distribution for windows that start from a thermal state).
(c) The same in device mode (every MTJ integrated by the SDE in every step) for 40 MTJs of 10^4
    times the area at two temperatures, on the first DEVICE_SEEDS of those seeds, to check (b).

Writes supp_phase_noise.nc and supp_phase_noise.png; the sweeps keep their points in DIR/sweeps/.
"""

from __future__ import annotations

import json
import time

import click
import numpy as np
import xarray as xr
from matplotlib.figure import Figure

import mtjphys as mp
from mtjphys.data import provenance
from mtjphys.device import thermal_preamplifier
from mtjphys.reproduction import (
    label,
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
from mtjphys.tasks import generation_metrics_dataset

TEMPERATURES = [0.0, 0.001, 0.01, 0.1, 1.0, 10.0, 100.0, 300.0]  # [K]
QUICK_TEMPERATURES = [0.0, 0.01, 300.0]
SINGLE_TEMPERATURES = [0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0]
AREA_FACTORS = [1.0, 100.0, 10000.0]
# (MTJs, free-layer area / reference): more MTJs average the noise; a larger free layer shrinks it
CONDITIONS = {"N40": (40, 1.0), "N160": (160, 1.0), "N40_area1e2": (40, 1e2), "N40_area1e4": (40, 1e4)}
DEVICE_CONDITION, DEVICE_TEMPERATURES = "N40_area1e4", [1.0, 10.0]
J_SINGLE = 0.9e10


def device(temperature: float, area_factor: float, parameters: mp.Parameters | None = None) -> mp.Parameters:
    """The device (`parameters`, default the reference) at `temperature` with `area_factor` times its area."""
    record = parameters or mp.Parameters()
    return record.replace(temperature=temperature, area=record["area"] * area_factor, **larger_volume(area_factor))


def larger_volume(area_factor: float) -> dict:
    """A larger free layer at the same R_P stands for a quieter magnet, not a junction of its own: beyond the
    plausible resistance-area product, and with no barrier voltage to break it down (on purpose)."""
    return {"breakdown_voltage": None, "allow_implausible": True} if area_factor > 1 else {}


def cold(parameters: mp.Parameters | None = None) -> mp.Parameters:
    """The device at 0 K without Joule heating."""
    return device(0.0, 1.0, parameters).replace(thermal_resistance=0.0)


def single_mtj(temperatures, area_factors, realisations: int, seed: int,
               parameters: mp.Parameters | None = None) -> xr.Dataset:
    """(a): mean and spread of dR and the phase jitter over `realisations` windows."""
    cold_response = mp.neuron_output(cold(parameters), J_SINGLE, settings=mp.NeuronSolver())
    period = 2 * abs(float(cold_response.time_max) - float(cold_response.time_min))
    shape = (len(area_factors), len(temperatures))
    mean, spread, jitter = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    for i, factor in enumerate(area_factors):
        for k, temperature in enumerate(temperatures):
            record = device(temperature, factor, parameters)
            # read through the pre-amplifier of a noisy neuron at every temperature, 0 K included
            preamplifier = thermal_preamplifier(record)
            if temperature > 0:
                extrema = mp.neuron_output(record, np.full(realisations, J_SINGLE), seed=seed + 1000 * i + k,
                                           preamplifier=preamplifier)
            else:
                extrema = mp.neuron_output(record, np.array([J_SINGLE]), preamplifier=preamplifier)
            mean[i, k], spread[i, k] = np.mean(extrema.delta_r), np.std(extrema.delta_r)
            jitter[i, k] = 2 * np.pi / period * np.nanstd(extrema.time_max)
    return xr.Dataset(
        {"single_delta_r_mean": (("area_factor", "single_temperature"), mean,
                                 {"units": "ohm", "long_name": f"mean dR of one MTJ at j = {J_SINGLE:g} A/m^2"}),
         "single_delta_r_std": (("area_factor", "single_temperature"), spread,
                                {"units": "ohm", "long_name": "std of dR across realisations"}),
         "single_phase_jitter": (("area_factor", "single_temperature"), jitter,
                                 {"units": "rad", "long_name": "std of the phase of the last maximum"})},
        coords={"area_factor": ("area_factor", area_factors,
            {"units": "1", "long_name": "free-layer area / reference"}),
                "single_temperature": ("single_temperature", temperatures, {"units": "K", "long_name": "temperature"})},
        attrs={"realisations": realisations, "ringing_period": period},
    )


def point(temperature: float, condition: str, seed: int, mode: str = "surrogate",
          parameters: dict | None = None) -> xr.Dataset:
    """One run of the Fig. 2 task at this temperature, the device the record `parameters` (its `to_dict()`;
    default the reference). Returns: its metrics."""
    n_mtj, area_factor = CONDITIONS[condition]
    record = mp.Parameters(parameters) if parameters is not None else None
    run = mp.sine_generation_run(seed, mode=mode, n_mtj=n_mtj, parameters=device(temperature, area_factor, record),
                                 progress=False)
    return generation_metrics_dataset(mp.generation_metrics(run))


def curves(dataset: xr.Dataset) -> dict[str, SuccessCurve]:
    return {condition: SuccessCurve.from_passed(dataset.passed.sel(condition=condition), "temperature")
            for condition in dataset.condition.values}


def plot(dataset: xr.Dataset) -> Figure:
    figure = Figure(figsize=(13, 4), layout="constrained")
    single_axes, success_axes, error_axes = figure.subplots(1, 3)
    temperatures = dataset.single_temperature.values
    shown = temperatures > 0
    for factor in dataset.area_factor.values:
        single_axes.plot(temperatures[shown], dataset.single_delta_r_std.sel(area_factor=factor)[shown], "o-",
                         label=f"area x{factor:g}: std dR")
        single_axes.plot(temperatures[shown], dataset.single_phase_jitter.sel(area_factor=factor)[shown] * 100, "x:",
                         label=f"area x{factor:g}: phase jitter x100 (rad)")
    single_axes.axhline(float(dataset.attrs["delta_r_span"]), color="0.5", lw=0.8, ls="--")
    single_axes.set(xscale="log", yscale="log", xlabel="temperature (K)", ylabel="Ω  /  rad x100",
                    title="(a) one MTJ at 0.9e10 A/m² (dashed: dR span of the operating range)")
    single_axes.legend(fontsize=6)
    network_t = dataset.temperature.values
    axis_t = np.where(network_t > 0, network_t, network_t[network_t > 0].min() / 10)
    success_axes.set_xscale("log")
    for index, (condition, curve) in enumerate(curves(dataset).items()):
        marker = "osD^"[index % 4]
        plot_success(success_axes, curve, positions=axis_t, label=condition, marker=marker, color=f"C{index}",
                     baseline=curve, breaking=True)
        error = dataset.generation_error.sel(condition=condition)
        median = error.median("seed")
        error_axes.errorbar(axis_t, median, yerr=[median - error.quantile(0.25, "seed"),
                                                  error.quantile(0.75, "seed") - median],
                            marker=marker, capsize=3, label=condition)
    if "device_passed" in dataset:
        checked = SuccessCurve.from_passed(dataset.device_passed, "device_temperature", "device_seed")
        color = f"C{list(CONDITIONS).index(DEVICE_CONDITION)}"
        plot_success(success_axes, checked, label=f"{DEVICE_CONDITION}, device mode (SDE)", marker="*",
                     color=color, offset=0.15)
        error_axes.plot(dataset.device_temperature.values, dataset.device_generation_error.median("device_seed"), "*",
                        color=color, ms=12, label="device mode (SDE), median")
    for ax in (success_axes, error_axes):
        ax.set(xscale="log", xlabel="temperature (K; 0 K at the left edge)")
    success_axes.set(ylabel="success rate (%)", ylim=(-5, 105), title="(b) Fig. 2 task; bands: 0 K")
    error_axes.set(ylabel="generation error (median, quartiles)", yscale="log", title="(c) generation error")
    success_axes.legend(fontsize=6)
    error_axes.legend(fontsize=6)
    return figure


def run(output_dir, *, seed: int = 0, seeds: int = 20, device_seeds: int = 2, quick: bool = False,
        realisations: int = 256, parameters: mp.Parameters | None = None, scheduler: str | None = None,
        overwrite: bool = False, progress=True) -> dict:
    """Run the study, write its files into `output_dir`. Returns: a summary."""
    if seed < 0 or seeds < 1 or device_seeds < 0:
        raise mp.MtjphysError(f"need --seed >= 0, --seeds >= 1 and --device-seeds >= 0, got {seed}, {seeds} and "
                              f"{device_seeds}")
    record, carried, suffix = sweep_record(parameters, "supp_phase_noise")
    netcdf, png = prepare_outputs(output_dir, STUDY.outputs, overwrite)
    start = time.perf_counter()
    single = single_mtj(QUICK_TEMPERATURES if quick else SINGLE_TEMPERATURES, AREA_FACTORS,
                        min(realisations, 64) if quick else realisations, seed=seed, parameters=record)
    temperatures = QUICK_TEMPERATURES if quick else TEMPERATURES
    sweeps = f"{output_dir}/sweeps/supp_phase_noise{suffix}"
    sweep = mp.run_sweep(point, {"temperature": temperatures, "condition": list(CONDITIONS),
                                 "seed": list(range(seed, seed + seeds))}, sweeps,
                         fixed={"mode": "surrogate", **carried}, record=record, scheduler=scheduler, progress=progress)
    parts = [sweep, single]
    checked_temperatures = [t for t in DEVICE_TEMPERATURES if t in temperatures]
    device_seeds = device_seeds if checked_temperatures else 0
    if device_seeds:
        checked = mp.run_sweep(point, {"temperature": checked_temperatures, "condition": [DEVICE_CONDITION],
                                       "seed": list(range(seed, seed + device_seeds))}, f"{sweeps}_device",
                               fixed={"mode": "device", **carried}, record=record, scheduler=scheduler,
                               progress=progress)
        checked = checked.isel(condition=0, drop=True)
        parts.append(checked.rename(temperature="device_temperature", seed="device_seed",
                                    **{v: f"device_{v}" for v in checked.data_vars}))
    dataset = xr.merge(parts, combine_attrs="override")  # keeps each variable's units and long name
    dataset.attrs = {}
    dataset["temperature"].attrs = {"units": "K", "long_name": "temperature"}
    dataset["condition"].attrs = {"units": "", "long_name": "network: N MTJs, free-layer area factor"}
    dataset["seed"].attrs = {"units": "1", "long_name": "network seed (thermal surrogate)"}
    summary = {"seed": seed, "seeds": seeds, "device_seeds": device_seeds,
               "conditions": {k: {"n_mtj": v[0], "area_factor": v[1]} for k, v in CONDITIONS.items()},
               "success": {condition: curve.to_json() for condition, curve in curves(dataset).items()},
               "single_mtj_delta_r_std_ohm": {
                   f"{f:g}": dict(zip((f"{t:g}" for t in single.single_temperature.values),
                                      single.single_delta_r_std.sel(area_factor=f).values.tolist()))
                   for f in single.area_factor.values}}
    if device_seeds:
        dataset["device_temperature"].attrs = {"units": "K", "long_name": "temperature of the device-mode check"}
        dataset["device_seed"].attrs = {"units": "1", "long_name": "network seed (device mode)"}
        surrogate = dataset.passed.sel(condition=DEVICE_CONDITION, temperature=checked_temperatures,
                                       seed=list(range(seed, seed + device_seeds)))
        summary["device_success"] = SuccessCurve.from_passed(dataset.device_passed, "device_temperature",
                                                             "device_seed").to_json()
        summary["device_agreement"] = {"condition": DEVICE_CONDITION, "runs": int(surrogate.size),
                                       "same_verdict": int((surrogate.values == dataset.device_passed.values).sum())}
    span = mp.neuron_output(cold(record), list(mp.OPERATING_RANGE)).delta_r
    dataset.attrs.update(provenance(record, settings=mp.ThermalSolver(), seed=seed, study="supp_phase_noise",
                                    summary=json.dumps(summary), delta_r_span=float(span[1] - span[0]),
                                    ringing_period=single.attrs["ringing_period"],
                                    realisations=single.attrs["realisations"]))
    mp.write_dataset(dataset, netcdf, overwrite=overwrite)
    save_figure(plot(dataset), png, overwrite=overwrite, parameters=record, study="supp_phase_noise")
    summary["wall_time_s"] = round(time.perf_counter() - start, 1)
    return summary


def report(summary: dict) -> ReportSection:
    success = {name: SuccessCurve.from_json(record) for name, record in summary["success"].items()}
    breaks = "; ".join(f"{label(name)}: {curve.breaking.describe('K')}" for name, curve in success.items())
    rows = (("Supplement: phase noise degrades the output but can be improved", "yes (no numbers given)", breaks),)
    verdicts = (verdict(None, None),)
    std = summary["single_mtj_delta_r_std_ohm"]
    hottest = list(std["1"])[-1]
    text = [f"Spread of one MTJ's ΔR at 0.9 × 10¹⁰ A/m² at {hottest} K: {std['1'][hottest]:.0f} Ω for the 100 nm "
            f"disc, {std['100'][hottest]:.1f} Ω at 100 times and {std['10000'][hottest]:.2f} Ω at 10⁴ times the area "
            "(the operating range spans about 31 Ω on the reference device)."]
    seeds = seeds_in_words(summary["seed"], summary["seeds"])
    text += [f"Fig. 2 task, {label(name)} ({seeds} at every temperature, thermal surrogate): "
             f"{curve.describe(' K')}; {curve.breaking.describe('K')}; {curve.compared_with_baseline(' K')}."
             for name, curve in success.items()]
    if "device_agreement" in summary:
        agreement = summary["device_agreement"]
        checked = SuccessCurve.from_json(summary["device_success"])
        text.append(f"Device mode (every MTJ integrated by the SDE), {label(agreement['condition'])}: "
                    f"{checked.describe(' K')}; "
                    f"the same verdict as the thermal surrogate in {agreement['same_verdict']} of "
                    f"{agreement['runs']} runs.")
    caption = ("(a) one MTJ's spread of ΔR and phase jitter against temperature; (b) success rate "
               "with 95 % intervals (bands: 0 K; stars: device mode); (c) generation error.")
    return ReportSection(rows, "\n\n".join(text), (("supp_phase_noise.png", caption),), verdicts)


STUDY = Study(
    name="supp_phase_noise",
    title="Supplement: thermal phase noise of the MTJs and its effect on the network.",
    description=__doc__,
    run=run,
    outputs=("supp_phase_noise.nc", "supp_phase_noise.png"),
    options=(
        seed_option(),
        seeds_option(20, "networks per point (thermal surrogate)"),
        click.Option(["--device-seeds"], default=2, show_default=True,
                     help="The first DEVICE_SEEDS of them also run the device-mode (SDE network) check (0: none)."),
        quick_option("Three temperatures and fewer realisations."),
        params_option(),
        scheduler_option(),
    ),
    full={"seeds": 20, "device_seeds": 2},
    quick={"seeds": 2, "device_seeds": 0, "quick": True},
    report=report,
)
