"""Derivatives of the neuron's outputs (R(t), dR, the transfer curve) with respect to the parameter
record and the drive, through the diffrax solve.

The record's numeric entries are a pytree of float64 arrays (`Parameters.arrays`), so jax.jacfwd
and jax.grad reach every one of them. The solve is differentiated as it is discretised (the
derivative of the computed solution, the step-size controller included), with one of two adjoints:

- forward mode (`diffrax.ForwardMode`, jax.jvp / jax.jacfwd): one tangent solve per input, carried
  along the primal; memory as the forward solve. The default: a fit's Jacobian has a handful of
  columns and many rows, and the stochastic LLG's Brownian path is generated on the fly, which
  only forward mode can follow.
- reverse mode (`diffrax.RecursiveCheckpointAdjoint`, jax.grad): one backward sweep for any number
  of inputs, recomputing the forward steps from checkpoints; memory of about sqrt(2 max_steps)
  saved solver states (a macrospin's 3-vector each: nothing; a micromagnetic grid's cells each).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import xarray as xr

from .._errors import MtjphysError, random_key
from ..data._provenance import provenance
from ..device._circuit import heated_without_lag, is_warm
from ..device._device import Device, make_device, NEURON_WINDOW
from ..device._parameters import Parameters
from ..device._solve import gradient_solver, NeuronSolver
from ..device._thermal import sampled_thermal_solver, ThermalSolver

MODES = ("forward", "reverse")
# entries of the record that are not coordinates of the equations: a limit checked after the solve, and the
# two that switch a 0 K solve to the stochastic LLG (no derivative there)
NOT_DIFFERENTIABLE = ("breakdown_voltage",)
SWITCHES = ("temperature", "thermal_resistance")
COMPONENTS = ("x", "y", "z")


def from_the_step(times: np.ndarray) -> tuple[np.ndarray, int]:
    """Returns: the save times of a solve from the current step at t = 0 that reaches `times` (>= 0, increasing):
    `times`, with 0 before them where they do not start there; and how many lead them."""
    ts = times if times[0] == 0 else np.concatenate([[0.0], times])
    return ts, ts.size - times.size


def differentiable_parameters(parameters: Parameters) -> tuple[str, ...]:
    """The record's entries a neuron output can be differentiated by: every numeric entry with a finite value,
    except the breakdown voltage (a limit, not an equation's coefficient), at 0 K the temperature and
    thermal resistance (any positive value switches the solve to the stochastic LLG), and a heated junction's
    thermal time constant at 0 (`Device.varying`)."""
    arrays = parameters.arrays()
    skip = set(NOT_DIFFERENTIABLE) | (set() if is_warm(parameters) else set(SWITCHES))
    if heated_without_lag(arrays):
        skip.add("thermal_time_constant")
    return tuple(k for k, v in arrays.items() if k not in skip and bool(jnp.all(jnp.isfinite(v))))


def _labels(parameters: Parameters, names: Sequence[str]) -> list[tuple[str, str, int | None]]:
    """(label, units, component) of each scalar input: a vector entry gives one label per component."""
    specs = Parameters.specs(parameters.model)
    labels = []
    for name in names:
        units = specs[name]["units"]
        if specs[name]["shape"] == (3,):
            labels += [(f"{name}_{c}", units, i) for i, c in enumerate(COMPONENTS)]
        else:
            labels.append((name, units, None))
    return labels


def check_wrt(parameters: Parameters, wrt: Sequence[str] | None) -> tuple[str, ...]:
    """Returns: the record entries asked for (default all `differentiable_parameters`), refused in one line
    where one is not in the record or has no derivative."""
    allowed = differentiable_parameters(parameters)
    if wrt is None:
        return allowed
    for name in wrt:
        if name not in Parameters.specs(parameters.model):
            raise MtjphysError(f"{name!r} is not a parameter of model {parameters.model.name!r}")
        if name not in allowed:
            raise MtjphysError(f"the neuron output has no derivative with respect to {name!r} here (not finite, a "
                               "limit, a switch to the stochastic LLG, or a heated junction's thermal time constant "
                               "at 0)")
    return tuple(wrt)


def _jacobian(function: Callable, params: dict, drive, names: Sequence[str], mode: str):
    """d function(params, drive) / d (params[names], drive), by jacfwd or jacrev."""
    def of_inputs(free, drive):
        return function({**params, **free}, drive)

    free = {k: params[k] for k in names}
    differentiate = jax.jacfwd if mode == "forward" else jax.jacrev
    return differentiate(of_inputs, argnums=(0, 1))(free, drive)


def _sensitivity_dataset(parameters, names, jac_params, jac_drive, value, dims, coords, what: str, units: str,
                         drive_label: str, drive_units: str) -> xr.Dataset:
    """Stack the Jacobian blocks along a `parameter` dimension (vector entries by component)."""
    rows, labels, label_units = [], [], []
    for label, unit, component in _labels(parameters, names):
        name = label if component is None else label.rsplit("_", 1)[0]
        block = np.asarray(jac_params[name])
        rows.append(block if component is None else block[..., component])
        labels.append(label)
        label_units.append(unit)
    rows.append(np.asarray(jac_drive))
    labels.append(drive_label)
    label_units.append(drive_units)
    sensitivity = np.stack([np.broadcast_to(r, np.shape(value)) for r in rows])
    dataset = xr.Dataset(
        {
            what: (dims, np.asarray(value), {"units": units, "long_name": f"{what.replace('_', ' ')} at the record"}),
            "sensitivity": (("parameter",) + dims, sensitivity,
                            {"units": f"{units} per unit of the parameter (see parameter_units)",
                             "long_name": f"d {what} / d parameter"}),
        },
        coords={**coords, "parameter": ("parameter", labels, {"units": "", "long_name": "record entry or drive"}),
                "parameter_units": ("parameter", label_units, {"units": "", "long_name": "units of the parameter"})},
    )
    return dataset


@eqx.filter_jit
def _trace_jacobian(device: Device, drive, ts, names, mode):
    def resistance(params, drive):
        return device.replace(params=params).solve(drive, ts).point.resistance

    return resistance(device.params, drive), _jacobian(resistance, device.params, drive, names, mode)


@eqx.filter_jit
def _thermal_trace_jacobian(device: Device, drive, key, duration: float, names):
    ts = np.linspace(0.0, duration, device.solver.samples)

    def resistance(params, drive):
        return device.replace(params=params).solve(drive, ts, key=key).point.resistance

    return resistance(device.params, drive), _jacobian(resistance, device.params, drive, names, "forward")


def trace_sensitivity(
    parameters: Parameters, current_density: float, times=None, *, wrt: Sequence[str] | None = None,
    mode: str = "forward", settings: NeuronSolver | None = None, seed: int = 0, thermal: ThermalSolver | None = None,
) -> xr.Dataset:
    """The derivatives of the resistance trace R(t) after a current step from equilibrium.

    Arguments:
        parameters: the MTJ (a macrospin, or a micromagnetic layer on its mesh).
        current_density: the step's current density [A/m^2].
        times: increasing sample times [s] from the step, >= 0; default every picosecond of the 1.5 ns
            window. Above 0 K they must be uniform from 0.
        wrt: record entries to differentiate by (default all `differentiable_parameters`); the current
            density is always included.
        mode: "forward" or "reverse" (the adjoint; see the module's notes). Above 0 K only "forward"
            (the Brownian path of `seed` is fixed and generated on the fly).
        settings, seed, thermal: the ODE solver at 0 K (default the model's); above 0 K the noise seed
            and the `ThermalSolver`.

    Returns:
        Dataset with `resistance(time)` and `sensitivity(parameter, time)`, dR(t)/dp in the units of
        `parameter_units` (vector entries by component, e.g. `H_ext_z`), and the usual provenance.
    """
    names = check_wrt(parameters, wrt)
    if mode not in MODES:
        raise MtjphysError(f"differentiation mode must be 'forward' or 'reverse', got {mode!r}")
    if not math.isfinite(current_density):
        raise MtjphysError(f"current density must be finite, got {current_density}")
    device = make_device(parameters, settings=settings, thermal=thermal).varying(names)
    times = np.linspace(0.0, NEURON_WINDOW, 1501) if times is None else np.asarray(times, dtype=np.float64)
    if times.ndim != 1 or times.size < 2 or not np.all(np.isfinite(times)) or times[0] < 0 \
            or np.any(np.diff(times) <= 0):
        raise MtjphysError("times must be at least 2 finite, strictly increasing values >= 0 s")
    drive = jnp.float64(current_density)
    if device.thermal:
        if mode != "forward":
            raise MtjphysError("above 0 K the trace is differentiated in forward mode only (the Brownian path is "
                               "generated as the solve goes)")
        spacing = float(times[1] - times[0])
        if times[0] != 0 or not np.allclose(np.diff(times), spacing, rtol=1e-9, atol=0):
            raise MtjphysError("above 0 K the times must be uniform from 0 s")
        device = device.replace(solver=sampled_thermal_solver(device.solver, spacing, times.size))
        value, (jac_params, jac_drive) = _thermal_trace_jacobian(device, drive, random_key(seed), float(times[-1]),
                                                                 names)
    else:
        device = device.replace(solver=gradient_solver(device.solver, mode))
        ts, lead = from_the_step(times)
        value, (jac_params, jac_drive) = _trace_jacobian(device, drive, jnp.asarray(ts), names, mode)
        keep = slice(lead, None)
        value, jac_drive = value[keep], jac_drive[keep]
        jac_params = {k: v[keep] for k, v in jac_params.items()}
    time = xr.DataArray(times, dims="time", attrs={"units": "s", "long_name": "time since the current step"})
    dataset = _sensitivity_dataset(parameters, names, jac_params, jac_drive, value, ("time",), {"time": time},
                                   "resistance", "ohm", "current_density", "A/m^2")
    dataset["current_density"] = ((), float(current_density), {"units": "A/m^2", "long_name": "current density"})
    dataset.attrs.update(provenance(parameters, differentiation=mode, seed=seed if device.thermal else None,
                                    **device.describe()))
    return dataset


@eqx.filter_jit
def _transfer_jacobian(device: Device, drive, names, mode):
    def outputs(params, drive):
        window = device.replace(params=params).window(drive)
        return jnp.stack([window.extrema.delta_r, window.energy])

    return outputs(device.params, drive), _jacobian(outputs, device.params, drive, names, mode)


def transfer_sensitivity(
    parameters: Parameters, current_densities, *, wrt: Sequence[str] | None = None, mode: str = "forward",
    settings: NeuronSolver | None = None,
) -> xr.Dataset:
    """The derivatives of the transfer curve dR(j) and of the window energy, at 0 K.

    Arguments:
        parameters: the MTJ (at 0 K: above it dR is a mean over realisations; see `trace_sensitivity` for
            one realisation's trace).
        current_densities: [A/m^2], a 1-D array.
        wrt, mode, settings: as for `trace_sensitivity`.

    Returns:
        Dataset over `current_density` with `delta_r`, `energy`, their `sensitivity(parameter,
        current_density)` and `energy_sensitivity(parameter, current_density)`; the row `current_density`
        holds d/dj at each point (dR's slope), in the units of `parameter_units`.
    """
    if is_warm(parameters):
        raise MtjphysError("the transfer curve is differentiated at 0 K; above it, differentiate one realisation's "
                           "trace (trace_sensitivity)")
    names = check_wrt(parameters, wrt)
    js = np.asarray(current_densities, dtype=np.float64)
    if js.ndim != 1 or js.size < 1 or not np.all(np.isfinite(js)):
        raise MtjphysError("current densities must be a 1-D array of finite values")
    device = make_device(parameters, settings=settings).varying(names)
    device = device.replace(solver=gradient_solver(device.solver, mode))
    value, (jac_params, jac_drive) = _transfer_jacobian(device, jnp.asarray(js), names, mode)
    # d output_i / d j_k is diagonal: each current is its own MTJ
    diagonal = np.einsum("oii->oi", np.asarray(jac_drive))
    coordinate = xr.DataArray(js, dims="current_density", attrs={"units": "A/m^2", "long_name": "current density"})
    parts = []
    for index, (what, units) in enumerate((("delta_r", "ohm"), ("energy", "J"))):
        part = _sensitivity_dataset(parameters, names, {k: np.asarray(v)[index] for k, v in jac_params.items()},
                                    diagonal[index], value[index], ("current_density",),
                                    {"current_density": coordinate}, what, units, "current_density", "A/m^2")
        parts.append(part if index == 0 else part.rename(sensitivity=f"{what}_sensitivity"))
    dataset = xr.merge(parts, compat="override")
    dataset.attrs.update(provenance(parameters, differentiation=mode, **device.describe()))
    return dataset
