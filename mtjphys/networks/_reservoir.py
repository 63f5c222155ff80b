"""Networks as reservoirs on the standard tasks: their states, linear readouts (ridge, FORCE), the metrics,
and reservoirpy's echo-state network as the field's reference implementation.

A readout sees the features [1, u(n), r(n)] (bias, the scaled input, the neurons' outputs), as in
Jaeger's echo-state networks, and is fitted on the train split by a readout trainer: `RidgeReadout`
(ridge regression, its penalty chosen on the last fifth of that split), `ForceReadout` (FORCE's RLS
over the train split in time order, P0 = I / alpha) or a user's own `AbstractReadoutTrainer`.
The results are task datasets with the readout's `prediction` beside the `target`.
"""

from __future__ import annotations

import abc
import json
import math

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import xarray as xr

from .._errors import MtjphysError
from ..data._codec import module_to_dataset
from ._force import check_regularization, rls_step
from ._network import Network
from ._simulate import make_drive, scaled_input, simulate

RIDGE_PENALTIES = tuple(10.0 ** np.arange(-9, 1))  # tried on the validation part of the train split


def network_states(network: Network, task: xr.Dataset, *, seed: int = 0, progress: bool | str = False) -> np.ndarray:
    """Run `network` through a task's (scaled) inputs, the state reset where the task says, and record every
    neuron's output r(n).

    Returns: r, (T, N).
    """
    inputs = scaled_input(task)
    if inputs.shape[1] != network.input_weights.shape[1]:
        raise MtjphysError(f"the task has {inputs.shape[1]} inputs, the network {network.input_weights.shape[1]}")
    reset = task["reset_state"].values if "reset_state" in task else None
    drive = make_drive(inputs.shape[0], inputs=inputs, reset_state=reset, n_inputs=inputs.shape[1],
                       n_targets=network.readout.shape[0])
    result = simulate(network, drive, seed=seed, record_mtjs=network.size, progress=progress)
    return result.trajectory.mtj_outputs


def reservoirpy_states(task: xr.Dataset, *, units: int, spectral_radius: float, leak: float, input_scale: float,
                       connectivity: float, seed: int) -> np.ndarray:
    """The states of reservoirpy's `Reservoir` (tanh, x <- (1 - lr) x + lr tanh(W x + W_in u)) of `units` neurons
    on the task's scaled inputs, reset where the task says.

    Returns: x, (T, units).
    """
    from reservoirpy.nodes import Reservoir

    inputs = scaled_input(task)
    reservoir = Reservoir(units=units, sr=spectral_radius, lr=leak, input_scaling=input_scale,
                          rc_connectivity=connectivity, input_connectivity=1.0, seed=seed)
    reservoir.initialize(inputs[:1])
    if "reset_state" not in task or not task.reset_state.values.any():
        return np.asarray(reservoir.run(inputs))
    starts = np.flatnonzero(task.reset_state.values)
    starts = starts if starts[0] == 0 else np.concatenate([[0], starts])
    pieces = []
    for piece in np.split(inputs, starts[1:]):
        reservoir.reset()
        pieces.append(reservoir.run(piece))
    return np.concatenate(pieces)


def features(states: np.ndarray, task: xr.Dataset) -> np.ndarray:
    """The readout's features [1, u, r], (T, 1 + n_in + N)."""
    return np.concatenate([np.ones((states.shape[0], 1)), scaled_input(task), states], axis=1)


def _solve_ridge(x: np.ndarray, y: np.ndarray, penalty: float) -> np.ndarray:
    # the bias (first column) is not penalised
    regulariser = penalty * np.eye(x.shape[1])
    regulariser[0, 0] = 0.0
    return np.linalg.solve(x.T @ x + regulariser, x.T @ y).T


class AbstractReadoutTrainer(eqx.Module):
    """How a linear readout is fitted: weights W (n_out, F) such that W x approximates y, from features x
    (S, F) and targets y (S, n_out), the samples in time order.

    A subclass implements `fit`, and may give a `name` and a `penalty`; `train_readout` records it in its
    result by its import path and fields (`mtjphys.data` codec, attribute `readout_trainer`), so a user's
    own trainer is recorded like the built-in ones.
    """

    @abc.abstractmethod
    def fit(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Returns: the readout weights (n_out, F) fitted on features x (S, F) and targets y (S, n_out)."""

    @property
    def name(self) -> str:
        """A short label for the result (the attribute `readout`); default the class's name."""
        return type(self).__name__

    def penalty(self, x: np.ndarray, y: np.ndarray) -> float:
        """The regularisation the fit on (x, y) uses, recorded as `readout_penalty` (default NaN: none stated)."""
        return math.nan


def _penalties(values) -> tuple[float, ...]:
    return tuple(float(v) for v in np.atleast_1d(np.asarray(values, dtype=float)))


class RidgeReadout(AbstractReadoutTrainer):
    """Ridge regression, its penalty the one of `penalties` with the smallest error on the last fifth of the
    samples when fitted on the rest (then refitted on all). The penalties are relative to the features' size
    (times mean rms(x)^2 and the number of samples); the bias column (the first) is not penalised.

    Arguments:
        penalties: the relative penalties tried (one: that one, no validation).
    """

    penalties: tuple[float, ...] = eqx.field(default=RIDGE_PENALTIES, converter=_penalties)

    def __check_init__(self):
        if not self.penalties or not all(math.isfinite(p) and p > 0 for p in self.penalties):
            raise MtjphysError(f"penalties must be positive finite numbers, got {self.penalties}")

    @property
    def name(self) -> str:
        return "ridge"

    def penalty(self, x: np.ndarray, y: np.ndarray) -> float:
        """Returns: the penalty of `penalties` with the smallest validation error (the last fifth of the samples)."""
        if x.shape[0] < 10:
            raise MtjphysError(f"a ridge readout needs at least 10 training samples, got {x.shape[0]}")
        if len(self.penalties) == 1:
            return self.penalties[0]
        cut = x.shape[0] - x.shape[0] // 5
        scale = np.sqrt(np.mean(x**2, axis=0)).mean()  # penalties relative to the features' size
        errors = [np.mean((x[cut:] @ _solve_ridge(x[:cut], y[:cut], p * scale**2 * cut).T - y[cut:]) ** 2)
                  for p in self.penalties]
        return float(self.penalties[int(np.argmin(errors))])

    def fit(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        scale = np.sqrt(np.mean(x**2, axis=0)).mean()
        return _solve_ridge(x, y, self.penalty(x, y) * scale**2 * x.shape[0])


@jax.jit
def _rls_pass(p, weights, x, y):
    def step(carry, sample):
        p, weights = carry
        row, target = sample
        return rls_step(p, weights, row, weights @ row - target), None

    return jax.lax.scan(step, (p, weights), (x, y))[0]


class ForceReadout(AbstractReadoutTrainer):
    """FORCE's rule on a fixed reservoir: RLS over the samples in time order from W = 0, P0 = I / regularization
    (after all samples, ridge regression with the absolute penalty `regularization`).

    Arguments:
        regularization: alpha.
    """

    regularization: float = 1.0

    def __check_init__(self):
        check_regularization(self.regularization)

    @property
    def name(self) -> str:
        return "force"

    def penalty(self, x: np.ndarray, y: np.ndarray) -> float:
        return float(self.regularization)

    def fit(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        p0 = jnp.eye(x.shape[1]) / self.regularization
        _, weights = _rls_pass(p0, jnp.zeros((y.shape[1], x.shape[1])), jnp.asarray(x), jnp.asarray(y))
        return np.asarray(weights)


def _fit(trainer: AbstractReadoutTrainer, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    weights = np.asarray(trainer.fit(x, y))
    if weights.shape != (y.shape[1], x.shape[1]):
        raise MtjphysError(f"{type(trainer).__name__}.fit must return weights of shape (outputs, features) = "
                           f"{(y.shape[1], x.shape[1])}, got {weights.shape}")
    return weights


# ---- metrics -------------------------------------------------------------------------------
def nrmse(prediction, target) -> float:
    """rms(prediction - target) / std(target)."""
    prediction, target = np.asarray(prediction), np.asarray(target)
    return float(np.sqrt(np.mean((prediction - target) ** 2)) / np.std(target))


def memory_curve(prediction, target) -> np.ndarray:
    """corr(u(t - k), y_k(t))^2 for every delay k, from (S, K) predictions and targets."""
    prediction, target = np.asarray(prediction), np.asarray(target)
    p, t = prediction - prediction.mean(0), target - target.mean(0)
    return (p * t).sum(0) ** 2 / ((p**2).sum(0) * (t**2).sum(0))


def accuracy(predicted, label) -> float:
    return float(np.mean(np.asarray(predicted) == np.asarray(label)))


# ---- results as datasets -------------------------------------------------------------------
def train_readout(task: xr.Dataset, states: np.ndarray, *, trainer: AbstractReadoutTrainer = RidgeReadout(),
                  **attrs) -> xr.Dataset:
    """Fit a linear readout on the train split of a task and apply it everywhere.

    Arguments:
        task: a regression or classification task (`mtjphys.tasks`).
        states: the reservoir's outputs on the task, (T, N).
        trainer: how the readout is fitted: `RidgeReadout()` (the default), `ForceReadout(regularization=...)`
            or a user's own `AbstractReadoutTrainer`.
        attrs: recorded in the result (the network, its seed, ...).

    Returns:
        The task dataset with `prediction(time, ...)` (regression) or `predicted(trial)` and the class
        `score(trial, class)` (classification), the readout's `readout_weights`, and in the attributes
        the trainer's `readout` name, the trainer itself (`readout_trainer`), its `readout_penalty` and
        `metrics` (JSON: test NRMSE, memory capacity or accuracy).
    """
    if not isinstance(trainer, AbstractReadoutTrainer):
        raise MtjphysError(f"trainer must be an AbstractReadoutTrainer (RidgeReadout(), ForceReadout(), or your own), "
                           f"got {trainer!r}")
    if states.shape[0] != task.sizes["time"]:
        raise MtjphysError(f"states cover {states.shape[0]} steps, the task {task.sizes['time']}")
    x = features(states, task)
    kind = task.attrs["task_kind"]
    if kind == "regression":
        target_dim = next(d for d in task.target.dims if d != "time")
        y = task.target.transpose("time", target_dim).values
        train = task.split.values == "train"
        weights, penalty = _fit(trainer, x[train], y[train]), trainer.penalty(x[train], y[train])
        prediction = x @ weights.T
        result = task.assign(prediction=(("time", target_dim), prediction,
                                         {"units": "1", "long_name": f"{trainer.name} readout's prediction"}))
    else:
        classes = task.sizes["class"]
        steps = np.flatnonzero(task.trial_of_step.values >= 0)
        trials = task.trial_of_step.values[steps]
        one_hot = np.eye(classes)[task.label.values[trials]]
        train = task.split.values[trials] == "train"
        weights, penalty = _fit(trainer, x[steps][train], one_hot[train]), trainer.penalty(x[steps][train],
                                                                                           one_hot[train])
        score = np.zeros((task.sizes["trial"], classes))
        score[trials] = x[steps] @ weights.T
        result = task.assign(
            score=(("trial", "class"), score, {"units": "1", "long_name": f"{trainer.name} readout's score per "
                                                                          "class"}),
            predicted=("trial", np.argmax(score, axis=1), {"units": "1", "long_name": "predicted class"}))
    result["readout_weights"] = (("output_of_readout", "feature"), weights,
                                 {"units": "1", "long_name": "readout weights on [1, u, r]"})
    recorded = module_to_dataset(trainer, "readout_trainer", prefix="readout_trainer")
    result = result.merge(recorded.variables)  # a trainer's arrays, if it has any
    result.attrs.update({**attrs, "readout": trainer.name, "readout_trainer": recorded.attrs["readout_trainer"],
                         "readout_penalty": float(penalty)})
    result.attrs["metrics"] = json.dumps(benchmark_metrics(result))
    return result


def benchmark_metrics(result: xr.Dataset) -> dict:
    """The figures of a result, recomputed from its variables on the test split: {"nrmse": ...} for
    regression, {"memory_capacity": ..., "memory_curve": [...]} for the memory task, {"accuracy": ...} for
    classification."""
    if result.attrs["task_kind"] == "classification":
        test = result.split.values == "test"
        return {"accuracy": accuracy(result.predicted.values[test], result.label.values[test])}
    test = result.split.values == "test"
    target_dim = next(d for d in result.target.dims if d != "time")
    target = result.target.transpose("time", target_dim).values[test]
    prediction = result.prediction.transpose("time", target_dim).values[test]
    if result.attrs["task"] == "memory_capacity":
        curve = memory_curve(prediction, target)
        return {"memory_capacity": float(curve.sum()), "memory_curve": [float(c) for c in curve]}
    return {"nrmse": nrmse(prediction[:, 0], target[:, 0])}
