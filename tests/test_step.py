"""One network step for `simulate`, the BPTT rollout and the Lyapunov map: they give the same numbers."""

from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import mtjphys as mp
from mtjphys.networks import (
    initial_state,
    loss_and_gradient,
    make_sequences,
    network_step,
    rollout,
    sequence_readouts,
    StepInput,
)


def _network(mode: str, *, n_mtj: int = 10, delay: int = 0, synaptic_noise: float = 0.0, **options):
    architecture = mp.Architecture(n_mtj=n_mtj, n_inputs=1, n_outputs=1, connection_probability=0.5, gain=1.3,
                                   leak=0.4, feedback_scale=0.6, input_scale=0.8, bias_scale=0.3, delay=delay,
                                   synaptic_noise=synaptic_noise)
    network = mp.random_network(architecture, seed=3, mode=mode, **options)
    readout = np.random.default_rng(4).normal(0.0, 0.5, (1, n_mtj))
    return eqx.tree_at(lambda n: n.readout, network, jnp.asarray(readout))


def _flags(steps: int, resets=(), closed_from=None):
    n = np.arange(steps)
    return np.isin(n, resets), (n >= closed_from) if closed_from is not None else np.zeros(steps, bool)


def _both(network, steps: int, *, resets=(), closed_from=None, seed: int = 0):
    """The same run by `simulate` and by `rollout` (state resets, closed loop). Returns: (run, rollout)."""
    rng = np.random.default_rng(5)
    inputs = np.sin(0.35 * np.arange(steps))[:, None]
    x0, x_reset = rng.normal(0.0, 0.5, network.size), rng.normal(0.0, 0.3, network.size)
    reset, closed = _flags(steps, resets, closed_from)
    drive = mp.make_drive(steps, inputs=inputs, reset_state=reset, closed_loop=closed, n_inputs=1)
    run = mp.simulate(network, drive, x0=x0, x_reset=x_reset, seed=seed, record_mtjs=network.size, chunk=25,
                      readout_every=5, progress=False)
    rolled = rollout(network, jnp.asarray(inputs), x0=jnp.asarray(x0), x_reset=jnp.asarray(x_reset),
                     reset_state=jnp.asarray(reset), closed_loop=jnp.asarray(closed), key=jax.random.PRNGKey(seed))
    return run, rolled


def _assert_same(run, rolled, tolerance=1e-12):
    np.testing.assert_allclose(np.asarray(rolled.readouts), run.trajectory.readouts, rtol=0, atol=tolerance)
    np.testing.assert_allclose(np.asarray(rolled.outputs), run.trajectory.mtj_outputs, rtol=0, atol=tolerance)
    np.testing.assert_allclose(np.asarray(rolled.x), np.asarray(run.x), rtol=0, atol=tolerance)
    np.testing.assert_allclose(np.asarray(rolled.magnetization), np.asarray(run.magnetization), rtol=0,
                               atol=tolerance)


@pytest.mark.parametrize("mode, delay", [("tanh", 0), ("tanh", 2), ("surrogate", 0), ("surrogate", 3)])
def test_the_bptt_rollout_is_the_run_simulate_makes(mode, delay):
    """Resets, a closed loop and delay lines: the rollout BPTT differentiates is `simulate`'s run to 1e-12."""
    network = _network(mode, delay=delay)
    run, rolled = _both(network, 70, resets=(20, 47), closed_from=35)
    _assert_same(run, rolled)
    assert np.ptp(run.trajectory.readouts) > 0.3  # a run that does something
    # every flag matters: without the resets and the loop the run goes elsewhere
    plain, _ = _both(network, 70)
    assert np.max(np.abs(plain.trajectory.readouts[20:] - run.trajectory.readouts[20:])) > 1e-3


class NoisyTanh(mp.AbstractNonlinearity):
    """r = tanh(x) plus noise drawn from the neurons' key (as a thermal surrogate or the stochastic LLG draw)."""

    mode: ClassVar[str] = "noisy_tanh"

    def __call__(self, x, magnetization, key):
        return jnp.tanh(x) + 0.05 * jax.random.normal(key, x.shape), magnetization


def test_fluctuating_synapses_and_noisy_neurons_draw_the_same_numbers_in_both():
    """With the same key, the noise drawn inside the step (synapses: fold_in 3, neurons: fold_in 2) is the same."""
    network = _network("tanh", delay=1, synaptic_noise=0.05, nonlinearity=NoisyTanh())
    run, rolled = _both(network, 40, resets=(25,), closed_from=30, seed=7)
    _assert_same(run, rolled)
    other, _ = _both(network, 40, resets=(25,), closed_from=30, seed=8)
    assert np.max(np.abs(other.trajectory.readouts - run.trajectory.readouts)) > 1e-3


@pytest.mark.parametrize("delay", [0, 2])
def test_teacher_forcing_with_the_networks_own_readouts_changes_nothing(delay):
    """Forcing the feedback (and the closed-loop inputs, and the delay lines) with the readouts the network makes
    itself gives its own run: the forced readouts go exactly where z would."""
    network = _network("tanh", delay=delay)
    run, _ = _both(network, 50, resets=(30,), closed_from=20)
    rng = np.random.default_rng(5)
    x0, x_reset = rng.normal(0.0, 0.5, network.size), rng.normal(0.0, 0.3, network.size)
    reset, closed = _flags(50, (30,), 20)
    forced = rollout(network, jnp.asarray(np.sin(0.35 * np.arange(50))[:, None]), x0=jnp.asarray(x0),
                     x_reset=jnp.asarray(x_reset), reset_state=jnp.asarray(reset), closed_loop=jnp.asarray(closed),
                     teacher_forcing=jnp.ones(50, bool), forced_readouts=jnp.asarray(run.trajectory.readouts))
    np.testing.assert_allclose(np.asarray(forced.readouts), run.trajectory.readouts, rtol=0, atol=1e-12)


def test_bptts_batched_forward_pass_and_loss_are_simulates():
    """`sequence_readouts` and the loss `loss_and_gradient` differentiates (vmapped rollouts) against `simulate`
    run sequence by sequence."""
    network = _network("surrogate", delay=1)
    rng = np.random.default_rng(8)
    count, steps = 4, 30
    inputs, targets = rng.uniform(-1, 1, (count, steps, 1)), rng.normal(0.0, 0.5, (count, steps, 1))
    x0 = rng.normal(0.0, 0.5, (count, network.size))
    reset = np.zeros((count, steps), bool)
    reset[:, 17] = True
    sequences = make_sequences(targets, inputs=inputs, x0=x0, reset_state=reset)
    expected = np.stack([mp.simulate(network, mp.make_drive(steps, inputs=inputs[k], reset_state=reset[k],
                                                            n_inputs=1), x0=x0[k], progress=False).trajectory.readouts
                         for k in range(count)])
    np.testing.assert_allclose(sequence_readouts(network, sequences), expected, rtol=0, atol=1e-12)
    value, _ = loss_and_gradient(network, sequences)
    assert value == pytest.approx(np.mean((expected - targets) ** 2), rel=1e-12, abs=0)


@pytest.mark.slow
def test_device_mode_rollout_is_simulates_run():
    """A tiny device-mode network (3 MTJs, 6 steps, one delay step, a reset and a closed loop)."""
    network = _network("device", n_mtj=3, delay=1)
    run, rolled = _both(network, 6, resets=(3,), closed_from=4)
    _assert_same(run, rolled)
    carrying = _network("device", n_mtj=3, carry_magnetization=True)
    run, rolled = _both(carrying, 6, resets=(4,), closed_from=2)
    _assert_same(run, rolled)


@pytest.mark.parametrize("mode, delay", [("tanh", 2), ("surrogate", 0), ("surrogate", 2)])
def test_the_tangent_of_the_step_is_its_finite_difference(mode, delay):
    """What the Lyapunov map carries: `jax.jvp` of the step against a central difference of the same step, in
    every part of the state (x, and the delay lines)."""
    network = _network(mode, delay=delay, n_mtj=8)
    rng = np.random.default_rng(9)
    state = initial_state(network, jnp.asarray(rng.normal(0.0, 0.4, 8)))
    state = state._replace(r_history=jnp.asarray(rng.uniform(-1, 1, state.r_history.shape)),
                           z_history=jnp.asarray(rng.uniform(-1, 1, state.z_history.shape)))
    tangent = jax.tree.map(lambda a: jnp.asarray(rng.normal(size=a.shape)), state)
    tangent = tangent._replace(magnetization=jnp.zeros_like(state.magnetization))
    step = StepInput(jnp.asarray([0.3]), 4)
    advance = lambda s: network_step(network, s, step, jax.random.PRNGKey(1))[1]
    _, derivative = jax.jvp(advance, (state,), (tangent,))
    h = 1e-6
    moved = [advance(jax.tree.map(lambda s, t, sign=sign: s + sign * h * t, state, tangent)) for sign in (1, -1)]
    difference = jax.tree.map(lambda a, b: (a - b) / (2 * h), *moved)
    for exact, approximate in zip(derivative, difference):
        np.testing.assert_allclose(np.asarray(exact), np.asarray(approximate), rtol=1e-6, atol=1e-8)
    assert float(jnp.max(jnp.abs(derivative.x))) > 0.1


class _IdleTrainer(mp.NoTraining):
    """Learns nothing, but is not `NoTraining` itself: `simulate` then takes its general scan (the network
    carried, a trainer stepped)."""


@pytest.mark.parametrize("mode, delay", [("tanh", 0), ("surrogate", 0), ("surrogate", 2)])
def test_a_run_without_a_trainer_is_the_run_with_one_that_never_learns(mode, delay):
    """`simulate`'s lean scan (no trainer: the network a constant, unset flags not traced, a uniform surrogate
    table interpolated by arithmetic) gives every recorded number bit for bit as the general one, with and
    without resets and a closed loop, over chunks that do not divide the steps."""
    network = _network(mode, n_mtj=12, delay=delay, surrogate_points=21) if mode != "tanh" else _network(mode)
    steps = 57
    inputs = np.sin(0.35 * np.arange(steps))[:, None]
    reset, closed = _flags(steps, resets=(0, 20), closed_from=40)
    for drive in (mp.make_drive(steps, inputs=inputs, n_inputs=1),
                  mp.make_drive(steps, inputs=inputs, reset_state=reset, closed_loop=closed, n_inputs=1)):
        runs = [mp.simulate(network, drive, trainer=trainer, x0=np.full(network.size, 0.2), seed=1, state_noise=0.01,
                            record_mtjs=network.size, chunk=25, readout_every=5, progress=False)
                for trainer in (mp.NoTraining(), _IdleTrainer())]
        lean, general = (run.trajectory for run in runs)
        for name in ("readouts", "mtj_outputs", "mtj_energy", "readout_weights", "weight_steps"):
            # equal to the last bits here; a compiler that fuses a multiply-add differently rounds once less
            np.testing.assert_allclose(getattr(lean, name), getattr(general, name), rtol=1e-12, atol=1e-15,
                                       err_msg=name)
        np.testing.assert_allclose(runs[0].x, runs[1].x, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(runs[0].magnetization, runs[1].magnetization, rtol=1e-12, atol=1e-15)
        assert runs[0].network is network


def test_uniform_grid_interpolation_is_jnp_interp_bit_for_bit():
    """`interpolate` on uniform (and nearly uniform) grids, at the grid points, their neighbours, far outside
    and at random points, against `jnp.interp` in the same compiled context; other grids use `jnp.interp`."""
    from mtjphys.networks._nonlinearity import interpolate, is_uniform, uniform_tables

    rng = np.random.default_rng(0)
    both = jax.jit(lambda x, xp, fp: (interpolate(x, xp, fp, True), jnp.interp(x, xp, fp)))
    grids = [np.linspace(0.8e10, 1.0e10, 81), np.linspace(-3.0, 7.0, 11), np.array([0.0, 1.0]),
             np.arange(21.0) + rng.uniform(-0.24, 0.24, 21) * np.r_[0, np.ones(19), 0]]
    for xp in grids:
        assert is_uniform(xp)
        span = xp[-1] - xp[0]
        x = np.concatenate([xp, np.nextafter(xp, -np.inf), np.nextafter(xp, np.inf), [np.inf, -np.inf, 1e300],
                            rng.uniform(xp[0] - 0.1 * span, xp[-1] + 0.1 * span, 5000)])
        fast, reference = both(jnp.asarray(x), jnp.asarray(xp), jnp.asarray(rng.normal(size=xp.size)))
        np.testing.assert_allclose(np.asarray(fast), np.asarray(reference), rtol=1e-14, atol=0)
    assert not is_uniform(np.array([0.0, 1.0, 3.0])) and not is_uniform(np.array([1.0]))
    tanh = _network("tanh")
    assert uniform_tables(tanh.nonlinearity, tanh.energy) == (tanh.nonlinearity, None)
