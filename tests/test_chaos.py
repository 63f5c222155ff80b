"""The largest Lyapunov exponent (Benettin's method through jax.jvp) and the chaos study."""

from typing import ClassVar

import diffrax as dfx
import equinox as eqx
import jax.numpy as jnp
import numpy as np
import pytest

import mtjphys as mp
from mtjphys.cli import run_command
from mtjphys.networks import differentiable_network, largest_lyapunov_exponent


class Linear(mp.AbstractNonlinearity):
    """r = x: the network's map is then linear, x(n+1) = [(1 - a) I + a (J + W_f W_out)] x(n)."""

    mode: ClassVar[str] = "linear"

    def __call__(self, x, magnetization, key):
        return x, magnetization


def _network(n, gain, seed=0, delay=0, **options):
    architecture = mp.Architecture(n_mtj=n, n_inputs=2, n_outputs=2, gain=gain, leak=0.3, feedback_scale=0.5,
                                   input_scale=1.0, delay=delay)
    return mp.random_network(architecture, seed=seed, **options)


def _with_readout(network, seed=1):
    readout = np.random.default_rng(seed).normal(0, 0.3 / np.sqrt(network.size), network.readout.shape)
    return eqx.tree_at(lambda n: n.readout, network, jnp.asarray(readout))


def _map_matrix(network):
    """(1 - a) I + a (J + W_f W_out): the map's Jacobian where r = x (or at x = 0 for tanh)."""
    coupling = np.asarray(network.recurrent) + np.asarray(network.feedback) @ np.asarray(network.readout)
    return (1 - network.leak) * np.eye(network.size) + network.leak * coupling


def _delayed_map_matrix(network):
    """The companion matrix of x(n+1) = (1 - a) x(n) + a (J + W_f W_out) x(n - d), on (x(n), ..., x(n - d))."""
    n, d, a = network.size, network.delay, network.leak
    coupling = np.asarray(network.recurrent) + np.asarray(network.feedback) @ np.asarray(network.readout)
    matrix = np.zeros(((d + 1) * n, (d + 1) * n))
    matrix[:n, :n] = (1 - a) * np.eye(n)
    matrix[:n, d * n:] += a * coupling
    matrix[n:, :-n] = np.eye(d * n)
    return matrix


@pytest.mark.parametrize("gain", [0.6, 1.4])
def test_a_delayed_linear_map_gives_the_log_of_its_spectral_radius(gain):
    """With delayed signals the delay lines are part of the map's state: the exponent is that of the delayed
    system's companion matrix (not of the undelayed map)."""
    network = _with_readout(_network(30, gain, delay=2, nonlinearity=Linear()))
    radius = np.max(np.abs(np.linalg.eigvals(_delayed_map_matrix(network))))
    undelayed = np.max(np.abs(np.linalg.eigvals(_map_matrix(network))))
    assert abs(np.log(radius) - np.log(undelayed)) > 0.02
    estimate = largest_lyapunov_exponent(network, steps=2000, warmup=500, x0=np.zeros(30))
    assert abs(estimate.per_step - np.log(radius)) < 1e-3


def test_a_delayed_tangent_map_agrees_with_two_nearby_trajectories():
    network = _with_readout(_network(40, 2.5, seed=4, delay=3, mode="tanh"))
    inputs = 0.3 * np.cos(np.arange(120)[:, None] * np.array([0.11, 0.07]))
    tangent = largest_lyapunov_exponent(network, steps=100, warmup=20, seed=5, inputs=inputs)
    nearby = largest_lyapunov_exponent(network, steps=100, warmup=20, seed=5, inputs=inputs,
                                       method="finite_difference", perturbation=1e-7)
    np.testing.assert_allclose(nearby.log_growth, tangent.log_growth, atol=1e-5)
    assert np.std(tangent.log_growth) > 0.01  # a tangent map that does something


@pytest.mark.parametrize("gain", [0.6, 1.4])
def test_a_linear_map_gives_the_log_of_its_spectral_radius(gain):
    network = _with_readout(_network(40, gain, nonlinearity=Linear()))
    radius = np.max(np.abs(np.linalg.eigvals(_map_matrix(network))))
    estimate = largest_lyapunov_exponent(network, steps=2000, warmup=500, x0=np.zeros(40))
    assert abs(estimate.per_step - np.log(radius)) < 1e-3
    assert estimate.per_second == pytest.approx(estimate.per_step / mp.STEP)
    assert estimate.running.shape == (2000,) and estimate.running[-1] == pytest.approx(estimate.per_step)
    assert estimate.log_growth.shape == (2500,) and estimate.method == "jvp"


def test_a_contracting_tanh_network_settles_where_its_map_is_linear():
    network = _with_readout(_network(80, 0.5, mode="tanh"))
    estimate = largest_lyapunov_exponent(network, steps=1000, warmup=300, seed=3)
    radius = np.max(np.abs(np.linalg.eigvals(_map_matrix(network))))  # tanh'(0) = 1 at the fixed point x = 0
    assert estimate.per_step < -0.05
    assert abs(estimate.per_step - np.log(radius)) < 1e-3


def test_a_chaotic_tanh_network_has_a_positive_exponent():
    network = _network(300, 3.0, mode="tanh")
    estimate = largest_lyapunov_exponent(network, steps=1000, warmup=300, seed=0)
    assert estimate.per_step > 0.02 and estimate.per_step > 5 * estimate.standard_error


def test_strong_inputs_suppress_the_chaos():
    network = _network(300, 3.0, mode="tanh")
    inputs = 10 * np.sin(2 * np.pi * np.arange(1300)[:, None] / np.array([37.0, 53.0]))
    autonomous = largest_lyapunov_exponent(network, steps=1000, warmup=300)
    driven = largest_lyapunov_exponent(network, steps=1000, warmup=300, inputs=inputs)
    assert driven.per_step < autonomous.per_step


@pytest.mark.parametrize("mode", ["tanh", "surrogate"])
def test_the_tangent_map_agrees_with_two_nearby_trajectories(mode):
    # the quick study's shapes (60 MTJs, 200 steps): one compilation serves both
    network = _with_readout(_network(60, 2.5, seed=4, mode=mode))
    inputs = 0.3 * np.cos(np.arange(200)[:, None] * np.array([0.11, 0.07]))
    tangent = largest_lyapunov_exponent(network, steps=150, warmup=50, seed=5, inputs=inputs)
    nearby = largest_lyapunov_exponent(network, steps=150, warmup=50, seed=5, inputs=inputs,
                                       method="finite_difference", perturbation=1e-7)
    np.testing.assert_allclose(nearby.log_growth, tangent.log_growth, atol=1e-5)
    assert nearby.method == "finite_difference"


def test_device_mode_differentiates_through_the_llg_solve():
    network = _network(60, 2.0, seed=2, mode="device")  # the quick study's shapes: one compilation for both
    swapped = differentiable_network(network, "forward")
    assert isinstance(swapped.nonlinearity.device.solver.adjoint, dfx.ForwardMode)
    assert not isinstance(network.nonlinearity.device.solver.adjoint, dfx.ForwardMode)  # the caller's is left alone
    tangent = largest_lyapunov_exponent(network, steps=40, warmup=20, seed=1)
    # the surrogate interpolates the same devices' transfer curve: nearly the same tangent map, until the two
    # chaotic trajectories part
    surrogate = largest_lyapunov_exponent(_network(60, 2.0, seed=2, mode="surrogate"), steps=40, warmup=20, seed=1)
    np.testing.assert_allclose(surrogate.log_growth[:10], tangent.log_growth[:10], atol=0.02)
    assert np.std(tangent.log_growth) > 0.01  # a tangent map that does something


@pytest.mark.slow
def test_device_tangent_map_agrees_with_two_nearby_trajectories():
    network = _network(8, 2.0, seed=2, mode="device")
    tangent = largest_lyapunov_exponent(network, steps=10, warmup=5, seed=1)
    nearby = largest_lyapunov_exponent(network, steps=10, warmup=5, seed=1, method="finite_difference",
                                       perturbation=1e-6)
    # not closer: where the two solves' adaptive steps part (a rejected step), their difference carries the
    # solver's error (about 1e-9) over the perturbation
    np.testing.assert_allclose(nearby.log_growth, tangent.log_growth, atol=3e-3)
    assert abs(nearby.per_step - tangent.per_step) < 1e-3
    # MTJs that carry their magnetization over: m is part of the state and of the tangent; r is hundreds of
    # times more sensitive to m than to x, so the solver's error needs a larger perturbation to stay small
    carrying = _network(8, 2.0, seed=2, mode="device", carry_magnetization=True)
    tangent = largest_lyapunov_exponent(carrying, steps=10, warmup=5, seed=1)
    nearby = largest_lyapunov_exponent(carrying, steps=10, warmup=5, seed=1, method="finite_difference",
                                       perturbation=1e-4)
    np.testing.assert_allclose(nearby.log_growth, tangent.log_growth, atol=1e-3)


def test_the_seed_determines_the_estimate():
    network = _network(100, 2.0, mode="tanh")
    first, again = (largest_lyapunov_exponent(network, steps=200, warmup=50, seed=7) for _ in range(2))
    other = largest_lyapunov_exponent(network, steps=200, warmup=50, seed=8)
    assert np.array_equal(first.log_growth, again.log_growth) and first.per_step == again.per_step
    assert not np.allclose(first.log_growth, other.log_growth)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"method": "qr"}, "method must be one of jvp, finite_difference"),
        ({"steps": 5}, "steps must be a whole number >= 10"),
        ({"warmup": -1}, "warmup must be a whole number >= 0"),
        ({"inputs": np.zeros((20, 3))}, r"inputs must have shape \(warmup \+ steps, inputs\) = \(110, 2\)"),
        ({"x0": np.zeros(3)}, "x0 must be 12 finite numbers"),
        ({"perturbation": 0.0}, "perturbation must be positive"),
        ({"seed": -1}, "a seed must be a whole number"),
    ],
)
def test_bad_estimator_input_is_refused_in_one_line(options, message):
    network = _network(12, 1.0, mode="tanh")
    with pytest.raises(mp.MtjphysError, match=message) as error:
        largest_lyapunov_exponent(network, **{"steps": 100, "warmup": 10, **options})
    assert "\n" not in str(error.value)


def _every_variable_labelled(dataset):
    for name, variable in dataset.variables.items():
        assert "units" in variable.attrs and variable.attrs.get("long_name"), name


def test_the_onset_is_interpolated_between_the_tested_gains():
    from mtjphys.studies import supp_chaos

    record = supp_chaos.onset([1.0, 1.5, 2.0, 3.0], [-0.02, np.nan, 0.02, 0.05])
    assert record == {"gain": 1.5, "below": 1.0, "above": 2.0}
    assert supp_chaos.onset([1.0, 2.0], [0.01, 0.02])["gain"] is None
    assert supp_chaos.onset([1.0, 2.0], [-0.01, -0.02]) == {"gain": None, "below": 2.0, "above": None}


@pytest.mark.parametrize(
    "args, message",
    [
        (["--seeds", "0"], "Invalid value for '--seeds'"),
        (["--n-mtj", "4"], "--n-mtj must be at least 10"),
        (["--mode", "tanh"], "Invalid value for '--mode'"),
    ],
)
def test_bad_study_input_is_refused_in_one_line(tmp_path, capsys, args, message):
    from mtjphys.studies import supp_chaos

    with pytest.raises(SystemExit) as exit_info:
        run_command(supp_chaos.STUDY.command(), ["-o", str(tmp_path / "out"), *args], prog_name="supp_chaos")
    captured = capsys.readouterr()
    assert exit_info.value.code == 2 and message in captured.err and captured.err.count("\n") == 1
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
