"""A long deterministic grid window solved in chunks: its time span cut into equal segments, solved one after
another with the state, the solver's state (Dopri8's first-same-as-last evaluation) and the step size
controller's state carried across, so that the result is the one-shot solve's to the solver's tolerance. Between
chunks control comes back to Python: a progress bar moves, and Ctrl-C (KeyboardInterrupt) stops the run within
about one chunk's time (`CHUNK_CELL_STEPS`), where a one-shot solve would hold it for hours.
"""

from __future__ import annotations

import itertools
import sys

import diffrax as dfx
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optimistix as optx
from tqdm.auto import tqdm

from .._errors import MtjphysError
from ._circuit import drift, saved_trace, start_state, Trace, trace_saves


class _CarriedController(dfx.AbstractAdaptiveStepSizeController):
    """A PID controller whose state also keeps the step to take next: diffrax's own keeps only the error
    history, and a solve that goes on from where another stopped must start with the step the one-shot solve
    would have taken. The state is (the PID's, the step proposed last, the step proposed before it, whether the
    last step was cut short): a chunk's last step is cut to end on the chunk's end, and the next chunk then
    starts with the step that was wanted there."""

    controller: dfx.PIDController

    @property
    def rtol(self):
        return self.controller.rtol

    @property
    def atol(self):
        return self.controller.atol

    @property
    def norm(self):
        return self.controller.norm

    def wrap(self, direction):
        return self

    def init(self, terms, t0, t1, y0, dt0, args, func, error_order):
        tnext, state = self.controller.init(terms, t0, t1, y0, dt0, args, func, error_order)
        state = jax.tree_util.tree_map(jnp.asarray, state)  # arrays, as the state after a step (one compile)
        return tnext, (state, tnext - t0, tnext - t0, jnp.asarray(False))

    def adapt_step_size(self, t0, t1, y0, y1_candidate, args, y_error, error_order, controller_state):
        inner, proposed, _, _ = controller_state
        keep, tprev, tnext, jump, inner, result = self.controller.adapt_step_size(
            t0, t1, y0, y1_candidate, args, y_error, error_order, inner)
        cut = (t1 - t0) < proposed * (1 - 1e-9)
        return keep, tprev, tnext, jump, (inner, tnext - tprev, proposed, cut), result


def _controller(settings) -> _CarriedController:
    return _CarriedController(dfx.PIDController(rtol=settings.rtol, atol=settings.atol, norm=optx.max_norm))


@eqx.filter_jit
def _begin(device, state, drive, t0, dt0):
    """The carry a chunked solve starts from: the state, the controller's state, the solver's state, the step."""
    terms = dfx.ODETerm(drift(device.model, device.law, device.circuit))
    args = (drive, device.params)
    _, controller_state = _controller(device.solver).init(terms, t0, t0 + dt0, state, dt0, args, None, None)
    solver_state = device.solver.solver.init(terms, t0, t0 + dt0, state, args)
    return state, controller_state, solver_state, dt0


@eqx.filter_jit
def _chunk(device, carry, drive, t0, t1, ts, snapshots):
    """One chunk from t0 to t1 [s]: the `Trace` at the times `ts` (and `snapshots`) clipped into the chunk, the
    carry at t1 and the steps taken."""
    state, controller_state, solver_state, dt0 = carry
    settings = device.solver
    clip = lambda times: None if times is None else jnp.clip(times, t0, t1)
    saves = trace_saves(device.model, device.law, device.circuit, clip(ts), clip(snapshots))
    saves.append(dfx.SubSaveAt(t1=True))  # the state itself, to go on from
    solution = dfx.diffeqsolve(
        dfx.ODETerm(drift(device.model, device.law, device.circuit)), settings.solver, t0=t0, t1=t1,
        dt0=jnp.minimum(dt0, t1 - t0), y0=state, args=(drive, device.params),
        saveat=dfx.SaveAt(subs=saves, controller_state=True, solver_state=True),
        stepsize_controller=_controller(settings), max_steps=settings.max_steps, adjoint=settings.adjoint,
        throw=True, controller_state=controller_state, solver_state=solver_state,
    )
    *ys, end = solution.ys
    inner, proposed, before, cut = solution.controller_state
    step = jnp.where(cut, before, proposed)  # the step wanted where the chunk's end cut the last one short
    carry = (jax.tree_util.tree_map(lambda y: y[-1], end), (inner, proposed, before, cut), solution.solver_state, step)
    return saved_trace(ys), carry, solution.stats["num_steps"]


@eqx.filter_jit
def _merge(trace: Trace, chunk: Trace, at: jnp.ndarray, snapshots_at: jnp.ndarray | None) -> Trace:
    """`trace` with the samples at `at` (and snapshots at `snapshots_at`), boolean masks, taken from `chunk`."""
    pick = lambda mask: lambda old, new: jnp.where(mask.reshape(mask.shape + (1,) * (new.ndim - 1)), new, old)
    merged = jax.tree_util.tree_map(pick(at), (trace.m, trace.point, trace.temperature),
                                    (chunk.m, chunk.point, chunk.temperature))
    snapshots = None if snapshots_at is None else pick(snapshots_at)(trace.snapshots, chunk.snapshots)
    return Trace(merged[0], merged[1], chunk.end, snapshots, merged[2])


@eqx.filter_jit
def _start(device, drive, m0):
    return device._start(drive, m0)


def _inside(times: np.ndarray, t0: float, t1: float, first: bool) -> np.ndarray:
    return ((times > t0) | first) & (times <= t1)


def window_chunks(device, duration: float) -> int:
    """How many chunks a grid `device`'s window of `duration` [s] is solved in (`chunk_count` of its mesh and its
    estimated steps)."""
    from ._cost import chunk_count, estimated_steps
    from ._thermal import stiffest_precession

    mesh = device.mesh
    return chunk_count(int(np.prod(mesh.shape)), estimated_steps(stiffest_precession(device.record), duration,
                                                                   device.solver.solver))


def solve_in_chunks(device, drive, ts, *, m0=None, snapshots=None, chunks: int = 1, progress: bool = False,
                    description: str = "micromagnetic window") -> Trace:
    """`Device.solve` of a deterministic window (at 0 K), in `chunks` equal spans of time solved one after
    another; the same `Trace`, to the solver's tolerance. Not traceable: it returns to Python between chunks.

    Arguments:
        device: a `Device` at 0 K (its `NeuronSolver`'s adaptive solver and tolerances are used).
        drive, ts, m0, snapshots: as for `Device.solve` (`ts` increasing, numpy or jax).
        chunks: how many spans (`chunk_count` sizes them for about a second each).
        progress: a progress bar on stderr where stderr is a terminal.
        description: the bar's label.

    Returns:
        The `Trace`. Beyond the solver's `max_steps`, counted over all the chunks, a one-line `MtjphysError`;
        Ctrl-C raises KeyboardInterrupt between two chunks.
    """
    if device.thermal:
        raise MtjphysError("a window is solved in chunks at 0 K only (the stochastic solve draws its noise at once)")
    ts = np.asarray(ts, dtype=np.float64)
    snapshot_times = None if snapshots is None else np.asarray(snapshots, dtype=np.float64)
    drive = jnp.asarray(drive, dtype=jnp.float64)
    bounds = np.linspace(ts[0], ts[-1], max(1, int(chunks)) + 1)
    bounds[-1] = ts[-1]
    batch = device.batch_shape(drive)
    state = start_state(device.circuit, _start(device, drive, m0), device.params, batch)
    carry = _begin(device, state, drive, jnp.float64(ts[0]), jnp.float64(device.solver.dt0))
    times, snaps = jnp.asarray(ts), None if snapshot_times is None else jnp.asarray(snapshot_times)
    trace, steps = None, 0
    bar = tqdm(total=len(bounds) - 1, desc=description, unit="chunk", file=sys.stderr, leave=False,
               disable=not (progress and sys.stderr.isatty()))
    try:
        for index, (t0, t1) in enumerate(itertools.pairwise(bounds)):
            chunk, carry, taken = _chunk(device, carry, drive, jnp.float64(t0), jnp.float64(t1), times, snaps)
            steps += int(taken)  # waits for the chunk: Ctrl-C is raised here, between chunks
            if steps > device.solver.max_steps:
                raise MtjphysError(f"the solver failed: the maximum number of solver steps ({device.solver.max_steps})"
                                   " was reached (a current density or parameter far outside the device's range?)")
            first = index == 0
            at = jnp.asarray(_inside(ts, t0, t1, first))
            snapshots_at = None if snapshot_times is None else jnp.asarray(_inside(snapshot_times, t0, t1, first))
            trace = chunk if first else _merge(trace, chunk, at, snapshots_at)
            bar.update()
    finally:
        bar.close()
    return trace
