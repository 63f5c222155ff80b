"""Fig. 4: a network of MTJs tells a square wave from a sine.

    mtjphys study fig4_recognition -o results/ [--noise 0.05] [--seed 0] [--seeds 3] [--mode device|surrogate]

Inputs 2 sgn(sin(w1 t)) (square, target -1) and sin(w2 t) (sine, target +1), w1 = 0.16 and
w2 = 0.21 rad/ns, with Gaussian noise of std `noise` times the waveform's amplitude; one waveform
per 60 ns window, the MTJs reset at each window start; 60 training windows (readout trained by
RLS on the per-step targets), then 100 test windows with the weights fixed. The class is the
sign of the mean output over a window.

Writes fig4_recognition.nc / .png (the run, seed SEED) and fig4_noise_sweep.nc / .png: test accuracy
against the noise level for seeds SEED .. SEED + SEEDS - 1, with the paper's amplitudes and with a
control in which the square has the sine's amplitude (1), to show where recognition breaks
(--no-sweep: the run alone).
"""

from __future__ import annotations

import json
import time

import click
import numpy as np
import xarray as xr
from matplotlib.figure import Figure
from tqdm.auto import tqdm

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
    spread_in_words,
    Study,
    transfer_option,
    verdict,
)

# Network settings (docs/networks.md): no feedback, random bias and input weights.
ARCHITECTURE = {"connection_probability": 0.1, "gain": 1.5, "leak": 0.3, "feedback_scale": 0.0, "input_scale": 2.0,
                "bias_scale": 1.0}
REGULARIZATION = 1.0
SWEEP_NOISE = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 1.0, 2.0)
CONDITIONS = {"paper": 2.0, "equal_amplitude": 1.0}  # amplitude of the square wave


def classify(dataset: xr.Dataset) -> xr.Dataset:
    """Add per-trial `mean_output` and `predicted` (sign of the window mean; 0 counts as +1)."""
    output = dataset.output.isel(readout=0)
    mean = output.groupby(xr.DataArray(dataset.trial_of_step.values, dims="time", name="trial")).mean().values
    return dataset.assign(
        mean_output=("trial", mean, {"units": "1", "long_name": "mean network output over the window"}),
        predicted=("trial", np.where(mean >= 0, 1, -1),
            {"units": "1", "long_name": "predicted class: -1 square, +1 sine"}),
    )


def run_trial(*, seed: int, noise: float, mode: str, n_mtj: int, omega_square: float, omega_sine: float,
              square_amplitude: float = 2.0, parameters: mp.Parameters | None = None,
              transfer: xr.Dataset | None = None, current_range: tuple[float, float] | None = None,
              progress=True) -> xr.Dataset:
    """Returns: the classified run dataset of one network and task drawn from `seed` (its MTJs driven over
    `current_range` [A/m^2], default the paper's)."""
    task = mp.recognition_task(omega_square=omega_square, omega_sine=omega_sine, noise=noise,
                               square_amplitude=square_amplitude, seed=seed)
    window = {} if current_range is None else {"current_range": tuple(float(j) for j in current_range)}
    architecture = mp.Architecture(n_mtj=n_mtj, n_inputs=1, n_outputs=1, **ARCHITECTURE, **window)
    network = mp.random_network(architecture, parameters, seed=seed, mode=mode, transfer=transfer)
    _, dataset = mp.train_force(network, task, regularization=REGULARIZATION, seed=seed, progress=progress,
                                architecture=json.dumps(ARCHITECTURE), study="fig4_recognition")
    return classify(dataset)


def accuracy_on_test(dataset: xr.Dataset) -> float:
    test = dataset.split.values == "test"
    return float(np.mean(dataset.predicted.values[test] == dataset.label.values[test]))


def noise_sweep(*, seed: int = 0, seeds: int, noise_levels, mode: str, n_mtj: int, omega_square: float,
                omega_sine: float, parameters: mp.Parameters | None = None, transfer: xr.Dataset | None = None,
                progress=True) -> xr.Dataset:
    """Returns: test accuracy (condition, noise, seed) for seeds `seed` .. `seed` + `seeds` - 1."""
    accuracy = np.full((len(CONDITIONS), len(noise_levels), seeds), np.nan)
    jobs = [(c, n, s) for c in range(len(CONDITIONS)) for n in range(len(noise_levels)) for s in range(seeds)]
    for c, n, s in tqdm(jobs, desc="noise sweep", disable=None if progress else True):
        run = run_trial(seed=seed + s, noise=noise_levels[n], mode=mode, n_mtj=n_mtj, omega_square=omega_square,
                        omega_sine=omega_sine, square_amplitude=list(CONDITIONS.values())[c],
                        parameters=parameters, transfer=transfer, progress=False)
        accuracy[c, n, s] = accuracy_on_test(run)
    return xr.Dataset(
        {
            "accuracy": (("condition", "noise", "seed"), accuracy, {"units": "1", "long_name": "test accuracy"}),
            "square_amplitude": ("condition", list(CONDITIONS.values()),
                {"units": "1", "long_name": "square wave amplitude"}),
        },
        coords={
            "condition": ("condition", list(CONDITIONS), {"units": "", "long_name": "input amplitudes"}),
            "noise": ("noise", list(noise_levels), {"units": "1", "long_name": "noise std / waveform amplitude"}),
            "seed": ("seed", np.arange(seed, seed + seeds), {"units": "1", "long_name": "network and task seed"}),
        },
    )


def plot_run(dataset: xr.Dataset) -> Figure:
    """Returns: Fig. 4 (b) input, (c) target, (d) output, with each test window's verdict."""
    figure = Figure(figsize=(11, 6), layout="constrained")
    axes = figure.subplots(3, 1, sharex=True)
    t = dataset.time.values * 1e9
    train_end = t[dataset.learning.values].max() + 1.5
    axes[0].plot(t, dataset.input.isel(input_node=0).values, lw=0.6, color="C0")
    axes[1].plot(t, dataset.target.isel(readout=0).values, lw=1.0, color="k")
    axes[2].plot(t, dataset.output.isel(readout=0).values, lw=0.6, color="C3")
    window = float(dataset.attrs.get("task_window", 60e-9)) * 1e9
    correct = dataset.predicted.values == dataset.label.values
    for trial, ok in enumerate(correct):
        start = trial * window
        axes[2].plot([start, start + window], [dataset.mean_output.values[trial]] * 2, color="k" if ok else "m", lw=1.5)
    for ax, label in zip(axes, ("(b) input", "(c) target", "(d) output")):
        ax.axvline(train_end, color="0.4", ls="--", lw=0.8)
        ax.set_ylabel(label)
    test = dataset.split.values == "test"
    axes[2].set_title(f"test windows correct: {int(correct[test].sum())} of {int(test.sum())} "
                      "(black bars: window means; magenta: wrong)", fontsize=9)
    axes[2].set_xlabel("time (ns)")
    axes[0].set_xlim(t[0], t[-1])
    return figure


def plot_sweep(sweep: xr.Dataset) -> Figure:
    figure = Figure(figsize=(6, 4), layout="constrained")
    ax = figure.subplots()
    for condition in sweep.condition.values:
        accuracy = 100 * sweep.accuracy.sel(condition=condition)
        label = f"square amplitude {float(sweep.square_amplitude.sel(condition=condition)):g}"
        ax.errorbar(100 * sweep.noise.values, accuracy.mean("seed"), yerr=accuracy.std("seed"), marker="o",
                    capsize=3, label=label)
    ax.set(xlabel="noise (% of the waveform amplitude)", ylabel="test accuracy (%)", ylim=(40, 102))
    ax.axvspan(0, 50, color="0.93", lw=0, label="the paper's range")
    ax.legend(title=f"{sweep.sizes['seed']} seeds, mean ± std")
    return figure


def run(output_dir, *, noise: float = 0.05, seed: int = 0, mode: str = "device", n_mtj: int = 40,
        omega_square: float = 0.16e9, omega_sine: float = 0.21e9, seeds: int = 3, sweep: bool = True,
        sweep_noise=SWEEP_NOISE, parameters: mp.Parameters | None = None, transfer: xr.Dataset | None = None,
        overwrite: bool = False, progress=True) -> dict:
    """Run the study, write its files into `output_dir`. Returns: a summary."""
    check_transfer(transfer, mode)
    if seed < 0 or seeds < 1:
        raise mp.MtjphysError(f"need --seed >= 0 and --seeds >= 1, got {seed} and {seeds}")
    paths = prepare_outputs(output_dir, STUDY.outputs, overwrite)
    start = time.perf_counter()
    dataset = run_trial(seed=seed, noise=noise, mode=mode, n_mtj=n_mtj, omega_square=omega_square,
                        omega_sine=omega_sine, parameters=parameters, transfer=transfer, progress=progress)
    test = dataset.split.values == "test"
    correct = int((dataset.predicted.values == dataset.label.values)[test].sum())
    summary = {"mode": mode, "n_mtj": n_mtj, "noise": noise, "seed": seed, "test_correct": correct,
               "test_windows": int(test.sum()), "energy": energy_summary(dataset)}
    dataset.attrs["test_accuracy"] = accuracy_on_test(dataset)
    mp.write_dataset(dataset, paths[0], overwrite=overwrite)
    figure_attrs = {"parameters": parameters, "study": "fig4_recognition", "mode": mode}
    save_figure(plot_run(dataset), paths[1], overwrite=overwrite, seed=seed, **figure_attrs)
    if sweep:
        table = noise_sweep(seed=seed, seeds=seeds, noise_levels=list(sweep_noise), mode=mode, n_mtj=n_mtj,
                            omega_square=omega_square, omega_sine=omega_sine, parameters=parameters, transfer=transfer,
                            progress=progress)
        table.attrs.update(provenance(parameters or mp.Parameters(), seed=seed, study="fig4_noise_sweep", mode=mode,
                                      n_mtj=n_mtj, architecture=json.dumps(ARCHITECTURE),
                                      omega_square=omega_square, omega_sine=omega_sine))
        mp.write_dataset(table, paths[2], overwrite=overwrite)
        save_figure(plot_sweep(table), paths[3], overwrite=overwrite, **figure_attrs)
        summary["seeds"] = seeds
        summary["sweep_noise"] = [float(n) for n in table.noise.values]
        for condition in table.condition.values:
            accuracy = table.accuracy.sel(condition=condition)
            summary[f"accuracy_{condition}_mean"] = [float(a) for a in accuracy.mean("seed").values]
            summary[f"accuracy_{condition}_std"] = [float(a) for a in accuracy.std("seed").values]
    summary["wall_time_s"] = round(time.perf_counter() - start, 1)
    return summary


def report(summary: dict) -> ReportSection:
    measured = (f"{summary['test_correct']} of {summary['test_windows']} test windows right at "
                f"{100 * summary['noise']:g} % noise ({summary['mode']} mode)")
    rows = [("Fig. 4: square wave against sine, about 5 % noise, 100 test windows", "100 of 100", measured),
            ("Fig. 4: energy the MTJs dissipate", "low energy cost (not quantified)",
             describe_energy(summary["energy"]))]
    verdicts = [verdict(summary["test_correct"], 100, trials=summary["test_windows"], paper_trials=100),
                verdict(summary["energy"]["per_step"], None)]
    text = [f"One network of {summary['n_mtj']} MTJs learns by FORCE to tell a square wave (amplitude 2) from a sine "
            f"(amplitude 1), each window's class the sign of the mean output: {measured}."]
    figures = [("fig4_recognition.png", "(b) input, (c) target, (d) output with each window's mean (magenta: "
                                        "wrong); the dashed line ends training.")]
    if "sweep_noise" in summary:
        seeds = summary["seeds"]
        which = (f"1 seed, seed {summary['seed']}" if seeds == 1 else
                 f"mean ± std over seeds {summary['seed']}–{summary['seed'] + seeds - 1}")
        cells = lambda name: ", ".join(
            f"{100 * n:g} %: {spread_in_words(100 * m, 100 * s, seeds, '.1f', ' %')}" for n, m, s in
            zip(summary["sweep_noise"], summary[f"accuracy_{name}_mean"], summary[f"accuracy_{name}_std"]))
        rows.append(("Fig. 4: test accuracy against noise", "not given",
                     f"paper's amplitudes: {cells('paper')}; equal amplitudes: {cells('equal_amplitude')} "
                     f"({which})"))
        verdicts.append(verdict(summary["accuracy_paper_mean"][0], None))
        text.append(f"Against noise (test accuracy, {which}): "
                    "with the paper's amplitudes "
                    f"{cells('paper')}; with the square at the sine's amplitude (control) {cells('equal_amplitude')}.")
        figures.append(("fig4_noise_sweep.png", "Test accuracy against the noise level, with the paper's amplitudes "
                                                "and with equal amplitudes; mean ± std over seeds."))
    return ReportSection(tuple(rows), "\n\n".join(text), tuple(figures), tuple(verdicts))


STUDY = Study(
    name="fig4_recognition",
    title="Fig. 4: recognising a square wave from a sine, and accuracy against noise.",
    description=__doc__,
    run=run,
    outputs=("fig4_recognition.nc", "fig4_recognition.png", "fig4_noise_sweep.nc", "fig4_noise_sweep.png"),
    options=(
        click.Option(["--noise"], default=0.05, show_default=True,
                     help="Noise std relative to the waveform amplitude."),
        click.Option(["--omega-square"], default=0.16e9, show_default=True, help="w1 of the square wave [rad/s]."),
        click.Option(["--omega-sine"], default=0.21e9, show_default=True, help="w2 of the sine [rad/s]."),
        seed_option("Draws the network and the task of the run; the noise sweep's first seed."),
        seeds_option(3, "networks and tasks per point of the noise sweep"),
        click.Option(["--sweep/--no-sweep"], default=True, show_default=True,
                     help="Also sweep the noise (fig4_noise_sweep.nc, .png)."),
        mode_option(),
        click.Option(["--n-mtj"], default=40, show_default=True, help="Number of MTJs."),
        params_option(),
        transfer_option(),
    ),
    full={"mode": "device", "seeds": 3},
    quick={"mode": "device", "seeds": 1, "sweep_noise": (0.0, 0.5, 2.0)},
    hot=("--mode", "surrogate", "--no-sweep", "--n-mtj", "20"),
    report=report,
)
