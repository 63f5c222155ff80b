"""mtjphys: recurrent neural networks made of magnetic tunnel junctions.

Models are written in sympy (`models`), turned into JAX by `codegen`, and integrated here with
diffrax in float64 (importing mtjphys enables JAX's x64 mode).
"""

# ruff: noqa: E402  (x64 must be on before the submodules are imported)
import jax as _jax

_jax.config.update("jax_enable_x64", True)

from ._analysis import (
    amplitude as amplitude,
    breaking_point as breaking_point,
    BreakingPoint as BreakingPoint,
    dominant_period as dominant_period,
    wilson_interval as wilson_interval,
)
from ._cli import run_command as run_command
from ._datasets import (
    atomic_write as atomic_write,
    code_hash as code_hash,
    check_output_path as check_output_path,
    open_dataset as open_dataset,
    provenance as provenance,
    write_dataset as write_dataset,
)
from ._errors import MtjphysError as MtjphysError
from ._force import (
    Force as Force,
    rls_step as rls_step,
    train_force as train_force,
)
from ._generation import (
    free_run_metrics as free_run_metrics,
    generation_metrics as generation_metrics,
    generation_metrics_dataset as generation_metrics_dataset,
    sine_generation_run as sine_generation_run,
)
from ._geometry import (
    ellipsoid_demag_factors as ellipsoid_demag_factors,
    elliptic_cylinder_demag_factors as elliptic_cylinder_demag_factors,
    free_layer_geometry as free_layer_geometry,
    prism_demag_factors as prism_demag_factors,
)
from ._hanzi import (
    builtin_character_path as builtin_character_path,
    Character as Character,
    CHARACTER_PERIOD as CHARACTER_PERIOD,
    load_character as load_character,
)
from ._innate import (
    Innate as Innate,
    train_innate as train_innate,
)
from ._model import (
    compile_model as compile_model,
    default_model as default_model,
    Model as Model,
)
from ._network import (
    AbstractMtjNonlinearity as AbstractMtjNonlinearity,
    AbstractNonlinearity as AbstractNonlinearity,
    Architecture as Architecture,
    DeviceNonlinearity as DeviceNonlinearity,
    make_nonlinearity as make_nonlinearity,
    Network as Network,
    network_from_dataset as network_from_dataset,
    network_to_dataset as network_to_dataset,
    random_network as random_network,
    SurrogateNonlinearity as SurrogateNonlinearity,
    Tanh as Tanh,
    ThermalDeviceNonlinearity as ThermalDeviceNonlinearity,
    ThermalSurrogateNonlinearity as ThermalSurrogateNonlinearity,
)
from ._neuron import (
    equilibrium_resistance as equilibrium_resistance,
    neuron_output as neuron_output,
    NEURON_WINDOW as NEURON_WINDOW,
    window_response as window_response,
)
from ._parameters import (
    Parameters as Parameters,
    REFERENCE as REFERENCE,
    stack_parameters as stack_parameters,
)
from ._readout import (
    DEFAULT_BANDWIDTH as DEFAULT_BANDWIDTH,
    Extrema as Extrema,
    last_extrema as last_extrema,
    Readout as Readout,
)
from ._simulate import (
    AbstractTrainer as AbstractTrainer,
    Drive as Drive,
    make_drive as make_drive,
    NoTraining as NoTraining,
    RunResult as RunResult,
    simulate as simulate,
    Trajectory as Trajectory,
)
from ._solve import (
    integrate as integrate,
    NeuronSolver as NeuronSolver,
)
from ._study import (
    check_transfer as check_transfer,
    mode_option as mode_option,
    params_option as params_option,
    plot_success as plot_success,
    prepare_outputs as prepare_outputs,
    ReportSection as ReportSection,
    save_figure as save_figure,
    scheduler_option as scheduler_option,
    Study as Study,
    SuccessCurve as SuccessCurve,
    transfer_option as transfer_option,
)
from ._sweep import (
    point_name as point_name,
    run_sweep as run_sweep,
)
from ._tasks import (
    drive_from_task as drive_from_task,
    recognition_task as recognition_task,
    sine_generation_task as sine_generation_task,
    STEP as STEP,
    writing_task as writing_task,
)
from ._train import (
    run_dataset as run_dataset,
    task_from_dataset as task_from_dataset,
    train as train,
    trainer_from_dataset as trainer_from_dataset,
)
from ._thermal import (
    precession_frequency as precession_frequency,
    thermal_delta_r as thermal_delta_r,
    thermal_quantiles as thermal_quantiles,
    thermal_readout as thermal_readout,
    thermal_realisation as thermal_realisation,
    thermal_start as thermal_start,
    thermal_window_response as thermal_window_response,
    ThermalSolver as ThermalSolver,
)
from ._transfer import (
    neuron_trace as neuron_trace,
    OPERATING_WINDOW as OPERATING_WINDOW,
    transfer_curve as transfer_curve,
)

__version__ = "0.1.0"
