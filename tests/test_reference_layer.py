"""The fields of the stack on a micromagnetic free layer: the reference layer's stray field (the mutual
demagnetising tensor of its prisms and the free layer's cells) and the Oersted field of the current through
the pillar (each column of cells a wire). Both are off at the reference record, which then gives the neuron
it gave without them."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import mtjphys as mp
from mtjphys import models
from mtjphys.grid import demag_field, Mesh, meshed_model, newell_tensor, prism_tensor, wire_field

MODEL = mp.micromagnetic_model()
MU0 = MODEL.constants["mu0"]["value"]
MS_REF = 1.1e6  # [A/m], a CoFeB reference layer


def _fields(record, m, current_density=None):
    """Each nonlocal term's field [T] for the state m, with the cells' current density where given."""
    grid = meshed_model(record.model, record.mesh)
    cells, ms = grid.cell_parameters(record.arrays())
    if current_density is not None:
        cells["current_density"] = current_density
    return {name: np.asarray(field) for name, field in grid.nonlocal_fields(m, cells, ms).items()}


def _uniform(record, direction):
    return meshed_model(record.model, record.mesh).uniform(jnp.asarray(direction, dtype=jnp.float64))


# ---- the mutual demagnetising tensor -------------------------------------------------------------
def _dipole_quadrature(offset, target, source, nodes=12):
    """N between two separated prisms by Gauss-Legendre quadrature of the point-dipole kernel over both."""
    t, w = np.polynomial.legendre.leggauss(nodes)
    points = lambda h: np.stack(np.meshgrid(*(t * e / 2 for e in h), indexing="ij"), -1).reshape(-1, 3)
    weights = np.einsum("i,j,k->ijk", w / 2, w / 2, w / 2).reshape(-1)
    d = np.asarray(offset) + points(target)[:, None, :] - points(source)[None, :, :]
    r2 = np.sum(d * d, axis=-1)
    result = []
    for i, j in ((0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2)):
        kernel = -(3 * d[..., i] * d[..., j] - (r2 if i == j else 0.0)) * r2**-2.5 / (4 * math.pi)
        result.append(weights @ kernel @ weights * np.prod(source))
    return np.array(result)


def test_the_mutual_tensor_is_newells_for_equal_prisms_and_the_dipole_average_for_unequal_ones():
    rng = np.random.default_rng(0)
    cell = (2e-9, 3e-9, 1e-9)
    offsets = rng.normal(size=(20, 3)) * 5e-9
    np.testing.assert_allclose(prism_tensor(offsets, cell, cell), newell_tensor(offsets, cell), rtol=0, atol=1e-13)
    target, source = (2e-9, 2e-9, 1e-9), (2e-9, 2e-9, 3.3e-9)
    for offset in ([0.0, 0.0, 4e-9], [3e-9, 1e-9, 3e-9], [5e-9, -4e-9, 4.2e-9], [20e-9, 3e-9, 5e-9]):
        want = _dipole_quadrature(offset, target, source)
        np.testing.assert_allclose(prism_tensor(np.asarray(offset), target, source), want, rtol=0,
                                   atol=1e-7 * np.abs(want).max())


def test_the_reference_layer_is_a_layer_of_the_demagnetising_kernel():
    """Layers 0-1 of a five-layer disc magnetised, layer 2 empty: the field in layers 3-4 is the stray field of
    a reference layer two cells thick one cell below a free layer of two cells, to 1e-9 of its largest value
    (the demagnetising kernel takes the dipole average beyond 10 cells, the stray field Newell's f and g)."""
    dz = 1e-9
    stack = Mesh("disc", 100e-9, 100e-9, 5 * dz, 4e-9, 5)
    free = Mesh("disc", 100e-9, 100e-9, 2 * dz, 4e-9, 2, reference_thickness=2 * dz, reference_spacing=dz)
    body = free.mask
    for direction in ([0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.3, -0.5, 0.8]):
        magnetization = np.zeros(stack.shape + (3,))
        magnetization[:, :, :2] = np.where(stack.mask[:, :, :2, None], direction, 0.0)
        want = np.asarray(demag_field(jnp.asarray(magnetization), stack.kernel, stack.shape, MU0))[:, :, 3:]
        tensor = free.reference_tensor
        rows = ((0, 3, 4), (3, 1, 5), (4, 5, 2))
        got = -MU0 * np.stack([sum(tensor[k] * direction[c] for c, k in enumerate(row)) for row in rows], -1)
        scale = np.abs(want[body]).max()
        assert scale > 1e-8  # [T per A/m]
        np.testing.assert_allclose(got[body], want[body], rtol=0, atol=1e-9 * scale)
        assert np.all(got[~body] == 0)


# ---- the reference layer's stray field on the grid ---------------------------------------------
def _cylinder_axis_field(radius, thickness, spacing, low, high):
    """B_z [T] on the axis of a cylinder of radius R, thickness t, magnetised along its axis with MS_REF,
    (mu0 Ms / 2) [(d + t) / sqrt((d + t)^2 + R^2) - d / sqrt(d^2 + R^2)] at height d above its top, averaged over
    d in [spacing + low, spacing + high]."""
    primitive = lambda d: math.hypot(d + thickness, radius) - math.hypot(d, radius)
    return MU0 * MS_REF / 2 * (primitive(spacing + high) - primitive(spacing + low)) / (high - low)


@pytest.mark.parametrize("thickness, layers, reference_thickness", [(1e-9, 1, 1e-9), (2e-9, 2, 5e-9)])
def test_a_perpendicular_reference_layer_gives_the_cylinders_field_on_the_axis(thickness, layers, reference_thickness):
    """The 410 nm disc on 10 nm cells (a cell on the axis): the field at the axis is along the reference
    layer's magnetization and equals the cylinder's, averaged over each cell's height, within 0.5 % (the
    staircase; 0.1 % for the cylinder of the staircase's area)."""
    spacing = 1e-9
    record = mp.Parameters({"length": 410e-9, "width": 410e-9, "cell_size": 10e-9, "thickness": thickness,
                            "layers": layers, "reference_Ms": MS_REF, "fixed_layer": (0.0, 0.0, 1.0),
                            "reference_thickness": reference_thickness, "reference_spacing": spacing}, model=MODEL)
    field = _fields(record, _uniform(record, [0.0, 0.0, 1.0]))["reference_stray_field"]
    centre = record.mesh.shape[0] // 2
    area_radius = math.sqrt(record.mesh.area / math.pi)
    dz = thickness / layers
    for layer in range(layers):
        on_axis = field[centre, centre, layer]
        np.testing.assert_allclose(on_axis[:2], 0.0, atol=1e-12)
        exact = _cylinder_axis_field(205e-9, reference_thickness, spacing, layer * dz, (layer + 1) * dz)
        staircase = _cylinder_axis_field(area_radius, reference_thickness, spacing, layer * dz, (layer + 1) * dz)
        assert on_axis[2] == pytest.approx(exact, rel=5e-3)
        assert on_axis[2] == pytest.approx(staircase, rel=1e-3)


def test_an_in_plane_reference_layer_opposes_its_magnetization_and_peaks_at_the_rim():
    """The reference disc magnetised along +x: at the centre the field points along -x; it is strongest at the
    rim on the x axis, where the layer's magnetic charges sit; the operator's bound holds for any direction
    of the layer."""
    record = mp.Parameters({"cell_size": 4e-9, "reference_Ms": MS_REF}, model=MODEL)
    field = _fields(record, _uniform(record, [0.0, 0.0, 1.0]))["reference_stray_field"][:, :, 0]
    x, y = record.mesh.centres()
    near_centre = (np.abs(x[:, None]) < 3e-9) & (np.abs(y[None, :]) < 3e-9)
    assert np.all(field[near_centre][:, 0] < -1e-3)  # [T]
    assert np.all(np.abs(field[near_centre][:, 1:]) < 1e-2 * np.abs(field[near_centre][:, 0]).min())
    size = np.linalg.norm(field, axis=-1)
    i, j = np.unravel_index(np.argmax(size), size.shape)
    assert abs(x[i]) > 40e-9 and abs(y[j]) < 5e-9
    assert size.max() > 5 * np.abs(field[near_centre][:, 0]).max()
    bound = MODEL.grid_operators["reference_stray_field"].field_bound(record)
    for direction in ([1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.6, 0.0, 0.8], [0.3, 0.5, math.sqrt(0.66)]):
        other = record.replace(fixed_layer=tuple(direction))
        largest = np.linalg.norm(_fields(other, _uniform(other, [0.0, 0.0, 1.0]))["reference_stray_field"], axis=-1)
        assert largest.max() <= bound * (1 + 1e-12)
    assert bound < 1.5 * size.max()


def test_the_reference_layers_place_is_part_of_the_mesh():
    """Its thickness and spacing are grid keys: they make the mesh (two places, two meshes), and a record
    refuses a spacing below zero in one line."""
    record = mp.Parameters({"reference_thickness": 3e-9, "reference_spacing": 0.0}, model=MODEL)
    assert (record.mesh.reference_thickness, record.mesh.reference_spacing) == (3e-9, 0.0)
    assert record.mesh != mp.Parameters(model=MODEL).mesh
    assert record.mesh.grid_keys()["reference_thickness"] == 3e-9
    with pytest.raises(mp.MtjphysError, match="'reference_spacing' must be >= 0") as error:
        mp.Parameters({"reference_spacing": -1e-9}, model=MODEL)
    assert "\n" not in str(error.value)


def test_the_stray_field_shifts_the_relaxed_state_as_its_mean_applied_field():
    """A small disc held uniform by strong exchange (20 nm, A = 200 pJ/m) relaxes under the reference layer's
    stray field as under a uniform applied field equal to its mean over the cells (1e-4 of the tilt)."""
    record = mp.Parameters({"length": 20e-9, "width": 20e-9, "cell_size": 4e-9, "A": 2e-10, "reference_Ms": 3e5},
                           model=MODEL)
    grid = meshed_model(MODEL, record.mesh)
    start = _uniform(record, [0.0, 0.0, 1.0])
    mean = _fields(record, start)["reference_stray_field"][record.mesh.mask].mean(axis=0)
    assert mean[0] < -5e-3 and np.all(np.abs(mean[1:]) < 1e-12)  # [T], against the layer's +x
    uniform = record.replace(reference_Ms=0.0, H_ext=tuple(mean / MU0))
    tilted = np.asarray(grid.average(grid.relax(start, record.arrays())))
    applied = np.asarray(grid.average(grid.relax(start, uniform.arrays())))
    assert tilted[0] < -0.03
    np.testing.assert_allclose(tilted, applied, rtol=0, atol=1e-4 * abs(tilted[0]))


# ---- the Oersted field ---------------------------------------------------------------------------
def test_a_wire_far_away_is_a_line_current():
    """At 500 cells the rectangle's field is mu0 I / (2 pi r) with its quadrupole correction, to 1e-9."""
    cell = (2e-9, 3e-9)
    current = cell[0] * cell[1]  # [A] per A/m^2
    for point in ([1e-6, 0.0], [0.0, 1.5e-6], [0.6e-6, 0.8e-6]):
        z = complex(*point)
        # B_y + i B_x of a uniform rectangle: I / (2 pi) (1 / z + (dx^2 - dy^2) / (12 z^3))
        potential = current / (2 * math.pi) * (1 / z + (cell[0] ** 2 - cell[1] ** 2) / (12 * z**3))
        np.testing.assert_allclose(wire_field(np.asarray(point), cell), [potential.imag, potential.real],
                                   rtol=1e-9)


def test_a_uniform_current_in_a_disc_gives_amperes_field():
    """j uniform over the 100 nm disc on 2 nm cells: the field is azimuthal, clockwise seen from above (the
    current flows along -z), of size mu0 j r / 2 within 2e-5 of its rim value inside r < R/2 and 1e-3 inside
    0.9 R; linear in j and in the factor oersted_field; and none without a current."""
    j = 1e10
    record = mp.Parameters({"oersted_field": 1.0}, model=MODEL)
    m = _uniform(record, [0.0, 0.0, 1.0])
    field = _fields(record, m, jnp.full((1, 1, 1), j))["oersted"][:, :, 0]
    x, y = record.mesh.centres()
    x, y = np.meshgrid(x, y, indexing="ij")
    radius = np.hypot(x, y)
    ampere = MU0 * j / 2 * np.stack([y, -x], axis=-1)
    rim = MU0 * j * 50e-9 / 2
    body = record.mesh.mask[:, :, 0]
    error = np.linalg.norm(field[..., :2] - ampere, axis=-1)
    assert error[body & (radius < 25e-9)].max() < 2e-5 * rim
    assert error[body & (radius < 45e-9)].max() < 1e-3 * rim
    np.testing.assert_array_equal(field[..., 2], 0.0)
    np.testing.assert_array_equal(field[~body], 0.0)
    doubled = _fields(record.replace(oersted_field=2.0), m, jnp.full((1, 1, 1), -3 * j))["oersted"][:, :, 0]
    np.testing.assert_allclose(doubled, -6 * field, rtol=1e-12, atol=1e-12 * rim)
    assert np.all(_fields(record, m)["oersted"] == 0)  # the relaxation and the energy: no current


def test_the_oersted_factor_has_a_derivative_where_it_is_off():
    """Switched off, the field costs no transform, yet its derivative in the factor is the field itself."""
    record = mp.Parameters({"cell_size": 10e-9}, model=MODEL)
    grid = meshed_model(MODEL, record.mesh)
    m = _uniform(record, [0.0, 0.0, 1.0])
    weights = jnp.asarray(np.random.default_rng(1).normal(size=grid.state_shape))

    def projected(factor):
        params = {**record.arrays(), "oersted_field": factor}
        cells, ms = grid.cell_parameters(params)
        cells["current_density"] = jnp.full((1, 1, 1), 1e10)
        return jnp.sum(grid.nonlocal_fields(m, cells, ms)["oersted"] * weights)

    assert float(projected(0.0)) == 0.0
    assert float(jax.grad(projected)(0.0)) == pytest.approx(float(projected(1.0)), rel=1e-12)
    assert abs(float(projected(1.0))) > 1e-5


def test_the_equation_of_motion_feels_the_oersted_field_of_each_columns_current():
    """On a non-uniform state the columns carry different current densities (their conductances); the
    factor 1 adds to dm/dt exactly the precession and damping of the Oersted field of those currents,
    -gamma / (1 + alpha^2) (m x B + alpha m x (m x B)), the LLG being affine in the field."""
    record = mp.Parameters({"cell_size": 10e-9, "oersted_field": 1.0}, model=MODEL)
    grid = meshed_model(MODEL, record.mesh)
    x, _ = record.mesh.centres()
    angle = np.pi / 2 * (0.5 + x / 100e-9)[:, None, None]  # from 0.05 pi to 0.95 pi toward +x across the disc
    m = np.broadcast_to(np.stack([np.sin(angle), 0 * angle, np.cos(angle)], -1), grid.state_shape)
    m = jnp.asarray(m)
    j, voltage = 1e10, 0.8
    rate = lambda factor: grid.landau_lifshitz(m, j, voltage, {**record.arrays(), "oersted_field": factor})
    currents = grid.cell_current_density(m, j, voltage, record.arrays())
    assert float(jnp.ptp(currents[..., 0][record.mesh.mask[:, :, 0]])) > 0.1 * j
    field = jnp.asarray(_fields(record, m, currents)["oersted"])
    gamma, alpha = record["gamma"], record["alpha"]
    want = -gamma / (1 + alpha**2) * (jnp.cross(m, field) + alpha * jnp.cross(m, jnp.cross(m, field)))
    want = jnp.where(record.mesh.mask[..., None], want, 0.0)
    np.testing.assert_allclose(rate(1.0) - rate(0.0), want, rtol=0, atol=1e-6 * float(jnp.abs(want).max()))
    assert float(jnp.abs(want).max()) > 1e6  # [1/s]


# ---- the reference record ------------------------------------------------------------------------
@pytest.mark.slow
def test_the_reference_record_gives_the_neuron_it_gave_without_the_stacks_fields():
    """reference_Ms = 0 and oersted_field = 0: dR of the grid neuron (the 100 nm disc on 20 nm cells) is that of
    the model without the two terms; switched on, the fields move it."""
    without = mp.compile_model(models.micromagnetic_stt().without("reference_stray_field", "oersted",
                                                                  name="micromagnetic_without_stack_fields"))
    currents = np.array([0.8e10, 1.0e10])[:, None]
    records = [mp.Parameters({"cell_size": 20e-9}, model=model) for model in (MODEL, without)]
    shipped, plain = (np.asarray(mp.neuron_output([r], currents).delta_r) for r in records)
    np.testing.assert_allclose(shipped, plain, rtol=1e-12)
    on = records[0].replace(reference_Ms=MS_REF, oersted_field=1.0)
    assert np.all(np.abs(np.asarray(mp.neuron_output([on], currents).delta_r) - shipped) > 1.0)


@pytest.mark.slow
def test_the_solve_is_differentiated_by_the_stacks_keys_where_they_are_off_or_on():
    """d R(t) / d oersted_field at 0 (no transform in the solve, yet a derivative) and d R(t) / d reference_Ms,
    forward and reverse through the solve, equal central differences of the solve (the disc on 20 nm cells,
    its symmetry broken by the reference layer's in-plane field, so that the Oersted field moves R)."""
    import equinox as eqx

    from .test_gradients import _differences, _relative_error, _trace_function, J, TIMES

    record = mp.Parameters({"cell_size": 20e-9, "reference_Ms": 3e5}, model=MODEL)
    settings = eqx.tree_at(lambda s: (s.rtol, s.atol, s.progress), mp.make_device(record).solver,
                           (1e-10, 1e-12, False))
    names = ["oersted_field", "reference_Ms"]
    sensitivity = {mode: mp.trace_sensitivity(record, J, TIMES, wrt=names, settings=settings, mode=mode).sensitivity
                   for mode in ("forward", "reverse")}
    resistance = _trace_function(record, settings)
    for name in names:
        finite = _differences(resistance, record.arrays(), name, None)
        assert np.abs(finite).max() * (record[name] or 1.0) > 0.01  # [ohm]: the key moves R
        for mode in ("forward", "reverse"):
            assert _relative_error(sensitivity[mode].sel(parameter=name).values, finite) < 1e-4, (name, mode)
