"""The design study: its gradients against finite differences, its bounds, and a quick run whose summary is
read back from what it wrote."""

import json

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from mtjphys.studies import design_optimization as study, fig4_recognition

import mtjphys as mp

# Tolerances far below the finite differences' resolution. The readout refines each extremum of R(t) by a
# parabola through its sample and the two beside it, so dR is smooth in the design only while no extremum moves
# to another sample: at this design the steps are small enough that none does (a step of 1e-3 moves them by several
# samples, and the differences then average over the parabola's error instead of following it).
TIGHT = mp.NeuronSolver(rtol=1e-12, atol=1e-14, samples=3001, adjoint=diffrax.ForwardMode())
STEP = 1e-5  # in the unconstrained variables


@pytest.mark.slow
def test_merit_gradients_match_central_differences():
    record = mp.Parameters()
    bounds = study.Bounds.of(record)
    device = study.gradient_device(record, TIGHT)
    r0 = mp.equilibrium_resistance(record)
    merits = lambda u: study.merits(device, bounds, r0, u)
    # a concave curve whose signal is below the constraint: the smooth maximum and a penalty both count
    u0 = bounds.unconstrained([3.3e5, 1.2e-9, 2.0, 0.3e10, 1.5e10])
    measures = eqx.filter_jit(merits)(jnp.asarray(u0))[1]
    assert float(measures["penalty"]) > 0 and float(measures["max_deviation"]) > 0.1
    jacobian = np.asarray(eqx.filter_jit(jax.jacfwd(lambda u: merits(u)[0]))(jnp.asarray(u0)))

    h = STEP
    steps = np.concatenate([s * np.eye(5) for s in (h, -h, h / 2, -h / 2)])
    shifted = np.asarray(eqx.filter_jit(merits)(jnp.asarray(u0 + steps))[0]).reshape(4, 5, 2)
    central = lambda plus, minus, step: (shifted[plus] - shifted[minus]).T / (2 * step)
    richardson = (4 * central(2, 3, h / 2) - central(0, 1, h)) / 3
    for row in range(2):  # each merit's gradient, relative to its largest entry
        np.testing.assert_allclose(richardson[row], jacobian[row], rtol=1e-5,
                                   atol=1e-5 * np.abs(jacobian[row]).max())


def test_transforms_keep_every_design_within_bounds_and_round_trip():
    bounds = study.Bounds.of(mp.Parameters())
    shape = mp.shape_anisotropy(mp.Parameters())
    assert shape == pytest.approx(0.5 * 1.25663706212e-6 * 576e3**2)
    assert bounds.Ku[0] > shape
    u = np.random.default_rng(3).normal(0, 6, (400, 5))
    u[:8] = np.array([[30.0] * 5, [-30.0] * 5, [30, -30, 30, -30, 30], [-30, 30, -30, 30, -30],
                      [0, 0, 0, 30, 30], [0, 0, 0, 30, -30], [0, 0, 0, -30, 30], [0, 0, 0, -30, -30]])
    designs = np.asarray(jax.vmap(bounds.design)(jnp.asarray(u)))
    assert all(bounds.contains(design) for design in designs)
    j_low, j_high = designs[:, 3], designs[:, 4]
    assert np.all(j_low >= bounds.current_density[0]) and np.all(j_high <= bounds.current_density[1])
    assert np.all(j_high - j_low >= bounds.min_width * (1 - 1e-12))
    moderate = u[np.all(np.abs(u) < 8, axis=1)]
    back = np.array([bounds.unconstrained(design) for design in np.asarray(jax.vmap(bounds.design)(moderate))])
    np.testing.assert_allclose(back, moderate, rtol=1e-7, atol=1e-7)
    reference = [mp.REFERENCE["Ku"], mp.REFERENCE["thickness"], mp.REFERENCE["Lambda"], *mp.OPERATING_RANGE]
    np.testing.assert_allclose(np.asarray(bounds.design(jnp.asarray(bounds.unconstrained(reference)))), reference,
                               rtol=1e-12)
    with pytest.raises(mp.MtjphysError, match="outside its bounds in Ku"):
        bounds.unconstrained([0.9 * shape, *reference[1:]])


@pytest.mark.slow
def test_the_recognition_trial_drives_the_given_current_range():
    record = mp.Parameters()
    transfer = mp.transfer_curve(record, np.linspace(0.5e10, 1.2e10, 15))
    ours = study.recognition_trial(0, record, transfer, mp.OPERATING_RANGE)
    theirs = fig4_recognition.run_trial(seed=0, noise=0.05, mode="surrogate", n_mtj=40, omega_square=0.16e9,
                                        omega_sine=0.21e9, parameters=record, transfer=transfer, progress=False)
    np.testing.assert_array_equal(ours.output.values, theirs.output.values)
    elsewhere = study.recognition_trial(0, record, transfer, (0.5e10, 1.2e10))
    assert mp.network_from_dataset(elsewhere).nonlinearity.current_range == (0.5e10, 1.2e10)
    assert not np.array_equal(elsewhere.output.values, theirs.output.values)


@pytest.mark.slow
def test_a_quick_run_improves_on_the_reference_and_reports_what_it_wrote(tmp_path):
    summary = study.run(tmp_path, quick=True, steps=4, seeds=1, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(study.STUDY.outputs)
    dataset = mp.open_dataset(tmp_path / "design_optimization.nc")
    for name, variable in {**dataset.data_vars, **dataset.coords}.items():
        assert "units" in variable.attrs and variable.attrs.get("long_name"), name
    assert json.loads(dataset.attrs["summary"]) == {k: v for k, v in summary.items() if k != "wall_time_s"}
    assert json.loads(dataset.attrs["parameters"]) == mp.Parameters().to_dict()

    bounds = study.Bounds.of(mp.Parameters())
    paths = np.stack([dataset[f"path_{v}"].values for v in study.VARIABLES], axis=-1)
    assert all(bounds.contains(design) for design in paths.reshape(-1, 5))
    for k, objective in enumerate(study.OBJECTIVES):
        start, step = int(dataset.optimum_start[k]), int(dataset.optimum_step[k])
        path = dataset.sel(objective=objective)
        assert bool(path.path_feasible.sel(start=start, step=step))
        assert float(path.path_merit.sel(start=start, step=step)) >= float(path.path_merit.sel(start=0, step=0))
        np.testing.assert_array_equal(paths[k, start, step], [dataset[v].sel(device=objective) for v in
                                                               study.VARIABLES])

    reference, nonlinear, efficient = (summary["devices"][name] for name in study.DEVICES)
    assert nonlinear["max_deviation"] >= reference["max_deviation"]
    assert efficient["efficiency"] >= reference["efficiency"]
    for name in study.DEVICES:
        device, reported = dataset.sel(device=name), summary["devices"][name]
        j = device.range_current_density.values
        assert j[0] == reported["j_low"] and j[-1] == reported["j_high"] and bounds.contains(
            [reported[v] for v in study.VARIABLES])
        curve = mp.transfer_curve(study.device_record(mp.Parameters(), [reported[v] for v in study.VARIABLES]), j)
        np.testing.assert_allclose(device.delta_r.values, curve.delta_r.values, rtol=1e-12)
        linear = (j - j[0]) / (j[-1] - j[0])
        assert reported["max_deviation"] == pytest.approx(
            np.max(np.abs(device.delta_r_normalized.values - linear)), rel=1e-12)
        delta_r = device.delta_r.values
        assert reported["efficiency"] == pytest.approx((delta_r[-1] - delta_r[0]) / device.energy.values.mean(),
                                                       rel=1e-12)
        assert reported["fig2_passed"] == int(device.fig2_passed.sum())
        assert reported["fig4_accuracy"][0] == pytest.approx(float(device.fig4_accuracy.mean()))

    section = study.report(summary)
    assert f"{reference['max_deviation']:.4f} → optimised {nonlinear['max_deviation']:.3f}" in section.rows[0][2]
    assert f"{efficient['efficiency']:.3g} Ω/J" in section.rows[1][2]
    assert f"Fig. 2 {nonlinear['fig2_passed']}/1 seed pass" in section.rows[2][2]


def test_bad_settings_are_refused_before_anything_is_written(tmp_path):
    with pytest.raises(mp.MtjphysError, match="need --steps"):
        study.run(tmp_path / "out", steps=0)
    with pytest.raises(mp.MtjphysError, match="at 0 K"):
        study.run(tmp_path / "out", parameters=mp.Parameters({"temperature": 300.0}))
    with pytest.raises(mp.MtjphysError, match="outside its bounds in Lambda"):
        study.run(tmp_path / "out", parameters=mp.Parameters({"Lambda": 5.0}))
    assert not (tmp_path / "out").exists()
