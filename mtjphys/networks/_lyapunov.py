"""The largest Lyapunov exponent of a network's discrete-time map, by Benettin's method.

One step of the map is the step `simulate` takes (`network_step`, without noise, resets or learning):

    r(n), m(n+1) = mtj_outputs(x(n), m(n)),   z(n) = W_out r(n),
    x(n+1)       = (1 - a) x(n) + a [J r(n - d) + W_f z(n - d) + W_in u(n) + b].

A tangent vector v is carried along the trajectory by `jax.jvp` through that step (through the
diffrax LLG solve in device mode, which is then differentiated in forward mode, `diffrax.ForwardMode`),
renormalised every step; the exponent is the mean of log |v(n+1)| / |v(n)| after a warm-up in which
v turns towards the most unstable direction. The state is x; with MTJs that carry their
magnetization from window to window (`carry_magnetization`) also m; with signals delayed by d > 0
steps also the delay lines (the d outputs r and readouts z still on their way), which start empty
as in `simulate`. With inputs u(n) it is the exponent of the driven network along that trajectory
(the conditional exponent of Rajan, Abbott and Sompolinsky 2010); without, that of the autonomous
network.

A cross-check follows two nearby trajectories instead (finite differences), pulling the second back
to a distance `perturbation` along their difference every step.
"""

from __future__ import annotations

from typing import NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .._errors import MtjphysError, random_key
from ._network import differentiable_network, Network
from ._step import initial_state, network_step, NetworkState, StepInput

METHODS = ("jvp", "finite_difference")


class LyapunovEstimate(NamedTuple):
    """The largest Lyapunov exponent of a network, estimated over `steps` steps after a warm-up.

    Arguments:
        per_step: the exponent [1/step] (the mean log growth of a tangent vector per step).
        per_second: the same per second [1/s] (one step = the network's `step_duration`: 1.5 ns in the
            paper's scheme, a device-mode network's window and rest otherwise).
        standard_error: of `per_step`, from the means of 10 consecutive blocks of the steps [1/step].
        running: the finite-time estimate after each averaged step, (steps,) [1/step].
        log_growth: log |v(n+1)| / |v(n)| in every step, warm-up included, (warmup + steps,).
        warmup: steps left out of the average.
        method: "jvp" or "finite_difference".
    """

    per_step: float
    per_second: float
    standard_error: float
    running: np.ndarray
    log_growth: np.ndarray
    warmup: int
    method: str


def _carries_magnetization(network: Network) -> bool:
    """Whether the MTJs' magnetization is part of the map's state (it carries over from step to step)."""
    return bool(getattr(network.nonlinearity, "carry_magnetization", False))


def _map_step(network: Network, carry_m: bool, state: NetworkState, u, key, index) -> NetworkState:
    """One step of the map: `network_step` as `simulate` takes it (the step's key fold_in(key, index)).
    Returns: the next state; m is the equilibrium again where the MTJs do not carry it (it then plays no part)."""
    _, state, _, _ = network_step(network, state, StepInput(u, index), key)
    return state if carry_m else state._replace(magnetization=network.equilibrium)


def _tangent_of(carry_m: bool, state: NetworkState, tangent: NetworkState) -> NetworkState:
    """The tangent as the map's state sees it: without the magnetization where it is not carried, and
    otherwise without its component along each MTJ's m (|m| = 1 is conserved, so that direction would add a
    spurious exponent 0)."""
    magnetization, tangent_m = state.magnetization, tangent.magnetization
    if not carry_m:
        return tangent._replace(magnetization=jnp.zeros_like(tangent_m))
    radial = jnp.sum(tangent_m * magnetization, axis=-1, keepdims=True) / jnp.sum(magnetization**2, axis=-1,
                                                                                  keepdims=True)
    return tangent._replace(magnetization=tangent_m - radial * magnetization)


def _norm(tangent) -> jnp.ndarray:
    return jnp.sqrt(sum(jnp.sum(t**2) for t in jax.tree.leaves(tangent)))


@eqx.filter_jit
def _benettin(network, carry_m, method, inputs, state0, tangent0, key, perturbation):
    """Scan the map over `inputs` (T, n_in), carrying the state and a unit tangent. Returns: the log
    growth in every step (T,) and the state at the end."""
    step = lambda state, u, index: _map_step(network, carry_m, state, u, key, index)

    def jvp_step(carry, step_inputs):
        state, tangent = carry
        u, index = step_inputs
        state_next, tangent_next = jax.jvp(lambda s: step(s, u, index), (state,), (tangent,))
        tangent_next = _tangent_of(carry_m, state_next, tangent_next)
        growth = _norm(tangent_next)
        return (state_next, jax.tree.map(lambda t: t / growth, tangent_next)), jnp.log(growth)

    def difference_step(carry, step_inputs):
        state, tangent = carry
        u, index = step_inputs
        nearby = jax.tree.map(lambda s, t: s + perturbation * t, state, tangent)
        state_next, nearby_next = step(state, u, index), step(nearby, u, index)
        difference = jax.tree.map(lambda a, b: (b - a) / perturbation, state_next, nearby_next)
        difference = _tangent_of(carry_m, state_next, difference)
        growth = _norm(difference)
        return (state_next, jax.tree.map(lambda t: t / growth, difference)), jnp.log(growth)

    body = jvp_step if method == "jvp" else difference_step
    indices = jnp.arange(inputs.shape[0])
    (state, _), log_growth = jax.lax.scan(body, (state0, tangent0), (inputs, indices))
    return log_growth, state


def largest_lyapunov_exponent(
    network: Network, *, steps: int = 1000, warmup: int = 300, inputs=None, seed: int = 0, x0=None,
    x0_scale: float = 0.5, method: str = "jvp", perturbation: float = 1e-7,
) -> LyapunovEstimate:
    """The largest Lyapunov exponent of `network`'s map (Benettin's method; see the module's notes).

    Arguments:
        network: any network (tanh, surrogate or device MTJs at 0 K, a user's nonlinearity that jax can
            differentiate; with delayed signals the delay lines are part of the state).
        steps: steps averaged after the warm-up.
        warmup: steps first run (the tangent turning towards the most unstable direction, the state
            onto its attractor) and left out of the average.
        inputs: u(n), (warmup + steps, n_in): the exponent along this driven trajectory; default none
            (the autonomous network; zeros for a network with input nodes).
        seed: draws the initial state x (unless `x0` is given) and the initial tangent, and keys the noise
            of a network that has some (the same noise for the tangent: the exponent of that realisation).
        x0: the initial state (N,); default N(0, x0_scale^2) from the seed.
        x0_scale: std of the drawn initial state.
        method: "jvp" (the estimator: the tangent map exactly, by forward-mode differentiation) or
            "finite_difference" (a cross-check: two trajectories `perturbation` apart, renormalised every step).
        perturbation: the distance of the two trajectories (finite differences only).

    Returns:
        A `LyapunovEstimate`: the exponent per step and per second, its standard error, the running
        finite-time estimate and the log growth in every step.
    """
    if method not in METHODS:
        raise MtjphysError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if not (isinstance(steps, (int, np.integer)) and steps >= 10):
        raise MtjphysError(f"steps must be a whole number >= 10, got {steps!r}")
    if not (isinstance(warmup, (int, np.integer)) and warmup >= 0):
        raise MtjphysError(f"warmup must be a whole number >= 0, got {warmup!r}")
    if not (np.isfinite(perturbation) and perturbation > 0):
        raise MtjphysError(f"perturbation must be positive and finite, got {perturbation}")
    if not (np.isfinite(x0_scale) and x0_scale >= 0):
        raise MtjphysError(f"x0_scale must be finite and >= 0, got {x0_scale}")
    key = random_key(seed)
    n, n_in, total = network.size, network.input_weights.shape[1], warmup + steps
    if inputs is None:
        inputs = np.zeros((total, n_in))
    inputs = np.asarray(inputs, dtype=np.float64)
    inputs = inputs[:, None] if inputs.ndim == 1 else inputs
    if inputs.shape != (total, n_in):
        raise MtjphysError(f"inputs must have shape (warmup + steps, inputs) = ({total}, {n_in}), got {inputs.shape}")
    if not np.all(np.isfinite(inputs)):
        raise MtjphysError("inputs must be finite")
    rng = np.random.default_rng([seed, 7])
    drawn_x0, tangent_x = rng.normal(0.0, x0_scale, n), rng.normal(0.0, 1.0, n)
    x0 = drawn_x0 if x0 is None else np.asarray(x0, dtype=np.float64)
    if x0.shape != (n,) or not np.all(np.isfinite(x0)):
        raise MtjphysError(f"x0 must be {n} finite numbers, got shape {x0.shape}")
    carry_m = _carries_magnetization(network)
    state0 = initial_state(network, jnp.asarray(x0), jnp.asarray(network.equilibrium))
    drawn = NetworkState(jnp.asarray(tangent_x), *(jnp.asarray(rng.normal(0.0, 1.0, a.shape)) for a in state0[1:]))
    tangent0 = _tangent_of(carry_m, state0, drawn)
    tangent0 = jax.tree.map(lambda t: t / _norm(tangent0), tangent0)
    differentiable = differentiable_network(network, "forward")
    log_growth, _ = _benettin(differentiable, carry_m, method, jnp.asarray(inputs), state0, tangent0, key,
                              jnp.asarray(float(perturbation)))
    log_growth = np.asarray(log_growth)
    if not np.all(np.isfinite(log_growth)):
        raise MtjphysError("the tangent vector collapsed or overflowed (a map with a zero or infinite derivative "
                           "there); no exponent")
    averaged = log_growth[warmup:]
    running = np.cumsum(averaged) / np.arange(1, steps + 1)
    blocks = averaged[: steps // 10 * 10].reshape(10, -1).mean(axis=1)
    per_step = float(averaged.mean())
    return LyapunovEstimate(per_step, per_step / network.step_duration, float(blocks.std(ddof=1) / np.sqrt(10)),
                            running, log_growth, int(warmup), method)
