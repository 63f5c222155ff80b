"""Fig. 2: a network of 40 MTJs learns, by FORCE, to generate a sine, then a different one.

    python studies/fig2_generation.py -o results/ [--seed 0] [--seeds 10] [--mode device|surrogate] [--n-mtj 40]

Protocol (the paper's): target 0.87 sin(2 pi t / 45 ns); learning for the first 4500 ns, then
off; at 5700 ns the target becomes 0.65 sin(2 pi t / 80 ns), learning again until 8700 ns, then
off for 1500 ns more. In both free-running windows the output's dominant period must be within 2 %
of the target's and its amplitude (sqrt(2) std) within 5 %.

Writes fig2_generation.nc (the run for --seed: output, target, learning, readout weights over
time, the trained network), fig2_generation.png, and fig2_summary.nc (period, amplitude and
pass/fail for seeds 0 .. --seeds - 1).
"""

from __future__ import annotations

import json
import time

import click
import numpy as np
import xarray as xr
from matplotlib.figure import Figure

import mtjphys as mp
from mtjphys.studies._common import print_summary

FIRST = {"amplitude": 0.87, "period": 45e-9, "learn": 4500e-9, "free": 1200e-9}
SECOND = {"amplitude": 0.65, "period": 80e-9, "learn": 3000e-9, "free": 1500e-9}
FREE_WINDOWS = {"first": (4500e-9, 5700e-9, FIRST), "second": (8700e-9, 10200e-9, SECOND)}
PERIOD_TOLERANCE, AMPLITUDE_TOLERANCE = 0.02, 0.05

# Network settings (docs/networks.md): leak a, gain g, feedback scale, RLS regularisation.
ARCHITECTURE = {"connection_probability": 0.1, "gain": 1.2, "leak": 0.2, "feedback_scale": 2.0}
REGULARIZATION = 0.1


def run_seed(seed: int, *, mode: str, n_mtj: int, transfer: xr.Dataset | None = None, parameters=None,
             architecture: dict | None = None, failed_readout: float = 0.0, failure_known: bool = False,
             progress=True, **nonlinearity_options) -> xr.Dataset:
    """Returns: the run dataset of one seed (network drawn from `seed`).

    Arguments:
        seed, mode, n_mtj, transfer: as for the study.
        parameters: the MTJs (one record, or one per MTJ); default the reference device.
        architecture: overrides of `ARCHITECTURE` (e.g. synaptic_noise, delay).
        failed_readout: fraction of readout synapses that never update (drawn from the seed).
        failure_known: whether FORCE knows which (see `mtjphys.Force`).
        nonlinearity_options: passed to `mtjphys.make_nonlinearity` (e.g. current_gain).
    """
    settings = {**ARCHITECTURE, **(architecture or {})}
    network = mp.random_network(mp.Architecture(n_mtj=n_mtj, n_outputs=1, **settings), parameters, seed=seed,
                                mode=mode, transfer=transfer, **nonlinearity_options)
    x0 = np.random.default_rng([seed, 1]).normal(0.0, 0.5, n_mtj)
    mask = None
    if failed_readout:
        mask = np.random.default_rng([seed, 5]).random((1, n_mtj)) >= failed_readout
    task = mp.sine_generation_task([FIRST, SECOND])
    _, dataset = mp.train_force(network, task, regularization=REGULARIZATION, x0=x0, seed=seed, progress=progress,
                                update_mask=mask, mask_known=failure_known,
                                architecture=json.dumps(settings),
                                failed_readout=failed_readout, study="fig2_generation")
    # one readout: output(time) and target(time)
    return dataset.assign(output=dataset.output.isel(readout=0, drop=True),
                          target=dataset.target.isel(readout=0, drop=True))


def free_run_metrics(dataset: xr.Dataset) -> dict:
    """Period, amplitude and pass/fail in each free-running window."""
    figures = {}
    for name, (start, stop, target) in FREE_WINDOWS.items():
        output = dataset.output.sel(time=slice(start, stop - mp.STEP / 2)).values
        period = mp.dominant_period(output, mp.STEP)
        amplitude = mp.amplitude(output)
        figures[name] = {
            "period": period, "amplitude": amplitude, "target_period": target["period"],
            "target_amplitude": target["amplitude"],
            "passed": bool(abs(period / target["period"] - 1) <= PERIOD_TOLERANCE
                           and abs(amplitude / target["amplitude"] - 1) <= AMPLITUDE_TOLERANCE),
        }
    return figures


def generation_error(dataset: xr.Dataset, span: float = 150e-9) -> dict:
    """Scalars for sweeps: both windows passed; the worst relative period and amplitude errors;
    and the RMS error over the first `span` of each free run relative to the target's RMS, averaged
    over the two windows (the "generation error")."""
    figures = free_run_metrics(dataset)
    nrmse = []
    for start, _, target in FREE_WINDOWS.values():
        part = slice(start, start + span)
        error = dataset.output.sel(time=part) - dataset.target.sel(time=part)
        nrmse.append(float(np.sqrt((error**2).mean()) / (target["amplitude"] / np.sqrt(2))))
    return {
        "passed": all(f["passed"] for f in figures.values()),
        "period_error": max(abs(f["period"] / f["target_period"] - 1) for f in figures.values()),
        "amplitude_error": max(abs(f["amplitude"] / f["target_amplitude"] - 1) for f in figures.values()),
        "generation_error": float(np.mean(nrmse)),
    }


def summarise(runs: dict[int, dict]) -> xr.Dataset:
    """Returns: per seed and free window, the measured period/amplitude and pass/fail."""
    seeds = sorted(runs)
    windows = list(FREE_WINDOWS)
    get = lambda key: np.array([[runs[s][w][key] for w in windows] for s in seeds])  # noqa: E731
    passed = get("passed").astype(bool)
    return xr.Dataset(
        {
            "period": (("seed", "window"), get("period"), {"units": "s", "long_name": "dominant period of the output"}),
            "amplitude": (("seed", "window"), get("amplitude"), {"units": "1", "long_name": "sqrt(2) std of the output"}),
            "target_period": ("window", get("target_period")[0], {"units": "s", "long_name": "target period"}),
            "target_amplitude": ("window", get("target_amplitude")[0], {"units": "1", "long_name": "target amplitude"}),
            "window_passed": (("seed", "window"), passed, {"units": "1", "long_name": "period within 2 %, amplitude within 5 %"}),
            "passed": ("seed", passed.all(axis=1), {"units": "1", "long_name": "both free windows passed"}),
        },
        coords={"seed": ("seed", seeds, {"units": "1", "long_name": "network seed"}),
                "window": ("window", windows, {"units": "", "long_name": "free-running window"})},
    )


def plot(dataset: xr.Dataset) -> Figure:
    """Returns: Fig. 2 (a) before and (b) after the target switch, with learning shaded."""
    figure = Figure(figsize=(11, 5.5), layout="constrained")
    axes = figure.subplots(2, 1)
    t = dataset.time.values * 1e9
    switch = 5700.0
    learning = dataset.learning.values
    for ax, part, label in ((axes[0], t < switch, "(a)"), (axes[1], t >= switch, "(b)")):
        ax.plot(t[part], dataset.target.values[part], color="k", lw=1.0, label="target")
        ax.plot(t[part], dataset.output.values[part], color="C3", lw=1.0, label="network output")
        edges = np.flatnonzero(np.diff(np.r_[0, learning[part].astype(int), 0]))
        for start, stop in edges.reshape(-1, 2):
            ax.axvspan(t[part][start], t[part][stop - 1], color="C0", alpha=0.08, lw=0)
        ax.set(xlim=(t[part][0], t[part][-1]), ylim=(-1.3, 1.3), ylabel="output")
        ax.text(0.005, 0.95, f"{label}  shaded: learning", transform=ax.transAxes, va="top")
    axes[0].legend(loc="upper right", ncols=2)
    axes[1].set_xlabel("time (ns)")
    return figure


def run(output_dir, *, seed: int = 0, seeds: int = 10, mode: str = "device", n_mtj: int = 40,
        transfer: xr.Dataset | None = None, overwrite: bool = False, progress=True) -> dict:
    """Run the study, write its files into `output_dir`. Returns: a summary."""
    if seed < 0 or seeds < 0:
        raise mp.MtjphysError("seeds must be non-negative")
    names = ["fig2_generation.nc", "fig2_generation.png"] + (["fig2_summary.nc"] if seeds else [])
    paths = mp.prepare_outputs(output_dir, names, overwrite)
    start = time.perf_counter()
    dataset = run_seed(seed, mode=mode, n_mtj=n_mtj, transfer=transfer, progress=progress)
    figures = {seed: free_run_metrics(dataset)}
    dataset.attrs["free_run"] = json.dumps(figures[seed])
    mp.write_dataset(dataset, paths[0], overwrite=overwrite)
    mp.save_figure(plot(dataset), paths[1], overwrite=overwrite)
    for other in range(seeds):
        if other not in figures:
            figures[other] = free_run_metrics(run_seed(other, mode=mode, n_mtj=n_mtj, transfer=transfer,
                                                               progress=progress))
    summary = {"seed": seed, "mode": mode, "n_mtj": n_mtj, **{f"{w}_{k}": v for w, f in figures[seed].items()
                                                              for k, v in f.items()}}
    if seeds:
        table = summarise({s: figures[s] for s in range(seeds)})
        table.attrs.update(mp.provenance(mp.Parameters(), study="fig2_generation", mode=mode, n_mtj=n_mtj,
                                         architecture=json.dumps(ARCHITECTURE), regularization=REGULARIZATION))
        mp.write_dataset(table, paths[2], overwrite=overwrite)
        summary["seeds_passed"] = f"{int(table.passed.sum())} of {seeds}"
    summary["wall_time_s"] = round(time.perf_counter() - start, 1)
    return summary


@click.command()
@mp.study_options
@click.option("--seed", default=0, show_default=True, help="Seed of the run that is saved and plotted.")
@click.option("--seeds", default=10, show_default=True, help="Summarise seeds 0..SEEDS-1 (0: no summary).")
@click.option("--mode", type=click.Choice(["device", "surrogate"]), default="device", show_default=True)
@click.option("--n-mtj", default=40, show_default=True, help="Number of MTJs.")
@mp.transfer_option
def main(output_dir, overwrite, seed, seeds, mode, n_mtj, transfer):
    """Fig. 2: FORCE-trained sine generation with a target switch."""
    transfer = mp.load_transfer(transfer, mode)
    summary = run(output_dir, seed=seed, seeds=seeds, mode=mode, n_mtj=n_mtj, transfer=transfer, overwrite=overwrite)
    print_summary(summary)


if __name__ == "__main__":
    mp.run_command(main, prog_name="fig2_generation")
