"""A researcher's own nonlocal term, written outside mtjphys: a fixed bias field map over the free layer
(a nearby magnet's stray field, say),

    B(x, y) = B_bias exp(-r^2 / (2 w^2)) [T],   r the distance from the body's axis, w = `bias_width`,

uniform for w = null (infinite). The symbolic term declares its parameters and names its runtime operator
by import path; the operator computes the map on the grid, its Zeeman energy -Ms m . B (the field does not
depend on m) and a bound on its field. Nothing in mtjphys is edited.
"""

from __future__ import annotations

import dataclasses

import jax.numpy as jnp
import numpy as np
from mtjphys.models import NonlocalTerm, Parameter

from mtjphys.grid import AbstractGridOperator, linear_energy_density


@dataclasses.dataclass(frozen=True)
class BiasMap(NonlocalTerm):
    """A fixed bias field map B_bias exp(-r^2 / (2 w^2)) [T] (`BiasMapOperator`)."""

    name: str = "bias_map"
    parameters: tuple[Parameter, ...] = (
        Parameter("B_bias", "T", "bias field on the free layer's axis", vector=True),
        Parameter("bias_width", "m", "width of the bias field's Gaussian profile (null: uniform)", constraint="scale"),
    )
    operator: str = f"{__name__}:BiasMapOperator"


def profile(mesh, width):
    """exp(-r^2 / (2 width^2)) in every cell, 0 outside the body, (..., nx, ny, nz) for widths (..., 1, 1, 1)."""
    x, y = mesh.centres()
    r2 = (x[:, None] ** 2 + y[None, :] ** 2)[:, :, None]
    return jnp.where(mesh.mask, jnp.exp(-r2 / (2 * width**2)), 0.0)


class BiasMapOperator(AbstractGridOperator):
    """The field of `BiasMap` on the grid."""

    def field(self, m, ms, cells, mesh, constants):
        return cells["B_bias"] * profile(mesh, cells["bias_width"])[..., None]

    def energy_density(self, m, field, ms, cells):
        return linear_energy_density(m, field, ms)

    def field_bound(self, record):
        return float(np.linalg.norm(record["B_bias"]))  # the profile is at most 1
