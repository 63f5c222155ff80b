"""The `mtjphys` command line."""

from __future__ import annotations

import importlib
import sys

import click
import numpy as np

from ._datasets import check_output_path, write_dataset
from ._errors import MtjphysError
from ._neuron import NEURON_WINDOW
from ._parameters import Parameters
from ._transfer import OPERATING_WINDOW, neuron_trace, transfer_curve

STUDIES = ("fig1_neuron", "fig2_generation", "fig3_character", "fig4_recognition", "supp_nonidentical",
           "supp_phase_noise", "supp_synapses")


def run_command(command: click.Command, args=None, prog_name: str | None = None) -> None:
    """Run a click command; user errors become one line on stderr and exit status 2."""
    try:
        code = command.main(args=args, prog_name=prog_name, standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except (click.ClickException, MtjphysError) as error:
        message = error.format_message() if isinstance(error, click.ClickException) else str(error)
        name = prog_name or command.name
        click.echo(f"{name}: error: {' '.join(message.split())}", err=True)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)


def load_parameters(path: str | None) -> Parameters:
    return Parameters.from_json(path) if path else Parameters()


params_option = click.option(
    "--params", "params_path", type=click.Path(dir_okay=False),
    help="JSON file of parameter-record keys (SI); missing keys take the reference values.",
)
output_option = click.option("-o", "--output", required=True, type=click.Path(), help="netCDF file to write.")
overwrite_option = click.option("--overwrite", is_flag=True, help="Replace an existing output file.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Recurrent neural networks made of magnetic tunnel junctions."""


@cli.command()
@click.option("--current-density", "-j", type=float, required=True, help="Current density [A/m^2].")
@click.option("--duration", type=float, default=NEURON_WINDOW, show_default=True, help="Simulated time [s].")
@click.option("--seed", type=int, default=0, show_default=True, help="Noise seed (temperature above 0 K).")
@params_option
@output_option
@overwrite_option
def neuron(current_density, duration, seed, params_path, output, overwrite):
    """Resistance ringing of one MTJ after a current step: resistance(time), m(time, component).

    Above 0 K (`temperature` in the parameters) one realisation of the stochastic LLG."""
    check_output_path(output, overwrite)
    dataset = neuron_trace(load_parameters(params_path), current_density, duration=duration, seed=seed)
    write_dataset(dataset, output, overwrite=overwrite)
    click.echo(f"dR = {float(dataset.delta_r):.3f} ohm at j = {current_density:g} A/m^2 -> {output}")


@cli.command()
@click.option("--j-min", type=float, default=OPERATING_WINDOW[0], show_default=True, help="[A/m^2]")
@click.option("--j-max", type=float, default=OPERATING_WINDOW[1], show_default=True, help="[A/m^2]")
@click.option("--points", type=int, default=41, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="Noise seed (temperature above 0 K).")
@click.option("--samples", type=int, default=64, show_default=True,
              help="Realisations per current above 0 K (mean and std are written).")
@params_option
@output_option
@overwrite_option
def transfer(j_min, j_max, points, seed, samples, params_path, output, overwrite):
    """Transfer curve: delta_r(current_density), delta_r_normalized, resistance_equilibrium."""
    if points < 2:
        raise MtjphysError(f"--points must be at least 2, got {points}")
    if not (np.isfinite(j_min) and np.isfinite(j_max) and j_max > j_min):
        raise MtjphysError(f"need finite --j-min < --j-max, got {j_min:g} and {j_max:g}")
    check_output_path(output, overwrite)
    dataset = transfer_curve(load_parameters(params_path), np.linspace(j_min, j_max, points), seed=seed,
                             samples=samples)
    write_dataset(dataset, output, overwrite=overwrite)
    click.echo(f"dR from {dataset.delta_r.values[0]:.2f} to {dataset.delta_r.values[-1]:.2f} ohm -> {output}")


@cli.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("name", type=click.Choice(STUDIES))
@click.pass_context
def study(ctx, name):
    """Run the study NAME (its options follow, e.g. `-o DIR`)."""
    module = importlib.import_module(f"mtjphys.studies.{name}")
    module.main.main(args=ctx.args, prog_name=f"mtjphys study {name}", standalone_mode=False)


@cli.command()
@click.option("-o", "--output-dir", required=True, type=click.Path(file_okay=False),
              help="Directory for every study's netCDF and PNG, and the report.")
@click.option("--quick", is_flag=True, help="A first look in a few minutes: fewer seeds and points.")
@click.option("--overwrite", is_flag=True, help="Replace existing output files.")
@click.option("--scheduler", default=None,
              help="Where sweeps run: a local Dask cluster (default), 'synchronous', 'threads', or an address.")
def reproduce(output_dir, quick, overwrite, scheduler):
    """Run every study (Figs. 1-4 and the supplementary ones) and write report.md / report.html."""
    from mtjphys.studies import reproduce as reproduction

    summary = reproduction.run(output_dir, quick=quick, overwrite=overwrite, scheduler=scheduler)
    click.echo(f"{len(summary['studies'])} studies in {summary['wall_time_s']:.0f} s; report: {summary['report']}")


def main() -> None:
    """Entry point of the `mtjphys` script."""
    run_command(cli, prog_name="mtjphys")
