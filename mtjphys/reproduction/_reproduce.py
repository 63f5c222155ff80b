"""Reproduce the paper: run every study and write a report beside their netCDF and PNG files.

The full run is the reference (device mode for the figures; the supplementary sweeps in
surrogate mode over many seeds, checked in device mode on a subset). `quick` is a first look in a
few minutes: fewer seeds and points, surrogate neurons where device mode takes minutes. The report
(report.md and report.html) sets each measured number beside the paper's.
"""

from __future__ import annotations

import concurrent.futures
import html
import multiprocessing
import os
import pathlib
import pickle
import re
import time
from collections.abc import Sequence

import click

from ..data._datasets import atomic_write, release_compiled_programs
from ..data._provenance import provenance
from ._study import prepare_outputs, ReportSection, Study
from ._verdict import AGREES, DIFFERS, NOT_COMPARABLE

REPORTS = ("report.md", "report.html")
TITLE = "Reproduction of “Recurrent neural networks made of magnetic tunnel junctions”"


def reproduce(studies: Sequence[Study], output_dir, *, quick: bool = False, overwrite: bool = False,
              scheduler: str | None = None, progress: bool = True, processes: int | None = None) -> dict:
    """Run `studies` into `output_dir` and write the report.

    Arguments:
        studies: in the order to report them (see `mtjphys.studies.registry`).
        output_dir: for every study's files and the report.
        quick: each study's `quick` settings instead of its `full` ones.
        overwrite: replace existing files.
        scheduler: where sweeps run (quick runs them in this process).
        progress: progress bars (one study at a time) and a line per study on stderr.
        processes: quick runs the studies side by side in this many processes (default one per
            core, at most four); the full run's sweeps use the cores instead, one study at a time.

    Returns:
        {"studies": names, "wall_time_s": seconds from start to report, "report": path of report.html}.
    """
    directory = pathlib.Path(output_dir)
    # every output is checked before anything runs, so a refusal costs nothing
    prepare_outputs(directory, [f for study in studies for f in study.outputs] + list(REPORTS), overwrite)
    started = time.perf_counter()
    options = {}
    for study in studies:
        options[study.name] = dict(study.quick if quick else study.full)
        if study.takes("scheduler"):
            options[study.name]["scheduler"] = "synchronous" if quick else scheduler
    workers = min(processes or min(os.cpu_count() or 1, 4), len(studies)) if quick else 1
    results = (_side_by_side(studies, directory, options, overwrite, progress, workers) if workers > 1 else
               {study.name: _timed_run(study, directory, overwrite, progress, options[study.name], echo=progress)
                for study in studies})
    summaries = {name: summary for name, (summary, _) in results.items()}
    times = {name: seconds for name, (_, seconds) in results.items()}
    wall_time = time.perf_counter() - started
    write_report(directory, studies, summaries, times, quick=quick, overwrite=overwrite, wall_time=wall_time,
                 processes=workers)
    return {"studies": [study.name for study in studies], "wall_time_s": round(wall_time, 1),
            "report": str(directory / "report.html")}


def _timed_run(study: Study, directory: pathlib.Path, overwrite: bool, progress: bool, options: dict, *,
               echo: bool) -> tuple[dict, float]:
    """Returns: (the study's summary, its wall time [s]), its compiled programs released after it."""
    if echo:
        click.echo(f"[{time.strftime('%H:%M:%S')}] {study.name} ...", err=True)
    start = time.perf_counter()
    summary = study.run(directory, overwrite=overwrite, progress=progress, **options)
    seconds = time.perf_counter() - start
    release_compiled_programs()
    return summary, seconds


def _run_in_process(run, name: str, directory: pathlib.Path, overwrite: bool, options: dict) -> tuple[dict, float]:
    """A study's `run` in a fresh process (it arrives by reference: its module is imported there)."""
    return _timed_run(Study(name, name, "", run, ()), directory, overwrite, False, options, echo=False)


def _portable(run) -> bool:
    """Whether `run` reaches another process by reference (a module-level function, not a closure)."""
    try:
        pickle.dumps(run)
    except (pickle.PicklingError, AttributeError, TypeError):
        return False
    return True


def _side_by_side(studies: Sequence[Study], directory: pathlib.Path, options: dict, overwrite: bool, progress: bool,
                  workers: int) -> dict:
    """The studies whose run is a module's function in `workers` fresh processes (each study seeds itself, so its
    files are those of a run on its own); any other afterwards in this process. Returns: name -> (summary,
    seconds)."""
    shared = [study for study in studies if _portable(study.run)]
    results = {}
    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        pending = {pool.submit(_run_in_process, study.run, study.name, directory, overwrite, options[study.name]):
                   study.name for study in shared}
        if progress:
            click.echo(f"[{time.strftime('%H:%M:%S')}] {len(shared)} studies in {workers} processes ...", err=True)
        try:
            for future in concurrent.futures.as_completed(pending):
                name = pending[future]
                results[name] = future.result()
                if progress:
                    click.echo(f"[{time.strftime('%H:%M:%S')}] {name} done ({results[name][1]:.0f} s)", err=True)
        except BaseException:  # a refusal or Ctrl-C: the studies not yet started are not started
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    for study in studies:
        if study.name not in results:
            results[study.name] = _timed_run(study, directory, overwrite, progress, options[study.name], echo=progress)
    return results


def _markdown_inline(text: str) -> str:
    """The little markdown a section's text uses (`code`, **bold**), as HTML."""
    text = html.escape(text)
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
    return re.sub(r"\*\*([^*]+)\*\*", r"<b>\1</b>", text)


def write_report(directory: pathlib.Path, studies: Sequence[Study], summaries: dict, times: dict, *, quick: bool,
                 overwrite: bool, wall_time: float | None = None, processes: int = 1) -> None:
    """report.md and report.html: the comparison with the paper (each row with its verdict and tolerance), then
    each study's section."""
    sections = {study.name: study.report(summaries[study.name]) for study in studies}
    stamp = provenance()
    kind = "Quick run (fewer seeds and points; surrogate neurons where device mode takes minutes)" if quick \
        else "Full run"
    wall_time = sum(times.values()) if wall_time is None else wall_time
    spread = f" ({processes} studies at a time; their own times add up to {sum(times.values()) / 60:.1f} min)" \
        if processes > 1 else ""
    header = (f"{kind}, {wall_time / 60:.1f} min in all{spread}. mtjphys {stamp['mtjphys_version']}, commit "
              f"{stamp['git_commit']}, code hash {stamp['code_hash'][:12]}, {stamp['created']}; command: "
              f"`{stamp['command']}`. Every number below is read from the netCDF files beside this report.")
    rows = [(what, paper, ours, judged.word, judged.tolerance) for section in sections.values()
            for what, paper, ours, judged in section.judged()]
    words = [row[3] for row in rows]
    tally = (f"Of {len(rows)} results, {words.count(AGREES)} agree with the paper, {words.count(DIFFERS)} differ and "
             f"{words.count(NOT_COMPARABLE)} are not comparable (the paper gives no number, or this run is too small "
             "to tell), each judged by the tolerance beside it.")

    markdown = [f"# {TITLE}", "", header, "", tally, "",
                "| result | paper | measured here | verdict | tolerance |", "|---|---|---|---|---|"]
    markdown += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    page = [f"<!doctype html><meta charset='utf-8'><title>{html.escape(TITLE)}</title>",
            "<style>body{font-family:sans-serif;max-width:1100px;margin:auto;line-height:1.4}td,th{border:1px solid "
            "#ccc;padding:4px;vertical-align:top}table{border-collapse:collapse}img{max-width:100%}"
            "figcaption{font-size:90%;color:#444;margin-bottom:1.5em}.differs{background:#fdd}"
            ".agrees{background:#dfd}</style>",
            f"<h1>{html.escape(TITLE)}</h1><p>{_markdown_inline(header)}</p><p>{html.escape(tally)}</p>",
            "<table><tr><th>result</th><th>paper</th><th>measured here</th><th>verdict</th><th>tolerance</th></tr>"]
    page += ["<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row[:3])
             + f"<td class='{row[3].replace(' ', '-')}'>{html.escape(row[3])}</td><td>{html.escape(row[4])}</td></tr>"
             for row in rows]
    page.append("</table>")
    for study in studies:
        section: ReportSection = sections[study.name]
        heading = f"{study.title.rstrip('.')} (`{study.name}`, {times[study.name]:.0f} s)"
        markdown += ["", f"## {heading}", ""]
        page.append(f"<h2>{_markdown_inline(heading)}</h2>")
        for paragraph in section.text.split("\n\n") if section.text else []:
            markdown += [paragraph, ""]
            page.append(f"<p>{_markdown_inline(paragraph)}</p>")
        for png, caption in section.figures:
            markdown += [f"![{caption}]({png})", "", f"*{caption}*", ""]
            page.append(f"<figure><img src='{html.escape(png)}' alt='{html.escape(caption)}'>"
                        f"<figcaption>{html.escape(caption)}</figcaption></figure>")
    atomic_write(directory / "report.md", lambda tmp: pathlib.Path(tmp).write_text("\n".join(markdown) + "\n"),
                 overwrite=overwrite)
    atomic_write(directory / "report.html", lambda tmp: pathlib.Path(tmp).write_text("\n".join(page) + "\n"),
                 overwrite=overwrite)
