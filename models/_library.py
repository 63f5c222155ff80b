"""The models mtjphys ships."""

from __future__ import annotations

from ._micromagnetic import MicromagneticModel
from ._model import MacrospinModel
from ._terms import (
    BiasDependentTMR,
    CellThermalField,
    CubicAnisotropy,
    Demagnetization,
    Exchange,
    FieldLikeTorque,
    LinearConductance,
    LinearResistance,
    Magnetostatic,
    SlonczewskiTorque,
    ThermalField,
    UniaxialAnisotropy,
    Zeeman,
)


def macrospin_stt() -> MacrospinModel:
    """The default model: Zeeman, uniaxial anisotropy and diagonal demag fields, Slonczewski
    spin-transfer torque (MuMax3 form), Brown's thermal field, two resistance laws (linear
    conductance first, the default) and a bias-dependent TMR (constant unless V_half is given)."""
    return MacrospinModel(
        name="macrospin_stt",
        energies=(Zeeman(), UniaxialAnisotropy(), Demagnetization()),
        torques=(SlonczewskiTorque(),),
        thermal=ThermalField(),
        resistance_laws=(LinearConductance(), LinearResistance()),
        bias=BiasDependentTMR(),
    )


def micromagnetic_stt() -> MicromagneticModel:
    """The micromagnetic free layer: in every cell Zeeman, uniaxial and cubic anisotropy, Slonczewski
    (MuMax3 form) and field-like spin-transfer torques, Brown's thermal field of the cell, the same
    resistance laws and bias-dependent TMR as `macrospin_stt`; between cells exchange and the
    demagnetising field of the grid."""
    local = MacrospinModel(
        name="micromagnetic_stt",
        energies=(Zeeman(), UniaxialAnisotropy(), CubicAnisotropy()),
        torques=(SlonczewskiTorque(), FieldLikeTorque()),
        thermal=CellThermalField(),
        resistance_laws=(LinearConductance(), LinearResistance()),
        bias=BiasDependentTMR(),
    )
    return MicromagneticModel("micromagnetic_stt", local, (Exchange(), Magnetostatic()))
