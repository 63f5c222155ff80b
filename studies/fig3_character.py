"""Fig. 3: an 800-MTJ network writes the character 师 ("teacher").

    mtjphys study fig3_character -o results/ [--character-file PATH] [--seed 0] [--mode device]

The pen path x(t), y(t) of the character (stroke order, pen-up moves between strokes, period
170 ns) drives two input nodes; two readouts write it.
1. Innate training (Laje & Buonomano): the network's own response to the driven inputs over two
   periods is recorded, then the incoming weights of 60 % of the MTJs are trained by RLS, over 20
   trials from random initial states with noise, to return to it. Its effect is measured as the
   spread of the MTJ outputs across initial states (with noise) before and after.
2. FORCE on the two readouts for 10 periods, the inputs carrying the pen path.
3. Test: from several random initial states, one teacher-forced warm-up period, then 3 periods
   in closed loop (the input nodes carry the network's own outputs; no target information). The
   error is the mean distance between output and target at the same time, as a fraction of the
   character's bounding-box diagonal; the goal is at most 5 %.
A control repeats 2 and 3 without innate training.

Writes fig3_character.nc (x, y, x_target, y_target, phase over time; innate reproducibility;
errors) and fig3_character.png.
"""

from __future__ import annotations

import json
import math
import time

import click
import numpy as np
import xarray as xr
from matplotlib.figure import Figure

import mtjphys as mp
from mtjphys.networks import drive_from_task, energy_summary
from mtjphys.reproduction import (
    describe_energy,
    mode_option,
    params_option,
    prepare_outputs,
    ReportSection,
    save_figure,
    seed_option,
    Study,
    verdict,
)
from mtjphys.tasks import builtin_character_path, Character, CHARACTER_PERIOD

ARCHITECTURE = {"connection_probability": 0.1, "gain": 1.5, "leak": 0.3, "feedback_scale": 0.0, "input_scale": 2.0,
                "bias_scale": 0.0}
INNATE = {"fraction": 0.6, "trials": 20, "noise": 0.02, "regularization": 1.0}
TRIAL_PERIODS, TRAIN_PERIODS, WARMUP_PERIODS, TEST_PERIODS = 2, 10, 1, 3
REGULARIZATION = 1.0
GOAL = 0.05


def periods_to_steps(periods: float) -> int:
    return math.ceil(periods * CHARACTER_PERIOD / mp.STEP - 1e-9)


def write_and_test(network, character, *, seed: int, test_runs: int, progress) -> tuple:
    """FORCE for TRAIN_PERIODS, then closed-loop tests.

    Returns: (trained network, FORCE run dataset, test run datasets (with `mtj_energy`), test errors)."""
    rng = np.random.default_rng([seed, 4])
    train_task = mp.writing_task(character, periods_to_steps(TRAIN_PERIODS), learning=True)
    trained, train_run = mp.train_force(network, train_task, regularization=REGULARIZATION,
                                        x0=rng.normal(0, 0.5, network.size), seed=seed, progress=progress)
    warmup = periods_to_steps(WARMUP_PERIODS)
    test_task = mp.writing_task(character, warmup + periods_to_steps(TEST_PERIODS), closed_loop_from=warmup)
    drive = drive_from_task(test_task, 2, 2)
    tests, errors = [], []
    for _ in range(test_runs):
        trajectory = mp.simulate(trained, drive, x0=rng.normal(0, 0.5, network.size), progress=False).trajectory
        outputs, target = trajectory.readouts, test_task.target.values
        errors.append(float(np.hypot(*(outputs[warmup:] - target[warmup:]).T).mean() / character.diagonal))
        tests.append(test_task.assign(output=(("time", "readout"), outputs), mtj_energy=(
            "time", trajectory.mtj_energy, {"units": "J", "long_name": "energy the MTJs dissipated in the step"})))
    return trained, train_run, tests, errors


def task_energy(innate: xr.Dataset, train_run: xr.Dataset, tests: list[xr.Dataset], n_mtj: int) -> dict:
    """The MTJs' energy of the task: training (innate training and FORCE), inference (the closed-loop
    tests, warm-up included), in the form of `mtjphys.energy_summary`."""
    force = energy_summary(train_run)
    test_energy = sum(float(test.mtj_energy.sum()) for test in tests)
    test_steps = sum(test.sizes["time"] for test in tests)
    training = float(innate.innate_training_energy) + force["task"]
    return {"per_step": force["per_step"], "per_window": force["per_step"] / n_mtj, "training": training,
            "inference": test_energy, "task": training + test_energy,
            "steps": force["steps"] + test_steps + int(innate.innate_training_steps)}


def assemble(innate: xr.Dataset, innate_task: xr.Dataset, train_run: xr.Dataset, tests: list[xr.Dataset],
             errors: list[float], control_errors: list[float]) -> xr.Dataset:
    """One time line: innate trials (outputs untrained), FORCE training, then each test run."""
    parts = [(innate_task.assign(output=(("time", "readout"), np.zeros_like(innate_task.target.values))), "innate", -1)]
    parts.append((train_run, "train", -1))
    warmup = periods_to_steps(WARMUP_PERIODS)
    for index, test in enumerate(tests):
        phase = np.where(np.arange(test.sizes["time"]) < warmup, "warmup", "test")
        parts.append((test, phase, index))
    columns = {name: [] for name in ("x", "y", "x_target", "y_target", "pen_down", "phase", "test_run")}
    for part, phase, run in parts:
        steps = part.sizes["time"]
        columns["x"].append(part.output.values[:, 0])
        columns["y"].append(part.output.values[:, 1])
        columns["x_target"].append(part.target.values[:, 0])
        columns["y_target"].append(part.target.values[:, 1])
        columns["pen_down"].append(part.pen_down.values)
        columns["phase"].append(np.broadcast_to(phase, steps))
        columns["test_run"].append(np.full(steps, run))
    data = {k: np.concatenate(v) for k, v in columns.items()}
    time_axis = np.arange(len(data["x"])) * mp.STEP
    variables = {
        "x": ("time", data["x"], {"units": "1", "long_name": "network output x"}),
        "y": ("time", data["y"], {"units": "1", "long_name": "network output y"}),
        "x_target": ("time", data["x_target"], {"units": "1", "long_name": "pen position x"}),
        "y_target": ("time", data["y_target"], {"units": "1", "long_name": "pen position y"}),
        "pen_down": ("time", data["pen_down"], {"units": "1", "long_name": "pen on paper"}),
        "phase": ("time", data["phase"].astype(object),
                  {"units": "", "long_name": "innate (one trial's pen path; readouts not yet trained, output 0), "
                                            "train (FORCE), warmup (teacher-forced), test (closed loop)"}),
        "test_run": ("time", data["test_run"], {"units": "1", "long_name": "test run (-1: not a test)"}),
        "test_error": ("test_run_index", errors, {"units": "1", "long_name": "mean distance / bounding-box diagonal"}),
        "control_test_error": ("test_run_index", control_errors,
                               {"units": "1", "long_name": "the same without innate training"}),
    }
    dataset = xr.Dataset(variables, coords={"time": ("time", time_axis, {"units": "s", "long_name": "time"})})
    reproducibility = innate[["spread", "innate_distance"]]
    return xr.merge([dataset, reproducibility])


def plot(dataset: xr.Dataset, character: Character) -> Figure:
    """Returns: (b) the target character, (c) the network's closed-loop output coloured by time,
    (d) the spread of MTJ outputs across initial states before and after innate training."""
    figure = Figure(figsize=(13, 4.4), layout="constrained")
    target_axes, output_axes, spread_axes = figure.subplots(1, 3, width_ratios=[1, 1, 1.2])
    for stroke in character.strokes:
        target_axes.plot(stroke[:, 0], stroke[:, 1], color="k", lw=3, solid_capstyle="round")
    vertices, pen_down = character.path()
    for segment in np.flatnonzero(~pen_down):
        target_axes.plot(vertices[segment : segment + 2, 0], vertices[segment : segment + 2, 1], color="0.6",
                         lw=0.8, ls=":")
    # code points, not glyphs: plotting fonts often lack CJK
    name = " ".join(f"U+{ord(c):04X}" for c in character.name) if not character.name.isascii() else character.name
    target_axes.set_title(f"(b) target {name}\nstrokes in order, pen-up moves dotted", fontsize=9)
    test = (dataset.phase == "test") & (dataset.test_run == 0)
    t = dataset.time.values[test.values]
    points = output_axes.scatter(dataset.x.values[test.values], dataset.y.values[test.values], c=(t - t[0]) * 1e9,
                                 s=9, cmap="viridis")
    figure.colorbar(points, ax=output_axes, label="time in closed loop (ns)", shrink=0.8)
    error = float(dataset.test_error[0])
    output_axes.set_title(f"(c) network output every 1.5 ns, closed loop\nerror {100 * error:.2f} % of the diagonal",
                          fontsize=9)
    for ax in (target_axes, output_axes):
        ax.set(aspect="equal", xlim=(-1.1, 1.1), ylim=(-1.1, 1.1), xticks=[], yticks=[])
    steps = dataset.trial_step.values
    for condition, color in (("before", "C1"), ("after", "C0")):
        spread_axes.plot(steps * 1.5, dataset.spread.sel(condition=condition), color=color,
                         label=f"{condition} innate training")
    spread_axes.set(xlabel="time in trial (ns)", ylabel="spread of MTJ outputs across initial states",
                    title="(d) reproducibility", yscale="log")
    spread_axes.legend()
    return figure


def run(output_dir, *, character_file=None, seed: int = 0, mode: str = "device", n_mtj: int = 800,
        test_runs: int = 2, control: bool = True, input_scale: float = ARCHITECTURE["input_scale"],
        parameters: mp.Parameters | None = None, overwrite: bool = False, progress=True) -> dict:
    """Run the study, write its files into `output_dir`. Returns: a summary."""
    if test_runs < 1:
        raise mp.MtjphysError(f"--test-runs must be at least 1, got {test_runs}")
    architecture_settings = {**ARCHITECTURE, "input_scale": float(input_scale)}
    character = mp.load_character(character_file or builtin_character_path()).normalized()
    netcdf, png = prepare_outputs(output_dir, STUDY.outputs, overwrite)
    start = time.perf_counter()
    architecture = mp.Architecture(n_mtj=n_mtj, n_inputs=2, n_outputs=2, **architecture_settings)
    network = mp.random_network(architecture, parameters, seed=seed, mode=mode)
    innate_task = mp.writing_task(character, periods_to_steps(TRIAL_PERIODS))
    trained, innate = mp.train_innate(network, innate_task, seed=seed, progress=progress, **INNATE)
    writer, train_run, tests, errors = write_and_test(trained, character, seed=seed, test_runs=test_runs,
                                                      progress=progress)
    control_errors = (write_and_test(network, character, seed=seed, test_runs=test_runs, progress=progress)[3]
                      if control else [math.nan] * test_runs)
    dataset = assemble(innate, innate_task, train_run, tests, errors, control_errors)
    weights = mp.network_to_dataset(writer, seed=seed)
    dataset = xr.merge([dataset, weights], combine_attrs="override")
    summary = {
        "character": character.name, "mode": mode, "n_mtj": n_mtj, "seed": seed,
        "spread_before_innate": innate.attrs["spread_before"],
        "spread_after_innate": innate.attrs["spread_after"],
        "test_errors": errors,
        "control_test_errors_without_innate": control_errors if control else None,
        "passed": bool(max(errors) <= GOAL),
        "energy": task_energy(innate, train_run, tests, n_mtj),
    }
    dataset.attrs = dict(weights.attrs)
    dataset.attrs.update(study="fig3_character", summary=json.dumps(summary),
                         architecture=json.dumps(architecture_settings),
                         innate=json.dumps(INNATE), character_path_periods=json.dumps(
                             {"trial": TRIAL_PERIODS, "train": TRAIN_PERIODS, "warmup": WARMUP_PERIODS,
                              "test": TEST_PERIODS}), period=CHARACTER_PERIOD, **{
                             k: v for k, v in innate.attrs.items() if k.startswith(("spread", "innate"))})
    mp.write_dataset(dataset, netcdf, overwrite=overwrite)
    save_figure(plot(dataset, character), png, overwrite=overwrite, parameters=parameters, study="fig3_character",
                seed=seed, mode=mode)
    summary["wall_time_s"] = round(time.perf_counter() - start, 1)
    return summary


def _percentages(values) -> str:
    return ", ".join(f"{100 * v:.2f} %" for v in values)


def report(summary: dict) -> ReportSection:
    control = summary["control_test_errors_without_innate"]
    measured = (f"closed-loop error {_percentages(summary['test_errors'])} of the bounding-box diagonal "
                f"({summary['mode']} mode, {summary['n_mtj']} MTJs); spread of the MTJ outputs across initial states "
                f"{summary['spread_before_innate']:.4f} before and {summary['spread_after_innate']:.4f} after innate "
                f"training")
    if control:
        measured += f"; without innate training {_percentages(control)}"
    rows = ((f"Fig. 3: 800 MTJs write {summary['character']} after innate training and FORCE",
             "the character is reproduced", measured),
            ("Fig. 3: energy the MTJs dissipate", "low energy cost (not quantified)",
             describe_energy(summary["energy"])))
    verdicts = (verdict(max(summary["test_errors"]), GOAL, bound="at most", scale=100,
                        unit=" % of the diagonal in every run"),
                verdict(summary["energy"]["per_step"], None))
    text = (f"Innate training makes the network's response reproducible across initial states, FORCE trains two "
            f"readouts to write the character, and the network then writes it in closed loop from new initial "
            f"states (goal: error at most 5 % of the diagonal). Measured: {measured}.")
    return ReportSection(rows, text, (("fig3_character.png", "(b) the target's strokes in order, (c) the network's "
                                                             "closed-loop output, (d) the spread across initial "
                                                             "states before and after innate training."),),
                         verdicts)


STUDY = Study(
    name="fig3_character",
    title="Fig. 3: innate training and FORCE make 800 MTJs write a character.",
    description=__doc__,
    run=run,
    outputs=("fig3_character.nc", "fig3_character.png"),
    options=(
        click.Option(["--character-file"], type=click.Path(dir_okay=False), default=None,
                     help="A Make Me a Hanzi / hanzi-writer-data JSON record (default: the built-in 师)."),
        seed_option("Draws the network, its states and the noise."),
        mode_option(),
        click.Option(["--n-mtj"], default=800, show_default=True, help="Number of MTJs."),
        click.Option(["--test-runs"], default=2, show_default=True,
                     help="Closed-loop tests from different initial states."),
        click.Option(["--control/--no-control"], default=True, show_default=True,
                     help="Also train and test the network without innate training."),
        click.Option(["--input-scale"], default=ARCHITECTURE["input_scale"], show_default=True,
                     help="Scale of the input weights (weaker inputs leave more to the recurrent dynamics)."),
        params_option(),
    ),
    full={"mode": "device"},
    quick={"mode": "surrogate"},
    hot=("--mode", "surrogate", "--n-mtj", "100", "--test-runs", "1", "--no-control"),
    report=report,
)
