"""The MTJ as a neuron: a current pulse from equilibrium, and the amplitude dR of the damped
resistance ringing at the end of a 1.5 ns window."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import equinox as eqx
import jax.numpy as jnp
import numpy as np

from .._errors import MtjphysError, random_key
from ._circuit import check_limits, WindowResponse
from ._device import as_device, Device, make_device, NEURON_WINDOW
from ._parameters import Parameters
from ._preamplifier import IDEAL, Preamplifier
from ._solve import NeuronSolver
from ._thermal import ThermalSolver


class NeuronResponse(NamedTuple):
    """The neuron's response to one window, per MTJ (numpy arrays).

    Arguments:
        delta_r: the neuron output dR = resistance_max - resistance_min [ohm].
        resistance_max, resistance_min, time_max, time_min: the last maximum and minimum of R(t) [ohm, s].
        energy: the energy the junction dissipates over the window [J].
        voltage_max: the largest voltage across the barrier [V].
        power_max: the largest power dissipated [W].
        temperature_max: the free layer's highest temperature [K] (ambient plus Joule heating).
    """

    delta_r: np.ndarray
    resistance_max: np.ndarray
    resistance_min: np.ndarray
    time_max: np.ndarray
    time_min: np.ndarray
    energy: np.ndarray
    voltage_max: np.ndarray
    power_max: np.ndarray
    temperature_max: np.ndarray

    @classmethod
    def of(cls, device: Device, window: WindowResponse) -> NeuronResponse:
        """The response of a computed window, refused in one line where the drive exceeds the device's limits."""
        check_limits(device.params, window)
        extrema = (np.asarray(x) for x in window.extrema)
        return cls(*extrema, *(np.asarray(x) for x in (window.energy, window.voltage_max, window.power_max,
                                                         window.temperature_max)))


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


def check_duration(window: float) -> float:
    """Returns: the window [s], refused in one line unless a positive duration."""
    if not (window > 0 and np.isfinite(window)):
        raise MtjphysError(f"window must be a positive duration, got {window}")
    return float(window)


@eqx.filter_jit
def _window(device: Device, drive, duration: float, key):
    return device.window(drive, key=key, duration=duration)


def respond(device: Device, drive, *, window: float = NEURON_WINDOW, seed: int = 0) -> NeuronResponse:
    """The device's response to one window under `drive` (its source's values, any shape broadcast against
    the device): one realisation per entry above 0 K, the noise drawn from `seed`."""
    key = random_key(seed) if device.thermal else None
    result = _window(device, jnp.asarray(check_drive(device.circuit.source, drive)), check_duration(window), key)
    return NeuronResponse.of(device, result)


def neuron_output(
    parameters: Parameters | Sequence[Parameters] | Device, current_density=None, *, voltage=None,
    settings: NeuronSolver | None = None, window: float = NEURON_WINDOW, seed: int = 0,
    thermal: ThermalSolver | None = None, preamplifier: Preamplifier | None = None,
) -> NeuronResponse:
    """The neuron's response dR to a current (or a voltage) applied from equilibrium.

    Arguments:
        parameters: one record, one per MTJ (then the drive broadcasts against them), or a `Device`.
        current_density: [A/m^2], scalar or array; or instead
        voltage: [V] across the junction, scalar or array (the current follows V / R(m, V)).
        settings, thermal, preamplifier: how the records are computed (see `make_device`; a `Device`
            carries its own).
        window: [s], 1.5 ns by default.
        seed: above 0 K (ambient, or by Joule heating) the stochastic LLG is solved with noise drawn from
            `seed`: one realisation per entry.

    Returns:
        A `NeuronResponse` of numpy arrays; `.delta_r` [ohm] is the neuron output, `.energy` [J] its cost.
        A drive above the record's breakdown voltage is refused.
    """
    source, drive = drive_of(current_density, voltage)
    device = as_device(parameters, source, settings=settings, thermal=thermal, preamplifier=preamplifier,
                       window=check_duration(window))
    return respond(device, drive, window=window, seed=seed)


@eqx.filter_jit
def _equilibrium_resistance(device: Device):
    return device.model.resistance(device.law)(device.equilibrium(), 0.0, device.params)


def equilibrium_resistance(parameters: Parameters | Device) -> float:
    """R0 [ohm], the zero-bias resistance at equilibrium (m0, or the micromagnetic state relaxed from it)."""
    device = parameters if isinstance(parameters, Device) else make_device(parameters, preamplifier=IDEAL)  # no dR read
    return float(_equilibrium_resistance(device))
