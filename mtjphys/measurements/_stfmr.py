"""Spin-torque FMR: the dc voltage an rf current rectifies through the oscillating resistance (the spin-diode
effect; Tulapurkar et al., Nature 438, 339 (2005)).

An rf current I cos(2 pi f t) through the junction tilts the free layer by the linear response
xi = Re[(i omega - A)^-1 b j e^(i omega t)], j = I / area, and V(t) = I(t) R(t) keeps the dc part
V_dc = (1/2) I Re[dR/dxi . (i omega - A)^-1 b] j. Swept in field or frequency about the resonance, V_dc is a
symmetric Lorentzian (the torque in phase with the current: damping-like for the usual geometries) plus an
antisymmetric one (the torque in quadrature: field-like); `lorentzian_parts` separates them as labs do.
`rectified_voltage` checks the small-signal form against a time-domain solve with the rf current.
"""

from __future__ import annotations

import diffrax as dfx
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optimistix as optx
import scipy.optimize
import xarray as xr

from .._errors import MtjphysError
from ..data._provenance import provenance
from ..device._device import as_device, Device
from ._linear import _check, _motion, linear_response, settle, sweep, with_field
from ._resonance import default_direction, field_vectors


def small_signal_voltage(response, frequency, rf_current, area) -> jnp.ndarray:
    """V_dc [V] of the spin diode at `frequency` [Hz] for an rf current of amplitude `rf_current` [A] (traceable).

    Arguments:
        response: a `LinearResponse` (any leading axes, broadcast against `frequency`).
        frequency: [Hz].
        rf_current: [A]; area: the junction's area [m^2].
    """
    amplitude = response.susceptibility(frequency) * jnp.asarray(rf_current / area).astype(jnp.complex128)
    gradient = response.resistance_gradient.astype(jnp.complex128)
    return 0.5 * rf_current * jnp.real(jnp.sum(gradient * amplitude, axis=-1))


def lorentzian_parts(x, voltage) -> dict:
    """Split a spectrum into V_s L_s + V_a L_a, L_s = D^2 / ((x - x0)^2 + D^2), L_a = D (x - x0) / ((x - x0)^2 + D^2),
    by least squares (scipy), started from the largest |V| and the half-maximum width.

    Returns:
        dict with `center` x0, `width` D (half width at half maximum, in x's units), `symmetric` V_s and
        `antisymmetric` V_a [V], and the two curves `symmetric_curve` and `antisymmetric_curve` on x.
    """
    x, voltage = np.asarray(x, dtype=np.float64), np.asarray(voltage, dtype=np.float64)
    peak = int(np.argmax(np.abs(voltage)))
    above = np.abs(voltage) >= np.abs(voltage[peak]) / 2
    width0 = max((x[above].max() - x[above].min()) / 2, np.min(np.abs(np.diff(x))) if x.size > 1 else 1.0)

    def model(x, center, width, symmetric, antisymmetric):
        u = x - center
        denominator = u**2 + width**2
        return (symmetric * width**2 + antisymmetric * width * u) / denominator

    scale = np.max(np.abs(voltage)) or 1.0
    start = (x[peak], width0, voltage[peak] / scale, 0.0)
    (center, width, symmetric, antisymmetric), _ = scipy.optimize.curve_fit(
        lambda x, c, w, s, a: model(x, c, w, s, a), x, voltage / scale, p0=start, maxfev=20_000)
    width, symmetric, antisymmetric = abs(width), symmetric * scale, antisymmetric * scale
    return {"center": center, "width": width, "symmetric": symmetric, "antisymmetric": antisymmetric,
            "symmetric_curve": model(x, center, width, symmetric, 0.0),
            "antisymmetric_curve": model(x, center, width, 0.0, antisymmetric)}


@eqx.filter_jit
def _spectrum(device: Device, fields, frequencies, current_density, start, rf_current):
    """The equilibria along the field sweep and V_dc(field, frequency), compiled once per device structure and shape."""
    equilibria, response = sweep(device, fields, current_density, start)
    per_field = jax.tree_util.tree_map(lambda a: a[:, None], response)
    return equilibria, small_signal_voltage(per_field, frequencies[None, :], rf_current, device.params["area"])


def stfmr(parameters, *, field, frequency, rf_current: float, direction=None, current_density: float = 0.0,
          start=None) -> xr.Dataset:
    """The spin-torque FMR spectrum V_dc(field, frequency) of a macrospin junction, small-signal.

    Arguments:
        parameters: one MTJ's record (a macrospin, current-driven), or its `Device`.
        field: signed field magnitudes [A/m] along `direction`, in sweep order (each equilibrium relaxed from
            the last, the first from `start`, default the record's m0).
        frequency: the rf frequencies [Hz].
        rf_current: the rf current's amplitude [A].
        direction: the field's direction (default the record's H_ext direction, else its easy axis).
        current_density: a dc current density [A/m^2] beside the rf current.

    Returns:
        Dataset over `field` and `frequency` with `voltage` [V]; where one of them has a single value, the
        Lorentzian parts along the other (`voltage_symmetric`, `voltage_antisymmetric`, and the scalars
        `symmetric`, `antisymmetric`, `center`, `width`); the equilibrium `m(field, component)`.
    """
    device = as_device(parameters)
    _check(device, "the spin-torque FMR spectrum")
    if device.mesh is not None:
        raise MtjphysError("the spin-torque FMR spectrum is computed for a macrospin")
    if not (np.isfinite(rf_current) and rf_current > 0):
        raise MtjphysError(f"the rf current must be a positive amplitude [A], got {rf_current!r}")
    frequency = np.atleast_1d(np.asarray(frequency, dtype=np.float64))
    if frequency.ndim != 1 or not np.all(np.isfinite(frequency) & (frequency > 0)):
        raise MtjphysError("the rf frequencies must be positive numbers [Hz]")
    record = device.record
    magnitudes, vectors = field_vectors(field, default_direction(record) if direction is None else direction)
    start = np.asarray(record["m0"] if start is None else start, dtype=np.float64)

    equilibria, voltage = (np.asarray(a) for a in _spectrum(device, jnp.asarray(vectors), jnp.asarray(frequency),
                                                             jnp.float64(current_density), jnp.asarray(start),
                                                             jnp.float64(rf_current)))
    variables = {
        "voltage": (("field", "frequency"), voltage, {"units": "V", "long_name": "rectified dc voltage"}),
        "m": (("field", "component"), equilibria, {"units": "1", "long_name": "equilibrium magnetization direction"}),
        "field_vector": (("field", "component"), vectors, {"units": "A/m", "long_name": "applied field H_ext"}),
    }
    swept = "frequency" if magnitudes.size == 1 and frequency.size > 3 else \
        "field" if frequency.size == 1 and magnitudes.size > 3 else None
    if swept is not None:
        x = frequency if swept == "frequency" else magnitudes
        parts = lorentzian_parts(x, voltage.ravel())
        unit = "Hz" if swept == "frequency" else "A/m"
        shape = voltage.shape
        variables.update(
            voltage_symmetric=(("field", "frequency"), parts["symmetric_curve"].reshape(shape),
                               {"units": "V", "long_name": f"symmetric Lorentzian part along {swept}"}),
            voltage_antisymmetric=(("field", "frequency"), parts["antisymmetric_curve"].reshape(shape),
                                   {"units": "V", "long_name": f"antisymmetric Lorentzian part along {swept}"}),
            symmetric=((), parts["symmetric"], {"units": "V", "long_name": "amplitude of the symmetric part"}),
            antisymmetric=((), parts["antisymmetric"], {"units": "V", "long_name": "amplitude of the antisymmetric "
                                                                                  "part"}),
            center=((), parts["center"], {"units": unit, "long_name": f"resonance {swept} of the Lorentzians"}),
            width=((), parts["width"], {"units": unit, "long_name": "half width at half maximum of the Lorentzians"}),
        )
    dataset = xr.Dataset(variables, coords={
        "field": ("field", magnitudes, {"units": "A/m", "long_name": "applied field along its direction"}),
        "frequency": ("frequency", frequency, {"units": "Hz", "long_name": "frequency of the rf current"}),
        "component": ("component", ["x", "y", "z"], {"units": "", "long_name": "Cartesian component"}),
    })
    dataset.attrs.update(provenance(record, model=device.model, rf_current=float(rf_current),
                                    current_density=float(current_density), **device.describe()))
    return dataset


def rectified_voltage(device: Device, field, frequency: float, rf_current: float, *, current_density: float = 0.0,
                      periods: int = 16, settle_time: float | None = None, samples_per_period: int = 64) -> float:
    """V_dc [V] from a time-domain solve of the LLG driven by j_dc + (I / area) cos(2 pi f t): V(t) = I(t) R(t)
    averaged over `periods` whole periods after the transient has decayed (`settle_time`, default 12 / Gamma of
    the linearisation). The check of `small_signal_voltage` (a macrospin, current-driven, at 0 K)."""
    _check(device, "the time-domain spin diode")
    params = with_field(device.params, jnp.asarray(field, dtype=jnp.float64))
    m0 = settle(device, jnp.asarray(device.params["m0"]), current_density, params)
    if settle_time is None:
        decay = -float(jnp.max(jnp.real(linear_response(device, m0, current_density, params).eigenvalues())))
        settle_time = 12.0 / decay
    period = 1.0 / frequency
    settle_time = np.ceil(settle_time / period) * period
    area = device.params["area"]
    motion = _motion(device)
    omega = 2 * np.pi * frequency

    def field_of_motion(t, m, args):
        return motion(m, current_density + rf_current / area * jnp.cos(omega * t), params)

    ts = settle_time + np.arange(periods * samples_per_period) * period / samples_per_period
    resistance = device.model.resistance(device.law)
    solution = dfx.diffeqsolve(
        dfx.ODETerm(field_of_motion), dfx.Dopri8(), 0.0, float(ts[-1]), period / 200, m0,
        stepsize_controller=dfx.PIDController(rtol=1e-10, atol=1e-12, norm=optx.max_norm), max_steps=2**20,
        saveat=dfx.SaveAt(ts=jnp.asarray(ts)),
    )
    current = rf_current * np.cos(omega * ts)
    r = np.asarray(resistance(solution.ys, 0.0, params))
    return float(np.mean(current * r))
