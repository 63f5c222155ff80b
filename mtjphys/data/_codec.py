"""Modules as dataset content: a class's import path and its fields, arrays as variables.

Any equinox Module (or dataclass) whose fields are numbers, strings, arrays, tuples, lists,
dicts or other such modules can be written into a dataset and rebuilt from it, a user's own classes
included: the class is found again by its import path (`module:qualname`), so it must be importable
where the dataset is read. Reading imports the modules a dataset names; read datasets you trust.

A class that is recorded otherwise than by its fields (a parameter record, a generated model)
defines `to_tree(self, encode)`, returning a JSON-ready tree (`encode` records a part of it), and
the classmethod `from_tree(tree, decode)` that rebuilds it.

An array field's dataset variable is named after its path in the tree (`nonlinearity_table`), or
by its metadata's "variable";
its dims come from the field's metadata, `eqx.field(metadata={"dims": (...), "units": ...,
"long_name": ...})`, matched from the right, or are numbered (`nonlinearity_table_axis0`).
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import math

import jax
import jax.numpy as jnp
import numpy as np
import xarray as xr

from .._errors import MtjphysError


def class_path(cls: type) -> str:
    """Returns: `module:qualname`, with the deepest public module that re-exports the class
    (`diffrax:Dopri8` rather than `diffrax._solver.dopri8:Dopri8`, `mtjphys.networks:Tanh` rather than
    `mtjphys.networks._nonlinearity:Tanh`), so that a dataset outlives a move between private modules."""
    parts = cls.__module__.split(".")
    public = next((i for i, part in enumerate(parts) if part.startswith("_")), len(parts))
    for end in range(public, 0, -1):
        name = ".".join(parts[:end])
        try:
            if getattr(importlib.import_module(name), cls.__qualname__, None) is cls:
                return f"{name}:{cls.__qualname__}"
        except ImportError:
            continue
    return f"{cls.__module__}:{cls.__qualname__}"


def import_class(path: str) -> type:
    """The class named by `class_path`. Raises `MtjphysError` if it cannot be imported."""
    module_name, _, qualname = path.partition(":")
    try:
        target = importlib.import_module(module_name)
        for part in qualname.split("."):
            target = getattr(target, part)
    except (ImportError, AttributeError, ValueError) as error:
        raise MtjphysError(f"cannot import {path!r}, named by the dataset ({error}); make its module importable")
    if not isinstance(target, type):
        raise MtjphysError(f"{path!r} is not a class")
    return target


def _array_variable(name: str, value, metadata) -> tuple:
    array = np.asarray(value)
    declared = tuple(metadata.get("dims", ()))
    if array.ndim and len(declared) >= array.ndim:
        dims = declared[len(declared) - array.ndim:]
    else:
        dims = tuple(f"{name}_axis{i}" for i in range(array.ndim))
    attrs = {"units": metadata.get("units", ""), "long_name": metadata.get("long_name", name.replace("_", " "))}
    return dims, array, attrs


def _child(name: str, part) -> str:
    return f"{name}_{part}" if name else str(part)


def encode(value, name: str, variables: dict, metadata=None):
    """`value` as a JSON-ready tree; its arrays are added to `variables` (name -> (dims, array, attrs)).

    Arguments:
        value: what to record (see the module docstring for what can be).
        name: its path, used to name its arrays' variables ("" at the top: fields are named
            by themselves); a field's metadata "variable" names its array outright.
        variables: collects the arrays.
        metadata: the dataclass field metadata of `value`, if it is a field.
    """
    metadata = metadata or {}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, np.bool_):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, (np.ndarray, jax.Array, np.bool_)):
        name = metadata.get("variable", name)
        if name in variables:
            raise MtjphysError(f"two arrays would be recorded as the variable {name!r}")
        variables[name] = _array_variable(name, value, metadata)
        return {"__array__": name}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v, _child(name, i), variables) for i, v in enumerate(value)]}
    if isinstance(value, list):
        return [encode(v, _child(name, i), variables) for i, v in enumerate(value)]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise MtjphysError(f"{name}: only dicts with string keys can be recorded")
        return {"__dict__": {k: encode(v, _child(name, k), variables) for k, v in value.items()}}
    if hasattr(type(value), "to_tree") and hasattr(type(value), "from_tree"):
        tree = value.to_tree(lambda part: encode(part, name, variables))
        return {"__tree__": class_path(type(value)), "tree": tree}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: encode(getattr(value, f.name), _child(name, f.name), variables, f.metadata)
                  for f in dataclasses.fields(value) if f.init}
        return {"__class__": class_path(type(value)), "fields": fields}
    raise MtjphysError(f"{name}: a {type(value).__name__} cannot be recorded in a dataset")


def decode(tree, dataset: xr.Dataset, base: type | None = None):
    """Rebuild what `encode` recorded, reading arrays from `dataset`.

    Arguments:
        tree: the JSON tree.
        dataset: holds the arrays' variables.
        base: if given, the rebuilt object must be an instance of this class.
    """
    value = _decode(tree, dataset)
    if base is not None and not isinstance(value, base):
        raise MtjphysError(f"the dataset records a {type(value).__name__}, not a {base.__name__}")
    return value


def _decode(tree, dataset):
    if isinstance(tree, list):
        return [_decode(item, dataset) for item in tree]
    if not isinstance(tree, dict):
        return tree
    if "__float__" in tree:
        return float(tree["__float__"])
    if "__array__" in tree:
        name = tree["__array__"]
        if name not in dataset.variables:
            raise MtjphysError(f"the dataset lacks the variable {name!r} it refers to")
        return jnp.asarray(dataset[name].values)
    if "__tuple__" in tree:
        return tuple(_decode(item, dataset) for item in tree["__tuple__"])
    if "__dict__" in tree:
        return {k: _decode(v, dataset) for k, v in tree["__dict__"].items()}
    if "__tree__" in tree:
        return import_class(tree["__tree__"]).from_tree(tree["tree"], lambda part: _decode(part, dataset))
    if "__class__" in tree:
        cls = import_class(tree["__class__"])
        fields = {k: _decode(v, dataset) for k, v in tree["fields"].items()}
        try:
            return cls(**fields)
        except TypeError as error:
            raise MtjphysError(f"cannot rebuild {tree['__class__']} from its recorded fields: {error}")
    raise MtjphysError(f"unrecognised entry in a recorded module: {sorted(tree)}")


def module_to_dataset(module, name: str, prefix: str = "") -> xr.Dataset:
    """A dataset holding `module`: its arrays as variables (named from `prefix`), the rest as the
    JSON attribute `name`."""
    variables: dict = {}
    tree = encode(module, prefix, variables)
    return xr.Dataset(variables, attrs={name: json.dumps(tree)})


def module_from_dataset(dataset: xr.Dataset, name: str, base: type | None = None):
    """The module `module_to_dataset` wrote under `name`."""
    if name not in dataset.attrs:
        raise MtjphysError(f"the dataset records no {name} (attribute {name!r} missing)")
    try:
        tree = json.loads(dataset.attrs[name])
    except (TypeError, ValueError) as error:
        raise MtjphysError(f"attribute {name!r} is not a recorded module: {error}")
    return decode(tree, dataset, base)
