"""The `mtjphys` command line."""

from __future__ import annotations

import dataclasses
import importlib
import json
import pathlib
import sys
from typing import TYPE_CHECKING

import click
import numpy as np

from .._defaults import DEFAULT_BANDWIDTH, GEOMETRIES, NEURON_WINDOW, OPERATING_RANGE
from .._errors import MtjphysError, NO_TANGENT, NOT_RELAXED
from .._units import si
from ..reproduction._options import (
    allow_implausible_option,
    options,
    output_dir_option,
    overwrite_option,
    params_option,
    quick_option,
    scheduler_option,
    seed_option,
)

if TYPE_CHECKING:
    from ..device._parameters import Parameters
    from ..device._preamplifier import Preamplifier


def _lazy(module: str, name: str):
    """A function of the runtime, imported when first called: `mtjphys --help` needs no JAX."""
    def call(*args, **kwargs):
        return getattr(importlib.import_module(module, __package__), name)(*args, **kwargs)

    call.__name__ = name
    return call


atomic_write = _lazy("..data._datasets", "atomic_write")
check_output_path = _lazy("..data._datasets", "check_output_path")
write_dataset = _lazy("..data._datasets", "write_dataset")
neuron_trace = _lazy("..device._transfer", "neuron_trace")
transfer_curve = _lazy("..device._transfer", "transfer_curve")
thermal_preamplifier = _lazy("..device._device", "thermal_preamplifier")

# how the refusals of checks inside jitted code (equinox.error_if) open: shown as they stand, one line
RUNTIME_REFUSALS = (NOT_RELAXED, NO_TANGENT)


def run_command(command: click.Command, args=None, prog_name: str | None = None) -> None:
    """Run a click command; user errors become one line on stderr and exit status 2."""
    try:
        code = command.main(args=args, prog_name=prog_name, standalone_mode=False)
    except click.exceptions.Abort as error:  # a declined prompt, or Ctrl-C (click makes KeyboardInterrupt an Abort)
        click.echo("interrupted" if isinstance(error.__cause__, KeyboardInterrupt) else "aborted", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except (click.ClickException, MtjphysError) as error:
        message = error.format_message() if isinstance(error, click.ClickException) else str(error)
        name = prog_name or command.name
        click.echo(f"{name}: error: {' '.join(message.split())}", err=True)
        sys.exit(2)
    except Exception as error:
        equinox = sys.modules.get("equinox")  # only a run that imported it can raise its errors
        if equinox is None or not isinstance(error, equinox.EquinoxRuntimeError):
            raise
        # a solve that cannot finish, e.g. beyond max_steps
        message = str(error).split("equinox.EquinoxRuntimeError:")[-1].strip()
        if message.startswith(RUNTIME_REFUSALS):  # our own refusal, raised inside the compiled solve
            click.echo(f"{prog_name or command.name}: error: {message.splitlines()[0]}", err=True)
            sys.exit(2)
        reason = message.split(". ")[0].lower()
        click.echo(f"{prog_name or command.name}: error: the solver failed: {reason} ({solver_failure_hint()})",
                   err=True)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)


MODELS = ("macrospin", "micromagnetic")
_LOADED = []  # the records this run's command read, for what a solver failure can say about them


def solver_failure_hint() -> str:
    """Which of the record's parameters make the device stiff, when the run read one."""
    if not _LOADED:
        return "a current density or parameter far outside the device's range?"
    from ..device._plausibility import stiffness

    return stiffness(_LOADED[-1])


def load_parameters(path: str | None, model: str = "macrospin", allow_implausible: bool = False, **grid):
    """The record of --params (or the reference) for --model, with the grid options that were given
    (`allow_implausible`: accept values outside the plausible ranges on purpose)."""
    from ..device._model import SHIPPED_MODELS

    given = {key: value for key, value in grid.items() if value is not None}
    if given and model != "micromagnetic":
        options = ", ".join("--" + key.replace("_", "-") for key in given)
        raise MtjphysError(f"{options} {'applies' if len(given) == 1 else 'apply'} to --model micromagnetic only")
    from ..device._parameters import Parameters

    if allow_implausible:
        given["allow_implausible"] = True
    if path:
        record = Parameters.from_json(path, model=SHIPPED_MODELS[model](), **given)
    else:
        record = Parameters(given, model=SHIPPED_MODELS[model]())
    _LOADED.append(record)
    return record


def model_options(command):
    """--model and the micromagnetic grid's options."""
    options = [
        click.option("--model", type=click.Choice(MODELS), default="macrospin", show_default=True,
                     help="macrospin: one vector m; micromagnetic: the free layer on a grid of cells with exchange "
                          "and demagnetisation (see docs/physics.md)."),
        click.option("--geometry", type=click.Choice(GEOMETRIES), default=None,
                     help="Micromagnetic free layer's shape (default: the record's, a disc)."),
        click.option("--length", type=float, default=None, help="Its size along x [m] (a disc's diameter)."),
        click.option("--width", type=float, default=None, help="Its size along y [m] (= length for a disc)."),
        click.option("--cell-size", type=float, default=None, help="In-plane cell edge [m] (default 2e-9)."),
        click.option("--layers", type=int, default=None, help="Cells through the thickness (default 1)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def describe_mesh(parameters: Parameters) -> str:
    mesh = parameters.mesh
    if mesh is None:
        return ""
    nx, ny, nz = mesh.shape
    return (f" ({mesh.cells} cells of a {nx} x {ny} x {nz} grid; area {mesh.area * 1e18:.1f} nm^2, "
            f"{100 * mesh.area_error:+.2f} % from the exact shape)")


output_option = click.option("-o", "--output", required=True, type=click.Path(), help="netCDF file to write.")
bandwidth_option = click.option(
    "--preamplifier-bandwidth", type=float, default=None,
    help=f"The pre-amplifier's -3 dB bandwidth [Hz] through which dR is read, with extrema held over half a "
         f"precession period (0: no filter). Default: {DEFAULT_BANDWIDTH:g} above 0 K, an ideal preamplifier at 0 K.",
)


def make_preamplifier(bandwidth: float | None, parameters: Parameters) -> Preamplifier | None:
    """The preamplifier the --preamplifier-bandwidth option asks for (None: the default for the temperature)."""
    if bandwidth is None:
        return None
    if not (np.isfinite(bandwidth) and bandwidth >= 0):
        raise MtjphysError(f"--preamplifier-bandwidth must be >= 0 Hz (0: no filter), got {bandwidth:g}")
    return thermal_preamplifier(parameters, bandwidth=bandwidth or None)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Recurrent neural networks made of magnetic tunnel junctions."""


@cli.command(short_help="One MTJ's resistance ringing after a current (or voltage) step, as netCDF.")
@click.option("--current-density", "-j", type=float, default=None, help="Current density [A/m^2].")
@click.option("--voltage", "-V", type=float, default=None,
              help="Drive by this voltage across the junction [V] instead of a current.")
@click.option("--duration", type=float, default=NEURON_WINDOW, show_default=True, help="Simulated time [s].")
@options(seed_option("Noise seed (temperature above 0 K)."))
@bandwidth_option
@options(params_option(load=False), allow_implausible_option())
@model_options
@click.option("--initial-state", type=click.Path(dir_okay=False), default=None,
              help="With --model micromagnetic: start from this OVF 2.0 file's state (OOMMF, MuMax3, Ubermag; its "
                   "grid must be the record's) instead of the equilibrium.")
@click.option("--ovf", is_flag=True, default=False,
              help="With --model micromagnetic: also write the final state m_final as OVF 2.0 (Data Binary 8) "
                   "beside the output, as <output stem>.ovf.")
@output_option
@options(overwrite_option("an existing output file"))
@click.option("--yes", is_flag=True, default=False,
              help="With --model micromagnetic: run even a window estimated to take longer than 10 min (the "
                   "estimate is shown before the run starts; mtjphys.device.COST_LIMIT).")
def neuron(current_density, voltage, duration, seed, preamplifier_bandwidth, params_path, model, initial_state, ovf,
           output, overwrite, yes, **grid):
    """Resistance ringing of one MTJ after a current step (-j) or a voltage step (-V): resistance,
    voltage, current, power and temperature over time, m(time, component), dR and the window's energy.

    Above 0 K (`temperature` in the parameters, or Joule heating) one realisation of the stochastic LLG.
    With --model micromagnetic, m is the average over the cells and m_final(x, y, component) the
    cells at the end; --ovf writes m_final as an OVF 2.0 file too, and --initial-state starts from an OVF
    file's state (recorded in the attribute initial_state)."""
    from ..data._ovf import ovf_initial_state, write_ovf

    if (current_density is None) == (voltage is None):
        raise MtjphysError("give exactly one of --current-density (-j) and --voltage (-V)")
    grid_states = [name for name, given in (("--initial-state", initial_state), ("--ovf", ovf)) if given]
    if grid_states and model != "micromagnetic":
        raise MtjphysError(f"{', '.join(grid_states)} {'applies' if len(grid_states) == 1 else 'apply'} to --model "
                           "micromagnetic only (a macrospin has no grid state)")
    output = check_output_path(output, overwrite)
    ovf_path = output.with_suffix(".ovf") if ovf else None
    if ovf_path is not None:
        if ovf_path == output:
            raise MtjphysError(f"--ovf writes <output stem>.ovf, which is the output {str(output)!r} itself; give "
                               "the netCDF output another suffix (.nc)")
        check_output_path(ovf_path, overwrite)
    parameters = load_parameters(params_path, model, **grid)
    m0 = None if initial_state is None else ovf_initial_state(initial_state, parameters.mesh)
    if parameters.mesh is not None:  # what the grid's window costs, before it starts (refused above the limit)
        from ..device._cost import check_cost, grid_cost

        source, drive = ("current", current_density) if voltage is None else ("voltage", voltage)
        click.echo(check_cost(grid_cost(parameters, duration, drive, source=source), yes), err=True)
    dataset = neuron_trace(parameters, current_density, voltage=voltage, duration=duration, seed=seed,
                           preamplifier=make_preamplifier(preamplifier_bandwidth, parameters), m0=m0)
    if initial_state is not None:
        dataset.attrs["initial_state"] = str(pathlib.Path(initial_state).resolve())
    write_dataset(dataset, output, overwrite=overwrite)
    if ovf_path is not None:
        try:
            write_ovf(ovf_path, dataset.m_final, parameters.mesh, title="m_final",
                      desc=f"mtjphys neuron: {dataset.m_final.attrs['long_name']} (netCDF: {output.name})",
                      overwrite=overwrite)
        except BaseException:
            output.unlink(missing_ok=True)  # both files or neither
            raise
    drive = f"j = {current_density:g} A/m^2" if voltage is None else f"V = {voltage:g} V"
    written = f"{output}, {ovf_path}" if ovf_path is not None else f"{output}"
    click.echo(f"dR = {float(dataset.delta_r):.3f} ohm, {si(float(dataset.energy), 'J')} at {drive}"
               f"{describe_mesh(parameters)} -> {written}")


@cli.command(short_help="The neuron's transfer curve dR(j) (or dR(V)), as netCDF.")
@click.option("--j-min", type=float, default=OPERATING_RANGE[0], show_default=True, help="[A/m^2]")
@click.option("--j-max", type=float, default=OPERATING_RANGE[1], show_default=True, help="[A/m^2]")
@click.option("--v-min", type=float, default=None, help="Drive by voltages from this [V] (with --v-max) instead.")
@click.option("--v-max", type=float, default=None, help="[V], with --v-min.")
@click.option("--points", type=int, default=41, show_default=True)
@options(seed_option("Noise seed (temperature above 0 K)."))
@click.option("--samples", type=int, default=64, show_default=True,
              help="Realisations per current above 0 K (mean and std are written).")
@bandwidth_option
@options(params_option(load=False), allow_implausible_option())
@model_options
@output_option
@options(overwrite_option("an existing output file"))
def transfer(j_min, j_max, v_min, v_max, points, seed, samples, preamplifier_bandwidth, params_path, model, output,
             overwrite, **grid):
    """Transfer curve: delta_r, delta_r_normalized, the window's energy and peak voltage over
    current_density (or over voltage with --v-min/--v-max), and resistance_equilibrium."""
    if not 2 <= points <= 1_000_000:
        raise MtjphysError(f"--points must lie in [2, 1000000], got {points}")
    if samples < 1:
        raise MtjphysError(f"need --samples >= 1, got {samples}")
    if (v_min is None) != (v_max is None):
        raise MtjphysError("a voltage drive needs both --v-min and --v-max")
    low, high, name = (j_min, j_max, "j") if v_min is None else (v_min, v_max, "v")
    if not (np.isfinite(low) and np.isfinite(high) and high > low):
        raise MtjphysError(f"need finite --{name}-min < --{name}-max, got {low:g} and {high:g}")
    check_output_path(output, overwrite)
    parameters = load_parameters(params_path, model, **grid)
    from ..device._circuit import is_warm

    warm = is_warm(parameters)
    if warm and points * samples > 2**22:  # realisations only run above 0 K
        raise MtjphysError(f"above 0 K need --points x --samples <= {2**22}, got {points} x {samples}")
    drive = {"current_densities" if v_min is None else "voltages": np.linspace(low, high, points)}
    dataset = transfer_curve(parameters, **drive, seed=seed, samples=samples,
                             preamplifier=make_preamplifier(preamplifier_bandwidth, parameters))
    write_dataset(dataset, output, overwrite=overwrite)
    click.echo(f"{describe_transfer(dataset)}{describe_mesh(parameters)} -> {output}")


def describe_transfer(dataset) -> str:
    """A transfer curve in words: at 0 K its ends; above 0 K the mean and spread at its ends, and whether the
    spread across realisations is comparable to the change along the curve."""
    r = dataset.delta_r.values
    if "delta_r_std" not in dataset:
        return f"dR from {r[0]:.2f} to {r[-1]:.2f} ohm"
    std = dataset.delta_r_std.values
    samples = int(dataset.attrs.get("samples_per_current", 2))
    words = (f"dR (mean ± std of {samples} realisations) from {r[0]:.1f} ± {std[0]:.1f} to {r[-1]:.1f} ± "
             f"{std[-1]:.1f} ohm, ranging {r.min():.1f}-{r.max():.1f} ohm")
    span, spread = r.max() - r.min(), float(np.median(std))
    if spread > 0.5 * span:
        words += (f"; the spread across realisations (median {spread:.1f} ohm) is comparable to the change along "
                  f"the curve ({span:.1f} ohm)")
    if "note" in dataset.delta_r_normalized.attrs:
        words += "; delta_r_normalized not computed (noise has no shape)"
    return words


@cli.command(short_help="Fit a device's parameters to its measured R(t) traces or dR(j) curves.")
@click.argument("data", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--free", required=True,
              help="Comma-separated scalar parameters to fit, e.g. alpha,Ku,polarization; the rest keep the start's "
                   "values.")
@click.option("--current-density", "-j", type=float, multiple=True,
              help="Current density [A/m^2] of the step of a CSV trace (a netCDF trace carries its own): once for "
                   "all CSV files, or once per CSV file in their order.")
@click.option("--bounds", default=None,
              help="NAME=LOW:HIGH,... narrowing a parameter's bounds (a side may be empty); the record's constraints "
                   "(positive, in [0, 1]) always hold.")
@click.option("--field-direction", multiple=True,
              help="X,Y,Z of the applied field of dispersions, loops and spectra: once for all files, or once per "
                   "file in their order (default: the record's H_ext direction, else its easy axis).")
@click.option("--frequency", type=float, default=None, help="[Hz], the rf frequency of an ST-FMR field sweep.")
@click.option("--field", type=float, default=None, help="[A/m], the field of an ST-FMR frequency sweep.")
@click.option("--rf-current", type=float, default=None, help="[A], the rf current's amplitude of an ST-FMR spectrum.")
@options(seed_option("Draws the further starts."))
@click.option("--starts", type=click.IntRange(1, 64), default=4, show_default=True,
              help="Starts of the fit: the start record, and the others drawn about it.")
@click.option("--accept-poor-fit", is_flag=True,
              help="Write the fit even where an estimate sits at a bound, its standard error exceeds it, or the "
                   "fitted record is implausible (otherwise refused, nothing written).")
@options(params_option(load=False), allow_implausible_option())
@output_option
@options(overwrite_option("existing output files"))
def fit(data, free, current_density, bounds, field_direction, frequency, field, rf_current, seed, starts,
        accept_poor_fit, params_path, allow_implausible, output, overwrite):
    """Least-squares fit of a record's parameters to measurements, through the LLG solve.

    DATA are CSV files with a header, `time,resistance` (one trace: times from the current step, R, any
    sampling; give its drive with --current-density), `current_density,delta_r` (a transfer curve),
    `field,frequency` (an FMR dispersion; with a `linewidth` column also its linewidth), `field,resistance` (an
    R(H) loop, rows in sweep order) or `field,voltage` / `frequency,voltage` (an ST-FMR spectrum, with
    --frequency or --field and --rf-current); each column's unit in brackets (`field [Oe]`, `field [mT]` meaning
    mu0 H, `frequency [GHz]`, `resistance [kOhm]`, `voltage [uV]`; SI without); or mtjphys netCDF files
    (`mtjphys neuron`, `mtjphys transfer`). Several files are fitted jointly, each weighted
    by its own scatter: ringings at several currents (`-j` once per CSV file) separate what one cannot.

    Writes OUTPUT (netCDF: estimate and standard_error per parameter in SI units, correlation, the scaled
    Jacobian's singular values, residuals over each file's own coordinate, the fitted record in the attribute
    fitted_parameters), the fitted record beside it as a --params JSON file, and a PNG of data, fit and residuals.
    Parameters the data cannot separate, the condition number and standard errors beyond their estimates are
    reported."""
    from ..device._plausibility import implausible
    from ..fitting._fit import (
        fit as run_fit,
        fit_dataset,
        fit_outputs,
        NETCDF_SUFFIXES,
        parse_bounds,
        plot_fit,
        read_data,
    )
    from ..fitting._sanity import poor_fit
    from ..reproduction._study import save_figure

    netcdf, record_file, png = (check_output_path(path, overwrite) for path in fit_outputs(output))
    names = [name.strip() for name in free.split(",") if name.strip()]
    start = load_parameters(params_path, allow_implausible=allow_implausible)
    csv_files = [path for path in data if pathlib.Path(path).suffix.lower() not in NETCDF_SUFFIXES]
    if len(current_density) not in (0, 1, len(csv_files)):
        raise MtjphysError(f"give --current-density once for all CSV files or once per CSV file ({len(csv_files)}), "
                           f"not {len(current_density)} times")
    drives = dict(zip(csv_files, current_density if len(current_density) > 1 else current_density * len(csv_files)))
    measurements = [read_data(path, drives.get(path), frequency=frequency, field=field, rf_current=rf_current)
                    for path in data]
    result = run_fit(measurements, start, names, bounds=parse_bounds(bounds), seed=seed, starts=starts,
                     field_direction=[parse_direction(d) for d in field_direction] if len(field_direction) > 1
                     else parse_direction(field_direction[0]) if field_direction else None)
    reasons = poor_fit(result)
    if reasons and not accept_poor_fit:
        raise MtjphysError(f"a poor fit, nothing written: {'; '.join(reasons)} (check the data's units, --free and "
                           "--bounds; --accept-poor-fit writes it anyway)")
    if not result.fitted["allow_implausible"] and implausible(result.fitted):  # written on purpose: it says so
        result = dataclasses.replace(result, fitted=result.fitted.replace(check_plausibility=False,
                                                                          allow_implausible=True))
    dataset = fit_dataset(result)
    write_dataset(dataset, netcdf, overwrite=overwrite)
    atomic_write(record_file, lambda tmp: pathlib.Path(tmp).write_text(json.dumps(result.fitted.to_dict(), indent=1)),
                 overwrite=overwrite)
    save_figure(plot_fit(result), png, overwrite=overwrite, parameters=result.fitted, fit=netcdf.name)
    for coordinate, value, error in zip(result.free, result.estimate, result.standard_error):
        units = "" if coordinate.units == "1" else f" {coordinate.units}"
        click.echo(f"{coordinate.name} = {value:.6g} ± {error:.2g}{units}")
    click.echo(f"condition number {result.condition_number:.3g}; residual rms "
               + ", ".join(f"{n:.3g} {getattr(d, 'value_unit', 'ohm')}" for n, d in zip(result.noise, result.data)))
    for note in result.notes:
        click.echo(note)
    click.echo(f"-> {netcdf}, {record_file}, {png}")


def parse_direction(text: str | None) -> np.ndarray | None:
    """--field-direction X,Y,Z as a vector (None: the record's default)."""
    if text is None:
        return None
    try:
        direction = np.array([float(part) for part in text.split(",")])
    except ValueError:
        direction = np.array([])
    if direction.shape != (3,) or not np.all(np.isfinite(direction)) or not np.linalg.norm(direction) > 0:
        raise MtjphysError(f"--field-direction must be three numbers X,Y,Z, not all zero; got {text!r}")
    return direction


def field_options(points: int, single: bool = False):
    """--field-min, --field-max, --points and --field-direction of a field sweep (`single`: one field by default,
    --field-max then optional)."""
    def decorate(command):
        for option in reversed([
            click.option("--field-min", type=float, required=True,
                         help="First field [A/m] along the direction (1 mT of mu0 H = 795.77 A/m, 1 Oe = 79.577 A/m)."),
            click.option("--field-max", type=float, required=not single,
                         help="Last field [A/m]" + (" (with --points > 1)." if single else ".")),
            click.option("--points", type=click.IntRange(1 if single else 3, 100_000), default=points,
                         show_default=True,
                         help="Fields in the sweep."),
            click.option("--field-direction", default=None,
                         help="X,Y,Z of the applied field (default: the record's H_ext direction, else its easy "
                              "axis)."),
        ]):
            command = option(command)
        return command
    return decorate


def field_range(field_min: float, field_max: float) -> None:
    if not (np.isfinite(field_min) and np.isfinite(field_max) and field_min < field_max):
        raise MtjphysError(f"need finite --field-min < --field-max, got {field_min:g} and {field_max:g}")


@cli.command(short_help="The FMR dispersion f(H) and linewidth of the lowest modes, as netCDF.")
@field_options(points=41)
@click.option("--current-density", "-j", type=float, default=0.0, show_default=True,
              help="A dc current density [A/m^2] (macrospin): the modes under the spin-transfer torques.")
@click.option("--modes", type=click.IntRange(1, 100), default=None, help="Modes of a grid (default 3; a macrospin "
                                                                         "has 1).")
@options(params_option(load=False), allow_implausible_option())
@model_options
@output_option
@options(overwrite_option("an existing output file"))
def fmr(field_min, field_max, points, field_direction, current_density, modes, params_path, model, output, overwrite,
        **grid):
    """Ferromagnetic resonance: the equilibrium for each field (each relaxed from the last, the first from the
    record's m0), the LLG linearised about it, and its modes' frequency(field, mode) and linewidth(field, mode)
    (full width at half maximum) [Hz], with m(field, component)."""
    from ..measurements import resonance

    field_range(field_min, field_max)
    check_output_path(output, overwrite)
    parameters = load_parameters(params_path, model, **grid)
    dataset = resonance(parameters, np.linspace(field_min, field_max, points), direction=parse_direction(
        field_direction), current_density=current_density, modes=modes)
    write_dataset(dataset, output, overwrite=overwrite)
    lowest = dataset.frequency.isel(mode=0).values
    click.echo(f"lowest mode from {si(lowest[0], 'Hz')} to {si(lowest[-1], 'Hz')} over "
               f"{int(dataset.stable.sum())} stable of {points} fields{describe_mesh(parameters)} -> {output}")


@cli.command(short_help="The spin-torque FMR spectrum V_dc(field, frequency), as netCDF.")
@field_options(points=1, single=True)
@click.option("--frequency-min", type=float, required=True, help="[Hz] of the rf current.")
@click.option("--frequency-max", type=float, default=None, help="[Hz] (default --frequency-min: one frequency).")
@click.option("--frequencies", type=click.IntRange(1, 100_000), default=1, show_default=True,
              help="Frequencies from --frequency-min to --frequency-max.")
@click.option("--rf-current", type=float, required=True, help="The rf current's amplitude [A].")
@click.option("--current-density", "-j", type=float, default=0.0, show_default=True,
              help="A dc current density [A/m^2] beside the rf current.")
@options(params_option(load=False), allow_implausible_option())
@output_option
@options(overwrite_option("an existing output file"))
def stfmr(field_min, field_max, points, field_direction, frequency_min, frequency_max, frequencies, rf_current,
          current_density, params_path, allow_implausible, output, overwrite):
    """Spin-torque FMR (the spin diode) of a macrospin junction, small-signal: the dc voltage an rf current
    rectifies, over field (--field-min .. --field-max, --points) and frequency; along a sweep of one of them with
    the other fixed (--points 1, or --frequencies 1), its symmetric and antisymmetric Lorentzian parts."""
    from ..measurements import stfmr as spectrum

    if points == 1:
        fields = np.array([field_min])
    else:
        field_range(field_min, np.nan if field_max is None else field_max)
        fields = np.linspace(field_min, field_max, points)
    frequency_max = frequency_min if frequency_max is None else frequency_max
    if frequencies > 1 and not frequency_max > frequency_min:
        raise MtjphysError(f"need --frequency-min < --frequency-max for {frequencies} frequencies")
    check_output_path(output, overwrite)
    parameters = load_parameters(params_path, allow_implausible=allow_implausible)
    dataset = spectrum(parameters, field=fields, frequency=np.linspace(frequency_min, frequency_max, frequencies),
                       rf_current=rf_current, direction=parse_direction(field_direction),
                       current_density=current_density)
    write_dataset(dataset, output, overwrite=overwrite)
    peak = float(np.max(np.abs(dataset.voltage.values)))
    parts = (f"; symmetric {si(float(dataset.symmetric), 'V')}, antisymmetric {si(float(dataset.antisymmetric), 'V')}"
             if "symmetric" in dataset else "")
    click.echo(f"largest |V_dc| {si(peak, 'V')}{parts} -> {output}")


@cli.command(short_help="The R(H) loop, swept down and back up, as netCDF.")
@field_options(points=201)
@click.option("--samples", type=click.IntRange(1, 4096), default=16, show_default=True,
              help="Realisations above 0 K.")
@click.option("--dwell", type=float, default=2e-9, show_default=True,
              help="Time each field is held above 0 K [s] (the loop's coercivity is that of this sweep rate).")
@options(seed_option("Noise seed (above 0 K; a grid's small random tilts)."))
@options(params_option(load=False), allow_implausible_option())
@model_options
@output_option
@options(overwrite_option("an existing output file"))
def loop(field_min, field_max, points, field_direction, samples, dwell, seed, params_path, model, output, overwrite,
         **grid):
    """R(H) loop: the field swept from --field-max down to --field-min and back, each point relaxed from the
    last (0 K) or held for --dwell under the stochastic LLG (above 0 K): resistance(field, sweep),
    m(field, sweep, component), the switching fields, the coercive field and the loop's offset."""
    from ..measurements import loop as run_loop

    field_range(field_min, field_max)
    check_output_path(output, overwrite)
    parameters = load_parameters(params_path, model, **grid)
    dataset = run_loop(parameters, field_min, field_max, points, direction=parse_direction(field_direction),
                       samples=samples, dwell=dwell, seed=seed)
    write_dataset(dataset, output, overwrite=overwrite)
    r = dataset.resistance.values
    coercive, offset = float(dataset.coercive_field), float(dataset.offset_field)
    switching = (f"coercive field {coercive:.4g} A/m, offset {offset:.4g} A/m" if np.isfinite(coercive) else
                 "the sweep does not reverse the layer both ways (a wider field range, or above 0 K a longer --dwell)")
    click.echo(f"R from {si(np.nanmin(r), 'ohm')} to {si(np.nanmax(r), 'ohm')}; {switching}"
               f"{describe_mesh(parameters)} -> {output}")


class StudyGroup(click.Group):
    """`mtjphys study NAME`: one subcommand per registered study, loaded when asked for."""

    def list_commands(self, ctx):
        from ..studies import registry

        return list(registry())

    def get_command(self, ctx, name):
        from ..studies import registry

        study = registry().get(name)
        return study.command() if study is not None else None


@cli.group(cls=StudyGroup, short_help="Run one study: its netCDF, PNG and summary (see `mtjphys study --help`).")
def study():
    """Run one study into a directory: `mtjphys study NAME -o DIR [OPTIONS]`.

    `mtjphys study NAME --help` lists a study's own options."""


@cli.command(short_help="Run every study and write report.md and report.html beside their outputs.")
@options(output_dir_option(), quick_option("A first look in a few minutes: fewer seeds and points."),
         overwrite_option(), scheduler_option())
def reproduce(output_dir, quick, overwrite, scheduler):
    """Run every registered study (the paper's figures and the supplementary studies) and write
    report.md and report.html, which set each measured number beside the paper's."""
    from ..reproduction._reproduce import reproduce as run_all
    from ..studies import registry

    summary = run_all(list(registry().values()), output_dir, quick=quick, overwrite=overwrite, scheduler=scheduler)
    click.echo(f"{len(summary['studies'])} studies in {summary['wall_time_s']:.0f} s; report: {summary['report']}")


def main() -> None:
    """Entry point of the `mtjphys` script."""
    run_command(cli, prog_name="mtjphys")
