"""Cross-check of the macrospin solver against cmtj, an independent C++ macrospin code.

cmtj integrates the same equation by fixed-step RK4 (see `mtjphys.references.cmtj_trace` for the
mapping of the parameter record onto its inputs). At a 10 fs step its truncation error is far below
our adaptive solver's tolerance (checked below against scipy's DOP853 at rtol 1e-12), so the
differences to our solver measure our solver's error: Dopri8 at rtol 1e-7 / atol 1e-9 leaves
~1e-7 in m, ~4e3 ohm per unit of m.p in R, i.e. ~1e-4..1e-3 ohm (measured: 1.2e-4 ohm, 3.4e-8 in m).
"""

import numpy as np
import pytest

pytest.importorskip("cmtj")

import mtjphys as mp
from mtjphys import references
from mtjphys.device import last_extrema
from mtjphys.references import cmtj_trace

J = 0.9e10  # [A/m^2]
WINDOW = mp.NEURON_WINDOW  # 1.5 ns
STEP = 1e-14  # [s] cmtj's RK4 step
SAMPLE = 1e-12  # [s] spacing of our saved trace
R_TOL = 1e-3  # [ohm] trace and dR agreement with our solver (measured ~1.2e-4 and ~7e-5)
M_TOL = 1e-6  # m agreement (measured 3.4e-8)


@pytest.fixture(scope="module")
def parameters():
    return mp.Parameters()


@pytest.fixture(scope="module")
def ours(parameters):
    return mp.neuron_trace(parameters, J, duration=WINDOW, time_step=SAMPLE)


def _cmtj_on(times, record, current_density, *, step=STEP, match_alpha_mixing=True):
    """cmtj's (m, R) on a uniform grid `times` starting at 0 (a multiple of its step)."""
    ts, m, r = cmtj_trace(record, current_density, times[-1], step, match_alpha_mixing=match_alpha_mixing)
    every = round((times[1] - times[0]) / step)
    ts, m, r = ts[::every], m[::every], r[::every]
    np.testing.assert_allclose(ts, times, rtol=0, atol=1e-3 * step)
    return m, r


def _cmtj_delta_r(record, current_density, match_alpha_mixing=True):
    """dR of cmtj's R(t), sampled on the neuron solver's grid and refined like ours."""
    grid = np.linspace(0.0, WINDOW, mp.NeuronSolver().samples)
    _, r = _cmtj_on(grid, record, current_density, match_alpha_mixing=match_alpha_mixing)
    return float(last_extrema(grid, r).delta_r)


GENERAL = dict(alpha=0.05, epsilon_prime=0.1, fixed_layer=[1.0, 0.3, -0.2], H_ext=[1e4, -2e4, 5e3],
               demag_factors=[0.1, 0.2, 0.7], easy_axis=[0.1, 0.0, 1.0], m0=[0.2, 0.1, 1.0],
               resistance_law="linear_resistance")


@pytest.mark.parametrize("changes", [{}, GENERAL], ids=["reference", "general"])
def test_cmtj_mapping_is_exact_and_its_rk4_converged(parameters, changes):
    """The mapping (incl. eps' as a field, beta = alpha, the log's time shift) against DOP853."""
    record = dict(parameters.to_dict(), **changes)
    times = np.linspace(0.0, WINDOW, round(WINDOW / SAMPLE) + 1)
    m_fine, r_fine = _cmtj_on(times, record, 1.2e10)
    _m_coarse, r_coarse = _cmtj_on(times, record, 1.2e10, step=10 * STEP)
    m_ref, r_ref = references.scipy_trace(record, 1.2e10, times, rtol=1e-12, atol=1e-14)
    assert np.abs(r_fine - r_coarse).max() < 1e-6  # measured ~1e-9: RK4 at 10 fs is converged
    assert np.abs(r_fine - r_ref).max() < 1e-6  # measured ~4e-10 (reference), ~1.4e-7 (general)
    assert np.abs(m_fine - m_ref).max() < 1e-9  # measured ~1e-13 (reference), ~4e-11 (general)


def test_trace_matches_cmtj(parameters, ours):
    m, r = _cmtj_on(ours.time.values, parameters.to_dict(), J)
    assert np.abs(r - ours.resistance.values).max() < R_TOL
    assert np.abs(m - ours.m.values).max() < M_TOL
    assert np.ptp(ours.resistance.values) > 100  # the ringing is there to be compared (~146 ohm)


def test_delta_r_matches_cmtj(parameters):
    js = [0.8e10, 1.0e10]
    theirs = np.array([_cmtj_delta_r(parameters.to_dict(), j) for j in js])
    np.testing.assert_allclose(np.asarray(mp.neuron_output(parameters, js).delta_r), theirs, rtol=0, atol=R_TOL)
    np.testing.assert_allclose(theirs, [113.983, 144.919], rtol=0, atol=2e-3)


def test_alpha_mixing_of_the_spin_torque_is_order_alpha(parameters, ours):
    """cmtj fed naively (beta = -eps' = 0) lacks our field-like torque alpha b_J eps m x p."""
    alpha, record = parameters["alpha"], parameters.to_dict()
    r_ours, m_ours = ours.resistance.values, ours.m.values
    m_exact, r_exact = _cmtj_on(ours.time.values, record, J)
    m_naive, r_naive = _cmtj_on(ours.time.values, record, J, match_alpha_mixing=False)
    r_exact_diff, r_naive_diff = np.abs(r_exact - r_ours).max(), np.abs(r_naive - r_ours).max()
    m_exact_diff, m_naive_diff = np.abs(m_exact - m_ours).max(), np.abs(m_naive - m_ours).max()
    assert r_naive_diff > 100 * r_exact_diff  # measured 1.49 ohm vs 1.2e-4 ohm
    assert m_naive_diff > 100 * m_exact_diff  # measured 4.0e-4 vs 3.4e-8
    # O(alpha) relative to the ringing: 1.49 ohm of a 146 ohm swing, 4.0e-4 of a 0.040 tilt
    assert alpha / 3 < r_naive_diff / np.ptp(r_ours) < 3 * alpha
    assert alpha / 3 < m_naive_diff / np.hypot(m_ours[:, 0], m_ours[:, 1]).max() < 3 * alpha
    # dR only at second order: the missing torque acts like a field ~alpha b_J eps along p,
    # which shifts the centre of the ringing more than its amplitude (measured 0.028, 0.042 ohm).
    js = [0.8e10, 1.0e10]
    delta_ours = np.asarray(mp.neuron_output(parameters, js).delta_r)
    exact = np.abs([_cmtj_delta_r(record, j) for j in js] - delta_ours)
    naive = np.abs([_cmtj_delta_r(record, j, match_alpha_mixing=False) for j in js] - delta_ours)
    assert np.all(naive > 10 * exact)
    assert np.all(naive < alpha * delta_ours)


def test_cmtj_constants_are_restored(parameters):
    import cmtj

    constants = cmtj.constants.PhysicalConstants
    names = ("gyromagnetic_ratio", "magnetic_permeability", "hbar", "elementary_charge")
    before = [getattr(constants, name)() for name in names]
    cmtj_trace(parameters.to_dict(), J, 1e-11, 1e-13)
    assert [getattr(constants, name)() for name in names] == before
