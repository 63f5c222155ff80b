"""One MTJ as a whole reservoir: time multiplexing with delayed feedback (Appeltant et al. 2011;
Torrejon et al. 2017; Riou et al. 2019).

Each input u(k) is held for tau = N_v theta and multiplied by a fixed random mask: during virtual node i
(i = 0..N_v-1, each lasting theta) the junction carries the current density

    j(n) = j_bias + g_in (M u(k))_i + g_fb s(n - d),        n = k N_v + i,

with s(n) the node's response, the normalised resistance (R - R_mid) / (R_AP - R_P) (R_mid the middle of
R_P and R_AP) read through the pre-amplifier at the end of the node (or averaged over it, or its swing
max R - min R over the node: an oscillator's envelope, as Torrejon et al. read it), and d >= 1 the
feedback delay in nodes (d = N_v: tau, d = N_v + 1: tau + theta). The magnetization is never reset: the
free layer's own ringing and relaxation (about 1 / (alpha omega), 6 ns for the reference junction) couple
neighbouring nodes and carry the past; the feedback carries it further. The device is the full model
(macrospin or grid, the stochastic LLG above 0 K); the pre-amplifier is a causal first-order low-pass of
the given bandwidth, its state carried from node to node as a real amplifier's would be.
"""

from __future__ import annotations

import math

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import xarray as xr

from .._defaults import DEFAULT_BANDWIDTH
from .._errors import MtjphysError
from ..device._circuit import is_warm, operating_point
from ..device._device import Device, make_device
from ..device._parameters import Parameters
from ..device._solve import NeuronSolver
from ..device._thermal import sampled_thermal_solver, thermal_solver_for
from ._simulate import scaled_input

THETA_RANGE = (1e-13, 1e-6)  # [s]: a virtual node from a tenth of a ps (a few solver steps) to a microsecond
READOUTS = ("end", "mean", "amplitude")  # the node's response: R at its end, its mean, or its swing over the node


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise MtjphysError(message)


class MultiplexedReservoir(eqx.Module):
    """One MTJ (or a batch driven in parallel, each its own reservoir) time-multiplexed into virtual nodes.
    Make one with `multiplexed_reservoir`.

    Arguments:
        device: the junction, its solver sampling `samples` points per node.
        mask: the input mask M, (N_v, n_in).
        theta: a virtual node's duration [s].
        input_gain: g_in, the current density per unit masked input [A/m^2].
        bias: j_bias, the constant drive [A/m^2].
        feedback_gain: g_fb, the current density per unit delayed response [A/m^2].
        delay: d, the feedback delay in nodes (>= 1).
        samples: points R(t) is sampled on per node (>= 2, the first the previous node's last).
        bandwidth: the pre-amplifier's -3 dB bandwidth [Hz] (None: ideal).
        compliance: the current source's compliance voltage [V] (None: none): at each node's start the drive
            is clipped to the current density that puts this voltage across the junction's resistance then, as
            a real source saturates, so that feedback cannot drive the barrier past its breakdown.
        readout: "end" (R at the node's end), "mean" (R averaged over the node) or "amplitude" (its swing).
    """

    device: Device
    mask: jnp.ndarray
    theta: float = eqx.field(static=True)
    input_gain: float
    bias: float
    feedback_gain: float
    delay: int = eqx.field(static=True)
    samples: int = eqx.field(static=True)
    bandwidth: float | None = eqx.field(static=True)
    readout: str = eqx.field(static=True)
    compliance: float | None = None

    @property
    def virtual_nodes(self) -> int:
        return int(self.mask.shape[0])

    @property
    def tau(self) -> float:
        """The time an input is held [s]."""
        return self.virtual_nodes * self.theta

    def drives(self, inputs: jnp.ndarray) -> jnp.ndarray:
        """Returns: the feed-forward drive j_bias + g_in (M u(k))_i of every node, (K N_v,) [A/m^2]."""
        return (self.bias + self.input_gain * (jnp.asarray(inputs) @ self.mask.T)).reshape(-1)

    def response(self, resistance: jnp.ndarray) -> jnp.ndarray:
        """Returns: s = (R - R_mid) / (R_AP - R_P)."""
        r_p, r_ap = self.device.params["R_P"], self.device.params["R_AP"]
        return (resistance - (r_p + r_ap) / 2) / (r_ap - r_p)

    def run(self, inputs, *, key: jax.Array | None = None, m0=None, chunk: int | None = None,
            progress: bool | str = False, energy: bool = False):
        """Drive the junction through `inputs` (K, n_in) from rest and read every virtual node.

        Arguments:
            inputs: the (scaled) inputs, one row per input step.
            key: above 0 K, the thermal noise's key (node n's noise is fold_in(key, n)).
            m0: the start state (default the equilibrium).
            chunk: inputs per compiled call (for the progress bar; default all).
            progress: show a progress bar (a string: its label).
            energy: also return the energy the junction dissipated per input [J].

        Returns:
            The responses s, (K, N_v) (and the energy per input).
        """
        inputs = self.check_inputs(inputs)
        if self.device.thermal and key is None:
            raise MtjphysError("a reservoir above 0 K needs a seed for its thermal noise")
        steps = inputs.shape[0]
        chunk = steps if chunk is None else max(1, int(chunk))
        carry, pieces = self.start(m0), []
        bar = _bar(steps, progress)
        for begin in range(0, steps, chunk):
            carry, s = self.advance(carry, inputs[begin:begin + chunk], key=key, index=begin, pad_to=chunk)
            pieces.append(s)
            if bar is not None:
                bar.update(s.shape[0])
        if bar is not None:
            bar.close()
        states = np.concatenate(pieces)
        breakdown = self.device.params.get("breakdown_voltage")
        if breakdown is not None and float(carry[4]) > float(breakdown):
            raise MtjphysError(f"the drive put {float(carry[4]):.3g} V across the barrier, above its breakdown voltage "
                               f"of {float(breakdown):.3g} V (lower the bias or the gains, or give the record "
                               "breakdown_voltage null)")
        return (states, float(carry[3]) / steps) if energy else states

    def check_inputs(self, inputs) -> np.ndarray:
        """Returns: `inputs` as a float array (K, n_in); refused in one line where the mask takes another width."""
        inputs = np.asarray(inputs, dtype=float)
        inputs = inputs[:, None] if inputs.ndim == 1 else inputs
        if inputs.ndim != 2 or inputs.shape[1] != self.mask.shape[1]:
            raise MtjphysError(f"the mask takes {self.mask.shape[1]} inputs per step, got inputs of shape "
                               f"{np.shape(inputs)}")
        return inputs

    def advance(self, carry, inputs, *, key: jax.Array | None = None, index: int = 0, pad_to: int | None = None):
        """Drive the junction through `inputs` (K, n_in) from the carried state (`start`, or a previous
        `advance`'s).

        Arguments:
            carry: the carried state.
            inputs: the (scaled) inputs.
            key: the thermal noise's key (above 0 K).
            index: the number of inputs before these in the run (node n's noise is fold_in(key, n)).
            pad_to: compile for this many inputs (the rest idle, leaving the state as it is), so that runs of
                different lengths share one program.

        Returns:
            (the carried state after the inputs, the responses s (K, N_v)).
        """
        inputs = self.check_inputs(inputs)
        key = jax.random.key(0) if key is None else key
        steps = inputs.shape[0]
        padded = max(steps, pad_to or 0)
        nodes = jnp.arange(index * self.virtual_nodes, (index + padded) * self.virtual_nodes)
        drive = jnp.pad(self.drives(inputs), (0, (padded - steps) * self.virtual_nodes))
        active = jnp.arange(padded * self.virtual_nodes) < steps * self.virtual_nodes
        carry, s = _run_nodes(self, carry, drive, nodes, active, key)
        return carry, np.asarray(s)[: steps * self.virtual_nodes].reshape(steps, self.virtual_nodes)

    def start(self, m0=None):
        """Returns: the carried state at rest: (m, the pre-amplifier's output, the feedback line, the energy
        dissipated so far [J], the largest voltage across the barrier so far [V])."""
        m = self.device.equilibrium() if m0 is None else jnp.asarray(m0)
        device = self.device
        resistance = operating_point(device.model, device.law, device.circuit, m, jnp.asarray(self.bias),
                                     device.params).resistance
        return m, resistance, jnp.zeros(self.delay), jnp.zeros(()), jnp.zeros(())

    def node(self, carry, drive, key):
        """One virtual node: the junction under `drive` [A/m^2] for theta, from the carried state.

        Returns: (the carried state after the node, the node's response s)."""
        m, filtered, line, energy, peak = carry
        ts = np.linspace(0.0, self.theta, self.samples)
        drive = drive + self.feedback_gain * line[0]
        if self.compliance is not None:
            device = self.device
            resistance = operating_point(device.model, device.law, device.circuit, m, drive, device.params).resistance
            limit = self.compliance / (device.params["area"] * resistance)
            drive = jnp.clip(drive, -limit, limit)
        trace = self.device.solve(drive, ts, m0=m,
                                  key=key if self.device.thermal else None)
        energy = energy + jnp.trapezoid(trace.point.power(self.device.params), dx=ts[1])
        peak = jnp.maximum(peak, jnp.max(jnp.abs(trace.point.voltage)))
        resistance = trace.point.resistance
        if self.bandwidth is not None:  # causal first-order low-pass, exact for R linear between samples
            decay = math.exp(-2 * math.pi * self.bandwidth * self.theta / (self.samples - 1))

            def low_pass(y, r):
                y = decay * y + (1 - decay) * r
                return y, y

            filtered, resistance = jax.lax.scan(low_pass, filtered, resistance[1:])
        else:
            filtered, resistance = resistance[-1], resistance[1:]
        if self.readout == "amplitude":  # an oscillator's envelope (Torrejon et al.)
            s = (jnp.max(resistance) - jnp.min(resistance)) / (self.device.params["R_AP"] - self.device.params["R_P"])
        else:
            s = self.response(resistance[-1] if self.readout == "end" else jnp.mean(resistance))
        return (trace.end, filtered, jnp.concatenate([line[1:], s[None]]), energy, peak), s


@eqx.filter_jit
def _run_nodes(reservoir: MultiplexedReservoir, carry, drive, index, active, key):
    def step(carry, node_input):
        j, n, on = node_input
        after, s = reservoir.node(carry, j, jax.random.fold_in(key, n))
        return jax.tree.map(lambda new, old: jnp.where(on, new, old), after, carry), s

    return jax.lax.scan(step, carry, (drive, index, active))


def _bar(total: int, progress: bool | str):
    if not progress:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=progress if isinstance(progress, str) else "inputs", unit="input")


def check_theta(theta: float, name: str = "theta") -> None:
    """Refuse, in one line, a virtual node's duration that is not positive or not in seconds."""
    _check(math.isfinite(theta) and theta > 0, f"{name} must be a positive duration [s], got {theta}")
    _check(THETA_RANGE[0] <= theta <= THETA_RANGE[1],
           f"{name} = {theta:g} s is outside {THETA_RANGE[0]:g}-{THETA_RANGE[1]:g} s: did you mean ps or ns? "
           "durations are in seconds (50 ps = 5e-11)")


def input_mask(virtual_nodes: int, inputs: int = 1, *, seed: int, kind: str = "binary") -> np.ndarray:
    """A random input mask, (N_v, n_in): "binary" (+-1, Appeltant et al.) or "uniform" (in [-1, 1]),
    drawn from `seed`."""
    rng = np.random.default_rng(seed)
    if kind == "binary":
        return rng.choice([-1.0, 1.0], size=(virtual_nodes, inputs))
    if kind == "uniform":
        return rng.uniform(-1.0, 1.0, size=(virtual_nodes, inputs))
    raise MtjphysError(f"mask kind must be 'binary' or 'uniform', got {kind!r}")


def multiplexed_reservoir(
    parameters: Parameters, *, virtual_nodes: int = 50, theta: float = 50e-12, input_gain: float = 2e9,
    bias: float = 0.9e10, feedback_gain: float = 0.0, delay: int | None = None, samples: int = 6,
    bandwidth: float | None = DEFAULT_BANDWIDTH, readout: str = "end", inputs: int = 1, seed: int = 0,
    mask: str = "binary", settings: NeuronSolver | None = None,
) -> MultiplexedReservoir:
    """A time-multiplexed reservoir of one MTJ with this record.

    Arguments:
        parameters: the junction's record (a grid record for a micromagnetic free layer).
        virtual_nodes: N_v.
        theta: a node's duration [s].
        input_gain, bias, feedback_gain: [A/m^2] (see `MultiplexedReservoir`).
        delay: the feedback delay in nodes (default N_v: tau); at least 1 (theta).
        samples: points per node the solver saves (at least 2).
        bandwidth: the pre-amplifier's bandwidth [Hz] (None: ideal).
        readout: "end", "mean" or "amplitude".
        inputs: the number of inputs per step.
        seed: draws the mask.
        mask: "binary" or "uniform".
        settings: the ODE solver at 0 K (default the model's `default_solver`).

    Returns:
        The `MultiplexedReservoir`.
    """
    delay = virtual_nodes if delay is None else delay
    _check(isinstance(virtual_nodes, (int, np.integer)) and virtual_nodes >= 1,
           f"virtual nodes must be a positive whole number, got {virtual_nodes}")
    check_theta(theta)
    _check(int(samples) == samples and samples >= 2, f"samples per node must be at least 2, got {samples}")
    _check(int(delay) == delay and delay >= 1,
           f"the feedback delay must be at least one node (theta), got {delay} nodes")
    _check(readout in READOUTS, f"readout must be one of {', '.join(READOUTS)}, got {readout!r}")
    _check(bandwidth is None or (math.isfinite(bandwidth) and bandwidth > 0),
           f"the pre-amplifier's bandwidth must be positive [Hz] or None, got {bandwidth}")
    for name, value in (("input_gain", input_gain), ("bias", bias), ("feedback_gain", feedback_gain)):
        _check(math.isfinite(value), f"{name} must be finite, got {value}")
    thermal = None
    if is_warm([parameters]):
        thermal = sampled_thermal_solver(thermal_solver_for([parameters], theta / (samples - 1)),
                                         theta / (samples - 1), samples)
    device = make_device(parameters, settings=settings, thermal=thermal, window=theta)
    return MultiplexedReservoir(device, jnp.asarray(input_mask(virtual_nodes, inputs, seed=seed, kind=mask)),
                                float(theta), float(input_gain), float(bias), float(feedback_gain), int(delay),
                                int(samples), None if bandwidth is None else float(bandwidth), readout,
                                source_compliance(parameters))


COMPLIANCE = 0.8  # the source's compliance voltage, as a share of the barrier's breakdown voltage


def source_compliance(parameters: Parameters) -> float | None:
    """The current source's compliance voltage [V]: 80 % of the record's breakdown voltage (None where the
    record gives none)."""
    if parameters["breakdown_voltage"] is None:
        return None
    return COMPLIANCE * parameters["breakdown_voltage"]


def multiplexed_states(reservoir: MultiplexedReservoir, task: xr.Dataset, *, seed: int = 0,
                       progress: bool | str = False, chunk: int = 200, energy: bool = False):
    """The reservoir's virtual nodes on a task's scaled inputs: one continuous run (a physical reservoir is
    not reset between trials; where the task resets, its inputs stop and the junction rests at its bias for
    one tau, so trials start from nearly the same state).

    Returns: s, (T, N_v) (and, with `energy`, the energy dissipated per input [J], rests included).
    """
    inputs = scaled_input(task)
    resets = np.flatnonzero(task["reset_state"].values) if "reset_state" in task else np.array([], int)
    if resets.size and resets[0] == 0:
        resets = resets[1:]
    if not resets.size:
        return reservoir.run(inputs, key=jax.random.key(seed), progress=progress, chunk=chunk, energy=energy)
    # a rest row (zero input) before each trial; its responses are dropped
    rows = np.insert(inputs, resets, 0.0, axis=0)
    keep = np.ones(rows.shape[0], bool)
    keep[resets + np.arange(resets.size)] = False
    states = reservoir.run(rows, key=jax.random.key(seed), progress=progress, chunk=chunk, energy=energy)
    if energy:
        return states[0][keep], states[1] * rows.shape[0] / inputs.shape[0]
    return states[keep]
