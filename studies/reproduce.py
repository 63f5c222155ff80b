"""Reproduce the paper: run every study and write a report beside their netCDF and PNG files.

    mtjphys reproduce -o results/ [--quick] [--overwrite] [--scheduler ADDRESS]

The full run is the reference (device mode throughout; the phase-noise networks use the thermal
surrogate, checked in device mode at one point). `--quick` is a first look in a few minutes:
fewer seeds and points, and surrogate neurons where device mode takes minutes (Fig. 3, synapses).
The report (report.md and report.html) sets each measured number beside the paper's.
"""

from __future__ import annotations

import html
import json
import pathlib
import time

import click

import mtjphys as mp
from mtjphys.studies import (
    fig1_neuron,
    fig2_generation,
    fig3_character,
    fig4_recognition,
    supp_nonidentical,
    supp_phase_noise,
    supp_synapses,
)

OUTPUTS = {
    "fig1_neuron": ["fig1_neuron.nc", "fig1_neuron.png"],
    "fig2_generation": ["fig2_generation.nc", "fig2_generation.png", "fig2_summary.nc"],
    "fig3_character": ["fig3_character.nc", "fig3_character.png"],
    "fig4_recognition": ["fig4_recognition.nc", "fig4_recognition.png", "fig4_noise_sweep.nc", "fig4_noise_sweep.png"],
    "supp_nonidentical": ["supp_nonidentical.nc", "supp_nonidentical.png"],
    "supp_phase_noise": ["supp_phase_noise.nc", "supp_phase_noise.png"],
    "supp_synapses": ["supp_synapses.nc", "supp_synapses.png"],
}
REPORTS = ["report.md", "report.html"]


def plan(quick: bool, scheduler) -> dict:
    """Each study's call: (function, keyword arguments)."""
    sweeps = {"scheduler": "synchronous" if quick else scheduler}
    if quick:
        return {
            "fig1_neuron": (fig1_neuron.run, {"quick": True}),
            "fig2_generation": (fig2_generation.run, {"seeds": 2, "mode": "device"}),
            "fig3_character": (fig3_character.run, {"mode": "surrogate", "control": True}),
            "fig4_recognition": (fig4_recognition.run, {"mode": "device", "sweep_seeds": 1,
                                                        "sweep_noise": (0.0, 0.5, 2.0)}),
            "supp_nonidentical": (supp_nonidentical.run, {"seeds": 1, "mode": "device", "quick": True, **sweeps}),
            "supp_phase_noise": (supp_phase_noise.run, {"seeds": 1, "quick": True, **sweeps}),
            "supp_synapses": (supp_synapses.run, {"seeds": 1, "mode": "surrogate", "quick": True, **sweeps}),
        }
    return {
        "fig1_neuron": (fig1_neuron.run, {}),
        "fig2_generation": (fig2_generation.run, {"seeds": 10, "mode": "device"}),
        "fig3_character": (fig3_character.run, {"mode": "device"}),
        "fig4_recognition": (fig4_recognition.run, {"mode": "device", "sweep_seeds": 3}),
        "supp_nonidentical": (supp_nonidentical.run, {"seeds": 4, "mode": "device", **sweeps}),
        "supp_phase_noise": (supp_phase_noise.run, {"seeds": 4, **sweeps}),
        "supp_synapses": (supp_synapses.run, {"seeds": 5, "mode": "device", **sweeps}),
    }


def _percent(value) -> str:
    return f"{100 * value:.2f} %"


def comparison(summaries: dict) -> list[tuple[str, str, str]]:
    """Rows (what, the paper, measured here)."""
    rows = []
    fig1 = summaries.get("fig1_neuron")
    if fig1:
        rows += [
            ("R0, resistance at equilibrium", "11.05 kΩ", f"{fig1['resistance_equilibrium'] / 1e3:.3f} kΩ"),
            ("ΔR at 0.8e10 A/m²", "114 Ω", f"{fig1['delta_r_low']:.1f} Ω"),
            ("ΔR at 1.0e10 A/m²", "145 Ω", f"{fig1['delta_r_high']:.1f} Ω"),
            ("ΔR monotonic on the window; damped ringing", "yes",
             f"{'yes' if fig1['monotonic_on_window'] else 'no'}; {fig1['extrema_in_window']} extrema in 1.5 ns"),
        ]
    fig2 = summaries.get("fig2_generation")
    if fig2:
        rows.append(("Fig. 2: 40 MTJs generate 0.87 sin(2πt/45 ns), then 0.65 sin(2πt/80 ns), freely after learning",
                     "both sustained after learning (one network shown)",
                     f"{fig2.get('seeds_passed', '?')} seeds within 2 % (period) and 5 % (amplitude) in both free "
                     f"runs ({fig2['mode']} mode)"))
    fig3 = summaries.get("fig3_character")
    if fig3:
        rows.append(("Fig. 3: 800 MTJs write 师 after innate training + FORCE", "the character is reproduced",
                     f"closed-loop error {', '.join(_percent(e) for e in fig3['test_errors'])} of the diagonal "
                     f"({fig3['mode']} mode); without innate training "
                     f"{', '.join(_percent(e) for e in fig3['control_test_errors_without_innate'])}; spread across "
                     f"initial states {fig3['spread_before_innate']:.4f} → {fig3['spread_after_innate']:.4f}"))
    fig4 = summaries.get("fig4_recognition")
    if fig4:
        sweep = fig4.get("accuracy_paper", {})
        rows.append(("Fig. 4: square vs sine, ~5 % noise, 100 test windows", "100 of 100",
                     f"{fig4['test_correct']} ({fig4['mode']} mode); mean accuracy vs noise: "
                     + ", ".join(f"{k}: {100 * v:.0f} %" for k, v in sweep.items())))
    supp = summaries.get("supp_nonidentical")
    if supp:
        rows.append(("Supplement: 40 MTJs of 25 sizes work as well as identical ones", "yes",
                     f"success vs size spread, density drive {supp['success_rate_density_drive']}, current drive "
                     f"{supp['success_rate_current_drive']}; breaks at spread "
                     f"{supp['breaks_at_spread_density_drive']} / {supp['breaks_at_spread_current_drive']}"))
    noise = summaries.get("supp_phase_noise")
    if noise:
        breaks = {k.removeprefix("breaks_at_").removesuffix("_K"): v for k, v in noise.items() if k.startswith("breaks_at")}
        rows.append(("Supplement: phase noise degrades the output but can be improved", "yes (no numbers given)",
                     "breaks at (K): " + ", ".join(f"{k}: {v}" for k, v in breaks.items())
                     + (f"; device-mode check: {noise['device_check']}" if "device_check" in noise else "")))
    synapses = summaries.get("supp_synapses")
    if synapses:
        rows.append(("Supplement: weight fluctuation, delay and failed readout synapses are tolerated", "yes",
                     f"breaks at weight fluctuation {synapses['breaks_at_synaptic_noise']}, delay "
                     f"{synapses['breaks_at_delay']} steps, failed readout fraction "
                     f"{synapses['breaks_at_failed_readout']} (unseen by FORCE) / "
                     f"{synapses['breaks_at_failed_readout_known']} (known to FORCE); None: not within the range tried"))
    return rows


def write_reports(directory: pathlib.Path, summaries: dict, times: dict, quick: bool, overwrite: bool) -> None:
    rows = comparison(summaries)
    title = "mtjphys: reproduction of “Recurrent neural networks made of magnetic tunnel junctions”"
    header = (f"{'Quick run (fewer seeds and points; surrogate neurons for Fig. 3 and the synapses)' if quick else 'Full run'}"
              f", mtjphys {mp.__version__}, commit {mp.provenance()['git_commit']}, "
              f"{sum(times.values()):.0f} s in all.")
    markdown = [f"# {title}", "", header, "", "| result | paper | measured here |", "|---|---|---|"]
    markdown += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    page = [f"<!doctype html><meta charset='utf-8'><title>{html.escape(title)}</title>",
            "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}td,th{border:1px solid #ccc;"
            "padding:4px;vertical-align:top}table{border-collapse:collapse}img{max-width:100%}</style>",
            f"<h1>{html.escape(title)}</h1><p>{html.escape(header)}</p>",
            "<table><tr><th>result</th><th>paper</th><th>measured here</th></tr>"]
    page += [f"<tr><td>{html.escape(a)}</td><td>{html.escape(b)}</td><td>{html.escape(c)}</td></tr>" for a, b, c in rows]
    page.append("</table>")
    for name, files in OUTPUTS.items():
        if name not in summaries:
            continue
        markdown += ["", f"## {name} ({times[name]:.0f} s)", "", "```json", json.dumps(summaries[name], indent=1,
                                                                                      default=str), "```"]
        page.append(f"<h2>{html.escape(name)} ({times[name]:.0f} s)</h2>")
        page.append(f"<pre>{html.escape(json.dumps(summaries[name], indent=1, default=str))}</pre>")
        for png in (f for f in files if f.endswith(".png")):
            markdown += ["", f"![{png}]({png})"]
            page.append(f"<img src='{png}' alt='{png}'>")
    mp.atomic_write(directory / "report.md", lambda tmp: pathlib.Path(tmp).write_text("\n".join(markdown) + "\n"),
                    overwrite=overwrite)
    mp.atomic_write(directory / "report.html", lambda tmp: pathlib.Path(tmp).write_text("\n".join(page) + "\n"),
                    overwrite=overwrite)


def run(output_dir, *, quick: bool = False, overwrite: bool = False, scheduler: str | None = None,
        progress=True) -> dict:
    """Run every study into `output_dir` and write the report. Returns: the studies' summaries."""
    directory = pathlib.Path(output_dir)
    # every output is checked before anything runs, so a refusal costs nothing
    mp.prepare_outputs(directory, [f for files in OUTPUTS.values() for f in files] + REPORTS, overwrite)
    summaries, times = {}, {}
    for name, (function, kwargs) in plan(quick, scheduler).items():
        if progress:
            click.echo(f"[{time.strftime('%H:%M:%S')}] {name} ...", err=True)
        start = time.perf_counter()
        summaries[name] = function(directory, overwrite=overwrite, progress=progress, **kwargs)
        times[name] = time.perf_counter() - start
    write_reports(directory, summaries, times, quick, overwrite)
    return {"studies": list(summaries), "wall_time_s": round(sum(times.values()), 1),
            "report": str(directory / "report.html")}
