"""Supplementary: hardware figures. What a neuron window, a network step and a task cost in energy; what
a bias-dependent TMR, Joule heating and room temperature do to the neuron and to the Fig. 2 network.

    mtjphys study supp_hardware -o results/ [--params P.json] [--seed 0] [--seeds 6] [--scheduler ADDRESS]

The junction is the record of --params (default the reference), with the bias dependence, heating,
temperature and area each part sets.

(a, b) The operating point over a wide range of current densities: the voltage across the barrier, the
    energy the junction dissipates in a window (the integral of V I over the window, from the
    resistance trace) and dR, for a constant TMR and for TMR(V) = TMR0 / (1 + (V / V_half)^2) with
    V_half = 1.0, 0.7 and 0.5 V; the same under a voltage drive at V = j A R0; and the transfer curve's
    nonlinearity on the operating range (largest distance of the normalised curve from a straight line).
(c) Joule heating: the free layer at T = T_ambient + R_th P, with Ms(T) by Bloch's law (Curie
    temperature 750 K assumed) and Ku ~ Ms^3, A ~ Ms^2 (Callen-Callen; the record's exponents), at 0 K and
    300 K ambient: its temperature, its small-angle precession frequency (a perpendicular layer softens as
    it heats) and the mean and spread of dR at 0.9e10 A/m^2 against the thermal resistance R_th
    (realisations drawn from SEED).
(d, e) The Fig. 2 task over seeds SEED .. SEED + SEEDS - 1 against V_half (device mode, 0 K) and against
    R_th (0 K ambient: the heat alone makes the free layers noisy; thermal surrogate).
(f) The Fig. 2 task at 300 K against the free layer's area (thickness, current density and RA kept,
    so R scales as 1 / area and the energy per window as the area; thermal surrogate): the area,
    the stability factor K_eff V / k_B T and the energy at which it works.
The energy per step and per task of Fig. 2 in device mode comes from (d) at constant TMR; Figs. 3 and
4 report theirs in their own studies.

Writes supp_hardware.nc and supp_hardware.png; the sweeps keep their points in DIR/sweeps/.
"""

from __future__ import annotations

import json
import math
import time

import click
import numpy as np
import xarray as xr
from matplotlib.figure import Figure

import mtjphys as mp
from mtjphys.data import provenance
from mtjphys.device import free_layer_temperature, heated_record, is_warm, tangent_hessian
from mtjphys.networks import energy_summary
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

V_HALF = [math.inf, 1.0, 0.7, 0.5]  # [V]; inf: constant TMR
QUICK_V_HALF = [math.inf, 0.5]
CURRENTS = (0.2e10, 1.4e10)  # [A/m^2], the range of (a, b)
CURIE = 750.0  # [K], assumed for a 1 nm CoFeB free layer
THERMAL_RESISTANCES = [0.0, 1e4, 1e5, 1e6]  # [K/W], (c)
FIG2_THERMAL_RESISTANCES = [0.0, 1e2, 1e3, 1e4]  # [K/W], (e): the reference disc breaks near 1 mK
QUICK_FIG2_THERMAL_RESISTANCES = [0.0, 1e3]
AREA_FACTORS = [1e4, 1e5, 1e6, 1e7, 1e8]  # (f)
QUICK_AREA_FACTORS = [1e7]
J_HEATING = 0.9e10
ROOM = 300.0


def device(v_half: float = math.inf, thermal_resistance: float = 0.0, temperature: float = 0.0,
           area_factor: float = 1.0, curie: float | None = None,
           parameters: mp.Parameters | None = None) -> mp.Parameters:
    """The MTJ (`parameters`, default the reference) with a bias-dependent TMR, heating, or a larger free layer
    of the same RA."""
    record = parameters or mp.Parameters()
    return record.replace(V_half=None if math.isinf(v_half) else v_half, thermal_resistance=thermal_resistance,
                          temperature=temperature, curie_temperature=curie, area=record["area"] * area_factor,
                          R_P=record["R_P"] / area_factor, R_AP=record["R_AP"] / area_factor,
                          # the sweeps go past real pillars on purpose (layers of 10^4-10^8 times the area, thermal
                          # resistances down to 100 K/W): the records say so
                          allow_implausible=True)


def stability_factor(record: mp.Parameters) -> float:
    """K_eff V / k_B T, with K_eff half the smallest curvature of the energy density about m0."""
    params = record.arrays()
    hessian = np.asarray(tangent_hessian(record.model, params, params["m0"]))
    k_eff = float(np.linalg.eigvalsh(hessian)[0]) / 2
    thermal_energy = record.model.constants["k_B"]["value"] * record["temperature"]
    return k_eff * record["area"] * record["thickness"] / thermal_energy


def operating_range(points: int, parameters: mp.Parameters | None = None) -> xr.Dataset:
    """(a, b): voltage, energy and dR over the current density for each V_half, under current and voltage drive
    (the grid holds the operating range's ends exactly)."""
    js = np.union1d(np.round(np.linspace(*CURRENTS, points), -6), mp.OPERATING_RANGE)  # no near-duplicates
    on_range = np.linspace(*mp.OPERATING_RANGE, 11)
    names = ("delta_r", "energy", "voltage_max", "delta_r_voltage")
    fields = {name: np.zeros((len(V_HALF), js.size)) for name in names}
    nonlinearity, monotonic = np.zeros(len(V_HALF)), np.zeros(len(V_HALF), dtype=bool)
    for index, v_half in enumerate(V_HALF):
        record = device(v_half, parameters=parameters)
        response = mp.neuron_output(record, js)
        fields["delta_r"][index], fields["energy"][index] = response.delta_r, response.energy
        fields["voltage_max"][index] = response.voltage_max
        voltages = js * record["area"] * mp.equilibrium_resistance(record)
        fields["delta_r_voltage"][index] = mp.neuron_output(record, voltage=voltages).delta_r
        curve = mp.neuron_output(record, on_range).delta_r
        normalized = (curve - curve[0]) / (curve[-1] - curve[0])
        nonlinearity[index] = np.max(np.abs(normalized - np.linspace(0.0, 1.0, on_range.size)))
        monotonic[index] = bool(np.all(np.diff(curve) > 0))
    dims = ("v_half", "current_density")
    return xr.Dataset(
        {
            "delta_r": (dims, fields["delta_r"], {"units": "ohm", "long_name": "neuron output dR (current drive)"}),
            "window_energy": (dims, fields["energy"], {"units": "J", "long_name": "energy of one neuron window"}),
            "voltage_max": (dims, fields["voltage_max"], {"units": "V", "long_name": "largest voltage in the window"}),
            "delta_r_voltage_drive": (dims, fields["delta_r_voltage"],
                                      {"units": "ohm", "long_name": "dR under a voltage drive at V = j A R0"}),
            "range_nonlinearity": ("v_half", nonlinearity, {
                "units": "1",
                "long_name": "largest distance of the normalised dR(j) from a straight line on the operating range"}),
            "range_monotonic": ("v_half", monotonic, {"units": "1", "long_name": "dR grows over the operating range"}),
        },
        coords={"v_half": ("v_half", V_HALF, {"units": "V", "long_name": "half-TMR bias voltage (inf: constant TMR)"}),
                "current_density": ("current_density", js, {"units": "A/m^2", "long_name": "current density"})},
    )


def heating(realisations: int, seed: int, parameters: mp.Parameters | None = None) -> xr.Dataset:
    """(c): the heated free layer's temperature and dR at J_HEATING against R_th, at 0 K and 300 K ambient."""
    ambients = [0.0, ROOM]
    shape = (len(ambients), len(THERMAL_RESISTANCES))
    temperature, mean, spread, frequency = np.zeros(shape), np.zeros(shape), np.zeros(shape), np.zeros(shape)
    for a, ambient in enumerate(ambients):
        for k, r_th in enumerate(THERMAL_RESISTANCES):
            record = device(thermal_resistance=r_th, temperature=ambient, curie=CURIE, parameters=parameters)
            count = realisations if is_warm(record) else 1
            response = mp.neuron_output(record, np.full(count, J_HEATING), seed=seed + 100 * a + k)
            mean_power = float(np.mean(response.energy)) / mp.NEURON_WINDOW
            temperature[a, k] = float(free_layer_temperature(record, mean_power))
            mean[a, k], spread[a, k] = np.mean(response.delta_r), np.std(response.delta_r)
            frequency[a, k] = float(np.max(mp.precession_frequency(heated_record(record, mean_power))))
    dims = ("ambient_temperature", "thermal_resistance")
    return xr.Dataset(
        {
            "heated_temperature": (dims, temperature, {"units": "K", "long_name": "mean free-layer temperature"}),
            "heated_delta_r_mean": (dims, mean, {"units": "ohm", "long_name": f"mean dR at {J_HEATING:g} A/m^2"}),
            "heated_delta_r_std": (dims, spread, {"units": "ohm", "long_name": "std of dR across realisations"}),
            "heated_precession_frequency": (dims, frequency, {"units": "Hz", "long_name": "small-angle precession "
                                                              "frequency of the free layer heated by the mean power"}),
        },
        coords={"ambient_temperature": ("ambient_temperature", ambients, {"units": "K", "long_name": "ambient"}),
                "thermal_resistance": ("thermal_resistance", THERMAL_RESISTANCES,
                                       {"units": "K/W", "long_name": "thermal resistance of the junction"})},
        attrs={"heating_realisations": realisations},
    )


def point(level: float, seed: int, kind: str, parameters: dict | None = None) -> xr.Dataset:
    """One Fig. 2 run with the device (the record `parameters`, its `to_dict()`; default the reference) varied
    as `kind` says, at `level` (for "v_half", 1 / V_half: a sweep takes finite numbers, and 0 is the constant
    TMR). Returns: its metrics and energy."""
    base = mp.Parameters(parameters) if parameters is not None else None
    if kind == "v_half":
        record, mode = device(v_half=1 / level if level else math.inf, parameters=base), "device"
    elif kind == "thermal_resistance":
        record, mode = device(thermal_resistance=level, parameters=base), "surrogate"
    elif kind == "area_factor":
        record, mode = device(temperature=ROOM, area_factor=level, parameters=base), "surrogate"
    else:
        raise mp.MtjphysError(f"unknown condition {kind!r}")
    try:
        run = mp.sine_generation_run(seed, mode=mode, parameters=record, progress=False)
    except mp.MtjphysError as error:  # a device whose dR no longer grows over the current range cannot serve
        if "does not grow" not in str(error):
            raise
        metrics = {"passed": False, "period_error": math.nan, "amplitude_error": math.nan, "generation_error": math.nan}
        energy = {"per_step": math.nan, "task": math.nan}
    else:
        metrics, energy = mp.generation_metrics(run), energy_summary(run)
    dataset = generation_metrics_dataset(metrics)
    dataset["energy_per_step"] = ((), energy["per_step"], {"units": "J", "long_name": "MTJ energy per network step"})
    dataset["energy_per_task"] = ((), energy["task"], {"units": "J", "long_name": "MTJ energy of the whole task"})
    return dataset


def fig2_sweep(kind: str, levels, seed: int, seeds: int, store: str, scheduler, progress,
               parameters: mp.Parameters | None = None) -> xr.Dataset:
    """Fig. 2 over `levels` of `kind` and seeds `seed` .. `seed` + `seeds` - 1, the device `parameters`."""
    record, carried, suffix = sweep_record(parameters, "supp_hardware")
    grid = [0.0 if math.isinf(v) else 1 / v for v in levels] if kind == "v_half" else levels
    sweep = mp.run_sweep(point, {"level": grid, "seed": list(range(seed, seed + seeds))}, f"{store}_{kind}{suffix}",
                         fixed={"kind": kind, **carried}, record=record, scheduler=scheduler, progress=progress)
    names = {name: f"fig2_{name}_vs_{kind}" for name in sweep.data_vars}
    sweep = sweep.assign_coords(level=levels).rename({"level": f"fig2_{kind}", "seed": f"fig2_seed_{kind}", **names})
    sweep.attrs = {}
    return sweep


def curve(dataset: xr.Dataset, kind: str) -> SuccessCurve:
    return SuccessCurve.from_passed(dataset[f"fig2_passed_vs_{kind}"], f"fig2_{kind}", f"fig2_seed_{kind}")


def _label_zero(ax, levels, positions) -> None:
    """Ticks at the levels of a log axis, the zero level (drawn a decade below the smallest) labelled 0, in the
    notation of log axes (10ⁿ)."""
    from mtjphys.reproduction import log_ticks

    log_ticks(ax.xaxis, levels, positions)


def plot(dataset: xr.Dataset) -> Figure:
    """Returns: the figure, panels (a)-(f) in reading order: (a) dR and (b) energy over the current density,
    (c) Joule heating, Fig. 2 against (d) the bias dependence of the TMR, (e) the thermal resistance and (f) the
    area at 300 K."""
    figure = Figure(figsize=(14, 8.5), layout="constrained")
    (transfer, energy, heat), (bias, hot, volume) = figure.subplots(2, 3)
    js = dataset.current_density.values / 1e10
    for index, v_half in enumerate(dataset.v_half.values):
        label = "constant TMR" if np.isinf(v_half) else f"V_half = {v_half:g} V"
        transfer.plot(js, dataset.delta_r.isel(v_half=index), color=f"C{index}", label=label)
        transfer.plot(js, dataset.delta_r_voltage_drive.isel(v_half=index), color=f"C{index}", ls=":", lw=1)
        energy.plot(js, dataset.window_energy.isel(v_half=index) * 1e15, color=f"C{index}", label=label)
    for ax in (transfer, energy):
        ax.axvspan(*(np.array(mp.OPERATING_RANGE) / 1e10), color="0.9", zorder=0)
        ax.set_xlabel("current density (10¹⁰ A/m²)")
    transfer.set(ylabel="dR (Ω)", title="(a) dR; dotted: voltage drive, V = jAR₀")
    transfer.legend(fontsize=7)
    energy.set(ylabel="energy per window (fJ)", title="(b) energy per window\n(grey: the operating range)")
    volts = energy.twinx()
    volts.plot(js, dataset.voltage_max.isel(v_half=0), "k--", lw=1)
    volts.set_ylabel("largest voltage (V), constant TMR, dashed")
    r_th = dataset.thermal_resistance.values
    shown = np.where(r_th > 0, r_th, r_th[r_th > 0].min() / 10)
    for index, ambient in enumerate(dataset.ambient_temperature.values):
        heat.errorbar(shown, dataset.heated_delta_r_mean.isel(ambient_temperature=index),
                      yerr=dataset.heated_delta_r_std.isel(ambient_temperature=index), marker="os"[index], capsize=3,
                      label=f"{ambient:g} K ambient")
        for x, t in zip(shown, dataset.heated_temperature.isel(ambient_temperature=index).values):
            heat.annotate(f"{t:.0f} K", (x, 1), textcoords="offset points", xytext=(0, -10 - 9 * index), fontsize=6,
                          ha="center", va="top", xycoords=("data", "axes fraction"), color=f"C{index}")
    top = (dataset.heated_delta_r_mean + dataset.heated_delta_r_std).max().item()
    bottom = (dataset.heated_delta_r_mean - dataset.heated_delta_r_std).min().item()
    heat.set_ylim(bottom - 0.05 * (top - bottom), top + 0.3 * (top - bottom))  # room for the labels at the top
    heat.set(xscale="log", xlabel="thermal resistance (K/W)", ylabel="dR at 0.9 × 10¹⁰ A/m² (Ω)",
             title="(c) Joule heating: dR, mean ± std\n(labels: free-layer temperature)")
    _label_zero(heat, r_th, shown)
    heat.legend(fontsize=7)
    for ax, kind, xlabel, title in (
        (bias, "v_half", "V_half (V; ∞: constant TMR)", "(d) Fig. 2 against the TMR's bias dependence"),
        (hot, "thermal_resistance", "thermal resistance (K/W), 0 K ambient", "(e) Fig. 2 with Joule heating"),
        (volume, "area_factor", "free-layer area / reference, 300 K", "(f) Fig. 2 at 300 K against the area"),
    ):
        levels = dataset[f"fig2_{kind}"].values
        positions = np.arange(levels.size) if kind == "v_half" else np.where(levels > 0, levels,
                                                                               levels[levels > 0].min() / 10)
        plot_success(ax, curve(dataset, kind), positions=positions, label="success rate", breaking=True)
        ax.set(xlabel=xlabel, ylabel="success rate (%)", ylim=(-5, 105), title=title)
        if kind == "v_half":
            ax.set_xticks(positions, ["∞" if np.isinf(v) else f"{v:g}" for v in levels])
        else:
            ax.set_xscale("log")
            _label_zero(ax, levels, positions)
    joules = volume.twinx()
    per_step = dataset.fig2_energy_per_step_vs_area_factor.mean("fig2_seed_area_factor")
    joules.plot(dataset.fig2_area_factor.values, per_step, "k--", marker="x")
    joules.set(yscale="log", ylabel="MTJ energy per step (J), dashed")
    for ax in (transfer, energy, heat, bias, hot, volume):
        ax.title.set_fontsize(10)
    return figure


def run(output_dir, *, seed: int = 0, seeds: int = 6, quick: bool = False, realisations: int = 64,
        parameters: mp.Parameters | None = None, scheduler: str | None = None, overwrite: bool = False,
        progress=True) -> dict:
    """Run the study, write its files into `output_dir`. Returns: a summary."""
    if seed < 0 or seeds < 1 or realisations < 2:
        raise mp.MtjphysError(f"need --seed >= 0, --seeds >= 1 and --realisations >= 2, got {seed}, {seeds} and "
                              f"{realisations}")
    record = sweep_record(parameters, "supp_hardware")[0]
    netcdf, png = prepare_outputs(output_dir, STUDY.outputs, overwrite)
    start = time.perf_counter()
    store = f"{output_dir}/sweeps/supp_hardware"
    parts = [operating_range(7 if quick else 49, record), heating(realisations, seed=seed, parameters=record)]
    for kind, levels, quick_levels in (("v_half", V_HALF, QUICK_V_HALF),
                                       ("thermal_resistance", FIG2_THERMAL_RESISTANCES, QUICK_FIG2_THERMAL_RESISTANCES),
                                       ("area_factor", AREA_FACTORS, QUICK_AREA_FACTORS)):
        parts.append(fig2_sweep(kind, quick_levels if quick else levels, seed, seeds, store, scheduler, progress,
                                record))
    dataset = xr.merge(parts, combine_attrs="override")
    records = [device(temperature=ROOM, area_factor=f, parameters=record) for f in dataset.fig2_area_factor.values]
    dataset["stability_factor"] = ("fig2_area_factor", [stability_factor(r) for r in records],
                                   {"units": "1", "long_name": "K_eff V / k_B T at 300 K"})
    dataset["free_layer_area"] = ("fig2_area_factor", [r["area"] for r in records],
                                  {"units": "m^2", "long_name": "free-layer area"})
    for kind, unit, long_name in (("v_half", "V", "half-TMR bias voltage"),
                                  ("thermal_resistance", "K/W", "thermal resistance, 0 K ambient"),
                                  ("area_factor", "1", "free-layer area / reference, 300 K, same RA")):
        dataset[f"fig2_{kind}"].attrs = {"units": unit, "long_name": long_name}
        dataset[f"fig2_seed_{kind}"].attrs = {"units": "1", "long_name": "network seed"}

    ends = dataset.sel(current_density=list(mp.OPERATING_RANGE))
    at_ends = mp.neuron_output(device(parameters=record), list(mp.OPERATING_RANGE))
    fig2 = dataset.sel(fig2_v_half=math.inf)
    area = dataset.fig2_area_factor.values
    summary = {
        "seed": seed, "seeds": seeds,
        "range_energy_fJ": [float(e) * 1e15 for e in at_ends.energy],
        "range_voltage_V": [float(v) for v in at_ends.voltage_max],
        "range_power_uW": [float(p) * 1e6 for p in at_ends.power_max],
        "nonlinearity": {_v_half_name(v): float(x) if ok else None for v, x, ok in
                         zip(V_HALF, dataset.range_nonlinearity.values, dataset.range_monotonic.values)},
        "delta_r_range": {_v_half_name(v): ends.delta_r.sel(v_half=v).values.tolist() for v in V_HALF},
        "voltage_drive_delta_r_range": ends.delta_r_voltage_drive.sel(v_half=math.inf).values.tolist(),
        "fig2_energy_per_step_J": float(fig2.fig2_energy_per_step_vs_v_half.mean()),
        "fig2_energy_per_task_J": float(fig2.fig2_energy_per_task_vs_v_half.mean()),
        "heating": {f"{a:g}": {"temperature_K": dataset.heated_temperature.sel(ambient_temperature=a).values.tolist(),
                               "delta_r_std_ohm": dataset.heated_delta_r_std.sel(ambient_temperature=a).values.tolist(),
                               "frequency_GHz": (dataset.heated_precession_frequency.sel(ambient_temperature=a)
                                                 / 1e9).values.tolist()}
                    for a in dataset.ambient_temperature.values},
        "thermal_resistances": THERMAL_RESISTANCES,
        "success": {kind: curve(dataset, kind).to_json() for kind in ("v_half", "thermal_resistance", "area_factor")},
        "area": {"factors": area.tolist(), "area_m2": dataset.free_layer_area.values.tolist(),
                 "stability_factor": dataset.stability_factor.values.tolist(),
                 "energy_per_step_J": dataset.fig2_energy_per_step_vs_area_factor.mean("fig2_seed_area_factor")
                 .values.tolist(),
                 "energy_per_task_J": dataset.fig2_energy_per_task_vs_area_factor.mean("fig2_seed_area_factor")
                 .values.tolist()},
    }
    dataset.attrs.update(provenance(record, seed=seed, study="supp_hardware", summary=json.dumps(summary),
                                    curie_temperature=CURIE, heating_current_density=J_HEATING))
    mp.write_dataset(dataset, netcdf, overwrite=overwrite)
    save_figure(plot(dataset), png, overwrite=overwrite, parameters=record, study="supp_hardware")
    summary["wall_time_s"] = round(time.perf_counter() - start, 1)
    return summary


def _v_half_name(v_half: float) -> str:
    return "constant" if math.isinf(v_half) else f"{v_half:g}"


def report(summary: dict) -> ReportSection:
    low, high = summary["range_energy_fJ"]
    per_step, per_task = summary["fig2_energy_per_step_J"], summary["fig2_energy_per_task_J"]
    success = {kind: SuccessCurve.from_json(record) for kind, record in summary["success"].items()}
    area = summary["area"]
    seeds = seeds_in_words(summary["seed"], summary["seeds"])
    works = [i for i, (s, t) in enumerate(zip(success["area_factor"].successes, success["area_factor"].trials))
             if 2 * s > t]
    if works:
        first = works[0]
        diameter = 2e6 * math.sqrt(area["area_m2"][first] / math.pi)
        room = (f"Fig. 2 works at 300 K (more than half of {seeds}) from "
                f"{area['factors'][first]:g} times the area (a disc of {diameter:.0f} µm, stability factor "
                f"{area['stability_factor'][first]:.3g}), at {area['energy_per_step_J'][first] * 1e6:.3g} µJ per step "
                f"and {area['energy_per_task_J'][first]:.3g} J per task")
    else:
        room = f"Fig. 2 does not work at 300 K up to {area['factors'][-1]:g} times the area"
    rows = (
        ("Energy: MTJs compute at low energy cost (an MTJ random-number generator: 20 fJ/bit)",
         "claimed, not measured",
         f"{low:.0f}–{high:.0f} fJ per MTJ window on the operating range; Fig. 2 (40 MTJs, device mode, 0 K, mean "
         f"over {seeds}): "
         f"{per_step * 1e12:.2f} pJ per step, {per_task * 1e9:.1f} nJ per task (MTJs alone)"),
        ("Fig. 2 at room temperature", "not studied", room),
    )
    verdicts = (verdict(per_step, None), verdict(None, None))
    nonlinearity = ", ".join(f"{k}: {'not monotonic' if v is None else f'{v:.4f}'}"
                             for k, v in summary["nonlinearity"].items())
    on_range = ", ".join(f"{k}: {a:.1f} → {b:.1f} Ω" for k, (a, b) in summary["delta_r_range"].items())
    heating = summary["heating"]
    text = [
        f"On the operating range the junction carries {summary['range_voltage_V'][0]:.2f}–"
        f"{summary['range_voltage_V'][1]:.2f} V and dissipates up to {summary['range_power_uW'][1]:.0f} µW; a window "
        f"costs {low:.0f}–{high:.0f} fJ. Figs. 3 and 4 report their own energy per step and per task.",
        f"Bias-dependent TMR (V_half in V): dR over the operating range ({on_range}); the normalised transfer "
        f"curve's largest distance from a straight line ({nonlinearity}). Fig. 2 (device mode): "
        f"{success['v_half'].describe(' V').replace('inf V', 'constant TMR')}; "
        f"{success['v_half'].breaking.describe('V')}.",
        f"A voltage drive at V = jAR0 gives dR {summary['voltage_drive_delta_r_range'][0]:.1f} → "
        f"{summary['voltage_drive_delta_r_range'][1]:.1f} Ω over the operating range (the current follows 1 / R(t)).",
        "Joule heating at 0.9 × 10¹⁰ A/m² (thermal resistances "
        + ", ".join(f"{r:g}" for r in summary["thermal_resistances"]) + " K/W): free-layer temperature "
        + ", ".join(f"{t:.1f}" for t in heating["0"]["temperature_K"]) + " K from 0 K ambient (spread of dR "
        + ", ".join(f"{s:.1f}" for s in heating["0"]["delta_r_std_ohm"]) + " Ω), "
        + ", ".join(f"{t:.0f}" for t in heating["300"]["temperature_K"]) + " K from 300 K (spread "
        + ", ".join(f"{s:.0f}" for s in heating["300"]["delta_r_std_ohm"]) + " Ω); the free layer softens as it "
        "heats (Ku ~ Ms^3): its precession frequency goes "
        + " → ".join(f"{f:.2f}" for f in heating["300"]["frequency_GHz"]) + " GHz from 300 K. Fig. 2 with heating "
        f"alone (0 K ambient): {success['thermal_resistance'].describe(' K/W')}; "
        f"{success['thermal_resistance'].breaking.describe('K/W')}.",
        f"At 300 K against the free layer's area (same thickness, current density and RA): "
        f"{success['area_factor'].describe(' × the area')}; {room}.",
    ]
    return ReportSection(rows, "\n\n".join(text), (("supp_hardware.png", "(a) dR and (b) the energy per window "
                                                        "against the current density for four V_half; (c) dR under "
                                                        "Joule heating; Fig. 2 against (d) V_half and (e) the thermal "
                                                        "resistance; (f) Fig. 2 at 300 K against the free layer's "
                                                        "area, with its energy per step."),), verdicts)


STUDY = Study(
    name="supp_hardware",
    title="Supplement: energy per operation, bias-dependent TMR, Joule heating and room temperature.",
    description=__doc__,
    run=run,
    outputs=("supp_hardware.nc", "supp_hardware.png"),
    options=(
        seed_option(),
        seeds_option(6, "Fig. 2 networks per point"),
        click.Option(["--realisations"], default=64, show_default=True,
                     help="Windows per point of the heating curve (c)."),
        quick_option("Fewer currents and areas."),
        params_option(),
        scheduler_option(),
    ),
    full={"seeds": 6},
    quick={"seeds": 2, "quick": True, "realisations": 8},
    report=report,
)
