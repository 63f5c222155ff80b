"""The stochastic LLG: equilibrium statistics, convergence, 0 K limit, seeds, phase noise, and the stepper of a
micromagnetic grid."""

import math

import diffrax as dfx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
import xarray as xr

import mtjphys as mp
from mtjphys import references
from mtjphys.device import (
    Preamplifier,
    SphericalMidpoint,
    stable_phase,
    stiffest_precession,
    thermal_preamplifier,
    thermal_solver_for,
    thermal_start,
)
from mtjphys.device._thermal import integrate_thermal

K_B = 1.380649e-23


def _small_angle_variance(record: mp.Parameters) -> float:
    """<m_x^2> = k_B T / (2 K_eff V) for easy axis z, N = (0, 0, 1): K_eff = Ku - mu0 Ms^2 / 2."""
    mu0, k_b = 1.25663706212e-6, 1.380649e-23
    k_eff = record["Ku"] - mu0 * record["Ms"] ** 2 / 2
    return k_b * record["temperature"] / (2 * k_eff * record["area"] * record["thickness"])


def _relax(record: mp.Parameters, count: int, duration: float, dt: float, seed: int,
           solver: dfx.AbstractSolver = dfx.Heun()) -> np.ndarray:
    """m after `duration` of the stochastic LLG at j = 0 from exactly m0, for `count` MTJs."""
    params = record.arrays()
    settings = mp.ThermalSolver(solver=solver, dt=dt, samples=2)
    m0 = jnp.broadcast_to(params["m0"], (count, 3))
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
    record = mp.Parameters({"temperature": 1.0, "area": mp.REFERENCE["area"] * 100, "breakdown_voltage": None})
    draws = [mp.neuron_output(record, np.full(256, 0.9e10), seed=s).delta_r[:8] for s in (4, 4, 5)]
    assert np.array_equal(draws[0], draws[1]) and not np.array_equal(draws[0], draws[2])
    assert len(set(np.round(draws[0], 9))) == 8  # independent MTJs differ


def test_phase_noise_grows_with_temperature():
    spreads, jitters = [], []
    for temperature in (0.01, 0.1, 1.0):
        record = mp.Parameters({"temperature": temperature, "area": mp.REFERENCE["area"] * 100,
                                 "breakdown_voltage": None})
        extrema = mp.neuron_output(record, np.full(256, 0.9e10), seed=6)
        spreads.append(np.std(extrema.delta_r))
        jitters.append(np.nanstd(extrema.time_max))
    assert spreads[0] < spreads[1] < spreads[2] and jitters[0] < jitters[1] < jitters[2]
    # thermal amplitude scales as sqrt(T): a decade in T is about sqrt(10) in spread
    assert 2 < spreads[2] / spreads[1] < 5


@pytest.mark.slow
def test_thermal_transfer_curve_and_trace(tmp_path):
    record = mp.Parameters({"temperature": 1.0, "area": mp.REFERENCE["area"] * 100, "breakdown_voltage": None})
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
    record = mp.Parameters({"temperature": 1.0, "area": mp.REFERENCE["area"] * 1e4,
                             "breakdown_voltage": None, "allow_implausible": True})
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


# ---- the stepper of a micromagnetic grid ------------------------------------------------------------
def test_the_spherical_midpoint_samples_the_boltzmann_distribution():
    """It converges to the Stratonovich solution: from m0 exactly, <m_x^2> reaches the Boltzmann value at
    alpha = 1 (where a noise off by sqrt(1 + alpha^2) would double it), as Heun's does in the test above; and
    every step is a rotation, so |m| = 1 to rounding where Heun's drifts by 1e-4."""
    record = mp.Parameters({"temperature": 100.0, "alpha": 1.0})
    m = _relax(record, 4000, 2e-9, 2.5e-12, seed=1, solver=SphericalMidpoint())
    expected = _small_angle_variance(record)
    standard_error = expected * np.sqrt(2 / (2 * m.shape[0]))
    assert abs(np.mean(m[:, :2] ** 2) - expected) < 4 * standard_error + 0.02 * expected
    assert abs(np.mean(m[:, 0])) < 4 * np.sqrt(expected / m.shape[0])
    assert np.max(np.abs(np.linalg.norm(m, axis=1) - 1)) < 1e-12


def test_the_spherical_midpoint_converges_at_second_order_and_keeps_unit_length():
    """At 0 K (temperature 0: the noise term is zero) on the macrospin under current, against scipy's DOP853
    on the Gilbert form: the error falls as dt^2, and |m| stays 1 to rounding at every step size."""
    record = mp.Parameters()
    params, current, duration = record.arrays(), 0.9e10, 0.3e-9
    exact = references.scipy_trace(record.to_dict(), current, np.array([0.0, duration]), rtol=1e-13, atol=1e-15)[0]

    def end(steps):
        settings = mp.ThermalSolver(solver=SphericalMidpoint(), dt=duration / steps, samples=2)
        trace = integrate_thermal(record.model, settings, params["m0"], jnp.float64(current), params, duration,
                                  jax.random.PRNGKey(0), law=record["resistance_law"])
        return np.asarray(trace.end)

    coarse, fine = end(40), end(80)
    errors = [np.max(np.abs(m - exact[-1])) for m in (coarse, fine)]
    assert abs(np.log2(errors[0] / errors[1]) - 2) < 0.35, errors
    np.testing.assert_allclose(np.linalg.norm([coarse, fine], axis=-1), 1.0, atol=1e-13)


def _square_grid(**changes) -> mp.Parameters:
    """An 8 x 8 square of 2 nm cells, damped as weakly as CoFeB at its lowest (its relaxed state is uniform)."""
    return mp.Parameters({"geometry": "rectangle", "length": 16e-9, "width": 16e-9, "cell_size": 2e-9,
                          "alpha": 0.002, **changes}, model=mp.micromagnetic_model())


def _checkerboard_after(record: mp.Parameters, solver: dfx.AbstractSolver, dt: float, duration: float) -> float:
    """The in-plane amplitude of the grid-scale checkerboard after `duration`, started at 2e-4 along x on the
    relaxed state: the stochastic solve itself with a record at 0 K, so that its noise term is zero."""
    device = mp.make_device(record)
    model, params = device.model, record.arrays()
    relaxed = model.initial_state(params, ())
    nx, ny, nz = record.mesh.shape
    sign = (-1.0) ** (np.arange(nx)[:, None, None] + np.arange(ny)[None, :, None] + np.zeros(nz))
    start = relaxed + 2e-4 * jnp.asarray(sign)[..., None] * jnp.array([1.0, 0.0, 0.0])
    settings = mp.ThermalSolver(solver=solver, dt=dt, samples=2)
    trace = integrate_thermal(model, settings, start / jnp.linalg.norm(start, axis=-1, keepdims=True),
                              jnp.float64(0.0), params, duration, jax.random.PRNGKey(0), law=device.law,
                              circuit=device.circuit)
    deviation = np.asarray(trace.end - relaxed)[..., :2]
    return float(np.linalg.norm(np.einsum("xyzc,xyz->c", deviation, sign))) / record.mesh.cells


@pytest.mark.slow
@pytest.mark.parametrize("alpha", [0.002, 0.001])
def test_a_grid_scale_checkerboard_decays_where_heun_grows_it(alpha):
    """At omega_max dt = 0.3 Heun amplifies the grid's fastest waves at small damping (|1 + z + z^2/2| > 1 for
    alpha < (omega dt)^3 / 8): 5 and 60 times in 0.1 ns (400 periods of the checkerboard) at alpha = 0.002 and
    0.001, to 0.3 and 0.5 in a 1.5 ns window. The midpoint damps them, at that step and at the grid's default
    step (omega_max dt = 0.6), about as alpha does (exp(-alpha omega t) = 0.007 and 0.09 here)."""
    record, duration = _square_grid(alpha=alpha), 0.1e-9
    heun_step = duration / math.ceil(duration * stiffest_precession(record) / 0.3)
    default = thermal_solver_for(record, duration)
    assert isinstance(default.solver, SphericalMidpoint)
    assert _checkerboard_after(record, dfx.Heun(), heun_step, duration) > 3 * 2e-4
    assert _checkerboard_after(record, SphericalMidpoint(), heun_step, duration) < 0.1 * 2e-4
    assert _checkerboard_after(record, default.solver, default.dt, duration) < 0.1 * 2e-4


@pytest.mark.slow
def test_the_grid_at_300_k_keeps_its_cells_spread_at_equipartition():
    """Start four 8 x 8 grids with every mode but the uniform one drawn from its Boltzmann distribution (the
    Hessian of the grid's energy in the cells' tangent planes), then solve 0.3 ns at 300 K and alpha = 0.002
    with the default solver: the spread of the in-plane components across the cells stays within 40 % of what
    equipartition gives (about 0.25 rad rms in 2 nm cells of a 1 nm film, where the small-angle form itself is
    15 % off), and the stiffest quarter of the modes within half the temperature (Heun at omega_max dt = 0.3
    heats them to 2.6 times it; the midpoint cools them slightly, by the damping its iteration adds)."""
    record, duration, devices = _square_grid(temperature=300.0), 0.3e-9, 4
    device = mp.make_device(record, window=duration)
    assert isinstance(device.solver.solver, SphericalMidpoint) and "SphericalMidpoint" in device.describe()["solver"]
    model, params = device.model, record.arrays()
    relaxed = np.asarray(device.equilibrium())
    np.testing.assert_array_equal(relaxed[..., :2], 0.0)  # along z: the tangent planes are x, y
    cells = record.mesh.cells

    def energy(tilts):
        m = jnp.asarray(relaxed) + jnp.pad(tilts.reshape(relaxed.shape[:-1] + (2,)), [(0, 0)] * 3 + [(0, 1)])
        return model.energy(m / jnp.linalg.norm(m, axis=-1, keepdims=True), params)

    stiffness, modes = np.linalg.eigh(np.asarray(jax.jit(jax.hessian(energy))(jnp.zeros(2 * cells))))
    thermal = K_B * record["temperature"]
    amplitudes = np.random.default_rng(0).normal(size=(devices, 2 * cells)) * np.sqrt(thermal / stiffness)
    amplitudes[:, :2] = 0.0  # the uniform mode (the two softest) at rest
    tilts = (amplitudes @ modes.T).reshape((devices,) + relaxed.shape[:-1] + (2,))
    start = relaxed + np.pad(tilts, [(0, 0)] * 4 + [(0, 1)])
    start /= np.linalg.norm(start, axis=-1, keepdims=True)
    trace = device.solve(jnp.zeros(devices), np.linspace(0.0, duration, device.solver.samples),
                         key=jax.random.PRNGKey(2), m0=jnp.asarray(start))
    end = np.asarray(trace.end)[..., :2].reshape(devices, cells, 2)
    spread = np.mean(np.var(end, axis=1))
    equipartition = np.sum(thermal / stiffness[2:]) / (2 * cells)
    assert 0.6 < spread / equipartition < 1.4, spread / equipartition
    temperatures = np.mean(stiffness * (end.reshape(devices, 2 * cells) @ modes) ** 2, axis=0) / K_B
    stiffest = np.mean(temperatures[-cells // 2:])
    assert 0.5 < stiffest / record["temperature"] < 1.5, stiffest


def test_an_unstable_thermal_step_on_a_grid_is_refused_in_one_line():
    record = _square_grid(temperature=300.0)
    fastest = stiffest_precession(record)
    assert stable_phase(dfx.Heun(), 0.002) < 0.3 < 1.4 < stable_phase(SphericalMidpoint(), 0.0)
    assert stable_phase(dfx.Heun(), 0.0) == 0.0 and stable_phase(dfx.Dopri5(), 0.002) is None
    cases = [(record, dfx.Heun(), 0.3, "Heun amplifies its fastest spin waves at alpha = 0.002"),
             (record.replace(alpha=0.0), dfx.Heun(), 0.01, "no step is stable"),
             (record, SphericalMidpoint(), 2.0, "SphericalMidpoint amplifies")]
    for case, solver, phase, message in cases:
        with pytest.raises(mp.MtjphysError, match=message) as error:
            mp.make_device(case, thermal=mp.ThermalSolver(solver=solver, dt=phase / fastest))
        assert "\n" not in str(error.value)
