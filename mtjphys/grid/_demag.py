"""The demagnetising field of a magnetised grid: the Newell tensor of its cells and its FFT convolution.

For cells of edges h = (dx, dy, dz) at offset X between their centres, the demagnetising tensor N(X)
(H = -N M, averaged over the target cell, M uniform in the source cell) is

    N_xx(X) = 1/(4 pi dx dy dz) sum_{a,b,c in {-1,0,1}} w_a w_b w_c f(X_x + a dx, X_y + b dy, X_z + c dz),
    N_xy(X) = the same sum of g,   w_0 = 2, w_{+-1} = -1,

with Newell's f and g (A. J. Newell, W. Williams, D. J. Dunlop, J. Geophys. Res. 98, 9551 (1993));
N_yy, N_zz, N_xz, N_yz follow by permuting the axes. That sum of 27 terms of size |X|^3 gives a
result of size dx dy dz / |X|^3, so it loses digits as |X| grows. Beyond `FAR_CELLS` cell sizes the
tensor is computed instead from its definition as an average: N(X) = V E[D(X + u)], D the point-dipole
kernel and u distributed as the difference of two uniform points in a cell (a product of triangles),
by Gauss-Legendre quadrature on each half of every triangle (`QUADRATURE_NODES` per half, exact up to
terms of order (h / |X|)^6). Both forms agree at the seam (tested).

Between prisms of different edges (the reference layer below the free layer) the same f and g give the
mutual tensor as a sum over the differences of the prisms' corners (`prism_tensor`), of which Newell's 27
terms are the case of equal edges.
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

FAR_CELLS = 10  # offsets beyond this many (largest) cell edges use the quadrature
QUADRATURE_NODES = 3  # Gauss-Legendre nodes on each half of a triangle
_CHUNK = 2**16  # far-field points per quadrature batch (bounds the scratch memory)


def _asinh_ratio(a, b):
    """asinh(a / b), 0 where b = 0 (there a prefactor makes the term vanish)."""
    return np.where(b != 0, np.arcsinh(a / np.where(b != 0, b, 1.0)), 0.0)


def _atan_ratio(a, b):
    """atan(a / b), 0 where b = 0 (there a prefactor makes the term vanish)."""
    return np.where(b != 0, np.arctan(a / np.where(b != 0, b, 1.0)), 0.0)


def newell_f(x, y, z) -> np.ndarray:
    """Newell's f(x, y, z), even in each argument (float64, elementwise)."""
    x, y, z = (np.abs(np.asarray(v, dtype=np.float64)) for v in (x, y, z))
    x2, y2, z2 = x * x, y * y, z * z
    r = np.sqrt(x2 + y2 + z2)
    return ((2 * x2 - y2 - z2) * r / 6
            + y / 2 * (z2 - x2) * _asinh_ratio(y, np.sqrt(x2 + z2))
            + z / 2 * (y2 - x2) * _asinh_ratio(z, np.sqrt(x2 + y2))
            - x * y * z * _atan_ratio(y * z, x * r))


def newell_g(x, y, z) -> np.ndarray:
    """Newell's g(x, y, z), odd in x and in y, even in z (float64, elementwise)."""
    x, y = (np.asarray(v, dtype=np.float64) for v in (x, y))
    z = np.abs(np.asarray(z, dtype=np.float64))
    x2, y2, z2 = x * x, y * y, z * z
    r = np.sqrt(x2 + y2 + z2)
    return (-x * y * r / 3
            + x * y * z * _asinh_ratio(z, np.sqrt(x2 + y2))
            + y / 6 * (3 * z2 - y2) * _asinh_ratio(x, np.sqrt(y2 + z2))
            + x / 6 * (3 * z2 - x2) * _asinh_ratio(y, np.sqrt(x2 + z2))
            - z**3 / 6 * _atan_ratio(x * y, z * r)
            - z * y2 / 2 * _atan_ratio(x * z, y * r)
            - z * x2 / 2 * _atan_ratio(y * z, x * r))


_WEIGHTS = (-1.0, 2.0, -1.0)  # of the offsets -1, 0, +1 in the second difference
# the six independent components: (row, column) of the symmetric tensor
COMPONENTS = ((0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2))


def _newell_sum(function, offsets, cell) -> np.ndarray:
    """sum_{a,b,c} w_a w_b w_c function(X + (a, b, c) * cell) / (4 pi V) over offsets X (..., 3)."""
    total = np.zeros(offsets.shape[:-1])
    for a, wa in zip((-1, 0, 1), _WEIGHTS):
        for b, wb in zip((-1, 0, 1), _WEIGHTS):
            for c, wc in zip((-1, 0, 1), _WEIGHTS):
                shifted = offsets + np.array([a, b, c]) * cell
                total += wa * wb * wc * function(shifted[..., 0], shifted[..., 1], shifted[..., 2])
    return total / (4 * math.pi * float(np.prod(cell)))


def newell_tensor(offsets, cell) -> np.ndarray:
    """The demagnetising tensor between two cells from Newell's f and g.

    Arguments:
        offsets: offsets X between the cells' centres [m], (..., 3).
        cell: the cell's edges (dx, dy, dz) [m].

    Returns:
        The six components (xx, yy, zz, xy, xz, yz) of N, (6, ...).
    """
    x = np.asarray(offsets, dtype=np.float64)
    h = np.asarray(cell, dtype=np.float64)
    permuted = lambda order: (x[..., order], h[list(order)])
    return np.stack([
        _newell_sum(newell_f, *permuted([0, 1, 2])),
        _newell_sum(newell_f, *permuted([1, 0, 2])),
        _newell_sum(newell_f, *permuted([2, 1, 0])),
        _newell_sum(newell_g, *permuted([0, 1, 2])),
        _newell_sum(newell_g, *permuted([0, 2, 1])),
        _newell_sum(newell_g, *permuted([1, 2, 0])),
    ])


@functools.cache
def _triangle_rule(nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights on [-1, 1] for the triangle density 1 - |t|: Gauss-Legendre on each half."""
    t, w = np.polynomial.legendre.leggauss(nodes)
    half_t, half_w = (t + 1) / 2, w / 2  # on [0, 1]
    weight = half_w * (1 - half_t)
    return np.concatenate([-half_t[::-1], half_t]), np.concatenate([weight[::-1], weight])


def dipole_average(offsets, cell, nodes: int = QUADRATURE_NODES) -> np.ndarray:
    """The demagnetising tensor as the average of the point-dipole kernel over source and target cells,
    N(X) = V E[D(X + u)], D_ij(d) = -(3 d_i d_j - |d|^2 delta_ij) / (4 pi |d|^5), by Gauss-Legendre
    quadrature on the triangular densities of u; for offsets well outside the cells.

    Arguments, Returns: as `newell_tensor`.
    """
    x = np.asarray(offsets, dtype=np.float64).reshape(-1, 3)
    h = np.asarray(cell, dtype=np.float64)
    t, w = _triangle_rule(nodes)
    shifts = np.stack(np.meshgrid(t, t, t, indexing="ij"), axis=-1).reshape(-1, 3) * h
    weights = np.einsum("i,j,k->ijk", w, w, w).reshape(-1)
    result = np.empty((6, x.shape[0]))
    for start in range(0, x.shape[0], _CHUNK):
        d = x[start:start + _CHUNK, None, :] + shifts[None]
        r2 = np.einsum("...i,...i->...", d, d)
        inverse5 = r2**-2.5
        for index, (i, j) in enumerate(COMPONENTS):
            kernel = (3 * d[..., i] * d[..., j] - (r2 if i == j else 0.0)) * inverse5
            result[index, start:start + _CHUNK] = -(kernel @ weights) / (4 * math.pi)
    return (result * float(np.prod(h))).reshape((6,) + np.shape(offsets)[:-1])


def demag_tensor(offsets, cell) -> np.ndarray:
    """The demagnetising tensor between cells: Newell's form near, the dipole average beyond `FAR_CELLS`
    cell edges. Arguments, Returns: as `newell_tensor`."""
    x = np.asarray(offsets, dtype=np.float64)
    far = np.linalg.norm(x, axis=-1) > FAR_CELLS * max(cell)
    result = np.empty((6,) + x.shape[:-1])
    result[:, ~far] = newell_tensor(x[~far], cell)
    if np.any(far):
        result[:, far] = dipole_average(x[far], cell)
    return result


def _corner_shifts(target: float, source: float) -> list[tuple[float, float]]:
    """The differences between the corners of a target edge and a source edge centred on one point, with their
    weights: (i - 1/2) target - (k - 1/2) source, weighted (-1)^(i + k) for i, k in {0, 1}, equal differences
    merged (equal edges give Newell's 0, +-edge with weights 2, -1)."""
    shifts: dict[float, float] = {}
    for i in (0, 1):
        for k in (0, 1):
            shift = (i - 0.5) * target - (k - 0.5) * source
            shifts[shift] = shifts.get(shift, 0.0) + (-1.0) ** (i + k)
    return [(shift, weight) for shift, weight in shifts.items() if weight != 0]


# Newell's function and the order of the axes it takes, for each of the six components
_COMPONENT_FUNCTIONS = ((newell_f, (0, 1, 2)), (newell_f, (1, 0, 2)), (newell_f, (2, 1, 0)),
                        (newell_g, (0, 1, 2)), (newell_g, (0, 2, 1)), (newell_g, (1, 2, 0)))


def prism_tensor(offsets, target, source) -> np.ndarray:
    """The mutual demagnetising tensor of two prisms of different edges: H averaged over the target prism is
    -N M for the source prism uniformly magnetised with M,

        N_xx(X) = 1/(4 pi V_target) sum_{i,j,k,l,m,n in {0,1}} (-1)^(i+j+k+l+m+n)
                  f(X_x + (i - 1/2) a_x - (l - 1/2) b_x, X_y + ..., X_z + ...),

    a the target's edges, b the source's, f Newell's (N_xy the same sum of g, the others by permuting the
    axes; Newell, Williams, Dunlop, J. Geophys. Res. 98, 9551 (1993); the volume-averaged tensor of
    Fukushima et al., IEEE Trans. Magn. 34, 193 (1998)). For equal edges it is `newell_tensor`. The sum
    of terms of size |X|^3 loses digits with distance as that one does; summed over a layer (where it
    serves here) it agrees with the demagnetising kernel, dipole average beyond `FAR_CELLS` included, to
    10^-9 of the largest field (tested).

    Arguments:
        offsets: the target's centre minus the source's [m], (..., 3).
        target, source: the prisms' edges (x, y, z) [m].

    Returns:
        The six components (xx, yy, zz, xy, xz, yz) of N, (6, ...).
    """
    x = np.asarray(offsets, dtype=np.float64)
    shifts = [_corner_shifts(a, b) for a, b in zip(target, source)]
    result = np.zeros((6,) + x.shape[:-1])
    for sx, wx in shifts[0]:
        for sy, wy in shifts[1]:
            for sz, wz in shifts[2]:
                shifted = x + np.array([sx, sy, sz])
                for index, (function, order) in enumerate(_COMPONENT_FUNCTIONS):
                    result[index] += wx * wy * wz * function(*(shifted[..., axis] for axis in order))
    return result / (4 * math.pi * float(np.prod(target)))


def reference_layer_tensor(body: np.ndarray, layers: int, cell, thickness: float, spacing: float) -> np.ndarray:
    """The demagnetising tensor that a layer of the body's lateral shape, below the free layer, exerts on each
    of the free layer's cells: T_i = sum_j N(r_i - r_j), summed over the layer's prisms j (the body's columns,
    dx x dy x thickness, their tops `spacing` below the free layer's bottom), so that a uniform magnetisation
    M of that layer gives B_i = -mu0 T_i M.

    Arguments:
        body: (nx, ny) bool, the columns of the body; layers: the free layer's cells through its thickness;
        cell: their edges (dx, dy, dz) [m]; thickness, spacing: the lower layer's [m].

    Returns:
        float64 (6, nx, ny, layers): T's components (xx, yy, zz, xy, xz, yz), 0 outside the body. The sum
        over the prisms is a zero-padded FFT convolution in float64.
    """
    nx, ny = body.shape
    padded = (padded_size(nx), padded_size(ny))
    # signed in-plane offsets in wrap-around order, as in `demag_kernel`
    axes = [np.where(np.arange(p) < p - p // 2, np.arange(p), np.arange(p) - p) * h for p, h in zip(padded, cell)]
    heights = (np.arange(layers) + 0.5) * cell[2] + spacing + thickness / 2  # target centre above source centre
    grid = np.stack(np.meshgrid(*axes, heights, indexing="ij"), axis=-1)
    tensor = prism_tensor(grid, cell, (cell[0], cell[1], thickness))
    for index, p in enumerate(padded):  # the offset n of a padded axis joins no two cells
        if p > 1:
            tensor[(slice(None),) * (index + 1) + (p // 2,)] = 0.0
    spectrum = np.fft.rfft2(tensor, axes=(1, 2)) * np.fft.rfft2(body.astype(np.float64), s=padded)[:, :, None]
    summed = np.fft.irfft2(spectrum, s=padded, axes=(1, 2))[:, :nx, :ny]
    return np.where(body[None, :, :, None], summed, 0.0)


def padded_size(n: int) -> int:
    """Points of the zero-padded FFT grid along an axis of n cells (linear, not circular, convolution)."""
    return 1 if n == 1 else 2 * n


def _transformed(shape) -> list[int]:
    """The axes (0, 1, 2 for x, y, z) an FFT of the mesh runs over: those of more than one cell. The last of
    them takes the real transform (it halves that axis): the transforms then run over trailing axes, and a
    single layer's spectrum is two-dimensional."""
    return [axis for axis, n in enumerate(shape) if n > 1]


@functools.lru_cache(maxsize=8)
def demag_kernel(shape: tuple[int, int, int], cell: tuple[float, float, float]) -> np.ndarray:
    """The FFT of the demagnetising tensor on the zero-padded grid of a mesh.

    Arguments:
        shape: cells (nx, ny, nz); cell: their edges [m].

    Returns:
        float64 (6, ...): the FFT of N_xx, N_yy, N_zz, N_xy, N_xz, N_yz over the axes of more than one cell
        (the others dropped: a single layer's kernel is (6, 2 nx, ny + 1)), real along the last of them (see
        `demag_field`). Every component is even in all axes or odd in two of them, so its transform is
        real: only its real part is kept. Cached per mesh.
    """
    padded = [padded_size(n) for n in shape]
    # signed offsets in wrap-around order: 0, 1, ..., n-1, (unused n), -(n-1), ..., -1
    axes = [np.where(np.arange(p) < p - p // 2, np.arange(p), np.arange(p) - p) * h
            for p, h in zip(padded, cell)]
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1)
    tensor = demag_tensor(grid, cell)
    for index, p in enumerate(padded):  # the offset n of a padded axis joins no two cells
        if p > 1:
            tensor[(slice(None),) * (index + 1) + (p // 2,)] = 0.0
    kept = _transformed(shape)
    tensor = tensor.reshape((6,) + tuple(padded[axis] for axis in kept))
    if not kept:
        return tensor
    return np.fft.rfftn(tensor, axes=range(1, len(kept) + 1)).real  # numpy: the real axis is the last


def demag_field(magnetization: jnp.ndarray, kernel: jnp.ndarray, shape: tuple[int, int, int],
                mu0: float) -> jnp.ndarray:
    """B_d = -mu0 N * M [T], the linear convolution by zero-padded FFT.

    The axes of one cell are dropped, so that the transforms run over trailing axes (no transposes) and a
    single layer's are two-dimensional. The transforms run axis by axis, the real one first, padding each
    axis as it is transformed and cropping it as soon as it is transformed back, so that no transform runs
    over the zero rows another axis's padding adds (as in MuMax3). The kernel is real, so it multiplies the
    spectrum's real and imaginary parts apart. A single layer has no xz, yz coupling (N_xz = N_yz = 0 at
    zero offset in z), which is skipped.

    Arguments:
        magnetization: M = Ms m [A/m], (..., nx, ny, nz, 3).
        kernel: `demag_kernel` of the mesh.
        shape: (nx, ny, nz).
        mu0: the vacuum permeability [T m / A].

    Returns:
        The field, like `magnetization`.
    """
    kept = _transformed(shape)
    source = jnp.moveaxis(magnetization, -1, -4)  # (..., 3, nx, ny, nz)
    batch = source.shape[:-3]
    spectrum = source.reshape(batch + tuple(shape[axis] for axis in kept))
    position = lambda index: index - len(kept)  # of the kept axis `index` in (..., 3, kept axes)
    for index in reversed(range(len(kept))):
        transform = jnp.fft.rfft if index == len(kept) - 1 else jnp.fft.fft
        spectrum = transform(spectrum, n=padded_size(shape[kept[index]]), axis=position(index))
    xx, yy, zz, xy, xz, yz = (jnp.asarray(k) for k in kernel)
    if shape[2] > 1:
        rows = ((xx, xy, xz), (xy, yy, yz), (xz, yz, zz))
    else:
        rows = ((xx, xy, None), (xy, yy, None), (None, None, zz))
    components = -1 - len(kept)  # the axis of the three components

    def product(part):  # the real kernel times the real or imaginary part of the spectrum
        m = [jax.lax.index_in_dim(part, i, axis=part.ndim + components, keepdims=False) for i in range(3)]
        return jnp.stack([sum(k * mi for k, mi in zip(row, m) if k is not None) for row in rows], axis=components)

    field = jax.lax.complex(product(spectrum.real), product(spectrum.imag)) if kept else product(spectrum)
    for index in range(len(kept)):
        n = shape[kept[index]]
        if index == len(kept) - 1:
            field = jnp.fft.irfft(field, n=padded_size(n), axis=position(index))
        else:
            field = jnp.fft.ifft(field, axis=position(index))
        field = jax.lax.slice_in_dim(field, 0, n, axis=field.ndim + position(index))
    return -mu0 * jnp.moveaxis(field.reshape(batch + tuple(shape)), -4, -1)
