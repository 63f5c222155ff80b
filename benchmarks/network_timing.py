"""Network figures: wall time of the Fig. 2, 3 and 4 studies in device mode, and FORCE (RLS)
update throughput at N = 800 beside reservoirpy's RLS node in the same run.

    python benchmarks/network_timing.py [--repeats 3] [--skip-fig3]

Study times are whole runs of one seed as a user starts them (network drawn, transfer range
computed, jit compiled, run, dataset built); the first run in a process includes compilation,
later runs reuse it. The RLS figure is 3000 updates of an 800 x 800 P on fixed random states;
both codes start from P = I and must end with the same weights.
"""

from __future__ import annotations

import functools
import pathlib
import tempfile

import click
import jax
import numpy as np
from mtjphys.studies import fig2_generation, fig3_character, fig4_recognition

from mtjphys.networks import ForceReadout
from mtjphys.references import median_time


@click.command()
@click.option("--repeats", default=3, show_default=True)
@click.option("--skip-fig3", is_flag=True, help="Skip the (minutes-long) Fig. 3 study.")
def main(repeats: int, skip_fig3: bool) -> None:
    print(f"jax {jax.__version__} on {jax.devices()[0].platform}")
    with tempfile.TemporaryDirectory() as directory:
        out = pathlib.Path(directory)
        for name, study, kwargs in (
            ("fig2 (40 MTJs, 6800 steps, FORCE)", fig2_generation, {"seeds": 1}),
            ("fig4 (40 MTJs, 6400 steps, RLS readout)", fig4_recognition, {"sweep": False}),
        ):
            run = functools.partial(study.run, out / name[:4], mode="device", overwrite=True, progress=False, **kwargs)
            first = median_time(run, 1)
            print(f"{name}, device mode: first run {first:.1f} s (with compilation), "
                  f"median of the next {repeats - 1}: {median_time(run, max(1, repeats - 1)):.1f} s")
        if not skip_fig3:
            seconds = median_time(fig3_character.run, 1, out / "fig3", mode="device", progress=False)
            print(f"fig3 (800 MTJs: innate training, FORCE, closed-loop tests, control), device mode: {seconds:.0f} s")

    n, steps = 800, 3000
    rng = np.random.default_rng(0)
    states, targets = rng.uniform(-1, 1, (steps, n)), np.sin(0.1 * np.arange(steps))[:, None]
    rls = ForceReadout(regularization=1.0)  # RLS from P0 = I over the samples in order, as reservoirpy's RLS
    ours = median_time(rls.fit, repeats, states, targets, warm=True)
    ours_weights = rls.fit(states, targets)
    try:
        from reservoirpy.nodes import RLS

        def theirs():
            node = RLS(alpha=1.0, fit_bias=False)
            node.partial_fit(states, targets)
            return node

        reference = median_time(theirs, repeats)
        difference = np.max(np.abs(np.asarray(theirs().Wout).T - ours_weights))
        print(f"RLS, N = {n}, {steps} updates: mtjphys {ours:.2f} s, reservoirpy {reference:.2f} s "
              f"({reference / ours:.1f}x); max |weight difference| {difference:.1e}")
    except ImportError:
        print(f"RLS, N = {n}, {steps} updates: mtjphys {ours:.2f} s (reservoirpy not installed)")


if __name__ == "__main__":
    main()
