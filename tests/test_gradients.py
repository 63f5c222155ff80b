"""Derivatives of the neuron's outputs through the solve, against central finite differences of the same
discretised solve (Richardson-extrapolated, so their own error is far below the tolerance)."""

import itertools

import diffrax as dfx
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import mtjphys
import mtjphys as mp
from mtjphys.device import gradient_solver
from mtjphys.device._thermal import sampled_thermal_solver
from mtjphys.fitting import differentiable_parameters

J = 0.9e10
TIGHT = mp.NeuronSolver(rtol=1e-11, atol=1e-13)  # the solve's own error far below the differences' step
TIMES = np.linspace(0.0, mp.NEURON_WINDOW, 301)
RELATIVE = 1e-5
STEPS = (1e-2, 1e-3, 1e-4, 1e-5)  # relative steps of the finite differences
# dR is read at sampled extrema (refined by a parabola): continuous, but its slope jumps where an extremum
# passes a sample, about every 1e-4 of a relative change in Ku, so its differences take smaller steps
EXTREMA_STEPS = (1e-5, 1e-6)
# the size of a change of an entry that is 0 in the record
ZERO_SCALES = {"H_ext": 1e3, "vcma_coefficient": 1e-14, "interlayer_coupling": 1e-4, "field_like_quadratic": 1e-3,
               "damping_like_asymmetry": 0.1}
ZERO = 1e-9  # [ohm] a change this small per relative change of a parameter counts as none


def _differences(function, params: dict, name: str, component, steps=STEPS) -> np.ndarray:
    """Central differences of a function of the raw parameter arrays, Richardson-extrapolated,
    (4 D(h/2) - D(h)) / 3, at the relative step h whose estimate agrees best with the next smaller one's (a
    step chosen by the differences' own consistency: large steps meet the curvature, small ones the solve's
    rounding)."""
    base = np.array(params[name])
    scale = abs(base if component is None else base[component]) or ZERO_SCALES.get(name, 1.0)

    def central(step):
        def shifted(sign):
            value = base.copy()
            if component is None:
                value = value + sign * step * scale
            else:
                value[component] += sign * step * scale
            return np.asarray(function({**params, name: jnp.asarray(value)}))

        return (shifted(1) - shifted(-1)) / (2 * step * scale)

    estimates = [(4 * central(h / 2) - central(h)) / 3 for h in steps]
    gaps = [np.max(np.abs(a - b)) for a, b in itertools.pairwise(estimates)]
    best = int(np.argmin(gaps))
    return (estimates[best] + estimates[best + 1]) / 2


def _relative_error(analytic, finite) -> float:
    return float(np.max(np.abs(analytic - finite)) / np.max(np.abs(analytic)))


def _agrees(analytic, finite, scale) -> bool:
    """Within RELATIVE of the largest derivative, or both below ZERO per relative change of the parameter."""
    return np.max(np.abs(analytic - finite)) <= RELATIVE * np.max(np.abs(analytic)) + ZERO / scale


def _trace_function(parameters, settings=TIGHT, j=J):
    device = mp.make_device(parameters, settings=settings).varying(list(parameters.arrays()))

    @jax.jit
    def resistance(params, drive=jnp.float64(j)):
        return device.replace(params=params).solve(drive, jnp.asarray(TIMES)).point.resistance

    return resistance


def _check_every_row(parameters, sensitivity, function, steps=STEPS, skip=()):
    params = parameters.arrays()
    checked = []
    for label in sensitivity.parameter.values:
        if label == "current_density" or label in skip:
            continue
        name, component = (label, None) if label in params else (label.rsplit("_", 1)[0], "xyz".index(label[-1]))
        finite = _differences(function, params, name, component, steps)
        value = np.asarray(params[name]) if component is None else np.asarray(params[name])[component]
        analytic = sensitivity.sensitivity.sel(parameter=label).values
        scale = abs(float(value)) or ZERO_SCALES.get(name, 1.0)
        assert _agrees(analytic, finite, scale), (label, _relative_error(analytic, finite))
        checked.append(label)
    return checked


@pytest.mark.slow
def test_the_trace_derivatives_by_every_parameter_and_the_current_match_finite_differences():
    parameters = mp.Parameters()
    sensitivity = mp.trace_sensitivity(parameters, J, TIMES, settings=TIGHT)
    resistance = _trace_function(parameters)
    # tilting p = x towards y rotates it about the easy axis z, about which the whole device is symmetric and R
    # depends on m . p alone: the derivative vanishes (the differences see only the solve's rounding there)
    sensitive = np.abs(sensitivity.sensitivity).max("time")
    assert sensitive.sel(parameter="fixed_layer_y") < 1e-12 * sensitive.sel(parameter="fixed_layer_x")
    checked = _check_every_row(parameters, sensitivity, resistance, skip=("fixed_layer_y",))
    assert set(differentiable_parameters(parameters)) <= {label.rsplit("_", 1)[0] for label in checked} | set(
        checked)
    drive = lambda j: resistance(parameters.arrays(), jnp.float64(j))
    h = 1e-3 * J
    finite = (4 * (drive(J + h / 2) - drive(J - h / 2)) / h - (drive(J + h) - drive(J - h)) / (2 * h)) / 3
    slope = sensitivity.sensitivity.sel(parameter="current_density").values
    assert _relative_error(slope, np.asarray(finite)) < RELATIVE
    # the record's scalars, its vectors by component, and the drive
    assert {"alpha", "Ku", "polarization", "Lambda", "R_P", "R_AP", "H_ext_z", "m0_x"} <= set(checked)
    assert sensitivity.sensitivity.attrs["units"].startswith("ohm")
    assert dict(zip(sensitivity.parameter.values, sensitivity.parameter_units.values))["Ku"] == "J/m^3"


@pytest.mark.slow
def test_a_bias_dependent_tmr_is_differentiated_through_its_voltage_solve():
    parameters = mp.Parameters({"V_half": 0.6})
    assert "V_half" in differentiable_parameters(parameters)
    sensitivity = mp.trace_sensitivity(parameters, J, TIMES, wrt=["V_half", "R_AP", "alpha"], settings=TIGHT)
    _check_every_row(parameters, sensitivity, _trace_function(parameters))


@pytest.mark.slow
def test_reverse_mode_gives_the_forward_derivatives_of_the_transfer_curve():
    parameters = mp.Parameters()
    currents = np.linspace(0.8e10, 1.0e10, 3)
    forward = mp.transfer_sensitivity(parameters, currents, wrt=["alpha", "Ku", "thickness"], settings=TIGHT)
    reverse = mp.transfer_sensitivity(parameters, currents, wrt=["alpha", "Ku", "thickness"], settings=TIGHT,
                                      mode="reverse")
    for name in ("sensitivity", "energy_sensitivity"):
        assert _relative_error(forward[name].values, reverse[name].values) < 1e-10
    device = mp.make_device(parameters, settings=TIGHT)

    @jax.jit
    def delta_r(params, drive=jnp.asarray(currents)):
        return device.replace(params=params).window(drive).extrema.delta_r

    _check_every_row(parameters, forward, delta_r, EXTREMA_STEPS)
    h = 1e-3 * currents
    slope = (4 * (delta_r(parameters.arrays(), jnp.asarray(currents + h / 2))
                  - delta_r(parameters.arrays(), jnp.asarray(currents - h / 2))) / h
             - (delta_r(parameters.arrays(), jnp.asarray(currents + h))
                - delta_r(parameters.arrays(), jnp.asarray(currents - h))) / (2 * h)) / 3
    assert _relative_error(forward.sensitivity.sel(parameter="current_density").values, np.asarray(slope)) < RELATIVE
    # dR grows with j on the operating window, as Fig. 1(d) has it
    assert np.all(forward.sensitivity.sel(parameter="current_density").values > 0)


@pytest.mark.slow
def test_one_realisation_above_zero_kelvin_is_differentiated_along_its_fixed_noise_path():
    parameters = mp.Parameters({"temperature": 300.0})
    assert "temperature" in differentiable_parameters(parameters)
    sensitivity = mp.trace_sensitivity(parameters, J, TIMES, wrt=["alpha", "Ku", "temperature"], seed=5)
    device = mp.make_device(parameters)
    device = device.replace(solver=sampled_thermal_solver(device.solver, TIMES[1], TIMES.size))
    key = mtjphys._errors.random_key(5)

    @jax.jit
    def resistance(params):
        return device.replace(params=params).solve(jnp.float64(J), TIMES, key=key).point.resistance

    assert np.allclose(resistance(parameters.arrays()), sensitivity.resistance.values, rtol=0, atol=1e-9)
    _check_every_row(parameters, sensitivity, resistance)
    with pytest.raises(mp.MtjphysError, match="forward mode only"):
        mp.trace_sensitivity(parameters, J, TIMES, mode="reverse")


@pytest.mark.slow
def test_a_micromagnetic_layer_is_differentiated_through_its_grid():
    parameters = mp.Parameters({"cell_size": 10e-9}, model=mp.micromagnetic_model())
    settings = eqx.tree_at(lambda s: (s.rtol, s.atol, s.progress), mp.make_device(parameters).solver,
                           (1e-10, 1e-12, False))
    sensitivity = mp.trace_sensitivity(parameters, J, TIMES, wrt=["A", "Ku", "alpha"], settings=settings)
    _check_every_row(parameters, sensitivity, _trace_function(parameters, settings))


# a rectangle of 4 x 2 cells whose relaxed state a tilted field makes non-uniform: it moves with every material
# parameter, so the derivatives go through the relaxation
TILTED_GRID = {"geometry": "rectangle", "length": 20e-9, "width": 10e-9, "cell_size": 5e-9, "H_ext": (4e4, 1e4, 0.0)}


@pytest.mark.slow
def test_the_relaxed_state_has_the_equilibriums_derivative_in_both_modes(monkeypatch):
    """Implicit differentiation of the relaxation: forward and reverse mode agree, and match differences of
    relaxations converged far below the relaxation's own threshold."""
    from mtjphys.grid import _micromagnetic

    parameters = mp.Parameters(TILTED_GRID, model=mp.micromagnetic_model())
    model, params = mp.make_device(parameters).model, parameters.arrays()
    names = ("Ku", "Ms", "A", "H_ext")
    average = lambda params: model.average(model.initial_state(params, ()))
    of_free = lambda free: average({**params, **free})
    free = {name: params[name] for name in names}
    forward, reverse = jax.jit(jax.jacfwd(of_free))(free), jax.jit(jax.jacrev(of_free))(free)
    for name in names:
        assert _relative_error(forward[name], reverse[name]) < 1e-10
    # relaxed to 1e-13 T the state is the equilibrium to the differences' precision; its derivative moves little
    monkeypatch.setattr(_micromagnetic, "RELAX_TORQUE", 1e-13)
    exact = jax.jit(jax.jacfwd(of_free))(free)
    assert max(_relative_error(exact[name], forward[name]) for name in names) < 1e-5
    relaxed_average = jax.jit(average)
    for name, component in (("Ku", None), ("Ms", None), ("A", None), ("H_ext", 0), ("H_ext", 1)):
        finite = _differences(relaxed_average, params, name, component)
        analytic = np.asarray(exact[name] if component is None else exact[name][:, component])
        assert _relative_error(analytic, finite) < 1e-6, (name, component)


@pytest.mark.slow
def test_reverse_mode_differentiates_a_grid_through_its_relaxation():
    parameters = mp.Parameters(TILTED_GRID, model=mp.micromagnetic_model())
    settings = eqx.tree_at(lambda s: (s.rtol, s.atol, s.progress), mp.make_device(parameters).solver,
                           (1e-10, 1e-12, False))
    forward, reverse = (mp.trace_sensitivity(parameters, J, TIMES[::20], wrt=["Ku", "Ms", "A", "H_ext"],
                                             settings=settings, mode=mode) for mode in ("forward", "reverse"))
    for label in forward.parameter.values:
        row = forward.sensitivity.sel(parameter=label).values
        assert _relative_error(row, reverse.sensitivity.sel(parameter=label).values) < 1e-6, label


def test_what_has_no_derivative_is_refused_in_one_line():
    parameters = mp.Parameters()
    assert "temperature" not in differentiable_parameters(parameters)  # any T > 0 switches to the SDE
    assert "V_half" not in differentiable_parameters(parameters)  # null: a constant TMR
    for wrt, message in ((["temperature"], "no derivative"), (["breakdown_voltage"], "no derivative"),
                         (["nonsense"], "not a parameter")):
        with pytest.raises(mp.MtjphysError, match=message):
            mp.trace_sensitivity(parameters, J, TIMES, wrt=wrt)
    with pytest.raises(mp.MtjphysError, match="strictly increasing"):
        mp.trace_sensitivity(parameters, J, TIMES[::-1])
    with pytest.raises(mp.MtjphysError, match="'forward' or 'reverse'"):
        mp.trace_sensitivity(parameters, J, TIMES, mode="sideways")
    with pytest.raises(mp.MtjphysError, match="0 K"):
        mp.transfer_sensitivity(parameters.replace(temperature=300.0), [J])


def test_the_adjoint_is_chosen_by_mode_and_recorded():
    forward = gradient_solver(mp.NeuronSolver(), "forward")
    reverse = gradient_solver(mp.NeuronSolver(), "reverse")
    assert isinstance(forward.adjoint, dfx.ForwardMode)
    assert isinstance(reverse.adjoint, dfx.RecursiveCheckpointAdjoint)
    assert forward.describe()["adjoint"] == "diffrax.ForwardMode"
