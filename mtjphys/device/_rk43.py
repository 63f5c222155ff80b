"""An explicit Runge-Kutta pair for right-hand sides whose step is limited by stability along the imaginary axis:
a micromagnetic grid's exchange makes spin waves of nearly imaginary eigenvalues (damping alpha << 1) far faster
than the dynamics, and an explicit scheme's step is then set by how far up the imaginary axis its stability region
reaches per right-hand side.

The classical fourth-order Runge-Kutta method reaches 2 sqrt(2) ~ 2.83 with four right-hand sides a step, 0.71 per
evaluation; Dormand-Prince 8(5,3) reaches ~4.5 with thirteen (0.34), Dormand-Prince 5(4) and Tsitouras 5(4) about
0.3 to 0.55 with six, Bogacki-Shampine 3(2) sqrt(3) with three (0.58). Its embedded third-order solution uses the
derivative at the new point (first same as last, so it costs no evaluation): b_hat = (1/6, 1/3, 1/3, 0, 1/6), whose
difference from the fourth-order weights is h (k_4 - f(y_1)) / 6.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import diffrax as dfx
import numpy as np
from diffrax import ThirdOrderHermitePolynomialInterpolation

_rk43_tableau = dfx.ButcherTableau(
    a_lower=(
        np.array([1 / 2]),
        np.array([0.0, 1 / 2]),
        np.array([0.0, 0.0, 1.0]),
        np.array([1 / 6, 1 / 3, 1 / 3, 1 / 6]),
    ),
    b_sol=np.array([1 / 6, 1 / 3, 1 / 3, 1 / 6, 0.0]),
    b_error=np.array([0.0, 0.0, 0.0, 1 / 6, -1 / 6]),
    c=np.array([1 / 2, 1 / 2, 1.0, 1.0]),
)


class RK43(dfx.AbstractERK):
    """The classical fourth-order Runge-Kutta method with an embedded third-order solution for step-size control
    (five stages, first same as last: four right-hand sides a step), and third-order Hermite interpolation for
    dense output. Of diffrax's explicit pairs it takes the longest stable step per right-hand side on nearly
    imaginary eigenvalues (see the module's notes), where a grid's exchange limits the step.

    Arguments: none.
    """

    tableau: ClassVar[dfx.ButcherTableau] = _rk43_tableau
    interpolation_cls: ClassVar[Callable[..., ThirdOrderHermitePolynomialInterpolation]] = (
        ThirdOrderHermitePolynomialInterpolation.from_k)

    def order(self, terms):
        del terms
        return 4
