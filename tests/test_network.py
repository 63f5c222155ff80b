"""Networks and FORCE: learning on a plain tanh network, device vs surrogate, save/load, seeds."""

import jax.numpy as jnp
import numpy as np
import pytest
import xarray as xr

import mtjphys as mp


def test_rls_step_matches_the_batch_least_squares_solution():
    """After n steps from P0 = I/alpha, RLS weights solve the ridge problem on all n samples."""
    rng = np.random.default_rng(0)
    states, alpha = rng.normal(size=(200, 12)), 0.5
    targets = states @ rng.normal(size=12) + 0.1 * rng.normal(size=200)
    p, w = jnp.eye(12) / alpha, jnp.zeros((1, 12))
    for r, y in zip(states, targets):
        p, w = mp.rls_step(p, w, jnp.asarray(r), w @ r - y)
    ridge = np.linalg.solve(states.T @ states + alpha * np.eye(12), states.T @ targets)
    np.testing.assert_allclose(np.asarray(w[0]), ridge, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(np.asarray(p), np.linalg.inv(states.T @ states + alpha * np.eye(12)), rtol=1e-9)


def test_rls_matches_reservoirpy():
    reservoirpy = pytest.importorskip("reservoirpy")
    from reservoirpy.nodes import RLS

    rng = np.random.default_rng(1)
    states, targets = rng.uniform(-1, 1, (300, 30)), np.sin(0.1 * np.arange(300))[:, None]
    p, w = jnp.eye(30), jnp.zeros((1, 30))
    for r, y in zip(states, targets):
        p, w = mp.rls_step(p, w, jnp.asarray(r), w @ r - y)
    node = RLS(alpha=1.0, fit_bias=False)
    node.partial_fit(states, targets)
    assert reservoirpy.__version__
    np.testing.assert_allclose(np.asarray(w), np.asarray(node.Wout).T, rtol=1e-9, atol=1e-12)


def test_force_teaches_a_tanh_network_a_sine():
    """Sussillo & Abbott's setting without MTJs: N = 300 chaotic tanh units, feedback, period 60 steps."""
    architecture = mp.Architecture(n_mtj=300, n_outputs=1, connection_probability=0.1, gain=1.5, leak=0.1, feedback_scale=2.0)
    network = mp.random_network(architecture, seed=3, mode="tanh")
    period = 60 * mp.STEP
    task = mp.sine_generation_task([{"amplitude": 0.8, "period": period, "learn": 3000 * mp.STEP,
                                     "free": 1200 * mp.STEP}])
    x0 = np.random.default_rng(4).normal(0, 0.5, 300)
    _, run = mp.train_force(network, task, regularization=1.0, x0=x0, progress=False)
    free = run.output.isel(readout=0).values[3000:]
    assert abs(mp.dominant_period(free, mp.STEP) / period - 1) < 0.02
    assert abs(mp.amplitude(free) / 0.8 - 1) < 0.05
    # before training the network is not doing the task
    untrained = mp.simulate(network, mp.drive_from_task(task.isel(time=slice(0, 600)), 0, 1), x0=x0, progress=False)
    assert np.allclose(untrained.trajectory.readouts, 0)  # W_out starts at zero


def test_device_and_surrogate_agree_on_a_short_run():
    architecture = mp.Architecture(n_mtj=20, n_inputs=1, n_outputs=1, gain=0.8, leak=0.3, input_scale=1.0,
                                   bias_scale=0.5)
    device = mp.random_network(architecture, seed=5, mode="device")
    surrogate = mp.random_network(architecture, seed=5, mode="surrogate")
    rng = np.random.default_rng(6)
    drive = mp.make_drive(80, inputs=np.sin(0.3 * np.arange(80)), n_inputs=1)
    readout = jnp.asarray(rng.normal(size=(1, 20)))
    import equinox as eqx

    runs = [mp.simulate(eqx.tree_at(lambda n: n.readout, net, readout), drive, record_mtjs=20, progress=False)
            for net in (device, surrogate)]
    r_device, r_surrogate = (run.trajectory.mtj_outputs for run in runs)
    assert np.ptp(r_device) > 0.5  # the MTJs really swing across their range
    assert np.max(np.abs(r_device - r_surrogate)) < 1e-3
    np.testing.assert_allclose(runs[0].trajectory.readouts, runs[1].trajectory.readouts, atol=1e-2)


def test_saved_and_loaded_network_reproduces_its_run_bit_for_bit(tmp_path):
    architecture = mp.Architecture(n_mtj=12, n_inputs=1, n_outputs=1, gain=1.2, leak=0.3, bias_scale=0.5)
    network = mp.random_network(architecture, seed=7, mode="device")
    task = mp.recognition_task(train_windows=2, test_windows=1, seed=7)
    trained, run = mp.train_force(network, task, progress=False)
    path = mp.write_dataset(run, tmp_path / "run.nc")
    loaded = mp.network_from_dataset(mp.open_dataset(path))
    drive = mp.drive_from_task(task, 1, 1)
    first = mp.simulate(trained, drive, record_mtjs=12, progress=False).trajectory
    second = mp.simulate(loaded, drive, record_mtjs=12, progress=False).trajectory
    assert np.array_equal(first.readouts, second.readouts) and np.array_equal(first.mtj_outputs, second.mtj_outputs)
    assert np.array_equal(np.asarray(trained.readout), np.asarray(loaded.readout))


def test_same_seed_same_data_other_seed_other_data():
    def once(seed):
        architecture = mp.Architecture(n_mtj=10, n_inputs=1, n_outputs=1, bias_scale=1.0)
        network = mp.random_network(architecture, seed=seed, mode="surrogate")
        task = mp.recognition_task(train_windows=3, test_windows=2, noise=0.1, seed=seed)
        return mp.train_force(network, task, progress=False)[1]

    first, again, other = once(1), once(1), once(2)
    for name in ("output", "input", "recurrent_weights", "readout_weights"):
        assert np.array_equal(first[name].values, again[name].values), name
        assert not np.array_equal(first[name].values, other[name].values), name


def test_output_noise_is_seeded():
    architecture = mp.Architecture(n_mtj=10, n_outputs=1, gain=1.2)
    network = mp.random_network(architecture, seed=0, mode="tanh")
    drive = mp.make_drive(50)
    runs = [mp.simulate(network, drive, output_noise=0.1, seed=s, progress=False).trajectory.mtj_outputs for s in (0, 0, 1)]
    assert np.array_equal(runs[0], runs[1]) and not np.array_equal(runs[0], runs[2])


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: mp.Architecture(n_mtj=1), "at least 2 MTJs"),
        (lambda: mp.Architecture(n_mtj=10, connection_probability=0), "connection_probability"),
        (lambda: mp.Architecture(n_mtj=10, leak=1.5), "leak"),
        (lambda: mp.Architecture(n_mtj=10, current_window=(1e10, 0.8e10)), "j_min < j_max"),
        (lambda: mp.recognition_task(window=61e-9), "whole number"),
        (lambda: mp.recognition_task(omega_sine=-1.0), "omega_sine must lie"),
        (lambda: mp.recognition_task(omega_square=3e9), "omega_square must lie"),
        (lambda: mp.recognition_task(noise=float("nan")), "noise must be"),
        (lambda: mp.sine_generation_task([{"amplitude": 1, "period": 1e-9, "learn": 1e-7, "free": 0}]), "period"),
        (lambda: mp.sine_generation_task([]), "at least one segment"),
    ],
)
def test_impossible_networks_and_tasks_are_refused(make, message):
    with pytest.raises(mp.MtjphysError, match=message):
        make()


def test_transfer_dataset_of_the_wrong_shape_is_refused():
    grid = np.linspace(0.8e10, 1e10, 5)
    wrong = xr.Dataset({"delta_r": (("mtj", "current_density"), np.ones((3, 5)))}, coords={"current_density": grid})
    with pytest.raises(mp.MtjphysError, match="expected"):
        mp.make_nonlinearity(mp.Parameters(), 10, mode="surrogate", transfer=wrong)
    narrow = xr.Dataset({"delta_r": ("current_density", np.arange(5.0))}, coords={"current_density": grid / 2})
    with pytest.raises(mp.MtjphysError, match="not the current window"):
        mp.make_nonlinearity(mp.Parameters(), 10, mode="surrogate", transfer=narrow)


def test_dominant_period_and_amplitude_of_a_known_signal():
    t = np.arange(800) * mp.STEP
    signal = 0.65 * np.sin(2 * np.pi * t / 80e-9 + 0.3) + 0.1
    assert mp.dominant_period(signal, mp.STEP) == pytest.approx(80e-9, rel=1e-3)
    assert mp.amplitude(signal) == pytest.approx(0.65, rel=1e-2)


def test_closed_loop_needs_as_many_inputs_as_readouts():
    network = mp.random_network(mp.Architecture(n_mtj=10, n_inputs=1, n_outputs=2), seed=0, mode="tanh")
    drive = mp.make_drive(5, inputs=np.ones(5), n_inputs=1, n_targets=2, closed_loop=np.ones(5, bool))
    with pytest.raises(mp.MtjphysError, match="closed loop needs as many inputs as readouts"):
        mp.simulate(network, drive, progress=False)


@pytest.mark.parametrize("regularization", [0.0, -1.0, float("nan"), float("inf")])
def test_regularization_must_be_positive_and_finite(regularization):
    network = mp.random_network(mp.Architecture(n_mtj=10), seed=0, mode="tanh")
    task = mp.sine_generation_task([{"amplitude": 0.5, "period": 30e-9, "learn": 30e-9, "free": 0}])
    with pytest.raises(mp.MtjphysError, match="regularization must be a positive finite number"):
        mp.train_force(network, task, regularization=regularization, progress=False)
    with pytest.raises(mp.MtjphysError, match="regularization must be a positive finite number"):
        mp.Innate.for_network(network, 0.5, seed=0, regularization=regularization)


def test_a_device_network_reloads_with_its_own_solver_settings(tmp_path):
    import diffrax as dfx

    settings = mp.NeuronSolver(solver=dfx.Tsit5(), rtol=1e-9, atol=1e-11, samples=401)
    network = mp.random_network(mp.Architecture(n_mtj=4, n_inputs=1), seed=0, mode="device", settings=settings,
                                carry_magnetization=True)
    path = mp.write_dataset(mp.network_to_dataset(network), tmp_path / "net.nc")
    loaded = mp.network_from_dataset(mp.open_dataset(path))
    assert loaded.nonlinearity.settings == settings and loaded.nonlinearity.carry_magnetization
    drive = mp.make_drive(6, inputs=np.linspace(-1, 1, 6), n_inputs=1)
    runs = [mp.simulate(n, drive, record_mtjs=4, progress=False).trajectory.mtj_outputs for n in (network, loaded)]
    assert np.array_equal(runs[0], runs[1])


def test_every_variable_of_a_run_keeps_its_units_and_long_name(tmp_path):
    network = mp.random_network(mp.Architecture(n_mtj=6, n_inputs=1, n_outputs=1, bias_scale=0.5), seed=1,
                                mode="surrogate", surrogate_points=11)
    task = mp.recognition_task(train_windows=2, test_windows=1, seed=1)
    _, run = mp.train_force(network, task, update_mask=np.ones((1, 6)), progress=False)
    loaded = mp.open_dataset(mp.write_dataset(run, tmp_path / "run.nc"))
    for name, variable in loaded.variables.items():
        assert "units" in variable.attrs and "long_name" in variable.attrs, name
    assert loaded.target.attrs["long_name"] == task.target.attrs["long_name"]
