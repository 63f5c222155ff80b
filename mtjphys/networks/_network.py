"""Recurrent networks of MTJs: their weights and neurons, how a random one is drawn, and how it is saved.

Equations (discrete time, one step = one 1.5 ns neuron window):

    j_i(n)   = j_min + (j_max - j_min) clip((1 + x_i(n)) / 2, 0, 1)     current into MTJ i
    r_i(n)   = 2 F_i(j_i(n)) - 1                                        MTJ i's output
    z(n)     = W_out r(n)                                               readouts
    x(n+1)   = (1 - a) x(n) + a [J r(n) + W_f z(n) + W_in u(n) + b]     leaky state

F_i is MTJ i's dR, normalised by the nominal device's dR at j_min and j_max, so F = 0 and 1 there
for the nominal device (and other values for a different device). In `device` mode every MTJ is
integrated by the LLG solver in every step, by the stochastic LLG when its temperature is above
zero: a window of current (1.5 ns in the paper, `window`) from equilibrium, or, with
`carry_magnetization`, from where the previous step ended (no reset), the window then followed by
`rest` seconds at zero current, so that a step lasts window + rest (`Network.step_duration`). In
`surrogate` mode F_i is interpolated from a transfer curve, or at finite temperature drawn from
the SDE-sampled distribution of dR at that current.

Imperfect synapses (optional): every weight fluctuates from step to step by a factor
(1 + s xi), xi ~ N(0, 1) (`synaptic_noise` = s), and the recurrent and feedback signals can
arrive `delay` steps late (J r(n - d), W_f z(n - d)).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import xarray as xr

from .._errors import MtjphysError
from ..data._codec import module_from_dataset, module_to_dataset
from ..data._provenance import provenance
from ..device._device import Device, NEURON_WINDOW
from ..device._parameters import Parameters
from ..device._solve import gradient_solver
from ..device._transfer import OPERATING_RANGE
from ._nonlinearity import (
    _mtj_records,
    _reach,
    AbstractNonlinearity,
    DeviceNonlinearity,
    energy_from_dataset,
    ENERGY_POINTS,
    make_nonlinearity,
    Tanh,
    window_energy,
    WindowEnergy,
)

STEP = NEURON_WINDOW  # [s], one network step: one neuron window
EQUATIONS = __doc__.split("Equations (discrete time, one step = one 1.5 ns neuron window):")[1].split("F_i is")[0]


def _weights(variable: str, dims: tuple[str, ...], long_name: str):
    return eqx.field(metadata={"variable": variable, "dims": dims, "units": "1", "long_name": long_name})


class Network(eqx.Module):
    """An RNN of N MTJs with n_in inputs and n_out readouts (see the module docstring).

    Arguments:
        recurrent: J, (N, N).
        feedback: W_f, (N, n_out).
        input_weights: W_in, (N, n_in).
        bias: b, (N,).
        readout: W_out, (n_out, N).
        leak: a in (0, 1].
        nonlinearity: the neurons (MTJs, or tanh for checks).
        equilibrium: each MTJ's equilibrium magnetization, (N, 3).
        synaptic_noise: relative std of the step-to-step fluctuation of every weight.
        delay: steps by which the recurrent and feedback signals arrive late.
        records: each MTJ's parameter record, (N,) (empty for networks without MTJs).
        energy: each MTJ's window energy as a function of its current (None for networks
            without MTJ currents).
        synapse_energy: [J] per synaptic operation (one multiply-accumulate, `synaptic_operations`);
            0 when not counted (the default).
        sensing_energy: [J] per sensing of one MTJ's dR (its pre-amplifier); 0 when not counted (the default).
    """

    recurrent: jnp.ndarray = _weights("recurrent_weights", ("mtj", "mtj_presynaptic"), "recurrent weights J")
    feedback: jnp.ndarray = _weights("feedback_weights", ("mtj", "readout"), "feedback weights W_f")
    input_weights: jnp.ndarray = _weights("input_weights", ("mtj", "input_node"), "input weights W_in")
    bias: jnp.ndarray = _weights("bias", ("mtj",), "bias b (in units of the state x)")
    readout: jnp.ndarray = _weights("readout_weights", ("readout", "mtj"), "readout weights W_out")
    leak: float = eqx.field(static=True)
    nonlinearity: AbstractNonlinearity
    equilibrium: jnp.ndarray = eqx.field(metadata={
        "variable": "equilibrium_magnetization", "dims": ("mtj", "component"), "units": "1",
        "long_name": "equilibrium direction of each MTJ's free layer"})
    synaptic_noise: float = eqx.field(static=True, default=0.0)
    delay: int = eqx.field(static=True, default=0)
    records: tuple[Parameters, ...] = eqx.field(static=True, default=())
    energy: WindowEnergy | None = None
    synapse_energy: float = eqx.field(static=True, default=0.0)
    sensing_energy: float = eqx.field(static=True, default=0.0)

    @property
    def size(self) -> int:
        return self.recurrent.shape[0]

    @property
    def mode(self) -> str:
        """How the neurons compute: the nonlinearity's `mode` ("device", "surrogate", "tanh", ...)."""
        return self.nonlinearity.mode

    def mtj_outputs(self, x: jnp.ndarray, magnetization: jnp.ndarray,
                    key: jax.Array) -> tuple[jnp.ndarray, jnp.ndarray]:
        """Returns: (the neurons' outputs r for state x, magnetizations after the step)."""
        return self.nonlinearity(x, magnetization, key)

    def mtj_energy(self, x: jnp.ndarray) -> jnp.ndarray:
        """Returns: the energy [J] the MTJs dissipate in a step from state x (0 without `energy`)."""
        if self.energy is None:
            return jnp.zeros(())
        return jnp.sum(self.energy(self.nonlinearity.currents(x)))

    @property
    def step_duration(self) -> float:
        """One step [s]: a device-mode network's window and the rest after it (`DeviceNonlinearity`), else `STEP`."""
        return float(getattr(self.nonlinearity, "step_duration", STEP))

    def describe(self) -> dict:
        """Returns: how the neurons are computed, as provenance attributes (a device-mode network's device:
        its solver, circuit and pre-amplifier, and its steps: the window, and where the magnetization is
        carried the rest and the step's length; nothing for other neurons)."""
        device = getattr(self.nonlinearity, "device", None)
        if device is None:
            return {}
        steps = self.nonlinearity.describe() if isinstance(self.nonlinearity, DeviceNonlinearity) else {}
        return {**device.describe(), **steps}

    def synaptic_operations(self) -> int:
        """Returns: the multiply-accumulates in one step: one per nonzero recurrent, feedback and input
        weight, and one per readout weight (trained, so dense)."""
        fixed = sum(int(jnp.count_nonzero(w)) for w in (self.recurrent, self.feedback, self.input_weights))
        return fixed + self.readout.size

    def fluctuated(self, key: jax.Array) -> Network:
        """Returns: this network with every weight multiplied by (1 + s xi) for this step."""
        if not self.synaptic_noise:
            return self
        names = ("recurrent", "feedback", "input_weights", "readout")
        keys = jax.random.split(key, len(names))
        noisy = [getattr(self, n) * (1 + self.synaptic_noise * jax.random.normal(k, getattr(self, n).shape))
                 for n, k in zip(names, keys)]
        return eqx.tree_at(lambda net: [getattr(net, n) for n in names], self, noisy)

    def advance(self, x: jnp.ndarray, r: jnp.ndarray, z: jnp.ndarray, u: jnp.ndarray) -> jnp.ndarray:
        """Returns: x(n+1) from x(n), r(n), z(n) and the input u(n)."""
        drive = self.recurrent @ r + self.feedback @ z + self.input_weights @ u + self.bias
        return (1 - self.leak) * x + self.leak * drive


def differentiable_network(network: Network, mode: str) -> Network:
    """Returns: `network` with its device-mode LLG solves differentiable in `mode` ("forward" for `jax.jvp`,
    "reverse" for `jax.grad`; see `gradient_solver`), other networks unchanged. MTJs above 0 K in device mode
    are refused in one line: every step draws a fresh noise path, and the gradient of one path is a
    forward-mode derivative of that realisation, not of the network."""
    nonlinearity = network.nonlinearity
    if not isinstance(nonlinearity, DeviceNonlinearity):
        return network
    device = nonlinearity.device
    if device.thermal:
        raise MtjphysError("a network of MTJs above 0 K in device mode (stochastic LLG) cannot be differentiated; "
                           "use MTJs at 0 K, or surrogate mode")
    return eqx.tree_at(lambda net: net.nonlinearity.device, network,
                       device.replace(solver=gradient_solver(device.solver, mode)))


@dataclasses.dataclass(frozen=True)
class Architecture:
    """How a random network is drawn (recorded in every dataset).

    Arguments:
        n_mtj: N, the number of MTJs.
        n_inputs, n_outputs: input and readout nodes.
        connection_probability: p, the probability that J_ij is not zero.
        gain: g; J_ij ~ N(0, g^2 / (p N)) where connected.
        leak: a.
        feedback_scale: W_f ~ feedback_scale U[-1, 1].
        input_scale: W_in ~ input_scale U[-1, 1].
        bias_scale: b ~ bias_scale U[-1, 1].
        current_range: (j_min, j_max) [A/m^2].
        synaptic_noise: step-to-step relative fluctuation of every weight.
        delay: steps by which recurrent and feedback signals arrive late.
    """

    n_mtj: int = 40
    n_inputs: int = 0
    n_outputs: int = 1
    connection_probability: float = 0.1
    gain: float = 1.5
    leak: float = 0.3
    feedback_scale: float = 1.0
    input_scale: float = 1.0
    bias_scale: float = 0.0
    current_range: tuple[float, float] = OPERATING_RANGE
    synaptic_noise: float = 0.0
    delay: int = 0

    def __post_init__(self):
        if not (isinstance(self.n_mtj, (int, np.integer)) and self.n_mtj >= 2):
            raise MtjphysError(f"a network needs at least 2 MTJs, got n_mtj={self.n_mtj}")
        if self.n_inputs < 0 or self.n_outputs < 1:
            raise MtjphysError(f"need n_inputs >= 0 and n_outputs >= 1, got {self.n_inputs}, {self.n_outputs}")
        if not 0 < self.connection_probability <= 1:
            raise MtjphysError(f"connection_probability must lie in (0, 1], got {self.connection_probability}")
        if not 0 < self.leak <= 1:
            raise MtjphysError(f"leak must lie in (0, 1], got {self.leak}")
        if not (isinstance(self.delay, (int, np.integer)) and self.delay >= 0):
            raise MtjphysError(f"delay must be a whole number of steps >= 0, got {self.delay}")
        for name in ("gain", "feedback_scale", "input_scale", "bias_scale", "synaptic_noise"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value >= 0):
                raise MtjphysError(f"{name} must be finite and >= 0, got {value}")
        j_min, j_max = self.current_range
        if not (np.isfinite(j_min) and np.isfinite(j_max) and j_max > j_min):
            raise MtjphysError(f"current range must have j_min < j_max, got {self.current_range}")


def random_network(
    architecture: Architecture, parameters: Parameters | Sequence[Parameters] | Device | None = None, *, seed: int,
    nonlinearity: AbstractNonlinearity | None = None, synapse_energy: float = 0.0, sensing_energy: float = 0.0,
    window: float = NEURON_WINDOW, rest: float = 0.0, **nonlinearity_options,
) -> Network:
    """Draw a network from `architecture` with numpy's generator seeded by `seed`.

    Arguments:
        architecture: sizes and scales.
        parameters: the MTJs (one record for all, one each, or a `Device` they share); default the reference
            device.
        seed: the only source of randomness.
        nonlinearity: the neurons, if not built from `parameters` (a user's own, for example);
            then `parameters` only labels the MTJs, if given.
        synapse_energy, sensing_energy: [J] per synaptic operation and per sensing of one MTJ's dR
            (see `Network`; 0: not counted).
        window, rest: device mode: each step's current pulse [s] and, with `carry_magnetization`, the rest
            at zero current after it [s] (see `DeviceNonlinearity`); the window energy is tabulated over
            `window`.
        nonlinearity_options: passed to `make_nonlinearity` (mode, settings, ...); mode "tanh"
            gives tanh neurons.
    """
    for name, value in (("synapse_energy", synapse_energy), ("sensing_energy", sensing_energy)):
        if not (np.isfinite(value) and value >= 0):
            raise MtjphysError(f"{name} must be finite and >= 0 J, got {value}")
    arch = architecture
    rng = np.random.default_rng(seed)
    n = arch.n_mtj
    connected = rng.random((n, n)) < arch.connection_probability
    recurrent = np.where(connected, rng.normal(0.0, arch.gain / np.sqrt(arch.connection_probability * n), (n, n)),
                         0.0)
    feedback = arch.feedback_scale * rng.uniform(-1, 1, (n, arch.n_outputs))
    input_weights = arch.input_scale * rng.uniform(-1, 1, (n, arch.n_inputs))
    bias = arch.bias_scale * rng.uniform(-1, 1, n)
    if nonlinearity is None and nonlinearity_options.get("mode") == "tanh":
        nonlinearity = Tanh()
    energy = None
    if nonlinearity is None:
        records = _mtj_records(parameters if parameters is not None else Parameters(), n)
        shared = parameters if isinstance(parameters, Device) else records
        nonlinearity = make_nonlinearity(shared, n, current_range=arch.current_range, window=window, rest=rest,
                                         **nonlinearity_options)
        transfer = nonlinearity_options.get("transfer")
        identical = all(r == records[0] for r in records)
        if transfer is not None and identical and nonlinearity.mode == "surrogate":
            energy = energy_from_dataset(transfer, records[0]["area"])
        if energy is None:
            grid = _reach(arch.current_range, nonlinearity.current_gain, ENERGY_POINTS)
            if isinstance(nonlinearity, DeviceNonlinearity):  # the solver its windows take (a Device's own)
                device = nonlinearity.device
                solvers = {"thermal" if device.thermal else "settings": device.solver}
            else:
                solvers = {k: nonlinearity_options[k] for k in ("settings", "thermal") if k in nonlinearity_options}
            energy = window_energy(records, grid, window=window, **solvers)
    elif window != NEURON_WINDOW or rest:
        raise MtjphysError("window and rest are options of device-mode MTJs that random_network builds, not of "
                           f"{'tanh neurons' if isinstance(nonlinearity, Tanh) else 'a given nonlinearity'}")
    else:
        records = [] if parameters is None else _mtj_records(parameters, n)
    equilibrium = np.array([r["m0"] for r in records]) if records else np.zeros((n, 3))
    return Network(
        recurrent=jnp.asarray(recurrent), feedback=jnp.asarray(feedback), input_weights=jnp.asarray(input_weights),
        bias=jnp.asarray(bias), readout=jnp.zeros((arch.n_outputs, n)), leak=float(arch.leak),
        nonlinearity=nonlinearity, equilibrium=jnp.asarray(equilibrium),
        synaptic_noise=float(arch.synaptic_noise), delay=int(arch.delay), records=tuple(records), energy=energy,
        synapse_energy=float(synapse_energy), sensing_energy=float(sensing_energy),
    )


# ---- datasets ------------------------------------------------------------------------------
def network_to_dataset(network: Network, **attrs) -> xr.Dataset:
    """The network as a dataset: its weights as labelled variables, the whole module (nonlinearity,
    solver settings, a user's own classes included) recorded by `mtjphys.data`'s codec in the attribute
    `network`, each MTJ's parameter record as `mtj_parameters` (JSON), and provenance (`attrs`
    added). `network_from_dataset` rebuilds it bit for bit."""
    dataset = module_to_dataset(network, "network")
    if network.records:
        dataset["mtj_parameters"] = ("mtj", np.array([r.to_json() for r in network.records], dtype=object),
                                     {"units": "", "long_name": "parameter record of each MTJ (JSON)"})
    dataset.attrs.update(provenance(network.records[0] if network.records else None, **network.describe(), **attrs))
    dataset.attrs.update(network_equations=EQUATIONS.strip(), mode=network.mode)
    return dataset


def network_from_dataset(dataset: xr.Dataset) -> Network:
    """Rebuild a network saved by `network_to_dataset` (or a run that holds one), bit for bit."""
    return module_from_dataset(dataset, "network", Network)
