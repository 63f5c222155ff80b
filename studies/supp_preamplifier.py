"""Supplementary: how the measurement of dR (pre-amplifier and extrema rule) shapes what a noisy MTJ neuron outputs.

    mtjphys study supp_preamplifier -o results/ [--params P.json] [--realisations 512] [--seed 0] [--seeds 10]
        [--scheduler ADDRESS]

Above 0 K the resistance trace carries noise on every time scale, so how dR is read from it is
part of the neuron. It is measured (`mtjphys.Preamplifier`) through a pre-amplifier of -3 dB bandwidth B
(a zero-phase Gaussian low-pass) followed by the last maximum and minimum of R that are extrema
over a hold time (half the precession period; or every local extremum, hold 0).

(a) One MTJ at 0.9e10 A/m^2 (the record of --params; default the reference 100 nm disc) at 0.01, 1
    and 300 K: the same thermal realisations (drawn from SEED) read with each bandwidth and extrema
    rule. Reported: the mean and spread of dR, and the share of windows whose last maximum and
    minimum lie less than a quarter of the ringing period apart (a noise wiggle taken for the
    ringing; true ones are half a period apart).
(b) The Fig. 2 task (40 MTJs of 10^4 times the area, thermal surrogate) against temperature for
    three bandwidths, over seeds SEED .. SEED + SEEDS - 1: how far the breaking temperature depends on
    the pre-amplifier (--quick: none).

Writes supp_preamplifier.nc and supp_preamplifier.png; the sweep keeps its points in DIR/sweeps/.
"""

from __future__ import annotations

import json
import time

import click
import jax
import jax.numpy as jnp
import numpy as np
import xarray as xr
from matplotlib.figure import Figure

import mtjphys as mp
from mtjphys.data import provenance
from mtjphys.device import make_device, Preamplifier, thermal_preamplifier, ThermalSolver
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
from mtjphys.tasks import generation_metrics_dataset

TEMPERATURES = [0.01, 1.0, 300.0]  # [K]
BANDWIDTHS = [5e9, 10e9, 20e9, 40e9, 0.0]  # [Hz]; 0: no filter
RULES = {"held": "extrema over half a precession period", "every": "every local extremum"}
J = 0.9e10
NETWORK_AREA = 1e4
NETWORK_TEMPERATURES = [0.3, 1.0, 3.0, 10.0, 30.0]
NETWORK_BANDWIDTHS = [10e9, 20e9, 40e9]


def preamplifier_of(bandwidth: float, rule: str, record: mp.Parameters) -> Preamplifier:
    hold = thermal_preamplifier(record).hold if rule == "held" else 0.0
    return Preamplifier(bandwidth=bandwidth or None, hold=hold)


def single_mtj(temperatures, realisations: int, seed: int, parameters: mp.Parameters | None = None) -> xr.Dataset:
    """(a): every pre-amplifier and extrema rule applied to the same realisations at each temperature, the
    device `parameters` (default the reference)."""
    base = parameters or mp.Parameters()
    settings = ThermalSolver()
    ts = np.linspace(0.0, mp.NEURON_WINDOW, settings.samples)
    period = 1 / float(mp.precession_frequency(base))
    shape = (len(temperatures), len(BANDWIDTHS), len(RULES))
    mean, spread, wiggles = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    for i, temperature in enumerate(temperatures):
        record = base.replace(temperature=temperature)
        device = make_device(record, thermal=settings)
        trace = device.solve(jnp.full(realisations, J), ts, key=jax.random.PRNGKey(seed + i))
        resistance = trace.point.resistance
        for k, bandwidth in enumerate(BANDWIDTHS):
            for r, rule in enumerate(RULES):
                extrema = preamplifier_of(bandwidth, rule, record).extrema(ts, resistance)
                delta_r, gap = np.asarray(extrema.delta_r), np.abs(np.asarray(extrema.time_max - extrema.time_min))
                mean[i, k, r], spread[i, k, r] = delta_r.mean(), delta_r.std()
                wiggles[i, k, r] = np.mean(~(gap >= period / 4))  # no extrema found counts as a failure too
    dims = ("temperature", "bandwidth", "rule")
    return xr.Dataset(
        {"delta_r_mean": (dims, mean, {"units": "ohm", "long_name": f"mean dR of one MTJ at j = {J:g} A/m^2"}),
         "delta_r_std": (dims, spread, {"units": "ohm", "long_name": "std of dR across realisations"}),
         "wiggle_fraction": (dims, wiggles, {"units": "1", "long_name": "share of windows whose last max and min "
                                                                          "are under a quarter period apart"})},
        coords={"temperature": ("temperature", temperatures, {"units": "K", "long_name": "temperature"}),
                "bandwidth": ("bandwidth", BANDWIDTHS, {"units": "Hz", "long_name": "pre-amplifier -3 dB bandwidth "
                                                                                      "(0: no filter)"}),
                "rule": ("rule", list(RULES), {"units": "", "long_name": "; ".join(f"{k}: {v}" for k, v in
                                                                               RULES.items())})},
        attrs={"realisations": realisations, "ringing_period": period},
    )


def network_point(temperature: float, bandwidth: float, seed: int, parameters: dict | None = None) -> xr.Dataset:
    """One run of the Fig. 2 task read through this bandwidth, the MTJs the record `parameters` (its
    `to_dict()`; default the reference) with NETWORK_AREA times its area. Returns: its metrics."""
    base = mp.Parameters(parameters) if parameters is not None else mp.Parameters()
    # a larger free layer at the same R_P: a quieter magnet, not a junction of its own (supp_phase_noise)
    record = base.replace(temperature=temperature, area=base["area"] * NETWORK_AREA, breakdown_voltage=None,
                          allow_implausible=True)
    run = mp.sine_generation_run(seed, mode="surrogate", parameters=record, progress=False,
                                 preamplifier=preamplifier_of(bandwidth, "held", record))
    return generation_metrics_dataset(mp.generation_metrics(run))


def plot(dataset: xr.Dataset) -> Figure:
    figure = Figure(figsize=(13, 4), layout="constrained")
    spread_axes, wiggle_axes, network_axes = figure.subplots(1, 3)
    positions = np.arange(dataset.sizes["bandwidth"])
    labels = [f"{b / 1e9:g}" if b else "none" for b in dataset.bandwidth.values]
    for index, temperature in enumerate(dataset.temperature.values):
        for rule, style in zip(dataset.rule.values, ("-", ":")):
            point = dataset.sel(temperature=temperature, rule=rule)
            spread_axes.plot(positions, point.delta_r_std, f"o{style}", color=f"C{index}",
                             label=f"{temperature:g} K, {rule}")
            wiggle_axes.plot(positions, 100 * point.wiggle_fraction, f"o{style}", color=f"C{index}",
                             label=f"{temperature:g} K, {rule}")
    for ax in (spread_axes, wiggle_axes):
        ax.set_xticks(positions, labels)
        ax.set_xlabel("pre-amplifier bandwidth (GHz)")
    spread_axes.set(yscale="log", ylabel="std of ΔR (Ω)", title="(a) spread of one MTJ's output")
    wiggle_axes.set(ylabel="windows read on a noise wiggle (%)", ylim=(-5, 105),
                    title="(a) last max and min under T/4 apart")
    spread_axes.legend(fontsize=6)
    if "passed" in dataset:
        network_axes.set_xscale("log")
        for index, bandwidth in enumerate(dataset.network_bandwidth.values):
            curve = SuccessCurve.from_passed(dataset.passed.sel(network_bandwidth=bandwidth), "network_temperature")
            plot_success(network_axes, curve, label=f"{bandwidth / 1e9:g} GHz", marker="osD"[index % 3],
                         color=f"C{index}", offset=0.03 * (index - 1), breaking=True)
        network_axes.set(xlabel="temperature (K)", ylabel="success rate (%)", ylim=(-5, 105),
                         title=f"(b) Fig. 2 task, 40 MTJs, area x{NETWORK_AREA:g}")
        network_axes.legend(fontsize=7)
    else:
        network_axes.set_axis_off()
    return figure


def run(output_dir, *, realisations: int = 512, seed: int = 0, seeds: int = 10, quick: bool = False,
        parameters: mp.Parameters | None = None, scheduler: str | None = None, overwrite: bool = False,
        progress=True) -> dict:
    """Run the study, write its files into `output_dir`. Returns: a summary."""
    if realisations < 2 or seed < 0 or seeds < 1:
        raise mp.MtjphysError(f"need --realisations >= 2, --seed >= 0 and --seeds >= 1, got {realisations}, {seed} "
                              f"and {seeds}")
    record, carried, suffix = sweep_record(parameters, "supp_preamplifier")
    netcdf, png = prepare_outputs(output_dir, STUDY.outputs, overwrite)
    start = time.perf_counter()
    dataset = single_mtj(TEMPERATURES, realisations, seed=seed, parameters=record)
    summary = {"realisations": realisations, "seed": seed, "seeds": seeds,
               "table": {f"{t:g}": {rule: {f"{b / 1e9:g}" if b else "none": {
                   "mean": float(dataset.delta_r_mean.sel(temperature=t, bandwidth=b, rule=rule)),
                   "std": float(dataset.delta_r_std.sel(temperature=t, bandwidth=b, rule=rule)),
                   "wiggles": float(dataset.wiggle_fraction.sel(temperature=t, bandwidth=b, rule=rule))}
                   for b in BANDWIDTHS} for rule in RULES} for t in TEMPERATURES}}
    if not quick:
        sweep = mp.run_sweep(network_point, {"temperature": NETWORK_TEMPERATURES, "bandwidth": NETWORK_BANDWIDTHS,
                                             "seed": list(range(seed, seed + seeds))},
                             f"{output_dir}/sweeps/supp_preamplifier{suffix}", fixed=carried, record=record,
                             scheduler=scheduler, progress=progress)
        sweep = sweep.rename(temperature="network_temperature", bandwidth="network_bandwidth")
        sweep["network_temperature"].attrs = {"units": "K", "long_name": "temperature of the network"}
        sweep["network_bandwidth"].attrs = {"units": "Hz", "long_name": "pre-amplifier bandwidth of the network"}
        sweep["seed"].attrs = {"units": "1", "long_name": "network seed"}
        dataset = xr.merge([dataset, sweep], combine_attrs="override")
        summary["network_success"] = {
            f"{b / 1e9:g}": SuccessCurve.from_passed(dataset.passed.sel(network_bandwidth=b),
                                                     "network_temperature").to_json()
            for b in NETWORK_BANDWIDTHS}
    dataset.attrs = {**dataset.attrs, **provenance(record, settings=ThermalSolver(), seed=seed,
                                                   study="supp_preamplifier", current_density=J,
                                                   summary=json.dumps(summary))}
    mp.write_dataset(dataset, netcdf, overwrite=overwrite)
    save_figure(plot(dataset), png, overwrite=overwrite, parameters=record, study="supp_preamplifier")
    summary["wall_time_s"] = round(time.perf_counter() - start, 1)
    return summary


def report(summary: dict) -> ReportSection:
    table = summary["table"]
    lines = ["| temperature | extrema rule | " + " | ".join(f"{b} GHz" if b != "none" else "no filter"
                                                        for b in next(iter(next(iter(table.values())).values())))
             + " |", "|---|---|" + "---|" * len(next(iter(next(iter(table.values())).values())))]
    for temperature, rules in table.items():
        for rule, cells in rules.items():
            lines.append(f"| {temperature} K | {RULES[rule]} | " + " | ".join(
                f"{c['mean']:.1f} ± {c['std']:.1f} Ω, {100 * c['wiggles']:.0f} %" for c in cells.values()) + " |")
    text = [f"One MTJ at {J / 1e10:g} × 10¹⁰ A/m², {summary['realisations']} thermal realisations per temperature, "
            "each read with "
            "every pre-amplifier: mean ± std of ΔR, and the share of windows read on a noise wiggle.", "\n".join(lines)]
    rows = []
    if "network_success" in summary:
        curves = {b: SuccessCurve.from_json(c) for b, c in summary["network_success"].items()}
        breaks = "; ".join(f"{b} GHz: {curve.breaking.describe('K')}" for b, curve in curves.items())
        text.append(f"Fig. 2 task, 40 MTJs of 10^{np.log10(NETWORK_AREA):g} times the area, thermal surrogate, "
                    f"{seeds_in_words(summary['seed'], summary['seeds'])} at every point, read with extrema held "
                    f"over half a period: {breaks}.")
        rows.append(("Where the Fig. 2 network breaks, by pre-amplifier bandwidth", "not given", breaks))
    verdicts = tuple(verdict(None, None) for _ in rows)
    return ReportSection(tuple(rows), "\n\n".join(text), (("supp_preamplifier.png", "(a) spread of one MTJ's ΔR and "
                                                            "share of windows read on a noise wiggle against the "
                                                            "bandwidth (solid: extrema held over half a period; "
                                                            "dotted: every extremum); (b) the Fig. 2 task against "
                                                            "temperature for three bandwidths."),), verdicts)


STUDY = Study(
    name="supp_preamplifier",
    title="Supplement: the pre-amplifier (bandwidth, extrema rule) through which a noisy dR is read.",
    description=__doc__,
    run=run,
    outputs=("supp_preamplifier.nc", "supp_preamplifier.png"),
    options=(
        click.Option(["--realisations"], default=512, show_default=True, help="Thermal windows per temperature."),
        seed_option(),
        seeds_option(10, "networks per point of (b)"),
        quick_option("No network sweep (b)."),
        params_option(),
        scheduler_option(),
    ),
    full={"realisations": 512, "seeds": 10},
    quick={"realisations": 64, "quick": True},
    report=report,
)
