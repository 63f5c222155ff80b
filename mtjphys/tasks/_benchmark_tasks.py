"""The field's standard reservoir-computing tasks as task datasets (numpy; every random choice from a seed).

Regression tasks hold `input(time, input_node)`, `target(time, output)` and `split(time)` ("washout",
"train", "test"); classification tasks add, per trial, `label` and `split`, and per step the
`trial_of_step` and the `reset_state` flags that start each trial from rest. Every task records in
`input_range` the range its inputs are drawn from, which a network maps onto [-1, 1].

    NARMA10        y(t+1) = 0.3 y(t) + 0.05 y(t) sum_{i=0..9} y(t-i) + 1.5 u(t-9) u(t) + 0.1, u ~ U[0, 0.5]
    Mackey-Glass   dx/dt = 0.2 x(t-17) / (1 + x(t-17)^10) - 0.1 x(t), sampled at unit time; predict x(t+h)
    memory         u ~ U[-1, 1]; targets u(t-k), k = 1..K (one readout per delay)
    sine/square    a random sequence of sine and square periods of 8 points each; classify every point
                   (Markovic et al., APL 114, 012409 (2019))
    digits         scikit-learn's 8 x 8 digits fed row by row (8 steps of 8 pixels); the class after the
                   last row
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from .._errors import MtjphysError
from ._tasks import _time

SPLITS = ("washout", "train", "test")
POINTS_PER_PERIOD = 8  # of the sine/square task
SINE_SQUARE = {"square": 0, "sine": 1}
TASK_STREAM = 1  # tasks draw from their own stream of a seed: a task and a network of one seed are independent


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng([seed, TASK_STREAM])


def _check_lengths(washout: int, train: int, test: int) -> None:
    if not (washout >= 0 and train >= 1 and test >= 1):
        raise MtjphysError(f"need washout >= 0, train >= 1 and test >= 1 steps, got {washout}, {train}, {test}")


def _split(washout: int, train: int, test: int) -> np.ndarray:
    return np.array(["washout"] * washout + ["train"] * train + ["test"] * test, dtype=object)


def _regression(task: str, inputs: np.ndarray, targets: np.ndarray, split: np.ndarray, *, input_range, seed: int,
                target_dim: str = "output", target_values=None, target_text: str, **attrs) -> xr.Dataset:
    steps = inputs.shape[0]
    targets = targets[:, None] if targets.ndim == 1 else targets
    coords = {"time": _time(steps)}
    if target_values is not None:
        coords[target_dim] = target_values
    return xr.Dataset(
        {"input": (("time", "input_node"), inputs.reshape(steps, -1), {"units": "1", "long_name": "input u"}),
         "target": (("time", target_dim), targets, {"units": "1", "long_name": target_text}),
         "split": ("time", split, {"units": "", "long_name": "washout, train or test"})},
        coords=coords,
        attrs={"task": task, "task_kind": "regression", "input_range": list(map(float, input_range)), "seed": seed,
               **attrs},
    )


def narma10_task(*, washout: int = 200, train: int = 2000, test: int = 1000, seed: int = 0) -> xr.Dataset:
    """NARMA10: predict y(t+1) of the tenth-order nonlinear autoregressive moving average driven by u(t).

    Arguments:
        washout, train, test: steps in each split (in that order).
        seed: draws u.

    Returns:
        Regression task: target(time, output) is y(t+1) given the inputs up to u(t).
    """
    _check_lengths(washout, train, test)
    steps = washout + train + test
    rng = _rng(seed)
    extra = 100  # the recurrence's own transient, before step 0
    u = rng.uniform(0.0, 0.5, steps + extra)
    y = np.zeros(steps + extra + 1)
    for t in range(9, steps + extra):
        y[t + 1] = 0.3 * y[t] + 0.05 * y[t] * y[t - 9: t + 1].sum() + 1.5 * u[t - 9] * u[t] + 0.1
    if not np.all(np.isfinite(y)) or np.max(np.abs(y)) > 10:
        raise MtjphysError(f"the NARMA10 recurrence diverged for seed {seed}")
    return _regression("narma10", u[extra:], y[extra + 1:], _split(washout, train, test), input_range=(0.0, 0.5),
                       seed=seed, target_text="y(t+1)")


def mackey_glass_series(length: int, *, tau: float = 17.0, seed: int = 0, dt: float = 0.1,
                        transient: int = 1000) -> np.ndarray:
    """The Mackey-Glass delay equation dx/dt = 0.2 x(t-tau) / (1 + x(t-tau)^10) - 0.1 x(t), integrated by
    RK4 at `dt` (the delayed value interpolated linearly between stored points) from a history
    1.2 + 0.1 U[-1, 1] drawn from `seed`, sampled at unit time after `transient` time units.

    Returns: x at times 0, 1, ..., length - 1, (length,).
    """
    per_unit = round(1 / dt)
    if abs(per_unit * dt - 1) > 1e-12 or tau <= 0:
        raise MtjphysError(f"need dt = 1/k and tau > 0, got dt={dt}, tau={tau}")
    lag = tau / dt  # in steps
    history = 1.2 + 0.1 * _rng(seed).uniform(-1, 1)
    total = (transient + length) * per_unit
    offset = int(np.ceil(lag)) + 1
    x = np.full(offset + total + 1, history)

    def delayed(position: float) -> float:  # x at step `position` (fractional), linear interpolation
        low = int(np.floor(position))
        frac = position - low
        return (1 - frac) * x[low] + frac * x[min(low + 1, len(x) - 1)]

    rate = lambda value, lagged: 0.2 * lagged / (1 + lagged**10) - 0.1 * value
    for n in range(offset, offset + total):
        here = delayed(n - lag)
        half = delayed(n + 0.5 - lag)
        ahead = delayed(n + 1 - lag)
        k1 = rate(x[n], here)
        k2 = rate(x[n] + 0.5 * dt * k1, half)
        k3 = rate(x[n] + 0.5 * dt * k2, half)
        k4 = rate(x[n] + dt * k3, ahead)
        x[n + 1] = x[n] + dt * (k1 + 2 * k2 + 2 * k3 + k4) / 6
    return x[offset + transient * per_unit:: per_unit][:length]


def mackey_glass_task(*, horizon: int = 1, washout: int = 200, train: int = 2000, test: int = 1000,
                      seed: int = 0) -> xr.Dataset:
    """Mackey-Glass (tau = 17) prediction `horizon` unit-time samples ahead.

    Arguments:
        horizon: 1 (one step ahead) or more (84 is the long-range standard).
        washout, train, test: steps in each split.
        seed: draws the history the series starts from.

    Returns:
        Regression task: input x(t), target x(t + horizon), both as the series itself (range about
        0.2 to 1.4, recorded in `input_range`).
    """
    _check_lengths(washout, train, test)
    if not (isinstance(horizon, (int, np.integer)) and horizon >= 1):
        raise MtjphysError(f"horizon must be a whole number of steps >= 1, got {horizon}")
    steps = washout + train + test
    series = mackey_glass_series(steps + horizon, seed=seed)
    return _regression(f"mackey_glass_{horizon}", series[:steps], series[horizon:], _split(washout, train, test),
                       input_range=(0.2, 1.4), seed=seed, target_text=f"x(t+{horizon})", horizon=horizon, tau=17.0)


def memory_capacity_task(*, max_delay: int = 100, washout: int = 200, train: int = 2000, test: int = 1000,
                         seed: int = 0) -> xr.Dataset:
    """Linear memory capacity: u ~ U[-1, 1] i.i.d.; the target of delay k is u(t - k), k = 1..max_delay.

    Returns:
        Regression task with target(time, delay); the washout must cover the longest delay.
    """
    _check_lengths(washout, train, test)
    if not (1 <= max_delay <= washout):
        raise MtjphysError(f"need 1 <= max_delay <= washout, got max_delay={max_delay}, washout={washout}")
    steps = washout + train + test
    u = _rng(seed).uniform(-1.0, 1.0, steps)
    delays = np.arange(1, max_delay + 1)
    targets = np.stack([np.concatenate([np.zeros(k), u[:-k]]) for k in delays], axis=1)
    delay = xr.DataArray(delays, dims="delay", attrs={"units": "1", "long_name": "delay k (steps)"})
    return _regression("memory_capacity", u, targets, _split(washout, train, test), input_range=(-1.0, 1.0),
                       seed=seed, target_dim="delay", target_values=delay, target_text="u(t - k)")


def _classification(task: str, inputs: np.ndarray, labels: np.ndarray, trial_split: np.ndarray,
                    trial_of_step: np.ndarray, *, reset: np.ndarray, classes, input_range, seed: int,
                    **attrs) -> xr.Dataset:
    steps, trials = inputs.shape[0], labels.size
    return xr.Dataset(
        {"input": (("time", "input_node"), inputs.reshape(steps, -1), {"units": "1", "long_name": "input u"}),
         "trial_of_step": ("time", trial_of_step, {"units": "1", "long_name": "trial this step belongs to (-1: "
                                                                               "none)"}),
         "reset_state": ("time", reset, {"units": "1", "long_name": "network state reset before this step"}),
         "label": ("trial", labels, {"units": "1", "long_name": "true class"}),
         "split": ("trial", trial_split, {"units": "", "long_name": "washout, train or test"})},
        coords={"time": _time(steps), "trial": ("trial", np.arange(trials), {"units": "1", "long_name": "trial"}),
                "class": ("class", list(classes), {"units": "", "long_name": "class name"})},
        attrs={"task": task, "task_kind": "classification", "input_range": list(map(float, input_range)),
               "seed": seed, **attrs},
    )


def sine_square_task(*, washout_periods: int = 10, train_periods: int = 150, test_periods: int = 100,
                     seed: int = 0) -> xr.Dataset:
    """Sine against square (Markovic et al. 2019): a random sequence of periods, each a sine sin(2 pi k / 8)
    or a square wave (+1 for the first half period, -1 for the second), 8 points each; every point is
    a trial, labelled by the waveform it belongs to (0 square, 1 sine). The state is never reset.

    Returns:
        Classification task, one trial per step.
    """
    _check_lengths(washout_periods, train_periods, test_periods)
    rng = _rng(seed)
    periods = washout_periods + train_periods + test_periods
    kinds = rng.integers(0, 2, periods)
    phase = np.arange(POINTS_PER_PERIOD) / POINTS_PER_PERIOD
    sine, square = np.sin(2 * np.pi * phase), np.where(phase < 0.5, 1.0, -1.0)
    inputs = np.concatenate([sine if kind == SINE_SQUARE["sine"] else square for kind in kinds])
    labels = np.repeat(kinds, POINTS_PER_PERIOD)
    split = np.repeat(_split(washout_periods, train_periods, test_periods), POINTS_PER_PERIOD)
    steps = inputs.size
    return _classification("sine_square", inputs, labels, split, np.arange(steps), reset=np.zeros(steps, bool),
                           classes=list(SINE_SQUARE), input_range=(-1.0, 1.0), seed=seed,
                           points_per_period=POINTS_PER_PERIOD)


def sequential_digits_task(*, test_fraction: float = 0.25, seed: int = 0, limit: int | None = None) -> xr.Dataset:
    """Sequential digits: scikit-learn's bundled 8 x 8 handwritten digits (1797 images, pixels 0..16), each fed
    row by row, 8 steps of 8 inputs; the state is reset before each image and the class read after its
    last row. The images are shuffled and split from `seed`.

    Arguments:
        test_fraction: share of the images in the test split.
        seed: the shuffle.
        limit: use only the first `limit` shuffled images (for short runs).

    Returns:
        Classification task, one trial per image; `trial_of_step` is set on the last row of each
        image and -1 elsewhere.
    """
    from sklearn.datasets import load_digits

    if not 0 < test_fraction < 1:
        raise MtjphysError(f"test_fraction must lie in (0, 1), got {test_fraction}")
    digits = load_digits()
    order = _rng(seed).permutation(len(digits.target))
    if limit is not None:
        if limit < 4:
            raise MtjphysError(f"limit must be at least 4 images, got {limit}")
        order = order[:limit]
    images, labels = digits.images[order], digits.target[order]
    trials = labels.size
    test = max(1, round(test_fraction * trials))
    split = _split(0, trials - test, test)
    rows = images.shape[1]
    inputs = images.reshape(trials * rows, images.shape[2])
    last_row = np.full(trials * rows, -1)
    last_row[rows - 1:: rows] = np.arange(trials)
    reset = np.arange(trials * rows) % rows == 0
    return _classification("sequential_digits", inputs, labels, split, last_row, reset=reset,
                           classes=[str(k) for k in range(10)], input_range=(0.0, 16.0), seed=seed,
                           rows_per_trial=rows)


