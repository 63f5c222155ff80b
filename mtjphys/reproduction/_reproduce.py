"""Reproduce the paper: run every study and write a report beside their netCDF and PNG files.

The full run is the reference (device mode for the figures; the supplementary sweeps in
surrogate mode over many seeds, checked in device mode on a subset). `quick` is a first look in a
few minutes: fewer seeds and points, surrogate neurons where device mode takes minutes. The report
(report.md and report.html) sets each measured number beside the paper's.
"""

from __future__ import annotations

import html
import pathlib
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
              scheduler: str | None = None, progress: bool = True) -> dict:
    """Run `studies` into `output_dir` and write the report.

    Arguments:
        studies: in the order to run and report them (see `mtjphys.studies.registry`).
        output_dir: for every study's files and the report.
        quick: each study's `quick` settings instead of its `full` ones.
        overwrite: replace existing files.
        scheduler: where sweeps run (quick runs them in this process).
        progress: progress bars and a line per study on stderr.

    Returns:
        {"studies": names, "wall_time_s": seconds, "report": path of report.html}.
    """
    directory = pathlib.Path(output_dir)
    # every output is checked before anything runs, so a refusal costs nothing
    prepare_outputs(directory, [f for study in studies for f in study.outputs] + list(REPORTS), overwrite)
    summaries, times = {}, {}
    for study in studies:
        options = dict(study.quick if quick else study.full)
        if study.takes("scheduler"):
            options["scheduler"] = "synchronous" if quick else scheduler
        if progress:
            click.echo(f"[{time.strftime('%H:%M:%S')}] {study.name} ...", err=True)
        start = time.perf_counter()
        summaries[study.name] = study.run(directory, overwrite=overwrite, progress=progress, **options)
        times[study.name] = time.perf_counter() - start
        release_compiled_programs()
    write_report(directory, studies, summaries, times, quick=quick, overwrite=overwrite)
    return {"studies": list(summaries), "wall_time_s": round(sum(times.values()), 1),
            "report": str(directory / "report.html")}


def _markdown_inline(text: str) -> str:
    """The little markdown a section's text uses (`code`, **bold**), as HTML."""
    text = html.escape(text)
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
    return re.sub(r"\*\*([^*]+)\*\*", r"<b>\1</b>", text)


def write_report(directory: pathlib.Path, studies: Sequence[Study], summaries: dict, times: dict, *, quick: bool,
                 overwrite: bool) -> None:
    """report.md and report.html: the comparison with the paper (each row with its verdict and tolerance), then
    each study's section."""
    sections = {study.name: study.report(summaries[study.name]) for study in studies}
    stamp = provenance()
    kind = "Quick run (fewer seeds and points; surrogate neurons where device mode takes minutes)" if quick \
        else "Full run"
    header = (f"{kind}, {sum(times.values()) / 60:.1f} min in all. mtjphys {stamp['mtjphys_version']}, commit "
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
