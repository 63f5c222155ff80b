"""The junction's equilibrium under an applied field and a dc current, and the LLG linearised about it.

Every lab measurement here is computed from these two: the resonance (the linearisation's eigenvalues),
the spin-torque diode voltage (its response to an rf current) and the R(H) loop (equilibria followed
along a field sweep).

An equilibrium is a fixed point of the LLG. Its position does not depend on the damping (at dm/dt = 0 the
Gilbert term vanishes), so it is approached with alpha = 1, the fastest relaxation, by explicit steps until
the motion stops; a few Newton steps on the tangent plane then place it to rounding error. Its derivative
is the implicit function theorem's, d xi = -A^-1 P^T (df/dp dp), whatever path the relaxation took, so fits
and gradients see the equilibrium's true dependence on the parameters.
A fixed point that the linearisation finds unstable (a saddle, as when the field passes the switching
field) is left along its unstable direction and relaxed again, as a real layer would.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from .._errors import MtjphysError
from ..device._circuit import bias_voltage, drift
from ..device._device import Device
from ..device._thermal import _tangent_basis

RELAX_DAMPING = 1.0  # the damping the fixed point is approached with (it does not move the fixed point)
RELAX_TURN = 0.3  # [rad], about the largest turn of one relaxation step (stable for explicit steps at alpha = 1)
RELAX_FIELD_FLOOR = 1e-3  # [T]: the relaxation's steps are never longer than RELAX_TURN / (gamma times this)
RELAX_STEPS = 200_000
RELAX_RATE = 1e3  # [1/s]: the relaxation stops once |dm/dt| is below this
NEWTON_STEPS = 2
NEWTON_REACH = 0.1  # [rad], the longest Newton step taken
KICK = 1e-2  # [rad], the step off an unstable fixed point along its unstable direction


class LinearResponse(NamedTuple):
    """The LLG linearised about an equilibrium m (per field of a sweep: a leading axis).

    Arguments:
        m: the equilibrium direction, (3,).
        basis: two orthonormal tangent vectors at m, as columns, (3, 2).
        matrix: A, the motion of the tangent coordinates, d(xi)/dt = A xi [1/s], (2, 2).
        drive: d(xi)/dt per unit current density, b [1/s per A/m^2], (2,).
        resistance: R [ohm] at m.
        resistance_gradient: dR/dxi [ohm per rad], (2,).
    """

    m: jnp.ndarray
    basis: jnp.ndarray
    matrix: jnp.ndarray
    drive: jnp.ndarray
    resistance: jnp.ndarray
    resistance_gradient: jnp.ndarray

    def eigenvalues(self) -> jnp.ndarray:
        """Returns: the two eigenvalues of A (complex; -Gamma +- i omega for a damped precession)."""
        trace = jnp.trace(self.matrix, axis1=-2, axis2=-1).astype(jnp.complex128)
        determinant = jnp.linalg.det(self.matrix).astype(jnp.complex128)
        root = jnp.sqrt(trace**2 / 4 - determinant)
        return jnp.stack([trace / 2 + root, trace / 2 - root], axis=-1)

    def susceptibility(self, frequency) -> jnp.ndarray:
        """Returns: (i omega - A)^-1 b, the tangent amplitude per unit rf current density at `frequency` [Hz]."""
        omega = 2 * jnp.pi * jnp.asarray(frequency, dtype=jnp.float64)
        eye = jnp.eye(2, dtype=jnp.complex128)
        i_omega = jax.lax.complex(jnp.zeros_like(omega), omega)[..., None, None]
        system = i_omega * eye - self.matrix.astype(jnp.complex128)
        drive = jnp.broadcast_to(self.drive.astype(jnp.complex128), system.shape[:-1])
        return jnp.linalg.solve(system, drive[..., None])[..., 0]


def _check(device: Device, what: str) -> None:
    if device.batch_shape(0.0):
        raise MtjphysError(f"{what} is computed for one MTJ at a time, not a batch")
    if device.circuit.thermal_lag:
        raise MtjphysError(f"{what} is computed without the heating's thermal lag (set thermal_time_constant to 0)")
    if device.circuit.source != "current":
        raise MtjphysError(f"{what} is computed for a current-driven junction (source='current')")


def with_field(params: dict, field) -> dict:
    """Returns: the record's arrays with the applied field H_ext [A/m] replaced by `field` (3,)."""
    return {**params, "H_ext": jnp.asarray(field, dtype=jnp.float64)}


def _motion(device: Device):
    vector_field = drift(device.model, device.law, device.circuit)
    return lambda m, drive, params: vector_field(0.0, m, (drive, params))


def _jacobian(device: Device, m, drive, params):
    """d(dm/dt)/dm (3, 3): the generated symbolic Jacobian where the motion reads nothing but m and the current
    (the voltage and the heating are then off), otherwise by forward-mode differentiation of the same motion."""
    circuit = device.circuit
    if not (circuit.heating or circuit.reads_bias):
        return device.model.jacobian(m, drive, 0.0, params)
    return jax.jacfwd(lambda state: _motion(device)(state, drive, params))(m)


def _tangent(device: Device, m, drive, params):
    basis = jnp.stack(_tangent_basis(m), axis=-1)
    residual = basis.T @ _motion(device)(m, drive, params)
    matrix = basis.T @ _jacobian(device, m, drive, params) @ basis
    return basis, residual, matrix


def _newton(device: Device, m, drive, params):
    for _ in range(NEWTON_STEPS):
        basis, residual, matrix = _tangent(device, m, drive, params)
        step = jnp.linalg.solve(matrix, residual)
        # a singular linearisation (a flat direction at a symmetric point) or a step off the quadratic basin is skipped
        usable = jnp.all(jnp.isfinite(step)) & (jnp.linalg.norm(step) < NEWTON_REACH)
        moved = m - basis @ jnp.where(usable, step, 0.0)
        m = moved / jnp.linalg.norm(moved)
    return m


def _relax(device: Device, m, drive, params):
    """The fixed point reached from m along the LLG at alpha = 1 (explicit steps on the sphere until |dm/dt| <
    `RELAX_RATE`, each turning m by at most `RELAX_TURN` rad and at most `RELAX_TURN` over the motion's largest rate,
    which keeps the steps stable)."""
    motion = _motion(device)
    relaxing = {**params, "alpha": jnp.asarray(RELAX_DAMPING, dtype=jnp.float64)}
    # the largest rate: the Jacobian's norm at the start, or gamma times the largest field along an axis
    axes = jnp.concatenate([jnp.eye(3), -jnp.eye(3)])
    fields = jnp.linalg.norm(device.model.effective_field(axes, params), axis=-1)
    stiffness = jnp.maximum(jnp.linalg.norm(_jacobian(device, m, drive, relaxing)),
                            params["gamma"] * jnp.maximum(jnp.max(fields), RELAX_FIELD_FLOOR))

    def unfinished(state):
        iteration, _, rate = state
        return (rate > RELAX_RATE) & (iteration < RELAX_STEPS)

    def iterate(state):
        iteration, m, _ = state
        velocity = motion(m, drive, relaxing)
        speed = jnp.linalg.norm(velocity)
        moved = m + RELAX_TURN / jnp.maximum(stiffness, speed) * velocity
        return iteration + 1, moved / jnp.linalg.norm(moved), speed

    _, end, _ = jax.lax.while_loop(unfinished, iterate, (0, m, jnp.asarray(jnp.inf, dtype=m.dtype)))
    return end


def _unstable_direction(device: Device, m, drive, params):
    """Returns: (whether the fixed point m is unstable, a unit tangent vector along which it is left)."""
    basis, _, matrix = _tangent(device, m, drive, params)
    trace, determinant = jnp.trace(matrix), jnp.linalg.det(matrix)
    growth = trace / 2 + jnp.sqrt(jnp.maximum(trace**2 / 4 - determinant, 0.0))  # the larger real eigenvalue
    # an eigenvector for the real eigenvalue `growth` of a saddle (det < 0); any tilt for an unstable focus
    candidates = jnp.stack([jnp.stack([matrix[0, 1], growth - matrix[0, 0]]),
                            jnp.stack([growth - matrix[1, 1], matrix[1, 0]])])
    pick = jnp.argmax(jnp.linalg.norm(candidates, axis=-1))
    vector = jnp.where(jnp.linalg.norm(candidates[pick]) > 0, candidates[pick], jnp.array([1.0, 0.0]))
    unstable = (determinant < 0) | (trace > 0)
    return unstable, basis @ (vector / jnp.linalg.norm(vector))


def _settled(device: Device, m, drive, params):
    first = _relax(device, m, drive, params)
    unstable, direction = _unstable_direction(device, first, drive, params)
    kicked = jnp.where(unstable, first + KICK * direction, first)
    return _newton(device, _relax(device, kicked / jnp.linalg.norm(kicked), drive, params), drive, params)


def settle(device: Device, m, drive, params):
    """The stable fixed point reached from m (traceable; its derivative is the implicit function theorem's).

    Arguments:
        device: one MTJ (a macrospin) with a current-driven circuit.
        m: the start direction (3,).
        drive: the dc current density [A/m^2].
        params: the record's arrays (with the swept field).

    Returns:
        The equilibrium direction (3,).
    """
    @jax.custom_jvp
    def fixed_point(m, drive, params):
        return _settled(device, m, drive, params)

    @fixed_point.defjvp
    def fixed_point_jvp(primals, tangents):
        m, drive, params = primals
        _, d_drive, d_params = tangents  # the fixed point does not move with the start
        point = fixed_point(m, drive, params)
        basis, _, matrix = _tangent(device, point, drive, params)
        _, push = jax.jvp(lambda j, p: _motion(device)(point, j, p), (drive, params), (d_drive, d_params))
        return point, -basis @ jnp.linalg.solve(matrix, basis.T @ push)

    return fixed_point(jnp.asarray(m, dtype=jnp.float64), jnp.asarray(drive, dtype=jnp.float64), params)


def linear_response(device: Device, m, drive, params) -> LinearResponse:
    """Returns: the `LinearResponse` about the fixed point m (traceable)."""
    basis, _, matrix = _tangent(device, m, drive, params)
    motion = _motion(device)
    _, push = jax.jvp(lambda j: motion(m, j, params), (jnp.asarray(drive, dtype=jnp.float64),), (jnp.float64(1.0),))
    resistance = device.model.resistance(device.law)
    voltage = bias_voltage(device.model, device.law, m, jnp.asarray(drive, dtype=jnp.float64), params)
    r, gradient = jax.value_and_grad(lambda state: resistance(state, voltage, params))(m)
    return LinearResponse(m, basis, matrix, basis.T @ push, r, basis.T @ gradient)


def sweep(device: Device, fields, drive, start) -> tuple[jnp.ndarray, LinearResponse]:
    """Equilibria followed along a field sweep, each relaxed from the one before (traceable).

    Arguments:
        device: one macrospin MTJ, current-driven.
        fields: the applied fields H_ext [A/m], (n, 3), in sweep order.
        drive: the dc current density [A/m^2].
        start: the direction the first field's equilibrium is relaxed from (3,).

    Returns:
        (the equilibria (n, 3), their `LinearResponse`s with a leading axis n).
    """
    def step(m, field):
        params = with_field(device.params, field)
        equilibrium = settle(device, m, drive, params)
        return equilibrium, (equilibrium, linear_response(device, equilibrium, drive, params))

    _, (equilibria, responses) = jax.lax.scan(step, jnp.asarray(start, dtype=jnp.float64), jnp.asarray(fields))
    return equilibria, responses
