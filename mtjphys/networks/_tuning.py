"""Fair hyperparameter search: every model compared gets the same number of trials (optuna's TPE sampler,
seeded), each trial judged on a validation split carved from the end of the train split, and the search
never sees the test split: the reservoir runs on the task cut before its first test step.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable, Mapping

import numpy as np
import xarray as xr

from .._errors import MtjphysError
from ._reservoir import AbstractReadoutTrainer, RidgeReadout, train_readout

HIGHER_IS_BETTER = ("memory_capacity", "accuracy")


@dataclasses.dataclass(frozen=True)
class Range:
    """A searched hyperparameter: a float (or whole number) between `low` and `high`, on a log scale if `log`."""

    low: float
    high: float
    log: bool = False
    integer: bool = False

    def __post_init__(self):
        if not (math.isfinite(self.low) and math.isfinite(self.high) and self.low < self.high):
            raise MtjphysError(f"a searched range needs low < high, got {self.low}..{self.high}")
        if self.log and self.low <= 0:
            raise MtjphysError(f"a log range needs low > 0, got {self.low}")

    def suggest(self, trial, name: str):
        if self.integer:
            return trial.suggest_int(name, int(self.low), int(self.high), log=self.log)
        return trial.suggest_float(name, self.low, self.high, log=self.log)

    def describe(self) -> str:
        return f"{self.low:g}..{self.high:g}" + (" (log)" if self.log else "") + (" (integer)" if self.integer else "")


@dataclasses.dataclass(frozen=True)
class Choice:
    """A searched hyperparameter taking one of `values`."""

    values: tuple

    def __post_init__(self):
        if not self.values:
            raise MtjphysError("a searched choice needs at least one value")

    def suggest(self, trial, name: str):
        return trial.suggest_categorical(name, list(self.values))

    def describe(self) -> str:
        return " | ".join(map(str, self.values))


def with_validation(task: xr.Dataset, fraction: float = 0.2) -> xr.Dataset:
    """Returns: `task` with the last `fraction` of its train split (steps, or trials) relabelled "validation"."""
    if not 0 < fraction < 1:
        raise MtjphysError(f"the validation fraction must be in (0, 1), got {fraction}")
    split = task.split.values.astype(object).copy()
    train = np.flatnonzero(split == "train")
    if train.size < 10:
        raise MtjphysError(f"a validation split needs at least 10 train samples, got {train.size}")
    split[train[train.size - max(1, round(fraction * train.size)):]] = "validation"
    return task.assign(split=(task.split.dims, split.astype(str), task.split.attrs))


def before_test(task: xr.Dataset) -> xr.Dataset:
    """Returns: the task cut before its first step that any test sample depends on, its validation split
    relabelled "test" (so that `train_readout` scores it); refused where the test split is not at the end."""
    if "validation" not in task.split.values:
        raise MtjphysError("the task has no validation split (`with_validation`)")
    if task.attrs["task_kind"] == "classification":
        split = task.split.values
        test = split == "test"
        if test.any() and not test[np.argmax(test):].all():
            raise MtjphysError("the test trials must come last to be cut off")
        kept = int((~test).sum())
        steps = task.trial_of_step.values
        cut = int(np.flatnonzero((steps >= 0) & (steps < kept))[-1]) + 1
        task = task.isel(time=slice(0, cut), trial=slice(0, kept))
    else:
        test = task.split.values == "test"
        cut = int(np.argmax(test)) if test.any() else task.sizes["time"]
        if test.any() and not test[cut:].all():
            raise MtjphysError("the test steps must come last to be cut off")
        task = task.isel(time=slice(0, cut))
    split = np.where(task.split.values == "validation", "test", task.split.values)
    return task.assign(split=(task.split.dims, split, task.split.attrs))


def metric_name(task: xr.Dataset) -> str:
    """The figure a task is judged by: nrmse, memory_capacity or accuracy."""
    if task.attrs["task_kind"] == "classification":
        return "accuracy"
    return "memory_capacity" if task.attrs["task"] == "memory_capacity" else "nrmse"


@dataclasses.dataclass(frozen=True)
class Tuning:
    """A search's outcome.

    Arguments:
        best: the best trial's hyperparameters.
        score: its validation figure (`metric`).
        metric: nrmse (lower is better), memory_capacity or accuracy (higher).
        space: what was searched.
        trials: every trial's hyperparameters and validation figure, in order.
        seed: the sampler's seed.
    """

    best: dict
    score: float
    metric: str
    space: dict
    trials: list
    seed: int

    def attrs(self, prefix: str = "tuning") -> dict:
        """Returns: the search as dataset attributes (JSON)."""
        return {f"{prefix}_space": json.dumps({k: v.describe() for k, v in self.space.items()}),
                f"{prefix}_best": json.dumps(self.best), f"{prefix}_validation_{self.metric}": self.score,
                f"{prefix}_trials": len(self.trials), f"{prefix}_sampler": "optuna TPESampler",
                f"{prefix}_seed": self.seed}


def tune(states: Callable[[dict, xr.Dataset], np.ndarray], task: xr.Dataset, space: Mapping[str, Range | Choice], *,
         trials: int, seed: int, readout: AbstractReadoutTrainer = RidgeReadout(), fixed: Mapping | None = None,
         progress: bool | str = False) -> Tuning:
    """Search `space` with optuna's TPE sampler (seeded by `seed`) for `trials` trials.

    Arguments:
        states: (hyperparameters, task) -> the reservoir's states on the task's inputs (T, N).
        task: a task with a validation split (`with_validation`); the search sees it cut before the test split.
        space: name -> `Range` or `Choice`.
        trials: the budget.
        seed: the sampler's seed.
        readout: the readout fitted on the train split of every trial.
        fixed: hyperparameters passed to every trial unchanged.
        progress: a progress bar over trials (a string: its label).

    Returns:
        The `Tuning`. A trial whose states are not finite, or whose reservoir is refused (`MtjphysError`),
        scores worst.
    """
    import optuna

    if trials < 1:
        raise MtjphysError(f"a search needs at least one trial, got {trials}")
    seen = before_test(task)
    metric = metric_name(task)
    sign = 1.0 if metric in HIGHER_IS_BETTER else -1.0
    history = []

    def objective(trial):
        chosen = {name: r.suggest(trial, name) for name, r in space.items()}
        refused = None
        try:
            x = np.asarray(states({**(fixed or {}), **chosen}, seen))
        except MtjphysError as error:  # hyperparameters no reservoir can have (e.g. a window without ringing)
            x, refused = np.array(math.nan), str(error)
        figure = math.nan
        if np.all(np.isfinite(x)):
            result = train_readout(seen, x, trainer=readout)
            figure = json.loads(result.attrs["metrics"])[metric]
        history.append({**chosen, metric: figure, **({"refused": refused} if refused else {})})
        return sign * figure if math.isfinite(figure) else -math.inf

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed))
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=trials, desc=progress if isinstance(progress, str) else "trials", unit="trial")
    for _ in range(trials):
        study.optimize(objective, n_trials=1)
        if bar is not None:
            bar.update()
    if bar is not None:
        bar.close()
    if not math.isfinite(study.best_value):
        reasons = sorted({t.get("refused", "states not finite") for t in history})
        raise MtjphysError(f"no trial of the search gave finite states: {'; '.join(reasons)}")
    return Tuning({**(fixed or {}), **study.best_params}, sign * study.best_value, metric, dict(space), history,
                  seed)
