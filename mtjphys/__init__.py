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
from ._cli import run_command as run_command  # noqa: E402
from ._errors import MtjphysError as MtjphysError  # noqa: E402
from ._model import Model as Model, compile_model as compile_model, default_model as default_model  # noqa: E402
from ._neuron import (  # noqa: E402
    NEURON_WINDOW as NEURON_WINDOW,
    Extrema as Extrema,
    equilibrium_resistance as equilibrium_resistance,
    last_extrema as last_extrema,
    neuron_output as neuron_output,
    window_response as window_response,
)
from ._parameters import REFERENCE as REFERENCE, Parameters as Parameters, stack_parameters as stack_parameters  # noqa: E402
from ._solve import NeuronSolver as NeuronSolver, integrate as integrate  # noqa: E402
from ._study import prepare_outputs as prepare_outputs, save_figure as save_figure, study_options as study_options  # noqa: E402
from ._transfer import OPERATING_WINDOW as OPERATING_WINDOW, neuron_trace as neuron_trace, transfer_curve as transfer_curve  # noqa: E402

__version__ = "0.1.0"
