"""The MTJ as a neuron: a current pulse from equilibrium, and the amplitude dR of the damped
resistance ringing at the end of a 1.5 ns window."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import equinox as eqx
import jax.numpy as jnp
import numpy as np

from .._errors import MtjphysError
from ..grid._micromagnetic import meshed_model
from ._circuit import check_limits, Circuit, circuit_for, is_warm, sampled_window, WindowResponse
from ._model import Model
from ._parameters import Parameters, stack_parameters
from ._preamplifier import IDEAL, Preamplifier
from ._solve import default_solver, integrate, NeuronSolver

NEURON_WINDOW = 1.5e-9  # [s], the paper's neuron window


def batch_shape(model: Model, params: dict, current_density) -> tuple[int, ...]:
    """Returns: the broadcast shape of a batch of MTJs (vectors' trailing 3 excluded)."""
    specs = Parameters.specs(model)
    shapes = [jnp.shape(v)[: jnp.ndim(v) - len(specs[k]["shape"])] for k, v in params.items()]
    return jnp.broadcast_shapes(jnp.shape(current_density), *shapes)


def window_response(
    model: Model, law: str, settings: NeuronSolver, params: dict, drive: jnp.ndarray,
    m0: jnp.ndarray | None = None, window: float = NEURON_WINDOW, preamplifier: Preamplifier = IDEAL,
    circuit: Circuit = Circuit(), throw: bool = True,
) -> WindowResponse:
    """One neuron window for a batch of MTJs (traceable; no jit of its own).

    Arguments:
        model, law: the generated model and the resistance law's name.
        settings: the solver.
        params: parameter arrays broadcastable to the drive.
        drive: the current density [A/m^2] (a voltage [V] in a voltage `circuit`), any shape.
        m0: start state, (...,) + model.state_shape; default the equilibrium (params["m0"], or a
            micromagnetic layer's state relaxed from it).
        window: window length [s].
        preamplifier: how dR is measured (ideal by default).
        circuit: how the junction is driven (a current, without Joule heating, by default).
        throw: raise where the solve fails (see `integrate`).

    Returns:
        A `WindowResponse`: the extrema of R, the energy, the peak voltage and power, and m at the window's end.
    """
    batch = batch_shape(model, params, drive)
    m0 = model.initial_state(params, batch) if m0 is None else jnp.broadcast_to(m0, batch + model.state_shape)
    ts = np.linspace(0.0, window, settings.samples)
    trace = integrate(model, settings, m0, drive, params, jnp.asarray(ts), law=law, circuit=circuit, throw=throw)
    return sampled_window(preamplifier, ts, trace, params)


@eqx.filter_jit
def _neuron_output(model, law, settings, preamplifier, circuit, window, params, drive):
    return window_response(model, law, settings, params, drive, window=window, preamplifier=preamplifier, circuit=circuit)


class NeuronResponse(NamedTuple):
    """The neuron's response to one window, per MTJ (numpy arrays).

    Arguments:
        delta_r: the neuron output dR = resistance_max - resistance_min [ohm].
        resistance_max, resistance_min, time_max, time_min: the last maximum and minimum of R(t) [ohm, s].
        energy: the energy the junction dissipates over the window [J].
        voltage_max: the largest voltage across the barrier [V].
        power_max: the largest power dissipated [W].
    """

    delta_r: np.ndarray
    resistance_max: np.ndarray
    resistance_min: np.ndarray
    time_max: np.ndarray
    time_min: np.ndarray
    energy: np.ndarray
    voltage_max: np.ndarray
    power_max: np.ndarray

    @classmethod
    def of(cls, parameters, window: WindowResponse) -> NeuronResponse:
        """The response of a computed window, refused in one line where the drive exceeds the device's limits."""
        check_limits(parameters, window)
        extrema = (np.asarray(x) for x in window.extrema)
        return cls(*extrema, *(np.asarray(x) for x in (window.energy, window.voltage_max, window.power_max)))


def as_batch(parameters: Parameters | Sequence[Parameters]) -> tuple[Model, str, dict]:
    """Returns: (model, resistance law, parameter arrays) of one record or of per-MTJ records; a
    micromagnetic model on the records' mesh."""
    if isinstance(parameters, Parameters):
        return solvable(parameters), parameters["resistance_law"], parameters.arrays()
    records = list(parameters)
    return solvable(records[0]), records[0]["resistance_law"], stack_parameters(records)


def solvable(record: Parameters):
    """The model a record is solved with: its generated model, or a micromagnetic one on its mesh."""
    return meshed_model(record.model, record.mesh) if record.mesh is not None else record.model


def check_drive(source: str, values) -> np.ndarray:
    """Returns: the drive's values as float64, refused in one line unless finite."""
    values = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(values)):
        raise MtjphysError(f"{'current density' if source == 'current' else 'voltage'} must be finite")
    return values


def drive_of(current_density=None, voltage=None) -> tuple[str, np.ndarray]:
    """Returns: (the source, "current" or "voltage", and its values as float64) of exactly one of the two."""
    if (current_density is None) == (voltage is None):
        raise MtjphysError("drive the junction by a current density or by a voltage (exactly one of the two)")
    source, values = ("current", current_density) if voltage is None else ("voltage", voltage)
    return source, check_drive(source, values)


def neuron_output(
    parameters: Parameters | Sequence[Parameters], current_density=None, *, voltage=None,
    settings: NeuronSolver | None = None, window: float = NEURON_WINDOW, seed: int = 0, thermal=None,
    preamplifier: Preamplifier | None = None,
) -> NeuronResponse:
    """The neuron's response dR to a current (or a voltage) applied from equilibrium.

    Arguments:
        parameters: one record, or one per MTJ (then the drive broadcasts against them).
        current_density: [A/m^2], scalar or array; or instead
        voltage: [V] across the junction, scalar or array (the current follows V / R(m, V)).
        settings: the ODE solver (at 0 K); default `default_solver` of the model.
        window: [s], 1.5 ns by default.
        seed, thermal: above 0 K (ambient, or by Joule heating) the stochastic LLG is solved
            (`ThermalSolver` `thermal`, default settings) with noise drawn from `seed`: one realisation per entry.
        preamplifier: how dR is measured; default ideal at 0 K and `thermal_preamplifier` above.

    Returns:
        A `NeuronResponse` of numpy arrays; `.delta_r` [ohm] is the neuron output, `.energy` [J] its cost.
        A drive above the record's breakdown voltage is refused.
    """
    source, drive = drive_of(current_density, voltage)
    return response_to(parameters, source, drive, settings=settings, window=window, seed=seed, thermal=thermal,
                   preamplifier=preamplifier)


def response_to(
    parameters: Parameters | Sequence[Parameters], source: str, drive, *, settings: NeuronSolver | None = None,
    window: float = NEURON_WINDOW, seed: int = 0, thermal=None, preamplifier: Preamplifier | None = None,
) -> NeuronResponse:
    """`neuron_output` with the drive given as its source ("current" or "voltage") and its values."""
    model, law, params = as_batch(parameters)
    drive = check_drive(source, drive)
    if not (window > 0 and np.isfinite(window)):
        raise MtjphysError(f"window must be a positive duration, got {window}")
    if is_warm(parameters):
        from ._thermal import thermal_delta_r

        return thermal_delta_r(parameters, drive, source=source, seed=seed, settings=thermal,
                               window=window, preamplifier=preamplifier)
    circuit = circuit_for(parameters, source)
    settings = settings or default_solver(model)
    result = _neuron_output(model, law, settings, preamplifier or IDEAL, circuit, float(window), params, jnp.asarray(drive))
    return NeuronResponse.of(parameters, result)


@eqx.filter_jit
def _equilibrium_resistance(model, law, params):
    return model.resistance(law)(model.initial_state(params, ()), 0.0, params)


def equilibrium_resistance(parameters: Parameters) -> float:
    """R0 [ohm], the zero-bias resistance at equilibrium (m0, or the micromagnetic state relaxed from it)."""
    model, law, params = as_batch(parameters)
    return float(_equilibrium_resistance(model, law, params))
