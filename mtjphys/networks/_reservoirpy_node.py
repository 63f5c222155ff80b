"""MTJ reservoirs as reservoirpy (>= 0.4) Nodes, for reservoirpy's own pipelines (`node >> Ridge()`)."""

from __future__ import annotations

import functools

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .._errors import MtjphysError, random_key
from ._multiplexed import MultiplexedReservoir
from ._network import Network
from ._step import initial_state, network_step, StepInput


class _MultiplexedEngine:
    """Steps a `MultiplexedReservoir` as `MultiplexedReservoir.run` does (node n's noise fold_in(key, n))."""

    def __init__(self, reservoir: MultiplexedReservoir, seed: int):
        random_key(seed)  # refuses a bad seed in one line
        self.reservoir, self.key = reservoir, jax.random.key(int(seed))  # the key `multiplexed_states` uses
        self.inputs, self.outputs = int(reservoir.mask.shape[1]), reservoir.virtual_nodes

    def start(self):
        return self.reservoir.start()

    def advance(self, carry, inputs: np.ndarray, index: int):
        return self.reservoir.advance(carry, inputs, key=self.key, index=index)


@eqx.filter_jit
def _network_steps(network: Network, state, inputs, indices, key):
    def step(state, step_input):
        u, n = step_input
        _, state, output, _ = network_step(network, state, StepInput(u, n), key)
        return state, output.r

    return jax.lax.scan(step, state, (inputs, indices))


class _NetworkEngine:
    """Steps a `Network` as `simulate` does without training (step n's key fold_in(key, n))."""

    def __init__(self, network: Network, seed: int):
        self.network, self.key = network, random_key(seed)  # the key `simulate` uses
        self.inputs, self.outputs = int(network.input_weights.shape[1]), network.size

    def start(self):
        return initial_state(self.network, jnp.zeros(self.network.size))

    def advance(self, carry, inputs: np.ndarray, index: int):
        indices = jnp.arange(index, index + inputs.shape[0])
        carry, r = _network_steps(self.network, carry, jnp.asarray(inputs), indices, self.key)
        return carry, np.asarray(r)


@functools.cache
def _node_class():
    # built on first use, so that importing mtjphys does not import reservoirpy
    import reservoirpy
    from reservoirpy.node import Node

    if tuple(int(part) for part in reservoirpy.__version__.split(".")[:2]) < (0, 4):  # 0.3's Node differs
        raise MtjphysError(f"reservoirpy_node needs reservoirpy >= 0.4, found {reservoirpy.__version__}")

    class MtjReservoirNode(Node):
        """An MTJ reservoir as a reservoirpy Node (make one with `mtjphys.networks.reservoirpy_node`).

        Its state holds the responses "out", the reservoir's carried state and the number of inputs fed
        so far (which numbers the steps' thermal noise)."""

        def __init__(self, reservoir, seed: int = 0, name: str | None = None):
            if isinstance(reservoir, MultiplexedReservoir):
                self.engine = _MultiplexedEngine(reservoir, seed)
            elif isinstance(reservoir, Network):
                self.engine = _NetworkEngine(reservoir, seed)
            else:
                raise MtjphysError(f"a reservoirpy node needs a MultiplexedReservoir or a Network, got "
                                   f"{type(reservoir).__name__}")
            self.reservoir, self.seed, self.name = reservoir, seed, name
            self.input_dim, self.output_dim = self.engine.inputs, self.engine.outputs
            self.initialized, self._rest_carry = False, None

        def _check(self, x) -> np.ndarray:
            x = np.asarray(x, dtype=float)
            if x.ndim == 0 or x.shape[-1] != self.input_dim:
                raise MtjphysError(f"this reservoir takes {self.input_dim} inputs per step, got inputs of shape "
                                   f"{x.shape}")
            return x

        def _rest(self) -> dict:
            if self._rest_carry is None:  # kept: `MultiplexedReservoir.start` takes seconds (an uncompiled solve)
                self._rest_carry = self.engine.start()
            return {"out": np.zeros(self.output_dim), "carry": self._rest_carry, "index": 0}

        def initialize(self, x=None, y=None):
            if x is not None:
                for series in x if isinstance(x, (list, tuple)) else [x]:
                    self._check(series)
            self.state = self._rest()
            self.initialized = True

        def reset(self) -> dict:
            """Returns the node to rest (the reservoir's start, no inputs fed). Returns: the previous state."""
            previous = getattr(self, "state", None)
            self.state = self._rest()
            return previous

        def _advance(self, state: dict, x: np.ndarray) -> tuple[dict, np.ndarray]:
            x = self._check(x)
            carry, out = self.engine.advance(state["carry"], x, state["index"])
            return {"out": out[-1], "carry": carry, "index": state["index"] + x.shape[0]}, out

        def _step(self, state: dict, x: np.ndarray) -> dict:
            return self._advance(state, np.reshape(x, (1, -1)))[0]

        def _run(self, state: dict, x: np.ndarray) -> tuple[dict, np.ndarray]:
            # the whole series in one compiled call, not reservoirpy's loop over `_step`
            return self._advance(state, x)

        # refuse a wrong width in one line before reservoirpy's own checks (a ValueError)
        def step(self, x=None):
            if x is not None:
                self._check(x)
            return super().step(x)

        def run(self, x=None, iters=None, workers=1):
            if x is not None:
                for series in x if isinstance(x, (list, tuple)) else [x]:
                    self._check(series)
            return super().run(x, iters=iters, workers=workers)

    return MtjReservoirNode


def reservoirpy_node(reservoir: MultiplexedReservoir | Network, *, seed: int = 0, name: str | None = None):
    """An MTJ reservoir as a reservoirpy Node: `reservoirpy_node(reservoir) >> Ridge(ridge=1e-6)`.

    The node carries the reservoir's state and the number of inputs fed between calls, so running it in
    pieces equals one run: a `MultiplexedReservoir` gives `reservoir.run(inputs, key=jax.random.key(seed))`,
    a `Network` the outputs r of `simulate(network, drive, seed=seed)` without training (from x = 0, its own
    readout and feedback weights acting as they are). reservoirpy calls `_run` (the whole series in one
    compiled call) from `node.run` and from a Model's `run` and `fit`, and `_step` (one compiled call per
    step) from `node.step` and from a Model with feedback; several series each start from the node's state
    (reservoirpy's convention), so they share their noise.

    Arguments:
        reservoir: a `MultiplexedReservoir` or a `Network`.
        seed: seeds the thermal noise (and a network's other noise).
        name: the node's name in reservoirpy models.

    Returns:
        The node (a `reservoirpy.node.Node`): input dimension n_in, output dimension N_v (a network's N);
        `node.reset()` returns it to rest.
    """
    return _node_class()(reservoir, seed, name)
