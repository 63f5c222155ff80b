"""The command-line options that studies and commands share, each defined once, so that a name means the
same everywhere: `--params` a parameter record, `--seed` the first seed and `--seeds` how many
(seeds SEED .. SEED + SEEDS - 1), `--quick` a first look, `--overwrite`, `--scheduler`.

Each function returns a `click.Option`; a study lists them in `Study.options`, and a click command
function takes them with the `options` decorator.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from .._errors import MAX_SEED, MtjphysError

if TYPE_CHECKING:
    from ..device._model import Model

MAX_SEEDS = 100_000


def options(*shared: click.Option):
    """Decorator: give a click command function these options, as a stack of `click.option` decorators
    would (in this order in its help)."""

    def decorate(function):
        function.__click_params__ = getattr(function, "__click_params__", []) + list(reversed(shared))
        return function

    return decorate


def params_option(model: Callable[[], Model] | None = None, *, load: bool = True) -> click.Option:
    """--params FILE: a JSON object of parameter-record keys (SI units) for the MTJs; missing keys take the
    reference values.

    Arguments:
        model: the shipped model the record is for (a factory such as `micromagnetic_model`; default the
            macrospin's).
        load: the option's value is the record (`Parameters`, under the keyword `parameters`); otherwise
            the file's path (under `params_path`), for a command that reads it with options of its own.
    """

    def parameters_from(ctx, param, value):
        from ..device._parameters import Parameters

        return Parameters.from_json(value, model=model() if model else None) if value else None

    return click.Option(["--params", "parameters" if load else "params_path"], type=click.Path(dir_okay=False),
                        callback=parameters_from if load else None,
                        help="JSON file of parameter-record keys (SI) for the MTJs; missing keys take the reference "
                             "values. A temperature above 0 K switches to the stochastic LLG.")


def allow_implausible_option() -> click.Option:
    """--allow-implausible: accept a record outside the plausible ranges of real junctions on purpose."""
    return click.Option(["--allow-implausible"], is_flag=True,
                        help="Accept parameter values outside the plausible ranges of real junctions (README: "
                             "plausible ranges) on purpose; the record then says so (allow_implausible).")


def seed_option(help: str = "The first seed (of the network, the task and the noise).") -> click.Option:
    """--seed: the first seed of a run or a sweep."""
    return click.Option(["--seed"], type=click.IntRange(0, MAX_SEED - MAX_SEEDS), default=0, show_default=True,
                        help=help)


def seeds_option(default: int, what: str = "runs") -> click.Option:
    """--seeds N: how many seeds, SEED .. SEED + N - 1 (`what` they seed, for the help)."""
    return click.Option(["--seeds"], type=click.IntRange(1, MAX_SEEDS), default=default, show_default=True,
                        help=f"How many seeds of {what}: SEED .. SEED + SEEDS - 1.")


def quick_option(help: str = "A first look: fewer seeds, points and steps.") -> click.Option:
    """--quick: the run `mtjphys reproduce --quick` makes."""
    return click.Option(["--quick"], is_flag=True, help=help)


def overwrite_option(what: str = "existing output files") -> click.Option:
    """--overwrite: replace what is there (never without it)."""
    return click.Option(["--overwrite"], is_flag=True, help=f"Replace {what}.")


def output_dir_option() -> click.Option:
    """-o/--output-dir: where a study writes its files."""
    return click.Option(["-o", "--output-dir"], required=True, type=click.Path(file_okay=False),
                        help="Directory for the netCDF and PNG outputs (created if missing).")


def scheduler_option() -> click.Option:
    """--scheduler: where sweeps run."""
    return click.Option(["--scheduler"], default=None,
                        help="Where sweeps run: a local Dask cluster (default), 'synchronous' (this process), "
                             "'threads', or the address of a running dask.distributed scheduler.")


def mode_option(default: str = "device") -> click.Option:
    """--mode: how the MTJs of a network compute."""
    return click.Option(["--mode"], type=click.Choice(["device", "surrogate"]), default=default, show_default=True,
                        help="device: every MTJ integrated by the LLG solver in every step; surrogate: "
                             "interpolated on its transfer curve.")


def _dataset_from(ctx, param, value):
    from ..data._datasets import open_dataset

    return open_dataset(value) if value else None


def transfer_option() -> click.Option:
    """--transfer: a transfer-curve dataset for surrogate mode."""
    return click.Option(["--transfer"], type=click.Path(dir_okay=False), callback=_dataset_from,
                        help="Surrogate mode: a transfer-curve netCDF (as `mtjphys transfer` writes) instead of "
                             "computing one.")


def check_transfer(transfer, mode: str) -> None:
    """A transfer dataset serves surrogate mode only."""
    if transfer is not None and mode != "surrogate":
        raise MtjphysError("--transfer applies to --mode surrogate only")
