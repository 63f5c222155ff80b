"""Supplementary: imperfect synapses. The Fig. 2 task (40 MTJs, FORCE, two targets) with

- every weight fluctuating from step to step by a factor (1 + s xi), xi ~ N(0, 1);
- recurrent and feedback signals arriving d steps (of 1.5 ns) late;
- a fraction of the readout synapses failing to update during training (they stay at 0), either
  unseen by the training rule (it computes the full update; the failed synapses ignore it) or
  known to it (RLS over the working synapses alone).

Each is swept alone over several seeds (through Dask; a stopped sweep resumes), and the success
rate (both free windows within 2 % in period and 5 % in amplitude) and generation error (RMS error
over the first 150 ns of free running / target RMS) are reported with where the network breaks
(success rate below one half).

    python studies/supp_synapses.py -o results/ [--seeds 5] [--mode device] [--scheduler ADDRESS]

Writes supp_synapses.nc and supp_synapses.png; the sweeps keep their finished points in
results/sweeps/.
"""

from __future__ import annotations

import json
import time

import click
import xarray as xr
from matplotlib.figure import Figure

import mtjphys as mp
from mtjphys.studies import fig2_generation
from mtjphys.studies._common import breaking_point, print_summary, scheduler_option, sweep_metrics

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


def point(imperfection: str, level, seed: int, mode: str, n_mtj: int) -> xr.Dataset:
    """One run of the Fig. 2 task with one imperfection at one level. Returns: its metrics."""
    if imperfection.startswith("failed_readout"):
        options = {"failed_readout": level, "failure_known": imperfection == "failed_readout_known"}
    else:
        options = {"architecture": {imperfection: level}}
    run = fig2_generation.run_seed(seed, mode=mode, n_mtj=n_mtj, progress=False, **options)
    return sweep_metrics(fig2_generation.generation_error(run))


def compute(output_dir, *, seeds: int, mode: str, n_mtj: int, quick: bool, scheduler, progress=True) -> xr.Dataset:
    parts = []
    for name, spec in IMPERFECTIONS.items():
        levels = QUICK_LEVELS[name] if quick else spec["levels"]
        sweep = mp.run_sweep(point, {"level": levels, "seed": list(range(seeds))},
                             f"{output_dir}/sweeps/supp_synapses_{name}",
                             fixed={"imperfection": name, "mode": mode, "n_mtj": n_mtj}, scheduler=scheduler,
                             progress=progress)
        parts.append(sweep.rename(level=name).rename({v: f"{v}_vs_{name}" for v in sweep.data_vars}))
    dataset = xr.merge(parts, combine_attrs="drop_conflicts")
    dataset.attrs = {}
    for name, spec in IMPERFECTIONS.items():
        dataset[name].attrs = {"units": spec["units"], "long_name": spec["long_name"]}
    dataset["seed"].attrs = {"units": "1", "long_name": "network seed"}
    return dataset


def plot(dataset: xr.Dataset) -> Figure:
    figure = Figure(figsize=(12, 7.5), layout="constrained")
    for ax, name in zip(figure.subplots(2, 2).ravel(), IMPERFECTIONS):
        level = dataset[name].values
        success = dataset[f"passed_vs_{name}"].mean("seed")
        error = dataset[f"generation_error_vs_{name}"]
        ax.errorbar(level, error.median("seed"), yerr=[error.median("seed") - error.quantile(0.25, "seed"),
                                                        error.quantile(0.75, "seed") - error.median("seed")],
                    marker="o", capsize=3, color="C0", label="generation error (median, quartiles)")
        ax.set(xlabel=f"{dataset[name].attrs['long_name']}\n({dataset[name].attrs['units']})",
               ylabel="generation error", yscale="log")
        twin = ax.twinx()
        twin.plot(level, 100 * success, "s--", color="C3", label="success rate")
        twin.set(ylabel="success rate (%)", ylim=(-5, 105))
        broken = breaking_point(level, success.values)
        ax.set_title("breaks at " + (f"{broken:g}" if broken is not None else "no level tried"), fontsize=9)
    figure.legend(*ax.get_legend_handles_labels(), loc="upper left", fontsize=8)
    figure.legend(*twin.get_legend_handles_labels(), loc="upper right", fontsize=8)
    return figure


def run(output_dir, *, seeds: int = 5, mode: str = "device", n_mtj: int = 40, quick: bool = False,
        scheduler: str | None = None, overwrite: bool = False, progress=True) -> dict:
    """Run the study, write its files into `output_dir`. Returns: a summary."""
    if seeds < 1:
        raise mp.MtjphysError(f"--seeds must be at least 1, got {seeds}")
    netcdf, png = mp.prepare_outputs(output_dir, ["supp_synapses.nc", "supp_synapses.png"], overwrite)
    start = time.perf_counter()
    dataset = compute(output_dir, seeds=seeds, mode=mode, n_mtj=n_mtj, quick=quick, scheduler=scheduler,
                      progress=progress)
    summary = {"mode": mode, "n_mtj": n_mtj, "seeds": seeds}
    for name in IMPERFECTIONS:
        success = dataset[f"passed_vs_{name}"].mean("seed")
        summary[f"success_rate_vs_{name}"] = {f"{lv:g}": round(float(s), 2) for lv, s in
                                              zip(dataset[name].values, success.values)}
        broken = breaking_point(dataset[name].values, success.values)
        summary[f"breaks_at_{name}"] = None if broken is None else float(broken)
    dataset.attrs.update(mp.provenance(mp.Parameters(), study="supp_synapses", mode=mode, n_mtj=n_mtj,
                                       architecture=json.dumps(fig2_generation.ARCHITECTURE),
                                       summary=json.dumps(summary)))
    mp.write_dataset(dataset, netcdf, overwrite=overwrite)
    mp.save_figure(plot(dataset), png, overwrite=overwrite)
    summary["wall_time_s"] = round(time.perf_counter() - start, 1)
    return summary


@click.command()
@mp.study_options
@click.option("--seeds", default=5, show_default=True, help="Seeds per level.")
@click.option("--mode", type=click.Choice(["device", "surrogate"]), default="device", show_default=True)
@click.option("--n-mtj", default=40, show_default=True)
@click.option("--quick", is_flag=True, help="Two levels per imperfection.")
@scheduler_option
def main(output_dir, overwrite, seeds, mode, n_mtj, quick, scheduler):
    """Supplementary: weight fluctuation, signal delay and failed readout synapses."""
    summary = run(output_dir, seeds=seeds, mode=mode, n_mtj=n_mtj, quick=quick, scheduler=scheduler,
                  overwrite=overwrite)
    print_summary(summary)


if __name__ == "__main__":
    mp.run_command(main, prog_name="supp_synapses")
