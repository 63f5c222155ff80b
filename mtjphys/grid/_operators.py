"""The grid operators of the nonlocal terms: each term of a micromagnetic model names the operator that
computes its field and its energy on the grid (`mtjphys.models.NonlocalTerm.operator`), and `MeshedModel`
sums whatever operators its model holds.

A user's own term is a `NonlocalTerm` whose `operator` is the import path "module:Class" of a subclass of
`AbstractGridOperator` in the user's module (docs/physics.md has an example).
"""

from __future__ import annotations

import abc
import importlib
import math
from typing import TYPE_CHECKING

import equinox as eqx
import jax.numpy as jnp
import numpy as np

from .._errors import MtjphysError
from ._demag import demag_field
from ._micromagnetic import exchange_field
from ._oersted import oersted_field

if TYPE_CHECKING:
    from ..device import Parameters
    from ._mesh import Mesh


def quadratic_energy_density(m: jnp.ndarray, field: jnp.ndarray, ms: jnp.ndarray) -> jnp.ndarray:
    """-Ms m . B / 2 [J/m^3]: a cell's share of an energy quadratic in m (exchange, demagnetisation), whose
    field at the cell is B [T]; the half counts each pair of cells once over the grid.

    Arguments:
        m: directions (..., nx, ny, nz, 3); field: B [T], like m; ms: Ms per cell [A/m], (..., nx, ny, nz).
    """
    return -ms * jnp.sum(m * field, axis=-1) / 2


def linear_energy_density(m: jnp.ndarray, field: jnp.ndarray, ms: jnp.ndarray) -> jnp.ndarray:
    """-Ms m . B [J/m^3]: a cell's energy in a field B [T] that does not depend on m (Zeeman-like: a bias or
    stray field map). Arguments: as `quadratic_energy_density`."""
    return -ms * jnp.sum(m * field, axis=-1)


class AbstractGridOperator(eqx.Module):
    """A nonlocal term on the grid: its field in every cell, its energy density, and a bound on its field
    (for the stable step of a fixed-step solve). A subclass is made without arguments (give its fields
    defaults); a model's term names it by its import path.
    """

    @abc.abstractmethod
    def field(self, m: jnp.ndarray, ms: jnp.ndarray, cells: dict, mesh: Mesh, constants: dict) -> jnp.ndarray:
        """The term's field in every cell.

        Arguments:
            m: unit directions, (..., nx, ny, nz, 3).
            ms: Ms per cell [A/m], (..., nx, ny, nz), 0 outside the body.
            cells: the record's entries per cell (`MeshedModel.cell_parameters`: a scalar (..., 1, 1, 1),
                a vector (..., 1, 1, 1, 3), Ms, Ku and the easy axis per cell as the grains make them).
            mesh: the grid (its cells, `mask` of the body, `centres`, `kernel`).
            constants: the model's physical constants, name -> {"value", "units"}.

        Returns:
            B [T], broadcast against m.
        """

    @abc.abstractmethod
    def energy_density(self, m: jnp.ndarray, field: jnp.ndarray, ms: jnp.ndarray, cells: dict) -> jnp.ndarray:
        """The term's energy density [J/m^3] in every cell, given its `field` there (its share, for a
        coupling between cells), (..., nx, ny, nz); see `quadratic_energy_density` and
        `linear_energy_density`. Arguments: as `field`."""

    @abc.abstractmethod
    def field_bound(self, record: Parameters) -> float:
        """An upper bound [T] of the term's field in any cell of the record's grid (`record.mesh`), for
        any state: with the local fields it bounds the fastest precession (`stiffest_precession`)."""


class ExchangeOperator(AbstractGridOperator):
    """Heisenberg exchange (`models.Exchange`, record key A): the 6-neighbour stencil with free boundaries
    (`exchange_field`), its energy quadratic."""

    def field(self, m, ms, cells, mesh, constants):
        stiffness = jnp.where(mesh.mask, cells["A"], 0.0)
        return exchange_field(m, stiffness, ms, mesh.cell)

    def energy_density(self, m, field, ms, cells):
        return quadratic_energy_density(m, field, ms)

    def field_bound(self, record):
        """The field of the grid's shortest wave: (2 A / Ms) sum 4 / d^2 over its axes of more than one cell."""
        mesh = record.mesh
        stencil = sum(4 / d**2 for d, n in zip(mesh.cell, mesh.shape) if n > 1)
        return 2 * record["A"] / record["Ms"] * stencil


class MagnetostaticOperator(AbstractGridOperator):
    """The demagnetising field (`models.Magnetostatic`): the Newell tensor of the mesh (`mesh.kernel`)
    applied by FFT convolution (`demag_field`), its energy quadratic."""

    def field(self, m, ms, cells, mesh, constants):
        return demag_field(ms[..., None] * m, mesh.kernel, mesh.shape, constants["mu0"]["value"])

    def energy_density(self, m, field, ms, cells):
        return quadratic_energy_density(m, field, ms)

    def field_bound(self, record):
        """mu0 Ms: no demagnetising factor exceeds 1."""
        return record.model.constants["mu0"]["value"] * record["Ms"]


# the six components (xx, yy, zz, xy, xz, yz) of a symmetric tensor by row and column
_TENSOR_ROWS = ((0, 3, 4), (3, 1, 5), (4, 5, 2))


class ReferenceStrayFieldOperator(AbstractGridOperator):
    """The stray field of the reference layer (`models.ReferenceStrayField`, record keys reference_Ms and
    fixed_layer; its place the grid keys reference_thickness and reference_spacing): B_i = -mu0 Ms_ref T_i p,
    T_i the layer's demagnetising tensor at cell i summed over the layer (`Mesh.reference_tensor`), fixed in
    time, so its energy is linear in m."""

    def field(self, m, ms, cells, mesh, constants):
        tensor = jnp.asarray(mesh.reference_tensor)
        direction = cells["fixed_layer"]
        rows = [sum(tensor[k] * direction[..., c] for c, k in enumerate(row)) for row in _TENSOR_ROWS]
        magnetization = constants["mu0"]["value"] * cells["reference_Ms"][..., None]
        return -magnetization * jnp.stack(rows, axis=-1)

    def energy_density(self, m, field, ms, cells):
        return linear_energy_density(m, field, ms)

    def field_bound(self, record):
        """mu0 Ms_ref times the largest norm of T_i over the cells (its eigenvalue of largest size): the largest
        field for any direction of the reference layer (0 without one, its tensor not built)."""
        if record["reference_Ms"] == 0:
            return 0.0
        tensor = record.mesh.reference_tensor
        matrices = np.stack([np.stack([tensor[k] for k in row], axis=-1) for row in _TENSOR_ROWS], axis=-1)
        norm = np.max(np.abs(np.linalg.eigvalsh(matrices)))
        return record.model.constants["mu0"]["value"] * record["reference_Ms"] * float(norm)


class OerstedOperator(AbstractGridOperator):
    """The Oersted field of the current through the pillar (`models.OerstedField`, record key oersted_field, a
    factor on Ampere's field): each column of cells a wire carrying its own current density (`oersted_field`),
    the field the same through the layers. It reads the current density of each cell, `cells`'
    "current_density" (broadcast against the cells), which only the equation of motion gives: without it (the
    relaxation, the energy) there is no current and no field. Its energy is linear in m."""

    def field(self, m, ms, cells, mesh, constants):
        if "current_density" not in cells:
            return jnp.zeros(mesh.shape + (3,))
        current = jnp.asarray(cells["current_density"])
        current = jnp.broadcast_to(current, jnp.broadcast_shapes(current.shape, (1, 1, 1)))[..., 0]  # same in z
        body = mesh.mask[:, :, 0]
        current = jnp.where(body, jnp.broadcast_to(current, current.shape[:-2] + body.shape), 0.0)
        # the field is linear in the factor and the current: their product is the one input (0 when switched off)
        plane = oersted_field(cells["oersted_field"][..., 0] * current, mesh.oersted_kernel, constants["mu0"]["value"])
        field = jnp.concatenate([plane, jnp.zeros_like(plane[..., :1])], axis=-1)[..., None, :]
        return jnp.where(mesh.mask[..., None], field, 0.0)

    def energy_density(self, m, field, ms, cells):
        return linear_energy_density(m, field, ms)

    def field_bound(self, record):
        """At the largest current density a column can carry, V_bd / (R_P A) below the breakdown voltage (a
        column conducts at most as the parallel state over its area): mu0 j_max max_i sum_j |K_ij|. Without a
        breakdown voltage the record bounds no current, and the drive's field is left out of the bound, as the
        spin torques are: 0."""
        voltage = record.get("breakdown_voltage", math.inf)
        if not math.isfinite(voltage) or "R_P" not in record:
            return 0.0
        current = voltage / (record["R_P"] * record.mesh.area)
        mu0 = record.model.constants["mu0"]["value"]
        return record["oersted_field"] * mu0 * current * record.mesh.oersted_bound


def resolve_operator(term: str, path) -> AbstractGridOperator:
    """The operator of the nonlocal term `term`, from its import path "module:Class".

    Returns: the operator, made without arguments. Raises `MtjphysError` (one line naming the term) when the
    path is not one, cannot be imported, or is not an `AbstractGridOperator` that can be made.
    """
    module_name, _, qualname = path.partition(":") if isinstance(path, str) else ("", "", "")
    if not module_name or not qualname:
        raise MtjphysError(f"nonlocal term {term!r} names no grid operator 'module:Class' (got {path!r})")
    try:
        target = importlib.import_module(module_name)
        for part in qualname.split("."):
            target = getattr(target, part)
    except Exception as error:  # a missing module or name, or the user's module failing to import
        reason = (str(error).splitlines() or [type(error).__name__])[0]
        raise MtjphysError(f"nonlocal term {term!r}: cannot import its grid operator {path!r} ({reason})")
    if not (isinstance(target, type) and issubclass(target, AbstractGridOperator)):
        raise MtjphysError(f"nonlocal term {term!r}: its grid operator {path!r} is not a subclass of "
                           "mtjphys.grid.AbstractGridOperator")
    try:
        return target()
    except TypeError as error:  # abstract, or it needs arguments
        reason = (str(error).splitlines() or [type(error).__name__])[0]
        raise MtjphysError(f"nonlocal term {term!r}: cannot make its grid operator {path!r} ({reason})")
