"""Datasets on disk: atomic netCDF writes, provenance, modules recorded in datasets (by import path and
fields), resumable parameter sweeps (one file per point, run locally or through Dask), and grid states as
OVF 2.0 files (OOMMF, MuMax3, Ubermag)."""

from .. import _x64  # noqa: F401  (float64 before any array is made)
from ._codec import (
    module_from_dataset as module_from_dataset,
    module_to_dataset as module_to_dataset,
)
from ._datasets import (
    atomic_write as atomic_write,
    check_output_path as check_output_path,
    make_directory as make_directory,
    open_dataset as open_dataset,
    release_compiled_programs as release_compiled_programs,
    write_dataset as write_dataset,
)
from ._ovf import (
    check_ovf_mesh as check_ovf_mesh,
    ovf_initial_state as ovf_initial_state,
    read_ovf as read_ovf,
    write_ovf as write_ovf,
)
from ._provenance import (
    code_hash as code_hash,
    git_commit as git_commit,
    provenance as provenance,
)
from ._sweep import (
    point_name as point_name,
    run_sweep as run_sweep,
)
