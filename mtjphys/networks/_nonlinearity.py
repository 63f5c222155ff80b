"""The neurons of a network: r = f(x), for MTJs r_i = 2 F_i(j_i(x_i)) - 1 with F_i the normalised dR.

In `device` mode every MTJ is integrated by the LLG solver in every step (from equilibrium, or from
where its previous window ended with `carry_magnetization`), by the stochastic LLG when its
temperature is above zero; in `surrogate` mode F_i is interpolated from a transfer curve, or at
finite temperature drawn from the SDE-sampled distribution of dR at that current. `Tanh` is the
classic rate neuron, for checks. The window energy each MTJ dissipates is tabulated beside them.
"""

from __future__ import annotations

import abc
import functools
from collections.abc import Sequence
from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import xarray as xr

from .._errors import MtjphysError
from ..device._circuit import is_warm
from ..device._device import as_device, Device, make_device, NEURON_WINDOW
from ..device._neuron import neuron_output, respond
from ..device._parameters import Parameters
from ..device._preamplifier import Preamplifier
from ..device._solve import NeuronSolver
from ..device._thermal import ThermalSolver
from ..device._transfer import OPERATING_RANGE

MODES = ("device", "surrogate")  # of MTJ networks; "tanh" networks are for checks


class AbstractNonlinearity(eqx.Module):
    """A layer of neurons: states x (N,) -> outputs r (N,), carrying each neuron's magnetization.

    A subclass sets the class variable `mode` (how it computes, e.g. "device") and implements
    `__call__`. Networks save it by its import path and fields (`mtjphys.data.module_to_dataset`), so a user's
    own nonlinearity saves and reloads like the built-in ones.
    """

    mode: eqx.AbstractClassVar[str]

    @abc.abstractmethod
    def __call__(self, x: jnp.ndarray, magnetization: jnp.ndarray, key: jax.Array) -> tuple[jnp.ndarray, jnp.ndarray]:
        """Arguments: states, magnetizations, and a key for this step's noise (if any).
        Returns: (r, magnetizations at the end of the step)."""


class Tanh(AbstractNonlinearity):
    """r = tanh(x): the classic rate network, for checks that do not involve MTJs."""

    mode: ClassVar[str] = "tanh"

    def __call__(self, x, magnetization, key):
        return jnp.tanh(x), magnetization


# The fields every MTJ nonlinearity holds (equinox: fields live in the final classes).
def _current_range_field():
    return eqx.field(static=True, metadata={"units": "A/m^2", "long_name": "current range (j_min, j_max)"})


def _delta_r_range_field():
    return eqx.field(static=True, metadata={"units": "ohm", "long_name": "dR of the nominal MTJ at j_min and j_max"})


def _gain_field():
    return eqx.field(default=None, kw_only=True, metadata={
        "dims": ("mtj",), "units": "1", "long_name": "factor on each MTJ's current density"})


def _grid_field():
    return eqx.field(metadata={"dims": ("surrogate_current_density",), "units": "A/m^2",
                               "long_name": "current density of the surrogate curve"})


class AbstractMtjNonlinearity(AbstractNonlinearity):
    """MTJs as neurons: x -> current j -> dR -> r = 2F - 1, F the normalised dR.

    Subclasses hold:
        current_range: (j_min, j_max) [A/m^2]; x in [-1, 1] maps linearly onto it (clipped).
        delta_r_range: (dR at j_min, dR at j_max) of the nominal device [ohm].
        current_gain: optional per-MTJ factor on the current density, (N,): a drive that sets
            the current I rather than the density gives j_i = I / area_i, i.e. a gain
            area_nominal / area_i.
    and implement `delta_r`.
    """

    current_range: eqx.AbstractVar[tuple[float, float]]
    delta_r_range: eqx.AbstractVar[tuple[float, float]]
    current_gain: eqx.AbstractVar[jnp.ndarray | None]

    @abc.abstractmethod
    def delta_r(self, current_density: jnp.ndarray, magnetization: jnp.ndarray,
                key: jax.Array) -> tuple[jnp.ndarray, jnp.ndarray]:
        """Returns: (dR [ohm] of each MTJ, magnetizations at the end of the window)."""

    def currents(self, x: jnp.ndarray) -> jnp.ndarray:
        j_min, j_max = self.current_range
        j = j_min + (j_max - j_min) * jnp.clip((1 + x) / 2, 0.0, 1.0)
        return j if self.current_gain is None else j * self.current_gain

    def __call__(self, x, magnetization, key):
        low, high = self.delta_r_range
        delta_r, magnetization = self.delta_r(self.currents(x), magnetization, key)
        return 2 * (delta_r - low) / (high - low) - 1, magnetization


class DeviceNonlinearity(AbstractMtjNonlinearity):
    """Every MTJ integrated by its device's solver (vmapped as one batch) in every step: the LLG at 0 K,
    the stochastic LLG with fresh noise from the step's key above it.

    Arguments:
        current_range, delta_r_range, current_gain: see `AbstractMtjNonlinearity`.
        device: the MTJs (`make_device`): shared parameters (scalars) or one record each (leading axis N).
        carry_magnetization: start each window where the previous one ended (the device's own
            memory) instead of at equilibrium.
    """

    mode: ClassVar[str] = "device"
    current_range: tuple[float, float] = _current_range_field()
    delta_r_range: tuple[float, float] = _delta_r_range_field()
    device: Device
    carry_magnetization: bool = eqx.field(static=True, default=False)
    current_gain: jnp.ndarray | None = _gain_field()

    def delta_r(self, current_density, magnetization, key):
        start = magnetization if self.carry_magnetization else None
        window = self.device.window(current_density, key=key if self.device.thermal else None, m0=start)
        return window.extrema.delta_r, window.end


class SurrogateNonlinearity(AbstractMtjNonlinearity):
    """dR interpolated linearly on a transfer curve, shared (K,) or per MTJ (N, K)."""

    mode: ClassVar[str] = "surrogate"
    current_range: tuple[float, float] = _current_range_field()
    delta_r_range: tuple[float, float] = _delta_r_range_field()
    current_density: jnp.ndarray = _grid_field()
    table: jnp.ndarray = eqx.field(metadata={
        "dims": ("mtj", "surrogate_current_density"), "units": "ohm", "long_name": "surrogate transfer curve dR(j)"})
    current_gain: jnp.ndarray | None = _gain_field()

    def delta_r(self, current_density, magnetization, key):
        if self.table.ndim == 1:
            return jnp.interp(current_density, self.current_density, self.table), magnetization
        interpolate = lambda j, row: jnp.interp(j, self.current_density, row)
        return eqx.filter_vmap(interpolate)(current_density, self.table), magnetization


class ThermalSurrogateNonlinearity(AbstractMtjNonlinearity):
    """dR drawn, every step and for every MTJ independently, from the SDE-sampled distribution at
    its current: `quantiles` (K, S) holds S sorted samples at each of K currents; a uniform draw
    picks a quantile, interpolated linearly in the current. Exact in distribution when every
    window starts from a fresh thermal state (`ThermalSolver.thermal_start`)."""

    mode: ClassVar[str] = "surrogate"
    current_range: tuple[float, float] = _current_range_field()
    delta_r_range: tuple[float, float] = _delta_r_range_field()
    current_density: jnp.ndarray = _grid_field()
    quantiles: jnp.ndarray = eqx.field(metadata={
        "dims": ("surrogate_current_density", "quantile"), "units": "ohm",
        "long_name": "sorted SDE samples of dR at each current"})
    current_gain: jnp.ndarray | None = _gain_field()

    def delta_r(self, current_density, magnetization, key):
        count = self.quantiles.shape[1]
        index = jax.random.randint(key, current_density.shape, 0, count)
        columns = self.quantiles[:, index]  # (K, N)
        interpolate = lambda j, column: jnp.interp(j, self.current_density, column)
        return jax.vmap(interpolate, in_axes=(0, 1))(current_density, columns), magnetization


class WindowEnergy(eqx.Module):
    """The energy each MTJ dissipates in one window at the current density j it is driven with:
    E_i(j) = (j A_i)^2 T R_i(j), with T the window and R_i(j) the MTJ's window-mean resistance,
    tabulated from its own traces (`window_energy`) and interpolated linearly in j (it varies by
    less than a percent across a window, so the interpolation error is far below that of E itself).

    Arguments:
        current_density: the table's currents (K,) [A/m^2].
        mean_resistance: R(j), shared (K,) or per MTJ (N, K) [ohm].
        area: each MTJ's area, shared () or (N,) [m^2].
        window: T [s].
    """

    current_density: jnp.ndarray = eqx.field(metadata={
        "variable": "energy_current_density", "dims": ("energy_current_density",), "units": "A/m^2",
        "long_name": "current density of the window-energy table"})
    mean_resistance: jnp.ndarray = eqx.field(metadata={
        "variable": "energy_mean_resistance", "dims": ("mtj", "energy_current_density"), "units": "ohm",
        "long_name": "window-mean resistance of each MTJ"})
    area: jnp.ndarray = eqx.field(metadata={"variable": "energy_area", "dims": ("mtj",), "units": "m^2",
                                            "long_name": "free-layer area of each MTJ"})
    window: float = eqx.field(static=True, default=NEURON_WINDOW)

    def __call__(self, current_density: jnp.ndarray) -> jnp.ndarray:
        """Returns: each MTJ's window energy [J] at its current density (N,)."""
        if self.mean_resistance.ndim == 1:
            resistance = jnp.interp(current_density, self.current_density, self.mean_resistance)
        else:
            interpolate = lambda j, row: jnp.interp(j, self.current_density, row)
            resistance = jax.vmap(interpolate)(current_density, self.mean_resistance)
        return (current_density * self.area) ** 2 * self.window * resistance


def _tabulate(records: Sequence[Parameters], grid: np.ndarray, field: str, **options) -> np.ndarray:
    """A field of the neuron's response ("delta_r", "energy", ...) for every MTJ on the current densities
    `grid`, from one batched solve of each distinct device. Returns: (K,) for identical MTJs, else (N, K)."""
    unique = list(dict.fromkeys(records))
    response = neuron_output([r for r in unique for _ in grid], np.tile(grid, len(unique)), **options)
    table = getattr(response, field).reshape(len(unique), grid.size)
    return table[0] if len(unique) == 1 else table[[unique.index(r) for r in records]]


def window_energy(records: Sequence[Parameters], grid: np.ndarray, *, settings: NeuronSolver | None = None,
                  thermal: ThermalSolver | None = None, seed: int = 0) -> WindowEnergy:
    """Tabulate the window energy of MTJs (one record each) on the current densities `grid`; a current
    above a device's breakdown voltage is refused."""
    energy = _tabulate(records, grid, "energy", settings=settings, thermal=thermal, seed=seed)
    area = np.array([r["area"] for r in records]) if energy.ndim == 2 else np.array(records[0]["area"])
    mean_resistance = energy / ((grid * area[..., None]) ** 2 * NEURON_WINDOW)
    return WindowEnergy(jnp.asarray(grid), jnp.asarray(mean_resistance), jnp.asarray(area))


def _mtj_records(parameters: Parameters | Sequence[Parameters] | Device, n_mtj: int) -> list[Parameters]:
    """Each MTJ's record: one shared record (or a shared `Device`'s), or one each."""
    if isinstance(parameters, Device):
        return [shared_device(parameters).record] * n_mtj
    if isinstance(parameters, Parameters):
        return [parameters] * n_mtj
    records = list(parameters)
    if len(records) != n_mtj:
        raise MtjphysError(f"got {len(records)} parameter records for {n_mtj} MTJs")
    return records


def shared_device(device: Device, **options) -> Device:
    """A `Device` that a network's MTJs share, checked: it carries its own solver and pre-amplifier (none of
    `options` may be given; see `as_device`), is driven by currents, and is made from one record."""
    device = as_device(device, "current", **options)
    if device.batch_shape(0.0):
        raise MtjphysError("a network's MTJs share a Device made from one record; give non-identical MTJs one "
                           "record each")
    return device


def make_nonlinearity(
    parameters: Parameters | Sequence[Parameters] | Device, n_mtj: int, *, mode: str = "device",
    current_range: tuple[float, float] = OPERATING_RANGE, nominal: Parameters | None = None,
    settings: NeuronSolver | None = None, thermal: ThermalSolver | None = None,
    carry_magnetization: bool = False, surrogate_points: int = 81, thermal_samples: int = 256,
    thermal_points: int = 21, transfer: xr.Dataset | None = None, table_seed: int = 0, current_gain=None,
    preamplifier: Preamplifier | None = None,
) -> AbstractNonlinearity:
    """Build the MTJ nonlinearity of a network.

    Arguments:
        parameters: one record shared by all MTJs, or one per MTJ, or a `Device` they share (its solver
            and pre-amplifier then replace `settings`, `thermal` and `preamplifier`).
        n_mtj: N.
        mode: "device" or "surrogate".
        current_range: (j_min, j_max) [A/m^2].
        nominal: the device whose dR at j_min, j_max (at 0 K) normalises F (default: the first record, or
            with `transfer` the dataset's first curve).
        settings: the ODE solver (0 K); default `default_solver` of the MTJs' model.
        thermal: the SDE solver (records with a temperature above 0 K).
        carry_magnetization: device mode: carry m from window to window.
        surrogate_points: points on the computed transfer curves (surrogate mode, 0 K).
        thermal_samples, thermal_points: surrogate mode above 0 K: SDE samples of dR at each of
            `thermal_points` currents.
        transfer: surrogate mode at 0 K: a transfer-curve dataset to use instead of computing one;
            its `delta_r` has dims (current_density,) or (mtj, current_density), and its first curve
            normalises F unless `nominal` is given.
        table_seed: seeds the SDE samples of a thermal surrogate (the same table for every network).
        current_gain: optional per-MTJ factor on the current density (see `AbstractMtjNonlinearity`).
        preamplifier: how dR is measured (default ideal at 0 K, `thermal_preamplifier` above); the normalising
            range is measured through it too.
    """
    if mode not in MODES:
        raise MtjphysError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    if isinstance(parameters, Device):
        parameters = shared_device(parameters, settings=settings, thermal=thermal, preamplifier=preamplifier)
    records = _mtj_records(parameters, n_mtj)
    from_dataset = transfer is not None and nominal is None and mode == "surrogate"
    nominal = nominal or records[0]
    if mode == "device" and any(r.mesh is not None for r in records):
        raise MtjphysError("micromagnetic MTJs serve networks in surrogate mode (--mode surrogate): in device "
                           "mode every step would integrate every MTJ's grid")
    hot = is_warm(records)
    identical = all(r is records[0] or r == records[0] for r in records)
    if mode == "surrogate" and hot:
        if not identical:
            raise MtjphysError("a thermal surrogate needs identical MTJs; use device mode for non-identical ones")
        if transfer is not None:
            raise MtjphysError("a transfer dataset describes 0 K; it cannot serve MTJs at a finite temperature")
    currents = list(current_range)
    gain = None if current_gain is None else jnp.asarray(current_gain, dtype=jnp.float64)
    if gain is not None and gain.shape != (n_mtj,):
        raise MtjphysError(f"current_gain must have one entry per MTJ ({n_mtj}), got shape {gain.shape}")
    if isinstance(parameters, Device):
        device = parameters
    else:
        device = make_device(records[0] if identical else records, settings=settings, thermal=thermal,
                             preamplifier=preamplifier)
    preamplifier = device.preamplifier
    settings = settings if device.thermal else device.solver  # the 0 K solver of the range and the surrogate
    if from_dataset and not hot:
        grid, table = transfer_table(transfer, n_mtj, _reach(current_range, gain, 2))
        low, high = (float(v) for v in np.interp(currents, grid, table if table.ndim == 1 else table[0]))
    else:  # the range through the same measurement, without noise
        cold = nominal.replace(temperature=0.0, thermal_resistance=0.0)
        low, high = (float(v) for v in
                     neuron_output(cold, currents, settings=settings, preamplifier=preamplifier).delta_r)
    if not high > low:
        raise MtjphysError(f"the nominal MTJ's dR does not grow over the current range ({low:.4g} -> {high:.4g} ohm)")
    current_range, delta_r_range = tuple(current_range), (low, high)
    if mode == "device":
        return DeviceNonlinearity(current_range, delta_r_range, device, carry_magnetization, current_gain=gain)
    if hot:
        grid = _reach(current_range, gain, thermal_points)
        quantiles = _thermal_table(records[0], tuple(grid), thermal_samples, table_seed, device.solver, preamplifier)
        return ThermalSurrogateNonlinearity(current_range, delta_r_range, jnp.asarray(grid), jnp.asarray(quantiles),
                                            current_gain=gain)
    if transfer is not None:
        return surrogate_from_dataset(transfer, n_mtj, current_range, delta_r_range, gain)
    grid = _reach(current_range, gain, surrogate_points)
    table = _tabulate(records, grid, "delta_r", settings=settings, preamplifier=preamplifier)
    return SurrogateNonlinearity(current_range, delta_r_range, jnp.asarray(grid), jnp.asarray(table), current_gain=gain)


def _reach(current_range, gain, points: int) -> np.ndarray:
    """The current grid a surrogate needs: the current range, widened to every current the gains produce."""
    low, high = current_range
    if gain is not None:
        low, high = low * float(gain.min()), high * float(gain.max())
    return np.linspace(low, high, points)


@functools.lru_cache(maxsize=16)
def _thermal_table(record: Parameters, grid: tuple, samples: int, seed: int, thermal: ThermalSolver,
                   preamplifier: Preamplifier) -> np.ndarray:
    """Sorted SDE samples of dR at each current (K, S), cached: every network of a study at one temperature
    shares them."""
    currents = np.broadcast_to(np.asarray(grid)[:, None], (len(grid), samples))
    device = make_device(record, thermal=thermal, preamplifier=preamplifier)
    return np.sort(respond(device, currents, seed=seed).delta_r, axis=1)


def transfer_table(transfer: xr.Dataset, n_mtj: int, reach) -> tuple[np.ndarray, np.ndarray]:
    """The current densities (K,) and dR table, (K,) or (N, K), of a transfer-curve dataset, checked to
    cover the currents `reach` = (lowest, highest) [A/m^2]."""
    if "delta_r" not in transfer or "current_density" not in transfer.coords:
        raise MtjphysError("transfer dataset needs a variable 'delta_r' over a coordinate 'current_density'")
    delta_r = transfer.delta_r
    per_mtj = delta_r.dims == ("mtj", "current_density") and delta_r.sizes["mtj"] == n_mtj
    if not (delta_r.dims == ("current_density",) or per_mtj):
        raise MtjphysError(f"transfer dataset 'delta_r' has dims {dict(delta_r.sizes)}; expected (current_density) "
                           f"or (mtj={n_mtj}, current_density)")
    grid, table = transfer.current_density.values, delta_r.values
    if grid.size < 2 or np.any(np.diff(grid) <= 0) or not np.all(np.isfinite(table)):
        raise MtjphysError("transfer dataset needs finite 'delta_r' on at least 2 increasing current densities")
    if grid[0] > reach[0] or grid[-1] < reach[-1]:
        raise MtjphysError(f"transfer dataset covers {grid[0]:.3g}..{grid[-1]:.3g} A/m^2, not the current range "
                           f"{reach[0]:.3g}..{reach[-1]:.3g}")
    return grid, table


def surrogate_from_dataset(transfer: xr.Dataset, n_mtj: int, current_range, delta_r_range,
                           current_gain=None) -> SurrogateNonlinearity:
    """A surrogate from a transfer-curve dataset, checked against the network it will serve."""
    grid, table = transfer_table(transfer, n_mtj, _reach(current_range, current_gain, 2))
    return SurrogateNonlinearity(tuple(current_range), tuple(delta_r_range), jnp.asarray(grid), jnp.asarray(table),
                                 current_gain=current_gain)


def energy_from_dataset(transfer: xr.Dataset, area) -> WindowEnergy | None:
    """The window energy a transfer-curve dataset states (its `energy` over `current_density`, one curve for
    all MTJs of `area` [m^2]); None if it states none."""
    if "energy" not in transfer or transfer.energy.dims != ("current_density",):
        return None
    grid = transfer.current_density.values
    mean_resistance = transfer.energy.values / ((grid * area) ** 2 * NEURON_WINDOW)
    return WindowEnergy(jnp.asarray(grid), jnp.asarray(mean_resistance), jnp.asarray(area))


ENERGY_POINTS = 11  # of a window-energy table
