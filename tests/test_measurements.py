"""Lab measurements computed from the model (mtjphys.measurements): the FMR dispersion and linewidth against
Kittel's forms and a ringdown, the grid's lowest mode against the macrospin's, the R(H) loop against
Stoner-Wohlfarth, and the spin-torque diode voltage against a linearisation of the LLG derived by hand."""

import jax.numpy as jnp
import numpy as np
import pytest
import scipy.optimize

import mtjphys as mp
from mtjphys.measurements import loop, lorentzian_parts, rectified_voltage, resonance, stfmr

MU0 = 1.25663706212e-6  # [T m/A], as in the generated code
HBAR = 1.054571817e-34  # [J s]
CHARGE = 1.602176634e-19  # [C]

IN_PLANE = {"Ku": 1e5}  # mu0 Meff = mu0 Ms - 2 Ku / Ms = 0.377 T > 0: an easy-plane film (demag (0, 0, 1))
IN_PLANE_UNIAXIAL = {"Ku": 2e4, "easy_axis": (1.0, 0.0, 0.0)}  # an easy-plane film with an in-plane easy axis x


def effective_magnetisation(record) -> float:
    """Meff = Ms - 2 Ku / (mu0 Ms) [A/m] of a film with demag (0, 0, 1) and Ku along z (< 0: perpendicular)."""
    return record["Ms"] - 2 * record["Ku"] / (MU0 * record["Ms"])


def damped_mode(record, b1, b2):
    """(f, FWHM) [Hz] of the Gilbert LLG linearised about an equilibrium with the stiffness fields b1, b2 [T]."""
    gamma, alpha = record["gamma"], record["alpha"]
    b1, b2 = np.asarray(b1, dtype=np.float64), np.asarray(b2, dtype=np.float64)
    frequency = gamma / (2 * np.pi * (1 + alpha**2)) * np.sqrt(b1 * b2 - alpha**2 * (b1 - b2) ** 2 / 4)
    return frequency, alpha * gamma * (b1 + b2) / (2 * np.pi * (1 + alpha**2))


def check_mode(dataset, record, b1, b2, rtol=1e-6):
    frequency, linewidth = damped_mode(record, b1, b2)
    np.testing.assert_allclose(dataset.frequency.values[:, 0], frequency, rtol=rtol)
    np.testing.assert_allclose(dataset.linewidth.values[:, 0], linewidth, rtol=rtol)
    assert np.all(dataset.stable.values == 1)


# The resonance sweeps the tests share (each call compiles its own program: a few seconds).
@pytest.fixture(scope="module")
def in_plane_field_in_plane():
    record = mp.Parameters(IN_PLANE)
    return record, resonance(record, [5e4, 2e5, 8e5], direction=[1.0, 0.0, 0.0])


@pytest.fixture(scope="module")
def in_plane_field_out_of_plane():
    record = mp.Parameters(IN_PLANE)
    meff = effective_magnetisation(record)
    return record, resonance(record, [1.2 * meff, 2 * meff, 4 * meff], direction=[0.0, 0.0, 1.0])


@pytest.fixture(scope="module")
def perpendicular_field_in_plane():
    record = mp.Parameters()
    anisotropy_field = -effective_magnetisation(record)
    return record, resonance(record, anisotropy_field * np.array([0.2, 0.5, 0.8]), direction=[1.0, 0.0, 0.0])


# ---- 1. Kittel ---------------------------------------------------------------------------------------
@pytest.mark.slow  # compiles a sweep of its own
def test_kittel_in_plane_film_field_in_plane(in_plane_field_in_plane):
    """An easy-plane film saturated in plane along x: the stiffness fields are B1 = mu0 H (in plane) and
    B2 = mu0 (H + Meff) (out of plane), the damped eigenfrequency and FWHM follow from them exactly
    (Kittel's f = gamma/2pi sqrt(B (B + mu0 Meff)) at alpha -> 0), and m lies along the field."""
    record, dataset = in_plane_field_in_plane
    assert effective_magnetisation(record) > 0
    field = dataset.field.values
    check_mode(dataset, record, MU0 * field, MU0 * (field + effective_magnetisation(record)))
    np.testing.assert_allclose(dataset.m.values, np.tile([1.0, 0.0, 0.0], (3, 1)), atol=1e-12)


@pytest.mark.slow  # compiles a sweep of its own
def test_kittel_in_plane_film_field_out_of_plane(in_plane_field_out_of_plane):
    """The easy-plane film saturated out of plane (H > Meff): B1 = B2 = mu0 (H - Meff), m along z."""
    record, dataset = in_plane_field_out_of_plane
    stiffness = MU0 * (dataset.field.values - effective_magnetisation(record))
    check_mode(dataset, record, stiffness, stiffness)
    np.testing.assert_allclose(dataset.m.values, np.tile([0.0, 0.0, 1.0], (3, 1)), atol=1e-12)


def test_kittel_perpendicular_film_field_along_the_easy_axis():
    """The reference perpendicular film (Meff < 0) with the field along z, on the branch m = +z, including a
    reversed field below the switching field: B1 = B2 = mu0 (H - Meff) = mu0 (H + H_K)."""
    record = mp.Parameters()
    meff = effective_magnetisation(record)
    assert meff < 0
    dataset = resonance(record, [0.5 * meff, 0.0, 1e5, 5e5], direction=[0.0, 0.0, 1.0])
    stiffness = MU0 * (dataset.field.values - meff)
    check_mode(dataset, record, stiffness, stiffness)
    np.testing.assert_allclose(dataset.m.values, np.tile([0.0, 0.0, 1.0], (4, 1)), atol=1e-12)


@pytest.mark.slow  # compiles a sweep of its own
def test_kittel_perpendicular_film_canted_by_an_in_plane_field(perpendicular_field_in_plane):
    """Below saturation, H < H_K = -Meff in plane: E = -K_eff m_z^2 - mu0 Ms H m_x puts m at sin(theta) = H / H_K
    in the xz plane; the energy's second derivatives over Ms give B1 = mu0 H_K (1 - (H/H_K)^2) (polar) and
    B2 = mu0 H_K (azimuthal), so f -> gamma/2pi mu0 H_K sqrt(1 - (H/H_K)^2) at alpha -> 0."""
    record, dataset = perpendicular_field_in_plane
    anisotropy_field = -effective_magnetisation(record)
    ratio = dataset.field.values / anisotropy_field
    check_mode(dataset, record, MU0 * anisotropy_field * (1 - ratio**2), MU0 * anisotropy_field * np.ones(3))
    expected = np.stack([ratio, np.zeros(3), np.sqrt(1 - ratio**2)], axis=-1)
    np.testing.assert_allclose(dataset.m.values, expected, atol=1e-10)


@pytest.mark.slow  # compiles a sweep of its own
def test_kittel_in_plane_easy_axis_below_saturation_without_damping():
    """An easy-plane film with an in-plane easy axis x, the field along the in-plane hard axis y below
    H_K = 2 Ku / (mu0 Ms): m at sin(phi) = H / H_K in the plane, B1 = mu0 H_K (1 - (H/H_K)^2) (in plane) and
    B2 = mu0 (H_K + Ms) (out of plane: the anisotropy plus the whole demagnetising field). At alpha = 0 the
    frequency is the undamped Kittel form gamma/2pi sqrt(B1 B2) to rounding and the linewidth vanishes."""
    record = mp.Parameters({**IN_PLANE_UNIAXIAL, "alpha": 0.0})
    anisotropy_field = 2 * record["Ku"] / (MU0 * record["Ms"])
    ratio = np.array([0.0, 0.3, 0.7])
    dataset = resonance(record, ratio * anisotropy_field, direction=[0.0, 1.0, 0.0], start=[1.0, 0.0, 0.0])
    b1, b2 = MU0 * anisotropy_field * (1 - ratio**2), MU0 * (anisotropy_field + record["Ms"])
    kittel = record["gamma"] / (2 * np.pi) * np.sqrt(b1 * b2)
    np.testing.assert_allclose(dataset.frequency.values[:, 0], kittel, rtol=1e-9)
    assert np.all(np.abs(dataset.linewidth.values[:, 0]) < 1e-9 * kittel)
    expected = np.stack([np.sqrt(1 - ratio**2), ratio, np.zeros(3)], axis=-1)
    np.testing.assert_allclose(dataset.m.values, expected, atol=1e-10)


# ---- 2. the linewidth at small damping --------------------------------------------------------------------
@pytest.mark.slow  # compiles a sweep of its own
def test_the_linewidth_at_small_damping(in_plane_field_in_plane, in_plane_field_out_of_plane):
    """To first order in alpha the FWHM is (alpha gamma / 2 pi)(2 mu0 H + mu0 Meff) in plane (twice the
    damping times the mean stiffness) and 2 alpha f out of plane; the next order is alpha^2 ~ 1e-4 relative."""
    record, dataset = in_plane_field_in_plane
    alpha, gamma = record["alpha"], record["gamma"]
    field = dataset.field.values
    first_order = alpha * gamma / (2 * np.pi) * MU0 * (2 * field + effective_magnetisation(record))
    np.testing.assert_allclose(dataset.linewidth.values[:, 0], first_order, rtol=2e-4)
    record, dataset = in_plane_field_out_of_plane
    kittel = gamma / (2 * np.pi) * MU0 * (dataset.field.values - effective_magnetisation(record))
    np.testing.assert_allclose(dataset.linewidth.values[:, 0], 2 * alpha * kittel, rtol=2e-4)
    # with equal stiffnesses the ratio to the damped frequency itself is exactly 2 alpha
    np.testing.assert_allclose(dataset.linewidth.values, 2 * alpha * dataset.frequency.values, rtol=1e-9)


# ---- 3. ringdown ----------------------------------------------------------------------------------------
@pytest.mark.slow  # compiles a sweep of its own
def test_a_ringdown_rings_at_the_resonance_frequency_and_decays_at_its_linewidth(perpendicular_field_in_plane):
    """m tilted by 0.01 rad from the canted equilibrium and let go at zero current: the time-domain LLG rings
    as a damped sinusoid at the resonance's frequency (the zero-padded FFT's peak within 0.5 %, a fit within
    0.1 %: measured 3e-4 and 3e-5) decaying at pi times its FWHM (within 0.2 %: measured 1e-4)."""
    record, dataset = perpendicular_field_in_plane
    index = 1
    field = dataset.field_vector.values[index]
    equilibrium = dataset.m.values[index]
    frequency, linewidth = (float(dataset[name].values[index, 0]) for name in ("frequency", "linewidth"))
    tilt = np.array([0.0, 1.0, 0.0])  # the azimuthal tangent direction at m (which lies in the xz plane)
    start = equilibrium + 0.01 * tilt
    device = mp.make_device(record.replace(H_ext=[float(v) for v in field]))
    ts = np.linspace(0.0, 4 / (np.pi * linewidth), 8001)  # four decay times
    m = np.asarray(device.solve(jnp.float64(0.0), ts, m0=jnp.asarray(start / np.linalg.norm(start))).m)
    signal = (m - equilibrium) @ tilt

    spectrum = np.abs(np.fft.rfft(signal * np.hanning(ts.size), n=16 * ts.size))
    peak = np.fft.rfftfreq(16 * ts.size, ts[1] - ts[0])[np.argmax(spectrum)]
    assert peak == pytest.approx(frequency, rel=5e-3)

    def ringing(t, amplitude, rate, f, phase, offset):
        return amplitude * np.exp(-rate * t) * np.cos(2 * np.pi * f * t + phase) + offset

    (_, rate, fitted, _, _), _ = scipy.optimize.curve_fit(
        ringing, ts, signal, p0=(0.01, np.pi * linewidth, peak, 0.0, 0.0))
    assert fitted == pytest.approx(frequency, rel=1e-3)
    assert rate == pytest.approx(np.pi * linewidth, rel=2e-3)


# ---- 4. the grid's lowest mode --------------------------------------------------------------------------
@pytest.mark.slow  # 10-15 s: the grid's relaxation and Jacobian compile
def test_a_small_uniform_particles_lowest_mode_is_the_macrospins():
    """A 20 nm square with strong exchange moves as one: its lowest mode in a perpendicular field is the
    macrospin's with the same (Aharoni) demagnetising factors N, within 1e-3 (about 1e-4 here), at the damped
    Kittel stiffness B1 = B2 = mu0 H + 2 Ku / Ms - mu0 Ms (N_z - N_x) (the macrospin's own resonance, to
    rounding: the Kittel tests above); the next mode, a spin wave across the square, is far above."""
    size, thickness = 20e-9, 1e-9
    grid = mp.Parameters({"geometry": "rectangle", "length": size, "width": size, "cell_size": 5e-9, "A": 2e-10},
                         model=mp.micromagnetic_model())
    factors = mp.prism_demag_factors(size, size, thickness)
    macrospin = mp.Parameters({"demag_factors": factors, "area": size * size})
    fields = np.array([0.0, 2e5])
    modes = resonance(grid, fields, direction=[0.0, 0.0, 1.0], modes=2)
    assert modes.sizes["mode"] == 2
    stiffness = MU0 * fields + 2 * macrospin["Ku"] / macrospin["Ms"] - MU0 * macrospin["Ms"] * (factors[2] - factors[0])
    frequency, linewidth = damped_mode(macrospin, stiffness, stiffness)
    np.testing.assert_allclose(modes.frequency.values[:, 0], frequency, rtol=1e-3)
    np.testing.assert_allclose(modes.linewidth.values[:, 0], linewidth, rtol=1e-3)
    assert np.all(modes.frequency.values[:, 1] > 10 * frequency)
    np.testing.assert_allclose(modes.m.values, np.tile([0.0, 0.0, 1.0], (2, 1)), atol=1e-9)
    assert np.all(modes.stable.values == 1)


# ---- 5. the R(H) loop -----------------------------------------------------------------------------------
def anisotropy_field(record) -> float:
    """H_K = 2 K_eff / (mu0 Ms), K_eff = Ku - mu0 Ms^2 / 2 [A/m]."""
    return 2 * (record["Ku"] - MU0 * record["Ms"] ** 2 / 2) / (MU0 * record["Ms"])


PERPENDICULAR_REFERENCE = {"fixed_layer": (0.0, 0.0, 1.0)}


@pytest.mark.slow
def test_an_easy_axis_loop_switches_at_the_anisotropy_field_shifted_by_the_coupling():
    """Along the easy axis at 0 K the layer holds its state until the field reaches -H_K (and +H_K on the way
    back), Stoner and Wohlfarth's switching field (within 1 %); R goes between R_P and R_AP. A coupling J to
    the reference layer is a field J / (mu0 Ms d) along it: the loop keeps its width H_K and moves its centre
    to -J / (mu0 Ms d) (the parallel state favoured; within 2 %)."""
    record = mp.Parameters(PERPENDICULAR_REFERENCE)
    h_k = anisotropy_field(record)
    shift = 0.4 * h_k
    coupled = record.replace(interlayer_coupling=shift * MU0 * record["Ms"] * record["thickness"])
    dataset = loop(coupled, -1.8 * h_k, 1.2 * h_k, 300, direction=[0.0, 0.0, 1.0])  # steps of 0.01 H_K
    assert float(dataset.switching_field_down) == pytest.approx(-h_k - shift, rel=1e-2)
    assert float(dataset.switching_field_up) == pytest.approx(h_k - shift, rel=1e-2)
    assert float(dataset.coercive_field) == pytest.approx(h_k, rel=1e-2)
    assert float(dataset.offset_field) == pytest.approx(-shift, rel=2e-2)
    resistance = dataset.resistance.values
    assert resistance.min() == pytest.approx(record["R_P"], rel=1e-9)
    assert resistance.max() == pytest.approx(record["R_AP"], rel=1e-9)
    # a square loop: parallel at the positive end, antiparallel at the negative end, on both sweeps
    np.testing.assert_allclose(resistance[-1], record["R_P"], rtol=1e-9)
    np.testing.assert_allclose(resistance[0], record["R_AP"], rtol=1e-9)
    # inside the loop the two sweeps remember where they came from
    middle = int(np.argmin(np.abs(dataset.field.values + shift)))
    np.testing.assert_allclose(resistance[middle], [record["R_P"], record["R_AP"]], rtol=1e-9)


@pytest.mark.slow
def test_an_off_axis_loop_switches_on_the_astroid():
    """With the field 30 degrees from the easy axis the layer switches at h = (cos^2/3 + sin^2/3)^(-3/2) H_K,
    the Stoner-Wohlfarth astroid (0.524 H_K here), both ways (within 1 %): a loop centred on zero."""
    record = mp.Parameters(PERPENDICULAR_REFERENCE)
    h_k = anisotropy_field(record)
    angle = np.radians(30.0)
    astroid = h_k / (np.cos(angle) ** (2 / 3) + np.sin(angle) ** (2 / 3)) ** 1.5
    dataset = loop(record, -0.8 * h_k, 0.8 * h_k, 401, direction=[np.sin(angle), 0.0, np.cos(angle)])
    assert float(dataset.switching_field_down) == pytest.approx(-astroid, rel=1e-2)
    assert float(dataset.switching_field_up) == pytest.approx(astroid, rel=1e-2)
    assert abs(float(dataset.offset_field)) < 1e-3 * astroid


# ---- 6. spin-torque FMR ---------------------------------------------------------------------------------
def analytic_voltage(record, field, frequency, rf_current):
    """V_dc [V] of the spin diode for m along z (field H along z), p along x, derived by hand.

    About m = z, with xi = (m_x, m_y): the field is B0 z, B0 = mu0 (H - Meff), and the torques at m . p = 0
    are -gamma m x B = gamma B0 (-m_y, m_x), the damping-like gamma b_J eps m x (p x m) = gamma b_J eps x and
    the field-like -gamma b_J eps' m x p = -gamma b_J eps' y, with b_J = hbar j / (e d Ms) and
    eps = P Lambda^2 / (Lambda^2 + 1). The Gilbert term alpha m x dm/dt = alpha (-dm_y/dt, dm_x/dt) gives
    [[1, alpha], [-alpha, 1]] dxi/dt = T, so dxi/dt = A xi + b j with
    A = gamma / (1 + alpha^2) [[-alpha B0, -B0], [B0, -alpha B0]] and
    b = gamma hbar / (e d Ms (1 + alpha^2)) (eps + alpha eps', alpha eps - eps').
    R = 2 / ((G_P + G_AP) + (G_P - G_AP) m . p), so dR/dm_x = -R^2 (G_P - G_AP) / 2 at m . p = 0, and
    V_dc = (1/2) I Re[dR/dm_x delta m_x], delta m = (i omega - A)^-1 b I / area."""
    gamma, alpha, ms, thickness = record["gamma"], record["alpha"], record["Ms"], record["thickness"]
    field, frequency = np.meshgrid(np.asarray(field, dtype=np.float64), np.asarray(frequency, dtype=np.float64),
                                   indexing="ij")
    b0 = MU0 * (field - effective_magnetisation(record))
    damped = gamma / (1 + alpha**2)
    lam2 = record["Lambda"] ** 2
    eps, eps_prime = record["polarization"] * lam2 / (lam2 + 1), record["epsilon_prime"]
    push = gamma * HBAR / (CHARGE * thickness * ms * (1 + alpha**2))
    b1, b2 = push * (eps + alpha * eps_prime), push * (alpha * eps - eps_prime)
    omega = 2 * np.pi * frequency
    # i omega - A = [[n11, n12], [n21, n22]], inverted in closed form
    n11 = n22 = 1j * omega + damped * alpha * b0
    n12, n21 = damped * b0, -damped * b0
    delta_mx = (n22 * b1 - n12 * b2) / (n11 * n22 - n12 * n21) * rf_current / record["area"]
    g_p, g_ap = 1 / record["R_P"], 1 / record["R_AP"]
    r = 2 / (g_p + g_ap)
    return 0.5 * rf_current * np.real(-(r**2) * (g_p - g_ap) / 2 * delta_mx)


RF_CURRENT = 1e-7  # [A]
CENTRE_FIELD = 2e5  # [A/m]


def centre_frequency(record) -> float:
    return damped_mode(record, *[MU0 * (CENTRE_FIELD - effective_magnetisation(record))] * 2)[0]


@pytest.fixture(scope="module", params=[0.0, 0.1], ids=["damping-like", "with-field-like"])
def spectrum(request):
    """A small-signal ST-FMR map over fields and frequencies about the resonance at CENTRE_FIELD."""
    record = mp.Parameters({"epsilon_prime": request.param})
    fields = CENTRE_FIELD + np.linspace(-3e4, 3e4, 61)
    frequencies = centre_frequency(record) + np.linspace(-1e9, 1e9, 81)
    return record, stfmr(record, field=fields, frequency=frequencies, rf_current=RF_CURRENT,
                         direction=[0.0, 0.0, 1.0])


@pytest.mark.slow  # compiles a sweep of its own
def test_the_spin_diode_voltage_is_the_hand_derived_linear_response(spectrum):
    """The small-signal V_dc(H, f) equals the closed form of the LLG with Slonczewski's torques linearised
    about m = z by hand (analytic_voltage), within 1e-6 of the peak (measured 6e-14), with and without a
    field-like torque."""
    record, dataset = spectrum
    assert np.abs(dataset.m.values - [0.0, 0.0, 1.0]).max() < 1e-12
    expected = analytic_voltage(record, dataset.field.values, dataset.frequency.values, RF_CURRENT)
    peak = np.abs(expected).max()
    assert peak > 1e-8  # a resolved signal (83 nV at 0.1 uA)
    np.testing.assert_allclose(dataset.voltage.values, expected, rtol=0, atol=1e-6 * peak)


@pytest.mark.slow  # compiles a sweep of its own
def test_the_field_like_torque_adds_an_antisymmetric_lineshape(spectrum):
    """Swept in field at a fixed frequency, the damping-like torque (in phase with the current) gives a nearly
    symmetric Lorentzian; the field-like torque adds an antisymmetric one, V_a / V_s ~ eps' / eps (about 0.5 for
    eps' = 0.1 here). The fitted Lorentzians reproduce the curve; swept in frequency at the resonance field
    they are centred on the resonance frequency with a half width of half the FWHM."""
    record, dataset = spectrum
    trace = dataset.voltage.values[:, 40]  # the centre frequency, resonant at CENTRE_FIELD
    parts = lorentzian_parts(dataset.field.values, trace)
    assert parts["center"] == pytest.approx(CENTRE_FIELD, rel=1e-3)
    fitted = parts["symmetric_curve"] + parts["antisymmetric_curve"]
    np.testing.assert_allclose(fitted, trace, rtol=0, atol=2e-2 * np.abs(trace).max())
    ratio = abs(parts["antisymmetric"] / parts["symmetric"])
    if record["epsilon_prime"] == 0:
        assert ratio < 1e-3  # measured 7e-6
    else:
        assert ratio > 0.2  # measured 0.50
    # swept in frequency at CENTRE_FIELD the same split (what stfmr reports for a single field)
    parts = lorentzian_parts(dataset.frequency.values, dataset.voltage.values[30])
    frequency, linewidth = damped_mode(record, *[MU0 * (CENTRE_FIELD - effective_magnetisation(record))] * 2)
    assert parts["center"] == pytest.approx(frequency, rel=1e-3)
    assert parts["width"] == pytest.approx(linewidth / 2, rel=2e-2)  # half width at half maximum
    # in frequency the omega^2 of the numerator skews the damping-like line by about alpha (measured 0.0100)
    assert (abs(parts["antisymmetric"] / parts["symmetric"]) < 2e-2) == (record["epsilon_prime"] == 0)


@pytest.mark.slow
def test_the_time_domain_spin_diode_agrees_with_the_small_signal_voltage():
    """A time-domain solve with the rf current at the resonance, V(t) = I(t) R(t) averaged over whole periods,
    rectifies the small-signal V_dc (the hand-derived form) within 0.1 %."""
    record = mp.Parameters()
    frequency = centre_frequency(record)
    expected = float(analytic_voltage(record, [CENTRE_FIELD], [frequency], RF_CURRENT)[0, 0])
    measured = rectified_voltage(mp.make_device(record), [0.0, 0.0, CENTRE_FIELD], frequency, RF_CURRENT)
    assert measured == pytest.approx(expected, rel=1e-3)  # measured 4e-6


# ---- 7. refusals ----------------------------------------------------------------------------------------
def refused(call, match):
    with pytest.raises(mp.MtjphysError, match=match) as error:
        call()
    assert "\n" not in str(error.value)


def test_measurements_refuse_what_they_do_not_compute():
    """One-line refusals: a batch of records, a voltage-driven device, a zero field direction, a non-finite
    field, several modes of a macrospin, a nonpositive rf current, an empty field range, too few points."""
    record = mp.Parameters()
    refused(lambda: resonance([record, record], [1e5]), "one MTJ")
    refused(lambda: stfmr([record, record], field=[1e5], frequency=[1e10], rf_current=1e-6), "one MTJ")
    voltage_driven = mp.make_device(record, source="voltage")
    refused(lambda: resonance(voltage_driven, [1e5]), "voltage")
    refused(lambda: loop(voltage_driven, -1e5, 1e5, 11), "voltage")
    refused(lambda: resonance(record, [1e5], direction=[0.0, 0.0, 0.0]), "direction")
    refused(lambda: resonance(record, [1e5, np.inf]), "finite")
    refused(lambda: resonance(record, [np.nan]), "finite")
    refused(lambda: resonance(record, [1e5], modes=2), "one mode")
    for current in (0.0, -1e-6, np.nan):
        refused(lambda current=current: stfmr(record, field=[1e5], frequency=[1e10], rf_current=current),
                "rf current")
    refused(lambda: stfmr(record, field=[1e5], frequency=[0.0], rf_current=1e-6), "frequencies")
    refused(lambda: loop(record, 1e5, 1e5, 11), "field_min < field_max")
    refused(lambda: loop(record, 1e5, -1e5, 11), "field_min < field_max")
    refused(lambda: loop(record, -1e5, 1e5, 2), "at least 3")


def test_a_loop_refuses_a_batch_of_records():
    """A loop is computed for one MTJ: a batch of records is refused in one line, as resonance and stfmr do."""
    record = mp.Parameters()
    refused(lambda: loop([record, record], -1e5, 1e5, 11), "one MTJ")


@pytest.mark.slow
def test_the_measurement_commands_write_their_datasets(tmp_path, capsys):
    """`mtjphys fmr`, `stfmr` and `loop` as a user runs them: each writes its netCDF with the record's provenance;
    the loop of a reference layer at right angles to the field reverses m_z at the anisotropy field."""
    from mtjphys.cli import run_command
    from mtjphys.cli._main import cli

    def run(*args):
        with pytest.raises(SystemExit) as exit_code:
            run_command(cli, list(args), prog_name="mtjphys")
        return exit_code.value.code, capsys.readouterr()

    code, out = run("fmr", "--field-min", "1e5", "--field-max", "8e5", "--points", "5", "--field-direction", "0,0,1",
                    "-o", str(tmp_path / "fmr.nc"))
    assert code == 0, out.err
    fmr = mp.open_dataset(tmp_path / "fmr.nc")
    assert fmr.frequency.dims == ("field", "mode") and np.all(np.diff(fmr.frequency.values[:, 0]) > 0)
    code, out = run("stfmr", "--field-min", "1e4", "--field-direction", "0,0,1", "--frequency-min", "2e9",
                    "--frequency-max", "4e9", "--frequencies", "21", "--rf-current", "1e-6", "-o",
                    str(tmp_path / "stfmr.nc"))
    assert code == 0 and "symmetric" in out.out, out.err
    code, out = run("loop", "--field-min", "-1.2e5", "--field-max", "1.2e5", "--points", "41", "--field-direction",
                    "0,0,1", "-o", str(tmp_path / "loop.nc"))
    assert code == 0 and "coercive field" in out.out, out.err
    loop = mp.open_dataset(tmp_path / "loop.nc")
    assert float(loop.coercive_field) == pytest.approx(79685.2, rel=0.05)  # H_K = 2 K_eff / (mu0 Ms)
    code, out = run("loop", "--field-min", "1.2e5", "--field-max", "-1.2e5", "-o", str(tmp_path / "bad.nc"))
    assert code == 2 and out.err.count("\n") == 1 and not (tmp_path / "bad.nc").exists()
