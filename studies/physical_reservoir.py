"""Beyond the paper: computing with the MTJ's own dynamics, beside reservoirs tuned with the same budget.

    mtjphys study physical_reservoir -o results/ [--task NAME] [--virtual-nodes 100] [--trials 16]
        [--seed 0] [--seeds 5] [--theta S --feedback-delay S]

Reservoirs, all of N = --virtual-nodes nodes:

- mtj_multiplexed: one MTJ, time-multiplexed (`mtjphys.networks.multiplexed_reservoir`): each input held for
  tau = N theta under a random binary mask, the resistance read through the 20 GHz pre-amplifier at each
  virtual node, with delayed feedback of the response into the drive; the magnetization is never reset;
- mtj_no_reset: a network of N MTJs whose magnetizations carry from step to step (device mode, the LLG in
  every step, windows shorter than the ringing's decay);
- mtj_paper: the paper's scheme (every window from equilibrium; the MTJs on their transfer curve);
- tanh: the same network with r = tanh(x);
- esn: reservoirpy's echo-state network.

Every reservoir gets the same number of trials (--trials) of optuna's seeded TPE sampler over its own
hyperparameters, each trial judged by a ridge readout trained on the train split and scored on a validation
split (the last fifth of the train split); the search runs on the task cut before its test split, which it
never sees. The best values are then run on --seeds seeds (task, mask or weights, noise) and judged on the test
split. The time-multiplexed MTJ tuned at 0 K is also run at 300 K (the stochastic LLG, the same
hyperparameters). Memory capacity is swept against theta and the feedback delay at the tuned gains, and
the energy the junction dissipates per input is integrated from V I.

Writes physical_reservoir_TASK.nc (each reservoir's input, target, prediction, split and metric per seed, the
searched ranges and best values), physical_reservoir.nc (every metric, the sweeps), physical_reservoir.png.
"""

from __future__ import annotations

import json
import math
import time

import click
import numpy as np
import xarray as xr
from matplotlib.figure import Figure
from tqdm.auto import tqdm

import mtjphys as mp
from mtjphys.data import provenance
from mtjphys.device import is_warm
from mtjphys.networks import (
    benchmark_metrics,
    check_theta,
    Choice,
    metric_name,
    multiplexed_reservoir,
    multiplexed_states,
    network_states,
    random_network,
    Range,
    reservoirpy_states,
    train_readout,
    tune,
    with_validation,
)
from mtjphys.reproduction import (
    joules,
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

TASKS = ("narma10", "memory_capacity", "mackey_glass_1", "sine_square", "sequential_digits")
RESERVOIRS = ("mtj_multiplexed", "mtj_no_reset", "mtj_paper", "tanh", "esn")
WARM = "mtj_multiplexed_300K"  # the 0 K reservoir's hyperparameters, run at 300 K
COLUMNS = RESERVOIRS + (WARM,)
LENGTHS = {False: {"washout": 200, "train": 2000, "test": 1000}, True: {"washout": 50, "train": 300, "test": 150}}
DIGITS_LIMIT = {False: 600, True: 120}
VALIDATION = 0.2  # of the train split
METRIC = {"narma10": "nrmse", "memory_capacity": "memory_capacity", "mackey_glass_1": "nrmse",
          "sine_square": "accuracy", "sequential_digits": "accuracy"}  # what each task is judged by
MEMORY_DELAYS = 40  # the memory task's delays 1..MEMORY_DELAYS
WARM_TEMPERATURE = 300.0  # [K]
NETWORK = {"connection_probability": 0.1, "leak": 1.0, "feedback_scale": 0.0}  # the networks' fixed shape
SPACES = {
    "mtj_multiplexed": {"theta": Range(10e-12, 200e-12, log=True), "input_gain": Range(1e8, 1e10, log=True),
                        "bias": Range(0.5e10, 2.0e10), "feedback_gain": Range(1e9, 1e12, log=True),
                        "delay_extra": Range(0, 1, integer=True), "readout": Choice(("end", "mean", "amplitude"))},
    "mtj_no_reset": {"window": Range(0.4e-9, 1.5e-9, log=True), "gain": Range(0.3, 2.0),
                     "input_scale": Range(0.05, 1.0, log=True)},
    "mtj_paper": {"gain": Range(0.3, 2.0), "input_scale": Range(0.05, 1.0, log=True)},
    "tanh": {"gain": Range(0.3, 2.0), "input_scale": Range(0.05, 2.0, log=True)},
    "esn": {"spectral_radius": Range(0.1, 1.5), "leak": Range(0.05, 1.0, log=True),
            "input_scale": Range(0.01, 2.0, log=True)},
}
SAMPLES_PER_NODE = 4  # R(t) points per virtual node
# the field's records with one physical node (their reservoir sizes as published)
PUBLISHED = (
    ("NARMA10", "one nonlinear (Mackey-Glass electronic) node with delayed feedback, 400 virtual nodes",
     "NRMSE about 0.12-0.15", "Appeltant et al., Nat. Commun. 2, 468 (2011)"),
    ("spoken digits", "one vortex spin-torque oscillator, time-multiplexed", "above 99 %",
     "Torrejon et al., Nature 547, 428 (2017)"),
    ("sine/square", "one spin-torque oscillator", "above 99 %", "Markovic et al., APL 114, 012409 (2019)"),
    ("memory with delayed feedback", "one spin-torque oscillator with delayed feedback", "memory extended",
     "Riou et al., Phys. Rev. Applied 12, 024049 (2019)"),
)
NAMES = {"mtj_multiplexed": "one MTJ, time-multiplexed", "mtj_no_reset": "MTJ network, no reset",
         "mtj_paper": "MTJ network, the paper's scheme", "tanh": "tanh network", "esn": "reservoirpy ESN",
         WARM: "one MTJ, time-multiplexed, 300 K", "narma10": "NARMA10",
         "memory_capacity": f"memory capacity (delays 1–{MEMORY_DELAYS})", "mackey_glass_1": "Mackey-Glass, 1 step",
         "sine_square": "sine/square", "sequential_digits": "sequential digits"}
NARMA10_GOAL = 0.15  # NRMSE with at most 400 virtual nodes (Appeltant et al.)
ESN_RATIO_GOAL = 1.25  # the time-multiplexed MTJ within this factor of the tuned ESN


def make_task(name: str, seed: int, quick: bool) -> xr.Dataset:
    """The task `name` drawn from `seed`, with a validation split."""
    lengths = LENGTHS[quick]
    if name == "narma10":
        task = narma10_task(seed=seed, **lengths)
    elif name == "mackey_glass_1":
        task = mackey_glass_task(horizon=1, seed=seed, **lengths)
    elif name == "memory_capacity":
        task = memory_capacity_task(max_delay=MEMORY_DELAYS, seed=seed, **lengths)
    elif name == "sine_square":
        periods = {k: max(2, v // POINTS_PER_PERIOD) for k, v in lengths.items()}
        task = sine_square_task(washout_periods=periods["washout"], train_periods=periods["train"],
                                test_periods=periods["test"], seed=seed)
    else:
        task = sequential_digits_task(seed=seed, limit=DIGITS_LIMIT[quick])
    return with_validation(task, VALIDATION)


class Reservoirs:
    """How each reservoir's states are computed from its hyperparameters, on a record and node count."""

    def __init__(self, record: mp.Parameters, nodes: int):
        self.record, self.nodes = record, nodes

    def multiplexed(self, hyper: dict, seed: int, inputs: int, record: mp.Parameters | None = None):
        return multiplexed_reservoir(record or self.record, virtual_nodes=self.nodes, theta=hyper["theta"],
                                     input_gain=hyper["input_gain"], bias=hyper["bias"],
                                     feedback_gain=hyper["feedback_gain"],
                                     delay=hyper["delay"] if "delay" in hyper else
                                     self.nodes + int(hyper["delay_extra"]),
                                     samples=SAMPLES_PER_NODE, readout=hyper["readout"],
                                     inputs=inputs, seed=seed)

    def network(self, kind: str, hyper: dict, task: xr.Dataset, seed: int) -> mp.Network:
        architecture = mp.Architecture(n_mtj=self.nodes, n_inputs=task.sizes["input_node"], n_outputs=1,
                                       current_range=mp.OPERATING_RANGE, gain=hyper["gain"],
                                       input_scale=hyper["input_scale"], **NETWORK)
        if kind == "mtj_no_reset":
            return random_network(architecture, self.record, seed=seed, mode="device", carry_magnetization=True,
                                  window=hyper["window"])
        return random_network(architecture, self.record, seed=seed, mode="surrogate" if kind == "mtj_paper" else
                              "tanh")

    def states(self, kind: str, hyper: dict, task: xr.Dataset, seed: int, record=None) -> tuple[np.ndarray, float]:
        """Returns: the states (T, N) and the energy per input [J] (NaN where not accounted)."""
        if kind == "mtj_multiplexed":
            states, energy = multiplexed_states(self.multiplexed(hyper, seed, task.sizes["input_node"], record),
                                                task, seed=seed, energy=True)
            return states, energy
        if kind == "esn":
            return reservoirpy_states(task, units=self.nodes, spectral_radius=hyper["spectral_radius"],
                                      leak=hyper["leak"], input_scale=hyper["input_scale"],
                                      connectivity=NETWORK["connection_probability"], seed=seed), math.nan
        return network_states(self.network(kind, hyper, task, seed), task, seed=seed), math.nan


def evaluate(task: xr.Dataset, states: np.ndarray, energy: float) -> xr.Dataset:
    """The ridge readout on the train split, judged on the test split."""
    result = train_readout(task, states)
    result.attrs["energy_per_input"] = energy
    return result


def task_dataset(name: str, reservoir: str, per_seed: dict[int, xr.Dataset], tuning) -> xr.Dataset:
    """One task and reservoir over seeds: the task, its prediction, split and metric per seed, the search."""
    parts = []
    for result in per_seed.values():
        part = result.drop_vars([v for v in ("readout_weights",) if v in result])
        part.attrs = {}
        parts.append(part)
    seeds = xr.DataArray(list(per_seed), dims="seed", attrs={"units": "1", "long_name": "task, mask or weights, "
                                                                                        "and noise seed"})
    dataset = xr.concat(parts, dim=seeds, data_vars="all", coords="minimal", compat="override")
    for variable in ("class", "delay", "input_node"):
        if variable in dataset.coords and "seed" in dataset[variable].dims:
            dataset[variable] = dataset[variable].isel(seed=0)
    first = next(iter(per_seed.values()))
    metric = metric_name(first)
    values = [benchmark_metrics(r)[metric] for r in per_seed.values()]
    dataset[metric] = ("seed", values, {"units": "1", "long_name": f"test {metric.replace('_', ' ')}"})
    dataset["energy_per_input"] = ("seed", [r.attrs["energy_per_input"] for r in per_seed.values()],
                                   {"units": "J", "long_name": "energy the junctions dissipate per input (NaN: not "
                                                               "accounted)"})
    if metric == "memory_capacity":
        dataset["prediction"].encoding.update(dtype="float32", zlib=True)
        dataset["target"].encoding.update(dtype="float32", zlib=True)
    dataset.attrs = {"task": name, "reservoir": reservoir, "task_kind": first.attrs["task_kind"], "metric": metric,
                     "input_range": json.dumps(first.attrs["input_range"]), **tuning}
    return dataset


PER_RESERVOIR = ("prediction", "predicted", "score", "nrmse", "memory_capacity", "accuracy", "energy_per_input")


def combine(columns: dict[str, xr.Dataset]) -> xr.Dataset:
    """One task's datasets of every reservoir as one, the readouts' outputs and metrics along `reservoir`."""
    columns = {c: columns[c] for c in COLUMNS if c in columns}
    names = xr.DataArray(list(columns), dims="reservoir", attrs={"units": "", "long_name": "reservoir"})
    parts = [d.assign({v: d[v].expand_dims(reservoir=[name]) for v in PER_RESERVOIR if v in d})
             for name, d in columns.items()]
    combined = xr.concat(parts, dim="reservoir", data_vars="minimal", coords="minimal", compat="override")
    combined = combined.assign_coords(reservoir=names)
    attrs = {k: v for d in columns.values() for k, v in d.attrs.items()}
    attrs.pop("reservoir", None)
    combined.attrs = attrs
    return combined


def memory_sweep(reservoirs: Reservoirs, best: dict, seed: int, quick: bool, thetas, delays) -> xr.Dataset:
    """Memory capacity of the time-multiplexed MTJ against theta (delay tau + theta) and against the feedback
    delay (at the tuned theta)."""
    task = make_task("memory_capacity", seed, quick)
    by_theta, by_delay = [], []
    for theta in thetas:
        states, _ = reservoirs.states("mtj_multiplexed", {**best, "theta": float(theta),
                                                          "delay": reservoirs.nodes + 1}, task, seed)
        by_theta.append(benchmark_metrics(train_readout(task, states))["memory_capacity"])
    for delay in delays:
        states, _ = reservoirs.states("mtj_multiplexed", {**best, "delay": int(delay)}, task, seed)
        by_delay.append(benchmark_metrics(train_readout(task, states))["memory_capacity"])
    return xr.Dataset(
        {"capacity_by_theta": ("sweep_theta", by_theta, {"units": "1", "long_name": "memory capacity, delay "
                                                                                      "tau + theta"}),
         "capacity_by_delay": ("sweep_delay", by_delay, {"units": "1", "long_name": "memory capacity at the tuned "
                                                                                      "theta"})},
        coords={"sweep_theta": ("sweep_theta", np.asarray(thetas, float), {"units": "s", "long_name": "theta"}),
                "sweep_delay": ("sweep_delay", np.asarray(delays, int),
                                {"units": "1", "long_name": "feedback delay in virtual nodes"})})


# ---- summary, plot, report -----------------------------------------------------------------
def _statistics(values) -> dict:
    values = np.asarray(values, dtype=float)
    kept = values[np.isfinite(values)]
    return {"mean": float(kept.mean()) if kept.size else None,
            "std": float(kept.std(ddof=1)) if kept.size > 1 else None, "seeds": int(kept.size)}


def summarise(dataset: xr.Dataset) -> dict:
    settings = json.loads(dataset.attrs["study_settings"])
    summary = {"settings": settings, "tasks": {}, "best": json.loads(dataset.attrs["best"])}
    for name in dataset.task.values:
        entry = {"metric": str(dataset.metric_name.sel(task=name).values), "reservoirs": {}}
        for reservoir in dataset.reservoir.values:
            values = dataset.metric.sel(task=name, reservoir=reservoir).values
            energies = dataset.energy_per_input.sel(task=name, reservoir=reservoir).values
            entry["reservoirs"][str(reservoir)] = {**_statistics(values), "energy": _statistics(energies)["mean"]}
        summary["tasks"][str(name)] = entry
    if "capacity_by_theta" in dataset:
        summary["sweep"] = {"theta": dataset.sweep_theta.values.tolist(),
                            "by_theta": dataset.capacity_by_theta.values.tolist(),
                            "delay": dataset.sweep_delay.values.tolist(),
                            "by_delay": dataset.capacity_by_delay.values.tolist()}
    return summary


def plot(dataset: xr.Dataset) -> Figure:
    tasks = list(dataset.task.values)
    sweep = "capacity_by_theta" in dataset
    figure = Figure(figsize=(3.2 * (len(tasks) + 2 * sweep), 3.4), layout="constrained")
    axes = figure.subplots(1, len(tasks) + 2 * sweep, squeeze=False)[0]
    colours = {r: f"C{i}" for i, r in enumerate(COLUMNS)}
    for ax, name in zip(axes, tasks):
        metric = str(dataset.metric_name.sel(task=name).values)
        for i, reservoir in enumerate(COLUMNS):
            values = dataset.metric.sel(task=name, reservoir=reservoir).values
            values = values[np.isfinite(values)]
            if values.size:
                ax.bar(i, values.mean(), yerr=values.std(ddof=1) if values.size > 1 else 0, color=colours[reservoir])
        ax.set_xticks(range(len(COLUMNS)), [NAMES[r] for r in COLUMNS], rotation=60, ha="right", fontsize=6)
        ax.set_title(f"{NAMES[name]}: {metric.replace('_', ' ')}", fontsize=8)
    if sweep:
        axes[-2].plot(dataset.sweep_theta * 1e12, dataset.capacity_by_theta, "o-")
        axes[-2].set(xscale="log", xlabel="theta [ps]", ylabel="memory capacity",
                     title="time-multiplexed MTJ: theta")
        axes[-1].plot(dataset.sweep_delay, dataset.capacity_by_delay, "o-")
        axes[-1].set(xlabel="feedback delay [virtual nodes]", ylabel="memory capacity",
                     title="time-multiplexed MTJ: delay")
        for ax in axes[-2:]:
            ax.title.set_fontsize(8)
    return figure


def _figure(entry: dict, metric: str) -> str:
    if entry["mean"] is None:
        return "not run"
    scale, unit = (100, " %") if metric == "accuracy" else (1, "")
    spread = f" ± {scale * entry['std']:.2g}" if entry["std"] is not None else " (1 seed)"
    return f"{scale * entry['mean']:.3g}{spread}{unit}"


def report(summary: dict) -> ReportSection:
    settings, tasks = summary["settings"], summary["tasks"]
    nodes = settings["nodes"]
    lines = ["| task | " + " | ".join(NAMES[r] for r in COLUMNS) + " |", "|---|" + "---|" * len(COLUMNS)]
    for name, entry in tasks.items():
        lines.append(f"| {NAMES[name]} ({entry['metric'].replace('_', ' ')}) | "
                     + " | ".join(_figure(entry["reservoirs"][r], entry["metric"]) for r in COLUMNS) + " |")
    rows, verdicts = [], []
    if "narma10" in tasks:
        mtj, esn = (tasks["narma10"]["reservoirs"][r] for r in ("mtj_multiplexed", "esn"))
        warm = tasks["narma10"]["reservoirs"][WARM]
        rows.append((f"NARMA10 NRMSE, one time-multiplexed MTJ at 0 K, {nodes} virtual nodes (300 K beside it)",
                     f"at most {NARMA10_GOAL} with at most 400 virtual nodes (Appeltant et al. 2011)",
                     f"{_figure(mtj, 'nrmse')} (300 K: {_figure(warm, 'nrmse')})"))
        verdicts.append(verdict(mtj["mean"], NARMA10_GOAL, bound="at most", spread=mtj["std"] or 0.0,
                                incomparable=None if nodes <= 400 else "more than 400 virtual nodes"))
        ratio = mtj["mean"] / esn["mean"] if mtj["mean"] and esn["mean"] else None
        rows.append((f"NARMA10: the MTJ's NRMSE over the tuned ESN's, both {nodes} nodes, "
                     f"{settings['trials']} trials each", f"at most {ESN_RATIO_GOAL}",
                     f"{ratio:.3g} (MTJ {_figure(mtj, 'nrmse')}, ESN {_figure(esn, 'nrmse')})" if ratio else
                     "not run"))
        verdicts.append(verdict(ratio, ESN_RATIO_GOAL, bound="at most"))
    if "memory_capacity" in tasks:
        mtj, paper = (tasks["memory_capacity"]["reservoirs"][r] for r in ("mtj_multiplexed", "mtj_paper"))
        rows.append((f"Memory capacity: time-multiplexed MTJ against the paper's scheme, {nodes} nodes each",
                     "above the paper-scheme network", f"{_figure(mtj, 'memory_capacity')} against "
                                                       f"{_figure(paper, 'memory_capacity')}"))
        verdicts.append(verdict(mtj["mean"], paper["mean"], bound="at least", spread=mtj["std"] or 0.0))
    published = "\n".join(["| task | reservoir (published) | figure | source |", "|---|---|---|---|"]
                          + [f"| {t} | {what} | {fig} | {source} |" for t, what, fig, source in PUBLISHED])
    energy = tasks.get("narma10", next(iter(tasks.values())))["reservoirs"]["mtj_multiplexed"]["energy"]
    seeds = seeds_in_words(settings["seeds"][0], len(settings["seeds"]))
    text = [f"Every reservoir has {nodes} nodes and {settings['trials']} trials of a seeded TPE search (optuna) over "
            f"its own hyperparameters, judged on a validation split (the last fifth of the train split) of the task "
            f"cut before its test split; the best values run on {seeds} "
            f"and are judged on the test split (mean ± std). Searched: "
            + "; ".join(f"{NAMES[r]}: " + ", ".join(f"{k} {v}" for k, v in space.items())
                        for r, space in settings["spaces"].items()) + ".",
            "\n".join(lines),
            f"The time-multiplexed MTJ dissipates {joules(energy) if energy else 'n/a'} per input "
            "(the junction's V I over tau).",
            "Published records with one physical node:\n\n" + published]
    if "sweep" in summary:
        sweep = summary["sweep"]
        text.append("Memory capacity of the time-multiplexed MTJ against theta (ps): "
                    + ", ".join(f"{t * 1e12:.3g}: {c:.3g}" for t, c in zip(sweep["theta"], sweep["by_theta"]))
                    + "; against the feedback delay (nodes): "
                    + ", ".join(f"{d}: {c:.3g}" for d, c in zip(sweep["delay"], sweep["by_delay"])) + ".")
    figures = (("physical_reservoir.png", "Each task's test figure per reservoir (mean ± std over seeds), and the "
                                          "time-multiplexed MTJ's memory capacity against theta and the delay."),)
    return ReportSection(tuple(rows), "\n\n".join(text), figures, tuple(verdicts))


def run(output_dir, *, task: str | None = None, virtual_nodes: int = 100, trials: int = 16, seed: int = 0,
        seeds: int = 5, theta: float | None = None, feedback_delay: float | None = None, sweep_points: int = 5,
        quick: bool = False, parameters: mp.Parameters | None = None, overwrite: bool = False,
        progress=True) -> dict:
    """Run the study, write its files into `output_dir`. Returns: a summary."""
    if task is not None and task not in TASKS:
        raise mp.MtjphysError(f"--task must be one of {', '.join(TASKS)}, got {task!r}")
    if not (isinstance(virtual_nodes, int) and virtual_nodes >= 2):
        raise mp.MtjphysError(f"--virtual-nodes must be at least 2, got {virtual_nodes}")
    if trials < 1 or seeds < 1:
        raise mp.MtjphysError(f"--trials and --seeds must be at least 1, got {trials} and {seeds}")
    if theta is not None:
        check_theta(theta, "--theta")
    if feedback_delay is not None:
        if theta is None:
            raise mp.MtjphysError("--feedback-delay needs --theta (the delay is a whole number of virtual nodes)")
        nodes_delayed = feedback_delay / theta
        if not (math.isfinite(nodes_delayed) and nodes_delayed >= 1 - 1e-9):
            raise mp.MtjphysError(f"--feedback-delay {feedback_delay:g} s is shorter than theta {theta:g} s: the "
                                  "response re-enters the drive one virtual node later at the earliest")
        if abs(nodes_delayed - round(nodes_delayed)) > 1e-6:
            raise mp.MtjphysError(f"--feedback-delay {feedback_delay:g} s is not a whole number of thetas "
                                  f"({theta:g} s)")
    if sweep_points == 1 or sweep_points < 0:
        raise mp.MtjphysError(f"--sweep-points must be 0 (no sweep) or at least 2, got {sweep_points}")
    record = parameters or mp.Parameters()
    if is_warm(record):
        raise mp.MtjphysError("physical_reservoir tunes its MTJs at 0 K and runs the time-multiplexed one at 300 K "
                              "itself; give a record without a temperature or Joule heating")
    paths = dict(zip(STUDY.outputs, prepare_outputs(output_dir, STUDY.outputs, overwrite)))
    start = time.perf_counter()
    chosen = (task,) if task else TASKS
    seed_list = list(range(seed, seed + seeds))
    reservoirs = Reservoirs(record, virtual_nodes)
    warm_record = record.replace(temperature=WARM_TEMPERATURE)
    spaces = {r: dict(SPACES[r]) for r in RESERVOIRS}
    fixed = {}
    if theta is not None:  # a user's theta (and delay) are kept, not searched
        spaces["mtj_multiplexed"].pop("theta")
        fixed["theta"] = float(theta)
        if feedback_delay is not None:
            spaces["mtj_multiplexed"].pop("delay_extra")
            fixed["delay"] = round(feedback_delay / theta)
    metric = np.full((len(chosen), len(COLUMNS), seeds), np.nan)
    energy = np.full_like(metric, np.nan)
    best_all = {}
    bar = tqdm(total=len(chosen) * len(RESERVOIRS), desc="physical reservoir", disable=None if progress else True,
               leave=False)
    for t, name in enumerate(chosen):
        best_all[name], columns = {}, {}
        for reservoir in RESERVOIRS:
            tuning = tune(lambda hyper, part, kind=reservoir: reservoirs.states(kind, hyper, part, seed)[0],
                          make_task(name, seed, quick), spaces[reservoir], trials=trials, seed=seed,
                          fixed=fixed if reservoir == "mtj_multiplexed" else None)
            best_all[name][reservoir] = tuning.best
            runs = [(reservoir, None)] + ([(WARM, warm_record)] if reservoir == "mtj_multiplexed" else [])
            for column, warm in runs:
                per_seed, refused = {}, {}
                for s in seed_list:
                    drawn = make_task(name, s, quick)
                    try:
                        per_seed[s] = evaluate(drawn, *reservoirs.states(reservoir, tuning.best, drawn, s, warm))
                    except mp.MtjphysError as error:  # e.g. a seed's drive past the breakdown: stated, not hidden
                        refused[s] = str(error)
                if not per_seed:
                    reason = next(iter(refused.values()))
                    raise mp.MtjphysError(f"{column} on {name}: every seed was refused ({reason})")
                columns[column] = task_dataset(name, column, per_seed, {**tuning.attrs(f"{column}_tuning"),
                                                                        f"{column}_refused_seeds": json.dumps(refused)})
                c = COLUMNS.index(column)
                kept = [seed_list.index(s) for s in per_seed]
                metric[t, c, kept] = columns[column][columns[column].attrs["metric"]].values
                energy[t, c, kept] = columns[column].energy_per_input.values
            bar.update()
        combined = combine(columns)
        combined.attrs.update(provenance(record, study="physical_reservoir", seed=seed, nodes=virtual_nodes,
                                         warm_temperature=WARM_TEMPERATURE))
        mp.write_dataset(combined, paths[f"physical_reservoir_{name}.nc"], overwrite=overwrite)
    bar.close()
    summary_set = xr.Dataset(
        {"metric": (("task", "reservoir", "seed"), metric, {"units": "1", "long_name": "test NRMSE, memory capacity "
                                                                                       "or accuracy"}),
         "metric_name": ("task", [METRIC[n] for n in chosen],
                         {"units": "", "long_name": "what `metric` is"}),
         "energy_per_input": (("task", "reservoir", "seed"), energy,
                              {"units": "J", "long_name": "energy dissipated per input (NaN: not accounted)"})},
        coords={"task": ("task", list(chosen), {"units": "", "long_name": "task"}),
                "reservoir": ("reservoir", list(COLUMNS), {"units": "", "long_name": "reservoir"}),
                "seed": ("seed", seed_list, {"units": "1", "long_name": "task, mask or weights, and noise seed"})})
    if sweep_points and (task in (None, "memory_capacity")):
        best = best_all.get("memory_capacity", {}).get("mtj_multiplexed")
        if best is not None:
            thetas = np.geomspace(10e-12, 160e-12, sweep_points)
            delays = np.unique(np.round(np.linspace(1, 2 * virtual_nodes, sweep_points)).astype(int))
            summary_set = xr.merge([summary_set, memory_sweep(reservoirs, best, seed, quick, thetas, delays)])
    settings = {"nodes": virtual_nodes, "trials": trials, "seeds": seed_list, "quick": quick,
                "lengths": LENGTHS[quick], "validation_fraction": VALIDATION,
                "spaces": {r: {k: v.describe() for k, v in space.items()} for r, space in spaces.items()},
                "fixed": fixed, "warm_temperature": WARM_TEMPERATURE}
    summary_set.attrs.update(provenance(record, study="physical_reservoir", seed=seed,
                                        study_settings=json.dumps(settings), best=json.dumps(best_all)))
    summary = summarise(summary_set)
    summary_set.attrs["summary"] = json.dumps(summary)
    mp.write_dataset(summary_set, paths["physical_reservoir.nc"], overwrite=overwrite)
    save_figure(plot(summary_set), paths["physical_reservoir.png"], overwrite=overwrite, study="physical_reservoir")
    summary["wall_time_s"] = round(time.perf_counter() - start, 1)
    return summary


STUDY = Study(
    name="physical_reservoir",
    title="Beyond the paper: one time-multiplexed MTJ, and MTJ networks without resets, against equally tuned "
          "reservoirs.",
    description=__doc__,
    run=run,
    outputs=tuple(f"physical_reservoir_{t}.nc" for t in TASKS) + ("physical_reservoir.nc", "physical_reservoir.png"),
    options=(
        click.Option(["--task"], type=click.Choice(TASKS), default=None, help="One task only (default: all)."),
        click.Option(["--virtual-nodes"], default=100, show_default=True,
                     help="Virtual nodes of the time-multiplexed MTJ, and nodes of every other reservoir."),
        click.Option(["--trials"], default=16, show_default=True, help="Search trials per reservoir and task."),
        seed_option("The first seed (tasks, masks and weights, noise, the search)."),
        seeds_option(5, "tasks, masks or weights, and noise"),
        click.Option(["--theta"], type=float, default=None,
                     help="A virtual node's duration [s], kept instead of searched."),
        click.Option(["--feedback-delay"], type=float, default=None,
                     help="The feedback delay [s], a whole number of thetas (needs --theta)."),
        click.Option(["--sweep-points"], default=5, show_default=True,
                     help="Points of the memory-capacity sweeps over theta and the delay (0: none)."),
        quick_option("Short tasks, 8 virtual nodes, 2 trials, 2 seeds."),
        params_option(),
    ),
    full={},
    quick={"virtual_nodes": 8, "trials": 2, "seeds": 2, "sweep_points": 2, "quick": True},
    report=report,
)
