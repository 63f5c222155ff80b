"""Micromagnetic throughput: cell-updates per second (cells x right-hand-side evaluations per second) of the
grid's LLG on standard problem 4 and on the reference disc, beside NeuralMag's JAX solver in the same run
(its own nodal mesh, demagnetisation and exchange, on the same cells); the wall time of one 1.5 ns neuron
window of the 100 nm disc at 4 and 2 nm cells under the default solver and under Dopri8 at the same tolerances,
with their right-hand-side counts, their dR and its relative difference from a converged reference (Dopri8 at
rtol 1e-8); and the memory of the demagnetising kernels.

    python benchmarks/micromagnetic_throughput.py [--repeats 5] [--evaluations 300]

Both codes' right-hand sides run inside one jitted loop (no dispatch per call), in float64 on this
machine's CPU; the figures are medians over the repeats. NeuralMag has no spin-transfer torque, so its
anchor window is the same disc's free precession over 1.5 ns with its default Dopri5 (rtol 1e-5); it runs
in a process of its own (`mtjphys.references`).
"""

from __future__ import annotations

import pathlib
import tempfile

import click
import diffrax as dfx
import jax
import jax.numpy as jnp
import numpy as np
import optimistix as optx
from mtjphys.studies.standard_problem_4 import problem_record as sp4_record

import mtjphys as mp
from mtjphys import references


def per_evaluation(rhs, state, evaluations: int, repeats: int) -> float:
    """Seconds per right-hand-side evaluation, in one jitted loop."""
    loop = jax.jit(lambda m: jax.lax.fori_loop(0, evaluations, lambda i, x: x + 1e-30 * rhs(x), m))
    jax.block_until_ready(loop(state))
    return references.median_time(lambda: loop(state), repeats) / evaluations



# Dopri8 at the grid's tolerances (the grid's earlier default), and at a hundredth of them: dR's converged reference
EXPLICIT_SOLVER = mp.NeuronSolver(dfx.Dopri8(), rtol=1e-6, atol=1e-8, max_steps=2**21)
REFERENCE_SOLVER = mp.NeuronSolver(dfx.Dopri8(), rtol=1e-8, atol=1e-10, max_steps=2**21)


def disc_record(cell: float = 2e-9) -> mp.Parameters:
    return mp.Parameters({"cell_size": cell}, model=mp.micromagnetic_model())


def ours(record: mp.Parameters, evaluations: int, repeats: int) -> float:
    device = mp.make_device(record)
    model, params = device.model, device.params
    state = model.uniform(jnp.asarray([0.6, 0.48, 0.64]))
    return per_evaluation(lambda m: model.landau_lifshitz(m, 0.9e10, 0.0, params), state, evaluations, repeats)


def neuralmag_arguments(record: mp.Parameters, mask_path: pathlib.Path) -> list:
    """The body in NeuralMag's terms (its cells, material and mask), for `mtjphys.references.neuralmag_run`."""
    mesh = record.mesh
    arguments = [*mesh.shape[:2], *mesh.cell, record["Ms"], record["A"], record["Ku"]]
    np.save(mask_path, mesh.mask[:, :, 0])
    return arguments


def window_statistics(record: mp.Parameters, settings: mp.NeuronSolver) -> tuple[int, int]:
    """(accepted steps, right-hand-side evaluations, rejected steps included) of one window under `settings`."""
    device = mp.make_device(record)
    model, params = device.model, device.params

    @jax.jit
    def solve(m0):
        term = dfx.ODETerm(lambda t, m, args: model.landau_lifshitz(m, 0.9e10, 0.0, params))
        controller = dfx.PIDController(rtol=settings.rtol, atol=settings.atol, norm=optx.max_norm)
        return dfx.diffeqsolve(term, settings.solver, 0.0, mp.NEURON_WINDOW, settings.dt0, m0,
                               stepsize_controller=controller, max_steps=settings.max_steps).stats

    stats = solve(model.initial_state(params, ()))
    tableau = settings.solver.tableau
    per_step = tableau.num_stages - (1 if tableau.fsal else 0)
    return int(stats["num_accepted_steps"]), int(stats["num_steps"]) * per_step


@click.command()
@click.option("--repeats", default=5, show_default=True, help="Timed repeats per figure (median reported).")
@click.option("--evaluations", default=300, show_default=True, help="Right-hand sides per timed loop.")
def main(repeats: int, evaluations: int) -> None:
    print(f"jax {jax.__version__} on {jax.devices()[0].platform}; medians of {repeats}")
    mask = pathlib.Path(tempfile.mkdtemp()) / "mask.npy"
    print("\nright-hand side: cell-updates per second (ours: cells of the grid; NeuralMag: its nodes)")
    for label, record in (("standard problem 4, 5 nm cells", sp4_record(5e-9)),
                          ("standard problem 4, 2.5 nm cells", sp4_record(2.5e-9)),
                          ("reference disc, 2 nm cells", disc_record(2e-9))):
        cells = int(np.prod(record.mesh.shape))
        mine = ours(record, evaluations, repeats)
        anchor = references.neuralmag_run("rhs", *neuralmag_arguments(record, mask), evaluations, repeats, mask)
        theirs, nodes = anchor["seconds"], anchor["nodes"]
        print(f"  {label:34s} mtjphys {cells / mine:10.3e} ({mine * 1e6:7.1f} us/rhs, {cells} cells)   "
              f"NeuralMag {nodes / theirs:10.3e} ({theirs * 1e6:7.1f} us/rhs, {nodes} nodes)   "
              f"mtjphys / NeuralMag {(cells / mine) / (nodes / theirs):.2f}")
    print("\none 1.5 ns neuron window of the 100 nm disc (0.9e10 A/m^2): the default solver, and Dopri8 at the same "
          "tolerances")
    for cell in (4e-9, 2e-9):
        record = disc_record(cell)
        default = mp.make_device(record).solver
        reference = float(np.squeeze(mp.neuron_output(record, 0.9e10, settings=REFERENCE_SOLVER).delta_r))
        anchor = references.neuralmag_run("window", *neuralmag_arguments(record, mask), max(1, repeats // 2),
                                          mask)["seconds"]
        print(f"  {cell * 1e9:g} nm cells ({record.mesh.shape[0]} x {record.mesh.shape[1]}); NeuralMag's free "
              f"precession of the same disc over 1.5 ns: {anchor:6.2f} s; dR of Dopri8 at rtol 1e-8: "
              f"{reference:.6g} ohm")
        for settings in (default, EXPLICIT_SOLVER):
            timed = lambda r=record, s=settings: mp.neuron_output(r, 0.9e10, settings=s).delta_r
            delta_r = float(np.squeeze(timed()))  # and compiles
            seconds = references.median_time(timed, max(1, repeats // 2))
            steps, evaluations_window = window_statistics(record, settings)
            print(f"    {type(settings.solver).__name__:6s} rtol {settings.rtol:.0e}: {seconds:6.2f} s "
                  f"(mtjphys / NeuralMag {seconds / anchor:.2f}), {steps} steps, {evaluations_window} right-hand "
                  f"sides; dR {delta_r:.6g} ohm, {(delta_r - reference) / abs(reference):+.1e} relative")
    print("\nmemory of the demagnetising kernel (the FFT of the six tensor components, float64)")
    for label, record in (("standard problem 4, 5 nm", sp4_record(5e-9)), ("standard problem 4, 2.5 nm",
                                                                            sp4_record(2.5e-9)),
                          ("reference disc, 2 nm", disc_record(2e-9)), ("reference disc, 1 nm", disc_record(1e-9))):
        print(f"  {label:28s} {record.mesh.kernel.nbytes / 1e6:8.2f} MB")


if __name__ == "__main__":
    main()
