"""The device: how a junction is computed is decided once, from its records, and every consumer takes it."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import xarray as xr

import mtjphys as mp
from mtjphys.device import DEFAULT_BANDWIDTH
from mtjphys.fitting import TraceData

J = [0.8e10, 0.9e10, 1e10]


def test_the_records_decide_solver_circuit_and_preamplifier():
    cold = mp.make_device(mp.Parameters())
    assert isinstance(cold.solver, mp.NeuronSolver) and not cold.thermal
    assert cold.preamplifier == mp.Preamplifier() and cold.circuit == mp.Circuit(bias_dependent=False, reads_bias=False)
    hot = mp.make_device(mp.Parameters({"temperature": 300.0}))
    assert isinstance(hot.solver, mp.ThermalSolver) and hot.thermal
    assert hot.preamplifier.bandwidth == DEFAULT_BANDWIDTH and hot.preamplifier.hold > 0
    heated = mp.make_device(mp.Parameters({"thermal_resistance": 1e5, "V_half": 0.5}), source="voltage")
    assert heated.thermal and heated.circuit == mp.Circuit(source="voltage", heating=True, bias_dependent=True,
                                                           reads_bias=False)
    batch = mp.make_device([mp.Parameters(), mp.Parameters({"Ku": 2.4e5})])
    assert batch.batch_shape(0.0) == (2,) and batch.params["Ku"].shape == (2,)
    grid = mp.make_device(mp.Parameters({"cell_size": 10e-9}, model=mp.micromagnetic_model()))
    assert grid.mesh is not None and grid.model.state_shape == grid.mesh.shape + (3,)
    assert grid.circuit.reads_bias  # its cells share the current by their conductances at the bias


@pytest.mark.parametrize("record", [mp.Parameters({"alpha": 0.012, "V_half": 0.6}),
                                    mp.Parameters({"cell_size": 20e-9}, model=mp.micromagnetic_model())],
                         ids=["macrospin", "micromagnetic"])
def test_a_device_gives_back_the_record_it_was_made_from(record):
    device = mp.make_device(record)
    assert device.record == record and device.record.to_json() == record.to_json()
    changed = device.replace(params={**device.params, "alpha": jnp.float64(0.03)})
    assert changed.record == record.replace(alpha=0.03)
    with pytest.raises(mp.MtjphysError, match="a batch of MTJs has a record per MTJ"):
        mp.make_device([record, record]).record  # noqa: B018


def test_the_neuron_and_the_transfer_curve_take_the_device_or_the_record_alike():
    record = mp.Parameters({"Ku": 2.38e5})
    device = mp.make_device(record)
    np.testing.assert_array_equal(mp.neuron_output(device, J).delta_r, mp.neuron_output(record, J).delta_r)
    by_device, by_record = mp.transfer_curve(device, J), mp.transfer_curve(record, J)
    xr.testing.assert_identical(by_device.drop_attrs(), by_record.drop_attrs())
    assert by_device.attrs["parameters"] == by_record.attrs["parameters"] == record.to_json()
    trace = mp.neuron_trace(device, 0.9e10, duration=2e-9, time_step=1e-11)
    assert float(trace.delta_r) == pytest.approx(float(mp.neuron_output(record, 0.9e10).delta_r), rel=1e-6)


def test_a_thermal_device_draws_its_noise_from_the_seed():
    device = mp.make_device(mp.Parameters({"temperature": 300.0}))
    first, again = (mp.neuron_output(device, np.full(8, 0.9e10), seed=4).delta_r for _ in range(2))
    np.testing.assert_array_equal(first, again)
    assert np.std(first) > 0 and not np.array_equal(first, mp.neuron_output(device, np.full(8, 0.9e10),
                                                                            seed=5).delta_r)
    with pytest.raises(mp.MtjphysError, match="needs a key"):
        device.window(jnp.float64(0.9e10))


def test_what_a_device_carries_is_not_given_twice_and_its_source_is_kept():
    device = mp.make_device(mp.Parameters())
    with pytest.raises(mp.MtjphysError, match="carries its own solver"):
        mp.neuron_output(device, J, settings=mp.NeuronSolver(rtol=1e-9))
    with pytest.raises(mp.MtjphysError, match="driven by a current, not a voltage"):
        mp.neuron_output(device, voltage=0.8)
    with pytest.raises(mp.MtjphysError, match="is of one MTJ"):
        mp.transfer_curve(mp.make_device([mp.Parameters()] * 2), J)
    with pytest.raises(mp.MtjphysError, match="one parameter record or a sequence"):
        mp.make_device("Ku=2e5")


def test_a_network_takes_a_device_its_mtjs_share():
    architecture = mp.Architecture(n_mtj=5, gain=1.2)
    record = mp.Parameters({"Ku": 2.38e5})
    settings = mp.NeuronSolver(rtol=1e-8)
    by_device = mp.random_network(architecture, mp.make_device(record, settings=settings), seed=3, mode="device")
    by_record = mp.random_network(architecture, record, seed=3, mode="device", settings=settings)
    assert by_device.nonlinearity.device.solver == settings and by_device.records == by_record.records
    equal = jax.tree.map(lambda a, b: bool(jnp.array_equal(a, b)), by_device, by_record)
    assert all(jax.tree.leaves(equal))
    with pytest.raises(mp.MtjphysError, match="driven by a voltage, not a current"):
        mp.random_network(architecture, mp.make_device(record, source="voltage"), seed=3)
    with pytest.raises(mp.MtjphysError, match="made from one record"):
        mp.random_network(architecture, mp.make_device([record] * 5), seed=3)
    with pytest.raises(mp.MtjphysError, match="carries its own solver"):
        mp.random_network(architecture, mp.make_device(record), seed=3, settings=settings)
    # the device itself serves the MTJs, whatever was changed on it
    changed = mp.make_device(record).replace(circuit=mp.Circuit(bias_dependent=True))
    network = mp.random_network(architecture, changed, seed=3, mode="device")
    assert network.nonlinearity.device is changed


def test_a_device_mode_network_saves_its_device_and_reloads_it():
    network = mp.random_network(mp.Architecture(n_mtj=3), mp.Parameters({"V_half": 0.7}), seed=1, mode="device")
    dataset = mp.network_to_dataset(network)
    # the provenance says how the neurons were computed
    assert dataset.attrs["solver"] == "diffrax.Dopri8" and dataset.attrs["bias_dependent_tmr"] == 1
    assert "solver" not in mp.network_to_dataset(mp.random_network(mp.Architecture(n_mtj=3), seed=1,
                                                                   mode="tanh")).attrs
    loaded = mp.network_from_dataset(dataset)
    assert loaded.nonlinearity.device.circuit == network.nonlinearity.device.circuit
    assert loaded.nonlinearity.device.record == network.nonlinearity.device.record
    x = jnp.linspace(-0.5, 0.5, 3)
    np.testing.assert_array_equal(loaded.mtj_outputs(x, loaded.equilibrium, None)[0],
                                  network.mtj_outputs(x, network.equilibrium, None)[0])


@pytest.mark.slow
def test_a_fit_starts_from_a_device():
    truth = mp.Parameters()
    trace = mp.neuron_trace(truth, 0.9e10)
    data = [TraceData("synthetic", trace.time.values, trace.resistance.values, 0.9e10)]
    start = truth.replace(alpha=0.011)
    by_device = mp.fit(data, mp.make_device(start), ["alpha"], starts=1)
    by_record = mp.fit(data, start, ["alpha"], starts=1)
    assert by_device.estimate[0] == pytest.approx(by_record.estimate[0], rel=1e-12)
    assert by_device.estimate[0] == pytest.approx(truth["alpha"], rel=1e-6) and by_device.start == start
