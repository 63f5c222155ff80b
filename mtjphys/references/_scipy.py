"""An independent reference for the neuron: numpy + scipy, typed from the design equations.

It solves the Gilbert form directly, (I - alpha [m]_x) dm/dt = T(m), with a 3x3 linear solve at
every evaluation, so it shares neither the symbolic derivation nor the generated code.
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

HBAR, CHARGE, MU0 = 1.054571817e-34, 1.602176634e-19, 1.25663706212e-6


def _skew(v):
    return np.array([[0, -v[2], v[1]], [v[2], 0, -v[0]], [-v[1], v[0], 0]])


def gilbert_rhs(record: dict, current_density: float):
    """Returns: f(t, m) = dm/dt for a parameter record (a dict of SI values)."""
    gamma, alpha, ms, d = record["gamma"], record["alpha"], record["Ms"], record["thickness"]
    u, n = np.asarray(record["easy_axis"], float), np.asarray(record["demag_factors"], float)
    h_ext, p = np.asarray(record["H_ext"], float), np.asarray(record["fixed_layer"], float)
    u, p = u / np.linalg.norm(u), p / np.linalg.norm(p)
    lam2, pol, eps_prime = record["Lambda"] ** 2, record["polarization"], record["epsilon_prime"]
    b_j = HBAR * current_density / (CHARGE * d * ms)

    def rhs(t, m):
        field = MU0 * h_ext + 2 * record["Ku"] / ms * (m @ u) * u - MU0 * ms * n * m
        eps = pol * lam2 / ((lam2 + 1) + (lam2 - 1) * (m @ p))
        torque = (-gamma * np.cross(m, field) + gamma * b_j * eps * np.cross(m, np.cross(p, m))
                  - gamma * b_j * eps_prime * np.cross(m, p))
        return np.linalg.solve(np.eye(3) - alpha * _skew(m), torque)

    return rhs


def resistance(record: dict, m: np.ndarray) -> np.ndarray:
    p = np.asarray(record["fixed_layer"], float)
    cos = m @ (p / np.linalg.norm(p))
    g_p, g_ap = 1 / record["R_P"], 1 / record["R_AP"]
    if record["resistance_law"] == "linear_conductance":
        return 1 / ((g_p + g_ap) / 2 + (g_p - g_ap) / 2 * cos)
    return (record["R_P"] + record["R_AP"]) / 2 - (record["R_AP"] - record["R_P"]) / 2 * cos


def trace(record: dict, current_density: float, times: np.ndarray, rtol: float = 1e-10, atol: float = 1e-12):
    """Returns: (m at `times` [T, 3], R at `times` [T]) by DOP853."""
    m0 = np.asarray(record["m0"], float)
    solution = solve_ivp(gilbert_rhs(record, current_density), (times[0], times[-1]), m0 / np.linalg.norm(m0),
                         method="DOP853", rtol=rtol, atol=atol, t_eval=times)
    m = solution.y.T
    return m, resistance(record, m)


def delta_r(record: dict, current_density: float, window: float = 1.5e-9, samples: int = 30001) -> float:
    """The neuron output by brute force: last max minus last min on a 0.05 ps grid (no refinement)."""
    times = np.linspace(0.0, window, samples)
    _, r = trace(record, current_density, times)
    inner = r[1:-1]
    maxima = np.flatnonzero((inner >= r[:-2]) & (inner > r[2:]))
    minima = np.flatnonzero((inner <= r[:-2]) & (inner < r[2:]))
    return float(inner[maxima[-1]] - inner[minima[-1]])
