"""Fitting a device's parameters to its measurements: a resistance ringing R(t) after a current step, or a
transfer curve dR(j), by least squares through the LLG solve.

The model is evaluated on the data's own sampling (the solve saves at the measured times; nothing is
interpolated in the data). Free parameters are mapped to unconstrained coordinates (log for a
positive one, a scaled logistic between two bounds), the residuals are minimised by optimistix's
Levenberg-Marquardt with forward-mode Jacobians through diffrax from several starts at once, and the
standard errors follow from s^2 (J^T J)^-1 at the optimum. Identifiability is read from the singular
values of the Jacobian with its columns scaled to relative changes.
"""

from __future__ import annotations

import dataclasses
import json
import math
import pathlib
from collections.abc import Mapping, Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optimistix as optx
import xarray as xr

from .._errors import MtjphysError
from ..data._datasets import open_dataset
from ..data._provenance import provenance
from ..device._device import as_device, Device
from ..device._parameters import Parameters
from ..device._solve import gradient_solver, NeuronSolver
from ..measurements._linear import sweep
from ..measurements._resonance import default_direction, macrospin_modes
from ..measurements._stfmr import small_signal_voltage
from ._gradients import differentiable_parameters, from_the_step
from ._measured import read_measurement_csv, split_linewidth
from ._sanity import check_scale

TRACE_COLUMNS = ("time", "resistance")
TRANSFER_COLUMNS = ("current_density", "delta_r")
START_SPREAD = 0.3  # standard deviation of the further starts, in the unconstrained coordinates
CORRELATED = 0.99  # |correlation| beyond which two parameters count as not separated by the data
ILL_CONDITIONED = 1e4  # condition number of the scaled Jacobian beyond which its weakest direction is reported
HORIZONS = (0.25, 0.5, 1.0)  # parts of each trace fitted in turn, as fractions of its duration


@dataclasses.dataclass(frozen=True)
class TraceData:
    """A measured resistance ringing: R [ohm] at times [s] from a current step of `current_density` [A/m^2]."""

    source: str
    time: np.ndarray
    resistance: np.ndarray
    current_density: float

    kind = "trace"
    dim, unit, what = "time", "s", "resistance"

    @property
    def coordinate(self) -> np.ndarray:
        return self.time

    @property
    def values(self) -> np.ndarray:
        return self.resistance


@dataclasses.dataclass(frozen=True)
class TransferData:
    """A measured transfer curve: the neuron output dR [ohm] at increasing current densities [A/m^2]."""

    source: str
    current_density: np.ndarray
    delta_r: np.ndarray

    kind = "transfer"
    dim, unit, what = "current_density", "A/m^2", "delta_r"

    @property
    def coordinate(self) -> np.ndarray:
        return self.current_density

    @property
    def values(self) -> np.ndarray:
        return self.delta_r


def _checked(source: str, column: str, values, *, increasing: bool = False, nonnegative: bool = False) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1 or values.size == 0:
        raise MtjphysError(f"{source}: column {column!r} has no values")
    if not np.all(np.isfinite(values)):
        raise MtjphysError(f"{source}: column {column!r} has a value that is not finite (NaN or inf) in row "
                           f"{int(np.argmin(np.isfinite(values))) + 1}")
    if nonnegative and np.any(values < 0):
        raise MtjphysError(f"{source}: column {column!r} must be >= 0 (time from the current step)")
    if increasing:
        steps = np.diff(values)
        if np.any(steps == 0):
            raise MtjphysError(f"{source}: column {column!r} repeats the value {values[1:][steps == 0][0]:g}")
        if np.any(steps < 0):
            raise MtjphysError(f"{source}: column {column!r} is not sorted (row {int(np.argmax(steps < 0)) + 2})")
    return values


def _make(source: str, columns: Mapping[str, np.ndarray], current_density: float | None):
    if all(c in columns for c in TRACE_COLUMNS):
        if current_density is None or not math.isfinite(current_density):
            raise MtjphysError(f"{source}: a resistance trace needs the current density of its step "
                               "(--current-density)")
        return TraceData(source, _checked(source, "time", columns["time"], increasing=True, nonnegative=True),
                         _checked(source, "resistance", columns["resistance"]), float(current_density))
    if all(c in columns for c in TRANSFER_COLUMNS):
        return TransferData(source, _checked(source, "current_density", columns["current_density"], increasing=True),
                            _checked(source, "delta_r", columns["delta_r"]))
    have = ", ".join(columns) or "none"
    raise MtjphysError(f"{source}: needs the columns time,resistance (a trace) or current_density,delta_r (a transfer "
                       f"curve); it has {have}")


def read_csv(path: str | pathlib.Path, current_density: float | None = None, *, frequency: float | None = None,
             field: float | None = None, rf_current: float | None = None):
    """Read measurements from a CSV file with a header, each column's unit in brackets (`field [Oe]`; SI without):
    `time,resistance` (one trace; times from the current step, any sampling), `current_density,delta_r` (a transfer
    curve), `field,frequency` (+ `linewidth`: an FMR dispersion), `field,resistance` (an R(H) loop, rows in sweep
    order), `field,voltage` or `frequency,voltage` (an ST-FMR spectrum). Further columns are ignored.

    Arguments:
        path: the file.
        current_density: [A/m^2], the drive of a trace.
        frequency, field, rf_current: an ST-FMR spectrum's fixed frequency [Hz] (a field sweep) or field [A/m]
            (a frequency sweep), and its rf current's amplitude [A].

    Returns:
        `TraceData`, `TransferData`, `DispersionData`, `LoopData` or `SpectrumData`; bad files are refused in one line.
    """
    return read_measurement_csv(path, current_density=current_density, frequency=frequency, field=field,
                                rf_current=rf_current)


def read_netcdf(path: str | pathlib.Path) -> TraceData | TransferData:
    """Read an mtjphys netCDF: a neuron trace (`mtjphys neuron`: resistance over time, its current density) or a
    transfer curve (`mtjphys transfer`: delta_r over current_density)."""
    source = str(path)
    dataset = open_dataset(path)
    if "resistance" in dataset and dataset["resistance"].dims == ("time",):
        if "current_density" not in dataset:
            raise MtjphysError(f"{source}: a trace driven by a voltage; only current-driven traces are fitted")
        return _make(source, {"time": dataset["time"].values, "resistance": dataset["resistance"].values},
                     float(dataset["current_density"]))
    if "delta_r" in dataset and dataset["delta_r"].dims == ("current_density",):
        return _make(source, {"current_density": dataset["current_density"].values,
                              "delta_r": dataset["delta_r"].values}, None)
    raise MtjphysError(f"{source}: neither a resistance trace over time nor a transfer curve over current_density")


NETCDF_SUFFIXES = (".nc", ".nc4", ".netcdf")


def read_data(path: str | pathlib.Path, current_density: float | None = None, **spectrum):
    """Measurements from a CSV file (`read_csv`, with `spectrum`'s frequency, field and rf_current) or an mtjphys
    netCDF (`read_netcdf`), told apart by the suffix."""
    path = pathlib.Path(path)
    if not path.is_file():
        raise MtjphysError(f"no data file {str(path)!r}")
    if path.suffix.lower() in NETCDF_SUFFIXES:
        return read_netcdf(path)
    return read_csv(path, current_density, **spectrum)


# ---- the free parameters' coordinates --------------------------------------------------------------
CONSTRAINT_BOUNDS = {"positive": (0.0, math.inf), "nonnegative": (0.0, math.inf), "scale": (0.0, math.inf),
                     "fraction": (0.0, 1.0), "finite": (-math.inf, math.inf)}


@dataclasses.dataclass(frozen=True)
class Coordinate:
    """A free parameter as an unconstrained coordinate theta (0 at the start).

    Two finite bounds: p = low + (high - low) sigmoid(theta + theta0); a lower bound: p = low + (start - low)
    exp(theta); none: p = start + scale theta, scale = |start| (or 1 at 0).
    """

    name: str
    units: str
    start: float
    low: float
    high: float

    @property
    def kind(self) -> str:
        if math.isfinite(self.low) and math.isfinite(self.high):
            return "logistic"
        if math.isfinite(self.low):
            return "log"
        if math.isfinite(self.high):
            return "log_below"
        return "affine"

    @property
    def scale(self) -> float:
        """A typical size of the parameter: the unit its relative sensitivity is measured in."""
        return abs(self.start) if self.start != 0 else 1.0

    def physical(self, theta):
        return physical(self.kind, theta, self.start, self.low, self.high)


def physical(kind: str, theta, start, low, high):
    """The parameter at coordinate theta (see `Coordinate`; traceable in every argument but `kind`)."""
    if kind == "logistic":
        return low + (high - low) * jax.nn.sigmoid(theta + jnp.log((start - low) / (high - start)))
    if kind == "log":
        return low + (start - low) * jnp.exp(theta)
    if kind == "log_below":
        return high - (high - start) * jnp.exp(theta)
    return start + jnp.where(start != 0, jnp.abs(start), 1.0) * theta


def parse_bounds(text: str | None) -> dict[str, tuple[float, float]]:
    """Bounds from 'NAME=LOW:HIGH,NAME=LOW:HIGH' (either side may be empty: unbounded there)."""
    bounds = {}
    for item in filter(None, (part.strip() for part in (text or "").split(","))):
        name, _, span = item.partition("=")
        low, colon, high = span.partition(":")
        try:
            if not colon:
                raise ValueError
            bounds[name.strip()] = (float(low) if low.strip() else -math.inf, float(high) if high.strip() else math.inf)
        except ValueError:
            raise MtjphysError(f"bounds must read NAME=LOW:HIGH, got {item!r}")
    return bounds


def coordinates(start: Parameters, free: Sequence[str],
                bounds: Mapping[str, tuple[float, float]] | None = None) -> list[Coordinate]:
    """The free parameters' coordinates, their bounds those of the record's constraints narrowed by `bounds`;
    refused in one line where a name is not a scalar of the record or its start is not inside its bounds."""
    specs = Parameters.specs(start.model)
    bounds = dict(bounds or {})
    if not free:
        raise MtjphysError("no free parameters: name them with --free, e.g. --free alpha,Ku,polarization")
    if len(set(free)) != len(free):
        raise MtjphysError(f"a free parameter is named twice: {', '.join(free)}")
    for name in bounds:
        if name not in free:
            raise MtjphysError(f"bounds given for {name!r}, which is not a free parameter")
    allowed = differentiable_parameters(start)
    result = []
    for name in free:
        if name not in specs:
            raise MtjphysError(f"{name!r} is not a parameter of the record; known: {', '.join(specs)}")
        if specs[name]["shape"] != ():
            raise MtjphysError(f"{name!r} is not a scalar parameter; only scalars are fitted")
        if name not in allowed:
            raise MtjphysError(f"{name!r} cannot be fitted: it is not finite in the start record, a limit or a switch "
                               "to the stochastic LLG, or a heated junction's thermal time constant at 0 (start it "
                               "from a positive value)")
        low, high = CONSTRAINT_BOUNDS[specs[name]["constraint"]]
        user_low, user_high = bounds.get(name, (-math.inf, math.inf))
        low, high = max(low, user_low), min(high, user_high)
        value = float(start[name])
        if not low < value < high:
            raise MtjphysError(f"the start of {name!r}, {value:g}, must lie strictly inside its bounds ({low:g}, "
                               f"{high:g}); give another start with --params")
        result.append(Coordinate(name, specs[name]["units"], value, low, high))
    return result


# ---- the model on the data's sampling ---------------------------------------------------------------
FIELD_KINDS = ("dispersion", "linewidth", "loop", "spectrum")  # measured against an applied field


class Observation(eqx.Module):
    """One data file as the solve sees it: the times it saves at (from the step at t = 0), the currents it
    drives, or the applied fields it sweeps; and the measured values."""

    kind: str = eqx.field(static=True)
    coordinate: jnp.ndarray  # a trace's save times, 0 first; a transfer curve's current densities; the swept values
    drive: jnp.ndarray  # a trace's current density; a spectrum's rf current [A]
    values: jnp.ndarray
    skip: int = eqx.field(static=True)  # a trace's save times before the first measured one (the step at 0)
    fields: jnp.ndarray | None = None  # the applied fields [A/m] in sweep order, (n, 3)
    start: jnp.ndarray | None = None  # the direction the first field's equilibrium is relaxed from
    frequency: jnp.ndarray | None = None  # a spectrum's rf frequencies [Hz]

    @classmethod
    def of(cls, data, direction=None) -> Observation:
        """Arguments: data (see `read_data`); direction: the applied fields' direction (3,), for field kinds."""
        if data.kind == "trace":
            ts, lead = from_the_step(data.time)
            return cls("trace", jnp.asarray(ts), jnp.float64(data.current_density), jnp.asarray(data.values), lead)
        if data.kind == "transfer":
            return cls("transfer", jnp.asarray(data.current_density), jnp.float64(0.0), jnp.asarray(data.values), 0)
        direction = np.asarray(direction, dtype=np.float64) / np.linalg.norm(direction)
        swept_field = data.kind != "spectrum" or data.sweep == "field"
        magnitudes = np.asarray(data.coordinate if swept_field else [data.field], dtype=np.float64)
        fields = magnitudes[:, None] * direction
        frequency = None
        if data.kind == "spectrum":
            frequency = jnp.asarray([data.frequency] if swept_field else data.coordinate, dtype=jnp.float64)
        drive = jnp.float64(data.rf_current if data.kind == "spectrum" else 0.0)
        return cls(data.kind, jnp.asarray(data.coordinate), drive, jnp.asarray(data.values), 0, jnp.asarray(fields),
                   jnp.asarray(sweep_start(fields)), frequency)


def sweep_start(fields: np.ndarray) -> np.ndarray:
    """The direction a measured field sweep's first equilibrium is relaxed from: its first field's (the layer
    saturated along it), or the nearest non-zero field's."""
    nonzero = np.nonzero(np.linalg.norm(fields, axis=-1) > 0)[0]
    if nonzero.size == 0:
        raise MtjphysError("a field sweep needs a non-zero field")
    first = fields[nonzero[0]]
    return first / np.linalg.norm(first)


def predict(device: Device, observation: Observation) -> jnp.ndarray:
    """The device's values on the data's own coordinates (traceable): R at the measured times, dR at the
    measured current densities, or the resonance, loop or spin-diode voltage at the measured fields."""
    if observation.kind == "trace":
        trace = device.solve(observation.drive, observation.coordinate, throw=False)
        return trace.point.resistance[observation.skip:]
    if observation.kind == "transfer":
        return device.window(observation.coordinate, throw=False).extrema.delta_r
    if observation.kind in ("dispersion", "linewidth"):
        modes = macrospin_modes(device, observation.fields, 0.0, observation.start)
        return modes["frequency" if observation.kind == "dispersion" else "linewidth"][:, 0]
    _, response = sweep(device, observation.fields, 0.0, observation.start)
    if observation.kind == "loop":
        return response.resistance
    per_field = jax.tree_util.tree_map(lambda a: a[:, None], response)
    voltage = small_signal_voltage(per_field, observation.frequency[None, :], observation.drive, device.params["area"])
    return voltage.ravel()


class _Problem(eqx.Module):
    """Weighted residuals of all data as a function of the free coordinates theta (the numbers traced, so that
    one compilation serves every start record and every set of measured values of the same shapes)."""

    device: Device
    names: tuple[str, ...] = eqx.field(static=True)
    kinds: tuple[str, ...] = eqx.field(static=True)
    bounds: jnp.ndarray  # (free, 3): start, low, high
    observations: tuple

    @classmethod
    def of(cls, device: Device, free: Sequence[Coordinate], observations) -> _Problem:
        bounds = jnp.asarray([[c.start, c.low, c.high] for c in free], dtype=jnp.float64)
        return cls(device, tuple(c.name for c in free), tuple(c.kind for c in free), bounds, tuple(observations))

    def estimate(self, theta) -> jnp.ndarray:
        return jnp.stack([physical(kind, theta[i], *self.bounds[i]) for i, kind in enumerate(self.kinds)])

    def fitted_device(self, theta) -> Device:
        """The device with the free parameters at coordinate theta."""
        return self.device.replace(params={**self.device.params, **dict(zip(self.names, self.estimate(theta)))})

    def predictions(self, theta) -> list:
        device = self.fitted_device(theta)
        return [predict(device, o) for o in self.observations]

    def residuals(self, theta, weights):
        return jnp.concatenate([(p - o.values) * w for p, o, w in
                                zip(self.predictions(theta), self.observations, weights)])


@eqx.filter_jit
def _solve(problem: _Problem, thetas, weights, rtol, atol, max_steps):
    solver = optx.LevenbergMarquardt(rtol=rtol, atol=atol)

    def one(theta):
        solution = optx.least_squares(problem.residuals, solver, theta, args=weights, max_steps=max_steps,
                                      throw=False)
        residual = problem.residuals(solution.value, weights)
        return solution.value, 0.5 * jnp.sum(residual**2), solution.result == optx.RESULTS.successful, \
            solution.stats["num_steps"]

    return jax.vmap(one)(thetas)


def _weights(data, scatter, horizon: float) -> tuple:
    """Per point: 1 / the file's scatter, and 0 for a trace's times beyond `horizon` of its duration."""
    weights = []
    for d, sigma in zip(data, scatter):
        inside = d.time <= horizon * d.time[-1] if d.kind == "trace" else np.ones(d.values.size, dtype=bool)
        weights.append(jnp.asarray(inside / sigma))
    return tuple(weights)


@eqx.filter_jit
def _final(problem: _Problem, theta, weights):
    jacobian = jax.jacfwd(problem.residuals)(theta, weights)
    dp_dtheta = jnp.diagonal(jax.jacfwd(problem.estimate)(theta))
    return problem.predictions(theta), jacobian, problem.estimate(theta), dp_dtheta


@dataclasses.dataclass(frozen=True)
class FitResult:
    """A fit: the estimates and their uncertainties, the Jacobian's conditioning, the residuals and the starts.

    Arguments:
        free: the coordinates of the free parameters (their start values and bounds).
        estimate, standard_error: per free parameter, SI.
        correlation: (free, free).
        singular_values, singular_vectors: of the Jacobian with columns scaled to relative changes (rows of
            `singular_vectors` are directions, largest first).
        data, predictions, noise: per data file: the data, the model at the estimate, and the residuals'
            root-mean-square (the weight of that file in a joint fit).
        start_estimates, start_costs, start_converged, start_steps: per start.
        fitted: the start record with the estimates.
        notes: identifiability and warnings, in words.
        model: the device as fitted (its solver, the free parameters at the estimates), to draw the model between
            the data's points (`plot_fit`); None where not kept.
        directions: per data file, the applied field's direction (3,) of a field kind, None for the others.
    """

    free: tuple
    estimate: np.ndarray
    standard_error: np.ndarray
    correlation: np.ndarray
    singular_values: np.ndarray
    singular_vectors: np.ndarray
    data: tuple
    predictions: tuple
    noise: np.ndarray
    start_estimates: np.ndarray
    start_costs: np.ndarray
    start_converged: np.ndarray
    start_steps: np.ndarray
    fitted: Parameters
    start: Parameters
    seed: int
    settings: NeuronSolver
    notes: tuple[str, ...]
    model: Device | None = None
    directions: tuple = ()

    @property
    def condition_number(self) -> float:
        return float(self.singular_values[0] / self.singular_values[-1]) if self.singular_values[-1] > 0 \
            else math.inf

    @property
    def degrees_of_freedom(self) -> int:
        return sum(d.values.size for d in self.data) - len(self.free)


def _notes(free, estimate, standard_error, correlation, singular_values, singular_vectors, converged) -> list[str]:
    names = [c.name for c in free]
    notes = []
    if not converged:
        notes.append("warning: the best start did not converge within the step limit")
    for i in range(len(names)):
        for k in range(i + 1, len(names)):
            if abs(correlation[i, k]) > CORRELATED:
                notes.append(f"not separated by these data: {names[i]} and {names[k]} (correlation "
                             f"{correlation[i, k]:+.4f}); only a combination of them is measured")
    condition = singular_values[0] / singular_values[-1] if singular_values[-1] > 0 else math.inf
    if condition > ILL_CONDITIONED:
        weakest = singular_vectors[-1]
        terms = " ".join(f"{'+' if w >= 0 else '-'} {abs(w):.3f} d{n}/{n}" for w, n in zip(weakest, names)
                         if abs(w) > 0.05)
        notes.append(f"ill-conditioned (condition number {condition:.3g}): the data hardly see the direction "
                     f"{terms.lstrip('+ ')}")
    for name, value, error in zip(names, estimate, standard_error):
        if not error <= abs(value):
            notes.append(f"warning: the standard error of {name} ({error:.3g}) exceeds its estimate ({value:.3g})")
    return notes


def field_directions(field_direction, files: int, record: Parameters) -> list[np.ndarray]:
    """Returns: the applied field's direction for each of `files` data files, from one direction (3,), one per file
    (files, 3), or None (the record's default); refused in one line otherwise."""
    if field_direction is None:
        return [default_direction(record)] * files
    directions = np.asarray(field_direction, dtype=np.float64)
    if directions.shape == (3,):
        directions = np.broadcast_to(directions, (files, 3))
    if directions.shape != (files, 3):
        raise MtjphysError(f"give one field direction for all data files or one per file ({files}), as X,Y,Z")
    for direction in directions:
        if not (np.all(np.isfinite(direction)) and np.linalg.norm(direction) > 0):
            raise MtjphysError(f"a field direction must be three numbers, not all zero; got {direction.tolist()}")
    return list(directions)


def fit(
    data: Sequence[TraceData | TransferData], start: Parameters | Device, free: Sequence[str], *,
    bounds: Mapping[str, tuple[float, float]] | None = None, seed: int = 0, starts: int = 4,
    settings: NeuronSolver | None = None, rtol: float = 1e-9, atol: float = 1e-9, max_steps: int = 120,
    field_direction=None,
) -> FitResult:
    """Fit free parameters of a record to measurements, jointly over several data files.

    Arguments:
        data: `TraceData` and `TransferData` (see `read_data`).
        start: the record the fit starts from (or its `Device`, at 0 K); the parameters that are not free keep
            its values.
        free: names of the scalar parameters to fit.
        bounds: name -> (low, high), narrowing the bounds of the record's constraints.
        seed, starts: the first start is `start` itself; the others are drawn from `seed` about it
            (normal, standard deviation `START_SPREAD` in the unconstrained coordinates). All run at once.
        settings: the ODE solver of a start record (default the model's; a `Device` carries its own); it is
            differentiated in forward mode.
        rtol, atol, max_steps: of the Levenberg-Marquardt iteration (max_steps in all, shared evenly by the
            growing parts of a trace that are fitted in turn).
        field_direction: the direction (3,) of the applied fields of dispersions, loops and spectra, or one per
            data file (n, 3) (default the record's H_ext direction, else its easy axis); each such sweep's first
            equilibrium is relaxed from its first field's direction, each further one from the last.

    Returns:
        A `FitResult`. With several data files, each is weighted by the scatter of its residuals at a first
        fit, and the fit is repeated from there.
    """
    data = tuple(data)
    if not data:
        raise MtjphysError("no data to fit")
    device = as_device(start, settings=settings)
    directions = field_directions(field_direction, len(data), device.record)
    pairs = [(part, direction) for d, direction in zip(data, directions) for part in split_linewidth(d)]
    data, directions = tuple(part for part, _ in pairs), [direction for _, direction in pairs]
    if device.thermal:
        raise MtjphysError("fits use the deterministic neuron: the start record must be at 0 K with no Joule heating")
    start = device.record
    if any(d.kind in FIELD_KINDS for d in data):
        if device.mesh is not None:
            raise MtjphysError("dispersions, loops and spectra are fitted with a macrospin record")
        if device.circuit.thermal_lag or device.circuit.source != "current":
            raise MtjphysError("dispersions, loops and spectra are fitted with a current-driven record without a "
                               "thermal lag")
    for d in data:
        check_scale(d, start)
    free_coordinates = tuple(coordinates(start, list(free), bounds))
    points = sum(d.values.size for d in data)
    if points <= len(free_coordinates):
        raise MtjphysError(f"{points} data points cannot determine {len(free_coordinates)} free parameters "
                           "(need more points than free parameters)")
    if not (isinstance(starts, int) and starts >= 1):
        raise MtjphysError(f"the number of starts must be a whole number >= 1, got {starts!r}")
    settings = gradient_solver(device.solver, "forward")
    observations = tuple(Observation.of(d, direction) for d, direction in zip(data, directions))
    varying = device.varying([c.name for c in free_coordinates])
    problem = _Problem.of(varying.replace(solver=settings), free_coordinates, observations)
    rng = np.random.default_rng(seed)
    thetas = jnp.asarray(np.concatenate([np.zeros((1, len(free_coordinates))),
                                         rng.normal(0.0, START_SPREAD, (starts - 1, len(free_coordinates)))]))
    # the first fit's weights: 1, or for a spectrum 1 / its RMS voltage, so that the iteration's absolute
    # tolerances mean for microvolts what they mean for ohms
    scatter = [float(np.sqrt(np.mean(d.values**2))) or 1.0 if d.kind == "spectrum" else 1.0 for d in data]
    total_steps = np.zeros(starts, dtype=np.int64)
    horizons = HORIZONS if any(d.kind == "trace" for d in data) else (1.0,)
    stage_steps = max(1, max_steps // len(horizons))
    for horizon in horizons:  # a ringing is fitted over a growing part of it, so its phase is never lost
        weights = _weights(data, scatter, horizon)
        thetas, costs, converged, steps = _solve(problem, thetas, weights, rtol, atol, stage_steps)
        total_steps += np.asarray(steps)
    thetas, costs, converged = np.array(thetas), np.array(costs), np.array(converged)
    best = int(np.argmin(np.where(np.isfinite(costs), costs, np.inf)))
    if not np.isfinite(costs[best]):
        raise MtjphysError("the fit failed from every start (the solve diverged or needed more than its max_steps); "
                           "try another start with --params")
    if len(data) > 1:  # weight each file by its own scatter at the best start, and fit again from every start
        # (_final's predictions: one compilation less than a function of its own, for one Jacobian more)
        predictions = _final(problem, jnp.asarray(thetas[best]), _weights(data, scatter, 1.0))[0]
        scatter = [max(float(np.sqrt(np.mean((np.asarray(p) - d.values) ** 2))), 1e-300)
                   for p, d in zip(predictions, data)]
        thetas, costs, converged, steps = (np.array(x) for x in _solve(problem, jnp.asarray(thetas),
                                                                       _weights(data, scatter, 1.0), rtol, atol,
                                                                       stage_steps))
        total_steps += steps
        best = int(np.argmin(np.where(np.isfinite(costs), costs, np.inf)))
    theta = jnp.asarray(thetas[best])
    weights = _weights(data, scatter, 1.0)
    predictions, jacobian, estimate, dp_dtheta = _final(problem, theta, weights)
    predictions = tuple(np.asarray(p) for p in predictions)
    jacobian, estimate, dp_dtheta = np.asarray(jacobian), np.asarray(estimate), np.asarray(dp_dtheta)
    residuals = np.concatenate([(p - d.values) / w for p, d, w in zip(predictions, data, scatter)])
    variance = float(np.sum(residuals**2)) / (points - len(free_coordinates))
    # the Jacobian by relative changes of the physical parameters
    scales = np.array([abs(v) if v != 0 else c.scale for v, c in zip(estimate, free_coordinates)])
    scaled = jacobian / dp_dtheta * scales
    _, singular_values, singular_vectors = np.linalg.svd(scaled, full_matrices=False)
    inverse = (singular_vectors.T / np.where(singular_values > 0, singular_values, np.inf) ** 2) @ singular_vectors
    covariance = variance * inverse * np.outer(scales, scales)
    standard_error = np.sqrt(np.maximum(np.diag(covariance), 0.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        correlation = covariance / np.outer(standard_error, standard_error)
    start_estimates = np.asarray(jax.vmap(problem.estimate)(jnp.asarray(thetas)))
    noise = np.array([float(np.sqrt(np.mean((p - d.values) ** 2))) for p, d in zip(predictions, data)])
    # an implausible estimate is the fit's finding, judged by `poor_fit`, not a refusal of its record
    fitted = start.replace(check_plausibility=False, **{c.name: float(v) for c, v in zip(free_coordinates, estimate)})
    notes = _notes(free_coordinates, estimate, standard_error, correlation, singular_values, singular_vectors,
                   bool(converged[best]))
    return FitResult(free_coordinates, estimate, standard_error, correlation, singular_values, singular_vectors,
                     data, predictions, noise, start_estimates, costs, converged, total_steps, fitted, start, seed,
                     settings, tuple(notes), model=problem.fitted_device(theta),
                     directions=tuple(d if o.fields is not None else None for d, o in zip(directions, observations)))


# ---- the fit as a dataset ---------------------------------------------------------------------------
VALUE_NAMES = {"trace": "R", "transfer": "dR", "dispersion": "resonance frequency", "linewidth": "linewidth",
               "loop": "R", "spectrum": "V_dc"}
def fit_dataset(result: FitResult, **attrs) -> xr.Dataset:
    """The fit as a dataset: `estimate(parameter)` and `standard_error(parameter)` in SI units, `correlation`,
    the scaled Jacobian's singular values and directions, the starts, and per data file k its `measured_k`,
    `fitted_k` and `residual_k` over its own coordinate (`time_k` or `current_density_k`)."""
    names = [c.name for c in result.free]
    units = [c.units for c in result.free]
    si = "SI, the parameter's own (see parameter_units)"
    variables = {
        "estimate": ("parameter", result.estimate, {"units": si, "long_name": "least-squares estimate"}),
        "standard_error": ("parameter", result.standard_error,
                           {"units": si, "long_name": "standard error, from s^2 (J^T J)^-1 at the estimate"}),
        "start_value": ("parameter", np.array([c.start for c in result.free]),
                        {"units": si, "long_name": "value in the start record"}),
        "lower_bound": ("parameter", np.array([c.low for c in result.free]),
                        {"units": si, "long_name": "lower bound"}),
        "upper_bound": ("parameter", np.array([c.high for c in result.free]),
                        {"units": si, "long_name": "upper bound"}),
        "correlation": (("parameter", "parameter_other"), result.correlation,
                        {"units": "1", "long_name": "correlation of the estimates"}),
        "singular_value": ("direction", result.singular_values,
                           {"units": "1", "long_name": "singular values of the weighted Jacobian, columns scaled to "
                                                       "relative changes of the parameters"}),
        "singular_vector": (("direction", "parameter"), result.singular_vectors,
                            {"units": "1", "long_name": "directions in relative parameter changes, largest first"}),
        "condition_number": ((), result.condition_number,
                             {"units": "1", "long_name": "largest over smallest singular value"}),
        "start_estimate": (("start", "parameter"), result.start_estimates,
                           {"units": si, "long_name": "estimate reached from each start"}),
        "start_cost": ("start", result.start_costs,
                       {"units": "1", "long_name": "half the sum of squared weighted residuals from each start"}),
        "start_converged": ("start", result.start_converged.astype(np.int8),
                            {"units": "1", "long_name": "the start's iteration converged (1) or not (0)"}),
        "start_steps": ("start", result.start_steps, {"units": "1", "long_name": "Levenberg-Marquardt steps"}),
    }
    for k, (data, prediction, noise) in enumerate(zip(result.data, result.predictions, result.noise)):
        dim = f"{data.dim}_{k}"
        unit = getattr(data, "value_unit", "ohm")
        what = VALUE_NAMES[data.kind]
        variables[f"measured_{k}"] = (dim, data.values, {"units": unit, "long_name": f"measured {what}",
                                                         "source": data.source})
        variables[f"fitted_{k}"] = (dim, prediction, {"units": unit, "long_name": f"{what} of the fitted model"})
        variables[f"residual_{k}"] = (dim, prediction - data.values,
                                      {"units": unit, "long_name": f"{what}: fitted minus measured"})
        variables[f"noise_{k}"] = ((), noise, {"units": unit, "long_name": "residual standard deviation"})
        if data.kind == "trace":
            variables[f"drive_{k}"] = ((), data.current_density,
                                       {"units": "A/m^2", "long_name": "current density of the step"})
        if data.kind == "spectrum":
            variables[f"rf_current_{k}"] = ((), data.rf_current, {"units": "A", "long_name": "rf current amplitude"})
            fixed = ("frequency", data.frequency, "Hz") if data.sweep == "field" else ("field", data.field, "A/m")
            variables[f"{fixed[0]}_fixed_{k}"] = ((), fixed[1], {"units": fixed[2], "long_name": f"fixed {fixed[0]}"})
    coords = {
        "parameter": ("parameter", names, {"units": "", "long_name": "free parameter"}),
        "parameter_other": ("parameter_other", names, {"units": "", "long_name": "free parameter"}),
        "parameter_units": ("parameter", units, {"units": "", "long_name": "units of the parameter"}),
        "direction": ("direction", np.arange(len(names)), {"units": "", "long_name": "singular direction"}),
        "start": ("start", np.arange(result.start_costs.size), {"units": "", "long_name": "start (0: the record)"}),
    }
    for k, data in enumerate(result.data):
        what = f"{data.dim.replace('_', ' ')} of data file {k}"
        coords[f"{data.dim}_{k}"] = (f"{data.dim}_{k}", data.coordinate, {"units": data.unit, "long_name": what})
    dataset = xr.Dataset(variables, coords=coords)
    dataset.attrs.update(provenance(result.fitted, seed=result.seed, settings=result.settings, **attrs))
    dataset.attrs.update(
        fitted_parameters=result.fitted.to_json(), start_parameters=result.start.to_json(),
        free=json.dumps(names), data_files=json.dumps([d.source for d in result.data]),
        identifiability=json.dumps(list(result.notes)), degrees_of_freedom=result.degrees_of_freedom,
    )
    return dataset


FINE_POINTS = 300  # points of the model's curve between the data's (at least as many as the data have)
TITLE_FONTSIZE = 9


def model_curve(result: FitResult, k: int, points: int = FINE_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """The fitted model of data file k on a fine grid over the data's coordinate range, by the prediction the
    fit used (`predict`) at finer times, currents, fields or frequencies.

    Returns: (coordinate, model values), SI; the data's own points and `result.predictions` where the fit kept
    no model (`FitResult.model`) or the model fails between the points.
    """
    data = result.data[k]
    coordinate = np.asarray(data.coordinate, dtype=np.float64)
    fallback = coordinate, np.asarray(result.predictions[k])
    if result.model is None or coordinate.size < 2:
        return fallback
    points = max(points, coordinate.size)
    if data.kind == "loop":
        # a loop's equilibria depend on the sweep's history: refine each step of the sweep in its own order
        # (the same path, more fields on it), not a sorted grid, which would sweep it once, one way
        steps = np.arange(math.ceil(points / (coordinate.size - 1))) / math.ceil(points / (coordinate.size - 1))
        fine = np.append((coordinate[:-1, None] + np.diff(coordinate)[:, None] * steps).ravel(), coordinate[-1])
    else:
        fine = np.linspace(coordinate.min(), coordinate.max(), points)
    attribute = "swept" if data.kind == "spectrum" else data.dim  # the data class's field of its coordinate
    finer = dataclasses.replace(data, **{attribute: fine, data.what: np.zeros_like(fine)})
    direction = result.directions[k] if k < len(result.directions) else None
    values = np.asarray(_predict(result.model, Observation.of(finer, direction)))
    if not np.any(np.isfinite(values)):
        return fallback
    return fine, values


_predict = eqx.filter_jit(predict)


def _title_lines(parts: Sequence[str], width: float, fontsize: float = TITLE_FONTSIZE) -> str:
    """`parts` joined by "; " into lines that fit `width` [inch] (DejaVu Sans averages about 0.5 em a glyph in
    such text; 0.55 leaves a margin)."""
    limit = max(20, int(width * 72 / (0.55 * fontsize)))
    lines = [""]
    for part in parts:
        if lines[-1] and len(lines[-1]) + 2 + len(part) > limit:
            lines[-1] += ";"
            lines.append(part)
        else:
            lines[-1] += ("; " if lines[-1] else "") + part
    return "\n".join(lines)


def plot_fit(result: FitResult):
    """Returns: a `matplotlib.figure.Figure` of each data file against the fit (top: the data as markers, the
    fitted model as a line over a fine grid of the data's range) and the residuals at the data's points (below)."""
    from matplotlib.figure import Figure

    count = len(result.data)
    width = 4.5 * count + 1
    parts = [f"{c.name} = {v:.5g} ± {e:.2g}" + ("" if c.units in ("1", "") else f" {c.units}")
             for c, v, e in zip(result.free, result.estimate, result.standard_error)]
    parts.append(f"condition number {result.condition_number:.3g}")
    title = _title_lines(parts, width - 0.3)
    figure = Figure(figsize=(width, 5 + 0.17 * title.count("\n")), layout="constrained")
    axes = figure.subplots(2, count, sharex="col", squeeze=False, height_ratios=(2, 1))
    for k, (data, prediction) in enumerate(zip(result.data, result.predictions)):
        top, bottom = axes[0, k], axes[1, k]
        to_x, label, panel_title, scale, ylabel = _plot_axes(data)
        x = to_x(data.coordinate)
        fine, model = model_curve(result, k)
        top.plot(x, data.values * scale, "." if data.kind == "trace" else "o", ms=2 if data.kind == "trace" else 3,
                 color="0.5", label="measured", zorder=1)
        top.plot(to_x(fine), model * scale, "-", color="C3", lw=1, label="fit", zorder=2)
        top.set(ylabel=ylabel, title=f"{panel_title}\n{pathlib.Path(data.source).name}")
        top.title.set_fontsize(9)
        top.legend(fontsize=7)
        bottom.plot(x, (np.asarray(prediction) - data.values) * scale, ".", ms=2, color="C0")
        bottom.axhline(0.0, color="0.3", lw=0.6)
        bottom.set(xlabel=label, ylabel="fit − measured " + ylabel[ylabel.index("("):])
    figure.suptitle(title, fontsize=TITLE_FONTSIZE)
    return figure


def _plot_axes(data) -> tuple:
    """Returns: (the x value of a coordinate, x label, title, scale of the values, y label) of one data file's
    panel."""
    mu0_h = lambda h: np.asarray(h) * 1.25663706212e-6 * 1e3  # A/m -> mT of mu0 H
    if data.kind == "trace":
        return lambda t: np.asarray(t) * 1e9, "time (ns)", f"R(t) at j = {data.current_density:.3g} A/m²", 1.0, \
            "R (Ω)"
    if data.kind == "transfer":
        return lambda j: np.asarray(j) / 1e10, "j (10¹⁰ A/m²)", "transfer curve ΔR(j)", 1.0, "ΔR (Ω)"
    if data.kind == "dispersion":
        return mu0_h, "μ0H (mT)", "resonance f(H)", 1e-9, "f (GHz)"
    if data.kind == "linewidth":
        return mu0_h, "μ0H (mT)", "linewidth Δf(H)", 1e-6, "Δf (MHz)"
    if data.kind == "loop":
        return mu0_h, "μ0H (mT)", "R(H) loop", 1.0, "R (Ω)"
    if data.sweep == "field":
        return mu0_h, "μ0H (mT)", f"ST-FMR at {data.frequency / 1e9:.4g} GHz", 1e6, "V_dc (μV)"
    return lambda f: np.asarray(f) / 1e9, "f (GHz)", f"ST-FMR at μ0H = {mu0_h(data.field):.4g} mT", 1e6, "V_dc (μV)"


def fit_outputs(output: str | pathlib.Path) -> tuple[pathlib.Path, pathlib.Path, pathlib.Path]:
    """Returns: the fit's netCDF, the fitted record as a --params JSON file beside it, and its PNG."""
    output = pathlib.Path(output)
    if output.suffix.lower() in (".json", ".png"):
        raise MtjphysError(f"the fit's output {str(output)!r} must be a netCDF file (its .json and .png are written "
                           "beside it)")
    return output, output.with_suffix(".json"), output.with_suffix(".png")
