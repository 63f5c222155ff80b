"""Fig. 2: a network of 40 MTJs learns, by FORCE, to generate a sine, then a different one.

    mtjphys study fig2_generation -o results/ [--seed 0] [--seeds 10] [--mode device|surrogate] [--n-mtj 40]

Protocol (the paper's; `mtjphys.sine_generation_run`): target 0.87 sin(2 pi t / 45 ns); learning
for the first 4500 ns, then off; at 5700 ns the target becomes 0.65 sin(2 pi t / 80 ns), learning
again until 8700 ns, then off for 1500 ns more. In both free-running windows the output's
dominant period must be within 2 % of the target's and its amplitude (sqrt(2) std) within 5 %.

Writes fig2_generation.nc (the run for --seed: output, target, learning, readout weights over
time, the trained network), fig2_generation.png, and fig2_summary.nc (period, amplitude and
pass/fail for seeds SEED .. SEED + SEEDS - 1).
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
from mtjphys.networks import energy_summary
from mtjphys.reproduction import (
    check_transfer,
    describe_energy,
    mode_option,
    params_option,
    prepare_outputs,
    ReportSection,
    save_figure,
    seed_option,
    seeds_option,
    Study,
    transfer_option,
    verdict,
    wilson_interval,
)
from mtjphys.tasks import free_run_metrics, FREE_WINDOWS, SINE_ARCHITECTURE, SINE_REGULARIZATION


def summarise(runs: dict[int, dict]) -> xr.Dataset:
    """Returns: per seed and free window, the measured period/amplitude and pass/fail."""
    seeds = sorted(runs)
    windows = list(FREE_WINDOWS)
    get = lambda key: np.array([[runs[s][w][key] for w in windows] for s in seeds])
    passed = get("passed").astype(bool)
    return xr.Dataset(
        {
            "period": (("seed", "window"), get("period"), {"units": "s", "long_name": "dominant period of the output"}),
            "amplitude": (("seed", "window"), get("amplitude"),
                {"units": "1", "long_name": "sqrt(2) std of the output"}),
            "target_period": ("window", get("target_period")[0], {"units": "s", "long_name": "target period"}),
            "target_amplitude": ("window", get("target_amplitude")[0], {"units": "1", "long_name": "target amplitude"}),
            "window_passed": (("seed", "window"), passed,
                {"units": "1", "long_name": "period within 2 %, amplitude within 5 %"}),
            "passed": ("seed", passed.all(axis=1), {"units": "1", "long_name": "both free windows passed"}),
        },
        coords={"seed": ("seed", seeds, {"units": "1", "long_name": "network seed"}),
                "window": ("window", windows, {"units": "", "long_name": "free-running window"})},
    )


ZOOM_PERIODS = 4  # periods of the target shown at the end of each free run, beside the whole span


def plot(dataset: xr.Dataset) -> Figure:
    """Returns: Fig. 2 (a) before and (b) after the target switch, with learning shaded; beside each, its last
    few target periods of the free run (the whole span, 4.5-5.7 us, packs about 130 periods into the width)."""
    figure = Figure(figsize=(13, 5.5), layout="constrained")
    axes = figure.subplots(2, 2, width_ratios=(3, 1))
    t = dataset.time.values * 1e9
    switch = 5700.0
    learning = dataset.learning.values
    windows = (FREE_WINDOWS["first"], FREE_WINDOWS["second"])
    for row, part, label, (_, free_end, segment) in ((0, t < switch, "(a)", windows[0]),
                                                       (1, t >= switch, "(b)", windows[1])):
        whole, zoom = axes[row]
        end = min(free_end * 1e9, t[part][-1])
        shown = (end - ZOOM_PERIODS * segment["period"] * 1e9, end)
        for ax in (whole, zoom):
            ax.plot(t[part], dataset.target.values[part], color="k", lw=1.0, label="target")
            ax.plot(t[part], dataset.output.values[part], color="C3", lw=1.0, label="network output")
            edges = np.flatnonzero(np.diff(np.r_[0, learning[part].astype(int), 0]))
            for start, stop in edges.reshape(-1, 2):
                ax.axvspan(t[part][start], t[part][stop - 1], color="C0", alpha=0.08, lw=0)
            ax.set(ylim=(-1.3, 1.3))
        whole.set(xlim=(t[part][0], t[part][-1]), ylabel="output")
        whole.axvspan(*shown, color="0.5", alpha=0.25, lw=0)
        whole.text(0.005, 0.95, f"{label}  shaded: learning; grey: the zoom at the right", transform=whole.transAxes,
                   va="top")
        zoom.set(xlim=shown)
        zoom.text(0.02, 0.95, f"{label} last {ZOOM_PERIODS} periods, free run", transform=zoom.transAxes, va="top",
                  fontsize=8)
        zoom.tick_params(labelleft=False)
    axes[0, 0].legend(loc="upper right", ncols=2)
    axes[1, 0].set_xlabel("time (ns)")
    axes[1, 1].set_xlabel("time (ns)")
    return figure


def run(output_dir, *, seed: int = 0, seeds: int = 10, mode: str = "device", n_mtj: int = 40,
        parameters: mp.Parameters | None = None, transfer: xr.Dataset | None = None, overwrite: bool = False,
        progress=True) -> dict:
    """Run the study, write its files into `output_dir`. Returns: a summary."""
    if seed < 0 or seeds < 1:
        raise mp.MtjphysError(f"need --seed >= 0 and --seeds >= 1, got {seed} and {seeds}")
    check_transfer(transfer, mode)
    paths = prepare_outputs(output_dir, STUDY.outputs, overwrite)
    start = time.perf_counter()
    options = {"mode": mode, "n_mtj": n_mtj, "parameters": parameters, "transfer": transfer}
    dataset = mp.sine_generation_run(seed, progress=progress, study="fig2_generation", **options)
    energy = energy_summary(dataset)
    windows = {seed: free_run_metrics(dataset)}
    dataset.attrs["free_run"] = json.dumps(windows[seed])
    mp.write_dataset(dataset, paths[0], overwrite=overwrite)
    save_figure(plot(dataset), paths[1], overwrite=overwrite, parameters=parameters, study="fig2_generation",
                seed=seed, mode=mode)
    summarised = range(seed, seed + seeds)
    for other in summarised:
        if other not in windows:
            windows[other] = free_run_metrics(mp.sine_generation_run(other, progress=progress, **options))
    table = summarise({s: windows[s] for s in summarised})
    table.attrs.update(provenance(parameters or mp.Parameters(), study="fig2_generation", mode=mode, n_mtj=n_mtj,
                                  architecture=json.dumps(SINE_ARCHITECTURE), regularization=SINE_REGULARIZATION))
    mp.write_dataset(table, paths[2], overwrite=overwrite)
    relative = lambda name: np.abs(table[name] / table[f"target_{name}"] - 1)
    return {
        "seed": seed, "mode": mode, "n_mtj": n_mtj, "seeds": seeds, "seeds_passed": int(table.passed.sum()),
        "worst_period_error": float(relative("period").max()),
        "worst_amplitude_error": float(relative("amplitude").max()),
        **{f"{w}_{k}": v for w, f in windows[seed].items() for k, v in f.items()},
        "energy": energy,
        "wall_time_s": round(time.perf_counter() - start, 1),
    }


def report(summary: dict) -> ReportSection:
    seeds, passed = summary["seeds"], summary["seeds_passed"]
    low, high = wilson_interval(passed, seeds)
    first = summary["seed"]
    which = f"seed {first}" if seeds == 1 else f"seeds {first}–{first + seeds - 1}"
    measured = (f"{passed} of {seeds} ({which}) pass{'es' if passed == 1 else ''} both free runs ({summary['mode']} "
                "mode; 95 % interval of the "
                f"rate {100 * low:.0f}–{100 * high:.0f} %); worst errors {100 * summary['worst_period_error']:.1f} % "
                f"in period, {100 * summary['worst_amplitude_error']:.1f} % in amplitude")
    rows = (("Fig. 2: 40 MTJs generate 0.87 sin(2πt/45 ns), then 0.65 sin(2πt/80 ns), freely after learning",
             "both sustained after learning (one network shown)", measured),
            ("Fig. 2: energy the MTJs dissipate", "low energy cost (not quantified)",
             describe_energy(summary["energy"])))
    verdicts = (verdict(passed, True, trials=seeds), verdict(summary["energy"]["per_step"], None))
    text = (f"Each seed draws a network of {summary['n_mtj']} MTJs and trains it by FORCE; a run passes when both free "
            f"runs are within 2 % of the target period and 5 % of its amplitude. {measured}. Energy of seed "
            f"{summary['seed']}'s run: {describe_energy(summary['energy'])}.")
    return ReportSection(rows, text, (("fig2_generation.png", f"Seed {summary['seed']}: output (red) and target "
                                                              "(black), learning shaded; (a) before and (b) after "
                                                              "the target switch, each with its last 4 target periods "
                                                              "of free run zoomed at the right."),), verdicts)


STUDY = Study(
    name="fig2_generation",
    title="Fig. 2: FORCE-trained sine generation with a target switch.",
    description=__doc__,
    run=run,
    outputs=("fig2_generation.nc", "fig2_generation.png", "fig2_summary.nc"),
    options=(
        seed_option("The first seed: its run is saved and plotted, and the summary covers SEED .. SEED + SEEDS - 1."),
        seeds_option(10, "networks the summary covers"),
        mode_option(),
        click.Option(["--n-mtj"], default=40, show_default=True, help="Number of MTJs."),
        params_option(),
        transfer_option(),
    ),
    full={"seeds": 10, "mode": "device"},
    quick={"seeds": 2, "mode": "device"},
    hot=("--mode", "surrogate", "--seeds", "1", "--n-mtj", "20"),
    report=report,
)
