"""A micromagnetic model on its mesh: the generated local right-hand side in every cell, the grid
operators of its nonlocal terms (exchange stencil, FFT demagnetisation, or a user's own; see
`_operators.py`), the junction's cells in parallel, and the relaxed state every window starts from.

A state is m of shape (..., nx, ny, nz, 3), the batch (devices, currents) in front; parameter arrays
have the batch's shape as for the macrospin, and the mesh maps them onto the cells.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .._errors import MtjphysError, NO_TANGENT, NOT_RELAXED
from ._mesh import Mesh

if TYPE_CHECKING:
    from ..device import Model

RELAX_TORQUE = 1e-7  # [T]: relaxed when |m x (m x B_eff)| is below this in every cell
RELAX_ITERATIONS = 20_000
# the relaxed state's derivative: conjugate gradients until each device's residual is this fraction of its
# right-hand side's
TANGENT_TOLERANCE = 1e-12
TANGENT_ITERATIONS = 10_000


def _not_relaxed(residual: float) -> str:
    """The line that refuses a relaxation left with `residual` [T], the largest |m x (m x B_eff)|."""
    if math.isnan(residual):
        return (f"{NOT_RELAXED}: max |m x (m x B_eff)| is not a number (needs < {RELAX_TORQUE:.0e} T); a parameter "
                "far outside the device's range?")
    return (f"{NOT_RELAXED}: max |m x (m x B_eff)| = {residual:.0e} T after {RELAX_ITERATIONS} iterations (needs "
            f"< {RELAX_TORQUE:.0e} T), so no window has an equilibrium to start from; a field near switching, or "
            "an m0 near a saddle, leaves the energy too flat to descend: move the field, the anisotropy or m0")


# Inside jitted code a refusal can only say one of a fixed set of lines: they give the residual to one digit
_RESIDUAL_LEVELS = np.array([digit * 10.0**exponent for exponent in range(-7, 4) for digit in range(1, 10)])
_RESIDUAL_ROUNDING = (_RESIDUAL_LEVELS[:-1] + _RESIDUAL_LEVELS[1:]) / 2  # where one digit rounds to the next


def _on_sphere(m: jnp.ndarray) -> tuple[jnp.ndarray, jnp.ndarray]:
    """(m / |m|, |m|) of every cell, the norm with a trailing axis of 1."""
    norm = jnp.linalg.norm(m, axis=-1, keepdims=True)
    return m / norm, norm


def _safe_divide(numerator, denominator):
    """numerator / denominator, 0 where the denominator is 0 (with gradients that stay finite)."""
    nonzero = denominator != 0
    return jnp.where(nonzero, numerator / jnp.where(nonzero, denominator, 1.0), 0.0)


def _conjugate_gradients(operator: Callable, rhs: jnp.ndarray) -> jnp.ndarray:
    """x with operator(x) = rhs for an operator symmetric and positive definite on each device's cells (the
    last four axes), each device's system solved on its own to `TANGENT_TOLERANCE` of its right-hand side;
    refused (equinox's runtime error) where it does not get there in `TANGENT_ITERATIONS` steps."""
    dot = lambda a, b: jnp.sum(a * b, axis=(-4, -3, -2, -1), keepdims=True)
    goal = TANGENT_TOLERANCE**2 * dot(rhs, rhs)

    def unfinished(carry):
        iteration, *_, rr = carry
        return (iteration < TANGENT_ITERATIONS) & jnp.any(rr > goal)

    def iterate(carry):
        iteration, x, r, p, rr = carry
        active = rr > goal  # a device that got there stays put while the others go on
        q = operator(p)
        step = jnp.where(active, _safe_divide(rr, dot(p, q)), 0.0)
        x, r = x + step * p, r - step * q
        rr_next = dot(r, r)
        p = jnp.where(active, r + _safe_divide(rr_next, rr) * p, p)
        return iteration + 1, x, r, p, jnp.where(active, rr_next, rr)

    _, x, *_, rr = jax.lax.while_loop(unfinished, iterate, (0, jnp.zeros_like(rhs), rhs, rhs, dot(rhs, rhs)))
    return eqx.error_if(x, jnp.any(~(rr <= goal)), f"{NO_TANGENT} in {TANGENT_ITERATIONS} conjugate-gradient "
                        "steps: the relaxed state is no minimum of the energy (a saddle, or a direction it can "
                        "turn in for free), and has no derivative")


def exchange_field(m: jnp.ndarray, stiffness: jnp.ndarray, ms: jnp.ndarray, cell) -> jnp.ndarray:
    """The exchange field of the 6-neighbour stencil with free boundaries [T]:

        B_i = (2 / Ms_i) sum_{neighbours n} A_in (m_n - m_i) / d_n^2,   A_in = 2 A_i A_n / (A_i + A_n),

    d_n the cell edge towards n; a missing neighbour, or one outside the body (A = 0), contributes nothing.

    Arguments:
        m: directions (..., nx, ny, nz, 3); stiffness: A per cell [J/m] and ms: Ms per cell [A/m],
            (..., nx, ny, nz), both 0 outside the body; cell: the edges (dx, dy, dz) [m].

    Returns:
        The field, like m (0 outside the body).
    """
    total = jnp.zeros_like(m)
    for axis, edge in zip((-3, -2, -1), cell):  # of the per-cell scalars; m's is one further left
        if m.shape[axis - 1] == 1:
            continue
        lower = lambda a, k: jax.lax.slice_in_dim(a, 0, a.shape[k] - 1, axis=a.ndim + k)
        upper = lambda a, k: jax.lax.slice_in_dim(a, 1, a.shape[k], axis=a.ndim + k)
        a_low, a_high = lower(stiffness, axis), upper(stiffness, axis)
        link = _safe_divide(2 * a_low * a_high, a_low + a_high)
        flux = link[..., None] * (upper(m, axis - 1) - lower(m, axis - 1)) / edge**2  # from cell i + 1 to i
        pad = [(0, 0)] * flux.ndim
        pad[flux.ndim + axis - 1] = (0, 1)
        into_lower = jnp.pad(flux, pad)  # cell i gains flux(i, i+1) and loses flux(i-1, i)
        pad[flux.ndim + axis - 1] = (1, 0)
        total = total + into_lower - jnp.pad(flux, pad)
    return 2 * _safe_divide(1.0, ms)[..., None] * total


@dataclasses.dataclass(frozen=True, eq=False)
class MeshedModel:
    """A generated micromagnetic model on a mesh, with the interface of `Model` for states of cells.

    The equation of motion is extended off the unit sphere as dm/dt = |m| F(m / |m|), F the LLG of unit
    vectors (and the noise likewise). Every scheme that commutes with scaling, Runge-Kutta and Heun among
    them, then moves each cell's direction m / |m| exactly as if it were projected back onto the sphere
    after every step, while |m| carries the step's norm error without feeding it back into the dynamics.
    Small cells above 0 K need this: their thermal kicks are large, and Heun's norm error would otherwise
    grow into the anisotropy and exchange fields until the solve diverges. Every observable reads m / |m|.

    Arguments:
        model: the generated micromagnetic model (its module's local functions).
        mesh: the grid, its body and material.
        resistance_law: the law by which each column's conductance, and so its share of the current, follows
            its direction at the barrier.
    """

    model: Model
    mesh: Mesh
    resistance_law: str = "linear_conductance"

    # ---- what the model declares ----------------------------------------------------------
    name = property(lambda self: self.model.name)
    hash = property(lambda self: self.model.hash)
    parameters = property(lambda self: self.model.parameters)
    constants = property(lambda self: self.model.constants)
    resistance_laws = property(lambda self: self.model.resistance_laws)
    thermal = property(lambda self: self.model.thermal)
    discretisation = property(lambda self: self.model.discretisation)
    bias_switches = property(lambda self: self.model.bias_switches)

    @property
    def state_shape(self) -> tuple[int, ...]:
        return self.mesh.shape + (3,)

    @property
    def _material(self):
        """numpy arrays (so that no traced value is cached): Ms and Ku factors, easy-axis rotations, the body."""
        return (*self.mesh.material, self.mesh.mask)

    def cell_parameters(self, params: dict) -> tuple[dict, jnp.ndarray]:
        """The parameters in every cell: batch arrays given three trailing cell axes, Ms and Ku scaled
        and the easy axis rotated by each cell's grain.

        Returns:
            (parameters for the generated local functions, with Ms = 1 outside the body so that they stay
            finite there; Ms per cell, 0 outside the body).
        """
        ms_factor, ku_factor, rotation, inside = self._material
        cells = {}
        for key, value in params.items():
            value = jnp.asarray(value)
            cells[key] = value[..., None, None, None, :] if self.is_vector(key) else value[..., None, None, None]
        ms = cells["Ms"] * ms_factor
        if "Ku" in cells:
            cells["Ku"] = cells["Ku"] * ku_factor
        if rotation is not None and "easy_axis" in cells:
            cells["easy_axis"] = jnp.einsum("...ij,...j->...i", rotation, cells["easy_axis"])
        cells["Ms"] = jnp.where(inside, ms, 1.0)
        return cells, ms

    def uniform(self, direction: jnp.ndarray) -> jnp.ndarray:
        """Returns: the state with every cell along `direction` (..., 3)."""
        direction = jnp.asarray(direction)
        return jnp.broadcast_to(direction[..., None, None, None, :], direction.shape[:-1] + self.state_shape)

    def broadcast_cells(self, value: jnp.ndarray) -> jnp.ndarray:
        """Returns: a per-device vector (..., 3) as a per-cell one (..., 1, 1, 1, 3)."""
        return jnp.asarray(value)[..., None, None, None, :]

    # ---- fields ----------------------------------------------------------------------------
    def nonlocal_fields(self, m: jnp.ndarray, cells: dict, ms: jnp.ndarray) -> dict[str, jnp.ndarray]:
        """Each nonlocal term's field in every cell [T], by term name, from its grid operator."""
        return {name: operator.field(m, ms, cells, self.mesh, self.constants)
                for name, operator in self.model.grid_operators.items()}

    def nonlocal_field(self, m: jnp.ndarray, cells: dict, ms: jnp.ndarray) -> jnp.ndarray:
        """The sum of the nonlocal terms' fields in every cell [T] (0 without any)."""
        field = jnp.zeros(jnp.broadcast_shapes(m.shape, ms.shape + (3,)), dtype=m.dtype)
        for term in self.nonlocal_fields(m, cells, ms).values():  # in the model's order: the same sum every time
            field = field + term
        return field

    def effective_field(self, m: jnp.ndarray, params: dict) -> jnp.ndarray:
        """B_eff in every cell [T] at zero bias and current: the local terms' and the nonlocal ones'."""
        m = self.directions(m)
        cells, ms = self.cell_parameters(params)
        return self.model.module.effective_field(m, 0.0, cells) + self.nonlocal_field(m, cells, ms)

    # ---- the interface of Model ------------------------------------------------------------
    def landau_lifshitz(self, m: jnp.ndarray, current_density, bias_voltage, params: dict) -> jnp.ndarray:
        """dm/dt [1/s] in every cell (0 outside the body), |m| times the LLG of m / |m|, for each device at
        the voltage [V] across its barrier. The current density a cell carries is that of its column of the
        pillar, set by the column's conductance at the barrier (`cell_current_density`); the device's
        `current_density` [A/m^2] is their average."""
        unit, norm = _on_sphere(m)
        cells, ms = self.cell_parameters(params)
        voltage = jnp.asarray(bias_voltage)[..., None, None, None]
        cells["current_density"] = self._column_current_density(unit, current_density, voltage, cells)
        rate = self.model.module.landau_lifshitz(unit, cells["current_density"], voltage,
                                                 self.nonlocal_field(unit, cells, ms), cells)
        return jnp.where(self._material[3][..., None], norm * rate, 0.0)

    def cell_current_density(self, m: jnp.ndarray, current_density, bias_voltage, params: dict) -> jnp.ndarray:
        """The current density through each column of cells [A/m^2], (..., nx, ny, 1): the columns conduct in
        parallel at the barrier (the layer z = 0), so a column of conductance G_i carries V G_i over its
        area. They sum to the device's current: scaled so that their average over the barrier is
        `current_density`, which a uniform state gives as it is.

        Arguments:
            m: the state (..., nx, ny, nz, 3); current_density [A/m^2] and bias_voltage [V] of each device.
        """
        voltage = jnp.asarray(bias_voltage)[..., None, None, None]
        return self._column_current_density(m, current_density, voltage, self.cell_parameters(params)[0])

    def _column_current_density(self, m, current_density, voltage, cells) -> jnp.ndarray:
        """`cell_current_density` from the cells' parameters and the voltage given a cell axis each."""
        barrier = jnp.asarray(self.mesh.mask[:, :, :1])
        conductance = self._barrier_conductance(m, voltage, cells, self.resistance_law)
        share = conductance / jnp.mean(conductance, axis=(-3, -2, -1), keepdims=True, where=barrier)
        return jnp.asarray(current_density)[..., None, None, None] * share

    def _barrier_conductance(self, m, voltage, cells, law: str) -> jnp.ndarray:
        """Each column's conductance at the barrier, as the fraction of the junction's it would be were every
        column like it [1/ohm], (..., nx, ny, 1), 0 outside the body. Arguments: `voltage` and `cells` with
        three trailing cell axes (`cell_parameters`)."""
        layer = {k: v[..., :1, :] if self.is_vector(k) else v[..., :1] for k, v in cells.items()}
        per_cell = self.model.resistance(law)(self.directions(m)[..., :1, :], voltage, layer)
        return jnp.where(jnp.asarray(self.mesh.mask[:, :, :1]), 1 / per_cell, 0.0)

    def thermal_diffusion(self, m: jnp.ndarray, params: dict) -> jnp.ndarray:
        """G [1/s^(1/2)] of every cell, (..., nx, ny, nz, 3, 3): Brown's field of the cell's volume."""
        if not self.thermal:
            raise MtjphysError(f"model {self.name!r} has no thermal field")
        unit, norm = _on_sphere(m)
        cells, _ = self.cell_parameters(params)
        g = self.model.module.thermal_diffusion(unit, self.mesh.cell_volume, cells)
        return jnp.where(self._material[3][..., None, None], norm[..., None] * g, 0.0)

    def resistance(self, law: str):
        """Returns: (m, bias_voltage, params) -> the junction's resistance [ohm]: its cells at the barrier
        (the layer z = 0) conduct in parallel, each over its share of the area."""
        self.model.resistance(law)  # an unknown law is refused here, not inside a solve

        def resistance(m, bias_voltage, params):
            voltage = jnp.asarray(bias_voltage)[..., None, None, None]
            conductance = self._barrier_conductance(m, voltage, self.cell_parameters(params)[0], law)
            return float(self.mesh.mask[:, :, 0].sum()) / jnp.sum(conductance, axis=(-3, -2, -1))

        return resistance

    def energy(self, m: jnp.ndarray, params: dict) -> jnp.ndarray:
        """The free energy of the body [J], per device: the local terms' (generated), and each nonlocal
        term's from its grid operator."""
        m = self.directions(m)
        cells, ms = self.cell_parameters(params)
        density = self.model.module.energy_density(m, 0.0, cells)
        operators = self.model.grid_operators
        for name, field in self.nonlocal_fields(m, cells, ms).items():
            density = density + operators[name].energy_density(m, field, ms, cells)
        return self.mesh.cell_volume * jnp.sum(jnp.where(self._material[3], density, 0.0), axis=(-3, -2, -1))

    def energy_density(self, direction: jnp.ndarray, params: dict) -> jnp.ndarray:
        """The energy density [J/m^3] of the body magnetised uniformly along `direction` (..., 3): the
        macrospin it is in the uniform mode (its demagnetisation the grid's average tensor)."""
        return self.energy(self.uniform(direction), params) / (self.mesh.cells * self.mesh.cell_volume)

    def average(self, m: jnp.ndarray) -> jnp.ndarray:
        """The body's magnetization direction averaged over its cells, weighted by Ms, (..., 3)."""
        weight = self.mesh.material[0]
        return jnp.einsum("...xyzc,xyz->...c", self.directions(m), weight) / weight.sum()

    def directions(self, m: jnp.ndarray) -> jnp.ndarray:
        """Returns: every cell's direction m / |m|."""
        return _on_sphere(m)[0]

    # ---- the relaxed state -------------------------------------------------------------------
    def relax(self, m: jnp.ndarray, params: dict) -> jnp.ndarray:
        """The state `relaxation` reaches from `m`, refused where it has not converged.

        Arguments:
            m, params: as for `relaxation`.

        Returns:
            The relaxed state. Where max |m x (m x B_eff)| is not below `RELAX_TORQUE`: a one-line
            `MtjphysError`, or inside jitted code equinox's runtime error with the same line (the residual to
            one digit), which the command line shows as it stands.
        """
        state, residual, _ = self.relaxation(m, params)
        largest = jnp.max(residual)
        if not isinstance(largest, jax.core.Tracer):
            if not largest <= RELAX_TORQUE:  # NaN included
                raise MtjphysError(_not_relaxed(float(largest)))
            return state
        lines = [_not_relaxed(float(level)) for level in _RESIDUAL_LEVELS] + [_not_relaxed(math.nan)]
        line = jnp.where(jnp.isnan(largest), len(lines) - 1, jnp.searchsorted(_RESIDUAL_ROUNDING, largest))
        return eqx.branched_error_if(state, ~(largest <= RELAX_TORQUE), line, lines)

    def relaxation(self, m: jnp.ndarray, params: dict) -> tuple[jnp.ndarray, jnp.ndarray, jnp.ndarray]:
        """The state of least energy reached from `m` without current: steepest descent along
        -m x (m x B_eff) with Barzilai-Borwein steps (Exl et al., J. Appl. Phys. 115, 17D118 (2014)),
        each device on its own, until |m x (m x B_eff)| < `RELAX_TORQUE` in every cell or for at most
        `RELAX_ITERATIONS` steps.

        Its derivatives, forward and reverse, are the equilibrium's (`equilibrium_tangent`), whatever the
        path the descent took; none flows to the start `m`, on which the equilibrium does not depend.

        Arguments:
            m: the start (..., nx, ny, nz, 3); params: the record's arrays, the batch's shape.

        Returns:
            (the state reached, unit vectors like m; the largest |m x (m x B_eff)| [T] over each device's
            cells, (...); the steps taken).
        """
        @jax.custom_jvp
        def relaxed(m, params):
            return self._descend(m, params)

        @relaxed.defjvp
        def relaxed_jvp(primals, tangents):
            m, params = primals
            state, residual, steps = self._descend(m, params)
            tangent = self.equilibrium_tangent(state, params, tangents[1])
            return (state, residual, steps), (tangent, jnp.zeros_like(residual),
                                              np.zeros(jnp.shape(steps), jax.dtypes.float0))

        return relaxed(m, params)

    def _descend(self, m: jnp.ndarray, params: dict) -> tuple[jnp.ndarray, jnp.ndarray, jnp.ndarray]:
        """`relaxation` without its derivative rule."""
        grid = (-4, -3, -2, -1)
        inside = self._material[3][..., None]
        per_device = lambda a: jnp.max(jnp.linalg.norm(a, axis=-1), axis=(-3, -2, -1))

        def torque(m):
            return jnp.where(inside, jnp.cross(m, jnp.cross(m, self.effective_field(m, params))), 0.0)

        def step(m, g, tau):
            moved = m - tau[..., None, None, None, None] * g
            return moved / jnp.linalg.norm(moved, axis=-1, keepdims=True)

        # a first step of 1 % of the field's scale, then Barzilai-Borwein steps alternating BB1 and BB2
        first = 1e-2 / jnp.maximum(per_device(self.effective_field(m, params)), 1e-30)
        g = torque(m)
        moved = step(m, g, first)
        state = (0, m, g, moved, torque(moved))

        def unfinished(state):
            iteration, *_, g = state
            return (jnp.max(jnp.linalg.norm(g, axis=-1)) > RELAX_TORQUE) & (iteration < RELAX_ITERATIONS)

        def iterate(state):
            iteration, m_old, g_old, m, g = state
            s, y = m - m_old, g - g_old
            ss, sy, yy = (jnp.sum(a * b, axis=grid) for a, b in ((s, s), (s, y), (y, y)))
            tau = jnp.where(iteration % 2 == 0, _safe_divide(ss, sy), _safe_divide(sy, yy))
            tau = jnp.where(tau > 0, tau, first)
            moved = step(m, g, tau)
            return iteration + 1, m, g, moved, torque(moved)

        steps, _, _, relaxed, g = jax.lax.while_loop(unfinished, iterate, state)
        return relaxed, per_device(g), steps

    def equilibrium_tangent(self, m: jnp.ndarray, params: dict, tangent: dict) -> jnp.ndarray:
        """The change of the equilibrium `m` with the parameters along `tangent` (implicit differentiation).

        At equilibrium P B_eff = B_eff - (m.B_eff) m vanishes in every cell; a change dp moves it by dm,
        tangent to the sphere (the gauge: |m| = 1), with

            (m.B_eff) dm - P J P dm = P (dB_eff/dp dp),   J = dB_eff/dm,

        the energy's Hessian on the sphere per moment. Each cell's rows weighted by its Ms make the system
        symmetric, and positive definite at a minimum: conjugate gradients solve it, each device on its own,
        to `TANGENT_TOLERANCE`, inside `lax.custom_linear_solve`, so that reverse mode transposes it. Cells
        outside the body do not move.

        Arguments:
            m: the relaxed state (..., nx, ny, nz, 3), unit vectors; params: as for `relaxation`;
            tangent: dp, like params.

        Returns:
            dm, like m.
        """
        inside = self._material[3][..., None]
        _, ms = self.cell_parameters(params)
        weight = ms[..., None]
        field = self.effective_field(m, params)
        along = jnp.sum(m * field, axis=-1, keepdims=True)
        project = lambda v: v - jnp.sum(m * v, axis=-1, keepdims=True) * m

        def hessian(dm):  # linear in dm: the weighted left-hand side, the identity outside the body
            _, field_change = jax.jvp(lambda state: self.effective_field(state, params), (m,), (project(dm),))
            return jnp.where(inside, weight * (along * dm - project(field_change)), dm)

        _, push = jax.jvp(lambda p: self.effective_field(m, p), (params,), (tangent,))
        rhs = jnp.where(inside, weight * project(push), 0.0)
        return jax.lax.custom_linear_solve(hessian, rhs, _conjugate_gradients, symmetric=True)

    def initial_state(self, params: dict, batch: tuple[int, ...]) -> jnp.ndarray:
        """The state every window starts from: relaxed from the record's m0 in every cell, broadcast to
        the batch (one relaxation per device, not per drive)."""
        devices = jnp.broadcast_shapes(*(jnp.shape(v)[: jnp.ndim(v) - (1 if self.is_vector(k) else 0)]
                                         for k, v in params.items()))
        relaxed = self.relax(self.uniform(jnp.broadcast_to(params["m0"], devices + (3,))), params)
        return jnp.broadcast_to(relaxed, jnp.broadcast_shapes(batch, devices) + self.state_shape)

    def is_vector(self, key: str) -> bool:
        """Whether the record entry `key` is a 3-vector."""
        return key == "m0" or self.parameters.get(key, {}).get("shape") == (3,)


@functools.lru_cache(maxsize=32)
def meshed_model(model: Model, mesh: Mesh, resistance_law: str = "linear_conductance") -> MeshedModel:
    """The model on a mesh (one object per model, mesh and law, so that jitted code is reused)."""
    return MeshedModel(model, mesh, resistance_law)
