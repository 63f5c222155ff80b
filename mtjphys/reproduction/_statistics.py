"""Statistics of success rates over seeds: Wilson intervals and breaking points."""

from __future__ import annotations

import dataclasses
import statistics

import numpy as np

from .._errors import MtjphysError


def wilson_interval(successes, trials, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a success rate (good at small counts and at 0 % and 100 %).

    Arguments:
        successes, trials: counts (arrays broadcast).
        confidence: the interval's coverage.

    Returns:
        (low, high) bounds of the rate.
    """
    successes, trials = np.asarray(successes, dtype=float), np.asarray(trials, dtype=float)
    if np.any(trials < 1) or np.any(successes < 0) or np.any(successes > trials):
        raise MtjphysError("need 0 <= successes <= trials and at least one trial")
    z = statistics.NormalDist().inv_cdf(0.5 + confidence / 2)
    rate = successes / trials
    centre = (rate + z**2 / (2 * trials)) / (1 + z**2 / trials)
    half = z / (1 + z**2 / trials) * np.sqrt(rate * (1 - rate) / trials + z**2 / (4 * trials**2))
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


@dataclasses.dataclass(frozen=True)
class BreakingPoint:
    """Where a network stops working along a sweep: the first level at which fewer than half of
    the seeds succeed, bracketed by what the Wilson intervals (95 %) make sure of.

    Arguments:
        level: the first level with a success rate below 1/2, or None if there is none.
        holds_to: the last level before it whose interval lies wholly above 1/2 (surely works),
            or None.
        broken_by: the first level whose interval lies wholly below 1/2 (surely broken), or None.
        last_level: the largest level tried.
        first_level: the first level tried (None where unknown).
    """

    level: float | None
    holds_to: float | None
    broken_by: float | None
    last_level: float
    first_level: float | None = None

    def describe(self, unit: str = "", scale: float = 1.0) -> str:
        """Returns: the breaking point in words, with its uncertainty (levels times `scale`)."""
        def show(value):
            return f"{scale * value:g}{' ' + unit if unit else ''}"

        if self.level is None:
            return f"does not break within the range tried (up to {show(self.last_level)})"
        bracket = [f"works surely up to {show(self.holds_to)}"] if self.holds_to is not None else []
        bracket += [f"surely broken from {show(self.broken_by)}"] if self.broken_by is not None else []
        if self.level == self.first_level:
            return f"fewer than half succeed already at the first level tried, {show(self.level)}"
        if not bracket:
            return f"first falls below half success at {show(self.level)} (too few seeds to be sure at 95 %)"
        return f"breaks at {show(self.level)} (95 %: {'; '.join(bracket)})"


def breaking_point(levels, successes, trials) -> BreakingPoint:
    """Where the success rate first falls below 1/2 along `levels` (in sweep order).

    Arguments:
        levels: the swept values, in order.
        successes, trials: counts at each level.
    """
    levels = [float(v) for v in levels]
    successes, trials = np.asarray(successes), np.asarray(trials)
    low, high = wilson_interval(successes, trials)
    failing = np.flatnonzero(successes / trials < 0.5)
    if failing.size == 0:
        return BreakingPoint(None, None, None, levels[-1], levels[0])
    first = int(failing[0])
    surely_working = [k for k in range(first) if low[k] > 0.5]
    broken = np.flatnonzero(high < 0.5)
    return BreakingPoint(levels[first], levels[surely_working[-1]] if surely_working else None,
                         levels[int(broken[0])] if broken.size else None, levels[-1], levels[0])
