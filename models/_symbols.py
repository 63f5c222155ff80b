"""Symbolic building blocks: declared parameters, 3-vectors and physical constants."""

from __future__ import annotations

import dataclasses
import functools
from typing import Literal

import sympy as sp

Constraint = Literal["finite", "positive", "nonnegative", "fraction", "direction", "demag", "scale"]

COMPONENTS = ("x", "y", "z")


def vector(name: str) -> sp.Matrix:
    """A column 3-vector of real symbols `name_x`, `name_y`, `name_z`."""
    return sp.Matrix([sp.Symbol(f"{name}_{c}", real=True) for c in COMPONENTS])


@dataclasses.dataclass(frozen=True)
class Parameter:
    """A named physical parameter of a model, as it appears in the parameter record.

    Arguments:
        name: the key in the parameter record (and the symbol's name).
        units: SI units, as text.
        description: one line for humans.
        vector: whether it is a 3-vector (components `name_x`, `name_y`, `name_z`).
        constraint: what a valid value is; the runtime checks it ("scale": a positive number, or
            infinite, written null in the record, for an effect switched off).
    """

    name: str
    units: str
    description: str
    vector: bool = False
    constraint: Constraint = "finite"

    @functools.cached_property
    def symbol(self) -> sp.Symbol | sp.Matrix:
        if self.vector:
            return vector(self.name)
        positive = self.constraint in ("positive", "scale")
        nonnegative = self.constraint in ("nonnegative", "fraction")
        if positive:
            return sp.Symbol(self.name, positive=True)
        if nonnegative:
            return sp.Symbol(self.name, nonnegative=True)
        return sp.Symbol(self.name, real=True)

    @property
    def shape(self) -> tuple[int, ...]:
        return (3,) if self.vector else ()


@dataclasses.dataclass(frozen=True)
class Constant:
    """A physical constant: a positive symbol in the models, its value substituted by codegen."""

    name: str
    value: str
    units: str
    description: str

    @functools.cached_property
    def symbol(self) -> sp.Symbol:
        return sp.Symbol(self.name, positive=True)


# CODATA 2018 (hbar, e, k_B exact since the 2019 SI redefinition).
HBAR = Constant("hbar", "1.054571817e-34", "J*s", "reduced Planck constant")
ELEMENTARY_CHARGE = Constant("e", "1.602176634e-19", "C", "elementary charge")
MU0 = Constant("mu0", "1.25663706212e-6", "T*m/A", "vacuum permeability")
BOLTZMANN = Constant("k_B", "1.380649e-23", "J/K", "Boltzmann constant")
CONSTANTS = (HBAR, ELEMENTARY_CHARGE, MU0, BOLTZMANN)

# State and input symbols shared by every model.
MAGNETIZATION = vector("m")
CURRENT_DENSITY = sp.Symbol("current_density", real=True)
THERMAL_FIELD = vector("b_th")
BIAS_VOLTAGE = sp.Symbol("bias_voltage", real=True)
# A micromagnetic model's cell: the field its neighbours and the rest of the body exert on it (exchange,
# demagnetisation), computed by the grid operators, and the cell's volume (for Brown's thermal field).
NONLOCAL_FIELD = vector("b_nl")
CELL_VOLUME = sp.Symbol("cell_volume", positive=True)
# Position in the free layer, for the continuum forms of the nonlocal terms.
POSITION = sp.symbols("x y z", real=True)
