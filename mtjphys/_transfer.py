"""Neuron datasets: a resistance trace R(t), and the transfer curve dR(j)."""

from __future__ import annotations

import math

import equinox as eqx
import jax.numpy as jnp
import numpy as np
import xarray as xr

from ._datasets import provenance
from ._errors import MtjphysError, random_key
from ._neuron import as_batch, equilibrium_resistance, Extrema, neuron_output, NEURON_WINDOW
from ._parameters import Parameters
from ._readout import Readout
from ._solve import integrate, NeuronSolver
from ._thermal import default_readout, thermal_delta_r, thermal_realisation, ThermalSolver

MAX_SAMPLES = 2**22  # of one trace: about 200 MB of m(t) and R(t)
# The paper's operating window of current densities [A/m^2].
OPERATING_WINDOW = (0.8e10, 1.0e10)


def _current_coordinate(values) -> xr.DataArray:
    return xr.DataArray(np.asarray(values, dtype=np.float64), dims="current_density",
                        attrs={"units": "A/m^2", "long_name": "current density"})


@eqx.filter_jit
def _trace(model, law, settings, params, current_density, ts):
    m = integrate(model, settings, params["m0"], current_density, params, ts)
    return m, model.resistance(law)(m, params)


def neuron_trace(
    parameters: Parameters, current_density: float, *, duration: float = NEURON_WINDOW,
    time_step: float = 1e-12, settings: NeuronSolver = NeuronSolver(), seed: int = 0,
    thermal: ThermalSolver = ThermalSolver(), readout: Readout | None = None,
) -> xr.Dataset:
    """R(t) and m(t) after a current step from equilibrium, with the neuron output marked.

    Arguments:
        parameters: the MTJ.
        current_density: [A/m^2].
        duration: [s] simulated; the neuron output is taken over the first 1.5 ns.
        time_step: [s] spacing of the saved samples.
        settings: the ODE solver (0 K).
        seed, thermal: above 0 K one realisation of the stochastic LLG with this `ThermalSolver`
            (its step refined, if need be, to divide `time_step`), noise drawn from `seed`.
        readout: how dR is measured; default ideal at 0 K and `thermal_readout` above.

    Returns:
        Dataset with `resistance(time)`, `m(time, component)`, the scalar `delta_r` and the
        last maximum/minimum it is measured between.
    """
    if not (np.isfinite(current_density)):
        raise MtjphysError("current density must be finite")
    if not (np.isfinite(duration) and duration >= NEURON_WINDOW):
        raise MtjphysError(f"duration must be at least the neuron window, {NEURON_WINDOW:g} s; got {duration:g}")
    if not (np.isfinite(time_step) and 0 < time_step <= NEURON_WINDOW / 10):
        raise MtjphysError(f"time step must lie in (0, {NEURON_WINDOW / 10:g}] s; got {time_step:g}")
    model, law, params = as_batch(parameters)
    count = round(duration / time_step) + 1
    if count > MAX_SAMPLES:
        raise MtjphysError(f"duration / time step gives {count} samples; at most {MAX_SAMPLES} (shorten the "
                           "duration or lengthen the time step)")
    ts = np.linspace(0.0, duration, count)
    hot = parameters["temperature"] > 0
    readout = readout if readout is not None else default_readout(parameters)
    if hot:
        thermal = sampled_thermal_solver(thermal, ts[1] - ts[0], ts.size)
        m, resistance, extrema = _thermal_trace(parameters, current_density, ts, seed, thermal, readout)
        solver_attrs = thermal.describe()
    else:
        m, resistance = _trace(model, law, settings, params, jnp.float64(current_density), jnp.asarray(ts))
        extrema = neuron_output(parameters, current_density, settings=settings, readout=readout)
        solver_attrs = settings.describe()
    solver_attrs.update(readout.describe())
    time = xr.DataArray(ts, dims="time", attrs={"units": "s", "long_name": "time since the current was switched on"})
    dataset = xr.Dataset(
        {
            "resistance": ("time", np.asarray(resistance), {"units": "ohm", "long_name": "MTJ resistance"}),
            "m": (("time", "component"), np.asarray(m),
                  {"units": "1", "long_name": "free-layer magnetization direction"}),
            "delta_r": ((), float(extrema.delta_r),
                        {"units": "ohm", "long_name": "neuron output: last max minus last min of R in the window"}),
            "resistance_last_max": ((), float(extrema.resistance_max),
                {"units": "ohm", "long_name": "last maximum of R in the window"}),
            "resistance_last_min": ((), float(extrema.resistance_min),
                {"units": "ohm", "long_name": "last minimum of R in the window"}),
            "time_last_max": ((), float(extrema.time_max), {"units": "s", "long_name": "time of the last maximum"}),
            "time_last_min": ((), float(extrema.time_min), {"units": "s", "long_name": "time of the last minimum"}),
            "resistance_equilibrium": ((), equilibrium_resistance(parameters),
                {"units": "ohm", "long_name": "R0, resistance at equilibrium"}),
            "current_density": ((), float(current_density), {"units": "A/m^2", "long_name": "current density"}),
        },
        coords={"time": time, "component": ("component", ["x", "y", "z"],
                                             {"units": "", "long_name": "Cartesian component"})},
    )
    dataset.attrs.update(provenance(parameters, seed=seed if parameters["temperature"] > 0 else None,
                                    neuron_window=NEURON_WINDOW, **solver_attrs))
    return dataset


def sampled_thermal_solver(thermal: ThermalSolver, spacing: float, samples: int) -> ThermalSolver:
    """`thermal` saving `samples` points `spacing` apart, its step refined (never coarsened) to
    divide the spacing: dt = spacing / ceil(spacing / thermal.dt)."""
    substeps = max(1, math.ceil(spacing / thermal.dt * (1 - 1e-9)))
    return eqx.tree_at(lambda s: (s.dt, s.samples), thermal, (spacing / substeps, samples))


def _thermal_trace(parameters: Parameters, current_density: float, ts: np.ndarray, seed: int, thermal: ThermalSolver,
                   readout: Readout):
    """One stochastic realisation on the grid `ts`, and the neuron output measured on it."""
    model, law, params = as_batch(parameters)
    m = thermal_realisation(model, thermal, params, jnp.float64(current_density), random_key(seed),
                            float(ts[-1]))
    resistance = model.resistance(law)(m, params)
    in_window = ts <= NEURON_WINDOW * (1 + 1e-9)
    extrema = readout.extrema(ts[in_window], resistance[in_window])
    return np.asarray(m), np.asarray(resistance), Extrema(*(np.asarray(x) for x in extrema))


def transfer_curve(
    parameters: Parameters, current_densities=None, *, settings: NeuronSolver = NeuronSolver(),
    seed: int = 0, samples: int = 64, thermal: ThermalSolver = ThermalSolver(), readout: Readout | None = None,
) -> xr.Dataset:
    """The neuron's transfer curve dR(j).

    Arguments:
        parameters: the MTJ.
        current_densities: [A/m^2], increasing; default 41 points over the operating window.
        settings: the ODE solver (0 K).
        seed, samples, thermal: above 0 K, `samples` realisations of the stochastic LLG per current
            (noise from `seed`); `delta_r` is then their mean and `delta_r_std` their spread.
        readout: how dR is measured; default ideal at 0 K and `thermal_readout` above.

    Returns:
        Dataset with `delta_r(current_density)`, `delta_r_normalized` (mapped linearly onto
        [0, 1] between its smallest and largest value) and scalar `resistance_equilibrium`.
    """
    if current_densities is None:
        current_densities = np.linspace(*OPERATING_WINDOW, 41)
    js = np.asarray(current_densities, dtype=np.float64)
    if js.ndim != 1 or js.size < 2:
        raise MtjphysError("a transfer curve needs at least 2 current densities")
    if not np.all(np.isfinite(js)) or np.any(np.diff(js) <= 0):
        raise MtjphysError("current densities must be finite and strictly increasing")
    hot = parameters["temperature"] > 0
    readout = readout if readout is not None else default_readout(parameters)
    if hot:
        if samples < 2:
            raise MtjphysError(f"need at least 2 samples per current above 0 K, got {samples}")
        realisations = thermal_delta_r(parameters, np.repeat(js[:, None], samples, axis=1), seed=seed,
                                       settings=thermal, readout=readout).delta_r
        delta_r, delta_r_std = realisations.mean(axis=1), realisations.std(axis=1, ddof=1)
    else:
        delta_r = neuron_output(parameters, js, settings=settings, readout=readout).delta_r
    span = delta_r.max() - delta_r.min()
    normalized = (delta_r - delta_r.min()) / span if span > 0 else np.zeros_like(delta_r)
    dataset = xr.Dataset(
        {
            "delta_r": ("current_density", delta_r,
                        {"units": "ohm", "long_name": "neuron output dR (last max minus last min of R in 1.5 ns)"}),
            "delta_r_normalized": ("current_density", normalized,
                                   {"units": "1", "long_name": "dR mapped linearly onto [0, 1] over this curve"}),
            "resistance_equilibrium": ((), equilibrium_resistance(parameters),
                                       {"units": "ohm", "long_name": "R0, resistance at equilibrium"}),
        },
        coords={"current_density": _current_coordinate(js)},
    )
    if hot:
        dataset["delta_r"].attrs["long_name"] = f"mean neuron output dR over {samples} thermal realisations"
        dataset["delta_r_std"] = ("current_density", delta_r_std,
                                  {"units": "ohm", "long_name": "standard deviation of dR across realisations"})
    solver_attrs = thermal.describe() if hot else settings.describe()
    dataset.attrs.update(provenance(parameters, seed=seed if hot else None, neuron_window=NEURON_WINDOW,
                                    samples_per_current=samples if hot else 1, **solver_attrs, **readout.describe()))
    return dataset
