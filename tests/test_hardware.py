"""The junction in its circuit: window energy, bias-dependent TMR, voltage drive, Joule heating, and the
limits a drive must respect."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.integrate
import sympy as sp

import mtjphys as mp
from mtjphys import models
from mtjphys.device import bias_voltage, gradient_solver, heated, is_warm
from tests.test_cli import run

J = 0.9e10


# ---- symbolic ----------------------------------------------------------------------------------
def test_the_tmr_halves_at_v_half_and_is_constant_without_it():
    model = models.macrospin_stt()
    s = model.symbols
    r_ap = model.bias.antiparallel_resistance(s)
    tmr = r_ap / s["R_P"] - 1
    assert sp.simplify(tmr.subs(models.BIAS_VOLTAGE, s["V_half"]) - (s["R_AP"] / s["R_P"] - 1) / 2) == 0
    assert sp.simplify(tmr.subs(models.BIAS_VOLTAGE, 0) - (s["R_AP"] / s["R_P"] - 1)) == 0
    # V_half -> infinity gives the constant-TMR law of a model without the term
    constant = model.without("bias_dependent_tmr")
    for law in model.resistance_laws:
        limit = sp.limit(model.resistance(law), s["V_half"], sp.oo)
        assert sp.simplify(limit - constant.resistance(law)) == 0


# ---- energy ------------------------------------------------------------------------------------
@pytest.mark.parametrize("voltage", [False, True])
def test_window_energy_is_the_integral_of_the_dissipated_power_over_the_trace(voltage):
    record = mp.Parameters({"V_half": 0.6})
    drive = {"voltage": 0.8} if voltage else {"current_density": J}
    trace = mp.neuron_trace(record, **drive, time_step=1e-13)
    window = trace.time.values <= mp.NEURON_WINDOW * (1 + 1e-9)
    t, resistance = trace.time.values[window], trace.resistance.values[window]
    current = trace.current.values[window]
    # independently: I^2 R under a current drive, V^2 / R under a voltage drive, by Simpson's rule
    power = 0.8**2 / resistance if voltage else (J * record["area"]) ** 2 * resistance
    np.testing.assert_allclose(float(trace.energy), scipy.integrate.simpson(power, x=t), rtol=1e-6)
    np.testing.assert_allclose(trace.power.values[window], current**2 * resistance, rtol=1e-12)
    assert trace.energy.attrs["units"] == "J" and trace.voltage.attrs["units"] == "V"


def test_energy_grows_as_the_square_of_the_current_at_a_nearly_fixed_resistance():
    response = mp.neuron_output(mp.Parameters(), [0.8e10, 1.0e10])
    r0, area = mp.equilibrium_resistance(mp.Parameters()), mp.Parameters()["area"]
    expected = (np.array([0.8e10, 1.0e10]) * area) ** 2 * r0 * mp.NEURON_WINDOW
    np.testing.assert_allclose(response.energy, expected, rtol=2e-3)  # R rings by about 1 % about R0


# ---- bias-dependent TMR and voltage drive --------------------------------------------------------
def test_without_bias_dependence_or_heating_the_neuron_is_unchanged():
    plain = mp.compile_model(models.macrospin_stt().without("bias_dependent_tmr", name="constant_tmr"))
    js = np.linspace(0.8e10, 1.0e10, 5)
    reference = mp.neuron_output(mp.Parameters(model=plain), js).delta_r
    np.testing.assert_allclose(mp.neuron_output(mp.Parameters(), js).delta_r, reference, rtol=1e-9)
    far = mp.Parameters({"V_half": 1e9, "curie_temperature": 1e9, "allow_implausible": True})  # limits far off
    np.testing.assert_allclose(mp.neuron_output(far, js).delta_r, reference, rtol=1e-9)


def test_the_bias_voltage_solves_v_equals_i_r_at_that_voltage():
    record = mp.Parameters({"V_half": 0.3})
    model, law, params = mp.default_model(), record["resistance_law"], record.arrays()
    rng = np.random.default_rng(3)
    m = rng.normal(size=(64, 3))
    m = jnp.asarray(m / np.linalg.norm(m, axis=1, keepdims=True))
    j = jnp.asarray(rng.uniform(-3e10, 3e10, 64))
    v = bias_voltage(model, law, m, j, params)
    residual = v - j * record["area"] * model.resistance(law)(m, v, params)
    assert float(jnp.max(jnp.abs(residual))) < 1e-12
    # the bias lowers the resistance, so V lies below I R(m, 0)
    assert bool(jnp.all(jnp.abs(v) <= jnp.abs(j * record["area"] * model.resistance(law)(m, 0.0, params))))


def test_a_constant_tmr_skips_the_bias_solve_and_gives_the_same_window():
    record = mp.Parameters()
    device = mp.make_device(record, settings=mp.NeuronSolver())
    assert not device.circuit.bias_dependent and mp.make_device(record.replace(V_half=0.5)).circuit.bias_dependent
    js = jnp.linspace(0.8e10, 1.0e10, 3)
    solved = device.replace(circuit=mp.Circuit()).window(js)
    direct = device.window(js)
    for name in ("energy", "voltage_max", "power_max"):
        np.testing.assert_allclose(getattr(direct, name), getattr(solved, name), rtol=1e-13)
    np.testing.assert_allclose(direct.extrema.delta_r, solved.extrema.delta_r, rtol=1e-12)


def test_bias_dependent_tmr_shrinks_the_ringing():
    constant = mp.neuron_output(mp.Parameters(), [0.8e10, 1.0e10])
    biased = mp.neuron_output(mp.Parameters({"V_half": 0.5}), [0.8e10, 1.0e10])
    np.testing.assert_allclose(biased.energy, constant.energy, rtol=0.2)  # R_P sets much of the resistance
    assert np.all(biased.delta_r < 0.6 * constant.delta_r)  # TMR(0.7-0.9 V) / TMR0 = 0.24-0.34


@pytest.mark.parametrize("tmr", [0.01, 0.001])
def test_a_voltage_drive_reproduces_the_current_drive_where_r_barely_moves(tmr):
    record = mp.Parameters({"R_AP": 8287.5 * (1 + tmr), "allow_implausible": tmr < 0.01})  # a TMR of 0.1 %
    for j in (0.8e10, 1.0e10):
        voltage = j * record["area"] * mp.equilibrium_resistance(record)
        current = float(mp.neuron_output(record, j).delta_r)
        driven = float(mp.neuron_output(record, voltage=voltage).delta_r)
        # the current of a voltage drive follows R(t), which moves by about TMR / 4 of itself
        assert abs(driven / current - 1) < 0.3 * tmr


def test_a_voltage_drive_follows_v_over_r_in_time():
    trace = mp.neuron_trace(mp.Parameters({"V_half": 0.5}), voltage=0.8)
    np.testing.assert_allclose(trace.voltage.values, 0.8)
    np.testing.assert_allclose(trace.current.values, 0.8 / trace.resistance.values, rtol=1e-12)
    assert float(trace.current.std()) > 0  # R rings, so the current does


# ---- Joule heating -----------------------------------------------------------------------------
def test_heating_at_zero_thermal_resistance_changes_nothing():
    record = mp.Parameters({"V_half": 0.5, "curie_temperature": 700.0})
    device = mp.make_device(record, settings=mp.NeuronSolver())
    js = jnp.linspace(0.8e10, 1.0e10, 5)
    plain = device.window(js)
    heated = device.replace(circuit=mp.Circuit(heating=True)).window(js)
    for name in ("energy", "voltage_max", "end"):
        np.testing.assert_allclose(getattr(heated, name), getattr(plain, name), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(heated.extrema.delta_r, plain.extrema.delta_r, rtol=1e-12)
    assert not is_warm(record) and not device.circuit.heating


def test_heated_temperature_and_ms_follow_the_power():
    params = mp.Parameters({"temperature": 300.0, "thermal_resistance": 2e5, "curie_temperature": 1000.0}).arrays()
    hot = heated(params, jnp.float64(5e-5))
    assert float(hot["temperature"]) == pytest.approx(310.0)
    bloch = lambda t: 1 - (t / 1000.0) ** 1.5
    assert float(hot["Ms"]) == pytest.approx(5.76e5 * bloch(310.0) / bloch(300.0), rel=1e-12)


def test_heating_warms_a_junction_at_zero_kelvin():
    record = mp.Parameters({"thermal_resistance": 3e5})
    assert is_warm(record)
    trace = mp.neuron_trace(record, J, seed=2)
    np.testing.assert_allclose(trace.temperature.values, 3e5 * trace.power.values, rtol=1e-12)
    assert 10 < float(trace.temperature.max()) < 30  # about 60 uW through 3e5 K/W
    assert trace.attrs["joule_heating"] == 1
    draws = mp.neuron_output(record, np.full(32, J), seed=2).delta_r
    assert np.std(draws) > 1.0  # the warm free layer rings noisily


# ---- Joule heating with a thermal lag ------------------------------------------------------------
LAGGING = {"temperature": 300.0, "thermal_resistance": 1e6, "curie_temperature": 750.0}


def _first_order_lag(ts, power, record) -> np.ndarray:
    """T(t) of dT/dt = (T_a + R_th P(t) - T) / tau from T(0) = T_a, integrated exactly for P linear between
    the samples: the lag's solution written independently of the solve's state."""
    tau = record["thermal_time_constant"]
    steady = record["temperature"] + record["thermal_resistance"] * np.asarray(power)
    temperature = [record["temperature"]]
    for h, s0, s1 in zip(np.diff(ts), steady[:-1], steady[1:]):
        decay = np.exp(-h / tau)
        temperature.append(s1 + (temperature[-1] - s0) * decay - (s1 - s0) / h * tau * (1 - decay))
    return np.asarray(temperature)


def _deterministic(record: mp.Parameters, rtol: float = 1e-10) -> mp.Device:
    """The heated record's device with its noise left out: the deterministic solve of the same circuit (its
    adaptive steps follow any lag, so the thermal step, replaced, is chosen short enough to be accepted)."""
    device = mp.make_device(record, thermal=mp.ThermalSolver(dt=1e-13))
    return device.replace(solver=mp.NeuronSolver(rtol=rtol, atol=1e-12))


def test_a_lagging_temperature_is_the_first_order_lag_of_the_power():
    record = mp.Parameters({**LAGGING, "thermal_time_constant": 0.3e-9})
    device = _deterministic(record)
    assert device.circuit.thermal_lag and device.describe()["thermal_lag"] == 1
    ts = np.linspace(0.0, mp.NEURON_WINDOW, 3001)
    trace = device.solve(jnp.float64(J), jnp.asarray(ts))
    temperature = np.asarray(trace.temperature)
    expected = _first_order_lag(ts, trace.point.power(device.params), record)
    rise = expected[-1] - record["temperature"]
    assert 10 < rise < 60  # tens of kelvin: a lag worth testing
    np.testing.assert_allclose(temperature, expected, rtol=0, atol=1e-5 * rise)
    np.testing.assert_array_equal(np.asarray(trace.free_layer_temperature(device.params)), temperature)
    steady = record["temperature"] + record["thermal_resistance"] * np.asarray(trace.point.power(device.params))
    assert temperature[0] == record["temperature"] and np.all(temperature[1:] < steady[1:])


@pytest.mark.slow
def test_a_short_thermal_lag_tends_to_the_instantaneous_heating_at_first_order():
    """The lag's effect on R(t) falls in proportion to tau_th: halving tau_th halves the gap to tau_th = 0."""
    ts = jnp.linspace(0.0, mp.NEURON_WINDOW, 301)
    resistance = lambda tau: np.asarray(_deterministic(mp.Parameters({**LAGGING, "thermal_time_constant": tau}))
                                        .solve(jnp.float64(J), ts).point.resistance)
    at_once = resistance(0.0)
    gaps = [np.max(np.abs(resistance(tau) - at_once)) for tau in (2e-12, 1e-12, 0.5e-12)]
    assert gaps[0] > 5e-4 * np.ptp(at_once)
    assert 1.8 < gaps[0] / gaps[1] < 2.2 and 1.8 < gaps[1] / gaps[2] < 2.2, gaps


@pytest.mark.slow
def test_a_longer_thermal_lag_keeps_the_window_cooler():
    hottest = [float(mp.neuron_output(mp.Parameters({**LAGGING, "thermal_time_constant": tau}), J, seed=4)
                     .temperature_max) for tau in (0.0, 0.3e-9, 3e-9)]
    assert hottest[0] > hottest[1] > hottest[2] > LAGGING["temperature"]
    curve = mp.transfer_curve(mp.Parameters({**LAGGING, "thermal_time_constant": 0.3e-9}), [0.8e10, J], samples=2,
                              seed=4)
    assert curve.temperature_max.attrs["units"] == "K" and curve.attrs["thermal_lag"] == 1
    assert LAGGING["temperature"] < float(curve.temperature_max[0]) < float(curve.temperature_max[1]) < hottest[0]
    # a window much shorter than the lag barely heats: the rise is about R_th P t / tau_th at the end
    assert hottest[2] - 300.0 < 0.5 * (hottest[0] - 300.0)


@pytest.mark.parametrize("grid", [False, pytest.param(True, marks=pytest.mark.slow)])
def test_the_stochastic_solve_carries_the_lagging_temperature(grid):
    """Above 0 K the temperature is integrated beside the noisy directions, by Heun (macrospin) and by the
    spherical midpoint (a grid), and still follows the lag of the power the realisation dissipates."""
    if grid:
        record = mp.Parameters({"geometry": "rectangle", "length": 16e-9, "width": 16e-9, "cell_size": 4e-9,
                                "temperature": 300.0, "thermal_resistance": 2e8, "thermal_time_constant": 0.2e-9},
                               model=mp.micromagnetic_model())
    else:
        record = mp.Parameters({**LAGGING, "thermal_time_constant": 0.2e-9})
    trace = mp.neuron_trace(record, J, seed=5, time_step=1e-12)
    expected = _first_order_lag(trace.time.values, trace.power.values, record)
    rise = expected[-1] - 300.0
    assert rise > 1.0
    np.testing.assert_allclose(trace.temperature.values, expected, rtol=0, atol=5e-4 * rise)


@pytest.mark.slow
def test_the_derivative_by_the_thermal_time_constant_matches_finite_differences():
    record = mp.Parameters({**LAGGING, "thermal_time_constant": 0.5e-9})
    device = _deterministic(record).replace(solver=gradient_solver(mp.NeuronSolver(rtol=1e-11, atol=1e-13)))
    device = device.varying(["thermal_time_constant"])
    ts = jnp.linspace(0.0, mp.NEURON_WINDOW, 31)
    resistance = lambda tau: device.replace(params={**device.params, "thermal_time_constant": tau}).solve(
        jnp.float64(J), ts).point.resistance
    tau, h = jnp.float64(0.5e-9), 2e-12
    analytic = np.asarray(jax.jvp(resistance, (tau,), (jnp.float64(1.0),))[1])
    central = lambda h: np.asarray((resistance(tau + h) - resistance(tau - h)) / (2 * h))
    finite = (4 * central(h / 2) - central(h)) / 3  # Richardson: the differences' error falls as h^4
    assert np.max(np.abs(analytic)) > 1e9  # ohm per second of lag: a derivative worth testing
    np.testing.assert_allclose(analytic, finite, rtol=0, atol=1e-5 * np.max(np.abs(analytic)))


def test_a_thermal_lag_the_solve_cannot_follow_is_refused_in_one_line():
    cases = [
        (lambda: mp.neuron_output(mp.Parameters({**LAGGING, "thermal_time_constant": 1e-13}), J),
         "thermal_time_constant 1e-13 s is shorter than the thermal step"),
        (lambda: mp.make_device(mp.Parameters(LAGGING)).varying(["thermal_time_constant"]),
         "thermal_time_constant is fitted or differentiated from a positive value only"),
        (lambda: mp.trace_sensitivity(mp.Parameters(LAGGING), J, [1e-9], wrt=["thermal_time_constant"]),
         "no derivative with respect to 'thermal_time_constant'"),
        (lambda: mp.Parameters({"thermal_time_constant": -1e-9}), "'thermal_time_constant' must be >= 0"),
    ]
    for call, message in cases:
        with pytest.raises(mp.MtjphysError, match=message) as error:
            call()
        assert "\n" not in str(error.value)
    # without heating the time constant has nothing to lag: the circuit stays as it was
    assert not mp.make_device(mp.Parameters({"thermal_time_constant": 1e-9})).circuit.thermal_lag


# ---- networks ------------------------------------------------------------------------------------
def test_a_network_step_costs_the_sum_of_its_mtj_windows():
    network = mp.random_network(mp.Architecture(n_mtj=8, gain=1.2), seed=4, synapse_energy=1e-15,
                                sensing_energy=2e-15)
    result = mp.simulate(network, mp.make_drive(12), progress=False, seed=1)
    # every step's currents from the states, and their windows solved by the neuron itself, in one batch
    x, currents = jnp.zeros(8), []
    for _ in range(3):
        r, _ = network.mtj_outputs(x, network.equilibrium, None)
        currents.append(np.asarray(network.nonlinearity.currents(x)))
        x = network.advance(x, r, network.readout @ r, jnp.zeros(0))
    exact = mp.neuron_output(mp.Parameters(), np.concatenate(currents)).energy.reshape(3, 8).sum(axis=1)
    np.testing.assert_allclose(result.trajectory.mtj_energy[:3], exact, rtol=1e-6)
    assert network.synaptic_operations() == int(np.count_nonzero(network.recurrent)) + 8 + 8


def test_a_run_dataset_states_its_energy_by_phase_and_reloads(tmp_path):
    network = mp.random_network(mp.Architecture(n_mtj=6), seed=0, synapse_energy=1e-15, sensing_energy=3e-15)
    period = 40 * mp.NEURON_WINDOW
    task = mp.sine_generation_task([{"amplitude": 0.5, "period": period, "learn": 2 * period, "free": period}])
    trained, run = mp.train(network, task, mp.Force(), progress=False)
    learning = task.learning.values
    assert run.mtj_energy.dims == ("time",) and run.mtj_energy.attrs["units"] == "J"
    np.testing.assert_allclose(run.energy_mtj.sel(phase="training"), run.mtj_energy.values[learning].sum())
    np.testing.assert_allclose(run.energy_mtj.sel(phase="inference"), run.mtj_energy.values[~learning].sum())
    assert run.phase_steps.values.tolist() == [int(learning.sum()), int((~learning).sum())]
    operations = trained.synaptic_operations()
    np.testing.assert_allclose(run.energy_synapses.values, run.phase_steps.values * operations * 1e-15)
    np.testing.assert_allclose(run.energy_sensing.values, run.phase_steps.values * 6 * 3e-15)
    # the energy table and the stated costs survive a save and reload
    mp.write_dataset(run, tmp_path / "run.nc")
    again = mp.network_from_dataset(mp.open_dataset(tmp_path / "run.nc"))
    assert again.synapse_energy == 1e-15 and again.sensing_energy == 3e-15
    np.testing.assert_array_equal(np.asarray(again.energy.mean_resistance), np.asarray(trained.energy.mean_resistance))


# ---- bad input -----------------------------------------------------------------------------------
def test_a_drive_above_the_breakdown_voltage_is_refused():
    record = mp.Parameters({"breakdown_voltage": 0.8})
    with pytest.raises(mp.MtjphysError, match=r"0\.874 V across the barrier, above its breakdown voltage of 0\.8 V"):
        mp.neuron_output(record, [0.8e10, 1.0e10])
    with pytest.raises(mp.MtjphysError, match="breakdown"):
        mp.neuron_output(record, voltage=0.85)
    with pytest.raises(mp.MtjphysError, match="breakdown"):
        mp.random_network(mp.Architecture(n_mtj=4), record, seed=0)
    assert mp.neuron_output(record, 0.8e10).voltage_max < 0.8  # below it, the drive is fine


def test_heating_past_the_curie_temperature_is_refused():
    record = mp.Parameters({"temperature": 300.0, "thermal_resistance": 5e6, "curie_temperature": 400.0})
    with pytest.raises(mp.MtjphysError, match="Curie temperature"):
        mp.neuron_output(record, 1e10)


@pytest.mark.parametrize("values, message", [
    ({"V_half": -0.5}, "'V_half' must be > 0"),
    ({"V_half": 0}, "'V_half' must be > 0"),
    ({"breakdown_voltage": "high"}, "'breakdown_voltage' must be a number"),
    ({"thermal_resistance": -1.0}, "'thermal_resistance' must be >= 0"),
    ({"curie_temperature": float("nan")}, "'curie_temperature' must be finite"),
])
def test_bad_hardware_parameters_get_one_line(values, message):
    with pytest.raises(mp.MtjphysError, match=message) as error:
        mp.Parameters(values)
    assert "\n" not in str(error.value)


def test_stated_costs_must_be_energies():
    for name in ("synapse_energy", "sensing_energy"):
        for value in (-1e-15, float("nan"), float("inf")):
            with pytest.raises(mp.MtjphysError, match=f"{name} must be finite and >= 0 J"):
                mp.random_network(mp.Architecture(n_mtj=4), seed=0, **{name: value})


def test_the_neuron_takes_one_drive():
    with pytest.raises(mp.MtjphysError, match="exactly one"):
        mp.neuron_output(mp.Parameters(), 0.9e10, voltage=0.8)
    with pytest.raises(mp.MtjphysError, match="exactly one"):
        mp.neuron_output(mp.Parameters())
    with pytest.raises(mp.MtjphysError, match="voltage must be finite"):
        mp.neuron_output(mp.Parameters(), voltage=float("nan"))
    with pytest.raises(mp.MtjphysError, match="driven by a current or a voltage"):
        mp.Circuit(source="power")


def test_cli_voltage_drive_and_its_errors(tmp_path, capsys):
    out = tmp_path / "v.nc"
    code, stdout, _ = run(["neuron", "--voltage", "0.8", "-o", str(out)], capsys)
    assert code == 0 and "fJ at V = 0.8 V" in stdout
    assert float(mp.open_dataset(out).drive_voltage) == 0.8
    curve = tmp_path / "t.nc"
    code, _, _ = run(["transfer", "--v-min", "0.7", "--v-max", "0.9", "--points", "3", "-o", str(curve)], capsys)
    assert code == 0 and mp.open_dataset(curve).delta_r.dims == ("voltage",)
    params = tmp_path / "p.json"
    params.write_text('{"breakdown_voltage": 0.75}')
    for args, message in [
        (["neuron", "-j", "0.9e10", "-V", "0.8"], "exactly one of --current-density"),
        (["neuron"], "exactly one of --current-density"),
        (["transfer", "--v-min", "0.7"], "both --v-min and --v-max"),
        (["transfer", "--v-min", "0.9", "--v-max", "0.7"], "--v-min < --v-max"),
        (["neuron", "-j", "1e10", "--params", str(params)], "above its breakdown voltage of 0.75 V"),
    ]:
        target = tmp_path / "bad.nc"
        code, _, stderr = run([*args, "-o", str(target)], capsys)
        assert code == 2 and message in stderr and len(stderr.strip().splitlines()) == 1, (args, stderr)
        assert not target.exists()
