"""Studies: what each declares (its run, outputs, options, report), and what they share.

A study is a `Study` value in a module of `mtjphys.studies`; the registry there serves the CLI
(`mtjphys study NAME`), `mtjphys reproduce` and the tests. Another package adds its own through
the entry-point group `mtjphys.studies` (see `mtjphys.studies.registry`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json
import pathlib
from collections.abc import Callable, Mapping, Sequence

import click
import numpy as np

from .._errors import MtjphysError
from .._units import si
from ..data._datasets import atomic_write, check_output_path, make_directory
from ..data._provenance import provenance
from ..device._model import default_model
from ..device._parameters import Parameters
from ._options import output_dir_option, overwrite_option
from ._statistics import breaking_point, BreakingPoint, wilson_interval
from ._verdict import NOT_COMPARABLE, Verdict


@dataclasses.dataclass(frozen=True)
class ReportSection:
    """A study's part of the reproduction report.

    Arguments:
        rows: (what, the paper's figure, ours) for the report's comparison table.
        text: paragraphs (markdown) on what was measured and what it says.
        figures: (PNG file name, one-line caption) shown inline.
        verdicts: one `Verdict` per row (see `verdict`); none given reads "not comparable" in every row.
    """

    rows: tuple[tuple[str, str, str], ...] = ()
    text: str = ""
    figures: tuple[tuple[str, str], ...] = ()
    verdicts: tuple[Verdict, ...] = ()

    def __post_init__(self):
        if self.verdicts and len(self.verdicts) != len(self.rows):
            raise MtjphysError(f"a report section has {len(self.rows)} rows but {len(self.verdicts)} verdicts")

    def judged(self) -> list[tuple[str, str, str, Verdict]]:
        """Returns: each row with its verdict."""
        verdicts = self.verdicts or (Verdict(NOT_COMPARABLE, "no tolerance stated"),) * len(self.rows)
        return [(*row, judged) for row, judged in zip(self.rows, verdicts)]


@dataclasses.dataclass(frozen=True)
class Study:
    """One result of mtjphys: how to compute it, and what it writes.

    Arguments:
        name: the CLI name (`mtjphys study NAME`), also the stem of its main outputs.
        title: one line for `--help` and the report.
        description: the longer help text.
        run: `run(output_dir, *, overwrite, progress, **options) -> summary dict`.
        outputs: every file it may write into the output directory (checked before it starts).
        options: its command-line options (click parameters whose names are `run`'s keywords).
        full, quick: `run` keywords of `mtjphys reproduce` and of `mtjphys reproduce --quick`.
        hot: command-line arguments of a short run above 0 K, which the tests make with a
            `--params` file of a finite temperature; None where temperature does not apply.
        report: summary -> `ReportSection`.
    """

    name: str
    title: str
    description: str
    run: Callable[..., dict]
    outputs: tuple[str, ...]
    options: tuple[click.Parameter, ...] = ()
    full: Mapping = dataclasses.field(default_factory=dict)
    quick: Mapping = dataclasses.field(default_factory=dict)
    hot: tuple[str, ...] | None = None
    report: Callable[[dict], ReportSection] = lambda summary: ReportSection()

    def takes(self, keyword: str) -> bool:
        """Whether `run` accepts the keyword argument `keyword`."""
        return keyword in inspect.signature(self.run).parameters

    def command(self) -> click.Command:
        """The study as a click command: its own options, -o/--output-dir and --overwrite."""

        def callback(output_dir, overwrite, **options):
            existed = pathlib.Path(output_dir).exists()
            try:
                summary = self.run(output_dir, overwrite=overwrite, **options)
            except BaseException:  # stopped (Ctrl-C) or refused: no empty folder of ours is left behind
                if not existed:
                    remove_empty_directories(output_dir)
                raise
            section = self.report(summary)
            for what, paper, ours, judged in section.judged():
                click.echo(f"{what}: {ours} (paper: {paper}; {judged.word}, {judged.tolerance})")
            if section.text:
                click.echo(section.text)
            click.echo(f"wrote {', '.join(self.outputs)} into {output_dir}")

        parameters = [output_dir_option(), overwrite_option(), *self.options]
        # usage lines and lists keep their layout in --help
        paragraphs = [("\b\n" + text) if text.startswith(("    ", "- ", "(")) else text
                      for text in inspect.cleandoc(self.description).split("\n\n")]
        return click.Command(self.name, params=parameters, callback=callback, help="\n\n".join(paragraphs),
                             short_help=self.title, context_settings={"help_option_names": ["-h", "--help"]})


def remove_empty_directories(directory: str | pathlib.Path) -> None:
    """Remove `directory` and the directories under it where no file was written (never a file)."""
    directory = pathlib.Path(directory)
    if not directory.is_dir():
        return
    for path in sorted((p for p in directory.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        if not any(path.iterdir()):
            path.rmdir()
    if not any(directory.iterdir()):
        directory.rmdir()


def prepare_outputs(directory: str | pathlib.Path, filenames: Sequence[str], overwrite: bool) -> list[pathlib.Path]:
    """Create `directory` if needed and check that each file in it may be written.

    Returns: the output paths, in the order of `filenames`.
    """
    directory = make_directory(directory, "output directory")
    return [check_output_path(directory / name, overwrite) for name in filenames]


def save_figure(figure, path: str | pathlib.Path, *, overwrite: bool = False, **attrs) -> pathlib.Path:
    """Save a `matplotlib.figure.Figure` (no pyplot, no display needed) as PNG atomically, with the
    provenance (and `attrs`) in its text chunks."""
    text = {key: value if isinstance(value, str) else json.dumps(value) for key, value in provenance(**attrs).items()}
    metadata = {"Software": f"mtjphys {text['mtjphys_version']}", "Source": text["command"],
                "mtjphys": json.dumps(text)}
    one_tick_notation(figure)
    return atomic_write(path, lambda tmp: figure.savefig(tmp, format="png", dpi=150, metadata=metadata),
                        overwrite=overwrite)


def one_tick_notation(figure) -> None:
    """One notation of powers of ten across a figure's ticks: a linear axis's offset or scale reads ×10ⁿ, as the
    decades of a log axis do (matplotlib's LogFormatterSciNotation), not 1e10 (`save_figure` applies it)."""
    from matplotlib.ticker import ScalarFormatter

    for ax in figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            formatter = axis.get_major_formatter()
            if isinstance(formatter, ScalarFormatter):
                formatter.set_useMathText(True)


def log_ticks(axis, values, positions=None) -> None:
    """Ticks of a log axis (`ax.xaxis` or `ax.yaxis`) at `values`, drawn at `positions` (default the values; a
    level of 0 drawn elsewhere reads 0), labelled as matplotlib labels log axes (10ⁿ, m×10ⁿ, never 1e+06 or
    100000), no minor ticks."""
    from matplotlib.ticker import LogFormatterSciNotation, NullLocator

    scientific = LogFormatterSciNotation(labelOnlyBase=False)
    axis.set_ticks(values if positions is None else positions, ["0" if v == 0 else scientific(v) for v in values])
    axis.set_minor_locator(NullLocator())


# ---- seeds and records of sweeps -----------------------------------------------------------
def seeds_in_words(first: int, count: int) -> str:
    """Returns: "seeds 3–7" (or "seed 3"), `count` seeds from `first` on."""
    return f"seed {first}" if count == 1 else f"seeds {first}–{first + count - 1}"


def count_in_words(count: int, noun: str) -> str:
    """Returns: "1 seed", "3 seeds" (`noun` singular, plural by an s)."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def spread_in_words(mean: float, std: float | None, count: int, form: str = ".1f", unit: str = "") -> str:
    """Returns: "mean ± std" and `unit` over several seeds; the mean alone from one (its std is no spread)."""
    spread = f" ± {std:{form}}" if count > 1 and std is not None else ""
    return f"{mean:{form}}{spread}{unit}"


# The report's names of the keys studies use in their files, in one place: none of these keys shows raw.
LABELS = {
    "mtj_device": "MTJ network (device model)",
    "mtj_surrogate": "MTJ network (transfer-curve surrogate)",
    "mtj_micromagnetic": "MTJ network (micromagnetic transfer curve)",
    "tanh": "tanh network",
    "reservoirpy": "reservoirpy ESN",
    "mackey_glass_1": "Mackey-Glass (tau=17, 1-step horizon)",
    "mackey_glass_84": "Mackey-Glass (tau=17, 84-step horizon)",
    "memory_capacity": "memory capacity (delays 1–100)",
    "sine_square": "sine against square, point by point",
    "sequential_digits": "sequential digits (8 × 8, row by row)",
    "N40": "40 MTJs",
    "N160": "160 MTJs",
    "N40_area1e2": "40 MTJs of 100 times the area",
    "N40_area1e4": "40 MTJs of 10⁴ times the area",
}


def label(key: str) -> str:
    """Returns: the report's name for a study's key (`LABELS`), or the key where it has none."""
    return LABELS.get(key, key)


def sweep_record(parameters: Parameters | None, study: str) -> tuple[Parameters, dict, str]:
    """A sweep's device record: (the record, the fixed arguments that carry it to the points, the suffix of
    the stores that keep its points). The reference's travels as no argument and has no suffix, so default runs
    share their stores; another record's points have stores of their own."""
    record = parameters or Parameters()
    if record.model is not default_model():
        raise MtjphysError(f"{study} rebuilds the record in every sweep point; give a record of the shipped "
                           "macrospin model")
    if record == Parameters():
        return record, {}, ""
    digest = hashlib.sha256(record.to_json().encode()).hexdigest()[:10]
    return record, {"parameters": record.to_dict()}, f"_params-{digest}"


# ---- success rates over seeds ---------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class SuccessCurve:
    """Success counts along a sweep, with 95 % Wilson intervals and the breaking point.

    Arguments:
        levels: the swept values, in sweep order.
        successes, trials: counts at each level.
    """

    levels: tuple[float, ...]
    successes: tuple[int, ...]
    trials: tuple[int, ...]

    @classmethod
    def from_passed(cls, passed, dim: str, seed: str = "seed") -> SuccessCurve:
        """From a boolean DataArray `passed(dim, seed)`."""
        passed = passed.transpose(dim, seed)
        return cls(tuple(float(v) for v in passed[dim].values), tuple(int(v) for v in passed.sum(seed).values),
                   (passed.sizes[seed],) * passed.sizes[dim])

    @property
    def rates(self) -> np.ndarray:
        return np.asarray(self.successes) / np.asarray(self.trials)

    @property
    def intervals(self) -> tuple[np.ndarray, np.ndarray]:
        return wilson_interval(self.successes, self.trials)

    @property
    def breaking(self) -> BreakingPoint:
        return breaking_point(self.levels, self.successes, self.trials)

    @property
    def below_baseline_from(self) -> float | None:
        """The first level whose success rate is surely below the first level's (the baseline):
        their 95 % intervals do not overlap. None if there is none."""
        low, high = self.intervals
        below = [level for level, top in zip(self.levels[1:], high[1:]) if top < low[0]]
        return below[0] if below else None

    def compared_with_baseline(self, unit: str = "", scale: float = 1.0) -> str:
        """Returns: in words, from which level the success rate is surely below the baseline's."""
        level = self.below_baseline_from
        if level is not None:
            return f"surely below the baseline from {scale * level:g}{unit} on (95 % intervals apart)"
        if 2 * self.successes[0] < self.trials[0]:  # a failing baseline leaves nothing to fall below
            return "the baseline itself fails, so no level can be surely below it"
        if self.breaking.level is not None:
            return "no level tried is surely below the baseline: with these seeds the 95 % intervals overlap"
        return "no level tried is surely below the baseline (95 % intervals overlap)"

    def describe(self, unit: str = "", scale: float = 1.0) -> str:
        """Returns: 'level: rate (low–high)' for each level, levels multiplied by `scale`."""
        low, high = self.intervals
        return ", ".join(f"{scale * level:g}{unit}: {100 * rate:.0f} % ({100 * a:.0f}–{100 * b:.0f})"
                         for level, rate, a, b in zip(self.levels, self.rates, low, high))

    def to_json(self) -> dict:
        return {"levels": list(self.levels), "successes": list(self.successes), "trials": list(self.trials)}

    @classmethod
    def from_json(cls, record: dict) -> SuccessCurve:
        return cls(tuple(record["levels"]), tuple(record["successes"]), tuple(record["trials"]))


def joules(value: float) -> str:
    """Returns: an energy in words with an SI prefix ("3.31 pJ")."""
    return si(value, "J")


def describe_energy(energy: dict) -> str:
    """Returns: in words, the energy figures of a run (`mtjphys.energy_summary`)."""
    return (f"{joules(energy['per_window'])} per MTJ window, {joules(energy['per_step'])} per step; "
            f"{joules(energy['task'])} for the task ({joules(energy['training'])} training, "
            f"{joules(energy['inference'])} inference, {energy['steps']} steps), the MTJs alone")


def plot_success(ax, curve: SuccessCurve, *, positions=None, label: str, marker: str = "o", color=None,
                 baseline: SuccessCurve | None = None, offset: float = 0.0, breaking: bool = False) -> None:
    """Success rate (%) with Wilson intervals.

    Arguments:
        positions: x positions of the levels (default the levels themselves).
        label, marker, color: of the curve.
        baseline: its first level (identical MTJs, no imperfection) drawn as a band across the axis.
        offset: shift of the x positions (in decades on log axes) to keep points apart.
        breaking: mark the breaking point (dashed) and its 95 % bracket (shaded).
    """
    x = np.asarray(positions if positions is not None else curve.levels, dtype=float)
    if offset:
        x = x * 10**offset if ax.get_xscale() == "log" else x + offset
    low, high = curve.intervals
    rate = curve.rates
    line = ax.errorbar(x, 100 * rate, yerr=[100 * (rate - low), 100 * (high - rate)], marker=marker, capsize=3,
                       label=f"{label} ({curve.trials[0]} seeds)", color=color, lw=1)
    color = line[0].get_color()
    if baseline is not None:  # its first level, with its interval, across the whole axis
        base_low, base_high = (v[0] for v in baseline.intervals)
        ax.axhspan(100 * base_low, 100 * base_high, color=color, alpha=0.07, lw=0)
        ax.axhline(100 * baseline.rates[0], color=color, lw=0.8, ls=":")
    if breaking and curve.breaking.level is not None:  # the breaking point and its 95 % bracket
        point = curve.breaking
        where = dict(zip(curve.levels, x))
        ax.axvline(where[point.level], color=color, lw=0.8, ls="--")
        if point.holds_to is not None or point.broken_by is not None:
            ax.axvspan(where.get(point.holds_to, where[point.level]), where.get(point.broken_by, where[point.level]),
                       color=color, alpha=0.07, lw=0)
