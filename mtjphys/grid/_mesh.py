"""The grid of a micromagnetic free layer: its geometry and cells, the grains that vary its material
from cell to cell, and the limits a mesh must respect.

Cells are cuboids of dx = dy = `cell_size` in the plane and dz = thickness / `layers`, centred on a
grid that covers the body's bounding box; a cell belongs to the body when its centre does (the
staircase). Grains are columns through the thickness: Voronoi cells about centres drawn from
`grain_seed`, one per grain_size^2 of the box, each with its own Ms, Ku and easy-axis tilt.

The free layer's cells span z = 0 (the barrier) to its thickness; the reference layer lies below the barrier,
of the body's lateral shape, `reference_thickness` thick with its top `reference_spacing` below z = 0. Its
place sets the tensor of its stray field (`reference_tensor`), as the cells set the demagnetising kernel.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os

import numpy as np
import xarray as xr

from .._defaults import GEOMETRIES
from .._errors import MtjphysError
from ._demag import demag_kernel, padded_size, reference_layer_tensor
from ._oersted import oersted_bound, oersted_kernel

MAX_CELLS = 2**24
_STATE_COPIES = 24  # copies of one state a window's solve holds (Runge-Kutta stages, saves, fields)

# Keys of a micromagnetic record that say how the free layer is meshed (beside the model's own).
GRID_PARAMETERS = {
    "geometry": {"units": "", "description": "lateral shape of the free layer: disc, ellipse or rectangle",
                 "shape": None, "constraint": "geometry"},
    "length": {"units": "m", "description": "size of the free layer along x (a disc's diameter, an ellipse's axis, "
               "a rectangle's edge)", "shape": (), "constraint": "positive"},
    "width": {"units": "m", "description": "size of the free layer along y (equal to length for a disc)",
              "shape": (), "constraint": "positive"},
    "cell_size": {"units": "m", "description": "in-plane edge of the grid's cells", "shape": (),
                  "constraint": "positive"},
    "layers": {"units": "1", "description": "cells through the free layer's thickness", "shape": (),
               "constraint": "count"},
    "grain_size": {"units": "m", "description": "mean lateral size of the grains (null: no grains)", "shape": (),
                   "constraint": "scale"},
    "grain_seed": {"units": "1", "description": "seed of the grains' positions and properties", "shape": (),
                   "constraint": "seed"},
    "grain_Ms_dispersion": {"units": "1", "description": "relative standard deviation of Ms from grain to grain",
                            "shape": (), "constraint": "nonnegative"},
    "grain_Ku_dispersion": {"units": "1", "description": "relative standard deviation of Ku from grain to grain",
                            "shape": (), "constraint": "nonnegative"},
    "grain_axis_dispersion": {"units": "rad", "description": "standard deviation of the tilt of each grain's easy "
                              "axis", "shape": (), "constraint": "nonnegative"},
    "reference_thickness": {"units": "m", "description": "thickness of the reference layer below the barrier (for "
                            "its stray field on the free layer)", "shape": (), "constraint": "positive"},
    "reference_spacing": {"units": "m", "description": "non-magnetic gap between the free layer's bottom and the "
                          "reference layer's top (for its stray field)", "shape": (), "constraint": "nonnegative"},
}
# Entries of a micromagnetic record that follow from its mesh (read like keys, never given).
DERIVED_PARAMETERS = {
    "area": {"units": "m^2", "description": "lateral area of the free layer: its cells' (the staircase)",
             "shape": (), "constraint": "derived"},
}


def _available_memory() -> float:
    """Bytes of memory this machine has free (physical memory where that cannot be read)."""
    try:
        return float(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return 8e9


@dataclasses.dataclass(frozen=True)
class Mesh:
    """A free layer on a grid: what the record's geometry and grid keys say (its fields), and what
    follows (the body's cells, their material, the demagnetising kernel).

    Arguments:
        geometry: "disc", "ellipse" or "rectangle".
        length, width, thickness: the body's size along x, y and z [m].
        cell_size: in-plane cell edge [m]; layers: cells through the thickness.
        grain_size: mean grain size [m] (inf: no grains); grain_seed: seeds the grains;
        grain_dispersion: relative std of Ms and Ku, and the std of the easy-axis tilt [rad], per grain.
        reference_thickness, reference_spacing: the reference layer's thickness, and the gap between the free
            layer's bottom and its top [m].
    """

    geometry: str
    length: float
    width: float
    thickness: float
    cell_size: float
    layers: int
    grain_size: float = math.inf
    grain_seed: int = 0
    grain_dispersion: tuple[float, float, float] = (0.0, 0.0, 0.0)
    reference_thickness: float = 1e-9
    reference_spacing: float = 1e-9

    def __post_init__(self):
        if self.geometry not in GEOMETRIES:
            raise MtjphysError(f"geometry must be one of {', '.join(GEOMETRIES)}, got {self.geometry!r}")
        if self.geometry == "disc" and self.width != self.length:
            raise MtjphysError(f"a disc has width = length; got {self.length:g} m and {self.width:g} m "
                               "(use geometry 'ellipse')")
        if self.cell_size > min(self.length, self.width):  # below it, the body's central cell is always in it
            raise MtjphysError(f"cell size {self.cell_size:g} m is larger than the body "
                               f"({self.length:g} m x {self.width:g} m): its staircase would be empty or a block")
        cells = math.prod(self.shape)
        if cells > MAX_CELLS:
            raise MtjphysError(f"the mesh has {cells} cells, more than {MAX_CELLS}; use larger cells")
        if self.memory > _available_memory():
            raise MtjphysError(f"the mesh {self.shape[0]} x {self.shape[1]} x {self.shape[2]} needs about "
                               f"{self.memory / 1e9:.1f} GB, more than this machine has free; use larger cells")

    @classmethod
    def of(cls, record) -> Mesh:
        """The mesh a micromagnetic parameter record describes."""
        return cls(record["geometry"], record["length"], record["width"], record["thickness"], record["cell_size"],
                   int(record["layers"]), record["grain_size"], int(record["grain_seed"]),
                   (record["grain_Ms_dispersion"], record["grain_Ku_dispersion"], record["grain_axis_dispersion"]),
                   record["reference_thickness"], record["reference_spacing"])

    def grid_keys(self) -> dict:
        """Returns: the record's keys that say how the free layer is meshed (`GRID_PARAMETERS`), as `of` read them."""
        ms, ku, axis = self.grain_dispersion
        return {"geometry": self.geometry, "length": self.length, "width": self.width, "cell_size": self.cell_size,
                "layers": self.layers, "grain_size": self.grain_size, "grain_seed": self.grain_seed,
                "grain_Ms_dispersion": ms, "grain_Ku_dispersion": ku, "grain_axis_dispersion": axis,
                "reference_thickness": self.reference_thickness, "reference_spacing": self.reference_spacing}

    # ---- the grid ------------------------------------------------------------------------
    @functools.cached_property
    def shape(self) -> tuple[int, int, int]:
        """Cells (nx, ny, nz)."""
        return (max(1, round(self.length / self.cell_size)), max(1, round(self.width / self.cell_size)),
                int(self.layers))

    @property
    def cell(self) -> tuple[float, float, float]:
        """The cell's edges (dx, dy, dz) [m]."""
        return (self.cell_size, self.cell_size, self.thickness / self.layers)

    @property
    def cell_volume(self) -> float:
        return math.prod(self.cell)

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """In-plane coordinates x (nx,) and y (ny,) of the cell centres [m], the body centred on 0."""
        nx, ny, _ = self.shape
        dx, dy, _ = self.cell
        return (np.arange(nx) + 0.5) * dx - nx * dx / 2, (np.arange(ny) + 0.5) * dy - ny * dy / 2

    @functools.cached_property
    def mask(self) -> np.ndarray:
        """(nx, ny, nz) bool: the cells whose centres lie in the body."""
        x, y = self.centres()
        if self.geometry == "rectangle":
            inside = np.ones((x.size, y.size), dtype=bool)
        else:
            inside = (2 * x[:, None] / self.length) ** 2 + (2 * y[None, :] / self.width) ** 2 <= 1
        return np.repeat(inside[:, :, None], self.shape[2], axis=2)

    @property
    def cells(self) -> int:
        """Cells in the body."""
        return int(self.mask.sum())

    @property
    def area(self) -> float:
        """The body's lateral area on the grid [m^2]: its cells' in one layer."""
        return int(self.mask[:, :, 0].sum()) * self.cell[0] * self.cell[1]

    @property
    def exact_area(self) -> float:
        """The lateral area of the body itself [m^2]."""
        factor = 1.0 if self.geometry == "rectangle" else math.pi / 4
        return factor * self.length * self.width

    @property
    def area_error(self) -> float:
        """(staircase area - exact area) / exact area."""
        return self.area / self.exact_area - 1

    @property
    def memory(self) -> float:
        """Bytes a window of one device needs, roughly: the kernel and its build, and the solver's states."""
        padded = math.prod(padded_size(n) for n in self.shape)
        kernel = 6 * padded * 8 * 3
        return kernel + _STATE_COPIES * 3 * 8 * max(padded, math.prod(self.shape))

    # ---- the material --------------------------------------------------------------------
    @functools.cached_property
    def grains(self) -> np.ndarray | None:
        """(nx, ny) the grain of each column of cells, or None without grains."""
        if not math.isfinite(self.grain_size):
            return None
        x, y = self.centres()
        box = (x.size * self.cell[0], y.size * self.cell[1])
        count = max(1, round(box[0] * box[1] / self.grain_size**2))
        rng = np.random.default_rng(self.grain_seed)
        centres = (rng.random((count, 2)) - 0.5) * np.array(box)
        distance = (x[:, None, None] - centres[:, 0]) ** 2 + (y[None, :, None] - centres[:, 1]) ** 2
        return np.argmin(distance, axis=-1)

    @functools.cached_property
    def material(self) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Each cell's factors on the record's Ms and Ku, (nx, ny, nz) (0 outside the body), and the rotation
        (nx, ny, nz, 3, 3) of the record's easy axis in each cell, or None without grains.

        Grain g draws, from a generator seeded by `grain_seed` after its positions, Ms and Ku factors
        1 + s N(0, 1) (clipped at 0.01) and a rotation by an angle N(0, s_axis) about a uniformly random axis.
        """
        inside = self.mask.astype(np.float64)
        if self.grains is None:
            return inside, inside, None
        count = int(self.grains.max()) + 1
        rng = np.random.default_rng([self.grain_seed, 1])
        ms_spread, ku_spread, axis_spread = self.grain_dispersion
        factor = lambda spread: np.maximum(1 + spread * rng.standard_normal(count), 0.01)
        ms, ku = factor(ms_spread), factor(ku_spread)
        axes = rng.standard_normal((count, 3))
        axes /= np.linalg.norm(axes, axis=1, keepdims=True)
        angles = axis_spread * rng.standard_normal(count)
        rotations = np.array([_rotation(a, t) for a, t in zip(axes, angles)])
        column = lambda values: np.repeat(values[self.grains][:, :, None], self.shape[2], axis=2)
        rotation = np.repeat(rotations[self.grains][:, :, None], self.shape[2], axis=2)
        return column(ms) * inside, column(ku) * inside, rotation

    @property
    def kernel(self) -> np.ndarray:
        """The FFT of the demagnetising tensor on this grid (`demag_kernel`, cached per grid)."""
        return demag_kernel(self.shape, self.cell)

    @property
    def reference_tensor(self) -> np.ndarray:
        """(6, nx, ny, nz): the demagnetising tensor of the reference layer at each cell of the free layer, summed
        over the layer (`reference_layer_tensor`, cached per mesh)."""
        return _reference_tensor(self)

    @property
    def oersted_kernel(self) -> np.ndarray:
        """The FFT of the field of one column's current on this grid (`oersted_kernel`, cached per grid)."""
        return oersted_kernel(self.shape[:2], self.cell[:2])

    @property
    def oersted_bound(self) -> float:
        """max_i sum_j |B_ij| / (mu0 j) over the body's columns [m] (`oersted_bound`, cached per grid)."""
        body = np.ascontiguousarray(self.mask[:, :, 0])
        return oersted_bound(body.tobytes(), self.shape[:2], self.cell[:2])

    def describe(self) -> dict:
        """Returns: the grid as provenance attributes."""
        return {"mesh_cells": list(self.shape), "mesh_cell_size": list(self.cell), "mesh_body_cells": self.cells,
                "mesh_area": self.area, "mesh_exact_area": self.exact_area, "mesh_area_error": self.area_error}


@functools.lru_cache(maxsize=8)
def _reference_tensor(mesh: Mesh) -> np.ndarray:
    """`Mesh.reference_tensor`, once per mesh (equal meshes share it)."""
    return reference_layer_tensor(mesh.mask[:, :, 0], mesh.shape[2], mesh.cell, mesh.reference_thickness,
                                  mesh.reference_spacing)


def _rotation(axis: np.ndarray, angle: float) -> np.ndarray:
    """The rotation matrix by `angle` [rad] about the unit vector `axis` (Rodrigues)."""
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + math.sin(angle) * k + (1 - math.cos(angle)) * k @ k


def _grid_coordinates(mesh: Mesh, layers: bool) -> dict:
    x, y = mesh.centres()
    coords = {"x": ("x", x, {"units": "m", "long_name": "cell centre along x"}),
              "y": ("y", y, {"units": "m", "long_name": "cell centre along y"})}
    if layers:
        z = (np.arange(mesh.shape[2]) + 0.5) * mesh.cell[2]
        coords["z"] = ("z", z, {"units": "m", "long_name": "cell centre along z, from the barrier"})
    return coords


def field_variable(mesh: Mesh, state: np.ndarray, long_name: str) -> xr.DataArray:
    """A state (nx, ny, nz, 3) as the variable m(x, y, component), or m(x, y, z, component) for a mesh of
    several layers; NaN outside the body."""
    state = np.where(mesh.mask[..., None], state, np.nan)
    layers = mesh.shape[2] > 1
    dims = ("x", "y", "z", "component") if layers else ("x", "y", "component")
    return xr.DataArray(state if layers else state[:, :, 0], dims=dims, coords=_grid_coordinates(mesh, layers),
                        attrs={"units": "1", "long_name": long_name})


def mesh_variables(mesh: Mesh) -> xr.Dataset:
    """The mesh as variables: its body (cells), and its area on the grid against the exact one."""
    coords = _grid_coordinates(mesh, False)
    return xr.Dataset(
        {
            "body": (("x", "y"), mesh.mask[:, :, 0].astype(np.int8),
                     {"units": "1", "long_name": "1 where the cell is in the free layer"}),
            "area": ((), mesh.area, {"units": "m^2", "long_name": "lateral area of the free layer on the grid"}),
            "exact_area": ((), mesh.exact_area, {"units": "m^2", "long_name": "lateral area of the free layer"}),
            "area_error": ((), mesh.area_error,
                           {"units": "1", "long_name": "relative error of the grid's area (the staircase)"}),
        },
        coords=coords,
    )
