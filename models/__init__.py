"""Symbolic macrospin MTJ models in sympy.

Build a variant in a few lines, for example a field-like torque and a cubic anisotropy:

    from models import macrospin_stt, FieldLikeTorque, CubicAnisotropy
    variant = macrospin_stt().with_terms(FieldLikeTorque(), CubicAnisotropy(), name="my_variant")
    variant.landau_lifshitz      # the explicit dm/dt, derived from the Gilbert form
"""

from ._library import macrospin_stt as macrospin_stt
from ._model import MacrospinModel as MacrospinModel, gilbert_solution as gilbert_solution
from ._symbols import (
    CONSTANTS as CONSTANTS,
    CURRENT_DENSITY as CURRENT_DENSITY,
    MAGNETIZATION as MAGNETIZATION,
    Constant as Constant,
    Parameter as Parameter,
    vector as vector,
)
from ._terms import (
    CORE_PARAMETERS as CORE_PARAMETERS,
    CubicAnisotropy as CubicAnisotropy,
    Demagnetization as Demagnetization,
    EnergyTerm as EnergyTerm,
    FieldLikeTorque as FieldLikeTorque,
    LinearConductance as LinearConductance,
    LinearResistance as LinearResistance,
    ResistanceLaw as ResistanceLaw,
    SlonczewskiTorque as SlonczewskiTorque,
    ThermalField as ThermalField,
    TorqueTerm as TorqueTerm,
    UniaxialAnisotropy as UniaxialAnisotropy,
    Zeeman as Zeeman,
    spin_torque_field as spin_torque_field,
)
