"""MTJ reservoirs as reservoirpy Nodes: the same responses as the reservoir's own run, in reservoirpy's pipelines."""

import jax
import numpy as np
import pytest
from reservoirpy.nodes import Ridge

import mtjphys
from mtjphys._errors import MtjphysError
from mtjphys.networks import (
    Architecture,
    make_drive,
    multiplexed_reservoir,
    random_network,
    reservoirpy_node,
    simulate,
)

STEPS = 12  # every run here has this length, so each compiles once


@pytest.fixture(scope="module")
def cold():
    return multiplexed_reservoir(mtjphys.Parameters(), virtual_nodes=8, theta=50e-12)


@pytest.fixture(scope="module")
def inputs():
    return np.random.default_rng(0).uniform(-1, 1, (STEPS, 1))


@pytest.fixture(scope="module")
def reference(cold, inputs):
    return cold.run(inputs)


@pytest.mark.slow
def test_run_equals_the_reservoirs_run(cold, inputs, reference):
    node = reservoirpy_node(cold)
    assert (node.input_dim, node.output_dim) == (1, 8)
    out = node.run(inputs)
    assert out.shape == (STEPS, 8)
    np.testing.assert_allclose(out, reference, rtol=0, atol=1e-12)


@pytest.mark.slow
def test_reset_reproduces_the_first_run_step_by_step(cold, inputs, reference):
    node = reservoirpy_node(cold)
    first = node.run(inputs)
    node.reset()
    # node.step is the path a Model with feedback takes: one compiled call per step, the state carried
    stepped = np.stack([node.step(x) for x in inputs])
    np.testing.assert_allclose(stepped, first, rtol=0, atol=1e-12)
    np.testing.assert_allclose(stepped, reference, rtol=0, atol=1e-12)


@pytest.mark.slow
def test_fits_a_ridge_readout_in_a_reservoirpy_model(cold):
    rng = np.random.default_rng(1)
    u = rng.uniform(-1, 1, (3, STEPS, 1))
    target = np.concatenate([np.zeros((3, 1, 1)), u[:, :-1]], axis=1)  # u(n - 1)
    node = reservoirpy_node(cold, name="mtj")
    model = node >> Ridge(ridge=1e-6, name="readout")
    model.fit(u[:2], target[:2], warmup=1)
    prediction = model.run(u[2])
    assert prediction.shape == (STEPS, 1) and np.all(np.isfinite(prediction))
    fitted = np.concatenate([model.run(series)[1:] for series in u[:2]])  # each from the node's state, as fitted
    assert np.mean((fitted - target[:2, 1:].reshape(-1, 1)) ** 2) < np.var(target[:2, 1:])


@pytest.mark.slow
def test_thermal_noise_follows_the_seed():
    warm = multiplexed_reservoir(mtjphys.Parameters({"temperature": 300.0}), virtual_nodes=8, theta=50e-12)
    inputs = np.random.default_rng(2).uniform(-1, 1, (STEPS, 1))
    node = reservoirpy_node(warm, seed=5)
    np.testing.assert_allclose(node.run(inputs), warm.run(inputs, key=jax.random.key(5)), rtol=0, atol=1e-12)


def test_wrong_input_width_is_refused(cold):
    node = reservoirpy_node(cold)
    for call in (lambda: node.run(np.zeros((STEPS, 2))), lambda: node.step(np.zeros(2))):
        with pytest.raises(MtjphysError, match="takes 1 inputs per step"):
            call()
    with pytest.raises(MtjphysError, match="MultiplexedReservoir or a Network"):
        reservoirpy_node(np.zeros(3))


@pytest.mark.slow
def test_a_network_node_equals_simulate():
    architecture = Architecture(n_mtj=6, n_inputs=2, synaptic_noise=0.05)
    network = random_network(architecture, seed=3, mode="tanh")
    u = np.random.default_rng(3).uniform(-1, 1, (STEPS, 2))
    result = simulate(network, make_drive(STEPS, inputs=u, n_inputs=2), seed=4, record_mtjs=6, progress=False)
    node = reservoirpy_node(network, seed=4)
    first = np.concatenate([node.run(u[:6]), node.run(u[6:])])  # in pieces: the step count carries the noise
    np.testing.assert_allclose(first, result.trajectory.mtj_outputs, rtol=0, atol=1e-12)
    node.reset()
    np.testing.assert_allclose(np.stack([node.step(x) for x in u]), first, rtol=0, atol=1e-12)
