"""What a micromagnetic window costs, estimated before it runs: its cells, the steps its solver will take and
the wall time they will take on this machine.

The deterministic grid solve (`default_solver`: Dopri8, adaptive) is limited by stability: the grid's fastest
spin waves, of precession rate omega_max (`stiffest_precession`: gamma times the anisotropy, applied and
demagnetising fields plus the exchange field of the shortest wave, 2A/Ms sum 4/d^2, which dominates on fine
cells), hold every step near omega_max dt = `STABLE_PHASE`. Where the grid is coarse the dynamics' accuracy
limits the step instead, to about `ACCURATE_STEP`. So

    steps = duration * max(omega_max / STABLE_PHASE, 1 / ACCURATE_STEP),

and the time is steps times the cost of one step, `STEP_EVALUATIONS` evaluations of the right-hand side on this
mesh, timed on this machine by a short compiled warm-up (`measure_evaluation`): the FFT of the demagnetising field
makes that cost grow like n log n in the cells, and the machine sets its scale.

Calibration (this repository's Dopri8 at rtol 1e-6, atol 1e-8, on a 2-core x86 CPU, float64):

    mesh                                   cells  steps   omega_max T / steps   step / evaluation
    40 nm disc, 2 nm cells, 0.3 ns           316   1714         4.32                  14.7
    40 nm disc, 1.5 nm cells, 0.3 ns         553   3046         4.31                  18.1
    40 nm disc, 1 nm cells, 0.2 ns          1264   4576         4.28                    -
    100 nm disc, 2 nm cells, 0.1 ns         1976    547         4.52                  20.9
    standard problem 4, 5 nm cells, 1 ns    2500    458         4.39                  17.8
    standard problem 4, 10 nm cells, 1 ns    600    291         2.19 (accuracy)        5.6

(the disc is the shipped micromagnetic record under j = 1e10 A/m^2; standard problem 4 under its field 1).
Compilation, a few seconds, and the relaxation to the equilibrium come on top and are not estimated.

`RK43` (the grid's default since; four right-hand sides a step, a quarter of its steps rejected on fine cells)
was calibrated on one window of the 100 nm disc on 2 nm cells, 1.5 ns: 17,262 steps (69,048 right-hand sides) at
omega_max T / steps = 2.09, and 5.5 evaluations of wall time a step (50.1 s against Dopri8's 76.3 s in the same
run). Its accuracy-limited step is not calibrated and is taken as Dopri8's; any other solver is costed as Dopri8.
"""

from __future__ import annotations

import dataclasses
import math
import time

import equinox as eqx
import jax
import jax.numpy as jnp

from .._errors import MtjphysError
from ._circuit import drift, start_state
from ._device import make_device
from ._parameters import Parameters
from ._thermal import stiffest_precession

STABLE_PHASE = 4.35  # omega_max dt of the adaptive Dopri8 steps where the fastest spin waves limit them
ACCURATE_STEP = 3.4e-12  # [s], the Dopri8 step where accuracy limits it (standard problem 4 on 10 nm cells)
STEP_EVALUATIONS = 17.5  # the wall time of one Dopri8 step in right-hand-side evaluations (13 stages and the rest)
# solver -> (stable phase, accurate step [s], evaluations a step), as above (see the module's notes)
CALIBRATION = {"Dopri8": (STABLE_PHASE, ACCURATE_STEP, STEP_EVALUATIONS), "RK43": (2.09, ACCURATE_STEP, 5.5)}
COST_LIMIT = 600.0  # a window estimated to take longer is run only when asked to (--yes)
CHUNK_CELL_STEPS = 2e5  # cells x steps of one chunk of a long solve: about a second on a 2-core CPU
MAX_CHUNKS = 10_000
_WARM_UP_SECONDS = 0.2  # the timed warm-up of the right-hand side runs about this long
# a grid of more cells is timed on a coarser stand-in of its body: its own demagnetising tensor alone would take
# minutes to build (and is not in the estimate)
MEASURED_CELLS = 16_384


@dataclasses.dataclass(frozen=True)
class GridCost:
    """The estimated cost of solving a micromagnetic window.

    Arguments:
        cells: cells in the body (the grid's are `grid_cells`, every one of them computed).
        grid_cells: cells of the whole grid, nx ny nz.
        omega_max: the grid's fastest precession [rad/s] (`stiffest_precession`).
        duration: the simulated time [s].
        steps: the solver steps estimated.
        step_seconds: the wall time of one step on this machine [s].
    """

    cells: int
    grid_cells: int
    omega_max: float
    duration: float
    steps: int
    step_seconds: float

    @property
    def seconds(self) -> float:
        """The wall time estimated [s] (compilation and relaxation not counted)."""
        return self.steps * self.step_seconds

    @property
    def cell_step_seconds(self) -> float:
        """The wall time of one step of one cell of the grid [s]."""
        return self.step_seconds / self.grid_cells

    def describe(self, what: str = "micromagnetic window") -> str:
        """Returns: the estimate in one line, e.g. "micromagnetic window: 7,845 cells, about 450,000 steps, about
        35 min on this machine"."""
        return (f"{what}: {self.cells:,} cells, about {_rounded(self.steps):,} steps, about "
                f"{in_words(self.seconds)} on this machine")


def in_words(seconds: float) -> str:
    """Returns: a duration in words, to two digits ("40 s", "35 min", "6.4 h", "3.2 days")."""
    if seconds < 1:
        return "under a second"
    for unit, scale, above in (("days", 86400.0, 172800.0), ("h", 3600.0, 7200.0), ("min", 60.0, 100.0)):
        if seconds >= above:
            value = seconds / scale
            return f"{value:.2g} {unit}" if value < 10 else f"{value:.0f} {unit}"
    return f"{seconds:.0f} s"


def _rounded(count: int) -> int:
    """`count` to two significant digits."""
    if count < 100:
        return count
    scale = 10 ** (len(str(count)) - 2)
    return round(count / scale) * scale


def calibration(solver=None) -> tuple[float, float, float]:
    """Returns: (stable phase, accurate step [s], evaluations a step) of a diffrax solver (Dopri8's for None or
    a solver not calibrated)."""
    return CALIBRATION.get(type(solver).__name__, CALIBRATION["Dopri8"])


def estimated_steps(omega_max: float, duration: float, solver=None) -> int:
    """The steps of the adaptive (Dopri8) solve of a grid of fastest precession `omega_max` [rad/s] over
    `duration` [s] (see the module's notes)."""
    stable_phase, accurate_step, _ = calibration(solver)
    return max(1, math.ceil(duration * max(omega_max / stable_phase, 1 / accurate_step)))


@eqx.filter_jit
def _evaluations(device, drive, state, count):
    """`count` evaluations of the device's right-hand side at `state` (each at a slightly moved state, so that
    none is hoisted out of the loop), summed."""

    field = drift(device.model, device.law, device.circuit)
    args = (drive, device.params)

    def body(i, total):
        moved = jax.tree_util.tree_map(lambda y: y * (1 + 1e-15 * i.astype(y.dtype)), state)
        return total + sum(jnp.sum(leaf) for leaf in jax.tree_util.tree_leaves(field(0.0, moved, args)))

    return jax.lax.fori_loop(0, count, body, jnp.zeros((), dtype=jnp.float64))


def measure_evaluation(device, drive) -> float:
    """The wall time of one evaluation of a device's right-hand side on this machine [s]: compiled once, then
    timed over a loop that runs about `_WARM_UP_SECONDS` (a second or two in all, mostly compilation).

    Arguments:
        device: a `Device` of one MTJ on a grid; drive: its current density [A/m^2] (or voltage [V]).
    """

    params = device.params
    m0 = device.model.uniform(jnp.asarray(params["m0"]) / jnp.linalg.norm(jnp.asarray(params["m0"])))
    state = start_state(device.circuit, m0, params, ())
    drive = jnp.float64(drive)
    count = 2
    while True:
        start = time.perf_counter()
        jax.block_until_ready(_evaluations(device, drive, state, jnp.int32(count)))
        elapsed = time.perf_counter() - start
        if count > 2 and (elapsed >= _WARM_UP_SECONDS / 2 or count >= 4096):
            return elapsed / count
        count = min(4096, max(4 * count, math.ceil(count * _WARM_UP_SECONDS / max(elapsed, 1e-6))))


def _evaluation_seconds(device, record: Parameters, drive: float, source: str) -> float:
    """One right-hand side's wall time on this machine: measured on the grid itself up to `MEASURED_CELLS`,
    beyond it on the same body in coarser cells, scaled as the FFTs' n log n."""
    cells = math.prod(device.mesh.shape)
    if cells <= MEASURED_CELLS:
        return measure_evaluation(device, drive)
    coarse_cell = record["cell_size"] * math.sqrt(cells / MEASURED_CELLS)
    coarser = record.replace(check_plausibility=False, cell_size=coarse_cell)
    stand_in = make_device(coarser, source=source)
    measured = math.prod(stand_in.mesh.shape)
    return measure_evaluation(stand_in, drive) * cells * math.log(cells) / (measured * math.log(measured))


def grid_cost(parameters, duration: float, drive: float = 0.0, *, source: str = "current",
              evaluation_seconds: float | None = None) -> GridCost:
    """The estimated cost of one deterministic micromagnetic window.

    Arguments:
        parameters: the record of one MTJ on a grid (or its `Device`).
        duration: the simulated time [s].
        drive: the current density [A/m^2] (or, with `source` "voltage", the voltage [V]) the warm-up runs at.
        evaluation_seconds: the wall time of one right-hand-side evaluation [s]; default measured here
            (`measure_evaluation`).

    Returns:
        The `GridCost`. Above 0 K (a fixed-step stochastic solve) its steps are the solve's own, duration / dt,
        each costed as (corrections + 1) stages of the drift and the noise, about 3 evaluations a stage (not
        calibrated like the deterministic solve).
    """

    device = make_device(parameters, source=source) if isinstance(parameters, Parameters) else parameters
    mesh = device.mesh
    if mesh is None:
        raise MtjphysError("a cost estimate is of a micromagnetic grid's window; this record is a macrospin")
    if not (math.isfinite(duration) and duration > 0):
        raise MtjphysError(f"the window's duration must be a positive time, got {duration:g} s")
    record = parameters if isinstance(parameters, Parameters) else device.record
    omega_max = stiffest_precession(record)
    if evaluation_seconds is None:
        evaluation_seconds = _evaluation_seconds(device, record, drive, source)
    if device.thermal:
        steps = math.ceil(duration / device.solver.dt)
        per_step = 3 * (getattr(device.solver.solver, "corrections", 1) + 1)
    else:
        steps = estimated_steps(omega_max, duration, device.solver.solver)
        per_step = calibration(device.solver.solver)[2]
    return GridCost(cells=mesh.cells, grid_cells=math.prod(mesh.shape), omega_max=omega_max, duration=duration,
                    steps=steps, step_seconds=per_step * evaluation_seconds)


def check_cost(cost: GridCost, yes: bool, *, what: str = "micromagnetic window", remedy: str = "--cell-size") -> str:
    """Refuse, in one line, a run estimated above `COST_LIMIT` unless `yes`.

    Arguments:
        cost: the estimate; yes: run it whatever it costs (--yes).
        what: what is estimated, for the line; remedy: the option that makes it cheaper.

    Returns:
        The estimate in one line (`GridCost.describe`), to show before the run starts.
    """
    line = cost.describe(what)
    if cost.seconds > COST_LIMIT and not yes:
        raise MtjphysError(f"{line}, above the limit of {in_words(COST_LIMIT)}: pass --yes to run it anyway, or "
                           f"use a larger {remedy}")
    return line


def chunk_count(cells: int, steps: int) -> int:
    """How many chunks a solve of `steps` estimated steps on a grid of `cells` cells is split into: about
    `CHUNK_CELL_STEPS` cell-steps each, so that each takes about a second (deterministic: the same
    mesh and window always split alike)."""
    return max(1, min(MAX_CHUNKS, math.ceil(cells * steps / CHUNK_CELL_STEPS)))
