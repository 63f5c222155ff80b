"""The implicit midpoint rule on the unit sphere for the stochastic LLG, solved by fixed-point iterations of
rotations (the scheme of Mentink et al., J. Phys.: Condens. Matter 22, 176001 (2010), with more than its one
corrector), and the linear stability of the fixed-step thermal solvers.

A stiff grid's fastest spin waves have nearly imaginary eigenvalues z = omega dt (i - alpha). Heun's
amplification 1 + z + z^2/2 exceeds 1 in modulus there unless alpha > (omega dt)^3 / 8, so at small damping
a grid-scale wave grows. The midpoint rule m1 = m0 + Omega(m*) x (m0 + m1) / 2 rotates every cell about the
angular velocity at the midpoint m* = (m0 + m1) / 2: each pass is the Cayley transform of a rotation, so |m|
is kept exactly. Solved by iteration from m* = m0, a wave's amplification after the predictor and K
corrections is g_K(z) = 1 + 2 sum_{j=1..K+1} (z/2)^j. K = 1 (Mentink's predictor-corrector, with the angular
velocity m x dm/dt read from the equation of motion) is Heun's polynomial, since the exchange field of the
stencil has no component along m near a uniform state. K = 2 and 3 damp every wave up to |z| = 1.77 and 1.49
at any alpha >= 0; K = 4 and 5 do not (|g| > 1 near the imaginary axis again). The iteration's residual
also damps the fast waves, which cools them at small alpha (their stationary variance scales as
alpha / (alpha + the added damping)): at omega dt = 0.6 with K = 3 the added damping (1 - |g|) / (omega dt)
is 2.2e-3 on that wave and 7e-5 on one of half its frequency, where with K = 2 it is 2.5e-2 and 3.3e-3.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import diffrax as dfx
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .._errors import MtjphysError


def _cayley_rotation(m: jnp.ndarray, rotation: jnp.ndarray) -> jnp.ndarray:
    """The m1 with m1 - m = rotation x (m + m1) / 2, in closed form: m rotated by the angle
    2 arctan(|rotation| / 2) about `rotation` (the Cayley transform), so |m1| = |m|.

    Arguments:
        m: vectors (..., 3); rotation: the rotation vectors of the step (angular velocity times dt), (..., 3).
    """
    half = rotation / 2
    # (1 - [a]x) m1 = (1 + [a]x) m, and (1 - [a]x)^-1 = (1 + [a]x + a a^T) / (1 + |a|^2)
    turned = m + jnp.cross(half, m)
    along = jnp.sum(half * turned, axis=-1, keepdims=True)
    return (turned + jnp.cross(half, turned) + half * along) / (1 + jnp.sum(half * half, axis=-1, keepdims=True))


def _direction(m: jnp.ndarray) -> jnp.ndarray:
    norm = jnp.linalg.norm(m, axis=-1, keepdims=True)
    return m / jnp.where(norm > 0, norm, 1.0)


def _split(state):
    """Returns: (directions, the rest or None) of a state that is an array of directions or a pair."""
    return state if isinstance(state, tuple) else (state, None)


def _join(directions, rest):
    return directions if rest is None else (directions, rest)


class SphericalMidpoint(dfx.AbstractStratonovichSolver):
    """The implicit midpoint rule for the stochastic LLG on the unit sphere, a fixed-step diffrax solver.

    Every pass evaluates the terms (drift dt plus the thermal field's G dW, the same Brownian increment for
    all passes) at the direction of the midpoint guess m*, takes the angular velocity Omega = m* x dm
    (dm the increment, tangent to m*), and rotates the step's start by it (`_cayley_rotation`): the first pass
    from m* = m0 is the predictor, each correction moves m* to (m0 + m1) / 2. The fixed point is the implicit
    midpoint rule, which converges to the Stratonovich solution (as Heun's method does) and keeps the exact
    stationary covariance of a linearised LLG at any step; every iterate keeps |m| = |m0| exactly.

    Stable for a wave of phase omega dt up to 1.49 at any damping with 3 corrections (1.77 with 2; see the
    module's note and `stable_phase`). The state is an array (..., 3): MTJs or cells, the vector last; or a
pair (directions, rest) whose rest (a lagging temperature) takes the plain implicit midpoint rule,
rest1 = rest0 + increment at the midpoint, solved by the same passes.

    Arguments:
        corrections: passes after the predictor (each one more evaluation of the terms).
    """

    corrections: int = eqx.field(static=True, default=3)

    term_structure: ClassVar = dfx.AbstractTerm
    interpolation_cls: ClassVar[Callable[..., dfx.LocalLinearInterpolation]] = dfx.LocalLinearInterpolation

    def __check_init__(self):
        if not (isinstance(self.corrections, int) and self.corrections >= 1):
            raise MtjphysError(f"the midpoint needs at least one correction after its predictor, got "
                               f"{self.corrections!r}")

    def order(self, terms):
        return 2

    def strong_order(self, terms):
        return 0.5

    def init(self, terms, t0, t1, y0, args):
        return None

    def step(self, terms, t0, t1, y0, args, solver_state, made_jump):
        del solver_state, made_jump
        control = terms.contr(t0, t1)
        midtime = t0 + (t1 - t0) / 2

        m0, rest0 = _split(y0)

        def rotated(_, y1):
            m1, rest1 = _split(y1)
            midpoint = _direction((m0 + m1) / 2)  # y1 = y0 on the first pass: the predictor
            rest = jax.tree_util.tree_map(lambda a, b: (a + b) / 2, rest0, rest1)
            increment, rest_increment = _split(terms.vf_prod(midtime, _join(midpoint, rest), args, control))
            return _join(_cayley_rotation(m0, jnp.cross(midpoint, increment)),
                         jax.tree_util.tree_map(jnp.add, rest0, rest_increment))

        y1 = jax.lax.fori_loop(0, self.corrections + 1, rotated, y0)
        return y1, None, dict(y0=y0, y1=y1), None, dfx.RESULTS.successful

    def func(self, terms, t0, y0, args):
        return terms.vf(t0, y0, args)

    def describe(self) -> str:
        return (f"SphericalMidpoint: implicit midpoint on the sphere, predictor and {self.corrections} corrections, "
                "each a rotation (Mentink et al., J. Phys.: Condens. Matter 22, 176001 (2010)); Stratonovich, "
                "fixed step")


def _amplification(solver: dfx.AbstractSolver, z: np.ndarray) -> np.ndarray | None:
    """The factor by which one step multiplies a linear wave dm/dt = lambda m, z = lambda dt, or None for a
    solver whose factor is not known here."""
    if isinstance(solver, SphericalMidpoint):
        corrections = solver.corrections
    elif isinstance(solver, dfx.Heun):
        corrections = 1  # 1 + z + z^2/2
    else:
        return None
    share = np.ones_like(z)  # (m* - m0) / (z m0) after each pass
    for _ in range(corrections):
        share = 1 + z * share / 2
    return 1 + z * share


def stable_phase(solver: dfx.AbstractSolver, alpha: float) -> float | None:
    """The largest omega dt at which a fixed step of `solver` damps every linear wave of the LLG at damping
    `alpha`, or None where the solver's stability is not known here.

    A wave precessing at omega has z = omega dt (i - a) / (1 + a^2) with a >= alpha (a = alpha for circular
    precession, more for elliptical or overdamped modes): every ray from the one of damping ratio alpha to the
    negative real axis is scanned, |z| up to 4.

    Returns:
        The phase [rad] per step below which |g(z)| <= 1 on all those rays; 0 where no step is stable, as for
        Heun at alpha = 0 (a limit below 0.01 rad, where only rounding hides the growth, counts as none).
    """
    angles = np.linspace(np.arctan2(1.0, -alpha), np.pi, 91)[:, None]
    phases = np.linspace(0.0, 4.0, 8001)[None, 1:]
    gain = _amplification(solver, phases * np.exp(1j * angles))
    if gain is None:
        return None
    unstable = np.abs(gain) > 1 + 1e-12
    first = np.where(unstable.any(axis=1), phases[0, np.argmax(unstable, axis=1)], np.inf)
    limit = min(float(first.min()), float(phases[0, -1]))
    return 0.0 if limit < 0.01 else limit
