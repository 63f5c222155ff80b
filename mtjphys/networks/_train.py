"""Training a network online on a task dataset, and the run as a dataset."""

from __future__ import annotations

import json

import numpy as np
import xarray as xr

from .._errors import MtjphysError
from ..data._codec import module_from_dataset, module_to_dataset
from ._network import Network, network_from_dataset, network_to_dataset
from ._simulate import AbstractTrainer, drive_from_task, RunResult, simulate


def train(
    network: Network | xr.Dataset, task: xr.Dataset, trainer: AbstractTrainer, *, x0=None, seed: int = 0,
    output_noise: float = 0.0, record_mtjs: int = 10, progress: bool | str = True, **attrs,
) -> tuple[Network, xr.Dataset]:
    """Run `network` through a task dataset, learning online with any trainer (FORCE, or a user's).

    Arguments:
        network: the network before training, or a dataset holding one (`network_to_dataset`,
            or a previous run).
        task: the task dataset (targets, learning flags, inputs, resets; see `mtjphys.tasks`).
        trainer: the learning rule.
        x0: initial state; seed: seeds the noise; output_noise: std added to every MTJ output.
        record_mtjs: how many MTJ outputs to record.
        progress: show a progress bar (a string is its label).
        attrs: further attributes for the dataset.

    Returns:
        (trained network, `run_dataset` of the run).
    """
    if isinstance(network, xr.Dataset):
        network = network_from_dataset(network)
    drive = drive_from_task(task, network.input_weights.shape[1], network.readout.shape[0])
    result = simulate(network, drive, trainer=trainer, x0=x0, seed=seed, output_noise=output_noise,
                      record_mtjs=record_mtjs, progress=progress)
    return result.network, run_dataset(result, task, trainer=trainer, seed=seed, output_noise=output_noise, **attrs)


def run_dataset(result: RunResult, task: xr.Dataset, *, trainer: AbstractTrainer | None = None,
                seed: int | None = None, **attrs) -> xr.Dataset:
    """A run as a dataset: the task's variables, what the network did, the trainer, and the network
    at the end (weights, MTJ records, everything `network_from_dataset` needs).

    Arguments:
        result: what `simulate` returned.
        task: the task dataset the run followed (`task_from_dataset` gets it back).
        trainer: the learning rule, recorded in the attribute `trainer` (`trainer_from_dataset`).
        seed: the run's seed, for the provenance.
        attrs: further attributes.
    """
    network, trajectory = result.network, result.trajectory
    readout_time = task.time.values[trajectory.weight_steps]
    run = xr.Dataset(
        {
            "output": (("time", "readout"), trajectory.readouts, {"units": "1", "long_name": "network output z"}),
            "mtj_output": (("time", "recorded_mtj"), trajectory.mtj_outputs,
                           {"units": "1", "long_name": "output r = 2F - 1 of the first MTJs"}),
            "readout_weights_over_time": (("readout_time", "readout", "mtj"), trajectory.readout_weights,
                                          {"units": "1", "long_name": "readout weights W_out during the run"}),
        },
        coords={"readout_time": ("readout_time", readout_time, {"units": "s", "long_name": "time of the snapshot"})},
    )
    if network.energy is not None:
        learning = task["learning"].values.astype(bool) if "learning" in task else np.zeros(task.sizes["time"], bool)
        run = run.merge(energy_dataset(network, trajectory.mtj_energy, learning))
    weights = network_to_dataset(network, seed=seed, task=task.attrs.get("task", "custom"), **attrs)
    parts = [task, run, weights]
    if trainer is not None:
        parts.append(module_to_dataset(trainer, "trainer", prefix="trainer"))
    clashes = sorted(set(task.variables) & (set(run.variables) | set(weights.variables)) - {"time"})
    if clashes:
        raise MtjphysError(f"the task dataset has variables named like the run's: {clashes}")
    dataset = xr.merge(parts, combine_attrs="override")  # keeps every variable's own units and long name
    dataset.attrs = {**{f"task_{k}": v for k, v in task.attrs.items()}, **weights.attrs,
                     "task_variables": json.dumps(sorted(str(v) for v in task.variables))}
    if trainer is not None:
        dataset.attrs["trainer"] = parts[-1].attrs["trainer"]
    for name in ("readout", "mtj", "recorded_mtj", "input_node"):
        if name in dataset.coords or name in dataset.dims:
            dataset.coords[name] = (name, np.arange(dataset.sizes[name]), {"units": "1", "long_name": name})
    return dataset


def energy_dataset(network: Network, mtj_energy: np.ndarray, learning: np.ndarray) -> xr.Dataset:
    """The energy of a run: the MTJs' energy in every step, and per phase (training: the steps where
    the trainer learns; inference: the others) the MTJs', the synapses' and the sensing of the MTJs' dR, each
    apart (the last two at the network's stated costs per operation; 0 where not counted)."""
    steps = np.array([np.sum(learning), np.sum(~learning)])
    per_step = {"synapses": network.synaptic_operations() * network.synapse_energy,
                "sensing": network.size * network.sensing_energy}
    phase = ("phase", ["training", "inference"], {"units": "", "long_name": "training (learning steps) or inference"})
    joules = lambda long_name: {"units": "J", "long_name": long_name}
    return xr.Dataset(
        {
            "mtj_energy": ("time", mtj_energy, joules("energy the MTJs dissipated in the step")),
            "phase_steps": ("phase", steps, {"units": "1", "long_name": "steps in the phase"}),
            "energy_mtj": ("phase", [np.sum(mtj_energy[learning]), np.sum(mtj_energy[~learning])],
                           joules("energy the MTJs dissipated")),
            "energy_synapses": ("phase", steps * per_step["synapses"],
                                joules(f"energy of the synaptic operations at {network.synapse_energy:g} J each")),
            "energy_sensing": ("phase", steps * per_step["sensing"],
                               joules(f"energy of reading the MTJs at {network.sensing_energy:g} J each")),
        },
        coords={"phase": phase},
    )


def energy_summary(dataset: xr.Dataset) -> dict[str, float]:
    """The energy figures of a run dataset (`energy_dataset`), in joules.

    Returns:
        {"per_step": mean MTJ energy per step, "per_window": per MTJ and step, "training" and
        "inference": the MTJs' energy in each phase, "task": both, "synapses" and "readout": the
        stated costs over the whole run (0 where not counted)}.
    """
    if "mtj_energy" not in dataset:
        raise MtjphysError("the dataset holds no energy (a run of a network of MTJs has `mtj_energy`)")
    per_step = float(dataset.mtj_energy.mean())
    return {"per_step": per_step, "per_window": per_step / dataset.sizes["mtj"],
            "training": float(dataset.energy_mtj.sel(phase="training")),
            "inference": float(dataset.energy_mtj.sel(phase="inference")),
            "task": float(dataset.energy_mtj.sum()), "steps": int(dataset.phase_steps.sum()),
            "synapses": float(dataset.energy_synapses.sum()), "sensing": float(dataset.energy_sensing.sum())}


def trainer_from_dataset(dataset: xr.Dataset) -> AbstractTrainer:
    """The trainer a run dataset recorded (built-in or a user's own class, found by import path)."""
    return module_from_dataset(dataset, "trainer", AbstractTrainer)


def task_from_dataset(dataset: xr.Dataset) -> xr.Dataset:
    """The task a run followed: its variables and attributes, as the task function made them."""
    if "task_variables" not in dataset.attrs:
        raise MtjphysError("the dataset records no task (attribute 'task_variables' missing)")
    names = json.loads(dataset.attrs["task_variables"])
    missing = sorted(set(names) - set(dataset.variables))
    if missing:
        raise MtjphysError(f"the dataset lacks the task variables {missing}")
    task = dataset[[name for name in names if name in dataset.data_vars]]
    task = task.drop_vars([name for name in task.coords if name not in names])
    task.attrs = {k.removeprefix("task_"): v for k, v in dataset.attrs.items()
                  if k.startswith("task_") and k != "task_variables"}
    return task
