"""A user's own nonlinearity, trainer and task, defined in a module outside the package, work
wherever the built-in ones do and survive saving and reloading (also in a fresh process)."""

import json
import subprocess
import sys
import textwrap

import jax.numpy as jnp
import numpy as np
import pytest
import xarray as xr

import mtjphys as mp
from mtjphys.networks import drive_from_task, task_from_dataset, trainer_from_dataset

USER_MODULE = '''
"""A researcher's own extensions of mtjphys."""
from typing import ClassVar

import equinox as eqx
import jax.numpy as jnp
import numpy as np
import xarray as xr

import mtjphys as mp


class Softsign(mp.AbstractNonlinearity):
    """r = s x / (1 + |s x|), a saturating neuron with a slope s."""

    mode: ClassVar[str] = "softsign"
    slope: float
    offsets: jnp.ndarray = eqx.field(metadata={"dims": ("mtj",), "units": "1", "long_name": "offset"})

    def __call__(self, x, magnetization, key):
        y = self.slope * (x + self.offsets)
        return y / (1 + jnp.abs(y)), magnetization


class LeastMeanSquares(mp.AbstractTrainer):
    """The delta rule on the readout: W_out <- W_out - rate (z - target) r^T."""

    rate: float

    def init(self, network):
        return jnp.zeros(())

    def update(self, network, state, r, z, target):
        return eqx.tree_at(lambda n: n.readout, network, network.readout - self.rate * jnp.outer(z - target, r)), state

    def observe(self, state, r):
        return state


def delayed_recall(steps, delay, seed):
    """Reproduce the input `delay` steps later; learning over the first two thirds."""
    u = np.random.default_rng(seed).uniform(-0.5, 0.5, steps)
    target = np.concatenate([np.zeros(delay), u[:-delay]])
    return xr.Dataset(
        {"input": (("time", "input_node"), u[:, None], {"units": "1", "long_name": "input"}),
         "target": (("time", "readout"), target[:, None], {"units": "1", "long_name": "input, delayed"}),
         "learning": ("time", np.arange(steps) < 2 * steps // 3, {"units": "1", "long_name": "learning on"})},
        coords={"time": ("time", np.arange(steps) * mp.STEP, {"units": "s", "long_name": "time"})},
        attrs={"task": "delayed_recall", "delay": delay, "seed": seed},
    )
'''

RELOAD = '''
import json, sys
import numpy as np
import mtjphys as mp

run = mp.open_dataset(sys.argv[1])
network = mp.network_from_dataset(run)
trainer = mp.trainer_from_dataset(run)
task = mp.task_from_dataset(run)
_, again = mp.train(network, task, trainer, seed=3, progress=False)
np.save(sys.argv[2], again.output.values)
print(json.dumps({"nonlinearity": type(network.nonlinearity).__module__ + ":" + type(network.nonlinearity).__name__,
                  "trainer": type(trainer).__name__, "rate": trainer.rate}))
'''


@pytest.fixture(scope="module")
def user(tmp_path_factory):
    """The user's module, importable from a directory of its own."""
    directory = tmp_path_factory.mktemp("user_code")
    (directory / "my_extensions.py").write_text(textwrap.dedent(USER_MODULE))
    sys.path.insert(0, str(directory))
    try:
        import my_extensions

        yield directory, my_extensions
    finally:
        sys.path.remove(str(directory))
        sys.modules.pop("my_extensions", None)


def _network(user, n=30, seed=0, gain=0.9):
    _, ext = user
    architecture = mp.Architecture(n_mtj=n, n_inputs=1, n_outputs=1, gain=gain, leak=0.5, input_scale=1.5)
    offsets = jnp.asarray(np.random.default_rng(seed).uniform(-0.3, 0.3, n))
    return mp.random_network(architecture, seed=seed, nonlinearity=ext.Softsign(2.0, offsets))


def test_a_users_nonlinearity_runs_trains_saves_and_reloads(user, tmp_path):
    _, ext = user
    network = _network(user)
    assert network.mode == "softsign" and network.records == ()
    task = ext.delayed_recall(600, 2, seed=1)
    trained, run = mp.train_force(network, task, progress=False)
    test = ~task.learning.values
    error = run.output.isel(readout=0).values[test] - task.target.isel(readout=0).values[test]
    assert np.sqrt(np.mean(error**2)) < 0.5 * np.std(task.target.values[test])  # it learned the recall
    loaded = mp.network_from_dataset(mp.open_dataset(mp.write_dataset(run, tmp_path / "run.nc")))
    assert type(loaded.nonlinearity) is ext.Softsign and loaded.nonlinearity.slope == 2.0
    drive = drive_from_task(task, 1, 1)
    first, second = (mp.simulate(n, drive, record_mtjs=30, progress=False).trajectory for n in (trained, loaded))
    assert np.array_equal(first.readouts, second.readouts) and np.array_equal(first.mtj_outputs, second.mtj_outputs)


def test_a_users_nonlinearity_in_innate_training(user):
    _, ext = user
    network = _network(user, n=60, gain=2.5)  # chaotic
    task = ext.delayed_recall(80, 2, seed=2).drop_vars("target")
    trained, result = mp.train_innate(network, task, trials=10, spread_trials=3, seed=0, progress=False)
    assert result.attrs["spread_before"] > 0.05
    assert result.attrs["spread_after"] < result.attrs["spread_before"]
    assert not np.array_equal(np.asarray(trained.recurrent), np.asarray(network.recurrent))


@pytest.mark.slow
def test_a_users_trainer_and_task_survive_a_fresh_process(user, tmp_path):
    directory, ext = user
    task = ext.delayed_recall(400, 1, seed=4)
    trainer = ext.LeastMeanSquares(0.02)
    _, run = mp.train(_network(user), task, trainer, seed=3, progress=False)
    late = run.output.isel(readout=0).values[200:266] - task.target.isel(readout=0).values[200:266]
    early = run.output.isel(readout=0).values[:66] - task.target.isel(readout=0).values[:66]
    assert np.mean(late**2) < 0.5 * np.mean(early**2)  # the delta rule learns
    assert trainer_from_dataset(run) == trainer
    path = mp.write_dataset(run, tmp_path / "run.nc")
    reloaded_task = task_from_dataset(mp.open_dataset(path))
    xr.testing.assert_identical(reloaded_task, task)
    assert reloaded_task.attrs == task.attrs

    # a fresh interpreter finds the classes by their import path and repeats the run exactly
    _, again = mp.train(mp.network_from_dataset(mp.open_dataset(path)), task, trainer, seed=3, progress=False)
    script = tmp_path / "reload.py"
    script.write_text(RELOAD)
    result = subprocess.run([sys.executable, str(script), str(path), str(tmp_path / "out.npy")], capture_output=True,
                            text=True, env={"PYTHONPATH": str(directory), "PATH": "/usr/bin:/bin"}, timeout=300)
    assert result.returncode == 0, result.stderr
    reported = json.loads(result.stdout.strip().splitlines()[-1])
    assert reported == {"nonlinearity": "my_extensions:Softsign", "trainer": "LeastMeanSquares", "rate": 0.02}
    assert np.array_equal(np.load(tmp_path / "out.npy"), again.output.values)


def test_a_dataset_naming_a_class_that_cannot_be_imported_is_refused(user, tmp_path):
    _, ext = user
    _, run = mp.train_force(_network(user), ext.delayed_recall(30, 1, seed=0), progress=False)
    run.attrs["network"] = run.attrs["network"].replace("my_extensions:Softsign", "absent_module:Softsign")
    with pytest.raises(mp.MtjphysError, match="cannot import 'absent_module:Softsign'"):
        mp.network_from_dataset(run)


def test_a_compiled_model_variant_saves_and_reloads():
    from mtjphys import models

    variant = models.macrospin_stt().with_terms(models.FieldLikeTorque(), name="with_field_like")
    model = mp.compile_model(variant)
    assert mp.compile_model(variant) is model  # compiled once per process
    record = mp.Parameters({"beta": 0.05}, model=model)
    network = mp.random_network(mp.Architecture(n_mtj=4, n_inputs=1), record, seed=0, mode="device")
    loaded = mp.network_from_dataset(mp.network_to_dataset(network))
    assert loaded.nonlinearity.device.model is model and loaded.records[0]["beta"] == 0.05
    drive = mp.make_drive(5, inputs=np.linspace(-1, 1, 5), n_inputs=1)
    runs = [mp.simulate(n, drive, record_mtjs=4, progress=False).trajectory.mtj_outputs for n in (network, loaded)]
    assert np.array_equal(runs[0], runs[1])
