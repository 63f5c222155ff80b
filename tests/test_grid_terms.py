"""Nonlocal terms own their grid operators: the shipped model composes exchange and demagnetisation as
before, a user's term from a module outside the package (tests/user_terms.py: a fixed bias field map)
acts on a grid neuron as its field says, and a term whose operator is missing or unknown is refused in
one line when the model is compiled."""

import dataclasses
import math
import types

import jax.numpy as jnp
import numpy as np
import pytest

import mtjphys as mp
from mtjphys import models
from mtjphys.device import stiffest_precession
from mtjphys.grid import (
    demag_field,
    exchange_field,
    ExchangeOperator,
    MagnetostaticOperator,
    meshed_model,
    OerstedOperator,
    ReferenceStrayFieldOperator,
)

from . import user_terms

MU0 = mp.micromagnetic_model().constants["mu0"]["value"]
CURRENTS = np.array([0.8e10, 1.0e10])
CELL = 20e-9  # the 100 nm disc on 5 x 5 cells: coarse, but every term acts on it


@pytest.fixture(scope="module")
def biased():
    """The shipped model with the user's bias field map."""
    return mp.compile_model(models.micromagnetic_stt().with_terms(user_terms.BiasMap(), name="bias_map_variant"))


# ---- the shipped model -------------------------------------------------------------------------
def test_the_shipped_model_composes_exchange_and_demagnetisation_as_before():
    """Its operators' fields are the stencil's and the FFT convolution's, bit for bit, summed in the
    model's order; its energy is the local terms' and -Ms m . (B_ex + B_d) / 2, as the generated code
    had it before the operators owned it. The fields of the stack (the reference layer's stray field, the
    Oersted field) are off at the reference values and add nothing (tests/test_reference_layer.py)."""
    model = mp.micromagnetic_model()
    assert model.nonlocal_terms == ("exchange", "magnetostatic", "reference_stray_field", "oersted")
    assert [type(o) for o in model.grid_operators.values()] == [ExchangeOperator, MagnetostaticOperator,
                                                                ReferenceStrayFieldOperator, OerstedOperator]
    record = mp.Parameters({"cell_size": CELL, "thickness": 2e-9, "layers": 2, "grain_size": 40e-9,
                            "grain_Ms_dispersion": 0.2, "grain_seed": 3}, model=model)
    grid, params = meshed_model(model, record.mesh), record.arrays()
    rng = np.random.default_rng(0)
    m = rng.normal(size=(2,) + grid.state_shape)
    m = jnp.asarray(m / np.linalg.norm(m, axis=-1, keepdims=True))
    cells, ms = grid.cell_parameters(params)
    assert np.ptp(np.asarray(ms)[record.mesh.mask]) > 0.05 * record["Ms"]  # grains: Ms varies between cells
    fields = grid.nonlocal_fields(m, cells, ms)
    exchange = exchange_field(m, jnp.where(record.mesh.mask, cells["A"], 0.0), ms, record.mesh.cell)
    demag = demag_field(ms[..., None] * m, record.mesh.kernel, record.mesh.shape, MU0)
    assert list(fields) == ["exchange", "magnetostatic", "reference_stray_field", "oersted"]
    for off in ("reference_stray_field", "oersted"):
        np.testing.assert_array_equal(fields[off], 0.0)
    np.testing.assert_array_equal(fields["exchange"], exchange)
    np.testing.assert_array_equal(fields["magnetostatic"], demag)
    np.testing.assert_array_equal(grid.nonlocal_field(m, cells, ms), jnp.zeros_like(m) + exchange + demag)
    local = model.module.energy_density(m, 0.0, cells)
    old = local - ms * jnp.sum(m * (exchange + demag), axis=-1) / 2
    want = record.mesh.cell_volume * np.sum(np.where(record.mesh.mask, old, 0.0), axis=(-3, -2, -1))
    np.testing.assert_allclose(grid.energy(m, params), want, rtol=1e-13)
    for field in (exchange, demag):  # both terms act on this state
        assert np.abs(np.asarray(field)[:, record.mesh.mask]).max() > 0.01


def test_the_stable_step_bounds_each_term_by_its_operator():
    """The shipped model's bound is the one it had with exchange and demagnetisation written in (a user's
    term adds its own: below)."""
    record = mp.Parameters({"cell_size": 5e-9, "H_ext": (1e4, 0.0, 2e4), "Kc": 1e4}, model=mp.micromagnetic_model())
    stencil = 2 * 4 / 5e-9**2
    field = (2 * record["A"] / record["Ms"] * stencil + 2 * (record["Ku"] + record["Kc"]) / record["Ms"]
             + MU0 * record["Ms"] + MU0 * math.hypot(1e4, 2e4))
    assert stiffest_precession(record) == pytest.approx(record["gamma"] * field, rel=1e-14)


# ---- a user's term -----------------------------------------------------------------------------
def _record(model, **changes) -> mp.Parameters:
    values = {"cell_size": CELL, "B_bias": (0.0, 0.0, 0.0), "bias_width": None}
    return mp.Parameters({**values, **changes}, model=model)


def test_a_users_term_joins_the_grids_fields_energy_and_step(biased):
    """Its field is its map, added to exchange and demagnetisation; its energy is -V Ms m . B over the cells;
    the stable step's bound grows by its field's."""
    record = _record(biased, B_bias=(0.0, 0.01, 0.03), bias_width=20e-9)
    assert biased.nonlocal_terms == ("exchange", "magnetostatic", "reference_stray_field", "oersted", "bias_map")
    assert {"B_bias", "bias_width"} <= set(biased.parameters)
    assert "B_bias" not in mp.micromagnetic_model().parameters
    grid, params = meshed_model(biased, record.mesh), record.arrays()
    m = grid.uniform(jnp.asarray([0.6, 0.0, 0.8]))
    cells, ms = grid.cell_parameters(params)
    fields = grid.nonlocal_fields(m, cells, ms)
    profile = np.asarray(user_terms.profile(record.mesh, 20e-9))
    np.testing.assert_allclose(fields["bias_map"], np.asarray([0.0, 0.01, 0.03]) * profile[..., None], rtol=1e-15)
    assert 0.01 < profile[record.mesh.mask].min() < 0.2 * profile.max()  # a map, not a constant
    np.testing.assert_allclose(grid.nonlocal_field(m, cells, ms), sum(fields.values()), rtol=1e-15, atol=1e-18)
    without = record.replace(B_bias=(0.0, 0.0, 0.0))
    zeeman = -record.mesh.cell_volume * record["Ms"] * 0.03 * 0.8 * profile.sum()  # -V Ms sum_i m . B_i
    assert float(grid.energy(m, params) - grid.energy(m, without.arrays())) == pytest.approx(zeeman, rel=1e-12)
    bound = record["gamma"] * math.hypot(0.01, 0.03)
    assert stiffest_precession(record) - stiffest_precession(without) == pytest.approx(bound, rel=1e-9)


H_EXT = (1.5e4, 0.5e4, 1.0e4)  # [A/m], tilting the perpendicular layer
B_Z = 0.05  # [T] along the easy axis, below the layer's effective anisotropy field (about 0.1 T)


@pytest.fixture(scope="module")
def delta_r(biased):
    """dR [ohm] (currents, records) of the grid neuron, one batch: the applied field H_EXT as the Zeeman term's
    and as a uniform map, no field, and B_Z along the easy axis: uniform, and as a Gaussian map of 20 nm both
    ways."""
    records = {
        "zeeman": _record(biased, H_ext=H_EXT),
        "uniform_map": _record(biased, B_bias=tuple(MU0 * np.asarray(H_EXT))),
        "none": _record(biased),
        "uniform_stiffer": _record(biased, B_bias=(0.0, 0.0, B_Z)),
        "map_stiffer": _record(biased, B_bias=(0.0, 0.0, B_Z), bias_width=20e-9),
        "map_softer": _record(biased, B_bias=(0.0, 0.0, -B_Z), bias_width=20e-9),
    }
    values = mp.neuron_output(list(records.values()), CURRENTS[:, None]).delta_r
    return dict(zip(records, values.T))


def test_a_uniform_bias_map_is_the_applied_field(delta_r):
    """B_bias = mu0 H_ext over the whole body moves the grid neuron exactly as the Zeeman term's H_ext does."""
    np.testing.assert_allclose(delta_r["uniform_map"], delta_r["zeeman"], rtol=1e-9)
    assert np.all(np.abs(delta_r["zeeman"] - delta_r["none"]) > 5.0)  # not for want of a field


def test_a_position_dependent_map_changes_dr_as_its_field_says(delta_r):
    """A field along the perpendicular easy axis stiffens the free layer, so the spin torque tilts it less
    and dR falls; against the axis it softens the layer and dR rises. The map is weaker than its peak
    everywhere but on the axis, so the uniform field of its peak moves dR further."""
    none = delta_r["none"]
    assert np.all(delta_r["map_stiffer"] < none - 2.0) and np.all(delta_r["map_softer"] > none + 2.0)
    assert np.all(delta_r["uniform_stiffer"] < delta_r["map_stiffer"] - 2.0)


# ---- refusals ------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Unbound(models.NonlocalTerm):
    """A nonlocal term that names no operator."""

    name: str = "unbound"
    parameters: tuple = ()


def test_a_term_without_an_operator_is_refused_in_one_line():
    with pytest.raises(mp.MtjphysError, match="nonlocal term 'unbound' names no grid operator") as error:
        mp.compile_model(models.micromagnetic_stt().with_terms(Unbound(), name="unbound_variant"))
    assert "\n" not in str(error.value)


def test_an_unknown_operator_is_refused_in_one_line_at_compile_time():
    unknown = models.micromagnetic_stt().with_terms(user_terms.BiasMap(operator="no_such_module:Bias"), name="unknown")
    with pytest.raises(mp.MtjphysError, match=r"nonlocal term 'bias_map': cannot import its grid operator "
                                              r"'no_such_module:Bias' \(No module named 'no_such_module'\)") as error:
        mp.compile_model(unknown)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    "path, message",
    [
        ("mtjphys.grid.ExchangeOperator", "names no grid operator 'module:Class'"),
        ("mtjphys.grid:NoSuchOperator", "cannot import its grid operator"),
        ("mtjphys.grid:Mesh", "is not a subclass of mtjphys.grid.AbstractGridOperator"),
        ("mtjphys.grid:AbstractGridOperator", "cannot make its grid operator"),
        (None, "names no grid operator"),
    ],
)
def test_a_generated_module_naming_a_bad_operator_is_refused_when_the_model_is_made(path, message):
    module = types.SimpleNamespace(NONLOCAL_TERMS=(("exchange", "mtjphys.grid:ExchangeOperator"), ("stray", path)))
    with pytest.raises(mp.MtjphysError, match=message) as error:
        mp.Model(module)
    assert "nonlocal term 'stray'" in str(error.value) and "\n" not in str(error.value)
