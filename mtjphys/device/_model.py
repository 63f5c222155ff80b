"""Generated models, ready to solve: the shipped default and variants compiled at runtime."""

from __future__ import annotations

import dataclasses
import functools
import types
from collections.abc import Callable
from typing import TYPE_CHECKING

import jax.numpy as jnp

from .._errors import MtjphysError

if TYPE_CHECKING:
    from ..grid import AbstractGridOperator


@dataclasses.dataclass(frozen=True, eq=False)
class Model:
    """The JAX functions of one generated model (see `codegen`), and what it declares.

    Arguments:
        module: a module produced by codegen (the committed one, or compiled at runtime). A micromagnetic
            module's grid operators are imported as the model is made: one that cannot be is refused.
    """

    module: types.ModuleType

    def __post_init__(self):
        self.grid_operators  # noqa: B018  (resolved now, so that a bad operator is refused when the model is made)

    @property
    def name(self) -> str:
        return self.module.MODEL_NAME

    @property
    def hash(self) -> str:
        return self.module.MODEL_HASH

    def to_tree(self, encode) -> dict:
        """Returns: the model as a dataset stores it (`mtjphys.data` codec): its name and hash."""
        return {"name": self.name, "hash": self.hash}

    @classmethod
    def from_tree(cls, tree: dict, decode) -> Model:
        """Returns: the generated model a dataset names (the shipped one, or one compiled in this process)."""
        return model_by_hash(tree["name"], tree["hash"])

    @property
    def parameters(self) -> dict[str, dict]:
        """Name -> {units, description, shape, constraint} for each model parameter."""
        return self.module.PARAMETERS

    @property
    def constants(self) -> dict[str, dict]:
        return self.module.CONSTANTS

    @property
    def resistance_laws(self) -> tuple[str, ...]:
        return self.module.RESISTANCE_LAWS

    @property
    def discretisation(self) -> str:
        """"macrospin" (one vector m) or "micromagnetic" (a grid of cells, see `MeshedModel`)."""
        return self.module.DISCRETISATION

    @property
    def nonlocal_terms(self) -> tuple[str, ...]:
        """The names of a micromagnetic model's nonlocal terms ("exchange", "magnetostatic", a user's own)."""
        return tuple(name for name, _ in self.module.NONLOCAL_TERMS)

    @functools.cached_property
    def grid_operators(self) -> dict[str, AbstractGridOperator]:
        """Term name -> its `mtjphys.grid.AbstractGridOperator`, in the model's order (empty for a macrospin)."""
        from ..grid import resolve_operator

        return {name: resolve_operator(name, path) for name, path in self.module.NONLOCAL_TERMS}

    @property
    def thermal(self) -> bool:
        return self.module.THERMAL

    @property
    def bias_switches(self) -> tuple[str, ...] | None:
        """The record keys whose zeros switch off every term of the motion that reads the bias voltage (VCMA,
        the torques' bias dependence); None when such a term has no such key (the bias is always needed)."""
        return self.module.BIAS_SWITCHES

    @property
    def landau_lifshitz(self) -> Callable:
        """(m, current_density, bias_voltage, params) -> dm/dt [1/s], at the voltage [V] across the barrier."""
        return self.module.landau_lifshitz

    @property
    def jacobian(self) -> Callable:
        """(m, current_density, bias_voltage, params) -> d(dm/dt)/dm [1/s], (..., 3, 3): the LLG linearised about m,
        generated from the symbolic model (a macrospin's; a grid's comes from Jacobian-vector products)."""
        if not hasattr(self.module, "jacobian"):
            raise MtjphysError(f"model {self.name!r} has no generated Jacobian: regenerate it with this version")
        return self.module.jacobian

    @property
    def thermal_diffusion(self) -> Callable:
        """(m, params) -> G [1/s^(1/2)] of shape (..., 3, 3)."""
        if not self.thermal:
            raise MtjphysError(f"model {self.name!r} has no thermal field")
        return self.module.thermal_diffusion

    def effective_field(self, m, params: dict, bias_voltage=0.0):
        """Returns: B_eff [T] at m, at the voltage [V] across the barrier (none unless given)."""
        return self.module.effective_field(m, bias_voltage, params)

    @property
    def state_shape(self) -> tuple[int, ...]:
        """The shape of one device's state: m, (3,)."""
        return (3,)

    def initial_state(self, params: dict, batch: tuple[int, ...]):
        """Returns: the state every window starts from, params["m0"], broadcast to the batch."""
        return jnp.broadcast_to(params["m0"], batch + (3,))

    def average(self, m):
        """Returns: the free layer's direction: m itself."""
        return m

    def directions(self, m):
        """Returns: the state as directions: m itself (a macrospin is integrated as it is)."""
        return m

    def broadcast_cells(self, value):
        """Returns: a per-device vector as the state's (the same, for a macrospin)."""
        return value

    def energy_density(self, m, params: dict, bias_voltage=0.0):
        """Returns: the free-energy density [J/m^3] at m, at the voltage [V] across the barrier (none unless
        given: the equilibrium every window starts from is at zero bias)."""
        return self.module.energy_density(m, bias_voltage, params)

    def resistance(self, law: str) -> Callable:
        """Returns: (m, params) -> resistance [ohm] under the resistance law `law`."""
        if law not in self.resistance_laws:
            raise MtjphysError(f"model {self.name!r} has no resistance law {law!r}; "
                               f"choose from {', '.join(self.resistance_laws)}")
        return getattr(self.module, f"resistance_{law}")


@functools.cache
def default_model() -> Model:
    """Returns: the shipped model `macrospin_stt` (generated code committed in mtjphys)."""
    from .._generated import macrospin_stt

    return Model(macrospin_stt)


@functools.cache
def micromagnetic_model() -> Model:
    """Returns: the shipped model `micromagnetic_stt` (generated code committed in mtjphys): the free
    layer on a grid, exchange and demagnetisation between its cells."""
    from .._generated import micromagnetic_stt

    return Model(micromagnetic_stt)


SHIPPED_MODELS = {"macrospin": default_model, "micromagnetic": micromagnetic_model}


_COMPILED: dict[str, Model] = {}  # hash -> model compiled in this process


def compile_model(symbolic) -> Model:
    """Compile a symbolic `mtjphys.models.MacrospinModel` or `MicromagneticModel` (a user's variant) into a
    `Model`.

    This is the only place mtjphys needs sympy, and only when it is called. A model compiled once
    is reused (the same hash is the same sympy form). A nonlocal term without a grid operator, or whose
    operator cannot be imported, is refused in one line.
    """
    from .. import codegen

    if symbolic.digest not in _COMPILED:
        try:
            codegen.nonlocal_operators(symbolic)
        except ValueError as error:  # a term that names no operator: the user's input, in one line
            raise MtjphysError(str(error))
        _COMPILED[symbolic.digest] = Model(codegen.compile_model(symbolic))
    return _COMPILED[symbolic.digest]


def model_by_hash(name: str, model_hash: str) -> Model:
    """The generated model a dataset names: the shipped one, or one compiled in this process."""
    for shipped in SHIPPED_MODELS.values():
        if shipped().hash == model_hash:
            return shipped()
    if model_hash in _COMPILED:
        return _COMPILED[model_hash]
    raise MtjphysError(f"the dataset uses model {name!r} (hash {model_hash[:12]}...), which is not compiled in this "
                       "process; compile its symbolic form with mtjphys.compile_model first")
