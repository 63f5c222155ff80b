"""The models mtjphys ships."""

from __future__ import annotations

from ._micromagnetic import MicromagneticModel
from ._model import MacrospinModel
from ._terms import (
    BiasDependentTMR,
    CellThermalField,
    CubicAnisotropy,
    DampingLikeBiasAsymmetry,
    Demagnetization,
    Exchange,
    FieldLikeTorque,
    InterlayerCoupling,
    LinearConductance,
    LinearResistance,
    Magnetostatic,
    OerstedField,
    QuadraticFieldLikeTorque,
    ReferenceStrayField,
    SlonczewskiTorque,
    ThermalField,
    UniaxialAnisotropy,
    VoltageControlledAnisotropy,
    Zeeman,
)

# The junction at its bias point, every effect off at its parameters' reference values: VCMA and the
# reference layer's interlayer coupling (energies), the torques' bias dependence.
BIAS_POINT_ENERGIES = (VoltageControlledAnisotropy(), InterlayerCoupling())
BIAS_POINT_TORQUES = (DampingLikeBiasAsymmetry(), QuadraticFieldLikeTorque())


def macrospin_stt() -> MacrospinModel:
    """The default model: Zeeman, uniaxial anisotropy and diagonal demag fields, Slonczewski
    spin-transfer torque (MuMax3 form), Brown's thermal field, two resistance laws (linear
    conductance first, the default) and a bias-dependent TMR (constant unless V_half is given); at the
    bias point VCMA, interlayer coupling, a field-like torque in V^2 and the damping-like torque's bias
    asymmetry (each off unless its coefficient is given)."""
    return MacrospinModel(
        name="macrospin_stt",
        energies=(Zeeman(), UniaxialAnisotropy(), Demagnetization(), *BIAS_POINT_ENERGIES),
        torques=(SlonczewskiTorque(), *BIAS_POINT_TORQUES),
        thermal=ThermalField(),
        resistance_laws=(LinearConductance(), LinearResistance()),
        bias=BiasDependentTMR(),
    )


def micromagnetic_stt() -> MicromagneticModel:
    """The micromagnetic free layer: in every cell Zeeman, uniaxial and cubic anisotropy, Slonczewski
    (MuMax3 form) and field-like spin-transfer torques, Brown's thermal field of the cell, the same
    resistance laws, bias-dependent TMR and bias-point terms as `macrospin_stt`; between cells exchange
    and the demagnetising field of the grid; and the fields of the stack, the reference layer's stray field
    and the current's Oersted field (both off unless reference_Ms, oersted_field are given)."""
    local = MacrospinModel(
        name="micromagnetic_stt",
        energies=(Zeeman(), UniaxialAnisotropy(), CubicAnisotropy(), *BIAS_POINT_ENERGIES),
        torques=(SlonczewskiTorque(), FieldLikeTorque(), *BIAS_POINT_TORQUES),
        thermal=CellThermalField(),
        resistance_laws=(LinearConductance(), LinearResistance()),
        bias=BiasDependentTMR(),
    )
    return MicromagneticModel("micromagnetic_stt", local,
                              (Exchange(), Magnetostatic(), ReferenceStrayField(), OerstedField()))
