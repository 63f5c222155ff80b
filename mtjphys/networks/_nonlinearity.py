"""The neurons of a network: r = f(x), for MTJs r_i = 2 F_i(j_i(x_i)) - 1 with F_i the normalised dR.

In `device` mode every MTJ is integrated by the LLG solver in every step, by the stochastic LLG when
its temperature is above zero. In the paper's scheme a step is one current pulse, the `window`
(1.5 ns) during which dR is read, started from equilibrium. With `carry_magnetization` the network
is not reset: each window starts where the previous step ended, and after each window the junction
may rest at zero current for `rest` seconds, so that one step lasts window + rest (a long rest lets
the ringing decay and gives back the paper's scheme; a short one lets the past persist). In
`surrogate` mode F_i is interpolated from a transfer curve, or at finite temperature drawn from the
SDE-sampled distribution of dR at that current. `Tanh` is the classic rate neuron, for checks. The
window energy each MTJ dissipates is tabulated beside them (none is dissipated at rest).
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
from ..device._thermal import sampled_thermal_solver, thermal_solver_for, ThermalSolver
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


def is_uniform(grid) -> bool:
    """Whether `grid` (K,) is uniform to within a quarter of its spacing, so that `interpolate` may find a
    point's interval by arithmetic (False for a grid being traced: it cannot be checked)."""
    if isinstance(grid, jax.core.Tracer):
        return False
    grid = np.asarray(grid)
    if grid.ndim != 1 or grid.size < 2:
        return False
    spacing = (grid[-1] - grid[0]) / (grid.size - 1)
    uniform = grid[0] + spacing * np.arange(grid.size)
    return bool(np.isfinite(spacing) and spacing > 0 and np.all(np.abs(grid - uniform) <= spacing / 4))


def interpolate(x: jnp.ndarray, xp: jnp.ndarray, fp: jnp.ndarray, uniform: bool) -> jnp.ndarray:
    """`jnp.interp(x, xp, fp)`, bit for bit in the same compiled program, found faster on a uniform grid.

    On a uniform grid (`is_uniform`) a point's interval is guessed by arithmetic (off by at most one
    interval) and corrected by comparing with its ends: the interval `jnp.searchsorted` finds, without its
    loop. The line through the interval's ends is then evaluated as `jnp.interp` does, op for op.

    Arguments:
        x: the points, any shape.
        xp: the grid, increasing, (K,).
        fp: the values on the grid, (K,).
        uniform: `is_uniform(xp)`; False falls back to `jnp.interp`.

    Returns:
        The interpolated values, clamped to fp[0] and fp[-1] outside the grid (the shape of x).
    """
    if not uniform:
        return jnp.interp(x, xp, fp)
    k = xp.shape[0]
    position = jnp.clip((x - xp[0]) * ((k - 1) / (xp[-1] - xp[0])), -1.0, k)  # clipped: a safe conversion
    guess = jnp.clip(jnp.floor(position).astype(jnp.int32), 0, k - 2)  # the interval [xp[m], xp[m + 1]]
    # one gather of the guessed interval's ends and values and its neighbours' (the edge ones repeated, as
    # the index is clipped), then a choice: fewer, larger kernels than a gather per value
    ends = jnp.stack([xp[:-1], fp[:-1], xp[1:], fp[1:]], axis=1)
    rows = jnp.concatenate([jnp.concatenate([ends[:1], ends[:-1]]), ends, jnp.concatenate([ends[1:], ends[-1:]])],
                           axis=1)[guess]
    left, middle, right = rows[..., 0:4], rows[..., 4:8], rows[..., 8:12]
    down, up = (x < middle[..., 0])[..., None], (x >= middle[..., 2])[..., None]
    x0, f0, x1, f1 = jnp.moveaxis(jnp.where(down, left, jnp.where(up, right, middle)), -1, 0)
    # jnp.interp's own arithmetic, op for op: XLA may contract a product and a sum into one rounding, and the
    # same ops get the same contractions
    df = f1 - f0
    dx = x1 - x0
    delta = x - x0
    epsilon = np.spacing(np.finfo(xp.dtype).eps)
    dx0 = jax.lax.abs(dx) <= epsilon
    f = jnp.where(dx0, f0, f0 + (delta / jnp.where(dx0, 1, dx)) * df)
    f = jnp.where(x < xp[0], fp[0], f)
    return jnp.where(x > xp[-1], fp[-1], f)


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
        carry_magnetization: start each window where the previous step ended (the device's own
            memory: the network is not reset) instead of at equilibrium.
        window: the pulse [s] during which the current flows and dR is read (the paper's 1.5 ns). Above
            0 K the thermal solver's step must divide window / (samples - 1) (`make_nonlinearity` chooses
            such a solver).
        rest: [s], with `carry_magnetization` only: after each window the junction rests at zero current
            this long before the next step (one step lasts window + rest). Its solve is keyed by
            fold_in(key, 1) and the window's by fold_in(key, 0); without a rest the window takes the step's
            key itself. At 0 K the rest is one adaptive solve (a long one needs room in the solver's
            `max_steps`); above 0 K a fixed-step one whose step, at most the solver's, divides the rest.
    """

    mode: ClassVar[str] = "device"
    current_range: tuple[float, float] = _current_range_field()
    delta_r_range: tuple[float, float] = _delta_r_range_field()
    device: Device
    carry_magnetization: bool = eqx.field(static=True, default=False)
    window: float = eqx.field(static=True, default=NEURON_WINDOW, converter=float)
    rest: float = eqx.field(static=True, default=0.0, converter=float)
    current_gain: jnp.ndarray | None = _gain_field()

    def __check_init__(self):
        check_step(self.window, self.rest, self.carry_magnetization)
        if self.device.thermal and not _fits_window(self.device.solver, self.window):
            solver = self.device.solver
            raise MtjphysError(f"the thermal step {solver.dt:.3g} s does not divide the sample spacing "
                               f"{self.window / (solver.samples - 1):.3g} s of a {self.window:.3g} s window; give a "
                               "thermal solver whose step does (sampled_thermal_solver)")

    @property
    def step_duration(self) -> float:
        """One network step [s]: the window and the rest after it."""
        return self.window + self.rest

    def describe(self) -> dict:
        """Returns: how a step is taken, as provenance attributes: the window, and where the magnetization is
        carried, the rest and the step's length."""
        if not self.carry_magnetization:
            return {"neuron_window": self.window}
        return {"neuron_window": self.window, "carry_magnetization": 1, "rest": self.rest,
                "step_duration": self.step_duration}

    def delta_r(self, current_density, magnetization, key):
        start = magnetization if self.carry_magnetization else None
        thermal = self.device.thermal
        window_key = jax.random.fold_in(key, 0) if self.rest > 0 else key
        window = self.device.window(current_density, key=window_key if thermal else None, m0=start,
                                    duration=self.window)
        if not self.rest > 0:
            return window.extrema.delta_r, window.end
        device = self.device
        if thermal:  # one fixed-step solve over the rest, its step refined (never coarsened) to divide it
            device = device.replace(solver=sampled_thermal_solver(device.solver, self.rest, 2))
        rested = device.solve(0.0 * current_density, np.linspace(0.0, self.rest, 2), m0=window.end,
                              key=jax.random.fold_in(key, 1) if thermal else None)
        return window.extrema.delta_r, rested.end


def check_step(window: float, rest: float, carry_magnetization: bool) -> None:
    """Refuse, in one line, a step that is not a positive window followed by a rest >= 0 (a rest only where the
    magnetization is carried: otherwise every window starts from equilibrium and a rest changes nothing)."""
    if not (np.isfinite(window) and window > 0):
        raise MtjphysError(f"the neuron window must be a positive duration [s], got {window}")
    if not (np.isfinite(rest) and rest >= 0):
        raise MtjphysError(f"the rest after each window must be a finite duration >= 0 [s], got {rest}")
    if rest > 0 and not carry_magnetization:
        raise MtjphysError("a rest after each window needs carry_magnetization (otherwise every window starts from "
                           "equilibrium)")


def _fits_window(solver: ThermalSolver, window: float) -> bool:
    """Whether the thermal solver's fixed step divides the sample spacing of a window [s]."""
    steps = round(window / solver.dt)
    return abs(steps * solver.dt - window) <= 1e-6 * solver.dt and steps % (solver.samples - 1) == 0


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


class UniformSurrogateNonlinearity(SurrogateNonlinearity):
    """A `SurrogateNonlinearity` whose grid is uniform (`is_uniform`), each interval found by arithmetic
    (`interpolate`). `simulate` steps a surrogate so where no trainer runs (`uniform_tables`), with the numbers
    of the plain surrogate bit for bit; beside a trainer's update XLA fuses the step differently, and r may
    then differ in its last bit, so runs with a trainer keep `jnp.interp`."""

    def delta_r(self, current_density, magnetization, key):
        row = lambda j, table: interpolate(j, self.current_density, table, True)
        if self.table.ndim == 1:
            return row(current_density, self.table), magnetization
        return jax.vmap(row)(current_density, self.table), magnetization


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
        return self._energy(current_density, False)

    def _energy(self, current_density: jnp.ndarray, uniform: bool) -> jnp.ndarray:
        """Returns: the window energies (N,), interpolated by `interpolate` (`uniform`: the grid is uniform)."""
        row = lambda j, table: interpolate(j, self.current_density, table, uniform)
        if self.mean_resistance.ndim == 1:
            resistance = row(current_density, self.mean_resistance)
        else:
            resistance = jax.vmap(row)(current_density, self.mean_resistance)
        return (current_density * self.area) ** 2 * self.window * resistance


class UniformWindowEnergy(WindowEnergy):
    """A `WindowEnergy` on a uniform grid (`is_uniform`), interpolated by `interpolate`: the same energies."""

    def __call__(self, current_density: jnp.ndarray) -> jnp.ndarray:
        return self._energy(current_density, True)


def uniform_tables(nonlinearity: AbstractNonlinearity, energy: WindowEnergy | None):
    """Returns: (the nonlinearity, the energy), each as its uniform-grid variant (`UniformSurrogateNonlinearity`,
    `UniformWindowEnergy`) where it is a plain surrogate or window energy on a uniform grid, else unchanged."""
    if type(nonlinearity) is SurrogateNonlinearity and is_uniform(nonlinearity.current_density):
        nonlinearity = UniformSurrogateNonlinearity(
            nonlinearity.current_range, nonlinearity.delta_r_range, nonlinearity.current_density,
            nonlinearity.table, current_gain=nonlinearity.current_gain)
    if type(energy) is WindowEnergy and is_uniform(energy.current_density):
        energy = UniformWindowEnergy(energy.current_density, energy.mean_resistance, energy.area, energy.window)
    return nonlinearity, energy


def _tabulate(records: Sequence[Parameters], grid: np.ndarray, field: str, **options) -> np.ndarray:
    """A field of the neuron's response ("delta_r", "energy", ...) for every MTJ on the current densities
    `grid`, from one batched solve of each distinct device. Returns: (K,) for identical MTJs, else (N, K)."""
    unique = list(dict.fromkeys(records))
    response = neuron_output([r for r in unique for _ in grid], np.tile(grid, len(unique)), **options)
    table = getattr(response, field).reshape(len(unique), grid.size)
    return table[0] if len(unique) == 1 else table[[unique.index(r) for r in records]]


def window_energy(records: Sequence[Parameters], grid: np.ndarray, *, settings: NeuronSolver | None = None,
                  thermal: ThermalSolver | None = None, seed: int = 0, window: float = NEURON_WINDOW) -> WindowEnergy:
    """Tabulate the energy of MTJs (one record each) in a window of `window` [s] from equilibrium, on the current
    densities `grid`; a current above a device's breakdown voltage is refused."""
    energy = _tabulate(records, grid, "energy", settings=settings, thermal=thermal, seed=seed, window=window)
    area = np.array([r["area"] for r in records]) if energy.ndim == 2 else np.array(records[0]["area"])
    mean_resistance = energy / ((grid * area[..., None]) ** 2 * window)
    return WindowEnergy(jnp.asarray(grid), jnp.asarray(mean_resistance), jnp.asarray(area), float(window))


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
    preamplifier: Preamplifier | None = None, window: float = NEURON_WINDOW, rest: float = 0.0,
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
        carry_magnetization: device mode: carry m from step to step (no reset).
        window: device mode: the pulse [s] in which the current flows and dR is read; the normalising range
            is measured over it too. Above 0 K the thermal solver chosen for the records has its step
            refined (never coarsened) to divide the window's sample spacing; a given one must divide it.
        rest: device mode, with `carry_magnetization`: [s] at zero current after each window (see
            `DeviceNonlinearity`).
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
    window, rest = float(window), float(rest)
    check_step(window, rest, carry_magnetization)
    if mode != "device" and (window != NEURON_WINDOW or rest):
        raise MtjphysError(f"a window other than {NEURON_WINDOW:g} s and a rest are device-mode options (a surrogate "
                           "holds the response to the paper's window from equilibrium)")
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
        if hot and thermal is None and mode == "device" and window != NEURON_WINDOW:
            spacing = window / (ThermalSolver().samples - 1)
            chosen = thermal_solver_for(records, spacing)  # the records' own, its step refined where it must be
            if not _fits_window(chosen, window):
                chosen = sampled_thermal_solver(chosen, spacing, chosen.samples)
            thermal = chosen
        device = make_device(records[0] if identical else records, settings=settings, thermal=thermal,
                             preamplifier=preamplifier, window=window)
    preamplifier = device.preamplifier
    settings = settings if device.thermal else device.solver  # the 0 K solver of the range and the surrogate
    if from_dataset and not hot:
        grid, table = transfer_table(transfer, n_mtj, _reach(current_range, gain, 2))
        low, high = (float(v) for v in np.interp(currents, grid, table if table.ndim == 1 else table[0]))
    else:  # the range through the same measurement, without noise
        cold = nominal.replace(temperature=0.0, thermal_resistance=0.0)
        low, high = (float(v) for v in neuron_output(cold, currents, settings=settings, preamplifier=preamplifier,
                                                     window=window).delta_r)
    if not high > low:
        raise MtjphysError(f"the nominal MTJ's dR does not grow over the current range ({low:.4g} -> {high:.4g} ohm)")
    current_range, delta_r_range = tuple(current_range), (low, high)
    if mode == "device":
        return DeviceNonlinearity(current_range, delta_r_range, device, carry_magnetization, window, rest,
                                  current_gain=gain)
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
