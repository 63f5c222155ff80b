"""Training networks by backpropagation through time (BPTT): gradients through the whole rollout.

The rollout (`rollout`) is a pure `jax.lax.scan` of `network_step`, the step `simulate` takes (and the
Lyapunov map), with teacher forcing and truncation switched on (docs/networks.md):

    j_i(n)   = j_min + (j_max - j_min) clip((1 + x_i(n)) / 2, 0, 1)
    r_i(n)   = 2 F_i(j_i(n)) - 1,   z(n) = W_out r(n)
    x(n+1)   = (1 - a) x(n) + a [J r(n) + W_f z_fed(n) + W_in u_fed(n) + b]

with z_fed = z (closed loop) or, under teacher forcing, the target; u_fed = u, or z_fed on the
input nodes where `closed_loop` is set. `train_bptt` differentiates a loss of the readouts (a callable:
`mse_loss`, `cross_entropy_loss` or a user's) with respect to a chosen subset of the weights (W_in, J,
W_out, W_f, b) and updates them with an optax transformation (by default `default_optimizer()`: the
gradient's global norm clipped to 1 (`optax.clip_by_global_norm`), then Adam at 1e-2).

- Truncated BPTT: with `truncation` K the carried state (x, the magnetizations, the delay lines) is
  `jax.lax.stop_gradient`-ed at every K-th step of a sequence, so a loss term after a boundary
  reaches the weights only through the steps since that boundary.
- Sparsity: J's gradient is masked to the connections the network has (J_ij != 0), and a missing
  connection is held at exactly 0 after every update, whatever the optax transformation.
- The current range is a hard constraint: the MTJs' currents are computed from x by the clip
  above, whatever the weights, so they never leave [j_min, j_max] (times a `current_gain` where one
  is given); a saturated MTJ passes no gradient (the clip's derivative is 0 there). The window, the
  transfer curves and the solver are fields of the nonlinearity, which is never trained.
- Device mode: the gradient goes through the diffrax LLG solve of every MTJ in every step, in
  reverse mode (`diffrax.RecursiveCheckpointAdjoint`; a network whose solver is set to forward mode
  is differentiated with the reverse adjoint, `mtjphys.gradient_solver`, and returned with its own
  settings). The stochastic LLG (a device-mode network above 0 K) is refused: its Brownian path
  is differentiated in forward mode only; train such MTJs in surrogate mode.

Everything random (minibatch order, the noise of a thermal surrogate or of fluctuating synapses)
is drawn from the seed.
"""

from __future__ import annotations

import functools
import json
import math
import time
from collections.abc import Callable, Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
import xarray as xr
from tqdm.auto import tqdm

from .._errors import MtjphysError, random_key
from ..data._codec import class_path
from ..data._provenance import provenance
from ._network import differentiable_network, Network
from ._step import initial_state, network_step, StepInput

TRAINABLE = ("recurrent", "input_weights", "readout", "feedback", "bias")
DEFAULT_TRAINABLE = ("input_weights", "recurrent", "readout")


class Sequences(eqx.Module):
    """Training data for BPTT: S sequences of T steps each (leading axes S, T).

    Arguments:
        inputs: u, (S, T, n_in).
        targets: (S, T, n_out): regression targets (`mse_loss`), or class probabilities such as
            one-hot rows (`cross_entropy_loss`); also what teacher forcing feeds back.
        loss_steps: (S, T) bool: the steps whose readouts enter the loss.
        x0: (S, N) initial states, or None (the reset state).
        reset_state: (S, T) bool: x <- x_reset and m <- equilibrium before the step.
        closed_loop: (S, T) bool: the input nodes carry the fed-back readouts instead of u.
        teacher_forcing: (S, T) bool: the feedback (and closed-loop inputs) carry the targets
            instead of the readouts z.
    """

    inputs: jnp.ndarray
    targets: jnp.ndarray
    loss_steps: jnp.ndarray
    x0: jnp.ndarray | None
    reset_state: jnp.ndarray
    closed_loop: jnp.ndarray
    teacher_forcing: jnp.ndarray

    @property
    def count(self) -> int:
        return self.targets.shape[0]

    @property
    def steps(self) -> int:
        return self.targets.shape[1]

    def take(self, index) -> Sequences:
        """Returns: the sequences at `index` (an integer array)."""
        return jax.tree.map(lambda a: a[index], self)


def make_sequences(targets, *, inputs=None, loss_steps=None, x0=None, reset_state=None, closed_loop=None,
                   teacher_forcing=None) -> Sequences:
    """Build `Sequences`, checked; what is not given is no input / every step / False.

    Arguments:
        targets: (S, T, n_out).
        inputs: (S, T, n_in) (default no input nodes).
        loss_steps, reset_state, closed_loop, teacher_forcing: (S, T) bool.
        x0: (S, N) initial states (default the reset state).

    Returns:
        The `Sequences`.
    """
    targets = np.asarray(targets, dtype=np.float64)
    if targets.ndim != 3 or targets.shape[0] < 1 or targets.shape[1] < 1:
        raise MtjphysError(f"targets must have shape (sequences, steps, readouts), got {targets.shape}")
    if not np.all(np.isfinite(targets)):
        raise MtjphysError("targets must be finite")
    count, steps = targets.shape[:2]
    inputs = np.zeros((count, steps, 0)) if inputs is None else np.asarray(inputs, dtype=np.float64)
    if inputs.ndim != 3 or inputs.shape[:2] != (count, steps) or not np.all(np.isfinite(inputs)):
        raise MtjphysError(f"inputs must be finite with shape ({count}, {steps}, inputs), got {inputs.shape}")

    def flags(values, name, default):
        if values is None:
            return np.full((count, steps), default)
        values = np.asarray(values)
        if values.shape != (count, steps) or values.dtype != bool:
            raise MtjphysError(f"{name} must be a boolean array of shape ({count}, {steps}), got {values.dtype} "
                               f"{values.shape}")
        return values

    loss_steps = flags(loss_steps, "loss_steps", True)
    if not loss_steps.any():
        raise MtjphysError("loss_steps selects no step: the loss would be empty")
    if x0 is not None:
        x0 = np.asarray(x0, dtype=np.float64)
        if x0.ndim != 2 or x0.shape[0] != count or not np.all(np.isfinite(x0)):
            raise MtjphysError(f"x0 must be finite with shape ({count}, N), got {x0.shape}")
        x0 = jnp.asarray(x0)
    return Sequences(jnp.asarray(inputs), jnp.asarray(targets), jnp.asarray(loss_steps), x0,
                     jnp.asarray(flags(reset_state, "reset_state", False)),
                     jnp.asarray(flags(closed_loop, "closed_loop", False)),
                     jnp.asarray(flags(teacher_forcing, "teacher_forcing", False)))


class Rollout(eqx.Module):
    """What a rollout computed, step by step.

    Arguments:
        readouts: z(n), (T, n_out).
        outputs: r(n), (T, N).
        states: x(n) the step started from (after any reset), (T, N).
        x: the state after the last step, (N,).
        magnetization: the magnetizations after the last step, (N, 3).
    """

    readouts: jnp.ndarray
    outputs: jnp.ndarray
    states: jnp.ndarray
    x: jnp.ndarray
    magnetization: jnp.ndarray


def rollout(network: Network, inputs: jnp.ndarray, *, x0=None, magnetization=None, x_reset=None, reset_state=None,
            closed_loop=None, teacher_forcing=None, forced_readouts=None, truncation: int | None = None,
            key: jax.Array | None = None) -> Rollout:
    """Run `network` over T steps as one differentiable `jax.lax.scan` of `network_step` (no trainer; traceable,
    not jitted).

    Arguments:
        network: the network.
        inputs: u, (T, n_in).
        x0: initial state (default x_reset); magnetization: initial m (default equilibrium).
        x_reset: the state a reset returns to (default zeros).
        reset_state: (T,) bool: reset before the step.
        closed_loop: (T,) bool: the input nodes carry the fed-back readouts (needs n_in == n_out).
        teacher_forcing: (T,) bool: the feedback and the closed-loop inputs carry `forced_readouts`
            (T, n_out) instead of z.
        truncation: K: the carried state is `jax.lax.stop_gradient`-ed before steps K, 2K, ...
        key: for the noise of the step (a thermal surrogate, fluctuating synapses).

    Returns:
        The `Rollout`.
    """
    steps, n, n_out = inputs.shape[0], network.size, network.readout.shape[0]
    x_reset = jnp.zeros(n) if x_reset is None else x_reset
    x = x_reset if x0 is None else x0
    key = jax.random.PRNGKey(0) if key is None else key
    if teacher_forcing is not None and forced_readouts is None:
        forced_readouts = jnp.zeros((steps, n_out))
    truncate = None if not truncation else jnp.arange(steps) % truncation == 0
    per_step = StepInput(inputs, jnp.arange(steps), reset_state, closed_loop, teacher_forcing, forced_readouts,
                         truncate)

    def step(state, step_input):
        _, state, output, _ = network_step(network, state, step_input, key, x_reset=x_reset)
        return state, (output.z, output.r, output.x)

    state, (readouts, outputs, states) = jax.lax.scan(step, initial_state(network, x, magnetization), per_step)
    return Rollout(readouts, outputs, states, state.x, state.magnetization)


# ---- the loss and its gradient ---------------------------------------------------------------
# A loss is any callable (readouts, targets) -> the loss of each step: readouts z and targets of shape
# (..., T, n_out) give (..., T); `loss_and_gradient` and `train_bptt` average it over the loss steps.
def mse_loss(readouts: jnp.ndarray, targets: jnp.ndarray) -> jnp.ndarray:
    """Mean squared error of the readouts: the mean over the readouts of (z - target)^2, per step."""
    return jnp.mean((readouts - targets) ** 2, axis=-1)


def cross_entropy_loss(readouts: jnp.ndarray, targets: jnp.ndarray) -> jnp.ndarray:
    """Softmax cross-entropy of the readouts (nats) against the target probabilities (e.g. one-hot rows), per
    step."""
    return optax.softmax_cross_entropy(readouts, targets)


def _describe(function) -> str:
    """Returns: `module:qualname` of a function (or of a callable object's class), as datasets name classes."""
    target = function if hasattr(function, "__qualname__") and hasattr(function, "__module__") else type(function)
    try:
        return class_path(target)
    except Exception:  # a name that cannot be looked up (a lambda, a local function)
        return f"{getattr(target, '__module__', '?')}:{getattr(target, '__qualname__', repr(target))}"


def _loss_summary(loss) -> str:
    """Returns: the first line of the loss's docstring, or its name."""
    lines = (getattr(loss, "__doc__", None) or "").strip().splitlines()
    return lines[0].strip() if lines and lines[0].strip() else _describe(loss)


def _sequence_readouts(network, sequences: Sequences, key, x_reset, truncation):
    def one(index, inputs, targets, x0, reset, closed, forced):
        return rollout(network, inputs, x0=x0, x_reset=x_reset, reset_state=reset, closed_loop=closed,
                       teacher_forcing=forced, forced_readouts=targets, truncation=truncation,
                       key=jax.random.fold_in(key, index)).readouts

    x0 = sequences.x0
    return jax.vmap(one, in_axes=(0, 0, 0, None if x0 is None else 0, 0, 0, 0))(
        jnp.arange(sequences.count), sequences.inputs, sequences.targets, x0, sequences.reset_state,
        sequences.closed_loop, sequences.teacher_forcing)


def _loss(weights: dict, network: Network, sequences: Sequences, key, x_reset, loss: Callable, truncation):
    network = eqx.tree_at(lambda net: [getattr(net, name) for name in weights], network, list(weights.values()))
    readouts = _sequence_readouts(network, sequences, key, x_reset, truncation)
    per_step = loss(readouts, sequences.targets)
    counted = sequences.loss_steps
    return jnp.sum(jnp.where(counted, per_step, 0.0)) / jnp.sum(counted, dtype=per_step.dtype)


def _masked(gradient: dict, masks: dict) -> dict:
    return {name: jnp.where(masks[name], g, 0.0) if name in masks else g for name, g in gradient.items()}


@eqx.filter_jit
def _value_and_gradient(weights, masks, network, sequences, key, x_reset, loss, truncation):
    value, gradient = jax.value_and_grad(_loss)(weights, network, sequences, key, x_reset, loss, truncation)
    return value, _masked(gradient, masks)


def _check_trainable(network: Network, trainable: Sequence[str]) -> tuple[str, ...]:
    trainable = tuple(trainable)
    unknown = [name for name in trainable if name not in TRAINABLE]
    if not trainable or unknown or len(set(trainable)) != len(trainable):
        raise MtjphysError(f"trainable must name distinct weights among {', '.join(TRAINABLE)}, got {list(trainable)}")
    empty = [name for name in trainable if getattr(network, name).size == 0]
    if empty:
        raise MtjphysError(f"the network has no {', '.join(empty)} to train (no entries)")
    return trainable


def _check_loss(loss, sequences: Sequences) -> None:
    """Refuses, in one line, a loss that is not a callable giving one float per step of the sequences."""
    if not callable(loss):
        raise MtjphysError(f"loss must be a callable (readouts, targets) -> the loss of each step (e.g. mse_loss, "
                           f"cross_entropy_loss), got {loss!r}")
    try:
        shape = jax.eval_shape(loss, sequences.targets, sequences.targets)
    except Exception as error:
        raise MtjphysError(f"the loss {_describe(loss)} fails on readouts and targets of shape "
                           f"{sequences.targets.shape}: {str(error).splitlines()[0] if str(error) else error!r}")
    expected = sequences.targets.shape[:2]
    if getattr(shape, "shape", None) != expected or not jnp.issubdtype(shape.dtype, jnp.floating):
        raise MtjphysError(f"the loss must give one float per step, shape {expected} for readouts of shape "
                           f"{sequences.targets.shape}; {_describe(loss)} gives {getattr(shape, 'shape', shape)}")


def _check_truncation(truncation) -> int | None:
    if truncation is None:
        return None
    if isinstance(truncation, bool) or not isinstance(truncation, (int, np.integer)) or truncation < 1:
        raise MtjphysError(f"truncation must be a whole number of steps >= 1 (or None), got {truncation!r}")
    return int(truncation)


def _check_sequences(network: Network, sequences: Sequences, x_reset) -> jnp.ndarray:
    """Returns: the reset state, checked with the sequences against the network."""
    n, n_in, n_out = network.size, network.input_weights.shape[1], network.readout.shape[0]
    if not isinstance(sequences, Sequences):
        raise MtjphysError(f"sequences must be mtjphys Sequences (make_sequences), got {type(sequences).__name__}")
    if sequences.inputs.shape[2] != n_in:
        raise MtjphysError(f"the sequences have {sequences.inputs.shape[2]} inputs, the network {n_in}")
    if sequences.targets.shape[2] != n_out:
        raise MtjphysError(f"the sequences have {sequences.targets.shape[2]} targets, the network {n_out} readouts")
    if sequences.x0 is not None and sequences.x0.shape[1] != n:
        raise MtjphysError(f"x0 has {sequences.x0.shape[1]} states, the network {n} MTJs")
    if bool(jnp.any(sequences.closed_loop)) and n_in != n_out:
        raise MtjphysError(f"a closed loop needs as many inputs as readouts; the network has {n_in} inputs and "
                           f"{n_out} readouts")
    x_reset = jnp.zeros(n) if x_reset is None else jnp.asarray(x_reset, dtype=jnp.float64)
    if x_reset.shape != (n,) or not bool(jnp.all(jnp.isfinite(x_reset))):
        raise MtjphysError(f"x_reset must be {n} finite states, got shape {x_reset.shape}")
    return x_reset


def connection_masks(network: Network, trainable: Sequence[str]) -> dict:
    """Returns: {weight name: where it may change} for the trainable weights that keep a sparsity (J: its
    existing connections)."""
    return {"recurrent": network.recurrent != 0} if "recurrent" in trainable else {}


def loss_and_gradient(network: Network, sequences: Sequences, *, loss: Callable = mse_loss,
                      trainable: Sequence[str] = DEFAULT_TRAINABLE, truncation: int | None = None, seed: int = 0,
                      x_reset=None) -> tuple[float, dict[str, np.ndarray]]:
    """The BPTT loss over all `sequences` and its gradient with respect to the trainable weights.

    Arguments:
        network: the network.
        sequences: the data (`make_sequences`).
        loss: the loss of each step, a callable (readouts, targets) -> (..., T) for readouts and targets
            (..., T, n_out), averaged over the loss steps: `mse_loss` (the default), `cross_entropy_loss`
            or a user's own (traceable by JAX).
        trainable: weights to differentiate by, among `TRAINABLE`.
        truncation: K steps per truncation window (None: full BPTT).
        seed: seeds the noise (a thermal surrogate, fluctuating synapses), as in training.
        x_reset: the state resets return to (default zeros).

    Returns:
        (loss, {name: d loss / d weight}); J's gradient is masked to its existing connections (the
        weights BPTT trains; the entries that are 0 get 0).
    """
    trainable = _check_trainable(network, trainable)
    truncation = _check_truncation(truncation)
    x_reset = _check_sequences(network, sequences, x_reset)
    _check_loss(loss, sequences)
    network = differentiable_network(network, "reverse")
    weights = {name: getattr(network, name) for name in trainable}
    key = jax.random.fold_in(random_key(seed), 0)
    value, gradient = _value_and_gradient(weights, connection_masks(network, trainable), network, sequences, key,
                                          x_reset, loss, truncation)
    return float(value), {name: np.asarray(g) for name, g in gradient.items()}


@eqx.filter_jit
def _readouts(network, sequences, key, x_reset):
    return _sequence_readouts(network, sequences, key, x_reset, None)


def sequence_readouts(network: Network, sequences: Sequences, *, seed: int = 0, x_reset=None,
                      chunk: int = 256) -> np.ndarray:
    """Returns: the readouts z of `network` on every sequence, (S, T, n_out) (forward only, jitted, in chunks of
    `chunk` sequences; a thermal surrogate's noise from `seed`)."""
    x_reset = _check_sequences(network, sequences, x_reset)
    key = random_key(seed)
    chunk = min(chunk, sequences.count)
    parts = []
    for start in range(0, sequences.count, chunk):
        index = np.arange(start, min(start + chunk, sequences.count))
        # the last chunk padded to the others' size (and cut), so one compiled rollout serves them all
        padded = np.concatenate([index, np.full(chunk - index.size, index[-1])])
        part_key = jax.random.fold_in(key, start)
        parts.append(np.asarray(_readouts(network, sequences.take(padded), part_key, x_reset))[:index.size])
    return np.concatenate(parts)


# ---- training ----------------------------------------------------------------------------------
def _positive(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)) \
            or not (math.isfinite(value) and value > 0):
        raise MtjphysError(f"{name} must be a positive finite number, got {value!r}")
    return float(value)


@functools.lru_cache(maxsize=32)
def _default_optimizer(learning_rate: float, clip_norm: float) -> optax.GradientTransformationExtraArgs:
    return optax.chain(optax.inject_hyperparams(optax.clip_by_global_norm)(max_norm=clip_norm),
                       optax.inject_hyperparams(optax.adam)(learning_rate=learning_rate))


def default_optimizer(learning_rate: float = 1e-2, clip_norm: float = 1.0) -> optax.GradientTransformationExtraArgs:
    """BPTT's default optax transformation: the gradient's global norm clipped to `clip_norm`
    (`optax.clip_by_global_norm`), then Adam at `learning_rate`, both through `optax.inject_hyperparams` so that
    the history records their hyperparameters. The same settings give the same object, so that `train_bptt`'s
    jitted update compiles once for them."""
    return _default_optimizer(_positive("learning_rate", learning_rate), _positive("clip_norm", clip_norm))


def _hyperparameters(opt_state) -> list[dict]:
    """The hyperparameters optax exposes in an optimizer's state (`optax.inject_hyperparams`), in order."""
    injected = (optax.InjectHyperparamsState, optax.InjectStatefulHyperparamsState)
    found = jax.tree.leaves(opt_state, is_leaf=lambda node: isinstance(node, injected))
    return [{name: float(value) if np.ndim(value) == 0 else np.asarray(value).tolist()
             for name, value in node.hyperparams.items()} for node in found if isinstance(node, injected)]


def _closure(function) -> dict:
    """The variables a function closes over, by name."""
    names = getattr(getattr(function, "__code__", None), "co_freevars", ())
    return dict(zip(names, (cell.cell_contents for cell in getattr(function, "__closure__", None) or ())))


def _written(settings: dict) -> str:
    return ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in settings.items())


def _describe_optimizer(update, opt_state) -> str:
    """An optax transformation (its `update`, and its state) as text: the optax functions that built it, chains
    and `inject_hyperparams` looked into, each with the numbers it was built with, as far as its closures and
    state tell (`scale_by_adam(b1=0.9, ...)`); else its function's name."""
    name = getattr(update, "__qualname__", "").split(".<locals>")[0]
    cells = _closure(update)
    if name == "with_extra_args_support" and hasattr(cells.get("tx"), "update"):
        return _describe_optimizer(cells["tx"].update, opt_state)
    parts = cells.get("update_fns")
    if name == "chain" and isinstance(parts, tuple):
        states = opt_state if isinstance(opt_state, tuple) and len(opt_state) == len(parts) else (None,) * len(parts)
        return "chain(" + ", ".join(_describe_optimizer(part, state) for part, state in zip(parts, states)) + ")"
    if name == "inject_hyperparams" and callable(cells.get("inner_factory")):
        found = _hyperparameters(opt_state)
        return f"{getattr(cells['inner_factory'], '__name__', name)}({_written(found[0] if found else {})})"
    numbers = {k: v for k, v in cells.items() if isinstance(v, (bool, int, float))}
    return f"{name or type(update).__name__}({_written(numbers)})"


@eqx.filter_jit
def _update(weights, opt_state, masks, network, batch, key, x_reset, loss, truncation, optimizer):
    value, gradient = jax.value_and_grad(_loss)(weights, network, batch, key, x_reset, loss, truncation)
    gradient = _masked(gradient, masks)
    norm = optax.tree.norm(gradient)
    with jax.numpy_dtype_promotion("standard"):  # optax mixes its int32 step count with float64 moments
        updates, opt_state = optimizer.update(gradient, opt_state, weights, value=value)
        updated = optax.apply_updates(weights, updates)
    # J's missing connections stay 0 whatever the transformation does
    updated = {name: jnp.where(masks[name], w, weights[name]) if name in masks else w for name, w in updated.items()}
    return updated, opt_state, value, norm


def _whole(name: str, value, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise MtjphysError(f"{name} must be a whole number >= {low}, got {value!r}")
    return int(value)


def train_bptt(
    network: Network, sequences: Sequences, *, loss: Callable = mse_loss,
    trainable: Sequence[str] = DEFAULT_TRAINABLE, epochs: int = 10, batch_size: int = 16,
    truncation: int | None = None, optimizer: optax.GradientTransformation | None = None, seed: int = 0,
    x_reset=None, progress: bool | str = True, **attrs,
) -> tuple[Network, xr.Dataset]:
    """Train `network` by truncated BPTT with an optax transformation, minibatch by minibatch.

    Each epoch visits the sequences in an order drawn from `seed` in minibatches of `batch_size`
    (the last, incomplete one of an epoch is left for the next epochs' orders, so every update
    compiles once); every update hands the masked gradient to `optimizer` (with the minibatch's loss as
    the extra argument `value`, for transformations that use it). J keeps its sparsity, and the current
    window is never changed (see the module's notes).

    Arguments:
        network: the network before training (tanh, surrogate or device mode).
        sequences: the data (`make_sequences`).
        loss: the loss of each step, a callable (readouts, targets) -> (..., T): `mse_loss` (the
            default), `cross_entropy_loss` or a user's own (see `loss_and_gradient`).
        trainable: the weights to train, among `TRAINABLE` ("recurrent", "input_weights", "readout",
            "feedback", "bias").
        epochs: passes over the sequences.
        batch_size: sequences per update (at most all of them).
        truncation: K steps per truncation window (None: full BPTT over each sequence).
        optimizer: any optax transformation (`optax.adam(1e-3)`, a chain, ...); default
            `default_optimizer()`: the gradient's global norm clipped to 1, then Adam at 1e-2. Clipping is
            part of the transformation: chain `optax.clip_by_global_norm` in front of your own to keep it.
            Whatever it does, J's missing connections stay 0 (its gradient is masked to the existing ones).
        seed: the minibatch order and the noise.
        x_reset: the state resets return to and sequences without x0 start from (default zeros).
        progress: show a progress bar (a string is its label).
        attrs: further attributes of the history dataset.

    Returns:
        (trained network, history dataset: `loss`, `gradient_norm`, `epoch` and `update_time` per
        `update`; in its attributes the settings and seed, the loss (`loss`: its import path;
        `loss_description`: its docstring's first line), the optimizer (`optimizer`: the optax functions
        that built it, with the hyperparameters it exposes through `optax.inject_hyperparams`;
        `optimizer_hyperparameters`: those as JSON)).
    """
    optimizer = default_optimizer() if optimizer is None else optimizer
    if not isinstance(optimizer, optax.GradientTransformation):
        raise MtjphysError(f"optimizer must be an optax GradientTransformation (e.g. optax.adam(1e-2), "
                           f"default_optimizer()), got {optimizer!r}")
    trainable = _check_trainable(network, trainable)
    truncation = _check_truncation(truncation)
    epochs, batch_size = _whole("epochs", epochs), _whole("batch_size", batch_size)
    base_key = random_key(seed)
    x_reset = _check_sequences(network, sequences, x_reset)
    _check_loss(loss, sequences)
    trained = differentiable_network(network, "reverse")
    batch_size = min(batch_size, sequences.count)
    per_epoch = sequences.count // batch_size
    # optimizer.update is called with the extra argument `value`; a plain transformation ignores it
    transform = optax.with_extra_args_support(optimizer)
    masks = connection_masks(network, trainable)
    weights = {name: getattr(trained, name) for name in trainable}
    with jax.numpy_dtype_promotion("standard"):  # optax may mix its int32 step count with float64 weights
        opt_state = transform.init(weights)
    optimizer_description = _describe_optimizer(optimizer.update, opt_state)
    hyperparameters = _hyperparameters(opt_state)
    order_rng = np.random.default_rng([seed, 7])

    losses, norms, epoch_of, seconds = [], [], [], []
    label = progress if isinstance(progress, str) else f"BPTT {network.mode} N={network.size}"
    with tqdm(total=epochs * per_epoch, desc=label, unit="update", disable=None if progress else True,
              leave=False) as bar:
        for epoch in range(epochs):
            order = order_rng.permutation(sequences.count)
            for batch_index in range(per_epoch):
                start = time.perf_counter()
                batch = sequences.take(order[batch_index * batch_size:(batch_index + 1) * batch_size])
                key = jax.random.fold_in(base_key, len(losses))
                weights, opt_state, value, norm = _update(weights, opt_state, masks, trained, batch, key, x_reset,
                                                          loss, truncation, transform)
                value = float(value)
                if not math.isfinite(value):
                    raise MtjphysError(f"the BPTT loss became {value} at update {len(losses)}; lower the learning "
                                       "rate or the clipping norm")
                losses.append(value)
                norms.append(float(norm))
                epoch_of.append(epoch)
                seconds.append(time.perf_counter() - start)
                bar.update(1)
                bar.set_postfix(loss=f"{value:.4g}")

    network = eqx.tree_at(lambda net: [getattr(net, name) for name in trainable], network,
                          [weights[name] for name in trainable])
    updates = np.arange(len(losses))
    history = xr.Dataset(
        {
            "loss": ("update", np.array(losses), {"units": "1", "long_name": f"training loss of the minibatch before "
                                                                             f"the update ({_loss_summary(loss)})"}),
            "gradient_norm": ("update", np.array(norms), {"units": "1", "long_name": "global norm of the gradient "
                                                                                     "before clipping"}),
            "epoch": ("update", np.array(epoch_of), {"units": "1", "long_name": "epoch of the update"}),
            "update_time": ("update", np.array(seconds), {"units": "s", "long_name": "wall time of the update (the "
                                                                                     "first includes compilation)"}),
        },
        coords={"update": ("update", updates, {"units": "1", "long_name": "optimiser update"})},
    )
    history.attrs.update(provenance(
        network.records[0] if network.records else None, **trained.describe(), seed=seed, trainer="bptt",
        loss=_describe(loss), loss_description=_loss_summary(loss), trainable=list(trainable),
        optimizer=optimizer_description, optimizer_hyperparameters=json.dumps(hyperparameters),
        truncation="none" if truncation is None else truncation, epochs=epochs, batch_size=batch_size,
        sequences=sequences.count, steps_per_sequence=sequences.steps, mode=network.mode, n_mtj=network.size,
        minibatch_order="numpy default_rng([seed, 7]).permutation per epoch", **attrs))
    return network, history
