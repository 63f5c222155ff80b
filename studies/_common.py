"""What the supplementary studies share: sweep metrics, where a network breaks, the scheduler option."""

from __future__ import annotations

import click
import numpy as np
import xarray as xr

LONG_NAMES = {
    "passed": ("1", "both free windows within 2 % in period and 5 % in amplitude"),
    "period_error": ("1", "worst relative error of the dominant period"),
    "amplitude_error": ("1", "worst relative error of the amplitude"),
    "generation_error": ("1", "RMS error over the first 150 ns of free running / target RMS"),
}


def sweep_metrics(metrics: dict) -> xr.Dataset:
    """A sweep point's result: one scalar variable per metric, with units and long names."""
    return xr.Dataset({name: ((), value, dict(zip(("units", "long_name"), LONG_NAMES[name])))
                       for name, value in metrics.items()})


def print_summary(summary: dict) -> None:
    for key, value in summary.items():
        click.echo(f"{key}: {value}")


def breaking_point(levels, success) -> float | None:
    """The first level (in sweep order) at which fewer than half of the seeds succeed, or None."""
    failing = np.flatnonzero(np.asarray(success) < 0.5)
    return None if failing.size == 0 else float(np.asarray(levels)[failing[0]])


scheduler_option = click.option(
    "--scheduler", default=None,
    help="Where sweeps run: a local Dask cluster (default), 'synchronous' (this process), 'threads', "
         "or the address of a running dask.distributed scheduler.",
)
