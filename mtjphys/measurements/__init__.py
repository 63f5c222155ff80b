"""What labs measure on a junction, computed from the model: the resonance (FMR dispersion and linewidth),
the spin-torque diode spectrum (ST-FMR) and the R(H) loop."""

from .. import _x64  # noqa: F401  (float64 before any array is made)
from ._linear import (
    linear_response as linear_response,
    LinearResponse as LinearResponse,
    settle as settle,
    sweep as sweep,
    with_field as with_field,
)
from ._loop import (
    loop as loop,
    loop_fields as loop_fields,
    switching_field as switching_field,
)
from ._resonance import (
    default_direction as default_direction,
    field_vectors as field_vectors,
    resonance as resonance,
)
from ._stfmr import (
    lorentzian_parts as lorentzian_parts,
    rectified_voltage as rectified_voltage,
    small_signal_voltage as small_signal_voltage,
    stfmr as stfmr,
)
