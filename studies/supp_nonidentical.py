"""Supplementary: non-identical MTJs. The Fig. 2 task (40 MTJs, FORCE, two targets) with MTJs of
25 different sizes against identical ones.

    mtjphys study supp_nonidentical -o results/ [--params P.json] [--seed 0] [--seeds 20] [--device-seeds 4]
        [--scheduler ADDRESS]

The free layer is a disk of diameter D (the record's thickness, 1 nm for the reference); its
demagnetising factors follow from its shape (`mtjphys.free_layer_geometry`, elliptic cylinder). The
nominal disk (D0 = 100 nm) gets the record's effective anisotropy (Ku recalibrated for its demag
factors), so its transfer curve is the record's (--params; default the reference device); the other
sizes keep Ku and differ in shape anisotropy and area.
Each network draws every MTJ from 25 diameters D0 (1 + s u), u evenly spaced in [-1, 1], s the
size spread. The MTJs are driven either by current density (the paper's input: every MTJ sees
the same j for the same state) or by current (a fixed current I gives j_i = I / area_i). Driven by
current, the smallest junctions at the largest spread carry up to 3.5 V, past a 1 nm barrier's breakdown
(`breakdown_voltage`, 2 V): that drive keeps the paper's barrier, which carries any voltage.
F is normalised by the nominal device, as a fixed read-out circuit would.

Every point runs networks of seeds SEED .. SEED + SEEDS - 1 in surrogate mode (each MTJ interpolated
on its own transfer curve); the first DEVICE_SEEDS of them run again in device mode, to show that the
two agree. The MTJs are at 0 K: a record above it (a temperature or Joule heating) is refused.
Success rates carry 95 % Wilson intervals; spread 0 (identical MTJs) is the baseline.

Writes supp_nonidentical.nc and supp_nonidentical.png; the sweeps keep their points in
DIR/sweeps/.
"""

from __future__ import annotations

import json
import time

import click
import matplotlib
import numpy as np
import xarray as xr
from matplotlib.figure import Figure

import mtjphys as mp
from mtjphys.data import provenance
from mtjphys.device import is_warm
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

NOMINAL_DIAMETER = 100e-9  # [m]
SIZES = 25
SPREADS = [0.0, 0.05, 0.1, 0.2, 0.3, 0.5]
QUICK_SPREADS = [0.0, 0.3]
DRIVES = ["density", "current"]


def nominal_device(parameters: mp.Parameters | None = None) -> mp.Parameters:
    """The device (`parameters`, default the reference) as a 100 nm disk, Ku chosen to keep its effective
    anisotropy."""
    record = parameters or mp.Parameters()
    geometry = mp.free_layer_geometry("ellipse", NOMINAL_DIAMETER, NOMINAL_DIAMETER, record["thickness"])
    return record.replace(Ku=mp.thin_film_anisotropy(record, geometry["demag_factors"]), **geometry)


def diameters(spread: float) -> np.ndarray:
    return NOMINAL_DIAMETER * (1 + spread * np.linspace(-1.0, 1.0, SIZES))


def device_of(diameter: float, nominal: mp.Parameters) -> mp.Parameters:
    return nominal.replace(**mp.free_layer_geometry("ellipse", diameter, diameter, nominal["thickness"]))


def draw_devices(spread: float, seed: int, n_mtj: int,
                 parameters: mp.Parameters | None = None) -> tuple[list[mp.Parameters], np.ndarray]:
    """Returns: (one record per MTJ, its diameter), sizes drawn from `seed`, the nominal disk made of
    `parameters` (default the reference)."""
    nominal = nominal_device(parameters)
    choice = diameters(spread)[np.random.default_rng([seed, 6]).integers(0, SIZES, n_mtj)]
    cache = {d: device_of(d, nominal) for d in np.unique(choice)}
    return [cache[d] for d in choice], choice


def point(spread: float, drive: str, seed: int, mode: str, n_mtj: int, parameters: dict | None = None) -> xr.Dataset:
    """One run of the Fig. 2 task with sizes of this spread, the device the record `parameters` (its
    `to_dict()`; default the reference). Returns: its metrics."""
    if not 0 <= spread < 1:
        raise mp.MtjphysError(f"size spread must lie in [0, 1), got {spread}")
    record = mp.Parameters(parameters) if parameters is not None else None
    records, sizes = draw_devices(spread, seed, n_mtj, record)
    gain = (NOMINAL_DIAMETER / sizes) ** 2 if drive == "current" else None
    if drive == "current":  # one current into a smaller junction: up to 3.5 V across it at spread 0.5, past its
        # breakdown; the paper's barrier carries it (the module's docstring)
        records = [r.replace(breakdown_voltage=None) for r in records]
    run = mp.sine_generation_run(seed, mode=mode, n_mtj=n_mtj, parameters=records, nominal=nominal_device(record),
                                 current_gain=gain, progress=False)
    return generation_metrics_dataset(mp.generation_metrics(run))


def size_curves(spread: float, points: int = 21, parameters: mp.Parameters | None = None) -> xr.Dataset:
    """dR(j) over the operating range for each of the 25 sizes at this spread."""
    nominal = nominal_device(parameters)
    js = np.linspace(*mp.OPERATING_RANGE, points)
    sizes = diameters(spread)
    records = [device_of(d, nominal) for d in sizes]
    delta_r = mp.neuron_output([r for r in records for _ in js], np.tile(js, len(records))).delta_r
    return xr.Dataset(
        {"size_delta_r": (("diameter", "current_density"), delta_r.reshape(len(sizes), points),
                          {"units": "ohm", "long_name": f"dR of each size at spread {spread:g}"}),
         "size_demag_z": ("diameter", [r["demag_factors"][2] for r in records],
                          {"units": "1", "long_name": "Nz of each size"})},
        coords={"diameter": ("diameter", sizes, {"units": "m", "long_name": "free-layer diameter"}),
                "current_density": ("current_density", js, {"units": "A/m^2", "long_name": "current density"})},
    )


def curves(dataset: xr.Dataset, prefix: str = "") -> dict[str, SuccessCurve]:
    seed = "device_seed" if prefix else "seed"
    return {drive: SuccessCurve.from_passed(dataset[f"{prefix}passed"].sel(drive=drive), "spread", seed)
            for drive in dataset.drive.values}


def plot(dataset: xr.Dataset) -> Figure:
    figure = Figure(figsize=(13, 4), layout="constrained")
    curves_axes, success_axes, error_axes = figure.subplots(1, 3)
    colors = matplotlib.colormaps["viridis"](np.linspace(0, 1, dataset.sizes["diameter"]))
    for color, diameter in zip(colors, dataset.diameter.values):
        curves_axes.plot(dataset.current_density.values / 1e10, dataset.size_delta_r.sel(diameter=diameter),
                         color=color, lw=1)
    curves_axes.set(xlabel="j (10¹⁰ A/m²)", ylabel="ΔR (Ω)",
                    title=f"(a) {dataset.sizes['diameter']} sizes, D = {1e9 * dataset.diameter.values[0]:.0f}"
                          f"–{1e9 * dataset.diameter.values[-1]:.0f} nm")
    spread = 100 * dataset.spread.values
    surrogate, device = curves(dataset), curves(dataset, "device_") if "device_passed" in dataset else {}
    for index, (drive, marker) in enumerate(zip(dataset.drive.values, ("o", "s"))):
        color = f"C{index}"
        plot_success(success_axes, surrogate[drive], positions=spread, label=f"driven by {drive}, surrogate",
                     marker=marker, color=color, baseline=surrogate[drive], breaking=True)
        if drive in device:
            plot_success(success_axes, device[drive], positions=spread, label=f"driven by {drive}, device",
                         marker=marker, color=color, offset=0.6)
            success_axes.lines[-1].set_markerfacecolor("none")
        error = dataset.generation_error.sel(drive=drive)
        median = error.median("seed")
        error_axes.errorbar(spread, median, yerr=[median - error.quantile(0.25, "seed"),
                                                  error.quantile(0.75, "seed") - median],
                            marker=marker, capsize=3, label=f"driven by {drive}")
    success_axes.set(xlabel="size spread (%)", ylabel="success rate (%)", ylim=(-5, 105),
                     title="(b) Fig. 2 task; band: identical MTJs (spread 0)")
    error_axes.set(xlabel="size spread (%)", ylabel="generation error (median, quartiles)", yscale="log",
                   title="(c) RMS error of the free run / target RMS")
    success_axes.legend(fontsize=7)
    return figure


def run(output_dir, *, seed: int = 0, seeds: int = 20, device_seeds: int = 4, n_mtj: int = 40, quick: bool = False,
        parameters: mp.Parameters | None = None, scheduler: str | None = None, overwrite: bool = False,
        progress=True) -> dict:
    """Run the study, write its files into `output_dir`. Returns: a summary."""
    if seed < 0 or seeds < 1 or not 0 <= device_seeds <= seeds:
        raise mp.MtjphysError(f"need --seed >= 0, --seeds >= 1 and 0 <= --device-seeds <= --seeds, got {seed}, "
                              f"{seeds}, {device_seeds}")
    record, carried, suffix = sweep_record(parameters, "supp_nonidentical")
    if is_warm(record):
        raise mp.MtjphysError("supp_nonidentical runs its MTJs at 0 K (a surrogate of non-identical MTJs interpolates "
                              "their deterministic transfer curves); give a record without a temperature or Joule "
                              "heating")
    netcdf, png = prepare_outputs(output_dir, STUDY.outputs, overwrite)
    start = time.perf_counter()
    spreads = QUICK_SPREADS if quick else SPREADS
    sweeps = f"{output_dir}/sweeps/supp_nonidentical{suffix}"
    grid = {"spread": spreads, "drive": DRIVES}
    sweep = mp.run_sweep(point, {**grid, "seed": list(range(seed, seed + seeds))}, sweeps,
                         fixed={"mode": "surrogate", "n_mtj": n_mtj, **carried}, record=record, scheduler=scheduler,
                         progress=progress)
    parts = [sweep, size_curves(max(spreads), parameters=record)]
    if device_seeds:
        device = mp.run_sweep(point, {**grid, "seed": list(range(seed, seed + device_seeds))}, f"{sweeps}_device",
                              fixed={"mode": "device", "n_mtj": n_mtj, **carried}, record=record, scheduler=scheduler,
                              progress=progress)
        parts.append(device.rename(seed="device_seed", **{v: f"device_{v}" for v in device.data_vars}))
    dataset = xr.merge(parts, combine_attrs="override")  # keeps each variable's units and long name
    dataset.attrs = {}
    dataset["spread"].attrs = {"units": "1", "long_name": "size spread s: D = D0 (1 + s u), u in [-1, 1]"}
    dataset["drive"].attrs = {"units": "", "long_name": "what the network sets: current density or current"}
    dataset["seed"].attrs = {"units": "1", "long_name": "network seed (surrogate mode)"}
    nominal = nominal_device(record)
    summary = {"n_mtj": n_mtj, "seed": seed, "seeds": seeds, "device_seeds": device_seeds,
               "nominal_diameter_m": NOMINAL_DIAMETER, "nominal_Ku": nominal["Ku"],
               "nominal_demag_factors": list(nominal["demag_factors"]),
               "success": {drive: curve.to_json() for drive, curve in curves(dataset).items()}}
    if device_seeds:
        dataset["device_seed"].attrs = {"units": "1", "long_name": "network seed (device mode)"}
        common = dataset.passed.isel(seed=slice(0, device_seeds)).values
        summary["device_success"] = {drive: curve.to_json() for drive, curve in curves(dataset, "device_").items()}
        summary["device_agreement"] = {"runs": int(common.size),
                                       "same_verdict": int((common == dataset.device_passed.values).sum())}
    dataset.attrs.update(provenance(nominal, study="supp_nonidentical", n_mtj=n_mtj, sizes=SIZES,
                                    summary=json.dumps(summary)))
    mp.write_dataset(dataset, netcdf, overwrite=overwrite)
    save_figure(plot(dataset), png, overwrite=overwrite, parameters=nominal, study="supp_nonidentical")
    summary["wall_time_s"] = round(time.perf_counter() - start, 1)
    return summary


def report(summary: dict) -> ReportSection:
    success = {drive: SuccessCurve.from_json(record) for drive, record in summary["success"].items()}
    density, current = success["density"], success["current"]
    rows = (("Supplement: 40 MTJs of 25 sizes work as well as identical ones", "yes",
             f"driven by current density: {density.breaking.describe('% size spread', 100)}, "
             f"{density.compared_with_baseline(' %', 100)}; driven by current: "
             f"{current.breaking.describe('% size spread', 100)}"),)
    verdicts = (verdict(density.rates[-1], True, incomparable="the paper states no size spread to compare at"),)
    seeds = seeds_in_words(summary["seed"], summary["seeds"])
    text = [f"Success rate of the Fig. 2 task against the size spread ({seeds} at every point, surrogate mode, 95 % "
            f"Wilson intervals; identical MTJs, spread 0, are the baseline). Driven by current density: "
            f"{density.describe(' %', 100)}; {density.breaking.describe('%', 100)}, "
            f"{density.compared_with_baseline(' %', 100)}. Driven by current: {current.describe(' %', 100)}; "
            f"{current.breaking.describe('%', 100)}, {current.compared_with_baseline(' %', 100)}."]
    if "device_agreement" in summary:
        agreement = summary["device_agreement"]
        text.append(f"Device mode on {seeds_in_words(summary['seed'], summary['device_seeds'])} at every point gives "
                    f"the same verdict as surrogate mode in {agreement['same_verdict']} of {agreement['runs']} runs.")
    caption = ("(a) ΔR(j) of the 25 sizes at the widest spread; (b) success rate with 95 % intervals "
               "(open symbols: device mode; band: identical MTJs); (c) generation error.")
    return ReportSection(rows, "\n\n".join(text), (("supp_nonidentical.png", caption),), verdicts)


STUDY = Study(
    name="supp_nonidentical",
    title="Supplement: networks of MTJs of 25 sizes against identical MTJs.",
    description=__doc__,
    run=run,
    outputs=("supp_nonidentical.nc", "supp_nonidentical.png"),
    options=(
        seed_option(),
        seeds_option(20, "networks per point (surrogate mode)"),
        click.Option(["--device-seeds"], default=4, show_default=True,
                     help="The first DEVICE_SEEDS of them also run in device mode (0: none)."),
        click.Option(["--n-mtj"], default=40, show_default=True, help="Number of MTJs."),
        quick_option("Two spreads only."),
        params_option(),
        scheduler_option(),
    ),
    full={"seeds": 20, "device_seeds": 4},
    quick={"seeds": 3, "device_seeds": 1, "quick": True},
    report=report,
)
