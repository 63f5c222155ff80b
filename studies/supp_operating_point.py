"""Supplementary: the junction at its operating point. At 0.7-0.9 V across a 1 nm MgO barrier a CoFeB/MgO
junction feels effects the paper's neuron leaves out; this study switches each on and measures what it
does to the neuron and to the networks of Figs. 2 and 4.

    mtjphys study supp_operating_point -o results/ [--params P.json] [--seed 0] [--seeds 4] [--quick]

The junction is the record of --params (default the reference), with each effect set as its part says
(docs/physics.md, "The junction at its bias point").

(a) Voltage-controlled anisotropy, xi = 0, 30, 60, 100 fJ/(V m) (barrier thickness from the record), at
    both bias polarities (currents +-0.8e10 .. +-1.0e10 A/m^2): the transfer curve dR(j), dR / R0 and the
    bias across the barrier.
(b) The anisotropy at that bias, K_eff(V) = Ku - xi V / (t_b d) - mu0 Ms^2 / 2 (for the record's easy axis
    and demagnetising factors): where it falls below 0 the perpendicular state is no longer a minimum at
    the operating bias and the free layer tips towards the plane.
(c) The field-like torque in V^2, b_FL = 0, 5, 10, 20 mT/V^2: the transfer curve at positive bias.
(d) Joule heating with a free layer that softens as it heats (Ku ~ Ms^3, A ~ Ms^2, Curie temperature 750 K
    assumed) at 300 K ambient: the free layer's temperature at the operating range's power and its
    precession frequency, for thermal resistances 0, 1e5 and 1e6 K/W (the noise it adds is in supp_hardware).
(g) The heating's lag: at 1e6 K/W and the operating range's largest current, the free layer's temperature
    over the window (mean of the realisations) and dR (mean and spread) for thermal time constants 0 (the
    heating at once), 0.3, 1 and 3 ns; 16 realisations each (4 with --quick), their noise from --seed.
(e) Figs. 2 and 4 (surrogate mode, 0 K, seeds SEED .. SEED + SEEDS - 1) against xi at both polarities of
    the VCMA effect: the networks drive their MTJs over the paper's positive current range, so the negative
    polarity is the bias raising the anisotropy instead, xi -> -xi (only the product xi V enters). A device
    whose dR no longer grows over the range cannot serve and counts as a failure.
(f) The reference layer's stray field on the 100 nm disc (the micromagnetic model, 5 nm cells; the
    reference layer as thick as the free layer, Ms 1.1e6 A/m, 1 nm below it, magnetised along the record's
    fixed_layer): the field at the centre, on average and at the rim, and the tilt of the relaxed free
    layer it causes.

Writes supp_operating_point.nc and supp_operating_point.png.
"""

from __future__ import annotations

import json
import math
import time

import jax
import jax.numpy as jnp
import numpy as np
import xarray as xr
from matplotlib.figure import Figure
from mtjphys.studies import fig4_recognition
from tqdm import tqdm

import mtjphys as mp
from mtjphys.data import provenance
from mtjphys.device import heated_record, is_warm
from mtjphys.reproduction import (
    params_option,
    plot_success,
    prepare_outputs,
    quick_option,
    ReportSection,
    save_figure,
    seed_option,
    seeds_in_words,
    seeds_option,
    Study,
    SuccessCurve,
    verdict as judge,
)

MU0 = 1.25663706212e-6
TASKS = ("fig2", "fig4")
FIG4_OMEGA_SQUARE, FIG4_OMEGA_SINE = 0.16e9, 0.21e9  # [rad/s], the study's defaults
VCMA = [0.0, 30e-15, 60e-15, 100e-15]  # [J/(V m)], the range measured in CoFeB/MgO
FIELD_LIKE = [0.0, 5e-3, 10e-3, 20e-3]  # [T/V^2]
THERMAL_RESISTANCES = [0.0, 1e5, 1e6]  # [K/W]
THERMAL_TIME_CONSTANTS = [0.0, 0.3e-9, 1e-9, 3e-9]  # [s], of (g), at the largest thermal resistance
CURIE = 750.0  # [K], as supp_hardware
ROOM = 300.0
POLARITIES = {"positive": 1.0, "negative": -1.0}
OPERATING_RANGE = (0.8e10, 1.0e10)  # [A/m^2], the paper's
REFERENCE_LAYER = {"reference_Ms": 1.1e6, "reference_spacing": 1e-9}  # the reference layer of (e)


def effective_anisotropy(record: mp.Parameters, voltage) -> np.ndarray:
    """K_eff(V) = Ku - xi V / (t_b d) - mu0 Ms^2 (N_u - N_perp) / 2 [J/m^3]: the uniaxial constant at the bias
    less the shape anisotropy along the easy axis u (N_u its demagnetising factor, N_perp the mean of the others)."""
    axis = np.abs(np.asarray(record["easy_axis"]))
    factors = np.asarray(record["demag_factors"])
    along = float(axis @ factors)
    shape = MU0 * record["Ms"] ** 2 / 2 * (along - (1 - along) / 2)
    vcma = record["vcma_coefficient"] * np.asarray(voltage) / (record["barrier_thickness"] * record["thickness"])
    return record["Ku"] - vcma - shape


def transfer_curves(record: mp.Parameters, points: int) -> xr.Dataset:
    """(a) to (c): dR, R0, the bias and K_eff at the bias over the operating range, against xi and polarity,
    and against b_FL."""
    magnitudes = np.linspace(*OPERATING_RANGE, points)
    delta_r = np.zeros((len(VCMA), len(POLARITIES), points))
    voltage, anisotropy = np.zeros_like(delta_r), np.zeros_like(delta_r)
    for i, xi in enumerate(VCMA):
        device = record.replace(vcma_coefficient=xi)
        for k, polarity in enumerate(POLARITIES.values()):
            response = mp.neuron_output(device, polarity * magnitudes)
            delta_r[i, k], voltage[i, k] = response.delta_r, response.voltage_max * polarity
            anisotropy[i, k] = effective_anisotropy(device, voltage[i, k])
    field_like = np.stack([mp.neuron_output(record.replace(field_like_quadratic=b), magnitudes).delta_r
                           for b in FIELD_LIKE])
    r0 = mp.equilibrium_resistance(record)
    dims = ("vcma_coefficient", "polarity", "current_magnitude")
    return xr.Dataset(
        {
            "delta_r": (dims, delta_r, {"units": "ohm", "long_name": "neuron output dR"}),
            "delta_r_over_r0": (dims, delta_r / r0, {"units": "1", "long_name": "dR / R0"}),
            "bias_voltage": (dims, voltage, {"units": "V", "long_name": "largest bias across the barrier, signed"}),
            "effective_anisotropy": (dims, anisotropy, {"units": "J/m^3",
                                                        "long_name": "K_eff at that bias (< 0: tips in-plane)"}),
            "delta_r_field_like": (("field_like_quadratic", "current_magnitude"), field_like,
                                   {"units": "ohm", "long_name": "dR at positive bias against b_FL"}),
        },
        coords={
            "vcma_coefficient": ("vcma_coefficient", VCMA, {"units": "J/(V*m)", "long_name": "VCMA coefficient xi"}),
            "polarity": ("polarity", list(POLARITIES), {"units": "", "long_name": "sign of the current and the bias"}),
            "current_magnitude": ("current_magnitude", magnitudes, {"units": "A/m^2", "long_name": "|j|"}),
            "field_like_quadratic": ("field_like_quadratic", FIELD_LIKE,
                                     {"units": "T/V^2", "long_name": "field-like torque per V^2"}),
        },
        attrs={"equilibrium_resistance": r0},
    )


def heating(record: mp.Parameters) -> xr.Dataset:
    """(d): the heated free layer at the operating range's largest power, 300 K ambient."""
    power = float(np.max(mp.neuron_output(record, [OPERATING_RANGE[1]]).power_max))
    temperature, frequency = [], []
    for r_th in THERMAL_RESISTANCES:
        hot = heated_record(record.replace(temperature=ROOM, thermal_resistance=r_th, curie_temperature=CURIE), power)
        temperature.append(hot["temperature"])
        frequency.append(float(np.max(mp.precession_frequency(hot))))
    return xr.Dataset(
        {"heated_temperature": ("thermal_resistance", temperature, {"units": "K", "long_name": "free-layer T"}),
         "heated_precession_frequency": ("thermal_resistance", frequency,
                                         {"units": "Hz", "long_name": "small-angle precession frequency"})},
        coords={"thermal_resistance": ("thermal_resistance", THERMAL_RESISTANCES,
                                       {"units": "K/W", "long_name": "thermal resistance, 300 K ambient"})},
        attrs={"heating_power": power},
    )


def network_point(task: str, xi: float, polarity: float, seed: int, record: mp.Parameters) -> bool:
    """Whether one Fig. 2 or Fig. 4 network (surrogate, 0 K) of MTJs with the VCMA effect of xi at `polarity` (the
    paper's positive current range, xi times the polarity) met its figure's criterion (Fig. 2: period and
    amplitude of both free runs; Fig. 4: every test window right at 5 % noise, as in the paper)."""
    device = record.replace(vcma_coefficient=polarity * xi)
    try:
        if task == "fig2":
            run = mp.sine_generation_run(seed, mode="surrogate", parameters=device, progress=False)
            return bool(mp.generation_metrics(run)["passed"])
        run = fig4_recognition.run_trial(seed=seed, noise=0.05, mode="surrogate", n_mtj=40,
                                         omega_square=FIG4_OMEGA_SQUARE, omega_sine=FIG4_OMEGA_SINE,
                                         parameters=device, progress=False)
        return fig4_recognition.accuracy_on_test(run) == 1.0
    except mp.MtjphysError as error:  # a device whose dR no longer grows over the current range cannot serve
        if "does not grow" not in str(error):
            raise
        return False


def thermal_lag(record: mp.Parameters, realisations: int, seed: int) -> xr.Dataset:
    """(g): the window heated at 1e6 K/W with the heating lagging the power, against the time constant."""
    hot = record.replace(temperature=ROOM, thermal_resistance=THERMAL_RESISTANCES[-1], curie_temperature=CURIE)
    records = [hot.replace(thermal_time_constant=tau) for tau in THERMAL_TIME_CONSTANTS for _ in range(realisations)]
    device = mp.make_device(records)
    ts = np.linspace(0.0, mp.NEURON_WINDOW, device.solver.samples)
    trace = device.solve(jnp.float64(OPERATING_RANGE[1]), ts, key=jax.random.PRNGKey(seed))
    shape = (len(THERMAL_TIME_CONSTANTS), realisations)
    temperature = np.asarray(trace.free_layer_temperature(device.params)).reshape(ts.size, *shape).mean(axis=-1)
    delta_r = np.asarray(device.preamplifier.extrema(ts, trace.point.resistance).delta_r).reshape(shape)
    tau = ("thermal_time_constant", THERMAL_TIME_CONSTANTS, {"units": "s", "long_name": "thermal time constant"})
    return xr.Dataset(
        {"lag_temperature": (("lag_time", "thermal_time_constant"), temperature,
                             {"units": "K", "long_name": "free-layer temperature, mean of the realisations"}),
         "lag_delta_r": ("thermal_time_constant", delta_r.mean(axis=1),
                         {"units": "ohm", "long_name": f"mean dR of {realisations} realisations"}),
         "lag_delta_r_std": ("thermal_time_constant", delta_r.std(axis=1, ddof=1) if realisations > 1 else
                             np.full(len(THERMAL_TIME_CONSTANTS), np.nan),
                             {"units": "ohm", "long_name": "standard deviation of dR across realisations"})},
        coords={"thermal_time_constant": tau,
                "lag_time": ("lag_time", ts, {"units": "s", "long_name": "time since the drive was switched on"})},
        attrs={"lag_thermal_resistance": THERMAL_RESISTANCES[-1], "lag_current_density": OPERATING_RANGE[1],
               "lag_realisations": realisations},
    )


def networks(record: mp.Parameters, levels, seed: int, seeds: int, progress: bool) -> xr.Dataset:
    """(e): Figs. 2 and 4 against xi and polarity."""
    shape = (len(TASKS), len(levels), len(POLARITIES), seeds)
    passed = np.zeros(shape, dtype=bool)
    for t, i, k, s in tqdm(list(np.ndindex(shape)), desc="networks", disable=None if progress else True):
        passed[t, i, k, s] = network_point(TASKS[t], levels[i], list(POLARITIES.values())[k], seed + s, record)
    return xr.Dataset(
        {"passed": (("task", "network_vcma_coefficient", "polarity", "seed"), passed,
                    {"units": "1", "long_name": "the network met its figure's criterion"})},
        coords={"task": ("task", list(TASKS), {"units": "",
                                               "long_name": "Fig. 2 sine generation, Fig. 4 recognition"}),
                "network_vcma_coefficient": ("network_vcma_coefficient", list(levels),
                                             {"units": "J/(V*m)", "long_name": "VCMA coefficient xi"}),
                "seed": ("seed", list(range(seed, seed + seeds)), {"units": "1", "long_name": "network seed"})},
    )


def reference_layer(record: mp.Parameters, cell_size: float) -> xr.Dataset:
    """(f): the stray field of the reference layer on the disc and the relaxed free layer's tilt."""
    specs = mp.Parameters.specs(mp.micromagnetic_model())
    shared = {k: v for k, v in record.to_dict().items() if k in specs and k != "area"}
    plain = mp.Parameters({**shared, "cell_size": cell_size}, model=mp.micromagnetic_model())
    coupled = plain.replace(**REFERENCE_LAYER, reference_thickness=record["thickness"])
    relaxed = {name: np.asarray(mp.make_device(grid).equilibrium()) for name, grid in (("without", plain),
                                                                                         ("with", coupled))}
    grid = mp.make_device(coupled).model
    cells, ms = grid.cell_parameters(coupled.arrays())
    stray = np.asarray(grid.nonlocal_fields(jnp.asarray(relaxed["with"]), cells, ms)["reference_stray_field"])
    mask = coupled.mesh.mask
    magnitude = np.where(mask, np.linalg.norm(stray, axis=-1), np.nan)
    x, y = coupled.mesh.centres()
    centre = (np.argmin(np.abs(x)), np.argmin(np.abs(y)), 0)
    m0 = np.asarray(record["m0"])

    def tilt(m):  # [deg] of the Ms-weighted mean direction from m0
        mean = np.einsum("xyzc,xyz->c", m, mask) / mask.sum()
        return math.degrees(math.acos(np.clip(mean @ m0 / np.linalg.norm(mean), -1.0, 1.0)))

    return xr.Dataset(
        {"stray_field_magnitude": (("x", "y"), magnitude[:, :, 0],
                                   {"units": "T", "long_name": "|B| of the reference layer at the free layer"})},
        coords={"x": ("x", x, {"units": "m", "long_name": "x"}), "y": ("y", y, {"units": "m", "long_name": "y"})},
        attrs={"stray_field_centre_T": float(magnitude[centre]), "stray_field_rim_T": float(np.nanmax(magnitude)),
               "stray_field_mean_T": float(np.nanmean(magnitude)),
               "tilt_without_deg": tilt(relaxed["without"]), "tilt_with_deg": tilt(relaxed["with"]),
               "reference_layer": json.dumps({**REFERENCE_LAYER, "reference_thickness": record["thickness"]}),
               "grid_cell_size": cell_size},
    )


def _power_of_ten(value: float) -> str:
    """"0", or "10⁵" for 1e5."""
    if value == 0:
        return "0"
    exponent = round(math.log10(value))
    return "10" + str(exponent).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


def plot(dataset: xr.Dataset) -> Figure:
    figure = Figure(figsize=(18, 8.5), layout="constrained")
    panels = figure.subplot_mosaic([["a", "b", "c", "d"], ["e", "f", "g", "."]])
    curves, anisotropy, field_like, heated, success, stray, lagging = (panels[k] for k in "abcdefg")
    j = dataset.current_magnitude.values / 1e10
    for i, xi in enumerate(dataset.vcma_coefficient.values):
        for polarity, style in (("positive", "-"), ("negative", "--")):
            curves.plot(j, dataset.delta_r.sel(polarity=polarity).isel(vcma_coefficient=i), style, marker="o",
                        color=f"C{i}", label=f"{xi * 1e15:g} fJ/(V m), {polarity}")
            anisotropy.plot(j, dataset.effective_anisotropy.sel(polarity=polarity).isel(vcma_coefficient=i) / 1e3,
                            style, color=f"C{i}")
    curves.set_yscale("symlog", linthresh=10)
    curves.set(xlabel="|j| (10¹⁰ A/m²)", ylabel="dR (Ω)", title="(a) transfer curve against ξ")
    curves.legend(fontsize=7, ncols=2, title="ξ, bias polarity (dashed: negative)", title_fontsize=7)
    anisotropy.axhline(0, color="k", lw=0.8)
    anisotropy.set(xlabel="|j| (10¹⁰ A/m²)", ylabel="K_eff at the bias (kJ/m³)",
                   title="(b) anisotropy at the bias (< 0: tips in-plane)")
    for i, b in enumerate(dataset.field_like_quadratic.values):
        field_like.plot(j, dataset.delta_r_field_like.isel(field_like_quadratic=i), marker="o",
                        label=f"{b * 1e3:g} mT/V²")
    field_like.set(xlabel="|j| (10¹⁰ A/m²), positive bias", ylabel="dR (Ω)", title="(c) field-like torque in V²")
    field_like.legend(fontsize=8)
    levels = dataset.network_vcma_coefficient.values
    positions = np.arange(len(levels))
    for t, task in enumerate(dataset.task.values):
        for k, polarity in enumerate(dataset.polarity.values):
            passed = dataset.passed.sel(task=task, polarity=polarity)
            curve = SuccessCurve.from_passed(passed, "network_vcma_coefficient", "seed")
            plot_success(success, curve, positions=positions, label=f"{task}, {polarity}", marker="os"[t],
                         color=f"C{2 * t + k}", offset=0.06 * (2 * t + k - 1.5))
    success.set_xticks(positions, [f"{xi * 1e15:g}" for xi in levels])
    success.set(xlabel="ξ (fJ/(V m))", ylabel="success rate (%)", ylim=(-5, 105), title="(e) Figs. 2 and 4 against ξ")
    success.legend(fontsize=8)
    heated.plot(dataset.heated_temperature, dataset.heated_precession_frequency / 1e9, marker="o")
    for r_th, t, f in zip(dataset.thermal_resistance.values, dataset.heated_temperature.values,
                          dataset.heated_precession_frequency.values / 1e9):
        heated.annotate(f"R_th = {_power_of_ten(r_th)} K/W", (t, f), textcoords="offset points", xytext=(5, 5),
                        fontsize=8)
    heated.set(xlabel="free-layer temperature (K)", ylabel="precession frequency (GHz)",
               title="(d) a heated free layer softens (300 K ambient)")
    for i, tau in enumerate(dataset.thermal_time_constant.values):
        lagging.plot(dataset.lag_time * 1e9, dataset.lag_temperature.isel(thermal_time_constant=i), color=f"C{i}",
                     label=("at once" if tau == 0 else f"τ_th = {tau * 1e9:g} ns")
                     + f": dR {float(dataset.lag_delta_r[i]):.0f} ± {float(dataset.lag_delta_r_std[i]):.0f} Ω")
    lagging.set(xlabel="time (ns)", ylabel="free-layer temperature (K)",
                title=f"(g) the heating's lag (10⁶ K/W, {dataset.attrs['lag_current_density'] / 1e10:g} × 10¹⁰ A/m²)")
    lagging.legend(fontsize=8)
    image = stray.pcolormesh(dataset.x * 1e9, dataset.y * 1e9, dataset.stray_field_magnitude.T * 1e3, shading="nearest")
    figure.colorbar(image, ax=stray, label="|B| (mT)")
    stray.set(xlabel="x (nm)", ylabel="y (nm)", aspect="equal", title="(f) reference layer's stray field")
    return figure


def _success(dataset: xr.Dataset, task: str, polarity: str) -> list[int]:
    return dataset.passed.sel(task=task, polarity=polarity).sum("seed").values.astype(int).tolist()


def run(output_dir, *, seed: int = 0, seeds: int = 4, quick: bool = False, parameters: mp.Parameters | None = None,
        overwrite: bool = False, progress=True) -> dict:
    """Run the study, write its files into `output_dir`. Returns: a summary."""
    if seed < 0 or seeds < 1:
        raise mp.MtjphysError(f"need --seed >= 0 and --seeds >= 1, got {seed} and {seeds}")
    record = parameters or mp.Parameters()
    if record.model is not mp.default_model():
        raise mp.MtjphysError("supp_operating_point varies a record of the shipped macrospin model; give one")
    if is_warm(record):
        raise mp.MtjphysError("supp_operating_point compares deterministic neurons at 0 K; give a record without a "
                              "temperature or Joule heating")
    netcdf, png = prepare_outputs(output_dir, STUDY.outputs, overwrite)
    start = time.perf_counter()
    levels = [VCMA[0], VCMA[1]] if quick else VCMA
    dataset = xr.merge([transfer_curves(record, 3 if quick else 9), heating(record),
                        thermal_lag(record, 4 if quick else 16, seed),
                        networks(record, levels, seed, seeds, progress),
                        reference_layer(record, 10e-9 if quick else 5e-9)], combine_attrs="drop_conflicts")
    ends = dataset.delta_r.isel(current_magnitude=[0, -1])
    summary = {
        "seed": seed, "seeds": seeds,
        "delta_r_range": {f"{xi * 1e15:g}": {p: ends.sel(vcma_coefficient=xi, polarity=p).values.tolist()
                                             for p in POLARITIES} for xi in VCMA},
        "grows": {f"{xi * 1e15:g}": {p: bool(np.all(np.diff(dataset.delta_r.sel(vcma_coefficient=xi, polarity=p)) > 0))
                                     for p in POLARITIES} for xi in VCMA},
        "bias_range_V": dataset.bias_voltage.sel(vcma_coefficient=0.0, polarity="positive")
        .isel(current_magnitude=[0, -1]).values.tolist(),
        "in_plane_from_fJ": next((f"{xi * 1e15:g}" for xi in VCMA
                                  if float(dataset.effective_anisotropy.sel(vcma_coefficient=xi, polarity="positive")
                                           .min()) < 0), None),
        "field_like_range": {f"{b * 1e3:g}": dataset.delta_r_field_like.sel(field_like_quadratic=b)
                             .isel(current_magnitude=[0, -1]).values.tolist() for b in FIELD_LIKE},
        "heating": {"thermal_resistance": THERMAL_RESISTANCES,
                    "temperature_K": dataset.heated_temperature.values.tolist(),
                    "frequency_GHz": (dataset.heated_precession_frequency / 1e9).values.tolist()},
        "lag": {"time_constant_ns": [tau * 1e9 for tau in THERMAL_TIME_CONSTANTS],
                "end_temperature_K": dataset.lag_temperature.isel(lag_time=-1).values.tolist(),
                "delta_r": dataset.lag_delta_r.values.tolist(), "delta_r_std": dataset.lag_delta_r_std.values.tolist(),
                "realisations": int(dataset.attrs["lag_realisations"])},
        "networks": {"levels_fJ": [xi * 1e15 for xi in levels],
                     **{f"{task}_{p}": _success(dataset, task, p) for task in TASKS for p in POLARITIES}},
        "stray_field_mT": {"centre": dataset.attrs["stray_field_centre_T"] * 1e3,
                           "mean": dataset.attrs["stray_field_mean_T"] * 1e3,
                           "rim": dataset.attrs["stray_field_rim_T"] * 1e3},
        "tilt_deg": {"without": dataset.attrs["tilt_without_deg"], "with": dataset.attrs["tilt_with_deg"]},
    }
    dataset.attrs.update(provenance(record, seed=seed, study="supp_operating_point", summary=json.dumps(summary)))
    mp.write_dataset(dataset, netcdf, overwrite=overwrite)
    save_figure(plot(dataset), png, overwrite=overwrite, parameters=record, study="supp_operating_point")
    summary["wall_time_s"] = round(time.perf_counter() - start, 1)
    return summary


def _range(pair) -> str:
    return f"{pair[0]:.1f} → {pair[1]:.1f} Ω"


def report(summary: dict) -> ReportSection:
    seeds = seeds_in_words(summary["seed"], summary["seeds"])
    vcma = summary["delta_r_range"]
    grows = summary["grows"]
    curves = "; ".join(f"ξ = {xi} fJ/(V m): {_range(ends['positive'])} at positive bias, {_range(ends['negative'])} "
                       f"at negative" + ("" if all(grows[xi].values()) else
                                         " (" + ", ".join(p for p, ok in grows[xi].items() if not ok)
                                         + ": dR does not grow with |j|)")
                       for xi, ends in vcma.items())
    tipping = (f"from ξ = {summary['in_plane_from_fJ']} fJ/(V m) the anisotropy at the operating bias falls below "
               "zero and the free layer tips towards the plane" if summary["in_plane_from_fJ"] is not None
               else "at no ξ tried does the anisotropy at the operating bias fall below zero")
    networks = summary["networks"]
    total = summary["seeds"]
    success = "; ".join(f"{task.replace('fig', 'Fig. ')} at {polarity} bias: " + ", ".join(
        f"{n}/{total} at {xi:g}" for xi, n in zip(networks["levels_fJ"], networks[f"{task}_{polarity}"]))
        for task in TASKS for polarity in POLARITIES)
    heating = summary["heating"]
    lag = summary["lag"]
    bias = summary["bias_range_V"]
    stray = summary["stray_field_mT"]
    plain = networks["fig2_positive"][0], networks["fig4_positive"][0]
    changed = [xi for xi, ok in zip(networks["levels_fJ"][1:], zip(networks["fig2_positive"][1:],
                                                                      networks["fig4_positive"][1:]))
               if ok != plain]
    verdict = (f"VCMA changes the paper's conclusions: at ξ = {', '.join(f'{x:g}' for x in changed)} fJ/(V m) the "
               "networks of Figs. 2 and 4 do not do as they do without it" if changed else
               "VCMA in the range tried does not change whether Figs. 2 and 4 work")
    text = [
        f"The reference junction carries {bias[0]:.2f}–{bias[1]:.2f} V over the operating range. Voltage-controlled "
        f"anisotropy (dR over the range): {curves}; {tipping}.",
        "Field-like torque in V² (positive bias): " + "; ".join(
            f"{b} mT/V²: {_range(ends)}" for b, ends in summary["field_like_range"].items()) + ".",
        "A free layer that softens as it heats (300 K ambient, the operating range's largest power): "
        + ", ".join(f"{t:.0f} K → {f:.2f} GHz" for t, f in zip(heating["temperature_K"], heating["frequency_GHz"]))
        + " (thermal resistances " + ", ".join(f"{r:g}" for r in heating["thermal_resistance"]) + " K/W).",
        f"The heating's lag (10⁶ K/W, {OPERATING_RANGE[1] / 1e10:g} × 10¹⁰ A/m², {lag['realisations']} realisations "
        "each): "
        + "; ".join(f"{'at once' if tau == 0 else f'τ_th = {tau:g} ns'}: {t:.0f} K at the window's end, dR "
                    f"{r:.0f} ± {sd:.0f} Ω" for tau, t, r, sd in zip(lag["time_constant_ns"], lag["end_temperature_K"],
                                                                   lag["delta_r"], lag["delta_r_std"])) + ".",
        f"Networks (surrogate, 0 K, {seeds}, successes at each ξ in fJ/(V m)): {success}. {verdict}.",
        f"The reference layer's stray field on the disc: {stray['centre']:.1f} mT at the centre, {stray['mean']:.1f} "
        f"mT on average, {stray['rim']:.1f} mT at the rim; the relaxed free layer tilts "
        f"{summary['tilt_deg']['with']:.2f}° from m0 with it ({summary['tilt_deg']['without']:.2f}° without).",
    ]
    rows = (("Supplement: the neuron at its operating point (VCMA, bias-dependent torques, heating)", "not modelled",
             verdict),)
    verdicts = (judge(None, None),)
    caption = ("(a) dR and (b) the anisotropy at the bias against ξ and polarity; (c) the field-like torque in V²; "
               "(d) heating; (e) Figs. 2 and 4 against ξ; (f) the reference layer's stray field; (g) the heating's "
               "lag.")
    return ReportSection(rows, "\n\n".join(text), (("supp_operating_point.png", caption),), verdicts)


STUDY = Study(
    name="supp_operating_point",
    title="Supplement: the junction at its operating point (VCMA, bias-dependent torques, heating, reference layer).",
    description=__doc__,
    run=run,
    outputs=("supp_operating_point.nc", "supp_operating_point.png"),
    options=(
        seed_option(),
        seeds_option(4, "networks per point"),
        quick_option("Two VCMA levels for the networks, fewer currents, a coarser grid."),
        params_option(),
    ),
    full={"seeds": 4},
    quick={"seeds": 1, "quick": True},
    report=report,
)
