"""The micromagnetic free layer: the Newell tensor and its FFT convolution, the exchange stencil, the mesh,
and the physics of the grid (spin waves, energy, norm, the macrospin limit)."""

import importlib
import json
import math

import diffrax as dfx
import jax
import jax.numpy as jnp
import numpy as np
import optimistix as optx
import pytest
import sympy as sp

import mtjphys as mp
from mtjphys import models
from mtjphys.cli import run_command
from mtjphys.cli._main import cli
from mtjphys.grid import demag_field, demag_tensor, dipole_average, exchange_field, newell_tensor
from mtjphys.reproduction import params_option

MU0 = mp.micromagnetic_model().constants["mu0"]["value"]


def grid_record(**changes) -> mp.Parameters:
    return mp.Parameters(changes, model=mp.micromagnetic_model())


def average_field(record: mp.Parameters, direction) -> np.ndarray:
    """The body's average demagnetising field [T] when uniformly magnetised along `direction`."""
    model = mp.make_device(record).model
    m = model.uniform(jnp.asarray(direction, dtype=jnp.float64))
    ms = jnp.asarray(record["Ms"] * record.mesh.mask, dtype=jnp.float64)
    field = demag_field(ms[..., None] * m, record.mesh.kernel, record.mesh.shape, MU0)
    return np.asarray(field)[record.mesh.mask].mean(axis=0)


# ---- the Newell tensor -----------------------------------------------------------------------
@pytest.mark.parametrize("cell", [(1e-9, 1e-9, 1e-9), (2e-9, 3e-9, 0.7e-9), (5e-9, 5e-9, 3e-9)])
def test_a_cells_self_term_is_its_prisms_demagnetising_factors(cell):
    """A uniformly magnetised cell's own average field: the cube's 1/3 per axis, Aharoni's factors for a prism."""
    tensor = newell_tensor(np.zeros(3), cell)
    np.testing.assert_allclose(tensor[:3], mp.prism_demag_factors(*cell), rtol=1e-12)
    np.testing.assert_allclose(tensor[3:], 0.0, atol=1e-14)
    if cell[0] == cell[1] == cell[2]:
        np.testing.assert_allclose(tensor[:3], 1 / 3, rtol=1e-13)


def test_the_tensor_obeys_its_trace_sum_rule():
    """N_xx + N_yy + N_zz = 1 for a cell on itself and 0 between distinct cells (div H = 0 outside)."""
    rng = np.random.default_rng(3)
    cell = np.array([2e-9, 3e-9, 0.7e-9])
    offsets = rng.integers(-6, 7, size=(40, 3)) * cell
    offsets = offsets[np.any(offsets != 0, axis=1)]
    tensor = demag_tensor(offsets, cell)
    scale = np.abs(tensor[:3]).max(axis=0)
    np.testing.assert_array_less(np.abs(tensor[:3].sum(axis=0)), 1e-8 * scale)  # digits lost to cancellation
    assert newell_tensor(np.zeros(3), cell)[:3].sum() == pytest.approx(1.0, abs=1e-14)


@pytest.mark.parametrize("cell", [(2e-9, 3e-9, 0.7e-9), (5e-9, 5e-9, 3e-9), (1e-9, 1e-9, 1e-9)])
def test_the_far_field_seam(cell):
    """Newell's form and the dipole average agree where one gives way to the other; far out the average
    tends to the point dipole."""
    from mtjphys.grid._demag import FAR_CELLS

    rng = np.random.default_rng(5)
    directions = rng.normal(size=(8, 3))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    for distance in (0.8, 1.0, 1.2):
        offsets = directions * distance * FAR_CELLS * max(cell)
        near, far = newell_tensor(offsets, cell), dipole_average(offsets, cell)
        np.testing.assert_allclose(near, far, atol=2e-6 * np.abs(far).max())
    far_out = directions[0] * 400 * max(cell)
    r = np.linalg.norm(far_out)
    point = -(3 * np.outer(far_out, far_out) - r * r * np.eye(3)) / (4 * math.pi * r**5) * np.prod(cell)
    expected = [point[i, j] for i, j in ((0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2))]
    np.testing.assert_allclose(dipole_average(far_out, cell), expected, atol=1e-4 * np.abs(expected).max())


@pytest.mark.parametrize("cells, layers", [((8, 4), 1), ((6, 5), 3), ((1, 7), 2)])
def test_a_uniformly_magnetised_prisms_average_field_is_aharonis(cells, layers):
    """The grid's average demagnetising field of a uniform rectangle, any cells, is -mu0 Ms N with the
    prism's Aharoni factors: the FFT convolution and the tensor, together."""
    cell = 3e-9
    length, width, thickness = cells[0] * cell, cells[1] * cell, 2e-9 * layers
    record = grid_record(geometry="rectangle", length=length, width=width, thickness=thickness, cell_size=cell,
                         layers=layers)
    factors = mp.prism_demag_factors(length, width, thickness)
    for axis in range(3):
        direction = np.eye(3)[axis]
        field = average_field(record, direction)
        np.testing.assert_allclose(field[axis], -MU0 * record["Ms"] * factors[axis], rtol=1e-10)
        np.testing.assert_allclose(np.delete(field, axis), 0.0, atol=1e-12 * MU0 * record["Ms"])


def test_a_wide_thin_films_demagnetising_factor_tends_to_one():
    values = []
    for ratio in (10, 100, 1000):
        thickness = 1e-9
        record = grid_record(geometry="rectangle", length=ratio * thickness, width=ratio * thickness,
                             thickness=thickness, cell_size=ratio * thickness / 16)
        n_zz = -average_field(record, [0, 0, 1])[2] / (MU0 * record["Ms"])
        assert n_zz == pytest.approx(mp.prism_demag_factors(record["length"], record["width"], thickness)[2],
                                     rel=1e-10)
        values.append(n_zz)
    assert values[0] < values[1] < values[2] < 1
    assert 1 - values[2] < 0.005


# ---- the exchange stencil --------------------------------------------------------------------
def test_uniform_magnetisation_has_no_exchange_field():
    record = grid_record(cell_size=5e-9, grain_size=20e-9, grain_Ms_dispersion=0.2)
    model = mp.make_device(record).model
    cells, ms = model.cell_parameters(record.arrays())
    stiffness = jnp.where(record.mesh.mask, cells["A"], 0.0)
    m = model.uniform(jnp.asarray([0.3, -0.4, 0.866]))
    assert float(jnp.abs(exchange_field(m, stiffness, ms, record.mesh.cell)).max()) == 0.0


def test_the_stencil_converges_to_the_continuum_field_at_second_order():
    """(2 A / Ms) laplacian(m) from the sympy form of A |grad m|^2, against the stencil inside a
    rectangle, as the cells shrink."""
    x, y, _ = models.POSITION
    a, ms = 2e-11, 6e5
    k = 2 * math.pi / 80e-9
    profile = [sp.sin(k * x) * sp.cos(k * y / 2), sp.cos(k * x), sp.sin(k * (x + y) / 3)]
    field = models.Exchange().continuum_field({"A": sp.Float(a), "Ms": sp.Float(ms)})
    functions = {sp.Function(f"m_{c}", real=True)(*models.POSITION): p for c, p in zip("xyz", profile)}
    exact = sp.lambdify((x, y), [f.subs(functions).doit() for f in field], "numpy")
    errors = []
    for cell in (4e-9, 2e-9, 1e-9):
        record = grid_record(geometry="rectangle", length=120e-9, width=80e-9, cell_size=cell)
        cx, cy = record.mesh.centres()
        grid_x, grid_y = np.meshgrid(cx, cy, indexing="ij")
        m = np.stack([sp.lambdify((x, y), p, "numpy")(grid_x, grid_y) * np.ones_like(grid_x) for p in profile], -1)
        stencil = exchange_field(jnp.asarray(m[:, :, None]), jnp.full(m.shape[:2] + (1,), a),
                                 jnp.full(m.shape[:2] + (1,), ms), record.mesh.cell)[:, :, 0]
        want = np.stack([np.broadcast_to(v, grid_x.shape) for v in exact(grid_x, grid_y)], -1)
        interior = (np.abs(grid_x) < 40e-9) & (np.abs(grid_y) < 25e-9)
        errors.append(np.abs(np.asarray(stencil) - want)[interior].max() / np.abs(want).max())
    assert errors[0] / errors[1] == pytest.approx(4, rel=0.05) and errors[1] / errors[2] == pytest.approx(4, rel=0.05)
    assert errors[2] < 1e-3


def test_the_stencil_joins_materials_by_the_harmonic_mean_and_ignores_missing_neighbours():
    """Two cells along x with A1, A2: B_1 = (2 / Ms1) (2 A1 A2 / (A1 + A2)) (m2 - m1) / dx^2; a third cell
    outside the body (A = 0, Ms = 0) adds nothing; along y and z there are no neighbours."""
    m = jnp.asarray([[[[0.0, 0.0, 1.0]], [[0.6, 0.0, 0.8]], [[1.0, 0.0, 0.0]]]])[0][:, None, :, :]  # (3, 1, 1, 3)
    a = jnp.asarray([1e-11, 3e-11, 0.0])[:, None, None]
    ms = jnp.asarray([5e5, 8e5, 0.0])[:, None, None]
    dx = 2e-9
    field = np.asarray(exchange_field(m, a, ms, (dx, 5e-9, 1e-9)))[:, 0, 0]
    link = 2 * 1e-11 * 3e-11 / (4e-11)
    difference = np.array([0.6, 0.0, -0.2])
    np.testing.assert_allclose(field[0], 2 / 5e5 * link * difference / dx**2, rtol=1e-14)
    np.testing.assert_allclose(field[1], -2 / 8e5 * link * difference / dx**2, rtol=1e-14)
    np.testing.assert_allclose(field[2], 0.0)


def test_the_exchange_energy_is_the_discrete_a_grad_m_squared():
    """-sum V Ms m . B_ex / 2 over the cells equals sum over neighbour pairs of V A |m_j - m_i|^2 / d^2."""
    rng = np.random.default_rng(2)
    m = rng.normal(size=(5, 4, 2, 3))
    m /= np.linalg.norm(m, axis=-1, keepdims=True)
    cell, a, ms = (2e-9, 3e-9, 1e-9), 2e-11, 6e5
    field = np.asarray(exchange_field(jnp.asarray(m), jnp.full(m.shape[:3], a), jnp.full(m.shape[:3], ms), cell))
    volume = math.prod(cell)
    from_field = -volume * ms * np.sum(m * field) / 2
    pairs = sum(np.sum(np.diff(m, axis=axis) ** 2) / cell[axis] ** 2 for axis in range(3))
    assert from_field == pytest.approx(volume * a * pairs, rel=1e-12)


# ---- the mesh --------------------------------------------------------------------------------
def test_the_staircase_and_its_area():
    disc = grid_record(cell_size=2e-9)
    assert disc.mesh.shape == (50, 50, 1) and disc["area"] == disc.mesh.area
    assert abs(disc.mesh.area_error) < 0.01 and disc.mesh.exact_area == pytest.approx(math.pi / 4 * 1e-14)
    assert abs(grid_record(cell_size=1e-9).mesh.area_error) < abs(grid_record(cell_size=5e-9).mesh.area_error)
    rectangle = grid_record(geometry="rectangle", length=500e-9, width=125e-9, thickness=3e-9, cell_size=5e-9)
    assert rectangle.mesh.shape == (100, 25, 1) and rectangle.mesh.area_error == pytest.approx(0.0, abs=1e-12)
    ellipse = grid_record(geometry="ellipse", length=150e-9, width=50e-9, cell_size=2.5e-9, layers=2)
    assert ellipse.mesh.shape == (60, 20, 2) and ellipse.mesh.cell[2] == 0.5e-9
    assert "area" in disc and "area" not in disc.to_dict() and disc.arrays()["area"] == disc.mesh.area


def test_grains_follow_their_seed():
    record = grid_record(cell_size=4e-9, grain_size=20e-9, grain_Ku_dispersion=0.1, grain_axis_dispersion=0.05,
                         grain_seed=7)
    again = grid_record(cell_size=4e-9, grain_size=20e-9, grain_Ku_dispersion=0.1, grain_axis_dispersion=0.05,
                        grain_seed=7)
    other = record.replace(grain_seed=8)
    ms, ku, rotation = record.mesh.material
    assert np.array_equal(ku, again.mesh.material[1]) and not np.array_equal(ku, other.mesh.material[1])
    inside = record.mesh.mask
    assert np.all(ms[inside] == 1.0) and np.all(ku[~inside] == 0) and 0.05 < ku[inside].std() < 0.2
    assert len(np.unique(record.mesh.grains)) == pytest.approx(1e-14 / (20e-9) ** 2, rel=0.3)
    orthogonal = np.einsum("...ij,...ik->...jk", rotation, rotation)[inside]
    np.testing.assert_allclose(orthogonal, np.broadcast_to(np.eye(3), orthogonal.shape), atol=1e-12)
    plain = grid_record(cell_size=4e-9)
    assert plain.mesh.material[2] is None and plain.mesh.grains is None


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"cell_size": 2e-7}, "larger than the body"),
        ({"cell_size": 5e-12, "allow_implausible": True}, "cells, more than"),
        ({"width": 50e-9}, "a disc has width = length"),
        ({"area": 1e-14}, "follows from its mesh"),
        ({"geometry": "triangle"}, "'geometry' must be one of"),
        ({"layers": 0}, "'layers' must be a whole number >= 1"),
        ({"layers": 1.5}, "'layers' must be a whole number >= 1"),
        ({"demag_factors": [0, 0, 1]}, "unknown parameter"),
    ],
)
def test_a_mesh_that_cannot_be_made_is_refused_in_one_line(changes, message):
    with pytest.raises(mp.MtjphysError, match=message) as error:
        grid_record(**changes)
    assert "\n" not in str(error.value)


def test_a_mesh_beyond_the_free_memory_is_refused(monkeypatch):
    from mtjphys.grid import _mesh

    monkeypatch.setattr(_mesh, "_available_memory", lambda: 1e6)
    with pytest.raises(mp.MtjphysError, match="GB, more than this machine has free"):
        grid_record(cell_size=2e-9)


# ---- physics on the grid ---------------------------------------------------------------------
def _solve(model, params, m0, duration, samples, current=0.0, rtol=1e-8):
    term = dfx.ODETerm(lambda t, m, args: model.landau_lifshitz(m, current, 0.0, params))
    ts = jnp.linspace(0.0, duration, samples)
    solution = dfx.diffeqsolve(term, dfx.Dopri8(), 0.0, duration, 1e-13, m0, saveat=dfx.SaveAt(ts=ts),
                               stepsize_controller=dfx.PIDController(rtol=rtol, atol=rtol * 1e-2, norm=optx.max_norm),
                               max_steps=100_000)
    return np.asarray(ts), np.asarray(solution.ys)


def test_a_small_k_spin_wave_follows_its_dispersion_without_demagnetisation():
    """A chain of cells with free ends, demagnetisation off, alpha = 0: the standing wave cos(k x),
    k = n pi / L, precesses at omega = gamma (B_k + 2 A k^2 / Ms) up to the stencil's (k dx)^2 / 12."""
    variant = mp.compile_model(models.micromagnetic_stt().without("magnetostatic", name="exchange_only"))
    cells, dx, n = 100, 2e-9, 3
    record = mp.Parameters({"geometry": "rectangle", "length": cells * dx, "width": dx, "cell_size": dx,
                            "alpha": 0.0}, model=variant)
    model, params = mp.make_device(record).model, record.arrays()
    length, k = cells * dx, n * math.pi / (cells * dx)
    x = record.mesh.centres()[0] + length / 2
    amplitude = 1e-3 * np.cos(k * x)
    m0 = np.stack([amplitude, np.zeros_like(x), np.sqrt(1 - amplitude**2)], -1)[:, None, None, :]
    b_k = 2 * record["Ku"] / record["Ms"]
    omega = record["gamma"] * (b_k + 2 * record["A"] * k**2 / record["Ms"])
    ts, m = _solve(model, params, jnp.asarray(m0), 4 * 2 * math.pi / omega, 801)
    mode = np.cos(k * x)
    phase = np.unwrap(np.angle(np.einsum("tx,x->t", m[:, :, 0, 0, 0] + 1j * m[:, :, 0, 0, 1], mode)))
    measured = abs(np.polyfit(ts, phase, 1)[0])
    lattice = record["gamma"] * (b_k + 2 * record["A"] / record["Ms"] * (2 - 2 * math.cos(k * dx)) / dx**2)
    assert measured == pytest.approx(lattice, rel=2e-5)  # the stencil's own dispersion
    assert measured == pytest.approx(omega, rel=(k * dx) ** 2 / 10)  # the continuum's, to the stencil's error
    assert abs(measured - omega) / omega > 1e-6  # the discretisation is seen


@pytest.mark.slow
def test_no_energy_is_gained_without_current_at_positive_damping():
    record = grid_record(cell_size=10e-9, length=60e-9, width=60e-9, alpha=0.05)
    model, params = mp.make_device(record).model, record.arrays()
    rng = np.random.default_rng(0)
    m0 = np.asarray(model.uniform(jnp.asarray([0.5, 0.2, 0.84]))) + 0.2 * rng.normal(size=model.state_shape)
    m0 /= np.linalg.norm(m0, axis=-1, keepdims=True)
    energy = lambda states: np.asarray(jax.vmap(lambda state: model.energy(state, params))(jnp.asarray(states)))
    free = energy(_solve(model, params, jnp.asarray(m0), 0.5e-9, 101)[1])
    assert np.all(np.diff(free) <= 1e-9 * np.abs(free).max()) and free[-1] < free[0]
    # the check can fail: from rest, a current pumps energy in
    relaxed = model.initial_state(params, ())
    driven = energy(_solve(model, params, relaxed, 0.5e-9, 101, current=2e11)[1])
    assert driven.max() - driven[0] > 1e-3 * np.abs(driven[0])


@pytest.mark.slow
def test_every_cell_keeps_unit_length_over_a_window():
    """The state itself, not its directions (which every observable reads), stays on the sphere at 0 K."""
    record = grid_record(cell_size=10e-9)
    device = mp.make_device(record)
    m0 = device.equilibrium((2,))
    ts = jnp.linspace(0.0, mp.NEURON_WINDOW, 11)
    trace = device.solve(jnp.asarray([0.8e10, 1.0e10]), ts, m0=m0, snapshots=ts)
    norms = np.linalg.norm(np.asarray(trace.snapshots), axis=-1)[:, :, record.mesh.mask]
    assert np.max(np.abs(norms - 1)) < 1e-6


@pytest.mark.slow
def test_small_cells_above_zero_kelvin_keep_their_directions_on_the_sphere():
    """On 4 nm cells at 300 K each Heun step's norm error is large; the directions move as if projected
    back after every step, so the average stays a mean of unit vectors and the state cannot run away."""
    record = grid_record(cell_size=4e-9, temperature=300.0)
    device = mp.make_device(record)  # above 0 K: the stochastic LLG, its step stable on the grid
    ts = np.linspace(0.0, mp.NEURON_WINDOW, device.solver.samples)
    trace = device.solve(jnp.float64(0.9e10), ts, key=jax.random.PRNGKey(0))
    average = np.linalg.norm(np.asarray(trace.m), axis=-1)
    assert np.all(average <= 1 + 1e-12) and average.min() > 0.9  # tilted by the noise, not torn apart
    ends = np.linalg.norm(np.asarray(trace.end), axis=-1)[record.mesh.mask]
    np.testing.assert_allclose(ends, 1.0, atol=1e-12)
    resistance = np.asarray(trace.point.resistance)
    assert np.all(np.isfinite(resistance)) and np.all((resistance > record["R_P"]) & (resistance < record["R_AP"]))


@pytest.mark.slow
def test_the_macrospin_limit():
    """A small particle with strong exchange moves as one: its transfer curve is the macrospin's with the
    same demagnetising factors (Aharoni's, the grid's average for the uniform state) within 0.5 ohm."""
    size, thickness = 20e-9, 1e-9
    grid = grid_record(geometry="rectangle", length=size, width=size, cell_size=5e-9, A=2e-10)
    macrospin = mp.Parameters({"demag_factors": mp.prism_demag_factors(size, size, thickness), "area": size * size})
    js = np.linspace(0.8e10, 1.0e10, 5)
    grid_curve, macrospin_curve = mp.neuron_output(grid, js).delta_r, mp.neuron_output(macrospin, js).delta_r
    np.testing.assert_allclose(grid_curve, macrospin_curve, atol=0.5)
    assert mp.equilibrium_resistance(grid) == pytest.approx(mp.equilibrium_resistance(macrospin), rel=1e-9)


@pytest.mark.slow
def test_a_batch_of_currents_is_each_current_alone():
    record = grid_record(cell_size=10e-9)
    together = mp.neuron_output(record, [0.8e10, 1.0e10]).delta_r
    alone = [float(mp.neuron_output(record, j).delta_r) for j in (0.8e10, 1.0e10)]
    np.testing.assert_allclose(together, alone, rtol=1e-6)


@pytest.mark.slow
def test_the_relaxed_disc_flowers_at_its_rim_through_the_thickness():
    """A perpendicular disc relaxed from m = z: in one layer the stray field's radial part cancels at the
    mid-plane, so the uniform state is the equilibrium; in two layers the rim tilts outward in one layer
    and inward in the other (the flower state), the centre stays put."""
    single = grid_record(cell_size=5e-9)
    model = mp.make_device(single).model
    relaxed = np.asarray(model.initial_state(single.arrays(), ()))
    assert np.abs(relaxed[single.mesh.mask][:, :2]).max() < 1e-12
    double = grid_record(cell_size=5e-9, thickness=2e-9, layers=2, Ku=3.5e5)
    model, params = mp.make_device(double).model, double.arrays()
    relaxed = np.asarray(model.initial_state(params, ()))
    torque = np.cross(relaxed, np.cross(relaxed, np.asarray(model.effective_field(jnp.asarray(relaxed), params))))
    assert np.abs(torque[double.mesh.mask]).max() < 1e-6
    x, y = double.mesh.centres()
    radial = (relaxed[..., 0] * x[:, None, None] + relaxed[..., 1] * y[None, :, None]) / np.maximum(
        np.hypot(x[:, None], y[None, :]), 1e-30)[..., None]
    rim = double.mesh.mask[:, :, 0] & (np.hypot(x[:, None], y[None, :]) > 44e-9)
    centre = np.hypot(x[:, None], y[None, :]) < 20e-9
    bottom, top = radial[..., 0], radial[..., 1]
    assert np.all(bottom[rim] * top[rim] < 0) and np.abs(bottom[rim]).mean() > 1e-4
    assert np.abs(radial[centre]).max() < 0.1 * np.abs(bottom[rim]).max()


@pytest.mark.slow
def test_a_relaxation_that_did_not_converge_is_refused_in_one_line(monkeypatch, tmp_path, capsys):
    """The relaxation reports the largest |m x (m x B_eff)| of the state it reached; cut short, it is refused,
    by the same line from inside the compiled solve at the command line."""
    from mtjphys.grid import _micromagnetic

    rectangle = {"geometry": "rectangle", "length": 15e-9, "width": 10e-9, "cell_size": 5e-9}
    record = grid_record(**rectangle, H_ext=(4e4, 1e4, 0.0))
    model, params = mp.make_device(record).model, record.arrays()
    state, residual, steps = model.relaxation(model.uniform(params["m0"]), params)
    torque = np.cross(state, np.cross(state, np.asarray(model.effective_field(state, params))))
    assert float(residual) == pytest.approx(np.linalg.norm(torque, axis=-1)[record.mesh.mask].max(), rel=1e-9)
    assert 0 < residual < _micromagnetic.RELAX_TORQUE and 0 < steps < _micromagnetic.RELAX_ITERATIONS
    monkeypatch.setattr(_micromagnetic, "RELAX_ITERATIONS", 3)
    refusal = r"did not converge: max \|m x \(m x B_eff\)\| = \de-\d\d T after 3 iterations \(needs < 1e-07 T\)"
    with pytest.raises(mp.MtjphysError, match=refusal) as eager:
        model.relax(model.uniform(params["m0"]), params)
    given = tmp_path / "tilted.json"
    given.write_text(json.dumps({"H_ext": [4e4, 1e4, 0.0]}))
    options = [f"--{key.replace('_', '-')}={value}" for key, value in rectangle.items()]
    with pytest.raises(SystemExit) as exit_info:
        run_command(cli, ["neuron", "-j", "0.9e10", "--model", "micromagnetic", *options, "--params", str(given),
                          "-o", str(tmp_path / "n.nc")], prog_name="mtjphys")
    estimate, refused = capsys.readouterr().err.splitlines(keepends=True)  # the cost said first, then the refusal
    assert exit_info.value.code == 2 and estimate.startswith("micromagnetic window: 6 cells")
    assert refused == f"mtjphys: error: {eager.value}\n"
    assert not (tmp_path / "n.nc").exists()


# ---- the neuron, its datasets and its command line ---------------------------------------------
@pytest.mark.slow
def test_a_micromagnetic_trace_holds_the_average_and_the_final_cells(tmp_path):
    record = grid_record(cell_size=10e-9)
    trace = mp.neuron_trace(record, 0.9e10)
    assert trace.m.dims == ("time", "component") and trace.m_final.dims == ("x", "y", "component")
    final = trace.m_final.values[record.mesh.mask[:, :, 0]]
    np.testing.assert_allclose(final.mean(axis=0), trace.m.values[-1], atol=1e-12)  # equal Ms: the mean
    assert np.isnan(trace.m_final.values[~record.mesh.mask[:, :, 0]]).all()
    assert float(trace.delta_r) == pytest.approx(float(mp.neuron_output(record, 0.9e10).delta_r), rel=1e-9)
    assert float(trace.area) == record["area"] and float(trace.area_error) == pytest.approx(record.mesh.area_error)
    layered = mp.neuron_trace(grid_record(cell_size=10e-9, thickness=2e-9, layers=2), 0.9e10)
    assert layered.m_final.dims == ("x", "y", "z", "component")
    mp.write_dataset(trace, tmp_path / "trace.nc")
    again = mp.open_dataset(tmp_path / "trace.nc")
    assert json.loads(again.attrs["parameters"])["cell_size"] == 10e-9 and again.attrs["model_name"] == \
        "micromagnetic_stt"
    assert mp.Parameters(json.loads(again.attrs["parameters"]), model=mp.micromagnetic_model()) == record


@pytest.mark.slow
def test_the_command_line_meshes_the_free_layer(tmp_path, capsys):
    out = tmp_path / "n.nc"
    with pytest.raises(SystemExit) as exit_info:
        run_command(cli, ["neuron", "-j", "0.9e10", "--model", "micromagnetic", "--cell-size", "10e-9",
                          "--geometry", "ellipse", "--width", "60e-9", "-o", str(out)], prog_name="mtjphys")
    assert exit_info.value.code == 0 and "cells of a 10 x 6 x 1 grid" in capsys.readouterr().out
    dataset = mp.open_dataset(out)
    record = json.loads(dataset.attrs["parameters"])
    assert record["geometry"] == "ellipse" and record["width"] == 60e-9 and "m_final" in dataset
    curve = tmp_path / "t.nc"
    with pytest.raises(SystemExit) as exit_info:
        run_command(cli, ["transfer", "--model", "micromagnetic", "--cell-size", "10e-9", "--points", "3",
                          "-o", str(curve)], prog_name="mtjphys")
    assert exit_info.value.code == 0 and mp.open_dataset(curve).delta_r.sizes["current_density"] == 3


@pytest.mark.parametrize(
    "args, message",
    [
        (["--model", "micromagnetic", "--cell-size", "2e-7"], "larger than the body"),
        (["--model", "micromagnetic", "--cell-size", "1e-12", "--allow-implausible"], "more than"),
        (["--cell-size", "5e-9"], "--cell-size applies to --model micromagnetic only"),
        (["--model", "micromagnetic", "--geometry", "disc", "--width", "5e-8"], "a disc has width = length"),
    ],
)
def test_a_mesh_the_command_line_cannot_make_writes_nothing(args, message, tmp_path, capsys):
    out = tmp_path / "n.nc"
    with pytest.raises(SystemExit) as exit_info:
        run_command(cli, ["neuron", "-j", "0.9e10", *args, "-o", str(out)], prog_name="mtjphys")
    error = capsys.readouterr().err
    assert exit_info.value.code == 2 and message in error and error.count("\n") == 1
    assert not out.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_micromagnetic_networks_run_on_the_grids_transfer_curve():
    record = grid_record(cell_size=10e-9)
    curve = mp.transfer_curve(record, np.linspace(0.8e10, 1.0e10, 5))
    architecture = mp.Architecture(n_mtj=10)
    network = mp.random_network(architecture, record, seed=0, mode="surrogate", transfer=curve)
    assert network.nonlinearity.delta_r_range == pytest.approx(tuple(curve.delta_r.values[[0, -1]]))
    j = jnp.asarray([0.85e10, 0.95e10])
    np.testing.assert_allclose(network.energy(j), np.interp(j, curve.current_density, curve.energy), rtol=1e-12)
    with pytest.raises(mp.MtjphysError, match="surrogate mode"):
        mp.random_network(architecture, record, seed=0, mode="device")


@pytest.mark.slow
def test_the_grid_above_zero_kelvin_draws_every_cells_noise_from_the_seed():
    record = grid_record(cell_size=10e-9, temperature=300.0)
    first, again = (mp.neuron_output(record, [0.9e10, 0.9e10], seed=3).delta_r for _ in range(2))
    other = mp.neuron_output(record, [0.9e10, 0.9e10], seed=4).delta_r
    np.testing.assert_array_equal(first, again)
    assert np.all(np.isfinite(first)) and first[0] != first[1] and not np.array_equal(first, other)
    cold = float(mp.neuron_output(record.replace(temperature=0.0), 0.9e10).delta_r)
    assert np.all(np.abs(first - cold) > 0.01 * cold)  # 300 K on a 100 nm disc: far from the 0 K ringing


def test_the_micromagnetic_study_reads_its_params_as_a_grid_record(tmp_path, capsys):
    study = importlib.import_module("mtjphys.studies.supp_micromagnetic")
    given = tmp_path / "grid.json"
    given.write_text(json.dumps({"alpha": 0.012, "cell_size": 5e-9, "geometry": "ellipse", "width": 60e-9}))
    record = params_option(mp.micromagnetic_model).callback(None, None, str(given))
    finer = study.grid_record(record, cell_size=4e-9)
    assert finer["alpha"] == 0.012 and finer["geometry"] == "ellipse" and finer.mesh.shape == (25, 15, 1)
    given.write_text(json.dumps({"cell_size": 2e-7}))
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exit_info:
        run_command(cli, ["study", "supp_micromagnetic", "--params", str(given), "-o", str(out)],
                    prog_name="mtjphys")
    error = capsys.readouterr().err
    assert exit_info.value.code != 0 and "larger than the body" in error and error.count("\n") == 1
    assert not out.exists()
