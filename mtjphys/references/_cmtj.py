"""cmtj, an independent macrospin code, driven from a parameter record."""

from __future__ import annotations

import numpy as np

_HBAR, _CHARGE, _MU0 = 1.054571817e-34, 1.602176634e-19, 1.25663706212e-6


def cmtj_trace(
    record: dict, current_density: float, duration: float, time_step: float, *, match_alpha_mixing: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """m(t) and R(t) of a parameter record integrated by cmtj (fixed-step RK4, every step logged).

    cmtj conventions (cmtj 1.15, core/junction.hpp: Layer::solveLLG, calculateHeffDipoleInjection,
    rk4_step, Junction::runSimulation; core/constants.hpp):
      * fields H are in A/m and the torque prefactor is GYRO = gamma*mu0 [m/(A s)], hard-coded
        220880 (gamma = 1.7577e11 rad/(s T) with its mu0 = 1.2566e-6, 0.1 % below ours). Ms is
        given in tesla; anisotropy field 2 K (m.u) u / Ms_T, demag N m Ms_T / mu0. Here its
        constants (gyromagnetic ratio, mu0, hbar, e) are set to ours, gyro = record gamma * mu0, and
        restored afterwards, so nothing is lost in the units: Ms_T = mu0 Ms.
      * dm/dt = -GYRO/(1+a^2) [m x H + a m x (m x H)]
                + GYRO aJ eta/(1+a^2) [m x (p x m) + beta m x p],
        aJ = hbar j / (e Ms_T d) = b_J/mu0, eta = P L^2 / ((L^2+1) + (L^2-1) m.p); the STT terms carry
        the 1/(1+a^2) factor but none of the Gilbert -> LL mixing. Positive current and the fixed
        reference vector (setReferenceLayer) act like ours: p = fixed_layer, j of the same sign.
      * match_alpha_mixing=True (exact): spinPolarisation = P, beta = +alpha, and the constant
        epsilon_prime torque (Gilbert form, = a field b_J eps' p) enters as an extra applied field
        eps' aJ p [A/m], which cmtj mixes with alpha itself. This is our equation term for term.
        match_alpha_mixing=False (naive): spinPolarisation = P, beta = -epsilon_prime, no field;
        it lacks our field-like alpha b_J eps m x p term, an O(alpha) relative difference.
      * runSimulation logs the state *after* step i under time i*dt and never logs m0; the times
        returned here are the true ones, (0, dt, ..., n dt) with m0 first.
    R is computed from m by the record's resistance law (cmtj's own single-layer R is the
    linear_resistance law). Nothing is written to disk.

    Arguments:
        record: plain dict of the parameter record (SI units, vectors as sequences).
        current_density: j [A/m^2].
        duration: [s], rounded to a whole number of steps.
        time_step: RK4 step [s]; every step is returned.

    Returns:
        (times [T] s, m [T, 3], resistance [T] ohm), T = round(duration/time_step) + 1.
    """
    import cmtj
    constants = cmtj.constants.PhysicalConstants

    unit = lambda v: np.asarray(v, float) / np.linalg.norm(v)
    vector = lambda v: cmtj.CVector(*map(float, v))
    driver = lambda x: cmtj.constantDriver(float(x))
    alpha, ms, d = float(record["alpha"]), float(record["Ms"]), float(record["thickness"])
    p, u, m0 = unit(record["fixed_layer"]), unit(record["easy_axis"]), unit(record["m0"])
    nx, ny, nz = map(float, record["demag_factors"])
    eps_prime = float(record["epsilon_prime"])
    a_j = _HBAR * current_density / (_CHARGE * _MU0 * ms * d)  # [A/m], = b_J / mu0
    h_ext = np.asarray(record["H_ext"], float)
    if match_alpha_mixing:
        beta, h_ext = alpha, h_ext + eps_prime * a_j * p
    else:
        beta = -eps_prime
    steps = round(duration / time_step)

    saved = {name: getattr(constants, name)() for name in
             ("gyromagnetic_ratio", "magnetic_permeability", "hbar", "elementary_charge")}
    try:
        constants.set_gyromagnetic_ratio(float(record["gamma"]) * _MU0)
        constants.set_magnetic_permeability(_MU0)
        constants.set_hbar(_HBAR)
        constants.set_elementary_charge(_CHARGE)
        layer = cmtj.Layer.createSTTLayer(
            "free", vector(m0), vector(u), _MU0 * ms, d, float(record["area"]),
            [vector((nx, 0, 0)), vector((0, ny, 0)), vector((0, 0, nz))], damping=alpha,
            SlonczewskiSpacerLayerParameter=float(record["Lambda"]), beta=beta,
            spinPolarisation=float(record["polarization"]))
        layer.setReferenceLayer(vector(p))
        junction = cmtj.Junction([layer])
        junction.setLayerAnisotropyDriver("free", driver(record["Ku"]))
        junction.setLayerCurrentDriver("free", driver(current_density))
        junction.setLayerExternalFieldDriver("free", cmtj.AxialDriver(*map(driver, h_ext)))
        # (steps + 0.5) dt: runSimulation truncates totalTime / timeStep to an integer.
        junction.runSimulation((steps + 0.5) * time_step, time_step, time_step, solverMode=cmtj.RK4)
        log = junction.getLog()
    finally:
        for name, value in saved.items():
            getattr(constants, "set_" + name)(value)
    logged = np.stack([np.asarray(log[f"free_m{c}"], float) for c in "xyz"], axis=-1)
    if logged.shape[0] != steps:
        raise RuntimeError(f"cmtj logged {logged.shape[0]} states, expected {steps}")
    m = np.concatenate([m0[None], logged])
    times = time_step * np.arange(steps + 1)
    cos = m @ p
    if record["resistance_law"] == "linear_conductance":
        g_p, g_ap = 1 / record["R_P"], 1 / record["R_AP"]
        resistance = 1 / ((g_p + g_ap) / 2 + (g_p - g_ap) / 2 * cos)
    elif record["resistance_law"] == "linear_resistance":
        resistance = (record["R_P"] + record["R_AP"]) / 2 - (record["R_AP"] - record["R_P"]) / 2 * cos
    else:
        raise ValueError(f"unknown resistance law {record['resistance_law']!r}")
    return times, m, resistance
