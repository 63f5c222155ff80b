"""The MTJ neuron reproduces the paper's Fig. 1 numbers; dR extraction is exact on known signals."""

import jax.numpy as jnp
import numpy as np
import pytest

import mtjphys as mp
from mtjphys.device import last_extrema


@pytest.fixture(scope="module")
def parameters():
    return mp.Parameters()


def test_equilibrium_resistance_is_the_papers(parameters):
    assert abs(mp.equilibrium_resistance(parameters) - 11.05e3) / 11.05e3 < 1e-3


def test_transfer_curve_reproduces_fig1d(parameters):
    curve = mp.transfer_curve(parameters, np.linspace(0.8e10, 1.0e10, 21))
    delta_r = curve.delta_r.values
    assert abs(delta_r[0] - 114) <= 3 and abs(delta_r[-1] - 145) <= 3
    assert np.all(np.diff(delta_r) > 0)
    # normalised over the curve's own range (increasing here, so its ends)
    expected = (delta_r - delta_r[0]) / (delta_r[-1] - delta_r[0])
    np.testing.assert_allclose(curve.delta_r_normalized.values, expected, rtol=1e-12, atol=1e-15)
    assert curve.delta_r.attrs["units"] == "ohm" and curve.current_density.attrs["units"] == "A/m^2"
    assert float(curve.resistance_equilibrium) == pytest.approx(11.05e3, rel=1e-3)


def test_ringing_is_damped_with_several_extrema(parameters):
    trace = mp.neuron_trace(parameters, 0.9e10, duration=6e-9)
    r = trace.resistance.values
    window = r[trace.time.values <= mp.NEURON_WINDOW]
    inner = window[1:-1]
    maxima = np.sum((inner > window[:-2]) & (inner > window[2:]))
    extrema = maxima + np.sum((inner < window[:-2]) & (inner < window[2:]))
    assert extrema >= 3
    # the oscillation decays: the late swing is smaller than the early one
    early = np.ptp(r[trace.time.values <= 1e-9])
    late = np.ptp(r[trace.time.values >= 5e-9])
    assert late < 0.9 * early
    assert float(trace.time_last_max) < mp.NEURON_WINDOW and float(trace.time_last_min) < mp.NEURON_WINDOW
    # dR read off the saved 1 ps trace by hand: the last sampled maximum and minimum in the window
    # (their parabolic refinement moves each by ~1e-3 ohm at this sampling)
    inner_index = np.arange(1, window.size - 1)
    last_max = inner_index[(inner > window[:-2]) & (inner > window[2:])][-1]
    last_min = inner_index[(inner < window[:-2]) & (inner < window[2:])][-1]
    assert float(trace.delta_r) == pytest.approx(window[last_max] - window[last_min], abs=0.02)
    assert float(trace.time_last_max) == pytest.approx(trace.time.values[last_max], abs=1e-12)
    assert float(trace.time_last_min) == pytest.approx(trace.time.values[last_min], abs=1e-12)


def test_last_extrema_of_a_known_signal():
    """R = 3 + 2 cos(w t) e^{-t/tau}: the extrema are known in closed form."""
    omega, tau = 2 * np.pi * 2.8e9, 4e-9
    ts = jnp.linspace(0.0, 1.5e-9, 301)
    r = 3.0 + 2.0 * jnp.cos(omega * ts) * jnp.exp(-ts / tau)
    extrema = last_extrema(ts, r[:, None])
    # extrema of cos(wt) e^{-t/tau}: tan(wt) = -1/(w tau)
    shift = np.arctan(-1 / (omega * tau)) / omega
    t_max = shift + 8 * np.pi / omega  # 4 periods
    t_min = shift + 7 * np.pi / omega
    assert float(extrema.time_max[0]) == pytest.approx(t_max, abs=1e-14)
    assert float(extrema.time_min[0]) == pytest.approx(t_min, abs=1e-14)
    exact = 2 * (np.cos(omega * t_max) * np.exp(-t_max / tau) - np.cos(omega * t_min) * np.exp(-t_min / tau))
    assert abs(float(extrema.delta_r[0]) - exact) < 1e-5 * abs(exact)


def test_no_ringing_gives_zero_output(parameters):
    extrema = mp.neuron_output(parameters, 0.0)
    assert float(extrema.delta_r) == 0.0 and np.isnan(float(extrema.time_max))


def test_monotonic_signal_has_no_extrema():
    ts = jnp.linspace(0.0, 1.0, 50)
    extrema = last_extrema(ts, ts**2)
    assert float(extrema.delta_r) == 0.0
