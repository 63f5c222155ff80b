"""Backpropagation through time: gradients against finite differences, truncation, constraints, the study."""

import json

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import mtjphys as mp
from mtjphys.device import gradient_solver
from mtjphys.networks import (
    cross_entropy_loss,
    default_optimizer,
    loss_and_gradient,
    make_sequences,
    mse_loss,
    rollout,
    sequence_readouts,
    train_bptt,
)
from mtjphys.networks._bptt import TRAINABLE
from mtjphys.tasks import amplitude, dominant_period

EVERY_WEIGHT = TRAINABLE


def _small_network(mode: str, n_mtj: int = 6, **options):
    architecture = mp.Architecture(n_mtj=n_mtj, n_inputs=1, n_outputs=1, connection_probability=0.5, gain=1.2,
                                   leak=0.4, feedback_scale=0.5, input_scale=0.8, bias_scale=0.3)
    network = mp.random_network(architecture, seed=3, mode=mode, **options)
    readout = np.random.default_rng(4).normal(0.0, 0.5, (1, n_mtj))
    return eqx.tree_at(lambda n: n.readout, network, jnp.asarray(readout))


def _sequences(count: int, steps: int, seed: int = 5):
    rng = np.random.default_rng(seed)
    inputs = rng.uniform(-1, 1, (count, steps, 1))
    targets = 0.5 * np.sin(0.7 * np.arange(steps))[None, :, None] + 0.1 * rng.normal(size=(count, steps, 1))
    return make_sequences(targets, inputs=inputs, x0=rng.normal(0.0, 0.3, (count, 6)))


def _check_against_differences(network, sequences, *, step: float, rtol: float, trainable=EVERY_WEIGHT, **options):
    """The gradient along a random direction of each weight against a central difference of the loss."""
    _, gradient = loss_and_gradient(network, sequences, trainable=trainable, **options)
    rng = np.random.default_rng(9)
    for name in trainable:
        weights = np.asarray(getattr(network, name))
        direction = rng.normal(size=weights.shape)
        if name == "recurrent":
            direction = np.where(weights != 0, direction, 0.0)  # the trainable entries: existing connections
        values = []
        for sign in (1, -1):
            moved = eqx.tree_at(lambda n, name=name: getattr(n, name), network,
                                jnp.asarray(weights + sign * step * direction))
            values.append(loss_and_gradient(moved, sequences, trainable=trainable, **options)[0])
        plus, minus = values
        difference = (plus - minus) / (2 * step)
        analytic = float(np.sum(gradient[name] * direction))
        assert abs(analytic) > 1e-6, name  # the direction matters to the loss
        assert analytic == pytest.approx(difference, rel=rtol), name


@pytest.mark.parametrize("mode", ["tanh", "surrogate"])
def test_gradient_matches_finite_differences(mode):
    network = _small_network(mode)
    _check_against_differences(network, _sequences(3, 12), step=1e-6, rtol=1e-5 if mode == "tanh" else 1e-4)


def test_cross_entropy_gradient_matches_finite_differences():
    network = _small_network("tanh")
    network = eqx.tree_at(lambda n: n.readout, network, jnp.asarray(np.random.default_rng(1).normal(size=(3, 6))))
    network = eqx.tree_at(lambda n: n.feedback, network, jnp.zeros((6, 3)))
    rng = np.random.default_rng(2)
    targets = np.zeros((4, 5, 3))
    targets[np.arange(4), -1, rng.integers(0, 3, 4)] = 1.0
    last = np.zeros((4, 5), bool)
    last[:, -1] = True
    sequences = make_sequences(targets, inputs=rng.uniform(-1, 1, (4, 5, 1)), loss_steps=last)
    _check_against_differences(network, sequences, step=1e-6, rtol=1e-5, loss=cross_entropy_loss,
                               trainable=("input_weights", "recurrent", "readout", "bias"))


@pytest.mark.slow
def test_device_mode_gradient_goes_through_the_llg_solve():
    """A tiny device-mode network (3 MTJs, 3 steps): every MTJ's LLG solve differentiated in reverse mode."""
    network = _small_network("device", n_mtj=3)
    rng = np.random.default_rng(6)
    sequences = make_sequences(0.3 * rng.normal(size=(1, 3, 1)), inputs=rng.uniform(-1, 1, (1, 3, 1)))
    _check_against_differences(network, sequences, step=1e-5, rtol=2e-3,
                               trainable=("input_weights", "recurrent", "readout"))
    # a solver set to forward mode is differentiated with the reverse adjoint, and handed back unchanged
    forward = gradient_solver(network.nonlinearity.device.solver, "forward")
    network_forward = eqx.tree_at(lambda n: n.nonlinearity.device, network,
                                  network.nonlinearity.device.replace(solver=forward))
    value, _ = loss_and_gradient(network_forward, sequences)
    assert value == pytest.approx(loss_and_gradient(network, sequences)[0], rel=1e-12)


def _sine_sequences(n_mtj: int, count: int, warm: int, free: int, period: float, amplitude: float, seed: int):
    rng = np.random.default_rng(seed)
    steps = warm + free
    phase = rng.uniform(0, 2 * np.pi, count)
    targets = amplitude * np.sin(2 * np.pi * np.arange(steps)[None] / period + phase[:, None])[..., None]
    forced = np.zeros((count, steps), bool)
    forced[:, :warm] = True
    return make_sequences(targets, loss_steps=~forced, teacher_forcing=forced,
                          x0=rng.normal(0.0, 0.5, (count, n_mtj)))


def test_bptt_trained_tanh_network_generates_a_sine():
    """Closed loop, the readout fed back through W_f: after training, a free run from a teacher-forced warm-up
    follows the sine."""
    period, size, n_mtj = 30.0, 0.8, 30
    architecture = mp.Architecture(n_mtj=n_mtj, n_outputs=1, connection_probability=0.2, gain=1.2, leak=0.2)
    network = mp.random_network(architecture, seed=0, mode="tanh")
    sequences = _sine_sequences(n_mtj, 32, 40, 160, period, size, seed=0)
    trained, history = train_bptt(network, sequences, trainable=("recurrent", "readout", "feedback"), epochs=80,
                                  batch_size=16, truncation=50, progress=False)
    losses = history.loss.values
    assert losses[-10:].mean() < losses[0] / 100
    warm, free = 40, 400
    n = np.arange(warm + free)
    target = size * np.sin(2 * np.pi * n / period)
    run = rollout(trained, jnp.zeros((n.size, 0)), teacher_forcing=jnp.asarray(n < warm),
                  forced_readouts=jnp.asarray(target[:, None]))
    output = np.asarray(run.readouts[warm:, 0])
    first = slice(0, 100)  # three periods and more: phase and shape
    assert np.sqrt(np.mean((output[first] - target[warm:][first]) ** 2)) < 0.1 * size / np.sqrt(2)
    assert dominant_period(output, 1.0) == pytest.approx(period, rel=0.02)
    assert amplitude(output) == pytest.approx(size, rel=0.05)
    for variable in history.data_vars.values():
        assert variable.attrs["units"] and variable.attrs["long_name"]
    assert history.attrs["seed"] == 0 and history.attrs["loss"] == "mtjphys.networks:mse_loss"
    assert history.attrs["optimizer"] == ("chain(clip_by_global_norm(max_norm=1), adam(learning_rate=0.01, b1=0.9, "
                                          "b2=0.999, eps=1e-08, eps_root=0))")
    assert json.loads(history.attrs["optimizer_hyperparameters"]) == [
        {"max_norm": 1.0}, {"learning_rate": 0.01, "b1": 0.9, "b2": 0.999, "eps": 1e-8, "eps_root": 0.0}]
    assert "mean squared error" in history.loss.attrs["long_name"].lower()


def test_truncation_cuts_the_gradient():
    """With truncation K, a loss after the boundary sees the state at the boundary as a constant: its gradient
    equals that of a rollout started there, and inputs before the boundary get none of it."""
    network = _small_network("tanh")
    window = 6
    rng = np.random.default_rng(7)
    inputs = rng.uniform(-1, 1, (1, 2 * window, 1))
    targets = rng.normal(0.0, 0.5, (1, 2 * window, 1))
    after = np.zeros((1, 2 * window), bool)
    after[:, window:] = True
    sequences = make_sequences(targets, inputs=inputs, loss_steps=after)
    trainable = ("input_weights", "recurrent", "readout", "feedback", "bias")
    value, truncated = loss_and_gradient(network, sequences, trainable=trainable, truncation=window)
    _, full = loss_and_gradient(network, sequences, trainable=trainable)
    boundary = np.asarray(rollout(network, jnp.asarray(inputs[0])).states[window])
    started = make_sequences(targets[:, window:], inputs=inputs[:, window:], x0=boundary[None])
    restarted_value, restarted = loss_and_gradient(network, started, trainable=trainable)
    assert value == pytest.approx(restarted_value, rel=1e-12)
    for name in trainable:
        np.testing.assert_allclose(truncated[name], restarted[name], rtol=1e-10, atol=1e-14)
        assert not np.allclose(truncated[name], full[name])  # the full gradient also sees the first window

    # the loss at the boundary step alone, the inputs only before it: nothing reaches W_in through the state
    quiet = inputs.copy()
    quiet[:, window:] = 0.0
    at_boundary = np.zeros((1, 2 * window), bool)
    at_boundary[:, window] = True
    sequences = make_sequences(targets, inputs=quiet, loss_steps=at_boundary)
    _, truncated = loss_and_gradient(network, sequences, trainable=trainable, truncation=window)
    _, full = loss_and_gradient(network, sequences, trainable=trainable)
    assert np.all(truncated["input_weights"] == 0) and np.all(truncated["recurrent"] == 0)
    assert np.any(full["input_weights"] != 0) and np.any(truncated["readout"] != 0)


def test_training_keeps_the_sparsity_and_the_current_window():
    network = _small_network("surrogate", n_mtj=6)
    sequences = _sequences(8, 10)
    trained, _ = train_bptt(network, sequences, trainable=EVERY_WEIGHT, epochs=10, batch_size=4,
                            optimizer=default_optimizer(learning_rate=0.2, clip_norm=10.0), progress=False)
    missing = np.asarray(network.recurrent) == 0
    assert missing.any() and (~missing).any()
    assert np.all(np.asarray(trained.recurrent)[missing] == 0)
    assert np.all(np.asarray(trained.recurrent)[~missing] != np.asarray(network.recurrent)[~missing])
    assert bool(eqx.tree_equal(trained.nonlinearity, network.nonlinearity))
    states = np.concatenate([np.asarray(rollout(trained, sequences.inputs[k], x0=sequences.x0[k]).states)
                             for k in range(sequences.count)])
    assert np.abs(states).max() > 1  # the large learning rate drives MTJs beyond the window's edges ...
    currents = np.asarray(trained.nonlinearity.currents(jnp.asarray(states)))
    j_min, j_max = trained.nonlinearity.current_range
    assert currents.min() >= j_min and currents.max() <= j_max  # ... and their currents stay inside it


def test_training_is_deterministic_from_the_seed():
    network = _small_network("tanh")
    sequences = _sequences(8, 10)
    runs = [train_bptt(network, sequences, epochs=3, batch_size=3, seed=seed, progress=False) for seed in (1, 1, 2)]
    (first, history), (again, history_again), (_, other) = runs
    np.testing.assert_array_equal(history.loss.values, history_again.loss.values)
    for name in ("input_weights", "recurrent", "readout"):
        np.testing.assert_array_equal(np.asarray(getattr(first, name)), np.asarray(getattr(again, name)))
    assert not np.array_equal(history.loss.values, other.loss.values)  # another minibatch order
    np.testing.assert_array_equal(sequence_readouts(first, sequences), sequence_readouts(again, sequences))


@pytest.mark.parametrize("options, message", [
    ({"trainable": ("leak",)}, "trainable must name"),
    ({"trainable": ()}, "trainable must name"),
    ({"truncation": 0}, "truncation must be"),
    ({"epochs": 0}, "epochs must be"),
    ({"loss": "mse"}, "loss must be a callable"),
    ({"loss": lambda z, target: jnp.sum((z - target) ** 2)}, r"one float per step, shape \(4, 5\)"),
    ({"loss": lambda z, target: z @ jnp.ones(3)}, "fails on readouts and targets of shape"),
    ({"optimizer": "adam"}, "optimizer must be an optax GradientTransformation"),
    ({"seed": -1}, "seed"),
])
def test_bad_training_input_is_refused_in_one_line(options, message):
    network = _small_network("tanh")
    with pytest.raises(mp.MtjphysError, match=message) as error:
        train_bptt(network, _sequences(4, 5), progress=False, **options)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("options, message", [
    ({"learning_rate": -1.0}, "learning_rate must be"),
    ({"clip_norm": float("nan")}, "clip_norm must be"),
])
def test_bad_default_optimizer_settings_are_refused_in_one_line(options, message):
    with pytest.raises(mp.MtjphysError, match=message) as error:
        default_optimizer(**options)
    assert "\n" not in str(error.value)
    assert default_optimizer(0.05, 2.0) is default_optimizer(learning_rate=0.05, clip_norm=2.0)  # compiled once


def huber_loss(readouts, targets):
    """Huber loss of the readouts (delta 0.1), per step."""
    return jnp.mean(optax.huber_loss(readouts, targets, delta=0.1), axis=-1)


def test_a_users_loss_and_optimizer_train_and_are_recorded():
    """Any callable loss and any optax transformation: the update is the transformation's own (one step of plain
    SGD on the user's loss is the learning rate times its gradient), and the history says what was used."""
    network = _small_network("tanh")
    sequences = _sequences(4, 8)
    trainable = ("input_weights", "readout")
    _, gradient = loss_and_gradient(network, sequences, loss=huber_loss, trainable=trainable)
    stepped, history = train_bptt(network, sequences, loss=huber_loss, trainable=trainable, epochs=1, batch_size=4,
                                  optimizer=optax.sgd(0.3), progress=False)
    for name in trainable:
        np.testing.assert_allclose(np.asarray(getattr(stepped, name)),
                                   np.asarray(getattr(network, name)) - 0.3 * gradient[name], rtol=1e-12, atol=1e-15)
    assert history.attrs["loss"].endswith(":huber_loss") and history.attrs["loss_description"].startswith("Huber")
    assert "Huber loss" in history.loss.attrs["long_name"]
    assert history.attrs["optimizer"] == "chain(identity(), scale(step_size=-0.3))"  # optax.sgd's own parts
    assert json.loads(history.attrs["optimizer_hyperparameters"]) == []  # none injected
    # a transformation that exposes its hyperparameters, and one that uses the loss (the extra argument `value`)
    injected = optax.chain(optax.inject_hyperparams(optax.sgd)(learning_rate=0.05, momentum=0.5),
                           optax.contrib.reduce_on_plateau(patience=1, factor=0.5))
    _, history = train_bptt(network, sequences, loss=mse_loss, epochs=6, batch_size=2, optimizer=injected,
                            progress=False)
    assert history.loss.values[-1] < history.loss.values[0]
    assert history.attrs["optimizer"].startswith("chain(sgd(learning_rate=0.05, momentum=0.5")
    assert json.loads(history.attrs["optimizer_hyperparameters"])[0]["learning_rate"] == 0.05
    # one that would move every weight: J's missing connections stay 0 all the same
    shift = optax.GradientTransformation(lambda params: optax.EmptyState(),
                                         lambda updates, state, params=None: (
                                             jax.tree.map(lambda u: u + 1e-3, updates), state))
    shifted, _ = train_bptt(network, sequences, trainable=("recurrent",), epochs=2, batch_size=2,
                            optimizer=optax.chain(optax.sgd(0.1), shift), progress=False)
    missing = np.asarray(network.recurrent) == 0
    assert missing.any() and np.all(np.asarray(shifted.recurrent)[missing] == 0)
    assert np.all(np.asarray(shifted.recurrent)[~missing] != np.asarray(network.recurrent)[~missing])


def test_bad_sequences_are_refused_in_one_line():
    network = _small_network("tanh")
    checks = [
        (lambda: make_sequences(np.zeros((2, 3))), "targets must have shape"),
        (lambda: make_sequences(np.zeros((2, 3, 1)), loss_steps=np.zeros((2, 3), bool)), "selects no step"),
        (lambda: make_sequences(np.zeros((2, 3, 1)), inputs=np.zeros((2, 4, 1))), "inputs must be"),
        (lambda: train_bptt(network, make_sequences(np.zeros((2, 3, 1)), inputs=np.zeros((2, 3, 2))),
                            progress=False), "2 inputs, the network 1"),
        (lambda: train_bptt(network, make_sequences(np.zeros((2, 3, 1))), trainable=("input_weights",),
                            progress=False), "0 inputs, the network 1"),
    ]
    for build, message in checks:
        with pytest.raises(mp.MtjphysError, match=message) as error:
            build()
        assert "\n" not in str(error.value)


def test_study_refuses_bad_input_before_writing(tmp_path):
    from mtjphys.studies import supp_backprop

    for options, message in (({"seeds": 0}, "--seeds"), ({"n_mtj": 1}, "--n-mtj"), ({"seed": -2}, "--seed"),
                             ({"device_mtj": 1}, "--device-mtj")):
        target = tmp_path / "out"
        with pytest.raises(mp.MtjphysError, match=message) as error:
            supp_backprop.STUDY.run(target, progress=False, **options)
        assert "\n" not in str(error.value)
        assert not target.exists()


