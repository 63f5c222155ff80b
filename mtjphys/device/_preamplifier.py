"""How the neuron's output dR is read from a resistance trace R(t).

A real measurement sees R(t) through a pre-amplifier of finite bandwidth. Above 0 K the trace
also carries thermal noise on every time scale, and its local extrema are mostly noise wiggles;
the ringing's own maxima and minima are the ones that stand out over about half a ringing period.
`Preamplifier` models both: a zero-phase Gaussian low-pass of the given -3 dB bandwidth, then the last
maximum and the last minimum that are extrema of R over a hold time around them.

An ideal preamplifier (no filter, no hold) takes every local extremum of the sampled trace: the
paper's definition for a noiseless neuron, and mtjphys's at 0 K.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .._errors import MtjphysError


class Extrema(NamedTuple):
    """The last interior local maximum and minimum of R(t) in a window.

    delta_r = resistance_max - resistance_min is the neuron output (0 where R has no interior
    maximum or minimum, i.e. no ringing).
    """

    delta_r: jnp.ndarray
    resistance_max: jnp.ndarray
    resistance_min: jnp.ndarray
    time_max: jnp.ndarray
    time_min: jnp.ndarray


def _refine(ts: jnp.ndarray, r: jnp.ndarray, index: jnp.ndarray) -> tuple[jnp.ndarray, jnp.ndarray]:
    """Vertex of the parabola through samples index-1, index, index+1 (uniform ts)."""
    take = lambda k: jnp.take_along_axis(r, (index + k)[None], axis=0)[0]
    before, at, after = take(-1), take(0), take(1)
    curvature = before - 2 * at + after
    safe = jnp.where(curvature == 0, 1.0, curvature)
    offset = jnp.where(curvature == 0, 0.0, 0.5 * (before - after) / safe)
    return at - 0.25 * (before - after) * offset, ts[index] + offset * (ts[1] - ts[0])


def last_extrema(ts: jnp.ndarray, r: jnp.ndarray, may_be_max=None, may_be_min=None) -> Extrema:
    """Locate the last interior local max and min of sampled R(t), refined by a parabola.

    Arguments:
        ts: uniform sample times, shape (T,).
        r: resistance samples, shape (T, ...).
        may_be_max, may_be_min: optional boolean masks of r's shape: samples that may count.

    Returns:
        `Extrema` with arrays of shape r.shape[1:].
    """
    middle, before, after = r[1:-1], r[:-2], r[2:]
    positions = jnp.arange(1, r.shape[0] - 1).reshape((-1,) + (1,) * (r.ndim - 1))
    is_max = (middle >= before) & (middle > after)
    is_min = (middle <= before) & (middle < after)
    if may_be_max is not None:
        is_max = is_max & may_be_max[1:-1]
    if may_be_min is not None:
        is_min = is_min & may_be_min[1:-1]
    last_max = jnp.max(jnp.where(is_max, positions, 0), axis=0)
    last_min = jnp.max(jnp.where(is_min, positions, 0), axis=0)
    found = (last_max > 0) & (last_min > 0)
    r_max, t_max = _refine(ts, r, jnp.maximum(last_max, 1))
    r_min, t_min = _refine(ts, r, jnp.maximum(last_min, 1))
    nan = jnp.nan
    return Extrema(
        delta_r=jnp.where(found, r_max - r_min, 0.0),
        resistance_max=jnp.where(found, r_max, nan),
        resistance_min=jnp.where(found, r_min, nan),
        time_max=jnp.where(found, t_max, nan),
        time_min=jnp.where(found, t_min, nan),
    )




class Preamplifier(eqx.Module):
    """The measurement of dR.

    Arguments:
        bandwidth: the pre-amplifier's -3 dB bandwidth B [Hz]; its response is Gaussian,
            exp(-ln 2 (f / B)^2 / 2), applied without phase shift. None: no filter.
        hold: [s] a maximum (minimum) counts only if R is nowhere larger (smaller) within hold/2
            of it, so that noise wiggles shorter than the hold never count; about half the
            ringing period keeps every swing of the ringing (`thermal_preamplifier` chooses it so).
            0: every local extremum counts.
    """

    bandwidth: float | None = None
    hold: float = 0.0

    def __check_init__(self):
        if self.bandwidth is not None and not (math.isfinite(self.bandwidth) and self.bandwidth > 0):
            raise MtjphysError(f"preamplifier bandwidth must be a positive number of hertz, got {self.bandwidth}")
        if not (math.isfinite(self.hold) and self.hold >= 0):
            raise MtjphysError(f"preamplifier hold time must be >= 0 s, got {self.hold}")

    def filtered(self, ts: np.ndarray, resistance: jnp.ndarray) -> jnp.ndarray:
        """R(t) through the pre-amplifier (samples along axis 0, the ends extended with their values).

        Arguments:
            ts: the uniform sample times (numpy: the kernel is fixed when tracing).
            resistance: (T, ...).
        """
        if self.bandwidth is None:
            return resistance
        sigma = math.sqrt(math.log(2)) / (2 * math.pi * self.bandwidth)  # the Gaussian's width in time
        spacing = float(ts[1] - ts[0])
        reach = 4 * sigma / spacing  # the kernel's half width in samples
        if not reach < resistance.shape[0]:
            raise MtjphysError(f"preamplifier bandwidth {self.bandwidth:g} Hz is too narrow for a trace of "
                               f"{spacing * (resistance.shape[0] - 1):g} s: its filter would span the whole trace")
        half = math.ceil(reach)
        if half == 0:
            return resistance
        offsets = np.arange(-half, half + 1) * spacing
        kernel = np.exp(-0.5 * (offsets / sigma) ** 2)
        kernel /= kernel.sum()
        padded = jnp.pad(resistance, [(half, half)] + [(0, 0)] * (resistance.ndim - 1), mode="edge")
        count = resistance.shape[0]
        return sum(float(w) * padded[k:k + count] for k, w in enumerate(kernel))

    def extrema(self, ts: np.ndarray, resistance: jnp.ndarray) -> Extrema:
        """The last counted maximum and minimum of the filtered R.

        Arguments:
            ts: uniform sample times, numpy (T,).
            resistance: (T, ...).
        """
        ts = np.asarray(ts)
        r = self.filtered(ts, resistance)
        half = round(self.hold / (2 * float(ts[1] - ts[0])))
        if half == 0:
            return last_extrema(jnp.asarray(ts), r)
        window = (2 * half + 1,) + (1,) * (r.ndim - 1)
        padding = [(half, half)] + [(0, 0)] * (r.ndim - 1)
        largest = jax.lax.reduce_window(r, -jnp.inf, jax.lax.max, window, (1,) * r.ndim, padding)
        smallest = jax.lax.reduce_window(r, jnp.inf, jax.lax.min, window, (1,) * r.ndim, padding)
        return last_extrema(jnp.asarray(ts), r, r >= largest, r <= smallest)

    def describe(self) -> dict:
        """Returns: the preamplifier as provenance attributes."""
        return {"preamplifier_bandwidth": "none (unfiltered)" if self.bandwidth is None else self.bandwidth,
                "preamplifier_hold": self.hold}


IDEAL = Preamplifier()
