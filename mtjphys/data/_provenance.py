"""Provenance: the global attributes that record how a dataset was made."""

from __future__ import annotations

import datetime
import functools
import hashlib
import importlib.metadata
import importlib.util
import json
import pathlib
import shlex
import subprocess
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..device import Model, NeuronSolver, Parameters

_PACKAGES = ("jax", "jaxlib", "diffrax", "equinox", "numpy", "xarray", "netCDF4", "sympy")


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


@functools.cache
def git_commit() -> str:
    """Returns: the commit of the mtjphys checkout ('+dirty' if modified), or 'unknown'."""
    here = pathlib.Path(__file__).resolve().parent
    try:
        commit = subprocess.run(["git", "-C", str(here), "rev-parse", "HEAD"], capture_output=True,
                                text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return commit + ("+dirty" if dirty else "")


@functools.cache
def code_hash() -> str:
    """Returns: the sha256 of the installed mtjphys source (the library, models, codegen and the
    studies, .py files in path order): the code that made a result, with or without git."""
    digest = hashlib.sha256()
    for package in ("mtjphys", "mtjphys.models", "mtjphys.codegen", "mtjphys.studies"):
        spec = importlib.util.find_spec(package)
        root = pathlib.Path(next(iter(spec.submodule_search_locations)))
        for path in sorted(root.rglob("*.py")):
            digest.update(f"{package}/{path.relative_to(root).as_posix()}\n".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def provenance(
    parameters: Parameters | None = None, *, model: Model | None = None, settings: NeuronSolver | None = None,
    seed: int | None = None, **extra,
) -> dict:
    """Global attributes recording how a dataset was made.

    Arguments:
        parameters: the parameter record (stored as flat JSON in `parameters`).
        model: the generated model (default: the record's).
        settings: the solver settings.
        seed: the random seed, if anything random happened.
        extra: further attributes (numbers or strings; dicts and lists are stored as JSON).

    Returns:
        A dict of netCDF-safe attributes.
    """
    from .. import __version__

    attrs = {
        "mtjphys_version": __version__,
        "git_commit": git_commit(),
        "code_hash": code_hash(),
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "command": " ".join(shlex.quote(a) for a in sys.argv),
        "package_versions": json.dumps({p: _version(p) for p in _PACKAGES}),
    }
    model = model or (parameters.model if parameters is not None else None)
    if model is not None:
        attrs.update(model_name=model.name, model_hash=model.hash, physical_constants=json.dumps(model.constants))
    if settings is not None:
        attrs.update(settings.describe())
    if parameters is not None:
        attrs["parameters"] = parameters.to_json()
    attrs["seed"] = "none" if seed is None else int(seed)
    for key, value in extra.items():
        attrs[key] = json.dumps(value) if isinstance(value, (dict, list, tuple, bool)) or value is None else value
    return attrs
