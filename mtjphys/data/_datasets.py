"""Safe netCDF writing and reading: atomic writes, checked output paths, one-line errors."""

from __future__ import annotations

import os
import pathlib
import secrets

import xarray as xr

from .._errors import MtjphysError


def release_compiled_programs(share: float = 0.5) -> bool:
    """Drop JAX's compiled programs when they hold more than `share` of the memory maps a process may have.

    Every compiled program keeps a few memory maps, and Linux allows a process `vm.max_map_count` of them
    (65530 by default); past it XLA aborts. A long run (a whole reproduction, the test suite) compiles more
    programs than that, so it calls this between its parts: programs still needed are compiled again.

    Returns: whether the programs were dropped.
    """
    try:
        limit = int(pathlib.Path("/proc/sys/vm/max_map_count").read_text())
        with open("/proc/self/maps") as maps:
            used = sum(1 for _ in maps)
    except (OSError, ValueError):  # not Linux: no such limit to watch
        return False
    if used <= share * limit:
        return False
    import jax

    jax.clear_caches()
    return True


def make_directory(path: str | os.PathLike, what: str) -> pathlib.Path:
    """Create the directory `path` (and parents) if needed; one-line errors name it as `what`."""
    path = pathlib.Path(path)
    if path.exists() and not path.is_dir():
        raise MtjphysError(f"{what} {str(path)!r} is a file, not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise MtjphysError(f"cannot create {what} {str(path)!r}: {error.strerror}")
    return path


def check_output_path(path: str | os.PathLike, overwrite: bool = False) -> pathlib.Path:
    """Fail early, with one line, if `path` cannot or may not be written.

    Returns: the path.
    """
    path = pathlib.Path(path)
    if path.is_dir():
        raise MtjphysError(f"output path {str(path)!r} is a directory")
    if path.exists() and not overwrite:
        raise MtjphysError(f"output file {str(path)!r} exists; pass --overwrite to replace it")
    parent = path.parent if str(path.parent) else pathlib.Path(".")
    if not parent.is_dir():
        raise MtjphysError(f"cannot write {str(path)!r}: directory {str(parent)!r} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise MtjphysError(f"cannot write {str(path)!r}: directory {str(parent)!r} is not writable")
    return path


def _fsync(path: str | os.PathLike, directory: bool = False) -> None:
    handle = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def atomic_write(path: str | os.PathLike, write, *, overwrite: bool = False, suffix: str = "") -> pathlib.Path:
    """Write a file through `write(temporary_path)`, then move it into place.

    The file reaches the disk (fsync) before it appears under its name, so a failure, an
    interruption or a crash leaves either no file or the whole file at `path`, never part of one.
    Without `overwrite`, a file that appeared at `path` meanwhile is kept and the write refused.
    """
    path = check_output_path(path, overwrite)
    temporary = path.parent / f".{path.name}.{secrets.token_hex(6)}{suffix}.tmp"
    # created with the usual mode (0o666 less the umask) by the kernel: no process-wide umask juggling
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        write(temporary)
        _fsync(temporary)
        if overwrite:
            os.replace(temporary, path)
        else:
            try:
                os.link(temporary, path)  # fails if the name exists: nothing is overwritten unasked
            except FileExistsError:
                raise MtjphysError(f"output file {str(path)!r} exists; pass --overwrite to replace it")
            except OSError:  # a file system without hard links
                check_output_path(path, overwrite)
                os.replace(temporary, path)
        _fsync(path.parent, directory=True)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def write_dataset(dataset: xr.Dataset, path: str | os.PathLike, *, overwrite: bool = False) -> pathlib.Path:
    """Write `dataset` to netCDF4 atomically. Returns: the path."""
    return atomic_write(path, lambda tmp: dataset.to_netcdf(tmp, engine="netcdf4"), overwrite=overwrite)


def open_dataset(path: str | os.PathLike) -> xr.Dataset:
    """Load a netCDF dataset fully into memory (the file is closed afterwards)."""
    try:
        with xr.open_dataset(path, engine="netcdf4") as dataset:
            return dataset.load()
    except (OSError, ValueError) as error:
        raise MtjphysError(f"cannot read dataset {str(path)!r}: {error}")
