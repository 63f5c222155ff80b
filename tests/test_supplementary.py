"""Imperfect synapses and non-identical MTJs at the network level, and the supplementary studies."""

import jax.numpy as jnp
import numpy as np
import pytest

import mtjphys as mp


def _manual_run(network, inputs, steps, delay):
    """The network equations written out in numpy (tanh neurons, no learning)."""
    j, w_f, w_in, b, w_out = (np.asarray(a) for a in (network.recurrent, network.feedback, network.input_weights,
                                                        network.bias, network.readout))
    x = np.zeros(network.size)
    history = [(np.zeros(network.size), np.zeros(w_out.shape[0]))] * delay
    outputs = []
    for n in range(steps):
        r = np.tanh(x)
        z = w_out @ r
        outputs.append(z)
        history.append((r, z))
        r_in, z_in = history.pop(0)
        x = (1 - network.leak) * x + network.leak * (j @ r_in + w_f @ z_in + w_in @ inputs[n] + b)
    return np.array(outputs)


@pytest.mark.parametrize("delay", [0, 1, 3])
def test_delayed_signals_follow_the_equations(delay):
    architecture = mp.Architecture(n_mtj=15, n_inputs=1, n_outputs=1, gain=1.3, leak=0.4, bias_scale=0.3,
                                   delay=delay)
    network = mp.random_network(architecture, seed=2, mode="tanh")
    import equinox as eqx

    network = eqx.tree_at(lambda n: n.readout, network, jnp.asarray(np.random.default_rng(3).normal(size=(1, 15))))
    inputs = np.sin(0.4 * np.arange(60))[:, None]
    result = mp.simulate(network, mp.make_drive(60, inputs=inputs, n_inputs=1), progress=False)
    np.testing.assert_allclose(result.trajectory.readouts, _manual_run(network, inputs, 60, delay), rtol=1e-10,
                               atol=1e-12)


def test_synaptic_noise_perturbs_reproducibly_and_vanishes_at_zero():
    def outputs(noise, seed):
        architecture = mp.Architecture(n_mtj=15, n_outputs=1, gain=1.3, synaptic_noise=noise)
        network = mp.random_network(architecture, seed=2, mode="tanh")
        import equinox as eqx

        network = eqx.tree_at(lambda n: n.readout, network, jnp.ones((1, 15)) / 15)
        run = mp.simulate(network, mp.make_drive(40), x0=np.full(15, 0.3), seed=seed, progress=False)
        return run.trajectory.readouts

    baseline = outputs(0.0, 0)
    assert np.array_equal(outputs(0.0, 1), baseline)  # no noise: the seed does not matter
    noisy = outputs(0.05, 1)
    assert np.array_equal(noisy, outputs(0.05, 1)) and not np.allclose(noisy, baseline)
    assert np.max(np.abs(noisy - baseline)) < 0.5  # a 5 % fluctuation perturbs, it does not scramble


@pytest.mark.slow
def test_failed_readout_synapses_never_move():
    run = mp.sine_generation_run(0, mode="surrogate", n_mtj=20, failed_readout=0.5, progress=False)
    weights = run.readout_weights_over_time.isel(readout=0).values
    frozen = np.all(weights == 0, axis=0)
    assert 5 <= frozen.sum() <= 15  # about half of 20
    assert np.all(np.any(weights[:, ~frozen] != 0, axis=0))


def test_current_drive_scales_the_current_density():
    architecture = mp.Architecture(n_mtj=4, n_inputs=1, n_outputs=1)
    gain = np.array([0.5, 1.0, 2.0, 4.0])
    unbroken = mp.Parameters({"breakdown_voltage": None})  # 4e10 A/m^2 puts 3.5 V across the barrier
    network = mp.random_network(architecture, unbroken, seed=0, mode="surrogate", current_gain=gain)
    nonlinearity = network.nonlinearity
    np.testing.assert_allclose(nonlinearity.currents(jnp.zeros(4)), 0.9e10 * gain)
    assert float(nonlinearity.current_density[-1]) >= 4 * 1.0e10  # the curve reaches the largest current
    with pytest.raises(mp.MtjphysError, match="one entry per MTJ"):
        mp.random_network(architecture, seed=0, mode="surrogate", current_gain=[1.0, 2.0])


def test_nonidentical_devices_keep_the_nominal_anisotropy():
    from mtjphys.studies import supp_nonidentical

    nominal = supp_nonidentical.nominal_device()
    mu0 = 1.25663706212e-6
    nx, _, nz = nominal["demag_factors"]
    b_k = 2 * nominal["Ku"] / nominal["Ms"] - mu0 * nominal["Ms"] * (nz - nx)
    reference = mp.Parameters()
    assert b_k == pytest.approx(2 * reference["Ku"] / reference["Ms"] - mu0 * reference["Ms"], rel=1e-12)
    np.testing.assert_allclose(mp.neuron_output(nominal, [0.8e10, 1e10]).delta_r,
                               mp.neuron_output(reference, [0.8e10, 1e10]).delta_r, rtol=2e-3)
    records, sizes = supp_nonidentical.draw_devices(0.3, seed=0, n_mtj=40)
    assert len(np.unique(sizes)) > 10 and all(r["Ku"] == nominal["Ku"] for r in records)


@pytest.mark.slow
def test_thermal_and_gain_networks_reload_bit_for_bit(tmp_path):
    record = mp.Parameters({"temperature": 1.0, "area": mp.REFERENCE["area"] * 1e4,
                             "breakdown_voltage": None, "allow_implausible": True})
    architecture = mp.Architecture(n_mtj=6, n_inputs=1, n_outputs=1, bias_scale=0.5, synaptic_noise=0.01, delay=1)
    network = mp.random_network(architecture, record, seed=3, mode="surrogate", thermal_samples=64,
                                current_gain=np.linspace(0.8, 1.2, 6))
    path = mp.write_dataset(mp.network_to_dataset(network), tmp_path / "net.nc")
    loaded = mp.network_from_dataset(mp.open_dataset(path))
    assert type(loaded.nonlinearity) is type(network.nonlinearity) and loaded.delay == 1
    drive = mp.make_drive(30, inputs=np.cos(0.2 * np.arange(30)), n_inputs=1)
    runs = [mp.simulate(n, drive, seed=4, record_mtjs=6, progress=False).trajectory.mtj_outputs
            for n in (network, loaded)]
    assert np.array_equal(runs[0], runs[1])


def _hardware_dataset():
    """A made-up dataset of supp_hardware's shape, for its figure."""
    import xarray as xr
    from mtjphys.studies import supp_hardware as hw

    rng = np.random.default_rng(0)
    js = np.linspace(0.2e10, 1.4e10, 7)
    pair = ("v_half", "current_density")
    heated = ("ambient_temperature", "thermal_resistance")
    ramp = np.outer(1 - 0.05 * np.arange(len(hw.V_HALF)), 100 + 50 * js / 1e10)
    dataset = xr.Dataset(
        {"delta_r": (pair, ramp), "delta_r_voltage_drive": (pair, 0.95 * ramp),
         "window_energy": (pair, np.outer(np.ones(len(hw.V_HALF)), 1e-15 * (js / 1e10) ** 2)),
         "voltage_max": (pair, np.outer(np.ones(len(hw.V_HALF)), 0.5 * js / 1e10)),
         "heated_delta_r_mean": (heated, 130 + rng.normal(0, 3, (2, 4))),
         "heated_delta_r_std": (heated, 1 + rng.random((2, 4))),
         "heated_temperature": (heated, [[0.0, 10, 100, 700], [300, 310, 400, 740]])},
        coords={"current_density": js, "v_half": hw.V_HALF, "thermal_resistance": hw.THERMAL_RESISTANCES,
                "ambient_temperature": [0.0, 300.0]})
    for kind, levels in (("v_half", hw.V_HALF), ("thermal_resistance", hw.FIG2_THERMAL_RESISTANCES),
                         ("area_factor", hw.AREA_FACTORS)):
        dims = (f"fig2_{kind}", f"fig2_seed_{kind}")
        dataset[f"fig2_passed_vs_{kind}"] = (dims, rng.random((len(levels), 6)) < 0.6)
        dataset = dataset.assign_coords({dims[0]: levels, dims[1]: np.arange(6)})
    dataset["fig2_energy_per_step_vs_area_factor"] = (dims, 1e-19 * np.outer(hw.AREA_FACTORS, np.ones(6)))
    return dataset


def test_supp_hardware_panels_read_a_to_f_without_overlaps_and_log_ticks_in_one_notation():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from mtjphys.studies import supp_hardware

    figure = supp_hardware.plot(_hardware_dataset())
    renderer = FigureCanvasAgg(figure).get_renderer()
    figure.draw(renderer)
    panels = [ax for ax in figure.axes if ax.get_title()]  # the twin axes carry no title
    assert [ax.get_title()[:3] for ax in panels] == ["(a)", "(b)", "(c)", "(d)", "(e)", "(f)"]
    titles = [ax.title.get_window_extent(renderer) for ax in panels]
    assert not any(a.overlaps(b) for i, a in enumerate(titles) for b in titles[i + 1:])
    for ax in panels:
        labels = [label for label in ax.get_xticklabels() if label.get_text()]
        boxes = [label.get_window_extent(renderer) for label in labels]
        assert not any(boxes[i].overlaps(boxes[i + 1]) for i in range(len(boxes) - 1)), \
            [label.get_text() for label in labels]
        if ax.get_xscale() == "log":
            assert not any("e+" in label.get_text() or label.get_text() in ("10000", "100000") for label in labels)
