"""Supplementary: non-identical MTJs. The Fig. 2 task (40 MTJs, FORCE, two targets) with MTJs of
25 different sizes against identical ones.

The free layer is a disk of diameter D (1 nm thick); its demagnetising factors follow from its
shape (`mtjphys.free_layer_geometry`, elliptic cylinder). The nominal disk (D0 = 100 nm) gets the
reference device's effective anisotropy (Ku recalibrated for its demag factors), so its transfer
curve is the reference one; the other sizes keep Ku and differ in shape anisotropy and area.
Each network draws every MTJ from 25 diameters D0 (1 + s u), u evenly spaced in [-1, 1], s the
size spread. The MTJs are driven either by current density (the paper's input: every MTJ sees
the same j for the same state) or by current (a fixed current I gives j_i = I / area_i).
F is normalised by the nominal device, as a fixed read-out circuit would.

    python studies/supp_nonidentical.py -o results/ [--seeds 4] [--mode device] [--scheduler ADDRESS]

Writes supp_nonidentical.nc and supp_nonidentical.png; the sweep keeps its points in results/sweeps/.
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
from mtjphys.studies import fig2_generation
from mtjphys.studies._common import breaking_point, print_summary, scheduler_option, sweep_metrics

NOMINAL_DIAMETER = 100e-9  # [m]
SIZES = 25
SPREADS = [0.0, 0.05, 0.1, 0.2, 0.3, 0.5]
QUICK_SPREADS = [0.0, 0.3]
DRIVES = ["density", "current"]


def nominal_device() -> mp.Parameters:
    """The reference device as a 100 nm disk, Ku chosen to keep its effective anisotropy."""
    reference = mp.Parameters()
    geometry = mp.free_layer_geometry("ellipse", NOMINAL_DIAMETER, NOMINAL_DIAMETER, reference["thickness"])
    nx, ny, nz = geometry["demag_factors"]
    mu0 = reference.model.constants["mu0"]["value"]
    shape_loss = mu0 * reference["Ms"] ** 2 / 2 * (1 - (nz - nx))  # thin-film limit minus the real disk
    return reference.replace(Ku=reference["Ku"] - shape_loss, **geometry)


def diameters(spread: float) -> np.ndarray:
    return NOMINAL_DIAMETER * (1 + spread * np.linspace(-1.0, 1.0, SIZES))


def device_of(diameter: float, nominal: mp.Parameters) -> mp.Parameters:
    return nominal.replace(**mp.free_layer_geometry("ellipse", diameter, diameter, nominal["thickness"]))


def draw_devices(spread: float, seed: int, n_mtj: int) -> tuple[list[mp.Parameters], np.ndarray]:
    """Returns: (one record per MTJ, its diameter), sizes drawn from `seed`."""
    nominal = nominal_device()
    choice = diameters(spread)[np.random.default_rng([seed, 6]).integers(0, SIZES, n_mtj)]
    cache = {d: device_of(d, nominal) for d in np.unique(choice)}
    return [cache[d] for d in choice], choice


def point(spread: float, drive: str, seed: int, mode: str, n_mtj: int) -> xr.Dataset:
    """One run of the Fig. 2 task with sizes of this spread. Returns: its metrics."""
    if not 0 <= spread < 1:
        raise mp.MtjphysError(f"size spread must lie in [0, 1), got {spread}")
    records, sizes = draw_devices(spread, seed, n_mtj)
    gain = (NOMINAL_DIAMETER / sizes) ** 2 if drive == "current" else None
    run = fig2_generation.run_seed(seed, mode=mode, n_mtj=n_mtj, parameters=records, nominal=nominal_device(),
                                   current_gain=gain, progress=False)
    return sweep_metrics(fig2_generation.generation_error(run))


def size_curves(spread: float, points: int = 21) -> xr.Dataset:
    """dR(j) over the operating window for each of the 25 sizes at this spread."""
    nominal = nominal_device()
    js = np.linspace(*mp.OPERATING_WINDOW, points)
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


def plot(dataset: xr.Dataset) -> Figure:
    figure = Figure(figsize=(13, 4), layout="constrained")
    curves_axes, success_axes, error_axes = figure.subplots(1, 3)
    colors = matplotlib.colormaps["viridis"](np.linspace(0, 1, dataset.sizes["diameter"]))
    for color, diameter in zip(colors, dataset.diameter.values):
        curves_axes.plot(dataset.current_density.values / 1e10, dataset.size_delta_r.sel(diameter=diameter),
                         color=color, lw=1)
    curves_axes.set(xlabel="j (10¹⁰ A/m²)", ylabel="ΔR (Ω)",
                    title=f"(a) {dataset.sizes['diameter']} sizes, D = {1e9 * dataset.diameter.values[0]:.0f}"
                          f"–{1e9 * dataset.diameter.values[-1]:.0f} nm", )
    spread = 100 * dataset.spread.values
    for drive, marker in zip(dataset.drive.values, ("o", "s")):
        success = dataset.passed.sel(drive=drive).mean("seed")
        success_axes.plot(spread, 100 * success, marker=marker, label=f"driven by {drive}")
        error = dataset.generation_error.sel(drive=drive)
        median = error.median("seed")
        error_axes.errorbar(spread, median, yerr=[median - error.quantile(0.25, "seed"),
                                                  error.quantile(0.75, "seed") - median],
                            marker=marker, capsize=3, label=f"driven by {drive}")
    success_axes.set(xlabel="size spread (%)", ylabel="success rate (%)", ylim=(-5, 105),
                     title=f"(b) Fig. 2 task, {dataset.sizes['seed']} seeds")
    error_axes.set(xlabel="size spread (%)", ylabel="generation error (median, quartiles)", yscale="log",
                   title="(c) RMS error of the free run / target RMS")
    success_axes.legend()
    return figure


def run(output_dir, *, seeds: int = 4, mode: str = "device", n_mtj: int = 40, quick: bool = False,
        scheduler: str | None = None, overwrite: bool = False, progress=True) -> dict:
    """Run the study, write its files into `output_dir`. Returns: a summary."""
    if seeds < 1:
        raise mp.MtjphysError(f"--seeds must be at least 1, got {seeds}")
    netcdf, png = mp.prepare_outputs(output_dir, ["supp_nonidentical.nc", "supp_nonidentical.png"], overwrite)
    start = time.perf_counter()
    spreads = QUICK_SPREADS if quick else SPREADS
    sweep = mp.run_sweep(point, {"spread": spreads, "drive": DRIVES, "seed": list(range(seeds))},
                         f"{output_dir}/sweeps/supp_nonidentical", fixed={"mode": mode, "n_mtj": n_mtj},
                         scheduler=scheduler, progress=progress)
    dataset = xr.merge([sweep, size_curves(max(spreads))], combine_attrs="drop")
    dataset["spread"].attrs = {"units": "1", "long_name": "size spread s: D = D0 (1 + s u), u in [-1, 1]"}
    dataset["drive"].attrs = {"units": "", "long_name": "what the network sets: current density or current"}
    dataset["seed"].attrs = {"units": "1", "long_name": "network seed"}
    nominal = nominal_device()
    summary = {"mode": mode, "n_mtj": n_mtj, "seeds": seeds, "nominal_diameter_m": NOMINAL_DIAMETER,
               "nominal_Ku": nominal["Ku"], "nominal_demag_factors": list(nominal["demag_factors"])}
    for drive in DRIVES:
        success = dataset.passed.sel(drive=drive).mean("seed").values
        summary[f"success_rate_{drive}_drive"] = {f"{s:g}": round(float(v), 2) for s, v in zip(spreads, success)}
        broken = breaking_point(spreads, success)
        summary[f"breaks_at_spread_{drive}_drive"] = broken
    dataset.attrs.update(mp.provenance(nominal, study="supp_nonidentical", mode=mode, n_mtj=n_mtj, sizes=SIZES,
                                       summary=json.dumps(summary)))
    mp.write_dataset(dataset, netcdf, overwrite=overwrite)
    mp.save_figure(plot(dataset), png, overwrite=overwrite)
    summary["wall_time_s"] = round(time.perf_counter() - start, 1)
    return summary


@click.command()
@mp.study_options
@click.option("--seeds", default=4, show_default=True, help="Seeds per point.")
@click.option("--mode", type=click.Choice(["device", "surrogate"]), default="device", show_default=True)
@click.option("--n-mtj", default=40, show_default=True)
@click.option("--quick", is_flag=True, help="Two spreads only.")
@scheduler_option
def main(output_dir, overwrite, seeds, mode, n_mtj, quick, scheduler):
    """Supplementary: networks of MTJs with 25 different sizes against identical MTJs."""
    summary = run(output_dir, seeds=seeds, mode=mode, n_mtj=n_mtj, quick=quick, scheduler=scheduler,
                  overwrite=overwrite)
    print_summary(summary)


if __name__ == "__main__":
    mp.run_command(main, prog_name="supp_nonidentical")
