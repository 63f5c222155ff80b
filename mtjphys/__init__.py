"""mtjphys: recurrent neural networks made of magnetic tunnel junctions.

Models are written in sympy (`mtjphys.models`), turned into JAX by `mtjphys.codegen`, and integrated
by the runtime with diffrax in float64. The runtime is grouped by concern:

    mtjphys.device        a junction: its record, circuit, solvers, pre-amplifier, neuron and transfer curve
    mtjphys.grid          the micromagnetic free layer: mesh, demagnetisation, exchange
    mtjphys.networks      networks of MTJs, their step, online trainers, BPTT, Lyapunov exponents, reservoirs
    mtjphys.tasks         tasks as datasets, the paper's and the field's benchmarks
    mtjphys.measurements  what labs measure: FMR dispersion and linewidth, spin-torque FMR, R(H) loops
    mtjphys.fitting       derivatives of the neuron's outputs and fits to measurements
    mtjphys.data          netCDF on disk, provenance, sweeps
    mtjphys.reproduction  what a study is, the options studies share, `reproduce` and its report
    mtjphys.studies       the studies; mtjphys.cli the command line; mtjphys.references independent codes

The names a researcher works with are also here at the top (loaded when first used, so that
`import mtjphys.models` stays free of JAX). Importing a runtime subpackage switches JAX to float64.
"""

from ._lazy import lazy_exports

__version__ = "0.1.0"

# name -> the subpackage that defines it
_EXPORTS = {
    "_errors": ("MtjphysError", "MAX_SEED"),
    "device": (
        "Parameters", "REFERENCE", "Model", "compile_model", "default_model", "micromagnetic_model", "Device",
        "make_device", "NeuronSolver", "ThermalSolver", "Preamplifier", "Circuit", "neuron_output", "NeuronResponse",
        "equilibrium_resistance", "neuron_trace", "transfer_curve", "NEURON_WINDOW", "OPERATING_RANGE",
        "precession_frequency", "free_layer_geometry", "shape_anisotropy", "thin_film_anisotropy",
        "ellipsoid_demag_factors", "elliptic_cylinder_demag_factors", "prism_demag_factors",
    ),
    "grid": ("Mesh",),
    "networks": (
        "Network", "Architecture", "random_network", "make_nonlinearity", "AbstractNonlinearity",
        "AbstractMtjNonlinearity", "Tanh", "DeviceNonlinearity", "SurrogateNonlinearity", "simulate", "Drive",
        "make_drive", "AbstractTrainer", "NoTraining", "Force", "Innate", "train", "train_force", "train_innate",
        "train_bptt", "make_sequences", "largest_lyapunov_exponent", "network_to_dataset",
        "network_from_dataset", "trainer_from_dataset", "task_from_dataset", "energy_summary", "train_readout", "STEP",
    ),
    "tasks": (
        "sine_generation_task", "recognition_task", "writing_task", "load_character", "narma10_task",
        "mackey_glass_task", "memory_capacity_task", "sine_square_task", "sequential_digits_task",
        "sine_generation_run", "generation_metrics",
    ),
    "measurements": ("resonance", "stfmr", "loop"),
    "fitting": ("fit", "trace_sensitivity", "transfer_sensitivity"),
    "data": ("open_dataset", "write_dataset", "run_sweep"),
}
__getattr__, __all__ = lazy_exports(__name__, _EXPORTS)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
