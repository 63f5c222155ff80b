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


class NeuronSolver(eqx.Module):
    """How one neuron window is integrated.

    The MTJs of a batch form one ODE system whose step size is controlled on the largest
    scaled error over all of them (max norm), so every MTJ meets the tolerances.

    Arguments:
        solver: a diffrax adaptive Runge-Kutta solver.
        rtol, atol: tolerances of the PID step-size controller.
        dt0: the first step [s].
        max_steps: the solve fails (rather than truncating) beyond this many steps.
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

    def describe(self) -> dict:
        """Returns: the settings as provenance attributes."""
        return {
            "solver": f"diffrax.{type(self.solver).__name__}",
            "step_size_controller": "diffrax.PIDController(norm=max_norm)",
            "rtol": self.rtol,
            "atol": self.atol,
            "dt0": self.dt0,
            "max_steps": self.max_steps,
            "samples_per_window": self.samples,
            "adjoint": f"diffrax.{type(self.adjoint).__name__}",
        }


DIFFERENTIATION_MODES = ("forward", "reverse")


def default_solver(model: Model) -> NeuronSolver:
    """The solver a model's windows take unless told otherwise: `NeuronSolver()` for a macrospin; for a
    micromagnetic grid the same Dopri8 at rtol 1e-6 with room for the many steps its exchange takes (the
    grid's fastest spin waves limit the stable step; large-angle dynamics such as standard problem 4's
    are limited by accuracy, where Dopri8 takes a fifth of the time of a third-order pair)."""
    if model.discretisation == "micromagnetic":
        return NeuronSolver(rtol=1e-6, atol=1e-8, max_steps=2**20, progress=True)
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
    solution = dfx.diffeqsolve(
        dfx.ODETerm(drift(model, law, circuit)),
        settings.solver,
        t0=ts[0],
        t1=ts[-1],
        dt0=settings.dt0,
        y0=start_state(circuit, m0, params, batch),
        args=(drive, params),
        saveat=dfx.SaveAt(subs=trace_saves(model, law, circuit, ts, snapshots)),
        stepsize_controller=dfx.PIDController(rtol=settings.rtol, atol=settings.atol, norm=optx.max_norm),
        max_steps=settings.max_steps,
        adjoint=settings.adjoint,
        throw=throw,
        progress_meter=progress_meter(settings.progress),
    )
    return saved_trace(solution.ys)
