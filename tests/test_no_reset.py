"""No-reset networks: device-mode MTJs that carry their magnetization from step to step, a step being a
current window followed by a rest at zero current (`DeviceNonlinearity.window`, `.rest`)."""

import numpy as np
import pytest

import mtjphys as mp
from mtjphys.networks import DeviceNonlinearity

ARCHITECTURE = mp.Architecture(n_mtj=4, n_inputs=1, n_outputs=1, gain=1.0, leak=0.5, bias_scale=0.5)


def _drive(steps: int, seed: int = 3):
    return mp.make_drive(steps, inputs=np.random.default_rng(seed).uniform(-1, 1, steps), n_inputs=1)


def _outputs(network, drive, **options) -> tuple[np.ndarray, np.ndarray]:
    run = mp.simulate(network, drive, record_mtjs=network.size, progress=False, **options)
    return run.trajectory.mtj_outputs, np.asarray(run.magnetization)


@pytest.mark.slow
def test_a_long_rest_gives_back_the_paper_scheme():
    """After each window the ringing decays at zero current, in about 1 / (alpha omega) ~ 6 ns (alpha 0.01,
    2.8 GHz); after 60 ns the junction is back at equilibrium to ~5e-7, and every window starts (nearly) where
    the paper's does. Measured over 10 steps of random input: the outputs r (range of order 1) differ by at most
    3.1e-4 (0 in the first step, which both start at equilibrium); 1.6e-6 after an 80 ns rest, 0.013 after
    40 ns and 0.41 after 20 ns (the residual tilt e^(-rest / 6 ns) of a few 1e-2 feeds the state x)."""
    steps = 10
    drive = _drive(steps)
    paper = mp.random_network(ARCHITECTURE, seed=5, mode="device")
    rested = mp.random_network(ARCHITECTURE, seed=5, mode="device", carry_magnetization=True, rest=60e-9)
    assert rested.step_duration == pytest.approx(61.5e-9) and paper.step_duration == mp.STEP
    (expected, _), (outputs, magnetization) = _outputs(paper, drive), _outputs(rested, drive)
    difference = np.max(np.abs(outputs - expected), axis=1)
    print(f"\nmax |r_rest - r_paper| per step: {np.array2string(difference, formatter={'float': '{:.1e}'.format})}")
    assert difference[0] < 1e-12
    assert np.max(difference) < 1e-3  # measured 3.1e-4
    assert np.max(np.abs(magnetization - np.asarray(rested.equilibrium))) < 1e-5  # measured 5.1e-7


@pytest.mark.slow
def test_without_a_rest_a_short_window_remembers_the_past():
    """0.5 ns windows back to back: the ringing of one window goes on into the next, so the outputs differ from
    those of the same windows started from equilibrium, and the carried state is not the equilibrium."""
    steps = 5
    drive = _drive(steps)
    reset = mp.random_network(ARCHITECTURE, seed=5, mode="device", window=0.5e-9)
    carried = mp.random_network(ARCHITECTURE, seed=5, mode="device", window=0.5e-9, carry_magnetization=True)
    assert carried.step_duration == 0.5e-9 and carried.energy.window == 0.5e-9
    (fresh, _), (outputs, magnetization) = _outputs(reset, drive), _outputs(carried, drive)
    difference = np.max(np.abs(outputs - fresh), axis=1)
    print(f"\nmax |r_carried - r_reset| per step: {np.array2string(difference, precision=2)}")
    assert difference[0] < 1e-12  # both start at equilibrium
    assert np.all(difference[1:] > 0.05)
    tilt = np.linalg.norm(magnetization - np.asarray(carried.equilibrium), axis=1)
    print(f"carried |m - m0|: {np.array2string(tilt, precision=3)}")
    assert np.all(tilt > 1e-3)


@pytest.mark.slow
def test_a_warm_network_without_reset_runs_and_is_reproducible():
    """At 300 K with 0.5 ns windows (the thermal step refined to divide the window's sample spacing) and a
    2 ns rest at zero current (its own noise): finite outputs, the same for a seed, others for another."""
    warm = mp.Parameters({"temperature": 300.0})
    network = mp.random_network(mp.Architecture(n_mtj=3, n_inputs=1, gain=1.0, leak=0.5), warm, seed=7,
                                mode="device", carry_magnetization=True, window=0.5e-9, rest=2e-9)
    solver = network.nonlinearity.device.solver
    assert isinstance(solver, mp.ThermalSolver) and solver.dt == pytest.approx(0.5e-9 / (solver.samples - 1))
    drive = _drive(3)
    first, again, other = (_outputs(network, drive, seed=seed) for seed in (1, 1, 2))
    assert np.all(np.isfinite(first[0])) and np.all(np.isfinite(first[1]))
    assert np.array_equal(first[0], again[0]) and np.array_equal(first[1], again[1])
    assert not np.array_equal(first[0], other[0])


@pytest.mark.parametrize("options, message", [
    ({"window": 0.0}, "window must be a positive duration"),
    ({"window": -1e-9}, "window must be a positive duration"),
    ({"window": float("nan")}, "window must be a positive duration"),
    ({"window": float("inf")}, "window must be a positive duration"),
    ({"rest": -1e-9, "carry_magnetization": True}, "rest after each window must be a finite duration"),
    ({"rest": float("inf"), "carry_magnetization": True}, "rest after each window must be a finite duration"),
    ({"rest": float("nan"), "carry_magnetization": True}, "rest after each window must be a finite duration"),
    ({"rest": 1e-9}, "needs carry_magnetization"),
    ({"rest": 1e-9, "carry_magnetization": True, "mode": "surrogate"}, "device-mode options"),
    ({"window": 1e-9, "mode": "surrogate"}, "device-mode options"),
    ({"window": 1e-9, "mode": "tanh"}, "options of device-mode MTJs"),
])
def test_bad_steps_are_refused(options, message):
    with pytest.raises(mp.MtjphysError, match=message):
        mp.random_network(ARCHITECTURE, seed=0, **{"mode": "device", **options})


def test_a_thermal_step_that_does_not_divide_the_window_is_refused():
    device = mp.make_device(mp.Parameters({"temperature": 300.0}))  # dt 2.5 ps; 0.5 ns / 300 = 1.67 ps
    DeviceNonlinearity((1e10, 2e10), (0.0, 1.0), device, True, 3e-9, 1e-9)  # 10 ps spacing: 4 steps
    with pytest.raises(mp.MtjphysError, match="does not divide the sample spacing"):
        DeviceNonlinearity((1e10, 2e10), (0.0, 1.0), device, True, 0.5e-9)


@pytest.mark.slow
def test_window_and_rest_survive_save_and_load(tmp_path):
    network = mp.random_network(ARCHITECTURE, seed=2, mode="device", carry_magnetization=True, window=1e-9,
                                rest=2.5e-9)
    dataset = mp.network_to_dataset(network)
    assert dataset.attrs["step_duration"] == pytest.approx(3.5e-9) and dataset.attrs["rest"] == 2.5e-9
    assert dataset.attrs["neuron_window"] == 1e-9 and dataset.attrs["carry_magnetization"] == 1
    loaded = mp.network_from_dataset(mp.open_dataset(mp.write_dataset(dataset, tmp_path / "net.nc")))
    nonlinearity = loaded.nonlinearity
    assert (nonlinearity.window, nonlinearity.rest, nonlinearity.carry_magnetization) == (1e-9, 2.5e-9, True)
    assert loaded.energy.window == 1e-9 and loaded.step_duration == network.step_duration
    drive = _drive(3)
    assert all(np.array_equal(a, b) for a, b in zip(_outputs(network, drive), _outputs(loaded, drive)))
