"""Device design by gradients through the LLG solve: a free layer and current range whose own transfer
curve is usefully nonlinear, or gives the most dR per joule, and Figs. 2 and 4 on each.

    mtjphys study design_optimization -o results/ [--params P.json] [--steps 60] [--starts 4] [--seed 0]
        [--seeds 5] [--quick]

On the paper's operating range (0.8-1.0e10 A/m^2) the reference neuron's normalised transfer curve F(j)
(dR mapped linearly onto [0, 1] between the range's ends) is a straight line to within about 0.004: the
networks' nonlinearity is the clipping of the current, not the MTJ's. This study asks which free layer and
current range make the MTJ's own curve nonlinear. Design variables: Ku [J/m^3], thickness [m], Lambda [1]
and the current range (j_low, j_high) [A/m^2]; the rest of the record (--params; default the reference)
is kept. Bounds, each reached through a scaled
logistic of an unconstrained variable (so the optimiser is unconstrained):

- Ku in [1.1, 2.0] x K_shape, K_shape = mu0 Ms^2 (N_zz - N_inplane) / 2 the shape anisotropy
  (2.08e5 J/m^3 for the reference Ms and N = (0, 0, 1)): the layer stays perpendicular by a margin
  of at least 10 % (at 1.05 K_shape dR jumps inside the current range, where the readout's last
  extremum leaves the 1.5 ns window);
- thickness in [0.8, 2.0] nm, Lambda in [0.5, 3];
- 0.1e10 <= j_low, j_low + 0.05e10 <= j_high <= 1.7e10 A/m^2: the reference still rings with
  dR = 0.12 % of R0 at 0.1e10, and 1.7e10 puts 1.5 V across R0.

Constraints (squared-hinge penalties, weight 100), on 21 currents evenly over the current range:

- increasing, without steps: the local slope of F, relative to its mean slope, within [0.1, 4] (a
  step would be the readout's last extremum leaving the window, not the device);
- signal: dR(j_high) - dR(j_low) at least 0.2 % of R0;
- the barrier: the largest voltage across it on the current range at most 1.5 V.

Objectives, each maximised on its own:

- nonlinearity: the smooth maximum (log-sum-exp at temperature 0.01) of |F - linear|; reported with
  the true maximum;
- efficiency: ln of the dR range per mean window energy, (dR(j_high) - dR(j_low)) / <E> [ohm/J].

Both start from the record's design and from --starts - 1 designs drawn uniformly in the middle 80 % of
each bounded range (--start-seed), and take --steps Adam steps (rate 0.3 in the unconstrained variables,
betas 0.9 and 0.9: a short memory of the gradient's scale, which changes as constraints engage) with
forward-mode derivatives (diffrax.ForwardMode, one tangent per design variable). An objective's optimum
is the best design on any of its paths that meets every constraint.

The reference and both optimised devices then run Fig. 2 (sine generation) and Fig. 4 (recognition) in
surrogate mode on their transfer curves over network seeds SEED .. SEED + SEEDS - 1; each network maps its
state onto that device's own current range (the architecture's `current_range`), with the settings of those
studies.

Writes design_optimization.nc and design_optimization.png.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import time

import click
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import xarray as xr
from matplotlib.figure import Figure
from tqdm.auto import tqdm

import mtjphys as mp
from mtjphys.data import provenance
from mtjphys.device import Device, gradient_solver, is_warm, make_device
from mtjphys.reproduction import (
    combined,
    joules,
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

VARIABLES = {  # design variable -> (units, long name)
    "Ku": ("J/m^3", "uniaxial anisotropy constant"),
    "thickness": ("m", "free-layer thickness"),
    "Lambda": ("1", "Slonczewski asymmetry Lambda"),
    "j_low": ("A/m^2", "lower end of the current range"),
    "j_high": ("A/m^2", "upper end of the current range"),
}
OBJECTIVES = ("nonlinearity", "efficiency")
DEVICES = ("reference", "nonlinearity", "efficiency")
KU_RANGE = (1.1, 2.0)  # [1], times the shape anisotropy
THICKNESS_RANGE = (0.8e-9, 2.0e-9)  # [m]
LAMBDA_RANGE = (0.5, 3.0)
CURRENT_BOUNDS = (0.1e10, 1.7e10)  # [A/m^2], the lowest j_low and the highest j_high
MIN_WIDTH = 0.05e10  # [A/m^2], of the current range
RANGE_POINTS = 21  # currents on the current range while optimising
CURVE_POINTS = 41  # on each device's final transfer curve
CURVE_STRIDE = (CURVE_POINTS - 1) // (RANGE_POINTS - 1)  # every CURVE_STRIDE-th point is one optimised over
WIDE_POINTS = 33  # over the whole of CURRENT_BOUNDS
SLOPE_RANGE = (0.1, 4.0)  # local slope of F over its mean slope
MIN_SIGNAL = 2e-3  # dR range over R0
VOLTAGE_LIMIT = 1.5  # [V]
CONSTRAINTS = {"slope_range": list(SLOPE_RANGE), "min_signal": MIN_SIGNAL, "voltage_limit": VOLTAGE_LIMIT}
SMOOTHING = 0.01  # temperature of the smooth maximum
PENALTY_WEIGHT = 100.0
LEARNING_RATE = 0.3
AT_BOUND = 0.02  # a variable within this fraction of its range from a bound is reported as at it
START_SPREAD = (0.1, 0.9)  # drawn starts: fractions of each bounded range
ADAM_BETAS = (0.9, 0.9)
FIG4 = {"noise": 0.05, "n_mtj": 40, "omega_square": 0.16e9, "omega_sine": 0.21e9, "square_amplitude": 2.0}


@dataclasses.dataclass(frozen=True)
class Bounds:
    """The design's physical bounds, and the transforms to and from unconstrained variables.

    Arguments:
        Ku, thickness, Lambda: (lowest, highest) [J/m^3, m, 1].
        current_density: (lowest j_low, highest j_high) [A/m^2].
        min_width: the narrowest current range j_high - j_low [A/m^2].
    """

    Ku: tuple[float, float]
    thickness: tuple[float, float]
    Lambda: tuple[float, float]
    current_density: tuple[float, float]
    min_width: float

    @classmethod
    def of(cls, record: mp.Parameters) -> Bounds:
        """The study's bounds for the free layer of `record` (its Ms and demagnetising factors)."""
        shape = mp.shape_anisotropy(record)
        return cls((KU_RANGE[0] * shape, KU_RANGE[1] * shape), THICKNESS_RANGE, LAMBDA_RANGE, CURRENT_BOUNDS,
                   MIN_WIDTH)

    def design(self, unconstrained: jnp.ndarray) -> jnp.ndarray:
        """Returns: the design (Ku, thickness, Lambda, j_low, j_high) [SI] of unconstrained variables (5,);
        traceable."""
        fraction = jax.nn.sigmoid(unconstrained)
        box = [low + (high - low) * fraction[i] for i, (low, high) in enumerate((self.Ku, self.thickness,
                                                                                    self.Lambda))]
        j_min, j_max = self.current_density
        j_low = j_min + (j_max - self.min_width - j_min) * fraction[3]
        j_high = j_low + self.min_width + (j_max - self.min_width - j_low) * fraction[4]
        return jnp.stack([*box, j_low, j_high])

    def fractions(self, design) -> np.ndarray:
        """Returns: where each design variable lies in its range, 0 at the lower bound and 1 at the upper (the
        current range's upper end between j_low + min_width and the highest current)."""
        ku, thickness, lambda_, j_low, j_high = (float(v) for v in design)
        j_min, j_max = self.current_density
        span = lambda value, low, high: (value - low) / (high - low)
        return np.array([span(ku, *self.Ku), span(thickness, *self.thickness), span(lambda_, *self.Lambda),
                         span(j_low, j_min, j_max - self.min_width),
                         span(j_high, j_low + self.min_width, j_max)])

    def unconstrained(self, design) -> np.ndarray:
        """Returns: the unconstrained variables of a design strictly inside the bounds (refused otherwise)."""
        fraction = self.fractions(design)
        if not np.all((fraction > 0) & (fraction < 1)):
            outside = [name for name, f in zip(VARIABLES, fraction) if not 0 < f < 1]
            raise mp.MtjphysError(f"the design lies on or outside its bounds in {', '.join(outside)}")
        return np.log(fraction / (1 - fraction))

    def contains(self, design) -> bool:
        """Whether a design lies within the bounds (closed, to a relative 1e-9)."""
        fraction = self.fractions(design)
        return bool(np.all((fraction >= -1e-9) & (fraction <= 1 + 1e-9)))

    @classmethod
    def from_dict(cls, values: dict) -> Bounds:
        """The bounds `describe` gave."""
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()})

    def describe(self) -> dict:
        return {"Ku": list(self.Ku), "thickness": list(self.thickness), "Lambda": list(self.Lambda),
                "current_density": list(self.current_density), "min_width": self.min_width}


def gradient_device(record: mp.Parameters, settings: mp.NeuronSolver | None = None) -> Device:
    """The record's device, its solver (default the model's) differentiated in forward mode (five design
    variables)."""
    device = make_device(record, settings=settings)
    return device.replace(solver=gradient_solver(device.solver, "forward"))


def range_measures(device: Device, design: jnp.ndarray, resistance_equilibrium: float,
                   points: int = RANGE_POINTS) -> dict:
    """The transfer curves of designs on `points` currents evenly over each one's current range, and what the study
    measures on them (traceable).

    Arguments:
        device: the device whose other parameters stay fixed (`gradient_device`).
        design: (..., 5): (Ku, thickness, Lambda, j_low, j_high) [SI] of each design.
        resistance_equilibrium: R0 [ohm] (the signal constraint's scale).
        points: currents on the current range.

    Returns:
        A dict of arrays over the designs (...): `delta_r` [ohm] and `normalized` F (..., points);
        `deviation` F - linear (..., points); `smooth_deviation` and `max_deviation` of |F - linear|;
        `signal` dR(j_high) - dR(j_low) [ohm]; `efficiency` signal / mean window energy [ohm/J];
        `min_slope`, `max_slope` of F over its mean slope; `voltage_max` [V]; `penalty` of the constraints;
        `merit` (..., 2): (nonlinearity, efficiency), the quantities maximised.
    """
    design = design[..., None]  # each design's currents along the last axis
    params = {**device.params, "Ku": design[..., 0, :], "thickness": design[..., 1, :], "Lambda": design[..., 2, :]}
    position = jnp.linspace(0.0, 1.0, points)
    currents = design[..., 3, :] + (design[..., 4, :] - design[..., 3, :]) * position
    response = device.replace(params=params).window(currents)
    delta_r = response.extrema.delta_r
    signal = delta_r[..., -1] - delta_r[..., 0]
    normalized = (delta_r - delta_r[..., :1]) / signal[..., None]
    deviation = normalized - position
    slope = jnp.diff(normalized, axis=-1) * (points - 1)
    voltage = jnp.max(response.voltage_max, axis=-1)
    hinge = lambda excess: jax.nn.relu(excess) ** 2
    penalty = (jnp.sum(hinge(SLOPE_RANGE[0] - slope) + hinge(slope - SLOPE_RANGE[1]), axis=-1)
               + hinge(1 - signal / (MIN_SIGNAL * resistance_equilibrium)) + hinge(voltage / VOLTAGE_LIMIT - 1))
    efficiency = signal / jnp.mean(response.energy, axis=-1)
    smooth = SMOOTHING * jax.nn.logsumexp(jnp.concatenate([deviation, -deviation], axis=-1) / SMOOTHING, axis=-1)
    merit = jnp.stack([smooth, jnp.log(efficiency)], axis=-1) - PENALTY_WEIGHT * penalty[..., None]
    return {"delta_r": delta_r, "normalized": normalized, "deviation": deviation, "smooth_deviation": smooth,
            "max_deviation": jnp.max(jnp.abs(deviation), axis=-1), "signal": signal, "efficiency": efficiency,
            "min_slope": jnp.min(slope, axis=-1), "max_slope": jnp.max(slope, axis=-1), "voltage_max": voltage,
            "penalty": penalty, "merit": merit}


def merits(device: Device, bounds: Bounds, resistance_equilibrium: float,
           unconstrained: jnp.ndarray) -> tuple[jnp.ndarray, dict]:
    """Returns: (merit (..., 2) for (nonlinearity, efficiency), every measure) of unconstrained design variables
    (..., 5), solved as one batch; traceable and differentiable."""
    design = jax.vmap(bounds.design)(unconstrained.reshape(-1, len(VARIABLES))).reshape(unconstrained.shape)
    measures = range_measures(device, design, resistance_equilibrium)
    return measures["merit"], measures


@eqx.filter_jit
def _merits_and_jacobians(device, bounds, resistance_equilibrium, unconstrained):
    """Returns: (d merit / d unconstrained (B, 2, 5), measures) of designs (B, 5), one forward-mode tangent per
    design variable, each moving that variable of every design (a design's merit depends on its own only)."""
    def along(direction):
        tangent = jnp.broadcast_to(direction, unconstrained.shape)
        _, derivative, measures = jax.jvp(
            lambda u: merits(device, bounds, resistance_equilibrium, u), (unconstrained,),
            (tangent,), has_aux=True)
        return derivative, measures

    return jax.vmap(along, out_axes=(-1, None))(jnp.eye(len(VARIABLES)))


def feasible(measures: dict, resistance_equilibrium: float) -> np.ndarray:
    """Returns: where the measured designs meet every constraint."""
    ok = ((measures["min_slope"] >= SLOPE_RANGE[0]) & (measures["max_slope"] <= SLOPE_RANGE[1])
          & (measures["signal"] >= MIN_SIGNAL * resistance_equilibrium) & (measures["voltage_max"] <= VOLTAGE_LIMIT))
    return ok & np.all(np.isfinite(measures["merit"]), axis=-1)


def reference_design(record: mp.Parameters) -> np.ndarray:
    """Returns: the record's free layer on the operating range, (Ku, thickness, Lambda, j_low, j_high) [SI]."""
    return np.array([record["Ku"], record["thickness"], record["Lambda"], *mp.OPERATING_RANGE])


def starting_points(record: mp.Parameters, bounds: Bounds, starts: int, seed: int) -> np.ndarray:
    """Returns: (starts, 5) unconstrained variables: the record's design on the operating range, then designs
    drawn uniformly in the middle of each bounded range from `seed`."""
    fraction = np.random.default_rng(seed).uniform(*START_SPREAD, (starts - 1, len(VARIABLES)))
    return np.vstack([bounds.unconstrained(reference_design(record)), np.log(fraction / (1 - fraction))])


def optimise(record: mp.Parameters, bounds: Bounds, starts: np.ndarray, steps: int, *,
             settings: mp.NeuronSolver | None = None, rate: float = LEARNING_RATE, progress=True) -> dict:
    """Adam ascent of both objectives from each start, recording every step.

    Arguments:
        record: the device whose other parameters stay fixed.
        bounds: the design's bounds.
        starts: (S, 5) unconstrained starting points, shared by both objectives.
        steps: Adam steps; the path holds steps + 1 designs.
        settings: the solver (default the model's), differentiated in forward mode.
        rate: Adam's step in the unconstrained variables.

    Returns:
        Arrays over (objective, start, step): `unconstrained` and `design` (..., 5) and every measure of
        `range_measures` but the curves (`merit` (..., 2) for both objectives).
    """
    device = gradient_device(record, settings)
    r0 = mp.equilibrium_resistance(record)
    point = np.stack([starts] * len(OBJECTIVES)).astype(np.float64)  # (objective, start, 5)
    moment, second = np.zeros_like(point), np.zeros_like(point)
    history = []
    for step in tqdm(range(steps + 1), desc="design steps", disable=None if progress else True, leave=False):
        jacobian, measures = _merits_and_jacobians(device, bounds, r0, jnp.asarray(point.reshape(-1, len(VARIABLES))))
        measures = {k: np.asarray(v).reshape(point.shape[:2] + np.shape(v)[1:]) for k, v in measures.items()
                    if k not in ("delta_r", "normalized", "deviation")}
        history.append({"unconstrained": point.copy(), **measures})
        if step == steps:
            break
        jacobian = np.asarray(jacobian).reshape(point.shape[:2] + (len(OBJECTIVES), len(VARIABLES)))
        gradient = np.stack([jacobian[k, :, k] for k in range(len(OBJECTIVES))])  # each path its own objective
        gradient = np.where(np.isfinite(gradient), gradient, 0.0)  # a failed solve leaves its design where it is
        (beta1, beta2), t = ADAM_BETAS, step + 1
        moment = beta1 * moment + (1 - beta1) * gradient
        second = beta2 * second + (1 - beta2) * gradient**2
        point = point + rate * (moment / (1 - beta1**t)) / (np.sqrt(second / (1 - beta2**t)) + 1e-8)
    path = {key: np.stack([h[key] for h in history], axis=2) for key in history[0]}
    unconstrained = jnp.asarray(path["unconstrained"].reshape(-1, len(VARIABLES)))
    path["design"] = np.asarray(jax.vmap(bounds.design)(unconstrained)).reshape(path["unconstrained"].shape)
    path["feasible"] = feasible(path, r0)
    return path


def optimum(path: dict, objective: int) -> tuple[int, int, bool]:
    """Returns: (start, step, feasible) of the best design on the paths of `objective`: the best feasible one,
    or the best of all where none is."""
    merit = path["merit"][objective, :, :, objective]
    ok = path["feasible"][objective]
    candidates = np.where(ok & np.isfinite(merit), merit, -np.inf) if ok.any() else np.nan_to_num(merit, nan=-np.inf)
    start, step = np.unravel_index(np.argmax(candidates), merit.shape)
    return int(start), int(step), bool(ok.any())


def device_record(record: mp.Parameters, design) -> mp.Parameters:
    """The record with a design's free layer."""
    ku, thickness, lambda_ = (float(v) for v in design[:3])
    return record.replace(Ku=ku, thickness=thickness, Lambda=lambda_)


def recognition_trial(seed: int, record: mp.Parameters, transfer: xr.Dataset, current_range) -> xr.Dataset:
    """Fig. 4 in surrogate mode on `transfer`, the network's current range `current_range` [A/m^2]. Returns: the
    classified run dataset."""
    fig4 = importlib.import_module("mtjphys.studies.fig4_recognition")
    return fig4.run_trial(seed=seed, mode="surrogate", parameters=record, transfer=transfer,
                          current_range=current_range, progress=False, **FIG4)


def networks(record: mp.Parameters, transfer: xr.Dataset, current_range, seeds) -> dict[str, np.ndarray]:
    """Fig. 2 and Fig. 4 in surrogate mode on `transfer`, the networks' current range `current_range` [A/m^2],
    for each of `seeds`.

    Returns:
        Per seed: `fig2_passed`, `fig2_period_error`, `fig2_amplitude_error`, `fig2_generation_error` (see
        `mtjphys.generation_metrics`) and `fig4_accuracy` on the test windows.
    """
    fig4 = importlib.import_module("mtjphys.studies.fig4_recognition")
    architecture = {"current_range": tuple(float(j) for j in current_range)}
    results = []
    for seed in seeds:
        run = mp.sine_generation_run(seed, mode="surrogate", parameters=record, transfer=transfer,
                                     architecture=architecture, progress=False)
        metrics = {f"fig2_{name}": value for name, value in mp.generation_metrics(run).items()}
        trial = recognition_trial(seed, record, transfer, current_range)
        results.append({**metrics, "fig4_accuracy": fig4.accuracy_on_test(trial)})
    return {name: np.array([r[name] for r in results]) for name in results[0]}


def _variable(dims, values, units: str, long_name: str):
    return dims, values, {"units": units, "long_name": long_name}


def compute(record: mp.Parameters, *, steps: int, starts: int, start_seed: int, seed: int = 0, seeds: int,
            progress=True) -> xr.Dataset:
    """Returns: the study's dataset (see the module docstring)."""
    bounds = Bounds.of(record)
    settings = gradient_device(record).solver
    path = optimise(record, bounds, starting_points(record, bounds, starts, start_seed), steps, settings=settings,
                    progress=progress)
    best = [optimum(path, k) for k in range(len(OBJECTIVES))]
    designs = [reference_design(record)]
    designs += [path["design"][k, start, step] for k, (start, step, _) in enumerate(best)]
    wide = np.linspace(*CURRENT_BOUNDS, WIDE_POINTS)
    curves, wide_curves, nets, records = [], [], [], {}
    for name, design in tqdm(list(zip(DEVICES, designs)), desc="devices", disable=None if progress else True,
                             leave=False):
        device = device_record(record, design)
        current_range = (float(design[3]), float(design[4]))
        curve = mp.transfer_curve(device, np.linspace(*current_range, CURVE_POINTS))
        curves.append(curve)
        wide_curves.append(mp.neuron_output(device, wide).delta_r)
        nets.append(networks(device, curve, current_range, range(seed, seed + seeds)))
        records[name] = device.to_dict()
    delta_r = np.array([c.delta_r.values for c in curves])
    normalized = (delta_r - delta_r[:, :1]) / (delta_r[:, -1:] - delta_r[:, :1])
    position = np.linspace(0.0, 1.0, CURVE_POINTS)
    path_dims = ("objective", "start", "step")
    variables = {f"path_{name}": _variable(path_dims, path["design"][..., i], units, f"{long_name} along the path")
                 for i, (name, (units, long_name)) in enumerate(VARIABLES.items())}
    variables.update({name: _variable("device", np.array([d[i] for d in designs]), units, long_name)
                      for i, (name, (units, long_name)) in enumerate(VARIABLES.items())})
    variables.update(
        path_merit=_variable(path_dims, np.stack([path["merit"][k, ..., k] for k in range(len(OBJECTIVES))]), "1",
                             "merit maximised: smooth max of |F - linear| (nonlinearity) or ln(efficiency / "
                             "(1 ohm/J)) (efficiency), less the constraint penalties"),
        path_smooth_deviation=_variable(path_dims, path["smooth_deviation"], "1",
                                        f"smooth maximum of |F - linear| on {RANGE_POINTS} currents"),
        path_max_deviation=_variable(path_dims, path["max_deviation"], "1",
                                     f"largest |F - linear| on {RANGE_POINTS} currents"),
        path_efficiency=_variable(path_dims, path["efficiency"], "ohm/J",
                                  "dR(j_high) - dR(j_low) per mean window energy"),
        path_signal=_variable(path_dims, path["signal"], "ohm", "dR(j_high) - dR(j_low)"),
        path_min_slope=_variable(path_dims, path["min_slope"], "1", "smallest local slope of F over its mean slope"),
        path_max_slope=_variable(path_dims, path["max_slope"], "1", "largest local slope of F over its mean slope"),
        path_voltage_max=_variable(path_dims, path["voltage_max"], "V", "largest voltage across the barrier"),
        path_penalty=_variable(path_dims, path["penalty"], "1", "constraint penalty (before its weight)"),
        path_feasible=_variable(path_dims, path["feasible"].astype(np.int8), "1", "meets every constraint"),
        optimum_start=_variable("objective", np.array([b[0] for b in best]), "1", "start of the optimum's path"),
        optimum_step=_variable("objective", np.array([b[1] for b in best]), "1", "step of the optimum on its path"),
        optimum_feasible=_variable("objective", np.array([b[2] for b in best], dtype=np.int8), "1",
                                   "the optimum meets every constraint"),
        delta_r=_variable(("device", "range_point"), delta_r, "ohm",
                          "neuron output dR over the device's current range"),
        delta_r_normalized=_variable(("device", "range_point"), normalized, "1",
                                     "F: dR mapped linearly onto [0, 1] between the current range's ends"),
        deviation_from_linear=_variable(("device", "range_point"), normalized - position, "1",
                                        "F minus the straight line through its ends"),
        energy=_variable(("device", "range_point"), np.array([c.energy.values for c in curves]), "J",
                         "energy dissipated in the junction over the neuron window"),
        voltage_max=_variable(("device", "range_point"), np.array([c.voltage_max.values for c in curves]), "V",
                              "largest voltage across the barrier"),
        delta_r_wide=_variable(("device", "current_density"), np.array(wide_curves), "ohm",
                               "neuron output dR over the whole of the bounds' currents"),
        resistance_equilibrium=_variable((), float(curves[0].resistance_equilibrium), "ohm",
                                         "R0, zero-bias resistance at equilibrium"),
        shape_anisotropy=_variable((), mp.shape_anisotropy(record), "J/m^3",
                                   "mu0 Ms^2 (N_zz - N_inplane) / 2, the least Ku of a perpendicular layer"),
    )
    on_device = "in surrogate mode on the device's curve and current range"
    variables.update(
        fig2_passed=_variable(("device", "seed"), np.array([n["fig2_passed"] for n in nets], dtype=np.int8), "1",
                              f"Fig. 2 {on_device}: both free runs within 2 % in period and 5 % in amplitude"),
        fig2_period_error=_variable(("device", "seed"), np.array([n["fig2_period_error"] for n in nets]), "1",
                                    f"Fig. 2 {on_device}: worst relative error of the dominant period"),
        fig2_amplitude_error=_variable(("device", "seed"), np.array([n["fig2_amplitude_error"] for n in nets]), "1",
                                       f"Fig. 2 {on_device}: worst relative error of the amplitude"),
        fig2_generation_error=_variable(("device", "seed"), np.array([n["fig2_generation_error"] for n in nets]), "1",
                                        f"Fig. 2 {on_device}: RMS error over the first 150 ns of free running / "
                                        "target RMS"),
        fig4_accuracy=_variable(("device", "seed"), np.array([n["fig4_accuracy"] for n in nets]), "1",
                                f"Fig. 4 {on_device}: test accuracy"),
    )
    range_current = np.array([c.current_density.values for c in curves])
    dataset = xr.Dataset(variables, coords={
        "objective": ("objective", list(OBJECTIVES), {"units": "", "long_name": "quantity maximised"}),
        "start": ("start", np.arange(starts), {"units": "1", "long_name": "starting point (0: the reference)"}),
        "step": ("step", np.arange(steps + 1), {"units": "1", "long_name": "Adam step"}),
        "device": ("device", list(DEVICES), {"units": "", "long_name": "the reference, or optimised for"}),
        "range_point": ("range_point", position, {"units": "1", "long_name": "(j - j_low) / (j_high - j_low)"}),
        "range_current_density": (("device", "range_point"), range_current,
                                  {"units": "A/m^2", "long_name": "current density on the device's current range"}),
        "current_density": ("current_density", wide, {"units": "A/m^2", "long_name": "current density"}),
        "seed": ("seed", np.arange(seed, seed + seeds), {"units": "1", "long_name": "network seed"}),
    })
    dataset.attrs.update(provenance(record, settings=settings, seed=start_seed, study="design_optimization",
                                    bounds=bounds.describe(), device_parameters=records,
                                    constraints=CONSTRAINTS,
                                    smoothing=SMOOTHING, penalty_weight=PENALTY_WEIGHT,
                                    learning_rate=LEARNING_RATE, adam_betas=list(ADAM_BETAS),
                                    range_points=RANGE_POINTS))
    dataset.attrs["summary"] = json.dumps(summarise(dataset))
    return dataset


def _min_slope(normalized: np.ndarray) -> float:
    """Returns: the smallest local slope of a normalised curve over its mean slope."""
    return float(np.min(np.diff(normalized)) * (normalized.size - 1))


def summarise(dataset: xr.Dataset) -> dict:
    """Returns: the summary, every number read from `dataset`."""
    bounds = Bounds.from_dict(json.loads(dataset.attrs["bounds"]))
    shape = float(dataset.shape_anisotropy)
    r0 = float(dataset.resistance_equilibrium)
    devices = {}
    for name in DEVICES:
        device = dataset.sel(device=name)
        design = [float(device[v]) for v in VARIABLES]
        delta_r = device.delta_r.values
        accuracy = device.fig4_accuracy.values
        fraction = bounds.fractions(design)
        devices[name] = {
            **dict(zip(VARIABLES, design)), "Ku_over_shape": design[0] / shape,
            "max_deviation": float(np.max(np.abs(device.deviation_from_linear.values))),
            "signal": float(delta_r[-1] - delta_r[0]), "signal_over_r0": float((delta_r[-1] - delta_r[0]) / r0),
            "energy_mean": float(device.energy.mean()),
            "efficiency": float((delta_r[-1] - delta_r[0]) / device.energy.mean()),
            "voltage_max": float(device.voltage_max.max()), "increasing": bool(np.all(np.diff(delta_r) > 0)),
            "min_slope": _min_slope(device.delta_r_normalized.values[::CURVE_STRIDE]),
            "min_slope_curve": _min_slope(device.delta_r_normalized.values),
            "at_lower_bound": [v for v, f in zip(VARIABLES, fraction) if f < AT_BOUND],
            "at_upper_bound": [v for v, f in zip(VARIABLES, fraction) if f > 1 - AT_BOUND],
            "fig2_passed": int(device.fig2_passed.sum()),
            "fig2_generation_error": [float(device.fig2_generation_error.mean()),
                                      float(device.fig2_generation_error.max())],
            "fig4_accuracy": [float(accuracy.mean()), float(accuracy.min())],
        }
    optima = {name: {"start": int(dataset.optimum_start.sel(objective=name)),
                     "step": int(dataset.optimum_step.sel(objective=name)),
                     "feasible": bool(dataset.optimum_feasible.sel(objective=name))} for name in OBJECTIVES}
    return {"shape_anisotropy": shape, "resistance_equilibrium": r0, "bounds": bounds.describe(),
            "constraints": {**json.loads(dataset.attrs["constraints"]),
                            "curve_points": int(dataset.sizes["range_point"])},
            "steps": int(dataset.sizes["step"]) - 1, "starts": int(dataset.sizes["start"]),
            "seed": int(dataset.seed.values[0]), "seeds": int(dataset.sizes["seed"]), "devices": devices,
            "optima": optima}


DEVICE_STYLE = {"reference": ("k", "--"), "nonlinearity": ("C3", "-"), "efficiency": ("C0", "-.")}


def plot(dataset: xr.Dataset) -> Figure:
    """Returns: the paths (merit measures and design variables), dR over the current range with each device's
    current range, the normalised curves and their deviation from linear."""
    figure = Figure(figsize=(14, 8), layout="constrained")
    axes = figure.subplots(2, 3)
    steps = dataset.step.values
    for k, (name, quantity, label) in enumerate((("nonlinearity", "path_max_deviation", "max |F − linear|"),
                                                 ("efficiency", "path_efficiency", "ΔR range / ⟨E⟩ (Ω/J)"))):
        ax = axes[0, k]
        best_start, best_step = int(dataset.optimum_start[k]), int(dataset.optimum_step[k])
        for start in dataset.start.values:
            values = dataset[quantity].sel(objective=name, start=start).values
            ok = dataset.path_feasible.sel(objective=name, start=start).values.astype(bool)
            line = ax.plot(steps, values, lw=1.4 if start == best_start else 0.8, label=f"start {start}")
            ax.plot(steps[~ok], values[~ok], "x", color=line[0].get_color(), ms=4)
        ax.plot(best_step, dataset[quantity].sel(objective=name, start=best_start, step=best_step), "*", color="k",
                ms=12, label="optimum")
        ax.set(xlabel="Adam step", ylabel=label, title=f"({'ab'[k]}) maximising {name} (×: a constraint unmet)",
               yscale="log")
        ax.legend(fontsize=7)
    ax = axes[0, 2]
    for k, name in enumerate(OBJECTIVES):
        start = int(dataset.optimum_start[k])
        for i, variable in enumerate(VARIABLES):
            path = dataset[f"path_{variable}"].sel(objective=name, start=start).values
            ax.plot(steps, path / float(dataset[variable].sel(device="reference")), ls=("-", "--")[k], color=f"C{i}",
                    label=variable if k == 0 else None)
    ax.set(xlabel="Adam step", ylabel="design / reference (— nonlinearity, -- efficiency)", yscale="log",
           title="(c) the design along each optimum's path")
    ax.legend(fontsize=7)
    j = dataset.current_density.values / 1e10
    for name in DEVICES:
        color, style = DEVICE_STYLE[name]
        device = dataset.sel(device=name)
        axes[1, 0].plot(j, device.delta_r_wide.values, style, color=color, label=name)
        axes[1, 0].axvspan(float(device.j_low) / 1e10, float(device.j_high) / 1e10, color=color, alpha=0.12)
        x = dataset.range_point.values
        axes[1, 1].plot(x, device.delta_r_normalized.values, style, color=color, label=name)
        axes[1, 2].plot(x, device.deviation_from_linear.values, style, color=color,
                        label=f"{name}: {float(device.j_low) / 1e10:.3g}–{float(device.j_high) / 1e10:.3g}")
    axes[1, 0].set(xlabel="j (10¹⁰ A/m²)", ylabel="ΔR (Ω)", title="(d) ΔR, each device's current range shaded")
    axes[1, 0].legend(fontsize=7)
    axes[1, 1].plot([0, 1], [0, 1], color="0.6", lw=0.8)
    axes[1, 1].set(xlabel="(j − j_low) / (j_high − j_low)", ylabel="F", title="(e) normalised transfer curves")
    axes[1, 2].axhline(0, color="0.6", lw=0.8)
    axes[1, 2].set(xlabel="(j − j_low) / (j_high − j_low)", ylabel="F − linear", title="(f) deviation from linear")
    axes[1, 2].legend(title="current range (10¹⁰ A/m²)", fontsize=7)
    return figure


def run(output_dir, *, parameters: mp.Parameters | None = None, overwrite: bool = False, quick: bool = False,
        steps: int | None = None, starts: int | None = None, start_seed: int = 0, seed: int = 0, seeds: int = 5,
        progress=True) -> dict:
    """Optimise, run the networks, write design_optimization.nc and .png into `output_dir`.

    Arguments:
        parameters: the device whose free layer is designed (default the reference).
        quick: fewer steps and starts (8 and 2 instead of 60 and 4) unless given.
        steps, starts, start_seed: Adam steps, starting points (the first the record's design) and their seed.
        seed, seeds: network seeds of Figs. 2 and 4, `seed` .. `seed` + `seeds` - 1.

    Returns:
        The summary.
    """
    steps = steps if steps is not None else 8 if quick else 60
    starts = starts if starts is not None else 2 if quick else 4
    if steps < 1 or starts < 1 or seeds < 1 or start_seed < 0 or seed < 0:
        raise mp.MtjphysError("need --steps, --starts and --seeds >= 1 and --start-seed, --seed >= 0")
    record = parameters or mp.Parameters()
    if is_warm(record) or record.mesh is not None:
        raise mp.MtjphysError("design_optimization differentiates the macrospin at 0 K; give a macrospin record "
                              "without temperature or Joule heating")
    Bounds.of(record).unconstrained(reference_design(record))
    netcdf, png = prepare_outputs(output_dir, STUDY.outputs, overwrite)
    start = time.perf_counter()
    dataset = compute(record, steps=steps, starts=starts, start_seed=start_seed, seed=seed, seeds=seeds,
                      progress=progress)
    mp.write_dataset(dataset, netcdf, overwrite=overwrite)
    save_figure(plot(dataset), png, overwrite=overwrite, parameters=record, study="design_optimization")
    summary = json.loads(dataset.attrs["summary"])
    summary["wall_time_s"] = round(time.perf_counter() - start, 1)
    return summary


def _count(number: int, what: str) -> str:
    return f"{number} {what}{'' if number == 1 else 's'}"


def _design(device: dict) -> str:
    return (f"Ku = {device['Ku']:.4g} J/m³ ({device['Ku_over_shape']:.3f} K_shape), d = "
            f"{device['thickness'] * 1e9:.3g} nm, Λ = {device['Lambda']:.3g}, current range "
            f"{device['j_low'] / 1e10:.3g}–"
            f"{device['j_high'] / 1e10:.3g} × 10¹⁰ A/m²")


def _bounds_met(device: dict) -> str:
    ends = [f"{v} at its lower bound" for v in device["at_lower_bound"]]
    ends += [f"{v} at its upper bound" for v in device["at_upper_bound"]]  # within 2 % of the range
    return "; ".join(ends) if ends else "inside every bound"


def _constraints(device: dict, limits: dict) -> str:
    return (f"ΔR range {device['signal']:.1f} Ω ({100 * device['signal_over_r0']:.2f} % of R0; at least "
            f"{100 * limits['min_signal']:g} %), smallest local slope {device['min_slope']:.2f} of the mean on the "
            f"currents optimised over (at least {limits['slope_range'][0]:g}; {device['min_slope_curve']:.2f} between "
            f"the final curve's {limits['curve_points']} points), at most {device['voltage_max']:.2f} V across the "
            f"barrier (at most {limits['voltage_limit']:g} V)")


def _networks(device: dict, seeds: int) -> str:
    accuracy, worst = (100 * a for a in device["fig4_accuracy"])
    error, worst_error = device["fig2_generation_error"]
    return (f"Fig. 2 {device['fig2_passed']}/{_count(seeds, 'seed')} pass (generation error {error:.3f}, worst "
            f"{worst_error:.3f}), Fig. 4 {accuracy:.1f} % (worst {worst:.0f} %)")


def report(summary: dict) -> ReportSection:
    ref, nonlinear, efficient = (summary["devices"][name] for name in DEVICES)
    seeds, optima = summary["seeds"], summary["optima"]
    gain = efficient["efficiency"] / ref["efficiency"]
    rows = (
        ("The MTJ's own nonlinearity: max |F − linear| of the normalised transfer curve",
         "—",
         f"reference {ref['max_deviation']:.4f} → optimised {nonlinear['max_deviation']:.3f}"),
        ("ΔR range per mean window energy", "—",
         f"reference {ref['efficiency']:.3g} Ω/J → optimised {efficient['efficiency']:.3g} Ω/J (× {gain:.3g})"),
        ("Figs. 2 and 4 on the optimised devices (surrogate, each on its own current range)",
         "sustained sine; > 99 % recognition",
         f"reference: {_networks(ref, seeds)}; nonlinear: {_networks(nonlinear, seeds)}; efficient: "
         f"{_networks(efficient, seeds)}"),
    )
    verdicts = (verdict(nonlinear["max_deviation"], None), verdict(efficient["efficiency"], None),
                combined(*(judged for device in (ref, nonlinear, efficient)
                           for judged in (verdict(device["fig2_passed"], True, trials=seeds),
                                          verdict(device["fig4_accuracy"][0], 0.99, bound="at least", scale=100,
                                                  unit=" % accuracy")))))
    unmet = [name for name, o in optima.items() if not o["feasible"]]
    limits = summary["constraints"]
    lowest_currents = (" (the energy grows as j² and ΔR about as j: the lowest currents give the most ΔR per joule)"
                       if "j_low" in efficient["at_lower_bound"] else "")
    text = (
        f"Gradients through the LLG solve (forward mode, five design variables) over "
        f"{_count(summary['steps'], 'Adam step')} from {_count(summary['starts'], 'start')} (the first the reference) "
        f"chose Ku, the thickness, Λ and the current range "
        f"within the bounds (Ku from {summary['bounds']['Ku'][0]:.4g} J/m³, "
        f"{summary['bounds']['Ku'][0] / summary['shape_anisotropy']:.3g} × the shape anisotropy "
        f"K_shape = {summary['shape_anisotropy']:.4g} J/m³).\n\n"
        f"**Nonlinearity.** The reference ({_design(ref)}) departs from a straight line by at most "
        f"{ref['max_deviation']:.4f} (the networks' nonlinearity is then the clipping of the current). The optimum "
        f"(start {optima['nonlinearity']['start']}, step {optima['nonlinearity']['step']}): {_design(nonlinear)}, "
        f"{_bounds_met(nonlinear)}. Its normalised curve "
        f"departs from a straight line by up to {nonlinear['max_deviation']:.3f}, "
        f"{nonlinear['max_deviation'] / ref['max_deviation']:.3g} times the reference, and "
        f"{'increases' if nonlinear['increasing'] else 'does not increase'} over its current range: "
        f"{_constraints(nonlinear, limits)}.\n\n"
        f"**Efficiency.** The reference gives {ref['signal']:.1f} Ω of range for {joules(ref['energy_mean'])} "
        f"per window, {ref['efficiency']:.3g} Ω/J. The optimum (start {optima['efficiency']['start']}, step "
        f"{optima['efficiency']['step']}): {_design(efficient)}, {_bounds_met(efficient)}; "
        f"{_constraints(efficient, limits)}; {joules(efficient['energy_mean'])} per window, "
        f"{efficient['efficiency']:.3g} Ω/J, {gain:.3g} times the reference{lowest_currents}. Its curve departs "
        f"from a straight line by {efficient['max_deviation']:.3f}.\n\n"
        f"**Networks.** Each network maps its state onto its device's own current range (the architecture's "
        f"current_range) and reads that device's transfer curve (surrogate mode, the settings of Figs. 2 and 4), over "
        f"{_count(seeds, 'seed')} from seed {summary['seed']}: "
        f"reference {_networks(ref, seeds)}; nonlinear device {_networks(nonlinear, seeds)}; efficient device "
        f"{_networks(efficient, seeds)}."
        + (f"\n\nNo design on the paths of {', '.join(unmet)} met every constraint; the best one is shown." if unmet
           else ""))
    caption = ("(a, b) The objectives along each start's path (× a constraint unmet, ★ the optimum); "
               "(c) the design along the optimum's path relative to the reference; (d) ΔR over "
               "0.1–1.7 × 10¹⁰ A/m² with each device's current range shaded; (e) the normalised "
               "curves; (f) their departure from a straight line.")
    return ReportSection(rows, text, (("design_optimization.png", caption),), verdicts)


STUDY = Study(
    name="design_optimization",
    title="Free-layer design by gradients through the LLG: the MTJ's own nonlinearity and ΔR per joule.",
    description=__doc__,
    run=run,
    outputs=("design_optimization.nc", "design_optimization.png"),
    options=(
        params_option(),
        quick_option("8 steps from 2 starts (unless given)."),
        click.Option(["--steps"], type=int, default=None, help="Adam steps per path [default: 60]."),
        click.Option(["--starts"], type=int, default=None,
                     help="Starting points, the first the record's design [default: 4]."),
        click.Option(["--start-seed"], type=int, default=0, show_default=True, help="Seeds the drawn starts."),
        seed_option("The first network seed of Figs. 2 and 4."),
        seeds_option(5, "the networks of Figs. 2 and 4"),
    ),
    full={},
    quick={"quick": True, "seeds": 1},
    hot=None,
    report=report,
)
