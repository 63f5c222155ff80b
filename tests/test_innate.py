"""Innate training, and characters as pen trajectories."""

import json

import jax.numpy as jnp
import numpy as np
import pytest
import xarray as xr

import mtjphys as mp
from mtjphys.cli import run_command
from mtjphys.cli._main import cli
from mtjphys.networks import rls_step
from mtjphys.tasks import builtin_character_path, CHARACTER_PERIOD


# ---- innate training ----------------------------------------------------------------------
@pytest.mark.slow
def test_innate_update_is_rls_on_each_plastic_row():
    architecture = mp.Architecture(n_mtj=30, n_outputs=1, connection_probability=0.3, gain=1.2)
    network = mp.random_network(architecture, seed=0, mode="tanh")
    trainer = mp.Innate.for_network(network, 0.2, seed=1, regularization=2.0)
    rng = np.random.default_rng(2)
    r_previous, r, target = (jnp.asarray(rng.uniform(-1, 1, 30)) for _ in range(3))
    state = trainer.observe(trainer.init(network), r_previous)
    updated, _ = trainer.update(network, state, r, jnp.zeros(1), target)
    changed = np.flatnonzero(np.any(np.asarray(updated.recurrent) != np.asarray(network.recurrent), axis=1))
    assert set(changed) <= set(np.asarray(trainer.plastic)) and len(changed) > 0
    for unit in np.asarray(trainer.plastic):
        columns = np.flatnonzero(np.asarray(network.recurrent)[unit])
        _, row = rls_step(jnp.eye(len(columns)) / 2.0, network.recurrent[unit, columns][None],
                          r_previous[columns], (r[unit] - target[unit])[None])
        np.testing.assert_allclose(np.asarray(updated.recurrent)[unit, columns], np.asarray(row[0]), rtol=1e-12)
        others = np.setdiff1d(np.arange(30), columns)
        assert np.all(np.asarray(updated.recurrent)[unit, others] == 0)  # no new connections


def test_innate_training_makes_a_chaotic_network_reproducible():
    """Laje & Buonomano's setting without MTJs: a chaotic tanh network kicked by a brief pulse."""
    architecture = mp.Architecture(n_mtj=200, n_inputs=1, n_outputs=1, gain=1.5, leak=0.1, input_scale=2.0)
    network = mp.random_network(architecture, seed=4, mode="tanh")
    steps = 150
    pulse = np.zeros(steps)
    pulse[:5] = 1.0
    task = xr.Dataset({"input": (("time", "input_node"), pulse[:, None]), "learning": ("time", np.zeros(steps, bool))},
                      coords={"time": np.arange(steps) * mp.STEP})
    trained, result = mp.train_innate(network, task, trials=20, noise=0.02, seed=5, progress=False)
    before, after = result.attrs["spread_before"], result.attrs["spread_after"]
    assert before > 0.2  # chaotic: trials from different initial states diverge
    assert after < 0.3 * before, (before, after)
    assert result.attrs["innate_distance_after"] < 0.3 * result.attrs["innate_distance_before"]
    assert result.spread.dims == ("condition", "trial_step") and result.innate_trajectory.shape == (steps, 200)
    # only plastic rows changed
    changed = np.flatnonzero(np.any(np.asarray(trained.recurrent) != np.asarray(network.recurrent), axis=1))
    assert set(changed) <= set(result.plastic.values)


def test_innate_arguments_are_checked():
    network = mp.random_network(mp.Architecture(n_mtj=10), seed=0, mode="tanh")
    with pytest.raises(mp.MtjphysError, match="plastic fraction"):
        mp.Innate.for_network(network, 0.0, seed=0)


# ---- characters --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def teacher():
    return mp.load_character(builtin_character_path("师"))


def test_builtin_character_and_its_licence(teacher):
    assert teacher.name == "师" and len(teacher.strokes) == 6
    assert (builtin_character_path().parent / "ARPHICPL.TXT").is_file()


def test_trajectory_is_closed_periodic_and_uniform_in_speed(teacher):
    character = teacher.normalized()
    phase = np.linspace(0, 1, 2001)
    x, y, _ = character.trace(phase)
    assert (x[0], y[0]) == pytest.approx((x[-1], y[-1]))  # closed
    x2, y2, _ = character.trace(phase + 3)
    np.testing.assert_allclose(x2, x, atol=1e-12)  # periodic
    np.testing.assert_allclose(y2, y, atol=1e-12)
    # constant speed: the distance travelled grows linearly with the phase
    fine = np.linspace(0, 1, 50001)
    xf, yf, _ = character.trace(fine)
    travelled = np.concatenate([[0], np.cumsum(np.hypot(np.diff(xf), np.diff(yf)))])
    vertices, _ = character.path()
    length = np.hypot(*np.diff(vertices, axis=0).T).sum()
    assert np.max(np.abs(travelled - fine * length)) < 1e-3 * length
    x0, y0, x1, y1 = character.bounding_box
    assert max(x1 - x0, y1 - y0) == pytest.approx(1.8) and abs(x0 + x1) < 1e-12 and abs(y0 + y1) < 1e-12


def test_trajectory_follows_the_stroke_order(teacher):
    character = teacher.normalized()
    phase = np.linspace(0, 1, 20001, endpoint=False)
    x, y, pen_down = character.trace(phase)
    points = np.stack([x, y], axis=1)
    first_visits = []
    for stroke in character.strokes:
        distance = np.linalg.norm(points - stroke[0], axis=1)
        first_visits.append(phase[np.argmax(distance < 1e-3)])
        assert distance.min() < 1e-3
    assert first_visits == sorted(first_visits) and first_visits[0] == 0.0
    # the pen is down along the strokes and up in exactly len(strokes) moves
    assert np.count_nonzero(np.diff(pen_down.astype(int)) == -1) + (not pen_down[-1]) >= len(character.strokes) - 1


def test_writing_task_has_the_papers_period(teacher):
    character = teacher.normalized()
    task = mp.writing_task(character, 400)
    xy = task.target.values
    x, y, _ = character.trace(np.arange(400) * mp.STEP / CHARACTER_PERIOD)
    np.testing.assert_allclose(xy, np.stack([x, y], axis=1), atol=1e-12)
    assert np.array_equal(task.input.values, task.target.values)
    # the pen comes back after 170 ns = 113.33 steps: 113 and 114 steps later it is within a third
    # and two thirds of a step's travel of where it was (constant speed along a path of this length)
    vertices, _ = character.path()
    per_step = np.hypot(*np.diff(vertices, axis=0).T).sum() * mp.STEP / CHARACTER_PERIOD
    for shift, lag in ((113, 1 / 3), (114, 2 / 3), (227, 1 / 3), (340, 0.0)):
        distance = np.hypot(*(xy[shift:] - xy[:-shift]).T)
        assert distance.max() <= (lag + 1e-6) * per_step + 1e-12, (shift, distance.max() / per_step)
    assert np.hypot(*(xy[100:] - xy[:-100]).T).max() > 5 * per_step  # but not after 100 steps
    # a period of a whole number of steps repeats exactly
    exact = mp.writing_task(character, 300, period=120 * mp.STEP).target.values
    np.testing.assert_allclose(exact[120:], exact[:-120], atol=1e-12)
    assert np.hypot(*(exact[60] - exact[0])) > 0.1


@pytest.mark.parametrize(
    "content, message",
    [
        ("not json", "not valid JSON"),
        ('{"strokes": []}', "no 'medians'"),
        ('{"medians": []}', "no 'medians'"),
        ('[1, 2, 3]', "no 'medians'"),
        ('{"medians": [[[1, 2]]]}', "stroke 0 must be a list of at least two"),
        ('{"medians": [[[1, 2], [3, 4]], [[1, 2, 3], [4, 5, 6]]]}', "stroke 1 must be"),
        ('{"medians": [[["a", 2], [3, 4]]]}', "stroke 0 must be"),
        ('{"medians": [[[1, NaN], [3, 4]]]}', "non-finite"),
        ('{"medians": [[[5, 5], [5, 5]]]}', "all points coincide"),
    ],
)
def test_malformed_character_files(tmp_path, content, message):
    path = tmp_path / "c.json"
    path.write_text(content)
    with pytest.raises(mp.MtjphysError, match=message):
        mp.load_character(path)


def test_fig3_rejects_a_malformed_character_file_in_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"medians": "none"}')
    with pytest.raises(SystemExit) as exit_info:
        run_command(cli, ["study", "fig3_character", "-o", str(tmp_path / "out"), "--character-file", str(bad)],
                    prog_name="mtjphys")
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and err.count("\n") == 1 and "no 'medians'" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_any_character_file_in_the_format_works(tmp_path):
    """A square written in two strokes, by a small surrogate network (pipeline smoke test)."""
    from mtjphys.studies import fig3_character

    path = tmp_path / "square.json"
    path.write_text(json.dumps({"strokes": [], "medians": [[[100, 100], [900, 100], [900, 900]],
                                                          [[900, 900], [100, 900], [100, 100]]]}))
    summary = fig3_character.run(tmp_path / "out", character_file=path, mode="surrogate", n_mtj=200, test_runs=2,
                                 control=False, progress=False)
    dataset = mp.open_dataset(tmp_path / "out" / "fig3_character.nc")
    assert set(np.unique(dataset.phase.values)) == {"innate", "train", "warmup", "test"}
    assert {"x", "y", "x_target", "y_target", "spread"} <= set(dataset.data_vars)
    assert summary["character"] == "square" and len(summary["test_errors"]) == 2
    assert (tmp_path / "out" / "fig3_character.png").stat().st_size > 10_000
