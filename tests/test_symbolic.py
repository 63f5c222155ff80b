"""Symbolic identities of the models (sympy, exact)."""

import random

import pytest
import sympy as sp
from mtjphys.models import MAGNETIZATION as m

from mtjphys import models


@pytest.fixture(scope="module")
def model():
    return models.macrospin_stt()


def _on_sphere(expr):
    """Substitute m_z = sqrt(1 - m_x^2 - m_y^2) (upper hemisphere) and simplify."""
    mz = sp.sqrt(1 - m[0] ** 2 - m[1] ** 2)
    return sp.simplify(sp.sympify(expr).xreplace({m[2]: mz}))


def test_generic_solution_is_perpendicular_to_m():
    dm_dt, mm, _alpha, _x = models.gilbert_solution()
    assert sp.simplify(mm.dot(dm_dt)) == 0


def test_generic_solution_is_the_landau_lifshitz_form_on_the_sphere():
    dm_dt, mm, alpha, x = models.gilbert_solution()
    textbook = (mm.cross(x) + alpha * mm.cross(mm.cross(x))) / (1 + alpha**2)
    for component in dm_dt - textbook:
        assert _on_sphere(component) == 0


def test_landau_lifshitz_conserves_the_norm(model):
    ll = model.landau_lifshitz
    assert sp.cancel(sp.together(m.dot(ll))) == 0


def test_landau_lifshitz_solves_the_gilbert_form(model):
    residual = model.gilbert_residual(model.landau_lifshitz)
    for component in residual:
        assert sp.cancel(sp.together(component)) == 0


def _random_point(symbols, seed):
    rng = random.Random(seed)
    return {s: sp.Rational(rng.randint(1, 97), rng.randint(1, 97)) for s in symbols}


def test_slonczewski_term_matches_mumax3_after_issue_99(model):
    """MuMax3's explicit STT: gamma b_J/(1+alpha^2) [(eps + alpha eps') m x (p x m) + (eps' - alpha eps) p x m].
    (MuMax3 before its issue #99 had eps - alpha eps' in the first coefficient.)"""
    s = model.symbols
    spin_only = model.without("zeeman", "uniaxial_anisotropy", "demagnetization", "vcma", "interlayer_coupling",
                              "damping_like_asymmetry", "field_like_quadratic")
    p = s["fixed_layer"]
    lam2 = s["Lambda"] ** 2
    eps = s["polarization"] * lam2 / ((lam2 + 1) + (lam2 - 1) * m.dot(p))
    b_j = models.spin_torque_field(s)
    alpha, eps_p = s["alpha"], s["epsilon_prime"]
    mumax = s["gamma"] * b_j / (1 + alpha**2) * (
        (eps + alpha * eps_p) * m.cross(p.cross(m)) + (eps_p - alpha * eps) * p.cross(m)
    )
    old_mumax = s["gamma"] * b_j / (1 + alpha**2) * (
        (eps - alpha * eps_p) * m.cross(p.cross(m)) + (eps_p - alpha * eps) * p.cross(m)
    )
    difference = spin_only.landau_lifshitz - mumax
    old_difference = spin_only.landau_lifshitz - old_mumax
    free = set().union(*(c.free_symbols for c in difference)) - set(m)
    constants = {c.symbol: sp.Rational(c.value) for c in models.CONSTANTS}
    for seed in range(3):
        point = _random_point(free, seed)
        point.update(constants)
        # a point on the unit sphere with rational coordinates
        point.update({m[0]: sp.Rational(2, 7), m[1]: sp.Rational(3, 7), m[2]: sp.Rational(6, 7)})
        assert all(c.xreplace(point) == 0 for c in difference)
        if point[eps_p] != 0 and point[alpha] != 0:
            assert any(c.xreplace(point) != 0 for c in old_difference)


def test_small_angle_precession_is_kittel(model):
    """Linearised about m = z with the field, the easy axis and the reference layer along z, alpha = 0, j = 0
    at a bias V: omega^2 = gamma^2 (B + Bk + mu0 Ms (Nx - Nz)) (B + Bk + mu0 Ms (Ny - Nz)), where VCMA lowers
    the anisotropy field to Bk = 2 (Ku - xi V / (t_b d)) / Ms and the interlayer coupling and the field-like
    torque in V^2 add to the applied field: B = B0 + J_iec / (Ms d) + b_FL V^2."""
    s = model.symbols
    b0 = sp.Symbol("B0", positive=True)
    mu0 = next(c.symbol for c in models.CONSTANTS if c.name == "mu0")
    nx, ny, nz = s["demag_factors"]
    values = {
        s["alpha"]: 0, s["current_density"]: 0,
        **dict(zip(s["easy_axis"], (0, 0, 1))),
        **dict(zip(s["fixed_layer"], (0, 0, 1))),
        **dict(zip(s["H_ext"], (0, 0, b0 / mu0))),
    }
    ll = model.landau_lifshitz.xreplace(values)
    mz = sp.sqrt(1 - m[0] ** 2 - m[1] ** 2)
    in_plane = sp.Matrix([ll[0], ll[1]]).xreplace({m[2]: mz})
    jacobian = in_plane.jacobian([m[0], m[1]]).xreplace({m[0]: 0, m[1]: 0})
    assert sp.simplify(jacobian.trace()) == 0  # no damping: purely imaginary eigenvalues
    omega_squared = sp.simplify(jacobian.det())
    voltage = models.BIAS_VOLTAGE
    ku = s["Ku"] - s["vcma_coefficient"] * voltage / (s["barrier_thickness"] * s["thickness"])
    bk = 2 * ku / s["Ms"]
    b = b0 + s["interlayer_coupling"] / (s["Ms"] * s["thickness"]) + s["field_like_quadratic"] * voltage**2
    kittel = s["gamma"] ** 2 * (b + bk + mu0 * s["Ms"] * (nx - nz)) * (b + bk + mu0 * s["Ms"] * (ny - nz))
    assert sp.simplify(omega_squared - kittel) == 0


def test_energy_decreases_with_damping_and_no_current(model):
    """dE/dt = grad E . dm/dt = -alpha gamma Ms |m x B|^2 / (1 + alpha^2 |m|^2) <= 0 at j = 0 (and so no bias)."""
    s = model.symbols
    at_rest = {s["current_density"]: 0, models.BIAS_VOLTAGE: 0}
    energy = model.energy_density().xreplace(at_rest)
    ll = model.landau_lifshitz.xreplace(at_rest)
    rate = sum(sp.diff(energy, mi) * ll[i] for i, mi in enumerate(m))
    field = model.effective_field().xreplace(at_rest)
    expected = -s["alpha"] * s["gamma"] * s["Ms"] * m.cross(field).dot(m.cross(field)) / (
        1 + s["alpha"] ** 2 * m.dot(m))
    assert sp.cancel(sp.together(rate - expected)) == 0


def test_thermal_diffusion_keeps_the_noise_perpendicular_to_m(model):
    g = model.thermal_diffusion
    assert all(sp.cancel(sp.together(c)) == 0 for c in m.T * g)


def test_a_variant_in_a_few_lines(model):
    variant = model.with_terms(models.FieldLikeTorque(), models.CubicAnisotropy(), name="variant")
    names = [p.name for p in variant.parameters]
    assert "beta" in names and "Kc" in names
    s = variant.symbols
    # with beta = Kc = 0 the variant is the default model
    reduced = variant.landau_lifshitz.xreplace({s["beta"]: 0, s["Kc"]: 0})
    assert all(sp.cancel(sp.together(c)) == 0 for c in reduced - model.landau_lifshitz)
    # the cubic anisotropy field is -(2 Kc / Ms) m_x (m_y^2 + m_z^2) along x
    cubic_only = variant.without("zeeman", "uniaxial_anisotropy", "demagnetization", "vcma", "interlayer_coupling")
    expected_x = -2 * s["Kc"] / s["Ms"] * m[0] * (m[1] ** 2 + m[2] ** 2)
    assert sp.simplify(cubic_only.effective_field()[0] - expected_x) == 0
    # dropping a term drops its parameters, and the model hash changes
    no_demag = model.without("demagnetization", name="no_demag")
    assert "demag_factors" not in [p.name for p in no_demag.parameters]
    assert no_demag.digest != model.digest


def test_composition_errors(model):
    with pytest.raises(ValueError, match="already has a term"):
        model.with_terms(models.Zeeman())
    with pytest.raises(ValueError, match="no terms"):
        model.without("nonexistent")


# ---- the micromagnetic model -----------------------------------------------------------------
@pytest.fixture(scope="module")
def grid_model():
    return models.micromagnetic_stt()


def test_exchange_field_is_the_variational_derivative_of_a_grad_m_squared(grid_model):
    """B = -(1/Ms) dE/dm of E = A |grad m|^2 is (2 A / Ms) laplacian(m)."""
    s = grid_model.symbols
    field = models.Exchange().continuum_field(s)
    x = models.POSITION
    for component, expression in zip("xyz", field):
        mi = sp.Function(f"m_{component}", real=True)(*x)
        laplacian = sum(sp.diff(mi, xk, 2) for xk in x)
        assert sp.simplify(expression - 2 * s["A"] / s["Ms"] * laplacian) == 0


def test_a_cell_obeys_the_gilbert_form_in_its_nonlocal_field(grid_model):
    """The cell's dm/dt is the macrospin's Gilbert solve with b_nl added to B_eff: perpendicular to m,
    and equal to the macrospin of the same local terms at b_nl = 0."""
    ll = grid_model.landau_lifshitz
    assert sp.cancel(sp.together(m.dot(ll))) == 0
    assert models.NONLOCAL_FIELD[0] in ll[1].free_symbols
    local = grid_model.local
    at_zero = ll.xreplace(dict.fromkeys(models.NONLOCAL_FIELD, 0))
    assert all(sp.cancel(sp.together(c)) == 0 for c in at_zero - local.landau_lifshitz)
    # b_nl enters exactly as a field: adding it to an applied field mu0 H_ext gives the same dm/dt
    s = grid_model.symbols
    mu0 = next(c.symbol for c in models.CONSTANTS if c.name == "mu0")
    b = sp.symbols("b1:4", real=True)
    shifted = at_zero.xreplace({h: h + bi / mu0 for h, bi in zip(s["H_ext"], b)})
    direct = ll.xreplace(dict(zip(models.NONLOCAL_FIELD, b)))
    assert all(sp.cancel(sp.together(c)) == 0 for c in shifted - direct)


def test_the_cells_local_terms_are_the_macrospins(grid_model):
    """Zeeman, uniaxial and cubic anisotropy, Slonczewski and field-like torques: the macrospin's own terms,
    without its diagonal demagnetisation (the grid's replaces it)."""
    macrospin = models.macrospin_stt().with_terms(models.FieldLikeTorque(), models.CubicAnisotropy())
    macrospin = macrospin.without("demagnetization")
    difference = grid_model.local.landau_lifshitz - macrospin.landau_lifshitz
    assert all(sp.cancel(sp.together(c)) == 0 for c in difference)
    nonlocal_keys = {"A", "reference_Ms", "oersted_field"}  # exchange, the stack's fields
    assert {p.name for p in grid_model.parameters} == {p.name for p in macrospin.parameters} - {"area"} | nonlocal_keys


def test_a_cells_energy_is_its_local_terms_and_each_nonlocal_term_names_its_operator(grid_model):
    """The nonlocal energies are the grid operators' (quadratic or linear in m, as each term's physics says),
    so the cell's symbolic energy holds the local terms only, and every nonlocal term names its operator."""
    assert sp.simplify(grid_model.energy_density() - grid_model.local.energy_density()) == 0
    assert not set(models.NONLOCAL_FIELD) & grid_model.energy_density().free_symbols
    assert [t.operator for t in grid_model.nonlocal_terms] == ["mtjphys.grid:ExchangeOperator",
                                                               "mtjphys.grid:MagnetostaticOperator",
                                                               "mtjphys.grid:ReferenceStrayFieldOperator",
                                                               "mtjphys.grid:OerstedOperator"]


def test_the_cells_thermal_field_is_browns_of_the_cell_volume(grid_model):
    macrospin = models.macrospin_stt()
    s = macrospin.symbols
    volume_per_area = {s["area"]: models.CELL_VOLUME / s["thickness"]}
    difference = grid_model.thermal_diffusion - macrospin.thermal_diffusion.xreplace(volume_per_area)
    assert all(sp.simplify(c) == 0 for c in difference)


def test_micromagnetic_composition(grid_model):
    without_demag = grid_model.without("magnetostatic", name="exchange_only")
    assert [t.name for t in without_demag.nonlocal_terms] == ["exchange", "reference_stray_field", "oersted"]
    assert without_demag.digest != grid_model.digest
    rebound = models.MicromagneticModel(grid_model.name, grid_model.local,
                                        (models.Exchange(operator="elsewhere:Exchange"), models.Magnetostatic()))
    assert rebound.digest != grid_model.digest  # the operator is part of the model
    with pytest.raises(ValueError, match="already has a term"):
        grid_model.with_terms(models.Exchange())
    with pytest.raises(ValueError, match="grid's"):
        models.MicromagneticModel("bad", models.macrospin_stt().without("thermal"))
