"""What a study is and how the reproduction runs them: `Study` (its run, outputs, options, report
section), the options studies share, figures with provenance, success rates over seeds, and
`reproduce` with its report.

Names load when first used, so that the command line's options (`_options`) come without JAX."""

from .._lazy import lazy_exports

# name -> the private module that defines it
_EXPORTS = {
    "_options": ("allow_implausible_option", "check_transfer", "mode_option", "options", "output_dir_option",
                 "overwrite_option", "params_option", "quick_option", "scheduler_option", "seed_option",
                 "seeds_option", "transfer_option"),
    "_reproduce": ("reproduce",),
    "_statistics": ("breaking_point", "BreakingPoint", "wilson_interval"),
    "_study": ("count_in_words", "describe_energy", "joules", "label", "log_ticks", "one_tick_notation",
               "plot_success", "prepare_outputs", "ReportSection", "save_figure", "seeds_in_words", "spread_in_words",
               "Study", "SuccessCurve", "sweep_record"),
    "_verdict": ("combined", "verdict", "Verdict"),
}
__getattr__, __all__ = lazy_exports(__name__, _EXPORTS)
