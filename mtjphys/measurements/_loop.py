"""The R(H) loop: the resistance as the applied field sweeps down from its largest value and back up, each point
relaxed from the one before, so that the loop shows the layer's hysteresis.

At 0 K each point is the stable equilibrium reached from the last (`settle`: a fixed point left unstable by
the field is left along its unstable direction, as at the Stoner-Wohlfarth switching field). Above 0 K each
point holds the field for a dwell time under the stochastic LLG, every realisation carrying its state to the
next field, and the resistance is averaged over the dwell's second half and over the realisations: thermal
activation lowers the coercive field as the dwell lengthens. The loop's switching fields give the coercive
field (half their difference) and the offset (their mean: the reference layer's coupling and stray field).
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import xarray as xr

from .._errors import MtjphysError
from ..data._provenance import provenance
from ..device._circuit import is_warm
from ..device._device import as_device, Device
from ..device._parameters import Parameters
from ..device._thermal import _tangent_basis, sampled_thermal_solver, ThermalSolver
from ._linear import _check, sweep, with_field
from ._resonance import default_direction, field_vectors

SWEEPS = ("down", "up")
DEFAULT_DWELL = 2e-9  # [s], the time each field is held above 0 K
DWELL_SAMPLES = 101  # resistance samples over each dwell


def loop_fields(field_min: float, field_max: float, points: int) -> np.ndarray:
    """Returns: the signed field magnitudes in sweep order: field_max down to field_min and back up, (2 points,)."""
    if not (np.isfinite(field_min) and np.isfinite(field_max) and field_min < field_max):
        raise MtjphysError(f"the field range must be finite with field_min < field_max, got {field_min:g} and "
                           f"{field_max:g}")
    if not (isinstance(points, int) and points >= 3):
        raise MtjphysError(f"a loop needs at least 3 points per sweep, got {points!r}")
    down = np.linspace(field_max, field_min, points)
    return np.concatenate([down, down[::-1]])


@eqx.filter_jit
def _relaxed(device: Device, state, params, tilt):
    """A grid's state relaxed after the tilt (two tangent angles per cell), and its resistance."""
    e1, e2 = _tangent_basis(state)
    relaxed = device.model.relax(state + tilt[..., :1] * e1 + tilt[..., 1:] * e2, params)
    return relaxed, device.model.resistance(device.law)(relaxed, 0.0, params)


def _grid_loop(device: Device, vectors: np.ndarray, start, key) -> tuple[np.ndarray, np.ndarray]:
    """A grid's loop at 0 K: each field relaxed from the last after a small random tilt of every cell (seeded), which
    lets the layer leave a state the field has made a saddle, as the cells' own fluctuations would."""
    state = device.model.uniform(jnp.asarray(start, dtype=jnp.float64))
    ms, rs = [], []
    for field, subkey in zip(vectors, jax.random.split(key, len(vectors))):
        tilt = 1e-3 * jax.random.normal(subkey, state.shape[:-1] + (2,))
        state, resistance = _relaxed(device, state, with_field(device.params, field), tilt)
        ms.append(np.asarray(device.model.average(state)))
        rs.append(float(resistance))
    return np.asarray(ms), np.asarray(rs)


@eqx.filter_jit
def _thermal_run(device: Device, vectors, key, start, samples: int, dwell: float):
    ts = np.linspace(0.0, dwell, device.solver.samples)
    late = ts >= dwell / 2

    def step(m, inputs):
        field, subkey = inputs
        held = device.replace(params=with_field(device.params, field))
        trace = held.solve(jnp.zeros(samples), ts, key=subkey, m0=m)
        return trace.end, (jnp.mean(trace.m[late], axis=0), jnp.mean(trace.point.resistance[late], axis=0))

    m = jnp.broadcast_to(start, (samples, 3))
    _, (ms, rs) = jax.lax.scan(step, m, (vectors, jax.random.split(key, vectors.shape[0])))
    return ms, rs


def _thermal_loop(device: Device, vectors: np.ndarray, start, key, samples: int, dwell: float):
    """Above 0 K: `samples` realisations, each field held for `dwell`, the state carried from field to field."""
    ms, rs = _thermal_run(device, jnp.asarray(vectors), key, jnp.asarray(start, dtype=jnp.float64), samples,
                          float(dwell))
    return np.asarray(ms), np.asarray(rs)


_compiled_sweep = eqx.filter_jit(sweep)


def switching_field(field: np.ndarray, along: np.ndarray) -> float:
    """Returns: the field [A/m] where one branch of a loop (fields in sweep order) first reverses the magnetization
    along the field (`along` crosses 0), interpolated linearly; NaN where it does not reverse (a layer the sweep
    never switches, as above 0 K with a dwell too short for it)."""
    side = along >= 0
    crossing = np.nonzero(side[1:] != side[:-1])[0]
    if crossing.size == 0:
        return float("nan")
    i = int(crossing[0])
    return float(field[i] - along[i] / (along[i + 1] - along[i]) * (field[i + 1] - field[i]))


def loop(parameters, field_min: float, field_max: float, points: int = 201, *, direction=None, samples: int = 16,
         dwell: float = DEFAULT_DWELL, seed: int = 0) -> xr.Dataset:
    """The R(H) loop: the field swept from `field_max` down to `field_min` and back up.

    Arguments:
        parameters: one MTJ's record (macrospin, or micromagnetic at 0 K), or its `Device`.
        field_min, field_max: the sweep's ends [A/m], signed magnitudes along `direction`.
        points: fields per sweep.
        direction: the field's direction (default the record's H_ext direction, else its easy axis).
        samples, dwell: above 0 K, the realisations and the time [s] each field is held.
        seed: the noise above 0 K (and a grid's small random tilts).

    Returns:
        Dataset over `field` (increasing) and `sweep` ("down", "up") with `resistance` [ohm] and `m`, and the
        scalars `switching_field_down`, `switching_field_up`, `coercive_field` and `offset_field` [A/m].
    """
    sequence = loop_fields(float(field_min), float(field_max), points)
    if not isinstance(parameters, (Device, Parameters)):
        raise MtjphysError("an R(H) loop is computed for one MTJ at a time: give one record or its Device")
    if isinstance(parameters, Parameters):  # the stochastic step is chosen for the strongest field of the sweep
        direction = default_direction(parameters) if direction is None else direction
        strongest = field_vectors(sequence, direction)[1][np.argmax(np.abs(sequence))]
        parameters = parameters.replace(H_ext=[float(v) for v in strongest])
    if not (np.isfinite(dwell) and dwell > 0):
        raise MtjphysError(f"the dwell time must be positive [s], got {dwell!r}")
    options = {}
    if not isinstance(parameters, Device) and parameters.mesh is None and is_warm(parameters):
        options["thermal"] = sampled_thermal_solver(ThermalSolver(), dwell / (DWELL_SAMPLES - 1), DWELL_SAMPLES)
    device = as_device(parameters, window=dwell, **options)
    _check(device, "an R(H) loop")
    record = device.record
    direction = default_direction(record) if direction is None else direction
    magnitudes, vectors = field_vectors(sequence, direction)
    start = vectors[0] / np.linalg.norm(vectors[0]) if np.linalg.norm(vectors[0]) > 0 else np.asarray(record["m0"])
    key = jax.random.key(seed)
    attrs = {}
    if device.thermal:
        if device.mesh is not None:
            raise MtjphysError("a grid's R(H) loop is computed at 0 K")
        if not (isinstance(samples, int) and samples >= 1):
            raise MtjphysError(f"the number of samples must be a whole number >= 1, got {samples!r}")
        m, resistance = _thermal_loop(device, vectors, start, key, samples, dwell)
        resistance_std = resistance.std(axis=1, ddof=1) if samples > 1 else np.zeros(len(resistance))
        m, resistance = m.mean(axis=1), resistance.mean(axis=1)
        attrs.update(samples=samples, dwell=dwell)
    elif device.mesh is not None:
        m, resistance = _grid_loop(device, vectors, start, key)
        resistance_std = None
    else:
        m, response = _compiled_sweep(device, jnp.asarray(vectors), jnp.float64(0.0), jnp.asarray(start, dtype=float))
        m, resistance, resistance_std = np.asarray(m), np.asarray(response.resistance), None
    direction = np.asarray(direction, dtype=np.float64) / np.linalg.norm(direction)
    return loop_dataset(device, magnitudes, m, resistance, resistance_std, seed=seed, direction=direction,
                        field_direction=[float(v) for v in direction], **attrs)


def loop_dataset(device: Device, sequence, m, resistance, resistance_std=None, *, direction, **attrs) -> xr.Dataset:
    """Returns: a loop computed in sweep order (down, then up) as a dataset over increasing `field` and `sweep`; the
    switching fields are where m along the field reverses (the resistance need not change: a reference layer at
    right angles to the field sees no switch)."""
    points = len(sequence) // 2
    field = sequence[:points][::-1]
    branches = lambda a: np.stack([a[:points][::-1], a[points:]], axis=1)
    along = m @ direction
    down = switching_field(sequence[:points], along[:points])
    up = switching_field(sequence[points:], along[points:])
    variables = {
        "resistance": (("field", "sweep"), branches(resistance), {"units": "ohm", "long_name": "resistance"}),
        "m": (("field", "sweep", "component"), branches(m),
              {"units": "1", "long_name": "magnetization direction (average)"}),
        "m_along_field": (("field", "sweep"), branches(along),
                          {"units": "1", "long_name": "magnetization along the field's direction"}),
        "switching_field_down": ((), down, {"units": "A/m", "long_name": "field where the down sweep switches"}),
        "switching_field_up": ((), up, {"units": "A/m", "long_name": "field where the up sweep switches"}),
        "coercive_field": ((), (up - down) / 2, {"units": "A/m", "long_name": "coercive field, half the loop's width"}),
        "offset_field": ((), (up + down) / 2, {"units": "A/m", "long_name": "offset of the loop's centre from zero"}),
    }
    if resistance_std is not None:
        variables["resistance_std"] = (("field", "sweep"), branches(resistance_std),
                                       {"units": "ohm", "long_name": "spread of the resistance over realisations"})
    dataset = xr.Dataset(variables, coords={
        "field": ("field", field, {"units": "A/m", "long_name": "applied field along its direction"}),
        "sweep": ("sweep", list(SWEEPS), {"units": "", "long_name": "sweep direction"}),
        "component": ("component", ["x", "y", "z"], {"units": "", "long_name": "Cartesian component"}),
    })
    dataset.attrs.update(provenance(device.record, model=getattr(device.model, "model", device.model),
                                    **device.describe(), **attrs))
    return dataset
