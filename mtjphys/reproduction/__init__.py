"""What a study is and how the reproduction runs them: `Study` (its run, outputs, options, report
section), the options studies share, figures with provenance, success rates over seeds, and
`reproduce` with its report."""

from .. import _x64  # noqa: F401  (float64 before any array is made)
from ._reproduce import reproduce as reproduce
from ._statistics import (
    breaking_point as breaking_point,
    BreakingPoint as BreakingPoint,
    wilson_interval as wilson_interval,
)
from ._study import (
    check_transfer as check_transfer,
    describe_energy as describe_energy,
    joules as joules,
    mode_option as mode_option,
    params_option as params_option,
    plot_success as plot_success,
    prepare_outputs as prepare_outputs,
    ReportSection as ReportSection,
    save_figure as save_figure,
    scheduler_option as scheduler_option,
    Study as Study,
    SuccessCurve as SuccessCurve,
    transfer_option as transfer_option,
)
