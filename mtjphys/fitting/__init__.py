"""A device's parameters from its measurements: derivatives of the neuron's outputs through the diffrax
solve, and least-squares fits of a record to measured traces, transfer curves, FMR dispersions, R(H) loops and
ST-FMR spectra, read with the units their files state."""

from .. import _x64  # noqa: F401  (float64 before any array is made)
from ._fit import (
    fit as fit,
    fit_dataset as fit_dataset,
    FitResult as FitResult,
    plot_fit as plot_fit,
    read_data as read_data,
    TraceData as TraceData,
    TransferData as TransferData,
)
from ._gradients import (
    differentiable_parameters as differentiable_parameters,
    trace_sensitivity as trace_sensitivity,
    transfer_sensitivity as transfer_sensitivity,
)
from ._measured import (
    DispersionData as DispersionData,
    LinewidthData as LinewidthData,
    LoopData as LoopData,
    read_measurement_csv as read_measurement_csv,
    SpectrumData as SpectrumData,
)
