"""OVF 2.0 files of a grid state (the format of OOMMF, MuMax3 and Ubermag): write, read, and start a window from one.

A file holds one segment: a header of `# key: value` lines (a rectangular mesh: its nodes, step sizes, base
(the first cell's centre) and bounds, in metres) and the data, 3 values per node with x varying fastest, then y,
then z. Binary data is little-endian and opens with a check value (123456789012345.0 as float64 for
`Binary 8`, 1234567.0 as float32 for `Binary 4`, MuMax3's default); text data is one node per line.

States are (nx, ny, nz, 3) arrays, the layout of a micromagnetic state (`MeshedModel.state_shape`). Cells outside
the magnet are written as zero vectors (MuMax3's convention) and read back as zeros; `ovf_initial_state` turns a
file into a state on a given mesh.
"""

from __future__ import annotations

import math
import os
import pathlib
from collections.abc import Sequence

import numpy as np

from .._errors import MtjphysError
from ._datasets import atomic_write

CHECK_VALUES = {4: 1234567.0, 8: 123456789012345.0}  # bytes per value -> the check value binary data opens with
_AXES = "xyz"
_REQUIRED = ("meshtype", "valuedim", *(f"{a}nodes" for a in _AXES), *(f"{a}stepsize" for a in _AXES))
_INTEGERS = {"valuedim", "segment count", *(f"{a}nodes" for a in _AXES)}
_FLOATS = {f"{a}{what}" for a in _AXES for what in ("min", "max", "base", "stepsize")}


def _as_state(m) -> np.ndarray:
    """A state as a float64 (nx, ny, nz, 3) array: an array (nx, ny, 3) or (nx, ny, nz, 3), or a DataArray over
    x, y, (z,) component (`field_variable`'s, in any order of its dimensions)."""
    if hasattr(m, "dims") and hasattr(m, "transpose"):
        order = [d for d in ("x", "y", "z", "component") if d in m.dims]
        if len(order) != len(m.dims):
            raise MtjphysError(f"a grid state's dimensions are x, y, (z,) component; got {', '.join(m.dims)}")
        m = m.transpose(*order).values
    state = np.asarray(m, dtype=np.float64)
    if state.ndim == 3:
        state = state[:, :, None, :]
    if state.ndim != 4 or state.shape[-1] != 3 or 0 in state.shape:
        raise MtjphysError(f"a grid state is (nx, ny, 3) or (nx, ny, nz, 3); got shape {np.shape(m)}")
    return state


def _geometry(cell, shape, origin) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """(cell sizes, the lower corner of the grid) [m] from a `Mesh` or (dx, dy, dz), checked against `shape`."""
    if hasattr(cell, "cell") and hasattr(cell, "shape"):  # a Mesh: the body centred on 0 in-plane, z from 0
        mesh = cell
        if tuple(mesh.shape) != tuple(shape):
            raise MtjphysError(f"the state has {' x '.join(map(str, shape))} cells; its mesh has "
                               f"{' x '.join(map(str, mesh.shape))}")
        sizes = tuple(float(d) for d in mesh.cell)
        if origin is None:
            origin = (-shape[0] * sizes[0] / 2, -shape[1] * sizes[1] / 2, 0.0)
    else:
        sizes = tuple(float(d) for d in np.broadcast_to(np.asarray(cell, dtype=np.float64), (3,)))
    origin = (0.0, 0.0, 0.0) if origin is None else tuple(float(o) for o in np.broadcast_to(origin, (3,)))
    if not all(math.isfinite(d) and d > 0 for d in sizes):
        raise MtjphysError(f"cell sizes must be finite and positive, got {sizes}")
    if not all(math.isfinite(o) for o in origin):
        raise MtjphysError(f"the grid's origin must be finite, got {origin}")
    return sizes, origin


def _one_line(text: str, what: str) -> str:
    if "\n" in text or "\r" in text:
        raise MtjphysError(f"an OVF {what} is one line; got {text!r}")
    return text


def ovf_bytes(m, cell, *, origin=None, binary: bool = True, title: str = "m",
              desc: str | Sequence[str] = (), labels: Sequence[str] = ("m_x", "m_y", "m_z"),
              units: Sequence[str] = ("1", "1", "1")) -> bytes:
    """The OVF 2.0 file of a state, as bytes (arguments: as `write_ovf`)."""
    state = _as_state(m)
    if np.isinf(state).any():
        raise MtjphysError("a grid state written as OVF must be finite (NaN only marks cells outside the magnet)")
    state = np.where(np.isnan(state).any(axis=-1, keepdims=True), 0.0, state)  # outside the magnet: zero vectors
    sizes, lower = _geometry(cell, state.shape[:3], origin)
    nodes = state.shape[:3]
    if len(labels) != 3 or len(units) != 3 or any(not v or any(c.isspace() for c in v) for v in (*labels, *units)):
        raise MtjphysError(f"OVF value labels and units are 3 words each, got {list(labels)} and {list(units)}")
    lines = ["OOMMF OVF 2.0", "", "Segment count: 1", "", "Begin: Segment", "Begin: Header", "",
             f"Title: {_one_line(title, 'title')}"]
    lines += [f"Desc: {_one_line(line, 'description line')}" for line in ([desc] if isinstance(desc, str) else desc)]
    lines += ["meshtype: rectangular", "meshunit: m"]
    lines += [f"{a}min: {lo!r}" for a, lo in zip(_AXES, lower)]
    lines += [f"{a}max: {lo + n * d!r}" for a, lo, n, d in zip(_AXES, lower, nodes, sizes)]
    lines += ["valuedim: 3", f"valuelabels: {' '.join(labels)}", f"valueunits: {' '.join(units)}", ""]
    lines += [f"{a}base: {lo + d / 2!r}" for a, lo, d in zip(_AXES, lower, sizes)]
    lines += [f"{a}nodes: {n}" for a, n in zip(_AXES, nodes)]
    lines += [f"{a}stepsize: {d!r}" for a, d in zip(_AXES, sizes)]
    lines += ["", "End: Header", ""]
    header = "".join(f"#{' ' if line else ''}{line}\n" for line in lines).encode("utf-8")
    values = np.ascontiguousarray(state.transpose(2, 1, 0, 3))  # x fastest, then y, then z
    if binary:
        data = np.asarray([CHECK_VALUES[8]], "<f8").tobytes() + values.astype("<f8").tobytes()
        kind = "Binary 8"
    else:  # repr: the shortest text that reads back as the same float
        data = "".join(f"{x!r} {y!r} {z!r}\n" for x, y, z in values.reshape(-1, 3).tolist()).encode("ascii")
        kind = "Text"
    separator = b"" if data.endswith(b"\n") else b"\n"
    footer = f"# End: Data {kind}\n# End: Segment\n".encode("ascii")
    return header + f"# Begin: Data {kind}\n".encode("ascii") + data + separator + footer


def write_ovf(path: str | os.PathLike, m, cell, *, origin=None, binary: bool = True, title: str = "m",
              desc: str | Sequence[str] = (), labels: Sequence[str] = ("m_x", "m_y", "m_z"),
              units: Sequence[str] = ("1", "1", "1"), overwrite: bool = False) -> pathlib.Path:
    """Write a grid state as an OVF 2.0 file, atomically (all of it or nothing; an existing file only with
    `overwrite`).

    Arguments:
        path: the file to write.
        m: the state, (nx, ny, 3) or (nx, ny, nz, 3), or `field_variable`'s DataArray (e.g. a neuron trace's
            `m_final`); NaN vectors (cells outside the magnet) are written as zero vectors.
        cell: the `Mesh` the state lives on (the grid then spans [-nx dx / 2, nx dx / 2] x [-ny dy / 2, ny dy / 2]
            x [0, nz dz], the project's coordinates), or the cell sizes (dx, dy, dz) [m].
        origin: the grid's lower corner (xmin, ymin, zmin) [m]; default as above for a mesh, else 0.
        binary: `Data Binary 8` (little-endian float64, exact); False: `Data Text`, each value written as the
            shortest decimal that reads back as the same float64, so that text round trips are exact too.
        title, desc: the header's title and description lines; labels, units: the 3 components' names and units.

    Returns:
        The path.
    """
    content = ovf_bytes(m, cell, origin=origin, binary=binary, title=title, desc=desc, labels=labels, units=units)
    return atomic_write(path, lambda temporary: pathlib.Path(temporary).write_bytes(content), overwrite=overwrite)


def _header_value(key: str, value: str, name: str):
    if key in _INTEGERS:
        try:
            return int(value)
        except ValueError:
            raise MtjphysError(f"OVF file {name}: {key} must be a whole number, got {value!r}")
    if key in _FLOATS:
        try:
            return float(value)
        except ValueError:
            raise MtjphysError(f"OVF file {name}: {key} must be a number, got {value!r}")
    if key in ("valuelabels", "valueunits"):
        return value.split()
    return value


def _data_end(content: bytes, start: int, kind: str, name: str) -> None:
    """Refuses data not followed by its `# End: Data` line."""
    rest = content[start:].lstrip()
    if not rest:
        raise MtjphysError(f"OVF file {name}: truncated: it ends after the data, before '# End: Data {kind}'")
    line = rest.split(b"\n", 1)[0].decode("utf-8", "replace").strip()
    if " ".join(line.lstrip("#").split()).lower() != f"end: data {kind}".lower():
        raise MtjphysError(f"OVF file {name}: the data is not followed by '# End: Data {kind}' (more data than "
                           f"nodes?): found {line[:40]!r}")


def read_ovf(path: str | os.PathLike) -> tuple[np.ndarray, dict]:
    """Read an OVF 2.0 file of a vector field on a rectangular mesh (`Data Binary 8`, `Binary 4` or `Text`).

    Returns:
        (m, header): m as float64 (nx, ny, nz, 3), values as the file holds them (zero vectors where MuMax3
        marks cells outside the magnet; not normalised); the header's entries by lower-case key (numbers as
        int or float, valuelabels and valueunits as lists, desc as a list of lines), with `nodes` (nx, ny, nz),
        `cell` (the step sizes), `base` (the first node's centre), `min` and `max` (the bounds, where the file
        gives them) and `format` ("Binary 8", "Binary 4" or "Text").

    Raises:
        MtjphysError, in one line naming the problem: not an OVF 2.0 file, a header missing an entry, a mesh that
        is not rectangular, valuedim other than 3, a wrong check value, truncated or surplus data.
    """
    name = repr(str(path))
    try:
        content = pathlib.Path(path).read_bytes()
    except OSError as error:
        raise MtjphysError(f"cannot read OVF file {name}: {error.strerror}")
    first, _, _ = content[:200].partition(b"\n")
    if " ".join(first.decode("utf-8", "replace").split()).lower() != "# oommf ovf 2.0":
        raise MtjphysError(f"{name} is not an OVF 2.0 file: its first line is {first[:60].decode('utf-8', 'replace')!r}"
                           " (expected '# OOMMF OVF 2.0')")
    header: dict = {"desc": []}
    position, kind = len(first) + 1, None
    while position < len(content):
        end = content.find(b"\n", position)
        end = len(content) if end < 0 else end
        line = content[position:end].decode("utf-8", "replace").strip()
        position = end + 1
        if not line or line.startswith("##"):
            continue
        if not line.startswith("#"):
            raise MtjphysError(f"OVF file {name}: a header line does not open with '#': {line[:60]!r}")
        key, colon, value = line[1:].split("##", 1)[0].partition(":")
        key, value = " ".join(key.split()).lower(), value.strip()
        if not colon:
            continue
        if key == "begin" and value.lower().startswith("data"):
            kind = " ".join(value.split()[1:]).title()
            break
        if key in ("begin", "end"):
            continue
        if key == "desc":
            header["desc"].append(value)
        else:
            header[key] = _header_value(key, value, name)
    if kind is None:
        raise MtjphysError(f"OVF file {name}: truncated: no '# Begin: Data' line")
    if header.get("segment count", 1) != 1:
        raise MtjphysError(f"OVF file {name} holds {header['segment count']} segments; one is read")
    missing = [key for key in _REQUIRED if key not in header]
    if missing:
        raise MtjphysError(f"OVF file {name}: the header lacks {', '.join(missing)}")
    if str(header["meshtype"]).lower() != "rectangular":
        raise MtjphysError(f"OVF file {name}: the mesh is not rectangular (meshtype {header['meshtype']}); only "
                           "rectangular meshes are read")
    if header["valuedim"] != 3:
        raise MtjphysError(f"OVF file {name}: valuedim is {header['valuedim']}; a vector field has 3")
    nodes = tuple(header[f"{a}nodes"] for a in _AXES)
    cell = tuple(header[f"{a}stepsize"] for a in _AXES)
    if min(nodes) < 1 or not all(math.isfinite(d) and d > 0 for d in cell):
        raise MtjphysError(f"OVF file {name}: nodes {nodes} and step sizes {cell} must be positive")
    count = 3 * math.prod(nodes)
    if kind in ("Binary 4", "Binary 8"):
        size = int(kind[-1])
        dtype, check = ("<f4" if size == 4 else "<f8"), CHECK_VALUES[size]
        if len(content) < position + size:
            raise MtjphysError(f"OVF file {name}: truncated: it ends before the check value of the data")
        found = float(np.frombuffer(content, dtype, 1, position)[0])
        if found != check:
            raise MtjphysError(f"OVF file {name}: wrong check value {found!r} for Data {kind} (expected {check!r}; "
                               "not little-endian OVF 2.0?)")
        available = (len(content) - position - size) // size
        if available < count:
            raise MtjphysError(f"OVF file {name}: truncated data: {min(available, count)} of {count} values")
        values = np.frombuffer(content, dtype, count, position + size).astype(np.float64)
        _data_end(content, position + size * (count + 1), kind, name)
    elif kind == "Text":
        lines = content[position:].decode("utf-8", "replace").splitlines()
        ends = lambda line: line.strip().startswith("#") and " ".join(line.strip()[1:].split()).lower() == \
            "end: data text"
        stop = next((i for i, line in enumerate(lines) if ends(line)), None)
        if stop is None:
            raise MtjphysError(f"OVF file {name}: truncated: no '# End: Data Text' line")
        tokens = " ".join(line.split("#", 1)[0] for line in lines[:stop]).split()
        if len(tokens) != count:
            what = "truncated data" if len(tokens) < count else "more values than nodes"
            raise MtjphysError(f"OVF file {name}: {what}: {len(tokens)} values for {count}")
        try:
            values = np.array([float(token) for token in tokens], dtype=np.float64)
        except ValueError as error:
            raise MtjphysError(f"OVF file {name}: the data holds a value that is not a number ({error})")
    else:
        raise MtjphysError(f"OVF file {name}: unknown data format 'Data {kind}' (Binary 4, Binary 8 or Text)")
    m = np.ascontiguousarray(values.reshape(nodes[::-1] + (3,)).transpose(2, 1, 0, 3))
    header.update(nodes=nodes, cell=cell, format=kind)
    for group, keys in (("base", "base"), ("min", "min"), ("max", "max")):
        if all(f"{a}{keys}" in header for a in _AXES):
            header[group] = tuple(header[f"{a}{keys}"] for a in _AXES)
    return m, header


def check_ovf_mesh(header: dict, mesh, what: str = "OVF file") -> None:
    """Refuses, in one line, an OVF header (`read_ovf`'s) whose grid is not the mesh's: its nodes, its step sizes
    (relative tolerance 1e-9) and its unit (metres)."""
    unit = str(header.get("meshunit", "m")).strip().lower()
    if unit != "m":
        raise MtjphysError(f"{what}: meshunit {header.get('meshunit')!r}; only metres (m) are read")
    nodes, shape = tuple(header["nodes"]), tuple(mesh.shape)
    if nodes != shape:
        raise MtjphysError(f"{what} has {' x '.join(map(str, nodes))} nodes; the mesh has "
                           f"{' x '.join(map(str, shape))} cells")
    if not all(math.isclose(a, b, rel_tol=1e-9, abs_tol=0.0) for a, b in zip(header["cell"], mesh.cell)):
        cells = lambda sizes: " x ".join(f"{d:.6g}" for d in sizes)
        raise MtjphysError(f"{what} has cells of {cells(header['cell'])} m; the mesh's are {cells(mesh.cell)} m")


def ovf_initial_state(path: str | os.PathLike, mesh, *, outside=(0.0, 0.0, 1.0)) -> np.ndarray:
    """A state on `mesh` read from an OVF 2.0 file: the start of a window (`neuron_trace(..., m0=...)`).

    The file's grid must be the mesh's (`check_ovf_mesh`). Every vector in the magnet is normalised (a file may
    hold m, or M in A/m, or float32's rounding); a zero or non-finite vector there is refused. Cells outside the
    magnet, which MuMax3 writes as zeros, take `outside` where the file's vector is zero (they carry no moment:
    any unit vector does).

    Returns:
        (nx, ny, nz, 3) unit vectors, float64.
    """
    m, header = read_ovf(path)
    what = f"OVF file {str(path)!r}"
    check_ovf_mesh(header, mesh, what)
    length = np.linalg.norm(m, axis=-1)
    bad = mesh.mask & ~(np.isfinite(length) & (length > 0))
    if bad.any():
        cell = tuple(int(i) for i in np.argwhere(bad)[0])
        raise MtjphysError(f"{what}: {int(bad.sum())} cells inside the magnet hold a zero or non-finite vector, "
                           f"the first at (x, y, z) index {cell}")
    if not np.isfinite(m[~mesh.mask]).all():
        raise MtjphysError(f"{what}: a cell outside the magnet holds a non-finite vector")
    fill = np.asarray(outside, dtype=np.float64)
    if fill.shape != (3,) or not np.isfinite(fill).all() or not np.linalg.norm(fill) > 0:
        raise MtjphysError(f"outside must be a finite non-zero vector, got {outside!r}")
    fill = fill / np.linalg.norm(fill)
    safe = np.where(length > 0, length, 1.0)[..., None]
    return np.where(length[..., None] > 0, m / safe, fill)
