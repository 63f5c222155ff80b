"""The standard reservoir tasks against their definitions, the readouts against closed forms, and the benchmarks
study's figures recomputed from the datasets it writes."""

import json

import numpy as np
import pytest
from mtjphys.studies import benchmarks

import mtjphys as mp
from mtjphys.data import code_hash
from mtjphys.networks import (
    AbstractReadoutTrainer,
    accuracy,
    ForceReadout,
    memory_curve,
    network_states,
    nrmse,
    reservoirpy_states,
    RidgeReadout,
    scaled_input,
    train_readout,
)
from mtjphys.tasks import mackey_glass_series


def test_narma10_follows_its_recurrence():
    task = mp.narma10_task(washout=20, train=200, test=100, seed=3)
    u, y = task.input.values[:, 0], task.target.values[:, 0]  # y[t] is y(t+1)
    assert u.min() >= 0 and u.max() <= 0.5 and task.attrs["input_range"] == [0.0, 0.5]
    for t in range(10, u.size):
        expected = 0.3 * y[t - 1] + 0.05 * y[t - 1] * y[t - 10: t].sum() + 1.5 * u[t - 9] * u[t] + 0.1
        assert y[t] == pytest.approx(expected, rel=1e-12)
    assert list(np.unique(task.split.values[:20])) == ["washout"] and (task.split.values == "test").sum() == 100


def test_mackey_glass_converges_and_obeys_its_equation():
    # second order in dt (the delayed value at half steps is interpolated linearly), small at the default 0.1
    runs = [mackey_glass_series(150, seed=2, dt=dt, transient=0) for dt in (0.1, 0.05, 0.025)]
    errors = [np.max(np.abs(runs[0] - runs[1])), np.max(np.abs(runs[1] - runs[2]))]
    assert errors[0] < 1e-4 and 3.5 < errors[0] / errors[1] < 4.5
    assert np.max(np.abs(mackey_glass_series(300, seed=5)[:50] - mackey_glass_series(300, seed=2)[:50])) > 1e-3
    x = mackey_glass_series(300, seed=2, dt=0.05)
    slope = (x[18:-1] - x[16:-3]) / 2  # central difference at t, against the right-hand side at t
    rate = 0.2 * x[:-19] / (1 + x[:-19] ** 10) - 0.1 * x[17:-2]
    assert np.max(np.abs(slope - rate)) < 2e-3 and np.std(rate) > 0.02
    task = mp.mackey_glass_task(horizon=84, washout=10, train=100, test=50, seed=2)
    series = mackey_glass_series(160 + 84, seed=2)
    assert np.allclose(task.input.values[:, 0], series[:160]) and np.allclose(task.target.values[:, 0], series[84:])


def test_memory_task_targets_are_the_delayed_input():
    task = mp.memory_capacity_task(max_delay=12, washout=12, train=50, test=30, seed=1)
    u = task.input.values[:, 0]
    for k in task.delay.values:
        assert np.array_equal(task.target.sel(delay=k).values[k:], u[:-k])
    with pytest.raises(mp.MtjphysError, match="max_delay <= washout"):
        mp.memory_capacity_task(max_delay=20, washout=10)


def test_sine_square_and_digits_tasks():
    task = mp.sine_square_task(washout_periods=2, train_periods=10, test_periods=5, seed=4)
    periods = task.input.values[:, 0].reshape(-1, 8)
    for period, label in zip(periods, task.label.values[::8]):
        expected = np.sin(2 * np.pi * np.arange(8) / 8) if label == 1 else np.repeat([1.0, -1.0], 4)
        assert np.allclose(period, expected)
    digits = mp.sequential_digits_task(seed=1, limit=40)
    from sklearn.datasets import load_digits

    images = load_digits().images
    rows = digits.input.values.reshape(40, 8, 8)
    for image, label in zip(rows, digits.label.values):  # every image is one of scikit-learn's, with its class
        match = np.flatnonzero(np.all(images == image, axis=(1, 2)))
        assert match.size and label in load_digits().target[match]
    assert np.array_equal(np.flatnonzero(digits.reset_state.values), np.arange(0, 320, 8))
    assert np.array_equal(digits.trial_of_step.values[7::8], np.arange(40))


def test_ridge_and_force_readouts_against_closed_forms():
    rng = np.random.default_rng(0)
    x = np.concatenate([np.ones((400, 1)), rng.normal(size=(400, 6))], axis=1)
    weights = rng.normal(size=(2, 7))
    ridge = RidgeReadout()
    assert np.allclose(ridge.fit(x, x @ weights.T), weights, atol=1e-6)
    assert ridge.penalty(x, x @ weights.T) == min(ridge.penalties)  # noiseless: the smallest penalty wins
    y = x @ weights.T + 0.3 * rng.normal(size=(400, 2))
    alpha = 2.5  # RLS from P0 = I / alpha ends at ridge regression with the absolute penalty alpha
    closed = np.linalg.solve(x.T @ x + alpha * np.eye(7), x.T @ y).T
    assert np.allclose(ForceReadout(regularization=alpha).fit(x, y), closed, atol=1e-9)
    # one penalty: no validation; relative to mean rms(x)^2 and the samples, the bias unpenalised
    scale = np.sqrt(np.mean(x**2, axis=0)).mean() ** 2 * 400
    fixed = np.linalg.solve(x.T @ x + 0.1 * scale * np.diag([0.0] + [1.0] * 6), x.T @ y).T
    assert np.allclose(RidgeReadout(penalties=0.1).fit(x, y), fixed, atol=1e-10)
    for bad, message in ((lambda: RidgeReadout(penalties=[]), "penalties must be"),
                         (lambda: RidgeReadout(penalties=(1.0, -1.0)), "penalties must be"),
                         (lambda: ForceReadout(regularization=0.0), "regularization must be")):
        with pytest.raises(mp.MtjphysError, match=message):
            bad()


class LeastSquaresReadout(AbstractReadoutTrainer):
    """A user's readout trainer: plain least squares on the features (no penalty)."""

    rcond: float = 1e-12

    def fit(self, x, y):
        return np.linalg.lstsq(x, y, rcond=self.rcond)[0].T


def test_a_users_readout_trainer_runs_and_is_recorded():
    task = mp.narma10_task(washout=20, train=200, test=100, seed=3)
    network = mp.random_network(mp.Architecture(n_mtj=15, n_inputs=1, gain=0.9, leak=1.0, input_scale=0.3,
                                                feedback_scale=0.0), seed=0, mode="tanh")
    states = network_states(network, task)
    result = train_readout(task, states, trainer=LeastSquaresReadout())
    x = np.concatenate([np.ones((states.shape[0], 1)), scaled_input(task), states], axis=1)
    train = task.split.values == "train"
    expected = np.linalg.lstsq(x[train], task.target.values[train], rcond=1e-12)[0].T
    np.testing.assert_allclose(result.readout_weights.values, expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(result.prediction.values, x @ expected.T, rtol=1e-10, atol=1e-12)
    assert result.attrs["readout"] == "LeastSquaresReadout" and np.isnan(result.attrs["readout_penalty"])
    recorded = json.loads(result.attrs["readout_trainer"])
    assert recorded["__class__"].endswith(":LeastSquaresReadout") and recorded["fields"] == {"rcond": 1e-12}
    test = task.split.values == "test"
    assert json.loads(result.attrs["metrics"])["nrmse"] == nrmse(result.prediction.values[test, 0],
                                                                 task.target.values[test, 0])
    # the built-in ones are recorded the same way
    ridge = train_readout(task, states)
    assert ridge.attrs["readout"] == "ridge" and ridge.attrs["readout_penalty"] in RidgeReadout().penalties
    assert json.loads(ridge.attrs["readout_trainer"])["__class__"] == "mtjphys.networks:RidgeReadout"
    force = train_readout(task, states, trainer=ForceReadout(regularization=0.5))
    assert force.attrs["readout"] == "force" and force.attrs["readout_penalty"] == 0.5
    with pytest.raises(mp.MtjphysError, match="trainer must be an AbstractReadoutTrainer"):
        train_readout(task, states, trainer="ridge")

    class Wrong(AbstractReadoutTrainer):
        def fit(self, x, y):
            return np.zeros((x.shape[1], y.shape[1]))

    with pytest.raises(mp.MtjphysError, match=r"must return weights of shape \(outputs, features\) = \(1, 17\)"):
        train_readout(task, states, trainer=Wrong())


def test_metrics_on_known_cases():
    rng = np.random.default_rng(1)
    target = rng.normal(size=(500, 3))
    assert nrmse(target[:, 0], target[:, 0]) == 0
    assert nrmse(np.full(500, target[:, 0].mean()), target[:, 0]) == pytest.approx(1.0)
    curve = memory_curve(np.stack([2 * target[:, 0] + 1, -target[:, 1], rng.normal(size=500)], 1), target)
    assert curve[:2] == pytest.approx([1.0, 1.0]) and curve[2] < 0.02
    assert accuracy([1, 2, 3, 4], [1, 2, 0, 4]) == 0.75


def test_reservoirpy_states_restart_at_every_reset():
    task = mp.sequential_digits_task(seed=0, limit=6)
    states = reservoirpy_states(task, units=20, spectral_radius=0.9, leak=1.0, input_scale=0.3, connectivity=0.1,
                                seed=2)
    alone = reservoirpy_states(task.isel(time=slice(16, 24)), units=20, spectral_radius=0.9, leak=1.0,
                               input_scale=0.3, connectivity=0.1, seed=2)
    assert np.allclose(states[16:24], alone) and not np.allclose(states[8:16], states[16:24])


def test_network_states_are_the_network_outputs():
    task = mp.narma10_task(washout=5, train=20, test=10, seed=0)
    network = mp.random_network(mp.Architecture(n_mtj=6, n_inputs=1, gain=0.9, leak=1.0, feedback_scale=0.0),
                                seed=1, mode="tanh")
    states = network_states(network, task)
    u, x = scaled_input(task), np.zeros(6)
    for n in range(5):  # x(n+1) = J tanh(x(n)) + W_in u(n) with leak 1 and no feedback
        assert np.allclose(states[n], np.tanh(x), atol=1e-12)
        x = np.asarray(network.recurrent) @ np.tanh(x) + np.asarray(network.input_weights) @ u[n]


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    directory = tmp_path_factory.mktemp("benchmarks")
    summary = benchmarks.run(directory, n_mtj=12, seeds=2, device_seeds=1, range_points=0, micromagnetic_cell=0.0,
                             quick=True, task="narma10", progress=False)
    return directory, summary


def test_the_reported_figures_are_recomputed_from_the_datasets(small_run):
    directory, summary = small_run
    table = mp.open_dataset(directory / "benchmarks.nc")
    assert benchmarks.summarise(table) == {k: v for k, v in summary.items() if k != "wall_time_s"}
    computed = [network for network in benchmarks.NETWORKS if network != "mtj_micromagnetic"]  # no grid asked for
    assert not (directory / "benchmarks_narma10_mtj_micromagnetic.nc").exists()
    assert np.isnan(table.metric.sel(network="mtj_micromagnetic")).all()
    for network in computed:
        dataset = mp.open_dataset(directory / f"benchmarks_narma10_{network}.nc")
        for readout in dataset.readout.values:
            for seed in dataset.seed.values:
                run = dataset.sel(readout=readout, seed=seed)
                test = run.split.values == "test"
                error = run.prediction.values[test, 0] - run.target.values[test, 0]
                measured = np.sqrt(np.mean(error**2)) / np.std(run.target.values[test, 0])
                assert float(table.metric.sel(task="narma10", network=network, readout=readout, seed=seed)) == \
                    pytest.approx(measured, rel=1e-12)
    assert np.isnan(table.metric.sel(network="mtj_device", seed=1)).all()  # device mode on the first seed only
    entry = summary["tasks"]["narma10"]["networks"]["tanh"]["ridge"]
    assert entry["seeds"] == 2 and entry["mean"] < 1.0  # better than predicting the mean
    assert "narma10" in benchmarks.report(summary).rows[0][0]


def test_classification_accuracy_is_recomputed(tmp_path):
    benchmarks.run(tmp_path, n_mtj=10, seeds=1, device_seeds=0, range_points=0, micromagnetic_cell=0.0, quick=True,
                   task="sine_square", progress=False)
    table = mp.open_dataset(tmp_path / "benchmarks.nc")
    dataset = mp.open_dataset(tmp_path / "benchmarks_sine_square_tanh.nc").sel(readout="ridge", seed=0)
    test = dataset.split.values == "test"
    measured = np.mean(dataset.predicted.values[test] == dataset.label.values[test])
    assert float(table.metric.sel(task="sine_square", network="tanh", readout="ridge", seed=0)) == measured
    assert np.array_equal(dataset.predicted.values, np.argmax(dataset.score.values, axis=1))
    assert not (tmp_path / "benchmarks_sine_square_mtj_device.nc").exists()


def test_micromagnetic_networks_run_on_the_grid_curve(monkeypatch):
    monkeypatch.setattr(benchmarks, "MICROMAGNETIC_POINTS", 5)
    states = benchmarks.States(None, 6, micromagnetic_cell=10e-9)
    task = benchmarks.make_task("narma10", 0, True).isel(time=slice(0, 30))
    r = states("mtj_micromagnetic", task, 0)
    record, curve = states.micromagnetic
    assert record.mesh is not None and curve.sizes["current_density"] == 5
    assert r.shape == (30, 6) and np.all(np.abs(r) <= 1 + 1e-9) and np.std(r) > 0


def test_the_range_sweep_reaches_its_top_and_its_chord_is_straight():
    record = mp.Parameters()
    spans = benchmarks.current_ranges(record, 3)
    assert np.allclose(spans[0], mp.OPERATING_RANGE)
    unbroken = record.replace(breakdown_voltage=None)  # the range's top is past the barrier's breakdown
    ratio = float(mp.neuron_output(unbroken, [spans[-1, 1]]).delta_r[0]) / mp.equilibrium_resistance(record)
    assert ratio == pytest.approx(benchmarks.RANGE_TOP, rel=0.02)
    task = benchmarks.make_task("narma10", 0, True)
    network = mp.random_network(benchmarks.architecture_for(task, 8, spans[-1]), unbroken, seed=0, mode="surrogate")
    assert benchmarks.curve_nonlinearity(network) > 0.1
    assert benchmarks.curve_nonlinearity(benchmarks.chord(network)) < 1e-12


@pytest.mark.parametrize("options, message", [
    ({"n_mtj": 1}, "need --n-mtj >= 2"),
    ({"seeds": 2, "device_seeds": 3}, "0 <= --device-seeds <= --seeds"),
    ({"range_points": 1}, "--range-points must be 0"),
    ({"micromagnetic_cell": 1e-6}, "--micromagnetic-cell must be 0"),
    ({"parameters": mp.Parameters({"temperature": 300.0})}, "runs its MTJs at 0 K"),
    ({"task": "narma"}, "--task must be one of"),
])
def test_bad_options_are_refused_before_anything_is_written(tmp_path, options, message):
    with pytest.raises(mp.MtjphysError, match=message):
        benchmarks.run(tmp_path / "out", progress=False, **options)
    assert not (tmp_path / "out").exists()


def test_results_carry_their_settings(small_run):
    directory, _ = small_run
    table = mp.open_dataset(directory / "benchmarks.nc")
    settings = json.loads(table.attrs["benchmark_settings"])
    assert settings["n_mtj"] == 12 and settings["device_seeds"] == [0]
    assert mp.open_dataset(directory / "benchmarks_narma10_tanh.nc").attrs["code_hash"] == code_hash()
    for path in directory.glob("*.nc"):
        for name, variable in mp.open_dataset(path).variables.items():
            assert "units" in variable.attrs and variable.attrs.get("long_name"), f"{path.name}: {name}"
