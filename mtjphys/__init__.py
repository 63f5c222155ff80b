"""mtjphys: recurrent neural networks made of magnetic tunnel junctions.

Models are written in sympy (`models`), turned into JAX by `codegen`, and integrated here with
diffrax in float64 (importing mtjphys enables JAX's x64 mode).
"""

# ruff: noqa: E402  (x64 must be on before the submodules are imported)
import jax as _jax

_jax.config.update("jax_enable_x64", True)

from ._analysis import (
    amplitude as amplitude,
)
from ._analysis import (
    breaking_point as breaking_point,
)
from ._analysis import (
    BreakingPoint as BreakingPoint,
)
from ._analysis import (
    dominant_period as dominant_period,
)
from ._analysis import (
    wilson_interval as wilson_interval,
)
from ._benchmark_tasks import (
    mackey_glass_series as mackey_glass_series,
)
from ._benchmark_tasks import (
    mackey_glass_task as mackey_glass_task,
)
from ._benchmark_tasks import (
    memory_capacity_task as memory_capacity_task,
)
from ._benchmark_tasks import (
    narma10_task as narma10_task,
)
from ._benchmark_tasks import (
    scaled_input as scaled_input,
)
from ._benchmark_tasks import (
    sequential_digits_task as sequential_digits_task,
)
from ._benchmark_tasks import (
    sine_square_task as sine_square_task,
)
from ._bptt import (
    loss_and_gradient as loss_and_gradient,
)
from ._bptt import (
    make_sequences as make_sequences,
)
from ._bptt import (
    rollout as rollout,
)
from ._bptt import (
    sequence_readouts as sequence_readouts,
)
from ._bptt import (
    Sequences as Sequences,
)
from ._bptt import (
    train_bptt as train_bptt,
)
from ._cli import run_command as run_command
from ._datasets import (
    atomic_write as atomic_write,
)
from ._datasets import (
    check_output_path as check_output_path,
)
from ._datasets import (
    code_hash as code_hash,
)
from ._datasets import (
    open_dataset as open_dataset,
)
from ._datasets import (
    provenance as provenance,
)
from ._datasets import (
    write_dataset as write_dataset,
)
from ._demag import (
    demag_field as demag_field,
)
from ._demag import (
    demag_kernel as demag_kernel,
)
from ._demag import (
    demag_tensor as demag_tensor,
)
from ._demag import (
    dipole_average as dipole_average,
)
from ._demag import (
    newell_tensor as newell_tensor,
)
from ._electrical import (
    bias_voltage as bias_voltage,
)
from ._electrical import (
    Circuit as Circuit,
)
from ._electrical import (
    circuit_for as circuit_for,
)
from ._electrical import (
    free_layer_temperature as free_layer_temperature,
)
from ._electrical import (
    heated as heated,
)
from ._electrical import (
    is_warm as is_warm,
)
from ._electrical import (
    operating_point as operating_point,
)
from ._electrical import (
    OperatingPoint as OperatingPoint,
)
from ._electrical import (
    Trace as Trace,
)
from ._electrical import (
    Window as Window,
)
from ._errors import (
    MAX_SEED as MAX_SEED,
)
from ._errors import (
    MtjphysError as MtjphysError,
)
from ._fit import (
    fit as fit,
)
from ._fit import (
    fit_dataset as fit_dataset,
)
from ._fit import (
    FitResult as FitResult,
)
from ._fit import (
    plot_fit as plot_fit,
)
from ._fit import (
    read_data as read_data,
)
from ._fit import (
    TraceData as TraceData,
)
from ._fit import (
    TransferData as TransferData,
)
from ._force import (
    Force as Force,
)
from ._force import (
    rls_step as rls_step,
)
from ._force import (
    train_force as train_force,
)
from ._generation import (
    free_run_metrics as free_run_metrics,
)
from ._generation import (
    generation_metrics as generation_metrics,
)
from ._generation import (
    generation_metrics_dataset as generation_metrics_dataset,
)
from ._generation import (
    sine_generation_run as sine_generation_run,
)
from ._geometry import (
    ellipsoid_demag_factors as ellipsoid_demag_factors,
)
from ._geometry import (
    elliptic_cylinder_demag_factors as elliptic_cylinder_demag_factors,
)
from ._geometry import (
    free_layer_geometry as free_layer_geometry,
)
from ._geometry import (
    prism_demag_factors as prism_demag_factors,
)
from ._geometry import (
    shape_anisotropy as shape_anisotropy,
)
from ._geometry import (
    thin_film_anisotropy as thin_film_anisotropy,
)
from ._gradients import (
    differentiable_parameters as differentiable_parameters,
)
from ._gradients import (
    gradient_solver as gradient_solver,
)
from ._gradients import (
    trace_sensitivity as trace_sensitivity,
)
from ._gradients import (
    transfer_sensitivity as transfer_sensitivity,
)
from ._hanzi import (
    builtin_character_path as builtin_character_path,
)
from ._hanzi import (
    Character as Character,
)
from ._hanzi import (
    CHARACTER_PERIOD as CHARACTER_PERIOD,
)
from ._hanzi import (
    load_character as load_character,
)
from ._innate import (
    Innate as Innate,
)
from ._innate import (
    train_innate as train_innate,
)
from ._lyapunov import (
    largest_lyapunov_exponent as largest_lyapunov_exponent,
)
from ._lyapunov import (
    LyapunovEstimate as LyapunovEstimate,
)
from ._mesh import (
    field_variable as field_variable,
)
from ._mesh import (
    GRID_PARAMETERS as GRID_PARAMETERS,
)
from ._mesh import (
    Mesh as Mesh,
)
from ._mesh import (
    mesh_variables as mesh_variables,
)
from ._micromagnetic import (
    exchange_field as exchange_field,
)
from ._micromagnetic import (
    meshed_model as meshed_model,
)
from ._micromagnetic import (
    MeshedModel as MeshedModel,
)
from ._model import (
    compile_model as compile_model,
)
from ._model import (
    default_model as default_model,
)
from ._model import (
    micromagnetic_model as micromagnetic_model,
)
from ._model import (
    Model as Model,
)
from ._network import (
    AbstractMtjNonlinearity as AbstractMtjNonlinearity,
)
from ._network import (
    AbstractNonlinearity as AbstractNonlinearity,
)
from ._network import (
    Architecture as Architecture,
)
from ._network import (
    DeviceNonlinearity as DeviceNonlinearity,
)
from ._network import (
    differentiable_network as differentiable_network,
)
from ._network import (
    make_nonlinearity as make_nonlinearity,
)
from ._network import (
    Network as Network,
)
from ._network import (
    network_from_dataset as network_from_dataset,
)
from ._network import (
    network_to_dataset as network_to_dataset,
)
from ._network import (
    random_network as random_network,
)
from ._network import (
    SurrogateNonlinearity as SurrogateNonlinearity,
)
from ._network import (
    Tanh as Tanh,
)
from ._network import (
    ThermalDeviceNonlinearity as ThermalDeviceNonlinearity,
)
from ._network import (
    ThermalSurrogateNonlinearity as ThermalSurrogateNonlinearity,
)
from ._network import (
    window_energy as window_energy,
)
from ._network import (
    WindowEnergy as WindowEnergy,
)
from ._neuron import (
    equilibrium_resistance as equilibrium_resistance,
)
from ._neuron import (
    neuron_output as neuron_output,
)
from ._neuron import (
    NEURON_WINDOW as NEURON_WINDOW,
)
from ._neuron import (
    NeuronResponse as NeuronResponse,
)
from ._neuron import (
    solvable as solvable,
)
from ._neuron import (
    window_response as window_response,
)
from ._parameters import (
    Parameters as Parameters,
)
from ._parameters import (
    REFERENCE as REFERENCE,
)
from ._parameters import (
    stack_parameters as stack_parameters,
)
from ._readout import (
    DEFAULT_BANDWIDTH as DEFAULT_BANDWIDTH,
)
from ._readout import (
    Extrema as Extrema,
)
from ._readout import (
    last_extrema as last_extrema,
)
from ._readout import (
    Readout as Readout,
)
from ._reservoir import (
    accuracy as accuracy,
)
from ._reservoir import (
    benchmark_metrics as benchmark_metrics,
)
from ._reservoir import (
    force_readout as force_readout,
)
from ._reservoir import (
    memory_curve as memory_curve,
)
from ._reservoir import (
    network_states as network_states,
)
from ._reservoir import (
    nrmse as nrmse,
)
from ._reservoir import (
    reservoirpy_states as reservoirpy_states,
)
from ._reservoir import (
    ridge_readout as ridge_readout,
)
from ._reservoir import (
    train_readout as train_readout,
)
from ._simulate import (
    AbstractTrainer as AbstractTrainer,
)
from ._simulate import (
    Drive as Drive,
)
from ._simulate import (
    make_drive as make_drive,
)
from ._simulate import (
    NoTraining as NoTraining,
)
from ._simulate import (
    RunResult as RunResult,
)
from ._simulate import (
    simulate as simulate,
)
from ._simulate import (
    Trajectory as Trajectory,
)
from ._solve import (
    default_solver as default_solver,
)
from ._solve import (
    integrate as integrate,
)
from ._solve import (
    NeuronSolver as NeuronSolver,
)
from ._study import (
    check_transfer as check_transfer,
)
from ._study import (
    describe_energy as describe_energy,
)
from ._study import (
    joules as joules,
)
from ._study import (
    mode_option as mode_option,
)
from ._study import (
    params_option as params_option,
)
from ._study import (
    plot_success as plot_success,
)
from ._study import (
    prepare_outputs as prepare_outputs,
)
from ._study import (
    ReportSection as ReportSection,
)
from ._study import (
    save_figure as save_figure,
)
from ._study import (
    scheduler_option as scheduler_option,
)
from ._study import (
    Study as Study,
)
from ._study import (
    SuccessCurve as SuccessCurve,
)
from ._study import (
    transfer_option as transfer_option,
)
from ._sweep import (
    point_name as point_name,
)
from ._sweep import (
    run_sweep as run_sweep,
)
from ._tasks import (
    drive_from_task as drive_from_task,
)
from ._tasks import (
    recognition_task as recognition_task,
)
from ._tasks import (
    sine_generation_task as sine_generation_task,
)
from ._tasks import (
    STEP as STEP,
)
from ._tasks import (
    writing_task as writing_task,
)
from ._thermal import (
    default_readout as default_readout,
)
from ._thermal import (
    precession_frequency as precession_frequency,
)
from ._thermal import (
    stiffest_precession as stiffest_precession,
)
from ._thermal import (
    tangent_hessian as tangent_hessian,
)
from ._thermal import (
    thermal_delta_r as thermal_delta_r,
)
from ._thermal import (
    thermal_quantiles as thermal_quantiles,
)
from ._thermal import (
    thermal_readout as thermal_readout,
)
from ._thermal import (
    thermal_realisation as thermal_realisation,
)
from ._thermal import (
    thermal_solver_for as thermal_solver_for,
)
from ._thermal import (
    thermal_start as thermal_start,
)
from ._thermal import (
    thermal_window_response as thermal_window_response,
)
from ._thermal import (
    ThermalSolver as ThermalSolver,
)
from ._train import (
    energy_dataset as energy_dataset,
)
from ._train import (
    energy_summary as energy_summary,
)
from ._train import (
    run_dataset as run_dataset,
)
from ._train import (
    task_from_dataset as task_from_dataset,
)
from ._train import (
    train as train,
)
from ._train import (
    trainer_from_dataset as trainer_from_dataset,
)
from ._transfer import (
    neuron_trace as neuron_trace,
)
from ._transfer import (
    OPERATING_WINDOW as OPERATING_WINDOW,
)
from ._transfer import (
    transfer_curve as transfer_curve,
)

__version__ = "0.1.0"
