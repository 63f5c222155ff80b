"""What a study is and how the reproduction runs them: `Study` (its run, outputs, options, report
section), the options studies share, figures with provenance, success rates over seeds, and
`reproduce` with its report."""

from .. import _x64  # noqa: F401  (float64 before any array is made)
from ._options import (
    check_transfer as check_transfer,
    mode_option as mode_option,
    options as options,
    output_dir_option as output_dir_option,
    overwrite_option as overwrite_option,
    params_option as params_option,
    quick_option as quick_option,
    scheduler_option as scheduler_option,
    seed_option as seed_option,
    seeds_option as seeds_option,
    transfer_option as transfer_option,
)
from ._reproduce import reproduce as reproduce
from ._statistics import (
    breaking_point as breaking_point,
    BreakingPoint as BreakingPoint,
    wilson_interval as wilson_interval,
)
from ._study import (
    describe_energy as describe_energy,
    joules as joules,
    plot_success as plot_success,
    prepare_outputs as prepare_outputs,
    ReportSection as ReportSection,
    save_figure as save_figure,
    seeds_in_words as seeds_in_words,
    Study as Study,
    SuccessCurve as SuccessCurve,
    sweep_record as sweep_record,
)
