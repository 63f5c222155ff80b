"""The cost of a grid's window: the demagnetising convolution by real FFTs over the axes of more than one cell
equals the direct sum of the Newell tensor over all pairs of cells; the Runge-Kutta pair for steps limited by
exchange (`RK43`) is of fourth order, gains no energy without current, and agrees with Dopri8."""

import importlib
import itertools

import diffrax as dfx
import jax
import jax.numpy as jnp
import numpy as np
import optimistix as optx
import pytest

import mtjphys as mp
from mtjphys.device import RK43
from mtjphys.grid import demag_field, demag_kernel, demag_tensor

MU0 = mp.micromagnetic_model().constants["mu0"]["value"]


def direct_sum(magnetization: np.ndarray, cell) -> np.ndarray:
    """B_i = -mu0 sum_j N(r_i - r_j) M_j over every pair of cells, (nx, ny, nz, 3)."""
    shape = magnetization.shape[:3]
    indices = np.array(list(itertools.product(*(range(n) for n in shape))))
    offsets = (indices[:, None, :] - indices[None, :, :]) * np.asarray(cell)
    xx, yy, zz, xy, xz, yz = demag_tensor(offsets, cell)
    tensor = np.stack([np.stack(row, axis=-1) for row in ((xx, xy, xz), (xy, yy, yz), (xz, yz, zz))], axis=-2)
    field = -MU0 * np.einsum("ijab,jb->ia", tensor, magnetization.reshape(-1, 3))
    return field.reshape(magnetization.shape)


@pytest.mark.parametrize("shape, cell", [
    ((9, 7, 1), (2e-9, 2e-9, 1e-9)),  # a single layer: a two-dimensional transform
    ((5, 4, 3), (2e-9, 3e-9, 1e-9)),
    ((4, 1, 3), (1e-9, 1e-9, 2e-9)),  # an axis of one cell between two transformed ones
    ((7, 1, 1), (1e-9, 1e-9, 1e-9)),
    ((1, 1, 1), (1e-9, 2e-9, 3e-9)),  # no transform at all
])
def test_demag_field_equals_the_direct_sum(shape, cell):
    magnetization = np.random.default_rng(0).normal(size=shape + (3,)) * 5e5
    want = direct_sum(magnetization, cell)
    got = np.asarray(demag_field(jnp.asarray(magnetization), demag_kernel(shape, cell), shape, MU0))
    assert np.max(np.abs(got - want)) < 1e-12 * np.max(np.abs(want))


def test_demag_kernel_keeps_the_real_half_of_the_transformed_axes():
    """A single layer's kernel is two-dimensional, the last transformed axis halved; a batch of states is the
    states one by one."""
    shape, cell = (6, 5, 1), (2e-9, 2e-9, 1e-9)
    kernel = demag_kernel(shape, cell)
    assert kernel.shape == (6, 12, 6) and kernel.dtype == np.float64
    assert demag_kernel((6, 5, 2), cell).shape == (6, 12, 10, 3)
    batch = jnp.asarray(np.random.default_rng(1).normal(size=(2,) + shape + (3,)))
    fields = np.asarray(demag_field(batch, kernel, shape, MU0))
    singles = np.asarray(jax.lax.map(lambda state: demag_field(state, kernel, shape, MU0), batch))
    assert np.max(np.abs(fields - singles)) < 1e-15 * np.max(np.abs(singles))


# ---- the integrator ---------------------------------------------------------------------------
def _solve(model, params, m0, solver, ts, controller, current=0.0):
    term = dfx.ODETerm(lambda t, m, args: model.landau_lifshitz(m, current, 0.0, params))
    dt0 = None if isinstance(controller, dfx.PIDController) else float(ts[1] - ts[0])
    solution = jax.jit(lambda m: dfx.diffeqsolve(term, solver, ts[0], ts[-1], dt0, m, saveat=dfx.SaveAt(ts=ts),
                                                 stepsize_controller=controller, max_steps=2**18))(m0)
    return np.asarray(solution.ys)


def _adaptive(rtol):
    return dfx.PIDController(rtol=rtol, atol=rtol * 1e-2, norm=optx.max_norm)


@pytest.mark.slow
def test_rk43_is_of_fourth_order_on_a_spin_wave():
    """A standing spin wave on a chain of cells (exchange, anisotropy and the chain's demagnetisation): halving
    the constant step divides the error at the end by 2^4."""
    cells, dx = 16, 5e-9
    record = mp.Parameters({"geometry": "rectangle", "length": cells * dx, "width": dx, "cell_size": dx,
                            "alpha": 0.01}, model=mp.micromagnetic_model())
    model, params = mp.make_device(record).model, record.arrays()
    x = record.mesh.centres()[0]
    amplitude = 0.05 * np.cos(2 * np.pi * x / (cells * dx))
    m0 = jnp.asarray(np.stack([amplitude, 0.3 * np.ones_like(x), np.sqrt(0.91 - amplitude**2)], -1)[:, None, None])
    duration = 50e-12  # 100 steps hold the grid's fastest wave at omega dt ~ 1, inside RK43's 2.83
    exact = _solve(model, params, m0, dfx.Dopri8(), jnp.asarray([0.0, duration]), _adaptive(1e-12))[-1]
    errors = [np.max(np.abs(_solve(model, params, m0, RK43(), jnp.linspace(0.0, duration, steps + 1),
                                   dfx.ConstantStepSize())[-1] - exact))
              for steps in (100, 200, 400)]
    orders = np.log2(np.asarray(errors[:-1]) / np.asarray(errors[1:]))
    assert np.all((orders > 3.7) & (orders < 4.3)), orders


@pytest.mark.slow
def test_rk43_gains_no_energy_without_current():
    record = mp.Parameters({"cell_size": 10e-9, "length": 60e-9, "width": 60e-9, "alpha": 0.05},
                           model=mp.micromagnetic_model())
    model, params = mp.make_device(record).model, record.arrays()
    rng = np.random.default_rng(0)
    m0 = np.asarray(model.uniform(jnp.asarray([0.5, 0.2, 0.84]))) + 0.2 * rng.normal(size=model.state_shape)
    m0 /= np.linalg.norm(m0, axis=-1, keepdims=True)
    states = _solve(model, params, jnp.asarray(m0), RK43(), jnp.linspace(0.0, 0.5e-9, 101), _adaptive(1e-6))
    energy = np.asarray(jax.vmap(lambda state: model.energy(state, params))(jnp.asarray(states)))
    assert np.all(np.diff(energy) <= 1e-9 * np.abs(energy).max()) and energy[-1] < energy[0]


@pytest.mark.slow
def test_rk43_agrees_with_dopri8_on_standard_problem_4():
    """The start of the reversal under field 1 on 10 nm cells, both at the grid's default tolerances."""
    sp4 = importlib.import_module("mtjphys.studies.standard_problem_4")
    device = mp.make_device(sp4.problem_record(10e-9, sp4.FIELDS[1]))
    model, params = device.model, device.params
    start = jnp.asarray(sp4.s_state(10e-9))
    ts = jnp.linspace(0.0, 0.3e-9, 31)
    rtol = device.solver.rtol
    average = lambda states: np.asarray(jax.vmap(model.average)(jnp.asarray(states)))
    ours = average(_solve(model, params, start, RK43(), ts, _adaptive(rtol)))
    explicit = average(_solve(model, params, start, dfx.Dopri8(), ts, _adaptive(rtol)))
    assert np.max(np.abs(ours - explicit)) < 1e-5
