"""The paper's sine-generation protocol (Fig. 2), which the supplementary studies reuse.

A network of MTJs learns by FORCE to generate 0.87 sin(2 pi t / 45 ns) for 4500 ns, then runs
freely; at 5700 ns the target becomes 0.65 sin(2 pi t / 80 ns), learned again until 8700 ns, then
free for 1500 ns more. A run passes when, in both free-running windows, the output's dominant
period is within 2 % of the target's and its amplitude (sqrt(2) std) within 5 %.
"""

from __future__ import annotations

import json

import numpy as np
import xarray as xr

from ..networks._force import train_force
from ..networks._network import Architecture, random_network, STEP
from ._signals import amplitude, dominant_period
from ._tasks import sine_generation_task

SEGMENTS = (
    {"amplitude": 0.87, "period": 45e-9, "learn": 4500e-9, "free": 1200e-9},
    {"amplitude": 0.65, "period": 80e-9, "learn": 3000e-9, "free": 1500e-9},
)
# free-running windows: name -> (start [s], stop [s], segment)
FREE_WINDOWS = {"first": (4500e-9, 5700e-9, SEGMENTS[0]), "second": (8700e-9, 10200e-9, SEGMENTS[1])}
PERIOD_TOLERANCE, AMPLITUDE_TOLERANCE = 0.02, 0.05
# network settings that work (docs/networks.md): leak a, gain g, feedback scale; RLS regularisation
SINE_ARCHITECTURE = {"connection_probability": 0.1, "gain": 1.2, "leak": 0.2, "feedback_scale": 2.0}
SINE_REGULARIZATION = 0.1
GENERATION_SPAN = 150e-9  # [s] of each free run over which the generation error is measured

METRICS = {
    "passed": ("1", "both free windows within 2 % in period and 5 % in amplitude"),
    "period_error": ("1", "worst relative error of the dominant period"),
    "amplitude_error": ("1", "worst relative error of the amplitude"),
    "generation_error": ("1", "RMS error over the first 150 ns of free running / target RMS"),
}


def sine_generation_run(
    seed: int, *, mode: str = "device", n_mtj: int = 40, parameters=None, transfer: xr.Dataset | None = None,
    architecture: dict | None = None, failed_readout: float = 0.0, failure_known: bool = False,
    current_gain=None, nominal=None, preamplifier=None, progress: bool | str = True, **attrs,
) -> xr.Dataset:
    """One run of the protocol on a network drawn from `seed`.

    Arguments:
        seed: draws the network, its initial state and the failed synapses.
        mode: "device" or "surrogate".
        n_mtj: N.
        parameters: the MTJs (one record, or one per MTJ); default the reference device.
        transfer: surrogate mode: a transfer-curve dataset instead of computing one.
        architecture: overrides of `SINE_ARCHITECTURE` (e.g. synaptic_noise, delay).
        failed_readout: fraction of readout synapses that never update (drawn from the seed).
        failure_known: whether FORCE knows which (see `mtjphys.Force`).
        current_gain, nominal, preamplifier: as for `mtjphys.make_nonlinearity`.
        attrs: further attributes of the dataset.

    Returns:
        The run dataset, with one readout: `output(time)` and `target(time)`.
    """
    settings = {**SINE_ARCHITECTURE, **(architecture or {})}
    network = random_network(Architecture(n_mtj=n_mtj, n_outputs=1, **settings), parameters, seed=seed, mode=mode,
                             transfer=transfer, current_gain=current_gain, nominal=nominal, preamplifier=preamplifier)
    x0 = np.random.default_rng([seed, 1]).normal(0.0, 0.5, n_mtj)
    mask = None
    if failed_readout:
        mask = np.random.default_rng([seed, 5]).random((1, n_mtj)) >= failed_readout
    _, dataset = train_force(network, sine_generation_task(SEGMENTS), regularization=SINE_REGULARIZATION, x0=x0,
                             seed=seed, progress=progress, update_mask=mask, mask_known=failure_known,
                             architecture=json.dumps(settings), failed_readout=failed_readout, **attrs)
    return dataset.assign(output=dataset.output.isel(readout=0, drop=True),
                          target=dataset.target.isel(readout=0, drop=True))


def free_run_metrics(dataset: xr.Dataset) -> dict[str, dict]:
    """Returns: per free-running window, the output's period [s] and amplitude, the target's, and
    whether both are within tolerance."""
    metrics = {}
    for name, (start, stop, target) in FREE_WINDOWS.items():
        output = dataset.output.sel(time=slice(start, stop - STEP / 2)).values
        period, size = dominant_period(output, STEP), amplitude(output)
        metrics[name] = {
            "period": period, "amplitude": size, "target_period": target["period"],
            "target_amplitude": target["amplitude"],
            "passed": bool(abs(period / target["period"] - 1) <= PERIOD_TOLERANCE
                           and abs(size / target["amplitude"] - 1) <= AMPLITUDE_TOLERANCE),
        }
    return metrics


def generation_metrics(dataset: xr.Dataset) -> dict[str, float | bool]:
    """Returns: whether both windows passed; the worst relative period and amplitude errors; and
    the generation error: the RMS error over the first 150 ns of each free run relative to the
    target's RMS, averaged over the two windows."""
    windows = free_run_metrics(dataset)
    nrmse = []
    for start, _, target in FREE_WINDOWS.values():
        part = slice(start, start + GENERATION_SPAN)
        error = dataset.output.sel(time=part) - dataset.target.sel(time=part)
        nrmse.append(float(np.sqrt((error**2).mean()) / (target["amplitude"] / np.sqrt(2))))
    return {
        "passed": all(w["passed"] for w in windows.values()),
        "period_error": float(max(abs(w["period"] / w["target_period"] - 1) for w in windows.values())),
        "amplitude_error": float(max(abs(w["amplitude"] / w["target_amplitude"] - 1) for w in windows.values())),
        "generation_error": float(np.mean(nrmse)),
    }


def generation_metrics_dataset(metrics: dict) -> xr.Dataset:
    """A sweep point's result: one scalar variable per metric of `generation_metrics`, labelled."""
    return xr.Dataset({name: ((), value, dict(zip(("units", "long_name"), METRICS[name])))
                       for name, value in metrics.items()})
