"""Fits and gradients: the wall time of a 3-parameter fit of one 1.5 ns trace, and the cost of a gradient
through the LLG solve relative to the forward solve it differentiates, measured in the same run.

- the fit: alpha, Ku and polarization from a noisy R(t) (1501 samples, 2 ohm of noise) from a start 10-25 %
  off, after its compilation, with 1 and with 4 starts;
- one trace: R(t) at 1501 times (the anchor: one forward solve), its forward-mode Jacobian by the 3 fitted
  parameters, and the gradient of a scalar loss (the sum of squared residuals) by those 3 in forward mode and
  by every numeric record entry in reverse mode;
- one transfer curve of 41 currents: the forward solve, and the gradient of sum dR by every record entry in
  reverse mode and in forward mode.

    python benchmarks/fit_timing.py [--repeats 7]
"""

from __future__ import annotations

import click
import jax
import jax.numpy as jnp
import numpy as np

import mtjphys as mp
from mtjphys.device import gradient_solver
from mtjphys.fitting import TraceData
from mtjphys.references import median_time

J = 0.9e10
FREE = ("alpha", "Ku", "polarization")


def fit_times(repeats: int) -> dict:
    truth = mp.Parameters()
    trace = mp.neuron_trace(truth, J)
    noisy = trace.resistance.values + np.random.default_rng(0).normal(0.0, 2.0, trace.time.size)
    data = [TraceData("synthetic", trace.time.values, noisy, J)]
    start = truth.replace(alpha=0.0125, Ku=2.35e5, polarization=0.5)
    times = {}
    for starts in (1, 4):
        result = mp.fit(data, start, FREE, starts=starts)  # compiles
        times[starts] = median_time(mp.fit, max(3, repeats // 2), data, start, FREE, starts=starts, warm=True)
        true = np.array([truth[n] for n in FREE])
        error = np.abs(result.estimate - true) / result.standard_error
        print(f"fit of {len(FREE)} parameters to one trace, {starts} start(s): {times[starts]:.2f} s after "
              f"compilation; relative standard errors "
              f"{', '.join(f'{n} {100 * e:.2g} %' for n, e in zip(FREE, result.standard_error / true))}; "
              f"|estimate - truth| = {', '.join(f'{e:.2f}' for e in error)} standard errors")
    return times


def gradient_costs(repeats: int) -> None:
    parameters = mp.Parameters()
    device = mp.make_device(parameters)
    params = device.params
    ts = jnp.linspace(0.0, mp.NEURON_WINDOW, 1501)
    forward_settings = gradient_solver(mp.NeuronSolver(), "forward")
    reverse_settings = gradient_solver(mp.NeuronSolver(), "reverse")
    data = mp.neuron_trace(parameters.replace(alpha=0.011), J).resistance.values

    def resistance(params, settings):
        return device.replace(params=params, solver=settings).solve(jnp.float64(J), ts).point.resistance

    def loss(params, settings):
        return jnp.sum((resistance(params, settings) - data) ** 2)

    free = {k: params[k] for k in FREE}
    with_free = lambda f: {**params, **f}
    runs = {
        "forward solve (the anchor)": jax.jit(lambda p: resistance(p, forward_settings)),
        "Jacobian of R(t) by 3 parameters, forward mode": jax.jit(
            lambda f: jax.jacfwd(lambda f: resistance(with_free(f), forward_settings))(f)),
        "gradient of the loss by 3 parameters, forward mode": jax.jit(
            lambda f: jax.jacfwd(lambda f: loss(with_free(f), forward_settings))(f)),
        "gradient of the loss by 3 parameters, reverse mode": jax.jit(
            lambda f: jax.grad(lambda f: loss(with_free(f), reverse_settings))(f)),
        f"gradient of the loss by all {len(params)} record entries, reverse mode": jax.jit(
            lambda p: jax.grad(lambda p: loss(p, reverse_settings))(p)),
    }
    print("\none trace, R at 1501 times (medians; ratios to the forward solve of the same run):")
    anchor = None
    for name, function in runs.items():
        argument = params if "solve" in name or "all" in name else free
        seconds = median_time(function, repeats, argument, warm=True)
        anchor = anchor or seconds
        print(f"  {name}: {1e3 * seconds:.2f} ms ({seconds / anchor:.1f}x)")

    currents = jnp.linspace(*mp.OPERATING_RANGE, 41)
    total = lambda p, settings: jnp.sum(device.replace(params=p, solver=settings).window(currents).extrema.delta_r)
    tangents = jax.tree.map(jnp.ones_like, params)
    runs = {
        "forward solve (the anchor)": jax.jit(lambda p: total(p, forward_settings)),
        "one directional derivative (jvp), forward mode": jax.jit(
            lambda p: jax.jvp(lambda p: total(p, forward_settings), (p,), (tangents,))),
        f"gradient by all {len(params)} record entries, reverse mode": jax.jit(
            lambda p: jax.grad(lambda p: total(p, reverse_settings))(p)),
        f"gradient by all {len(params)} record entries, forward mode": jax.jit(
            lambda p: jax.jacfwd(lambda p: total(p, forward_settings))(p)),
    }
    print("\none transfer curve, sum of dR over 41 currents:")
    anchor = None
    for name, function in runs.items():
        seconds = median_time(function, repeats, params, warm=True)
        anchor = anchor or seconds
        print(f"  {name}: {1e3 * seconds:.2f} ms ({seconds / anchor:.1f}x)")


@click.command()
@click.option("--repeats", type=int, default=7, show_default=True)
def main(repeats: int) -> None:
    print(f"jax {jax.__version__} on {jax.devices()[0].platform}")
    fit_times(repeats)
    gradient_costs(repeats)


if __name__ == "__main__":
    main()
