"""Supplementary: chaos in networks of MTJs, and innate training where the network is chaotic.

    mtjphys study supp_chaos -o results/ [--seed 0] [--seeds 5] [--n-mtj 800] [--mode surrogate] [--quick]

Innate training (Laje & Buonomano 2013) exists to tame chaos: a chaotic network does not repeat its
response to the same input from another initial state. With Fig. 3's settings the network writes
the character nearly as well without it, so the chaos is not shown there. Here:

(a) The largest Lyapunov exponent of the untrained, autonomous network (Benettin's method, the
    tangent carried by jax.jvp through the network's step, through the LLG solve in device mode)
    against the recurrent gain g, for tanh neurons, surrogate MTJs and device-mode MTJs, on the same
    weights (Fig. 3's architecture: p = 0.1, a = 0.3), over several seeds. The gain where the mean
    exponent crosses 0 is reported for each. Device mode, whose step costs hundreds of times more, is
    run at the gain chosen for (b) and at the last tested gain below the surrogate's onset.
(b) Fig. 3 rerun where the untrained network is chaotic: the gain is the smallest tested one whose
    exponent (surrogate MTJs) is clearly positive (every seed's exponent more than two of its
    standard errors above 0), and the input scale the largest tested one at which the exponent of
    the network driven by the pen path is still clearly positive (inputs suppress chaos). Then, per
    seed: innate training, FORCE and closed-loop tests as in Fig. 3, and the same without innate
    training; the exponent along the pen path and the spread across initial states before and after
    innate training.

Writes supp_chaos.nc and supp_chaos.png.
"""

from __future__ import annotations

import dataclasses
import json
import time

import click
import numpy as np
import xarray as xr
from matplotlib.figure import Figure
from mtjphys.studies import fig3_character as fig3
from tqdm.auto import tqdm

import mtjphys as mp
from mtjphys.data import provenance
from mtjphys.device import is_warm
from mtjphys.networks import largest_lyapunov_exponent
from mtjphys.reproduction import (
    count_in_words,
    mode_option,
    params_option,
    prepare_outputs,
    quick_option,
    ReportSection,
    save_figure,
    seed_option,
    seeds_option,
    spread_in_words,
    Study,
    verdict,
)
from mtjphys.tasks import builtin_character_path, Character

NETWORKS = ("tanh", "surrogate", "device")
SELECTING = "surrogate"  # the network whose exponents choose the gain (device mode checks it at two gains)
SIGNIFICANCE = 2.0  # a clearly positive exponent: more than this many standard errors above 0 in every seed
TRAININGS = ("innate_and_force", "force_only")
CONDITIONS = ("before", "after")


@dataclasses.dataclass(frozen=True)
class Settings:
    """How much the study computes.

    Arguments:
        n_mtj: N of every network.
        gains: the recurrent gains g tried in (a).
        input_scales: the input scales tried in (b), Fig. 3's 2 first.
        steps, warmup: Benettin steps averaged and left out (tanh and surrogate networks).
        device_steps, device_warmup: the same in device mode.
        bracket_device: also run device mode at the last tested gain below the surrogate's onset (else only at
            the chosen gain), so that its own onset is bracketed.
        test_runs: closed-loop tests per trained network.
    """

    n_mtj: int
    gains: tuple[float, ...]
    input_scales: tuple[float, ...]
    steps: int
    warmup: int
    device_steps: int
    device_warmup: int
    bracket_device: bool
    test_runs: int


FULL = Settings(n_mtj=800, gains=(0.5, 0.75, 1.0, 1.125, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0),
                input_scales=(2.0, 1.0, 0.5, 0.25), steps=1000, warmup=300, device_steps=400, device_warmup=200,
                bracket_device=True, test_runs=3)
QUICK = Settings(n_mtj=60, gains=(0.5, 1.5, 3.0), input_scales=(2.0, 0.5), steps=150, warmup=50, device_steps=40,
                 device_warmup=20, bracket_device=False, test_runs=1)


def architecture(n_mtj: int, gain: float, input_scale: float = fig3.ARCHITECTURE["input_scale"]) -> mp.Architecture:
    """Fig. 3's architecture (two inputs, two readouts) at gain g and input scale s_in."""
    return mp.Architecture(n_mtj=n_mtj, n_inputs=2, n_outputs=2,
                           **{**fig3.ARCHITECTURE, "gain": float(gain), "input_scale": float(input_scale)})


def network_for(kind: str, n_mtj: int, gain: float, seed: int, parameters, input_scale=None) -> mp.Network:
    """The network of `kind` ("tanh", "surrogate" or "device"), drawn from the seed: the same weights for
    every kind."""
    arch = architecture(n_mtj, gain) if input_scale is None else architecture(n_mtj, gain, input_scale)
    return mp.random_network(arch, None if kind == "tanh" else parameters, seed=seed, mode=kind)


def pen_path(character: Character, steps: int) -> np.ndarray:
    """The pen path x(t), y(t) that drives the input nodes, (steps, 2)."""
    return mp.writing_task(character, steps).input.values


def clearly_positive(exponent, standard_error) -> bool:
    """Whether every seed's exponent is finite and more than SIGNIFICANCE standard errors above 0."""
    exponent, standard_error = np.asarray(exponent, dtype=float), np.asarray(standard_error, dtype=float)
    return bool(np.all(np.isfinite(exponent)) and np.all(exponent - SIGNIFICANCE * standard_error > 0))


def chaotic_gain(exponent: xr.DataArray, standard_error: xr.DataArray) -> tuple[float, bool]:
    """The smallest gain whose exponent (gain, seed) is clearly positive. Returns: (gain, found); without
    one, the largest gain and False."""
    for gain in exponent.gain.values:
        if clearly_positive(exponent.sel(gain=gain), standard_error.sel(gain=gain)):
            return float(gain), True
    return float(exponent.gain.values[-1]), False


def chaotic_input_scale(exponent: xr.DataArray, standard_error: xr.DataArray) -> tuple[float, bool]:
    """The largest input scale whose driven exponent (input_scale, seed) is clearly positive. Returns:
    (input scale, found); without one, the smallest and False."""
    for scale in sorted(exponent.input_scale.values, reverse=True):
        if clearly_positive(exponent.sel(input_scale=scale), standard_error.sel(input_scale=scale)):
            return float(scale), True
    return float(min(exponent.input_scale.values)), False


def onset(gains, mean) -> dict:
    """Where the mean exponent first crosses 0 from below, interpolated linearly between the tested gains
    (nan where untested). Returns: {"gain": the crossing or None, "below": the last gain before it, "above":
    the first gain after it (None where there is none)}."""
    tested = np.isfinite(mean)
    gains, mean = np.asarray(gains, dtype=float)[tested], np.asarray(mean, dtype=float)[tested]
    for k in range(1, gains.size):
        if mean[k - 1] <= 0 < mean[k]:
            crossing = gains[k - 1] + (gains[k] - gains[k - 1]) * -mean[k - 1] / (mean[k] - mean[k - 1])
            return {"gain": float(crossing), "below": float(gains[k - 1]), "above": float(gains[k])}
    if gains.size and mean[0] > 0:
        return {"gain": None, "below": None, "above": float(gains[0])}
    return {"gain": None, "below": float(gains[-1]) if gains.size else None, "above": None}


def _exponent(network, *, steps, warmup, seed, inputs=None):
    estimate = largest_lyapunov_exponent(network, steps=steps, warmup=warmup, seed=seed, inputs=inputs)
    return estimate.per_step, estimate.standard_error, estimate.running


def sweep_gains(settings: Settings, seeds, parameters, progress) -> xr.Dataset:
    """(a): the autonomous exponent of every network kind against the gain (device mode at the chosen gain
    and, with `bracket_device`, at the last tested gain below the surrogate's onset)."""
    gains, n = settings.gains, settings.n_mtj
    shape = (len(NETWORKS), len(gains), len(seeds))
    exponent, standard_error = np.full(shape, np.nan), np.full(shape, np.nan)
    running = {}
    cases = [(k, g, s) for k in range(2) for g in range(len(gains)) for s in range(len(seeds))]
    for k, g, s in tqdm(cases, desc="Lyapunov (tanh, surrogate)", disable=None if progress else True, leave=False):
        network = network_for(NETWORKS[k], n, gains[g], seeds[s], parameters)
        exponent[k, g, s], standard_error[k, g, s], running[k, g, s] = _exponent(
            network, steps=settings.steps, warmup=settings.warmup, seed=seeds[s])
    selecting = NETWORKS.index(SELECTING)
    chosen, _ = chaotic_gain(_array(exponent[selecting], gains, seeds), _array(standard_error[selecting], gains, seeds))
    at = gains.index(chosen)
    below = onset(gains, exponent[selecting].mean(axis=1))["below"]
    device_gains = sorted({at} | ({gains.index(below)} if settings.bracket_device and below is not None else set()))
    device = NETWORKS.index("device")
    cases = [(g, s) for g in device_gains for s in range(len(seeds))]
    for g, s in tqdm(cases, desc="Lyapunov (device)", disable=None if progress else True, leave=False):
        network = network_for("device", n, gains[g], seeds[s], parameters)
        exponent[device, g, s], standard_error[device, g, s], running[device, g, s] = _exponent(
            network, steps=settings.device_steps, warmup=settings.device_warmup, seed=seeds[s])
    longest = max(settings.steps, settings.device_steps)
    traces = np.full((len(NETWORKS), longest), np.nan)
    for k in range(len(NETWORKS)):
        traces[k, : running[k, at, 0].size] = running[k, at, 0]
    dims = ("network", "gain", "seed")
    per_step = {"units": "1/step", "long_name": "largest Lyapunov exponent of the autonomous network (nan: not run)"}
    return xr.Dataset(
        {
            "lyapunov_exponent": (dims, exponent, per_step),
            "lyapunov_standard_error": (dims, standard_error, {
                "units": "1/step", "long_name": "standard error of the exponent (means of 10 blocks of steps)"}),
            "lyapunov_rate": (dims, exponent / mp.STEP, {
                "units": "1/s", "long_name": "largest Lyapunov exponent per second (one step = 1.5 ns)"}),
            "averaged_steps": ("network", [settings.steps, settings.steps, settings.device_steps], {
                "units": "1", "long_name": "steps averaged after the warm-up"}),
            "warmup_steps": ("network", [settings.warmup, settings.warmup, settings.device_warmup], {
                "units": "1", "long_name": "steps run before averaging"}),
            "running_exponent": (("network", "averaged_step"), traces, {
                "units": "1/step", "long_name": "finite-time estimate at the chosen gain, first seed"}),
        },
        coords={
            "network": ("network", list(NETWORKS), {"units": "", "long_name": "neurons: tanh, MTJs interpolated on "
                                                                              "their transfer curve, MTJs by LLG"}),
            "gain": ("gain", np.asarray(gains, dtype=float), {"units": "1", "long_name": "recurrent gain g"}),
            "averaged_step": ("averaged_step", np.arange(1, longest + 1),
                              {"units": "1", "long_name": "steps averaged so far"}),
        },
    )


def _array(values, gains, seeds) -> xr.DataArray:
    return xr.DataArray(values, dims=("gain", "seed"), coords={"gain": np.asarray(gains, dtype=float),
                                                              "seed": np.asarray(seeds)})


def sweep_inputs(settings: Settings, seeds, gain: float, character, parameters, progress) -> xr.Dataset:
    """(b), first: the exponent of the untrained surrogate network driven by the pen path against the input scale."""
    scales = settings.input_scales
    inputs = pen_path(character, settings.warmup + settings.steps)
    exponent, standard_error = np.full((len(scales), len(seeds)), np.nan), np.full((len(scales), len(seeds)), np.nan)
    cases = [(i, s) for i in range(len(scales)) for s in range(len(seeds))]
    for i, s in tqdm(cases, desc="Lyapunov (pen path)", disable=None if progress else True, leave=False):
        network = network_for(SELECTING, settings.n_mtj, gain, seeds[s], parameters, scales[i])
        exponent[i, s], standard_error[i, s], _ = _exponent(network, steps=settings.steps, warmup=settings.warmup,
                                                            seed=seeds[s], inputs=inputs)
    dims = ("input_scale", "seed")
    return xr.Dataset(
        {"driven_exponent": (dims, exponent, {
            "units": "1/step",
            "long_name": "largest Lyapunov exponent of the untrained surrogate network driven by the pen path, at the "
                         "chosen gain"}),
         "driven_standard_error": (dims, standard_error, {"units": "1/step",
                                                          "long_name": "standard error of the driven exponent"})},
        coords={"input_scale": ("input_scale", np.asarray(scales, dtype=float),
                                {"units": "1", "long_name": "input weights W_in ~ s_in U[-1, 1]"})},
    )


def innate_in_chaos(settings: Settings, seeds, gain: float, input_scale: float, mode: str, character, parameters,
                    progress) -> xr.Dataset:
    """(b): per seed, Fig. 3's innate training, FORCE and closed-loop tests at this gain and input scale, and
    the same without innate training; the exponent along the pen path before and after innate training."""
    trial_steps = fig3.periods_to_steps(fig3.TRIAL_PERIODS)
    inputs = pen_path(character, settings.warmup + settings.steps)
    exponent = np.full((len(CONDITIONS), len(seeds)), np.nan)
    standard_error, spread = np.full_like(exponent, np.nan), np.full_like(exponent, np.nan)
    spread_trace = np.full((len(CONDITIONS), len(seeds), trial_steps), np.nan)
    errors = np.full((len(TRAININGS), len(seeds), settings.test_runs), np.nan)
    for s, seed in enumerate(tqdm(seeds, desc="Fig. 3 in chaos", disable=None if progress else True, leave=False)):
        network = network_for(mode, settings.n_mtj, gain, seed, parameters, input_scale)
        trained, innate = mp.train_innate(network, mp.writing_task(character, trial_steps), seed=seed, progress=False,
                                          **fig3.INNATE)
        for c, net in enumerate((network, trained)):
            exponent[c, s], standard_error[c, s], _ = _exponent(net, steps=settings.steps, warmup=settings.warmup,
                                                                seed=seed, inputs=inputs)
        spread[:, s] = innate.attrs["spread_before"], innate.attrs["spread_after"]
        spread_trace[:, s] = innate.spread.sel(condition=list(CONDITIONS)).values
        for t, net in enumerate((trained, network)):
            errors[t, s] = fig3.write_and_test(net, character, seed=seed, test_runs=settings.test_runs,
                                               progress=False)[3]
    return xr.Dataset(
        {
            "pen_exponent": (("condition", "seed"), exponent, {
                "units": "1/step", "long_name": "largest Lyapunov exponent along the pen path, at the chosen gain "
                                                "and input scale"}),
            "pen_standard_error": (("condition", "seed"), standard_error, {
                "units": "1/step", "long_name": "standard error of the exponent along the pen path"}),
            "spread": (("condition", "seed"), spread, {
                "units": "1",
                "long_name": "std of r across initial states, mean over MTJs and the trial's second half"}),
            "spread_trace": (("condition", "seed", "trial_step"), spread_trace, {
                "units": "1", "long_name": "std of r across initial states, mean over MTJs"}),
            "test_error": (("training", "seed", "test_run"), errors, {
                "units": "1", "long_name": "closed-loop writing error: mean distance / bounding-box diagonal"}),
        },
        coords={
            "condition": ("condition", list(CONDITIONS), {"units": "", "long_name": "innate training"}),
            "training": ("training", list(TRAININGS), {"units": "", "long_name": "innate training and FORCE, or "
                                                                                 "FORCE alone"}),
            "trial_step": ("trial_step", np.arange(trial_steps), {"units": "1", "long_name": "step in a trial"}),
            "test_run": ("test_run", np.arange(settings.test_runs), {"units": "1", "long_name": "closed-loop test"}),
        },
    )


def _statistics(values: xr.DataArray) -> dict:
    return {"mean": float(values.mean()), "std": float(values.std()), "min": float(values.min()),
            "max": float(values.max())}


def summarise(dataset: xr.Dataset) -> dict:
    """The summary of a supp_chaos dataset (also its `summary` attribute)."""
    exponent, standard_error = dataset.lyapunov_exponent, dataset.lyapunov_standard_error
    gain, gain_found = chaotic_gain(exponent.sel(network=SELECTING), standard_error.sel(network=SELECTING))
    scale, scale_found = chaotic_input_scale(dataset.driven_exponent, dataset.driven_standard_error)
    curves, onsets = {}, {}
    for network in dataset.network.values:
        values = exponent.sel(network=network)
        mean = values.mean("seed")
        tested = np.isfinite(mean.values)
        curves[str(network)] = {
            "gain": [float(g) for g in dataset.gain.values[tested]],
            "mean": [float(v) for v in mean.values[tested]],
            "std": [float(v) for v in values.std("seed").values[tested]],
            "min": [float(v) for v in values.min("seed").values[tested]],
            "max": [float(v) for v in values.max("seed").values[tested]],
            "clearly_positive": [clearly_positive(values.sel(gain=g), standard_error.sel(network=network, gain=g))
                                 for g in dataset.gain.values[tested]],
        }
        onsets[str(network)] = onset(dataset.gain.values, mean.values)
    errors = dataset.test_error
    with_innate, without = errors.sel(training="innate_and_force"), errors.sel(training="force_only")
    goal = fig3.GOAL
    return {
        "n_mtj": int(dataset.attrs["n_mtj"]), "seeds": [int(s) for s in dataset.seed.values],
        "mode": dataset.attrs["mode"], "quick": bool(dataset.attrs["quick"]),
        "steps": {str(k): int(v) for k, v in zip(dataset.network.values, dataset.averaged_steps.values)},
        "exponent_per_step": curves, "onset": onsets,
        "chaotic_gain": gain, "chaotic_gain_found": gain_found,
        "driven_exponent": {f"{s:g}": _statistics(dataset.driven_exponent.sel(input_scale=s))
                            for s in dataset.input_scale.values},
        "input_scale": scale, "driven_chaotic": scale_found,
        "pen_exponent_before": _statistics(dataset.pen_exponent.sel(condition="before")),
        "pen_exponent_after": _statistics(dataset.pen_exponent.sel(condition="after")),
        "spread_before": _statistics(dataset.spread.sel(condition="before")),
        "spread_after": _statistics(dataset.spread.sel(condition="after")),
        "errors_with_innate": [[float(e) for e in run] for run in with_innate.values],
        "errors_without_innate": [[float(e) for e in run] for run in without.values],
        "median_error_with_innate": float(with_innate.median()),
        "median_error_without_innate": float(without.median()),
        "within_goal_with_innate": int((with_innate <= goal).sum()),
        "within_goal_without_innate": int((without <= goal).sum()),
        "test_runs": int(with_innate.size), "goal": goal,
        "wall_time_s": float(dataset.attrs["wall_time_s"]),
    }


def plot(dataset: xr.Dataset, summary: dict) -> Figure:
    """Returns: (a) the exponent against the gain, (b) the driven exponent against the input scale, (c) the
    spread across initial states before and after innate training, (d) the closed-loop errors."""
    from mtjphys.reproduction import log_ticks

    figure = Figure(figsize=(16, 4.2), layout="constrained")
    gain_axes, input_axes, spread_axes, error_axes = figure.subplots(1, 4)
    for k, network in enumerate(dataset.network.values):
        values = dataset.lyapunov_exponent.sel(network=network)
        tested = np.isfinite(values.mean("seed").values)
        gains = dataset.gain.values[tested] * (1 + 0.01 * (k - 1))  # apart, so the error bars do not overlap
        gain_axes.errorbar(gains, values.mean("seed").values[tested], yerr=values.std("seed").values[tested],
                           marker="os^"[k], capsize=3, lw=1, label=f"{network} ({values.sizes['seed']} seeds)")
    gain_axes.axhline(0, color="0.5", lw=0.6)
    gain_axes.axvline(summary["chaotic_gain"], color="0.5", lw=0.8, ls="--")
    gain_axes.set(xlabel="recurrent gain g", ylabel="largest Lyapunov exponent (1/step)",
                  title=f"(a) autonomous network, N = {summary['n_mtj']}")
    gain_axes.legend(fontsize=7)
    scales = dataset.input_scale.values
    input_axes.errorbar(scales, dataset.driven_exponent.mean("seed"), yerr=dataset.driven_exponent.std("seed"),
                        marker="o", capsize=3, lw=1, color="C1")
    input_axes.axhline(0, color="0.5", lw=0.6)
    input_axes.axvline(summary["input_scale"], color="0.5", lw=0.8, ls="--")
    input_axes.set(xscale="log", xlabel="input scale s_in", ylabel="Lyapunov exponent along the pen path (1/step)",
                   title=f"(b) surrogate, g = {summary['chaotic_gain']:g}, driven by the pen path")
    log_ticks(input_axes.xaxis, scales)
    steps = dataset.trial_step.values
    for condition, color in zip(CONDITIONS, ("C1", "C0")):
        spread_axes.plot(steps * mp.STEP * 1e9, dataset.spread_trace.sel(condition=condition).isel(seed=0),
                         color=color, label=f"{condition} innate training")
    spread_axes.set(xlabel="time in trial (ns)", ylabel="spread of MTJ outputs across initial states",
                    yscale="log", title=f"(c) reproducibility, seed {summary['seeds'][0]}")
    spread_axes.legend(fontsize=7)
    for t, (training, label) in enumerate(zip(TRAININGS, ("innate training + FORCE", "FORCE alone"))):
        errors = dataset.test_error.sel(training=training)
        for s in range(errors.sizes["seed"]):
            error_axes.plot(np.full(errors.sizes["test_run"], s) + 0.15 * (2 * t - 1), 100 * errors.isel(seed=s),
                            "os"[t], color=f"C{t}", label=label if s == 0 else None)
    error_axes.axhline(100 * fig3.GOAL, color="0.5", lw=0.8, ls=":")
    error_axes.set(yscale="log", xlabel="seed (index)", ylabel="closed-loop error (% of the diagonal)",
                   title=f"(d) writing, g = {summary['chaotic_gain']:g}, s_in = {summary['input_scale']:g}")
    error_axes.set_xticks(np.arange(dataset.sizes["seed"]))
    error_axes.legend(fontsize=7)
    return figure


def run(output_dir, *, seed: int = 0, seeds: int = 5, n_mtj: int | None = None, mode: str = "surrogate",
        quick: bool = False, parameters: mp.Parameters | None = None, overwrite: bool = False,
        progress=True) -> dict:
    """Run the study, write supp_chaos.nc and .png into `output_dir`. Returns: the summary."""
    settings = QUICK if quick else FULL
    n_mtj = settings.n_mtj if n_mtj is None else n_mtj
    if not (isinstance(seeds, (int, np.integer)) and seeds >= 1):
        raise mp.MtjphysError(f"--seeds must be at least 1, got {seeds}")
    if not (isinstance(seed, (int, np.integer)) and 0 <= seed <= mp.MAX_SEED - seeds):
        raise mp.MtjphysError(f"--seed must be a whole number in [0, 2^63 - seeds), got {seed}")
    if not (isinstance(n_mtj, (int, np.integer)) and n_mtj >= 10):
        raise mp.MtjphysError(f"--n-mtj must be at least 10, got {n_mtj}")
    if mode not in ("surrogate", "device"):
        raise mp.MtjphysError(f"--mode must be surrogate or device, got {mode!r}")
    if parameters is not None and (is_warm(parameters) or parameters.mesh is not None):
        raise mp.MtjphysError("supp_chaos needs macrospin MTJs at 0 K (the Lyapunov exponent of the stochastic LLG "
                              "is not defined here); give a record without a temperature or Joule heating")
    settings = dataclasses.replace(settings, n_mtj=int(n_mtj))
    netcdf, png = prepare_outputs(output_dir, STUDY.outputs, overwrite)
    start = time.perf_counter()
    seed_list = list(range(seed, seed + seeds))
    character = mp.load_character(builtin_character_path()).normalized()
    gains = sweep_gains(settings, seed_list, parameters, progress)
    selecting = gains.sel(network=SELECTING)
    gain, _ = chaotic_gain(selecting.lyapunov_exponent, selecting.lyapunov_standard_error)
    inputs = sweep_inputs(settings, seed_list, gain, character, parameters, progress)
    input_scale, _ = chaotic_input_scale(inputs.driven_exponent, inputs.driven_standard_error)
    writing = innate_in_chaos(settings, seed_list, gain, input_scale, mode, character, parameters, progress)
    dataset = xr.merge([gains, inputs, writing])
    dataset.coords["seed"] = ("seed", seed_list, {"units": "1", "long_name": "network seed (weights, states, noise)"})
    dataset["chosen_gain"] = ((), gain, {"units": "1", "long_name": "gain of the rerun of Fig. 3"})
    dataset["chosen_input_scale"] = ((), input_scale, {"units": "1", "long_name": "input scale of the rerun of Fig. 3"})
    dataset.attrs = provenance(parameters or mp.Parameters(), study="supp_chaos", seed=seed, n_mtj=settings.n_mtj,
                               mode=mode, quick=int(quick), study_settings=json.dumps(dataclasses.asdict(settings)),
                               architecture=json.dumps({**fig3.ARCHITECTURE, "gain": "swept",
                                                           "input_scale": "swept"}),
                               innate=json.dumps(fig3.INNATE), significance=SIGNIFICANCE,
                               wall_time_s=round(time.perf_counter() - start, 1))
    summary = summarise(dataset)
    dataset.attrs["summary"] = json.dumps(summary)
    mp.write_dataset(dataset, netcdf, overwrite=overwrite)
    save_figure(plot(dataset, summary), png, overwrite=overwrite, parameters=parameters, study="supp_chaos",
                seed=seed, mode=mode)
    return summary


def _exponents(curve: dict, seeds: int) -> str:
    return ", ".join(f"{g:g}: {spread_in_words(m, s, seeds, '+.4f')}"
                     for g, m, s in zip(curve["gain"], curve["mean"], curve["std"]))


def _onset(record: dict) -> str:
    if record["gain"] is not None:
        return f"g ≈ {record['gain']:.2f} (between {record['below']:g} and {record['above']:g})"
    if record["above"] is not None:
        return f"at or below g = {record['above']:g} (positive from the lowest gain run on)"
    return f"not reached up to g = {record['below']:g}" if record["below"] is not None else "not measured"


def _percent(values) -> str:
    return ", ".join(f"{100 * v:.2g} %" for v in values)


def report(summary: dict) -> ReportSection:
    runs, seeds = summary["test_runs"], len(summary["seeds"])
    onsets = "; ".join(f"{network} {_onset(record)}" for network, record in summary["onset"].items())
    gain, scale = summary["chaotic_gain"], summary["input_scale"]
    before, after = summary["pen_exponent_before"], summary["pen_exponent_after"]
    writing = (f"median closed-loop error {100 * summary['median_error_with_innate']:.2g} % with innate training "
               f"({summary['within_goal_with_innate']} of {count_in_words(runs, 'run')} within 5 %), "
               f"{100 * summary['median_error_without_innate']:.2g} % without "
               f"({summary['within_goal_without_innate']} of {runs})")
    rows = (
        ("Gain where the autonomous network becomes chaotic (largest Lyapunov exponent crosses 0)", "not given",
         onsets),
        (f"Fig. 3 at g = {gain:g}, s_in = {scale:g} (untrained network chaotic): Lyapunov exponent along the pen "
         "path before → after innate training", "not given",
         f"{spread_in_words(before['mean'], before['std'], seeds, '+.4f')} → "
         f"{spread_in_words(after['mean'], after['std'], seeds, '+.4f')} per step"
         + (" (1 seed)" if seeds == 1 else "")),
        (f"Fig. 3 at g = {gain:g}, s_in = {scale:g}: spread across initial states before → after; writing error",
         "innate training makes the closed loop reliable",
         f"{summary['spread_before']['mean']:.3f} → {summary['spread_after']['mean']:.3f}; {writing}"),
    )
    verdicts = (verdict(summary["onset"], None), verdict(before["mean"], None),
                verdict(summary["within_goal_with_innate"], True, trials=runs))
    curves = "\n".join(f"- {network}: {_exponents(curve, seeds)}"
                       for network, curve in summary["exponent_per_step"].items())
    chosen = (f"g = {gain:g}, the smallest gain tried whose exponent is more than {SIGNIFICANCE:g} standard errors "
              "above 0 in every seed (surrogate MTJs)" if summary["chaotic_gain_found"] else
              f"g = {gain:g}, the largest gain tried (none was clearly chaotic)")
    driven = ", ".join(f"{s}: {d['mean']:+.4f}" for s, d in summary["driven_exponent"].items())
    scale_text = (f"s_in = {scale:g}, the largest input scale at which the driven exponent stays clearly positive"
                  if summary["driven_chaotic"] else
                  f"s_in = {scale:g}, the weakest input scale tried (at none did the driven network stay clearly "
                  "chaotic)")
    helps = ("Innate training helps here" if summary["median_error_with_innate"] < summary[
        "median_error_without_innate"] else "Innate training does not help here")
    over = f"mean ± std over {count_in_words(seeds, 'seed')}" if seeds > 1 else "1 seed"
    text = (f"Largest Lyapunov exponent (per 1.5 ns step; {over}) of the untrained autonomous "
            f"network of {summary['n_mtj']} neurons, Fig. 3's architecture (p = 0.1, a = 0.3), against the gain g "
            f"(Benettin's method, the tangent carried by jax.jvp through the step; {summary['steps']['surrogate']} "
            f"steps averaged, {summary['steps']['device']} in device mode):\n\n{curves}\n\n"
            f"Onset: {onsets}. The pen path drives the network and suppresses chaos: exponents along the pen path "
            f"at g = {gain:g} by input scale: {driven} (Fig. 3 uses 2). Fig. 3 was rerun at {chosen}, and "
            f"{scale_text}, in {summary['mode']} mode over {count_in_words(seeds, 'seed')}. {helps}: {writing}; the "
            "exponent along "
            f"the pen path goes from {before['mean']:+.4f} to {after['mean']:+.4f} per step and the spread across "
            f"initial states from {summary['spread_before']['mean']:.3f} to {summary['spread_after']['mean']:.3f}.")
    return ReportSection(rows, text, (("supp_chaos.png", "(a) largest Lyapunov exponent against the gain for "
                                                         "tanh, surrogate and device networks; (b) the exponent "
                                                         "along the pen path against the input scale; (c) spread "
                                                         "across initial states before and after innate training; "
                                                         "(d) closed-loop writing errors with and without innate "
                                                         "training."),), verdicts)


STUDY = Study(
    name="supp_chaos",
    title="Supplement: the largest Lyapunov exponent of MTJ networks, and innate training where they are chaotic.",
    description=__doc__,
    run=run,
    outputs=("supp_chaos.nc", "supp_chaos.png"),
    options=(
        seed_option("The first network seed (weights, initial states, noise)."),
        seeds_option(5, "networks per point"),
        click.Option(["--n-mtj"], type=int, default=None, help="Neurons per network (default 800; 60 with --quick)."),
        mode_option("surrogate"),
        quick_option("Few MTJs, gains and steps: a first look."),
        params_option(),
    ),
    full={"seeds": 5},
    quick={"quick": True, "seeds": 2},
    report=report,
)
