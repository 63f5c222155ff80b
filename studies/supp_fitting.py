"""Supplementary: fitting a device's parameters back from its measurements, and which measurement identifies
which parameter.

    mtjphys study supp_fitting -o results/ [--params P.json] [--seed 0] [--seeds 3] [--quick]

Synthetic measurements are made from two known devices (the record, and a second device with a larger
damping, a stiffer free layer, a smaller polarization and a larger Lambda), with Gaussian noise of several
levels, and fitted back by `mtjphys.fit` from a start record away from the truth (every free parameter off
by 10-25 %). The free parameters are alpha, Ku, polarization and Lambda. Three experiments:

- one trace: R(t) after a step of 0.9e10 A/m^2, sampled every picosecond over the 1.5 ns window;
- three traces: the same at 0.8, 0.9 and 1.0e10 A/m^2, fitted jointly;
- a transfer curve: dR at 21 current densities over the operating range.

Each point's noise is drawn from seeds SEED .. SEED + SEEDS - 1. For each experiment, the estimates' relative
error and standard error against the noise, the condition number of the scaled Jacobian and the correlation of
polarization with Lambda (the torque's prefactor P Lambda^2 / (Lambda^2 + 1) is all a precession about m.p = 0
sees).

Writes supp_fitting.nc and supp_fitting.png.
"""

from __future__ import annotations

import json

import numpy as np
import xarray as xr
from matplotlib.figure import Figure
from tqdm.auto import tqdm

import mtjphys as mp
from mtjphys.data import provenance
from mtjphys.device import is_warm
from mtjphys.fitting import TraceData, TransferData
from mtjphys.reproduction import (
    params_option,
    prepare_outputs,
    quick_option,
    ReportSection,
    save_figure,
    seed_option,
    seeds_option,
    Study,
    verdict,
)

FREE = ("alpha", "Ku", "polarization", "Lambda")
NOISE = (0.5, 2.0, 8.0)  # [ohm] standard deviation of the measurement noise
QUICK_NOISE = (2.0,)
TRACE_CURRENT = 0.9e10  # [A/m^2]
TRACE_CURRENTS = (0.8e10, 0.9e10, 1.0e10)
EXPERIMENTS = ("one_trace", "three_traces", "transfer_curve")
QUICK_EXPERIMENTS = ("one_trace", "transfer_curve")
# the start of every fit: the truth's free parameters times these
START_FACTORS = {"alpha": 1.25, "Ku": 0.99, "polarization": 0.85, "Lambda": 1.2}
IDENTIFIED = 0.05  # a parameter counts as identified where its median relative standard error is below this


def devices(record: mp.Parameters) -> dict[str, mp.Parameters]:
    """The two devices measured: the record, and one with 1.6x the damping, 1.3x the effective anisotropy
    Ku - mu0 Ms^2 / 2, polarization 0.5 and Lambda 1.3 (from the record's other entries)."""
    shape = mp.shape_anisotropy(record)
    second = record.replace(alpha=1.6 * record["alpha"], Ku=shape + 1.3 * (record["Ku"] - shape), polarization=0.5,
                            Lambda=1.3)
    return {"record": record, "second_device": second}


def start_for(truth: mp.Parameters) -> mp.Parameters:
    return truth.replace(**{name: truth[name] * factor for name, factor in START_FACTORS.items()})


def measurements(truth: mp.Parameters, experiment: str) -> list:
    """Noiseless synthetic data of one experiment."""
    if experiment == "transfer_curve":
        curve = mp.transfer_curve(truth, np.linspace(*mp.OPERATING_RANGE, 21))
        return [TransferData("transfer_curve", curve.current_density.values, curve.delta_r.values)]
    currents = (TRACE_CURRENT,) if experiment == "one_trace" else TRACE_CURRENTS
    data = []
    for j in currents:
        trace = mp.neuron_trace(truth, j)
        data.append(TraceData(f"trace at {j:.2g} A/m^2", trace.time.values, trace.resistance.values, j))
    return data


def with_noise(data: list, sigma: float, rng: np.random.Generator) -> list:
    noisy = []
    for d in data:
        values = d.values + rng.normal(0.0, sigma, d.values.size)
        noisy.append(TraceData(d.source, d.time, values, d.current_density) if d.kind == "trace"
                     else TransferData(d.source, d.current_density, values))
    return noisy


def compute(parameters: mp.Parameters | None = None, *, noise=NOISE, seed: int = 0, seeds: int = 3, truths=None,
            experiments=EXPERIMENTS, progress: bool = True) -> xr.Dataset:
    """Returns: the fits of every truth, experiment, noise level and seed (`seed` .. `seed` + `seeds` - 1)."""
    parameters = parameters or mp.Parameters()
    every = devices(parameters)
    truths = list(truths or every)
    shape = (len(truths), len(experiments), len(noise), seeds)
    estimate, error = np.full(shape + (len(FREE),), np.nan), np.full(shape + (len(FREE),), np.nan)
    condition, correlation, converged = np.full(shape, np.nan), np.full(shape, np.nan), np.zeros(shape, np.int8)
    true_values = np.array([[every[t][name] for name in FREE] for t in truths])
    cases = [(a, b, c, d) for a in range(len(truths)) for b in range(len(experiments)) for c in range(len(noise))
             for d in range(seeds)]
    clean = {}
    for index in tqdm(cases, desc="fits", unit="fit", disable=None if progress else True, leave=False):
        t, e, n, s = index
        truth = every[truths[t]]
        if (t, e) not in clean:
            clean[t, e] = measurements(truth, experiments[e])
        rng = np.random.default_rng([seed + s, t, e, n])
        data = with_noise(clean[t, e], noise[n], rng)
        result = mp.fit(data, start_for(truth), FREE, seed=seed + s, starts=1)
        estimate[index], error[index] = result.estimate, result.standard_error
        condition[index] = result.condition_number
        correlation[index] = result.correlation[FREE.index("polarization"), FREE.index("Lambda")]
        converged[index] = result.start_converged[int(np.argmin(result.start_costs))]
    dims = ("truth", "experiment", "noise", "seed")
    relative = (estimate - true_values[:, None, None, None, :]) / true_values[:, None, None, None, :]
    dataset = xr.Dataset(
        {
            "true_value": (("truth", "parameter"), true_values,
                           {"units": "SI, the parameter's own", "long_name": "the value the data were made with"}),
            "estimate": (dims + ("parameter",), estimate, {"units": "SI, the parameter's own",
                                                          "long_name": "least-squares estimate"}),
            "standard_error": (dims + ("parameter",), error, {"units": "SI, the parameter's own",
                                                             "long_name": "standard error of the estimate"}),
            "relative_error": (dims + ("parameter",), relative,
                               {"units": "1", "long_name": "(estimate - true value) / true value"}),
            "relative_standard_error": (dims + ("parameter",), error / np.abs(true_values[:, None, None, None, :]),
                                        {"units": "1", "long_name": "standard error / true value"}),
            "condition_number": (dims, condition, {"units": "1", "long_name": "of the scaled Jacobian"}),
            "polarization_lambda_correlation": (dims, correlation,
                                                {"units": "1", "long_name": "correlation of the estimates of "
                                                                            "polarization and Lambda"}),
            "converged": (dims, converged, {"units": "1", "long_name": "the best start's fit converged"}),
        },
        coords={
            "truth": ("truth", truths, {"units": "", "long_name": "the device the data were made from"}),
            "experiment": ("experiment", list(experiments), {"units": "", "long_name": "what was measured"}),
            "noise": ("noise", np.asarray(noise, dtype=float), {"units": "ohm",
                                                                "long_name": "standard deviation of the noise"}),
            "seed": ("seed", np.arange(seed, seed + seeds), {"units": "", "long_name": "noise seed"}),
            "parameter": ("parameter", list(FREE), {"units": "", "long_name": "free parameter"}),
        },
    )
    dataset.attrs.update(provenance(parameters, seed=seed, study="supp_fitting", free=list(FREE),
                                    start_factors=START_FACTORS,
                                    truths=json.dumps({t: every[t].to_dict() for t in truths})))
    dataset.attrs["summary"] = json.dumps(summarise(dataset))
    return dataset


def summarise(dataset: xr.Dataset) -> dict:
    """Per experiment (on the record's device, at the middle noise level): each parameter's median |relative
    error| and median relative standard error, whether it is identified, and the median P-Lambda correlation."""
    record = dataset.sel(truth=dataset.truth.values[0])
    middle = record.noise.values[len(record.noise) // 2]
    at = record.sel(noise=middle)
    summary = {"noise": float(middle), "identified_below": IDENTIFIED, "experiments": {}}
    for experiment in dataset.experiment.values:
        case = at.sel(experiment=experiment)
        errors = np.abs(case.relative_error).median("seed")
        standard = case.relative_standard_error.median("seed")
        summary["experiments"][str(experiment)] = {
            "median_relative_error": {p: float(errors.sel(parameter=p)) for p in dataset.parameter.values},
            "median_relative_standard_error": {p: float(standard.sel(parameter=p)) for p in dataset.parameter.values},
            "identified": [str(p) for p in dataset.parameter.values if float(standard.sel(parameter=p)) < IDENTIFIED],
            "polarization_lambda_correlation": float(case.polarization_lambda_correlation.median()),
            "condition_number": float(case.condition_number.median()),
        }
    summary["converged"] = int(dataset.converged.sum())
    summary["fits"] = int(dataset.converged.size)
    return summary


def plot(dataset: xr.Dataset) -> Figure:
    """Returns: per free parameter, the median |relative error| (solid) and relative standard error (dashed)
    against the noise, one colour per experiment, the second device's in thin lines."""
    from mtjphys.reproduction import log_ticks

    figure = Figure(figsize=(12, 3.6), layout="constrained")
    axes = figure.subplots(1, len(FREE), sharey=True)
    noise = dataset.noise.values
    for ax, parameter in zip(axes, FREE):
        for k, experiment in enumerate(dataset.experiment.values):
            for truth, width in zip(dataset.truth.values, (1.6, 0.7)):
                case = dataset.sel(truth=truth, experiment=experiment, parameter=parameter)
                error = np.abs(case.relative_error).median("seed").values
                standard = case.relative_standard_error.median("seed").values
                label = experiment.replace("_", " ") if truth == dataset.truth.values[0] else None
                ax.plot(noise, error, "o-", color=f"C{k}", lw=width, ms=3 * width, label=label)
                ax.plot(noise, standard, "--", color=f"C{k}", lw=width)
        ax.axhline(IDENTIFIED, color="0.6", lw=0.6, ls=":")
        ax.set(xscale="log", yscale="log", xlabel="noise (Ω)", title=parameter)
        log_ticks(ax.xaxis, noise)
    axes[0].set_ylabel("|relative error| (—), relative SE (- -)")
    axes[0].legend(fontsize=7)
    return figure


def run(output_dir, *, parameters: mp.Parameters | None = None, seed: int = 0, seeds: int = 3, quick: bool = False,
        overwrite: bool = False, progress=True) -> dict:
    """Compute, write supp_fitting.nc and .png into `output_dir`. Returns: the summary."""
    if seed < 0 or seeds < 1:
        raise mp.MtjphysError(f"need --seed >= 0 and --seeds >= 1, got {seed} and {seeds}")
    parameters = parameters or mp.Parameters()
    if is_warm(parameters) or parameters.mesh is not None:
        raise mp.MtjphysError("supp_fitting fits the macrospin at 0 K; give a macrospin record without a temperature "
                              "or Joule heating")
    netcdf, png = prepare_outputs(output_dir, STUDY.outputs, overwrite)
    if quick:
        dataset = compute(parameters, noise=QUICK_NOISE, seed=seed, seeds=1, truths=["record"],
                          experiments=QUICK_EXPERIMENTS, progress=progress)
    else:
        dataset = compute(parameters, seed=seed, seeds=seeds, progress=progress)
    mp.write_dataset(dataset, netcdf, overwrite=overwrite)
    save_figure(plot(dataset), png, overwrite=overwrite, parameters=parameters, study="supp_fitting")
    return json.loads(dataset.attrs["summary"])


def report(summary: dict) -> ReportSection:
    rows = []
    names = {"one_trace": "one trace", "three_traces": "three traces", "transfer_curve": "a transfer curve"}
    for experiment, result in summary["experiments"].items():
        identified = ", ".join(result["identified"]) or "none"
        errors = ", ".join(f"{p} {100 * e:.2g} %" if e < 1 else f"{p} > 100 %"
                           for p, e in result["median_relative_standard_error"].items())
        rows.append((f"Fit from {names[experiment]} ({summary['noise']:g} Ω noise): identified; relative SE", "—",
                     f"{identified}; {errors}; P-Λ correlation {result['polarization_lambda_correlation']:+.4f}"))
    ranked = sorted(summary["experiments"].items(), key=lambda item: -len(item[1]["identified"]))
    best, worst = ranked[0], ranked[-1]
    text = (f"Synthetic measurements with {summary['noise']:g} Ω of noise, fitted back for alpha, Ku, polarization "
            f"and Lambda from a start 10–25 % away: {names[best[0]]} identifies {len(best[1]['identified'])} of the "
            f"four parameters to better than {100 * summary['identified_below']:g} % (median standard error), "
            f"{names[worst[0]]} {len(worst[1]['identified'])}. "
            f"{summary['converged']} of {summary['fits']} fits converged.")
    caption = ("Median |relative error| (solid) and relative standard error (dashed) of each fitted "
               "parameter against the noise, per experiment; thin lines: the second device.")
    verdicts = tuple(verdict(None, None) for _ in rows)
    return ReportSection(tuple(rows), text, (("supp_fitting.png", caption),), verdicts)


STUDY = Study(
    name="supp_fitting",
    title="Fitting a device's parameters back from synthetic traces and transfer curves.",
    description=__doc__,
    run=run,
    outputs=("supp_fitting.nc", "supp_fitting.png"),
    options=(params_option(),
             seed_option("The first noise seed."),
             seeds_option(3, "the measurement noise per point"),
             quick_option("One device, one noise level, one seed (SEED); one trace and the transfer curve.")),
    full={"seeds": 3},
    quick={"quick": True},
    report=report,
)
