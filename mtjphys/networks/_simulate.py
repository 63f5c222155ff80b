"""Running a network through time, optionally training it online: a jitted scan in chunks, with a
progress bar. Without a trainer the scan is lean: the network is a constant, the flags no step sets and
(through `network_step`) the noise left off are not traced, and a surrogate's uniform tables are
interpolated by arithmetic (`uniform_tables`); the numbers are those of the general scan."""

from __future__ import annotations

import abc
import dataclasses

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import xarray as xr
from tqdm.auto import tqdm

from .._errors import MtjphysError, random_key
from ._network import Network, STEP
from ._nonlinearity import uniform_tables
from ._step import initial_state, Learning, network_step, StepInput


class Drive(eqx.Module):
    """Everything that happens to a network, step by step (arrays with a leading time axis T).

    Arguments:
        inputs: u(n), (T, n_in).
        targets: what a trainer aims at, (T, n_target).
        learning: (T,) bool, whether the trainer updates in step n.
        reset_state: (T,) bool, x <- x_reset and m <- equilibrium before step n.
        reset_trainer: (T,) bool, the trainer restarts (e.g. P <- I/alpha) before step n.
        closed_loop: (T,) bool, the input nodes carry the network's own outputs z(n) instead of
            u(n) (needs n_in == n_out).
    """

    inputs: jnp.ndarray
    targets: jnp.ndarray
    learning: jnp.ndarray
    reset_state: jnp.ndarray
    reset_trainer: jnp.ndarray
    closed_loop: jnp.ndarray

    @property
    def steps(self) -> int:
        return self.learning.shape[0]


def make_drive(steps: int, *, inputs=None, targets=None, learning=None, reset_state=None, reset_trainer=None,
               closed_loop=None, n_inputs: int = 0, n_targets: int = 1) -> Drive:
    """A `Drive` of `steps` steps; what is not given is zero / False."""

    def column(values, width, name):
        if values is None:
            return jnp.zeros((steps, width))
        values = jnp.asarray(values, dtype=jnp.float64)
        values = values[:, None] if values.ndim == 1 else values
        if values.shape[0] != steps:
            raise MtjphysError(f"{name} has {values.shape[0]} steps, expected {steps}")
        return values

    def flags(values, name):
        if values is None:
            return jnp.zeros(steps, dtype=bool)
        values = jnp.asarray(values, dtype=bool)
        if values.shape != (steps,):
            raise MtjphysError(f"{name} must have shape ({steps},), got {values.shape}")
        return values

    return Drive(column(inputs, n_inputs, "inputs"), column(targets, n_targets, "targets"),
                 flags(learning, "learning"), flags(reset_state, "reset_state"),
                 flags(reset_trainer, "reset_trainer"), flags(closed_loop, "closed_loop"))


def drive_from_task(task: xr.Dataset, n_inputs: int, n_outputs: int) -> Drive:
    """Read a task dataset into a `Drive` for a network with n_inputs inputs and n_outputs readouts."""
    if "time" not in task.coords or "learning" not in task:
        raise MtjphysError("task dataset needs a 'time' coordinate and a 'learning' variable")
    steps = task.sizes["time"]
    times = task.time.values
    if steps < 1 or not np.allclose(times, np.arange(steps) * STEP + times[0], rtol=0, atol=1e-6 * STEP):
        raise MtjphysError(f"task time must be a uniform grid of {STEP:g} s steps")

    def get(name, width, dims):
        if name not in task:
            return None
        values = task[name].transpose(*dims).values if task[name].ndim == 2 else task[name].values
        if values.ndim == 2 and values.shape[1] != width:
            raise MtjphysError(f"task '{name}' has {values.shape[1]} columns; the network has {width}")
        return values

    targets = get("target", n_outputs, ("time", "readout"))
    return make_drive(steps, inputs=get("input", n_inputs, ("time", "input_node")), targets=targets,
                      learning=task.learning.values, reset_state=get("reset_state", 0, ("time",)),
                      reset_trainer=get("reset_trainer", 0, ("time",)), closed_loop=get("closed_loop", 0, ("time",)),
                      n_inputs=n_inputs, n_targets=n_outputs)


def scaled_input(task: xr.Dataset) -> np.ndarray:
    """The task's input mapped from its `input_range` onto [-1, 1], (T, n_in)."""
    low, high = task.attrs["input_range"]
    return 2 * (task.input.transpose("time", "input_node").values - low) / (high - low) - 1


class AbstractTrainer(eqx.Module):
    """An online learning rule, called once per step where `Drive.learning` is set.

    A subclass implements `init`, `update` and `observe`; runs record it by its import path and
    fields (`mtjphys.trainer_from_dataset` rebuilds it), so a user's own rule saves like FORCE.
    """

    @abc.abstractmethod
    def init(self, network: Network):
        """Returns: the trainer's state (e.g. the RLS matrix P)."""

    @abc.abstractmethod
    def update(self, network: Network, state, r: jnp.ndarray, z: jnp.ndarray, target: jnp.ndarray):
        """One learning step from the MTJ outputs r, readouts z (before the update) and the
        step's target. Returns: (network with updated weights, trainer state)."""

    @abc.abstractmethod
    def observe(self, state, r: jnp.ndarray):
        """Called after every step, learning or not, with the step's outputs r. Returns: the state."""


class NoTraining(AbstractTrainer):
    """Runs without learning."""

    def init(self, network):
        return jnp.zeros(())

    def update(self, network, state, r, z, target):
        return network, state

    def observe(self, state, r):
        return state


class Trajectory(eqx.Module):
    """What a run records.

    Arguments:
        readouts: the readouts z(n) at every step, (T, n_out).
        mtj_outputs: the outputs r(n) of the first recorded MTJs at every step, (T, K).
        weight_steps: the steps after which the readout weights were recorded, (S,).
        readout_weights: W_out after each of those steps, (S, n_out, N).
        mtj_energy: the energy the MTJs dissipated in every step, (T,) [J] (zeros for a network
            without MTJ currents).
    """

    readouts: np.ndarray
    mtj_outputs: np.ndarray
    weight_steps: np.ndarray
    readout_weights: np.ndarray
    mtj_energy: np.ndarray


class RunResult(eqx.Module):
    network: Network
    trainer_state: object
    x: jnp.ndarray
    magnetization: jnp.ndarray
    trajectory: Trajectory


def _step(trainer, x_reset, state_noise, output_noise, record_mtjs, carry, step_inputs):
    """One step of the scan (`network_step` with the drive's flags and the trainer); padding steps do nothing."""
    (u, target, learn, reset_state, reset_trainer, closed_loop), index, valid = step_inputs

    def active(carry):
        network, trainer_state, state, key = carry
        network, state, output, trainer_state = network_step(
            network, state, StepInput(u, index, reset=reset_state, closed_loop=closed_loop), key, x_reset=x_reset,
            output_noise=output_noise, state_noise=state_noise,
            learning=Learning(trainer, trainer_state, learn, reset_trainer, target))
        return (network, trainer_state, state, key), (output.z, output.r[:record_mtjs], output.energy)

    def idle(carry):
        network = carry[0]
        return carry, (jnp.zeros(network.readout.shape[0]), jnp.zeros(min(record_mtjs, network.size)), jnp.zeros(()))

    return jax.lax.cond(valid, active, idle, carry)


@eqx.filter_jit
def _run_chunk(trainer, x_reset, state_noise, output_noise, record_mtjs, readout_every, carry, chunk):
    """Scan over a chunk of steps in blocks of `readout_every`, recording the readout after each block."""
    step = lambda c, s: _step(trainer, x_reset, state_noise, output_noise, record_mtjs, c, s)

    def block(carry, block_inputs):
        carry, (readouts, mtj_outputs, energy) = jax.lax.scan(step, carry, block_inputs)
        return carry, (readouts, mtj_outputs, energy, carry[0].readout)

    blocks = jax.tree.map(lambda a: a.reshape((a.shape[0] // readout_every, readout_every) + a.shape[1:]), chunk)
    carry, (readouts, mtj_outputs, energy, weights) = jax.lax.scan(block, carry, blocks)
    flatten = lambda a: a.reshape((a.shape[0] * a.shape[1],) + a.shape[2:])
    return carry, flatten(readouts), flatten(mtj_outputs), flatten(energy), weights


@eqx.filter_jit
def _run_chunk_untrained(network, key, x_reset, state_noise, output_noise, record_mtjs, state, chunk):
    """Scan over a chunk of steps without a trainer: the network is a constant of the scan, not carried, and a
    flag no step of the run sets arrives as None (not traced). Returns: (state, readouts, outputs r, energy)."""

    def step(state, step_inputs):
        (u, reset_state, closed_loop), index, valid = step_inputs

        def active(state):
            _, state, output = network_step(
                network, state, StepInput(u, index, reset=reset_state, closed_loop=closed_loop), key,
                x_reset=x_reset, output_noise=output_noise, state_noise=state_noise)[:3]
            return state, (output.z, output.r[:record_mtjs], output.energy)

        def idle(state):  # padding: nothing happens (a device-mode step is not solved for nothing)
            return state, (jnp.zeros(network.readout.shape[0]), jnp.zeros(record_mtjs), jnp.zeros(()))

        return jax.lax.cond(valid, active, idle, state)

    state, (readouts, mtj_outputs, energy) = jax.lax.scan(step, state, chunk)
    return state, readouts, mtj_outputs, energy


def simulate(
    network: Network, drive: Drive, *, trainer: AbstractTrainer = NoTraining(), trainer_state=None,
    x0: jnp.ndarray | None = None, magnetization: jnp.ndarray | None = None, x_reset: jnp.ndarray | None = None,
    seed: int = 0, state_noise: float = 0.0, output_noise: float = 0.0, record_mtjs: int = 10,
    readout_every: int = 10, chunk: int = 200, progress: bool | str = True,
) -> RunResult:
    """Run `network` through `drive`, training online with `trainer` where `drive.learning` is set.

    Arguments:
        network: the network (its weights at the start).
        drive: inputs, targets and flags per step.
        trainer: the learning rule (default none); trainer_state: continue from this state.
        x0: initial state (default x_reset); magnetization: initial m (default equilibrium).
        x_reset: the state `reset_state` returns to (default zeros).
        seed: seeds the noise (the only randomness here).
        state_noise: std of Gaussian noise added to x every step.
        output_noise: std of Gaussian noise added to every MTJ output r every step.
        record_mtjs: how many MTJs' outputs r to record.
        readout_every: record the readout weights every this many steps.
        chunk: steps per jitted scan (the progress bar advances per chunk).
        progress: show a progress bar (a string is used as its label).

    Returns:
        `RunResult`: the network and trainer state at the end, x and m at the end, and the
        `Trajectory`.
    """
    n = network.size
    if drive.inputs.shape[1] != network.input_weights.shape[1]:
        raise MtjphysError(f"drive has {drive.inputs.shape[1]} inputs, the network {network.input_weights.shape[1]}")
    if bool(jnp.any(drive.closed_loop)) and drive.inputs.shape[1] != network.readout.shape[0]:
        raise MtjphysError(f"a closed loop needs as many inputs as readouts; the network has "
                           f"{drive.inputs.shape[1]} inputs and {network.readout.shape[0]} readouts")
    x_reset = jnp.zeros(n) if x_reset is None else jnp.asarray(x_reset)
    x = x_reset if x0 is None else jnp.asarray(x0)
    magnetization = network.equilibrium if magnetization is None else jnp.asarray(magnetization)
    trainer_state = trainer.init(network) if trainer_state is None else trainer_state
    record_mtjs = min(record_mtjs, n)
    state, key = initial_state(network, x, magnetization), random_key(seed)
    # without a trainer nothing changes the weights: the lean scan (`_run_chunk_untrained`)
    untrained = type(trainer) is NoTraining

    steps = drive.steps
    chunk = -(-chunk // readout_every) * readout_every
    padded = -(-steps // chunk) * chunk
    # padded and sliced on the host: a handful of device calls per run, not per chunk
    pad = lambda a: np.concatenate([a, np.zeros((padded - steps,) + a.shape[1:], a.dtype)])
    fields = [pad(np.asarray(a)) for a in (drive.inputs, drive.targets, drive.learning, drive.reset_state,
                                          drive.reset_trainer, drive.closed_loop)]
    if untrained:  # the flags no step sets are left out, so not traced
        fields = [fields[0]] + [f if f.any() else None for f in (fields[3], fields[5])]
        carry = state
        nonlinearity, energy = uniform_tables(network.nonlinearity, network.energy)
        stepped = dataclasses.replace(network, nonlinearity=nonlinearity, energy=energy)
    else:
        carry = (network, trainer_state, state, key)
    index = np.arange(padded)
    valid = index < steps

    readouts, mtj_outputs, energies, readout_weights = [], [], [], []
    label = progress if isinstance(progress, str) else f"{network.mode} N={n}"
    with tqdm(total=steps, desc=label, unit="step", disable=None if progress else True, leave=False) as bar:
        for start in range(0, padded, chunk):
            part = slice(start, start + chunk)
            chunk_inputs = (tuple(None if f is None else f[part] for f in fields), index[part], valid[part])
            if untrained:
                carry, chunk_readouts, chunk_mtj_outputs, chunk_energy = _run_chunk_untrained(
                    stepped, key, x_reset, float(state_noise), float(output_noise), record_mtjs, carry, chunk_inputs)
            else:
                carry, chunk_readouts, chunk_mtj_outputs, chunk_energy, chunk_weights = _run_chunk(
                    trainer, x_reset, float(state_noise), float(output_noise), record_mtjs, readout_every, carry,
                    chunk_inputs)
                readout_weights.append(np.asarray(chunk_weights))
            readouts.append(np.asarray(chunk_readouts))
            mtj_outputs.append(np.asarray(chunk_mtj_outputs))
            energies.append(np.asarray(chunk_energy))
            bar.update(min(chunk, steps - start))

    weight_steps = np.arange(readout_every - 1, padded, readout_every)
    kept = weight_steps < steps
    if untrained:
        state = carry
        readout = np.asarray(network.readout)
        readout_weights = [np.broadcast_to(readout, (weight_steps.size,) + readout.shape).copy()]
        if bool(np.any(np.asarray(drive.reset_trainer))):  # NoTraining's restart, as `network_step` makes it
            trainer_state = trainer.init(network)
    else:
        network, trainer_state, state, _ = carry
    trajectory = Trajectory(
        readouts=np.concatenate(readouts)[:steps], mtj_outputs=np.concatenate(mtj_outputs)[:steps],
        weight_steps=weight_steps[kept], readout_weights=np.concatenate(readout_weights)[kept],
        mtj_energy=np.concatenate(energies)[:steps],
    )
    return RunResult(network, trainer_state, state.x, state.magnetization, trajectory)
