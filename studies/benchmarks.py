"""Beyond the paper: MTJ networks on the field's standard reservoir-computing tasks, beside tanh networks and
reservoirpy's echo-state network of the same size, and the operating range.

    mtjphys study benchmarks -o results/ [--task NAME] [--n-mtj 100] [--seed 0] [--seeds 5] [--device-seeds 5]

Tasks (`mtjphys.tasks`): NARMA10; Mackey-Glass (tau = 17) one step and 84 steps ahead; linear
memory capacity (delays 1..100); sine against square, point by point (Markovic et al. 2019); sequential
digits (scikit-learn's 8 x 8 images fed row by row). Networks, all of N neurons, connection probability
0.1, the same architecture (gain 0.9, leak 1, input scale 0.3, no feedback):

- mtj_device: MTJs integrated by the LLG solver in every step (the reference; the first --device-seeds
  seeds);
- mtj_surrogate: the same MTJs on their transfer curve;
- mtj_micromagnetic: MTJs on the transfer curve of the micromagnetic free layer (the reference disc on
  --micromagnetic-cell cells; 0: not run);
- tanh: the same weights with r = tanh(x);
- reservoirpy: reservoirpy's own ESN (spectral radius 0.9, its own weights).

Every network is read out by ridge regression on [1, u, r] (penalty chosen on the last fifth of the
train split) and by FORCE's RLS, and judged on the test split. The operating range: NARMA10, memory
capacity and digits on MTJ networks whose current range widens from the paper's 0.8-1.0e10 A/m^2 to
0.1e10 A/m^2 .. the current where dR/R0 reaches 20 %, beside the same networks with the transfer curve
replaced by its chord (a straight line with the same clipping): whether the MTJ's own nonlinearity matters.
Past about 2.3e10 A/m^2 the reference junction carries more than its barrier's 2 V breakdown voltage: the
range sweep keeps the paper's barrier, which carries any voltage, so its widest ranges are no real device's.

Writes benchmarks_TASK_NETWORK.nc (the task, each seed's predictions by both readouts, the metrics),
benchmarks.nc (every metric, and the range sweep), benchmarks.png and benchmarks_range.png.
"""

from __future__ import annotations

import json
import time

import click
import equinox as eqx
import jax.numpy as jnp
import numpy as np
import xarray as xr
from matplotlib.figure import Figure
from tqdm.auto import tqdm

import mtjphys as mp
from mtjphys.data import provenance
from mtjphys.device import is_warm
from mtjphys.networks import (
    benchmark_metrics,
    ForceReadout,
    network_states,
    reservoirpy_states,
    RidgeReadout,
    train_readout,
)
from mtjphys.reproduction import (
    label,
    params_option,
    prepare_outputs,
    quick_option,
    ReportSection,
    save_figure,
    seed_option,
    seeds_in_words,
    seeds_option,
    Study,
    verdict,
)
from mtjphys.tasks import (
    mackey_glass_task,
    memory_capacity_task,
    narma10_task,
    POINTS_PER_PERIOD,
    sequential_digits_task,
    sine_square_task,
)

TASKS = ("narma10", "mackey_glass_1", "mackey_glass_84", "memory_capacity", "sine_square", "sequential_digits")
NETWORKS = ("mtj_device", "mtj_surrogate", "mtj_micromagnetic", "tanh", "reservoirpy")
READOUTS = {"ridge": RidgeReadout(), "force": ForceReadout()}  # the readouts every network is judged by, by name
MICROMAGNETIC_POINTS = 21  # of the grid's transfer curve over the operating range
METRIC = {"narma10": "nrmse", "mackey_glass_1": "nrmse", "mackey_glass_84": "nrmse",
          "memory_capacity": "memory_capacity", "sine_square": "accuracy", "sequential_digits": "accuracy"}
METRIC_TEXT = {"nrmse": "test NRMSE (lower is better)", "memory_capacity": "memory capacity (higher is better)",
               "accuracy": "test accuracy (higher is better)"}
PUBLISHED = {"narma10": "NRMSE about 0.15, 400 virtual nodes (Appeltant et al. 2011)",
             "sine_square": "above 99 % (Markovic et al. 2019)",
             "sequential_digits": "89.8 ± 2.9 %, BPTT-trained oscillators (Plouet et al. 2024)"}
ARCHITECTURE = {"connection_probability": 0.1, "gain": 0.9, "leak": 1.0, "input_scale": 0.3, "feedback_scale": 0.0}
LENGTHS = {False: {"washout": 200, "train": 2000, "test": 1000}, True: {"washout": 100, "train": 600, "test": 300}}
DIGITS_LIMIT = {False: None, True: 300}
RANGE_TASKS = ("narma10", "memory_capacity", "sequential_digits")
RANGE_FLOOR = 0.1e10  # [A/m^2] the lowest current of the widest range
RANGE_TOP = 0.2  # dR / R0 at the widest range's highest current
RANGE_CURVES = ("mtj", "chord")


def make_task(name: str, seed: int, quick: bool) -> xr.Dataset:
    """The task `name` drawn from `seed`, full length or shortened (`quick`)."""
    lengths = LENGTHS[quick]
    if name == "narma10":
        return narma10_task(seed=seed, **lengths)
    if name.startswith("mackey_glass_"):
        return mackey_glass_task(horizon=int(name.rsplit("_", 1)[1]), seed=seed, **lengths)
    if name == "memory_capacity":
        return memory_capacity_task(seed=seed, **lengths)
    if name == "sine_square":
        periods = {k: v // POINTS_PER_PERIOD for k, v in lengths.items()}
        return sine_square_task(washout_periods=periods["washout"], train_periods=periods["train"],
                                test_periods=periods["test"], seed=seed)
    return sequential_digits_task(seed=seed, limit=DIGITS_LIMIT[quick])


def architecture_for(task: xr.Dataset, n_mtj: int, current_range=mp.OPERATING_RANGE) -> mp.Architecture:
    return mp.Architecture(n_mtj=n_mtj, n_inputs=task.sizes["input_node"], n_outputs=1,
                           current_range=tuple(float(j) for j in current_range), **ARCHITECTURE)


def micromagnetic_curve(cell_size: float, progress) -> tuple[mp.Parameters, xr.Dataset]:
    """The reference disc on a grid of `cell_size` cells, and its transfer curve over the paper's range."""
    record = mp.Parameters({"cell_size": cell_size}, model=mp.micromagnetic_model())
    if progress:
        print(f"transfer curve of the micromagnetic disc on {cell_size * 1e9:g} nm cells ...", flush=True)
    return record, mp.transfer_curve(record, np.linspace(*mp.OPERATING_RANGE, MICROMAGNETIC_POINTS))


class States:
    """Each network's states on each input sequence, computed once (the Mackey-Glass tasks share theirs)."""

    def __init__(self, parameters: mp.Parameters | None, n_mtj: int, micromagnetic_cell: float = 0.0,
                 progress=False):
        self.parameters, self.n_mtj, self.cache = parameters, n_mtj, {}
        self.micromagnetic_cell, self.progress, self.micromagnetic = micromagnetic_cell, progress, None

    def __call__(self, network: str, task: xr.Dataset, seed: int) -> np.ndarray:
        key = (network, seed, task.input.values.tobytes(), "reset_state" in task)
        if key not in self.cache:
            self.cache[key] = self.compute(network, task, seed)
        return self.cache[key]

    def compute(self, network: str, task: xr.Dataset, seed: int) -> np.ndarray:
        if network == "reservoirpy":
            return reservoirpy_states(
                task, units=self.n_mtj, spectral_radius=ARCHITECTURE["gain"], leak=ARCHITECTURE["leak"],
                input_scale=ARCHITECTURE["input_scale"], connectivity=ARCHITECTURE["connection_probability"],
                seed=seed)
        architecture = architecture_for(task, self.n_mtj)
        if network == "mtj_micromagnetic":
            if self.micromagnetic is None:
                self.micromagnetic = micromagnetic_curve(self.micromagnetic_cell, self.progress)
            record, curve = self.micromagnetic
            built = mp.random_network(architecture, record, seed=seed, mode="surrogate", transfer=curve)
            return network_states(built, task, seed=seed)
        mode = {"mtj_device": "device", "mtj_surrogate": "surrogate", "tanh": "tanh"}[network]
        built = mp.random_network(architecture, self.parameters, seed=seed, mode=mode)
        return network_states(built, task, seed=seed)


def evaluate(task: xr.Dataset, states: np.ndarray) -> list[xr.Dataset]:
    """Both readouts on one network's states. Returns: the results, in the order of READOUTS."""
    return [train_readout(task, states, trainer=trainer) for trainer in READOUTS.values()]


def task_dataset(name: str, network: str, per_seed: dict[int, list[xr.Dataset]]) -> xr.Dataset:
    """One task and network over seeds: each seed's task, its predictions by both readouts, and the metrics."""
    parts = []
    for results in per_seed.values():
        readout = xr.DataArray(list(READOUTS), dims="readout", attrs={"units": "", "long_name": "readout"})
        produced = ("prediction",) if "prediction" in results[0] else ("predicted", "score")
        produced += ("readout_weights",)
        part = results[0].drop_vars(produced)
        for variable in produced:
            part[variable] = xr.concat([r[variable] for r in results], dim=readout)
        part["readout_penalty"] = ("readout", [r.attrs["readout_penalty"] for r in results],
                                   {"units": "1", "long_name": "ridge penalty (relative) or FORCE's alpha"})
        part.attrs = {}
        parts.append(part)
    seeds = xr.DataArray(list(per_seed), dims="seed", attrs={"units": "1", "long_name": "task and network seed"})
    dataset = xr.concat(parts, dim=seeds, data_vars="all", coords="minimal", compat="override")
    for variable in ("class", "delay", "input_node"):
        if variable in dataset.coords and "seed" in dataset[variable].dims:
            dataset[variable] = dataset[variable].isel(seed=0)
    first = per_seed[next(iter(per_seed))][0]
    dataset.attrs = {"task": name, "network": network, "task_kind": first.attrs["task_kind"],
                     "input_range": json.dumps(first.attrs["input_range"])}
    metric = recompute(dataset)
    dataset[METRIC[name]] = (("readout", "seed"), metric["values"],
                             {"units": "1", "long_name": METRIC_TEXT[METRIC[name]]})
    if "memory_curve" in metric:
        dataset["memory_curve"] = (("readout", "seed", "delay"), metric["memory_curve"],
                                   {"units": "1", "long_name": "squared correlation of the delay-k readout with "
                                                               "u(t - k), test split"})
    if name == "memory_capacity":  # 100 delays of predictions: single precision keeps the file small
        dataset["prediction"].encoding.update(dtype="float32", zlib=True)
        dataset["target"].encoding.update(dtype="float32", zlib=True)
    return dataset


def recompute(dataset: xr.Dataset) -> dict:
    """The metric of every (readout, seed) of a task dataset, from its predictions and targets."""
    values, curves = [], []
    for readout in dataset.readout.values:
        row, curve_row = [], []
        for seed in dataset.seed.values:
            figures = benchmark_metrics(dataset.sel(readout=readout, seed=seed))
            row.append(next(v for k, v in figures.items() if k != "memory_curve"))
            if "memory_curve" in figures:
                curve_row.append(figures["memory_curve"])
        values.append(row)
        if curve_row:
            curves.append(curve_row)
    out = {"values": np.array(values)}
    if curves:
        out["memory_curve"] = np.array(curves)
    return out


# ---- the operating range ------------------------------------------------------------------
def range_top(record: mp.Parameters) -> float:
    """The current density [A/m^2] at which the device's dR first reaches RANGE_TOP of its equilibrium
    resistance (past it, at about 1.3e11 A/m^2 for the reference device, the free layer switches)."""
    grid = np.geomspace(1e10, 3e11, 61)
    unbroken = record.replace(breakdown_voltage=None)  # past the barrier's breakdown, as the range sweep
    ratio = np.asarray(mp.neuron_output(unbroken, grid).delta_r) / mp.equilibrium_resistance(record)
    reached = np.flatnonzero(ratio >= RANGE_TOP)
    if reached.size == 0 or reached[0] == 0:
        raise mp.MtjphysError(f"dR/R0 of this device does not rise through {RANGE_TOP:g} between {grid[0]:.3g} and "
                              f"{grid[-1]:.3g} A/m^2")
    i = reached[0]
    return float(np.exp(np.interp(RANGE_TOP, ratio[i - 1: i + 1], np.log(grid[i - 1: i + 1]))))


def current_ranges(record: mp.Parameters, count: int) -> np.ndarray:
    """`count` current ranges (j_min, j_max) from the paper's to (RANGE_FLOOR, range_top), in geometric steps.
    Returns: (count, 2)."""
    top = range_top(record)
    (low, high), s = mp.OPERATING_RANGE, np.linspace(0.0, 1.0, count)
    return np.stack([low * (RANGE_FLOOR / low) ** s, high * (top / high) ** s], axis=1)


def chord(network: mp.Network) -> mp.Network:
    """The network with its MTJs' transfer curve replaced by the straight line through its ends: the same
    current range and clipping, without the curve's own nonlinearity."""
    layer = network.nonlinearity
    (j_min, j_max), (low, high) = layer.current_range, layer.delta_r_range
    line = low + (high - low) * (layer.current_density - j_min) / (j_max - j_min)
    table = jnp.broadcast_to(line, layer.table.shape)
    return eqx.tree_at(lambda n: n.nonlinearity.table, network, table)


POSITIONS = np.linspace(0.0, 1.0, 201)  # (j - j_min) / (j_max - j_min) across a range


def normalised_curve(network: mp.Network) -> np.ndarray:
    """F, the nominal MTJ's dR normalised onto [0, 1] over the range, at POSITIONS across it."""
    layer = network.nonlinearity
    (j_min, j_max), (low, high) = layer.current_range, layer.delta_r_range
    table = np.asarray(layer.table if layer.table.ndim == 1 else layer.table[0])
    return (np.interp(j_min + POSITIONS * (j_max - j_min), np.asarray(layer.current_density), table) - low) / (
        high - low)


def curve_nonlinearity(network: mp.Network) -> float:
    """max |F(j) - (j - j_min) / (j_max - j_min)| over the range."""
    return float(np.max(np.abs(normalised_curve(network) - POSITIONS)))


def range_sweep(record: mp.Parameters, n_mtj: int, seeds, count: int, quick: bool, progress) -> xr.Dataset:
    # the widest ranges put up to several volts across the barrier, past its breakdown: the paper's barrier, which
    # carries any voltage, stands in (the module's docstring)
    record = record.replace(breakdown_voltage=None)
    """The range tasks on surrogate MTJ networks (the curve, and its chord) in each current range."""
    spans = current_ranges(record, count)
    resistance = mp.equilibrium_resistance(record)
    values = np.full((len(RANGE_TASKS), count, len(RANGE_CURVES), len(seeds)), np.nan)
    nonlinearity, top_ratio, curves = np.zeros(count), np.zeros(count), np.zeros((count, POSITIONS.size))
    bar = tqdm(total=values.size, desc="operating range", disable=None if progress else True, leave=False)
    for w, span in enumerate(spans):
        for s, seed in enumerate(seeds):
            for t, name in enumerate(RANGE_TASKS):
                task = make_task(name, seed, quick)
                network = mp.random_network(architecture_for(task, n_mtj, span), record, seed=seed,
                                            mode="surrogate")
                nonlinearity[w], curves[w] = curve_nonlinearity(network), normalised_curve(network)
                top_ratio[w] = network.nonlinearity.delta_r_range[1] / resistance
                for c, built in enumerate((network, chord(network))):
                    result = train_readout(task, network_states(built, task, seed=seed))
                    figures = benchmark_metrics(result)
                    values[t, w, c, s] = figures[METRIC[name]]
                    bar.update()
    bar.close()
    range_coord = xr.DataArray(np.arange(count), dims="current_range",
                               attrs={"units": "1", "long_name": "current range index"})
    return xr.Dataset(
        {"range_metric": (("range_task", "current_range", "curve", "seed"), values,
                          {"units": "1", "long_name": "NRMSE (narma10), memory capacity, accuracy (digits)"}),
         "range_j_min": ("current_range", spans[:, 0], {"units": "A/m^2", "long_name": "lowest current of the range"}),
         "range_j_max": ("current_range", spans[:, 1], {"units": "A/m^2", "long_name": "highest current of the range"}),
         "range_nonlinearity": ("current_range", nonlinearity, {"units": "1", "long_name": "max |F - linear| over "
                                                                                           "the range"}),
         "range_delta_r_over_r0": ("current_range", top_ratio, {"units": "1", "long_name": "dR / R0 at the range's "
                                                                                       "highest current"}),
         "range_curve": (("current_range", "range_position"), curves,
                         {"units": "1", "long_name": "normalised dR F across the range"})},
        coords={"current_range": range_coord,
                "range_task": ("range_task", list(RANGE_TASKS), {"units": "", "long_name": "task of the range "
                                                                                            "sweep"}),
                "range_position": ("range_position", POSITIONS,
                                   {"units": "1", "long_name": "(j - j_min) / (j_max - j_min)"}),
                "curve": ("curve", list(RANGE_CURVES), {"units": "", "long_name": "mtj: the device's transfer curve; "
                                                                                 "chord: the straight line through "
                                                                                 "its ends"}),
                "seed": ("seed", list(seeds), {"units": "1", "long_name": "task and network seed"})},
    )


# ---- summary, plots, report ----------------------------------------------------------------
def _statistics(values) -> dict:
    values = np.asarray(values, dtype=float)
    kept = values[np.isfinite(values)]
    return {"mean": float(kept.mean()) if kept.size else None, "std": float(kept.std(ddof=1)) if kept.size > 1 else
            None, "seeds": int(kept.size), "values": [None if not np.isfinite(v) else float(v) for v in values]}


def summarise(dataset: xr.Dataset) -> dict:
    """The summary of benchmarks.nc: per task, network and readout, the metric's mean, std and values over
    seeds; per current range, its span, nonlinearity and the range tasks' means."""
    summary = {"tasks": {}, "settings": json.loads(dataset.attrs["benchmark_settings"])}
    for name in dataset.task.values:
        metric = dataset.metric.sel(task=name)
        summary["tasks"][str(name)] = {"metric": METRIC[str(name)], "networks": {
            str(network): {str(readout): _statistics(metric.sel(network=network, readout=readout).values)
                           for readout in dataset.readout.values} for network in dataset.network.values}}
    if "range_metric" in dataset:
        summary["range"] = {
            "j_min": [float(v) for v in dataset.range_j_min.values],
            "j_max": [float(v) for v in dataset.range_j_max.values],
            "nonlinearity": [float(v) for v in dataset.range_nonlinearity.values],
            "delta_r_over_r0": [float(v) for v in dataset.range_delta_r_over_r0.values],
            "tasks": {str(name): {str(curve): [_statistics(dataset.range_metric.sel(
                range_task=name, curve=curve, current_range=w).values) for w in dataset.current_range.values]
                for curve in dataset.curve.values} for name in dataset.range_task.values}}
    return summary


PUBLISHED_LINE = {"narma10": 0.15, "sine_square": 0.99, "sequential_digits": 0.898}  # drawn dashed
# how the report judges the MTJ network against each published figure: what its words call for
PUBLISHED_TOLERANCE = {"narma10": {"within": 0.2}, "sine_square": {"bound": "at least", "scale": 100, "unit": " %"},
                       "sequential_digits": {"sigmas": 2.0, "paper_spread": 0.029}}
PUBLISHED_NODES = {"narma10": 400}  # a figure for another network size compares with nothing here


def plot(dataset: xr.Dataset) -> Figure:
    names = list(dataset.task.values)
    columns = min(3, len(names))
    rows = -(-len(names) // columns)
    figure = Figure(figsize=(4.4 * columns, 3.6 * rows), layout="constrained")
    axes = np.atleast_1d(figure.subplots(rows, columns)).ravel()
    for ax in axes[len(names):]:
        ax.set_axis_off()
    for ax, name in zip(axes, names):
        metric = dataset.metric.sel(task=name)
        for r, readout in enumerate(dataset.readout.values):
            values = metric.sel(readout=readout)
            mean, std = values.mean("seed", skipna=True), values.std("seed", skipna=True, ddof=1)
            positions = np.arange(dataset.sizes["network"]) + 0.2 * (2 * r - 1)
            ax.bar(positions, mean, 0.38, yerr=std.fillna(0), capsize=3, label=str(readout), color=f"C{r}")
        if str(name) in PUBLISHED_LINE:
            ax.axhline(PUBLISHED_LINE[str(name)], color="k", ls="--", lw=0.8, label="published")
        if str(name) == "mackey_glass_1":
            ax.set_yscale("log")
        ax.set_xticks(np.arange(dataset.sizes["network"]), [str(n).replace("_", "\n") for n in dataset.network.values],
                      fontsize=8)
        ax.set_title(f"{name}: {METRIC_TEXT[METRIC[str(name)]]}", fontsize=9)
    axes[0].legend(fontsize=7)
    return figure


def plot_range(dataset: xr.Dataset) -> Figure:
    figure = Figure(figsize=(13, 4), layout="constrained")
    axes = figure.subplots(1, len(RANGE_TASKS) + 1)
    x = dataset.range_nonlinearity.values
    for ax, name in zip(axes, dataset.range_task.values):
        for c, curve in enumerate(dataset.curve.values):
            values = dataset.range_metric.sel(range_task=name, curve=curve)
            ax.errorbar(x, values.mean("seed"), yerr=values.std("seed", ddof=1).fillna(0), marker="os"[c], capsize=3,
                        label=str(curve))
        ax.set(xlabel="transfer-curve nonlinearity max |F − linear|", title=f"{name}: "
               f"{METRIC_TEXT[METRIC[str(name)]]}")
        ax.title.set_fontsize(8)
    axes[0].legend(fontsize=7)
    for w in dataset.current_range.values:
        point = dataset.sel(current_range=w)
        axes[-1].plot(dataset.range_position, point.range_curve, color=f"C{w}",
                      label=f"{float(point.range_j_min) / 1e10:.2g}–{float(point.range_j_max) / 1e10:.2g}, "
                            f"dR/R0 ≤ {100 * float(point.range_delta_r_over_r0):.2g} %")
    axes[-1].plot([0, 1], [0, 1], "k:", lw=0.8)
    axes[-1].set(xlabel="(j − j_min) / (j_max − j_min)", ylabel="normalised dR, F",
                 title="the transfer curve in each current range (×10¹⁰ A/m²)")
    axes[-1].title.set_fontsize(8)
    axes[-1].legend(fontsize=6)
    return figure


def run(output_dir, *, task: str | None = None, n_mtj: int = 100, seed: int = 0, seeds: int = 5,
        device_seeds: int = 5, range_points: int = 5, micromagnetic_cell: float = 4e-9, quick: bool = False,
        parameters: mp.Parameters | None = None, overwrite: bool = False, progress=True) -> dict:
    """Run the study, write its files into `output_dir`. Returns: a summary."""
    if task is not None and task not in TASKS:
        raise mp.MtjphysError(f"--task must be one of {', '.join(TASKS)}, got {task!r}")
    if not (n_mtj >= 2 and seeds >= 1 and 0 <= device_seeds <= seeds and seed >= 0):
        raise mp.MtjphysError(f"need --n-mtj >= 2, --seeds >= 1, 0 <= --device-seeds <= --seeds and --seed >= 0, got "
                              f"{n_mtj}, {seeds}, {device_seeds}, {seed}")
    if not (micromagnetic_cell == 0 or 1e-9 <= micromagnetic_cell <= 10e-9):
        raise mp.MtjphysError(f"--micromagnetic-cell must be 0 (not run) or 1e-9..1e-8 m, got {micromagnetic_cell}")
    if range_points == 1 or range_points < 0:
        raise mp.MtjphysError(f"--range-points must be 0 (no range sweep) or at least 2, got {range_points}")
    record = parameters or mp.Parameters()
    if is_warm(record):
        raise mp.MtjphysError("benchmarks runs its MTJs at 0 K (the range sweep and its chord need the deterministic "
                              "transfer curve); give a record without a temperature or Joule heating")
    paths = dict(zip(STUDY.outputs, prepare_outputs(output_dir, STUDY.outputs, overwrite)))
    start = time.perf_counter()
    chosen = (task,) if task else TASKS
    seed_list = list(range(seed, seed + seeds))
    states = States(parameters, n_mtj, micromagnetic_cell, progress)
    metric = np.full((len(chosen), len(NETWORKS), len(READOUTS), seeds), np.nan)
    networks_run = 3 + bool(micromagnetic_cell)
    bar = tqdm(total=len(chosen) * (networks_run * seeds + device_seeds), desc="benchmarks",
               disable=None if progress else True, leave=False)
    for t, name in enumerate(chosen):
        for n, network in enumerate(NETWORKS):
            used = seed_list[:device_seeds] if network == "mtj_device" else seed_list
            if network == "mtj_micromagnetic" and not micromagnetic_cell:
                used = []
            if not used:
                continue
            per_seed = {}
            for s in used:
                drawn = make_task(name, s, quick)
                per_seed[s] = evaluate(drawn, states(network, drawn, s))
                bar.update()
            dataset = task_dataset(name, network, per_seed)
            metric[t, n, :, : len(used)] = dataset[METRIC[name]].values
            dataset.attrs.update(provenance(record, study="benchmarks", seed=seed, n_mtj=n_mtj,
                                            architecture=json.dumps(ARCHITECTURE)))
            mp.write_dataset(dataset, paths[f"benchmarks_{name}_{network}.nc"], overwrite=overwrite)
    bar.close()
    summary_set = xr.Dataset(
        {"metric": (("task", "network", "readout", "seed"), metric,
                    {"units": "1", "long_name": "test NRMSE, memory capacity or accuracy (see `metric_name`)"}),
         "metric_name": ("task", [METRIC[name] for name in chosen], {"units": "", "long_name": "what `metric` is"})},
        coords={"task": ("task", list(chosen), {"units": "", "long_name": "benchmark task"}),
                "network": ("network", list(NETWORKS), {"units": "", "long_name": "network (how its neurons compute)"}),
                "readout": ("readout", list(READOUTS), {"units": "", "long_name": "linear readout"}),
                "seed": ("seed", seed_list, {"units": "1", "long_name": "task and network seed"})})
    if range_points:
        sweep = range_sweep(record, n_mtj, seed_list, range_points, quick, progress)
        summary_set = xr.merge([summary_set, sweep])
    settings = {"n_mtj": n_mtj, "seeds": seed_list, "device_seeds": seed_list[:device_seeds], "quick": quick,
                "micromagnetic_cell": micromagnetic_cell,
                "architecture": ARCHITECTURE, "lengths": LENGTHS[quick], "digits_limit": DIGITS_LIMIT[quick]}
    summary_set.attrs.update(provenance(record, study="benchmarks", seed=seed,
                                        benchmark_settings=json.dumps(settings)))
    summary = summarise(summary_set)
    summary_set.attrs["summary"] = json.dumps(summary)
    mp.write_dataset(summary_set, paths["benchmarks.nc"], overwrite=overwrite)
    save_figure(plot(summary_set), paths["benchmarks.png"], overwrite=overwrite, study="benchmarks")
    if range_points:
        save_figure(plot_range(summary_set), paths["benchmarks_range.png"], overwrite=overwrite,
                    study="benchmarks")
    summary["wall_time_s"] = round(time.perf_counter() - start, 1)
    return summary


def _seeds(seeds: list) -> str:
    return seeds_in_words(seeds[0], len(seeds)) if seeds else "no seeds"


def _figure(entry: dict, metric: str) -> str:
    if entry["mean"] is None:
        return "not run"
    scale, unit = (100, " %") if metric == "accuracy" else (1, "")
    spread = f" ± {scale * entry['std']:.2g}" if entry["std"] is not None else ""
    return f"{scale * entry['mean']:.3g}{spread}{unit}"


def report(summary: dict) -> ReportSection:
    settings = summary["settings"]
    rows, verdicts = [], []
    lines = ["| task | readout | " + " | ".join(label(n) for n in NETWORKS) + " |",
             "|---|---|" + "---|" * len(NETWORKS)]
    for name, entry in summary["tasks"].items():
        networks = entry["networks"]
        for readout in READOUTS:
            lines.append(f"| {label(name)} | {readout} | " + " | ".join(_figure(networks[n][readout], entry["metric"])
                                                               for n in NETWORKS) + " |")
        ours = ", ".join(f"{label(n)} {_figure(networks[n]['ridge'], entry['metric'])}" for n in NETWORKS)
        rows.append((f"{label(name)}: {METRIC_TEXT[entry['metric']]}, N = {settings['n_mtj']}, ridge readout",
                     PUBLISHED.get(name, "not given"), ours))
        mtj = next((networks[n]["ridge"] for n in ("mtj_device", "mtj_surrogate") if networks[n]["ridge"]["mean"]
                    is not None), networks["mtj_device"]["ridge"])
        nodes = PUBLISHED_NODES.get(name, settings["n_mtj"])
        verdicts.append(verdict(mtj["mean"], PUBLISHED_LINE.get(name), spread=mtj["std"] or 0.0,
                                incomparable=(f"published for {nodes} nodes, here N = {settings['n_mtj']}"
                                              if nodes != settings["n_mtj"] else None),
                                **PUBLISHED_TOLERANCE.get(name, {})))
    text = [f"Every network has N = {settings['n_mtj']} neurons, connection probability 0.1, gain 0.9, leak 1 and "
            f"input scale 0.3 (reservoirpy: spectral radius 0.9); mean ± std over {_seeds(settings['seeds'])} (device "
            f"mode: {_seeds(settings['device_seeds'])}). Readouts on [1, u, r]: ridge (penalty on a validation "
            "fifth of the train split) and FORCE's RLS.", "\n".join(lines)]
    if "range" in summary:
        ranges = summary["range"]
        spans = ", ".join(f"{a / 1e10:.2g}–{b / 1e10:.2g}" for a, b in zip(ranges["j_min"], ranges["j_max"]))
        cells = []
        for name, curves in ranges["tasks"].items():
            for curve in RANGE_CURVES:
                cells.append(f"{label(name)} ({curve}): " + ", ".join(_figure(e, METRIC[name]) for e in curves[curve]))
        text.append(f"Operating range (×10¹⁰ A/m²: {spans}; nonlinearity max |F − linear| "
                    f"{', '.join(f'{v:.3g}' for v in ranges['nonlinearity'])}; dR/R0 at the top "
                    f"{', '.join(f'{100 * v:.2g} %' for v in ranges['delta_r_over_r0'])}), surrogate MTJs with their "
                    "curve and with its chord: " + "; ".join(cells) + ".")
        rows.append(("Operating range: does the MTJ's own nonlinearity matter?", "not given",
                     f"nonlinearity {ranges['nonlinearity'][0]:.2g} → {ranges['nonlinearity'][-1]:.2g}; "
                     + "; ".join(f"{label(name)}: curve {_figure(c['mtj'][-1], METRIC[name])} vs chord "
                                 f"{_figure(c['chord'][-1], METRIC[name])} in the widest range"
                                 for name, c in ranges["tasks"].items())))
        verdicts.append(verdict(ranges["nonlinearity"][-1], None))
    figures = [("benchmarks.png", "Each task's metric per network and readout, mean ± std over seeds.")]
    if "range" in summary:
        figures.append(("benchmarks_range.png", "The range tasks against the transfer curve's nonlinearity as the "
                                                "current range widens: the device's curve against its chord."))
    return ReportSection(tuple(rows), "\n\n".join(text), tuple(figures), tuple(verdicts))


STUDY = Study(
    name="benchmarks",
    title="Beyond the paper: MTJ networks on the standard reservoir benchmarks, against tanh and reservoirpy.",
    description=__doc__,
    run=run,
    outputs=tuple(f"benchmarks_{t}_{n}.nc" for t in TASKS for n in NETWORKS)
    + ("benchmarks.nc", "benchmarks.png", "benchmarks_range.png"),
    options=(
        click.Option(["--task"], type=click.Choice(TASKS), default=None, help="One task only (default: all)."),
        click.Option(["--n-mtj"], default=100, show_default=True, help="Neurons in every network."),
        seed_option("The first seed (tasks and networks)."),
        seeds_option(5, "tasks and networks"),
        click.Option(["--device-seeds"], default=5, show_default=True,
                     help="The first DEVICE_SEEDS of them also run in device mode."),
        click.Option(["--range-points"], default=5, show_default=True,
                     help="Current ranges in the operating-range sweep (0: none)."),
        click.Option(["--micromagnetic-cell"], default=4e-9, show_default=True,
                     help="Cell size [m] of the micromagnetic disc whose transfer curve serves mtj_micromagnetic (0: "
                          "not run)."),
        quick_option("Shorter tasks, 300 digits."),
        params_option(),
    ),
    full={},
    quick={"n_mtj": 30, "seeds": 2, "device_seeds": 1, "range_points": 3, "micromagnetic_cell": 10e-9, "quick": True},
    report=report,
)
