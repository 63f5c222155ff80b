"""A micromagnetic window's cost, estimated before it runs; the chunked solve that makes a long window
interruptible, equal to the one-shot solve; Ctrl-C and the refusal above the limit on the command line."""

import pathlib
import signal
import subprocess
import sys
import time

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import mtjphys as mp
from mtjphys.cli import run_command
from mtjphys.cli._main import cli
from mtjphys.device import _cost, make_device, solve_in_chunks, window_chunks

DRIVE = 1e10  # [A/m^2]


def disc(cell_size: float, length: float = 40e-9) -> mp.Parameters:
    """The shipped micromagnetic record on a small disc."""
    return mp.Parameters({"length": length, "width": length, "cell_size": cell_size}, model=mp.micromagnetic_model())


@eqx.filter_jit
def _one_shot(device, ts, snapshots):
    return device.solve(jnp.float64(DRIVE), ts, snapshots=snapshots)


def test_chunked_solve_equals_the_one_shot_solve():
    device = make_device(disc(2e-9))
    ts = np.linspace(0.0, 0.2e-9, 201)
    snapshots = np.array([0.037e-9, 0.15e-9])
    one_shot = _one_shot(device, jnp.asarray(ts), jnp.asarray(snapshots))
    whole = solve_in_chunks(device, DRIVE, ts, snapshots=snapshots, chunks=1)
    for a, b in zip(jax.tree_util.tree_leaves(whole), jax.tree_util.tree_leaves(one_shot)):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))  # one chunk is the one-shot solve
    chunked = solve_in_chunks(device, DRIVE, ts, snapshots=snapshots, chunks=7)
    # carried across the chunks (state, Dopri8's last evaluation, the controller's errors and step), the
    # solve differs only by the steps cut at the chunks' ends: within the tolerances (rtol 1e-6, atol 1e-8)
    np.testing.assert_allclose(chunked.m, one_shot.m, rtol=0, atol=1e-8)
    np.testing.assert_allclose(chunked.point.resistance, one_shot.point.resistance, rtol=1e-8)
    np.testing.assert_allclose(chunked.end, one_shot.end, rtol=0, atol=1e-6)
    np.testing.assert_allclose(chunked.snapshots, one_shot.snapshots, rtol=0, atol=1e-6)


def test_steps_follow_the_stiffness_and_chunks_follow_the_work():
    record = disc(1e-9, 100e-9)
    omega = mp.device.stiffest_precession(record)
    exchange = record["gamma"] * 2 * record["A"] / record["Ms"] * 8 / 1e-18  # gamma mu0 2A/(mu0 Ms dx^2) x 4 x 2
    assert exchange < omega < 1.1 * exchange  # the exchange term dominates on fine cells
    steps = _cost.estimated_steps(omega, 1.5e-9)
    assert steps == pytest.approx(omega * 1.5e-9 / _cost.STABLE_PHASE, rel=1e-3)
    assert _cost.estimated_steps(1e9, 1e-9) == pytest.approx(1e-9 / _cost.ACCURATE_STEP, abs=1)  # accuracy
    assert _cost.chunk_count(10_000, 100) == 5 and _cost.chunk_count(10, 1) == 1
    assert _cost.in_words(2100) == "35 min" and _cost.in_words(6.4 * 3600) == "6.4 h"
    line = _cost.GridCost(7845, 8000, omega, 1.5e-9, 451_234, 4.65e-3).describe()
    assert line == "micromagnetic window: 7,845 cells, about 450,000 steps, about 35 min on this machine"


@pytest.mark.slow
@pytest.mark.parametrize("cell_size", [2e-9, 1.5e-9])
def test_estimate_is_within_3x_of_the_measured_time(cell_size):
    record = disc(cell_size)
    device = make_device(record)
    duration = 0.5e-9
    cost = _cost.grid_cost(record, duration, DRIVE)
    chunks = window_chunks(device, duration)
    ts = np.linspace(0.0, duration, 101)
    solve_in_chunks(device, DRIVE, ts * 1e-3, chunks=1)  # compiles (same shapes), so that only the solve is timed
    start = time.perf_counter()
    trace = solve_in_chunks(device, DRIVE, ts, chunks=chunks)
    jax.block_until_ready(trace)
    elapsed = time.perf_counter() - start
    print(f"\n{cost.describe()}: estimated {cost.seconds:.2f} s, measured {elapsed:.2f} s "
          f"(ratio {cost.seconds / elapsed:.2f}), {chunks} chunks")
    assert elapsed / 3 < cost.seconds < 3 * elapsed


def test_a_window_above_the_limit_is_refused_in_one_line_without_yes(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(_cost, "COST_LIMIT", 1e-3)
    out = tmp_path / "x.nc"
    args = ["neuron", "--model", "micromagnetic", "--length", "40e-9", "--width", "40e-9", "-j", "1e10",
            "-o", str(out)]
    with pytest.raises(SystemExit) as exit_info:
        run_command(cli, args, prog_name="mtjphys")
    captured = capsys.readouterr()
    assert exit_info.value.code == 2
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("mtjphys: error: micromagnetic window: 316 cells, about ")
    assert "--yes" in lines[0] and "--cell-size" in lines[0]
    assert not out.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_ctrl_c_stops_a_long_grid_run_between_chunks(tmp_path):
    out = tmp_path / "x.nc"
    command = [sys.executable, "-m", "mtjphys", "neuron", "--model", "micromagnetic", "--cell-size", "1e-9",
               "-j", "1e10", "-o", str(out), "--yes"]  # about half an hour on a 2-core CPU
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    seen = [process.stderr.readline() for _ in range(1)]
    while not seen[-1].startswith("micromagnetic window") and seen[-1] and len(seen) < 50:  # past any warnings
        seen.append(process.stderr.readline())
    assert seen[-1].startswith("micromagnetic window: 7,860 cells, about "), seen  # before the run starts
    time.sleep(30)  # relaxed, compiled, solving on a quiet machine (Ctrl-C during compilation acts once it ends)
    assert process.poll() is None
    process.send_signal(signal.SIGINT)
    start = time.perf_counter()
    try:
        _, rest = process.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    stopped = time.perf_counter() - start
    print(f"\nstopped {stopped:.1f} s after SIGINT")
    assert process.returncode == 130
    # 1.3 s on a quiet machine (chunks of about a second); a clean CI machine has taken over 30 s, so the bound
    # is loose: what must hold is the clean stop below
    assert stopped < 240
    assert [line for line in rest.splitlines() if line.strip()] == ["interrupted"], rest
    assert not out.exists() and not any(pathlib.Path(tmp_path).iterdir())
