"""The generated modules committed inside mtjphys, and where they live."""

from __future__ import annotations

import importlib.util
import pathlib

from mtjphys.models import macrospin_stt, micromagnetic_stt

SHIPPED = {"macrospin_stt": macrospin_stt, "micromagnetic_stt": micromagnetic_stt}


def shipped_path(name: str) -> pathlib.Path:
    """Returns: the path of the committed generated module of the shipped model `name`."""
    spec = importlib.util.find_spec("mtjphys")
    if spec is None or spec.origin is None:
        raise RuntimeError("mtjphys is not importable")
    return pathlib.Path(spec.origin).parent / "_generated" / f"{name}.py"
