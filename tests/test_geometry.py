"""Demagnetising factors from the free-layer geometry: limits, classic formulae, independent numerics."""

import math
import warnings

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy import integrate, special

import mtjphys as mp
from mtjphys.device._geometry import (
    _carlson_rd,
    _prism_factor,
    ellipsoid_demag_factors,
    elliptic_cylinder_demag_factors,
    free_layer_geometry,
    prism_demag_factors,
)

NM = 1e-9
FACTOR_FUNCTIONS = [prism_demag_factors, ellipsoid_demag_factors, elliptic_cylinder_demag_factors]

# Sizes drawn over six decades of aspect ratio, in SI lengths.
sizes = st.floats(min_value=-3.0, max_value=3.0).map(lambda e: 10.0**e * NM)


def assert_valid(factors):
    assert len(factors) == 3 and all(isinstance(f, float) for f in factors)
    assert all(0.0 <= f <= 1.0 for f in factors)
    assert abs(math.fsum(factors) - 1.0) <= 1e-12


# ---- isotropic bodies -------------------------------------------------------------------------

@pytest.mark.parametrize("function", [ellipsoid_demag_factors, prism_demag_factors])
@pytest.mark.parametrize("size", [1.0, 50 * NM])
def test_sphere_and_cube_have_one_third_along_every_axis(function, size):
    assert function(size, size, size) == pytest.approx((1 / 3,) * 3, abs=1e-15)


# ---- thin films: Nz -> 1 ----------------------------------------------------------------------

@pytest.mark.parametrize("ratio", [1e-3, 1e-4])
def test_thin_square_prism_approaches_its_leading_order_asymptote(ratio):
    side = 100 * NM
    nx, ny, nz = prism_demag_factors(side, side, ratio * side)
    assert nz > 0.995 and nx == pytest.approx(ny, rel=1e-14, abs=0)
    # t -> 0 expansion of Aharoni's eq. (1) for a square plate of side L:
    # 1 - Nz = 2 t / (pi L) [ln(L / t) + sqrt(2) - 1/2 - ln((1 + sqrt(2)) / 2)] + O(t^2 / L^2).
    constant = math.sqrt(2) - 0.5 - math.log((1 + math.sqrt(2)) / 2)
    asymptote = 2 * ratio / math.pi * (math.log(1 / ratio) + constant)
    assert 1 - nz == pytest.approx(asymptote, rel=0.1 * ratio, abs=0)


@pytest.mark.parametrize("ratio", [1e-3, 1e-4])
def test_thin_disk_approaches_its_leading_order_asymptote(ratio):
    diameter = 100 * NM
    nx, ny, nz = elliptic_cylinder_demag_factors(diameter, diameter, ratio * diameter)
    assert nz > 0.995 and nx == ny
    # Disk of radius R, thickness t: 1 - Nz = t / (pi R) [ln(8 R / t) - 1/2] + O(t^2 / R^2).
    radius, thickness = diameter / 2, ratio * diameter
    asymptote = thickness / (math.pi * radius) * (math.log(8 * radius / thickness) - 0.5)
    assert 1 - nz == pytest.approx(asymptote, rel=10 * ratio, abs=0)


@pytest.mark.parametrize("ratio", [1e-3, 1e-4])
def test_thin_oblate_ellipsoid_approaches_its_leading_order_asymptote(ratio):
    nx, ny, nz = ellipsoid_demag_factors(1.0, 1.0, ratio)
    assert nz > 0.995 and nx == pytest.approx(ny, rel=1e-14, abs=0)
    # Oblate spheroid, c << a: 1 - Nz = (pi / 2) c / a + O((c / a)^2).
    assert 1 - nz == pytest.approx(math.pi / 2 * ratio, rel=2 * ratio, abs=0)


def test_thin_elliptic_film_has_its_largest_in_plane_factor_across_the_long_axis():
    nx, ny, nz = elliptic_cylinder_demag_factors(150 * NM, 50 * NM, 0.1 * NM)
    assert nz > 0.99 and 0 < nx < ny < 1 - nz


# ---- long bodies along z: Nz -> 0, Nx = Ny -> 1/2 ---------------------------------------------

@pytest.mark.parametrize("ratio", [1e2, 1e3])
def test_long_bodies_along_z_approach_the_needle_limit(ratio):
    square = prism_demag_factors(1.0, 1.0, ratio)
    prolate = ellipsoid_demag_factors(1.0, 1.0, ratio)
    cylinder = elliptic_cylinder_demag_factors(1.0, 1.0, ratio)
    for nx, ny, nz in (square, prolate, cylinder):
        assert nx == pytest.approx(ny, rel=1e-14, abs=0)
        assert nz < 5 / ratio
        assert nx == pytest.approx(0.5, abs=2.5 / ratio)
    # Prolate spheroid, c >> a: Nz = (a/c)^2 [ln(2 c / a) - 1] + O((a/c)^4 ln).
    assert prolate[2] == pytest.approx((math.log(2 * ratio) - 1) / ratio**2, rel=10 / ratio**2, abs=0)
    # Circular cylinder, thickness / diameter = tau >> 1: Nz = 4 / (3 pi tau) + O(1 / tau^2).
    assert cylinder[2] == pytest.approx(4 / (3 * math.pi * ratio), rel=0.5 / ratio, abs=0)


# ---- ellipsoid: classic spheroid formulae and scipy's R_D -------------------------------------

@pytest.mark.parametrize("aspect", [1.1, 1.5, 2.0, 5.0, 30.0])
def test_prolate_spheroid_matches_the_classic_closed_form(aspect):
    e = math.sqrt(1 - 1 / aspect**2)
    nz = (1 - e * e) / e**3 * (math.atanh(e) - e)
    assert ellipsoid_demag_factors(1.0, 1.0, aspect) == pytest.approx(((1 - nz) / 2, (1 - nz) / 2, nz),
                                                                       rel=1e-13, abs=0)


@pytest.mark.parametrize("aspect", [1.1, 1.5, 2.0, 5.0, 30.0])
def test_oblate_spheroid_matches_the_classic_closed_form(aspect):
    e = math.sqrt(1 - 1 / aspect**2)
    nz = (1 - math.sqrt(1 - e * e) * math.asin(e) / e) / (e * e)
    assert ellipsoid_demag_factors(aspect, aspect, 1.0) == pytest.approx(((1 - nz) / 2, (1 - nz) / 2, nz),
                                                                         rel=1e-13, abs=0)


def test_ellipsoid_matches_scipy_elliprd_at_random_semi_axes():
    rng = np.random.default_rng(20240607)
    for a, b, c in 10.0 ** rng.uniform(-3, 3, size=(200, 3)) * NM:
        cyclic = ((a, b, c), (b, c, a), (c, a, b))
        expected = [a * b * c / 3 * special.elliprd(y * y, z * z, x * x) for x, y, z in cyclic]
        assert ellipsoid_demag_factors(a, b, c) == pytest.approx(expected, rel=1e-13, abs=1e-300)


def test_carlson_rd_matches_scipy():
    rng = np.random.default_rng(7)
    x, y, z = 10.0 ** rng.uniform(-12, 4, size=(3, 500))
    np.testing.assert_allclose(_carlson_rd(x, y, z), special.elliprd(x, y, z), rtol=2e-15)
    np.testing.assert_allclose(_carlson_rd(0.0, y, z), special.elliprd(0.0, y, z), rtol=2e-15)
    # Arguments this close need no duplication step: the value is the Taylor series alone.
    x, y, z = 1 + rng.uniform(-7e-4, 7e-4, size=(3, 500))
    np.testing.assert_allclose(_carlson_rd(x, y, z), special.elliprd(x, y, z), rtol=2e-15)


# ---- symmetry, range and sum ------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(a=sizes, b=sizes, c=sizes)
def test_permuting_the_axes_permutes_the_factors(a, b, c):
    for function in (prism_demag_factors, ellipsoid_demag_factors):
        n = function(a, b, c)
        assert_valid(n)
        for order in [(1, 0, 2), (0, 2, 1), (2, 1, 0), (1, 2, 0), (2, 0, 1)]:
            permuted = function(*[(a, b, c)[i] for i in order])
            assert permuted == pytest.approx([n[i] for i in order], rel=1e-12, abs=1e-15)
    cylinder = elliptic_cylinder_demag_factors(a, b, c)
    assert_valid(cylinder)
    assert elliptic_cylinder_demag_factors(b, a, c) == pytest.approx((cylinder[1], cylinder[0], cylinder[2]),
                                                                     rel=1e-12, abs=1e-15)


@settings(max_examples=60, deadline=None)
@given(a=sizes, b=sizes, c=sizes)
def test_the_formulae_themselves_sum_to_one(a, b, c):
    # Before the results are divided by their sum.
    a, b, c = (v / max(a, b, c) for v in (a, b, c))
    assert abs(_prism_factor(b, c, a) + _prism_factor(c, a, b) + _prism_factor(a, b, c) - 1) <= 1e-13
    rd = _carlson_rd(np.array([b * b, c * c, a * a]), np.array([c * c, a * a, b * b]), np.array([a * a, b * b, c * c]))
    assert abs(a * b * c / 3 * rd.sum() - 1) <= 1e-13


# ---- prism: independent real-space integration ------------------------------------------------

def prism_nz_by_integration(a, b, c):
    """Nz of an a x b x c prism from the interaction of its two charged faces (z = 0 and z = c).

    Nz = [I(0) - I(c)] / (2 pi V) with I(h) the Coulomb integral of two a x b rectangles a height h
    apart; I(h) = 4 int_0^a int_0^b (a - u)(b - v) / sqrt(u^2 + v^2 + h^2) du dv, done in polar
    coordinates so that the 1/rho singularity disappears.
    """
    def integrand(rho, phi):
        return (a - rho * math.cos(phi)) * (b - rho * math.sin(phi)) * (1 - rho / math.hypot(rho, c))

    corner = math.atan2(b, a)
    options = dict(epsabs=1e-14, epsrel=1e-13)
    below = integrate.dblquad(integrand, 0, corner, 0, lambda phi: a / math.cos(phi), **options)[0]
    above = integrate.dblquad(integrand, corner, math.pi / 2, 0, lambda phi: b / math.sin(phi), **options)[0]
    return 2 * (below + above) / (math.pi * a * b * c)


@pytest.mark.parametrize("a, b, c", [(1.0, 2.0, 3.0), (2.0, 1.0, 0.1), (1.0, 1.0, 0.01), (1.0, 0.3, 5.0),
                                     (150.0, 50.0, 1.0)])
def test_prism_matches_real_space_integration(a, b, c):
    n = prism_demag_factors(a, b, c)
    assert n[2] == pytest.approx(prism_nz_by_integration(a, b, c), abs=1e-12)
    assert n[0] == pytest.approx(prism_nz_by_integration(b, c, a), abs=1e-12)


# ---- cylinder: independent real-space integration and Beleggia et al.'s integral --------------

def disk_nz_by_integration(radius, thickness):
    """Nz of a circular cylinder from its two charged faces, through the overlap area of two disks.

    Nz = [I(0) - I(t)] / (2 pi V), and I(h) = int_0^2R A(s) 2 pi s / sqrt(s^2 + h^2) ds with A(s) the
    overlap area of two disks of radius R whose centres are s apart.
    """
    def integrand(s):
        overlap = 2 * radius**2 * math.acos(s / (2 * radius)) - 0.5 * s * math.sqrt(4 * radius**2 - s * s)
        return overlap * (1 - s / math.hypot(s, thickness))

    value = integrate.quad(integrand, 0, 2 * radius, points=[min(thickness, radius)], epsabs=1e-15,
                           epsrel=1e-13, limit=200)[0]
    return value / (math.pi * radius**2 * thickness)


@pytest.mark.parametrize("thickness_over_radius", [0.002, 0.02, 0.2, 1.0, 2.0, 20.0])
def test_circular_cylinder_matches_real_space_integration(thickness_over_radius):
    nx, ny, nz = elliptic_cylinder_demag_factors(2.0, 2.0, thickness_over_radius)
    assert nz == pytest.approx(disk_nz_by_integration(1.0, thickness_over_radius), abs=1e-13)
    assert nx == ny == pytest.approx((1 - nz) / 2, abs=2e-16)  # rounding of 1 - nz


def beleggia_elliptic_cylinder(length, width, thickness):
    """Beleggia, De Graef, Millev, Goode & Rowlands, J. Phys. D 38, 3333 (2005), as a 1-D integral.

    Semi-axes a >= b, half-thickness d; beta = b/a, eps^2 = 1 - beta^2, xi = d/b,
    g(phi) = sqrt(1 - eps^2 cos^2 phi), F(phi) = 2F1(-1/2, 1/2; 2; -1 / (xi g)^2):
    Nz = 1 + 8 K(eps^2) / (3 pi^2 xi) - (2/pi) int_0^(pi/2) F dphi,
    Nx = 8 (beta^2 K - E) / (3 pi^2 xi eps^2) + (2 beta^2 / pi) int_0^(pi/2) (cos phi / g)^2 F dphi.
    """
    a, b, d = length / 2, width / 2, thickness / 2
    beta = b / a
    eps2 = 1 - beta * beta
    xi = d / b

    def g2(phi):
        return 1 - eps2 * math.cos(phi) ** 2

    def hyp(phi):
        return special.hyp2f1(-0.5, 0.5, 2.0, -1.0 / (xi * xi * g2(phi)))

    options = dict(epsabs=1e-14, epsrel=1e-13, limit=400)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        along_x = integrate.quad(lambda p: math.cos(p) ** 2 / g2(p) * hyp(p), 0, math.pi / 2, **options)[0]
        along_z = integrate.quad(hyp, 0, math.pi / 2, **options)[0]
    k_ell, e_ell = special.ellipk(eps2), special.ellipe(eps2)
    nx = 8 * (beta * beta * k_ell - e_ell) / (3 * math.pi**2 * xi * eps2) + 2 * beta * beta / math.pi * along_x
    nz = 1 + 8 * k_ell / (3 * math.pi**2 * xi) - 2 / math.pi * along_z
    return nx, 1 - nx - nz, nz


@pytest.mark.parametrize("length, width, thickness", [(2.0, 1.0, 0.01), (3.0, 1.0, 0.1), (1.5, 1.0, 1.0),
                                                      (4.0, 1.0, 3.0), (1.2, 1.0, 0.05), (10.0, 1.0, 0.2)])
def test_elliptic_cylinder_matches_beleggia_integral(length, width, thickness):
    expected = beleggia_elliptic_cylinder(length, width, thickness)
    assert elliptic_cylinder_demag_factors(length, width, thickness) == pytest.approx(expected, abs=1e-10)


@pytest.mark.parametrize("tau", [1e-3, 0.01, 0.3, 0.5, 0.7, 3.0, 100.0])
def test_circular_cylinder_matches_beleggia_hypergeometric_form(tau):
    # Eccentricity 0 of the formula above: Nz = 1 + 4 / (3 pi tau) - 2F1(-1/2, 1/2; 2; -1 / tau^2),
    # tau = thickness / diameter; covers both sides of the thin-disk series switch at tau = 0.5.
    # mpmath (a dependency of sympy) in 30 digits, since the terms cancel for thin disks.
    with mpmath.workdps(30):
        expected = float(1 + 4 / (3 * mpmath.pi * tau) - mpmath.hyp2f1(-0.5, 0.5, 2, -1 / mpmath.mpf(tau) ** 2))
    assert elliptic_cylinder_demag_factors(1.0, 1.0, tau)[2] == pytest.approx(expected, abs=1e-15)


def test_nearly_circular_ellipse_meets_the_circular_closed_form():
    circle = elliptic_cylinder_demag_factors(100 * NM, 100 * NM, 2 * NM)
    nearly = elliptic_cylinder_demag_factors(100 * NM * (1 + 1e-9), 100 * NM, 2 * NM)
    assert nearly == pytest.approx(circle, abs=1e-10)


# ---- parameter-record entries -----------------------------------------------------------------

def test_free_layer_geometry_gives_record_entries():
    ellipse = free_layer_geometry("ellipse", 150 * NM, 60 * NM, 1.5 * NM)
    assert ellipse["demag_factors"] == list(elliptic_cylinder_demag_factors(150 * NM, 60 * NM, 1.5 * NM))
    assert ellipse["area"] == pytest.approx(math.pi / 4 * 150 * NM * 60 * NM, rel=1e-15, abs=0)
    assert ellipse["thickness"] == 1.5 * NM
    rectangle = free_layer_geometry("rectangle", 150 * NM, 60 * NM, 1.5 * NM)
    assert rectangle["demag_factors"] == list(prism_demag_factors(150 * NM, 60 * NM, 1.5 * NM))
    assert rectangle["area"] == pytest.approx(150 * NM * 60 * NM, rel=1e-15, abs=0)
    record = mp.Parameters(ellipse)
    assert list(record["demag_factors"]) == pytest.approx(ellipse["demag_factors"], rel=1e-15, abs=0)
    assert record["area"] == ellipse["area"]


@pytest.mark.parametrize("diameter", [60 * NM, 100 * NM, 200 * NM])
def test_a_disc_with_its_thin_film_anisotropy_rings_as_the_thin_film(diameter):
    """Ku lowered by the shape anisotropy the disc lacks gives its uniform mode the thin film's frequency."""
    film = mp.Parameters()
    disc = free_layer_geometry("ellipse", diameter, diameter, film["thickness"])
    calibrated = film.replace(Ku=mp.thin_film_anisotropy(film, disc["demag_factors"]), **disc)
    assert calibrated["Ku"] < film["Ku"]
    assert mp.precession_frequency(calibrated) == pytest.approx(mp.precession_frequency(film), rel=1e-9)
    assert mp.precession_frequency(film.replace(**disc)) > 1.05 * mp.precession_frequency(film)


# ---- nonphysical input ------------------------------------------------------------------------

@pytest.mark.parametrize("function", FACTOR_FUNCTIONS)
@pytest.mark.parametrize("position", [0, 1, 2])
@pytest.mark.parametrize("bad, message", [(0.0, "must be > 0"), (-1e-9, "must be > 0"), (math.nan, "must be finite"),
                                          (math.inf, "must be finite"), ("1e-9", "must be a number"),
                                          (True, "must be a number")])
def test_nonphysical_sizes_are_refused_with_the_argument_named(function, position, bad, message):
    names = {elliptic_cylinder_demag_factors: ("length", "width", "thickness")}.get(function, ("a", "b", "c"))
    arguments = [10 * NM, 20 * NM, 1 * NM]
    arguments[position] = bad
    with pytest.raises(mp.MtjphysError, match=f"'{names[position]}' {message}") as error:
        function(*arguments)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("name", ["length", "width", "thickness"])
def test_free_layer_geometry_refuses_nonphysical_sizes(name):
    arguments = {"length": 100 * NM, "width": 50 * NM, "thickness": NM, name: -NM}
    with pytest.raises(mp.MtjphysError, match=f"'{name}' must be > 0"):
        free_layer_geometry("rectangle", **arguments)


@pytest.mark.parametrize("shape", ["circle", "Ellipse", "", None, 3])
def test_unknown_shape_is_refused(shape):
    with pytest.raises(mp.MtjphysError, match="'shape' must be one of ellipse, rectangle"):
        free_layer_geometry(shape, 100 * NM, 50 * NM, NM)
