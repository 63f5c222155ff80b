"""What every study script shares: its output files, figures, and command-line options."""

from __future__ import annotations

import pathlib
from collections.abc import Sequence

import click

from ._datasets import atomic_write, check_output_path, make_directory, open_dataset
from ._errors import MtjphysError


def prepare_outputs(directory: str | pathlib.Path, filenames: Sequence[str], overwrite: bool) -> list[pathlib.Path]:
    """Create `directory` if needed and check that each file in it may be written.

    Returns: the output paths, in the order of `filenames`.
    """
    directory = make_directory(directory, "output directory")
    return [check_output_path(directory / name, overwrite) for name in filenames]


def save_figure(figure, path: str | pathlib.Path, *, overwrite: bool = False) -> pathlib.Path:
    """Save a `matplotlib.figure.Figure` (no pyplot, no display needed) as PNG atomically."""
    return atomic_write(path, lambda tmp: figure.savefig(tmp, format="png", dpi=150), overwrite=overwrite)


def study_options(function):
    """The options every study takes: -o/--output-dir and --overwrite."""
    function = click.option("--overwrite", is_flag=True, help="Replace existing output files.")(function)
    return click.option("-o", "--output-dir", required=True, type=click.Path(file_okay=False),
                        help="Directory for the netCDF and PNG outputs.")(function)


transfer_option = click.option(
    "--transfer", type=click.Path(dir_okay=False), default=None,
    help="Surrogate mode: a transfer-curve netCDF (as `mtjphys transfer` writes) instead of computing one.",
)


def load_transfer(path: str | None, mode: str):
    """Returns: the transfer dataset at `path` (surrogate mode only), or None."""
    if path is None:
        return None
    if mode != "surrogate":
        raise MtjphysError("--transfer applies to --mode surrogate only")
    return open_dataset(path)
