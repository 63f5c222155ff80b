"""Supplementary: training MTJ networks by backpropagation through time (BPTT), compared with FORCE.

    mtjphys study supp_backprop -o results/ [--seed 0] [--seeds 5] [--n-mtj 40] [--device-mtj 20] [--quick]

Every seed draws one network and one task; FORCE and BPTT (`mtjphys.networks.train_bptt`: Adam,
gradient clipping, truncated BPTT) train copies of the same network, in surrogate mode:

(a) Fig. 2's sine generation. FORCE: the paper's protocol (`mtjphys.sine_generation_run`). BPTT:
    in closed loop, the readout fed back through W_f; each training sequence starts from a random
    state, is teacher-forced (the feedback carries the target) for two periods at a random phase,
    then runs freely for 240 steps, the loss the mean squared error of the generated sine; J,
    W_out and W_f are trained, first on the first target, then on the second. Judged as FORCE is
    (`mtjphys.generation_metrics`) on the protocol's timeline: where FORCE learns, the BPTT-trained
    network is teacher-forced; where FORCE runs freely, it runs freely.
(b) Fig. 4's square/sine recognition at 5 % noise (`mtjphys.recognition_task`; FORCE as the Fig. 4
    study runs it). BPTT: mean squared error on the same per-step targets over the 60 training
    windows (W_in, J, b and W_out trained); class = sign of the window's mean output.
(c) Sequential digits: scikit-learn's 8 x 8 digits fed row by row (8 steps of 8 inputs in [-1, 1]),
    the state reset before each image, the class = argmax of 10 readouts after the last row.
    FORCE: RLS (`mtjphys.rls_step`, P0 = I) on the MTJ outputs after each training image's last
    row toward one-hot targets, one pass. BPTT: softmax cross-entropy (W_in, J, W_out trained).

Device mode, where every MTJ's LLG solve is differentiated in every step: the digits on a network
of --device-mtj MTJs and a subset of the images, a few epochs, with the wall time per update; and
the surrogate-trained weights of the same network tested in device mode.

Writes supp_backprop.nc and supp_backprop.png.
"""

from __future__ import annotations

import json
import time

import click
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import xarray as xr
from matplotlib.figure import Figure
from mtjphys.studies import fig4_recognition as fig4

import mtjphys as mp
from mtjphys.data import provenance
from mtjphys.networks import (
    cross_entropy_loss,
    default_optimizer,
    ForceReadout,
    make_sequences,
    rollout,
    scaled_input,
    sequence_readouts,
    train_bptt,
)
from mtjphys.reproduction import (
    count_in_words,
    params_option,
    prepare_outputs,
    quick_option,
    ReportSection,
    save_figure,
    seed_option,
    seeds_option,
    spread_in_words,
    Study,
    verdict,
)
from mtjphys.tasks import FREE_WINDOWS, SEGMENTS, sequential_digits_task, SINE_ARCHITECTURE

TASKS = ("sine_generation", "recognition", "digits")
TRAINERS = ("force", "bptt")
STEP = mp.NEURON_WINDOW
RECOGNITION_NOISE = 0.05
DIGITS_ARCHITECTURE = {"connection_probability": 0.1, "gain": 1.0, "leak": 0.5, "feedback_scale": 0.0,
                       "input_scale": 1.0, "bias_scale": 0.5}
DIGITS_REGULARIZATION = 1.0  # RLS P0 = I / alpha (the test accuracy barely moves from alpha 10 to 0.001)
ROWS = 8  # steps per image
# BPTT settings, one set for every seed (picked by hand on seed 0's training loss)
SINE_BPTT = {"sequences": 32, "warm_up_steps": 100, "free_steps": 240, "epochs": 150, "batch_size": 16,
             "truncation": 50, "learning_rate": 1e-2, "clip_norm": 1.0,
             "trainable": ["recurrent", "readout", "feedback"]}
RECOGNITION_BPTT = {"epochs": 60, "batch_size": 20, "truncation": None, "learning_rate": 1e-2, "clip_norm": 1.0,
                    "trainable": ["input_weights", "recurrent", "bias", "readout"]}
DIGITS_BPTT = {"epochs": 20, "batch_size": 32, "truncation": None, "learning_rate": 1e-2, "clip_norm": 1.0,
               "trainable": ["input_weights", "recurrent", "readout"]}
DEVICE_DIGITS = {"images": 400, "epochs": 3, "batch_size": 20, "learning_rate": 3e-2}
QUICK = {"sine_epochs": 30, "recognition_epochs": 15, "digits_epochs": 4, "digits_images": 400}
PUBLISHED_DIGITS = {"accuracy": 0.898, "std": 0.029,
                    "source": "Plouet et al. 2024, BPTT-trained network of spin-torque oscillators"}


# ---- (a) sine generation ---------------------------------------------------------------------
def sine_sequences(segment: dict, n_mtj: int, rng: np.random.Generator, settings: dict):
    """BPTT's training sequences for one target: random initial states and phases, teacher-forced for the
    warm-up (the same number of steps for both targets, so one compiled update serves both), then free (the
    loss steps)."""
    period_steps = segment["period"] / STEP
    warm = settings["warm_up_steps"]
    steps = warm + settings["free_steps"]
    count = settings["sequences"]
    phase = rng.uniform(0, 2 * np.pi, count)
    n = np.arange(steps)
    targets = segment["amplitude"] * np.sin(2 * np.pi * n[None] / period_steps + phase[:, None])
    forced = np.zeros((count, steps), bool)
    forced[:, :warm] = True
    return make_sequences(targets[..., None], loss_steps=~forced, teacher_forcing=forced,
                          x0=rng.normal(0.0, 0.5, (count, n_mtj)))


def protocol_run(networks, seed: int, n_mtj: int) -> xr.Dataset:
    """The BPTT-trained networks (one per segment) on the Fig. 2 timeline: teacher-forced where FORCE learns,
    free where FORCE runs freely, from FORCE's initial state. Returns: a dataset with `output` and `target`."""
    task = mp.sine_generation_task(SEGMENTS)
    learning, target = task.learning.values, task.target.isel(readout=0).values
    segment_of_step = np.cumsum(task.reset_trainer.values)
    x = jnp.asarray(np.random.default_rng([seed, 1]).normal(0.0, 0.5, n_mtj))  # as sine_generation_run draws it
    parts = [segment_of_step == index for index in range(len(networks))]
    output = np.asarray(_protocol(list(networks), x, [jnp.asarray(learning[p]) for p in parts],
                                  [jnp.asarray(target[p, None]) for p in parts]))
    return xr.Dataset({"output": ("time", output, {"units": "1", "long_name": "network output z"}),
                       "target": ("time", target, {"units": "1", "long_name": "target output"}),
                       "learning": ("time", learning, {"units": "1", "long_name": "teacher forcing on"})},
                      coords={"time": task.time})


@eqx.filter_jit
def _protocol(networks, x, forced_parts, target_parts):
    """The segments in turn, each network from where the previous one left the state. Returns: z (T,)."""
    outputs, magnetization = [], networks[0].equilibrium
    for network, forced, targets in zip(networks, forced_parts, target_parts):
        run = rollout(network, jnp.zeros((forced.shape[0], 0)), x0=x, magnetization=magnetization,
                      teacher_forcing=forced, forced_readouts=targets)
        outputs.append(run.readouts[:, 0])
        x, magnetization = run.x, run.magnetization
    return jnp.concatenate(outputs)


def sine_trial(seed: int, *, n_mtj: int, epochs: int, parameters: mp.Parameters | None = None,
               progress=True) -> dict:
    """Returns: FORCE's and BPTT's generation metrics on the network of `seed` (MTJs of `parameters`, default the
    reference), BPTT's loss history, its time per update, and both outputs over the protocol."""
    force = mp.sine_generation_run(seed, mode="surrogate", n_mtj=n_mtj, parameters=parameters, progress=False)
    network = mp.random_network(mp.Architecture(n_mtj=n_mtj, n_outputs=1, **SINE_ARCHITECTURE), parameters,
                                seed=seed, mode="surrogate")
    settings = {**SINE_BPTT, "epochs": epochs}
    rng = np.random.default_rng([seed, 11])
    networks, losses, times = [], [], []
    for index, segment in enumerate(SEGMENTS):
        network, history = train_bptt(
            network, sine_sequences(segment, n_mtj, rng, settings), trainable=settings["trainable"],
            epochs=epochs, batch_size=settings["batch_size"], truncation=settings["truncation"],
            optimizer=default_optimizer(settings["learning_rate"], settings["clip_norm"]), seed=seed + index,
            progress=f"sine BPTT seed {seed}, target {index + 1}" if progress else False)
        networks.append(network)
        losses.append(history.loss.values)
        times.append(history.update_time.values[1:])  # the first compiles
    bptt = protocol_run(networks, seed, n_mtj)
    return {"force": mp.generation_metrics(force), "bptt": mp.generation_metrics(bptt),
            "loss": np.concatenate(losses), "update_time": float(np.median(np.concatenate(times))),
            "force_output": force.output.values, "bptt_output": bptt.output.values, "target": bptt.target.values}


# ---- (b) recognition -------------------------------------------------------------------------
def recognition_sequences(task: xr.Dataset):
    """One sequence per window: its input and per-step target, the state reset at its start."""
    windows = task.sizes["trial"]
    steps = task.sizes["time"] // windows
    inputs = task.input.transpose("time", "input_node").values.reshape(windows, steps, -1)
    targets = task.target.transpose("time", "readout").values.reshape(windows, steps, -1)
    reset = np.zeros((windows, steps), bool)
    reset[:, 0] = True
    return make_sequences(targets, inputs=inputs, reset_state=reset)


def recognition_trial(seed: int, *, n_mtj: int, epochs: int, parameters: mp.Parameters | None = None,
                      progress=True) -> dict:
    """Returns: FORCE's and BPTT's test accuracy on the network and task of `seed` (MTJs of `parameters`),
    BPTT's loss history and its time per update."""
    omegas = {"omega_square": 0.16e9, "omega_sine": 0.21e9}
    force = fig4.run_trial(seed=seed, noise=RECOGNITION_NOISE, mode="surrogate", n_mtj=n_mtj, progress=False,
                           parameters=parameters, **omegas)
    task = mp.recognition_task(noise=RECOGNITION_NOISE, seed=seed, **omegas)
    architecture = mp.Architecture(n_mtj=n_mtj, n_inputs=1, n_outputs=1, **fig4.ARCHITECTURE)
    network = mp.random_network(architecture, parameters, seed=seed, mode="surrogate")
    sequences = recognition_sequences(task)
    train = np.flatnonzero(task.split.values == "train")
    settings = {**RECOGNITION_BPTT, "epochs": epochs}
    network, history = train_bptt(network, sequences.take(train), trainable=settings["trainable"], epochs=epochs,
                                  batch_size=settings["batch_size"], truncation=settings["truncation"],
                                  optimizer=default_optimizer(settings["learning_rate"], settings["clip_norm"]),
                                  seed=seed, progress=f"recognition BPTT seed {seed}" if progress else False)
    readouts = sequence_readouts(network, sequences)
    run = fig4.classify(task.assign(output=(("time", "readout"), readouts.reshape(-1, 1))))
    return {"force": fig4.accuracy_on_test(force), "bptt": fig4.accuracy_on_test(run), "loss": history.loss.values,
            "update_time": float(np.median(history.update_time.values[1:]))}


# ---- (c) sequential digits -------------------------------------------------------------------
def digits_data(seed: int, limit: int | None):
    """Returns: (sequences, labels, train indices, test indices) of the digits task of `seed`."""
    task = sequential_digits_task(seed=seed, limit=limit)
    images = task.sizes["trial"]
    inputs = scaled_input(task).reshape(images, ROWS, -1)
    labels = task.label.values
    targets = np.zeros((images, ROWS, 10))
    targets[np.arange(images), -1, labels] = 1.0  # one-hot, read after the last row
    last_row = np.zeros((images, ROWS), bool)
    last_row[:, -1] = True
    first_row = np.zeros((images, ROWS), bool)
    first_row[:, 0] = True
    sequences = make_sequences(targets, inputs=inputs, loss_steps=last_row, reset_state=first_row)
    split = task.split.values
    return sequences, labels, np.flatnonzero(split == "train"), np.flatnonzero(split == "test")


@eqx.filter_jit
def _last_outputs(network, inputs):
    """The MTJ outputs r after each image's last row, from rest."""
    return jax.vmap(lambda u: rollout(network, u).outputs[-1])(inputs)


def force_digits(network, sequences, labels, train, test, chunk: int = 200) -> float:
    """FORCE on the digits. Returns: its test accuracy."""
    chunk = min(chunk, sequences.count)
    outputs = []
    for start in range(0, sequences.count, chunk):
        index = np.arange(start, min(start + chunk, sequences.count))
        padded = np.concatenate([index, np.full(chunk - index.size, index[-1])])  # one compiled shape
        outputs.append(np.asarray(_last_outputs(network, sequences.inputs[padded]))[:index.size])
    outputs = np.concatenate(outputs)
    one_hot = np.asarray(sequences.targets[:, -1])
    weights = ForceReadout(regularization=DIGITS_REGULARIZATION).fit(outputs[train], one_hot[train])
    return float(np.mean(np.argmax(outputs[test] @ weights.T, axis=1) == labels[test]))


def digits_accuracy(network, sequences, labels, index) -> float:
    readouts = sequence_readouts(network, sequences.take(index))[:, -1]
    return float(np.mean(np.argmax(readouts, axis=1) == labels[index]))


def digits_trial(seed: int, *, n_mtj: int, mode: str, limit: int | None, epochs: int, batch_size: int,
                 learning_rate: float, parameters: mp.Parameters | None = None, progress=True,
                 surrogate_check: bool = False) -> dict:
    """Returns: FORCE's and BPTT's test accuracy on the digits with the network of `seed` (MTJs of
    `parameters`) in `mode`, BPTT's loss history and time per update (and, with `surrogate_check`, the accuracy
    in `mode` of the weights BPTT trains on the same network in surrogate mode)."""
    sequences, labels, train, test = digits_data(seed, limit)
    architecture = mp.Architecture(n_mtj=n_mtj, n_inputs=8, n_outputs=10, **DIGITS_ARCHITECTURE)
    network = mp.random_network(architecture, parameters, seed=seed, mode=mode)
    start = time.perf_counter()
    force = force_digits(network, sequences, labels, train, test)
    force_time = time.perf_counter() - start
    options = {"loss": cross_entropy_loss, "trainable": DIGITS_BPTT["trainable"], "epochs": epochs,
               "batch_size": batch_size, "optimizer": default_optimizer(learning_rate, DIGITS_BPTT["clip_norm"]),
               "seed": seed}
    trained, history = train_bptt(network, sequences.take(train),
                                  progress=f"digits BPTT {mode} seed {seed}" if progress else False, **options)
    result = {"force": force, "bptt": digits_accuracy(trained, sequences, labels, test),
              "bptt_train": digits_accuracy(trained, sequences, labels, train), "loss": history.loss.values,
              "update_time": float(np.median(history.update_time.values[1:])), "force_time": force_time}
    if surrogate_check:
        surrogate = mp.random_network(architecture, parameters, seed=seed, mode="surrogate")
        surrogate, _ = train_bptt(surrogate, sequences.take(train), progress=False, **options)
        names = DIGITS_BPTT["trainable"]
        moved = eqx.tree_at(lambda net: [getattr(net, name) for name in names], network,
                            [getattr(surrogate, name) for name in names])
        result["surrogate_trained"] = digits_accuracy(moved, sequences, labels, test)
    return result


# ---- the study -------------------------------------------------------------------------------
def _padded(rows: list[np.ndarray]) -> np.ndarray:
    """Rows of different lengths as one array, NaN after each row's end."""
    out = np.full((len(rows), max(len(r) for r in rows)), np.nan)
    for index, row in enumerate(rows):
        out[index, :len(row)] = row
    return out


def _coordinate(name: str, values, units: str, long_name: str):
    return (name, list(values), {"units": units, "long_name": long_name})


def compute(seeds: list[int], *, n_mtj: int, device_mtj: int, device_seeds: int, quick: bool,
            parameters: mp.Parameters | None = None, progress=True) -> xr.Dataset:
    """Returns: the study's dataset (every seed's FORCE and BPTT figures, BPTT's loss histories, the first
    seed's sine outputs, and the device-mode digits)."""
    sine_epochs = QUICK["sine_epochs"] if quick else SINE_BPTT["epochs"]
    recognition_epochs = QUICK["recognition_epochs"] if quick else RECOGNITION_BPTT["epochs"]
    digits_epochs = QUICK["digits_epochs"] if quick else DIGITS_BPTT["epochs"]
    digits_images = QUICK["digits_images"] if quick else None
    sine, recognition, digits = [], [], []
    for seed in seeds:
        sine.append(sine_trial(seed, n_mtj=n_mtj, epochs=sine_epochs, parameters=parameters, progress=progress))
        recognition.append(recognition_trial(seed, n_mtj=n_mtj, epochs=recognition_epochs, parameters=parameters,
                                             progress=progress))
        digits.append(digits_trial(seed, n_mtj=n_mtj, mode="surrogate", limit=digits_images, epochs=digits_epochs,
                                   batch_size=DIGITS_BPTT["batch_size"], learning_rate=DIGITS_BPTT["learning_rate"],
                                   parameters=parameters, progress=progress))
    by_trainer = lambda trials, get: np.array([[get(t[trainer]) for t in trials] for trainer in TRAINERS])
    dims = ("trainer", "seed")
    data = {
        "sine_passed": (dims, by_trainer(sine, lambda m: m["passed"]).astype(np.int8),
                        {"units": "1", "long_name": "both free runs within 2 % in period and 5 % in amplitude"}),
        "sine_generation_error": (dims, by_trainer(sine, lambda m: m["generation_error"]),
                                  {"units": "1", "long_name": "RMS error over the first 150 ns of the free runs / "
                                                              "target RMS (mean of the two)"}),
        "sine_period_error": (dims, by_trainer(sine, lambda m: m["period_error"]),
                              {"units": "1", "long_name": "worst relative error of the free runs' period"}),
        "sine_amplitude_error": (dims, by_trainer(sine, lambda m: m["amplitude_error"]),
                                 {"units": "1", "long_name": "worst relative error of the free runs' amplitude"}),
        "recognition_accuracy": (dims, by_trainer(recognition, float),
                                 {"units": "1", "long_name": "test accuracy, square against sine (100 windows)"}),
        "digits_accuracy": (dims, by_trainer(digits, float),
                            {"units": "1", "long_name": "test accuracy on the sequential digits"}),
        "digits_bptt_train_accuracy": ("seed", [d["bptt_train"] for d in digits],
                                       {"units": "1", "long_name": "BPTT's accuracy on the training digits"}),
        "bptt_loss": (("task", "seed", "update"),
                      _padded([row for trials in (sine, recognition, digits) for row in (t["loss"] for t in trials)])
                      .reshape(len(TASKS), len(seeds), -1),
                      {"units": "1", "long_name": "BPTT minibatch loss before each update (sine: MSE over both "
                                                  "targets' training in turn; recognition: MSE; digits: "
                                                  "cross-entropy in nats); NaN after the last update"}),
        "update_time": (("task", "seed"),
                        [[t["update_time"] for t in trials] for trials in (sine, recognition, digits)],
                        {"units": "s", "long_name": "median wall time of a BPTT update (compilation excluded)"}),
        "sine_output": (("trainer", "time"), np.stack([sine[0]["force_output"], sine[0]["bptt_output"]]),
                        {"units": "1", "long_name": f"output over the Fig. 2 protocol, seed {seeds[0]}"}),
        "sine_target": ("time", sine[0]["target"], {"units": "1", "long_name": "target output"}),
    }
    task = mp.sine_generation_task(SEGMENTS)
    coords = {
        "trainer": _coordinate("trainer", TRAINERS, "", "training rule"),
        "seed": _coordinate("seed", seeds, "1", "network and task seed"),
        "task": _coordinate("task", TASKS, "", "task"),
        "update": _coordinate("update", range(data["bptt_loss"][1].shape[2]), "1", "BPTT update"),
        "time": task.time,
    }
    attrs = {"n_mtj": n_mtj, "mode": "surrogate", "quick": int(quick), "recognition_noise": RECOGNITION_NOISE,
             "sine_bptt": {**SINE_BPTT, "epochs": sine_epochs},
             "recognition_bptt": {**RECOGNITION_BPTT, "epochs": recognition_epochs},
             "digits_bptt": {**DIGITS_BPTT, "epochs": digits_epochs}, "digits_images": digits_images or "all",
             "digits_architecture": DIGITS_ARCHITECTURE, "digits_regularization": DIGITS_REGULARIZATION,
             "sine_architecture": SINE_ARCHITECTURE, "recognition_architecture": fig4.ARCHITECTURE,
             "device_mtj": device_mtj}
    if device_mtj and device_seeds:
        device = [digits_trial(seed, n_mtj=device_mtj, mode="device", limit=DEVICE_DIGITS["images"],
                               epochs=DEVICE_DIGITS["epochs"], batch_size=DEVICE_DIGITS["batch_size"],
                               learning_rate=DEVICE_DIGITS["learning_rate"], parameters=parameters, progress=progress,
                               surrogate_check=True)
                  for seed in seeds[:device_seeds]]
        device_dims = ("trainer", "device_seed")
        data.update({
            "device_digits_accuracy": (device_dims, by_trainer(device, float),
                                       {"units": "1", "long_name": "test accuracy on the digits, trained and tested "
                                                                   "in device mode"}),
            "device_surrogate_trained_accuracy": ("device_seed", [d["surrogate_trained"] for d in device],
                                                  {"units": "1", "long_name": "device-mode test accuracy of the "
                                                                              "weights BPTT trained in surrogate "
                                                                              "mode"}),
            "device_bptt_loss": (("device_seed", "device_update"), _padded([d["loss"] for d in device]),
                                 {"units": "1", "long_name": "device-mode BPTT minibatch cross-entropy (nats)"}),
            "device_update_time": ("device_seed", [d["update_time"] for d in device],
                                   {"units": "s", "long_name": "median wall time of a device-mode BPTT update "
                                                               "(compilation excluded)"}),
            "device_force_time": ("device_seed", [d["force_time"] for d in device],
                                  {"units": "s", "long_name": "wall time of FORCE in device mode (the states of "
                                                              "every image, then RLS; compilation included)"}),
        })
        coords["device_seed"] = _coordinate("device_seed", seeds[:device_seeds], "1", "seed of the device-mode run")
        coords["device_update"] = _coordinate("device_update", range(data["device_bptt_loss"][1].shape[1]), "1",
                                              "device-mode BPTT update")
        attrs["device_digits"] = {**DEVICE_DIGITS, "n_mtj": device_mtj}
    dataset = xr.Dataset(data, coords=coords)
    dataset.attrs.update(provenance(parameters or mp.Parameters(), study="supp_backprop", seed=seeds[0], **attrs))
    return dataset


def _spread(values) -> dict:
    """Mean and sample standard deviation (0 for one value) over seeds."""
    values = np.asarray(values, dtype=float)
    return {"mean": float(values.mean()), "std": float(values.std(ddof=1)) if values.size > 1 else 0.0}


def summarise(dataset: xr.Dataset) -> dict:
    """Returns: the study's figures from its dataset (mean ± standard deviation over seeds)."""
    seeds = [int(s) for s in dataset.seed.values]
    summary = {"seeds": seeds, "n_mtj": int(dataset.attrs["n_mtj"]), "mode": str(dataset.attrs["mode"]),
               "quick": bool(dataset.attrs["quick"]), "published_digits": PUBLISHED_DIGITS}
    for trainer in TRAINERS:
        at = dataset.sel(trainer=trainer)
        summary[f"sine_{trainer}"] = {"passed": int(at.sine_passed.sum()),
                                      "generation_error": _spread(at.sine_generation_error.values),
                                      "worst_period_error": float(at.sine_period_error.max()),
                                      "worst_amplitude_error": float(at.sine_amplitude_error.max())}
        summary[f"recognition_{trainer}"] = _spread(at.recognition_accuracy.values)
        summary[f"digits_{trainer}"] = _spread(at.digits_accuracy.values)
    summary["digits_bptt_train"] = _spread(dataset.digits_bptt_train_accuracy.values)
    last = lambda row: float(row[np.isfinite(row)][-1])
    summary["bptt_loss"] = {}
    for task in dataset.task.values:
        rows = dataset.bptt_loss.sel(task=task).values
        summary["bptt_loss"][str(task)] = {"first": _spread([float(r[0]) for r in rows]),
                                           "last": _spread([last(r) for r in rows]),
                                           "updates": int(np.isfinite(rows[0]).sum())}
    summary["seconds_per_update"] = {str(task): float(dataset.update_time.sel(task=task).median())
                                     for task in dataset.task.values}
    if "device_digits_accuracy" in dataset:
        device = json.loads(dataset.attrs["device_digits"])
        summary["device"] = {
            "n_mtj": int(device["n_mtj"]), "images": int(device["images"]), "epochs": int(device["epochs"]),
            "batch_size": int(device["batch_size"]), "seeds": [int(s) for s in dataset.device_seed.values],
            "force": _spread(dataset.device_digits_accuracy.sel(trainer="force").values),
            "bptt": _spread(dataset.device_digits_accuracy.sel(trainer="bptt").values),
            "surrogate_trained": _spread(dataset.device_surrogate_trained_accuracy.values),
            "updates": int(np.isfinite(dataset.device_bptt_loss.values[0]).sum()),
            "seconds_per_update": _spread(dataset.device_update_time.values),
            "force_seconds": _spread(dataset.device_force_time.values)}
    if "wall_time_s" in dataset.attrs:
        summary["wall_time_s"] = float(dataset.attrs["wall_time_s"])
    return summary


def plot(dataset: xr.Dataset) -> Figure:
    """Returns: (a) BPTT's loss per update, (b) the first seed's first free run, (c) the accuracies and
    (d) the sine generation errors, FORCE against BPTT, mean ± std over seeds."""
    figure = Figure(figsize=(12, 7.5), layout="constrained")
    (loss_axes, sine_axes), (accuracy_axes, error_axes) = figure.subplots(2, 2)
    for index, task in enumerate(dataset.task.values):
        losses = dataset.bptt_loss.sel(task=task)
        loss_axes.plot(losses.update, losses.mean("seed"), color=f"C{index}", label=str(task).replace("_", " "))
    if "device_bptt_loss" in dataset:
        device = dataset.device_bptt_loss
        loss_axes.plot(device.device_update, device.mean("device_seed"), color="C3", ls="--",
                       label=f"digits, device mode (N={json.loads(dataset.attrs['device_digits'])['n_mtj']})")
    loss_axes.set(yscale="log", xlabel="BPTT update", ylabel="minibatch loss", title="(a) BPTT training loss")
    loss_axes.legend(fontsize=8)
    start = FREE_WINDOWS["first"][0]
    t = dataset.time.values
    shown = (t >= start - 60e-9) & (t < start + 240e-9)
    sine_axes.plot(1e9 * t[shown], dataset.sine_target.values[shown], color="k", lw=1.2, label="target")
    for index, trainer in enumerate(TRAINERS):
        sine_axes.plot(1e9 * t[shown], dataset.sine_output.sel(trainer=trainer).values[shown], color=f"C{index + 1}",
                       lw=1.0, label=trainer.upper())
    sine_axes.axvline(1e9 * start, color="0.5", ls=":", lw=0.8)
    sine_axes.set(xlabel="time (ns)", ylabel="output", title=f"(b) free run from {1e9 * start:g} ns, seed "
                                                             f"{int(dataset.seed.values[0])}")
    sine_axes.legend(fontsize=8, ncols=3, loc="upper right")
    groups = [("recognition", dataset.recognition_accuracy), ("digits", dataset.digits_accuracy)]
    if "device_digits_accuracy" in dataset:
        groups.append(("digits, device mode", dataset.device_digits_accuracy.rename(device_seed="seed")))
    width = 0.38
    for k, trainer in enumerate(TRAINERS):
        means = [100 * float(a.sel(trainer=trainer).mean()) for _, a in groups]
        stds = [100 * _spread(a.sel(trainer=trainer).values)["std"] for _, a in groups]
        accuracy_axes.bar(np.arange(len(groups)) + (k - 0.5) * width, means, width, yerr=stds, capsize=3,
                          color=f"C{k + 1}", label=trainer.upper())
    published = PUBLISHED_DIGITS
    accuracy_axes.errorbar([1.0], [100 * published["accuracy"]], yerr=[100 * published["std"]], fmt="k*", ms=9,
                           capsize=3, label="Plouet et al. 2024 (BPTT, STO network)")
    accuracy_axes.set_xticks(np.arange(len(groups)), [name for name, _ in groups])
    accuracy_axes.set(ylabel="test accuracy (%)", ylim=(0, 125),
                      title=f"(c) classification, {dataset.sizes['seed']} seed(s), mean ± std")
    accuracy_axes.legend(fontsize=8, loc="upper center", ncols=3)
    for k, trainer in enumerate(TRAINERS):
        errors = 100 * dataset.sine_generation_error.sel(trainer=trainer).values
        error_axes.plot(np.full(errors.size, k) + np.linspace(-0.1, 0.1, errors.size), errors, "o", color=f"C{k + 1}")
        error_axes.errorbar([k + 0.25], [errors.mean()], yerr=[_spread(errors)["std"]], fmt="s", color="k", capsize=3)
    error_axes.set_xticks(range(len(TRAINERS)), [t.upper() for t in TRAINERS])
    error_axes.set(ylabel="generation error (% of target RMS)", yscale="log",
                   title="(d) sine generation: free-run error per seed (black: mean ± std)")
    return figure


def run(output_dir, *, seed: int = 0, seeds: int = 5, n_mtj: int = 40, device_mtj: int = 20, device_seeds: int = 2,
        quick: bool = False, parameters: mp.Parameters | None = None, overwrite: bool = False, progress=True) -> dict:
    """Run the study, write supp_backprop.nc and .png into `output_dir`. Returns: the summary."""
    for name, value, low in (("--seed", seed, 0), ("--seeds", seeds, 1), ("--n-mtj", n_mtj, 2),
                             ("--device-mtj", device_mtj, 0), ("--device-seeds", device_seeds, 0)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise mp.MtjphysError(f"{name} must be a whole number >= {low}, got {value!r}")
    if device_mtj == 1:
        raise mp.MtjphysError("--device-mtj must be 0 (no device-mode run) or at least 2")
    if seed + seeds - 1 > mp.MAX_SEED:
        raise mp.MtjphysError(f"--seed + --seeds must stay below 2^63, got {seed} and {seeds}")
    netcdf, png = prepare_outputs(output_dir, STUDY.outputs, overwrite)
    start = time.perf_counter()
    dataset = compute(list(range(seed, seed + seeds)), n_mtj=n_mtj, device_mtj=0 if quick else device_mtj,
                      device_seeds=device_seeds, quick=quick, parameters=parameters, progress=progress)
    dataset.attrs["wall_time_s"] = round(time.perf_counter() - start, 1)
    summary = summarise(dataset)
    dataset.attrs["summary"] = json.dumps(summary)
    mp.write_dataset(dataset, netcdf, overwrite=overwrite)
    save_figure(plot(dataset), png, overwrite=overwrite, study="supp_backprop")
    return summary


def _percent(spread: dict, count: int) -> str:
    return spread_in_words(100 * spread["mean"], 100 * spread["std"], count, ".1f", " %")


def report(summary: dict) -> ReportSection:
    count, n = len(summary["seeds"]), summary["n_mtj"]
    where = f"{summary['mode']} mode, N = {n}, " + ("1 seed" if count == 1 else f"{count} seeds, mean ± std")
    sine = {t: summary[f"sine_{t}"] for t in TRAINERS}
    sine_text = "; ".join(f"{t.upper()} {sine[t]['passed']} of {count} pass, generation error "
                          f"{_percent(sine[t]['generation_error'], count)}" for t in TRAINERS)
    recognition = "; ".join(f"{t.upper()} {_percent(summary[f'recognition_{t}'], count)}" for t in TRAINERS)
    digits = "; ".join(f"{t.upper()} {_percent(summary[f'digits_{t}'], count)}" for t in TRAINERS)
    published = summary["published_digits"]
    rows = [
        ("Sine generation (Fig. 2 protocol), FORCE against BPTT in closed loop", "FORCE: both sines sustained "
         "(one network)", f"{sine_text} ({where})"),
        ("Square/sine recognition (Fig. 4, 5 % noise), test accuracy", "100 of 100 (FORCE)",
         f"{recognition} ({where})"),
        ("Sequential digits (8 x 8, row by row), test accuracy",
         f"{100 * published['accuracy']:.1f} ± {100 * published['std']:.1f} % ({published['source']})",
         f"{digits} ({where})"),
        ("Time per BPTT update, surrogate mode", "not given",
         ", ".join(f"{task.replace('_', ' ')} {1e3 * s:.1f} ms" for task, s in summary["seconds_per_update"].items())),
    ]
    bptt_digits = summary["digits_bptt"]
    verdicts = [verdict(sine["force"]["passed"], True, trials=count),
                verdict(summary["recognition_force"]["mean"], 1.0, within=0.01),
                verdict(bptt_digits["mean"], published["accuracy"], sigmas=2.0,
                        spread=bptt_digits["std"] if count > 1 else 0.0, paper_spread=published["std"]),
                verdict(summary["seconds_per_update"], None)]
    text = [f"FORCE and BPTT train copies of the same network of {n} MTJs per seed ({where}). Sine generation: "
            f"{sine_text}. Recognition: {recognition}. Digits: {digits} (BPTT on its training images "
            f"{_percent(summary['digits_bptt_train'], count)}; published {100 * published['accuracy']:.1f} ± "
            f"{100 * published['std']:.1f} %)."]
    if "device" in summary:
        device = summary["device"]
        runs = len(device["seeds"])
        measured = (f"FORCE {_percent(device['force'], runs)}, BPTT {_percent(device['bptt'], runs)} "
                    f"({device['updates']} updates of {device['batch_size']} images), surrogate-trained weights "
                    f"{_percent(device['surrogate_trained'], runs)}; {device['seconds_per_update']['mean']:.2f} s per "
                    "update")
        rows.append((f"Digits in device mode ({device['n_mtj']} MTJs, {device['images']} images, gradients through "
                     "every LLG solve)", "not given", measured))
        verdicts.append(verdict(device["force"]["mean"], None))
        text.append(f"Device mode, {device['n_mtj']} MTJs, {device['images']} images (a quarter for testing), "
                    f"{count_in_words(runs, 'seed')}: {measured}.")
    caption = ("(a) BPTT's minibatch loss per update; (b) the first free run of FORCE and BPTT; (c) "
               "test accuracies, mean ± std over seeds, with the published digits figure; (d) sine "
               "generation errors per seed.")
    return ReportSection(tuple(rows), "\n\n".join(text), (("supp_backprop.png", caption),), tuple(verdicts))


STUDY = Study(
    name="supp_backprop",
    title="Supplement: training MTJ networks by backpropagation through time, compared with FORCE.",
    description=__doc__,
    run=run,
    outputs=("supp_backprop.nc", "supp_backprop.png"),
    options=(
        seed_option(),
        seeds_option(5, "networks and tasks"),
        click.Option(["--n-mtj"], type=int, default=40, show_default=True, help="MTJs of the surrogate networks."),
        click.Option(["--device-mtj"], type=int, default=20, show_default=True,
                     help="MTJs of the device-mode digits network (0: no device-mode run)."),
        click.Option(["--device-seeds"], type=int, default=2, show_default=True,
                     help="The first DEVICE_SEEDS of them also run in device mode."),
        quick_option("Short training, 400 digits, no device-mode run."),
        params_option(),
    ),
    full={"seeds": 5},
    quick={"quick": True, "seeds": 1, "n_mtj": 20},
    report=report,
)
