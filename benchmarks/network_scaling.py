"""Network scaling: time per network step and memory against N, device and surrogate mode, running and
learning (FORCE, BPTT), with reservoirpy's ESN of the same N in the same run.

    python benchmarks/network_scaling.py [--sizes 40,200,800,2000,4000] [--steps 50] [--repeats 5]

For each N (connection probability 0.1, one input, one readout):
- device mode: a step of the network (simulate, no learning) against its anchor, one batch of N standalone
  neuron windows at the currents the network drove its MTJs with in its last step (the goal: at most 1.5x);
- surrogate mode, and tanh;
- FORCE: a step with an RLS update of the readout (surrogate and device mode);
- BPTT: one update of truncated BPTT over `--steps` steps divided by the steps (surrogate; device mode up
  to `--bptt-device-max` MTJs);
- reservoirpy's Reservoir run over the same steps;
- the recurrent product J r: dense against jax.experimental.sparse (BCOO), the reason J is kept dense;
- memory: the bytes of the network's arrays and of the RLS matrix P, and the process's peak resident size.
Times are medians over `--repeats` after a first (compiling) run.
"""

from __future__ import annotations

import resource

import click
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jax.experimental import sparse

import mtjphys as mp
from mtjphys.networks import loss_and_gradient, RunResult
from mtjphys.references import median_time


def network(n: int, mode: str) -> mp.Network:
    architecture = mp.Architecture(n_mtj=n, n_inputs=1, n_outputs=1, gain=0.9, leak=1.0, input_scale=0.3,
                                   feedback_scale=0.0)
    return mp.random_network(architecture, seed=0, mode=mode)


def drive(steps: int, learning: bool) -> mp.Drive:
    u = np.random.default_rng(0).uniform(-1, 1, (steps, 1))
    target = np.sin(np.arange(steps) / 5.0)
    return mp.make_drive(steps, inputs=u, targets=target, learning=np.full(steps, learning), n_inputs=1)


def run_seconds(net: mp.Network, steps: int, repeats: int, trainer=mp.NoTraining()) -> tuple[float, RunResult]:
    task = drive(steps, not isinstance(trainer, mp.NoTraining))
    results = []

    def once():
        result = mp.simulate(net, task, trainer=trainer, progress=False, chunk=steps, record_mtjs=1)
        jax.block_until_ready(result.x)
        results.append(result)

    return median_time(once, repeats, warm=True) / steps, results[-1]


def anchor_seconds(net: mp.Network, currents: jnp.ndarray, repeats: int) -> float:
    """One batch of standalone neuron windows at `currents`: what the network's MTJs compute in a step."""
    device = net.nonlinearity.device
    solve = eqx.filter_jit(lambda device, j: device.window(j).extrema.delta_r)
    return median_time(lambda: solve(device, currents).block_until_ready(), repeats, warm=True)


def products(net: mp.Network, repeats: int) -> tuple[float, float]:
    r = jnp.asarray(np.random.default_rng(1).normal(size=net.size))
    dense = jax.jit(lambda w, r: w @ r)
    compressed = sparse.BCOO.fromdense(net.recurrent)
    sparse_product = jax.jit(lambda w, r: w @ r)
    return (median_time(lambda: dense(net.recurrent, r).block_until_ready(), 10 * repeats, warm=True),
            median_time(lambda: sparse_product(compressed, r).block_until_ready(), 10 * repeats, warm=True))


def bptt_seconds(net: mp.Network, steps: int, repeats: int) -> float:
    """One loss and gradient by every weight BPTT trains (W_in, J, W_out) over one sequence of `steps` steps."""
    u = np.random.default_rng(0).uniform(-1, 1, (1, steps, 1))
    sequences = mp.make_sequences(np.sin(np.arange(steps) / 5.0)[None, :, None], inputs=u)
    return median_time(lambda: loss_and_gradient(net, sequences), repeats, warm=True) / steps


def reservoirpy_seconds(n: int, steps: int, repeats: int) -> float:
    from reservoirpy.nodes import Reservoir

    u = np.random.default_rng(0).uniform(-1, 1, (steps, 1))
    reservoir = Reservoir(units=n, sr=0.9, lr=1.0, input_scaling=0.3, rc_connectivity=0.1, input_connectivity=1.0,
                          seed=0)
    reservoir.initialize(u[:1])
    return median_time(lambda: reservoir.run(u), repeats, warm=True) / steps


def array_bytes(tree) -> int:
    return sum(leaf.nbytes for leaf in jax.tree.leaves(eqx.filter(tree, eqx.is_array)))


def peak_resident_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@click.command()
@click.option("--sizes", default="40,200,800,2000,4000", show_default=True, help="Network sizes N, comma-separated.")
@click.option("--steps", default=50, show_default=True, help="Steps per timed run.")
@click.option("--repeats", default=5, show_default=True)
@click.option("--bptt-device-max", default=200, show_default=True, help="Largest N for device-mode BPTT.")
def main(sizes: str, steps: int, repeats: int, bptt_device_max: int) -> None:
    print(f"jax {jax.__version__} on {jax.devices()[0].platform}; times per network step, medians of {repeats}")
    header = ("N", "device", "anchor", "ratio", "surrogate", "tanh", "FORCE surr.", "FORCE dev.", "BPTT surr.",
              "BPTT dev.", "reservoirpy", "J r dense", "J r BCOO", "weights MB", "P MB", "peak RSS MB")
    print(" | ".join(header))
    ms = lambda seconds: "-" if seconds is None else f"{1e3 * seconds:.3g} ms"
    for n in (int(s) for s in sizes.split(",")):
        device, surrogate, tanh = network(n, "device"), network(n, "surrogate"), network(n, "tanh")
        device_step, result = run_seconds(device, steps, repeats)
        anchor = anchor_seconds(device, device.nonlinearity.currents(result.x), repeats)
        surrogate_step = run_seconds(surrogate, steps, repeats)[0]
        tanh_step = run_seconds(tanh, steps, repeats)[0]
        force = mp.Force(1.0)
        force_surrogate = run_seconds(surrogate, steps, repeats, force)[0]
        force_device = run_seconds(device, steps, repeats, force)[0]
        bptt_surrogate = bptt_seconds(surrogate, steps, repeats)
        bptt_device = bptt_seconds(device, steps, repeats) if n <= bptt_device_max else None
        esn = reservoirpy_seconds(n, steps, repeats)
        dense, compressed = products(surrogate, repeats)
        row = (str(n), ms(device_step), ms(anchor), f"{device_step / anchor:.2f}", ms(surrogate_step), ms(tanh_step),
               ms(force_surrogate), ms(force_device), ms(bptt_surrogate), ms(bptt_device), ms(esn), ms(dense),
               ms(compressed), f"{array_bytes(device) / 1e6:.3g}", f"{8 * n * n / 1e6:.3g}",
               f"{peak_resident_mb():.0f}")
        print(" | ".join(row), flush=True)


if __name__ == "__main__":
    main()
