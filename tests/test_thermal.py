"""The stochastic LLG: equilibrium statistics, convergence, 0 K limit, seeds, and phase noise."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import xarray as xr

import mtjphys as mp
from mtjphys.device import Preamplifier, thermal_preamplifier, thermal_start


def _small_angle_variance(record: mp.Parameters) -> float:
    """<m_x^2> = k_B T / (2 K_eff V) for easy axis z, N = (0, 0, 1): K_eff = Ku - mu0 Ms^2 / 2."""
    mu0, k_b = 1.25663706212e-6, 1.380649e-23
    k_eff = record["Ku"] - mu0 * record["Ms"] ** 2 / 2
    return k_b * record["temperature"] / (2 * k_eff * record["area"] * record["thickness"])


def _relax(record: mp.Parameters, count: int, duration: float, dt: float, seed: int) -> np.ndarray:
    """m after `duration` of the stochastic LLG at j = 0 from exactly m0, for `count` MTJs."""
    params = record.arrays()
    settings = mp.ThermalSolver(dt=dt, samples=2)
    m0 = jnp.broadcast_to(params["m0"], (count, 3))
    from mtjphys.device._thermal import integrate_thermal

    trace = integrate_thermal(record.model, settings, m0, jnp.zeros(count), params, duration,
                              jax.random.PRNGKey(seed), law=record["resistance_law"])
    return np.asarray(trace.end)


@pytest.fixture(scope="module")
def warm():
    # strongly damped so it equilibrates within a few ns; kT / (2 K V) ~ 3e-3: small angles
    return mp.Parameters({"temperature": 100.0, "alpha": 0.2})


@pytest.mark.parametrize(
    "alpha, duration",
    [pytest.param(0.2, 4e-9, marks=pytest.mark.slow),  # weakly damped: many precessions per relaxation time
     (1.0, 2e-9)],  # strongly damped: noise without its 1/(1 + alpha^2) would double <m_x^2>
)
def test_fluctuation_dissipation_small_angle_macrospin(alpha, duration):
    """From m0 exactly, the SDE alone must bring <m_x^2> to the Boltzmann value (and <m_x> to 0),
    whatever the damping: the drift and the noise both carry 1/(1 + alpha^2), the variance none.

    The tolerance (4 standard errors of 8000 samples, 6 %, plus 2 % for the step and the small-angle
    approximation) is tight enough at alpha = 1 to catch a noise amplitude off by sqrt(1 + alpha^2)
    (a variance off by a factor 2; at alpha = 0.2 that would be only 4 %)."""
    record = mp.Parameters({"temperature": 100.0, "alpha": alpha})
    m = _relax(record, 4000, duration, 2.5e-12, seed=1)
    expected = _small_angle_variance(record)
    variance = np.mean(m[:, :2] ** 2)  # x and y are equivalent
    standard_error = expected * np.sqrt(2 / (2 * m.shape[0]))
    assert abs(variance - expected) < 4 * standard_error + 0.02 * expected, (variance, expected)
    assert abs(np.mean(m[:, 0])) < 4 * np.sqrt(expected / m.shape[0])
    # Heun keeps |m| = 1 only to its local error: here ~5e-5 after 4 ns, shrinking as dt^2
    assert np.max(np.abs(np.linalg.norm(m, axis=1) - 1)) < 1e-4


@pytest.mark.slow
def test_equilibrium_statistics_converge_as_the_step_shrinks(warm):
    expected = _small_angle_variance(warm)
    runs = [_relax(warm, 3000, 3e-9, dt, seed=2) for dt in (1e-12, 5e-12)]
    standard_error = expected * np.sqrt(2 / 6000)
    for m in runs:
        assert abs(np.mean(m[:, :2] ** 2) - expected) < 4 * standard_error + 0.05 * expected
    drift = [np.max(np.abs(np.linalg.norm(m, axis=1) - 1)) for m in runs]
    assert drift[0] < drift[1] / 10  # norm error ~ dt^2


@pytest.mark.slow
def test_thermal_start_samples_the_boltzmann_distribution(warm):
    params = warm.arrays()
    m = thermal_start(warm.model, params, jnp.broadcast_to(params["m0"], (40000, 3)), jax.random.PRNGKey(3))
    expected = _small_angle_variance(warm)
    assert np.mean(np.asarray(m)[:, 0] ** 2) == pytest.approx(expected, rel=0.05)
    cold = thermal_start(warm.model, mp.Parameters().arrays(), jnp.broadcast_to(params["m0"], (5, 3)),
                         jax.random.PRNGKey(3))
    np.testing.assert_array_equal(np.asarray(cold), np.broadcast_to([0.0, 0.0, 1.0], (5, 3)))  # 0 K: no tilt


@pytest.mark.slow
def test_zero_temperature_limit_is_the_deterministic_neuron():
    record = mp.Parameters({"temperature": 1e-12})
    fine = mp.ThermalSolver(dt=1e-12)
    hot = mp.neuron_output(record, [0.8e10, 1e10], thermal=fine, preamplifier=Preamplifier()).delta_r
    cold = mp.neuron_output(mp.Parameters(), [0.8e10, 1e10]).delta_r
    np.testing.assert_allclose(hot, cold, atol=0.05)
    # through the thermal readout (filter and hold), the same on both sides
    readout = thermal_preamplifier(record)
    hot = mp.neuron_output(record, [0.8e10, 1e10], thermal=fine, preamplifier=readout).delta_r
    cold = mp.neuron_output(mp.Parameters(), [0.8e10, 1e10], preamplifier=readout).delta_r
    np.testing.assert_allclose(hot, cold, atol=0.05)


@pytest.mark.slow
def test_same_seed_same_noise():
    record = mp.Parameters({"temperature": 1.0, "area": mp.REFERENCE["area"] * 100})
    draws = [mp.neuron_output(record, np.full(256, 0.9e10), seed=s).delta_r[:8] for s in (4, 4, 5)]
    assert np.array_equal(draws[0], draws[1]) and not np.array_equal(draws[0], draws[2])
    assert len(set(np.round(draws[0], 9))) == 8  # independent MTJs differ


def test_phase_noise_grows_with_temperature():
    spreads, jitters = [], []
    for temperature in (0.01, 0.1, 1.0):
        record = mp.Parameters({"temperature": temperature, "area": mp.REFERENCE["area"] * 100})
        extrema = mp.neuron_output(record, np.full(256, 0.9e10), seed=6)
        spreads.append(np.std(extrema.delta_r))
        jitters.append(np.nanstd(extrema.time_max))
    assert spreads[0] < spreads[1] < spreads[2] and jitters[0] < jitters[1] < jitters[2]
    # thermal amplitude scales as sqrt(T): a decade in T is about sqrt(10) in spread
    assert 2 < spreads[2] / spreads[1] < 5


@pytest.mark.slow
def test_thermal_transfer_curve_and_trace(tmp_path):
    record = mp.Parameters({"temperature": 1.0, "area": mp.REFERENCE["area"] * 100})
    curve = mp.transfer_curve(record, np.linspace(0.8e10, 1e10, 3), samples=32)
    assert curve.delta_r_std.dims == ("current_density",) and np.all(curve.delta_r_std > 0)
    assert curve.attrs["seed"] == 0 and "Heun" in curve.attrs["solver"]
    trace = mp.neuron_trace(record, 0.9e10, duration=3e-9, time_step=2.5e-12, seed=2)
    again = mp.neuron_trace(record, 0.9e10, duration=3e-9, time_step=2.5e-12, seed=2)
    assert np.array_equal(trace.resistance.values, again.resistance.values)
    # a sampling interval that the SDE step does not divide refines the step, never coarsens it
    refined = mp.neuron_trace(record, 0.9e10, time_step=4e-12, seed=2)
    assert float(refined.attrs["dt"]) == pytest.approx(2e-12)


@pytest.mark.slow
def test_thermal_networks_device_and_surrogate():
    """A thermal network runs in both modes; the surrogate draws from the SDE's own distribution."""
    record = mp.Parameters({"temperature": 1.0, "area": mp.REFERENCE["area"] * 1e4})
    architecture = mp.Architecture(n_mtj=8, n_inputs=1, n_outputs=1, bias_scale=0.5)
    drive = mp.make_drive(20, inputs=np.sin(0.3 * np.arange(20)), n_inputs=1)
    rates = {}
    for mode in ("device", "surrogate"):
        network = mp.random_network(architecture, record, seed=1, mode=mode, thermal_samples=128)
        stochastic = network.nonlinearity.device.thermal if mode == "device" else \
            type(network.nonlinearity).__name__ == "ThermalSurrogateNonlinearity"
        assert stochastic
        rates[mode] = mp.simulate(network, drive, record_mtjs=8, progress=False).trajectory.mtj_outputs
    # the same dynamics up to noise of a few percent of the output range
    assert np.max(np.abs(rates["device"] - rates["surrogate"])) < 0.3
    assert np.std(rates["device"] - rates["surrogate"]) > 1e-4  # but independent noise


def test_a_thermal_surrogate_is_refused_where_it_cannot_serve():
    warm = mp.Parameters({"temperature": 300.0})
    with pytest.raises(mp.MtjphysError, match="needs identical MTJs"):
        mp.make_nonlinearity([warm, warm.replace(Ku=2.3e5)], 2, mode="surrogate")
    transfer = xr.Dataset({"delta_r": ("current_density", [100.0, 150.0])},
                          coords={"current_density": [0.5e10, 1.5e10]})
    with pytest.raises(mp.MtjphysError, match="describes 0 K"):
        mp.make_nonlinearity(warm, 2, mode="surrogate", transfer=transfer)
