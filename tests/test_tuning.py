"""The fair search: deterministic for a seed, judged on the validation split, blind to the test split."""

import json

import numpy as np
import pytest

from mtjphys import MtjphysError
from mtjphys.networks import before_test, Range, reservoirpy_states, train_readout, tune, with_validation
from mtjphys.tasks import memory_capacity_task, narma10_task, sine_square_task

SPACE = {"spectral_radius": Range(0.2, 1.4), "leak": Range(0.05, 1.0, log=True), "input_scale": Range(0.05, 2.0)}


def _esn(hyper, task):
    return reservoirpy_states(task, units=20, connectivity=0.2, seed=1, **hyper)


def _narma():
    return with_validation(narma10_task(washout=50, train=400, test=200, seed=4))


def test_the_search_is_deterministic_for_a_seed():
    task = _narma()
    first, again = tune(_esn, task, SPACE, trials=6, seed=3), tune(_esn, task, SPACE, trials=6, seed=3)
    assert first.best == again.best and first.trials == again.trials
    assert tune(_esn, task, SPACE, trials=6, seed=4).trials != first.trials
    assert len(first.trials) == 6 and first.metric == "nrmse"
    assert first.score == min(t["nrmse"] for t in first.trials)


def test_the_search_never_sees_the_test_split():
    task = _narma()
    seen = []

    def spy(hyper, part):
        seen.append(part.sizes["time"])
        return _esn(hyper, part)

    scrambled = task.copy(deep=True)
    test = scrambled.split.values == "test"
    rng = np.random.default_rng(0)
    scrambled["input"].values[test] = rng.uniform(0, 0.5, scrambled["input"].values[test].shape)
    scrambled["target"].values[test] = rng.normal(size=scrambled["target"].values[test].shape)
    assert tune(spy, task, SPACE, trials=4, seed=1).trials == tune(_esn, scrambled, SPACE, trials=4, seed=1).trials
    assert set(seen) == {int((task.split.values != "test").sum())}


def test_the_validation_split_is_scored_and_the_test_split_kept_for_the_end():
    task = _narma()
    assert (task.split.values == "validation").sum() == 80 and (task.split.values == "train").sum() == 320
    tuning = tune(_esn, task, SPACE, trials=3, seed=0)
    seen = before_test(task)
    result = train_readout(seen, _esn(tuning.best, seen))
    assert json.loads(result.attrs["metrics"])["nrmse"] == pytest.approx(tuning.score, rel=1e-12)
    attrs = tuning.attrs("esn")
    assert json.loads(attrs["esn_space"])["leak"] == "0.05..1 (log)" and attrs["esn_trials"] == 3


def test_higher_is_better_for_memory_and_accuracy():
    memory = with_validation(memory_capacity_task(max_delay=10, washout=50, train=300, test=100, seed=0))
    tuning = tune(_esn, memory, SPACE, trials=3, seed=0)
    assert tuning.metric == "memory_capacity" and tuning.score == max(t["memory_capacity"] for t in tuning.trials)
    classes = with_validation(sine_square_task(washout_periods=2, train_periods=20, test_periods=6, seed=0))
    seen = before_test(classes)
    assert "test" in seen.split.values and seen.sizes["trial"] < classes.sizes["trial"]
    assert tune(_esn, classes, SPACE, trials=2, seed=0).metric == "accuracy"


@pytest.mark.parametrize("call, message", [
    (lambda: Range(1.0, 1.0), "low < high"),
    (lambda: Range(0.0, 1.0, log=True), "low > 0"),
    (lambda: with_validation(narma10_task(washout=5, train=20, test=10), 1.5), "fraction must be in"),
    (lambda: before_test(narma10_task(washout=5, train=20, test=10)), "no validation split"),
    (lambda: tune(_esn, _narma(), SPACE, trials=0, seed=0), "at least one trial"),
])
def test_bad_searches_are_refused(call, message):
    with pytest.raises(MtjphysError, match=message):
        call()
