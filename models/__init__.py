"""Symbolic macrospin MTJ models in sympy.

Build a variant in a few lines, for example a field-like torque and a cubic anisotropy:

    from mtjphys.models import macrospin_stt, FieldLikeTorque, CubicAnisotropy
    variant = macrospin_stt().with_terms(FieldLikeTorque(), CubicAnisotropy(), name="my_variant")
    variant.landau_lifshitz      # the explicit dm/dt, derived from the Gilbert form

The micromagnetic free layer is the same local terms in every cell of a grid, coupled by exchange and
the grid's demagnetising field (`micromagnetic_stt`, `MicromagneticModel`). Those are `NonlocalTerm`s:
each names the runtime operator that computes its field and energy on the grid (`mtjphys.grid`), so a
user's own (a bias field map, say) is a term and an operator in the user's module.
"""

from ._library import macrospin_stt as macrospin_stt, micromagnetic_stt as micromagnetic_stt
from ._micromagnetic import MicromagneticModel as MicromagneticModel
from ._model import gilbert_solution as gilbert_solution, MacrospinModel as MacrospinModel
from ._symbols import (
    BIAS_VOLTAGE as BIAS_VOLTAGE,
    CELL_VOLUME as CELL_VOLUME,
    Constant as Constant,
    CONSTANTS as CONSTANTS,
    CURRENT_DENSITY as CURRENT_DENSITY,
    MAGNETIZATION as MAGNETIZATION,
    NONLOCAL_FIELD as NONLOCAL_FIELD,
    Parameter as Parameter,
    POSITION as POSITION,
    vector as vector,
)
from ._terms import (
    BiasDependentTMR as BiasDependentTMR,
    CellThermalField as CellThermalField,
    CORE_PARAMETERS as CORE_PARAMETERS,
    CubicAnisotropy as CubicAnisotropy,
    DampingLikeBiasAsymmetry as DampingLikeBiasAsymmetry,
    Demagnetization as Demagnetization,
    EASY_AXIS as EASY_AXIS,
    EnergyTerm as EnergyTerm,
    Exchange as Exchange,
    FieldLikeTorque as FieldLikeTorque,
    InterlayerCoupling as InterlayerCoupling,
    LinearConductance as LinearConductance,
    LinearResistance as LinearResistance,
    Magnetostatic as Magnetostatic,
    NonlocalTerm as NonlocalTerm,
    OerstedField as OerstedField,
    QuadraticFieldLikeTorque as QuadraticFieldLikeTorque,
    ReferenceStrayField as ReferenceStrayField,
    ResistanceLaw as ResistanceLaw,
    slonczewski_efficiency as slonczewski_efficiency,
    SlonczewskiTorque as SlonczewskiTorque,
    spin_torque_field as spin_torque_field,
    ThermalField as ThermalField,
    TorqueTerm as TorqueTerm,
    UniaxialAnisotropy as UniaxialAnisotropy,
    VoltageControlledAnisotropy as VoltageControlledAnisotropy,
    Zeeman as Zeeman,
)
