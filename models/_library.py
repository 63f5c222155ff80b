"""The models mtjphys ships."""

from __future__ import annotations

from ._model import MacrospinModel
from ._terms import (
    BiasDependentTMR,
    Demagnetization,
    LinearConductance,
    LinearResistance,
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
