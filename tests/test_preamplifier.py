"""The readout: the pre-amplifier's response, the hold rule against noise wiggles, the ringing's frequency."""

import jax.numpy as jnp
import numpy as np
import pytest

import mtjphys as mp
from mtjphys.device import DEFAULT_BANDWIDTH, Preamplifier, thermal_preamplifier


def _amplitude_after(readout, frequency):
    ts = np.arange(4000) * 1e-12
    signal = jnp.asarray(np.sin(2 * np.pi * frequency * ts))
    out = np.asarray(readout.filtered(ts, signal))[1000:-1000]  # away from the ends
    return np.sqrt(2) * out.std()


@pytest.mark.parametrize("ratio, expected", [(1.0, 2**-0.5), (0.25, np.exp(-np.log(2) / 32)), (2.0, 0.25)])
def test_the_preamplifier_has_its_bandwidth(ratio, expected):
    readout = Preamplifier(bandwidth=20e9)
    assert _amplitude_after(readout, ratio * 20e9) == pytest.approx(expected, rel=2e-3)


def test_the_hold_keeps_the_ringing_and_rejects_noise_wiggles():
    """A damped 2.8 GHz ringing with wiggles of 20 ps: every local extremum is a wiggle; held over
    half a period, the readout finds the ringing's own last maximum and minimum."""
    frequency, ts = 2.8e9, np.linspace(0.0, 1.5e-9, 301)
    clean = 3 + 2 * np.cos(2 * np.pi * frequency * ts) * np.exp(-ts / 4e-9)
    wiggles = 0.05 * np.sin(2 * np.pi * ts / 20e-12 + 0.4)
    noisy = jnp.asarray((clean + wiggles)[:, None])
    exact = Preamplifier().extrema(ts, jnp.asarray(clean[:, None]))
    naive = Preamplifier().extrema(ts, noisy)
    held = Preamplifier(hold=0.5 / frequency).extrema(ts, noisy)
    gap = lambda e: abs(float(e.time_max[0] - e.time_min[0]))
    assert gap(naive) < 25e-12  # a wiggle's own max and min
    assert gap(held) == pytest.approx(gap(exact), abs=10e-12)
    assert float(held.delta_r[0]) == pytest.approx(float(exact.delta_r[0]), abs=0.1)
    # on a clean ringing the hold changes nothing
    np.testing.assert_allclose(Preamplifier(hold=0.5 / frequency).extrema(ts, jnp.asarray(clean[:, None])).delta_r,
                               exact.delta_r, rtol=1e-12)


def test_precession_frequency_is_kittels_for_the_reference():
    record = mp.Parameters()
    mu0 = 1.25663706212e-6
    b_k = 2 * record["Ku"] / record["Ms"] - mu0 * record["Ms"]
    kittel = record["gamma"] * b_k / (2 * np.pi * (1 + record["alpha"] ** 2))
    assert float(mp.precession_frequency(record)) == pytest.approx(kittel, rel=1e-10)
    # and the simulated ringing has that period: extrema half a period apart
    extrema = mp.neuron_output(record, 0.3e10)
    assert 2 * abs(float(extrema.time_max - extrema.time_min)) == pytest.approx(1 / kittel, rel=0.05)
    readout = thermal_preamplifier([record, record.replace(Ku=2.6e5)])
    assert readout.hold == pytest.approx(0.5 / float(mp.precession_frequency(record.replace(Ku=2.6e5))))


@pytest.mark.parametrize("options, message", [({"bandwidth": 0.0}, "bandwidth must be a positive"),
                                              ({"bandwidth": float("nan")}, "bandwidth must be a positive"),
                                              ({"hold": -1e-12}, "hold time must be >= 0")])
def test_impossible_readouts_are_refused(options, message):
    with pytest.raises(mp.MtjphysError, match=message):
        Preamplifier(**options)


@pytest.mark.slow
def test_the_readout_is_recorded_and_honoured(tmp_path):
    record = mp.Parameters({"temperature": 1.0, "area": mp.REFERENCE["area"] * 100, "breakdown_voltage": None})
    narrow = thermal_preamplifier(record, bandwidth=5e9)
    curve = mp.transfer_curve(record, [0.8e10, 1e10], samples=16, preamplifier=narrow)
    assert curve.attrs["preamplifier_bandwidth"] == 5e9 and curve.attrs["preamplifier_hold"] == narrow.hold
    wide = mp.transfer_curve(record, [0.8e10, 1e10], samples=16)
    assert wide.attrs["preamplifier_bandwidth"] == DEFAULT_BANDWIDTH
    # a narrower pre-amplifier passes less of the 2.8 GHz ringing
    assert np.all(curve.delta_r.values < wide.delta_r.values)
