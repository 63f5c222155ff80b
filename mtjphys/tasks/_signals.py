"""Measurements on a network's output signal: its dominant period and its amplitude."""

from __future__ import annotations

import numpy as np

from .._errors import MtjphysError


def dominant_period(signal: np.ndarray, step: float, padding: int = 64) -> float:
    """The period [s] of the strongest spectral peak (mean removed, Hann window, zero padding,
    parabolic interpolation of the log magnitude around the peak)."""
    signal = np.asarray(signal, dtype=float)
    if signal.size < 8 or not np.all(np.isfinite(signal)):
        raise MtjphysError("need at least 8 finite samples to measure a period")
    values = (signal - signal.mean()) * np.hanning(signal.size)
    size = padding * signal.size
    spectrum = np.abs(np.fft.rfft(values, size))
    peak = int(np.argmax(spectrum[1:-1])) + 1
    if spectrum[peak] == 0:
        return float("inf")
    left, centre, right = np.log(spectrum[peak - 1 : peak + 2] + 1e-300)
    offset = 0.5 * (left - right) / (left - 2 * centre + right) if left - 2 * centre + right != 0 else 0.0
    frequency = (peak + offset) / (size * step)
    return 1.0 / frequency


def amplitude(signal: np.ndarray) -> float:
    """sqrt(2) times the standard deviation: the amplitude of a sinusoid."""
    return float(np.sqrt(2) * np.std(np.asarray(signal, dtype=float)))
