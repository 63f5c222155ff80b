"""The device: one MTJ (or a batch of them) from its parameter record to its neuron output.

The parameter record (`Parameters`) and the generated model it is solved with (`Model`); the
`Device` that `make_device` decides once from the records: its circuit (`Circuit`: current or
voltage drive, Joule heating at once or with a thermal lag, bias-dependent TMR), its solver
(`NeuronSolver` at 0 K, the stochastic `ThermalSolver` above) and the pre-amplifier through which dR
is read (`Preamplifier`); the neuron window and its datasets (`neuron_output`, `neuron_trace`,
`transfer_curve`); thin-film geometry.
"""

from .. import _x64  # noqa: F401  (float64 before any array is made)
from .._defaults import DEFAULT_BANDWIDTH as DEFAULT_BANDWIDTH
from ._chunks import (
    solve_in_chunks as solve_in_chunks,
    window_chunks as window_chunks,
)
from ._circuit import (
    at_temperature as at_temperature,
    bias_voltage as bias_voltage,
    Circuit as Circuit,
    free_layer_temperature as free_layer_temperature,
    heated as heated,
    heated_record as heated_record,
    heating_rate as heating_rate,
    is_warm as is_warm,
    layer_temperature as layer_temperature,
    operating_point as operating_point,
    OperatingPoint as OperatingPoint,
    Trace as Trace,
    WindowResponse as WindowResponse,
)
from ._cost import (
    check_cost as check_cost,
    COST_LIMIT as COST_LIMIT,
    grid_cost as grid_cost,
    GridCost as GridCost,
)
from ._device import (
    Device as Device,
    make_device as make_device,
    NEURON_WINDOW as NEURON_WINDOW,
    precession_frequency as precession_frequency,
    thermal_preamplifier as thermal_preamplifier,
)
from ._geometry import (
    ellipsoid_demag_factors as ellipsoid_demag_factors,
    elliptic_cylinder_demag_factors as elliptic_cylinder_demag_factors,
    free_layer_geometry as free_layer_geometry,
    prism_demag_factors as prism_demag_factors,
    shape_anisotropy as shape_anisotropy,
    thin_film_anisotropy as thin_film_anisotropy,
)
from ._midpoint import (
    SphericalMidpoint as SphericalMidpoint,
    stable_phase as stable_phase,
)
from ._model import (
    compile_model as compile_model,
    default_model as default_model,
    micromagnetic_model as micromagnetic_model,
    Model as Model,
)
from ._neuron import (
    equilibrium_resistance as equilibrium_resistance,
    neuron_output as neuron_output,
    NeuronResponse as NeuronResponse,
)
from ._parameters import (
    Parameters as Parameters,
    REFERENCE as REFERENCE,
    stack_parameters as stack_parameters,
)
from ._preamplifier import (
    Extrema as Extrema,
    last_extrema as last_extrema,
    Preamplifier as Preamplifier,
)
from ._rk43 import RK43 as RK43
from ._solve import (
    default_solver as default_solver,
    gradient_solver as gradient_solver,
    NeuronSolver as NeuronSolver,
)
from ._thermal import (
    check_thermal_lag as check_thermal_lag,
    check_thermal_stability as check_thermal_stability,
    stiffest_precession as stiffest_precession,
    tangent_hessian as tangent_hessian,
    thermal_solver_for as thermal_solver_for,
    thermal_start as thermal_start,
    ThermalSolver as ThermalSolver,
)
from ._transfer import (
    neuron_trace as neuron_trace,
    OPERATING_RANGE as OPERATING_RANGE,
    transfer_curve as transfer_curve,
)
