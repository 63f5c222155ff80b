"""Networks of MTJs and how they learn: the network and its neurons (device, surrogate, tanh), a run
through time (`simulate`), online trainers (FORCE, innate training), backpropagation through time,
the largest Lyapunov exponent, and reservoirs with linear readouts on the standard tasks."""

from .. import _x64  # noqa: F401  (float64 before any array is made)
from ._bptt import (
    cross_entropy_loss as cross_entropy_loss,
    default_optimizer as default_optimizer,
    loss_and_gradient as loss_and_gradient,
    make_sequences as make_sequences,
    mse_loss as mse_loss,
    Rollout as Rollout,
    rollout as rollout,
    sequence_readouts as sequence_readouts,
    Sequences as Sequences,
    train_bptt as train_bptt,
)
from ._force import (
    Force as Force,
    rls_step as rls_step,
    train_force as train_force,
)
from ._innate import (
    Innate as Innate,
    train_innate as train_innate,
)
from ._lyapunov import (
    largest_lyapunov_exponent as largest_lyapunov_exponent,
    LyapunovEstimate as LyapunovEstimate,
)
from ._multiplexed import (
    check_theta as check_theta,
    input_mask as input_mask,
    multiplexed_reservoir as multiplexed_reservoir,
    multiplexed_states as multiplexed_states,
    MultiplexedReservoir as MultiplexedReservoir,
)
from ._network import (
    Architecture as Architecture,
    differentiable_network as differentiable_network,
    Network as Network,
    network_from_dataset as network_from_dataset,
    network_to_dataset as network_to_dataset,
    random_network as random_network,
    STEP as STEP,
)
from ._nonlinearity import (
    AbstractMtjNonlinearity as AbstractMtjNonlinearity,
    AbstractNonlinearity as AbstractNonlinearity,
    DeviceNonlinearity as DeviceNonlinearity,
    make_nonlinearity as make_nonlinearity,
    SurrogateNonlinearity as SurrogateNonlinearity,
    Tanh as Tanh,
    ThermalSurrogateNonlinearity as ThermalSurrogateNonlinearity,
    window_energy as window_energy,
    WindowEnergy as WindowEnergy,
)
from ._reservoir import (
    AbstractReadoutTrainer as AbstractReadoutTrainer,
    accuracy as accuracy,
    benchmark_metrics as benchmark_metrics,
    ForceReadout as ForceReadout,
    memory_curve as memory_curve,
    network_states as network_states,
    nrmse as nrmse,
    reservoirpy_states as reservoirpy_states,
    RidgeReadout as RidgeReadout,
    train_readout as train_readout,
)
from ._reservoirpy_node import (
    reservoirpy_node as reservoirpy_node,
)
from ._simulate import (
    AbstractTrainer as AbstractTrainer,
    Drive as Drive,
    drive_from_task as drive_from_task,
    make_drive as make_drive,
    NoTraining as NoTraining,
    RunResult as RunResult,
    scaled_input as scaled_input,
    simulate as simulate,
    Trajectory as Trajectory,
)
from ._step import (
    initial_state as initial_state,
    Learning as Learning,
    network_step as network_step,
    NetworkState as NetworkState,
    StepInput as StepInput,
    StepOutput as StepOutput,
)
from ._train import (
    energy_dataset as energy_dataset,
    energy_summary as energy_summary,
    run_dataset as run_dataset,
    task_from_dataset as task_from_dataset,
    train as train,
    trainer_from_dataset as trainer_from_dataset,
)
from ._tuning import (
    before_test as before_test,
    Choice as Choice,
    metric_name as metric_name,
    Range as Range,
    tune as tune,
    Tuning as Tuning,
    with_validation as with_validation,
)
