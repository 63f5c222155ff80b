"""Supplementary: the reference junction as a lab characterises it, and what each measurement identifies.

    mtjphys study supp_characterisation -o results/ [--params P.json] [--seed 0] [--seeds 3] [--quick]

From the record (`mtjphys.measurements`):

- (a) the FMR dispersion f(H) of the lowest mode for fields out of plane and in plane (along the reference
  layer), beside the thin-film Kittel forms with mu0 Meff = mu0 Ms - 2 Ku / Ms;
- (b) its linewidth (FWHM) against the frequency, and the damping the slope implies: out of plane
  Delta f = 2 alpha f;
- (c) a spin-torque FMR spectrum swept in field at a fixed frequency, with and without a field-like torque,
  and its symmetric and antisymmetric Lorentzian parts;
- (d) R(H) loops at 0 K: along the easy axis (m_z switches at the anisotropy field; the reference layer along x
  sees no change of R) and along the reference layer (R from R_P to R_AP without hysteresis);
- (e) synthetic measurements with Gaussian noise fitted back from a start 10-20 % away: an out-of-plane
  dispersion with its linewidth, the same with an in-plane one, the hard-axis R(H) loop and the ST-FMR spectrum,
  each with the parameters a lab would hope to learn from it free. The table says which parameter each
  measurement identifies (median relative standard error below 5 %) and which pairs it cannot separate
  (supp_fitting does the same for ringings and transfer curves).

Writes supp_characterisation.nc and supp_characterisation.png.
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
from mtjphys.fitting import DispersionData, LoopData, SpectrumData
from mtjphys.measurements import loop, resonance, stfmr
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

MU0 = 1.25663706212e-6
TESLA = 1.0 / MU0  # [A/m] of 1 T of mu0 H
OUT_OF_PLANE = np.array([0.0, 0.0, 1.0])
IN_PLANE = np.array([1.0, 0.0, 0.0])
STFMR_FREQUENCY = 10e9  # [Hz]
RF_CURRENT = 1e-6  # [A]
FIELD_LIKE = 0.1  # epsilon_prime of the spectrum with a field-like torque
# the measurement noise of the synthetic data
NOISE = {"frequency": 20e6, "linewidth": 4e6, "resistance": 10.0, "voltage": 0.02}  # Hz, Hz, ohm, x peak
EXPERIMENTS = {
    "dispersion_out_of_plane": ("gamma", "alpha", "Ms", "Ku"),
    "dispersion_both_directions": ("gamma", "alpha", "Ms", "Ku"),
    "loop_hard_axis": ("R_P", "R_AP", "Ms", "Ku"),
    "stfmr_field_sweep": ("polarization", "epsilon_prime", "alpha"),
}
QUICK_EXPERIMENTS = ("dispersion_out_of_plane",)
START_FACTOR = {"gamma": 1.05, "alpha": 1.2, "Ms": 0.9, "Ku": 0.95, "R_P": 1.1, "R_AP": 0.9, "polarization": 0.85,
                "epsilon_prime": 1.2}
IDENTIFIED = 0.05  # a parameter counts as identified where its median relative standard error is below this
CLIPPED = 10.0  # panel (f) shows relative standard errors up to this (beyond: a parameter the data do not see)


def sweeps(quick: bool) -> dict[str, np.ndarray]:
    """The fields [A/m] of each computed measurement."""
    n = 9 if quick else 25
    return {"out_of_plane": np.linspace(0.05, 1.0, n) * TESLA, "in_plane": np.linspace(-1.0, 1.0, 2 * n - 1) * TESLA,
            "stfmr": np.linspace(0.15, 0.4, 41 if quick else 101) * TESLA,
            "loop": np.linspace(-0.15, 0.15, 151 if quick else 601) * TESLA}


def meff(record: mp.Parameters) -> float:
    """mu0 Meff [T] = mu0 Ms - 2 Ku / Ms (a thin film's demagnetising field minus its anisotropy field)."""
    return MU0 * record["Ms"] - 2 * record["Ku"] / record["Ms"]


def kittel(record: mp.Parameters, field: np.ndarray, direction: str) -> np.ndarray:
    """The thin-film Kittel frequencies [Hz] (alpha -> 0): in plane above saturation sqrt(B (B + mu0 Meff)), out of
    plane above saturation B - mu0 Meff; NaN below saturation."""
    b, m = MU0 * np.abs(field), meff(record)
    gamma = record["gamma"] / (2 * np.pi)
    if direction == "out_of_plane":
        return np.where(b > m, gamma * (b - m), np.nan)
    return np.where(b + m > 0, gamma * np.sqrt(np.maximum(b * (b + m), 0.0)), np.nan)


def computed(record: mp.Parameters, quick: bool) -> dict:
    """The measurements of the record, without noise."""
    fields = sweeps(quick)
    out = resonance(record, fields["out_of_plane"], direction=OUT_OF_PLANE)
    inside = resonance(record, fields["in_plane"], direction=IN_PLANE)
    spectra = {name: stfmr(record.replace(epsilon_prime=value), field=fields["stfmr"], frequency=[STFMR_FREQUENCY],
                           rf_current=RF_CURRENT, direction=OUT_OF_PLANE)
               for name, value in (("damping_like", 0.0), ("with_field_like", FIELD_LIKE))}
    loops = {"easy_axis": loop(record.replace(fixed_layer=[1.0, 0.0, 0.0]), fields["loop"][0], fields["loop"][-1],
                               fields["loop"].size, direction=OUT_OF_PLANE),
             "hard_axis": loop(record, -0.3 * TESLA, 0.3 * TESLA, fields["loop"].size, direction=IN_PLANE)}
    return {"out_of_plane": out, "in_plane": inside, "spectra": spectra, "loops": loops}


def synthetic(record: mp.Parameters, experiment: str, clean: dict, rng: np.random.Generator) -> list:
    """Noisy measurements of one experiment (the fields along the study's directions)."""
    def noisy(values, sigma):
        return values + rng.normal(0.0, sigma, values.shape)

    data = []
    if experiment.startswith("dispersion"):
        directions = ("out_of_plane",) + (("in_plane",) if experiment == "dispersion_both_directions" else ())
        for name in directions:
            sweep = clean[name]
            saturated = np.isfinite(kittel(record, sweep.field.values, name))
            field = sweep.field.values[saturated]
            if name == "in_plane":  # one branch: the positive fields, saturated along +x
                field = field[field > 0]
            chosen = sweep.sel(field=field)
            data.append(DispersionData(f"{name} dispersion", field,
                                       noisy(chosen.frequency.values[:, 0], NOISE["frequency"]),
                                       noisy(chosen.linewidth.values[:, 0], NOISE["linewidth"])))
    elif experiment == "loop_hard_axis":
        hard = clean["loops"]["hard_axis"]
        field = np.concatenate([hard.field.values[::-1], hard.field.values])
        resistance = np.concatenate([hard.resistance.sel(sweep="down").values[::-1],
                                     hard.resistance.sel(sweep="up").values])
        data.append(LoopData("hard-axis loop", field, noisy(resistance, NOISE["resistance"])))
    else:
        spectrum = clean["spectra"]["with_field_like"]
        voltage = spectrum.voltage.values[:, 0]
        data.append(SpectrumData("ST-FMR field sweep", "field", spectrum.field.values,
                                 noisy(voltage, NOISE["voltage"] * np.max(np.abs(voltage))), STFMR_FREQUENCY, None,
                                 RF_CURRENT))
    return data


def truth_for(record: mp.Parameters, experiment: str) -> mp.Parameters:
    return record.replace(epsilon_prime=FIELD_LIKE) if experiment == "stfmr_field_sweep" else record


def direction_of(experiment: str) -> np.ndarray:
    return IN_PLANE if experiment == "loop_hard_axis" else OUT_OF_PLANE


def fits(record: mp.Parameters, clean: dict, experiments, seed: int, seeds: int, progress: bool) -> dict:
    """Every experiment fitted back from `seeds` noise draws: estimates, standard errors and the notes."""
    names = sorted({p for e in experiments for p in EXPERIMENTS[e]}, key=list(START_FACTOR).index)
    shape = (len(experiments), seeds, len(names))
    estimate, error = np.full(shape, np.nan), np.full(shape, np.nan)
    unseparated = [[[] for _ in range(seeds)] for _ in experiments]
    cases = [(e, s) for e in range(len(experiments)) for s in range(seeds)]
    for e, s in tqdm(cases, desc="fits", unit="fit", disable=None if progress else True, leave=False):
        experiment = experiments[e]
        truth = truth_for(record, experiment)
        free = EXPERIMENTS[experiment]
        data = synthetic(truth, experiment, clean, np.random.default_rng([seed + s, e]))
        start = truth.replace(**{p: truth[p] * START_FACTOR[p] for p in free})
        result = fit_measurements(data, start, free, experiment)
        for k, p in enumerate(free):
            estimate[e, s, names.index(p)], error[e, s, names.index(p)] = result.estimate[k], result.standard_error[k]
        unseparated[e][s] = [note for note in result.notes if note.startswith("not separated")]
    return {"names": names, "estimate": estimate, "standard_error": error, "notes": unseparated}


def fit_measurements(data, start, free, experiment):
    """One joint fit, each data file's fields along its own direction."""
    directions = [IN_PLANE if "in_plane" in d.source else direction_of(experiment) for d in data]
    return mp.fit(data, start, free, starts=1, field_direction=directions)


def compute(parameters: mp.Parameters | None = None, *, seed: int = 0, seeds: int = 3, quick: bool = False,
            progress: bool = True) -> xr.Dataset:
    """Returns: the record's measurements and the fits of the synthetic ones, as one dataset."""
    record = parameters or mp.Parameters()
    clean = computed(record, quick)
    experiments = QUICK_EXPERIMENTS if quick else tuple(EXPERIMENTS)
    fitted = fits(record, clean, experiments, seed, seeds, progress)
    out, inside = clean["out_of_plane"], clean["in_plane"]
    variables = {}
    for name, sweep in (("out_of_plane", out), ("in_plane", inside)):
        dim = f"field_{name}"
        coordinate = {dim: (dim, sweep.field.values, {"units": "A/m", "long_name": f"applied field, {name}"})}
        variables[f"frequency_{name}"] = xr.DataArray(sweep.frequency.values[:, 0], dims=dim, coords=coordinate,
                                                      attrs={"units": "Hz", "long_name": f"resonance, field {name}"})
        variables[f"linewidth_{name}"] = xr.DataArray(sweep.linewidth.values[:, 0], dims=dim, coords=coordinate,
                                                      attrs={"units": "Hz", "long_name": f"linewidth (FWHM), {name}"})
        variables[f"kittel_{name}"] = xr.DataArray(kittel(record, sweep.field.values, name), dims=dim,
                                                   coords=coordinate, attrs={"units": "Hz", "long_name": "thin-film "
                                                                             "Kittel frequency (alpha -> 0)"})
    # (b) the damping from the out-of-plane linewidth: Delta f = 2 alpha f + Delta f_0
    slope = np.polyfit(out.frequency.values[:, 0], out.linewidth.values[:, 0], 1)[0]
    variables["alpha_from_linewidth"] = xr.DataArray(slope / 2, attrs={"units": "1", "long_name": "damping from "
                                                                       "the slope of the out-of-plane linewidth"})
    for name, spectrum in clean["spectra"].items():
        coordinate = {"field_stfmr": ("field_stfmr", spectrum.field.values,
                                      {"units": "A/m", "long_name": "applied field, out of plane"})}
        for part in ("voltage", "voltage_symmetric", "voltage_antisymmetric"):
            variables[f"stfmr_{part}_{name}"] = xr.DataArray(
                spectrum[part].values[:, 0], dims="field_stfmr", coords=coordinate,
                attrs={"units": "V", "long_name": f"ST-FMR {part.replace('_', ' ')} ({name.replace('_', ' ')}) at "
                                                  f"{STFMR_FREQUENCY / 1e9:g} GHz, {RF_CURRENT * 1e6:g} uA"})
        for scalar in ("symmetric", "antisymmetric"):
            variables[f"stfmr_{scalar}_{name}"] = xr.DataArray(float(spectrum[scalar]), attrs={
                "units": "V", "long_name": f"amplitude of the {scalar} part ({name.replace('_', ' ')})"})
    for name, result in clean["loops"].items():
        dim = f"field_loop_{name}"
        coordinate = {dim: (dim, result.field.values, {"units": "A/m", "long_name": "applied field"}),
                      "sweep": ("sweep", result.sweep.values, {"units": "", "long_name": "sweep direction"})}
        variables[f"loop_resistance_{name}"] = xr.DataArray(result.resistance.values, dims=(dim, "sweep"),
                                                            coords=coordinate, attrs=dict(result.resistance.attrs))
        variables[f"loop_m_along_field_{name}"] = xr.DataArray(result.m_along_field.values, dims=(dim, "sweep"),
                                                               coords=coordinate,
                                                               attrs=dict(result.m_along_field.attrs))
        variables[f"loop_coercive_field_{name}"] = xr.DataArray(float(result.coercive_field),
                                                                attrs=dict(result.coercive_field.attrs))
    fit_dims = ("experiment", "seed", "parameter")
    fit_coords = {
        "experiment": ("experiment", list(experiments), {"units": "", "long_name": "synthetic measurement fitted"}),
        "seed": ("seed", np.arange(seed, seed + seeds), {"units": "", "long_name": "noise seed"}),
        "parameter": ("parameter", fitted["names"], {"units": "", "long_name": "parameter"}),
    }
    truths = np.array([[truth_for(record, e)[p] for p in fitted["names"]] for e in experiments])
    variables["estimate"] = xr.DataArray(fitted["estimate"], dims=fit_dims, coords=fit_coords, attrs={
        "units": "SI, the parameter's own", "long_name": "least-squares estimate (NaN: not free in the experiment)"})
    variables["standard_error"] = xr.DataArray(fitted["standard_error"], dims=fit_dims, coords=fit_coords, attrs={
        "units": "SI, the parameter's own", "long_name": "standard error of the estimate"})
    variables["true_value"] = xr.DataArray(truths, dims=("experiment", "parameter"), attrs={
        "units": "SI, the parameter's own", "long_name": "the value the data were made with"})
    dataset = xr.Dataset(variables)
    dataset.attrs.update(provenance(record, seed=seed, study="supp_characterisation", noise=NOISE,
                                    free={e: list(EXPERIMENTS[e]) for e in experiments}, start_factors=START_FACTOR,
                                    stfmr_frequency=STFMR_FREQUENCY, rf_current=RF_CURRENT,
                                    not_separated=json.dumps(fitted["notes"])))
    dataset.attrs["summary"] = json.dumps(summarise(dataset, record))
    return dataset


def summarise(dataset: xr.Dataset, record: mp.Parameters) -> dict:
    """The Kittel check, the damping from the linewidth, the spectra's parts, the loops' coercive fields, and per
    experiment the median relative standard error of each free parameter and the pairs it cannot separate."""
    deviation = {}
    for name in ("out_of_plane", "in_plane"):
        frequency, reference = dataset[f"frequency_{name}"].values, dataset[f"kittel_{name}"].values
        valid = np.isfinite(reference)
        deviation[name] = float(np.max(np.abs(frequency[valid] / reference[valid] - 1)))
    anisotropy_field = -meff(record) * TESLA  # H_K of the perpendicular layer [A/m]
    notes = json.loads(dataset.attrs["not_separated"])
    experiments = {}
    for e, experiment in enumerate(dataset.experiment.values):
        relative = (dataset.standard_error / np.abs(dataset.true_value)).isel(experiment=e).median("seed")
        free = [str(p) for p in dataset.parameter.values if np.isfinite(float(relative.sel(parameter=p)))]
        pairs = sorted({note.split(":")[1].split("(")[0].strip() for seed_notes in notes[e] for note in seed_notes})
        experiments[str(experiment)] = {
            "median_relative_standard_error": {p: float(relative.sel(parameter=p)) for p in free},
            "identified": [p for p in free if float(relative.sel(parameter=p)) < IDENTIFIED],
            "not_separated": pairs,
            "median_relative_error": {p: float(np.median(np.abs(
                dataset.estimate.isel(experiment=e).sel(parameter=p) / dataset.true_value.isel(experiment=e).sel(
                    parameter=p) - 1))) for p in free},
        }
    return {
        "largest_deviation_from_kittel": deviation,
        "alpha": float(record["alpha"]),
        "alpha_from_linewidth": float(dataset.alpha_from_linewidth),
        "stfmr": {name: {"symmetric": float(dataset[f"stfmr_symmetric_{name}"]),
                         "antisymmetric": float(dataset[f"stfmr_antisymmetric_{name}"])}
                  for name in ("damping_like", "with_field_like")},
        "anisotropy_field": anisotropy_field,
        "coercive_field_easy_axis": float(dataset.loop_coercive_field_easy_axis),
        "identified_below": IDENTIFIED,
        "experiments": experiments,
    }


def plot(dataset: xr.Dataset) -> Figure:
    """Returns: (a) the dispersions beside Kittel, (b) the linewidth against f, (c) the ST-FMR spectra and their
    parts, (d) the loops, (e) the fits' relative standard errors per experiment."""
    figure = Figure(figsize=(15, 7.5), layout="constrained")
    axes = figure.subplot_mosaic([["a", "b", "c"], ["d", "e", "f"]])
    tesla = lambda h: h * MU0
    for k, name in enumerate(("out_of_plane", "in_plane")):
        field = dataset[f"frequency_{name}"][f"field_{name}"].values
        axes["a"].plot(tesla(field), dataset[f"frequency_{name}"].values / 1e9, "o", ms=3, color=f"C{k}",
                       label=f"model, field {name.replace('_', ' ')}")
        axes["a"].plot(tesla(field), dataset[f"kittel_{name}"].values / 1e9, "-", lw=0.8, color=f"C{k}",
                       label="Kittel (α → 0)")
        axes["b"].plot(dataset[f"frequency_{name}"].values / 1e9, dataset[f"linewidth_{name}"].values / 1e6, "o-",
                       ms=3, color=f"C{k}", label=f"field {name.replace('_', ' ')}")
    axes["a"].set(xlabel="μ0H (T)", ylabel="f (GHz)", title="(a) FMR dispersion")
    axes["a"].legend(fontsize=7)
    axes["b"].set(xlabel="f (GHz)", ylabel="linewidth, FWHM (MHz)",
                  title=f"(b) linewidth: α from the slope {float(dataset.alpha_from_linewidth):.4g}")
    axes["b"].legend(fontsize=7)
    for name, style in (("damping_like", "-"), ("with_field_like", "--")):
        field = tesla(dataset[f"stfmr_voltage_{name}"].field_stfmr.values)
        axes["c"].plot(field, dataset[f"stfmr_voltage_{name}"].values * 1e6, style, color="k",
                       label=f"V_dc, {name.replace('_', ' ')}")
        axes["c"].plot(field, dataset[f"stfmr_voltage_symmetric_{name}"].values * 1e6, style, color="C0", lw=0.8,
                       label="symmetric part")
        axes["c"].plot(field, dataset[f"stfmr_voltage_antisymmetric_{name}"].values * 1e6, style, color="C3",
                       lw=0.8, label="antisymmetric part")
    axes["c"].set(xlabel="μ0H (T)", ylabel="V_dc (μV)",
                  title=f"(c) ST-FMR at {STFMR_FREQUENCY / 1e9:g} GHz, {RF_CURRENT * 1e6:g} μA")
    axes["c"].legend(fontsize=6)
    for name, panel, what in (("easy_axis", "d", "m_along_field"), ("hard_axis", "e", "resistance")):
        data = dataset[f"loop_{what}_{name}"] if what == "m_along_field" else dataset[f"loop_resistance_{name}"]
        field = tesla(data[f"field_loop_{name}"].values)
        for sweep, colour in zip(data.sweep.values, ("C0", "C3")):
            axes[panel].plot(field, data.sel(sweep=sweep).values / (1 if what == "m_along_field" else 1e3), "-",
                             color=colour, label=f"sweep {sweep}")
        axes[panel].legend(fontsize=7)
    axes["d"].set(xlabel="μ0H along z (T)", ylabel="m_z", title="(d) easy-axis loop (0 K)")
    axes["e"].set(xlabel="μ0H along x (T)", ylabel="R (kΩ)", title="(e) loop along the reference layer (0 K)")
    relative = (dataset.standard_error / np.abs(dataset.true_value)).median("seed")
    for k, experiment in enumerate(dataset.experiment.values):
        values = np.minimum(relative.sel(experiment=experiment).values, CLIPPED)
        axes["f"].bar(np.arange(values.size) + 0.8 * k / dataset.experiment.size, values,
                      width=0.8 / dataset.experiment.size, label=str(experiment).replace("_", " "))
    axes["f"].axhline(IDENTIFIED, color="0.5", lw=0.6, ls=":")
    axes["f"].set_xticks(np.arange(dataset.parameter.size) + 0.4 - 0.4 / dataset.experiment.size,
                         labels=list(dataset.parameter.values), rotation=30, fontsize=7)
    axes["f"].set(yscale="log", ylabel=f"median relative standard error (clipped at {CLIPPED:g})",
                  title="(f) what each measurement identifies")
    axes["f"].legend(fontsize=6, loc="upper right")
    return figure


def run(output_dir, *, parameters: mp.Parameters | None = None, seed: int = 0, seeds: int = 3, quick: bool = False,
        overwrite: bool = False, progress=True) -> dict:
    """Compute, write supp_characterisation.nc and .png into `output_dir`. Returns: the summary."""
    if seed < 0 or seeds < 1:
        raise mp.MtjphysError(f"need --seed >= 0 and --seeds >= 1, got {seed} and {seeds}")
    parameters = parameters or mp.Parameters()
    if is_warm(parameters) or parameters.mesh is not None:
        raise mp.MtjphysError("supp_characterisation measures the macrospin at 0 K; give a macrospin record without "
                              "a temperature or Joule heating")
    if not meff(parameters) < 0:
        raise mp.MtjphysError("supp_characterisation measures a perpendicular free layer (2 Ku / Ms > mu0 Ms)")
    netcdf, png = prepare_outputs(output_dir, STUDY.outputs, overwrite)
    dataset = compute(parameters, seed=seed, seeds=1 if quick else seeds, quick=quick, progress=progress)
    mp.write_dataset(dataset, netcdf, overwrite=overwrite)
    save_figure(plot(dataset), png, overwrite=overwrite, parameters=parameters, study="supp_characterisation")
    return json.loads(dataset.attrs["summary"])


def report(summary: dict) -> ReportSection:
    kittel_deviation = max(summary["largest_deviation_from_kittel"].values())
    ratio = {name: parts["antisymmetric"] / parts["symmetric"] for name, parts in summary["stfmr"].items()}
    rows = [
        ("FMR dispersion against the thin-film Kittel forms (largest relative deviation)", "—",
         f"{kittel_deviation:.1e} (alpha² = {summary['alpha'] ** 2:.0e})"),
        ("Damping from the out-of-plane linewidth's slope", f"alpha = {summary['alpha']:g} (the record)",
         f"{summary['alpha_from_linewidth']:.5g}"),
        ("Easy-axis coercive field at 0 K against H_K = 2 K_eff / (mu0 Ms)", f"{summary['anisotropy_field']:.4g} A/m",
         f"{summary['coercive_field_easy_axis']:.4g} A/m"),
        ("ST-FMR antisymmetric / symmetric part, damping-like torque alone", "0 (no field-like torque)",
         f"{ratio['damping_like']:+.3f}"),
        (f"ST-FMR antisymmetric / symmetric part, epsilon' = {FIELD_LIKE:g}", "≠ 0",
         f"{ratio['with_field_like']:+.3f}"),
    ]
    verdicts = [verdict(kittel_deviation, None),
                verdict(summary["alpha_from_linewidth"], summary["alpha"], within=0.01),
                verdict(summary["coercive_field_easy_axis"], summary["anisotropy_field"], within=0.02),
                verdict(ratio["damping_like"], 0.0, absolute=0.01),
                verdict(abs(ratio["with_field_like"]), 0.01, bound="at least", unit=" in magnitude")]
    for experiment, result in summary["experiments"].items():
        identified = ", ".join(result["identified"]) or "none"
        pairs = "; not separated: " + ", ".join(result["not_separated"]) if result["not_separated"] else ""
        rows.append((f"Fit of a noisy {experiment.replace('_', ' ')}: identified (median SE < "
                     f"{100 * summary['identified_below']:g} %)", "—", f"{identified}{pairs}"))
        verdicts.append(verdict(None, None))
    text = ("The reference junction's FMR dispersion, linewidth, ST-FMR spectrum and R(H) loops computed from the "
            "linearised LLG, and synthetic noisy versions fitted back: an out-of-plane dispersion measures gamma, "
            "alpha (from its linewidth) and only the combination mu0 Meff = mu0 Ms - 2 Ku / Ms; a loop along the "
            "reference layer measures R_P and R_AP; the ST-FMR lineshape separates the damping-like from the "
            "field-like torque.")
    caption = ("(a) dispersion beside Kittel, (b) linewidth against frequency, (c) ST-FMR spectra and their "
               "Lorentzian parts, (d, e) loops, (f) median relative standard error of each fitted parameter.")
    return ReportSection(tuple(rows), text, (("supp_characterisation.png", caption),), tuple(verdicts))


STUDY = Study(
    name="supp_characterisation",
    title="The junction as a lab characterises it: FMR, ST-FMR, R(H) loops, and what each identifies.",
    description=__doc__,
    run=run,
    outputs=("supp_characterisation.nc", "supp_characterisation.png"),
    options=(params_option(),
             seed_option("The first noise seed of the synthetic measurements."),
             seeds_option(3, "the measurement noise"),
             quick_option("Fewer fields, one seed, one fitted experiment (the out-of-plane dispersion).")),
    full={"seeds": 3},
    quick={"quick": True},
    report=report,
)
