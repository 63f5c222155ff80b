"""Independent codes to check mtjphys against; they need the test extras (`pip install mtjphys[test]`).

- `scipy_*`: the macrospin typed from the design equations in numpy, its Gilbert form solved at every
  evaluation by a 3 x 3 linear solve and integrated by scipy's DOP853; it shares neither the symbolic
  derivation nor the generated code.
- `cmtj_trace`: cmtj, a macrospin MTJ code in C++, driven from a parameter record.
- `neuralmag_*`: NeuralMag (micromagnetics in JAX, nodal finite differences), run in a process of its own.
- `median_time`: how the benchmarks time both sides, the median of repeated calls.
"""

from ._cmtj import cmtj_trace as cmtj_trace
from ._neuralmag import (
    MU0 as NEURALMAG_MU0,
    result as neuralmag_result,
    run as neuralmag_run,
    start as neuralmag_start,
)
from ._scipy import (
    delta_r as scipy_delta_r,
    gilbert_rhs as scipy_gilbert_rhs,
    resistance as scipy_resistance,
    trace as scipy_trace,
)
from ._timing import median_time as median_time

__all__ = [
    "NEURALMAG_MU0",
    "cmtj_trace",
    "median_time",
    "neuralmag_result",
    "neuralmag_run",
    "neuralmag_start",
    "scipy_delta_r",
    "scipy_gilbert_rhs",
    "scipy_resistance",
    "scipy_trace",
]
