"""Wall time of `mtjphys reproduce` on this machine: the quick run, and (unless --quick-only) the
full run, each in a fresh process and an empty directory, with the time of each
study as the report records it.

    python benchmarks/reproduce_timing.py [--quick-only] [--keep DIR]
"""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys
import tempfile

import click

from mtjphys.references import median_time


def timed_run(directory: pathlib.Path, quick: bool) -> float:
    command = [sys.executable, "-m", "mtjphys", "reproduce", "-o", str(directory)] + (["--quick"] if quick else [])
    return median_time(subprocess.run, 1, command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def study_times(report: pathlib.Path) -> dict[str, float]:
    return {name: float(seconds) for name, seconds in re.findall(r"^## .* \(`(\w+)`, (\d+) s\)$", report.read_text(),
                                                                 re.M)}


@click.command()
@click.option("--quick-only", is_flag=True, help="Time only `reproduce --quick`.")
@click.option("--keep", type=click.Path(file_okay=False), default=None, help="Keep the outputs under this directory.")
def main(quick_only: bool, keep: str | None) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = pathlib.Path(keep or scratch)
        for quick in (True,) if quick_only else (True, False):
            directory = root / ("quick" if quick else "full")
            seconds = timed_run(directory, quick)
            label = "reproduce --quick" if quick else "reproduce (full)"
            print(f"{label}: {seconds:.0f} s ({seconds / 60:.1f} min)")
            for name, study in study_times(directory / "report.md").items():
                print(f"    {name}: {study:.0f} s")


if __name__ == "__main__":
    main()
