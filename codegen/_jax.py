"""sympy model -> JAX source code.

Each generated function takes `m` (shape (..., 3)), `params` (a mapping from parameter names to
arrays that broadcast against m[..., 0]; vectors carry a trailing axis of 3), the voltage across the
barrier `bias_voltage` (the resistance and every term at the bias point read it) and, for the
equation of motion, `current_density`. A micromagnetic model's functions act on one cell each
(any batch of cells) and take the cell's nonlocal field `b_nonlocal` (..., 3) and, for the thermal
field, its `cell_volume`; its module records each nonlocal term's name and the import path of the grid
operator that computes the term's field and energy (`NONLOCAL_TERMS`). Common subexpressions are
eliminated; numbers are printed as float64 literals that round-trip exactly.
"""

from __future__ import annotations

import importlib.util
import math
import sys
import textwrap
import types

import sympy as sp
from mtjphys.models import (
    BIAS_VOLTAGE,
    CELL_VOLUME,
    CONSTANTS,
    CURRENT_DENSITY,
    MacrospinModel,
    MAGNETIZATION,
    MicromagneticModel,
    NONLOCAL_FIELD,
)
from mtjphys.models._symbols import COMPONENTS
from sympy.printing.numpy import JaxPrinter

GENERATOR = "codegen (mtjphys)"


class _Float64Printer(JaxPrinter):
    """JAX printer whose numbers are exact float64 literals (no int division, no float32)."""

    def _print_Float(self, expr):
        return repr(float(expr))

    def _print_Rational(self, expr):
        if expr.q == 1:
            return str(expr.p)
        return repr(expr.p / expr.q)

    def _print_Pi(self, expr):
        return repr(math.pi)

    def _print_Pow(self, expr, rational=False):
        # Keep integral exponents integral (NumPyPrinter turns negative ones into floats):
        # the bases here are floats, and x**-1 is exact where x**-1.0 goes through pow().
        exp = expr.exp
        if exp.is_Float and exp == int(exp):
            exp = sp.Integer(int(exp))
        if exp.is_Integer:
            return self._hprint_Pow(sp.Pow(expr.base, exp, evaluate=False), rational=rational,
                                    sqrt=self._module + ".sqrt")
        return super()._print_Pow(expr, rational=rational)


def _constant_values() -> dict:
    return {c.symbol: sp.Float(c.value, 20) for c in CONSTANTS}


# Inputs a generated function may take besides m and params: argument name -> symbol (or 3-vector).
INPUTS = {"current_density": CURRENT_DENSITY, "b_nonlocal": NONLOCAL_FIELD, "bias_voltage": BIAS_VOLTAGE,
          "cell_volume": CELL_VOLUME}


def _function(
    name: str, docstring: str, outputs: list[sp.Expr], shape: tuple[int, ...],
    model: MacrospinModel | MicromagneticModel, inputs: tuple[str, ...] = (),
) -> str:
    """Source of one function returning `outputs` (flattened, row-major) stacked to `shape`; its
    arguments are `m`, the `inputs` (names of `INPUTS`), and `params`."""
    printer = _Float64Printer()
    outputs = [sp.sympify(o).xreplace(_constant_values()) for o in outputs]
    replacements, reduced = sp.cse(outputs, symbols=sp.numbered_symbols("_x"), optimizations="basic")
    used = set().union(*(e.free_symbols for e in reduced), *(v.free_symbols for _, v in replacements))

    args = ", ".join(["m", *inputs, "params"])
    lines = [f"def {name}({args}):", textwrap.indent(f'"""{docstring}"""', "    ")]
    for i, c in enumerate(COMPONENTS):
        if MAGNETIZATION[i] in used:
            lines.append(f"    m_{c} = m[..., {i}]")
    for argument in inputs:
        symbol = INPUTS[argument]
        if isinstance(symbol, sp.Matrix):
            lines += [f"    {c.name} = {argument}[..., {i}]" for i, c in enumerate(symbol) if c in used]
    for parameter in model.parameters:
        if parameter.vector:
            for i, component in enumerate(parameter.symbol):
                if component in used:
                    lines.append(f'    {component.name} = params["{parameter.name}"][..., {i}]')
        elif parameter.symbol in used:
            lines.append(f'    {parameter.name} = params["{parameter.name}"]')
    for argument, symbol in INPUTS.items():
        if argument not in inputs and set(sp.Matrix([symbol])) & used:
            raise ValueError(f"{name} depends on {argument}, which is not among its arguments")
    for symbol, value in replacements:
        lines.append(f"    {symbol} = {printer.doprint(value)}")
    values = ", ".join(printer.doprint(e) for e in reduced)
    lines.append(f"    return _assemble(m, {shape!r}, ({values},))")
    return "\n".join(lines)


_HELPERS = '''
def _assemble(m, shape, values):
    """Stack scalar expressions into an array of shape m.shape[:-1] + shape, in m's dtype."""
    like = m[..., 0]
    values = [jax.numpy.asarray(v, dtype=like.dtype) for v in values]
    values = jax.numpy.broadcast_arrays(like, *values)[1:]
    return jax.numpy.stack(values, axis=-1).reshape(like.shape + shape)
'''


def nonlocal_operators(model: MacrospinModel | MicromagneticModel) -> tuple[tuple[str, str], ...]:
    """Returns: (name, operator path "module:Class") of each of a micromagnetic model's nonlocal terms, in
    its order (none for a macrospin). Raises ValueError for a term that names no operator."""
    if not isinstance(model, MicromagneticModel):
        return ()
    pairs = []
    for term in model.nonlocal_terms:
        path = getattr(term, "operator", None)
        if not isinstance(path, str) or not path:
            raise ValueError(f"nonlocal term {term.name!r} names no grid operator: give it operator = "
                             "'module:Class', an mtjphys.grid.AbstractGridOperator")
        pairs.append((term.name, path))
    return tuple(pairs)


def generate_source(model: MacrospinModel | MicromagneticModel) -> str:
    """Arguments: a symbolic model. Returns: the source of a JAX module implementing it."""
    micromagnetic = isinstance(model, MicromagneticModel)
    parameters = {
        p.name: {"units": p.units, "description": p.description, "shape": p.shape, "constraint": p.constraint}
        for p in model.parameters
    }
    constants = {c.name: {"value": float(c.value), "units": c.units} for c in CONSTANTS}
    laws = tuple(law.name for law in model.resistance_laws)
    kind = "micromagnetic" if micromagnetic else "macrospin"
    nonlocal_terms = nonlocal_operators(model)
    header = [
        f"# Generated by {GENERATOR} from the sympy model {model.name!r}. Do not edit by hand:",
        "# change the model in models/ and run `python -m mtjphys.codegen`.",
        f"# model sha256: {model.digest}",
        f"# sympy {sp.__version__}",
        f'"""JAX right-hand sides of the {kind} model ' + repr(model.name) + ' (generated)."""',
        "",
        "import jax.numpy",
        "",
        f"MODEL_NAME = {model.name!r}",
        f"MODEL_HASH = {model.digest!r}",
        f"DISCRETISATION = {kind!r}",
        f"NONLOCAL_TERMS = {nonlocal_terms!r}",
        f"PARAMETERS = {parameters!r}",
        f"CONSTANTS = {constants!r}",
        f"RESISTANCE_LAWS = {laws!r}",
        f"THERMAL = {model.thermal is not None!r}",
        f"BIAS_SWITCHES = {model.bias_switches!r}",
        _HELPERS,
    ]
    cell = " of one cell" if micromagnetic else ""
    motion_inputs = ("current_density", "bias_voltage") + (("b_nonlocal",) if micromagnetic else ())
    functions = [
        _function(
            "landau_lifshitz", f"dm/dt [1/s]{cell} of the Gilbert-form LLG, solved for dm/dt"
            + (", in the nonlocal field b_nonlocal [T]." if micromagnetic else "."),
            list(model.landau_lifshitz), (3,), model, inputs=motion_inputs,
        ),
        _function(
            "effective_field", f"B_eff = -(1/Ms) dE/dm [T] of the local terms{cell}.", list(model.effective_field()),
            (3,), model, inputs=("bias_voltage",),
        ),
        _function(
            "energy_density", f"Free-energy density [J/m^3]{cell}"
            + (": its local terms' (the nonlocal terms' are their grid operators')." if micromagnetic else "."),
            [model.energy_density()], (), model, inputs=("bias_voltage",),
        ),
    ]
    if not micromagnetic:  # a grid's linear response comes from Jacobian-vector products of its solve
        jacobian = sp.Matrix(list(model.landau_lifshitz)).jacobian(MAGNETIZATION)
        functions.append(
            _function(
                "jacobian", "d(dm/dt)/dm [1/s], shape (..., 3, 3): the LLG linearised about m at a fixed current "
                "density and voltage (row: component of dm/dt, column: of m).",
                list(jacobian), (3, 3), model, inputs=motion_inputs,
            )
        )
    if model.thermal_diffusion is not None:
        functions.append(
            _function(
                "thermal_diffusion",
                f"G [1/s^(1/2)]{cell}, shape (..., 3, 3): dm = LL dt + G o dW (Stratonovich), W standard"
                + (", for a cell of volume cell_volume [m^3]." if micromagnetic else "."),
                list(model.thermal_diffusion), (3, 3), model, inputs=("cell_volume",) if micromagnetic else (),
            )
        )
    for law in model.resistance_laws:
        functions.append(
            _function(
                f"resistance_{law.name}", f"Resistance [ohm], {law.name}, at the voltage bias_voltage [V] "
                "across the barrier" + (" (of the whole junction were every cell at m)." if micromagnetic else "."),
                [model.resistance(law)], (), model, inputs=("bias_voltage",),
            )
        )
    return "\n".join(header) + "\n\n" + "\n\n\n".join(functions) + "\n"


def compile_model(model: MacrospinModel | MicromagneticModel) -> types.ModuleType:
    """Generate and import a model's JAX module at runtime (no file is written).

    Returns: the module, with the same contents as a committed generated module.
    """
    source = generate_source(model)
    name = f"mtjphys_generated_{model.name}_{model.digest[:12]}"
    spec = importlib.util.spec_from_loader(name, loader=None)
    module = importlib.util.module_from_spec(spec)
    exec(compile(source, f"<generated {model.name}>", "exec"), module.__dict__)
    sys.modules[name] = module
    return module
