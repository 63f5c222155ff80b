"""Supplementary: thermal phase noise. The stochastic LLG (Brown's thermal field, Stratonovich,
diffrax Heun with one Brownian path per MTJ) from 0 K to room temperature.

(a) One MTJ at j = 0.9e10 A/m^2, many realisations per temperature, each starting from a thermal
    state: the spread of its output dR and the jitter of the ringing's phase (time of the last
    maximum times 2 pi f) grow with temperature; a larger free layer (area x 100, x 10^4) shrinks them.
(b) The Fig. 2 task against temperature, for 40 MTJs, for 160 MTJs and for 40 MTJs of 100 times the
    area: success rate and generation error over seeds, and where each breaks. The networks use
    the thermal surrogate (every MTJ's dR drawn each step from the SDE-sampled distribution at its
    current, exact in distribution for windows that start from a thermal state).
(c) A check of (b) in device mode (every MTJ integrated by the SDE in every step) at one point.

    python studies/supp_phase_noise.py -o results/ [--seeds 4] [--scheduler ADDRESS]

Writes supp_phase_noise.nc and supp_phase_noise.png; the sweep keeps its points in results/sweeps/.
"""

from __future__ import annotations

import json
import time

import click
import numpy as np
import xarray as xr
from matplotlib.figure import Figure

import mtjphys as mp
from mtjphys.studies import fig2_generation
from mtjphys.studies._common import breaking_point, print_summary, scheduler_option, sweep_metrics

TEMPERATURES = [0.0, 0.001, 0.01, 0.1, 1.0, 10.0, 100.0, 300.0]  # [K]
QUICK_TEMPERATURES = [0.0, 0.01, 300.0]
SINGLE_TEMPERATURES = [0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0]
AREA_FACTORS = [1.0, 100.0, 10000.0]
# (MTJs, free-layer area / reference): more MTJs average the noise; a larger free layer shrinks it
CONDITIONS = {"N40": (40, 1.0), "N160": (160, 1.0), "N40_area1e2": (40, 1e2), "N40_area1e4": (40, 1e4)}
CHECK = {"condition": "N40_area1e4", "temperature": 1.0, "seed": 0}
J_SINGLE = 0.9e10


def device(temperature: float, area_factor: float) -> mp.Parameters:
    reference = mp.Parameters()
    return reference.replace(temperature=temperature, area=reference["area"] * area_factor)


def single_mtj(temperatures, area_factors, realisations: int, seed: int) -> xr.Dataset:
    """(a): mean and spread of dR and the phase jitter over `realisations` windows."""
    cold = mp.neuron_output(mp.Parameters(), J_SINGLE, settings=mp.NeuronSolver())
    period = 2 * abs(float(cold.time_max) - float(cold.time_min))
    shape = (len(area_factors), len(temperatures))
    mean, spread, jitter = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    for i, factor in enumerate(area_factors):
        for k, temperature in enumerate(temperatures):
            record = device(temperature, factor)
            if temperature > 0:
                extrema = mp.thermal_delta_r(record, np.full(realisations, J_SINGLE), seed=seed + 1000 * i + k)
            else:
                extrema = mp.thermal_delta_r(record, np.array([J_SINGLE]))
            mean[i, k], spread[i, k] = np.mean(extrema.delta_r), np.std(extrema.delta_r)
            jitter[i, k] = 2 * np.pi / period * np.nanstd(extrema.time_max)
    return xr.Dataset(
        {"single_delta_r_mean": (("area_factor", "single_temperature"), mean,
                                 {"units": "ohm", "long_name": f"mean dR of one MTJ at j = {J_SINGLE:g} A/m^2"}),
         "single_delta_r_std": (("area_factor", "single_temperature"), spread,
                                {"units": "ohm", "long_name": "std of dR across realisations"}),
         "single_phase_jitter": (("area_factor", "single_temperature"), jitter,
                                 {"units": "rad", "long_name": "std of the phase of the last maximum"})},
        coords={"area_factor": ("area_factor", area_factors, {"units": "1", "long_name": "free-layer area / reference"}),
                "single_temperature": ("single_temperature", temperatures, {"units": "K", "long_name": "temperature"})},
        attrs={"realisations": realisations, "ringing_period": period},
    )


def point(temperature: float, condition: str, seed: int, mode: str = "surrogate") -> xr.Dataset:
    """One run of the Fig. 2 task at this temperature. Returns: its metrics."""
    n_mtj, area_factor = CONDITIONS[condition]
    run = fig2_generation.run_seed(seed, mode=mode, n_mtj=n_mtj, parameters=device(temperature, area_factor),
                                   progress=False)
    return sweep_metrics(fig2_generation.generation_error(run))


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
    single_axes.axhline(float(dataset.attrs.get("delta_r_span", 31.0)), color="0.5", lw=0.8, ls="--")
    single_axes.set(xscale="log", yscale="log", xlabel="temperature (K)", ylabel="Ω  /  rad x100",
                    title="(a) one MTJ at 0.9e10 A/m² (dashed: dR span of the window)")
    single_axes.legend(fontsize=6)
    network_t = dataset.temperature.values
    axis_t = np.where(network_t > 0, network_t, network_t[network_t > 0].min() / 10)
    for condition, marker in zip(dataset.condition.values, ("o", "s", "^", "D")):
        success = dataset.passed.sel(condition=condition).mean("seed")
        success_axes.plot(axis_t, 100 * success, marker=marker, label=condition)
        error = dataset.generation_error.sel(condition=condition)
        median = error.median("seed")
        error_axes.errorbar(axis_t, median, yerr=[median - error.quantile(0.25, "seed"),
                                                  error.quantile(0.75, "seed") - median],
                            marker=marker, capsize=3, label=condition)
    if "check_generation_error" in dataset:
        error_axes.plot(max(float(dataset.attrs["check_temperature"]), axis_t.min()),
                        float(dataset.check_generation_error), "k*", ms=12, label="device mode (SDE) check")
    for ax in (success_axes, error_axes):
        ax.set(xscale="log", xlabel="temperature (K; 0 K at the left edge)")
    success_axes.set(ylabel="success rate (%)", ylim=(-5, 105), title=f"(b) Fig. 2 task, {dataset.sizes['seed']} seeds")
    error_axes.set(ylabel="generation error (median, quartiles)", yscale="log", title="(c) generation error")
    success_axes.legend(fontsize=8)
    error_axes.legend(fontsize=7)
    return figure


def run(output_dir, *, seeds: int = 4, quick: bool = False, realisations: int = 256, check: bool = True,
        scheduler: str | None = None, overwrite: bool = False, progress=True) -> dict:
    """Run the study, write its files into `output_dir`. Returns: a summary."""
    if seeds < 1:
        raise mp.MtjphysError(f"--seeds must be at least 1, got {seeds}")
    netcdf, png = mp.prepare_outputs(output_dir, ["supp_phase_noise.nc", "supp_phase_noise.png"], overwrite)
    start = time.perf_counter()
    single = single_mtj(QUICK_TEMPERATURES if quick else SINGLE_TEMPERATURES, AREA_FACTORS,
                        min(realisations, 64) if quick else realisations, seed=0)
    temperatures = QUICK_TEMPERATURES if quick else TEMPERATURES
    sweep = mp.run_sweep(point, {"temperature": temperatures, "condition": list(CONDITIONS),
                                 "seed": list(range(seeds))},
                         f"{output_dir}/sweeps/supp_phase_noise", fixed={"mode": "surrogate"}, scheduler=scheduler,
                         progress=progress)
    dataset = xr.merge([sweep, single], combine_attrs="drop")
    dataset.attrs = {}
    dataset["temperature"].attrs = {"units": "K", "long_name": "temperature"}
    dataset["condition"].attrs = {"units": "", "long_name": "network: N MTJs, free-layer area factor"}
    dataset["seed"].attrs = {"units": "1", "long_name": "network seed"}
    summary = {"seeds": seeds, "conditions": {k: {"n_mtj": v[0], "area_factor": v[1]} for k, v in CONDITIONS.items()}}
    if check and not quick:
        checked = point(CHECK["temperature"], CHECK["condition"], CHECK["seed"], mode="device")
        surrogate = dataset.sel(temperature=CHECK["temperature"], condition=CHECK["condition"], seed=CHECK["seed"])
        dataset["check_generation_error"] = ((), float(checked.generation_error),
                                             {"units": "1", "long_name": "generation error, device mode (SDE)"})
        dataset["check_passed"] = ((), bool(checked.passed), {"units": "1", "long_name": "passed, device mode (SDE)"})
        summary["device_check"] = {**CHECK, "device_generation_error": round(float(checked.generation_error), 4),
                                   "surrogate_generation_error": round(float(surrogate.generation_error), 4),
                                   "device_passed": bool(checked.passed), "surrogate_passed": bool(surrogate.passed)}
    for condition in CONDITIONS:
        success = dataset.passed.sel(condition=condition).mean("seed").values
        summary[f"success_rate_{condition}"] = {f"{t:g} K": round(float(v), 2) for t, v in zip(temperatures, success)}
        summary[f"breaks_at_{condition}_K"] = breaking_point(temperatures, success)
    summary["single_mtj_delta_r_std_ohm"] = {
        f"area x{f:g}": {f"{t:g} K": round(float(v), 2) for t, v in
                         zip(single.single_temperature.values, single.single_delta_r_std.sel(area_factor=f).values)}
        for f in single.area_factor.values}
    cold = mp.neuron_output(mp.Parameters(), list(mp.OPERATING_WINDOW)).delta_r
    dataset.attrs.update(mp.provenance(mp.Parameters(), settings=mp.ThermalSolver(), study="supp_phase_noise",
                                       summary=json.dumps(summary), delta_r_span=float(cold[1] - cold[0]),
                                       check_temperature=CHECK["temperature"], ringing_period=single.attrs["ringing_period"],
                                       realisations=single.attrs["realisations"]))
    mp.write_dataset(dataset, netcdf, overwrite=overwrite)
    mp.save_figure(plot(dataset), png, overwrite=overwrite)
    summary["wall_time_s"] = round(time.perf_counter() - start, 1)
    return summary


@click.command()
@mp.study_options
@click.option("--seeds", default=4, show_default=True, help="Seeds per point.")
@click.option("--quick", is_flag=True, help="Three temperatures, fewer realisations, no device-mode check.")
@click.option("--no-check", is_flag=True, help="Skip the device-mode (SDE network) check.")
@scheduler_option
def main(output_dir, overwrite, seeds, quick, no_check, scheduler):
    """Supplementary: thermal phase noise of the MTJs and its effect on the network."""
    summary = run(output_dir, seeds=seeds, quick=quick, check=not no_check, scheduler=scheduler, overwrite=overwrite)
    print_summary(summary)


if __name__ == "__main__":
    mp.run_command(main, prog_name="supp_phase_noise")
