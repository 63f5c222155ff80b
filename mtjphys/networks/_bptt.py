"""Training networks by backpropagation through time (BPTT): gradients through the whole rollout.

The rollout (`rollout`) is a pure `jax.lax.scan` over steps of `Network.mtj_outputs` and
`Network.advance`, the same equations `simulate` runs (docs/networks.md):

    j_i(n)   = j_min + (j_max - j_min) clip((1 + x_i(n)) / 2, 0, 1)
    r_i(n)   = 2 F_i(j_i(n)) - 1,   z(n) = W_out r(n)
    x(n+1)   = (1 - a) x(n) + a [J r(n) + W_f z_fed(n) + W_in u_fed(n) + b]

with z_fed = z (closed loop) or, under teacher forcing, the target; u_fed = u, or z_fed on the
input nodes where `closed_loop` is set. `train_bptt` differentiates a loss of the readouts with
respect to a chosen subset of the weights (W_in, J, W_out, W_f, b) and updates them with optax
(Adam by default), after clipping the gradient's global norm (`optax.clip_by_global_norm`).

- Truncated BPTT: with `truncation` K the carried state (x, the magnetizations, the delay lines) is
  `jax.lax.stop_gradient`-ed at every K-th step of a sequence, so a loss term after a boundary
  reaches the weights only through the steps since that boundary.
- Sparsity: J's gradient is masked to the connections the network has (J_ij != 0), so a missing
  connection stays exactly 0 (Adam's and SGD's update of a zero gradient is exactly 0).
- The current window is a hard constraint: the MTJs' currents are computed from x by the clip
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
import math
import time
from collections.abc import Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
import xarray as xr
from tqdm.auto import tqdm

from .._errors import MtjphysError, random_key
from ..data._provenance import provenance
from ._network import differentiable_network, Network

TRAINABLE = ("recurrent", "input_weights", "readout", "feedback", "bias")
DEFAULT_TRAINABLE = ("input_weights", "recurrent", "readout")
LOSSES = {
    "mse": "mean squared error of the readouts",
    "cross_entropy": "softmax cross-entropy of the readouts (nats)",
}
OPTIMIZERS = ("adam", "sgd")


class Sequences(eqx.Module):
    """Training data for BPTT: S sequences of T steps each (leading axes S, T).

    Arguments:
        inputs: u, (S, T, n_in).
        targets: (S, T, n_out): regression targets (loss "mse"), or class probabilities such as
            one-hot rows (loss "cross_entropy"); also what teacher forcing feeds back.
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
    """Run `network` over T steps as one differentiable `jax.lax.scan` (no trainer; traceable, not jitted).

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
    no = jnp.zeros(steps, dtype=bool)
    reset_state = no if reset_state is None else reset_state
    closed_loop = no if closed_loop is None else closed_loop
    teacher_forcing = no if teacher_forcing is None else teacher_forcing
    forced_readouts = jnp.zeros((steps, n_out)) if forced_readouts is None else forced_readouts
    x_reset = jnp.zeros(n) if x_reset is None else x_reset
    x = x_reset if x0 is None else x0
    magnetization = network.equilibrium if magnetization is None else magnetization
    key = jax.random.PRNGKey(0) if key is None else key
    loops = inputs.shape[1] == n_out  # else the input nodes cannot carry the readouts (checked by the callers)
    history = (jnp.zeros((network.delay, n)), jnp.zeros((network.delay, n_out)))

    def step(carry, per_step):
        u, reset, closed, forced, forced_z, index = per_step
        if truncation:  # a truncation boundary: the past reaches this step as a constant
            carry = jax.tree.map(lambda a: jnp.where(index % truncation == 0, jax.lax.stop_gradient(a), a), carry)
        x, magnetization, (r_history, z_history) = carry
        x = jnp.where(reset, x_reset, x)
        magnetization = jnp.where(reset, network.equilibrium, magnetization)
        r_history, z_history = (jnp.where(reset, 0.0, h) for h in (r_history, z_history))
        step_key = jax.random.fold_in(key, index)
        live = network.fluctuated(jax.random.fold_in(step_key, 3))  # the weights as they are in this step
        r, magnetization = live.mtj_outputs(x, magnetization, jax.random.fold_in(step_key, 2))
        z = live.readout @ r
        fed = jnp.where(forced, forced_z, z)
        u_fed = jnp.where(closed, fed, u) if loops else u
        if network.delay:  # the recurrent and feedback signals of `delay` steps ago arrive now
            r_arriving, z_arriving = r_history[0], z_history[0]
            r_history = jnp.concatenate([r_history[1:], r[None]])
            z_history = jnp.concatenate([z_history[1:], fed[None]])
        else:
            r_arriving, z_arriving = r, fed
        x_next = live.advance(x, r_arriving, z_arriving, u_fed)
        return (x_next, magnetization, (r_history, z_history)), (z, r, x)

    per_step = (inputs, reset_state, closed_loop, teacher_forcing, forced_readouts, jnp.arange(steps))
    (x, magnetization, _), (readouts, outputs, states) = jax.lax.scan(step, (x, magnetization, history), per_step)
    return Rollout(readouts, outputs, states, x, magnetization)


# ---- the loss and its gradient ---------------------------------------------------------------
def _step_losses(readouts: jnp.ndarray, targets: jnp.ndarray, loss: str) -> jnp.ndarray:
    """The loss of each step, (..., T)."""
    if loss == "mse":
        return jnp.mean((readouts - targets) ** 2, axis=-1)
    return optax.softmax_cross_entropy(readouts, targets)


def _sequence_readouts(network, sequences: Sequences, key, x_reset, truncation):
    def one(index, inputs, targets, x0, reset, closed, forced):
        return rollout(network, inputs, x0=x0, x_reset=x_reset, reset_state=reset, closed_loop=closed,
                       teacher_forcing=forced, forced_readouts=targets, truncation=truncation,
                       key=jax.random.fold_in(key, index)).readouts

    x0 = sequences.x0
    return jax.vmap(one, in_axes=(0, 0, 0, None if x0 is None else 0, 0, 0, 0))(
        jnp.arange(sequences.count), sequences.inputs, sequences.targets, x0, sequences.reset_state,
        sequences.closed_loop, sequences.teacher_forcing)


def _loss(weights: dict, network: Network, sequences: Sequences, key, x_reset, loss: str, truncation):
    network = eqx.tree_at(lambda net: [getattr(net, name) for name in weights], network, list(weights.values()))
    readouts = _sequence_readouts(network, sequences, key, x_reset, truncation)
    per_step = _step_losses(readouts, sequences.targets, loss)
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


def _check_loss(loss: str) -> None:
    if loss not in LOSSES:
        raise MtjphysError(f"loss must be one of {', '.join(LOSSES)}, got {loss!r}")


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


def loss_and_gradient(network: Network, sequences: Sequences, *, loss: str = "mse",
                      trainable: Sequence[str] = DEFAULT_TRAINABLE, truncation: int | None = None, seed: int = 0,
                      x_reset=None) -> tuple[float, dict[str, np.ndarray]]:
    """The BPTT loss over all `sequences` and its gradient with respect to the trainable weights.

    Arguments:
        network: the network.
        sequences: the data (`make_sequences`).
        loss: "mse" (mean over the loss steps and readouts of (z - target)^2) or "cross_entropy"
            (mean over the loss steps of the softmax cross-entropy of z against the target
            probabilities).
        trainable: weights to differentiate by, among `TRAINABLE`.
        truncation: K steps per truncation window (None: full BPTT).
        seed: seeds the noise (a thermal surrogate, fluctuating synapses), as in training.
        x_reset: the state resets return to (default zeros).

    Returns:
        (loss, {name: d loss / d weight}); J's gradient is masked to its existing connections (the
        weights BPTT trains; the entries that are 0 get 0).
    """
    _check_loss(loss)
    trainable = _check_trainable(network, trainable)
    truncation = _check_truncation(truncation)
    x_reset = _check_sequences(network, sequences, x_reset)
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
@functools.lru_cache(maxsize=32)
def _optimizer(name: str, learning_rate: float, clip_norm: float) -> optax.GradientTransformation:
    """The same settings give the same object, so the jitted update is compiled once for them."""
    base = optax.adam(learning_rate) if name == "adam" else optax.sgd(learning_rate)
    return optax.chain(optax.clip_by_global_norm(clip_norm), base)


@eqx.filter_jit
def _update(weights, opt_state, masks, network, batch, key, x_reset, loss, truncation, optimizer):
    value, gradient = jax.value_and_grad(_loss)(weights, network, batch, key, x_reset, loss, truncation)
    gradient = _masked(gradient, masks)
    norm = optax.tree.norm(gradient)
    with jax.numpy_dtype_promotion("standard"):  # optax mixes its int32 step count with float64 moments
        updates, opt_state = optimizer.update(gradient, opt_state, weights)
        return optax.apply_updates(weights, updates), opt_state, value, norm


def _positive(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)) \
            or not (math.isfinite(value) and value > 0):
        raise MtjphysError(f"{name} must be a positive finite number, got {value!r}")
    return float(value)


def _whole(name: str, value, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise MtjphysError(f"{name} must be a whole number >= {low}, got {value!r}")
    return int(value)


def train_bptt(
    network: Network, sequences: Sequences, *, loss: str = "mse", trainable: Sequence[str] = DEFAULT_TRAINABLE,
    epochs: int = 10, batch_size: int = 16, truncation: int | None = None, optimizer: str = "adam",
    learning_rate: float = 1e-2, clip_norm: float = 1.0, seed: int = 0, x_reset=None,
    progress: bool | str = True, **attrs,
) -> tuple[Network, xr.Dataset]:
    """Train `network` by truncated BPTT with optax, minibatch by minibatch.

    Each epoch visits the sequences in an order drawn from `seed` in minibatches of `batch_size`
    (the last, incomplete one of an epoch is left for the next epochs' orders, so every update
    compiles once); every update clips the gradient's global norm to `clip_norm`, then steps the
    optimiser. J keeps its sparsity, and the current window is never changed (see the module's notes).

    Arguments:
        network: the network before training (tanh, surrogate or device mode).
        sequences: the data (`make_sequences`).
        loss: "mse" or "cross_entropy" (see `loss_and_gradient`).
        trainable: the weights to train, among `TRAINABLE` ("recurrent", "input_weights", "readout",
            "feedback", "bias").
        epochs: passes over the sequences.
        batch_size: sequences per update (at most all of them).
        truncation: K steps per truncation window (None: full BPTT over each sequence).
        optimizer: "adam" (default) or "sgd".
        learning_rate: the optimiser's step size.
        clip_norm: the largest global norm of the gradient (`optax.clip_by_global_norm`).
        seed: the minibatch order and the noise.
        x_reset: the state resets return to and sequences without x0 start from (default zeros).
        progress: show a progress bar (a string is its label).
        attrs: further attributes of the history dataset.

    Returns:
        (trained network, history dataset: `loss`, `gradient_norm`, `epoch` and `update_time` per
        `update`, the settings and seed in its attributes).
    """
    _check_loss(loss)
    if optimizer not in OPTIMIZERS:
        raise MtjphysError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {optimizer!r}")
    trainable = _check_trainable(network, trainable)
    truncation = _check_truncation(truncation)
    epochs, batch_size = _whole("epochs", epochs), _whole("batch_size", batch_size)
    learning_rate, clip_norm = _positive("learning_rate", learning_rate), _positive("clip_norm", clip_norm)
    base_key = random_key(seed)
    x_reset = _check_sequences(network, sequences, x_reset)
    trained = differentiable_network(network, "reverse")
    batch_size = min(batch_size, sequences.count)
    per_epoch = sequences.count // batch_size
    transform = _optimizer(optimizer, learning_rate, clip_norm)
    masks = connection_masks(network, trainable)
    weights = {name: getattr(trained, name) for name in trainable}
    opt_state = transform.init(weights)
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
                                                                             f"the update ({LOSSES[loss]})"}),
            "gradient_norm": ("update", np.array(norms), {"units": "1", "long_name": "global norm of the gradient "
                                                                                     "before clipping"}),
            "epoch": ("update", np.array(epoch_of), {"units": "1", "long_name": "epoch of the update"}),
            "update_time": ("update", np.array(seconds), {"units": "s", "long_name": "wall time of the update (the "
                                                                                     "first includes compilation)"}),
        },
        coords={"update": ("update", updates, {"units": "1", "long_name": "optimiser update"})},
    )
    settings = getattr(trained.nonlinearity, "settings", None)
    history.attrs.update(provenance(
        network.records[0] if network.records else None, settings=settings, seed=seed, trainer="bptt",
        loss=loss, trainable=list(trainable), optimizer=optimizer, learning_rate=learning_rate, clip_norm=clip_norm,
        truncation="none" if truncation is None else truncation, epochs=epochs, batch_size=batch_size,
        sequences=sequences.count, steps_per_sequence=sequences.steps, mode=network.mode, n_mtj=network.size,
        minibatch_order="numpy default_rng([seed, 7]).permutation per epoch", **attrs))
    return network, history
