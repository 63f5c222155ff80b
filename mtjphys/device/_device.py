"""A device: one MTJ, or a batch of them, with the way its windows are computed decided once.

Whether the free layer follows the deterministic or the stochastic LLG (it is above 0 K, ambient or by
Joule heating), whether it is a macrospin or a micromagnetic grid, how the junction is driven (a
current or a voltage, heating, a bias-dependent TMR), which solver integrates it and through which
pre-amplifier dR is read: `make_device` decides all of it from the records, and the neuron, the
transfer curve, the networks and the fits take the `Device` it returns.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .._defaults import DEFAULT_BANDWIDTH, NEURON_WINDOW
from .._errors import MtjphysError
from ..grid._micromagnetic import meshed_model
from ._circuit import Circuit, circuit_for, heated_without_lag, is_warm, sampled_window, Trace, WindowResponse
from ._model import Model
from ._parameters import batch_shape, Parameters, stack_parameters
from ._preamplifier import IDEAL, Preamplifier
from ._solve import default_solver, integrate, NeuronSolver
from ._thermal import (
    check_thermal_lag,
    check_thermal_stability,
    tangent_hessian,
    thermal_realisation,
    thermal_solver_for,
    ThermalSolver,
)


class Device(eqx.Module):
    """One MTJ, or a batch of MTJs, ready to solve (make one with `make_device`).

    Arguments:
        model: the generated model the records are solved with (a micromagnetic one on its mesh).
        law: the resistance law's name.
        params: the records' numeric entries as float64 arrays, shared (scalars) or per MTJ (a
            leading axis): a pytree, so that `jax.grad` and the fits reach every entry.
        circuit: how the junction is driven (current or voltage source, Joule heating, bias-dependent TMR).
        solver: a `NeuronSolver` (the deterministic LLG, at 0 K) or a `ThermalSolver` (the stochastic
            LLG, above 0 K).
        preamplifier: how dR is read from R(t).
    """

    model: Model = eqx.field(static=True)
    law: str = eqx.field(static=True)
    params: dict
    circuit: Circuit = eqx.field(static=True)
    solver: NeuronSolver | ThermalSolver = eqx.field(static=True)
    preamplifier: Preamplifier = eqx.field(static=True)

    @property
    def thermal(self) -> bool:
        """Whether the free layer follows the stochastic LLG (its windows need a key)."""
        return isinstance(self.solver, ThermalSolver)

    @property
    def mesh(self):
        """The micromagnetic mesh, or None for a macrospin."""
        return getattr(self.model, "mesh", None)

    @property
    def record(self) -> Parameters:
        """The parameter record of a single MTJ's device, as its `params` hold it now (for provenance)."""
        if self.batch_shape(0.0):
            raise MtjphysError("a batch of MTJs has a record per MTJ, not one")
        specs = Parameters.specs(self.model)
        values = {k: np.asarray(v).tolist() for k, v in self.params.items() if specs[k]["constraint"] != "derived"}
        grid = self.mesh.grid_keys() if self.mesh is not None else {}
        model = getattr(self.model, "model", self.model)  # a grid's generated model, off its mesh
        # the record this device was made from was checked then; a fit's or a sweep's values are its own findings
        return Parameters({**values, **grid, "resistance_law": self.law}, model=model, check_plausibility=False)

    def replace(self, **changes) -> Device:
        """Returns: this device with some fields changed (`params` for a fit, `solver` for an adjoint)."""
        return dataclasses.replace(self, **changes)

    def varying(self, keys) -> Device:
        """Returns: this device ready for its entries `keys` to change (a fit, a derivative). A circuit that
        skips the bias because every bias term's switch is 0 (`Circuit.reads_bias`) reads it where one of
        `keys` is such a switch: at 0 the term is off, but not its derivative, nor a fitted value. A heated
        junction's `thermal_time_constant` varies from a positive value only (at 0 the heating follows the
        power at once, a limit the lag's derivative does not reach); refused in one line otherwise."""
        keys = set(keys)
        if "thermal_time_constant" in keys and heated_without_lag(self.params):
            raise MtjphysError("thermal_time_constant is fitted or differentiated from a positive value only: at 0 "
                               "the heating follows the power at once (give a starting time constant)")
        switches = self.model.bias_switches
        if self.circuit.reads_bias or switches is None or not keys & set(switches):
            return self
        return self.replace(circuit=dataclasses.replace(self.circuit, reads_bias=True))

    def batch_shape(self, drive) -> tuple[int, ...]:
        """Returns: the broadcast shape of a batch of MTJs driven by `drive` (vectors' trailing 3 excluded)."""
        return batch_shape(self.model, self.params, drive)

    def equilibrium(self, batch: tuple[int, ...] = ()) -> jnp.ndarray:
        """Returns: the state every window starts from (m0, or a micromagnetic state relaxed from it),
        broadcast to `batch`."""
        return self.model.initial_state(self.params, batch)

    def solve(self, drive, ts, *, key: jax.Array | None = None, m0=None, snapshots=None,
              throw: bool = True) -> Trace:
        """R(t), m(t) and the operating point at the times `ts` under a constant drive (traceable).

        Arguments:
            drive: the current density [A/m^2] (a voltage [V] under a voltage source), any shape.
            ts: increasing times [s]; above 0 K `solver.samples` uniform times from 0 (numpy).
            key: above 0 K, draws the thermal start and the noise.
            m0: the start state, (...,) + model.state_shape; default the equilibrium (above 0 K a
                thermal state about it, unless the solver says otherwise).
            snapshots: at 0 K, times at which to keep the whole state.
            throw: at 0 K, raise where the solve fails (otherwise the samples it did not reach are inf).

        Returns:
            The `Trace`.
        """
        if self.thermal:
            if snapshots is not None:
                raise MtjphysError("snapshots of the state are kept by the deterministic solve only")
            return thermal_realisation(self.model, self.solver, self.params, drive, self._key(key),
                                       float(np.asarray(ts)[-1]), m0, law=self.law, circuit=self.circuit)
        return integrate(self.model, self.solver, self._start(drive, m0), drive, self.params, jnp.asarray(ts),
                         law=self.law, circuit=self.circuit, snapshots=snapshots, throw=throw)

    def window(self, drive, *, key: jax.Array | None = None, m0=None, duration: float = NEURON_WINDOW,
               throw: bool = True) -> WindowResponse:
        """One neuron window for the batch (traceable; no jit of its own).

        Arguments:
            drive, key, m0, throw: as for `solve`.
            duration: the window [s].

        Returns:
            A `WindowResponse`: the pre-amplifier's extrema of R, the energy, the peak voltage and
            power, and the state at the window's end.
        """
        ts = np.linspace(0.0, duration, self.solver.samples)  # ts[-1] is `duration` exactly
        return sampled_window(self.preamplifier, ts, self.solve(drive, ts, key=key, m0=m0, throw=throw), self.params)

    def describe(self) -> dict:
        """Returns: how the device is computed, as provenance attributes."""
        attrs = {**self.solver.describe(), **self.circuit.describe(), **self.preamplifier.describe()}
        if self.mesh is not None:
            attrs.update(self.mesh.describe())
        return attrs

    def _start(self, drive, m0):
        batch = self.batch_shape(drive)
        return self.equilibrium(batch) if m0 is None else jnp.broadcast_to(m0, batch + self.model.state_shape)

    def _key(self, key):
        if key is None:
            raise MtjphysError("a device above 0 K needs a key for its thermal noise")
        return key


def solvable(record: Parameters):
    """The model a record is solved with: its generated model, or a micromagnetic one on its mesh."""
    if record.mesh is None:
        return record.model
    return meshed_model(record.model, record.mesh, record["resistance_law"])


def _batch(parameters: Parameters | Sequence[Parameters]) -> tuple[list[Parameters], Model, dict]:
    """Returns: the records, the model they are solved with, and their numeric entries: one record's as
    scalars, several stacked along a leading axis."""
    single = isinstance(parameters, Parameters)
    records = [parameters] if single else list(parameters)
    if not records or not all(isinstance(r, Parameters) for r in records):
        raise MtjphysError("a device is made from one parameter record or a sequence of them")
    return records, solvable(records[0]), records[0].arrays() if single else stack_parameters(records)


def _precession_frequency(model: Model, params: dict) -> np.ndarray:
    hessian = tangent_hessian(model, params, params["m0"])
    determinant = jnp.maximum(jnp.linalg.det(hessian), 0.0)
    damping = 1 + params["alpha"] ** 2
    return np.asarray(params["gamma"] * jnp.sqrt(determinant) / (2 * jnp.pi * params["Ms"] * damping))


def precession_frequency(parameters) -> np.ndarray:
    """The small-angle precession frequency [Hz] about the equilibrium m0 of each MTJ (the ringing's
    frequency): f = gamma sqrt(det H) / (2 pi Ms (1 + alpha^2)), H the tangent Hessian of the energy
    density (Smit-Beljers; Kittel's gamma B_k / 2 pi for a uniaxial film).

    Arguments:
        parameters: one record, one per MTJ, or a `Device`.
    """
    if isinstance(parameters, Device):
        return _precession_frequency(parameters.model, parameters.params)
    _, model, params = _batch(parameters)
    return _precession_frequency(model, params)


def _held(frequency: np.ndarray, bandwidth: float | None) -> Preamplifier:
    frequency = float(np.max(frequency))
    if not (np.isfinite(frequency) and frequency > 0):
        raise MtjphysError("the MTJ has no stable equilibrium to ring about (zero precession frequency)")
    return Preamplifier(bandwidth=bandwidth, hold=0.5 / frequency)


def thermal_preamplifier(parameters, bandwidth: float | None = DEFAULT_BANDWIDTH) -> Preamplifier:
    """How a noisy neuron's dR is read: through a pre-amplifier of `bandwidth` [Hz], with extrema held over
    half the precession period of the fastest MTJ in `parameters` (one record, several, or a `Device`)."""
    return _held(precession_frequency(parameters), bandwidth)


def make_device(
    parameters: Parameters | Sequence[Parameters], *, source: str = "current", settings: NeuronSolver | None = None,
    thermal: ThermalSolver | None = None, preamplifier: Preamplifier | None = None, window: float = NEURON_WINDOW,
) -> Device:
    """Decide, once, how MTJs with these records are computed.

    Arguments:
        parameters: one record (its entries scalars, broadcast against any drive), or one per MTJ (stacked
            along a leading axis; one model, resistance law and mesh).
        source: "current" (a current density drives the junction) or "voltage".
        settings: the ODE solver at 0 K (default `default_solver` of the model).
        thermal: the SDE solver above 0 K (default `thermal_solver_for` the records).
        preamplifier: how dR is read (default ideal at 0 K, `thermal_preamplifier` above).
        window: the window the stochastic solver's samples cover by default [s] (a grid's step divides
            their spacing).

    Returns:
        The `Device`; the solver is `thermal` where any record is above 0 K (ambient temperature or
        Joule heating), `settings` otherwise.
    """
    records, model, params = _batch(parameters)
    warm = is_warm(records)
    if warm:
        solver = thermal or thermal_solver_for(records, window / (ThermalSolver().samples - 1))
        check_thermal_stability(solver, records)
        check_thermal_lag(solver, records)
    else:
        solver = settings or default_solver(model)
        if solver.steps is not None and model.discretisation == "micromagnetic":
            raise MtjphysError("a micromagnetic grid takes adaptive steps only (NeuronSolver(steps=None))")
    if preamplifier is None:
        preamplifier = _held(_precession_frequency(model, params), DEFAULT_BANDWIDTH) if warm else IDEAL
    return Device(model, records[0]["resistance_law"], params, circuit_for(records, source), solver, preamplifier)


def as_device(parameters, source: str = "current", *, window: float = NEURON_WINDOW, **options) -> Device:
    """The device `parameters` describes: a `Device` as it is (refused where options would change it, or
    its source is not `source`; its solver was chosen with it), records through
    `make_device(parameters, source=source, window=window, **options)`."""
    if not isinstance(parameters, Device):
        return make_device(parameters, source=source, window=window, **options)
    given = sorted(name for name, value in options.items() if value is not None)
    if given:
        raise MtjphysError(f"a Device carries its own solver and pre-amplifier; give {', '.join(given)} to "
                           "make_device instead")
    if parameters.circuit.source != source:
        raise MtjphysError(f"this device is driven by a {parameters.circuit.source}, not a {source}; make it with "
                           f"make_device(..., source={source!r})")
    return parameters
