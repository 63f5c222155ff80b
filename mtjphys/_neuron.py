"""The MTJ as a neuron: a current pulse from equilibrium, and the amplitude dR of the damped
resistance ringing at the end of a 1.5 ns window."""

from __future__ import annotations

from collections.abc import Sequence

import equinox as eqx
import jax.numpy as jnp
import numpy as np

from ._errors import MtjphysError
from ._model import Model
from ._parameters import Parameters, stack_parameters
from ._readout import Extrema, IDEAL, Readout
from ._solve import integrate, NeuronSolver

NEURON_WINDOW = 1.5e-9  # [s], the paper's neuron window


def batch_shape(model: Model, params: dict, current_density) -> tuple[int, ...]:
    """Returns: the broadcast shape of a batch of MTJs (vectors' trailing 3 excluded)."""
    specs = Parameters.specs(model)
    shapes = [jnp.shape(v)[: jnp.ndim(v) - len(specs[k]["shape"])] for k, v in params.items()]
    return jnp.broadcast_shapes(jnp.shape(current_density), *shapes)


def window_response(
    model: Model, law: str, settings: NeuronSolver, params: dict, current_density: jnp.ndarray,
    m0: jnp.ndarray | None = None, window: float = NEURON_WINDOW, readout: Readout = IDEAL,
) -> tuple[Extrema, jnp.ndarray]:
    """One neuron window for a batch of MTJs (traceable; no jit of its own).

    Arguments:
        model, law: the generated model and the resistance law's name.
        settings: the solver.
        params: parameter arrays broadcastable to current_density.
        current_density: [A/m^2], any shape.
        m0: start magnetization (..., 3); default params["m0"], the equilibrium.
        window: window length [s].
        readout: how dR is measured (ideal by default).

    Returns:
        (extrema of R in the window, m at the window's end).
    """
    if m0 is None:
        m0 = params["m0"]
    m0 = jnp.broadcast_to(m0, batch_shape(model, params, current_density) + (3,))
    ts = np.linspace(0.0, window, settings.samples)
    m = integrate(model, settings, m0, current_density, params, jnp.asarray(ts))
    resistance = model.resistance(law)(m, params)
    return readout.extrema(ts, resistance), m[-1]


@eqx.filter_jit
def _neuron_output(model, law, settings, readout, window, params, current_density):
    return window_response(model, law, settings, params, current_density, window=window, readout=readout)[0]


def as_batch(parameters: Parameters | Sequence[Parameters]) -> tuple[Model, str, dict]:
    """Returns: (model, resistance law, parameter arrays) of one record or of per-MTJ records."""
    if isinstance(parameters, Parameters):
        return parameters.model, parameters["resistance_law"], parameters.arrays()
    records = list(parameters)
    return records[0].model, records[0]["resistance_law"], stack_parameters(records)


def neuron_output(
    parameters: Parameters | Sequence[Parameters], current_density, *,
    settings: NeuronSolver = NeuronSolver(), window: float = NEURON_WINDOW, seed: int = 0, thermal=None,
    readout: Readout | None = None,
) -> Extrema:
    """The neuron's response dR to currents injected from equilibrium.

    Arguments:
        parameters: one record, or one per MTJ (then current_density broadcasts against them).
        current_density: [A/m^2], scalar or array.
        settings: the ODE solver (at 0 K).
        window: [s], 1.5 ns by default.
        seed, thermal: above 0 K, the stochastic LLG is solved (`ThermalSolver` `thermal`, default
            settings) with noise drawn from `seed`: one realisation per current.
        readout: how dR is measured; default ideal at 0 K and `thermal_readout` above.

    Returns:
        `Extrema` as numpy arrays; `.delta_r` [ohm] is the neuron output.
    """
    model, law, params = as_batch(parameters)
    current_density = np.asarray(current_density, dtype=np.float64)
    if not np.all(np.isfinite(current_density)):
        raise MtjphysError("current density must be finite")
    if not (window > 0 and np.isfinite(window)):
        raise MtjphysError(f"window must be a positive duration, got {window}")
    if np.any(np.asarray(params["temperature"]) > 0):
        from ._thermal import thermal_delta_r, ThermalSolver

        return thermal_delta_r(parameters, current_density, seed=seed, settings=thermal or ThermalSolver(),
                               window=window, readout=readout)
    result = _neuron_output(model, law, settings, readout or IDEAL, float(window), params,
                            jnp.asarray(current_density))
    return Extrema(*(np.asarray(x) for x in result))


def equilibrium_resistance(parameters: Parameters) -> float:
    """R0 [ohm], the resistance at the equilibrium direction m0."""
    model, law, params = as_batch(parameters)
    return float(model.resistance(law)(params["m0"], params))
