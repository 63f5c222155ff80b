"""Deterministic integration of the LLG equation with diffrax, batched over MTJs."""

from __future__ import annotations

import sys

import diffrax as dfx
import equinox as eqx
import jax.numpy as jnp
import optimistix as optx

from .._errors import MtjphysError
from ._circuit import Circuit, drift, saved_trace, start_state, Trace, trace_saves
from ._model import Model
from ._rk43 import RK43


class NeuronSolver(eqx.Module):
    """How one neuron window is integrated.

    The MTJs of a batch form one ODE system whose step size is controlled on the largest
    scaled error over all of them (max norm), so every MTJ meets the tolerances. With `steps` the step
    is fixed instead: no error control, no step shared by the error of the batch's fastest MTJ, and each
    MTJ's result independent of the batch; its error is the user's to bound (for the reference record
    over the operating range, Dopri8 at 20 steps per 1.5 ns stays within 1e-3 ohm of dR,
    benchmarks/neuron_throughput.py measures it).

    Arguments:
        solver: a diffrax Runge-Kutta solver with an error estimate.
        rtol, atol: tolerances of the PID step-size controller.
        dt0: the first step [s].
        max_steps: the solve fails (rather than truncating) beyond this many steps.
        steps: None (adaptive steps) or the number of equal steps each solve (a window) is cut into
            (a macrospin's window; a grid's device refuses it).
        samples: points on which R(t) is sampled per window to locate its extrema.
        progress: show a progress bar over each solve (for long, micromagnetic windows).
        adjoint: how the solve is differentiated (`gradient_solver` chooses one): diffrax's
            `RecursiveCheckpointAdjoint` for reverse mode (jax.grad), `ForwardMode` for forward mode
            (jax.jvp, jax.jacfwd, the fits' Jacobians).
    """

    solver: dfx.AbstractAdaptiveSolver = dfx.Dopri8()
    rtol: float = 1e-7
    atol: float = 1e-9
    dt0: float = 1e-12
    max_steps: int = 16_384
    samples: int = 301
    progress: bool = False
    adjoint: dfx.AbstractAdjoint = dfx.RecursiveCheckpointAdjoint()
    steps: int | None = None

    def __check_init__(self):
        if self.steps is not None and not 1 <= self.steps <= self.max_steps:
            raise MtjphysError(f"steps per window must lie in [1, max_steps = {self.max_steps}], got {self.steps}")

    def describe(self) -> dict:
        """Returns: the settings as provenance attributes."""
        attrs = {
            "solver": solver_name(self.solver),
            "step_size_controller": "diffrax.PIDController(norm=max_norm)",
            "rtol": self.rtol,
            "atol": self.atol,
            "dt0": self.dt0,
            "max_steps": self.max_steps,
            "samples_per_window": self.samples,
            "adjoint": f"diffrax.{type(self.adjoint).__name__}",
        }
        if self.steps is not None:  # tolerances and dt0 unused
            attrs.update(step_size_controller="diffrax.ConstantStepSize", steps_per_window=self.steps)
            for key in ("rtol", "atol", "dt0"):
                del attrs[key]
        return attrs

    def controller(self, duration) -> tuple[dfx.AbstractStepSizeController, float]:
        """Returns: (the step-size controller, the first step [s]) for a window of `duration` [s]."""
        if self.steps is None:
            return dfx.PIDController(rtol=self.rtol, atol=self.atol, norm=optx.max_norm), self.dt0
        return dfx.ConstantStepSize(), duration / self.steps


def solver_name(solver) -> str:
    """Returns: the solver's public name for provenance, "diffrax.Dopri8" or "mtjphys.device.RK43"."""
    package = type(solver).__module__.split(".")[0]
    return f"{'mtjphys.device' if package == 'mtjphys' else package}.{type(solver).__name__}"


DIFFERENTIATION_MODES = ("forward", "reverse")


def default_solver(model: Model) -> NeuronSolver:
    """The solver a model's windows take unless told otherwise: `NeuronSolver()` for a macrospin; for a
    micromagnetic grid `RK43` at rtol 1e-6 with room for the many steps its exchange takes. On fine cells the
    grid's fastest spin waves, not accuracy, limit the step, and RK43 reaches furthest along the imaginary axis
    per right-hand side (the 100 nm disc on 2 nm cells: 69,000 right-hand sides a window against Dopri8's
    113,000). Large-angle dynamics are limited by accuracy instead; standard problem 4 takes Dopri8."""
    if model.discretisation == "micromagnetic":
        return NeuronSolver(RK43(), rtol=1e-6, atol=1e-8, max_steps=2**20, progress=True)
    return NeuronSolver()


def gradient_solver(settings: NeuronSolver, mode: str = "forward") -> NeuronSolver:
    """Returns: `settings` with the adjoint of `mode` ("forward" or "reverse"; see the module's notes)."""
    if mode not in DIFFERENTIATION_MODES:
        raise MtjphysError(f"differentiation mode must be 'forward' or 'reverse', got {mode!r}")
    adjoint = dfx.ForwardMode() if mode == "forward" else dfx.RecursiveCheckpointAdjoint()
    return eqx.tree_at(lambda s: s.adjoint, settings, adjoint)


def progress_meter(show: bool) -> dfx.AbstractProgressMeter:
    """A progress bar over a solve when asked for and a person watches (stderr is a terminal)."""
    return dfx.TqdmProgressMeter() if show and sys.stderr.isatty() else dfx.NoProgressMeter()


def integrate(
    model: Model, settings: NeuronSolver, m0: jnp.ndarray, drive: jnp.ndarray, params: dict,
    ts: jnp.ndarray, *, law: str, circuit: Circuit = Circuit(), snapshots: jnp.ndarray | None = None,
    throw: bool = True,
) -> Trace:
    """Integrate dm/dt for a constant drive from `m0`, saving at `ts`.

    Arguments:
        model: the generated model (or a micromagnetic one on its mesh).
        settings: solver and tolerances.
        m0: initial state, shape (...,) + model.state_shape.
        drive: the current density [A/m^2] (or, with a voltage `circuit`, the voltage [V]),
            broadcastable to the batch (...).
        params: parameter arrays broadcastable to the batch (vectors with a trailing 3).
        ts: increasing save times [s]; the solve runs from ts[0] to ts[-1].
        law, circuit: the resistance law and the circuit.
        snapshots: times in [ts[0], ts[-1]] at which to keep the whole state's directions (a micromagnetic
            layer's cells: keep them few).
        throw: raise where the solve fails (beyond max_steps); otherwise the samples it did not reach are inf
            (as a fit wants: a trial parameter that cannot be solved is a step to reject, not an error).

    Returns:
        The `Trace`: the direction and operating point at `ts`, the state at ts[-1] (and at `snapshots`).
    """
    batch = m0.shape[: m0.ndim - len(model.state_shape)]
    controller, dt0 = settings.controller(ts[-1] - ts[0])
    solution = dfx.diffeqsolve(
        dfx.ODETerm(drift(model, law, circuit)),
        settings.solver,
        t0=ts[0],
        t1=ts[-1],
        dt0=dt0,
        y0=start_state(circuit, m0, params, batch),
        args=(drive, params),
        saveat=dfx.SaveAt(subs=trace_saves(model, law, circuit, ts, snapshots)),
        stepsize_controller=controller,
        max_steps=settings.max_steps,
        adjoint=settings.adjoint,
        throw=throw,
        progress_meter=progress_meter(settings.progress),
    )
    return saved_trace(solution.ys)

