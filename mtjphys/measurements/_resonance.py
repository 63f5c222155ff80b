"""Ferromagnetic resonance: the frequencies and linewidths of the lowest modes against the applied field.

A mode of the LLG linearised about the equilibrium has the eigenvalue -Gamma + i omega: it rings at
f = omega / 2 pi and is driven with a Lorentzian response whose full width at half maximum in frequency is
Gamma / pi. The thin-film Kittel formulas are the limit alpha -> 0 of these (docs/measurements.md). A
macrospin's 2 x 2 linearisation comes from the generated symbolic Jacobian; a grid's from forward-mode
Jacobian-vector products of its whole right-hand side (exchange, demagnetisation and all), in the tangent
plane of every cell, diagonalised densely.
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import xarray as xr

from .._errors import MtjphysError
from ..data._provenance import provenance
from ..device._device import as_device, Device
from ..device._parameters import Parameters
from ..device._thermal import _tangent_basis
from ._linear import _check, _motion, sweep, with_field

GRID_TANGENT_LIMIT = 4096  # tangent coordinates (twice the body's cells) of the largest grid diagonalised


def field_vectors(field, direction) -> tuple[np.ndarray, np.ndarray]:
    """Returns: (the signed field magnitudes [A/m] (n,), the field vectors [A/m] (n, 3)) along the unit `direction`;
    refused in one line where a value is not finite or the direction is zero."""
    field = np.atleast_1d(np.asarray(field, dtype=np.float64))
    if field.ndim != 1 or field.size == 0 or not np.all(np.isfinite(field)):
        raise MtjphysError("the fields must be finite numbers [A/m]")
    direction = np.asarray(direction, dtype=np.float64)
    if direction.shape != (3,) or not np.all(np.isfinite(direction)) or not np.linalg.norm(direction) > 0:
        raise MtjphysError(f"the field direction must be three numbers, not all zero; got {direction.tolist()}")
    return field, field[:, None] * (direction / np.linalg.norm(direction))


def default_direction(record: Parameters) -> np.ndarray:
    """The direction fields are applied along unless told: the record's applied field's, else its easy axis."""
    applied = np.asarray(record["H_ext"], dtype=np.float64)
    return applied / np.linalg.norm(applied) if np.linalg.norm(applied) > 0 else np.asarray(record["easy_axis"], float)


def macrospin_modes(device: Device, fields: np.ndarray, current_density: float, start) -> dict:
    """The macrospin's equilibria and its one mode along a sweep (traceable in the record's arrays).

    Returns:
        dict of arrays over the fields: `m` (n, 3), `frequency` and `linewidth` [Hz] (n, 1), `stable` (n,).
    """
    equilibria, response = sweep(device, fields, current_density, start)
    eigenvalues = response.eigenvalues()
    frequency = jnp.max(jnp.abs(eigenvalues.imag), axis=-1) / (2 * jnp.pi)
    linewidth = -jnp.mean(eigenvalues.real, axis=-1) / jnp.pi
    oscillating = frequency > 0
    return {"m": equilibria, "frequency": jnp.where(oscillating, frequency, jnp.nan)[:, None],
            "linewidth": jnp.where(oscillating, linewidth, jnp.nan)[:, None],
            "stable": jnp.all(eigenvalues.real < 0, axis=-1)}


def _grid_matrix(device: Device, m, params):
    """The grid's linearisation in the tangent planes of the body's cells: (2 n, 2 n) for n cells."""
    inside = np.asarray(device.model._material[3])
    index = np.nonzero(inside)
    e1, e2 = (e[index] for e in _tangent_basis(m))
    motion = _motion(device)

    def tangent_motion(xi):
        tilt = jnp.zeros_like(m).at[index].set(xi[:, :1] * e1 + xi[:, 1:] * e2)
        f = motion(m + tilt, 0.0, params)[index]
        return jnp.stack([jnp.sum(f * e1, axis=-1), jnp.sum(f * e2, axis=-1)], axis=-1)

    cells = len(index[0])
    matrix = jax.jacfwd(tangent_motion)(jnp.zeros((cells, 2)))
    return matrix.reshape(2 * cells, 2 * cells)


# compiled once per device structure and sweep shape, not per call
_compiled_macrospin_modes = eqx.filter_jit(macrospin_modes)
_compiled_grid_matrix = eqx.filter_jit(_grid_matrix)


def grid_modes(device: Device, fields: np.ndarray, modes: int, start) -> dict:
    """A grid's relaxed states and its lowest `modes` modes along a sweep, each field relaxed from the last."""
    cells = int(np.sum(np.asarray(device.model._material[3])))
    if 2 * cells > GRID_TANGENT_LIMIT:
        raise MtjphysError(f"the grid's resonance is diagonalised densely, up to {GRID_TANGENT_LIMIT // 2} cells; this "
                           f"body has {cells} (take a larger cell_size)")
    state = device.model.uniform(jnp.asarray(start, dtype=jnp.float64))
    result = {"m": [], "frequency": [], "linewidth": [], "stable": []}
    for field in fields:
        params = with_field(device.params, field)
        state = device.model.relax(state, params)
        eigenvalues = np.linalg.eigvals(np.asarray(_compiled_grid_matrix(device, state, params)))
        ringing = eigenvalues[eigenvalues.imag > 0]
        ringing = ringing[np.argsort(ringing.imag)][:modes]
        padded = np.full(modes, np.nan + 0j)
        padded[: ringing.size] = ringing
        result["m"].append(np.asarray(device.model.average(state)))
        result["frequency"].append(padded.imag / (2 * np.pi))
        result["linewidth"].append(-padded.real / np.pi)
        result["stable"].append(bool(np.all(eigenvalues.real < 0)))
    return {k: np.asarray(v) for k, v in result.items()}


def resonance(parameters, field, *, direction=None, current_density: float = 0.0, modes: int | None = None,
              start=None) -> xr.Dataset:
    """The resonance of the lowest modes against the applied field (an FMR dispersion and its linewidth).

    Arguments:
        parameters: one MTJ's record (macrospin or micromagnetic), or its `Device`; at 0 K or above (the
            resonance is that of the deterministic LLG; Joule heating at once is included).
        field: signed field magnitudes [A/m] in sweep order; the applied field H_ext is replaced by each.
        direction: the field's direction (default the record's H_ext direction, else its easy axis).
        current_density: a dc current density [A/m^2] (a macrospin only): the fixed point and its modes under
            the spin-transfer torques.
        modes: how many modes (a macrospin has 1; default 3 for a grid).
        start: the direction the first field's equilibrium is relaxed from (default the record's m0); each
            further field's from the last (so a sweep follows one branch of a hysteresis).

    Returns:
        Dataset over `field` (and `mode`) with `frequency` and `linewidth` (FWHM) [Hz], the equilibrium's average
        direction `m(field, component)`, `field_vector` and `stable` (1 where every mode decays).
    """
    device = as_device(parameters)
    _check(device, "the resonance")
    record = device.record
    magnitudes, vectors = field_vectors(field, default_direction(record) if direction is None else direction)
    start = np.asarray(record["m0"] if start is None else start, dtype=np.float64)
    if device.mesh is None:
        if modes not in (None, 1):
            raise MtjphysError(f"a macrospin has one mode, not {modes}")
        computed = _compiled_macrospin_modes(device, jnp.asarray(vectors), jnp.float64(current_density),
                                             jnp.asarray(start))
        computed = {k: np.asarray(v) for k, v in computed.items()}
    else:
        if current_density != 0:
            raise MtjphysError("a grid's resonance is computed without current (current_density=0)")
        modes = 3 if modes is None else modes
        if not (isinstance(modes, int) and modes >= 1):
            raise MtjphysError(f"the number of modes must be a whole number >= 1, got {modes!r}")
        computed = grid_modes(device, vectors, modes, start)
    return resonance_dataset(device, magnitudes, vectors, computed, current_density=current_density)


def resonance_dataset(device: Device, magnitudes, vectors, computed: dict, **attrs) -> xr.Dataset:
    """Returns: the resonance as a labelled dataset with the record's provenance."""
    modes = computed["frequency"].shape[1]
    dataset = xr.Dataset(
        {
            "frequency": (("field", "mode"), computed["frequency"],
                          {"units": "Hz", "long_name": "resonance frequency of the mode"}),
            "linewidth": (("field", "mode"), computed["linewidth"],
                          {"units": "Hz", "long_name": "linewidth of the mode (full width at half maximum)"}),
            "m": (("field", "component"), computed["m"],
                  {"units": "1", "long_name": "equilibrium magnetization direction (average over the cells)"}),
            "field_vector": (("field", "component"), vectors, {"units": "A/m", "long_name": "applied field H_ext"}),
            "stable": ("field", np.asarray(computed["stable"]).astype(np.int8),
                       {"units": "1", "long_name": "every mode decays (1) or one grows (0)"}),
        },
        coords={
            "field": ("field", magnitudes, {"units": "A/m", "long_name": "applied field along its direction"}),
            "mode": ("mode", np.arange(modes), {"units": "1", "long_name": "mode, lowest frequency first"}),
            "component": ("component", ["x", "y", "z"], {"units": "", "long_name": "Cartesian component"}),
        },
    )
    direction = vectors[np.argmax(np.abs(magnitudes))] / np.max(np.abs(magnitudes)) if np.any(magnitudes) \
        else np.zeros(3)
    dataset.attrs.update(provenance(device.record, model=getattr(device.model, "model", device.model),
                                    field_direction=[float(v) for v in direction], **device.describe(), **attrs))
    return dataset

