"""Tasks as datasets over discrete time: what the network is fed and what it should output.

A task dataset has a `time` coordinate [s] on the network's step grid (multiples of 1.5 ns) and
the variables the trainers read: `target(time, readout)`, `learning(time)`, and optionally
`input(time, input_node)`, `reset_state(time)`, `reset_trainer(time)`, `closed_loop(time)`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr

from .._errors import MtjphysError
from ..networks._network import STEP
from ._hanzi import Character, CHARACTER_PERIOD

LABELS = {"square": -1, "sine": 1}


def _time(steps: int) -> xr.DataArray:
    return xr.DataArray(np.arange(steps) * STEP, dims="time", attrs={"units": "s", "long_name": "time"})


def _flag(values, text):
    return ("time", np.asarray(values, dtype=bool), {"units": "1", "long_name": text})


def sine_generation_task(segments: Sequence[dict]) -> xr.Dataset:
    """Sine generation with target switches (the paper's Fig. 2 protocol).

    Arguments:
        segments: consecutive parts, each {"amplitude", "period" [s], "learn" [s], "free" [s]}:
            learn for `learn` seconds, then run freely for `free` seconds. The trainer restarts
            (P <- I/alpha) at the start of every segment after the first.

    Returns:
        Task dataset with `target(time, readout)`, `learning`, `reset_trainer`.
    """
    targets, learning, reset = [], [], []
    for index, segment in enumerate(segments):
        amplitude, period = float(segment["amplitude"]), float(segment["period"])
        learn, free = float(segment["learn"]), float(segment["free"])
        if not (np.isfinite(amplitude) and period >= 2 * STEP and learn >= 0 and free >= 0 and learn + free > 0):
            raise MtjphysError(f"segment {index}: need a finite amplitude, a period of at least 2 steps "
                               f"({2 * STEP:g} s) and non-negative durations, got {segment}")
        steps = round((learn + free) / STEP)
        start = len(targets)
        t = (start + np.arange(steps)) * STEP
        targets.extend(amplitude * np.sin(2 * np.pi * t / period))
        learning.extend(np.arange(steps) < round(learn / STEP))
        reset.extend([index > 0] + [False] * (steps - 1))
    if not targets:
        raise MtjphysError("a sine generation task needs at least one segment")
    steps = len(targets)
    return xr.Dataset(
        {
            "target": (("time", "readout"), np.asarray(targets)[:, None], {"units": "1", "long_name": "target output"}),
            "learning": _flag(learning, "learning on"),
            "reset_trainer": _flag(reset, "trainer restarts before this step"),
        },
        coords={"time": _time(steps)},
        attrs={"task": "sine_generation", "segments": str(list(segments))},
    )


def recognition_task(
    *, omega_square: float = 0.16e9, omega_sine: float = 0.21e9, noise: float = 0.05, square_amplitude: float = 2.0,
    sine_amplitude: float = 1.0, window: float = 60e-9, train_windows: int = 60, test_windows: int = 100,
    seed: int = 0,
) -> xr.Dataset:
    """Recognise a square wave A_q sgn(sin(w1 t)) from a sine A_s sin(w2 t) (the paper's Fig. 4).

    One waveform per window (chosen at random), the state reset at every window start; targets -1
    (square) and +1 (sine) during the first `train_windows` windows (learning on), then the
    weights are fixed. Gaussian noise of std `noise` times the waveform's amplitude is added.

    Arguments:
        omega_square, omega_sine: angular frequencies w1, w2 [rad/s].
        noise: relative noise level.
        window: [s] per waveform; must be a whole number of steps.
        seed: draws the waveforms and the noise.

    Returns:
        Task dataset with `input`, `target`, `learning`, `reset_state`, per-step `trial`, and per
        trial `label` (-1 square, +1 sine) and `split` ("train"/"test").
    """
    steps_per_window = round(window / STEP)
    if steps_per_window < 2 or abs(steps_per_window * STEP - window) > 1e-6 * STEP:
        raise MtjphysError(f"window must be a whole number (>= 2) of {STEP:g} s steps, got {window:g} s")
    for name, omega in (("omega_square", omega_square), ("omega_sine", omega_sine)):
        if not (np.isfinite(omega) and 0 < omega < np.pi / STEP):
            raise MtjphysError(f"{name} must lie in (0, pi/step) = (0, {np.pi / STEP:.3g}) rad/s, got {omega:g}")
    if not (np.isfinite(noise) and noise >= 0):
        raise MtjphysError(f"noise must be >= 0, got {noise}")
    if train_windows < 1 or test_windows < 0:
        raise MtjphysError(f"need at least one training window, got {train_windows} (and {test_windows} test)")
    rng = np.random.default_rng(seed)
    trials = train_windows + test_windows
    labels = rng.choice([LABELS["square"], LABELS["sine"]], size=trials)
    steps = trials * steps_per_window
    t = np.arange(steps) * STEP
    trial = np.arange(steps) // steps_per_window
    square = square_amplitude * np.sign(np.sin(omega_square * t))
    sine = sine_amplitude * np.sin(omega_sine * t)
    is_sine = labels[trial] == LABELS["sine"]
    clean = np.where(is_sine, sine, square)
    amplitude = np.where(is_sine, sine_amplitude, square_amplitude)
    signal = clean + noise * amplitude * rng.standard_normal(steps)
    return xr.Dataset(
        {
            "input": (("time", "input_node"), signal[:, None], {"units": "1", "long_name": "input with noise"}),
            "input_clean": (("time",), clean, {"units": "1", "long_name": "input without noise"}),
            "target": (("time", "readout"), labels[trial][:, None].astype(float),
                       {"units": "1", "long_name": "target: -1 square, +1 sine"}),
            "learning": _flag(trial < train_windows, "learning on"),
            "reset_state": _flag(np.arange(steps) % steps_per_window == 0, "MTJs reset before this step"),
            "trial_of_step": ("time", trial, {"units": "1", "long_name": "trial (window) index"}),
            "label": ("trial", labels, {"units": "1", "long_name": "true class: -1 square, +1 sine"}),
            "split": ("trial", np.where(np.arange(trials) < train_windows, "train", "test").astype(object),
                      {"units": "", "long_name": "train or test"}),
        },
        coords={"time": _time(steps), "trial": ("trial", np.arange(trials), {"units": "1", "long_name": "trial"})},
        attrs={"task": "recognition", "omega_square": omega_square, "omega_sine": omega_sine, "noise": noise,
               "square_amplitude": square_amplitude, "sine_amplitude": sine_amplitude, "window": window,
               "seed": seed},
    )


def writing_task(
    character: Character, steps: int, *, period: float = CHARACTER_PERIOD, learning: bool = False,
    closed_loop_from: int | None = None,
) -> xr.Dataset:
    """Write a character: the pen position (x, y) is both the input (two input nodes) and the
    target (two readouts); time runs from 0, so every such task starts at the same phase.

    Arguments:
        character: the (normalised) character.
        steps: length of the task.
        period: [s] to write the character once.
        learning: whether the trainer learns at every step.
        closed_loop_from: from this step on, the input nodes carry the network's own outputs.

    Returns:
        Task dataset with `input(time, input_node)`, `target(time, readout)`, `pen_down`,
        `learning`, `closed_loop`.
    """
    if not (np.isfinite(period) and period >= 4 * STEP):
        raise MtjphysError(f"period must be at least 4 steps ({4 * STEP:g} s), got {period:g}")
    if steps < 1:
        raise MtjphysError(f"a writing task needs at least one step, got {steps}")
    t = np.arange(steps) * STEP
    x, y, pen_down = character.trace(t / period)
    xy = np.stack([x, y], axis=1)
    closed = np.zeros(steps, dtype=bool)
    if closed_loop_from is not None:
        closed[closed_loop_from:] = True
    return xr.Dataset(
        {
            "input": (("time", "input_node"), xy, {"units": "1", "long_name": "pen position fed to the input nodes"}),
            "target": (("time", "readout"), xy, {"units": "1", "long_name": "pen position (x, y)"}),
            "pen_down": _flag(pen_down, "pen on paper (False: moving between strokes)"),
            "learning": _flag(np.full(steps, learning), "learning on"),
            "closed_loop": _flag(closed, "input nodes carry the network's own outputs"),
        },
        coords={"time": _time(steps)},
        attrs={"task": "writing", "character": character.name, "period": period},
    )


