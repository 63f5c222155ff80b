"""Symbolic macrospin MTJ models in sympy.

Build a variant in a few lines, for example a field-like torque and a cubic anisotropy:

    from mtjphys.models import macrospin_stt, FieldLikeTorque, CubicAnisotropy
    variant = macrospin_stt().with_terms(FieldLikeTorque(), CubicAnisotropy(), name="my_variant")
    variant.landau_lifshitz      # the explicit dm/dt, derived from the Gilbert form

The micromagnetic free layer is the same local terms in every cell of a grid, coupled by exchange and
the grid's demagnetising field (`micromagnetic_stt`, `MicromagneticModel`).
"""

from ._library import macrospin_stt as macrospin_stt
from ._library import micromagnetic_stt as micromagnetic_stt
from ._micromagnetic import MicromagneticModel as MicromagneticModel
from ._model import gilbert_solution as gilbert_solution
from ._model import MacrospinModel as MacrospinModel
from ._symbols import (
    BIAS_VOLTAGE as BIAS_VOLTAGE,
)
from ._symbols import (
    CELL_VOLUME as CELL_VOLUME,
)
from ._symbols import (
    Constant as Constant,
)
from ._symbols import (
    CONSTANTS as CONSTANTS,
)
from ._symbols import (
    CURRENT_DENSITY as CURRENT_DENSITY,
)
from ._symbols import (
    MAGNETIZATION as MAGNETIZATION,
)
from ._symbols import (
    NONLOCAL_FIELD as NONLOCAL_FIELD,
)
from ._symbols import (
    Parameter as Parameter,
)
from ._symbols import (
    POSITION as POSITION,
)
from ._symbols import (
    vector as vector,
)
from ._terms import (
    BiasDependentTMR as BiasDependentTMR,
)
from ._terms import (
    CellThermalField as CellThermalField,
)
from ._terms import (
    CORE_PARAMETERS as CORE_PARAMETERS,
)
from ._terms import (
    CubicAnisotropy as CubicAnisotropy,
)
from ._terms import (
    Demagnetization as Demagnetization,
)
from ._terms import (
    EnergyTerm as EnergyTerm,
)
from ._terms import (
    Exchange as Exchange,
)
from ._terms import (
    FieldLikeTorque as FieldLikeTorque,
)
from ._terms import (
    LinearConductance as LinearConductance,
)
from ._terms import (
    LinearResistance as LinearResistance,
)
from ._terms import (
    Magnetostatic as Magnetostatic,
)
from ._terms import (
    NonlocalTerm as NonlocalTerm,
)
from ._terms import (
    quadratic_field_energy as quadratic_field_energy,
)
from ._terms import (
    ResistanceLaw as ResistanceLaw,
)
from ._terms import (
    SlonczewskiTorque as SlonczewskiTorque,
)
from ._terms import (
    spin_torque_field as spin_torque_field,
)
from ._terms import (
    ThermalField as ThermalField,
)
from ._terms import (
    TorqueTerm as TorqueTerm,
)
from ._terms import (
    UniaxialAnisotropy as UniaxialAnisotropy,
)
from ._terms import (
    Zeeman as Zeeman,
)
