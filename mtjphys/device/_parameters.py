"""The parameter record: a validated, flat set of SI values every dataset carries."""

from __future__ import annotations

import json
import math
import pathlib
from collections.abc import Iterator, Mapping, Sequence

import jax.numpy as jnp
import numpy as np

from .._errors import MAX_SEED, MtjphysError
from ..grid._mesh import DERIVED_PARAMETERS, GEOMETRIES, GRID_PARAMETERS, Mesh
from ._model import default_model, Model
from ._plausibility import implausible, nearest_key

# Keys of the record that describe the device rather than the equation of motion.
DEVICE_PARAMETERS = {
    "m0": {"units": "1", "description": "equilibrium free-layer direction; every window starts here",
           "shape": (3,), "constraint": "direction"},
    "resistance_law": {"units": "", "description": "how the resistance depends on m . fixed_layer",
                       "shape": None, "constraint": "resistance_law"},
    "allow_implausible": {"units": "", "description": "true: accept values outside the plausible ranges of real "
                          "junctions on purpose (mtjphys.device.PLAUSIBLE)", "shape": None, "constraint": "flag"},
    "breakdown_voltage": {"units": "V", "description": "largest voltage the barrier may carry; a drive above it is "
                          "refused (null: not checked)", "shape": (), "constraint": "scale"},
    "thermal_resistance": {"units": "K/W", "description": "free-layer temperature rise per watt dissipated in the "
                           "junction (0: no Joule heating)", "shape": (), "constraint": "nonnegative"},
    "thermal_time_constant": {"units": "s", "description": "time constant of the free layer's temperature following "
                              "the power it dissipates (0: at once)", "shape": (), "constraint": "nonnegative"},
    "curie_temperature": {"units": "K", "description": "Curie temperature of the free layer, for Ms(T) under Joule "
                          "heating (null: Ms does not change)", "shape": (), "constraint": "scale"},
    "anisotropy_scaling_exponent": {"units": "1", "description": "Ku(T) / Ku(T_ambient) = (Ms(T) / Ms(T_ambient))^n "
                                    "under Joule heating (Callen-Callen: 3 for uniaxial anisotropy)", "shape": (),
                                    "constraint": "nonnegative"},
    "exchange_scaling_exponent": {"units": "1", "description": "A(T) / A(T_ambient) = (Ms(T) / Ms(T_ambient))^n "
                                  "under Joule heating (about 2, 1.7-2 measured)", "shape": (),
                                  "constraint": "nonnegative"},
}

# The calibrated reference device (see docs/physics.md): R0 = 11.05 kOhm at m.p = 0, and
# dR = 114 -> 145 Ohm for j = 0.8e10 -> 1.0e10 A/m^2 with about 2.8 GHz ringing.
REFERENCE = {
    "gamma": 1.7595e11,
    "alpha": 0.01,
    "Ms": 5.76e5,
    "thickness": 1e-9,
    "Ku": 2.373e5,
    "easy_axis": (0.0, 0.0, 1.0),
    "demag_factors": (0.0, 0.0, 1.0),
    "H_ext": (0.0, 0.0, 0.0),
    "polarization": 0.6,
    "Lambda": 0.7,
    "epsilon_prime": 0.0,
    "fixed_layer": (1.0, 0.0, 0.0),
    "m0": (0.0, 0.0, 1.0),
    "R_P": 8287.5,
    "R_AP": 16575.0,
    "resistance_law": "linear_conductance",
    "temperature": 0.0,
    "area": math.pi / 4 * 100e-9**2,
    "V_half": None,
    # MgO barriers about 1 nm thick break down at 1.5-2 V, under nanosecond pulses near the top of that range
    "breakdown_voltage": 2.0,
    "allow_implausible": False,
    "thermal_resistance": 0.0,
    "thermal_time_constant": 0.0,
    "curie_temperature": None,
    "anisotropy_scaling_exponent": 3.0,
    "exchange_scaling_exponent": 2.0,
    # the junction at its bias point, every effect off (docs/physics.md)
    "vcma_coefficient": 0.0,
    "barrier_thickness": 1e-9,
    "interlayer_coupling": 0.0,
    "damping_like_asymmetry": 0.0,
    "field_like_quadratic": 0.0,
    # terms of the micromagnetic model that the macrospin leaves out
    "Kc": 0.0,
    "beta": 0.0,
    # Devolder et al., arXiv:1602.07421: 20 pJ/m for 1 nm CoFeB in MTJ pillars of 100-300 nm (docs/physics.md)
    "A": 2.0e-11,
    # the fields of the stack, off: the reference layer's stray field (its place: 1 nm thick, 1 nm below, as a
    # barrier's thickness) and the current's Oersted field (docs/physics.md)
    "reference_Ms": 0.0,
    "reference_thickness": 1e-9,
    "reference_spacing": 1e-9,
    "oersted_field": 0.0,
    # the micromagnetic mesh: the 100 nm disc, 1 nm thick, in 2 nm cells
    "geometry": "disc",
    "length": 100e-9,
    "width": 100e-9,
    "cell_size": 2e-9,
    "layers": 1,
    "grain_size": None,
    "grain_seed": 0,
    "grain_Ms_dispersion": 0.0,
    "grain_Ku_dispersion": 0.0,
    "grain_axis_dispersion": 0.0,
}


# the keys that say how to read the record rather than hold a number
NOT_ARRAYS = ("resistance_law", "allow_implausible")


def _check_scalar(name: str, value, constraint: str) -> float:
    if constraint == "scale" and (value is None or value == math.inf):  # null in the record: switched off
        return math.inf
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise MtjphysError(f"parameter {name!r} must be a number, got {value!r}")
    try:
        value = float(value)
    except OverflowError:  # an integer beyond the float range (JSON allows one)
        raise MtjphysError(f"parameter {name!r} must be finite, got an integer of {len(str(value))} digits")
    if not math.isfinite(value):
        raise MtjphysError(f"parameter {name!r} must be finite, got {value}")
    if constraint in ("positive", "scale") and value <= 0:
        raise MtjphysError(f"parameter {name!r} must be > 0, got {value:g}")
    if constraint == "nonnegative" and value < 0:
        raise MtjphysError(f"parameter {name!r} must be >= 0, got {value:g}")
    if constraint == "fraction" and not 0 <= value <= 1:
        raise MtjphysError(f"parameter {name!r} must lie in [0, 1], got {value:g}")
    if constraint in ("count", "seed"):
        low = 1 if constraint == "count" else 0
        if value != int(value) or not low <= value <= MAX_SEED:
            raise MtjphysError(f"parameter {name!r} must be a whole number >= {low}, got {value:g}")
        return int(value)
    return value


def _check_vector(name: str, value, constraint: str) -> tuple[float, float, float]:
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)) or len(value) != 3:
        raise MtjphysError(f"parameter {name!r} must be a 3-vector [x, y, z], got {value!r}")
    vector = [_check_scalar(f"{name}[{i}]", v, "finite") for i, v in enumerate(value)]
    if constraint == "direction":
        norm = math.hypot(*vector)  # scaled internally: no overflow or underflow of the squares
        if norm == 0:
            raise MtjphysError(f"parameter {name!r} is a direction and must not have zero length")
        if abs(norm - 1) > 2**-50:  # a unit vector (to a few ulp) is kept as it is, so records round-trip
            vector = [v / norm for v in vector]
    if constraint == "demag" and (any(v < 0 or v > 1 for v in vector) or abs(sum(vector) - 1) > 1e-6):
        raise MtjphysError(f"parameter {name!r} must be three factors in [0, 1] summing to 1, got {value!r}")
    return tuple(vector)


class Parameters(Mapping):
    """A validated parameter record for one MTJ (SI units), immutable.

    Arguments:
        values: a mapping of record keys; keys it lacks take the reference values.
        model: the model the record is for (default: the shipped `macrospin_stt`). A micromagnetic
            model's record also says how the free layer is meshed (`GRID_PARAMETERS`), and its `area`
            follows from the mesh: it reads like a key but is never given.
        check_plausibility: whether to refuse values outside the plausible ranges of real junctions
            (`PLAUSIBLE`) unless the record's `allow_implausible` is true; off for records the code made
            itself from an accepted one (a stored dataset's, a device's).

    Unknown keys (with the nearest known one), missing keys without a reference value, nonphysical or
    implausible values and meshes that cannot be made raise `MtjphysError` naming the problem.
    """

    def __init__(self, values: Mapping | None = None, *, model: Model | None = None, check_plausibility: bool = True):
        self.model = model or default_model()
        specs = self.specs(self.model)
        values = dict(values or {})
        unknown = sorted(set(values) - set(specs))
        if unknown:
            name = unknown[0]
            near = nearest_key(name, specs)
            hint = f"did you mean {near!r}?" if near else f"known: {', '.join(specs)}"
            raise MtjphysError(f"unknown parameter {name!r} for model {self.model.name!r}: {hint}")
        record = {}
        for name, spec in specs.items():
            if spec["constraint"] == "derived":
                if name in values:
                    raise MtjphysError(f"parameter {name!r} of a micromagnetic free layer follows from its mesh "
                                       f"(geometry, length, width, cell_size); do not give it")
                continue
            if name in values:
                value = values[name]
            elif name in REFERENCE:
                value = REFERENCE[name]
            else:
                raise MtjphysError(f"missing parameter {name!r} ({spec['description']}, {spec['units']})")
            record[name] = self._check(name, value, spec)
        if check_plausibility and not record["allow_implausible"]:
            if self.model.discretisation == "micromagnetic":  # the shape's area, before any mesh is made
                shape = 1.0 if record["geometry"] == "rectangle" else math.pi / 4
                record_area = {"area": shape * record["length"] * record["width"]}
            else:
                record_area = {}
            reason = implausible({**record, **record_area})
            if reason:
                raise MtjphysError(reason)
        self._values = record
        self._arrays = None
        self._hash = None
        self.mesh = None
        if self.model.discretisation == "micromagnetic":
            self.mesh = Mesh.of(self)

    @staticmethod
    def specs(model: Model) -> dict[str, dict]:
        """Returns: key -> {units, description, shape, constraint} for a model's full record."""
        if model.discretisation == "micromagnetic":
            return {**model.parameters, **DEVICE_PARAMETERS, **GRID_PARAMETERS, **DERIVED_PARAMETERS}
        return {**model.parameters, **DEVICE_PARAMETERS}

    def _check(self, name: str, value, spec: dict):
        if spec["constraint"] == "resistance_law":
            if value not in self.model.resistance_laws:
                raise MtjphysError(f"parameter 'resistance_law' must be one of "
                                   f"{', '.join(self.model.resistance_laws)}, got {value!r}")
            return value
        if spec["constraint"] == "flag":
            if not isinstance(value, (bool, np.bool_)):
                raise MtjphysError(f"parameter {name!r} must be true or false, got {value!r}")
            return bool(value)
        if spec["constraint"] == "geometry":
            if value not in GEOMETRIES:
                raise MtjphysError(f"parameter 'geometry' must be one of {', '.join(GEOMETRIES)}, got {value!r}")
            return value
        if spec["shape"] == (3,):
            return _check_vector(name, value, spec["constraint"])
        return _check_scalar(name, value, spec["constraint"])

    # ---- mapping -------------------------------------------------------------------------
    def __getitem__(self, key):
        if key == "area" and self.mesh is not None:
            return self.mesh.area
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Parameters({self._values!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Parameters) and self._values == other._values and self.model is other.model

    def __hash__(self) -> int:
        if self._hash is None:  # networks hold records as static fields: jit hashes them on every call
            self._hash = hash(self.to_json())
        return self._hash

    # ---- construction and export --------------------------------------------------------
    def replace(self, check_plausibility: bool = True, **changes) -> Parameters:
        """Returns: a new record with `changes` applied (validated)."""
        return Parameters({**self._values, **changes}, model=self.model, check_plausibility=check_plausibility)

    @classmethod
    def from_json(cls, path: str | pathlib.Path, *, model: Model | None = None, **changes) -> Parameters:
        """Read a (partial) record from a JSON object file, with `changes` applied; missing keys take
        reference values."""
        return cls({**read_record(path), **changes}, model=model)

    def to_dict(self) -> dict:
        """Returns: the record as JSON-ready values (vectors as lists, an infinite scale as None)."""
        plain = lambda v: list(v) if isinstance(v, tuple) else None if v == math.inf else v
        return {k: plain(v) for k, v in self._values.items()}

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    def to_tree(self, encode) -> dict:
        """Returns: the record as a dataset stores it (`mtjphys.data` codec): its values and its model."""
        return {"values": self.to_dict(), "model": encode(self.model)}

    @classmethod
    def from_tree(cls, tree: dict, decode) -> Parameters:
        """Returns: the record `to_tree` stored."""
        return cls(tree["values"], model=decode(tree["model"]), check_plausibility=False)

    def arrays(self) -> dict[str, jnp.ndarray]:
        """Returns: the entries the equations read, as float64 arrays (not the resistance law, nor how the
        free layer is meshed; a micromagnetic layer's derived area included)."""
        if self._arrays is None:
            keys = [k for k in self._values if k not in NOT_ARRAYS and k not in GRID_PARAMETERS]
            keys += list(DERIVED_PARAMETERS) if self.mesh is not None else []
            self._arrays = {k: jnp.asarray(self[k], dtype=jnp.float64) for k in keys}
        return self._arrays


def read_record(path: str | pathlib.Path) -> dict:
    """Returns: the JSON object of a parameters file, unvalidated; one-line errors for what is not one."""
    path = pathlib.Path(path)
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or error
        raise MtjphysError(f"cannot read parameters file {str(path)!r}: {reason}")
    try:
        values = json.loads(text)
    except json.JSONDecodeError as error:
        raise MtjphysError(f"parameters file {str(path)!r} is not valid JSON: {error}")
    if not isinstance(values, dict):
        raise MtjphysError(f"parameters file {str(path)!r} must hold a JSON object of parameter keys")
    return values


def batch_shape(model: Model, params: dict, drive) -> tuple[int, ...]:
    """Returns: the broadcast shape of a batch of MTJs with parameter arrays `params` under `drive` (a
    vector entry's trailing 3 excluded)."""
    specs = Parameters.specs(model)
    shapes = [jnp.shape(v)[: jnp.ndim(v) - len(specs[k]["shape"])] for k, v in params.items()]
    return jnp.broadcast_shapes(jnp.shape(drive), *shapes)


def stack_parameters(records: Sequence[Parameters]) -> dict[str, jnp.ndarray]:
    """Stack per-MTJ records into arrays with a leading `mtj` axis (same model and law).

    Returns: name -> array of shape (n,) or (n, 3).
    """
    if not records:
        raise MtjphysError("no parameter records to stack")
    first = records[0]
    for record in records[1:]:
        if record.model is not first.model or record["resistance_law"] != first["resistance_law"]:
            raise MtjphysError("all MTJs of a batch must share one model and one resistance law")
        if record.mesh != first.mesh:
            raise MtjphysError("all micromagnetic MTJs of a batch must share one mesh (geometry, cells, grains and "
                               "the reference layer's place)")
    return {k: jnp.asarray(np.array([r[k] for r in records], dtype=np.float64)) for k in first.arrays()}
