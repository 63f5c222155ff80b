"""Demagnetising factors of a uniformly magnetised free layer from its size and shape.

All factors are magnetometric (volume-averaged) factors of a uniformly magnetised body in SI form
(Nx + Ny + Nz = 1), along the body's own axes: x along `length` / `a`, y along `width` / `b`, z along
`thickness` / `c`. Only numpy is needed at run time.
"""

from __future__ import annotations

import math

import numpy as np

from .._errors import MtjphysError

# Relative truncation error of the series that ends Carlson's duplication algorithm.
_CARLSON_TOLERANCE = 1e-16

# The elliptic-cylinder average over the in-plane direction stops when a doubling of the number of
# nodes changes no factor by more than this; the rule converges geometrically (periodic integrand).
_QUADRATURE_TOLERANCE = 1e-15
_QUADRATURE_MAX_NODES = 2**20

# Thickness / diameter below which the circular-cylinder factor is summed from series (see
# `_thin_disk_bracket`); at this ratio m1 = 1 - m = 0.2.
_THIN_DISK = 0.5

SHAPES = ("ellipse", "rectangle")


def _check_length(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise MtjphysError(f"geometry argument {name!r} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise MtjphysError(f"geometry argument {name!r} must be finite, got {value}")
    if value <= 0:
        raise MtjphysError(f"geometry argument {name!r} must be > 0, got {value:g}")
    return value


def _check_lengths(**lengths) -> list[float]:
    values = [_check_length(name, value) for name, value in lengths.items()]
    # The factors depend on ratios only; dividing by the largest size keeps the squares and cubes of
    # SI lengths (1e-9 m and below) far from underflow.
    largest = max(values)
    return [v / largest for v in values]


def _carlson_rf(x, y, z) -> np.ndarray:
    """Carlson's symmetric elliptic integral of the first kind, elementwise.

    Arguments:
        x, y, z: non-negative arrays (broadcastable), at most one of them zero in each element.

    Returns:
        R_F(x, y, z) = 1/2 int_0^inf dt [(t+x)(t+y)(t+z)]^(-1/2), by the duplication theorem and the
        series of B. C. Carlson, Numer. Algorithms 10, 13 (1995) (DLMF section 19.36).
    """
    x0, y0, z0 = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (x, y, z)))
    x, y, z = x0, y0, z0
    a0 = (x0 + y0 + z0) / 3
    q = (3 * _CARLSON_TOLERANCE) ** (-1 / 6) * np.maximum(np.maximum(abs(a0 - x0), abs(a0 - y0)), abs(a0 - z0))
    a, scale = a0, 1.0
    while np.any(scale * q >= abs(a)):
        sx, sy, sz = np.sqrt(x), np.sqrt(y), np.sqrt(z)
        lam = sx * sy + sx * sz + sy * sz
        x, y, z, a = (x + lam) / 4, (y + lam) / 4, (z + lam) / 4, (a + lam) / 4
        scale /= 4
    # a_n - x_n = 4^-n (a_0 - x_0) exactly; the right-hand side has no cancellation.
    dx = scale * (a0 - x0) / a
    dy = scale * (a0 - y0) / a
    dz = -dx - dy
    e2 = dx * dy - dz * dz
    e3 = dx * dy * dz
    return (1 - e2 / 10 + e3 / 14 + e2 * e2 / 24 - 3 * e2 * e3 / 44) / np.sqrt(a)


def _carlson_rd(x, y, z) -> np.ndarray:
    """Carlson's symmetric elliptic integral of the second kind, elementwise.

    Arguments:
        x, y: non-negative arrays, not both zero in one element; z: positive array (broadcastable).

    Returns:
        R_D(x, y, z) = 3/2 int_0^inf dt [(t+x)(t+y)]^(-1/2) (t+z)^(-3/2), by the duplication theorem
        and the series of B. C. Carlson, Numer. Algorithms 10, 13 (1995) (DLMF section 19.36).
    """
    x0, y0, z0 = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (x, y, z)))
    x, y, z = x0, y0, z0
    a0 = (x0 + y0 + 3 * z0) / 5
    q = (_CARLSON_TOLERANCE / 4) ** (-1 / 6) * np.maximum(np.maximum(abs(a0 - x0), abs(a0 - y0)), abs(a0 - z0))
    a, scale, total = a0, 1.0, np.zeros_like(a0)
    while np.any(scale * q >= abs(a)):
        sx, sy, sz = np.sqrt(x), np.sqrt(y), np.sqrt(z)
        lam = sx * sy + sx * sz + sy * sz
        total = total + scale / (sz * (z + lam))
        x, y, z, a = (x + lam) / 4, (y + lam) / 4, (z + lam) / 4, (a + lam) / 4
        scale /= 4
    dx = scale * (a0 - x0) / a
    dy = scale * (a0 - y0) / a
    dz = -(dx + dy) / 3
    xy, z2 = dx * dy, dz * dz
    e2 = xy - 6 * z2
    e3 = (3 * xy - 8 * z2) * dz
    e4 = 3 * (xy - z2) * z2
    e5 = xy * z2 * dz
    series = 1 - 3 * e2 / 14 + e3 / 6 + 9 * e2 * e2 / 88 - 3 * e4 / 22 - 9 * e2 * e3 / 52 + 3 * e5 / 26
    return scale * series / (a * np.sqrt(a)) + 3 * total


def _prism_factor(a: float, b: float, c: float) -> float:
    """Aharoni's demagnetising factor along the edge c of a rectangular prism with edges a, b, c.

    Aharoni's eq. (1) sums terms of order (a/c)^2 or (c/a) that cancel for flat or long prisms, which
    costs digits in floating point. It is evaluated here in an algebraically identical form: its
    logarithms are paired by asinh(u) - asinh(v) = asinh(u sqrt(1 + v^2) - v sqrt(1 + u^2)), and the
    algebraic part is rewritten with r - r_ab = c^2 / (r + r_ab) and the like, which leaves no difference
    of large terms. With r = |(a, b, c)|, r_ab = |(a, b)| and so on,
        pi Nz = b/c asinh(a c^2 / (b r_bc (r + r_ab))) + a/c asinh(b c^2 / (a r_ac (r + r_ab)))
              - c/b asinh(a b^2 / (c r_bc (r + r_ac))) - c/a asinh(b a^2 / (c r_ac (r + r_bc)))
              + 2 atan(ab / (c r))
              + abc/3 [2 / ((r + c)(r_ac + c)(r + r_ac)) + 2 / ((r + c)(r_bc + c)(r + r_bc))
                       - (1/(r + r_ab) + 1/(r_ac + a)) / ((r + r_ac)(r_ab + a))
                       - (1/(r + r_ab) + 1/(r_bc + b)) / ((r + r_bc)(r_ab + b))].
    The factor is homogeneous of degree 0, so full or half edges give the same value.
    """
    a2, b2, c2 = a * a, b * b, c * c
    r = math.sqrt(a2 + b2 + c2)
    r_ab, r_bc, r_ac = math.sqrt(a2 + b2), math.sqrt(b2 + c2), math.sqrt(a2 + c2)
    algebraic = a * b * c / 3 * (
        2 / ((r + c) * (r_ac + c) * (r + r_ac))
        + 2 / ((r + c) * (r_bc + c) * (r + r_bc))
        - (1 / (r + r_ab) + 1 / (r_ac + a)) / ((r + r_ac) * (r_ab + a))
        - (1 / (r + r_ab) + 1 / (r_bc + b)) / ((r + r_bc) * (r_ab + b))
    )
    terms = [
        b / c * math.asinh(a * c2 / (b * r_bc * (r + r_ab))),
        a / c * math.asinh(b * c2 / (a * r_ac * (r + r_ab))),
        -c / b * math.asinh(a * b2 / (c * r_bc * (r + r_ac))),
        -c / a * math.asinh(b * a2 / (c * r_ac * (r + r_bc))),
        2 * math.atan2(a * b, c * r),
        algebraic,
    ]
    return math.fsum(terms) / math.pi


def _normalised(factors) -> tuple[float, float, float]:
    # The formulae sum to 1 up to rounding; dividing by the sum removes that last-digit residue.
    total = math.fsum(factors)
    return tuple(float(f) / total for f in factors)


def prism_demag_factors(a: float, b: float, c: float) -> tuple[float, float, float]:
    """Demagnetising factors of a uniformly magnetised rectangular prism.

    A. Aharoni, "Demagnetizing factors for rectangular ferromagnetic prisms", J. Appl. Phys. 83, 3432
    (1998), eq. (1), applied to each axis in turn, in a rearranged form that is free of cancellation
    for flat and long prisms (see `_prism_factor`). The three factors are divided by their sum, which
    differs from 1 by rounding only.

    Arguments:
        a, b, c: edges along x, y and z [m], each finite and > 0.

    Returns:
        (Nx, Ny, Nz), each in [0, 1], summing to 1.
    """
    a, b, c = _check_lengths(a=a, b=b, c=c)
    return _normalised((_prism_factor(b, c, a), _prism_factor(c, a, b), _prism_factor(a, b, c)))


def ellipsoid_demag_factors(a: float, b: float, c: float) -> tuple[float, float, float]:
    """Demagnetising factors of a general ellipsoid, exact.

    J. A. Osborn, Phys. Rev. 67, 351 (1945) and E. C. Stoner, Phil. Mag. 36, 803 (1945):
    Nx = abc/2 int_0^inf ds (s + a^2)^(-3/2) [(s + b^2)(s + c^2)]^(-1/2), which is
    Nx = abc/3 R_D(b^2, c^2, a^2) with Carlson's symmetric integral R_D (DLMF 19.16.5), and cyclically for
    Ny, Nz. Their sum is exactly 1 (R_D(x,y,z) + R_D(y,z,x) + R_D(z,x,y) = 3 / sqrt(xyz)); the residue of
    rounding is divided out.

    Arguments:
        a, b, c: semi-axes along x, y and z [m], each finite and > 0.

    Returns:
        (Nx, Ny, Nz), each in [0, 1], summing to 1.
    """
    a, b, c = _check_lengths(a=a, b=b, c=c)
    a2, b2, c2 = a * a, b * b, c * c
    rd = _carlson_rd(np.array([b2, c2, a2]), np.array([c2, a2, b2]), np.array([a2, b2, c2]))
    return _normalised(a * b * c / 3 * rd)


def _thin_disk_bracket(tau: np.ndarray) -> np.ndarray:
    """sqrt(1 + tau^2) ((1 - tau^2) E(m) + tau^2 K(m)) - 1 for tau <= _THIN_DISK, m = 1 / (1 + tau^2).

    The bracket is of order tau^2 ln(1/tau); forming it from E ~ 1 loses digits, so E - 1 and K are
    summed from their series about m = 1 (DLMF 19.12.1 and 19.12.2, in powers of m1 = 1 - m), and
        bracket = sqrt(1 + tau^2) [(E - 1) + tau^2 (K - E)] + tau^2 / (sqrt(1 + tau^2) + 1)
    is a sum of positive terms.
    """
    tau2 = tau * tau
    m1 = tau2 / (1 + tau2)
    log_term = -0.5 * np.log(m1)  # ln(1/k')
    # Terms fall off like m1^n with m1 <= 0.2: 30 of them reach 1e-21 relative.
    d = math.log(4.0)
    c_k, c_e, power = 1.0, 1.0, np.ones_like(tau)
    k_ell = np.zeros_like(tau)
    e_minus_1 = np.zeros_like(tau)
    for n in range(30):
        k_ell = k_ell + c_k * power * (log_term + d)
        e_minus_1 = e_minus_1 + 0.5 * c_e * power * m1 * (log_term + d - 1 / ((2 * n + 1) * (2 * n + 2)))
        c_k *= ((n + 0.5) / (n + 1)) ** 2
        c_e *= (n + 0.5) * (n + 1.5) / ((n + 2) * (n + 1))
        d -= 2 / ((2 * n + 1) * (2 * n + 2))
        power = power * m1
    root = np.sqrt(1 + tau2)
    return root * (e_minus_1 + tau2 * (k_ell - 1 - e_minus_1)) + tau2 / (root + 1)


def _circular_cylinder_in_plane(tau) -> np.ndarray:
    """1 - Nz of a circular cylinder of thickness / diameter ratio tau, elementwise.

    Closed form of the circular cylinder (the eccentricity-0 case of Beleggia et al. 2005, see
    `elliptic_cylinder_demag_factors`): with m = 1 / (1 + tau^2),
        1 - Nz = 4 / (3 pi tau) [sqrt(1 + tau^2) ((1 - tau^2) E(m) + tau^2 K(m)) - 1].
    For tau > _THIN_DISK, K = R_F(0, 1-m, 1) and K - E = m/3 R_D(0, 1-m, 1) from Carlson's integrals keep
    K - E accurate for long cylinders (m -> 0); thinner disks use `_thin_disk_bracket`.
    """
    tau = np.asarray(tau, dtype=np.float64)
    bracket = np.empty_like(tau)
    thin = tau <= _THIN_DISK
    bracket[thin] = _thin_disk_bracket(tau[thin])
    t = tau[~thin]
    t2 = t * t
    m = 1 / (1 + t2)
    zero, one = np.zeros_like(t), np.ones_like(t)
    k_ell = _carlson_rf(zero, t2 * m, one)
    k_minus_e = m / 3 * _carlson_rd(zero, t2 * m, one)
    # (1 - tau^2) E + tau^2 K = E + tau^2 (K - E)
    bracket[~thin] = ((k_ell - k_minus_e) + t2 * k_minus_e) * np.sqrt(1 + t2) - 1
    return 4 / (3 * math.pi * tau) * bracket


def elliptic_cylinder_demag_factors(length: float, width: float, thickness: float) -> tuple[float, float, float]:
    """Demagnetising factors of a uniformly magnetised elliptic cylinder (elliptical or circular disk).

    Circular cylinder (length == width): exact closed form in complete elliptic integrals, with
    tau = thickness / diameter, m = 1 / (1 + tau^2),
        Nz = 1 + 4 / (3 pi tau) [1 - sqrt(1 + tau^2) ((1 - tau^2) E(m) + tau^2 K(m))],  Nx = Ny = (1 - Nz)/2
    (M. Beleggia, M. De Graef, Y. T. Millev, D. A. Goode, G. Rowlands, "Demagnetization factors for
    elliptic cylinders", J. Phys. D 38, 3333 (2005): the eccentricity-0 case, in which their
    hypergeometric 2F1(-1/2, 1/2; 2; -1/tau^2) reduces to K and E; it is the chi = 0 magnetometric factor
    of Chen, Brug & Goldfarb, IEEE Trans. Magn. 27, 3601 (1991)).

    Elliptic cylinder: Beleggia et al. (2005) reduce the Fourier-space factors to one integral over the
    in-plane wave-vector direction, with no closed form for it. Re-parametrising that direction so the
    weight becomes uniform, the factors are exact averages of the circular-cylinder result over an angle t:
        Nz = <Nz_circ(tau(t))>,  Nx = <w(t) (1 - Nz_circ(tau(t)))>,  Ny = <(1 - w(t)) (1 - Nz_circ(tau(t)))>,
        tau(t) = thickness * sqrt(cos^2 t / length^2 + sin^2 t / width^2),
        w(t) = (cos^2 t / length^2) / (cos^2 t / length^2 + sin^2 t / width^2),
    <.> the mean over t in [0, 2 pi). The mean of this smooth periodic integrand is taken with the
    midpoint rule, doubling the nodes until no factor changes by more than 1e-15 (the rule converges
    geometrically; an aspect ratio of 10 needs a few hundred nodes). So the result is exact up to that
    quadrature tolerance and rounding.

    Arguments:
        length: full axis of the ellipse along x [m]; width: full axis along y [m];
        thickness: along z [m]; each finite and > 0.

    Returns:
        (Nx, Ny, Nz), each in [0, 1], summing to 1.
    """
    length, width, thickness = _check_lengths(length=length, width=width, thickness=thickness)
    if length == width:
        in_plane = float(_circular_cylinder_in_plane(thickness / length))
        return _normalised((in_plane / 2, in_plane / 2, 1 - in_plane))

    def averages(nodes: int) -> np.ndarray:
        # cos^2 and sin^2 make the integrand even about 0 and pi/2, so the midpoint rule on a quarter
        # period is the full-period trapezoidal rule on 4 * nodes points.
        t = (np.arange(nodes) + 0.5) * (math.pi / 2 / nodes)
        along_x = (np.cos(t) / length) ** 2
        along_y = (np.sin(t) / width) ** 2
        in_plane = _circular_cylinder_in_plane(thickness * np.sqrt(along_x + along_y))
        w = along_x / (along_x + along_y)
        return np.array([np.mean(w * in_plane), np.mean((1 - w) * in_plane), np.mean(1 - in_plane)])

    nodes = 16
    previous = averages(nodes)
    while True:
        nodes *= 2
        current = averages(nodes)
        if np.max(abs(current - previous)) <= _QUADRATURE_TOLERANCE or nodes >= _QUADRATURE_MAX_NODES:
            return _normalised(current)
        previous = current


def free_layer_geometry(shape: str, length: float, width: float, thickness: float) -> dict:
    """Parameter-record entries of a free layer of this geometry.

    Arguments:
        shape: "ellipse" (elliptic cylinder, `elliptic_cylinder_demag_factors`) or "rectangle"
            (rectangular prism, `prism_demag_factors`).
        length: lateral size along x [m] (full axis of the ellipse); width: lateral size along y [m];
        thickness: along z [m]; each finite and > 0.

    Returns:
        {"demag_factors": [Nx, Ny, Nz], "area": lateral area [m^2] (pi/4 length width for an ellipse,
        length width for a rectangle), "thickness": thickness [m]}.
    """
    if not isinstance(shape, str) or shape not in SHAPES:
        raise MtjphysError(f"geometry argument 'shape' must be one of {', '.join(SHAPES)}, got {shape!r}")
    length = _check_length("length", length)
    width = _check_length("width", width)
    thickness = _check_length("thickness", thickness)
    if shape == "ellipse":
        factors = elliptic_cylinder_demag_factors(length, width, thickness)
        area = math.pi / 4 * length * width
    else:
        factors = prism_demag_factors(length, width, thickness)
        area = length * width
    return {"demag_factors": [float(f) for f in factors], "area": area, "thickness": thickness}


def shape_anisotropy(record, demag_factors=None) -> float:
    """mu0 Ms^2 (N_zz - N_inplane) / 2 [J/m^3]: the perpendicular anisotropy the free layer's shape takes away,
    the Ku it needs to stay perpendicular (N_inplane the smaller in-plane factor).

    Arguments:
        record: a parameter record (its Ms and its model's mu0).
        demag_factors: (Nx, Ny, Nz) of the body; default the record's.
    """
    nx, ny, nz = record["demag_factors"] if demag_factors is None else demag_factors
    mu0 = record.model.constants["mu0"]["value"]
    return float(mu0 * record["Ms"] ** 2 / 2 * (nz - min(nx, ny)))


def thin_film_anisotropy(record, demag_factors) -> float:
    """Ku [J/m^3] that gives a free layer of `demag_factors` the perpendicular anisotropy the record's Ku
    gives the thin film N = (0, 0, 1): lowered by the shape anisotropy the real body lacks,
    mu0 Ms^2 / 2 (1 - (Nz - Nx)), so that its uniform mode keeps the same effective field.

    Arguments:
        record: a parameter record (its Ku, Ms and its model's mu0).
        demag_factors: (Nx, Ny, Nz) of the body, x along its longer in-plane axis.
    """
    return float(record["Ku"] - shape_anisotropy(record, (0.0, 0.0, 1.0)) + shape_anisotropy(record, demag_factors))
