"""The junction at its bias point: VCMA, the torques' bias dependence, interlayer coupling and the softening
of a heated free layer, checked symbolically, numerically against their equivalent fields, and by the
precession they cause."""

import jax.numpy as jnp
import numpy as np
import pytest
import sympy as sp

import mtjphys as mp
from mtjphys import models
from mtjphys.device import default_model, heated

MU0 = 1.25663706212e-6
XI = 60e-15  # [J/(V m)], mid-range CoFeB/MgO


def _random_state(seed):
    m = np.random.default_rng(seed).normal(size=3)
    return jnp.asarray(m / np.linalg.norm(m))


def _rate(record, m, current_density=0.0, voltage=0.0):
    return default_model().landau_lifshitz(m, jnp.float64(current_density), jnp.float64(voltage), record.arrays())


def test_vcma_is_the_anisotropy_lowered_by_xi_v_over_the_barrier_and_the_layer_symbolically():
    model = models.macrospin_stt()
    s = model.symbols
    without = model.without("vcma")
    lowered = s["Ku"] - s["vcma_coefficient"] * models.BIAS_VOLTAGE / (s["barrier_thickness"] * s["thickness"])
    difference = model.landau_lifshitz - without.landau_lifshitz.xreplace({s["Ku"]: lowered})
    assert all(sp.cancel(sp.together(c)) == 0 for c in difference)


@pytest.mark.parametrize("voltage", [0.8, -0.8, 0.3])
def test_the_generated_vcma_at_a_fixed_bias_equals_the_anisotropy_it_stands_for(voltage):
    record = mp.Parameters({"vcma_coefficient": XI, "barrier_thickness": 1.1e-9})
    lowered = record["Ku"] - XI * voltage / (1.1e-9 * record["thickness"])
    plain = mp.Parameters({"Ku": lowered})
    for seed in range(3):
        m = _random_state(seed)
        np.testing.assert_allclose(_rate(record, m, 0.9e10, voltage), _rate(plain, m, 0.9e10, voltage), rtol=1e-12)
    # xi > 0 lowers the perpendicular anisotropy at positive V, raises it at negative V
    assert (lowered < record["Ku"]) == (voltage > 0)


def test_the_field_like_torque_in_v_squared_is_a_field_along_the_reference_layer():
    b_fl, voltage = 4e-3, 0.7  # [T/V^2], [V]
    record = mp.Parameters({"field_like_quadratic": b_fl})
    p = np.asarray(record["fixed_layer"])
    equivalent = mp.Parameters({"H_ext": tuple(b_fl * voltage**2 * p / MU0)})
    for seed in range(3):
        m = _random_state(seed)
        np.testing.assert_allclose(_rate(record, m, 0.0, voltage), _rate(equivalent, m, 0.0, voltage), rtol=1e-12)
        np.testing.assert_allclose(_rate(record, m, 0.0, -voltage), _rate(equivalent, m, 0.0, -voltage), rtol=1e-12)


def test_the_damping_like_asymmetry_is_a_polarization_linear_in_the_bias():
    asymmetry, voltage = 0.25, 0.8
    record = mp.Parameters({"damping_like_asymmetry": asymmetry})
    equivalent = mp.Parameters({"polarization": record["polarization"] * (1 + asymmetry * voltage)})
    for seed in range(3):
        m = _random_state(seed)
        np.testing.assert_allclose(_rate(record, m, 1e10, voltage), _rate(equivalent, m, 1e10, voltage), rtol=1e-12)
    # it changes the torque only with a current: at j = 0 nothing
    np.testing.assert_allclose(_rate(record, m, 0.0, voltage), _rate(mp.Parameters(), m, 0.0, voltage), rtol=1e-14)


def test_interlayer_coupling_acts_exactly_as_the_equivalent_applied_field():
    coupling = 2e-4  # [J/m^2]
    record = mp.Parameters({"interlayer_coupling": coupling, "fixed_layer": (0.6, 0.0, 0.8)})
    p = np.asarray(record["fixed_layer"])
    field = coupling / (MU0 * record["Ms"] * record["thickness"]) * p  # [A/m]
    equivalent = mp.Parameters({"H_ext": tuple(field), "fixed_layer": (0.6, 0.0, 0.8)})
    for seed in range(3):
        m = _random_state(seed)
        np.testing.assert_allclose(_rate(record, m, 0.9e10), _rate(equivalent, m, 0.9e10), rtol=1e-12)
    # the same relaxed state, and the same ringing
    np.testing.assert_allclose(mp.neuron_output(record, [0.9e10]).delta_r,
                               mp.neuron_output(equivalent, [0.9e10]).delta_r, rtol=1e-9)


def test_only_a_record_with_a_bias_effect_makes_the_motion_read_the_bias():
    reads_bias = lambda records: mp.make_device(records).circuit.reads_bias
    assert not reads_bias(mp.Parameters())
    assert reads_bias(mp.Parameters({"vcma_coefficient": XI}))
    assert reads_bias([mp.Parameters(), mp.Parameters({"field_like_quadratic": 1e-3})])
    assert not reads_bias(mp.Parameters({"interlayer_coupling": 1e-4}))  # a field, not a bias effect


def _ringing_frequency(record, current_density, tilt=0.02):
    """The precession frequency [Hz] of m about the easy axis under a current, from the zero crossings of m_x."""
    device = mp.make_device(record)
    start = jnp.asarray([np.sin(tilt), 0.0, np.cos(tilt)])
    ts = np.linspace(0.0, 3e-9, 6001)
    mx = np.asarray(device.solve(jnp.float64(current_density), ts, m0=start).m[:, 0])
    rising = np.flatnonzero((mx[:-1] < 0) & (mx[1:] >= 0))
    crossings = ts[rising] - mx[rising] * (ts[rising + 1] - ts[rising]) / (mx[rising + 1] - mx[rising])
    return (len(crossings) - 1) / (crossings[-1] - crossings[0])


@pytest.mark.parametrize("current_density", [0.4e10, -0.4e10])
def test_the_precession_under_a_bias_shifts_as_kittel_says(current_density):
    """No spin torque (P = 0) and no damping, so that only VCMA sees the current: the ringing about the easy
    axis is at f = gamma (2 K_eff(V) / Ms) / 2 pi, K_eff(V) = Ku - xi V / (t_b d) - mu0 Ms^2 / 2, V the
    junction's bias (R at m . p = 0 times the current)."""
    base = {"polarization": 0.0, "alpha": 0.0}
    record = mp.Parameters({**base, "vcma_coefficient": XI})
    voltage = current_density * record["area"] * mp.equilibrium_resistance(record)
    vcma = XI * voltage / (record["barrier_thickness"] * record["thickness"])
    k_eff = record["Ku"] - vcma - MU0 * record["Ms"] ** 2 / 2
    kittel = record["gamma"] * 2 * k_eff / record["Ms"] / (2 * np.pi)
    unbiased = record["gamma"] * 2 * (record["Ku"] - MU0 * record["Ms"] ** 2 / 2) / record["Ms"] / (2 * np.pi)
    measured = _ringing_frequency(record, current_density)
    assert measured == pytest.approx(kittel, rel=2e-3)
    assert abs(measured - unbiased) > 50 * abs(measured - kittel)  # the shift is resolved
    assert _ringing_frequency(mp.Parameters(base), current_density) == pytest.approx(unbiased, rel=2e-3)


def _heated_frequency(record, power):
    from mtjphys.device import tangent_hessian

    params = heated(record.arrays(), jnp.float64(power))
    hessian = tangent_hessian(default_model(), params, params["m0"])
    return float(params["gamma"] * jnp.sqrt(jnp.linalg.det(hessian)) / (2 * jnp.pi * params["Ms"]))


def test_heating_softens_a_perpendicular_free_layer():
    """Callen-Callen (Ku ~ Ms^3) lowers K_eff = Ku - mu0 Ms^2 / 2 as Ms falls, so the resonance falls with the
    temperature; with Ku held (exponent 0) it would rise, the trend the record's exponent corrects."""
    record = mp.Parameters({"temperature": 300.0, "thermal_resistance": 1e6, "curie_temperature": 1100.0})
    cold = _heated_frequency(record, 0.0)
    hot = _heated_frequency(record, 55e-6)  # 55 K of heating
    assert hot < 0.95 * cold
    held = record.replace(anisotropy_scaling_exponent=0.0)
    assert _heated_frequency(held, 55e-6) > _heated_frequency(held, 0.0)
    # the exponents act on Ku and A as powers of Ms(T) / Ms(T_ambient)
    params = heated(record.arrays(), jnp.float64(55e-6))
    ratio = float(params["Ms"] / record["Ms"])
    assert float(params["Ku"]) == pytest.approx(record["Ku"] * ratio**3, rel=1e-12)
    assert float(params["temperature"]) == pytest.approx(355.0)


def test_a_bias_effect_changes_the_neuron_by_polarity():
    record = mp.Parameters({"vcma_coefficient": XI})
    for drive in ([0.9e10], [-0.9e10]):
        plain = mp.neuron_output(mp.Parameters(), drive).delta_r
        assert not np.allclose(mp.neuron_output(record, drive).delta_r, plain, rtol=1e-3)


def test_a_grids_columns_share_the_current_by_their_conductances():
    record = mp.Parameters({"cell_size": 10e-9}, model=mp.micromagnetic_model())
    grid, params = mp.make_device(record).model, record.arrays()
    mask = record.mesh.mask[:, :, 0]
    # a state tilted towards +p on one half of the disc and towards -p on the other
    x = record.mesh.centres()[0][:, None, None]
    tilt = np.where(x > 0, 0.6, -0.6) * np.ones(record.mesh.shape)
    m = np.stack([tilt, np.zeros_like(tilt), np.sqrt(1 - tilt**2)], axis=-1)
    j, voltage = 0.9e10, 0.8
    cells = np.asarray(grid.cell_current_density(jnp.asarray(m), j, voltage, params))[:, :, 0]
    area = record.mesh.cell[0] * record.mesh.cell[1]
    # the columns carry the device's current between them
    assert np.sum(cells[mask]) * area == pytest.approx(j * mask.sum() * area, rel=1e-12)
    # the half nearer the parallel state conducts more and carries more
    assert cells[mask & (x[:, :, 0] > 0)].min() > 1.2 * cells[mask & (x[:, :, 0] < 0)].max()
    # a uniform state carries the device's current density everywhere
    uniform = np.asarray(grid.cell_current_density(grid.uniform(jnp.asarray(m[0, 0, 0])), j, voltage, params))
    np.testing.assert_allclose(uniform[:, :, 0][mask], j, rtol=1e-13)


def test_a_bias_term_switched_off_still_has_its_derivative():
    """At xi = 0 the device skips the bias, but a derivative by xi (or a fit freeing it) must see the term."""
    j, step = 0.9e10, 1e-16  # dR, read from extrema, is smooth only piecewise: a small step
    sensitivity = mp.transfer_sensitivity(mp.Parameters(), [j], wrt=["vcma_coefficient"])
    derivative = float(sensitivity.sensitivity.sel(parameter="vcma_coefficient").item())
    up, down = (mp.neuron_output(mp.Parameters({"vcma_coefficient": x}), [j]).delta_r[0] for x in (step, -step))
    assert derivative == pytest.approx((up - down) / (2 * step), rel=2e-3)
    assert abs(derivative) * 1e-14 > 1.0  # 10 fJ/(V m) moves dR by more than an ohm
