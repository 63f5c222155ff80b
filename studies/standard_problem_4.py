"""muMAG standard problem 4 on mtjphys's micromagnetic grid.

    mtjphys study standard_problem_4 -o results/ [--cell-size 2.5e-9]

A permalloy film of 500 x 125 x 3 nm (Ms 8e5 A/m, A 1.3e-11 J/m, alpha 0.02, no anisotropy, gamma
2.211e5 m/(A s) / mu0) is relaxed from m = (1, 1, 1)/sqrt(3) into its s-state; then a field
mu0 H = (-24.6, 4.3, 0) mT (field 1) or (-35.5, -6.3, 0) mT (field 2) reverses it over 1 ns. The
test suite runs the same problem in NeuralMag, an independent code, and compares <m>(t). The
problem fixes its own film, not a junction, so this study takes no --params.

Writes standard_problem_4.nc (m_average(field, time, component), the s-state, and m(x, y) when
<m_x> first crosses zero under each field) and standard_problem_4.png (<m_y>(t), and m(x, y) at
that crossing).
"""

from __future__ import annotations

import contextlib
import json
import pathlib
import time

import click
import equinox as eqx
import jax.numpy as jnp
import numpy as np
import xarray as xr
from matplotlib.figure import Figure

import mtjphys as mp
from mtjphys.data import provenance
from mtjphys.device import check_cost, Device, grid_cost, make_device, solve_in_chunks, window_chunks
from mtjphys.grid import field_variable
from mtjphys.reproduction import prepare_outputs, ReportSection, save_figure, Study, verdict

FIELDS = {1: (-24.6e-3, 4.3e-3, 0.0), 2: (-35.5e-3, -6.3e-3, 0.0)}  # mu0 H [T]
DURATION = 1e-9  # [s]


def problem_record(cell_size: float, field: tuple[float, float, float] = (0.0, 0.0, 0.0)) -> mp.Parameters:
    """The record of standard problem 4 on cells of `cell_size` [m], under the applied field mu0 H [T]."""
    model = mp.micromagnetic_model()
    mu0 = model.constants["mu0"]["value"]
    return mp.Parameters({
        "geometry": "rectangle", "length": 500e-9, "width": 125e-9, "thickness": 3e-9, "cell_size": cell_size,
        "Ms": 8e5, "A": 1.3e-11, "alpha": 0.02, "Ku": 0.0, "gamma": 2.211e5 / mu0, "m0": (1.0, 1.0, 1.0),
        "H_ext": tuple(b / mu0 for b in field),
    }, model=model)


@eqx.filter_jit
def _relaxed(device: Device):
    return device.equilibrium()


def s_state(cell_size: float) -> np.ndarray:
    """The relaxed s-state (nx, ny, 1, 3)."""
    return np.asarray(_relaxed(make_device(problem_record(cell_size))))


# a large-angle reversal's step is set by accuracy, not by the exchange's stiffness as a neuron window's on
# fine cells: there the eighth-order pair takes the longest steps
REVERSAL_SOLVER = mp.NeuronSolver(rtol=1e-6, atol=1e-8, max_steps=2**20, progress=True)


def reversal(cell_size: float, field: tuple[float, float, float], start: np.ndarray, times: np.ndarray,
             progress: bool = False):
    """<m>(t) on `times` [s] under `field` from `start`, solved in chunks (a progress bar where `progress`;
    Ctrl-C stops it between two). Returns: (times, 3) averages, and the device (to continue from)."""
    device = make_device(problem_record(cell_size, field), settings=REVERSAL_SOLVER)
    trace = _chunked(device, start, times, progress)
    return np.asarray(trace.m), device


def _chunked(device: Device, start, times, progress: bool = False):
    """The trace from `start` at `times` [s], from 0, in chunks of about a second (`solve_in_chunks`)."""
    times = np.asarray(times, dtype=np.float64)
    return solve_in_chunks(device, 0.0, times, m0=jnp.asarray(start), chunks=window_chunks(device, times[-1]),
                           progress=progress, description="standard problem 4")


def cost(cell_size: float):
    """The estimated cost (`grid_cost`) of the two reversals, each `DURATION` long, on cells of `cell_size` [m]."""
    return grid_cost(problem_record(cell_size, FIELDS[1]), len(FIELDS) * DURATION)


def first_crossing(times: np.ndarray, values: np.ndarray) -> float | None:
    """The first time [s] `values` crosses zero downward, linearly interpolated; None if it does not."""
    below = np.flatnonzero((values[:-1] > 0) & (values[1:] <= 0))
    if below.size == 0:
        return None
    i = below[0]
    return float(times[i] + (times[i + 1] - times[i]) * values[i] / (values[i] - values[i + 1]))


def compute(cell_size: float, samples: int = 1001, progress: bool = False) -> xr.Dataset:
    """Returns: the standard-problem-4 dataset for `cell_size` [m] (progress bars where `progress`)."""
    record = problem_record(cell_size)
    start = s_state(cell_size)
    times = np.linspace(0.0, DURATION, samples)
    averages, crossings, snapshots = [], [], []
    for field in FIELDS.values():
        m, device = reversal(cell_size, field, start, times, progress)
        averages.append(m)
        crossing = first_crossing(times, m[:, 0])
        crossings.append(np.nan if crossing is None else crossing)
        if crossing is None:
            snapshots.append(np.full(start.shape, np.nan))
        else:
            trace = _chunked(device, start, [0.0, crossing], progress)
            snapshots.append(np.asarray(trace.end))
    mesh = record.mesh
    state = lambda value, name: field_variable(mesh, value, name)
    dataset = xr.Dataset(
        {
            "m_average": (("field", "time", "component"), np.stack(averages),
                          {"units": "1", "long_name": "magnetization averaged over the film"}),
            "applied_field": (("field", "component"), np.array(list(FIELDS.values())),
                              {"units": "T", "long_name": "applied field mu0 H"}),
            "time_first_crossing": ("field", np.array(crossings),
                                    {"units": "s", "long_name": "first time <m_x> crosses zero (NaN: never)"}),
            "m_s_state": state(start, "the relaxed s-state"),
            "m_crossing": xr.concat([state(s, "magnetization when <m_x> first crosses zero") for s in snapshots],
                                    dim="field"),
        },
        coords={"field": ("field", list(FIELDS), {"units": "", "long_name": "standard problem 4 field number"}),
                "time": ("time", times, {"units": "s", "long_name": "time since the field was applied"}),
                "component": ("component", ["x", "y", "z"], {"units": "", "long_name": "Cartesian component"})},
    )
    dataset["m_crossing"].attrs = {"units": "1", "long_name": "magnetization when <m_x> first crosses zero"}
    s_average = np.asarray(device.model.average(jnp.asarray(start)))
    summary = {
        "cell_size": cell_size, "cells": list(mesh.shape),
        "s_state_average": [float(v) for v in s_average],
        "fields": {str(n): {"first_crossing_s": None if np.isnan(t) else float(t),
                            "min_my": float(m[:, 1].min()), "time_min_my_s": float(times[np.argmin(m[:, 1])]),
                            "final": [float(v) for v in m[-1]]}
                   for n, t, m in zip(FIELDS, crossings, averages)},
    }
    dataset.attrs.update(provenance(record, settings=device.solver, study="standard_problem_4", **mesh.describe()))
    dataset.attrs["summary"] = json.dumps(summary)
    return dataset


def plot(dataset: xr.Dataset) -> Figure:
    """Returns: <m>(t) under both fields, and m(x, y) at the first zero crossing of <m_x>."""
    figure = Figure(figsize=(12, 6.5), layout="constrained")
    top = figure.subfigures(2, 1, height_ratios=[1.1, 1])
    curve_axes = top[0].subplots(1, 2, sharey=True)
    t = dataset.time.values * 1e9
    for ax, number in zip(curve_axes, dataset.field.values):
        m = dataset.m_average.sel(field=number).values
        for index, (name, style) in enumerate(zip("xyz", ("--", "-", ":"))):
            ax.plot(t, m[:, index], style, lw=1.6 if name == "y" else 1.0, label=f"<m_{name}>")
        crossing = float(dataset.time_first_crossing.sel(field=number))
        if np.isfinite(crossing):
            ax.axvline(crossing * 1e9, color="0.5", lw=0.8)
        b = dataset.applied_field.sel(field=number).values * 1e3
        ax.set(xlabel="time (ns)", title=f"field {number}: μ0H = ({b[0]:.1f}, {b[1]:.1f}, 0) mT", ylim=(-1.05, 1.05))
    curve_axes[0].set_ylabel("average magnetization")
    curve_axes[0].legend(loc="lower left")
    map_axes = top[1].subplots(1, 2)
    x, y = dataset.x.values * 1e9, dataset.y.values * 1e9
    for ax, number in zip(map_axes, dataset.field.values):
        m = dataset.m_crossing.sel(field=number).values
        crossing = float(dataset.time_first_crossing.sel(field=number))
        image = ax.imshow(m[..., 1].T, origin="lower", extent=(x[0], x[-1], y[0], y[-1]), cmap="RdBu_r",
                          vmin=-1, vmax=1, aspect="equal")
        step = max(1, len(x) // 25)
        ax.quiver(x[::step], y[::step], m[::step, ::step, 0].T, m[::step, ::step, 1].T, scale=30, width=0.002)
        when = f"t = {crossing * 1e9:.3f} ns" if np.isfinite(crossing) else "no crossing"
        ax.set(xlabel="x (nm)", ylabel="y (nm)", title=f"field {number}: m when <m_x> first crosses 0 ({when})")
    top[1].colorbar(image, ax=list(map_axes), label="m_y", shrink=0.8)
    return figure


def run(output_dir, *, cell_size: float = 2.5e-9, overwrite: bool = False, progress=True, yes: bool = False) -> dict:
    """Run the problem, write standard_problem_4.nc and .png into `output_dir`. Returns: the summary.

    Its cost is estimated first (shown on stderr where `progress`), and a run above the limit refused unless `yes`.
    A run that stops (Ctrl-C, an error) removes what it wrote, and the output directory where it created it."""
    if not (np.isfinite(cell_size) and cell_size > 0):
        raise mp.MtjphysError(f"--cell-size must be a positive length, got {cell_size:g}")
    problem_record(cell_size)  # a mesh that cannot be made is refused before anything is written
    line = check_cost(cost(cell_size), yes, what=f"standard problem 4 ({len(FIELDS)} reversals of "
                      f"{DURATION * 1e9:g} ns)")
    if progress:
        click.echo(line, err=True)
    created = not pathlib.Path(output_dir).exists()
    netcdf, png = prepare_outputs(output_dir, STUDY.outputs, overwrite)
    written = []
    start = time.perf_counter()
    try:
        dataset = compute(cell_size, progress=progress)
        written.append(mp.write_dataset(dataset, netcdf, overwrite=overwrite))
        written.append(save_figure(plot(dataset), png, overwrite=overwrite, study="standard_problem_4",
                                   cell_size=cell_size))
    except BaseException:
        _remove_partial(pathlib.Path(output_dir), written if created else [], created)
        raise
    summary = json.loads(dataset.attrs["summary"])
    summary["wall_time_s"] = round(time.perf_counter() - start, 1)
    return summary


def _remove_partial(directory: pathlib.Path, files, created: bool) -> None:
    """After a stopped run: remove `files` (what it wrote, where it created `directory`), then the directory if
    it created it and it is empty. Nothing else is touched."""
    for path in files:
        pathlib.Path(path).unlink(missing_ok=True)
    if created:
        with contextlib.suppress(OSError):
            directory.rmdir()  # only if empty: never another's files


def report(summary: dict) -> ReportSection:
    cell = summary["cell_size"] * 1e9
    rows = []
    for number, values in summary["fields"].items():
        crossing = values["first_crossing_s"]
        when = f"{crossing * 1e9:.3f} ns" if crossing is not None else "no crossing in 1 ns"
        rows.append((f"Standard problem 4, field {number}: first zero of <m_x>; lowest <m_y>", "muMAG problem "
                     "(compared with NeuralMag in the tests)",
                     f"{when}; {values['min_my']:.3f} at {values['time_min_my_s'] * 1e9:.3f} ns ({cell:g} nm cells)"))
    s = summary["s_state_average"]
    text = (f"The film ({summary['cells'][0]} x {summary['cells'][1]} cells of {cell:g} nm) relaxes into the s-state "
            f"with <m> = ({s[0]:.4f}, {s[1]:.4f}, {s[2]:.4f}); each field is then applied for 1 ns. The test suite "
            f"solves the same problem in NeuralMag (nodal finite differences, its own demagnetisation and solver) "
            f"and compares <m>(t).")
    caption = ("<m>(t) under fields 1 and 2 (top); m(x, y) when <m_x> first crosses zero, colour m_y "
               "(bottom).")
    verdicts = tuple(verdict(None, None) for _ in rows)  # its check against NeuralMag is in the tests
    return ReportSection(tuple(rows), text, (("standard_problem_4.png", caption),), verdicts)


STUDY = Study(
    name="standard_problem_4",
    title="muMAG standard problem 4: the micromagnetic grid against the standard.",
    description=__doc__,
    run=run,
    outputs=("standard_problem_4.nc", "standard_problem_4.png"),
    options=(click.Option(["--cell-size"], type=float, default=2.5e-9, show_default=True,
                          help="In-plane cell edge [m] (the film is one cell thick)."),
             click.Option(["--yes"], is_flag=True, default=False,
                          help="Run even where the estimate (shown before the run starts) is above 10 min.")),
    full={"cell_size": 2.5e-9},
    quick={"cell_size": 5e-9},
    hot=None,
    report=report,
)
