"""One step of a network: the only place the network equations are stepped. `simulate`, the BPTT
rollout (`rollout`) and the Lyapunov map (`largest_lyapunov_exponent`) all call `network_step`,
each switching on the features it needs:

    the state (x, m, delay lines) enters as a constant where `truncate` is set (truncated BPTT),
    then x <- x_reset, m <- equilibrium and the delay lines <- 0 where `reset` is set;
    the weights as they are in this step (`Network.fluctuated`);
    r(n), m <- mtj_outputs(x(n), m)  (+ output noise),   z(n) = W_out r(n);
    online learning (a trainer, `Learning`) updates the weights where it is on, from r and z;
    fed(n) = z(n), or the teacher's readouts where `teacher_forcing` is set;
    u_fed(n) = fed(n) on the input nodes where `closed_loop` is set (n_in == n_out), else u(n);
    with `delay` d: r(n - d), fed(n - d) leave the delay lines and r(n), fed(n) enter them;
    x(n+1) = (1 - a) x(n) + a [J r(n - d) + W_f fed(n - d) + W_in u_fed(n) + b]  (+ state noise),
    with the weights after any update of this step (learning acts at once), fluctuated as before.

Random numbers: the step's key is fold_in(key, index); from it fold_in 0 draws the output noise, 1
the state noise, 2 the neurons' own (a thermal surrogate or LLG), 3 the synaptic fluctuation.
Everything is traceable and differentiable (`jax.grad`, `jax.jvp`) where the neurons are.
"""

from __future__ import annotations

from typing import Any, NamedTuple, TYPE_CHECKING

import jax
import jax.numpy as jnp

if TYPE_CHECKING:
    from ._network import Network
    from ._simulate import AbstractTrainer


class NetworkState(NamedTuple):
    """What a network carries from one step to the next.

    Arguments:
        x: the state, (N,).
        magnetization: the MTJs' magnetizations, (N, 3).
        r_history: the outputs r still on their way, oldest first, (delay, N).
        z_history: the fed-back readouts on their way, oldest first, (delay, n_out).
    """

    x: jnp.ndarray
    magnetization: jnp.ndarray
    r_history: jnp.ndarray
    z_history: jnp.ndarray


def initial_state(network: Network, x: jnp.ndarray, magnetization: jnp.ndarray | None = None) -> NetworkState:
    """Returns: the `NetworkState` at x with `magnetization` (default the equilibrium) and empty delay lines."""
    magnetization = network.equilibrium if magnetization is None else magnetization
    return NetworkState(x, magnetization, jnp.zeros((network.delay, network.size)),
                        jnp.zeros((network.delay, network.readout.shape[0])))


class StepInput(NamedTuple):
    """What happens to the network in one step. A flag left None is off and not traced at all.

    Arguments:
        u: the input u(n), (n_in,).
        index: the step's number n: its key is fold_in(key, n).
        reset: bool: x <- x_reset, m <- equilibrium, the delay lines <- 0 before the step.
        closed_loop: bool: the input nodes carry the fed-back readouts instead of u (if n_in == n_out).
        teacher_forcing: bool: the feedback (and closed-loop inputs) carry `forced_readouts` instead of z.
        forced_readouts: the teacher's readouts, (n_out,).
        truncate: bool: the state enters the step as a constant (`jax.lax.stop_gradient`).
    """

    u: jnp.ndarray
    index: jnp.ndarray | int
    reset: jnp.ndarray | None = None
    closed_loop: jnp.ndarray | None = None
    teacher_forcing: jnp.ndarray | None = None
    forced_readouts: jnp.ndarray | None = None
    truncate: jnp.ndarray | None = None


class Learning(NamedTuple):
    """Online learning in a step (`simulate`'s trainers).

    Arguments:
        trainer: the learning rule (`AbstractTrainer`).
        state: its state.
        learn: bool: the trainer updates the weights in this step.
        restart: bool: the trainer's state restarts (`trainer.init`) before the step.
        target: the step's target, (n_target,).
    """

    trainer: AbstractTrainer
    state: Any
    learn: jnp.ndarray
    restart: jnp.ndarray
    target: jnp.ndarray


class StepOutput(NamedTuple):
    """What a step computed.

    Arguments:
        r: the neurons' outputs r(n) (with the output noise), (N,).
        z: the readouts z(n) = W_out r(n) (before any update of the step), (n_out,).
        x: the state x(n) the step started from (after a reset), (N,).
        energy: the energy [J] the MTJs dissipated in the step (0 without `Network.energy`).
    """

    r: jnp.ndarray
    z: jnp.ndarray
    x: jnp.ndarray
    energy: jnp.ndarray


def network_step(
    network: Network, state: NetworkState, step: StepInput, key: jax.Array, *, x_reset: jnp.ndarray | None = None,
    output_noise: float = 0.0, state_noise: float = 0.0, learning: Learning | None = None,
) -> tuple[Network, NetworkState, StepOutput, Any]:
    """One step of `network` (see the module's notes for the order of operations and the keys).

    Arguments:
        network: the network (its weights before the step).
        state: x, m and the delay lines before the step.
        step: the step's input and flags.
        key: the run's key (the step's is fold_in(key, step.index)).
        x_reset: the state a reset returns to (needed where `step.reset` is given).
        output_noise: std of Gaussian noise added to every output r (a Python number; 0: none).
        state_noise: std of Gaussian noise added to the next x (a Python number; 0: none).
        learning: an online trainer and its state, or None (no learning).

    Returns:
        (the network after the step (updated weights where the trainer learned), the next `NetworkState`,
        the `StepOutput`, the trainer's state after the step (None without `learning`)).
    """
    if step.truncate is not None:  # a truncation boundary: the past reaches this step as a constant
        state = jax.tree.map(lambda a: jnp.where(step.truncate, jax.lax.stop_gradient(a), a), state)
    x, magnetization, r_history, z_history = state
    if step.reset is not None:
        x = jnp.where(step.reset, x_reset, x)
        magnetization = jnp.where(step.reset, network.equilibrium, magnetization)
        r_history, z_history = (jnp.where(step.reset, 0.0, h) for h in (r_history, z_history))
    trainer_state = None
    if learning is not None:
        trainer, trainer_state = learning.trainer, learning.state
        trainer_state = jax.lax.cond(learning.restart, lambda: trainer.init(network), lambda: trainer_state)
    step_key = jax.random.fold_in(key, step.index)
    weights_key = jax.random.fold_in(step_key, 3)
    live = network.fluctuated(weights_key)  # the weights as they are in this step
    r, magnetization = live.mtj_outputs(x, magnetization, jax.random.fold_in(step_key, 2))
    energy = live.mtj_energy(x)
    if output_noise:
        r = r + output_noise * jax.random.normal(jax.random.fold_in(step_key, 0), r.shape)
    z = live.readout @ r
    if learning is not None:
        network, trainer_state = jax.lax.cond(
            learning.learn, lambda: trainer.update(network, trainer_state, r, z, learning.target),
            lambda: (network, trainer_state))
        trainer_state = trainer.observe(trainer_state, r)
        live = network.fluctuated(weights_key)  # learning acts at once, on this step's fluctuation
    fed = z if step.teacher_forcing is None else jnp.where(step.teacher_forcing, step.forced_readouts, z)
    loops = step.closed_loop is not None and step.u.shape == fed.shape  # else never closed (checked by callers)
    u_fed = jnp.where(step.closed_loop, fed, step.u) if loops else step.u
    if network.delay:  # the recurrent and feedback signals of `delay` steps ago arrive now
        r_arriving, z_arriving = r_history[0], z_history[0]
        r_history = jnp.concatenate([r_history[1:], r[None]])
        z_history = jnp.concatenate([z_history[1:], fed[None]])
    else:
        r_arriving, z_arriving = r, fed
    x_next = live.advance(x, r_arriving, z_arriving, u_fed)
    if state_noise:
        x_next = x_next + state_noise * jax.random.normal(jax.random.fold_in(step_key, 1), x_next.shape)
    state = NetworkState(x_next, magnetization, r_history, z_history)
    return network, state, StepOutput(r, z, x, energy), trainer_state
