"""Verdicts of the report: whether a number measured here agrees with the paper's, within a stated tolerance."""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ._statistics import wilson_interval

AGREES, DIFFERS, NOT_COMPARABLE = "agrees", "differs", "not comparable"


@dataclasses.dataclass(frozen=True)
class Verdict:
    """A row's verdict: `word` (agrees, differs or not comparable) and the tolerance it was judged by."""

    word: str
    tolerance: str

    def __post_init__(self):
        if self.word not in (AGREES, DIFFERS, NOT_COMPARABLE):
            raise ValueError(f"a verdict is {AGREES!r}, {DIFFERS!r} or {NOT_COMPARABLE!r}, not {self.word!r}")


def verdict(measured, paper=None, *, within: float | None = None, absolute: float | None = None,
            sigmas: float | None = None,
            bound: str | None = None, trials: int | None = None, paper_trials: int | None = None,
            spread: float = 0.0, paper_spread: float = 0.0, unit: str = "", scale: float = 1.0,
            incomparable: str | None = None) -> Verdict:
    """Set a measured number beside the paper's. Exactly one kind of comparison applies:

    - `within`: |measured - paper| <= within * |paper| (a relative tolerance, 0.05 for 5 %);
    - `absolute`: |measured - paper| <= absolute (where the paper's figure is 0);
    - `sigmas`: |measured - paper| <= sigmas * sqrt(spread² + paper_spread²) (spreads over seeds);
    - `bound` "at least" / "at most": `paper` is a bound (the paper's, or the goal that stands for its words),
      and measured must keep it;
    - `trials` and `paper_trials`: counts of successes (measured of trials, paper of paper_trials): their
      95 % Wilson intervals overlap;
    - `trials` and `paper=True`: the paper shows it works; more than half of our trials succeed (the
      breaking point's meaning), surely at 95 %; not comparable while the interval holds 1/2;
    - a bool `paper` (and no trials): measured says the same yes or no.

    Arguments:
        measured: our value, success count or bool; None where this run did not measure it.
        paper: the paper's value, success count or bool; None where the paper gives no number.
        within, absolute, sigmas, bound, trials, paper_trials: the comparison (see above).
        spread, paper_spread: standard deviations for `sigmas`.
        unit, scale: how a bound reads in the tolerance (0.05 with scale 100 and unit " %": "at most 5 %").
        incomparable: why this run cannot be set beside the paper's number (e.g. the quick run's
            settings are too small); None where it can.

    Returns:
        The `Verdict`, its tolerance in words.
    """
    if paper is None:
        return Verdict(NOT_COMPARABLE, "the paper gives no number")
    if incomparable:
        return Verdict(NOT_COMPARABLE, incomparable)
    if measured is None or (not isinstance(measured, bool) and not np.isfinite(measured)):
        return Verdict(NOT_COMPARABLE, "not measured in this run")
    if trials is not None and paper_trials is not None:
        low, high = wilson_interval([measured, paper], [trials, paper_trials])
        word = AGREES if low[0] <= high[1] and low[1] <= high[0] else DIFFERS
        return Verdict(word, "95 % intervals of the two success rates overlap")
    if trials is not None:
        tolerance = "more than half succeed (95 % interval)"
        if trials < 1:
            return Verdict(NOT_COMPARABLE, "no runs")
        low, high = (float(v) for v in wilson_interval(measured, trials))
        if low > 0.5 or high < 0.5:
            return Verdict(AGREES if (low > 0.5) == bool(paper) else DIFFERS, tolerance)
        return Verdict(NOT_COMPARABLE, f"{tolerance}: too few runs to tell")
    if isinstance(paper, bool):
        return Verdict(AGREES if bool(measured) == paper else DIFFERS, "the same yes or no")
    if within is not None:
        return Verdict(AGREES if abs(measured - paper) <= within * abs(paper) else DIFFERS,
                       f"within {100 * within:g} %")
    if absolute is not None:
        return Verdict(AGREES if abs(measured - paper) <= absolute else DIFFERS, f"within ±{absolute:g}")
    if sigmas is not None:
        sigma = math.hypot(spread, paper_spread)
        if sigma == 0:
            return Verdict(NOT_COMPARABLE, f"within {sigmas:g} sigma: no spread known")
        return Verdict(AGREES if abs(measured - paper) <= sigmas * sigma else DIFFERS, f"within {sigmas:g} sigma")
    if bound in ("at least", "at most"):
        keeps = measured >= paper if bound == "at least" else measured <= paper
        return Verdict(AGREES if keeps else DIFFERS, f"{bound} {scale * paper:g}{unit}")
    raise ValueError("verdict needs one of within, absolute, sigmas, bound, trials or a bool paper")


def combined(*verdicts: Verdict) -> Verdict:
    """Returns: the verdict of a row that makes several claims: it differs if one differs, else it is not
    comparable if one is not, else it agrees; the tolerances joined."""
    words = [v.word for v in verdicts]
    word = DIFFERS if DIFFERS in words else NOT_COMPARABLE if NOT_COMPARABLE in words else AGREES
    return Verdict(word, "; ".join(dict.fromkeys(v.tolerance for v in verdicts)))
