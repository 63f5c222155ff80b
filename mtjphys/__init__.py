"""mtjphys: recurrent neural networks made of magnetic tunnel junctions.

Models are written in sympy (`models`), turned into JAX by `codegen`, and integrated here with
diffrax in float64 (importing mtjphys enables JAX's x64 mode).
"""

import jax as _jax

_jax.config.update("jax_enable_x64", True)

from ._datasets import (  # noqa: E402
    atomic_write as atomic_write,
    check_output_path as check_output_path,
    open_dataset as open_dataset,
    provenance as provenance,
    record_of as record_of,
    write_dataset as write_dataset,
)
from ._analysis import amplitude as amplitude, dominant_period as dominant_period  # noqa: E402
from ._cli import run_command as run_command  # noqa: E402
from ._errors import MtjphysError as MtjphysError  # noqa: E402
from ._model import Model as Model, compile_model as compile_model, default_model as default_model  # noqa: E402
from ._force import Force as Force, rls_step as rls_step, train_force as train_force  # noqa: E402
from ._geometry import (  # noqa: E402
    ellipsoid_demag_factors as ellipsoid_demag_factors,
    elliptic_cylinder_demag_factors as elliptic_cylinder_demag_factors,
    free_layer_geometry as free_layer_geometry,
    prism_demag_factors as prism_demag_factors,
)
from ._hanzi import (  # noqa: E402
    CHARACTER_PERIOD as CHARACTER_PERIOD,
    Character as Character,
    builtin_character_path as builtin_character_path,
    load_character as load_character,
)
from ._innate import Innate as Innate, train_innate as train_innate  # noqa: E402
from ._network import (  # noqa: E402
    AbstractMtjNonlinearity as AbstractMtjNonlinearity,
    AbstractNonlinearity as AbstractNonlinearity,
    Architecture as Architecture,
    DeviceNonlinearity as DeviceNonlinearity,
    Network as Network,
    SurrogateNonlinearity as SurrogateNonlinearity,
    Tanh as Tanh,
    ThermalDeviceNonlinearity as ThermalDeviceNonlinearity,
    ThermalSurrogateNonlinearity as ThermalSurrogateNonlinearity,
    make_nonlinearity as make_nonlinearity,
    network_from_dataset as network_from_dataset,
    network_to_dataset as network_to_dataset,
    random_network as random_network,
)
from ._neuron import (  # noqa: E402
    NEURON_WINDOW as NEURON_WINDOW,
    Extrema as Extrema,
    equilibrium_resistance as equilibrium_resistance,
    last_extrema as last_extrema,
    neuron_output as neuron_output,
    window_response as window_response,
)
from ._parameters import REFERENCE as REFERENCE, Parameters as Parameters, stack_parameters as stack_parameters  # noqa: E402
from ._simulate import (  # noqa: E402
    AbstractTrainer as AbstractTrainer,
    Drive as Drive,
    NoTraining as NoTraining,
    RunResult as RunResult,
    Trajectory as Trajectory,
    make_drive as make_drive,
    run_dataset as run_dataset,
    simulate as simulate,
)
from ._solve import NeuronSolver as NeuronSolver, integrate as integrate  # noqa: E402
from ._study import (  # noqa: E402
    load_transfer as load_transfer,
    prepare_outputs as prepare_outputs,
    save_figure as save_figure,
    study_options as study_options,
    transfer_option as transfer_option,
)
from ._sweep import point_name as point_name, run_sweep as run_sweep  # noqa: E402
from ._tasks import (  # noqa: E402
    STEP as STEP,
    drive_from_task as drive_from_task,
    recognition_task as recognition_task,
    sine_generation_task as sine_generation_task,
    writing_task as writing_task,
)
from ._thermal import (  # noqa: E402
    ThermalSolver as ThermalSolver,
    thermal_delta_r as thermal_delta_r,
    thermal_quantiles as thermal_quantiles,
    thermal_start as thermal_start,
    thermal_window_response as thermal_window_response,
)
from ._transfer import OPERATING_WINDOW as OPERATING_WINDOW, neuron_trace as neuron_trace, transfer_curve as transfer_curve  # noqa: E402

__version__ = "0.1.0"
