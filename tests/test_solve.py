"""Numerics of the deterministic solve: |m| = 1, convergence, agreement with an independent code."""

import itertools

import diffrax as dfx
import jax.numpy as jnp
import numpy as np
import pytest

import mtjphys as mp
from mtjphys import references

J = 0.9e10


@pytest.fixture(scope="module")
def parameters():
    return mp.Parameters()


def _norm_error(parameters, j, duration, settings=mp.NeuronSolver()):
    trace = mp.neuron_trace(parameters, j, duration=duration, time_step=5e-12, settings=settings)
    return np.max(np.abs(np.linalg.norm(trace.m.values, axis=-1) - 1))


@pytest.mark.slow
def test_norm_of_m_stays_one_over_a_window(parameters):
    for j in (0.8e10, 1.0e10):
        assert _norm_error(parameters, j, mp.NEURON_WINDOW) < 1e-9
    unbroken = parameters.replace(breakdown_voltage=None)  # 5e10 A/m^2 puts 4.3 V across the barrier
    assert _norm_error(unbroken, 5e10, mp.NEURON_WINDOW, mp.NeuronSolver(rtol=1e-9, atol=1e-11)) < 1e-9


@pytest.mark.slow
def test_norm_drift_is_controlled_by_the_tolerance(parameters):
    """A Runge-Kutta step conserves |m| only to its local error: the drift shrinks with rtol."""
    unbroken = parameters.replace(breakdown_voltage=None)  # 5e10 A/m^2 puts 4.3 V across the barrier
    drifts = [_norm_error(unbroken, 5e10, 10e-9, mp.NeuronSolver(rtol=rtol, atol=rtol / 100))
              for rtol in (1e-6, 1e-8, 1e-10)]
    assert drifts[0] > 10 * drifts[1] > 100 * drifts[2]


def test_trajectory_agrees_with_scipy_on_the_gilbert_form(parameters):
    trace = mp.neuron_trace(parameters, J, time_step=5e-12)
    m_ref, r_ref = references.scipy_trace(parameters.to_dict(), J, trace.time.values)
    assert np.max(np.abs(trace.m.values - m_ref)) < 1e-6
    assert np.max(np.abs(trace.resistance.values - r_ref)) < 5e-3


def test_delta_r_agrees_with_scipy_for_other_parameters():
    record = mp.Parameters().replace(alpha=0.05, H_ext=[2e4, 0, 1e4], epsilon_prime=0.1, Lambda=1.3,
                                     resistance_law="linear_resistance", fixed_layer=[1, 0.2, 0])
    for j in (0.8e10, 2e10):
        ours = float(mp.neuron_output(record, j).delta_r)
        assert abs(ours - references.scipy_delta_r(record.to_dict(), j)) < 0.01


@pytest.mark.slow
def test_delta_r_converges_as_tolerances_tighten(parameters):
    reference = references.scipy_delta_r(parameters.to_dict(), J)
    errors = []
    for rtol in (1e-4, 1e-6, 1e-8, 1e-10):
        settings = mp.NeuronSolver(rtol=rtol, atol=rtol * 1e-2, samples=1501)
        errors.append(abs(float(mp.neuron_output(parameters, J, settings=settings).delta_r) - reference))
    assert errors[0] > 0.01  # loose tolerances are visibly wrong...
    assert errors[-1] < 1e-4  # ...tight ones agree with the reference
    assert all(later < earlier for earlier, later in itertools.pairwise(errors))


@pytest.mark.parametrize("solver, order", [(dfx.Heun(), 2), (dfx.Bosh3(), 3), (dfx.Dopri5(), 5)])
def test_convergence_order_of_fixed_step_solvers(parameters, solver, order):
    model, params = mp.default_model(), parameters.arrays()
    t1 = 0.3e-9
    term = dfx.ODETerm(lambda t, m, args: model.landau_lifshitz(m, jnp.float64(J), 0.0, params))
    times = np.array([0.0, t1])
    exact, _ = references.scipy_trace(parameters.to_dict(), J, times, rtol=1e-13, atol=1e-15)

    def error(steps):
        solution = dfx.diffeqsolve(term, solver, 0.0, t1, t1 / steps, params["m0"],
                                   stepsize_controller=dfx.ConstantStepSize(), max_steps=steps + 1)
        return np.max(np.abs(np.asarray(solution.ys[-1]) - exact[-1]))

    coarse = 40 if order < 5 else 16
    measured = np.log2(error(coarse) / error(2 * coarse))
    assert abs(measured - order) < 0.35, measured


def test_batched_parameters_match_single_solves():
    records = [mp.Parameters().replace(Ku=ku) for ku in (2.30e5, 2.373e5, 2.45e5)]
    batched = mp.neuron_output(records, 0.9e10).delta_r
    single = [float(mp.neuron_output(r, 0.9e10).delta_r) for r in records]
    np.testing.assert_allclose(batched, single, atol=1e-3)
    assert np.ptp(batched) > 1.0  # the records really differ


@pytest.mark.slow
def test_fixed_steps_stay_within_a_milliohm_of_scipy(parameters):
    """Dopri8 at 20 equal steps per window: dR within 1e-3 ohm of the tight scipy reference over the operating
    range, and both modes of differentiation agree through it."""
    import jax

    from mtjphys.device import gradient_solver

    settings = mp.NeuronSolver(steps=20)
    assert settings.describe()["step_size_controller"] == "diffrax.ConstantStepSize"
    assert settings.describe()["steps_per_window"] == 20 and "rtol" not in settings.describe()
    currents = np.linspace(*mp.OPERATING_RANGE, 5)
    fixed = mp.neuron_output(parameters, currents, settings=settings).delta_r
    reference = [references.scipy_delta_r(parameters.to_dict(), j) for j in currents]
    assert np.max(np.abs(fixed - reference)) < 1e-3
    device, drive = mp.make_device(parameters, settings=settings), jnp.asarray(currents)

    def total(alpha, mode):
        solver = gradient_solver(settings, mode)
        changed = device.replace(params={**device.params, "alpha": alpha}, solver=solver)
        return changed.window(drive).extrema.delta_r.sum()

    alpha = jnp.float64(parameters["alpha"])
    reverse, forward = jax.grad(total)(alpha, "reverse"), jax.jacfwd(total)(alpha, "forward")
    np.testing.assert_allclose(reverse, forward, rtol=1e-9)
    with pytest.raises(mp.MtjphysError, match="steps per window"):
        mp.NeuronSolver(steps=0)
