"""Parameter sweeps: one netCDF file per finished point, resumable, run locally or through Dask."""

from __future__ import annotations

import fcntl
import functools
import hashlib
import itertools
import json
import math
import os
import pathlib
import re
import socket
import warnings

import numpy as np
import xarray as xr
from tqdm.auto import tqdm

from .._errors import MtjphysError
from ._datasets import atomic_write, make_directory, open_dataset, write_dataset
from ._provenance import provenance

_MANIFEST = "sweep.json"
_FORMAT = 1
_POINT_ATTR = "sweep_point"
_LABEL_LENGTH = 80
# what `atomic_write` leaves behind if the process dies between creating and renaming its temporary file
_TEMPORARY = re.compile(r"\..+\.(nc|json)\..+\.tmp")


_LOCK = "sweep.lock"
# attributes of a stored point that must match the running code and record for it to be reused
_IDENTITY = ("mtjphys_version", "code_hash", "parameters", "model_hash")


class _StoreLock:
    """An exclusive lock on a sweep store (an advisory `flock` on `sweep.lock`, released when the
    process ends however it ends)."""

    def __init__(self, store: pathlib.Path):
        self.path = store / _LOCK

    def __enter__(self):
        self.handle = open(self.path, "a+")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.handle.seek(0)
            holder = self.handle.read().strip() or "another process"
            self.handle.close()
            raise MtjphysError(f"sweep store {str(self.path.parent)!r} is in use by another sweep ({holder}); "
                               "wait for it to finish or use another store")
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(f"process {os.getpid()} on {socket.gethostname()}\n")
        self.handle.flush()
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


def _available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _qualified_name(function) -> str:
    if isinstance(function, functools.partial):
        return f"functools.partial({_qualified_name(function.func)})"
    module = getattr(function, "__module__", None) or type(function).__module__
    name = getattr(function, "__qualname__", None) or type(function).__qualname__
    return f"{module}.{name}"


def _plain(value, where: str):
    """`value` as plain JSON types (numpy scalars and arrays, tuples turned into Python ones)."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    elif isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise MtjphysError(f"{where}: {value!r} is not a finite number")
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(item, where) for item in value]
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise MtjphysError(f"{where}: dictionary keys must be strings")
        return {key: _plain(item, where) for key, item in value.items()}
    raise MtjphysError(f"{where}: {type(value).__name__} values cannot be recorded as JSON")


def _canonical(value):
    """Plain JSON with integral floats written as integers, so that 1 and 1.0 are the same point."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, list):
        return [_canonical(item) for item in value]
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in value.items()}
    return value


def _identity(value) -> str:
    return json.dumps(_canonical(value), sort_keys=True, separators=(",", ":"))


def _check_grid(grid) -> dict[str, list]:
    if not isinstance(grid, dict) or not grid:
        raise MtjphysError("the sweep grid must be a non-empty dict of parameter name -> list of values")
    checked = {}
    for key, values in grid.items():
        if not isinstance(key, str) or not key:
            raise MtjphysError(f"grid parameter names must be non-empty strings, not {key!r}")
        if isinstance(values, np.ndarray):
            values = values.tolist()
        if isinstance(values, (str, bytes, dict, set, frozenset)) or not hasattr(values, "__iter__"):
            raise MtjphysError(f"grid parameter {key!r} must be a list of values, not {type(values).__name__}")
        values = [_plain(value, f"grid parameter {key!r}") for value in values]
        if not values:
            raise MtjphysError(f"grid parameter {key!r} has no values")
        for value in values:
            if not isinstance(value, (bool, int, float, str)):
                raise MtjphysError(f"grid parameter {key!r}: values must be numbers or strings, not {value!r}")
        if len({isinstance(value, str) for value in values}) > 1:
            raise MtjphysError(f"grid parameter {key!r} mixes strings and numbers")
        seen = set()
        for value in values:
            if _identity(value) in seen:
                raise MtjphysError(f"grid parameter {key!r} lists the value {value!r} twice")
            seen.add(_identity(value))
        checked[key] = values
    return checked


def _check_fixed(fixed, grid: dict) -> dict:
    if fixed is None:
        return {}
    if not isinstance(fixed, dict):
        raise MtjphysError(f"fixed must be a dict of keyword arguments, not {type(fixed).__name__}")
    for key in fixed:
        if not isinstance(key, str):
            raise MtjphysError(f"fixed argument names must be strings, not {key!r}")
        if key in grid:
            raise MtjphysError(f"{key!r} is both swept (grid) and fixed")
        _plain(fixed[key], f"fixed argument {key!r}")  # must be recordable
    return fixed


def point_name(point: dict, fixed: dict) -> str:
    """The file stem of one sweep point.

    Arguments:
        point: one value per swept parameter.
        fixed: the fixed keyword arguments (part of the hash, so points of another `fixed` are never reused).

    Returns:
        A readable, filesystem-safe "key=value_key=value" label (shortened if long) followed by "__" and
        12 hexadecimal digits of the SHA-256 of the canonical JSON of point and fixed.
    """
    point = {key: _plain(value, "sweep point") for key, value in point.items()}
    fixed = {key: _plain(value, "fixed argument") for key, value in fixed.items()}
    digest = hashlib.sha256(_identity({"point": point, "fixed": fixed}).encode()).hexdigest()[:12]
    label = "_".join(f"{key}={value if isinstance(value, str) else json.dumps(_canonical(value))}"
                     for key, value in point.items())
    label = re.sub(r"[^A-Za-z0-9._=+-]+", "-", label)[:_LABEL_LENGTH].lstrip(".") or "point"
    return f"{label}__{digest}"


def _describe(point: dict) -> str:
    return ", ".join(f"{key}={value!r}" for key, value in point.items())


def _open_store(store: pathlib.Path, function_name: str, grid: dict, fixed: dict) -> None:
    """Create the store, or check that it holds the same sweep; record the (possibly extended) grid."""
    for path in store.iterdir():
        if _TEMPORARY.fullmatch(path.name) and path.is_file():
            path.unlink(missing_ok=True)
    fixed_json = _plain(fixed, "fixed")
    manifest_path = store / _MANIFEST
    recorded_grid = grid
    if manifest_path.exists():
        try:
            manifest = json.loads(manifest_path.read_text())
            old_function, old_fixed, old_grid = manifest["function"], manifest["fixed"], manifest["grid"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise MtjphysError(f"cannot read {str(manifest_path)!r}: {error}")
        if old_function != function_name:
            raise MtjphysError(f"sweep store {str(store)!r} holds a sweep of {old_function}, not {function_name}; "
                               "use another store directory")
        if _identity(old_fixed) != _identity(fixed_json):
            raise MtjphysError(f"sweep store {str(store)!r} holds a sweep with fixed={json.dumps(old_fixed)}, "
                               f"not {json.dumps(fixed_json)}; use another store directory")
        if set(old_grid) != set(grid):
            raise MtjphysError(f"sweep store {str(store)!r} sweeps {sorted(old_grid)}, not {sorted(grid)}; "
                               "use another store directory")
        # keep every value the store has points for, so the manifest describes all of its files
        recorded_grid = {}
        for key, old_values in old_grid.items():
            known = {_identity(value) for value in old_values}
            recorded_grid[key] = old_values + [value for value in grid[key] if _identity(value) not in known]
        if recorded_grid == old_grid:
            return
    manifest = {"format": _FORMAT, "function": function_name, "fixed": fixed_json, "grid": recorded_grid,
                "provenance": provenance()}
    text = json.dumps(manifest, indent=1) + "\n"
    atomic_write(manifest_path, lambda tmp: pathlib.Path(tmp).write_text(text), overwrite=True)


def _identity_of(attrs: dict) -> dict:
    """What must match for a stored point to be reused: the code and the parameter record."""
    return {key: attrs.get(key) for key in _IDENTITY}


def _load_point(path: pathlib.Path, point: dict, identity: dict, stale: str) -> xr.Dataset | None:
    """Returns: the stored result of `point`, or None if there is none, or it is unreadable, foreign or
    made by other code or from another record (with `stale="refuse"` the latter raises)."""
    if not path.exists():
        return None
    try:
        dataset = open_dataset(path)
    except Exception:
        warnings.warn(f"sweep point file {str(path)!r} is unreadable; computing the point again", stacklevel=3)
        return None
    if dataset.attrs.get(_POINT_ATTR) != _identity(_plain(point, "sweep point")):
        warnings.warn(f"sweep point file {str(path)!r} belongs to another point; computing the point again",
                      stacklevel=3)
        return None
    stored = _identity_of(dataset.attrs)
    if stored != identity:
        differs = ", ".join(key for key in _IDENTITY if stored[key] != identity[key])
        if stale == "refuse":
            raise MtjphysError(f"sweep point {str(path)!r} was computed with another {differs}; pass "
                               f"stale='recompute' (or remove the store) to compute it again")
        return None
    return dataset


def _save_point(result, path: pathlib.Path, point: dict, stamp: dict) -> xr.Dataset:
    """Check a fresh result, stamp it with its provenance, write it atomically, and return it as read
    back (as resumed points are)."""
    if not isinstance(result, xr.Dataset):
        raise MtjphysError(f"the sweep function returned {type(result).__name__}, not an xarray Dataset")
    clashes = sorted(set(point) & (set(result.variables) | set(result.dims)))
    if clashes:
        raise MtjphysError(f"the result has variables or dimensions named like swept parameters: {clashes}")
    stored = result.copy(deep=False)
    stored.attrs = {**result.attrs, **stamp, _POINT_ATTR: _identity(_plain(point, "sweep point"))}
    write_dataset(stored, path, overwrite=True)
    return open_dataset(path)


def _evaluate(function, arguments: dict):
    """Call `function` with keyword arguments (on a worker, free of `Client.submit`'s own keywords)."""
    return function(**arguments)


def _combine(results: list[xr.Dataset], grid: dict) -> xr.Dataset:
    """Stack results given in grid (row-major) order into one dataset with the swept parameters as dims."""
    datasets = []
    for result in results:
        result = result.drop_encoding()  # file encodings (chunk sizes, shapes) would not fit the stacked arrays
        result.attrs = {key: value for key, value in result.attrs.items() if key != _POINT_ATTR}
        datasets.append(result)
    # concatenate the innermost parameter first: its runs of neighbours are consecutive in row-major order
    for key in reversed(list(grid)):
        size = len(grid[key])
        datasets = [
            xr.concat(datasets[start:start + size], dim=key, data_vars="all", coords="different",
                      compat="equals", join="outer", combine_attrs="override")
            for start in range(0, len(datasets), size)
        ]
    (combined,) = datasets
    return combined.assign_coords({key: (key, np.asarray(values)) for key, values in grid.items()})


def _client(scheduler: str | None, workers: int):
    """Returns: (client, cluster or None); the cluster is ours to close, a remote scheduler is not."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise MtjphysError("running a sweep through Dask needs dask[distributed]; "
                           "install it or pass scheduler='synchronous'")
    if scheduler is None or scheduler == "threads":
        if scheduler is None:
            kind = dict(n_workers=workers, threads_per_worker=1, processes=True)
        else:
            kind = dict(n_workers=1, threads_per_worker=workers, processes=False)
        # no dashboard, and the scheduler's HTTP routes on a free port: a second sweep must not warn about 8787
        cluster = LocalCluster(**kind, dashboard_address=None, scheduler_kwargs={"dashboard_address": ":0"})
        try:
            return Client(cluster), cluster
        except BaseException:
            cluster.close()
            raise
    try:
        return Client(scheduler), None
    except (OSError, TimeoutError, ValueError) as error:
        raise MtjphysError(f"cannot connect to the Dask scheduler at {scheduler!r}: {error}")


def _run_distributed(missing, function, fixed, scheduler, cores, handle) -> None:
    from distributed import as_completed

    client, cluster = _client(scheduler, max(1, min(cores, len(missing))))
    try:
        futures = {}
        for index, point in missing:
            future = client.submit(_evaluate, function, {**point, **fixed}, pure=False)
            futures[future] = (index, point)
        for future in as_completed(list(futures)):
            index, point = futures.pop(future)  # dropping the future frees its result on the cluster
            if future.status == "error":
                handle(index, point, error=future.exception().with_traceback(future.traceback()))
            else:
                try:
                    result = future.result()
                except Exception as error:  # e.g. a result that could not be sent back
                    handle(index, point, error=error)
                else:
                    handle(index, point, result=result)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_sweep(
    function,
    grid: dict[str, list],
    store: str | os.PathLike,
    *,
    fixed: dict | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    record=None,
    stale: str = "recompute",
) -> xr.Dataset:
    """Evaluate `function` on every point of a parameter grid, keeping each result on disk as it arrives.

    Points whose files are already in `store` are loaded instead of computed, so an interrupted or failed
    sweep resumes where it stopped. One sweep at a time may use a store.

    Arguments:
        function: a picklable callable (a module-level function); `function(**point, **fixed)` returns an
            xarray Dataset whose variables and dimensions are not named like the swept parameters.
        grid: swept parameter -> list of distinct values (numbers or strings); the sweep covers their
            Cartesian product. A store's grid may be extended with new values on a later run.
        store: directory for one netCDF file per point, `<key=value_...>__<hash>.nc`, and `sweep.json`
            (function, fixed arguments and grid); created if missing.
        fixed: keyword arguments passed unchanged to every call (JSON-recordable values). A store made with
            another function or other fixed arguments is refused.
        scheduler: None for a local Dask cluster of processes (one single-threaded worker per core, at most
            one per missing point; workers are spawned, so a script must call `run_sweep` under
            `if __name__ == "__main__":`); "synchronous" to run in this process, in grid order; "threads"
            for an in-process Dask cluster of threads; otherwise the address of a running Dask scheduler
            (e.g. "tcp://10.0.0.5:8786"), which is left running. No cluster is started when every point
            is already in the store.
        progress: show a progress bar over the points.
        record: the parameter record (`mtjphys.Parameters`) the points derive from, if they derive from one.
        stale: what to do with a stored point made by another mtjphys version or code (`code_hash`),
            or from another `record`: "recompute" it, or "refuse" (raise `MtjphysError`).

    Every point's file carries the provenance of the run that made it, and `sweep.json` that of the
    store. While a sweep runs it holds a lock on its store: a second sweep on it is refused.

    Returns:
        One dataset with the swept parameters as the leading dimensions (coordinates in grid order), the
        attributes of the first point's result, and `sweep_grid`, `sweep_fixed` (JSON) and `sweep_function`.

    Raises:
        MtjphysError: invalid arguments, a store holding another sweep, or results that cannot be stacked.
        The first failing point's own exception (in grid order), after every other point has finished and
        been saved; a note names the point.
    """
    if not callable(function):
        raise MtjphysError(f"the sweep function must be callable, not {type(function).__name__}")
    grid = _check_grid(grid)
    fixed = _check_fixed(fixed, grid)
    if scheduler is not None and (not isinstance(scheduler, str) or not scheduler):
        raise MtjphysError(f"scheduler must be None, 'synchronous', 'threads' or an address, not {scheduler!r}")
    if stale not in ("recompute", "refuse"):
        raise MtjphysError(f"stale must be 'recompute' or 'refuse', not {stale!r}")
    store = pathlib.Path(store)
    function_name = _qualified_name(function)
    make_directory(store, "sweep store")
    with _StoreLock(store):
        return _run_locked(function, function_name, grid, fixed, scheduler, progress, store,
                           record, stale)


def _run_locked(function, function_name, grid, fixed, scheduler, progress, store, record, stale) -> xr.Dataset:
    _open_store(store, function_name, grid, fixed)
    stamp = provenance(record, sweep_function=function_name, sweep_fixed=_plain(fixed, "fixed"))
    identity = _identity_of(stamp)

    points = [dict(zip(grid, values)) for values in itertools.product(*grid.values())]
    paths = [store / f"{point_name(point, fixed)}.nc" for point in points]
    results: list[xr.Dataset | None] = []
    for path, point in zip(paths, points):
        results.append(_load_point(path, point, identity, stale))
    missing = [(index, point) for index, point in enumerate(points) if results[index] is None]
    resumed = len(points) - len(missing)
    errors: dict[int, BaseException] = {}

    bar = tqdm(total=len(points), initial=resumed, desc="sweep", unit="point", disable=None if progress else True)
    bar.set_postfix(resumed=resumed)

    def handle(index, point, result=None, error=None):
        if error is None:
            try:
                results[index] = _save_point(result, paths[index], point, stamp)
            except Exception as save_error:
                error = save_error
        if error is not None:
            errors[index] = error
            bar.set_postfix(resumed=resumed, failed=len(errors))
        bar.update(1)

    with bar:
        if missing and scheduler == "synchronous":
            for index, point in missing:
                try:
                    result = function(**point, **fixed)
                except Exception as error:
                    handle(index, point, error=error)
                else:
                    handle(index, point, result=result)
        elif missing:
            _run_distributed(missing, function, fixed, scheduler, _available_cores(), handle)

    if errors:
        first = min(errors)
        error = errors[first]
        others = "" if len(errors) == 1 else f" ({len(errors)} of {len(points)} points failed)"
        error.add_note(f"sweep point {_describe(points[first])} failed{others}; the other points are saved in "
                       f"{str(store)!r}, and running the sweep again computes only the failed ones")
        raise error

    try:
        combined = _combine(results, grid)
    except (ValueError, TypeError) as error:  # e.g. results whose unlabelled dimensions differ in size
        raise MtjphysError(f"cannot combine the points' results into one dataset: {' '.join(str(error).split())}")
    combined.attrs = {
        **{key: value for key, value in results[0].attrs.items() if key != _POINT_ATTR},
        **stamp,
        "sweep_grid": json.dumps(grid),
        "sweep_fixed": json.dumps(_plain(fixed, "fixed")),
        "sweep_function": function_name,
    }
    return combined
