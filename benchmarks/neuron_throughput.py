"""Neuron throughput: device evaluations per second (one evaluation = one MTJ, one 1.5 ns window,
dR extracted), for batches of 1, 40 and 800 MTJs, with the default solver (Dopri8, rtol 1e-7, one step
shared by the batch) and with fixed steps (Dopri8, `NeuronSolver(steps=STEPS)`), beside anchors measured in
the same run:

- a plain vmapped diffrax Dopri5 (one adaptive solve per device, rtol 1e-7), the usual JAX idiom;
- cmtj (C++ macrospin code, fixed-step RK4 at 0.1 ps, a Python loop over devices);
- scipy solve_ivp DOP853 at rtol 1e-7 (a loop over devices).

Accuracy: the largest |dR error| of each against scipy DOP853 at rtol 1e-10 (dR from a 0.05 ps
grid), over 40 currents spanning the operating window.

    python benchmarks/neuron_throughput.py [--repeats 7]
"""

from __future__ import annotations

import functools

import click
import diffrax as dfx
import jax
import jax.numpy as jnp
import numpy as np
from scipy.integrate import solve_ivp

import mtjphys as mp
from mtjphys import references
from mtjphys.device import last_extrema
from mtjphys.references import median_time

J_MIN, J_MAX = mp.OPERATING_RANGE
STEPS = 20  # fixed steps per window: dR within 1e-3 ohm of the reference (printed below)


def plain_vmapped_dopri5(parameters: mp.Parameters):
    """The anchor: vmap over devices of one diffrax solve each (Dopri5, per-device step control)."""
    model, law, params = parameters.model, parameters["resistance_law"], parameters.arrays()
    ts = jnp.linspace(0.0, mp.NEURON_WINDOW, 301)

    def one(j):
        term = dfx.ODETerm(lambda t, m, args: model.landau_lifshitz(m, j, 0.0, params))
        solution = dfx.diffeqsolve(term, dfx.Dopri5(), 0.0, mp.NEURON_WINDOW, 1e-12, params["m0"],
                                   saveat=dfx.SaveAt(ts=ts),
                                   stepsize_controller=dfx.PIDController(rtol=1e-7, atol=1e-9), max_steps=16384)
        return last_extrema(ts, model.resistance(law)(solution.ys, 0.0, params)).delta_r  # constant TMR

    return jax.jit(jax.vmap(one))


def scipy_delta_r(record: dict, current_density: float, rtol: float = 1e-7) -> float:
    ts = np.linspace(0.0, mp.NEURON_WINDOW, 301)
    solution = solve_ivp(references.scipy_gilbert_rhs(record, current_density), (0, mp.NEURON_WINDOW),
                         np.asarray(record["m0"], float), method="DOP853", rtol=rtol, atol=rtol * 1e-2, t_eval=ts)
    r = references.scipy_resistance(record, solution.y.T)
    return float(last_extrema(ts, r).delta_r)


def cmtj_delta_r(record: dict, current_density: float) -> float:
    from mtjphys.references import cmtj_trace

    ts, _, r = cmtj_trace(record, current_density, mp.NEURON_WINDOW, 1e-13)
    return float(last_extrema(ts[::50], r[::50]).delta_r)  # sampled every 5 ps, like ours


@click.command()
@click.option("--repeats", default=7, show_default=True, help="Timed repeats per figure (median reported).")
def main(repeats: int) -> None:
    parameters = mp.Parameters()
    record = parameters.to_dict()
    print(f"jax {jax.__version__} on {jax.devices()[0].platform}; {repeats} repeats, medians")

    check_currents = np.linspace(J_MIN, J_MAX, 40)
    reference = np.array([references.scipy_delta_r(record, j) for j in check_currents])

    rows = []
    anchor = plain_vmapped_dopri5(parameters)
    fixed = mp.NeuronSolver(steps=STEPS)
    for batch in (1, 40, 800):
        currents = np.linspace(J_MIN, J_MAX, batch)
        calls = (functools.partial(mp.neuron_output, parameters, currents),
                 functools.partial(mp.neuron_output, parameters, currents, settings=fixed),
                 functools.partial(lambda js: anchor(js).block_until_ready(), jnp.asarray(currents)))
        for call in calls:
            call()  # compiled before it is timed
        # interleaved, one call of each per round: a shared machine's load changes alike for all three
        rounds = [[median_time(call, 1) for call in calls] for _ in range(repeats)]
        rows.append((batch, *(batch / np.median(times) for times in zip(*rounds))))

    error = lambda values: np.max(np.abs(np.asarray(values) - reference))
    ours_error = error(mp.neuron_output(parameters, check_currents).delta_r)
    fixed_error = error(mp.neuron_output(parameters, check_currents, settings=fixed).delta_r)
    anchor_error = error(anchor(jnp.asarray(check_currents)))

    loop_currents = check_currents[::4]
    scipy_values = [scipy_delta_r(record, j) for j in loop_currents]
    scipy_rate = len(loop_currents) / median_time(lambda: [scipy_delta_r(record, j) for j in loop_currents], 1)
    scipy_error = np.max(np.abs(np.array(scipy_values) - reference[::4]))
    try:
        cmtj_values = [cmtj_delta_r(record, j) for j in loop_currents]
        cmtj_rate = len(loop_currents) / median_time(lambda: [cmtj_delta_r(record, j) for j in loop_currents], 1)
        cmtj_error = np.max(np.abs(np.array(cmtj_values) - reference[::4]))
    except ImportError:
        cmtj_rate = cmtj_error = float("nan")

    print(f"\n{'batch':>6} {'mtjphys /s':>12} {f'{STEPS} steps /s':>13} {'vmapped Dopri5 /s':>18} {'ratios':>13}")
    for batch, ours_rate, fixed_rate, anchor_rate in rows:
        print(f"{batch:>6} {ours_rate:>12,.0f} {fixed_rate:>13,.0f} {anchor_rate:>18,.0f} "
              f"{ours_rate / anchor_rate:>5.1f}x {fixed_rate / anchor_rate:>5.1f}x")
    print(f"\nloop anchors (per device, batch-independent): cmtj RK4 0.1 ps {cmtj_rate:,.0f} /s, "
          f"scipy DOP853 rtol 1e-7 {scipy_rate:,.0f} /s")
    print(f"mtjphys at batch 800 vs cmtj: {rows[-1][1] / cmtj_rate:,.0f}x ({STEPS} steps: "
          f"{rows[-1][2] / cmtj_rate:,.0f}x); vs scipy: {rows[-1][1] / scipy_rate:,.0f}x")
    print("\nlargest |dR error| vs scipy DOP853 rtol 1e-10 over 40 currents in the window [ohm]:")
    print(f"  mtjphys (Dopri8 rtol 1e-7, max norm) {ours_error:.2e}; {STEPS} fixed Dopri8 steps {fixed_error:.2e}; "
          f"vmapped Dopri5 rtol 1e-7 {anchor_error:.2e}; cmtj {cmtj_error:.2e}; scipy rtol 1e-7 {scipy_error:.2e}")


if __name__ == "__main__":
    main()
