"""Networks and FORCE: learning on a plain tanh network, device vs surrogate, save/load, seeds."""

import jax.numpy as jnp
import numpy as np
import pytest
import xarray as xr

import mtjphys as mp
from mtjphys.networks import drive_from_task, rls_step
from mtjphys.tasks import amplitude, dominant_period


def test_rls_step_matches_the_batch_least_squares_solution():
    """After n steps from P0 = I/alpha, RLS weights solve the ridge problem on all n samples."""
    rng = np.random.default_rng(0)
    states, alpha = rng.normal(size=(200, 12)), 0.5
    targets = states @ rng.normal(size=12) + 0.1 * rng.normal(size=200)
    p, w = jnp.eye(12) / alpha, jnp.zeros((1, 12))
    for r, y in zip(states, targets):
        p, w = rls_step(p, w, jnp.asarray(r), w @ r - y)
    ridge = np.linalg.solve(states.T @ states + alpha * np.eye(12), states.T @ targets)
    np.testing.assert_allclose(np.asarray(w[0]), ridge, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(np.asarray(p), np.linalg.inv(states.T @ states + alpha * np.eye(12)), rtol=1e-9)


def test_rls_matches_reservoirpy():
    pytest.importorskip("reservoirpy")
    from reservoirpy.nodes import RLS

    rng = np.random.default_rng(1)
    states, targets = rng.uniform(-1, 1, (300, 30)), np.sin(0.1 * np.arange(300))[:, None]
    p, w = jnp.eye(30), jnp.zeros((1, 30))
    for r, y in zip(states, targets):
        p, w = rls_step(p, w, jnp.asarray(r), w @ r - y)
    node = RLS(alpha=1.0, fit_bias=False)
    node.partial_fit(states, targets)
    np.testing.assert_allclose(np.asarray(w), np.asarray(node.Wout).T, rtol=1e-9, atol=1e-12)


def test_force_teaches_a_tanh_network_a_sine():
    """Sussillo & Abbott's setting without MTJs: N = 300 chaotic tanh units, feedback, period 60 steps."""
    architecture = mp.Architecture(n_mtj=300, n_outputs=1, connection_probability=0.1, gain=1.5, leak=0.1,
                                   feedback_scale=2.0)
    network = mp.random_network(architecture, seed=3, mode="tanh")
    period = 60 * mp.STEP
    task = mp.sine_generation_task([{"amplitude": 0.8, "period": period, "learn": 3000 * mp.STEP,
                                     "free": 1200 * mp.STEP}])
    x0 = np.random.default_rng(4).normal(0, 0.5, 300)
    _, run = mp.train_force(network, task, regularization=1.0, x0=x0, progress=False)
    free = run.output.isel(readout=0).values[3000:]
    assert abs(dominant_period(free, mp.STEP) / period - 1) < 0.02
    assert abs(amplitude(free) / 0.8 - 1) < 0.05
    # the output follows the target while learning, and stays in phase with it for the first
    # periods of the free run (measured: rms 0.008 and 0.010 of an amplitude 0.8)
    error = run.output.isel(readout=0).values - run.target.isel(readout=0).values
    assert np.sqrt(np.mean(error[1000:3000] ** 2)) < 0.02
    assert np.sqrt(np.mean(error[3000:3120] ** 2)) < 0.05


@pytest.mark.slow
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


@pytest.mark.slow
def test_saved_and_loaded_network_reproduces_its_run_bit_for_bit(tmp_path):
    architecture = mp.Architecture(n_mtj=12, n_inputs=1, n_outputs=1, gain=1.2, leak=0.3, bias_scale=0.5)
    network = mp.random_network(architecture, seed=7, mode="device")
    task = mp.recognition_task(train_windows=2, test_windows=1, seed=7)
    trained, run = mp.train_force(network, task, progress=False)
    path = mp.write_dataset(run, tmp_path / "run.nc")
    loaded = mp.network_from_dataset(mp.open_dataset(path))
    drive = drive_from_task(task, 1, 1)
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
    runs = [mp.simulate(network, drive, output_noise=0.1, seed=s, progress=False).trajectory.mtj_outputs
            for s in (0, 0, 1)]
    assert np.array_equal(runs[0], runs[1]) and not np.array_equal(runs[0], runs[2])


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: mp.Architecture(n_mtj=1), "at least 2 MTJs"),
        (lambda: mp.Architecture(n_mtj=10, connection_probability=0), "connection_probability"),
        (lambda: mp.Architecture(n_mtj=10, leak=1.5), "leak"),
        (lambda: mp.Architecture(n_mtj=10, current_range=(1e10, 0.8e10)), "j_min < j_max"),
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
    with pytest.raises(mp.MtjphysError, match="not the current range"):
        mp.make_nonlinearity(mp.Parameters(), 10, mode="surrogate", transfer=narrow)


def test_dominant_period_and_amplitude_of_a_known_signal():
    t = np.arange(800) * mp.STEP
    signal = 0.65 * np.sin(2 * np.pi * t / 80e-9 + 0.3) + 0.1
    assert dominant_period(signal, mp.STEP) == pytest.approx(80e-9, rel=1e-3)
    assert amplitude(signal) == pytest.approx(0.65, rel=1e-2)


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


@pytest.mark.slow
def test_a_device_network_reloads_with_its_own_solver_settings(tmp_path):
    import diffrax as dfx

    settings = mp.NeuronSolver(solver=dfx.Tsit5(), rtol=1e-9, atol=1e-11, samples=401)
    network = mp.random_network(mp.Architecture(n_mtj=4, n_inputs=1), seed=0, mode="device", settings=settings,
                                carry_magnetization=True)
    path = mp.write_dataset(mp.network_to_dataset(network), tmp_path / "net.nc")
    loaded = mp.network_from_dataset(mp.open_dataset(path))
    assert loaded.nonlinearity.device.solver == settings and loaded.nonlinearity.carry_magnetization
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


# ---- the drive's flags and the trainer's options, against the equations written out in numpy ----
def _manual_tanh_run(network, steps, *, inputs=None, targets=None, x0=None, x_reset=None, magnetization=None,
                     learning=None, reset_state=None, reset_trainer=None, closed_loop=None, regularization=1.0,
                     update_mask=None, mask_known=False):
    """A tanh network's run, step by step in numpy (FORCE by hand where `learning` is set).

    Returns: dict of readouts z (T, n_out), outputs r (T, N), and the final x, magnetization,
    readout weights and RLS matrix P."""
    never = np.zeros(steps, bool)
    learning, reset_state, reset_trainer, closed_loop = (never if f is None else np.asarray(f, bool)
                                                         for f in (learning, reset_state, reset_trainer, closed_loop))
    j, w_f, w_in, b, w_out = (np.array(a) for a in (network.recurrent, network.feedback, network.input_weights,
                                                      network.bias, network.readout))
    n, delay = network.size, network.delay
    inputs = np.zeros((steps, w_in.shape[1])) if inputs is None else np.asarray(inputs).reshape(steps, -1)
    targets = np.zeros((steps, w_out.shape[0])) if targets is None else np.asarray(targets).reshape(steps, -1)
    x_reset = np.zeros(n) if x_reset is None else np.asarray(x_reset)
    x = x_reset.copy() if x0 is None else np.asarray(x0, dtype=float)
    equilibrium = np.asarray(network.equilibrium)
    m = equilibrium.copy() if magnetization is None else np.asarray(magnetization)
    mask = None if update_mask is None else np.asarray(update_mask, bool)
    p = np.eye(n) / regularization
    history = [(np.zeros(n), np.zeros(w_out.shape[0]))] * delay
    readouts, outputs = [], []
    for step in range(steps):
        if reset_state[step]:
            x, m = x_reset.copy(), equilibrium.copy()
            history = [(np.zeros(n), np.zeros(w_out.shape[0]))] * delay
        if reset_trainer[step]:
            p = np.eye(n) / regularization
        r = np.tanh(x)
        z = w_out @ r
        readouts.append(z)
        outputs.append(r)
        if learning[step]:
            seen = np.where(mask[0], r, 0.0) if mask is not None and mask_known else r
            k = p @ seen
            c = 1 / (1 + seen @ k)
            p = p - c * np.outer(k, k)
            updated = w_out - c * np.outer(z - targets[step], k)
            w_out = updated if mask is None else np.where(mask, updated, w_out)
        u = z if closed_loop[step] else inputs[step]
        history.append((r, z))
        r_in, z_in = history.pop(0)
        x = (1 - network.leak) * x + network.leak * (j @ r_in + w_f @ z_in + w_in @ u + b)
    return {"readouts": np.array(readouts), "outputs": np.array(outputs), "x": x, "magnetization": m,
            "readout": w_out, "p": p}


def _with_readout(network, seed):
    import equinox as eqx

    weights = np.random.default_rng(seed).normal(0, 0.5, network.readout.shape)
    return eqx.tree_at(lambda n: n.readout, network, jnp.asarray(weights))


def test_closed_loop_feeds_the_readouts_back_to_the_input_nodes():
    architecture = mp.Architecture(n_mtj=20, n_inputs=2, n_outputs=2, gain=1.2, leak=0.4, input_scale=1.5,
                                   feedback_scale=0.0, bias_scale=0.3)
    network = _with_readout(mp.random_network(architecture, seed=11, mode="tanh"), 12)
    steps = 60
    t = np.arange(steps)
    inputs = np.stack([np.sin(0.3 * t), np.cos(0.2 * t)], axis=1)
    closed = t >= 25
    x0 = np.random.default_rng(13).normal(0, 0.5, 20)
    drive = mp.make_drive(steps, inputs=inputs, closed_loop=closed, n_inputs=2, n_targets=2)
    result = mp.simulate(network, drive, x0=x0, record_mtjs=20, progress=False)
    expected = _manual_tanh_run(network, steps, inputs=inputs, x0=x0, closed_loop=closed)
    np.testing.assert_allclose(result.trajectory.readouts, expected["readouts"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(result.trajectory.mtj_outputs, expected["outputs"], rtol=1e-10, atol=1e-12)
    # the flag matters: open loop, the same run goes elsewhere once the loop would have closed
    open_loop = _manual_tanh_run(network, steps, inputs=inputs, x0=x0)
    np.testing.assert_allclose(open_loop["readouts"][:26], expected["readouts"][:26], rtol=1e-12, atol=1e-14)
    assert np.max(np.abs(open_loop["readouts"][26:] - expected["readouts"][26:])) > 0.1


@pytest.mark.parametrize("delay", [0, 2])
def test_reset_state_returns_x_and_magnetization_before_the_flagged_step(delay):
    architecture = mp.Architecture(n_mtj=15, n_inputs=1, n_outputs=1, gain=1.5, leak=0.5, bias_scale=0.2,
                                   delay=delay)
    network = _with_readout(mp.random_network(architecture, seed=21, mode="tanh"), 22)
    steps = 40
    rng = np.random.default_rng(23)
    inputs, x0, x_reset = np.cos(0.25 * np.arange(steps)), rng.normal(0, 1, 15), rng.normal(0, 0.5, 15)
    magnetization = rng.normal(size=(15, 3))  # tanh neurons carry it untouched; a reset restores equilibrium
    resets = np.isin(np.arange(steps), [10, 27])
    drive = mp.make_drive(steps, inputs=inputs, reset_state=resets, n_inputs=1)
    result = mp.simulate(network, drive, x0=x0, x_reset=x_reset, magnetization=magnetization, record_mtjs=15,
                         progress=False)
    expected = _manual_tanh_run(network, steps, inputs=inputs, x0=x0, x_reset=x_reset, magnetization=magnetization,
                                reset_state=resets)
    np.testing.assert_allclose(result.trajectory.mtj_outputs, expected["outputs"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(result.trajectory.readouts, expected["readouts"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(np.asarray(result.x), expected["x"], rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(np.asarray(result.magnetization), np.asarray(network.equilibrium))
    # the outputs at a reset step are those of x_reset itself
    np.testing.assert_allclose(result.trajectory.mtj_outputs[10], np.tanh(x_reset), rtol=1e-12)
    np.testing.assert_allclose(result.trajectory.mtj_outputs[27], np.tanh(x_reset), rtol=1e-12)
    unreset = mp.simulate(network, mp.make_drive(steps, inputs=inputs, n_inputs=1), x0=x0, x_reset=x_reset,
                          magnetization=magnetization, progress=False)
    np.testing.assert_array_equal(np.asarray(unreset.magnetization), magnetization)
    assert np.max(np.abs(unreset.trajectory.readouts[10:] - result.trajectory.readouts[10:])) > 1e-3


def _force_drive(steps, **flags):
    targets = 0.6 * np.sin(2 * np.pi * np.arange(steps) / 25)
    return targets, mp.make_drive(steps, targets=targets, learning=np.ones(steps, bool), **flags)


def test_reset_trainer_restarts_force_at_i_over_alpha():
    architecture = mp.Architecture(n_mtj=20, n_outputs=1, gain=1.4, leak=0.3, feedback_scale=1.0)
    network = mp.random_network(architecture, seed=31, mode="tanh")
    steps, alpha = 80, 0.7
    x0 = np.random.default_rng(32).normal(0, 0.5, 20)
    resets = np.arange(steps) == 50
    targets, drive = _force_drive(steps, reset_trainer=resets)
    result = mp.simulate(network, drive, trainer=mp.Force(alpha), x0=x0, progress=False)
    expected = _manual_tanh_run(network, steps, targets=targets, x0=x0, learning=np.ones(steps, bool),
                                reset_trainer=resets, regularization=alpha)
    np.testing.assert_allclose(np.asarray(result.network.readout), expected["readout"], rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(np.asarray(result.trainer_state), expected["p"], rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(result.trajectory.readouts, expected["readouts"], rtol=1e-8, atol=1e-10)
    # without the restart, P keeps shrinking and the weights end elsewhere
    _, plain = _force_drive(steps)
    continued = mp.simulate(network, plain, trainer=mp.Force(alpha), x0=x0, progress=False)
    np.testing.assert_allclose(continued.trajectory.readouts[:50], result.trajectory.readouts[:50], rtol=1e-12,
                               atol=1e-14)
    assert np.max(np.abs(np.asarray(continued.network.readout) - np.asarray(result.network.readout))) > 1e-3
    assert np.trace(np.asarray(continued.trainer_state)) < np.trace(np.asarray(result.trainer_state))


@pytest.mark.parametrize("mask_known", [True, False])
def test_force_with_failed_readout_synapses(mask_known):
    """Known failures: RLS over the working synapses alone, i.e. ridge regression of the targets on
    the working MTJs' outputs. Unknown: the full update, ignored by the failed synapses."""
    n, steps, alpha = 16, 120, 0.5
    architecture = mp.Architecture(n_mtj=n, n_outputs=1, gain=1.3, leak=0.3, feedback_scale=1.0)
    network = mp.random_network(architecture, seed=41, mode="tanh")
    working = np.random.default_rng(42).random(n) < 0.6
    mask = working[None, :]
    x0 = np.random.default_rng(43).normal(0, 0.5, n)
    targets, drive = _force_drive(steps)
    result = mp.simulate(network, drive, trainer=mp.Force(alpha, jnp.asarray(mask), mask_known), x0=x0,
                         record_mtjs=n, progress=False)
    weights = np.asarray(result.network.readout)[0]
    assert np.all(weights[~working] == 0) and np.all(weights[working] != 0)
    expected = _manual_tanh_run(network, steps, targets=targets, x0=x0, learning=np.ones(steps, bool),
                                regularization=alpha, update_mask=mask, mask_known=mask_known)
    np.testing.assert_allclose(weights, expected["readout"][0], rtol=1e-8, atol=1e-10)
    # RLS from P0 = I / alpha is exact ridge regression over the outputs it saw
    r = result.trajectory.mtj_outputs[:, working]
    ridge = np.linalg.solve(r.T @ r + alpha * np.eye(working.sum()), r.T @ targets)
    if mask_known:
        np.testing.assert_allclose(weights[working], ridge, rtol=1e-8, atol=1e-10)
    else:
        assert np.max(np.abs(weights[working] - ridge)) > 1e-3


@pytest.mark.slow
def test_carry_magnetization_starts_each_window_where_the_last_ended():
    """Device mode by hand: every window of the record's device solved from the carried m (or from
    equilibrium for the default network), normalised by the nominal dR at j_min and j_max."""
    import equinox as eqx

    architecture = mp.Architecture(n_mtj=3, n_inputs=1, n_outputs=1, gain=1.0, leak=0.5, bias_scale=0.5)
    carrying = _with_readout(mp.random_network(architecture, seed=51, mode="device", carry_magnetization=True), 52)
    default = _with_readout(mp.random_network(architecture, seed=51, mode="device"), 52)
    steps = 6
    inputs = np.array([0.8, -0.6, 0.3, 0.9, -0.2, 0.5])
    resets = np.arange(steps) == 4  # x and m back to x_reset = 0 and equilibrium before step 4
    drive = mp.make_drive(steps, inputs=inputs, reset_state=resets, n_inputs=1)
    runs = {name: mp.simulate(net, drive, record_mtjs=3, progress=False)
            for name, net in (("carry", carrying), ("default", default))}

    record = mp.Parameters()
    low, high = mp.neuron_output(record, list(architecture.current_range)).delta_r
    j_min, j_max = architecture.current_range
    window = eqx.filter_jit(lambda params, j, m: mp.make_device(record).replace(params=params).window(j, m0=m))
    j, w_f, w_in, b, w_out = (np.asarray(a) for a in (carrying.recurrent, carrying.feedback, carrying.input_weights,
                                                        carrying.bias, carrying.readout))
    equilibrium = np.broadcast_to(record["m0"], (3, 3))
    for name, carry in (("carry", True), ("default", False)):
        x, m, outputs = np.zeros(3), equilibrium, []
        for step in range(steps):
            if resets[step]:
                x, m = np.zeros(3), equilibrium
            current = j_min + (j_max - j_min) * np.clip((1 + x) / 2, 0, 1)
            response = window(record.arrays(), jnp.asarray(current), jnp.asarray(m if carry else equilibrium))
            r = 2 * (np.asarray(response.extrema.delta_r) - low) / (high - low) - 1
            m = np.asarray(response.end)
            outputs.append(r)
            x = 0.5 * x + 0.5 * (j @ r + w_f @ (w_out @ r) + w_in @ inputs[step : step + 1] + b)
        np.testing.assert_allclose(runs[name].trajectory.mtj_outputs, outputs, rtol=0, atol=1e-8, err_msg=name)
        np.testing.assert_allclose(np.asarray(runs[name].magnetization), m, rtol=0, atol=1e-10, err_msg=name)
    carried, fresh = runs["carry"].trajectory.mtj_outputs, runs["default"].trajectory.mtj_outputs
    np.testing.assert_allclose(carried[0], fresh[0], rtol=0, atol=1e-12)  # both start at equilibrium
    assert np.all(np.max(np.abs(carried[1:4] - fresh[1:4]), axis=1) > 0.1)  # it remembers (measured 1.3..3.5)
    np.testing.assert_allclose(carried[4], fresh[4], rtol=0, atol=1e-12)  # the reset forgot it
