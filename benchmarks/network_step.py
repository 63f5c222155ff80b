"""Network step: time per step of a surrogate-mode MTJ network and a tanh network run by `simulate` (no
trainer, no noise), beside reservoirpy's Reservoir (an ESN) of the same N on the same input series, in the
same run.

    python benchmarks/network_step.py [--sizes 100,400] [--steps 10000] [--repeats 5]

Each network has one input and one readout (connection probability 0.1, leak 0.3) and is driven by one
uniform random series of `--steps` steps; mtjphys runs the whole series in one compiled scan (chunk =
steps). Times are medians over `--repeats` runs after a first (compiling) one, divided by the steps; the
ratio is mtjphys' time over reservoirpy's.
"""

from __future__ import annotations

import click
import jax
import numpy as np

import mtjphys as mp
from mtjphys.references import median_time

LEAK = 0.3


def architecture(n: int) -> mp.Architecture:
    return mp.Architecture(n_mtj=n, n_inputs=1, n_outputs=1, leak=LEAK)


def mtjphys_seconds(network: mp.Network, inputs: np.ndarray, repeats: int) -> float:
    """Per step [s] of `simulate` over `inputs`, the whole series in one compiled scan."""
    steps = inputs.shape[0]
    drive = mp.make_drive(steps, inputs=inputs, n_inputs=1)
    run = lambda: mp.simulate(network, drive, progress=False, chunk=steps, record_mtjs=1).x
    return median_time(run, repeats, warm=True) / steps


def reservoirpy_seconds(n: int, inputs: np.ndarray, repeats: int) -> float:
    """Per step [s] of reservoirpy's Reservoir of n units over `inputs`."""
    from reservoirpy.nodes import Reservoir

    reservoir = Reservoir(units=n, lr=LEAK, sr=1.5, rc_connectivity=0.1, input_connectivity=1.0, seed=0)
    reservoir.initialize(inputs[:1])
    return median_time(lambda: reservoir.run(inputs), repeats, warm=True) / inputs.shape[0]


@click.command()
@click.option("--sizes", default="100,400", show_default=True, help="Network sizes N, comma-separated.")
@click.option("--steps", default=10000, show_default=True, help="Steps of the input series.")
@click.option("--repeats", default=5, show_default=True)
def main(sizes: str, steps: int, repeats: int) -> None:
    print(f"jax {jax.__version__} on {jax.devices()[0].platform}; us per step over {steps} steps, medians of "
          f"{repeats}")
    inputs = np.random.default_rng(0).uniform(-1, 1, (steps, 1))
    print(" | ".join(("N", "surrogate", "tanh", "reservoirpy", "surrogate / reservoirpy", "tanh / reservoirpy")))
    for n in (int(s) for s in sizes.split(",")):
        surrogate = mp.random_network(architecture(n), seed=0, mode="surrogate")
        tanh = mp.random_network(architecture(n), seed=0, mode="tanh")
        surrogate_step = mtjphys_seconds(surrogate, inputs, repeats)
        tanh_step = mtjphys_seconds(tanh, inputs, repeats)
        esn_step = reservoirpy_seconds(n, inputs, repeats)
        us = lambda seconds: f"{1e6 * seconds:.3g}"
        print(" | ".join((str(n), us(surrogate_step), us(tanh_step), us(esn_step), f"{surrogate_step / esn_step:.2f}",
                          f"{tanh_step / esn_step:.2f}")), flush=True)


if __name__ == "__main__":
    main()
