"""Deterministic integration of the LLG equation with diffrax, batched over MTJs."""

from __future__ import annotations

import diffrax as dfx
import equinox as eqx
import jax.numpy as jnp
import optimistix as optx

from ._electrical import Circuit, drift
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
    """

    solver: dfx.AbstractAdaptiveSolver = dfx.Dopri8()
    rtol: float = 1e-7
    atol: float = 1e-9
    dt0: float = 1e-12
    max_steps: int = 16_384
    samples: int = 301

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
        }


def integrate(
    model: Model, settings: NeuronSolver, m0: jnp.ndarray, drive: jnp.ndarray, params: dict,
    ts: jnp.ndarray, *, law: str | None = None, circuit: Circuit = Circuit(),
) -> jnp.ndarray:
    """Integrate dm/dt for a constant drive from `m0`, saving at `ts`.

    Arguments:
        model: the generated model.
        settings: solver and tolerances.
        m0: initial magnetization, shape (..., 3).
        drive: the current density [A/m^2] (or, with a voltage `circuit`, the voltage [V]),
            broadcastable to m0[..., 0].
        params: parameter arrays broadcastable to m0[..., 0] (vectors with a trailing 3).
        ts: increasing save times [s]; the solve runs from ts[0] to ts[-1].
        law, circuit: the resistance law and the circuit; the law is needed where the resistance
            enters the dynamics (a voltage drive, Joule heating).

    Returns:
        m at `ts`, shape (len(ts), ..., 3).
    """
    solution = dfx.diffeqsolve(
        dfx.ODETerm(drift(model, law, circuit)),
        settings.solver,
        t0=ts[0],
        t1=ts[-1],
        dt0=settings.dt0,
        y0=m0,
        args=(drive, params),
        saveat=dfx.SaveAt(ts=ts),
        stepsize_controller=dfx.PIDController(rtol=settings.rtol, atol=settings.atol, norm=optx.max_norm),
        max_steps=settings.max_steps,
    )
    return solution.ys
