"""Neuron datasets: a resistance trace R(t), and the transfer curve dR(j)."""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
import numpy as np
import xarray as xr

from .._defaults import OPERATING_RANGE
from .._errors import MtjphysError, random_key
from ..data._provenance import provenance
from ..grid._mesh import field_variable, mesh_variables
from ._chunks import solve_in_chunks, window_chunks
from ._circuit import OperatingPoint, sampled_window, Trace
from ._device import as_device, Device, NEURON_WINDOW
from ._neuron import drive_of, equilibrium_resistance, NeuronResponse, respond
from ._parameters import Parameters
from ._preamplifier import Preamplifier
from ._solve import NeuronSolver
from ._thermal import sampled_thermal_solver, ThermalSolver

MAX_SAMPLES = 2**22  # of one trace: about 200 MB of m(t) and R(t)


def _current_coordinate(values) -> xr.DataArray:
    return xr.DataArray(np.asarray(values, dtype=np.float64), dims="current_density",
                        attrs={"units": "A/m^2", "long_name": "current density"})


@eqx.filter_jit
def _trace(device: Device, drive, ts, m0=None):
    return device.solve(drive, ts, m0=m0)


@eqx.filter_jit
def _realisation(device: Device, drive, duration: float, key, m0=None):
    return device.solve(drive, np.linspace(0.0, duration, device.solver.samples), key=key, m0=m0)


def _one_mtj(parameters, what: str, source: str, **options) -> Device:
    """The device of one MTJ (records through `make_device`), refused in one line if it is a batch."""
    if not isinstance(parameters, (Parameters, Device)):
        raise MtjphysError(f"{what} is of one MTJ: give one parameter record or its Device")
    device = as_device(parameters, source, **options)
    if device.batch_shape(0.0):
        raise MtjphysError(f"{what} is of one MTJ; this device is a batch of {device.batch_shape(0.0)}")
    return device


def _at(trace: Trace, samples) -> Trace:
    """The trace at some of its samples (an index or mask)."""
    temperature = None if trace.temperature is None else trace.temperature[samples]
    return Trace(trace.m[samples], OperatingPoint(*(x[samples] for x in trace.point)), trace.end,
                 temperature=temperature)


def _drive_variable(source: str, value: float) -> dict:
    if source == "current":
        return {"current_density": ((), value, {"units": "A/m^2", "long_name": "current density"})}
    return {"drive_voltage": ((), value, {"units": "V", "long_name": "voltage applied across the junction"})}


def neuron_trace(
    parameters: Parameters | Device, current_density: float | None = None, *, voltage: float | None = None,
    duration: float = NEURON_WINDOW, time_step: float = 1e-12, settings: NeuronSolver | None = None, seed: int = 0,
    thermal: ThermalSolver | None = None, preamplifier: Preamplifier | None = None, m0=None,
) -> xr.Dataset:
    """R(t), m(t) and the junction's electrical state after a current (or voltage) step from
    equilibrium (or from `m0`), with the neuron output and the window's energy.

    Arguments:
        parameters: the MTJ: its record, or its `Device`.
        current_density: [A/m^2]; or instead
        voltage: [V] across the junction (the current follows V / R(m, V) in time).
        duration: [s] simulated; the neuron output and energy are taken over the first 1.5 ns.
        time_step: [s] spacing of the saved samples.
        settings, thermal, preamplifier: how the record is computed (see `make_device`; a `Device`
            carries its own). Above 0 K the stochastic solver's step is refined, if need be, to divide
            `time_step`.
        seed: above 0 K (ambient, or by Joule heating) one realisation of the stochastic LLG, its noise
            drawn from `seed`.
        m0: the state the step starts from, of the model's state shape (a micromagnetic grid's (nx, ny, nz, 3),
            e.g. `ovf_initial_state`'s); default the equilibrium (above 0 K a thermal state about it).

    Returns:
        Dataset with `resistance`, `voltage`, `current`, `power`, `temperature` (over `time`) and
        `m(time, component)`; the scalars `delta_r` (with the last maximum/minimum it is measured
        between) and `energy` of the window. A drive above the breakdown voltage is refused.
    """
    source, drive = drive_of(current_density, voltage)
    if drive.ndim:
        raise MtjphysError("a trace is of one drive; give one current density or one voltage")
    drive = float(drive)
    if not (np.isfinite(duration) and duration >= NEURON_WINDOW):
        raise MtjphysError(f"duration must be at least the neuron window, {NEURON_WINDOW:g} s; got {duration:g}")
    if not (np.isfinite(time_step) and 0 < time_step <= NEURON_WINDOW / 10):
        raise MtjphysError(f"time step must lie in (0, {NEURON_WINDOW / 10:g}] s; got {time_step:g}")
    device = _one_mtj(parameters, "a trace", source, settings=settings, thermal=thermal, preamplifier=preamplifier)
    params = device.params
    if m0 is not None:
        m0 = np.asarray(m0, dtype=np.float64)
        if m0.shape != tuple(device.model.state_shape) or not np.isfinite(m0).all():
            raise MtjphysError(f"m0 must be a finite state of shape {tuple(device.model.state_shape)}, got shape "
                               f"{m0.shape}")
        m0 = jnp.asarray(m0)
    count = round(duration / time_step) + 1
    if count > MAX_SAMPLES:
        raise MtjphysError(f"duration / time step gives {count} samples; at most {MAX_SAMPLES} (shorten the "
                           "duration or lengthen the time step)")
    ts = np.linspace(0.0, duration, count)
    if device.thermal:  # one realisation on the trace's own times, the step refined to divide their spacing
        device = device.replace(solver=sampled_thermal_solver(device.solver, ts[1] - ts[0], ts.size))
        trace = _realisation(device, jnp.float64(drive), float(ts[-1]), random_key(seed), m0)
        in_window = ts <= NEURON_WINDOW * (1 + 1e-9)
        head = _at(trace, in_window)
        response = NeuronResponse.of(device, sampled_window(device.preamplifier, ts[in_window], head, params))
    else:  # one solve, saved on the trace's times and on the neuron's own window samples
        window_ts = np.linspace(0.0, NEURON_WINDOW, device.solver.samples)
        grid = np.union1d(ts, window_ts)
        if device.mesh is None:
            full = _trace(device, jnp.float64(drive), jnp.asarray(grid), m0)
        else:  # a grid's window in chunks: a progress bar, and Ctrl-C stops it between two
            full = solve_in_chunks(device, jnp.float64(drive), grid, m0=m0, chunks=window_chunks(device, float(ts[-1])),
                                   progress=device.solver.progress)
        trace, head = (_at(full, np.searchsorted(grid, times)) for times in (ts, window_ts))
        response = NeuronResponse.of(device, sampled_window(device.preamplifier, window_ts, head, params))
    m, point = trace.m, trace.point
    power = point.power(params)
    time = xr.DataArray(ts, dims="time", attrs={"units": "s", "long_name": "time since the drive was switched on"})
    dataset = xr.Dataset(
        {
            "resistance": ("time", np.asarray(point.resistance), {"units": "ohm", "long_name": "MTJ resistance"}),
            "voltage": ("time", np.asarray(point.voltage), {"units": "V", "long_name": "voltage across the barrier"}),
            "current": ("time", np.asarray(point.current_density * params["area"]),
                        {"units": "A", "long_name": "current through the junction"}),
            "power": ("time", np.asarray(power), {"units": "W", "long_name": "power dissipated in the junction"}),
            "temperature": ("time", np.asarray(trace.free_layer_temperature(params)),
                            {"units": "K", "long_name": "free-layer temperature (ambient plus Joule heating)"}),
            "m": (("time", "component"), np.asarray(m),
                  {"units": "1", "long_name": "free-layer magnetization direction"}),
            "delta_r": ((), float(response.delta_r),
                        {"units": "ohm", "long_name": "neuron output: last max minus last min of R in the window"}),
            "resistance_last_max": ((), float(response.resistance_max),
                {"units": "ohm", "long_name": "last maximum of R in the window"}),
            "resistance_last_min": ((), float(response.resistance_min),
                {"units": "ohm", "long_name": "last minimum of R in the window"}),
            "time_last_max": ((), float(response.time_max), {"units": "s", "long_name": "time of the last maximum"}),
            "time_last_min": ((), float(response.time_min), {"units": "s", "long_name": "time of the last minimum"}),
            "energy": ((), float(response.energy),
                       {"units": "J", "long_name": "energy dissipated in the junction over the window"}),
            "resistance_equilibrium": ((), equilibrium_resistance(device),
                {"units": "ohm", "long_name": "R0, zero-bias resistance at equilibrium"}),
            **_drive_variable(source, drive),
        },
        coords={"time": time, "component": ("component", ["x", "y", "z"],
                                             {"units": "", "long_name": "Cartesian component"})},
    )
    if device.mesh is not None:
        dataset["m"].attrs["long_name"] = "free-layer magnetization direction, averaged over the cells (Ms-weighted)"
        dataset = dataset.merge(mesh_variables(device.mesh))
        dataset["m_final"] = field_variable(device.mesh, np.asarray(trace.end),
                                            f"magnetization of every cell at t = {ts[-1]:.4g} s")
    dataset.attrs.update(provenance(device.record, seed=seed if device.thermal else None, neuron_window=NEURON_WINDOW,
                                    **device.describe()))
    if m0 is not None:
        dataset.attrs["initial_state"] = "m0 given"  # not the equilibrium (the command line names its OVF file)
    return dataset


def transfer_curve(
    parameters: Parameters | Device, current_densities=None, *, voltages=None, settings: NeuronSolver | None = None,
    seed: int = 0, samples: int = 64, thermal: ThermalSolver | None = None, preamplifier: Preamplifier | None = None,
) -> xr.Dataset:
    """The neuron's transfer curve dR(j), or dR(V) under a voltage drive.

    Arguments:
        parameters: the MTJ: its record, or its `Device`.
        current_densities: [A/m^2], increasing; default 41 points over the operating range.
        voltages: [V], increasing, instead of current densities: the junction driven by a voltage.
        settings, thermal, preamplifier: how the record is computed (see `make_device`; a `Device`
            carries its own).
        seed, samples: above 0 K, `samples` realisations of the stochastic LLG per current (noise from
            `seed`); `delta_r` is then their mean and `delta_r_std` their spread.

    Returns:
        Dataset over `current_density` (or `voltage`) with `delta_r`, `delta_r_normalized` (mapped
        linearly onto [0, 1] between its smallest and largest value; above 0 K NaN, with a note, where the
        mean changes by less than 3 standard errors along the curve: noise has no shape), the window's `energy` and
        largest voltage `voltage_max`, with Joule heating the free layer's highest temperature
        `temperature_max`, and the scalar `resistance_equilibrium`. A drive above the breakdown voltage is
        refused.
    """
    if current_densities is None and voltages is None:
        current_densities = np.linspace(*OPERATING_RANGE, 41)
    source, js = drive_of(current_densities, voltages)
    what = "current densities" if source == "current" else "voltages"
    if js.ndim != 1 or js.size < 2:
        raise MtjphysError(f"a transfer curve needs at least 2 {what}")
    if np.any(np.diff(js) <= 0):
        raise MtjphysError(f"{what} must be strictly increasing")
    device = _one_mtj(parameters, "a transfer curve", source, settings=settings, thermal=thermal,
                      preamplifier=preamplifier)
    hot = device.thermal
    if hot:
        if samples < 2:
            raise MtjphysError(f"need at least 2 samples per current above 0 K, got {samples}")
        response = respond(device, np.repeat(js[:, None], samples, axis=1), seed=seed)
        delta_r, delta_r_std = response.delta_r.mean(axis=1), response.delta_r.std(axis=1, ddof=1)
        energy, voltage_max = response.energy.mean(axis=1), response.voltage_max.max(axis=1)
    else:
        response = respond(device, js)
        delta_r, energy, voltage_max = response.delta_r, response.energy, response.voltage_max
    dim = "current_density" if source == "current" else "voltage"
    span = delta_r.max() - delta_r.min()
    # above 0 K the mean's own noise: a curve that changes no more than that carries no shape to normalise
    noise = 3 * float(np.max(delta_r_std)) / np.sqrt(samples) if hot else 0.0
    shaped = span > noise and span > 0
    normalized = (delta_r - delta_r.min()) / span if shaped else np.full_like(delta_r, np.nan if hot else 0.0)
    coordinate = _current_coordinate(js) if source == "current" else xr.DataArray(
        js, dims="voltage", attrs={"units": "V", "long_name": "voltage applied across the junction"})
    dataset = xr.Dataset(
        {
            "delta_r": (dim, delta_r,
                        {"units": "ohm", "long_name": "neuron output dR (last max minus last min of R in 1.5 ns)"}),
            "delta_r_normalized": (dim, normalized,
                                   {"units": "1", "long_name": "dR mapped linearly onto [0, 1] over this curve"}),
            "energy": (dim, energy, {"units": "J", "long_name": "energy dissipated in the junction over the window"}),
            "voltage_max": (dim, voltage_max, {"units": "V", "long_name": "largest voltage across the barrier"}),
            "resistance_equilibrium": ((), equilibrium_resistance(device),
                                       {"units": "ohm", "long_name": "R0, zero-bias resistance at equilibrium"}),
        },
        coords={dim: coordinate},
    )
    if hot:
        dataset["delta_r"].attrs["long_name"] = f"mean neuron output dR over {samples} thermal realisations"
        dataset["energy"].attrs["long_name"] = f"mean window energy over {samples} thermal realisations"
        dataset["delta_r_std"] = (dim, delta_r_std,
                                  {"units": "ohm", "long_name": "standard deviation of dR across realisations"})
        if not shaped:
            dataset["delta_r_normalized"].attrs["note"] = (
                f"not computed: the mean changes by {span:.3g} ohm along the curve, within 3 standard errors of "
                f"the mean ({noise:.3g} ohm)")
    if device.circuit.heating:
        hottest = response.temperature_max.max(axis=1) if hot else response.temperature_max
        dataset["temperature_max"] = (dim, hottest, {"units": "K", "long_name": "free layer's highest temperature "
                                                     "in the window (ambient plus Joule heating)"})
    if device.mesh is not None:
        dataset = dataset.merge(mesh_variables(device.mesh))
    dataset.attrs.update(provenance(device.record, seed=seed if hot else None, neuron_window=NEURON_WINDOW,
                                    samples_per_current=samples if hot else 1, **device.describe()))
    return dataset
