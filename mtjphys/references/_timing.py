"""Timing for the benchmarks: the median wall time of repeated calls, every result waited for."""

from __future__ import annotations

import statistics
import sys
import time


def median_time(function, repeats: int, *args, warm: bool = False, **kwargs) -> float:
    """The median wall time [s] of `repeats` calls `function(*args, **kwargs)`, each result waited for (JAX
    computes asynchronously).

    Arguments:
        function: what to time.
        repeats: how many calls are timed (the median is robust to a noisy machine's outliers).
        warm: call it once first, untimed (a compilation is then not counted).
    """
    def call():
        result = function(*args, **kwargs)
        if "jax" in sys.modules:  # only a JAX computation can still be running
            sys.modules["jax"].block_until_ready(result)

    if warm:
        call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
