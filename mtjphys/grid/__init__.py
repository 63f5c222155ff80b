"""The micromagnetic grid: the free layer's mesh (geometry, cells, grains), the demagnetising tensor
and its FFT field, the reference layer's stray field, the Oersted field of the current, the exchange
stencil, the operators through which the nonlocal terms act on the grid (`AbstractGridOperator`: a user's
own term brings its own), and a generated model on its mesh (`MeshedModel`)."""

from .. import _x64  # noqa: F401  (float64 before any array is made)
from ._demag import (
    demag_field as demag_field,
    demag_kernel as demag_kernel,
    demag_tensor as demag_tensor,
    dipole_average as dipole_average,
    newell_tensor as newell_tensor,
    prism_tensor as prism_tensor,
    reference_layer_tensor as reference_layer_tensor,
)
from ._mesh import (
    field_variable as field_variable,
    GEOMETRIES as GEOMETRIES,
    GRID_PARAMETERS as GRID_PARAMETERS,
    Mesh as Mesh,
    mesh_variables as mesh_variables,
)
from ._micromagnetic import (
    exchange_field as exchange_field,
    meshed_model as meshed_model,
    MeshedModel as MeshedModel,
)
from ._oersted import (
    oersted_field as oersted_field,
    oersted_kernel as oersted_kernel,
    wire_field as wire_field,
)
from ._operators import (
    AbstractGridOperator as AbstractGridOperator,
    ExchangeOperator as ExchangeOperator,
    linear_energy_density as linear_energy_density,
    MagnetostaticOperator as MagnetostaticOperator,
    OerstedOperator as OerstedOperator,
    quadratic_energy_density as quadratic_energy_density,
    ReferenceStrayFieldOperator as ReferenceStrayFieldOperator,
    resolve_operator as resolve_operator,
)
