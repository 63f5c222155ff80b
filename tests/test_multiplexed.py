"""The time-multiplexed MTJ reservoir: its drive, sampling and feedback against a plain loop over nodes, its
memory, and its refusals."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import mtjphys as mp
from mtjphys import MtjphysError
from mtjphys.device import NeuronSolver
from mtjphys.networks import input_mask, multiplexed_reservoir, multiplexed_states
from mtjphys.tasks import memory_capacity_task

RECORD = mp.Parameters()


def _reference(reservoir, inputs):
    """A plain Python loop: node n of input k carries bias + g_in mask_i u_k + g_fb s(n - d) for theta,
    from where node n - 1 ended, R sampled on `samples` points through a first-order low-pass."""
    device, theta, samples = reservoir.device, reservoir.theta, reservoir.samples
    mask = np.asarray(reservoir.mask)
    r_p, r_ap = float(device.params["R_P"]), float(device.params["R_AP"])
    ts = jnp.linspace(0.0, theta, samples)
    solve = eqx.filter_jit(lambda drive, m: device.solve(drive, ts, m0=m))  # one node, compiled once
    m = device.equilibrium()
    filtered = float(solve(jnp.asarray(reservoir.bias), m).point.resistance[0])
    decay = np.exp(-2 * np.pi * reservoir.bandwidth * theta / (samples - 1)) if reservoir.bandwidth else 0.0
    responses = []
    for u in inputs:
        for i in range(mask.shape[0]):
            fed = responses[-reservoir.delay] if len(responses) >= reservoir.delay else 0.0
            drive = reservoir.bias + reservoir.input_gain * float(mask[i] @ u) + reservoir.feedback_gain * fed
            trace = solve(jnp.asarray(drive), m)
            m = trace.end
            read = []
            for r in np.asarray(trace.point.resistance)[1:]:
                filtered = decay * filtered + (1 - decay) * r
                read.append(filtered)
            if reservoir.readout == "amplitude":
                responses.append((np.max(read) - np.min(read)) / (r_ap - r_p))
            else:
                value = read[-1] if reservoir.readout == "end" else np.mean(read)
                responses.append((value - (r_p + r_ap) / 2) / (r_ap - r_p))
    return np.reshape(responses, (len(inputs), mask.shape[0]))


@pytest.mark.slow
@pytest.mark.parametrize("readout, bandwidth, feedback, delay", [
    ("end", None, 0.0, 4), ("end", 20e9, 3e10, 4), ("mean", 20e9, -2e10, 5), ("end", None, 3e10, 1),
    ("amplitude", 20e9, 1e10, 4)])
def test_masked_drive_sampling_and_feedback_equal_a_plain_loop(readout, bandwidth, feedback, delay):
    reservoir = multiplexed_reservoir(RECORD, virtual_nodes=4, theta=80e-12, input_gain=3e9, feedback_gain=feedback,
                                      delay=delay, samples=5, bandwidth=bandwidth, readout=readout, seed=3)
    inputs = np.random.default_rng(7).uniform(-1, 1, (5, 1))
    states = reservoir.run(inputs)
    np.testing.assert_allclose(states, _reference(reservoir, inputs), rtol=0, atol=1e-10)
    assert np.ptp(states) > 1e-4  # the nodes respond


def test_the_drive_is_the_mask_times_the_held_input():
    reservoir = multiplexed_reservoir(RECORD, virtual_nodes=6, inputs=2, input_gain=2e9, bias=0.85e10, seed=11)
    inputs = np.random.default_rng(1).uniform(-1, 1, (3, 2))
    mask = input_mask(6, 2, seed=11)
    assert set(np.unique(mask)) == {-1.0, 1.0}
    expected = np.concatenate([0.85e10 + 2e9 * (mask @ u) for u in inputs])
    np.testing.assert_allclose(np.asarray(reservoir.drives(inputs)), expected, rtol=1e-15)
    np.testing.assert_array_equal(np.asarray(reservoir.mask), mask)


@pytest.mark.slow
def test_long_nodes_without_feedback_are_independent_windows():
    """With theta many ringing decay times long, each node ends at the steady state of its own drive, whatever
    the previous node left: the reservoir's states equal single windows from the equilibrium."""
    theta = 100e-9  # the ringing decays in about 1 / (alpha omega) = 5.7 ns
    # a field-like torque tilts m towards the fixed layer, so the steady state's resistance follows the drive
    reservoir = multiplexed_reservoir(mp.Parameters({"epsilon_prime": 0.1}), virtual_nodes=3, theta=theta,
                                      input_gain=2e9, bias=0.0, samples=2,
                                      bandwidth=None, seed=5, settings=NeuronSolver(rtol=1e-11, atol=1e-13))
    inputs = np.random.default_rng(2).uniform(-1, 1, (3, 1))
    states = reservoir.run(inputs)
    drives = np.asarray(reservoir.drives(inputs))
    single = reservoir.device.solve(jnp.asarray(drives), jnp.array([0.0, theta])).point.resistance[-1]
    difference = np.abs(states.reshape(-1) - np.asarray(reservoir.response(single))).max()
    assert difference < 1e-3 * np.ptp(states)


def test_the_junction_remembers_its_past_inputs():
    """Short nodes and no feedback: the response to the same input differs with what came before."""
    reservoir = multiplexed_reservoir(RECORD, virtual_nodes=5, theta=40e-12, input_gain=4e9, samples=3, seed=2)
    first = reservoir.run(np.array([[1.0], [0.0]]))[1]
    second = reservoir.run(np.array([[-1.0], [0.0]]))[1]
    assert np.max(np.abs(first - second)) > 1e-4


@pytest.mark.slow
def test_a_warm_reservoir_is_reproducible_for_a_seed_and_noisy_across_seeds():
    reservoir = multiplexed_reservoir(mp.Parameters({"temperature": 300.0}), virtual_nodes=4, theta=50e-12, seed=1)
    inputs = np.random.default_rng(3).uniform(-1, 1, (4, 1))
    one = reservoir.run(inputs, key=jax.random.key(4))
    np.testing.assert_array_equal(one, reservoir.run(inputs, key=jax.random.key(4)))
    assert np.all(np.isfinite(one)) and not np.allclose(one, reservoir.run(inputs, key=jax.random.key(5)))
    with pytest.raises(MtjphysError, match="needs a seed"):
        reservoir.run(inputs)


def test_chunked_runs_equal_one_run_and_resting_between_trials():
    reservoir = multiplexed_reservoir(RECORD, virtual_nodes=3, theta=60e-12, feedback_gain=2e10, samples=3, seed=8)
    inputs = np.random.default_rng(9).uniform(-1, 1, (7, 1))
    np.testing.assert_allclose(reservoir.run(inputs, chunk=3), reservoir.run(inputs), rtol=0, atol=1e-13)
    task = memory_capacity_task(max_delay=2, washout=2, train=12, test=6, seed=1)
    assert multiplexed_states(reservoir, task).shape == (task.sizes["time"], 3)


@pytest.mark.parametrize("options, message", [
    ({"theta": 0.0}, "theta must be a positive"),
    ({"theta": -1e-12}, "theta must be a positive"),
    ({"theta": 50.0}, "did you mean ps or ns"),
    ({"delay": 0}, "at least one node"),
    ({"samples": 1}, "at least 2"),
    ({"virtual_nodes": 0}, "positive whole number"),
    ({"readout": "peak"}, "readout must be one of"),
    ({"bandwidth": -1.0}, "bandwidth must be positive"),
    ({"input_gain": float("nan")}, "input_gain must be finite"),
])
def test_bad_options_are_refused_in_one_line(options, message):
    with pytest.raises(MtjphysError, match=message) as error:
        multiplexed_reservoir(RECORD, **options)
    assert "\n" not in str(error.value)


def test_inputs_of_the_wrong_width_are_refused():
    reservoir = multiplexed_reservoir(RECORD, virtual_nodes=3, seed=0)
    with pytest.raises(MtjphysError, match="mask takes 1 inputs"):
        reservoir.run(np.zeros((4, 2)))
