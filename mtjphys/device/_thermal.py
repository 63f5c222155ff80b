"""Thermal noise: the stochastic LLG (Stratonovich, Brown's thermal field) solved with diffrax's
SDE machinery, one Brownian path per MTJ drawn from a key, and thermal initial states."""

from __future__ import annotations

import math
from collections.abc import Callable

import diffrax as dfx
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .._errors import MtjphysError
from ._circuit import Circuit, diffusion, drift, saved_trace, start_state, Trace, trace_saves
from ._midpoint import SphericalMidpoint, stable_phase
from ._model import Model
from ._parameters import batch_shape, Parameters
from ._solve import progress_meter


class ThermalSolver(eqx.Module):
    """How one neuron window is integrated at finite temperature.

    Arguments:
        solver: a Stratonovich SDE solver (Heun: the standard for the stochastic LLG of a macrospin;
            `SphericalMidpoint` for a micromagnetic grid, whose spin waves Heun amplifies at small damping).
        dt: the fixed step [s].
        samples: points on which R(t) is sampled per window (their spacing must be a whole
            number of steps).
        thermal_start: start every window from a state drawn from the Boltzmann distribution
            about the equilibrium m0 (small-angle), as a device resting at this temperature would
            be; otherwise from m0 itself.
        progress: show a progress bar over each solve (for long, micromagnetic windows).

    How dR is then read from the noisy R(t) is a `Preamplifier` (see `thermal_preamplifier`).
    """

    solver: dfx.AbstractSolver = dfx.Heun()
    dt: float = 2.5e-12
    samples: int = 301
    thermal_start: bool = True
    progress: bool = False

    def describe(self) -> dict:
        solver = self.solver.describe() if isinstance(self.solver, SphericalMidpoint) else \
            f"diffrax.{type(self.solver).__name__} (Stratonovich, fixed step)"
        return {"solver": solver, "dt": self.dt,
                "samples_per_window": self.samples, "thermal_start": int(self.thermal_start),
                "brownian_path": "diffrax.UnsafeBrownianPath"}


# omega_max dt of a micromagnetic grid's fixed step: `SphericalMidpoint` damps every wave up to 1.49 at any alpha;
# at 0.6 its added damping keeps the waves up to half the fastest within 5 % of the temperature at alpha = 0.001
STABLE_PHASE = 0.6


def stiffest_precession(parameters) -> float:
    """An upper bound of the fastest precession [rad/s] of a micromagnetic grid's cells: gamma times the
    largest local fields (anisotropy, the applied field) plus each nonlocal term's bound on its field (its
    grid operator's `field_bound`: the exchange field of the grid's shortest wave, (2A/Ms) sum 4/d^2 over
    its axes of more than one cell; the demagnetising bound mu0 Ms; a user's term its own)."""
    records = [parameters] if isinstance(parameters, Parameters) else list(parameters)
    mu0 = records[0].model.constants["mu0"]["value"]
    operators = records[0].model.grid_operators.values()
    fastest = 0.0
    for record in records:
        anisotropy = 2 * (abs(record.get("Ku", 0.0)) + abs(record.get("Kc", 0.0))) / record["Ms"]
        field = anisotropy + mu0 * float(np.linalg.norm(record.get("H_ext", (0.0, 0.0, 0.0))))
        field += sum(operator.field_bound(record) for operator in operators)
        fastest = max(fastest, record["gamma"] * field)
    return fastest


def _fastest_wave(records) -> float:
    """`stiffest_precession` of a grid's records [rad/s], refused in one line where it is not a positive number."""
    fastest = stiffest_precession(records)
    if not (math.isfinite(fastest) and fastest > 0):
        raise MtjphysError(f"the grid's fastest precession is {fastest:g} rad/s (the local fields and the nonlocal "
                           "terms' field_bound): no fixed step can be chosen for its thermal solve")
    return fastest


def thermal_solver_for(parameters, spacing: float) -> ThermalSolver:
    """The SDE solver a record's windows take unless told otherwise: `ThermalSolver()` for a macrospin; for a
    micromagnetic grid the `SphericalMidpoint`, its step cut to keep `stiffest_precession` times dt below
    `STABLE_PHASE` and dividing the sample `spacing` [s], with a progress bar."""
    records = [parameters] if isinstance(parameters, Parameters) else list(parameters)
    settings = ThermalSolver()
    if records[0].mesh is None:
        return settings
    steps = math.ceil(spacing / min(settings.dt, STABLE_PHASE / _fastest_wave(records)))
    return ThermalSolver(solver=SphericalMidpoint(), dt=spacing / steps, samples=settings.samples,
                         thermal_start=settings.thermal_start, progress=True)


def check_thermal_stability(settings: ThermalSolver, parameters) -> None:
    """Refuse, in one line, a fixed-step thermal solve of a micromagnetic grid that would amplify its fastest
    spin waves: `stiffest_precession` times dt above the solver's `stable_phase` at the smallest damping of the
    records. A macrospin, and a solver whose stability is not known here, pass unchecked.

    Arguments:
        settings: the thermal solver; parameters: one record or one per MTJ.
    """
    records = [parameters] if isinstance(parameters, Parameters) else list(parameters)
    if records[0].mesh is None:
        return
    alpha = min(record["alpha"] for record in records)
    limit = stable_phase(settings.solver, alpha)
    if limit is None:
        return
    phase = _fastest_wave(records) * settings.dt
    if phase > limit:
        name = type(settings.solver).__name__
        remedy = f"a step below {limit / phase * settings.dt:.3g} s" if limit > 0 else "no step is stable"
        raise MtjphysError(f"the thermal step {settings.dt:.3g} s is unstable on this grid: {name} amplifies its "
                           f"fastest spin waves at alpha = {alpha:g} (omega_max dt = {phase:.3g}, above {limit:.3g}; "
                           f"{remedy}); use the default thermal solver (SphericalMidpoint)")


def check_thermal_lag(settings: ThermalSolver, parameters) -> None:
    """Refuse, in one line, a heated record whose thermal time constant is shorter than the fixed thermal step:
    the step cannot follow the temperature's relaxation (an explicit step amplifies it beyond dt = 2 tau_th)."""
    records = [parameters] if isinstance(parameters, Parameters) else list(parameters)
    lags = [r["thermal_time_constant"] for r in records if r["thermal_resistance"] > 0]
    shortest = min((tau for tau in lags if tau > 0), default=math.inf)
    if shortest < settings.dt:
        raise MtjphysError(f"thermal_time_constant {shortest:.3g} s is shorter than the thermal step {settings.dt:.3g} "
                           "s; give 0 (the heating follows the power at once) or a time constant of at least the step")


class _BatchedDiffusion(dfx.AbstractTerm):
    """G(m) dW for a batch of MTJs: G of shape (..., 3, 3) times dW of shape (..., 3); with a thermal lag
    (the state a pair (m, T)) the pair (G dW, 0), the noise driving the directions only."""

    diffusion: Callable
    control: dfx.AbstractBrownianPath

    def vf(self, t, y, args):
        g = self.diffusion(t, y, args)
        return (g, jnp.zeros_like(y[1])) if isinstance(y, tuple) else g

    def contr(self, t0, t1, **kwargs):
        return self.control.evaluate(t0, t1, **kwargs)

    def prod(self, vf, control):
        if isinstance(vf, tuple):
            return jnp.einsum("...ij,...j->...i", vf[0], control), vf[1]
        return jnp.einsum("...ij,...j->...i", vf, control)


def _tangent_basis(m0: jnp.ndarray) -> tuple[jnp.ndarray, jnp.ndarray]:
    """Two unit vectors orthogonal to m0 (and to each other), batched."""
    m0 = m0 / jnp.linalg.norm(m0, axis=-1, keepdims=True)
    helper = jnp.where(jnp.abs(m0[..., :1]) < 0.9, jnp.array([1.0, 0.0, 0.0]), jnp.array([0.0, 1.0, 0.0]))
    e1 = jnp.cross(m0, helper)
    e1 = e1 / jnp.linalg.norm(e1, axis=-1, keepdims=True)
    return e1, jnp.cross(m0, e1)


def tangent_hessian(model: Model, params: dict, m0: jnp.ndarray) -> jnp.ndarray:
    """The Hessian of the free-energy density [J/m^3] in the tangent plane of m0 (two orthogonal
    tilts, `_tangent_basis`), for every MTJ: shape m0.shape[:-1] + (2, 2)."""
    e1, e2 = _tangent_basis(m0)

    def energy(xi):  # per MTJ, xi of shape (..., 2)
        m = m0 + xi[..., :1] * e1 + xi[..., 1:] * e2
        return model.energy_density(m / jnp.linalg.norm(m, axis=-1, keepdims=True), params)

    def curvature(direction):  # d^2/ds^2 E(s direction) at 0, for every MTJ at once
        along = lambda s: energy(s * jnp.asarray(direction) * jnp.ones(m0.shape[:-1] + (2,)))
        return jax.jvp(lambda s: jax.jvp(along, (s,), (1.0,))[1], (0.0,), (1.0,))[1]

    h11, h22 = curvature([1.0, 0.0]), curvature([0.0, 1.0])
    h12 = (curvature([1.0, 1.0]) - h11 - h22) / 2
    return jnp.stack([jnp.stack([h11, h12], -1), jnp.stack([h12, h22], -1)], -2)


def thermal_start(model: Model, params: dict, m0: jnp.ndarray, key: jax.Array) -> jnp.ndarray:
    """Draw m from the Boltzmann distribution about the equilibrium m0, to second order in the
    tilt: xi ~ N(0, k_B T H^-1), H the Hessian of the free energy E V in the tangent plane.
    A micromagnetic layer is tilted as a whole, by the Boltzmann distribution of its uniform mode
    (the cells' own modes are left at rest).

    Arguments:
        model: the generated model (its energy density), or a micromagnetic one on its mesh.
        params: parameter arrays broadcast against the batch.
        m0: the equilibrium state, (...,) + model.state_shape.
        key: a PRNG key.

    Returns:
        A state of shape m0.shape, every direction of unit length.
    """
    direction = model.average(m0)
    direction = direction / jnp.linalg.norm(direction, axis=-1, keepdims=True)
    e1, e2 = _tangent_basis(direction)
    volume = params["area"] * params["thickness"]
    hessian = volume[..., None, None] * tangent_hessian(model, params, direction)
    covariance = model.constants["k_B"]["value"] * params["temperature"][..., None, None] * jnp.linalg.inv(hessian)
    # Cholesky of a 2x2 covariance (zero at T = 0), written out so it stays finite there
    l11 = jnp.sqrt(covariance[..., 0, 0])
    l21 = jnp.where(l11 > 0, covariance[..., 1, 0] / jnp.where(l11 > 0, l11, 1.0), 0.0)
    l22 = jnp.sqrt(jnp.maximum(covariance[..., 1, 1] - l21**2, 0.0))
    normal = jax.random.normal(key, direction.shape[:-1] + (2,))
    xi1 = l11 * normal[..., 0]
    xi2 = l21 * normal[..., 0] + l22 * normal[..., 1]
    m = m0 + model.broadcast_cells(xi1[..., None] * e1 + xi2[..., None] * e2)
    return m / jnp.linalg.norm(m, axis=-1, keepdims=True)


def integrate_thermal(
    model: Model, settings: ThermalSolver, m0: jnp.ndarray, drive: jnp.ndarray, params: dict,
    duration: float, key: jax.Array, *, law: str, circuit: Circuit = Circuit(),
) -> Trace:
    """Integrate the stochastic LLG from m0 with a constant drive over [0, duration].

    Arguments:
        model: the generated model (drift `landau_lifshitz`, noise `thermal_diffusion`), or a
            micromagnetic one on its mesh.
        settings: solver, step and save grid (`settings.samples` points over the duration).
        m0: start, (...,) + model.state_shape; drive, params, law, circuit: as for `integrate`.
        duration: [s], a whole number of steps.
        key: the Brownian path's key (one independent 3-d path per MTJ, or per cell).

    Returns:
        The `Trace` on the sample times.
    """
    steps = round(duration / settings.dt)
    if abs(steps * settings.dt - duration) > 1e-6 * settings.dt or steps % (settings.samples - 1):
        raise ValueError(f"duration {duration:g} s must be a whole number of steps and of sample spacings")
    ts = jnp.linspace(0.0, duration, settings.samples)
    brownian = dfx.UnsafeBrownianPath(shape=m0.shape, key=key)
    noise = _BatchedDiffusion(diffusion(model, law, circuit), brownian)
    solution = dfx.diffeqsolve(
        dfx.MultiTerm(dfx.ODETerm(drift(model, law, circuit)), noise), settings.solver, t0=ts[0], t1=ts[-1],
        dt0=settings.dt, y0=start_state(circuit, m0, params, m0.shape[: m0.ndim - len(model.state_shape)]),
        args=(drive, params),
        saveat=dfx.SaveAt(subs=trace_saves(model, law, circuit, ts)),
        stepsize_controller=dfx.ConstantStepSize(),
        max_steps=steps + 2, adjoint=dfx.ForwardMode(),  # no reverse mode: the path is generated on the fly
        progress_meter=progress_meter(settings.progress),
    )
    return saved_trace(solution.ys)


def thermal_realisation(
    model: Model, settings: ThermalSolver, params: dict, drive: jnp.ndarray, key: jax.Array,
    duration: float, m0: jnp.ndarray | None = None, *, law: str, circuit: Circuit = Circuit(),
) -> Trace:
    """One realisation of the stochastic LLG over [0, duration] (traceable).

    Arguments:
        model, settings, params, drive, law, circuit: as for `integrate_thermal`.
        key: draws the thermal start and the Brownian paths.
        duration: [s].
        m0: start state, (...,) + model.state_shape; default a thermal state about the equilibrium
            (or the equilibrium itself without `settings.thermal_start`).

    Returns:
        The `Trace` on `settings.samples` points over the duration.
    """
    start_key, path_key = jax.random.split(key)
    batch = batch_shape(model, params, drive)
    shape = batch + model.state_shape
    if m0 is None:
        equilibrium = model.initial_state(params, batch)
        m0 = thermal_start(model, params, equilibrium, start_key) if settings.thermal_start else equilibrium
    return integrate_thermal(model, settings, jnp.broadcast_to(m0, shape), drive, params, duration, path_key,
                             law=law, circuit=circuit)


def sampled_thermal_solver(thermal: ThermalSolver, spacing: float, samples: int) -> ThermalSolver:
    """`thermal` saving `samples` points `spacing` apart, its step refined (never coarsened) to
    divide the spacing: dt = spacing / ceil(spacing / thermal.dt)."""
    substeps = max(1, math.ceil(spacing / thermal.dt * (1 - 1e-9)))
    return eqx.tree_at(lambda s: (s.dt, s.samples), thermal, (float(spacing / substeps), int(samples)))
